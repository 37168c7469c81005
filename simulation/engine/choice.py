"""Where and when a visitor goes: generalised cost over places and days.

For each place that serves the errand and lies within reach, only the place's first open
window the visitor can still reach matters, because later windows at the same place cost
more delay. Its cost is ``travel minutes + delay_minutes_per_day * days deferred``
(+ ``queue_weight * expected_wait_minutes`` of the site, when set). Options beyond
``max_deferral_days`` do not count. The visitor takes the cheapest option (ties: the place
listed first) or, under the logit rule, draws one with probability proportional to
``exp(-cost / scale)``. With distance decay, the need is acted on only with a probability
that falls with the best option's cost; otherwise it is ``declined``.

If the visitor can reach the place while it is open, it arrives after travelling;
otherwise it arrives during the chosen window, spread over it following the area's hour
weights restricted to the window (uniformly if they are all zero there). A window open across
midnight is spread over its part before the first midnight, so a deferred visitor arrives on
the day its deferral counts (docs/model.md, section 7).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.engine.network import Network


@dataclass(frozen=True)
class Choices:
    """Each need's chosen place (-1 for none), arrival time, travel and deferral.

    ``declined`` marks needs that had an option but were not acted on (distance decay).
    """

    place: np.ndarray
    arrival: np.ndarray
    travel: np.ndarray
    deferral_days: np.ndarray
    declined: np.ndarray


def act_probability(cost: np.ndarray, form: str, scale: float) -> np.ndarray:
    """Chance that a need is acted on, given the generalised cost of its best option."""
    x = cost / scale
    return np.exp(-x) if form == "exponential" else np.exp(-0.5 * x * x)


def choose(
    network: Network,
    area: int,
    need: np.ndarray,
    errand: np.ndarray,
    u_arrival: np.ndarray,
    u_choice: np.ndarray | None = None,
    u_decay: np.ndarray | None = None,
) -> Choices:
    """Choose a place and arrival time for each need of one area.

    Parameters
    ----------
    network
        The compiled scenario.
    area
        Index of the area the needs come from.
    need, errand
        Need times (minutes) and errand indices.
    u_arrival
        One uniform number per need, to place deferred arrivals within their window.
    u_choice
        One uniform number per need, for the logit rule (unused by ``least_cost``).
    u_decay
        One uniform number per need, for distance decay (unused without decay).
    """
    n = len(need)
    behaviour = network.scenario.behaviour
    rule = behaviour.choice
    sites = network.scenario.sites
    need_day = np.floor(need / 1440.0)
    options: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for p in network.reachable[area].tolist():  # only places within reach that have windows
        place = network.places[p]
        travel = network.travel[area, p]
        ok = network.serves[place.site][errand]
        reach = need + travel
        k = np.searchsorted(place.ends, reach, side="right")
        valid = ok & (k < len(place.ends))
        kk = np.minimum(k, len(place.ends) - 1)
        immediate = place.starts[kk] <= reach
        when = np.where(immediate, reach, place.starts[kk])
        defer = np.floor(when / 1440.0) - need_day
        valid &= defer <= behaviour.max_deferral_days
        cost = travel + behaviour.delay_minutes_per_day * defer
        if rule.queue_weight:
            cost = cost + rule.queue_weight * sites[place.site].expected_wait_minutes
        cost = np.where(valid, cost, np.inf)
        options.append((p, cost, immediate, kk, defer))

    best_place = np.full(n, -1, dtype=np.int64)
    best_cost = np.full(n, np.inf)
    pick = np.full(n, -1, dtype=np.int64)  # index into options
    if options:
        costs = np.stack([o[1] for o in options], axis=1)
        best_cost = costs.min(axis=1)
        has = np.isfinite(best_cost)
        if rule.rule == "logit" and u_choice is not None:
            shift = np.where(np.isfinite(best_cost), best_cost, 0.0)[:, None]
            weight = np.where(
                np.isfinite(costs),
                np.exp(-(np.where(np.isfinite(costs), costs, 0.0) - shift) / rule.scale),
                0.0,
            )
            cdf = np.cumsum(weight, axis=1)
            total = cdf[:, -1:]
            total[total == 0] = 1.0
            pick = np.minimum((cdf / total < u_choice[:, None]).sum(axis=1), len(options) - 1)
        else:
            pick = costs.argmin(axis=1)  # first minimum: ties go to the site listed first
        pick = np.where(has, pick, -1)
        best_place = np.where(has, np.array([o[0] for o in options])[np.maximum(pick, 0)], -1)

    declined = np.zeros(n, dtype=bool)
    if behaviour.decay is not None and u_decay is not None:
        has = best_place >= 0
        act = act_probability(best_cost, behaviour.decay.form, behaviour.decay.scale)
        declined = has & (u_decay >= act)
        best_place = np.where(declined, -1, best_place)
        pick = np.where(declined, -1, pick)

    arrival = np.full(n, np.nan)
    deferral = np.full(n, np.nan)
    window = np.full(n, -1, dtype=np.int64)
    for j, (p, _, immediate, kk, defer) in enumerate(options):
        rows = np.flatnonzero(pick == j)
        if len(rows) == 0:
            continue
        travel = network.travel[area, p]
        arrival[rows] = np.where(immediate[rows], need[rows] + travel, np.nan)
        window[rows] = np.where(immediate[rows], -1, kk[rows])
        deferral[rows] = defer[rows]
    deferred = np.flatnonzero(window >= 0)
    if len(deferred):
        arrival[deferred] = _arrive_in_windows(
            network, area, best_place[deferred], window[deferred], u_arrival[deferred]
        )
    travel = np.full(n, np.nan)
    chosen = best_place >= 0
    travel[chosen] = network.travel[area, best_place[chosen]]
    return Choices(best_place, arrival, travel, deferral, declined)


def _arrive_in_windows(
    network: Network, area: int, place: np.ndarray, window: np.ndarray, u: np.ndarray
) -> np.ndarray:
    from simulation.engine.window_cdf import window_arrival_cached  # (it builds on this module)

    profile = network.profiles[area]
    first = network.scenario.calendar.first_weekday
    out = np.empty(len(place))
    key = place * (1 << 32) + window
    for value in np.unique(key):
        rows = np.flatnonzero(key == value)
        p, w = int(value >> 32), int(value & 0xFFFFFFFF)
        start = float(network.places[p].starts[w])
        # a window open across midnight: arrive on its first day, the day deferral counts, so
        # arrival day - need day = deferral days (docs/model.md, section 7)
        end = min(float(network.places[p].ends[w]), (start // 1440.0 + 1.0) * 1440.0)
        out[rows] = window_arrival_cached(start, end, profile, first, u[rows])
    return out


def window_arrival(
    start: float, end: float, profile: np.ndarray, first_weekday: int, u: np.ndarray
) -> np.ndarray:
    """Arrival times in ``[start, end)`` following hour weights, by inverting their CDF.

    Parameters
    ----------
    start, end
        The window in minutes since the start of the run.
    profile
        ``(7, 24)`` weekly multipliers of the visitor's area.
    first_weekday
        Weekday of day 0 (0 = Monday).
    u
        Uniform numbers in [0, 1), one per arrival.
    """
    edges = np.concatenate(
        ([start], np.arange(np.floor(start / 60) + 1, np.ceil(end / 60)) * 60.0, [end])
    )
    edges = np.unique(edges)
    hours = np.floor(edges[:-1] / 60).astype(np.int64)
    weight = profile[(first_weekday + hours // 24) % 7, hours % 24]
    length = np.diff(edges)
    mass = weight * length
    if mass.sum() <= 0:
        mass = length
    cdf = np.concatenate(([0.0], np.cumsum(mass) / mass.sum()))
    seg = np.clip(np.searchsorted(cdf, u, side="right") - 1, 0, len(length) - 1)
    frac = (u - cdf[seg]) / np.where(cdf[seg + 1] > cdf[seg], cdf[seg + 1] - cdf[seg], 1.0)
    t = edges[seg] + np.clip(frac, 0.0, 1.0) * length[seg]
    return np.minimum(t, np.nextafter(end, start))
