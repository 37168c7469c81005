"""Return visits on random valid scenarios (docs/model.md section 13).

Invariants: attempts of a need are numbered 1..K with K <= max_attempts; attempt k+1 exists only
after attempt k ended in a listed outcome, and its need arises after that attempt ended; every
need has exactly one final outcome; the first attempts are the needs of the run without returns
(conservation of needs), and the KPIs count each need once.
"""

from __future__ import annotations

import copy
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import simulation
from simulation.scenario.outcomes import UNSERVED
from tests.property.hypothesis_settings import fewer
from tests.strategies import scenarios

REASONS = ["reneged", "balked", "closed", "no_option", "declined"]


@st.composite
def with_returns(draw: st.DrawFn) -> dict:
    doc = copy.deepcopy(draw(scenarios(max_needs=300.0, counters=(1, 2), limits="some")))
    after = draw(st.lists(st.sampled_from(REASONS), min_size=1, max_size=5, unique=True))
    unit = draw(st.sampled_from(["delay_days", "delay_minutes"]))
    mean = draw(st.sampled_from([0.5, 1.0, 2.0] if unit == "delay_days" else [5.0, 30.0, 240.0]))
    delay = draw(
        st.sampled_from(
            [
                {"dist": "exponential", "mean": mean},
                {"dist": "gamma", "mean": mean, "cv": 0.8},
                {"dist": "deterministic", "value": mean},
            ]
        )
    )
    doc["behaviour"]["returns"] = {
        "after": after,
        "probability": draw(st.sampled_from([0.0, 0.5, 0.9, 1.0])),
        unit: delay,
        "max_attempts": draw(st.sampled_from([1, 2, 3, 5, None])),
    }
    return doc


@fewer(0.5)
@given(with_returns())
def test_attempts_follow_listed_failures_and_each_need_ends_once(doc):
    spec = doc["behaviour"]["returns"]
    result = simulation.run(doc, replications=1, check_invariants=True, progress=False)
    v = result.visits
    limit = spec["max_attempts"] or math.inf
    assert (v["attempt"] >= 1).all() and (v["attempt"] <= limit).all()
    assert (v.loc[v["attempt"] == 1, "need"] == v.loc[v["attempt"] == 1, "visitor"]).all()
    end = np.where(
        v["outcome"].isin(["no_option", "declined"]).to_numpy(),
        v["need_min"].to_numpy(),
        v["leave_min"].to_numpy(),
    )
    ended = dict(
        zip(
            zip(v["need"], v["attempt"], strict=True),
            zip(v["outcome"], end, strict=True),
            strict=True,
        )
    )
    for need, attempt, need_min in zip(v["need"], v["attempt"], v["need_min"], strict=True):
        if attempt == 1:
            continue
        outcome, finished = ended[(need, attempt - 1)]  # attempts are numbered without gaps
        assert outcome in spec["after"], (need, attempt, outcome)
        assert need_min >= finished, (need, attempt, need_min, finished)
    # exactly one final outcome per need: the last attempt; earlier ones are listed failures
    last = v.groupby("need")["attempt"].transform("max").to_numpy() == v["attempt"].to_numpy()
    assert v.loc[last, "need"].is_unique
    assert v.loc[~last, "outcome"].isin(spec["after"]).all()
    if spec["probability"] == 0 or spec["max_attempts"] == 1:
        assert (v["attempt"] == 1).all()

    # conservation: the first attempts are the needs of the run without returns
    plain = copy.deepcopy(doc)
    del plain["behaviour"]["returns"]
    p = simulation.run(plain, replications=1, progress=False).visits
    first = v[v["attempt"] == 1].reset_index(drop=True)
    assert len(first) == len(p)
    for col in ("need_min", "area", "errand"):
        assert first[col].tolist() == p[col].tolist()
    k = result.kpis
    overall = k[(k["scope"] == "overall") & (k["id"] == "all")].set_index("kpi")["value"]
    counted = v[last & v["counted"].to_numpy()]
    assert overall["needs"] == len(counted) == p["counted"].sum()
    parts = overall["served"] + overall["pending"] + overall["unserved"]
    assert overall["needs"] == parts
    assert overall["unserved"] == sum(overall[f"unserved_{r}"] for r in UNSERVED)
    for reason in UNSERVED:
        assert overall[f"unserved_{reason}"] == (counted["outcome"] == reason).sum()
