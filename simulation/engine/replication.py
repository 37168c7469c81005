"""One replication: sample needs, choose places, run the engine, build the visit table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from simulation.engine.choice import choose
from simulation.engine.demand import sample_needs
from simulation.engine.memory import release_freed_memory
from simulation.engine.model import Engine, SiteSpec, Visits, as_arrays, typed
from simulation.engine.network import Network
from simulation.engine.returns import ReturnAttempts
from simulation.engine.streams import Streams
from simulation.scenario.outcomes import BALKED, DECLINED, NO_OPTION, OUTCOMES

_FREED = np.empty(0)  # stands for an input column released after use

VISIT_COLUMNS: tuple[str, ...] = (
    "replication",
    "visitor",
    "area",
    "errand",
    "need_min",
    "site",
    "place",
    "arrival_min",
    "start_min",
    "end_min",
    "leave_min",
    "wait_min",
    "service_min",
    "travel_min",
    "deferral_days",
    "queue_on_arrival",
    "outcome",
    "counted",
)
"""Columns of the visit table, one row per need (see ``docs/model.md``)."""


@dataclass(frozen=True)
class VisitorInputs:
    """Everything random about the visitors of one replication, before the sites act."""

    area: np.ndarray
    errand: np.ndarray
    need: np.ndarray
    service: np.ndarray
    patience: np.ndarray
    place: np.ndarray
    arrival: np.ndarray
    travel: np.ndarray
    deferral_days: np.ndarray
    declined: np.ndarray
    key: np.ndarray | None = None  # index of the need within its area (keys its returns)


def draw_visitors(network: Network, streams: Streams) -> VisitorInputs:
    """Sample every area's needs and their attributes from named streams, then choose.

    Each area draws from its own streams (``needs/<area>``, ``errand/<area>``,
    ``service/<area>/<errand>``, ``patience/<area>``, ``arrival/<area>``, ``choice/<area>``,
    ``decay/<area>``), so changing
    sites, hours or other areas leaves an area's needs, errands, service times and
    patience unchanged (common random numbers).
    """
    scenario = network.scenario
    shares = np.array([e.share for e in scenario.errands])
    patience_dist = scenario.behaviour.patience_minutes
    parts: list[list[np.ndarray]] = []
    for a, area in enumerate(scenario.areas):
        needs = sample_needs(
            network.rates[a], shares, streams("needs", area.id), streams("errand", area.id)
        )
        n = len(needs.time)
        service = np.empty(n)
        for e, errand in enumerate(scenario.errands):
            rows = np.flatnonzero(needs.errand == e)
            service[rows] = errand.service_minutes.sample(
                streams("service", area.id, errand.id), len(rows)
            )
        if patience_dist is None:
            patience = np.full(n, np.inf)
        else:
            patience = patience_dist.sample(streams("patience", area.id), n)
        u_arrival = streams("arrival", area.id).random(n)
        u_choice = streams("choice", area.id).random(n)
        u_decay = streams("decay", area.id).random(n)
        chosen = choose(network, a, needs.time, needs.errand, u_arrival, u_choice, u_decay)
        parts.append(
            [
                np.full(n, a, dtype=np.int32),
                needs.errand,
                needs.time,
                service,
                patience,
                chosen.place,
                chosen.arrival,
                chosen.travel,
                chosen.deferral_days,
                chosen.declined,
                np.arange(n, dtype=np.int64),
            ]
        )
    # concatenate, then reorder, column by column, freeing each piece once it is used: the
    # areas' pieces, the whole columns and the sorted ones are never all alive at once
    freed = np.empty(0)
    columns: list[np.ndarray] = []
    for k in range(len(parts[0])):
        columns.append(np.concatenate([p[k] for p in parts]))
        for p in parts:
            p[k] = freed
    del parts
    order = np.lexsort((columns[0], columns[2]))  # by need time, then area
    ordered = []
    for k in range(len(columns)):
        ordered.append(columns[k][order])
        columns[k] = freed
    return VisitorInputs(*ordered)


def simulate(
    network: Network,
    replication: int,
    seed: int,
    check: Callable[[Engine, int], None] | None = None,
    world: int | None = None,
) -> pd.DataFrame:
    """Run one replication and return its visit table.

    Parameters
    ----------
    network
        The compiled scenario.
    replication
        Replication number; with ``seed`` it selects the random streams.
    seed
        Root seed.
    check
        Optional invariant checker passed to the engine.
    world
        Sampled world of a robust comparison (part of the stream keys; ``None``: none).
    """
    # handed over in a box, so that the run holds the only reference and can free the
    # inputs the engine alone needed before the table is built (a national run: ~100 MiB)
    box = [draw_visitors(network, Streams(seed, replication, world))]
    return _run_visitors(network, replication, box, check, seed, world, owned=True)


def run_visitors(
    network: Network,
    replication: int,
    v: VisitorInputs,
    check: Callable[[Engine, int], None] | None = None,
    seed: int | None = None,
    world: int | None = None,
) -> pd.DataFrame:
    """Run the sites for given visitors (drawn, or built by hand in tests) → visit table.

    With ``behaviour.returns`` (or an errand's ``returns``) later attempts are created during the run (their numbers keyed
    by ``seed``, default the scenario's, and the robust comparison's ``world``) and the table gains
    ``need`` and ``attempt``.
    """
    return _run_visitors(network, replication, [v], check, seed, world, owned=False)


def _run_visitors(
    network: Network,
    replication: int,
    box: list[VisitorInputs],
    check: Callable[[Engine, int], None] | None,
    seed: int | None,
    world: int | None,
    owned: bool,
) -> pd.DataFrame:
    """:func:`run_visitors` on the visitors in ``box`` (emptied); ``owned``: nobody else holds
    them, so service times, patience and keys are dropped once the engine has them."""
    v = box.pop()
    horizon = network.horizon
    site_of_place = np.array([p.site for p in network.places] + [-1], dtype=np.int64)
    site = site_of_place[v.place]  # place -1 maps to the sentinel -1
    arrivals = []
    for k in range(len(network.scenario.sites)):
        rows = np.flatnonzero(site == k)
        rows = rows[np.argsort(v.arrival[rows], kind="stable")]
        arrivals.append((typed(v.arrival[rows]), typed(rows, "q")))
    specs = [site_spec(network, k) for k in range(len(network.scenario.sites))]
    deadline = v.arrival + v.patience
    visits = Visits.empty(v.service, np.where(np.isnan(deadline), np.inf, deadline))
    del deadline
    if owned:  # the records hold the service times and deadlines now
        v = replace(v, service=_FREED, patience=_FREED)
    for i in np.flatnonzero(v.place < 0).tolist():
        visits.outcome[i] = NO_OPTION
    for i in np.flatnonzero(v.declined).tolist():
        visits.outcome[i] = DECLINED
    if not network.scenario.has_returns:
        Engine(specs, arrivals, visits, horizon, check).run()
        del arrivals  # free the engine's inputs before the table is built (national peak)
        release_freed_memory(len(visits.outcome))
        return visit_table(network, replication, v, site, _records(visits))
    key = v.key if v.key is not None else np.arange(len(v.need), dtype=np.int64)
    attempts = ReturnAttempts(
        network,
        network.scenario.seed if seed is None else seed,
        replication,
        v.area,
        v.errand,
        v.need,
        key,
        visits,
        world,
    )
    del key
    if owned:  # the returns keep their own copy of the keys
        v = replace(v, key=None)
    engine = Engine(
        specs, arrivals, visits, horizon, check, attempts.on_fail, attempts.watch_reneging
    )
    attempts.start(engine, v.place)
    engine.run()
    del engine, arrivals, site  # free the engine's inputs before the table is built
    attempts.release()
    release_freed_memory(len(visits.outcome))
    return attempt_table(network, replication, v, attempts, _records(visits), site_of_place)


def _records(visits: Visits) -> dict[str, np.ndarray]:
    """The records as columns (views), with the engine's inputs of them released."""
    rec = as_arrays(visits)
    visits.service = visits.deadline = typed(())
    return rec


