"""Travel times to any destination (``engine.network.area_travel_minutes``) follow the
network's rules, and the propose screening's candidate stops get the times a unit stopping
there would have in the network.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulation.engine.network import Destination, area_travel_minutes, compile_network
from simulation.propose.screening import candidate_destinations
from simulation.scenario.loading import load_scenario
from simulation.scenario.propose_loading import load_propose
from tests.propose_support import region, spec, write

VAN = {
    "id": "van",
    "kind": "mobile",
    "counters": 1,
    "setup_minutes": 0,
    "schedule": [
        {"area": "far", "days": ["mon"], "hours": ["10:00-12:00"]},
        {
            "location": {"lat": 58.05, "lon": 16.01},
            "name": "p",
            "days": ["tue"],
            "hours": ["10:00-12:00"],
        },
    ],
}


def _region(tmp_path: Path, travel: dict, unit_rows: bool = True) -> dict:
    """The synthetic region with ``travel`` settings and a matrix ``m.csv`` beside it (rows for
    the unit ``van`` only with ``unit_rows``: a base scenario without it may not name it)."""
    doc = region()
    doc["travel"] = {**doc["travel"], **travel}
    rows = "area,site,minutes\nfar,office,40\nnear-a,office,3\n"
    if unit_rows:
        rows += "far,van,9\nnear-a,van@far,7\n"
    (tmp_path / "m.csv").write_text(rows, encoding="utf-8")
    return doc


@pytest.mark.parametrize(
    "travel",
    [
        {},
        {"max_travel_minutes": 30},
        {"matrix": "m.csv"},
        {"matrix": "m.csv", "max_travel_minutes": 8},
    ],
)
def test_area_travel_minutes_equals_the_network_travel(tmp_path: Path, travel: dict):
    doc = _region(tmp_path, travel)
    doc["sites"] = [*doc["sites"], VAN]
    write(tmp_path, "s.yaml", doc)
    scenario = load_scenario(tmp_path / "s.yaml")
    network = compile_network(scenario)
    destinations = [
        Destination(p.id, scenario.sites[p.site].id, p.lat, p.lon, p.area) for p in network.places
    ]
    np.testing.assert_array_equal(area_travel_minutes(scenario, destinations), network.travel)


@pytest.mark.parametrize("travel", [{}, {"max_travel_minutes": 30}, {"matrix": "m.csv"}])
def test_screening_candidates_travel_as_stops_of_the_first_unit(tmp_path: Path, travel: dict):
    """The screening's times equal those of a network whose unit stops at every candidate."""
    base = _region(tmp_path, travel, unit_rows=False)
    write(tmp_path, "region.yaml", base)
    candidates = [
        {"id": "far", "area": "far"},
        {"id": "north", "location": {"lat": 58.30, "lon": 16.0}},
    ]
    loaded = load_propose(write(tmp_path, "p.yaml", spec(candidates=candidates)))
    unit = {
        **VAN,
        "schedule": [
            {**c.stop_fields(), "days": [day], "hours": ["10:00-11:00"]}
            for c, day in zip(loaded.candidates, ("mon", "tue"), strict=True)
        ],
    }
    with_unit = load_scenario({**loaded.base_document, "sites": [*base["sites"], unit]})
    network = compile_network(with_unit)
    screened = area_travel_minutes(loaded.scenario, candidate_destinations(loaded))
    np.testing.assert_array_equal(screened, network.travel[:, 1:])


def test_an_area_with_its_own_speed_travels_at_it_to_every_place(tmp_path: Path):
    """Hand-computed: minutes = great-circle km x detour / speed x 60, with the area's speed
    where it has one (docs/model.md §5 rule 1); the within-area walk still overrides it."""
    from simulation.engine.geography import great_circle_km

    doc = region()
    doc["areas"][0]["speed_kmh"] = 50.0
    doc["sites"] = [*doc["sites"], VAN]
    write(tmp_path, "s.yaml", doc)
    scenario = load_scenario(tmp_path / "s.yaml")
    network = compile_network(scenario)
    detour, speed = scenario.travel.detour_factor, scenario.travel.speed_kmh
    for a, area in enumerate(scenario.areas):
        own = area.speed_kmh or speed
        for p, place in enumerate(network.places):
            km = great_circle_km(area.location.lat, area.location.lon, place.lat, place.lon)
            expected = float(km) * detour / own * 60
            if place.area == a:
                expected = scenario.travel.within_area_minutes
            assert network.travel[a, p] == pytest.approx(expected, rel=1e-12), (area.id, place.id)
    # the faster area reaches the office in 20/50 of the time it would take at 20 km/h
    slower = compile_network(load_scenario(write(tmp_path, "t.yaml", region())))
    office = next(p for p, place in enumerate(network.places) if place.id == "office")
    assert network.travel[0, office] == pytest.approx(slower.travel[0, office] * speed / 50.0)
