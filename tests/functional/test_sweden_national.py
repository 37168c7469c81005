"""Sweden at locality resolution: the three dated networks, their populations, offices, rates
and the sweep comparing them (docs/scenarios.md SE9-SE13, A15).

Each test asserts something the 44-municipality stand-in could not satisfy: every municipality
present, the national population exact, sourced office counts reached, region and national
figures equal where they overlap.
"""

from __future__ import annotations

import csv
import sys
from functools import cache
from pathlib import Path

import pytest

import simulation
from simulation.scenario.overrides import apply_changes
from simulation.scenario.yaml_io import read_yaml
from tests.conftest import ROOT

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.sweden import sizing  # noqa: E402
from tools.sweden.areas import read_rows  # noqa: E402
from tools.sweden.localities import SWEDEN_2022, read_localities  # noqa: E402
from tools.sweden.national import (  # noqa: E402
    build_networks,
    check_calibration,
    check_visits,
    expected_load,
)
from tools.sweden.networks import read_network  # noqa: E402
from tools.sweden.parameters import (  # noqa: E402
    CALIBRATION,
    CAR_LOCALITY_MAX,
    CAR_SPEED_KMH,
    LISTED_UPLIFT,
    VISIT_RATE,
)
from tools.sweden.tables import TableError  # noqa: E402

DATA = ROOT / "data" / "sweden"
SWEDEN = ROOT / "configs" / "sweden"
NETWORKS = ("2022", "2024", "2025")
SHARED = Path("/work/shared/data")


@cache
def _built():
    rows = read_rows(DATA / "areas.csv")
    return rows, build_networks(
        rows, read_localities(DATA / "localities_2020.csv"), read_network(DATA / "network.csv")
    )


@cache
def _doc(slug: str) -> dict:
    return read_yaml(SWEDEN / f"national-{slug}.yaml")


def test_localities_copy_is_the_shared_file():
    shared = SHARED / "localities_2020.csv"
    if not shared.exists():
        pytest.skip("shared research data not on this machine")
    assert (DATA / "localities_2020.csv").read_bytes() == shared.read_bytes()
    assert len(read_localities(DATA / "localities_2020.csv")) == 2017


@pytest.mark.parametrize("slug", NETWORKS)
def test_national_file_validates_with_every_municipality_and_the_whole_population(slug):
    scenario = simulation.load_scenario(SWEDEN / f"national-{slug}.yaml")
    assert sum(a.population for a in scenario.areas) == SWEDEN_2022
    assert sum(a.vulnerable for a in scenario.areas) == 65
    assert len(scenario.areas) > 2300
    _, built = _built()
    b = next(x for x in built if x.network.slug == slug)
    assert len(b.municipalities) == 290
    assert {a.municipality for a in b.areas} == {m.name for m in b.municipalities}


def test_office_counts_are_the_sourced_ones():
    _, built = _built()
    by = {b.network.slug: b for b in built}
    assert len(by["2022"].offices) == 123  # [S] June 2022
    assert len(by["2024"].offices) == 148  # [S] turn of 2024/25
    assert len({o.municipality for o in by["2024"].offices}) == 126
    ids = {slug: {o.id for o in b.offices} for slug, b in by.items()}
    closed = ids["2024"] - ids["2025"]
    assert ids["2025"] <= ids["2024"]
    assert len(closed) == 12
    # every office the shared research notes name as closed in 2025 is gone in 2025
    with (DATA / "network.csv").open(encoding="utf-8") as handle:
        table = {r["id"]: r for r in csv.DictReader(handle)}
    assert {i for i, r in table.items() if r["closed"].startswith("2025")} == closed


def test_rates_are_a8_times_a16_everywhere_and_needs_follow_the_population():
    _, built = _built()
    base = round(VISIT_RATE * CALIBRATION, 1)
    listed_rate = round(base * LISTED_UPLIFT, 1)
    for b in built:
        assert {a.rate for a in b.areas} == {base, listed_rate}
        listed = sum(a.population for a in b.areas if a.vulnerable)
        expected = (SWEDEN_2022 - listed) * base / 1000 + listed * listed_rate / 1000
        assert b.expected_needs == pytest.approx(expected, rel=1e-12)
    # the region scenarios use the same calibrated rates (they agree where they overlap)
    reg = read_yaml(SWEDEN / "norrkoping.yaml")
    assert {a["demand"]["per_1000_per_year"] for a in reg["areas"]} == {base, listed_rate}


