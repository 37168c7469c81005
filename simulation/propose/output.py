"""Tables, verdict, report and result folder of a propose run.

The folder (default ``results/<name>-propose/``) holds ``proposed-scenario.yaml``,
``proposed.sweep.yaml``, ``designs.csv``, ``screening.csv``, ``selection.csv``,
``propose.md`` and ``manifest.json``; it is written in a staging folder and renamed into
place, so a folder under its final name is always complete.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

from simulation.measures.intervals import t_interval
from simulation.propose.search import BASELINE, Evaluator, Timetable, describe, timetable_changes
from simulation.propose.selection import PAIRED_COLUMNS, Track
from simulation.report.document import (
    Block,
    BulletList,
    Document,
    Heading,
    NumberedList,
    Paragraph,
    bold,
    code,
    plain_table,
    text,
)
from simulation.report.rendering import render_markdown
from simulation.results.files import (
    folder_checksums,
    provenance,
    staged_folder,
    write_json,
    write_yaml,
    writing,
)
from simulation.scenario.overrides import apply_changes
from simulation.scenario.propose_spec import Propose, weekday_name, window_hours

if TYPE_CHECKING:
    from simulation.propose import ProposeResult
    from simulation.propose.screening import Screening

PROPOSAL = "proposal"
"""Design name of the proposal in ``proposed.sweep.yaml``."""


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False)


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


def _fmt(x: float, digits: int = 1) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def _guarantee(track: Track, delta: float, label: str) -> str:
    if len(track.designs) == 1:
        return f"the only design {label}"
    if track.truncated:
        others = [d for d, s in track.status.items() if s == "survivor at the cap"]
        return (
            f"the procedure reached max_replications ({track.replications}) with "
            f"{', '.join([track.selected or '?', *others])} still in: they are not separated by "
            f"δ = {delta:g}, and '{track.selected}' has the best mean, without the confidence guarantee"
        )
    return (
        f"selected with confidence {1 - track.alpha:.3g} given δ = {delta:g} {label} "
        f"({track.replications} replications, Kim-Nelson procedure)"
    )


def _named(evaluator: Evaluator, design: str) -> str:
    d = evaluator.designs[design]
    if design == BASELINE:
        return "the baseline"
    if d.kind == "hand-made":
        return f"the hand-made design '{design}' ({describe_changes(d.changes)})"
    return f"'{design}' ({describe(d.timetable)})"


def statement(
    propose: Propose,
    evaluator: Evaluator,
    tracks: Sequence[Track],
    proposal: str | None,
    versus: pd.DataFrame | None,
    delta: float,
) -> str:
    """The verdict in words: what is selected within the budget and overall, with which
    confidence, and the proposal against every other design compared, with intervals."""
    objective = evaluator.kpis[0]
    overall = tracks[0]
    budget = tracks[1] if len(tracks) > 1 else None
    lines = []
    if proposal is None or budget is None:
        lines.append(
            "No timetable could be proposed: no candidate stop is eligible (the offices already "
            "cover every candidate) or the budget allows no stop."
        )
    else:
        among = f"among the {len(budget.designs)} designs within the budget"
        winner = budget.selected or proposal
        if winner != proposal:
            lines.append(
                f"No design within the budget beats {_named(evaluator, winner)} on {objective}: "
                f"{_guarantee(budget, delta, among)}. The best timetable the search found is "
                f"{_named(evaluator, proposal)}."
            )
        else:
            lines.append(
                f"Proposal {_named(evaluator, proposal)} is the best design within the budget on "
                f"{objective}: {_guarantee(budget, delta, among)}."
            )
    best = overall.selected
    if best is not None and (budget is None or best != budget.selected):
        what = (
            "no design beats the baseline"
            if best == BASELINE
            else f"the best of all designs compared is {_named(evaluator, best)}"
        )
        lines.append(
            f"Overall, {what}: {_guarantee(overall, delta, f'among all {len(overall.designs)} designs')}."
        )
    elif best is not None:
        lines.append(
            f"It is also the best of all {len(overall.designs)} designs compared: "
            f"{_guarantee(overall, delta, 'among all designs')}."
        )
    if sum(len(t.designs) > 1 for t in tracks) > 1:
        lines.append(
            f"The two selections hold together with probability at least "
            f"{propose.spec.selection.confidence:.3g} (each at {1 - tracks[0].alpha:.3g}, Bonferroni)."
        )
    if proposal is not None and versus is not None and len(versus):
        confirm = propose.spec.selection.confirmation
        lines.append(
            "Paired comparison of the proposal with the hand-made designs and the baseline on "
            + (
                f"{confirm} fresh replications not used to search or select:"
                if confirm
                else "the selection's replications (no confirmation run, so the proposal's advantage may be "
                "overstated):"
            )
        )
        for row in versus.itertuples(index=False):
            who = (
                "the baseline"
                if row.design == BASELINE
                else f"{evaluator.designs[row.design].kind} '{row.design}'"
            )
            verdict = {"better": "the proposal is better", "worse": "the proposal is worse"}.get(
                row.proposal_verdict, row.proposal_verdict
            )
            lines.append(
                f"- against {who}: {_fmt(row.proposal_mean)} vs {_fmt(row.design_paired_mean)}, "
                f"difference {row.diff_mean:+.1f} ({row.interval_level:.1%} CI {row.diff_ci_low:+.1f} to "
                f"{row.diff_ci_high:+.1f}, {int(row.n_paired)} paired replications): {verdict}."
            )
    return "\n".join(lines)


def proposed_documents(
    propose: Propose,
    evaluator: Evaluator,
    proposal: str | None,
    references: Sequence[str],
    replications: int,
    folder: Path,
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The proposed scenario and a sweep file comparing baseline, proposal and hand-made designs."""
    scenario = None
    designs: dict[str, Any] = {BASELINE: {}}
    if proposal is not None:
        changes = timetable_changes(propose, evaluator.designs[proposal].timetable)
        scenario = apply_changes(propose.base_document, changes)
        scenario["name"] = f"{propose.scenario.name}-proposed"[:100]
        scenario["description"] = (
            f"{propose.scenario.description or propose.scenario.name}, with the mobile "
            f"timetable proposed by servicesim propose ({propose.name})"
        )
        designs[PROPOSAL] = changes
    for d in references:
        if d != BASELINE:
            designs[d] = evaluator.designs[d].changes
    spec = propose.spec
    sweep = {
        "name": f"{propose.name}-proposed"[:100],
        "description": "Baseline, the proposed timetable and the hand-made designs (servicesim propose)",
        "base": os.path.relpath(propose.base_path, Path(folder).resolve()),
        "seed": propose.seed,
        "replications": int(replications),
        "baseline": BASELINE,
        "level": spec.selection.confidence,
        "correction": "bonferroni",
        "kpis": evaluator.kpis,
        "designs": designs,
    }
    return scenario, sweep


