"""Scalar draws of return attempts equal ``sample(rng, 1)`` (value and generator state after)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from simulation.engine.draws import scalar_draw
from simulation.scenario.distributions import Distribution

DISTRIBUTIONS = [
    {"dist": "exponential", "mean": 3.7},
    {"dist": "lognormal", "median": 30, "cv": 0.8},
    {"dist": "lognormal", "mean": 12, "cv": 1.9},
    {"dist": "gamma", "mean": 2, "cv": 0.8},
    {"dist": "gamma", "mean": 7, "cv": 2.5},  # shape below 1: another gamma branch
    {"dist": "uniform", "low": 1, "high": 4},
    {"dist": "deterministic", "value": 5},
    {"dist": "empirical", "values": [1, 2.5, 9]},
]


@given(spec=st.sampled_from(DISTRIBUTIONS), seed=st.integers(0, 2**63), skip=st.integers(0, 5))
def test_scalar_draw_equals_sample(spec, seed, skip) -> None:
    dist = TypeAdapter(Distribution).validate_python(spec)
    ours, ref = np.random.default_rng(seed), np.random.default_rng(seed)
    ours.random(skip), ref.random(skip)
    draw = scalar_draw(dist)
    for _ in range(3):
        value = draw(ours)
        assert isinstance(value, float)
        assert value == float(dist.sample(ref, 1)[0])
    assert ours.bit_generator.state == ref.bit_generator.state
