"""``choose_batch`` (return attempts' choice over many areas at once) equals ``choose`` per area.

The return visits' choice batches (``ReturnAttempts._flush``) rely on it for byte-identical
visit tables: every need gets the place, arrival, travel, deferral and decline that
:func:`simulation.engine.choice.choose` gives it for its own area, under least cost and logit,
with and without distance decay and a queue weight, for offices and a mobile unit's stops.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import numpy as np
import yaml
from hypothesis import given
from hypothesis import strategies as st

from simulation.engine.choice import choose
from simulation.engine.choice_batch import PlaceTables, choose_batch
from simulation.engine.network import compile_network
from simulation.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def document(name: str) -> dict:
    return yaml.safe_load(open(ROOT / name, encoding="utf-8"))


@functools.cache
def network(name: str, rule: str, decay: bool, queue_weight: float):
    doc = copy.deepcopy(document(name))
    doc["calendar"]["days"] = 14
    doc["calendar"]["warmup_days"] = 0
    if "mobile" in name:
        doc["travel"]["max_travel_minutes"] = 12  # areas reach 2 or 3 of the places
    doc["behaviour"]["choice"] = (
        {"rule": "logit", "scale": 10.0, "queue_weight": queue_weight}
        if rule == "logit"
        else {"rule": "least_cost", "queue_weight": queue_weight}
    )
    if decay:
        doc["behaviour"]["decay"] = {"form": "exponential", "scale": 28.0}
    else:
        doc["behaviour"].pop("decay", None)
    for site in doc["sites"]:
        site["expected_wait_minutes"] = 12.0
    compiled = compile_network(load_scenario(doc))
    return compiled, PlaceTables.of(compiled)


CASES = [
    *(
        ("configs/examples/norrkoping-mobile.yaml", rule, decay, weight)
        for rule in ("least_cost", "logit")
        for decay in (False, True)
        for weight in (0.0, 0.5)
    ),
    # 148 offices; areas reach 0 to 18 places
    ("configs/sweden/national-2024.yaml", "least_cost", True, 0.0),
    ("configs/sweden/national-2024.yaml", "logit", True, 0.5),
]


@given(case=st.sampled_from(CASES), seed=st.integers(0, 2**32 - 1), n=st.integers(1, 80))
def test_batch_equals_choose_per_area(case, seed, n) -> None:
    net, tables = network(*case)
    rng = np.random.default_rng(seed)
    areas = rng.integers(0, len(net.scenario.areas), n)
    need = np.round(rng.uniform(0, net.horizon, n), rng.integers(0, 3))  # some whole minutes
    errand = rng.integers(0, len(net.scenario.errands), n)
    u = rng.random((n, 3))
    got = choose_batch(net, tables, areas, need, errand, u[:, 0], u[:, 1], u[:, 2])
    for a in np.unique(areas).tolist():
        rows = np.flatnonzero(areas == a)
        ref = choose(net, a, need[rows], errand[rows], u[rows, 0], u[rows, 1], u[rows, 2])
        for name in ("place", "arrival", "travel", "deferral_days", "declined"):
            ours, theirs = getattr(got, name)[rows], getattr(ref, name)
            assert ours.dtype == theirs.dtype, name
            assert ours.tobytes() == theirs.tobytes(), (name, a, ours, theirs)
