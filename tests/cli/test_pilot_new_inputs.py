"""Bad values of the pilot file's ``share:`` and ``uncertain:`` blocks: one line, exit 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from simulation.cli.main import EXIT_BAD_INPUT, main
from tests.pilot_support import pilot_document, region, write_regions

TOWNS = {"far": 24, "west": 10, "east": -10}
SHIFTS = {"far": -200, "east": 20}


def _broken(kind: str, folder: Path) -> tuple[dict[str, Any], str, str]:
    """A broken pilot document, the path the error must name and the value it must show."""
    paths = write_regions(folder, TOWNS, days=7, shifts=SHIFTS)
    doc = pilot_document(paths, choose=2, share={"max_km": 40})
    if kind == "share_choose":
        doc["choose"] = 1
        return doc, "share", "needs choose: 2, not 1"
    if kind == "share_km":
        doc["share"] = {"max_km": -5}
        return doc, "share.max_km", "-5"
    if kind == "share_misspelt":
        doc["share"] = {"max_kms": 60}
        return doc, "share.max_kms", "max_km"
    doc.pop("share")
    inputs: dict[str, Any] = {"behaviour.decay.scale": {"low": 20, "high": 30}}
    doc["uncertain"] = {"worlds": 8, "inputs": inputs}
    if kind == "uncertain_range":
        inputs["behaviour.decay.scale"] = {"low": 30, "high": 20}
        return doc, "uncertain.inputs.behaviour.decay.scale", "20"
    if kind == "uncertain_path":
        inputs["areas.nowhere.population"] = {"low": 1, "high": 2}
        return doc, "uncertain.inputs.areas.nowhere.population", "no region's scenario"
    if kind == "uncertain_kpi":
        doc["uncertain"]["kpi"] = "served_per_yr"
        return doc, "uncertain.kpi", "served_per_yr"
    if kind == "uncertain_unit":
        inputs["sites.mobile-pilot.speed"] = {"low": 1, "high": 2}
        return doc, "uncertain.inputs.sites.mobile-pilot.speed", "setup_minutes"
    if kind == "uncertain_corner":
        inputs["areas.west-listed.population"] = {"low": -100, "high": 300}
        return doc, "uncertain.inputs.areas.west-listed.population.low", "region west"
    doc["uncertain"]["wrolds"] = 8
    return doc, "uncertain.wrolds", "worlds"


KINDS = [
    "share_choose", "share_km", "share_misspelt", "uncertain_range",
    "uncertain_path", "uncertain_kpi", "uncertain_unit", "uncertain_corner", "uncertain_misspelt",
]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_bad_new_pilot_inputs_exit_2_with_one_line(tmp_path, capsys, kind):
    doc, where, value = _broken(kind, tmp_path)
    path = tmp_path / "pilot.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    rc = main(["pilot", str(path), "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == EXIT_BAD_INPUT == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    assert lines[0].startswith(f"error: {path}: "), lines[0]
    assert where in lines[0], lines[0]
    assert value in lines[0], lines[0]
    assert captured.out == ""
    assert not out.exists()


def test_validate_lists_the_shared_pairs_and_the_worlds(tmp_path, capsys):
    paths = write_regions(tmp_path, TOWNS, days=7, shifts=SHIFTS)
    worlds = {"worlds": 8, "inputs": {"behaviour.decay.scale": {"low": 20, "high": 30}}}
    doc = pilot_document(paths, choose=2, share={"max_km": 40}, uncertain=worlds)
    path = tmp_path / "pilot.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "shared pairs within 40 km: west+east (13 km)" in out
    assert "uncertain: 8 world(s) x 3 replication(s), 1 input(s)" in out


@pytest.mark.parametrize("kind", ["differ", "ids"])
def test_neighbours_that_cannot_share_a_unit_are_listed_with_the_reason(tmp_path, capsys, kind):
    """Not an error: real neighbours may differ (Stockholm's errands include Migrationsverket,
    Södertälje's do not), so the pair is left out and the reason is said."""
    paths = write_regions(tmp_path, TOWNS, days=7, shifts=SHIFTS)
    if kind == "differ":  # east's residents travel farther: not one model
        east = region("east", -10, 7, 20)
        east["behaviour"]["decay"]["scale"] = 40
        reason = "their scenarios differ in behaviour"
    else:  # a copy of west under another name: the same area ids
        east = region("west", 10, 7, 20)
        east["name"] = "east"
        reason = "ids used by both (west-centre, west-listed, west-office)"
    paths[2].write_text(yaml.safe_dump(east), encoding="utf-8")
    path = tmp_path / "pilot.yaml"
    doc = pilot_document(paths, choose=2, share={"max_km": 40})
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "shared pairs within 40 km: none" in out
    assert f"not shared: west+east ({reason})" in out


def test_the_2022_file_shares_linkoping_and_norrkoping_and_has_plausible_worlds():
    from simulation.scenario.pilot_spec import load_pilot
    from tests.conftest import ROOT

    full = load_pilot(ROOT / "configs" / "sweden" / "pilot-2022.yaml")
    assert [(p.name, round(p.road_km)) for p in full.shared] == [("linkoping+norrkoping", 50)]
    assert full.unshared == (("sodertalje+stockholm", "their scenarios differ in errands"),)
    assert full.spec.uncertain is not None
    assert full.spec.uncertain.world_count() == 16
    assert "sites.mobile-pilot.setup_minutes" in full.spec.uncertain.inputs
