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
from tools.sweden.national import build_networks, check_visits, expected_load  # noqa: E402
from tools.sweden.networks import read_network  # noqa: E402

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


def test_rates_are_a8_unscaled_and_needs_follow_the_population():
    _, built = _built()
    for b in built:
        assert {a.rate for a in b.areas} == {270.0, 472.5}
        listed = sum(a.population for a in b.areas if a.vulnerable)
        expected = (SWEDEN_2022 - listed) * 0.270 + listed * 0.4725
        assert b.expected_needs == pytest.approx(expected, rel=1e-12)


def test_expected_visits_are_reported_and_checked_against_2_8_million():
    _, built = _built()
    for b in built:
        text = (SWEDEN / f"national-{b.network.slug}.yaml").read_text(encoding="utf-8")
        assert f"{b.expected_visits:,.0f}/yr = {b.expected_visits / 2.8e6:.1%}" in text
    # A9's urban distance decay at locality resolution leaves well under 2.8 M (docs/scenarios.md)
    assert [s.split(":")[0] for s in check_visits(built)] == list(NETWORKS)


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
