"""Mobile unit schedules: weeks, dates, and the errors of impossible timetables."""

from __future__ import annotations

import pytest

import simulation
from simulation.engine.network import compile_network
from tests.mobile_support import base, with_unit


def test_every_nth_week_and_dates():
    doc = with_unit(
        base(),
        {"area": "a", "days": ["tue"], "every_weeks": 2, "from_week": 1, "hours": ["10:00-11:00"]},
        {"area": "a", "dates": ["2023-01-05"], "hours": ["10:00-11:00"]},
    )
    doc["calendar"]["days"] = 28
    net = compile_network(simulation.load_scenario(doc))
    place = next(p for p in net.places if p.id == "unit@a")
    days = sorted({int(s // 1440) for s in place.starts})
    assert days[:3] == [3, 8, 22]  # Thu 5 Jan (date), Tue of week 1, Tue of week 3


@pytest.mark.parametrize(
    ("stops", "fragment"),
    [
        (
            [
                {"area": "a", "days": ["tue"], "hours": ["10:00-12:00"]},
                {"location": {"lat": 58.1, "lon": 16.1}, "days": ["tue"], "hours": ["11:00-13:00"]},
            ],
            "overlaps stop 0",
        ),
        (
            [
                {"area": "a", "days": ["tue"], "hours": ["10:00-12:00"]},
                {"location": {"lat": 58.1, "lon": 16.1}, "days": ["tue"], "hours": ["12:10-14:00"]},
            ],
            "setup_minutes is 30",
        ),
        ([{"area": "nowhere", "days": ["tue"], "hours": ["10:00-12:00"]}], "undefined area id"),
        ([{"area": "a", "days": ["tue"], "hours": ["10:00-09:00"]}], "must end after it starts"),
        ([{"area": "a", "hours": ["10:00-12:00"]}], "exactly one of 'days'"),
    ],
)
def test_schedule_errors(stops, fragment):
    with pytest.raises(simulation.ScenarioError) as err:
        simulation.load_scenario(with_unit(base(), *stops))
    assert fragment in str(err.value)
    assert err.value.path[:3] == ("sites", 1, "schedule")


def test_same_place_back_to_back_needs_no_setup():
    doc = with_unit(base(), {"area": "a", "days": ["tue"], "hours": ["10:00-12:00", "12:00-14:00"]})
    simulation.load_scenario(doc)
