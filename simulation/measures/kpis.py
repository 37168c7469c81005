"""Key performance indicators per replication, overall and per group, area and site.

Need-based KPIs count needs that arose after the warm-up (``counted``). Waiting-time KPIs
are over served visitors. Unserved demand is annualised per 1,000 residents. Site KPIs are
time-weighted over the period after the warm-up: utilisation is busy counter-minutes inside
open windows over open counter-minutes; overtime is busy counter-minutes outside them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.engine.network import Network
from simulation.measures.intervals import t_half_width
from simulation.measures.occupancy import intervals, over_windows
from simulation.measures.returns_kpis import (
    attempt_kpis,
    first_need_min,
    has_attempts,
    last_attempt,
    return_visits,
)
from simulation.scenario.outcomes import OUTCOMES, UNSERVED

SERVED_CODE = OUTCOMES.index("served")
PENDING_CODE = OUTCOMES.index("pending")


def _need_kpis(
    outcome: np.ndarray,
    wait: np.ndarray,
    travel: np.ndarray,
    deferral: np.ndarray,
    population: float | None,
    years: float,
) -> dict[str, float]:
    counts = np.bincount(outcome, minlength=len(OUTCOMES))
    served = counts[SERVED_CODE]
    unserved = int(sum(counts[OUTCOMES.index(r)] for r in UNSERVED))
    decided = len(outcome) - counts[PENDING_CODE]
    w = wait[outcome == SERVED_CODE]
    out: dict[str, float] = {
        "needs": float(len(outcome)),
        "served": float(served),
        "pending": float(counts[PENDING_CODE]),
        "unserved": float(unserved),
    }
    for reason in UNSERVED:
        out[f"unserved_{reason}"] = float(counts[OUTCOMES.index(reason)])
    out["served_share"] = served / decided if decided else np.nan
    if population is not None:
        out["unserved_per_1000_yr"] = (
            unserved / population * 1000 / years if population > 0 and years > 0 else np.nan
        )
        out["unserved_needs_per_yr"] = unserved / years if years > 0 else np.nan
        out["served_per_yr"] = served / years if years > 0 else np.nan
    has = len(w) > 0
    out["wait_mean"] = float(w.mean()) if has else np.nan
    out["wait_median"] = float(np.median(w)) if has else np.nan
    out["wait_p90"] = float(np.quantile(w, 0.9)) if has else np.nan
    out["wait_p95"] = float(np.quantile(w, 0.95)) if has else np.nan
    out["wait_max"] = float(w.max()) if has else np.nan
    out["within_15"] = float((w <= 15).mean()) if has else np.nan
    out["within_30"] = float((w <= 30).mean()) if has else np.nan
    t = travel[outcome == SERVED_CODE]
    out["travel_mean"] = float(t.mean()) if has else np.nan
    d = deferral[outcome == SERVED_CODE]
    out["deferral_mean"] = float(d.mean()) if has else np.nan
    return out


def _with_population(
    base: dict[str, float], population: float | None, years: float
) -> dict[str, float]:
    """:func:`_need_kpis` with ``population`` from its result without one (same order, values)."""
    if population is None:
        return dict(base)
    out: dict[str, float] = {}
    for key, value in base.items():
        out[key] = value
        if key == "served_share":
            unserved, served = int(base["unserved"]), base["served"]
            out["unserved_per_1000_yr"] = (
                unserved / population * 1000 / years if population > 0 and years > 0 else np.nan
            )
            out["unserved_needs_per_yr"] = unserved / years if years > 0 else np.nan
            out["served_per_yr"] = served / years if years > 0 else np.nan
    return out


def _groups(codes: np.ndarray, n_groups: int) -> list[np.ndarray]:
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(n_groups + 1))
    return [order[bounds[g] : bounds[g + 1]] for g in range(n_groups)]


def replication_kpis(network: Network, visits: pd.DataFrame, replication: int) -> pd.DataFrame:
    """KPIs of one replication as a long table.

    Returns
    -------
    pandas.DataFrame
        Columns ``replication, scope, id, kpi, value``; ``scope`` is ``overall``, ``group``
        (``vulnerable`` / ``other``), ``area``, ``site`` or ``stop`` (a mobile unit's place).
    """
    scenario = network.scenario
    cal = scenario.calendar
    years = (cal.days - cal.warmup_days) / 365.0
    counted = visits["counted"].to_numpy()
    # without a warm-up every row counts: no copy of the table (a national one is ~600 MiB)
    v = visits if counted.all() else visits[counted]
    outcome = v["outcome"].cat.codes.to_numpy().astype(np.int64)
    wait = v["wait_min"].to_numpy()
    travel = v["travel_min"].to_numpy()
    deferral = v["deferral_days"].to_numpy()
    area = v["area"].cat.codes.to_numpy()
    site = v["site"].cat.codes.to_numpy()
    rows: list[tuple[str, str, str, float]] = []

    def add(scope: str, ident: str, values: dict[str, float]) -> None:
        rows.extend((scope, ident, k, float(x)) for k, x in values.items())

    # scopes with the same rows (one area, one site: overall = group = area = site) share
    # their waiting-time statistics, the costly part (sorts of every wait)
    computed: dict[bytes, dict[str, float]] = {}

    def need(idx: np.ndarray, population: float | None) -> dict[str, float]:
        key = idx.tobytes()
        base = computed.get(key)
        if base is None:
            base = _need_kpis(outcome[idx], wait[idx], travel[idx], deferral[idx], None, years)
            computed[key] = base
        return _with_population(base, population, years)

    kinds = np.array([getattr(x, "kind", "office") == "mobile" for x in scenario.sites] + [False])
    # with returns, overall/group/area judge each need by its last attempt (returns_kpis)
    per_need = _PerNeed(v) if has_attempts(v) else None
    n_outcome = outcome if per_need is None else per_need.outcome
    n_site = site if per_need is None else per_need.site
    n_area = area if per_need is None else per_need.area
    mobile_served = kinds[n_site] & (n_outcome == SERVED_CODE)

    def need_scope(idx: np.ndarray, population: float | None) -> dict[str, float]:
        if per_need is None:
            return need(idx, population)
        return per_need.kpis(idx, population, years)

    def split(idx: np.ndarray) -> dict[str, float]:
        served = float((n_outcome[idx] == SERVED_CODE).sum())
        by_mobile = float(mobile_served[idx].sum())
        return {
            "served_mobile": by_mobile,
            "served_fixed": served - by_mobile,
            "mobile_share": by_mobile / served if served else np.nan,
        }

    everyone = np.arange(len(n_outcome))
    add(
        "overall",
        "all",
        {
            **need_scope(everyone, float(sum(a.population for a in scenario.areas))),
            **split(everyone),
        },
    )
    vulnerable = np.array([a.vulnerable for a in scenario.areas], dtype=bool)
    for label, flag in (("vulnerable", True), ("other", False)):
        members = np.flatnonzero(vulnerable == flag)
        if len(members):
            idx = np.flatnonzero(np.isin(n_area, members))
            population = float(sum(scenario.areas[m].population for m in members))
            add("group", label, {**need_scope(idx, population), **split(idx)})
    for a, idx in enumerate(_groups(n_area, len(scenario.areas))):
        add(
            "area",
            scenario.areas[a].id,
            {**need_scope(idx, float(scenario.areas[a].population)), **split(idx)},
        )

    weeks = (cal.days - cal.warmup_days) / 7.0
    spans = intervals(visits, network.horizon)
    codes, begin, end = spans["busy"]
    busy_place = visits["place"].cat.codes.to_numpy()[~np.isnan(visits["start_min"].to_numpy())]
    staff_hours = 0.0
    for k, idx in enumerate(
        _groups(np.where(site < 0, len(scenario.sites), site), len(scenario.sites))
    ):
        mine = codes == k
        values = {
            **need(idx, None),
            **_time_kpis(
                begin[mine],
                end[mine],
                network.site_starts[k],
                network.site_ends[k],
                scenario.sites[k].counters,
                cal.warmup_min,
                weeks,
                network.staffing(k),
            ),
        }
        staff_hours += values["staff_hours_per_week"]
        if per_need is not None:
            values["return_visits"] = return_visits(per_need.attempts[idx], site[idx])
        add("site", scenario.sites[k].id, values)
    place_codes = v["place"].cat.codes.to_numpy()
    for p, idx in enumerate(
        _groups(np.where(place_codes < 0, len(network.places), place_codes), len(network.places))
    ):
        place = network.places[p]
        if not kinds[place.site]:
            continue
        mine = busy_place == p
        starts, ends = network.place_windows(p)
        values = {
            **need(idx, None),
            **_time_kpis(
                begin[mine],
                end[mine],
                starts,
                ends,
                scenario.sites[place.site].counters,
                cal.warmup_min,
                weeks,
                _within(network.staffing(place.site), starts, ends),
            ),
        }
        if per_need is not None:
            values["return_visits"] = return_visits(per_need.attempts[idx], site[idx])
        add("stop", place.id, values)
    rows.append(("overall", "all", "staff_hours_per_week", staff_hours))
    out = pd.DataFrame(rows, columns=["scope", "id", "kpi", "value"])
    out.insert(0, "replication", np.int32(replication))
    return out


class _PerNeed:
    """Counted attempts reduced to one row per need (its last attempt), for need scopes."""

    def __init__(self, v: pd.DataFrame) -> None:
        self.attempts = v["attempt"].to_numpy()  # of every counted attempt (site scopes)
        final = last_attempt(v)

        def last(column: str) -> np.ndarray:  # one column's final rows (not the whole table)
            series = v[column]
            if isinstance(series.dtype, pd.CategoricalDtype):
                return series.cat.codes.to_numpy()[final]
            return series.to_numpy()[final]

        self.outcome = last("outcome").astype(np.int64)
        self.site = last("site")
        self.area = last("area")
        self.wait = last("wait_min")
        self.travel = last("travel_min")
        self.deferral = last("deferral_days")
        self.attempt = last("attempt")
        self.days = (last("start_min") - first_need_min(v)[final]) / 1440.0
        # return visits per area, counted once: a scope's figure is the sum over its areas
        # (an exact integer count, the same as selecting its areas' rows)
        row_area = v["area"].cat.codes.to_numpy()
        returned = (self.attempts > 1) & (v["site"].cat.codes.to_numpy() >= 0)
        self.returns_by_area = np.bincount(
            row_area[returned], minlength=int(row_area.max()) + 1 if len(row_area) else 0
        )

    def kpis(self, idx: np.ndarray, population: float | None, years: float) -> dict[str, float]:
        """Need KPIs by final outcome, and the return KPIs, of the needs ``idx``."""
        out = _need_kpis(
            self.outcome[idx],
            self.wait[idx],
            self.travel[idx],
            self.deferral[idx],
            population,
            years,
        )
        out.update(attempt_kpis(self.attempt[idx], self.outcome[idx], self.days[idx]))
        areas = np.unique(self.area[idx])
        out["return_visits"] = float(self.returns_by_area[areas].sum())
        return out


def _within(
    staffing: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    starts: np.ndarray,
    ends: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The staffed periods that begin inside the windows ``[starts, ends)`` (a unit's stop)."""
    if staffing is None:
        return None
    if len(starts) == 0:
        inside = np.zeros(len(staffing[0]), dtype=bool)
    else:
        j = np.searchsorted(starts, staffing[0], side="right") - 1
        inside = (j >= 0) & (staffing[0] < ends[np.maximum(j, 0)])
    return staffing[0][inside], staffing[1][inside], staffing[2][inside]


def _time_kpis(
    begin: np.ndarray,
    end: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    counters: int,
    warmup: float,
    weeks: float,
    staffing: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> dict[str, float]:
    """Utilisation, overtime and staffed hours from busy intervals and open windows.

    With ``staffing`` (staffed periods and their counts) the open counter-minutes are the
    staffed ones; without, every open minute has ``counters``.
    """
    starts = np.maximum(starts, warmup)
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    b = np.maximum(begin, warmup)
    ok = end > b
    b, e = b[ok], end[ok]
    if staffing is None:
        open_min = float((ends - starts).sum()) * counters
    else:
        s_begin = np.maximum(staffing[0], warmup)
        s_len = np.maximum(staffing[1] - s_begin, 0.0)
        open_min = float((s_len * staffing[2]).sum())
    busy_open = over_windows(b, e, starts, ends)
    busy_all = float((e - b).sum())
    return {
        "open_counter_min": open_min,
        "busy_counter_min": busy_all,
        "utilisation": busy_open / open_min if open_min > 0 else np.nan,
        "overtime_min": max(0.0, round(busy_all - busy_open, 6)),
        "staff_hours_per_week": open_min / 60.0 / weeks if weeks > 0 else np.nan,
    }


def summarise(kpis: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean, standard deviation and t confidence interval of each KPI across replications.

    Parameters
    ----------
    kpis
        Long table from :func:`replication_kpis`, several replications stacked.
    level
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        ``scope, id, kpi, n, mean, std, ci_low, ci_high`` (NaN replications are left out;
        with fewer than two values the interval is NaN).
    """
    g = kpis.dropna(subset=["value"]).groupby(["scope", "id", "kpi"], sort=False)["value"]
    out = g.agg(n="count", mean="mean", std="std").reset_index()
    half = t_half_width(out["std"].to_numpy(), out["n"].to_numpy(), level)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out


def stack_runs(
    frames: list[pd.DataFrame], labels: dict[str, list[object]], first: list[str]
) -> pd.DataFrame:
    """The KPI tables of several runs as one long table with label columns.

    One concatenation and one column per label, rather than a labelled copy of every frame
    (a sweep stacks hundreds of 200-row tables).

    Parameters
    ----------
    frames
        Each run's KPI table (:func:`replication_kpis`), in the order of ``labels``' values.
    labels
        Column name -> one value per frame (``design``, ``level``, ``world``), repeated over
        that frame's rows; a column of that name already in a frame is overwritten.
    first
        The columns of the result, in order.

    Returns
    -------
    pandas.DataFrame
        The stacked table with a fresh index.
    """
    long = pd.concat(frames, ignore_index=True)
    lengths = [len(f) for f in frames]
    for name, values in labels.items():
        long[name] = np.repeat(np.asarray(values), lengths)
    return long[first]
