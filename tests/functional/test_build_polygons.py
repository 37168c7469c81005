"""servicesim build from polygons (GeoPackage, GeoJSON, Shapefile, GeoParquet) and overlays.

The fixtures are squares in SWEREF99 TM (EPSG:3006, metres) near Linköping, so every centroid,
covered share and carved population has an exact value computed by hand; the expected
locations are those points turned into degrees by pyproj directly.
"""

from __future__ import annotations

import pytest

gpd = pytest.importorskip("geopandas")
shapely_geometry = pytest.importorskip("shapely.geometry")
pyproj = pytest.importorskip("pyproj")

import simulation  # noqa: E402
from simulation.scenario.errors import ScenarioError  # noqa: E402
from tests.build_support import SITES_CSV, write  # noqa: E402

X0, Y0 = 536_000.0, 6_474_000.0  # Linköping in SWEREF99 TM
TO_DEGREES = pyproj.Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
RULE = {"per_1000_per_year": 270, "vulnerable_per_1000_per_year": 500}


def box(x1, y1, x2, y2):
    """A rectangle in metres from the origin (X0, Y0)."""
    return shapely_geometry.box(X0 + x1, Y0 + y1, X0 + x2, Y0 + y2)


def degrees(x, y):
    """(lat, lon) of a point given in metres from the origin."""
    lon, lat = TO_DEGREES.transform(X0 + x, Y0 + y)
    return lat, lon


def areas_layer():
    """Two 2 km squares side by side: A (10,000 residents) west of B (5,000)."""
    return gpd.GeoDataFrame(
        {"id": ["a", "b"], "name": ["Area A", "Area B"], "population": [10_000, 5_000]},
        geometry=[box(0, 0, 2000, 2000), box(2000, 0, 4000, 2000)],
        crs="EPSG:3006",
    )


def police_layer(geometry, population=None):
    data = {"id": ["p1"], "name": ["Listed area"]}
    if population is not None:
        data["population"] = [population]
    return gpd.GeoDataFrame(data, geometry=[geometry], crs="EPSG:3006")


def save(frame, path):
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    elif path.suffix == ".geojson":
        frame.to_crs("EPSG:4326").to_file(path, driver="GeoJSON")
    else:
        frame.to_file(path)
    return path.name


def spec_for(tmp_path, areas_file, **areas):
    return write(
        tmp_path,
        {"sites.csv": SITES_CSV},
        areas={"file": areas_file, **areas},
        sites={"file": "sites.csv"},
        demand=RULE,
    )


def located(built):
    return {a.id: (a.location.lat, a.location.lon) for a in built.areas}


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp", ".parquet"])
def test_polygon_centroids_become_locations(tmp_path, suffix):
    name = save(areas_layer(), tmp_path / f"areas{suffix}")
    built = simulation.build_scenario(spec_for(tmp_path, name))
    assert [(a.id, a.name, a.population, a.vulnerable) for a in built.areas] == [
        ("a", "Area A", 10_000, False),
        ("b", "Area B", 5_000, False),
    ]
    for ident, (x, y) in {"a": (1000, 1000), "b": (3000, 1000)}.items():
        assert located(built)[ident] == pytest.approx(degrees(x, y), abs=2e-6)