def _frame_block(frame: pd.DataFrame) -> Block:
    """A table of a frame's values as text, or ``(none)`` if it has no rows."""
    if frame.empty:
        return Paragraph(text("(none)"))
    return plain_table(frame.columns, list(frame.itertuples(index=False)))


def statement_blocks(statement_text: str) -> list[Block]:
    """The verdict's sentences as paragraphs, its ``- `` lines as bullet lists."""
    blocks: list[Block] = []
    for line in statement_text.splitlines():
        if line.startswith("- "):
            if blocks and isinstance(blocks[-1], BulletList):
                blocks[-1].items.append(text(line[2:]))
            else:
                blocks.append(BulletList([text(line[2:])]))
        else:
            blocks.append(Paragraph(text(line)))
    return blocks


def _comparison_rows(result: ProposeResult, level: float) -> pd.DataFrame:
    rows = []
    for r in result.selection.itertuples(index=False):
        compared = not r.is_proposal and bool(r.proposal_verdict) and math.isfinite(r.diff_mean)
        rows.append(
            {
                "design": r.design,
                "kind": r.kind,
                "schedule": r.schedule,
                "replications": r.replications,
                f"mean ({level:.0%} CI)": f"{_fmt(r.objective_mean)} ({_fmt(r.objective_ci_low)} to "
                f"{_fmt(r.objective_ci_high)})",
                "proposal − design (CI)": (
                    f"{r.diff_mean:+.1f} ({r.diff_ci_low:+.1f} to {r.diff_ci_high:+.1f})"
                    if compared
                    else ""
                ),
                "verdict": r.proposal_verdict,
                "within budget": r.within_budget_status or "-",
                "overall": r.overall_status or "-",
            }
        )
    return pd.DataFrame(rows)


