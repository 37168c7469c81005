"""Arrival times inside a window, with the window's hour-weight CDF cached by weekly shape.

:func:`simulation.engine.choice.window_arrival` builds the CDF of a window's hour weights (a
dozen numpy calls) for every group of deferred arrivals; a national year has ~200,000 such
groups, most of them a handful of return attempts. A window's CDF depends only on the area's
profile, the weekday and the window's minutes within its day: windows at whole minutes one
or more days apart have the same segment lengths and weights, and edges that differ by a
whole number of days, all exact in floating point. :func:`window_arrival_cached` keeps that
shape and, for a few arrivals, places each by the same operations as ``window_arrival`` in
Python floats (IEEE arithmetic as numpy's); the times are the same bit for bit
(``tests/property/test_window_cdf.py``).
"""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np

from simulation.engine.choice import window_arrival

_DAY = 1440.0
_CACHE_MAX = 32768  # shapes kept (a few hundred bytes each); cleared when full
_SMALL = 16  # up to this many arrivals, placed one by one in Python floats
_cache: dict[tuple[int, int, float, float], tuple[object, list[float], list[float], list[float]]]
_cache = {}


def _shape(
    start: float, end: float, profile: np.ndarray, first_weekday: int
) -> tuple[list[float], list[float], list[float]]:
    """Edges (relative to the window's day), segment lengths and CDF, as in ``window_arrival``."""
    day = math.floor(start / _DAY)
    weekday = (first_weekday + day) % 7
    s0, e0 = start - day * _DAY, end - day * _DAY
    key = (id(profile), weekday, s0, e0)
    hit = _cache.get(key)
    if hit is not None and hit[0] is profile:
        return hit[1], hit[2], hit[3]
    # the same operations as window_arrival, on the window moved to day 0 of its weekday
    edges = np.concatenate(([s0], np.arange(np.floor(s0 / 60) + 1, np.ceil(e0 / 60)) * 60.0, [e0]))
    edges = np.unique(edges)
    hours = np.floor(edges[:-1] / 60).astype(np.int64)
    weight = profile[(weekday + hours // 24) % 7, hours % 24]
    length = np.diff(edges)
    mass = weight * length
    if mass.sum() <= 0:
        mass = length
    cdf = np.concatenate(([0.0], np.cumsum(mass) / mass.sum()))
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    value = (profile, edges.tolist(), length.tolist(), cdf.tolist())
    _cache[key] = value
    return value[1], value[2], value[3]


def window_arrival_cached(
    start: float, end: float, profile: np.ndarray, first_weekday: int, u: np.ndarray
) -> np.ndarray:
    """:func:`~simulation.engine.choice.window_arrival`, with the window's shape cached.

    Windows not at whole minutes are computed directly (their shift by days is not exact).
    """
    if not (float(start).is_integer() and float(end).is_integer()) or end <= start:
        return window_arrival(start, end, profile, first_weekday, u)
    rel_edges, length, cdf = _shape(start, end, profile, first_weekday)
    shift = math.floor(start / _DAY) * _DAY
    last = len(length) - 1
    cap = float(np.nextafter(end, start))
    if len(u) <= _SMALL:
        out = []
        for x in u.tolist():
            seg = min(max(bisect_right(cdf, x) - 1, 0), last)
            lo, hi = cdf[seg], cdf[seg + 1]
            frac = (x - lo) / (hi - lo if hi > lo else 1.0)
            t = (rel_edges[seg] + shift) + min(max(frac, 0.0), 1.0) * length[seg]
            out.append(min(t, cap))
        return np.array(out, dtype=float)
    edges = np.array(rel_edges) + shift
    c = np.array(cdf)
    lengths = np.array(length)
    segs = np.clip(np.searchsorted(c, u, side="right") - 1, 0, last)
    fracs = (u - c[segs]) / np.where(c[segs + 1] > c[segs], c[segs + 1] - c[segs], 1.0)
    times = edges[segs] + np.clip(fracs, 0.0, 1.0) * lengths[segs]
    return np.minimum(times, np.nextafter(end, start))
