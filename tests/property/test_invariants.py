"""Invariants of the model, checked on random valid scenarios (see ``tests/strategies.py``).

Each test states one property that must hold for *every* scenario and seed. The checks are
computed independently from the visit table (and, where needed, from the visitors' drawn
inputs, re-drawn from their named streams with ``draw_visitors``), not from the model's
own bookkeeping. ``docs/testing.md`` lists every invariant with the test that checks it.

Times come from SimPy's clock, which adds differences (``now + (t - now)``), so a time
recorded by the engine may differ from the visitor's pre-computed arrival by a rounding
error. Comparisons therefore allow ``EPS`` minutes; every deliberate fault we inject
(``docs/testing.md``, mutation table) is worth far more than that.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, note, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

import simulation
from simulation.experiment import run_replication
from simulation.invariants import check_site
from simulation.loading import load_scenario
from simulation.model import Engine, SiteSpec, Visits, as_arrays
from simulation.network import Network, compile_network
from simulation.outcomes import OUTCOMES, UNSERVED
from simulation.replication import draw_visitors, site_spec
from simulation.schema import Mobile
from simulation.streams import Streams
from tests.strategies import engine_cases, fifo_scenarios, other_sites, scenarios

EPS = 1e-7

PROPERTY = settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)


def fewer(share: float) -> settings:
    """The profile's settings with ``share`` of its examples (at least 10), for heavy tests."""
    return settings(PROPERTY, max_examples=max(10, int(settings.default.max_examples * share)))


# ---------------------------------------------------------------------------------------------
# running and slicing


@dataclass
class Run:
    """The tables of a run, its compiled network and the root seed."""

    network: Network
    seed: int
    replications: int
    visits: pd.DataFrame
    site_hours: pd.DataFrame
    kpis: pd.DataFrame

    @property
    def horizon(self) -> float:
        return self.network.horizon

    def by_replication(self) -> Iterator[tuple[int, pd.DataFrame]]:
        for r in range(self.replications):
            v = self.visits
            yield r, v[v["replication"] == r].reset_index(drop=True)

    def inputs(self, r: int):
        """The visitors' drawn inputs of replication ``r``, re-drawn from their streams."""
        return draw_visitors(self.network, Streams(self.seed, r))

    def kpi(self, r: int) -> dict[tuple[str, str, str], float]:
        k = self.kpis[self.kpis["replication"] == r]
        return {(s, i, n): float(x) for s, i, n, x in zip(k["scope"], k["id"], k["kpi"], k["value"],
                                                          strict=True)}


def run(doc, replications: int = 1) -> Run:
    """Run like ``simulation.run`` (same per-replication pipeline) without the summary table."""
    scenario = load_scenario(doc)
    network = compile_network(scenario)
    tables = [run_replication(network, r, scenario.seed) for r in range(replications)]
    visits = pd.concat([t.visits for t in tables], ignore_index=True)
    if currently_in_test_context():
        note(f"visits: {len(visits)}")
    return Run(network, scenario.seed, replications, visits,
               pd.concat([t.site_hours for t in tables], ignore_index=True),
               pd.concat([t.kpis for t in tables], ignore_index=True))


@dataclass
class SiteRun:
    """Records of one site in one replication, as plain arrays (scenario or bare engine)."""

    label: str
    counters: int
    limit: int | None
    turn_away: bool
    starts: np.ndarray  # open windows within the horizon
    ends: np.ndarray
    horizon: float
    visitor: np.ndarray  # order of visitors with equal arrival times
    arrival: np.ndarray
    start: np.ndarray
    end: np.ndarray
    leave: np.ndarray
    outcome: np.ndarray  # outcome names
    qoa: np.ndarray
    service: np.ndarray  # drawn service times
    patience: np.ndarray  # drawn patience (inf for none)

    @property
    def arrived(self) -> np.ndarray:
        return self.arrival < self.horizon

    @property
    def started(self) -> np.ndarray:
        return ~np.isnan(self.start)

    @property
    def joined(self) -> np.ndarray:
        """Arrived and queued (or went straight to a counter): everyone but balkers."""
        return self.arrived & (self.outcome != "balked")

    def wait_end(self) -> np.ndarray:
        """End of waiting: service start, else leaving, else the horizon."""
        return np.where(self.started, self.start, np.where(np.isnan(self.leave), self.horizon, self.leave))

    def busy(self) -> tuple[np.ndarray, np.ndarray]:
        s = self.started
        return self.start[s], np.where(np.isnan(self.end[s]), self.horizon, self.end[s])

    def waiting(self) -> tuple[np.ndarray, np.ndarray]:
        j = self.joined
        return self.arrival[j], np.minimum(self.wait_end()[j], self.horizon)


def site_runs(r: Run) -> Iterator[tuple[int, int, SiteRun, pd.DataFrame]]:
    """Every (replication, site) of a run, with the site's rows of the visit table."""
    for rep, v in r.by_replication():
        inputs = r.inputs(rep)
        np.testing.assert_array_equal(v["need_min"].to_numpy(), inputs.need)
        codes = v["site"].cat.codes.to_numpy()
        for k, site in enumerate(r.network.scenario.sites):
            rows = np.flatnonzero(codes == k)
            spec = site_spec(r.network, k)
            sv = v.iloc[rows]
            yield rep, k, SiteRun(
                label=f"replication {rep} site {site.id}",
                counters=spec.counters, limit=spec.limit, turn_away=spec.turn_away,
                starts=np.asarray(spec.starts, dtype=float), ends=np.asarray(spec.ends, dtype=float),
                horizon=r.horizon, visitor=sv["visitor"].to_numpy(),
                arrival=sv["arrival_min"].to_numpy(), start=sv["start_min"].to_numpy(),
                end=sv["end_min"].to_numpy(), leave=sv["leave_min"].to_numpy(),
                outcome=sv["outcome"].astype(str).to_numpy(),
                qoa=sv["queue_on_arrival"].to_numpy(),
                service=inputs.service[rows], patience=inputs.patience[rows],
            ), sv


# ---------------------------------------------------------------------------------------------
# interval arithmetic


