"""servicesim build from CSV and Parquet tables: the scenario is the one the tables describe."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

import simulation
from simulation.build import scenario_yaml, write_scenario
from simulation.scenario.errors import ScenarioError
from tests.build_support import AREAS_CSV, SITES_CSV, TWO_AREAS, csv_spec, tables_of, write
from tests.conftest import EXAMPLES


def test_csv_tables_give_the_hand_written_scenario(tmp_path):
    """The two-areas example as tables (demand by the rule) is the two-areas scenario itself."""
    built = simulation.build_scenario(csv_spec(tmp_path))
    expected = simulation.load_scenario(TWO_AREAS)
    assert built == expected


def test_demand_column_and_uplift_rule(tmp_path):
    areas = AREAS_CSV.replace("vulnerable\n", "vulnerable,demand_per_1000_per_year\n", 1)
    areas = areas.replace(",yes\n", ",yes,\n").replace(",no\n", ",no,123.5\n")
    spec = write(
        tmp_path,
        {"areas.csv": areas, "sites.csv": SITES_CSV},
        areas={"file": "areas.csv"},
        sites={"file": "sites.csv"},
        demand={"per_1000_per_year": 200, "vulnerable_uplift": 1.85},
    )
    built = simulation.build_scenario(spec)
    rates = {a.id: a.demand.per_1000_per_year for a in built.areas}
    assert rates == {"skaggetorp": 370.0, "linkoping-rest": 123.5}  # 200 x 1.85; the column


def test_speed_column_gives_areas_their_own_travel_speed(tmp_path):
    areas = AREAS_CSV.replace("vulnerable\n", "vulnerable,speed_kmh\n", 1)
    areas = areas.replace(",yes\n", ",yes,\n").replace(",no\n", ",no,50\n")
    spec = write(
        tmp_path,
        {"areas.csv": areas, "sites.csv": SITES_CSV},
        areas={"file": "areas.csv"},
        sites={"file": "sites.csv"},
        demand={"per_1000_per_year": 200},
    )
    built = simulation.build_scenario(spec)
    assert {a.id: a.speed_kmh for a in built.areas} == {"skaggetorp": None, "linkoping-rest": 50.0}
    bad = write(
        tmp_path,
        {"areas.csv": areas.replace(",no,50\n", ",no,-5\n"), "sites.csv": SITES_CSV},
        areas={"file": "areas.csv"},
        sites={"file": "sites.csv"},
        demand={"per_1000_per_year": 200},
    )
    with pytest.raises(
        ScenarioError, match=r"row 2 \(line 3\), column speed_kmh: expected a speed"
    ):
        simulation.build_scenario(bad)


def test_column_names_mapped_and_municipality_selected(tmp_path):
    areas = (
        "deso;namn;kommun;folkmangd;lat;lon;utsatt\n"
        "a1;Skäggetorp;Linköping;10 070;58,428;15,592;ja\n"
        "a2;Navestad;Norrköping;9000;58,57;16,21;ja\n"
        "a3;Linköping (rest);Linköping;156603;58,41;15,621;nej\n"
    )
    columns = {
        "id": "deso",
        "name": "namn",
        "municipality": "kommun",
        "population": "folkmangd",
        "vulnerable": "utsatt",
    }
    spec = write(
        tmp_path,
        {"areas.csv": areas, "sites.csv": SITES_CSV},
        areas={"file": "areas.csv", "columns": columns, "municipalities": ["Linköping"]},
        sites={"file": "sites.csv"},
        demand={"per_1000_per_year": 270, "vulnerable_per_1000_per_year": 500},
    )
    built = simulation.build_scenario(spec)
    assert [(a.id, a.population, a.vulnerable) for a in built.areas] == [
        ("a1", 10070, True),
        ("a3", 156603, False),
    ]
    assert built.areas[0].location.lat == 58.428  # decimal comma, ';' delimiter


def test_parquet_tables_and_mobile_stops(tmp_path):
    pd.DataFrame(
        {
            "id": ["skaggetorp", "linkoping-rest"],
            "name": ["Skäggetorp", "Linköping (rest)"],
            "population": [10070, 156603],
            "lat": [58.428, 58.410],
            "lon": [15.592, 15.621],
            "vulnerable": [True, False],
        }
    ).to_parquet(tmp_path / "areas.parquet")
    sites = SITES_CSV + "bus,mobile,Servicebussen,,,2,,\n"
    stops = "site,area,days,hours,counters\nbus,skaggetorp,tue thu,10:00-15:00,1\n"
    spec = write(
        tmp_path,
        {"sites.csv": sites, "stops.csv": stops},
        areas={"file": "areas.parquet"},
        sites={"file": "sites.csv"},
        stops={"file": "stops.csv"},
        demand={"per_1000_per_year": 270, "vulnerable_per_1000_per_year": 500},
    )
    built = simulation.build_scenario(spec)
    expected = simulation.load_scenario(TWO_AREAS)
    assert built.model_copy(update={"sites": built.sites[:1]}) == expected
    bus = built.sites[1]
    assert bus.kind == "mobile" and bus.counters == 2
    (stop,) = bus.schedule
    assert (stop.area, stop.days, stop.hours, stop.counters) == (
        "skaggetorp",
        ("tue", "thu"),
        ("10:00-15:00",),
        1,
    )


def test_written_yaml_loads_back_to_the_same_scenario(tmp_path):
    built = simulation.build_scenario(csv_spec(tmp_path))
    out = write_scenario(built, tmp_path / "out" / "built.yaml", "spec.build.yaml")
    assert out.read_text(encoding="utf-8").startswith("# built by servicesim build from ")
    assert simulation.load_scenario(out) == built
    assert yaml.safe_load(scenario_yaml(built))["areas"][0]["id"] == "skaggetorp"


def test_example_spec_builds_and_runs():
    built = simulation.build_scenario("configs/examples/build/linkoping.build.yaml")
    tiny = built.model_copy(update={"calendar": built.calendar.model_copy(update={"days": 3})})
    result = simulation.run(tiny, replications=1, progress=False)
    assert len(result.visits) > 0
    assert set(result.visits["site"].dropna()) <= {"linkoping-city", "mobile-1"}


@pytest.mark.parametrize(
    ("areas", "where", "message"),
    [
        (AREAS_CSV.replace(",population,", ",pop,"), "header", "missing column 'population'"),
        (
            AREAS_CSV + "x3,Three,Linköping,many,58.4,15.6,no\n",
            "row 3 (line 4), column population",
            "expected a whole number (got 'many')",
        ),
        (
            AREAS_CSV + "skaggetorp,Again,Linköping,5,58.4,15.6,no\n",
            "row 3 (line 4), column id",
            "duplicate id (first in row 1 (line 2), column id) (got 'skaggetorp')",
        ),
        (
            AREAS_CSV.replace(",yes\n", ",perhaps\n"),
            "row 1 (line 2), column vulnerable",
            "expected true or false",
        ),
        (
            AREAS_CSV.replace("58.428", "98.4"),
            "row 1 (line 2), column lat",
            "expected a latitude between -90 and 90",
        ),
        (
            AREAS_CSV.replace(",lat,", ",population,"),
            "header",
            "a column name appears twice in the header (got 'population')",
        ),
    ],
)
def test_bad_areas_table_names_file_row_and_column(tmp_path, areas, where, message):
    with pytest.raises(ScenarioError) as info:
        simulation.build_scenario(csv_spec(tmp_path, areas=areas))
    assert str(info.value).startswith(f"{tmp_path / 'areas.csv'}: {where}: ")
    assert message in str(info.value)


def test_parquet_error_names_the_row(tmp_path):
    pd.DataFrame(
        {"id": ["a", "b", "c"], "population": [1, 2, -3], "lat": [58.0] * 3, "lon": [15.0] * 3}
    ).to_parquet(tmp_path / "areas.parquet")
    spec = write(
        tmp_path,
        {"sites.csv": SITES_CSV},
        areas={"file": "areas.parquet"},
        sites={"file": "sites.csv"},
        demand={"per_1000_per_year": 270},
    )
    with pytest.raises(ScenarioError, match=r"areas\.parquet: row 3, column population: "):
        simulation.build_scenario(spec)


@pytest.mark.parametrize(
    ("sites", "stops", "file", "where", "message"),
    [
        (
            SITES_CSV.replace("18:00", "12:30"),
            None,
            "sites.csv",
            "row 1 (line 2), column opening_hours",
            "a window must end after it starts",
        ),
        (
            SITES_CSV.replace(",4,", ",0,"),  # caught by the schema, reported at the cell
            None,
            "sites.csv",
            "row 1 (line 2), column counters",
            "(got 0)",
        ),
        (
            SITES_CSV.replace("58.4108,15.6214", ","),
            None,
            "sites.csv",
            "row 1 (line 2), column lat",
            "an office needs lat and lon, or an area id",
        ),
        (
            SITES_CSV + "bus,mobile,Bus,,,2,,\n",
            "site,area,days,hours\nbuss,skaggetorp,tue,10:00-15:00\n",
            "stops.csv",
            "row 1 (line 2), column site",
            "unknown site (not in the sites table) (got 'buss')",
        ),
        (
            SITES_CSV + "bus,mobile,Bus,,,2,,\n",
            "site,area,days,hours\nbus,skaggetorp,tue,10:00-15:00\nbus,nowhere,wed,10:00-15:00\n",
            "stops.csv",
            "row 2 (line 3), column area",
            "unknown area id",
        ),
        (
            SITES_CSV + "bus,mobile,Bus,,,2,,\n",
            "site,area,days,hours\nbus,skaggetorp,tue,15:00-10:00\n",
            "stops.csv",
            "row 1 (line 2), column hours",
            "a window must end after it starts",
        ),
    ],
)
def test_bad_sites_and_stops_name_file_row_and_column(tmp_path, sites, stops, file, where, message):
    extra = {}
    if stops is not None:
        (tmp_path / "stops.csv").write_text(stops, encoding="utf-8")
        extra["stops"] = {"file": "stops.csv"}
    with pytest.raises(ScenarioError) as info:
        simulation.build_scenario(csv_spec(tmp_path, sites=sites, **extra))
    assert str(info.value).startswith(f"{tmp_path / file}: {where}: "), str(info.value)
    assert message in str(info.value)


def test_no_demand_anywhere_is_an_error_at_the_row(tmp_path):
    spec = write(
        tmp_path,
        {"areas.csv": AREAS_CSV, "sites.csv": SITES_CSV},
        areas={"file": "areas.csv"},
        sites={"file": "sites.csv"},
    )
    with pytest.raises(
        ScenarioError, match=r"row 1 \(line 2\), column demand_per_1000_per_year: no demand rate"
    ):
        simulation.build_scenario(spec)


def test_bad_spec_key_names_the_spec(tmp_path):
    spec = write(tmp_path, {"areas.csv": AREAS_CSV}, areas={"file": "areas.csv", "colums": {}})
    with pytest.raises(ScenarioError) as info:
        simulation.build_scenario(spec)
    assert str(info.value).startswith(f"{spec}: build.areas.colums: ")


@pytest.mark.parametrize(
    "example", ["two-areas.yaml", "norrkoping-staffed.yaml", "norrkoping-mobile.yaml"]
)
def test_example_scenarios_written_as_tables_build_back_exactly(tmp_path, example):
    """Opening hours, staffing, errands, closing, mobile units and stops survive the tables."""
    path = EXAMPLES / example
    built = simulation.build_scenario(tables_of(path, tmp_path))
    assert built == simulation.load_scenario(path)


def test_bad_staffing_cells_name_the_cell(tmp_path):
    sites = SITES_CSV.replace(",serve_queue\n", ",serve_queue,mon-fri 10:00-12:00=many\n")
    sites = sites.replace(",closing\n", ",closing,staffing\n")
    with pytest.raises(
        ScenarioError, match=r"row 1 \(line 2\), column staffing: expected window=counters"
    ):
        simulation.build_scenario(csv_spec(tmp_path, sites=sites))
    late = sites.replace("10:00-12:00=many", "16:00-17:00=3")  # outside the opening hours
    with pytest.raises(ScenarioError) as info:
        simulation.build_scenario(csv_spec(tmp_path, sites=late))
    assert str(info.value).startswith(f"{tmp_path / 'sites.csv'}: row 1 (line 2), column staffing")


def test_duplicate_inline_site_is_named_in_the_spec(tmp_path):
    spec = csv_spec(tmp_path)
    doc = yaml.safe_load(spec.read_text(encoding="utf-8"))
    doc["sites"] = [
        {
            "id": "linkoping-city",
            "kind": "office",
            "location": {"lat": 58, "lon": 15},
            "counters": 1,
            "opening_hours": "always",
        }
    ]
    spec.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        simulation.build_scenario(spec)
    assert str(info.value) == f"{spec}: sites[0].id: duplicate id (got 'linkoping-city')"


def test_missing_table_file_is_named(tmp_path):
    spec = csv_spec(tmp_path)
    (tmp_path / "sites.csv").unlink()
    with pytest.raises(ScenarioError, match=r"sites\.csv: \(top level\): no such file"):
        simulation.build_scenario(spec)


def test_mobile_unit_with_opening_hours_is_an_error_at_the_cell(tmp_path):
    sites = SITES_CSV + "bus,mobile,Bus,,,2,mon-fri 10:00-15:00,\n"
    with pytest.raises(
        ScenarioError, match=r"row 2 \(line 3\), column opening_hours: a mobile unit serves"
    ):
        simulation.build_scenario(csv_spec(tmp_path, sites=sites))


def test_spec_without_a_name_takes_the_file_name(tmp_path):
    spec = csv_spec(tmp_path)
    doc = yaml.safe_load(spec.read_text(encoding="utf-8"))
    del doc["name"]
    (tmp_path / "planner.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert simulation.build_scenario(tmp_path / "planner.yaml").name == "planner"


def test_opening_hours_from_weekday_columns(tmp_path):
    sites = (
        "id,name,lat,lon,counters,mon,tue,wed,thu,fri,sat\n"
        "linkoping-city,Linköping servicekontor,58.4108,15.6214,4,10:00-16:00,10:00-16:00,"
        "10:00-16:00,10:00-12:00 13:00-18:00,10:00-16:00,\n"
    )
    built = simulation.build_scenario(csv_spec(tmp_path, sites=sites))
    assert built.sites[0].opening_hours == {
        "mon": ("10:00-16:00",),
        "tue": ("10:00-16:00",),
        "wed": ("10:00-16:00",),
        "thu": ("10:00-12:00", "13:00-18:00"),
        "fri": ("10:00-16:00",),
    }
    bad = sites.replace("13:00-18:00", "13:00-25:00")
    with pytest.raises(ScenarioError, match=r"row 1 \(line 2\), column thu: times must lie"):
        simulation.build_scenario(csv_spec(tmp_path, sites=bad))
