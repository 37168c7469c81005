"""The oracle of the invariant properties: runs, per-site records, interval arithmetic and
the site-level checks.

The checks are computed independently from the visit table (and, where needed, from the
visitors' drawn inputs, re-drawn from their named streams with ``draw_visitors``), not
from the model's own bookkeeping. They apply both to every site of a scenario run
(``site_runs``) and to the bare engine (``engine_site_run``).

Times come from SimPy's clock, which adds differences (``now + (t - now)``), so a time
recorded by the engine may differ from the visitor's pre-computed arrival by a rounding
error. Comparisons therefore allow ``EPS`` minutes; every deliberate fault we inject
(``docs/testing.md``, mutation table) is worth far more than that.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from hypothesis import note
from hypothesis.control import currently_in_test_context

from simulation.engine.model import Engine, SiteSpec, Visits, as_arrays
from simulation.engine.network import Network, compile_network
from simulation.engine.replication import draw_visitors, site_spec
from simulation.engine.streams import Streams
from simulation.experiment.run import run_replication
from simulation.scenario.loading import load_scenario
from simulation.scenario.outcomes import OUTCOMES

EPS = 1e-7


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
        return {
            (s, i, n): float(x)
            for s, i, n, x in zip(k["scope"], k["id"], k["kpi"], k["value"], strict=True)
        }


def run(doc, replications: int = 1) -> Run:
    """Run like ``simulation.run`` (same per-replication pipeline) without the summary table."""
    scenario = load_scenario(doc)
    network = compile_network(scenario)
    tables = [run_replication(network, r, scenario.seed) for r in range(replications)]
    visits = pd.concat([t.visits for t in tables], ignore_index=True)
    if currently_in_test_context():
        note(f"visits: {len(visits)}")
    return Run(
        network,
        scenario.seed,
        replications,
        visits,
        pd.concat([t.site_hours for t in tables], ignore_index=True),
        pd.concat([t.kpis for t in tables], ignore_index=True),
    )


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
        return np.where(
            self.started, self.start, np.where(np.isnan(self.leave), self.horizon, self.leave)
        )

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
            yield (
                rep,
                k,
                SiteRun(
                    label=f"replication {rep} site {site.id}",
                    counters=spec.counters,
                    limit=spec.limit,
                    turn_away=spec.turn_away,
                    starts=np.asarray(spec.starts, dtype=float),
                    ends=np.asarray(spec.ends, dtype=float),
                    horizon=r.horizon,
                    visitor=sv["visitor"].to_numpy(),
                    arrival=sv["arrival_min"].to_numpy(),
                    start=sv["start_min"].to_numpy(),
                    end=sv["end_min"].to_numpy(),
                    leave=sv["leave_min"].to_numpy(),
                    outcome=sv["outcome"].astype(str).to_numpy(),
                    qoa=sv["queue_on_arrival"].to_numpy(),
                    service=inputs.service[rows],
                    patience=inputs.patience[rows],
                ),
                sv,
            )


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
        np.sort(end), begin + EPS, side="right"
    )
    i = int(np.argmax(counts))
    return int(counts[i]), float(begin[i])


def in_windows(t: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Whether each time lies in one of the sorted windows ``[starts, ends)``."""
    w = np.searchsorted(starts, t, side="right") - 1
    ok = w >= 0
    wc = np.maximum(w, 0)
    return ok & (t < ends[wc]) if len(starts) else np.zeros(len(t), dtype=bool)


