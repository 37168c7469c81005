"""The propose spec: errors name file and path; defaults and name."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.scenario.errors import ScenarioError
from simulation.scenario.propose_loading import load_propose
from tests.propose_support import OFFICE, region, spec, write


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path, "region.yaml", region())
    return tmp_path


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (
            {"budget": {"unit_days_per_week": 2, "hours_per_dai": 4}},
            "budget.hours_per_dai",
            "did you mean 'hours_per_day'",
        ),
        (
            {"budget": {"unit_days_per_week": 2, "windows": ["10:00-14:00", "14:00-25:00"]}},
            "budget.windows[1]",
            "times must lie between",
        ),
        (
            {"budget": {"unit_days_per_week": 2, "hours_per_day": 3, "windows": ["10:00-14:00"]}},
            "budget",
            "longer than hours_per_day",
        ),
        (
            {"budget": {"unit_days_per_week": 2, "weekdays": ["mon", "funday"]}},
            "budget.weekdays[1]",
            "expected a weekday",
        ),
        (
            {"budget": {"unit_days_per_week": 0}},
            "budget.unit_days_per_week",
            "greater than or equal to 1",
        ),
        (
            {"candidates": [{"id": "x", "area": "nowhere"}]},
            "candidates[0].area",
            "undefined area id",
        ),
        (
            {"candidates": [{"id": "x", "area": "far", "location": OFFICE}]},
            "candidates[0]",
            "exactly one",
        ),
        ({"units": [{"id": "office", "counters": 1}]}, "units[0].id", "already has a site"),
        (
            {"units": [{"id": "van", "counters": 1, "errands": ["f"]}]},
            "units[0].errands[0]",
            "undefined errand",
        ),
        ({"constraints": {"keep_offices": False}}, "constraints.keep_offices", "true"),
        (
            {"objective": "unserved_per_1000_yr@group:other"},
            "objective",
            "no area in group 'other'",
        ),
        (
            {"objective": "unserved_per_100_yr@group:vulnerable"},
            "objective",
            "did you mean 'unserved_per_1000_yr'",
        ),
        (
            {"secondary": ["wait_mean", "staff_hours_per_week@area:far"]},
            "secondary[1]",
            "unknown KPI at scope area",
        ),
        ({"secondary": ["wait_mean@site:nowhere"]}, "secondary[0]", "no site with this id"),
        ({"screening": {"shortlist": 2, "units": 3}}, "screening.units", "does not belong here"),
        ({"selection": {"initial": 20, "max_replications": 10}}, "selection", "at least initial"),
        ({"base": "missing.yaml"}, "base", "cannot read file"),
        ({"compare_with": "missing.sweep.yaml"}, "compare_with", "cannot read file"),
    ],
)
def test_spec_errors_name_file_and_path(folder: Path, change: dict, path: str, words: str):
    source = write(folder, "bad.propose.yaml", spec(**change))
    with pytest.raises(ScenarioError) as info:
        load_propose(source)
    err = info.value
    assert err.source == str(source)
    assert str(err).startswith(f"{source}: {path}:"), str(err)
    assert words.lower() in str(err).lower()


def test_spec_defaults_and_name(folder: Path):
    loaded = load_propose(write(folder, "north.propose.yaml", spec()))
    assert loaded.name == "north"
    assert loaded.spec.budget.day_indices == (0, 1, 2, 3, 4)
    assert loaded.spec.objective.label == "unserved_per_1000_yr@group:vulnerable"
    assert loaded.spec.screening.shortlist == 5 and loaded.spec.screening.catchment_minutes == 30
    assert loaded.spec.selection.confidence == 0.95 and loaded.spec.selection.max_replications == 20
    assert [c.id for c in loaded.candidates] == ["far", "near-a", "near-b", "near-c"]
    with pytest.raises(ScenarioError, match="expected a mapping"):
        load_propose(write(folder, "list.yaml", [1, 2]))
