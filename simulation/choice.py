"""Where and when a visitor goes: the least generalised cost over places and days.

For each place that serves the errand and lies within reach, only the place's first open
window the visitor can still reach matters, because later windows at the same place cost
more delay. Its cost is ``travel minutes + delay_minutes_per_day * days deferred``. The
visitor takes the cheapest option within ``max_deferral_days`` (ties: the place listed
first). If it can reach the place while it is open, it arrives after travelling; otherwise
it arrives during the chosen window, spread over it following the area's hour weights
restricted to the window (uniformly if they are all zero there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.network import Network


@dataclass(frozen=True)
class Choices:
    """Each need's chosen place (-1 for none), arrival time, travel and deferral."""

    place: np.ndarray
    arrival: np.ndarray
    travel: np.ndarray
    deferral_days: np.ndarray


def choose(
    network: Network, area: int, need: np.ndarray, errand: np.ndarray, u_arrival: np.ndarray
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
        One uniform number per need, used to place deferred arrivals within their window.
    """
    n = len(need)
    behaviour = network.scenario.behaviour
    best_cost = np.full(n, np.inf)
    best_place = np.full(n, -1, dtype=np.int64)
    best_arrival = np.full(n, np.nan)
    best_window = np.full(n, -1, dtype=np.int64)
    best_defer = np.full(n, np.nan)
    need_day = np.floor(need / 1440.0)
    for p, place in enumerate(network.places):
        travel = network.travel[area, p]
        if not np.isfinite(travel) or len(place.ends) == 0:
            continue
        ok = network.serves[place.site][errand]
        reach = need + travel
        k = np.searchsorted(place.ends, reach, side="right")
        valid = ok & (k < len(place.ends))
        kk = np.minimum(k, len(place.ends) - 1)
        opens = place.starts[kk]
        immediate = opens <= reach
        when = np.where(immediate, reach, opens)
        defer = np.floor(when / 1440.0) - need_day
        valid &= defer <= behaviour.max_deferral_days
        cost = travel + behaviour.delay_minutes_per_day * defer
        better = valid & (cost < best_cost)
        best_cost[better] = cost[better]
        best_place[better] = p
        best_arrival[better] = np.where(immediate, reach, np.nan)[better]
        best_window[better] = np.where(immediate, -1, kk)[better]
        best_defer[better] = defer[better]

    deferred = np.flatnonzero(best_window >= 0)
    if len(deferred):
        best_arrival[deferred] = _arrive_in_windows(
            network, area, best_place[deferred], best_window[deferred], u_arrival[deferred]
        )
    travel = np.full(n, np.nan)
    chosen = best_place >= 0
    travel[chosen] = network.travel[area, best_place[chosen]]
    return Choices(best_place, best_arrival, travel, best_defer)


def _arrive_in_windows(
    network: Network, area: int, place: np.ndarray, window: np.ndarray, u: np.ndarray
) -> np.ndarray:
    profile = network.profiles[area]
    first = network.scenario.calendar.first_weekday
    out = np.empty(len(place))
    key = place * (1 << 32) + window
    for value in np.unique(key):
        rows = np.flatnonzero(key == value)
        p, w = int(value >> 32), int(value & 0xFFFFFFFF)
        start = float(network.places[p].starts[w])
        end = float(network.places[p].ends[w])
        out[rows] = window_arrival(start, end, profile, first, u[rows])
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
    edges = np.concatenate(([start], np.arange(np.floor(start / 60) + 1, np.ceil(end / 60)) * 60.0, [end]))
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
