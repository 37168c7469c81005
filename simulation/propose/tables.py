"""The tables of a propose run: every design simulated, the final selection, the timetable.

``designs.csv`` (:func:`design_table`), ``selection.csv`` (:func:`selection_table`) and the
proposed timetable (:func:`timetable_table`), with the short texts that name a design's
schedule or changes in them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from simulation.measures.intervals import t_interval
from simulation.propose.evaluator import Evaluator
from simulation.propose.selection import PAIRED_COLUMNS, Track
from simulation.propose.timetable import Timetable, describe
from simulation.scenario.propose_loading import Propose
from simulation.scenario.propose_spec import weekday_name, window_hours


def describe_changes(changes: dict[str, Any]) -> str:
    """Short text of a design's changes: the sites it adds or removes and what it sets."""
    parts = []
    for section, items in (changes.get("add") or {}).items():
        for item in items:
            text = f"adds {section[:-1]} {item.get('id', '?')}"
            if item.get("kind") == "mobile":
                stops = [
                    f"{s.get('area') or s.get('name') or 'location'} {','.join(s.get('days') or [])} "
                    f"{' '.join(s.get('hours') or [])}".strip()
                    for s in item.get("schedule") or []
                ]
                text += f" (mobile, {item.get('counters', '?')} staff: {'; '.join(stops)})"
            elif item.get("kind") == "office":
                text += f" (office, {item.get('counters', '?')} counters)"
            parts.append(text)
    for section, ids in (changes.get("remove") or {}).items():
        parts.append(f"removes {section} {', '.join(map(str, ids))}")
    for path, value in (changes.get("set") or {}).items():
        parts.append(f"sets {path} = {value}")
    return "; ".join(parts) or "the base scenario as it is"


def schedule_text(evaluator: Evaluator, design: str) -> str:
    """Timetable of a search design, or the changes of any other design."""
    d = evaluator.designs[design]
    return describe(d.timetable) if d.kind == "search" else describe_changes(d.changes)


def timetable_table(propose: Propose, timetable: Timetable) -> pd.DataFrame:
    """One row per weekly stop: ``unit, weekday, hours, stop, place``."""
    candidates = {c.id: c for c in propose.candidates}
    areas = {a.id: a.label for a in propose.scenario.areas}
    rows = []
    for v in sorted(timetable, key=lambda v: (v.unit, v.day, v.span)):
        c = candidates[v.stop]
        place = areas[c.area] if c.area else f"{c.location.lat:.5f}, {c.location.lon:.5f}"  # type: ignore[union-attr]
        rows.append(
            {
                "unit": v.unit,
                "weekday": weekday_name(v.day),
                "hours": v.window,
                "stop": v.stop,
                "place": place,
            }
        )
    return pd.DataFrame(rows, columns=["unit", "weekday", "hours", "stop", "place"])


def _status(tracks: Sequence[Track], design: str, name: str) -> str:
    track = next((t for t in tracks if t.name == name), None)
    if track is None or design not in track.designs:
        return ""
    return track.status.get(design, "running")


def design_table(
    propose: Propose, evaluator: Evaluator, tracks: Sequence[Track], level: float
) -> pd.DataFrame:
    """Every design simulated: schedule, stage, replications, objective and secondary KPIs."""
    objective = evaluator.kpis[0]
    rows = []
    for d in evaluator.designs.values():
        table = evaluator.table(d.id)
        mean, _, lo, hi = t_interval(table[objective].to_numpy(dtype=float), level)
        days: dict[tuple[str, int], list[float]] = {}
        for v in d.timetable:
            days.setdefault((v.unit, v.day), []).append(window_hours(v.window))
        row: dict[str, Any] = {
            "design": d.id,
            "kind": d.kind,
            "stage": d.stage,
            "aliases": ";".join(d.aliases),
            "schedule": schedule_text(evaluator, d.id),
            "unit_days_per_week": len(days) if days else math.nan,
            "open_hours_per_week": sum(map(sum, days.values())) if days else math.nan,
            "max_hours_per_unit_day": max(map(sum, days.values())) if days else math.nan,
            "max_stops_per_unit_day": max(map(len, days.values())) if days else math.nan,
            "replications": len(table),
            "objective": objective,
            "objective_mean": mean,
            "objective_ci_low": lo,
            "objective_ci_high": hi,
            "search_mean": float(
                np.mean(table[objective].to_numpy(dtype=float)[: evaluator.sizes[0]])
            ),
        }
        for k in evaluator.kpis[1:]:
            row[f"{k}_mean"] = (
                float(np.nanmean(table[k].to_numpy(dtype=float))) if len(table) else math.nan
            )
        row["overall_status"] = _status(tracks, d.id, "overall")
        row["within_budget_status"] = _status(tracks, d.id, "within budget")
        rows.append(row)
    return pd.DataFrame(rows)


def selection_table(
    propose: Propose,
    evaluator: Evaluator,
    tracks: Sequence[Track],
    versus: pd.DataFrame | None,
    level: float,
    proposal: str | None,
) -> pd.DataFrame:
    """The final comparison: every contender, its interval, statuses and the verdict of the
    proposal against it (paired, Bonferroni over the designs compared with the proposal)."""
    designs = design_table(propose, evaluator, tracks, level)
    contenders = list(tracks[0].designs)
    table = designs.set_index("design").loc[contenders].reset_index()
    table = table.drop(
        columns=[
            "stage",
            "aliases",
            "search_mean",
            "unit_days_per_week",
            "open_hours_per_week",
            "max_hours_per_unit_day",
            "max_stops_per_unit_day",
        ]
    )
    if versus is not None and len(versus):
        table = table.merge(versus, on="design", how="left")
    else:
        for col in PAIRED_COLUMNS:
            table[col] = math.nan
    table["proposal_verdict"] = table.get(
        "proposal_verdict", pd.Series(index=table.index, dtype=object)
    )
    table["proposal_verdict"] = (
        table["proposal_verdict"].astype(object).where(table["proposal_verdict"].notna(), "")
    )
    table["is_proposal"] = table["design"] == proposal
    if table["is_proposal"].any():
        table.loc[table["is_proposal"], "proposal_verdict"] = "(the proposal)"
    return table
