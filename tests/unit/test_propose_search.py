"""Propose search: feasible timetables keep the budget, and the search finds the far area."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.propose.evaluator import BASELINE, Evaluator
from simulation.propose.search import search
from simulation.propose.timetable import Visit, feasible
from simulation.scenario.propose_loading import load_propose
from tests.propose_support import region, spec, write


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path, "region.yaml", region())
    return tmp_path


def test_feasible_keeps_budget_and_one_place_at_a_time(folder: Path):
    budget = {
        "unit_days_per_week": 2,
        "hours_per_day": 4,
        "windows": ["10:00-12:00", "12:10-14:00", "13:00-14:00", "10:00-14:00"],
    }
    loaded = load_propose(
        write(folder, "p.yaml", spec(budget=budget, constraints={"max_stops_per_day": 2}))
    )

    def ok(*visits: tuple[str, int, str]) -> bool:
        return feasible([Visit("van", s, d, w) for s, d, w in visits], loaded)

    assert ok(("far", 0, "10:00-14:00"), ("far", 2, "10:00-14:00"))
    assert not ok(
        ("far", 0, "10:00-14:00"), ("far", 2, "10:00-14:00"), ("far", 4, "10:00-14:00")
    )  # 3 days
    assert ok(("far", 0, "10:00-12:00"), ("near-a", 0, "13:00-14:00"))  # 60 min to move, 30 needed
    assert not ok(("far", 0, "10:00-12:00"), ("near-a", 0, "12:10-14:00"))  # 10 min < set-up 30
    assert ok(("far", 0, "10:00-12:00"), ("far", 0, "12:10-14:00"))  # same place: no set-up
    assert not ok(("far", 0, "10:00-12:00"), ("far", 0, "10:00-14:00"))  # overlap, and 6 h
    assert not ok(("far", 0, "10:00-12:00"), ("far", 0, "12:10-14:00"), ("far", 0, "13:00-14:00"))


def test_search_finds_the_far_area_among_all_candidates(folder: Path):
    """Shortlist forced to every area, the far one last: the simulation still picks it."""
    budget = {
        "unit_days_per_week": 2,
        "hours_per_day": 4,
        "weekdays": ["mon", "tue"],
        "windows": ["10:00-14:00"],
    }
    loaded = load_propose(write(folder, "p.yaml", spec(budget=budget)))
    evaluator = Evaluator(loaded, workers=1)
    evaluator.add("baseline", "baseline", {}, name=BASELINE)
    result = search(loaded, ["near-a", "near-b", "near-c", "far"], evaluator)
    first = result.steps.iloc[0]
    assert first["stage"] == "greedy-1" and first["best_timetable"].startswith("far ")
    best = evaluator.designs[result.best].timetable
    assert {v.stop for v in best} == {"far"} and len(best) == 2
    assert evaluator.score(result.best) < evaluator.score(BASELINE)
