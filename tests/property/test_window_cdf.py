"""The cached window arrival equals ``choice.window_arrival`` bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from simulation.engine.choice import window_arrival
from simulation.engine.window_cdf import window_arrival_cached

PROFILES = [np.ones((7, 24)), np.random.default_rng(3).random((7, 24))]
sparse = np.random.default_rng(4).random((7, 24))
sparse[:, :12] = 0.0  # mornings without weight (and a window inside them: uniform)
PROFILES.append(sparse)


@given(
    day=st.integers(0, 400),
    begin=st.one_of(st.integers(0, 1439), st.floats(0, 1439)),
    minutes=st.one_of(st.integers(1, 900), st.floats(0.5, 900)),
    profile=st.integers(0, len(PROFILES) - 1),
    first=st.integers(0, 6),
    n=st.sampled_from([1, 2, 5, 16, 17, 60]),
    seed=st.integers(0, 2**32 - 1),
)
def test_cached_equals_reference(day, begin, minutes, profile, first, n, seed) -> None:
    start = day * 1440.0 + begin
    end = start + minutes
    u = np.random.default_rng(seed).random(n)
    u[0] = 0.0
    prof = PROFILES[profile]
    for _ in range(2):  # the second call hits the cache
        got = window_arrival_cached(start, end, prof, first, u)
        ref = window_arrival(start, end, prof, first, u)
        assert got.dtype == ref.dtype and got.tobytes() == ref.tobytes(), (start, end)


def test_same_shape_days_apart_shares_the_cache() -> None:
    prof = PROFILES[1]
    u = np.array([0.1, 0.5, 0.99])
    a = window_arrival_cached(540.0, 1020.0, prof, 2, u)
    b = window_arrival_cached(540.0 + 7 * 1440.0, 1020.0 + 7 * 1440.0, prof, 2, u)
    assert (b - a == 7 * 1440.0).all()
    assert b.tobytes() == window_arrival(540.0 + 7 * 1440, 1020.0 + 7 * 1440, prof, 2, u).tobytes()
