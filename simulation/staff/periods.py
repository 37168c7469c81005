"""Staffing periods and the attribution of visitors to the period of their arrival.

A **period** is one granularity slot (e.g. 30 or 60 minutes on the clock) inside an open
window of one weekday: an office open ``mon-fri 10:00-16:00`` has, at granularity 60, six
periods on each of five weekdays. A mobile unit's stop has the slots of its hours on each of
its weekdays. A **variable** is one count the search sets: an office has one per period; a
mobile stop has one for all its periods (the schema staffs a stop with one ``counters``).

A visitor belongs to the period in which it **arrived** at the site, whatever happens later
(served in a later period, or in overtime after closing): the target of a period is what its
arrivals experience.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.scenario.hours import parse_opening_hours, parse_staffing
from simulation.scenario.outcomes import BALKED, OUTCOMES, RENEGED, SERVED
from simulation.scenario.schedules import unit_visits
from simulation.scenario.schema import WEEKDAYS, Mobile, Office, Scenario
from simulation.staff.targets import Target

ARRIVED = ("served", "reneged", "balked", "closed")
"""Outcomes of visitors who reached the site (the denominator of abandonment)."""


@dataclass(frozen=True)
class Period:
    """One period: a slot of one weekday at a site (or one of its stops)."""

    site: int
    stop: int  # index in the unit's schedule, -1 for an office
    weekday: int
    start: float  # minutes after midnight
    end: float
    variable: int
    days: int  # occurrences after the warm-up (for per-day figures)
    today: int  # the scenario's own count at the period's start

    @property
    def hours(self) -> float:
        """Length in hours."""
        return (self.end - self.start) / 60.0


@dataclass(frozen=True)
class Variable:
    """One count the search sets: an office's slot, or a mobile stop (all its periods)."""

    site: int
    stop: int
    weekday: int  # -1 for a stop or a constant count
    start: float
    periods: tuple[int, ...]
    today: int  # the scenario's own count at its first period (a stop: its counters or the unit's)


@dataclass(frozen=True)
class Layout:
    """Periods and variables of a staffing search, and lookup tables for attribution."""

    scenario: Scenario
    granularity: int
    periods: tuple[Period, ...]
    variables: tuple[Variable, ...]
    sites: tuple[int, ...]
    lookup: dict[tuple[int, int], np.ndarray]  # (site, stop) -> (7, 1440) period ids or -1
    occurrences: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]  # unit -> starts, ends, stop

    def site_periods(self, k: int) -> list[int]:
        """Indices of the periods of site ``k``."""
        return [i for i, p in enumerate(self.periods) if p.site == k]


def _slots(start: float, end: float, granularity: int) -> list[tuple[float, float]]:
    out = []
    t = start
    while t < end:
        nxt = min(end, (np.floor(t / granularity) + 1) * granularity)
        out.append((float(t), float(nxt)))
        t = nxt
    return out


def _counted_days(scenario: Scenario) -> np.ndarray:
    """Indices of the days after the warm-up."""
    cal = scenario.calendar
    return np.arange(cal.warmup_days, cal.days)


def _office_count(office: Office, weekday: int, start: float) -> int:
    """The scenario's own count at ``start`` on ``weekday``."""
    if office.staffing is None:
        return office.counters
    weekly = parse_opening_hours(office.opening_hours)
    for s, e, n in parse_staffing(office.staffing, weekly)[weekday]:
        if s <= start < e:
            return n
    return office.counters


