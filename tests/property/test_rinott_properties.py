"""Invariants of Rinott's first stage and the selection of the best regions."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.pilot.rinott import first_stage, select_best

means = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=3, max_size=12)


@given(means, st.sampled_from([1, 2]))
def test_select_best_returns_the_t_largest_means(values, t):
    chosen = select_best(values, t)
    assert len(set(chosen)) == t
    rest = [v for i, v in enumerate(values) if i not in chosen]
    assert min(values[i] for i in chosen) >= max(rest)
    assert [values[i] for i in chosen] == sorted((values[i] for i in chosen), reverse=True)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0.1, 100.0), min_size=3, max_size=6),
    st.integers(4, 12),
    st.floats(0.5, 50.0),
    st.sampled_from([1, 2]),
)
def test_totals_cover_the_first_stage_and_grow_with_the_variance(scales, n0, delta, t):
    rng = np.random.default_rng(len(scales) * 100 + n0)
    samples = [rng.normal(0.0, s, n0) for s in scales]
    stage = first_stage(samples, delta, 0.9, t)
    for n, v in zip(stage.totals, stage.variances, strict=True):
        assert n >= n0
        assert n >= (stage.h * math.sqrt(v) / delta) ** 2 - 1e-6  # N_i ≥ (h S_i / δ)²
    order = np.argsort(stage.variances)
    assert list(np.array(stage.totals)[order]) == sorted(stage.totals)
