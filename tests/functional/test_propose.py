"""``servicesim propose`` end to end on the synthetic region (``tests/propose_support.py``):
outputs, the proposal, the budget, the proposed sweep and the CLI handler.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from simulation.propose import cli_handler, propose
from simulation.results.sweep_folder import run_sweep
from simulation.scenario.loading import load_scenario
from simulation.scenario.sweep_spec import load_sweep
from tests.propose_support import OFFICE, region, spec, write


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path, "region.yaml", region())
    return tmp_path


@pytest.fixture(scope="module")
def proposed(tmp_path_factory) -> tuple[Any, Path]:
    """One end-to-end propose run on the synthetic region, with hand-made designs."""
    tmp = tmp_path_factory.mktemp("propose")
    write(tmp, "region.yaml", region())
    hand_unit = {
        "id": "van",
        "kind": "mobile",
        "counters": 1,
        "setup_minutes": 30,
        "schedule": [{"area": "near-a", "days": ["mon", "wed"], "hours": ["10:00-14:00"]}],
    }
    write(
        tmp,
        "hand.sweep.yaml",
        {
            "base": "region.yaml",
            "designs": {
                "today": {},
                "near-unit": {"add": {"sites": [hand_unit]}},
                "bigger-office": {"set": {"sites.office.counters": 4}},
            },
        },
    )
    budget = {
        "unit_days_per_week": 2,
        "hours_per_day": 3,
        "weekdays": ["mon", "wed-thu"],
        "windows": ["10:00-12:00", "13:00-14:00"],
    }
    path = write(
        tmp,
        "synthetic.propose.yaml",
        spec(budget=budget, constraints={"max_stops_per_day": 2}, compare_with="hand.sweep.yaml"),
    )
    out = tmp / "out"
    return propose(path, workers=1, out=out), out


def test_propose_writes_every_file(proposed):
    result, out = proposed
    assert {p.name for p in out.iterdir()} == {
        "proposed-scenario.yaml",
        "proposed.sweep.yaml",
        "designs.csv",
        "screening.csv",
        "selection.csv",
        "propose.md",
        "manifest.json",
    }
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "propose" and manifest["proposal"] == result.proposal
    assert manifest["runs"] == result.runs > 0
    report = (out / "propose.md").read_text()
    for words in (
        "## Verdict",
        "## Proposed timetable",
        "## Comparison",
        "## Method",
        "selected with confidence 0.975 given δ = 20",
    ):
        assert words in report


def test_proposal_stops_in_the_far_area_and_beats_the_alternatives(proposed):
    result, out = proposed
    assert set(result.timetable["stop"]) == {"far"}
    screening = pd.read_csv(out / "screening.csv").set_index("candidate")
    assert list(screening.index[screening["shortlisted"]]) == ["far"]
    selection = pd.read_csv(out / "selection.csv").set_index("design")
    assert selection.loc["near-unit", "proposal_verdict"] == "better"
    assert selection.loc["baseline", "proposal_verdict"] == "better"
    assert "today" not in selection.index  # the same scenario as the baseline
    designs = pd.read_csv(out / "designs.csv").set_index("design")
    assert designs.loc["baseline", "aliases"] == "today"
    assert "near-unit" in result.tracks[1].designs  # a hand-made timetable competes within budget
    assert "bigger-office" not in result.tracks[1].designs
    assert "Against" not in result.statement or "the proposal is better" in result.statement


def test_budget_is_respected(proposed):
    result, out = proposed
    designs = pd.read_csv(out / "designs.csv")
    search = designs[designs["kind"] == "search"]
    assert len(search) > 5
    assert (search["unit_days_per_week"] <= 2).all()
    assert (search["max_hours_per_unit_day"] <= 3).all()
    assert (search["max_stops_per_unit_day"] <= 2).all()
    assert (search["max_stops_per_unit_day"] == 2).any()  # two windows a day were tried
    assert (search["replications"] >= 3).all()
    weekdays = {"mon", "wed", "thu"}
    assert set(result.timetable["weekday"]) <= weekdays
    assert all(s.split(" ")[1].split(",")[0] in weekdays for s in search["schedule"])
    scenario = load_scenario(yaml.safe_load((out / "proposed-scenario.yaml").read_text()))
    unit = next(s for s in scenario.sites if s.id == "van")
    assert unit.counters == 1 and unit.setup_minutes == 30


def test_proposed_sweep_runs(proposed):
    _, out = proposed
    sweep = load_sweep(out / "proposed.sweep.yaml")
    assert list(sweep.spec.designs) == ["baseline", "proposal", "near-unit", "bigger-office"]
    result = run_sweep(sweep, workers=1, replications=2, progress=False)
    assert not result.failures
    assert set(result.replications["design"]) == set(sweep.spec.designs)


def test_cli_handler(folder: Path, tmp_path: Path):
    budget = {
        "unit_days_per_week": 1,
        "hours_per_day": 4,
        "weekdays": ["mon", "tue"],
        "windows": ["10:00-14:00"],
    }
    path = write(
        folder,
        "cli.propose.yaml",
        spec(
            budget=budget,
            selection={"indifference": 20, "initial": 3, "max_replications": 6, "confirmation": 0},
        ),
    )
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        rc = cli_handler(argparse.Namespace(propose=str(path), workers=1, out=tmp_path / "cli-out"))
    text = stdout.getvalue()
    assert rc == 0
    assert "proposed timetable:" in text and "far" in text
    assert f"results written to {tmp_path / 'cli-out'}/" in text
    assert "no confirmation run" in text


def test_no_eligible_candidate_gives_no_proposal(folder: Path, tmp_path: Path):
    """The only candidate stands at the office: nothing to propose, and the report says so."""
    path = write(
        folder,
        "none.propose.yaml",
        spec(
            candidates=[{"id": "at-office", "location": OFFICE}],
            selection={"initial": 2, "confirmation": 0},
        ),
    )
    result = propose(path, workers=1, out=tmp_path / "none")
    assert result.proposal is None and result.selected == "baseline"
    assert "No timetable could be proposed" in result.statement
    assert not (tmp_path / "none" / "proposed-scenario.yaml").exists()
    assert list(load_sweep(tmp_path / "none" / "proposed.sweep.yaml").spec.designs) == ["baseline"]
