"""Travel matrices (issue 12, rule 7): empty, header-only and conflicting files are errors,
unreachable areas are named in a warning, and one matrix serves every design of a sweep."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from simulation.cli.main import main
from simulation.results.sweep_folder import run_sweep
from simulation.scenario.errors import ScenarioError
from simulation.scenario.loading import load_scenario
from simulation.scenario.sweep_spec import load_sweep
from tests.faults.h3_inputs import assert_one_error, run_cli, tiny, write_yaml

FULL = "area,site,minutes\nnorth,city,10\nsouth,city,12\nnorth,east,20\nsouth,east,25\n"
EAST = {
    "id": "east",
    "kind": "office",
    "location": {"lat": 58.41, "lon": 15.72},
    "counters": 1,
    "opening_hours": {"mon-fri": ["10:00-16:00"]},
}


def scenario_with_matrix(folder: Path, matrix_text: str) -> Path:
    """Tiny scenario with a second office, ``east``, and travel times from ``matrix.csv``."""
    (folder / "matrix.csv").write_text(matrix_text, encoding="utf-8")
    doc = tiny(travel={"matrix": "matrix.csv"})
    doc["sites"] = doc["sites"] + [EAST]
    return write_yaml(folder / "scenario.yaml", doc)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "travel matrix is empty: expected the header line 'area,site,minutes'"),
        ("area,site,minutes\n", "travel matrix has a header but no rows"),
        ("area,site,minutes\n\n\n", "travel matrix has a header but no rows"),
    ],
)
def test_empty_and_header_only_matrices_are_errors(tmp_path, capsys, text, message):
    # covers: an empty matrix (or one with only its header) left every area unreachable, 0 % served, no word
    path = scenario_with_matrix(tmp_path, text)
    rc, _, err = run_cli(capsys, "validate", path)
    assert_one_error(rc, err, f"{path}: travel.matrix: {message}")


def test_duplicate_pairs_with_different_minutes_are_errors(tmp_path, capsys):
    # covers: duplicate conflicting rows were accepted (the last won); identical repeats stay allowed
    path = scenario_with_matrix(tmp_path, FULL + "north,city,10\n")
    assert run_cli(capsys, "validate", path)[0] == 0
    path = scenario_with_matrix(tmp_path, FULL + "north,city,14\n")
    rc, _, err = run_cli(capsys, "validate", path)
    assert_one_error(
        rc,
        err,
        "travel.matrix: line 6: area 'north' to site 'city' is given again with other "
        "minutes (line 2: 10) (got 14.0)",
    )


def test_areas_without_a_reachable_site_are_named_in_a_warning(tmp_path, caplog):
    # covers: an area the matrix leaves without any site went 100 % unserved without a word
    path = scenario_with_matrix(tmp_path, "area,site,minutes\nnorth,city,10\nnorth,east,20\n")
    with caplog.at_level(logging.WARNING, logger="simulation.engine.network"):
        assert main(["validate", str(path)]) == 0  # named before any work (also by run and sweep)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "no site can be reached from 1 area(s)" in warnings[0] and warnings[0].endswith(
        "south; all their needs will go unserved"
    )


def test_one_matrix_serves_every_design_of_a_sweep(tmp_path):
    # covers: a design removing a site the matrix lists failed with
    # "designs.no-east.travel.matrix: design 'no-east': line 4: undefined site id"
    scenario_with_matrix(tmp_path, FULL)
    sweep = write_yaml(
        tmp_path / "m.sweep.yaml",
        {
            "name": "m",
            "base": "scenario.yaml",
            "replications": 2,
            "kpis": ["wait_mean"],
            "designs": {"today": {}, "no-east": {"remove": {"sites": ["east"]}}},
        },
    )
    loaded = load_sweep(sweep)
    assert [c[0] for c in loaded.cells] == ["today", "no-east"]
    result = run_sweep(loaded, workers=1, out=None, progress=False)
    assert not result.failures
    assert set(result.replications["design"]) == {"today", "no-east"}


def test_matrix_rows_for_another_designs_mobile_unit_are_ignored(tmp_path):
    # covers: rows for a unit only one design adds (its place id unit@area) failed in the other designs
    scenario_with_matrix(tmp_path, FULL + "north,bus@north,3\nsouth,bus@north,9\n")
    bus = {
        "id": "bus",
        "kind": "mobile",
        "counters": 1,
        "schedule": [{"area": "north", "days": ["tue"], "hours": ["10:00-14:00"]}],
    }
    sweep = write_yaml(
        tmp_path / "m.sweep.yaml",
        {
            "name": "m",
            "base": "scenario.yaml",
            "replications": 2,
            "kpis": ["wait_mean"],
            "designs": {"today": {}, "bus": {"add": {"sites": [bus]}}},
        },
    )
    assert len(load_sweep(sweep).cells) == 2
    with pytest.raises(ScenarioError, match=r"line 6: undefined site id"):
        load_scenario(tmp_path / "scenario.yaml")  # on its own the scenario has no unit 'bus'


def test_matrix_rows_for_ids_of_no_design_are_errors(tmp_path, capsys):
    # covers: ids that exist in no design must still be reported (a typo is not silently ignored)
    scenario_with_matrix(tmp_path, FULL + "north,west,7\n")
    sweep = write_yaml(
        tmp_path / "m.sweep.yaml",
        {
            "name": "m",
            "base": "scenario.yaml",
            "replications": 2,
            "designs": {"today": {}, "no-east": {"remove": {"sites": ["east"]}}},
        },
    )
    rc, _, err = run_cli(capsys, "sweep", sweep, "--out", tmp_path / "out")
    assert_one_error(
        rc,
        err,
        "designs.today.travel.matrix: design 'today': line 6: undefined site id "
        "(in no design of the sweep)",
        "(got 'west')",
    )
    assert not (tmp_path / "out").exists()
