"""Properties of servicesim build: a CSV areas table comes through unchanged, and carving an
overlay out of the areas neither creates nor loses residents."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

import simulation
from tests.build_support import SITES_CSV, write
from tests.property.hypothesis_settings import PROPERTY, fewer

IDS = st.from_regex(r"[a-z0-9][a-z0-9_.\-]{0,12}", fullmatch=True)
NAMES = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1
).filter(lambda s: s.strip() == s and s.strip())

ROW = st.fixed_dictionaries(
    {
        "name": NAMES,
        "population": st.integers(0, 1_000_000),
        "lat": st.floats(55.0, 69.0).map(lambda v: round(v, 5)),
        "lon": st.floats(11.0, 24.0).map(lambda v: round(v, 5)),
        "vulnerable": st.booleans(),
        "rate": st.one_of(st.none(), st.floats(0, 2000).map(lambda v: round(v, 3))),
    }
)


@PROPERTY
@given(ids=st.lists(IDS, min_size=1, max_size=8, unique=True), data=st.data())
def test_csv_areas_come_through_unchanged(tmp_path_factory, ids, data):
    rows = [data.draw(ROW) for _ in ids]
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\n")
    out.writerow(
        ["id", "name", "population", "lat", "lon", "vulnerable", "demand_per_1000_per_year"]
    )
    for ident, row in zip(ids, rows, strict=True):
        rate = "" if row["rate"] is None else row["rate"]
        vulnerable = "yes" if row["vulnerable"] else "no"
        out.writerow(
            [ident, row["name"], row["population"], row["lat"], row["lon"], vulnerable, rate]
        )
    folder = tmp_path_factory.mktemp("csv")
    spec = write(
        folder,
        {"areas.csv": text.getvalue(), "sites.csv": SITES_CSV},
        areas={"file": "areas.csv"},
        sites={"file": "sites.csv"},
        demand={"per_1000_per_year": 270, "vulnerable_uplift": 2},
    )
    built = simulation.build_scenario(spec)
    got = [
        (
            a.id,
            a.name,
            a.population,
            a.location.lat,
            a.location.lon,
            a.vulnerable,
            a.demand.per_1000_per_year,
        )
        for a in built.areas
    ]
    expected = [
        (
            i,
            r["name"],
            r["population"],
            r["lat"],
            r["lon"],
            r["vulnerable"],
            r["rate"] if r["rate"] is not None else (540.0 if r["vulnerable"] else 270.0),
        )
        for i, r in zip(ids, rows, strict=True)
    ]
    assert got == expected


METRES = st.integers(0, 40).map(lambda v: v * 100)


@fewer(0.3)
@given(x=st.tuples(METRES, METRES), y=st.tuples(METRES, METRES), given_population=st.booleans())
def test_carving_keeps_every_resident(tmp_path_factory, x, y, given_population):
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import box

    x1, x2 = sorted(x)
    y1, y2 = sorted(v / 2 for v in y)
    if x2 - x1 < 100 or y2 - y1 < 100:
        return
    x0, y0 = 536_000.0, 6_474_000.0
    areas = gpd.GeoDataFrame(
        {"id": ["a", "b"], "population": [10_000, 5_001]},
        geometry=[box(x0, y0, x0 + 2000, y0 + 2000), box(x0 + 2000, y0, x0 + 4000, y0 + 2000)],
        crs="EPSG:3006",
    )
    police = gpd.GeoDataFrame(
        {"id": ["p"]} | ({"population": [1_234]} if given_population else {}),
        geometry=[box(x0 + x1, y0 + y1, x0 + x2, y0 + y2)],
        crs="EPSG:3006",
    )
    folder = tmp_path_factory.mktemp("carve")
    areas.to_file(folder / "areas.gpkg")
    police.to_file(folder / "police.gpkg")
    spec = write(
        folder,
        {"sites.csv": SITES_CSV},
        areas={"file": "areas.gpkg", "overlay": {"file": "police.gpkg", "mode": "carve"}},
        sites={"file": "sites.csv"},
        demand={"per_1000_per_year": 270},
    )
    built = simulation.build_scenario(spec)
    populations = {a.id: a.population for a in built.areas}
    assert sum(populations.values()) == 15_001
    assert min(populations.values()) >= 0
    if given_population:
        assert populations["p"] == 1_234
    assert [a.vulnerable for a in built.areas] == [False, False, True]
