"""Common random numbers across sites, and streams keyed by name, on random valid scenarios.

Each test states one property that must hold for *every* scenario and seed; the checks are
computed independently from the output tables by the oracle in ``tests/property/oracle.py``.
``docs/testing.md`` lists every invariant with the test that checks it.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import simulation
from simulation.engine.network import compile_network
from simulation.engine.replication import draw_visitors
from simulation.engine.streams import Streams
from simulation.scenario.loading import load_scenario
from tests.property.hypothesis_settings import PROPERTY, fewer
from tests.strategies import other_sites, scenarios


def _visitor_draws(doc, seed: int, rep: int):
    return draw_visitors(compile_network(load_scenario(doc)), Streams(seed, rep))


@fewer(0.5)
@given(st.data())
def test_common_random_numbers_across_sites(data):
    """Other sites (counters, opening hours, mobile schedules, closing) leave every need
    time, area, errand, service time and patience unchanged."""
    doc = data.draw(scenarios(max_needs=300.0))
    alt = copy.deepcopy(doc)
    alt["sites"] = data.draw(other_sites(doc))
    load_scenario(alt)
    seed = doc["seed"]
    for rep in (0, 1):
        a, b = _visitor_draws(doc, seed, rep), _visitor_draws(alt, seed, rep)
        for name in ("need", "area", "errand", "service", "patience"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    va = simulation.run(doc, replications=1).visits
    vb = simulation.run(alt, replications=1).visits
    for col in ("need_min", "area", "errand"):
        pd.testing.assert_series_equal(va[col], vb[col])


@PROPERTY
@given(st.data())
def test_streams_are_keyed_by_name(data):
    """Reordering the areas or adding one leaves every other area's needs, errands, service
    times and patience unchanged (streams are keyed by area id, not by position)."""
    doc = data.draw(scenarios(max_needs=300.0))
    alt = copy.deepcopy(doc)
    alt["areas"] = data.draw(st.permutations(alt["areas"]))
    extra = copy.deepcopy(doc["areas"][0])
    extra.update(id="zz-new", demand={"per_hour": 1.0})
    alt["areas"].insert(data.draw(st.integers(0, len(alt["areas"]))), extra)
    ids_a = [x["id"] for x in doc["areas"]]
    ids_b = [x["id"] for x in alt["areas"]]
    for rep in (0, 1):
        a, b = _visitor_draws(doc, doc["seed"], rep), _visitor_draws(alt, doc["seed"], rep)
        for area in ids_a:
            ma = a.area == ids_a.index(area)
            mb = b.area == ids_b.index(area)
            for name in ("need", "errand", "service", "patience"):
                np.testing.assert_array_equal(
                    getattr(a, name)[ma], getattr(b, name)[mb], err_msg=f"{area} {name}"
                )


@fewer(0.5)
@given(st.data())
def test_more_counters_or_hours_leave_needs_and_errands_alone(data):
    """Changing only counters, opening hours or mobile stop hours leaves the visit table's
    need_min, area and errand columns unchanged."""
    doc = data.draw(scenarios(max_needs=300.0))
    alt = copy.deepcopy(doc)
    for x in alt["sites"]:
        x["counters"] = data.draw(st.integers(1, 5))
        if x["kind"] == "office":
            x["opening_hours"] = data.draw(
                st.sampled_from(
                    [
                        "always",
                        {"mon-fri": ["09:00-17:00"]},
                        {"tue": ["10:00-11:00", "13:00-14:00"]},
                    ]
                )
            )
        else:
            for stop in x["schedule"]:
                stop["hours"] = data.draw(
                    st.sampled_from([["08:00-12:00"], ["10:00-11:00", "14:00-20:00"]])
                )
    va = simulation.run(doc, replications=2).visits
    vb = simulation.run(alt, replications=2).visits
    for col in ("replication", "need_min", "area", "errand"):
        pd.testing.assert_series_equal(va[col], vb[col])
