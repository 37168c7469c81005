"""The generated Swedish scenarios: they validate, match their generator, and are calibrated.

Calibration targets (docs/scenarios.md, domain notes §1.2): ~75 visits per office-day on
average across the national network (so a broad 20-400 per office here), 15-23 visits per
staff-day (10-25 allowed), utilisation between 0.4 and 0.95.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import simulation
from simulation.engine.network import compile_network
from tests.conftest import ROOT

SWEDEN = ROOT / "configs" / "sweden"
AREAS_CSV = ROOT / "data" / "sweden" / "areas.csv"
REGIONS = (
    "eskilstuna",
    "helsingborg",
    "jonkoping",
    "linkoping",
    "norrkoping",
    "sodertalje",
    "uppsala",
    "vaxjo",
    "stockholm",
    "goteborg",
    "malmo",
)
SCENARIOS = (*REGIONS, "linkoping-norrkoping", "default/region")
STAFF_DAY_MIN = 360.0  # a counter open 6 h (A1)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_sweden", ROOT / "tools" / "build_sweden.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_sweden", module)
    spec.loader.exec_module(module)
    return module


def _csv_rows() -> list[dict[str, str]]:
    with AREAS_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_shared_csv_copy_is_complete():
    rows = _csv_rows()
    assert sum(r["kind"] == "municipality" for r in rows) == 44
    assert sum(r["kind"] == "vulnerable_area" for r in rows) == 65


@pytest.mark.parametrize("name", SCENARIOS)
def test_region_validates_and_matches_areas_csv(name):
    scenario = simulation.load_scenario(SWEDEN / f"{name}.yaml")
    rows = _csv_rows()
    municipalities = {a.name.split(" (rest")[0] for a in scenario.areas if not a.vulnerable}
    listed = [
        r for r in rows if r["kind"] == "vulnerable_area" and r["municipality"] in municipalities
    ]
    vulnerable = {a.name: a for a in scenario.areas if a.vulnerable}
    assert sorted(vulnerable) == sorted(r["area"] for r in listed)
    for r in listed:
        area = vulnerable[r["area"]]
        assert area.population == int(r["population"])
        assert (area.location.lat, area.location.lon) == (float(r["lat"]), float(r["lon"]))
        assert area.demand.per_1000_per_year == pytest.approx(round(gen_rate() * 1.75, 1))
    total = sum(
        int(r["population"])
        for r in rows
        if r["kind"] == "municipality" and r["municipality"] in municipalities
    )
    assert sum(a.population for a in scenario.areas) == total
    assert scenario.calendar.start == dt.date(2023, 1, 2) and scenario.calendar.start.weekday() == 0
    for site in scenario.sites:
        assert site.kind == "office" and site.opening_hours == {"mon-fri": ("10:00-16:00",)}


@pytest.mark.parametrize(
    "path",
    sorted(SWEDEN.rglob("*pilot.sweep.yaml")),
    ids=lambda p: p.relative_to(SWEDEN).as_posix(),
)
def test_sweeps_load_with_every_design(path):
    sweep = simulation.load_sweep(path)
    assert sweep.spec.replications == 20
    assert [k.label for k in sweep.spec.kpis] == [
        "unserved_per_1000_yr@group:vulnerable",
        "unserved_per_1000_yr",
        "wait_mean",
        "wait_p90",
        "staff_hours_per_week",
    ]
    assert sweep.spec.baseline_design == "baseline"
    for _, _, _, scenario in sweep.cells:
        for site in scenario.sites:
            if site.kind == "mobile":
                assert "migrationsverket" not in (site.errands or ())


def test_default_is_a_copy_of_its_region():
    gen = _generator()
    default, region = SWEDEN / "default", SWEDEN / f"{gen.DEFAULT_REGION}.yaml"
    assert simulation.load_scenario(default / "region.yaml") == simulation.load_scenario(region)
    sweep = simulation.load_sweep(default / "pilot.sweep.yaml")
    assert sweep.spec.base == "region.yaml"
    assert (
        sweep.spec.designs
        == simulation.load_sweep(SWEDEN / f"{gen.DEFAULT_REGION}-pilot.sweep.yaml").spec.designs
    )


def gen_rate() -> float:
    """A8 x A16: the calibrated needs rate of every generated Swedish scenario (388.8)."""
    return round(270 * 1.44, 1)


def test_national_validates_and_compiles():
    scenario = simulation.load_scenario(SWEDEN / "national.yaml")
    assert len(scenario.sites) == 44
    assert sum(a.vulnerable for a in scenario.areas) == 65
    assert scenario.calendar.days == 365
    network = compile_network(scenario)
    needs_per_year = sum(float(r.sum()) * 60 for r in network.rates) * 365 / scenario.calendar.days
    # ~2.8 M visits after distance decay; needs before decay are ~10 % more
    assert 2.8e6 < needs_per_year < 3.4e6


@pytest.mark.slow  # the full build with the national locality files; sorted to start first
def test_generator_output_equals_committed_files_and_is_deterministic(tmp_path):
    # determinism: the committed files were written by an earlier process, so equality with
    # them is equality across runs (one build here: the national locality files are slow)
    gen = _generator()
    first = tmp_path / "a"
    gen.build(first, AREAS_CSV)
    built = _files(first)
    committed = _files(SWEDEN)
    assert sorted(committed) == sorted(built), (
        "configs/sweden/ holds files the generator does not write (or misses some)"
    )
    stale = [name for name in built if committed[name] != built[name]]
    assert not stale, f"rerun `python tools/build_sweden.py`: these differ from its output: {stale}"


def _weekdays(calendar) -> int:
    days = (
        calendar.start + dt.timedelta(days=d) for d in range(calendar.warmup_days, calendar.days)
    )
    return sum(day.weekday() < 5 for day in days)


@pytest.mark.slow
@pytest.mark.parametrize("name", (*REGIONS, "linkoping-norrkoping"))
def test_region_offices_are_calibrated(name):
    scenario = simulation.load_scenario(SWEDEN / f"{name}.yaml")
    result = simulation.run(scenario, replications=2)
    kpis = result.kpis[result.kpis["scope"] == "site"]
    mean = kpis.groupby(["id", "kpi"])["value"].mean()
    office_days = _weekdays(scenario.calendar)
    for site in scenario.sites:
        open_counter_min = mean[(site.id, "open_counter_min")]
        assert open_counter_min == pytest.approx(office_days * site.counters * STAFF_DAY_MIN)
        served = mean[(site.id, "served")]
        per_office_day = served / office_days
        per_staff_day = served / (open_counter_min / STAFF_DAY_MIN)
        utilisation = mean[(site.id, "utilisation")]
        # per-office visit counts are not public; the national average is ~76 a day (2.8 M /
        # 148 offices / 250 days) and the metro offices take several times that (A16 rates)
        assert 20 <= per_office_day <= 600, (site.id, per_office_day)
        assert 10 <= per_staff_day <= 25, (site.id, per_staff_day)
        assert 0.4 <= utilisation <= 0.95, (site.id, utilisation)