def test_expected_visits_are_within_5_percent_of_2_8_million_and_reported():
    _, built = _built()
    for b in built:
        text = (SWEDEN / f"national-{b.network.slug}.yaml").read_text(encoding="utf-8")
        assert f"{b.expected_visits:,.0f}/yr = {b.expected_visits / 2.8e6:.1%}" in text
        assert abs(b.expected_visits / 2.8e6 - 1) <= 0.05, b.network.slug
    assert check_visits(built) == []
    # A16 is the 2024/25 network's calibration: 2.8 M within its stated 2 decimals
    by = {b.network.slug: b for b in built}
    assert by["2024"].expected_visits == pytest.approx(2.8e6, rel=0.005)
    assert check_calibration(built) == pytest.approx(CALIBRATION, abs=0.005)
    # fewer offices, fewer visits: the calibration is not a per-network fit
    assert by["2022"].expected_visits < by["2025"].expected_visits < by["2024"].expected_visits


def test_a_drifted_calibration_stops_the_generator(monkeypatch):
    import tools.sweden.national as national

    _, built = _built()
    monkeypatch.setattr(national, "NATIONAL_VISITS", 2_856_000)  # 2 % more visits to match
    with pytest.raises(TableError, match=r"set CALIBRATION = 1\.47"):
        national.check_calibration(built)


def test_residents_of_small_localities_and_the_countryside_drive():
    """A17: rural remainders and localities under 10,000 have 50 km/h; larger localities,
    listed areas and the region scenarios' areas keep the scenario's urban 20 km/h."""
    _, built = _built()
    localities = {x.code.lower(): x for x in read_localities(DATA / "localities_2020.csv")}
    b = built[1]
    for a in b.areas:
        if a.vulnerable:
            assert a.speed_kmh is None
        elif a.id.endswith("-rural"):
            assert a.speed_kmh == CAR_SPEED_KMH
        elif a.id.split("-")[-1] in localities:
            small = localities[a.id.split("-")[-1]].population < CAR_LOCALITY_MAX
            assert a.speed_kmh == (CAR_SPEED_KMH if small else None), a.id
    scenario = simulation.load_scenario(SWEDEN / "national-2024.yaml")
    speeds = {a.id: a.speed_kmh for a in scenario.areas}
    assert speeds == {a.id: a.speed_kmh for a in b.areas}
    region = simulation.load_scenario(SWEDEN / "norrkoping.yaml")
    assert all(a.speed_kmh is None for a in region.areas)


def test_vectorised_expected_load_equals_the_region_generators():
    rows, built = _built()
    b = built[1]
    areas = [a for a in b.areas if a.municipality in ("Norrköping", "Linköping", "Finspång")]
    offices = [o for o in b.offices if o.municipality in ("Norrköping", "Linköping", "Finspång")]
    errands = sizing.mix(True)
    fast, fast_lost = expected_load(areas, offices, errands)
    slow, slow_lost = sizing.expected_load(areas, offices, errands)
    assert fast.keys() == slow.keys()
    for k in slow:
        assert fast[k] == pytest.approx(slow[k], rel=1e-12, abs=1e-9)
    for k in slow_lost:
        assert fast_lost[k] == pytest.approx(slow_lost[k], rel=1e-12, abs=1e-9)


@pytest.mark.parametrize("region", ["norrkoping", "vaxjo", "stockholm", "goteborg", "malmo"])
def test_region_and_national_agree_where_they_overlap(region):
    """The same residents per municipality, the same listed areas (id, population, place,
    rate) and the same pre-2022 offices as the national June 2022 network."""
    reg = read_yaml(SWEDEN / f"{region}.yaml")
    nat = _doc("2022")
    nat_listed = {a["id"]: a for a in nat["areas"] if a.get("vulnerable")}
    reg_listed = [a for a in reg["areas"] if a.get("vulnerable")]
    for a in reg_listed:
        assert nat_listed[a["id"]] == a
    _, built = _built()
    muni = next(a.municipality for a in built[0].areas if a.id == reg_listed[0]["id"])
    national_pop = sum(a.population for a in built[0].areas if a.municipality == muni)
    assert national_pop == sum(a["population"] for a in reg["areas"])
    nat_sites = {s["id"]: s["location"] for s in nat["sites"]}
    for s in reg["sites"]:
        assert nat_sites[s["id"]] == s["location"]


def test_sweep_designs_turn_the_base_into_each_network_exactly():
    sweep = read_yaml(SWEDEN / "national-networks.sweep.yaml")
    base = _doc("2024")
    assert sweep["base"] == "national-2024.yaml" and sweep["baseline"] == "2024"
    for slug in NETWORKS:
        doc = apply_changes(base, sweep["designs"][slug])
        key = lambda s: s["id"]  # noqa: E731
        assert sorted(doc["sites"], key=key) == sorted(_doc(slug)["sites"], key=key)
        assert doc["areas"] == _doc(slug)["areas"]
    listed = [a["id"] for a in base["areas"] if a.get("vulnerable")]
    assert [k for k in sweep["kpis"] if "@area:" in k] == [
        f"unserved_per_1000_yr@area:{i}" for i in listed
    ]