def count_at(t: np.ndarray, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    """How many intervals ``[begin, end)`` contain each time ``t`` (ends shrunk by EPS)."""
    b = np.sort(begin)
    e = np.sort(end)
    return np.searchsorted(b, t + EPS, side="right") - np.searchsorted(e, t + EPS, side="right")


def busy_at(t: np.ndarray, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Counters that may be busy at each instant ``t``: services with begin <= t <= end.

    Closed on the right because events at the same instant may run in either order: an
    arrival at the very moment a service ends (or a zero-length service) may still find
    that counter taken.
    """
    b = np.sort(begin)
    e = np.sort(end)
    return np.searchsorted(b, t + EPS, side="right") - np.searchsorted(e, t - EPS, side="left")


def max_overlap(begin: np.ndarray, end: np.ndarray) -> tuple[int, float]:
    """Largest number of intervals ``[begin, end)`` open at one instant, and that instant.

    An event sweep: the count can only rise at a ``begin``, so it suffices to evaluate it
    at every ``begin``. Intervals shorter than EPS (immediate service) are empty.
    """
    keep = end - begin > EPS
    begin, end = begin[keep], end[keep]
    if len(begin) == 0:
        return 0, float("nan")
    counts = np.searchsorted(np.sort(begin), begin, side="right") - np.searchsorted(
        np.sort(end), begin + EPS, side="right")
    i = int(np.argmax(counts))
    return int(counts[i]), float(begin[i])


def in_windows(t: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Whether each time lies in one of the sorted windows ``[starts, ends)``."""
    w = np.searchsorted(starts, t, side="right") - 1
    ok = w >= 0
    wc = np.maximum(w, 0)
    return ok & (t < ends[wc]) if len(starts) else np.zeros(len(t), dtype=bool)


def outside_minutes(begin: np.ndarray, end: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> float:
    """Total length of the intervals outside the windows, by explicit overlap (n x windows)."""
    if len(begin) == 0:
        return 0.0
    inside = np.clip(np.minimum(end[:, None], ends[None, :]) - np.maximum(begin[:, None], starts[None, :]),
                     0.0, None).sum(axis=1)
    return float((end - begin - inside).sum())


# ---------------------------------------------------------------------------------------------
# checks on one site's records (used for scenarios and for the bare engine)


def check_records(s: SiteRun) -> None:
    """Outcomes and time columns are consistent; need <= arrival <= start <= end."""
    arrived, started = s.arrived, s.started
    late = ~arrived
    assert (s.outcome[late] == "pending").all(), f"{s.label}: arrival after the horizon not pending"
    assert np.isnan(s.start[late]).all() and np.isnan(s.leave[late]).all() and np.isnan(s.qoa[late]).all()
    assert (~np.isnan(s.qoa[arrived])).all(), f"{s.label}: an arrival has no queue_on_arrival"
    assert (s.qoa[arrived] >= 0).all()
    assert set(s.outcome) <= set(OUTCOMES) - {"no_option", "declined"}
    assert (s.start[started] >= s.arrival[started] - EPS).all(), f"{s.label}: service before arrival"
    assert (s.start[started] < s.horizon).all()
    assert np.isin(s.outcome[started], ["served", "pending"]).all()
    assert np.isnan(s.leave[started]).all(), f"{s.label}: a started visitor also left the queue"
    served = s.outcome == "served"
    assert started[served].all() and (~np.isnan(s.end[served])).all()
    np.testing.assert_allclose(s.end[served], s.start[served] + s.service[served], rtol=1e-12, atol=EPS,
                               err_msg=f"{s.label}: end != start + drawn service")
    assert (s.end[served] <= s.horizon + EPS).all()
    in_service = started & (s.outcome == "pending")
    assert np.isnan(s.end[in_service]).all()
    assert (s.start[in_service] + s.service[in_service] >= s.horizon - EPS).all(), \
        f"{s.label}: pending visitor whose service should have ended"
    left = np.isin(s.outcome, ["balked", "reneged", "closed"])
    assert (~started[left]).all() and (~np.isnan(s.leave[left])).all()
    assert (s.leave[left] >= s.arrival[left] - EPS).all() and (s.leave[left] <= s.horizon + EPS).all()
    balked = s.outcome == "balked"
    np.testing.assert_array_equal(s.leave[balked], s.arrival[balked])
    waiting = arrived & ~started & (s.outcome == "pending")
    assert np.isnan(s.leave[waiting]).all()


def check_capacity(s: SiteRun) -> None:
    """Never more people at counters than counters."""
    most, when = max_overlap(*s.busy())
    assert most <= s.counters, f"{s.label}: {most} in service at t={when}, {s.counters} counters"


def check_queue_limit(s: SiteRun) -> None:
    """Never more people waiting than min(queue capacity, balking length)."""
    if s.limit is None:
        return
    most, when = max_overlap(*s.waiting())
    assert most <= s.limit, f"{s.label}: {most} waiting at t={when}, limit {s.limit}"


def check_fifo(s: SiteRun) -> None:
    """Service starts follow arrival order; nobody behind a waiting visitor starts first."""
    order = np.lexsort((s.visitor, s.arrival))
    started = order[s.started[order]]
    starts = s.start[started]
    bad = np.flatnonzero(np.diff(starts) < -EPS)
    assert len(bad) == 0, (f"{s.label}: visitor {s.visitor[started[bad[0] + 1]]} started at "
                           f"{starts[bad[0] + 1]} before visitor {s.visitor[started[bad[0]]]} "
                           f"(started {starts[bad[0]]}) who arrived earlier")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    gave_up = np.flatnonzero(np.isin(s.outcome, ["reneged", "closed"]))
    for i in gave_up:
        later = s.started & (rank > rank[i])
        assert (s.start[later] >= s.leave[i] - EPS).all(), \
            f"{s.label}: someone behind visitor {s.visitor[i]} started before it left at {s.leave[i]}"


def check_patience(s: SiteRun) -> None:
    """Reneged visitors waited exactly their patience; nobody else waited longer than it."""
    started = s.started
    assert (s.start[started] - s.arrival[started] <= s.patience[started] + EPS).all(), \
        f"{s.label}: a visitor was served after its patience ran out"
    reneged = s.outcome == "reneged"
    np.testing.assert_allclose(s.leave[reneged] - s.arrival[reneged], s.patience[reneged],
                               rtol=1e-9, atol=EPS, err_msg=f"{s.label}: reneged at the wrong time")
    closed = s.outcome == "closed"
    assert (s.leave[closed] - s.arrival[closed] <= s.patience[closed] + EPS).all()
    waiting = s.arrived & ~started & (s.outcome == "pending")
    assert (s.arrival[waiting] + s.patience[waiting] >= s.horizon - EPS).all(), \
        f"{s.label}: a visitor still waiting at the horizon had run out of patience"


def check_balking(s: SiteRun) -> None:
    """Balk only when every counter is busy and ``limit`` people are waiting; else join."""
    balked = np.flatnonzero(s.outcome == "balked")
    if s.limit is None:
        assert len(balked) == 0, f"{s.label}: balking without a limit"
        return
    busy_b, busy_e = s.busy()
    wb, we = s.waiting()
    for i in balked:
        t = s.arrival[i]
        assert s.qoa[i] >= s.limit, f"{s.label}: visitor {s.visitor[i]} balked at queue {s.qoa[i]} < {s.limit}"
        assert busy_at(np.array([t]), busy_b, busy_e)[0] >= s.counters, \
            f"{s.label}: visitor {s.visitor[i]} balked at t={t} while a counter was free"
        around = int(((wb <= t + EPS) & (we >= t - EPS)).sum())
        assert around >= s.limit, f"{s.label}: visitor {s.visitor[i]} balked with {around} waiting"
    joined = s.joined & (s.qoa >= s.limit)
    assert (np.abs(s.start[joined] - s.arrival[joined]) <= EPS).all(), \
        f"{s.label}: a visitor joined a full queue"


def check_queue_on_arrival(s: SiteRun) -> None:
    """``queue_on_arrival`` is the number of people waiting when the visitor arrived.

    Bounds: at least everyone ahead still waiting just after the arrival, at most everyone
    ahead whose waiting covers the arrival instant (ties at that instant may go either way).
    """
    idx = np.flatnonzero(s.arrived)
    if len(idx) == 0:
        return
    j = np.flatnonzero(s.joined)
    a_j, e_j = s.arrival[j], np.minimum(s.wait_end()[j], s.horizon)
    for chunk in np.array_split(idx, max(1, len(idx) // 500)):
        t = s.arrival[chunk][:, None]
        ahead = (a_j[None, :] < t) | ((a_j[None, :] == t) & (s.visitor[j][None, :] < s.visitor[chunk][:, None]))
        lower = (ahead & (e_j[None, :] > t + EPS)).sum(axis=1)
        upper = (ahead & (e_j[None, :] >= t - EPS)).sum(axis=1)
        q = s.qoa[chunk]
        bad = np.flatnonzero((q < lower) | (q > upper))
        assert len(bad) == 0, (
            f"{s.label}: visitor {s.visitor[chunk][bad[0]]} arriving at {float(t[bad[0], 0])} recorded "
            f"queue_on_arrival {q[bad[0]]}, but between {lower[bad[0]]} and {upper[bad[0]]} were waiting")


def check_work_conserving(s: SiteRun) -> None:
    """Nobody waits while a counter is free; a delayed start happens when a counter frees."""
    busy_b, busy_e = s.busy()
    waited = s.joined & (s.wait_end() - s.arrival > EPS) | (s.outcome == "balked")
    idx = np.flatnonzero(waited)
    busy = busy_at(s.arrival[idx], busy_b, busy_e)
    bad = np.flatnonzero(busy < s.counters)
    assert len(bad) == 0, (f"{s.label}: visitor {s.visitor[idx[bad[0]]]} had to wait at "
                           f"t={s.arrival[idx[bad[0]]]} with {busy[bad[0]]} of {s.counters} counters busy")
    delayed = np.flatnonzero(s.started & (s.start - s.arrival > EPS))
    ends = np.sort(busy_e)
    for i in delayed:
        k = np.searchsorted(ends, s.start[i] - EPS)
        assert k < len(ends) and ends[k] <= s.start[i] + EPS, \
            f"{s.label}: visitor {s.visitor[i]} started at {s.start[i]} though no counter freed then"


def check_windows(s: SiteRun) -> None:
    """Closing rules: ``turn_away`` serves only inside windows and empties the queue at
    closing; under ``serve_queue`` a start outside the windows is overtime for someone who
    arrived before the last closing."""
    arrived = s.arrived
    assert in_windows(s.arrival[arrived], s.starts, s.ends).all(), f"{s.label}: arrival while closed"
    started = s.started
    inside = in_windows(s.start, s.starts, s.ends)
    if s.turn_away:
        assert inside[started].all(), f"{s.label}: turn_away site started a service while closed"
        w = np.searchsorted(s.starts, s.arrival[arrived], side="right") - 1
        close = s.ends[w]
        wait_end = s.wait_end()[arrived]
        assert (wait_end <= close + EPS).all(), f"{s.label}: someone waited across a closing"
        closed = s.outcome[arrived] == "closed"
        np.testing.assert_allclose(s.leave[arrived][closed], close[closed], atol=EPS)
    else:
        assert (s.outcome != "closed").all()
        late = np.flatnonzero(started & ~inside)
        for i in late:
            before = s.ends[s.ends <= s.start[i] + EPS]
            assert len(before) and s.arrival[i] < before.max(), \
                f"{s.label}: visitor {s.visitor[i]} started at {s.start[i]} outside hours, not as overtime"


# ---------------------------------------------------------------------------------------------
# 0. the strategy itself


@PROPERTY
@given(scenarios())
def test_strategy_draws_valid_scenarios(doc):
    scenario = load_scenario(doc)
    assert 1 <= len(scenario.areas) <= 4 and len(scenario.sites) >= 1


# ---------------------------------------------------------------------------------------------
# 1. conservation


CONSERVED = ["served", "pending", *(f"unserved_{r}" for r in UNSERVED)]


@PROPERTY
@given(scenarios())
def test_conservation_in_kpis(doc):
    """needs = served + every unserved reason + pending, overall, per group, area, site, stop."""
    r = run(doc, replications=2)
    for rep in range(2):
        k = r.kpi(rep)
        scopes = {(s, i) for s, i, _ in k}
        for s, i in scopes:
            if (s, i, "needs") not in k:
                continue
            assert k[(s, i, "needs")] == sum(k[(s, i, n)] for n in CONSERVED), (s, i)
            assert k[(s, i, "unserved")] == sum(k[(s, i, f"unserved_{x}")] for x in UNSERVED), (s, i)
            if (s, i, "served_mobile") in k:
                assert k[(s, i, "served_mobile")] + k[(s, i, "served_fixed")] == k[(s, i, "served")]
        scenario = r.network.scenario
        overall = k[("overall", "all", "needs")]
        assert sum(k[("area", a.id, "needs")] for a in scenario.areas) == overall
        assert sum(k[("group", g, "needs")] for g in ("vulnerable", "other")
                   if ("group", g, "needs") in k) == overall
        by_site = sum(k[("site", x.id, "needs")] for x in scenario.sites)
        assert by_site + k[("overall", "all", "unserved_no_option")] + \
            k[("overall", "all", "unserved_declined")] == overall
        for index, x in enumerate(scenario.sites):
            assert k[("site", x.id, "unserved_no_option")] == 0
            assert k[("site", x.id, "unserved_declined")] == 0
            if isinstance(x, Mobile):
                stops = [p.id for p in r.network.places if p.site == index]
                assert sum(k[("stop", p, "needs")] for p in stops) == k[("site", x.id, "needs")]


@PROPERTY
@given(scenarios())
def test_conservation_in_visit_table(doc):
    """Every need ends in exactly one outcome, and the KPI counts are the table's counts."""
    r = run(doc)
    for rep, v in r.by_replication():
        assert v["outcome"].notna().all()
        assert list(v["visitor"]) == list(range(len(v)))
        k = r.kpi(rep)
        counted = v[v["counted"]]
        for scope, ident, rows in [("overall", "all", counted)] + [
            ("area", a.id, counted[counted["area"] == a.id]) for a in r.network.scenario.areas
        ] + [("site", x.id, counted[counted["site"] == x.id]) for x in r.network.scenario.sites]:
            tally = rows["outcome"].astype(str).value_counts()
            assert k[(scope, ident, "needs")] == len(rows)
            assert k[(scope, ident, "served")] == tally.get("served", 0)
            assert k[(scope, ident, "pending")] == tally.get("pending", 0)
            for reason in UNSERVED:
                assert k[(scope, ident, f"unserved_{reason}")] == tally.get(reason, 0)
        nowhere = v["site"].isna()
        assert v.loc[nowhere, "outcome"].astype(str).isin(["no_option", "declined"]).all()
        assert v.loc[~nowhere, "outcome"].astype(str).isin(["no_option", "declined"]).sum() == 0
        assert v.loc[nowhere, ["arrival_min", "start_min", "leave_min", "queue_on_arrival"]].isna().all().all()


# ---------------------------------------------------------------------------------------------
# 2. times


@PROPERTY
@given(scenarios())
def test_times_are_ordered_and_consistent(doc):
    """need <= arrival <= start <= end; wait = start - arrival; end = start + drawn service."""
    r = run(doc)
    max_defer = r.network.scenario.behaviour.max_deferral_days
    for _rep, v in r.by_replication():
        went = v["site"].notna().to_numpy()
        need, arrival = v["need_min"].to_numpy(), v["arrival_min"].to_numpy()
        travel = v["travel_min"].to_numpy()
        assert (arrival[went] >= need[went] + travel[went] - EPS).all(), "arrived before need + travel"
        assert (travel[went] >= 0).all()
        defer = v["deferral_days"].to_numpy()[went]
        assert ((defer >= 0) & (defer <= max_defer) & (defer == np.floor(defer))).all()
        day = np.floor(arrival[went] / 1440) - np.floor(need[went] / 1440)
        # deferral counts days to the arrival: a deferred visitor arrives on the day its window
        # opens, also when the window runs past midnight (docs/model.md, section 7)
        assert (defer == day).all(), "deferral_days is not the arrival day minus the need day"
        started = ~np.isnan(v["start_min"].to_numpy())
        wait = v["wait_min"].to_numpy()
        np.testing.assert_allclose(wait[started], (v["start_min"] - v["arrival_min"]).to_numpy()[started],
                                   atol=1e-9)
        assert (wait[started] >= -EPS).all()
        gone = v["outcome"].isin(["reneged", "closed"]).to_numpy()
        np.testing.assert_allclose(wait[gone], (v["leave_min"] - v["arrival_min"]).to_numpy()[gone], atol=1e-9)
        assert (wait[(v["outcome"] == "balked").to_numpy()] == 0).all()
        served = (v["outcome"] == "served").to_numpy()
        np.testing.assert_allclose(v["service_min"].to_numpy()[served],
                                   (v["end_min"] - v["start_min"]).to_numpy()[served])
        assert (v["counted"] == (v["need_min"] >= r.network.scenario.calendar.warmup_min)).all()
        # each arrival lies inside a window of its own place
        for p, place in enumerate(r.network.places):
            mine = (v["place"].cat.codes.to_numpy() == p)
            assert in_windows(arrival[mine], place.starts, place.ends).all(), f"arrival outside {place.id}"
    for _rep, _k, s, _ in site_runs(r):
        check_records(s)


# ---------------------------------------------------------------------------------------------
# 3. capacity and queue limits


@PROPERTY
@given(scenarios())
def test_never_more_in_service_than_counters(doc):
    for *_, s, _ in site_runs(run(doc)):
        check_capacity(s)


@PROPERTY
@given(scenarios(limits="some"))
def test_never_more_waiting_than_the_limit(doc):
    """At every instant, people waiting <= min(queue capacity, balking length)."""
    for *_, s, _ in site_runs(run(doc)):
        check_queue_limit(s)


@PROPERTY
@given(scenarios(limits="some", max_per_hour=30.0))
def test_balking_only_at_a_full_queue(doc):
    """Balkers found every counter busy and the queue at its limit; joiners found room."""
    for *_, s, _ in site_runs(run(doc)):
        check_balking(s)


@PROPERTY
@given(scenarios())
def test_queue_on_arrival_counts_people_waiting(doc):
    """``queue_on_arrival`` counts the people actually waiting (not those who gave up)."""
    for *_, s, _ in site_runs(run(doc)):
        check_queue_on_arrival(s)


# ---------------------------------------------------------------------------------------------
# 4. opening hours, closing and overtime


@PROPERTY
@given(scenarios(closing="turn_away"))
def test_turn_away_serves_only_inside_windows(doc):
    """No start while closed (office) or away from the stop (mobile); queue emptied at closing;
    overtime comes only from services that started inside a window."""
    r = run(doc)
    for _rep, _k, s, sv in site_runs(r):
        check_windows(s)
        places = sv["place"].cat.codes.to_numpy()
        for p in np.unique(places[s.started]):
            starts, ends = r.network.place_windows(int(p))
            mine = s.started & (places == p)
            assert in_windows(s.start[mine], starts, ends).all(), \
                f"{s.label}: started away from {r.network.places[p].id}"
        # overtime comes only from the tails of services that began inside a window: the part
        # of each service before the closing of its window is all inside opening hours
        begin, end = s.busy()
        if len(begin):
            close = s.ends[np.searchsorted(s.starts, begin, side="right") - 1]
            tail = np.minimum(np.maximum(begin, close), end)
            assert outside_minutes(begin, end, s.starts, s.ends) == pytest.approx(
                outside_minutes(tail, end, s.starts, s.ends), abs=1e-6), s.label


@PROPERTY
@given(scenarios(closing="serve_queue"))
def test_serve_queue_starts_outside_hours_only_as_overtime(doc):
    """Outside the windows, service starts only for people who arrived before closing."""
    for *_, s, _ in site_runs(run(doc)):
        check_windows(s)


@PROPERTY
@given(scenarios())
def test_overtime_kpi_is_busy_time_outside_windows(doc):
    """overtime_min = busy counter-minutes outside the open windows (after the warm-up), per
    site and per mobile stop; busy = utilisation * open + overtime."""
    r = run(doc)
    warm = r.network.scenario.calendar.warmup_min
    for rep, v in r.by_replication():
        k = r.kpi(rep)
        started = v[v["start_min"].notna()]
        begin = np.maximum(started["start_min"].to_numpy(), warm)
        end = started["end_min"].fillna(r.horizon).to_numpy()
        ok = end > begin
        site = started["site"].cat.codes.to_numpy()
        place = started["place"].cat.codes.to_numpy()
        groups = [(site == x, r.network.site_starts[x], r.network.site_ends[x], "site", x_doc.id)
                  for x, x_doc in enumerate(r.network.scenario.sites)]
        groups += [(place == q, *r.network.place_windows(q), "stop", pl.id)
                   for q, pl in enumerate(r.network.places)
                   if isinstance(r.network.scenario.sites[pl.site], Mobile)]
        for mask, starts, ends, scope, ident in groups:
            starts = np.maximum(starts, warm)
            keep = ends > starts
            b, e = begin[mask & ok], end[mask & ok]
            over = outside_minutes(b, e, starts[keep], ends[keep])
            got = k[(scope, ident, "overtime_min")]
            assert got == pytest.approx(over, abs=1e-5), f"{scope} {ident}: overtime {got}, busy outside {over}"
            busy = k[(scope, ident, "busy_counter_min")]
            assert busy == pytest.approx(float((e - b).sum()), abs=1e-6)
            util, open_min = k[(scope, ident, "utilisation")], k[(scope, ident, "open_counter_min")]
            if open_min > 0:
                assert util * open_min + got == pytest.approx(busy, rel=1e-9, abs=1e-5)


# A unit at stop "a" on Monday 10-11 and at another place on Tuesday 10-11, one counter,
# serve_queue, 60-minute services: Monday's queue is still being served on Tuesday after 10:00,
# while the unit is scheduled at the other stop (documented in docs/model.md, section 4.3).
SPILL = {
    "name": "spill", "calendar": {"start": "2023-01-02", "days": 2}, "seed": 1,
    "errands": [{"id": "e", "share": 1.0, "service_minutes": {"dist": "deterministic", "value": 60}}],
    "demand_profile": {"weekday": {"mon": 1}, "hour": {10: 1}},
    "areas": [{"id": "a", "population": 1000, "location": {"lat": 58.41, "lon": 15.62},
               "demand": {"per_hour": 0.3}}],
    "sites": [{"id": "unit", "kind": "mobile", "counters": 1, "closing": "serve_queue",
               "schedule": [{"area": "a", "days": ["mon"], "hours": ["10:00-11:00"]},
                            {"location": {"lat": 58.45, "lon": 15.70}, "days": ["tue"],
                             "hours": ["10:00-11:00"]}]}],
    "behaviour": {"max_deferral_days": 0},
}


@PROPERTY
@example(doc=SPILL)
@given(scenarios(n_mobiles=(1, 2), n_offices=(0, 1), days=(2, 4), max_needs=400.0))
def test_mobile_unit_serves_other_stops_visitors_only_as_overtime(doc):
    """A unit has one queue for all its stops (docs/model.md 4.3). A visitor of stop A
    starts while the unit is scheduled at stop B only under ``serve_queue``, as overtime of
    an A window that closed before; and the unit's overtime is the sum of its stops'
    overtime minus exactly that busy time inside other stops' windows."""
    r = run(doc)
    warm = r.network.scenario.calendar.warmup_min
    for rep, k, s, sv in site_runs(r):
        unit = r.network.scenario.sites[k]
        if not isinstance(unit, Mobile):
            continue
        places = sv["place"].cat.codes.to_numpy()
        mine_places = [q for q, pl in enumerate(r.network.places) if pl.site == k]
        begin, end = s.busy()
        b = np.maximum(begin, warm)
        ok = end > b
        spill = 0.0
        for p in mine_places:
            own_starts, own_ends = r.network.place_windows(p)
            mine = s.started & (places == p)
            busy_mine = (places[s.started] == p) & ok
            for q in mine_places:
                if q == p:
                    continue
                starts, ends = r.network.place_windows(q)
                at_other = in_windows(s.start[mine], starts, ends)
                assert not (s.turn_away and at_other.any()), \
                    f"{s.label}: turn_away unit served a visitor of {r.network.places[p].id} at another stop"
                for i in np.flatnonzero(mine)[at_other]:
                    closed = own_ends[own_ends <= s.start[i] + EPS]
                    assert len(closed) and s.arrival[i] < closed.max(), \
                        f"{s.label}: visitor {s.visitor[i]} started at another stop, not as overtime"
                starts_w = np.maximum(starts, warm)
                keep = ends > starts_w
                inside = np.clip(np.minimum(end[busy_mine][:, None], ends[keep][None, :])
                                 - np.maximum(b[busy_mine][:, None], starts_w[keep][None, :]), 0, None)
                spill += float(inside.sum())
        kpi = r.kpi(rep)
        stops = sum(kpi[("stop", r.network.places[q].id, "overtime_min")] for q in mine_places)
        assert kpi[("site", unit.id, "overtime_min")] == pytest.approx(stops - spill, abs=1e-4), \
            f"{s.label}: unit overtime != stops' overtime - busy time at other stops ({spill})"


# ---------------------------------------------------------------------------------------------
# 5. patience, FIFO, work conservation


@PROPERTY
@given(scenarios(patience="random"))
def test_patience_is_the_drawn_patience(doc):
    """Reneged visitors left exactly arrival + their drawn patience (re-drawn from the named
    stream); served and closed ones waited no longer than it."""
    for *_, s, _ in site_runs(run(doc)):
        check_patience(s)


@PROPERTY
@given(scenarios(patience=20.0, max_per_hour=30.0), st.sampled_from([0.0, 7.5, 20.0]))
def test_deterministic_patience(doc, p):
    """With a fixed patience P: reneged leave = arrival + P exactly, served waited <= P."""
    doc["behaviour"]["patience_minutes"] = {"dist": "deterministic", "value": p}
    r = run(doc)
    for _rep, v in r.by_replication():
        reneged = v[v["outcome"] == "reneged"]
        np.testing.assert_allclose(reneged["leave_min"] - reneged["arrival_min"], p, atol=EPS)
        served = v[v["start_min"].notna()]
        assert (served["wait_min"] <= p + EPS).all()
        closed = v[v["outcome"] == "closed"]
        assert (closed["wait_min"] <= p + EPS).all()


@PROPERTY
@given(scenarios())
def test_fifo_at_every_site(doc):
    """At one site, service starts are in arrival order."""
    for *_, s, _ in site_runs(run(doc)):
        check_fifo(s)


@PROPERTY
@given(scenarios())
def test_no_one_waits_while_a_counter_is_free(doc):
    for *_, s, _ in site_runs(run(doc)):
        check_work_conserving(s)


# ---------------------------------------------------------------------------------------------
# 6. utilisation and time-weighted tables


@PROPERTY
@given(scenarios())
def test_utilisation_within_unit_interval(doc):
    r = run(doc)
    k = r.kpis
    util = k[k["kpi"] == "utilisation"]["value"].dropna()
    assert ((util >= 0) & (util <= 1 + 1e-12)).all(), util[(util < 0) | (util > 1)]
    sh = r.site_hours
    counters = sh["site"].map({x.id: x.counters for x in r.network.scenario.sites}).astype(float)
    # the table integrates by prefix sums, so an empty hour may come out as -1e-12
    assert (sh["busy_mean"] >= -1e-9).all() and (sh["queue_mean"] >= -1e-9).all()
    assert (sh["busy_mean"] <= counters + 1e-9).all(), "more counters busy than exist"
    assert (sh["open_counters"] <= counters + 1e-9).all()


@PROPERTY
@given(scenarios())
def test_site_hours_add_up_to_site_kpis(doc):
    """Summed over hours after the warm-up, the site-hour table gives the KPI's busy and open
    counter-minutes (the two are computed by different code from the same records)."""
    r = run(doc)
    sh = r.site_hours
    warm = r.network.scenario.calendar.warmup_days
    for rep in range(r.replications):
        k = r.kpi(rep)
        for x in r.network.scenario.sites:
            rows = sh[(sh["replication"] == rep) & (sh["site"] == x.id) & (sh["day"] >= warm)]
            assert (rows["busy_mean"].sum() * 60) == pytest.approx(k[("site", x.id, "busy_counter_min")],
                                                                   rel=1e-9, abs=1e-6)
            assert (rows["open_counters"].sum() * 60) == pytest.approx(k[("site", x.id, "open_counter_min")],
                                                                       rel=1e-9, abs=1e-6)


@PROPERTY
@given(scenarios(aligned=True))
def test_busy_time_utilisation_equals_time_weighted(doc):
    """With windows on whole hours every clock hour is fully open or fully closed, so
    utilisation (busy counter-minutes inside windows / open counter-minutes) equals
    sum(busy_mean) / sum(open_counters) over the open hours after the warm-up."""
    r = run(doc)
    sh = r.site_hours
    warm = r.network.scenario.calendar.warmup_days
    k = r.kpi(0)
    for x in r.network.scenario.sites:
        rows = sh[(sh["site"] == x.id) & (sh["day"] >= warm) & (sh["open_counters"] > 0)]
        assert np.isin(rows["open_counters"], [x.counters]).all(), "a partly open hour"
        util = k[("site", x.id, "utilisation")]
        if rows.empty:
            assert np.isnan(util)
            continue
        assert util == pytest.approx(rows["busy_mean"].sum() / rows["open_counters"].sum(), rel=1e-9, abs=1e-12)


@PROPERTY
@given(scenarios())
def test_littles_law_on_site_hours(doc):
    """L = lambda W over the whole horizon, per site.

    L is the time-average number waiting from the site-hour table, lambda the number of
    visitors who joined the queue per minute, W their mean time in queue, each waiting time
    cut at the horizon. Computed from the same intervals this is an identity (no edge
    effects), so the tolerance is float rounding only: relative 1e-9. The same holds for
    counters: mean busy = served-or-started per minute x mean (cut) service time.
    """
    r = run(doc)
    sh = r.site_hours
    horizon = r.horizon
    for rep, k, s, _ in site_runs(r):
        rows = sh[(sh["replication"] == rep) & (sh["site"] == r.network.scenario.sites[k].id)]
        L = rows["queue_mean"].sum() * 60 / horizon
        begin, end = s.waiting()
        n = len(begin)
        W = float((end - begin).mean()) if n else 0.0
        assert L == pytest.approx(n / horizon * W, rel=1e-9, abs=1e-12), s.label
        b, e = s.busy()
        B = rows["busy_mean"].sum() * 60 / horizon
        assert B == pytest.approx(len(b) / horizon * (float((e - b).mean()) if len(b) else 0.0),
                                  rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# 7. extremes


@fewer(0.3)
@given(scenarios(zero_demand=True))
def test_zero_demand_gives_no_visitors(doc):
    r = run(doc, replications=2)
    assert len(r.visits) == 0
    k = r.kpis
    for name in ("needs", "served", "unserved", "pending", "busy_counter_min", "overtime_min"):
        assert (k[k["kpi"] == name]["value"] == 0).all(), name
    sh = r.site_hours
    assert (sh["queue_mean"] == 0).all() and (sh["busy_mean"] == 0).all()


@PROPERTY
@given(scenarios(max_needs=400.0))
def test_ample_counters_give_zero_waits(doc):
    """With at least as many counters as visitors at a site, nobody waits, balks, reneges or
    is turned away, and (common random numbers) everyone arrives as before."""
    first = run(doc)
    v = first.visits
    arrived = v[v["arrival_min"] < first.horizon]
    ample = copy.deepcopy(doc)
    for x in ample["sites"]:
        n = int((arrived["site"] == x["id"]).sum())
        assume(n <= (1000 if x["kind"] == "office" else 100))
        x["counters"] = max(1, n)
    r = run(ample)
    w = r.visits
    pd.testing.assert_series_equal(w["arrival_min"], v["arrival_min"])
    came = w[w["arrival_min"] < r.horizon]
    assert not came["outcome"].isin(["balked", "reneged", "closed"]).any()
    np.testing.assert_allclose(came["wait_min"], 0.0, atol=EPS)
    np.testing.assert_allclose(came["start_min"], came["arrival_min"], atol=EPS)


# ---------------------------------------------------------------------------------------------
# 8. determinism and common random numbers


@fewer(0.4)
@given(scenarios(max_needs=300.0), st.integers(0, 2**63 - 1))
def test_same_seed_same_tables(doc, seed):
    """Same scenario and seed give identical tables; replication r does not depend on how
    many replications run."""
    a = simulation.run(doc, replications=2, seed=seed)
    b = simulation.run(doc, replications=2, seed=seed)
    for name in ("visits", "site_hours", "kpis", "summary"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)
    one = simulation.run(doc, replications=1, seed=seed)
    pd.testing.assert_frame_equal(one.visits, a.visits[a.visits["replication"] == 0].reset_index(drop=True),
                                  check_exact=True)
    pd.testing.assert_frame_equal(one.kpis, a.kpis[a.kpis["replication"] == 0].reset_index(drop=True),
                                  check_exact=True)


@fewer(0.4)
@given(scenarios(max_needs=300.0))
def test_run_leaves_its_input_unchanged(doc):
    before = copy.deepcopy(doc)
    simulation.run(doc, replications=1)
    assert doc == before
    scenario = load_scenario(doc)
    dumped = copy.deepcopy(scenario.model_dump())
    result = simulation.run(scenario, replications=1)
    assert scenario.model_dump() == dumped
    assert result.scenario == scenario


def _visitor_draws(doc, seed: int, rep: int):
    return draw_visitors(compile_network(load_scenario(doc)), Streams(seed, rep))


@fewer(0.5)
@given(st.data())
def test_common_random_numbers_across_sites(data):
    """Other sites (counters, opening hours, mobile schedules, closing) leave every need
    time, area, errand, service time and patience unchanged."""
    doc = data.draw(scenarios(max_needs=300.0))
    alt = copy.deepcopy(doc)
    alt["sites"] = data.draw(other_sites(doc))
    load_scenario(alt)
    seed = doc["seed"]
    for rep in (0, 1):
        a, b = _visitor_draws(doc, seed, rep), _visitor_draws(alt, seed, rep)
        for name in ("need", "area", "errand", "service", "patience"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    va = simulation.run(doc, replications=1).visits
    vb = simulation.run(alt, replications=1).visits
    for col in ("need_min", "area", "errand"):
        pd.testing.assert_series_equal(va[col], vb[col])


@PROPERTY
@given(st.data())
def test_streams_are_keyed_by_name(data):
    """Reordering the areas or adding one leaves every other area's needs, errands, service
    times and patience unchanged (streams are keyed by area id, not by position)."""
    doc = data.draw(scenarios(max_needs=300.0))
    alt = copy.deepcopy(doc)
    alt["areas"] = data.draw(st.permutations(alt["areas"]))
    extra = copy.deepcopy(doc["areas"][0])
    extra.update(id="zz-new", demand={"per_hour": 1.0})
    alt["areas"].insert(data.draw(st.integers(0, len(alt["areas"]))), extra)
    ids_a = [x["id"] for x in doc["areas"]]
    ids_b = [x["id"] for x in alt["areas"]]
    for rep in (0, 1):
        a, b = _visitor_draws(doc, doc["seed"], rep), _visitor_draws(alt, doc["seed"], rep)
        for area in ids_a:
            ma = a.area == ids_a.index(area)
            mb = b.area == ids_b.index(area)
            for name in ("need", "errand", "service", "patience"):
                np.testing.assert_array_equal(getattr(a, name)[ma], getattr(b, name)[mb],
                                              err_msg=f"{area} {name}")


@fewer(0.5)
@given(st.data())
def test_more_counters_or_hours_leave_needs_and_errands_alone(data):
    """Changing only counters, opening hours or mobile stop hours leaves the visit table's
    need_min, area and errand columns unchanged."""
    doc = data.draw(scenarios(max_needs=300.0))
    alt = copy.deepcopy(doc)
    for x in alt["sites"]:
        x["counters"] = data.draw(st.integers(1, 5))
        if x["kind"] == "office":
            x["opening_hours"] = data.draw(st.sampled_from(["always", {"mon-fri": ["09:00-17:00"]},
                                                            {"tue": ["10:00-11:00", "13:00-14:00"]}]))
        else:
            for stop in x["schedule"]:
                stop["hours"] = data.draw(st.sampled_from([["08:00-12:00"], ["10:00-11:00", "14:00-20:00"]]))
    va = simulation.run(doc, replications=2).visits
    vb = simulation.run(alt, replications=2).visits
    for col in ("replication", "need_min", "area", "errand"):
        pd.testing.assert_series_equal(va[col], vb[col])


# ---------------------------------------------------------------------------------------------
# 9. monotonicity


@fewer(0.5)
@given(fifo_scenarios())
def test_one_more_counter_never_increases_any_wait(doc):
    """FIFO, no reneging, balking or capacity, always open, service times bound to visitors:
    with c + 1 counters every visitor starts no later than with c (Kiefer-Wolfowitz), so no
    wait grows and nobody served with c is left unserved with c + 1."""
    more = copy.deepcopy(doc)
    more["sites"][0]["counters"] += 1
    a = simulation.run(doc, replications=2).visits
    b = simulation.run(more, replications=2).visits
    pd.testing.assert_series_equal(a["arrival_min"], b["arrival_min"])
    started = a["start_min"].notna()
    assert b.loc[started, "start_min"].notna().all(), "started with c counters, not with c + 1"
    worse = b.loc[started, "wait_min"] > a.loc[started, "wait_min"] + EPS
    assert not worse.any(), b.loc[started][worse].head()
    assert ((a["outcome"] == "served") <= (b["outcome"] == "served")).all()


# ---------------------------------------------------------------------------------------------
# 10. the in-model checker, and the bare engine with ties


@fewer(0.5)
@given(scenarios(max_needs=300.0))
def test_in_model_invariant_checker_passes(doc):
    """``simulation.run(..., check_invariants=True)`` asserts capacity, queue limit,
    presence, causality and conservation after every arrival and service start."""
    result = simulation.run(doc, replications=2, check_invariants=True)
    note(f"visits: {len(result.visits)}")


def _engine_site_run(case: dict, check=None) -> SiteRun:
    n = len(case["arrivals"])
    deadline = [a + p for a, p in zip(case["arrivals"], case["patience"], strict=True)]
    visits = Visits.empty(case["service"], deadline)
    horizon = case["horizon"]
    starts = [s for s, _ in case["windows"] if s < horizon]
    ends = [min(e, horizon) for s, e in case["windows"] if s < horizon]
    spec = SiteSpec(case["counters"], case["limit"], case["turn_away"], starts, ends)
    Engine([spec], [(case["arrivals"], list(range(n)))], visits, horizon, check).run()
    rec = as_arrays(visits)
    return SiteRun(
        label="engine", counters=spec.counters, limit=spec.limit, turn_away=spec.turn_away,
        starts=np.asarray(starts, dtype=float), ends=np.asarray(ends, dtype=float), horizon=horizon,
        visitor=np.arange(n), arrival=np.asarray(case["arrivals"], dtype=float),
        start=rec["start_min"], end=rec["end_min"], leave=rec["leave_min"],
        outcome=np.array([OUTCOMES[c] for c in rec["outcome"]] or [""])[:n],
        qoa=rec["queue_on_arrival"], service=np.asarray(case["service"], dtype=float),
        patience=np.asarray(case["patience"], dtype=float),
    )


ALL_CHECKS = (check_records, check_capacity, check_queue_limit, check_fifo, check_patience,
              check_balking, check_queue_on_arrival, check_work_conserving, check_windows)


# turn_away, windows 0-10 and 20-30: visitor 0's 25-minute service (started at 5) ends at 30,
# the second closing, before the doors process (scheduled later) empties the queue; the
# counter must not start visitor 1, who waits since 21, at 30 when the site is closed.
LONG_SERVICE_AT_CLOSING = {
    "horizon": 100.0, "counters": 1, "limit": None, "turn_away": True,
    "windows": [(0.0, 10.0), (20.0, 30.0)], "arrivals": [5.0, 21.0],
    "service": [25.0, 5.0], "patience": [float("inf"), float("inf")],
}


@PROPERTY
@example(case=LONG_SERVICE_AT_CLOSING)
@given(engine_cases())
def test_engine_with_whole_minute_ties(case):
    """The bare engine on one site with whole-minute times (many ties, zero service times):
    every site-level check above holds."""
    s = _engine_site_run(case)
    for check in ALL_CHECKS:
        check(s)


@PROPERTY
@given(engine_cases(at_zero=True))
def test_engine_arrivals_at_minute_zero(case):
    """The same with someone arriving at minute 0, when every counter is idle."""
    s = _engine_site_run(case)
    for check in ALL_CHECKS:
        check(s)


@PROPERTY
@given(engine_cases())
def test_in_model_checker_with_whole_minute_ties(case):
    """The in-model checker (``check_site`` after every event) accepts every correct run,
    including simultaneous arrivals."""
    _engine_site_run(case, check_site)


@PROPERTY
@given(engine_cases(unit=0.1))
def test_engine_with_tenth_minute_times(case):
    """Times in tenths of a minute (not exact in binary): the site-level checks hold with
    a rounding tolerance, and the in-model checker, which compares times exactly, accepts
    the run (``start <= now`` must hold for the clock the engine itself keeps)."""
    s = _engine_site_run(case, check_site)
    for check in ALL_CHECKS:
        check(s)


def test_in_model_checker_accepts_an_arrival_that_the_clock_rounds_down():
    """Minimal case: after an event at 22.1 SimPy's clock reaches 22.1 + (119.7 - 22.1) =
    119.69999999999999 for an arrival at 119.7. A service that starts then must not be
    recorded as starting in the checker's future."""
    assert 22.1 + (119.7 - 22.1) < 119.7
    visits = Visits.empty([0.0, 5.0], [float("inf")] * 2)
    spec = SiteSpec(1, None, False, [0.0], [1000.0])
    Engine([spec], [([22.1, 119.7], [0, 1])], visits, 1000.0, check_site).run()
    rec = as_arrays(visits)
    assert rec["end_min"][1] - rec["start_min"][1] == pytest.approx(5.0, abs=1e-12)
