"""Choice for a batch of needs from many areas at once, equal to :func:`choice.choose` per area.

Return attempts choose in batches while the run goes on (``returns.ReturnAttempts._flush``):
a few needs from each of many areas. Calling :func:`~simulation.engine.choice.choose` per area
costs a dozen numpy calls per reachable place of each area, whatever the number of needs,
which made choice the largest cost of a national year with returns. Here every (need, reachable
place) pair is one element of flat arrays: one pass of elementwise arithmetic for all pairs and
one ``searchsorted`` per place. Every value is computed by the same floating-point operations
as in ``choose`` (elementwise, in the same order), so the choices are identical
(``tests/property/test_choice_batch.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.engine.choice import Choices, act_probability
from simulation.engine.network import Network
from simulation.engine.window_cdf import window_arrival_cached


@dataclass(frozen=True)
class PlaceTables:
    """A network's places as flat arrays (built once per run).

    Attributes
    ----------
    site
        Site of each place.
    offset, count
        Where each place's windows begin in ``starts``/``ends``, and how many it has.
    starts, ends
        Every place's windows, concatenated in place order.
    reach_count
        Per area, the number of places it can reach.
    """

    site: np.ndarray
    offset: np.ndarray
    count: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    reach_count: np.ndarray

    @classmethod
    def of(cls, network: Network) -> PlaceTables:
        """The tables of ``network``."""
        places = network.places
        count = np.array([len(p.ends) for p in places], dtype=np.int64)
        offset = np.concatenate(([0], np.cumsum(count)[:-1])).astype(np.int64)
        empty = np.empty(0)
        return cls(
            site=np.array([p.site for p in places], dtype=np.int64),
            offset=offset,
            count=count,
            starts=np.concatenate([p.starts for p in places] or [empty]).astype(float),
            ends=np.concatenate([p.ends for p in places] or [empty]).astype(float),
            reach_count=np.array([len(r) for r in network.reachable], dtype=np.int64),
        )


def choose_batch(
    network: Network,
    tables: PlaceTables,
    area: np.ndarray,
    need: np.ndarray,
    errand: np.ndarray,
    u_arrival: np.ndarray,
    u_choice: np.ndarray,
    u_decay: np.ndarray,
) -> Choices:
    """Choose for needs of several areas: row ``r`` as ``choose`` would for its ``area[r]``.

    Parameters
    ----------
    network
        The compiled scenario.
    tables
        ``PlaceTables.of(network)``.
    area
        Area index of each need.
    need, errand, u_arrival, u_choice, u_decay
        As in :func:`~simulation.engine.choice.choose`, one per need.
    """
    n = len(need)
    behaviour = network.scenario.behaviour
    rule = behaviour.choice
    area = np.asarray(area, dtype=np.int64)
    need_day = np.floor(need / 1440.0)
    counts = tables.reach_count[area]
    width = int(counts.max()) if n else 0
    # the pairs: row r with column c < counts[r], the c-th place its area reaches
    row = np.repeat(np.arange(n), counts)
    first = np.cumsum(counts) - counts
    col = np.arange(len(row)) - np.repeat(first, counts)
    if len(row):
        reachable = network.reachable
        place = np.concatenate([reachable[a] for a in area.tolist()]).astype(np.int64)
    else:
        place = np.empty(0, dtype=np.int64)
    travel = network.travel[area[row], place]
    ok = network.serves[tables.site[place], errand[row]]
    reach = need[row] + travel
    k = np.empty(len(row), dtype=np.int64)
    order = np.argsort(place, kind="stable")
    bounds = np.flatnonzero(np.diff(place[order])) + 1
    for idx in np.split(order, bounds) if len(order) else ():
        p = int(place[idx[0]])
        lo = int(tables.offset[p])
        k[idx] = np.searchsorted(tables.ends[lo : lo + tables.count[p]], reach[idx], side="right")
    nends = tables.count[place]
    valid = ok & (k < nends)
    kk = np.minimum(k, nends - 1)
    start = tables.starts[tables.offset[place] + kk]
    immediate = start <= reach
    when = np.where(immediate, reach, start)
    defer = np.floor(when / 1440.0) - need_day[row]
    valid &= defer <= behaviour.max_deferral_days
    cost = travel + behaviour.delay_minutes_per_day * defer
    if rule.queue_weight:
        wait = np.array([s.expected_wait_minutes for s in network.scenario.sites], dtype=float)
        cost = cost + rule.queue_weight * wait[tables.site[place]]
    cost = np.where(valid, cost, np.inf)

    best_place = np.full(n, -1, dtype=np.int64)
    best_cost = np.full(n, np.inf)
    pick = np.full(n, -1, dtype=np.int64)  # column of the chosen option
    if width:
        costs = np.full((n, width), np.inf)
        costs[row, col] = cost
        best_cost = costs.min(axis=1)
        has = np.isfinite(best_cost)
        if rule.rule == "logit":
            shift = np.where(np.isfinite(best_cost), best_cost, 0.0)[:, None]
            weight = np.where(
                np.isfinite(costs),
                np.exp(-(np.where(np.isfinite(costs), costs, 0.0) - shift) / rule.scale),
                0.0,
            )
            cdf = np.cumsum(weight, axis=1)
            total = cdf[:, -1:]
            total[total == 0] = 1.0
            pick = np.minimum((cdf / total < u_choice[:, None]).sum(axis=1), counts - 1)
        else:
            pick = costs.argmin(axis=1)  # first minimum: ties go to the place listed first
        pick = np.where(has, pick, -1)
        places = np.full((n, width), -1, dtype=np.int64)
        places[row, col] = place
        best_place = np.where(has, places[np.arange(n), np.maximum(pick, 0)], -1)

    declined = np.zeros(n, dtype=bool)
    if behaviour.decay is not None:
        has = best_place >= 0
        act = act_probability(best_cost, behaviour.decay.form, behaviour.decay.scale)
        declined = has & (u_decay >= act)
        best_place = np.where(declined, -1, best_place)
        pick = np.where(declined, -1, pick)

    arrival = np.full(n, np.nan)
    deferral = np.full(n, np.nan)
    window = np.full(n, -1, dtype=np.int64)
    chosen_pair = np.flatnonzero(pick[row] == col)  # one pair per row that chose
    r = row[chosen_pair]
    arrival[r] = np.where(immediate[chosen_pair], reach[chosen_pair], np.nan)
    window[r] = np.where(immediate[chosen_pair], -1, kk[chosen_pair])
    deferral[r] = defer[chosen_pair]
    deferred = np.flatnonzero(window >= 0)
    if len(deferred):
        arrival[deferred] = _arrive_in_windows(
            network, area[deferred], best_place[deferred], window[deferred], u_arrival[deferred]
        )
    travel_out = np.full(n, np.nan)
    chosen = best_place >= 0
    travel_out[chosen] = network.travel[area[chosen], best_place[chosen]]
    return Choices(best_place, arrival, travel_out, deferral, declined)


def _arrive_in_windows(
    network: Network, area: np.ndarray, place: np.ndarray, window: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """``choice._arrive_in_windows`` for rows of several areas (grouped by area, place, window)."""
    first = network.scenario.calendar.first_weekday
    out = np.empty(len(place))
    keys = np.stack([area, place, window], axis=1)
    groups, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    for g, (a, p, w) in enumerate(groups.tolist()):
        rows = np.flatnonzero(inverse == g)
        start = float(network.places[p].starts[w])
        end = min(float(network.places[p].ends[w]), (start // 1440.0 + 1.0) * 1440.0)
        out[rows] = window_arrival_cached(start, end, network.profiles[a], first, u[rows])
    return out
