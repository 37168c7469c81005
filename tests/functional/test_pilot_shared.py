"""One unit shared by two neighbouring regions (``share:``), on synthetic regions whose
answer is known by construction.

``west`` and ``east`` are two towns 20 km apart (:mod:`tests.pilot_support`). In the first
case their vulnerable areas lie at the **same point**, 10 km from either office: one unit
parked there serves both, so the shared unit's benefit is about the sum of the two regions'
benefits (~330 each), far above the benefit per unit of two separate units in ``far`` (~510)
and ``west`` (~420 on average): the pilot is the shared unit. In the second case each town's
vulnerable area lies 4 km from its own office on the far side from the other town: a shared
unit can only split its two days, its benefit stays below the two small regions' sum (~300),
far below the separate units' ~450 per unit (``far`` and ``mid``): the pilot is two separate
units.
"""

from __future__ import annotations

import pytest
import yaml

import simulation.pilot as p
from simulation.scenario.pilot_spec import load_pilot
from tests.pilot_support import pilot_document, write_regions

SAME_POINT = {"far": 24, "west": 10, "east": -10}
APART = {"far": 24, "mid": 14, "west": -4, "east": 4}
SHIFTS = {"far": -200, "mid": -400, "east": 20}  # km east: far and mid have no neighbour


def test_one_unit_shared_by_two_towns_around_one_listed_area_is_the_pilot(tmp_path):
    paths = write_regions(tmp_path, SAME_POINT, days=14, shifts=SHIFTS)
    doc = pilot_document(paths, seed=1, choose=2, share={"max_km": 40})
    result = p.pilot(doc, workers=1, out=tmp_path / "out", progress=False)
    assert result.shared_pilot == "west+east"
    row = result.shared.iloc[0]
    benefit = result.ranking.set_index("region")["benefit"]
    # one unit serves both listed areas: about the two regions' benefits together
    assert row["benefit"] > 1.5 * max(benefit["west"], benefit["east"])
    assert row["benefit"] < benefit["west"] + benefit["east"] + 2 * 60
    assert row["benefit_ci_low"] > row["separate_benefit_per_unit"]
    assert row["road_km"] == pytest.approx(13.0, abs=0.1)
    assert result.statement.startswith("Run the pilot with one unit shared by West and East")
    out = tmp_path / "out"
    for name in ("shared.csv", "west-east-shared-base.yaml", "west-east-shared-pilot.sweep.yaml"):
        assert (out / name).is_file()
    sweep = yaml.safe_load((out / "west-east-shared-pilot.sweep.yaml").read_text("utf-8"))
    assert sweep["base"] == "west-east-shared-base.yaml"
    assert set(sweep["designs"]) == {"baseline", "pilot"}
    manifest = yaml.safe_load((out / "manifest.json").read_text("utf-8"))
    assert manifest["shared_pilot"] == "west+east"


def test_two_separate_units_win_when_the_neighbours_listed_areas_lie_apart(tmp_path):
    paths = write_regions(tmp_path, APART, days=14, shifts=SHIFTS)
    doc = pilot_document(paths, seed=3, choose=2, share={"max_km": 40})
    result = p.pilot(doc, workers=1, out=tmp_path / "out", progress=False)
    assert result.shared_pilot is None
    assert set(result.selected) == {"far", "mid"}
    row = result.shared.iloc[0]
    assert row["pair"] == "west+east" and not row["chosen"]
    benefit = result.ranking.set_index("region")["benefit"]
    assert row["benefit"] < benefit["west"] + benefit["east"] + 60
    assert row["benefit_ci_high"] < row["separate_benefit_per_unit"]
    assert row["separate_benefit_per_unit"] == pytest.approx((benefit["far"] + benefit["mid"]) / 2)
    assert result.statement.startswith("Run the pilot in Far and Mid:")
    # centres at 2 km west and 22 km east of the common office: 24 km x 1.3
    assert row["road_km"] == pytest.approx(31.2, abs=0.1)
    assert "One unit shared by West and East (31 km apart) would do" in result.statement
    assert not (tmp_path / "out" / "west-east-shared-base.yaml").exists()


def test_pairs_are_the_regions_within_max_km_of_road(tmp_path):
    paths = write_regions(tmp_path, SAME_POINT, days=14, shifts=SHIFTS)
    # centres 10 km apart (each town's two equal areas), × detour 1.3 = 13 road km
    assert load_pilot(pilot_document(paths, choose=2, share={"max_km": 12.9})).shared == ()
    (pair,) = load_pilot(pilot_document(paths, choose=2, share={"max_km": 13.1})).shared
    assert pair.name == "west+east" and pair.parts == ("west", "east")
    assert pair.road_km == pytest.approx(13.0, abs=0.05)
    ids = [a.id for a in pair.propose.scenario.areas]
    assert ids == ["west-listed", "west-centre", "east-listed", "east-centre"]
    assert [s.id for s in pair.propose.scenario.sites] == ["west-office", "east-office"]
    assert [c.id for c in pair.propose.candidates] == ids
    # the default is 60 km; without share: no pair, and the seed does not depend on order
    assert load_pilot(pilot_document(paths, choose=2, share={})).shared[0].road_km < 60
    assert load_pilot(pilot_document(paths, choose=2)).shared == ()
    back = load_pilot(pilot_document(list(reversed(paths)), choose=2, share={}))
    assert back.shared[0].name == "east+west"
    assert back.shared[0].propose.seed == pair.propose.seed


def test_neighbours_that_cannot_share_are_said_and_the_pilot_goes_on(tmp_path):
    from tests.pilot_support import region

    paths = write_regions(tmp_path, SAME_POINT, days=7, shifts=SHIFTS)
    east = region("east", -10, 7, 20)
    east["behaviour"]["decay"]["scale"] = 40  # not one model with west
    paths[2].write_text(yaml.safe_dump(east), encoding="utf-8")
    doc = pilot_document(paths, seed=1, choose=2, share={"max_km": 40})
    result = p.pilot(doc, workers=1, out=tmp_path / "out", progress=False)
    assert result.shared is None and result.shared_pilot is None
    assert result.statement.startswith("Run the pilot in ")
    report = (tmp_path / "out" / "pilot.md").read_text("utf-8")
    assert "No two regions within 40 km can share a unit." in report
    assert "Not shared: west+east (their scenarios differ in behaviour)." in report
    manifest = yaml.safe_load((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert manifest["unshared"] == {"west+east": "their scenarios differ in behaviour"}
    assert manifest["shared_pilot"] is None
    assert not (tmp_path / "out" / "shared.csv").exists()