def build_layout(
    scenario: Scenario,
    granularity: int,
    sites: tuple[int, ...] | None = None,
    constant: bool = False,
    same_days: bool = False,
) -> Layout:
    """The periods and variables of a search over ``scenario``'s sites.

    Parameters
    ----------
    scenario
        The scenario to staff.
    granularity
        Slot length in minutes (a divisor of 1440, e.g. 30 or 60).
    sites
        Indices of the sites to staff (default: all).
    constant
        One count per site (the best constant staffing) instead of one per period; a mobile
        unit's stops then share one count.
    same_days
        One count per slot for all the weekdays an office opens with the same windows (the
        least count that meets the targets on each of them), instead of one per weekday.
    """
    cal = scenario.calendar
    first = cal.first_weekday
    counted = _counted_days(scenario)
    weekday_days = np.bincount((first + counted) % 7, minlength=7)
    chosen = tuple(range(len(scenario.sites))) if sites is None else tuple(sites)
    periods: list[Period] = []
    variables: list[Variable] = []
    lookup: dict[tuple[int, int], np.ndarray] = {}
    occurrences: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def add_variable(k: int, stop: int, weekday: int, start: float, today: int) -> int:
        variables.append(Variable(k, stop, weekday, start, (), today))
        return len(variables) - 1

    for k in chosen:
        site = scenario.sites[k]
        site_variable = add_variable(k, -1, -1, 0.0, site.counters) if constant else -1
        if isinstance(site, Office):
            weekly = parse_opening_hours(site.opening_hours)
            table = np.full((7, 1440), -1, dtype=np.int64)
            shared: dict[tuple[object, float], int] = {}
            for d in range(7):
                if weekday_days[d] == 0:
                    continue
                windows = ((0.0, 1440.0),) if weekly is None else weekly[d]
                for ws, we in windows:
                    for s, e in _slots(ws, min(we, 1440.0), granularity):
                        today = _office_count(site, d, s)
                        key = (tuple(windows) if same_days else d, s)
                        v = site_variable if site_variable >= 0 else shared.get(key, -1)
                        if v < 0:
                            v = shared[key] = add_variable(k, -1, d, s, today)
                        table[d, int(s) : int(np.ceil(e))] = len(periods)
                        periods.append(Period(k, -1, d, s, e, v, int(weekday_days[d]), today))
            lookup[(k, -1)] = table
        else:
            assert isinstance(site, Mobile)
            visits = unit_visits(site, cal, cal.days)
            occurrences[k] = (
                np.array([v.start for v in visits], dtype=float),
                np.array([v.end for v in visits], dtype=float),
                np.array([v.stop for v in visits], dtype=np.int64),
            )
            for j, stop in enumerate(site.schedule):
                table = np.full((7, 1440), -1, dtype=np.int64)
                days = [
                    int(v.start // 1440)
                    for v in visits
                    if v.stop == j and v.start >= cal.warmup_min and v.start < cal.horizon_min
                ]
                per_weekday = np.bincount([(first + d) % 7 for d in days], minlength=7)
                stop_windows = sorted(
                    {
                        (v.start % 1440, v.start % 1440 + v.end - v.start)
                        for v in visits
                        if v.stop == j
                    }
                )
                v_stop = site_variable
                for d in range(7):
                    if per_weekday[d] == 0:
                        continue
                    today = stop.counters or site.counters
                    if v_stop < 0:
                        v_stop = add_variable(k, j, -1, 0.0, today)
                    for ws, we in stop_windows:
                        for s, e in _slots(ws, min(we, 1440.0), granularity):
                            table[d, int(s) : int(np.ceil(e))] = len(periods)
                            periods.append(
                                Period(k, j, d, s, e, v_stop, int(per_weekday[d]), today)
                            )
                lookup[(k, j)] = table
    members: list[list[int]] = [[] for _ in variables]
    for i, p in enumerate(periods):
        members[p.variable].append(i)
    variables = [
        Variable(v.site, v.stop, v.weekday, v.start, tuple(m), v.today)
        for v, m in zip(variables, members, strict=True)
    ]
    return Layout(
        scenario,
        granularity,
        tuple(periods),
        tuple(variables),
        chosen,
        lookup,
        occurrences,
    )


def attribute(layout: Layout, visits: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The period of arrival of each counted visitor who reached a staffed site.

    Returns
    -------
    tuple of numpy.ndarray
        Row positions in ``visits`` and their period indices (visitors outside every period
        of the layout are left out).
    """
    scenario = layout.scenario
    first = scenario.calendar.first_weekday
    outcome = visits["outcome"].cat.codes.to_numpy()
    arrived_codes = [OUTCOMES.index(o) for o in ARRIVED]
    site_codes = visits["site"].cat.codes.to_numpy()
    t = visits["arrival_min"].to_numpy(dtype=float)
    keep = visits["counted"].to_numpy() & np.isin(outcome, arrived_codes) & np.isfinite(t)
    rows_out: list[np.ndarray] = []
    periods_out: list[np.ndarray] = []
    for k in layout.sites:
        rows = np.flatnonzero(keep & (site_codes == k))
        if len(rows) == 0:
            continue
        tk = t[rows]
        day = np.floor(tk / 1440.0)
        weekday = ((first + day) % 7).astype(np.int64)
        minute = np.minimum((tk - 1440.0 * day).astype(np.int64), 1439)
        if k in layout.occurrences:
            starts, ends, stops = layout.occurrences[k]
            idx = np.searchsorted(starts, tk, side="right") - 1
            inside = (idx >= 0) & (tk < ends[np.maximum(idx, 0)])
            stop = np.where(inside, stops[np.maximum(idx, 0)], -2)
            period = np.full(len(rows), -1, dtype=np.int64)
            for j in np.unique(stop[stop >= 0]).tolist():
                table = layout.lookup.get((k, j))
                if table is None:
                    continue
                sel = stop == j
                period[sel] = table[weekday[sel], minute[sel]]
        else:
            period = layout.lookup[(k, -1)][weekday, minute]
        ok = period >= 0
        rows_out.append(rows[ok])
        periods_out.append(period[ok])
    if not rows_out:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(rows_out), np.concatenate(periods_out)


STATISTICS = ("arrivals", "served", "abandoned", "wait_sum")


def period_counts(
    layout: Layout, visits: pd.DataFrame, targets: tuple[Target, ...]
) -> dict[str, np.ndarray]:
    """Per period, the counts of one replication that the targets are judged on.

    Returns
    -------
    dict of str to numpy.ndarray
        ``arrivals``, ``served``, ``abandoned`` (reneged + balked), ``wait_sum`` (minutes,
        served visitors), ``service_sum`` (minutes, served) and ``late:<t>`` (served visitors
        who waited more than ``t`` minutes) for every threshold ``t`` of a ``wait_pQ`` target;
        each an array over the layout's periods.
    """
    n = len(layout.periods)
    rows, period = attribute(layout, visits)
    outcome = visits["outcome"].cat.codes.to_numpy()[rows]
    wait = visits["wait_min"].to_numpy(dtype=float)[rows]
    service = visits["service_min"].to_numpy(dtype=float)[rows]
    served = outcome == SERVED
    abandoned = (outcome == RENEGED) | (outcome == BALKED)
    out = {
        "arrivals": np.bincount(period, minlength=n).astype(float),
        "served": np.bincount(period[served], minlength=n).astype(float),
        "abandoned": np.bincount(period[abandoned], minlength=n).astype(float),
        "wait_sum": np.bincount(period[served], weights=wait[served], minlength=n),
        "service_sum": np.bincount(period[served], weights=service[served], minlength=n),
    }
    for target in targets:
        if target.quantile is not None:
            late = served & (wait > target.limit)
            out[f"late:{target.limit:g}"] = np.bincount(period[late], minlength=n).astype(float)
    return out


def weekday_name(d: int) -> str:
    """``mon`` .. ``sun``."""
    return WEEKDAYS[d]


def show_minute(m: float) -> str:
    """``HH:MM`` of a minute after midnight."""
    return f"{int(m) // 60:02d}:{int(m) % 60:02d}"