def attempt_table(
    network: Network,
    replication: int,
    v: VisitorInputs,
    attempts: ReturnAttempts,
    rec: dict[str, np.ndarray],
    site_of_place: np.ndarray,
) -> pd.DataFrame:
    """The visit table with return visits: one row per attempt, with ``need`` and ``attempt``.

    Rows ``0 .. n-1`` are the first attempts (as without returns); later attempts follow in
    the order they were created. ``need_min`` is the minute the attempt's need arose (for a
    return: failure + delay); ``counted`` follows the need's first attempt.
    """
    log = attempts.log
    need = np.concatenate(
        [np.arange(len(v.need), dtype=np.int64), np.array(log.need, dtype=np.int64)]
    )
    place = np.concatenate([v.place, np.array(log.place, dtype=np.int64)])
    merged = VisitorInputs(
        area=v.area[need],
        errand=v.errand[need],
        need=np.concatenate([v.need, np.array(log.need_min, dtype=float)]),
        service=np.empty(0),
        patience=np.empty(0),
        place=place,
        arrival=np.concatenate([v.arrival, np.array(log.arrival, dtype=float)]),
        travel=np.concatenate([v.travel, np.array(log.travel, dtype=float)]),
        deferral_days=np.concatenate([v.deferral_days, np.array(log.deferral_days, dtype=float)]),
        declined=np.concatenate([v.declined, np.array(log.declined, dtype=bool)]),
    )
    table = visit_table(network, replication, merged, site_of_place[place], rec)
    table.insert(2, "need", need)
    table.insert(
        3,
        "attempt",
        np.concatenate(
            [np.ones(len(v.need), dtype=np.int64), np.array(log.attempt, dtype=np.int64)]
        ),
    )
    table["counted"] = v.need[need] >= network.scenario.calendar.warmup_min
    return table