def report_document(propose: Propose, result: ProposeResult, screening: Screening) -> Document:
    """The propose report as a document: verdict, timetable, comparison, method, how to reproduce.

    Parameters
    ----------
    propose
        The loaded propose spec.
    result
        The run's result.
    screening
        The static screening (for its solver).

    Returns
    -------
    Document
        Title ``Proposal: <name>``; rendered by :mod:`simulation.report.rendering`.
    """
    spec = propose.spec
    b = spec.budget
    objective = spec.objective
    level = spec.selection.confidence
    units = "; ".join(
        f"{u.id} ({u.counters} staff, set-up {u.setup_minutes:g} min)" for u in spec.units
    )
    blocks: list[Block] = []
    if spec.description:
        blocks.append(Paragraph(text(spec.description)))
    blocks += [
        Paragraph(
            text(
                "Base scenario ",
                code(propose.base_path.name),
                " (offices kept as they are). Objective: ",
                code(objective.label),
                f", {objective.direction} is better. Units: {units}. Budget: "
                f"{b.unit_days_per_week} unit-day(s) a week, at most {b.hours_per_day:g} open hours and "
                f"{spec.constraints.max_stops_per_day} stop(s) per unit-day, windows {', '.join(b.windows)}, "
                f"weekdays {', '.join(weekday_name(d) for d in b.day_indices)}.",
            )
        ),
        Heading("Verdict"),
        *statement_blocks(result.statement),
        Heading("Proposed timetable"),
        _frame_block(result.timetable)
        if result.proposal
        else Paragraph(text("No timetable proposed.")),
    ]
    sel = result.selection
    confirm = spec.selection.confirmation
    second = [
        k
        for k in result.designs.columns
        if k.endswith("_mean") and k not in ("objective_mean", "search_mean")
    ]
    where = (
        f"{confirm} fresh replications that were not used to search or select (confirmation)"
        if confirm
        else "the replications both designs share from the selection (no confirmation run)"
    )
    blocks += [
        Heading("Comparison"),
        Paragraph(
            text(
                "Objective ",
                code(objective.label),
                f" per design: mean and {level:.0%} interval over all of a design's replications; ",
                code("within budget"),
                " and ",
                code("overall"),
                " give each design's fate in the two selections. The proposal is compared with the "
                f"hand-made designs and the baseline on {where}; the differences are paired (common "
                "random numbers) and their intervals Bonferroni-corrected over those comparisons.",
            )
        ),
        _frame_block(_comparison_rows(result, level)),
        Paragraph(text("Secondary KPIs (means over each design's replications):")),
        _frame_block(
            sel[["design", *second]].round(2).rename(columns=lambda c: c.removesuffix("_mean"))
        ),
        Heading("Method"),
        NumberedList(
            [
                text(
                    bold("Screening"),
                    " (static, no simulation). Office accessibility by Gaussian 2SFCA with a "
                    f"{spec.screening.catchment_minutes:g}-minute catchment; coverage = accessibility / "
                    "counter-hours one need takes at "
                    f"{spec.screening.target_utilisation:.0%} utilisation (capped at 1); residual "
                    "demand = weekly needs × (1 − coverage) in the objective's areas. Candidates whose "
                    "own place offices cover (residual share < "
                    f"{spec.screening.min_residual_share:g}) are not eligible. A maximal covering model "
                    "with Gaussian partial coverage chooses the shortlist of at most "
                    f"{spec.screening.shortlist} (solver: {screening.solver}).",
                )
            ]
        ),
        _frame_block(
            result.screening[
                [
                    "rank",
                    "candidate",
                    "office_coverage",
                    "residual_share",
                    "covered_residual_per_week",
                    "eligible",
                    "shortlisted",
                ]
            ].round(3)
        ),
        NumberedList(
            [
                text(
                    bold("Search"),
                    " by simulation over shortlisted stop × weekday × window: greedy construction, "
                    "then local improvement (one stop, day or window replaced at a time) while the "
                    "mean objective improves. "
                    f"{int((result.designs['kind'] == 'search').sum())} timetable(s) evaluated with "
                    f"{spec.search.replications} replications each under common random numbers "
                    f"(seed {propose.seed}).",
                )
            ],
            start=2,
        ),
        _frame_block(result.steps.round(3))
        if len(result.steps)
        else Paragraph(text("(no search step: nothing to search)")),
        NumberedList(
            [
                text(
                    bold("Selection"),
                    " by Kim and Nelson's fully sequential procedure with indifference zone "
                    f"δ = {result.indifference:g}: first stage {spec.selection.initial} replications, "
                    f"then batches of {spec.selection.batch} for the designs still in, at most "
                    f"{spec.selection.max_replications}. "
                    + " ".join(
                        f"Track '{t.name}' ({len(t.designs)} design(s), α = {t.alpha:.3g}, "
                        f"h² = {t.h2:.2f}): {t.selected} after {t.replications} replications"
                        f"{' (stopped at the cap)' if t.truncated else ''}."
                        for t in result.tracks
                    ),
                )
            ],
            start=3,
        ),
        Paragraph(
            text(
                f"{result.runs} simulation runs in {result.wall_seconds:.0f} s. Method and limits: ",
                code("docs/propose.md"),
                ".",
            )
        ),
        Heading("Reproduce"),
        Paragraph(
            text(
                code("servicesim sweep proposed.sweep.yaml"),
                " reruns baseline, proposal and hand-made designs with the same seed; its "
                "replications beyond the search's first batch use other random numbers than the "
                "selection's batches, so its means differ slightly from the ones above.",
            )
        ),
    ]
    return Document(f"Proposal: {result.name}", blocks)


