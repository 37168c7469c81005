"""Named random streams: the same name gives the same draws, independent of creation
order, and adding areas or sites leaves every other area's draws unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import simulation
from simulation.engine.network import compile_network
from simulation.engine.replication import draw_visitors
from simulation.engine.streams import Streams, stream
from simulation.scenario.loading import load_scenario
from tests.conftest import EXAMPLES


def test_same_name_same_draws():
    a = stream(11, 3, "needs/skaggetorp").random(50)
    b = stream(11, 3, "needs/skaggetorp").random(50)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(Streams(11, 3)("needs", "skaggetorp").random(50), a)


@pytest.mark.parametrize(
    "other",
    [
        (12, 3, "needs/skaggetorp"),
        (11, 4, "needs/skaggetorp"),
        (11, 3, "needs/linkoping-rest"),
        (11, 3, "errand/skaggetorp"),
    ],
)
def test_different_seed_rep_or_name_differ(other):
    a = stream(11, 3, "needs/skaggetorp").random(20)
    b = stream(*other).random(20)
    assert not np.any(a == b)


def test_stream_independent_of_creation_order():
    s = Streams(5, 0)
    first = s("x").random(10)
    s("y").random(1000)
    np.testing.assert_array_equal(Streams(5, 0)("x").random(10), first)


def two_areas_doc() -> dict[str, Any]:
    return load_scenario(EXAMPLES / "two-areas.yaml").to_dict()


def by_area(network, streams, area_id):
    """The rows of one area from draw_visitors, keyed by (need time)."""
    v = draw_visitors(network, streams)
    a = [x.id for x in network.scenario.areas].index(area_id)
    rows = v.area == a
    return {
        name: getattr(v, name)[rows]
        for name in ("need", "errand", "service", "patience", "arrival", "travel", "deferral_days")
    }


def test_adding_an_area_leaves_other_areas_unchanged():
    doc = two_areas_doc()
    bigger = copy.deepcopy(doc)
    new_area = copy.deepcopy(doc["areas"][0])
    new_area.update(id="ryd", name="Ryd", location={"lat": 58.40, "lon": 15.57})
    bigger["areas"].insert(0, new_area)  # shifts every other area's index
    small_net = compile_network(load_scenario(doc))
    big_net = compile_network(load_scenario(bigger))
    for area_id in ("skaggetorp", "linkoping-rest"):
        before = by_area(small_net, Streams(1, 2), area_id)
        after = by_area(big_net, Streams(1, 2), area_id)
        assert len(before["need"]) > 100
        for name in before:
            np.testing.assert_array_equal(before[name], after[name], err_msg=f"{area_id} {name}")
    # the new area does add needs
    assert len(by_area(big_net, Streams(1, 2), "ryd")["need"]) > 100


def test_adding_a_site_leaves_needs_errands_and_service_unchanged():
    doc = two_areas_doc()
    more = copy.deepcopy(doc)
    extra = copy.deepcopy(doc["sites"][0])
    extra.update(id="ryd-office", location={"lat": 58.40, "lon": 15.57}, counters=1)
    more["sites"].insert(0, extra)
    one = compile_network(load_scenario(doc))
    two = compile_network(load_scenario(more))
    for area_id in ("skaggetorp", "linkoping-rest"):
        before = by_area(one, Streams(0, 0), area_id)
        after = by_area(two, Streams(0, 0), area_id)
        for name in ("need", "errand", "service", "patience"):
            np.testing.assert_array_equal(before[name], after[name], err_msg=f"{area_id} {name}")


def test_replications_differ_and_repeat():
    network = compile_network(load_scenario(EXAMPLES / "two-areas.yaml"))
    a = draw_visitors(network, Streams(1, 0))
    b = draw_visitors(network, Streams(1, 0))
    c = draw_visitors(network, Streams(1, 1))
    np.testing.assert_array_equal(a.need, b.need)
    np.testing.assert_array_equal(a.service, b.service)
    assert len(a.need) != len(c.need) or not np.array_equal(a.need, c.need)


def test_run_is_reproducible():
    one = simulation.run(EXAMPLES / "two-areas.yaml", replications=1, seed=9).visits
    two = simulation.run(EXAMPLES / "two-areas.yaml", replications=1, seed=9).visits
    assert one.equals(two)