def site_spec(network: Network, k: int) -> SiteSpec:
    """The engine's view of site ``k``."""
    site = network.scenario.sites[k]
    limits = [
        x
        for x in (site.queue_capacity, network.scenario.behaviour.balk_queue_length)
        if x is not None
    ]
    return SiteSpec(
        counters=site.counters,
        limit=min(limits) if limits else None,
        turn_away=site.closing == "turn_away",
        starts=network.site_starts[k].tolist(),
        ends=network.site_ends[k].tolist(),
        staffing=staffing_changes(network.staffing(k)),
    )


def staffing_changes(
    segments: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
) -> tuple[tuple[float, int], ...]:
    """The engine's staffing: ``(minute, counters)`` at each change, the first at the first opening.

    Empty without a ``staffing`` key (the count is ``counters`` throughout). Between windows
    the count staffed at closing stays (it serves the remaining queue under ``serve_queue``).
    """
    if segments is None or len(segments[0]) == 0:
        return ()
    changes: list[tuple[float, int]] = []
    for t, n in zip(segments[0].tolist(), segments[2].tolist(), strict=True):
        if not changes or changes[-1][1] != n:
            changes.append((t, int(n)))
    return tuple(changes)


def visit_table(
    network: Network,
    replication: int,
    v: VisitorInputs,
    site: np.ndarray,
    rec: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Assemble the tidy visit table from visitor inputs and engine records."""
    scenario = network.scenario
    n = len(v.need)
    outcome = rec["outcome"]
    started = ~np.isnan(rec["start_min"])
    joined = ~np.isnan(rec["leave_min"]) & (outcome != BALKED)
    wait = np.full(n, np.nan)
    wait[started] = rec["start_min"][started] - v.arrival[started]
    wait[joined] = rec["leave_min"][joined] - v.arrival[joined]
    wait[outcome == BALKED] = 0.0
    service = rec["end_min"] - rec["start_min"]
    site_names = [s.id for s in scenario.sites]
    return pd.DataFrame(
        {
            "replication": np.full(n, replication, dtype=np.int32),
            "visitor": np.arange(n, dtype=np.int64),
            "area": pd.Categorical.from_codes(v.area, [a.id for a in scenario.areas]),
            "errand": pd.Categorical.from_codes(v.errand, [e.id for e in scenario.errands]),
            "need_min": v.need,
            "site": pd.Categorical.from_codes(site, site_names),
            "place": pd.Categorical.from_codes(v.place, [p.id for p in network.places]),
            "arrival_min": np.where(v.place >= 0, v.arrival, np.nan),
            "start_min": rec["start_min"],
            "end_min": rec["end_min"],
            "leave_min": rec["leave_min"],
            "wait_min": wait,
            "service_min": service,
            "travel_min": v.travel,
            "deferral_days": v.deferral_days,
            "queue_on_arrival": rec["queue_on_arrival"],  # NaN for those who never arrived
            "outcome": pd.Categorical.from_codes(outcome, list(OUTCOMES)),  # int8 codes as kept
            "counted": v.need >= scenario.calendar.warmup_min,
        },
        copy=False,  # the columns are fresh arrays: do not hold a second copy of a national table
    )