def render_report(propose: Propose, result: ProposeResult, screening: Screening) -> str:
    """``propose.md``: method, timetable, comparison with intervals and the verdict.

    Rendered from :func:`report_document` by the Markdown template of
    :mod:`simulation.report.rendering`.
    """
    return render_markdown(report_document(propose, result, screening))


def write_outputs(
    propose: Propose, result: ProposeResult, screening: Screening, workers: int
) -> None:
    """Write the result folder (atomically: a staging folder renamed into place)."""
    writers: dict[str, Callable[[Path], object]] = {}
    if result.scenario is not None:
        text = (
            "# Proposed by `servicesim propose` (see propose.md): the base scenario plus the "
            "proposed mobile timetable.\n"
            + yaml.safe_dump(result.scenario, sort_keys=False, allow_unicode=True)
        )
        writers["proposed-scenario.yaml"] = lambda p: p.write_text(text, encoding="utf-8")
    writers["proposed.sweep.yaml"] = lambda p: write_yaml(p, result.sweep)
    rows = {}
    for name, frame in (
        ("designs", result.designs),
        ("screening", result.screening),
        ("selection", result.selection),
    ):
        writers[f"{name}.csv"] = partial(_write_csv, frame)
        rows[f"{name}.csv"] = len(frame)
    report = render_report(propose, result, screening)
    writers["propose.md"] = lambda p: p.write_text(report, encoding="utf-8")
    folder = Path(result.folder)
    with staged_folder(folder) as stage:
        for name, write in writers.items():
            with writing(folder / name):
                write(stage / name)
        spec = propose.spec
        manifest = provenance(
            kind="propose",
            name=result.name,
            source=propose.source,
            base=str(propose.base_path),
            compare_with=str(propose.compare_path) if propose.compare_path else None,
            seed=propose.seed,
            objective=spec.objective.label,
            proposal=result.proposal,
            selected=result.selected,
            confidence=result.confidence,
            indifference=result.indifference,
            solver=result.solver,
            shortlist=list(screening.shortlist),
            designs=len(result.designs),
            runs=result.runs,
            tracks=[
                {
                    "name": t.name,
                    "designs": list(t.designs),
                    "alpha": t.alpha,
                    "selected": t.selected,
                    "replications": t.replications,
                    "truncated": t.truncated,
                }
                for t in result.tracks
            ],
            workers=workers,
            wall_seconds=round(result.wall_seconds, 3),
            spec=spec.model_dump(mode="json"),
            checksums=folder_checksums(stage, writers, rows),
        )
        with writing(folder / "manifest.json"):
            write_json(stage / "manifest.json", manifest)
