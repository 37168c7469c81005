"""The tables of a staffing search: one row per period, and the staff hours per site."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.scenario.schedules import stop_place_id
from simulation.scenario.schema import Mobile
from simulation.staff.decision import Judgement
from simulation.staff.periods import Layout, show_minute, weekday_name
from simulation.staff.search import SearchResult
from simulation.staff.targets import Target


def statistic_columns(target: Target) -> tuple[str, str]:
    """Column names of a target's estimate and of the confidence bound that decides it.

    ``wait_p80<=15`` is shown as the share waiting at most 15 minutes and its lower bound
    (``within_15min``, ``within_15min_lcb``); ``abandonment`` and ``wait_mean`` as themselves
    and their upper bounds (``_ucb``).
    """
    if target.quantile is not None:
        name = f"within_{target.limit:g}min"
        return name, f"{name}_lcb"
    return target.kpi, f"{target.kpi}_ucb"


def shown_values(j: Judgement) -> tuple[np.ndarray, np.ndarray]:
    """A judgement's estimate and deciding bound in the form of :func:`statistic_columns`."""
    if j.target.quantile is not None:
        return 1.0 - j.mean, 1.0 - j.upper
    return j.mean, j.upper


def shown_target(target: Target) -> float:
    """The target in the form of :func:`statistic_columns` (e.g. 0.8 for ``wait_p80``)."""
    return target.quantile if target.quantile is not None else target.limit


def _stop_label(layout: Layout, k: int, j: int) -> str:
    site = layout.scenario.sites[k]
    if j < 0 or not isinstance(site, Mobile):
        return ""
    return f"{j}:{stop_place_id(site.id, site.schedule[j])}"


def period_table(layout: Layout, result: SearchResult) -> pd.DataFrame:
    """One row per period: counters today and proposed, arrivals, every target on the fresh
    replications, and whether the period meets them all (``met``) and met them today."""
    final, today = result.final, result.today
    arrivals = final.mean("arrivals")
    rows: dict[str, list[object]] = {
        "site": [],
        "stop": [],
        "day": [],
        "start": [],
        "end": [],
        "counters": [],
        "today": [],
        "arrivals_per_day": [],
    }
    for i, p in enumerate(layout.periods):
        rows["site"].append(layout.scenario.sites[p.site].id)
        rows["stop"].append(_stop_label(layout, p.site, p.stop))
        rows["day"].append(weekday_name(p.weekday))
        rows["start"].append(show_minute(p.start))
        rows["end"].append(show_minute(p.end))
        rows["counters"].append(result.counts[p.variable])
        rows["today"].append(p.today)
        rows["arrivals_per_day"].append(round(float(arrivals[i]) / max(p.days, 1), 3))
    frame = pd.DataFrame(rows)
    for j in final.judgements:
        estimate, bound = shown_values(j)
        name, bound_name = statistic_columns(j.target)
        frame[name] = np.round(estimate, 4)
        frame[bound_name] = np.round(bound, 4)
    frame["met"] = np.where(final.met, "yes", "no")
    frame["met_today"] = np.where(today.met, "yes", "no")
    return frame


def staff_hours_table(layout: Layout, result: SearchResult) -> pd.DataFrame:
    """Per staffed site: staffed counter-hours per week today and proposed, periods met."""
    rows = []
    for k in layout.sites:
        site = layout.scenario.sites[k].id
        idx = layout.site_periods(k)
        rows.append(
            {
                "site": site,
                "staff_hours_today": round(result.today.staff_hours.get(site, float("nan")), 2),
                "staff_hours_proposed": round(result.final.staff_hours.get(site, float("nan")), 2),
                "periods": len(idx),
                "periods_met": int(result.final.met[idx].sum()),
                "periods_met_today": int(result.today.met[idx].sum()),
            }
        )
    return pd.DataFrame(rows)