def outside_minutes(
    begin: np.ndarray, end: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> float:
    """Total length of the intervals outside the windows, by explicit overlap (n x windows)."""
    if len(begin) == 0:
        return 0.0
    inside = np.clip(
        np.minimum(end[:, None], ends[None, :]) - np.maximum(begin[:, None], starts[None, :]),
        0.0,
        None,
    ).sum(axis=1)
    return float((end - begin - inside).sum())


# ---------------------------------------------------------------------------------------------
# checks on one site's records (used for scenarios and for the bare engine)


def check_records(s: SiteRun) -> None:
    """Outcomes and time columns are consistent; need <= arrival <= start <= end."""
    arrived, started = s.arrived, s.started
    late = ~arrived
    assert (s.outcome[late] == "pending").all(), f"{s.label}: arrival after the horizon not pending"
    assert (
        np.isnan(s.start[late]).all()
        and np.isnan(s.leave[late]).all()
        and np.isnan(s.qoa[late]).all()
    )
    assert (~np.isnan(s.qoa[arrived])).all(), f"{s.label}: an arrival has no queue_on_arrival"
    assert (s.qoa[arrived] >= 0).all()
    assert set(s.outcome) <= set(OUTCOMES) - {"no_option", "declined"}
    assert (s.start[started] >= s.arrival[started] - EPS).all(), (
        f"{s.label}: service before arrival"
    )
    assert (s.start[started] < s.horizon).all()
    assert np.isin(s.outcome[started], ["served", "pending"]).all()
    assert np.isnan(s.leave[started]).all(), f"{s.label}: a started visitor also left the queue"
    served = s.outcome == "served"
    assert started[served].all() and (~np.isnan(s.end[served])).all()
    np.testing.assert_allclose(
        s.end[served],
        s.start[served] + s.service[served],
        rtol=1e-12,
        atol=EPS,
        err_msg=f"{s.label}: end != start + drawn service",
    )
    assert (s.end[served] <= s.horizon + EPS).all()
    in_service = started & (s.outcome == "pending")
    assert np.isnan(s.end[in_service]).all()
    assert (s.start[in_service] + s.service[in_service] >= s.horizon - EPS).all(), (
        f"{s.label}: pending visitor whose service should have ended"
    )
    left = np.isin(s.outcome, ["balked", "reneged", "closed"])
    assert (~started[left]).all() and (~np.isnan(s.leave[left])).all()
    assert (s.leave[left] >= s.arrival[left] - EPS).all() and (
        s.leave[left] <= s.horizon + EPS
    ).all()
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
    assert len(bad) == 0, (
        f"{s.label}: visitor {s.visitor[started[bad[0] + 1]]} started at "
        f"{starts[bad[0] + 1]} before visitor {s.visitor[started[bad[0]]]} "
        f"(started {starts[bad[0]]}) who arrived earlier"
    )
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    gave_up = np.flatnonzero(np.isin(s.outcome, ["reneged", "closed"]))
    for i in gave_up:
        later = s.started & (rank > rank[i])
        assert (s.start[later] >= s.leave[i] - EPS).all(), (
            f"{s.label}: someone behind visitor {s.visitor[i]} started before it left at {s.leave[i]}"
        )


def check_patience(s: SiteRun) -> None:
    """Reneged visitors waited exactly their patience; nobody else waited longer than it."""
    started = s.started
    assert (s.start[started] - s.arrival[started] <= s.patience[started] + EPS).all(), (
        f"{s.label}: a visitor was served after its patience ran out"
    )
    reneged = s.outcome == "reneged"
    np.testing.assert_allclose(
        s.leave[reneged] - s.arrival[reneged],
        s.patience[reneged],
        rtol=1e-9,
        atol=EPS,
        err_msg=f"{s.label}: reneged at the wrong time",
    )
    closed = s.outcome == "closed"
    assert (s.leave[closed] - s.arrival[closed] <= s.patience[closed] + EPS).all()
    waiting = s.arrived & ~started & (s.outcome == "pending")
    assert (s.arrival[waiting] + s.patience[waiting] >= s.horizon - EPS).all(), (
        f"{s.label}: a visitor still waiting at the horizon had run out of patience"
    )


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
        assert s.qoa[i] >= s.limit, (
            f"{s.label}: visitor {s.visitor[i]} balked at queue {s.qoa[i]} < {s.limit}"
        )
        assert busy_at(np.array([t]), busy_b, busy_e)[0] >= s.counters, (
            f"{s.label}: visitor {s.visitor[i]} balked at t={t} while a counter was free"
        )
        around = int(((wb <= t + EPS) & (we >= t - EPS)).sum())
        assert around >= s.limit, f"{s.label}: visitor {s.visitor[i]} balked with {around} waiting"
    joined = s.joined & (s.qoa >= s.limit)
    assert (np.abs(s.start[joined] - s.arrival[joined]) <= EPS).all(), (
        f"{s.label}: a visitor joined a full queue"
    )


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
        ahead = (a_j[None, :] < t) | (
            (a_j[None, :] == t) & (s.visitor[j][None, :] < s.visitor[chunk][:, None])
        )
        lower = (ahead & (e_j[None, :] > t + EPS)).sum(axis=1)
        upper = (ahead & (e_j[None, :] >= t - EPS)).sum(axis=1)
        q = s.qoa[chunk]
        bad = np.flatnonzero((q < lower) | (q > upper))
        assert len(bad) == 0, (
            f"{s.label}: visitor {s.visitor[chunk][bad[0]]} arriving at {float(t[bad[0], 0])} recorded "
            f"queue_on_arrival {q[bad[0]]}, but between {lower[bad[0]]} and {upper[bad[0]]} were waiting"
        )


def check_work_conserving(s: SiteRun) -> None:
    """Nobody waits while a counter is free; a delayed start happens when a counter frees."""
    busy_b, busy_e = s.busy()
    waited = s.joined & (s.wait_end() - s.arrival > EPS) | (s.outcome == "balked")
    idx = np.flatnonzero(waited)
    busy = busy_at(s.arrival[idx], busy_b, busy_e)
    bad = np.flatnonzero(busy < s.counters)
    assert len(bad) == 0, (
        f"{s.label}: visitor {s.visitor[idx[bad[0]]]} had to wait at "
        f"t={s.arrival[idx[bad[0]]]} with {busy[bad[0]]} of {s.counters} counters busy"
    )
    delayed = np.flatnonzero(s.started & (s.start - s.arrival > EPS))
    ends = np.sort(busy_e)
    for i in delayed:
        k = np.searchsorted(ends, s.start[i] - EPS)
        assert k < len(ends) and ends[k] <= s.start[i] + EPS, (
            f"{s.label}: visitor {s.visitor[i]} started at {s.start[i]} though no counter freed then"
        )


def check_windows(s: SiteRun) -> None:
    """Closing rules: ``turn_away`` serves only inside windows and empties the queue at
    closing; under ``serve_queue`` a start outside the windows is overtime for someone who
    arrived before the last closing."""
    arrived = s.arrived
    assert in_windows(s.arrival[arrived], s.starts, s.ends).all(), (
        f"{s.label}: arrival while closed"
    )
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
            assert len(before) and s.arrival[i] < before.max(), (
                f"{s.label}: visitor {s.visitor[i]} started at {s.start[i]} outside hours, not as overtime"
            )


# ---------------------------------------------------------------------------------------------
# the bare engine


def engine_site_run(case: dict, check=None) -> SiteRun:
    """Run one site of the bare engine on an ``engine_cases()`` case (optionally with the
    in-model ``check``) and return its records."""
    n = len(case["arrivals"])
    deadline = [a + p for a, p in zip(case["arrivals"], case["patience"], strict=True)]
    visits = Visits.empty(case["service"], deadline)
    horizon = case["horizon"]
    starts = [s for s, _ in case["windows"] if s < horizon]
    ends = [min(e, horizon) for s, e in case["windows"] if s < horizon]
    spec = SiteSpec(
        case["counters"],
        case["limit"],
        case["turn_away"],
        starts,
        ends,
        tuple(case.get("staffing", ())),
    )
    Engine([spec], [(case["arrivals"], list(range(n)))], visits, horizon, check).run()
    rec = as_arrays(visits)
    return SiteRun(
        label="engine",
        counters=spec.counters,
        limit=spec.limit,
        turn_away=spec.turn_away,
        starts=np.asarray(starts, dtype=float),
        ends=np.asarray(ends, dtype=float),
        horizon=horizon,
        visitor=np.arange(n),
        arrival=np.asarray(case["arrivals"], dtype=float),
        start=rec["start_min"],
        end=rec["end_min"],
        leave=rec["leave_min"],
        outcome=np.array([OUTCOMES[c] for c in rec["outcome"]] or [""])[:n],
        qoa=rec["queue_on_arrival"],
        service=np.asarray(case["service"], dtype=float),
        patience=np.asarray(case["patience"], dtype=float),
    )


ALL_CHECKS = (
    check_records,
    check_capacity,
    check_queue_limit,
    check_fifo,
    check_patience,
    check_balking,
    check_queue_on_arrival,
    check_work_conserving,
    check_windows,
)