def test_population_weighted_points_place_the_area(tmp_path):
    name = save(areas_layer(), tmp_path / "areas.gpkg")
    points = [(500, 500, 1), (1500, 500, 3), (3000, 1500, 0)]  # B's only point weighs nothing
    rows = ["lat,lon,population"] + [",".join(map(str, (*degrees(x, y), w))) for x, y, w in points]
    (tmp_path / "points.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    built = simulation.build_scenario(spec_for(tmp_path, name, points={"file": "points.csv"}))
    assert located(built)["a"] == pytest.approx(degrees(1250, 500), abs=2e-6)  # (500+3*1500)/4
    assert located(built)["b"] == pytest.approx(degrees(3000, 1000), abs=2e-6)  # centroid


@pytest.mark.parametrize(("min_overlap", "vulnerable_a"), [(0.5, True), (0.7, False)])
def test_overlay_marks_areas_it_covers_enough(tmp_path, min_overlap, vulnerable_a):
    name = save(areas_layer(), tmp_path / "areas.gpkg")
    save(police_layer(box(0, 0, 2000, 1200)), tmp_path / "police.gpkg")  # 60 % of A, none of B
    overlay = {"file": "police.gpkg", "mode": "mark", "min_overlap": min_overlap}
    built = simulation.build_scenario(spec_for(tmp_path, name, overlay=overlay))
    assert {a.id: a.vulnerable for a in built.areas} == {"a": vulnerable_a, "b": False}
    rate_a = built.areas[0].demand.per_1000_per_year
    assert rate_a == (500 if vulnerable_a else 270)


def test_overlay_carves_an_area_with_its_share_of_residents(tmp_path):
    name = save(areas_layer(), tmp_path / "areas.gpkg")
    save(police_layer(box(1000, 1000, 3000, 2000)), tmp_path / "police.gpkg")  # a quarter of each
    overlay = {"file": "police.gpkg", "mode": "carve"}
    built = simulation.build_scenario(spec_for(tmp_path, name, overlay=overlay))
    areas = {a.id: a for a in built.areas}
    assert {k: (a.population, a.vulnerable) for k, a in areas.items()} == {
        "a": (7_500, False),
        "b": (3_750, False),
        "p1": (2_500 + 1_250, True),
    }
    assert areas["p1"].name == "Listed area"
    assert areas["p1"].demand.per_1000_per_year == 500
    assert located(built)["p1"] == pytest.approx(degrees(2000, 1500), abs=2e-6)
    # A without its north-east quarter: an L of 3 km², centroid (4*1000 - 1*1500)/3 = 833.3 m
    assert located(built)["a"] == pytest.approx(degrees(2500 / 3, 2500 / 3), abs=2e-6)
    assert located(built)["b"] == pytest.approx(degrees(4000 - 2500 / 3, 2500 / 3), abs=2e-6)
    result = simulation.run(
        built.model_copy(update={"calendar": built.calendar.model_copy(update={"days": 2})}),
        replications=1,
        progress=False,
    )
    assert set(result.visits["area"]) <= {"a", "b", "p1"}


def test_overlay_population_is_shared_by_covered_surface(tmp_path):
    name = save(areas_layer(), tmp_path / "areas.gpkg")
    save(police_layer(box(1000, 1000, 2500, 2000), population=3001), tmp_path / "police.gpkg")
    built = simulation.build_scenario(
        spec_for(tmp_path, name, overlay={"file": "police.gpkg", "mode": "carve"})
    )
    # covered: 1 km² of A, 0.5 km² of B -> 2000.67 and 1000.33 -> 2001 and 1000 (largest remainder)
    assert {a.id: a.population for a in built.areas} == {"a": 7_999, "b": 4_000, "p1": 3001}


def test_overlay_with_more_residents_than_it_covers_is_an_error(tmp_path):
    name = save(areas_layer(), tmp_path / "areas.gpkg")
    save(police_layer(box(0, 0, 1000, 1000), population=12_000), tmp_path / "police.gpkg")
    with pytest.raises(ScenarioError) as info:
        simulation.build_scenario(
            spec_for(tmp_path, name, overlay={"file": "police.gpkg", "mode": "carve"})
        )
    assert str(info.value).startswith(f"{tmp_path / 'police.gpkg'}: row 1, column population: ")
    assert "more residents than are left in area a (10000)" in str(info.value)


def test_points_instead_of_polygons_are_an_error_at_the_row(tmp_path):
    frame = areas_layer()
    frame.loc[1, "geometry"] = shapely_geometry.Point(X0, Y0)
    name = save(frame, tmp_path / "areas.gpkg")
    with pytest.raises(ScenarioError) as info:
        simulation.build_scenario(spec_for(tmp_path, name))
    assert str(info.value) == (
        f"{tmp_path / 'areas.gpkg'}: row 2, column geometry: expected a polygon (got 'Point')"
    )


def test_bad_attribute_in_a_polygon_layer_names_row_and_column(tmp_path):
    frame = areas_layer()
    frame["population"] = [10_000, -5]
    name = save(frame, tmp_path / "areas.gpkg")
    with pytest.raises(
        ScenarioError,
        match=r"areas\.gpkg: row 2, column population: expected a population of 0 or more",
    ):
        simulation.build_scenario(spec_for(tmp_path, name))


def test_the_same_tables_give_byte_identical_yaml(tmp_path):
    from simulation.build import scenario_yaml

    name = save(areas_layer(), tmp_path / "areas.gpkg")
    save(police_layer(box(1000, 1000, 3000, 2000)), tmp_path / "police.gpkg")
    rows = ["lat,lon,population"] + [
        ",".join(map(str, (*degrees(x, y), w))) for x, y, w in [(300, 300, 2), (1500, 1500, 5)]
    ]
    (tmp_path / "points.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    spec = spec_for(
        tmp_path,
        name,
        points={"file": "points.csv"},
        overlay={"file": "police.gpkg", "mode": "carve"},
    )
    first = scenario_yaml(simulation.build_scenario(spec))
    assert scenario_yaml(simulation.build_scenario(spec)) == first
    built = simulation.build_scenario(spec)
    # the carved area holds the point at (1500, 1500); A's rest only the one at (300, 300)
    assert located(built)["p1"] == pytest.approx(degrees(1500, 1500), abs=2e-6)
    assert located(built)["a"] == pytest.approx(degrees(300, 300), abs=2e-6)
