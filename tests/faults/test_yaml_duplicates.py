"""Duplicate YAML keys (issue 12, rule 7): YAML silently keeps the last of two equal keys;
servicesim refuses them, naming the file, the line and the key, in every file it reads."""

from __future__ import annotations

import pytest

from simulation.scenario.errors import ScenarioError
from simulation.scenario.loading import load_scenario
from simulation.scenario.yaml_io import parse_yaml
from tests.faults.h3_inputs import DATA, assert_one_error, run_cli

TINY = (DATA / "tiny-base.yaml").read_text(encoding="utf-8")


def test_duplicate_top_level_key_in_a_scenario(tmp_path, capsys):
    # covers: `name: a` then `name: b` was accepted (the last won)
    path = tmp_path / "dup.yaml"
    path.write_text(TINY.replace("seed: 11\n", "seed: 11\nseed: 12\n"), encoding="utf-8")
    rc, _, err = run_cli(capsys, "validate", path)
    assert_one_error(
        rc, err, f"{path}: seed: duplicate key 'seed' at line 5 (first given at line 4)"
    )


def test_duplicate_nested_key_names_its_path(tmp_path, capsys):
    # covers: a duplicate inside a site was accepted silently
    path = tmp_path / "dup.yaml"
    path.write_text(
        TINY.replace("    counters: 2\n", "    counters: 2\n    counters: 5\n"), encoding="utf-8"
    )
    rc, _, err = run_cli(capsys, "run", path, "--out", tmp_path / "out")
    assert_one_error(
        rc, err, "sites[0].counters: duplicate key 'counters' at line 17 (first given at line 16)"
    )
    assert not (tmp_path / "out").exists()


def test_duplicate_in_flow_mapping_and_merge_keys_stay_allowed():
    # covers: duplicates in flow style ({a: 1, a: 2}); merge keys (<<) may still be overridden
    with pytest.raises(ScenarioError, match=r"areas\[0\]\.id: duplicate key 'id' at line 1"):
        parse_yaml("areas: [{id: a, population: 1, id: b}]")
    assert parse_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n") == {
        "base": {"x": 1, "y": 2},
        "other": {"x": 1, "y": 3},
    }


def test_duplicate_in_sweep_file_and_in_its_base(tmp_path, capsys):
    # covers: sweep files and the base scenario they name accepted duplicate keys too
    sweep = tmp_path / "s.sweep.yaml"
    sweep.write_text(
        f"name: s\nbase: {DATA / 'tiny-base.yaml'}\nreplications: 2\nreplications: 3\n"
        "designs: {a: {}}\n",
        encoding="utf-8",
    )
    rc, _, err = run_cli(capsys, "sweep", sweep, "--out", tmp_path / "out")
    assert_one_error(rc, err, f"{sweep}: replications: duplicate key 'replications' at line 4")
    base = tmp_path / "base.yaml"
    base.write_text(
        TINY.replace("  - id: city\n", "  - id: city\n    id: town\n"), encoding="utf-8"
    )
    sweep.write_text("name: s\nbase: base.yaml\ndesigns: {a: {}}\n", encoding="utf-8")
    rc, _, err = run_cli(capsys, "sweep", sweep, "--out", tmp_path / "out")
    assert_one_error(
        rc, err, f"{sweep}: base: sites[0].id: duplicate key 'id' at line 14", "'base.yaml'"
    )


def test_duplicate_in_propose_file(tmp_path, capsys):
    # covers: propose files accepted duplicate keys
    path = tmp_path / "p.propose.yaml"
    path.write_text(
        f"base: {DATA / 'tiny-base.yaml'}\nunits: [{{id: bus, counters: 1}}]\n"
        "budget: {unit_days_per_week: 1, hours_per_day: 2, windows: ['10:00-12:00']}\n"
        "budget: {unit_days_per_week: 2, hours_per_day: 2, windows: ['10:00-12:00']}\n",
        encoding="utf-8",
    )
    rc, _, err = run_cli(capsys, "propose", path, "--out", tmp_path / "out")
    assert_one_error(
        rc, err, f"{path}: budget: duplicate key 'budget' at line 4 (first given at line 3)"
    )


def test_equal_keys_of_different_spelling_are_duplicates(tmp_path):
    # covers: YAML reads `10` and `0xA` as the same integer key: an hour weight given twice
    path = tmp_path / "hours.yaml"
    path.write_text(TINY + "demand_profile:\n  hour: {10: 1.0, 0xA: 2.0}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"demand_profile\.hour\.10: duplicate key '10'"):
        load_scenario(path)
