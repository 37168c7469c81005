"""servicesim propose: spec errors, screening guarantee, search, selection, budget, outputs.

The synthetic region is built so that its best stop is known: one large vulnerable area
40 minutes from the only office ("far") and three small vulnerable areas next to it. The
office covers the small areas, so a unit helps only in the far one.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from simulation.errors import ScenarioError
from simulation.loading import load_scenario
from simulation.propose import cli_handler, propose
from simulation.propose.screening import gaussian_weight, screen
from simulation.propose.search import (
    BASELINE,
    Evaluator,
    Visit,
    feasible,
    search,
    timetable_changes,
)
from simulation.propose.selection import Track, kn_h2, run_selection
from simulation.propose.spec import load_propose
from simulation.sweep import run_sweep
from simulation.sweep_schema import load_sweep

OFFICE = {"lat": 58.0, "lon": 16.0}


def region(office: dict[str, float] = OFFICE) -> dict[str, Any]:
    """Far (20,000 residents, ~43 travel-minutes from the office) and three small near areas."""
    area = {"vulnerable": True, "demand": {"per_1000_per_year": 400}}
    return {
        "name": "synthetic",
        "calendar": {"start": "2023-01-02", "days": 7},
        "seed": 11,
        "errands": [
            {"id": "e", "share": 1.0, "service_minutes": {"dist": "exponential", "mean": 10}}
        ],
        "areas": [
            {"id": "far", "population": 20000, "location": {"lat": 58.10, "lon": 16.0}, **area},
            {"id": "near-a", "population": 2000, "location": {"lat": 58.004, "lon": 16.0}, **area},
            {"id": "near-b", "population": 2000, "location": {"lat": 57.996, "lon": 16.0}, **area},
            {"id": "near-c", "population": 2000, "location": {"lat": 58.0, "lon": 16.008}, **area},
        ],
        "sites": [
            {
                "id": "office",
                "kind": "office",
                "location": office,
                "counters": 3,
                "opening_hours": {"mon-fri": ["10:00-16:00"]},
            }
        ],
        "travel": {"speed_kmh": 20, "detour_factor": 1.3, "within_area_minutes": 5},
        "behaviour": {"max_deferral_days": 3, "decay": {"form": "exponential", "scale": 20}},
    }


def spec(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "base": "region.yaml",
        "units": [{"id": "van", "counters": 1, "setup_minutes": 30}],
        "budget": {"unit_days_per_week": 2, "hours_per_day": 4, "windows": ["10:00-14:00"]},
        "search": {"replications": 3},
        "selection": {
            "indifference": 20,
            "initial": 5,
            "batch": 5,
            "max_replications": 20,
            "confirmation": 5,
        },
        "seed": 5,
    }
    doc.update(overrides)
    return doc


def write(folder: Path, name: str, doc: Any) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


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


# -- the spec -----------------------------------------------------------------------------------


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


# -- screening ----------------------------------------------------------------------------------


def test_gaussian_weight():
    assert gaussian_weight(0.0, 30) == pytest.approx(1.0)
    assert gaussian_weight(30.0, 30) == pytest.approx(0.0)
    assert gaussian_weight(np.inf, 30) == 0.0
    w = gaussian_weight(np.array([5.0, 10.0, 20.0]), 30)
    assert np.all(np.diff(w) < 0)


@pytest.mark.parametrize(
    ("office", "covered"),
    [
        (OFFICE, {"near-a", "near-b", "near-c"}),
        ({"lat": 58.10, "lon": 16.0}, {"far"}),
    ],
)
def test_screening_never_shortlists_a_stop_an_office_covers(tmp_path: Path, office, covered):
    write(tmp_path, "region.yaml", region(office))
    at_office = {"id": "at-office", "location": office}
    candidates = [{"id": a, "area": a} for a in ("far", "near-a", "near-b", "near-c")] + [at_office]
    loaded = load_propose(write(tmp_path, "p.yaml", spec(candidates=candidates)))
    result = screen(loaded)
    table = result.table.set_index("candidate")
    for c in covered | {"at-office"}:
        assert table.loc[c, "office_coverage"] == pytest.approx(1.0)
        assert not table.loc[c, "eligible"] and not table.loc[c, "shortlisted"]
        assert c not in result.shortlist
    assert set(result.shortlist) == {"far", "near-a", "near-b", "near-c"} - covered


def test_screening_covering_model_picks_complementary_stops(folder: Path):
    """Two stops in the far area cover the same people; a third covers a remote area. The
    maximal covering model shortlists one of the twins and the remote stop, although the
    twins each cover more on their own than the remote stop."""
    cands = [
        {"id": "far", "area": "far"},
        {"id": "far-east", "location": {"lat": 58.10, "lon": 16.004}},
        {"id": "north", "location": {"lat": 58.30, "lon": 16.0}},
    ]
    doc = region()
    doc["areas"].append(
        {
            "id": "remote",
            "population": 3000,
            "vulnerable": True,
            "location": {"lat": 58.30, "lon": 16.0},
            "demand": {"per_1000_per_year": 400},
        }
    )
    write(folder, "region.yaml", doc)
    loaded = load_propose(
        write(folder, "p.yaml", spec(candidates=cands, screening={"shortlist": 2}))
    )
    result = screen(loaded)
    value = result.table.set_index("candidate")["covered_residual_per_week"]
    assert value["north"] < min(value["far"], value["far-east"])
    assert "north" in result.shortlist and len({"far", "far-east"} & set(result.shortlist)) == 1
    assert "milp" in result.solver


# -- search -------------------------------------------------------------------------------------


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


# -- selection ----------------------------------------------------------------------------------


class NormalSampler:
    """Test double: design *d* gives ``mean[d] + common noise + own noise`` per replication."""

    def __init__(self, means: dict[str, float], sd: float, rho: float, seed: int) -> None:
        self.means, self.sd, self.rho = means, sd, rho
        self.rng = np.random.default_rng(seed)
        self.common: list[float] = []
        self.data: dict[str, list[float]] = {d: [] for d in means}

    def ensure(self, designs, n, batch_size=None):
        while len(self.common) < n:
            self.common.append(float(self.rng.normal()))
        for d in designs:
            while len(self.data[d]) < n:
                j = len(self.data[d])
                own = float(self.rng.normal())
                noise = np.sqrt(self.rho) * self.common[j] + np.sqrt(1 - self.rho) * own
                self.data[d].append(self.means[d] + self.sd * noise)

    def count(self, design):
        return len(self.data[design])

    def values(self, design, n=None):
        v = np.array(self.data[design])
        return v if n is None else v[:n]


def test_kn_constant():
    """η = ((2α/(k-1))^(-2/(n0-1)) - 1)/2, h² = 2η(n0-1): k=2, α=0.05, n0=10 gives 0.1^(-2/9)."""
    assert kn_h2(2, 10, 0.05) == pytest.approx((0.1 ** (-2 / 9) - 1) * 9)
    assert kn_h2(1, 10, 0.05) == 0.0


def test_kn_probability_of_correct_selection_in_the_least_favourable_case():
    """Best exactly δ better than three equal rivals: correct in at least 1 - α of runs."""
    delta, alpha, runs = 1.0, 0.05, 300
    correct = 0
    for seed in range(runs):
        sampler = NormalSampler(
            {"a": 1.0, "b": 1.0, "best": 0.0, "c": 1.0}, sd=2.0, rho=0.5, seed=seed
        )
        track = Track("t", ("a", "b", "best", "c"), alpha)
        run_selection(
            sampler, [track], [], delta=delta, initial=10, batch=2, max_replications=100000
        )
        correct += track.selected == "best"
        assert not track.truncated
    assert correct / runs >= 1 - alpha - 0.03  # binomial slack; KN is conservative


def test_kn_drops_clear_losers_early_and_caps_replications():
    sampler = NormalSampler({"best": 0.0, "close": 0.05, "bad": 50.0}, sd=1.0, rho=0.0, seed=3)
    track = Track("t", ("best", "close", "bad"), 0.05)
    used = run_selection(sampler, [track], [], delta=1.0, initial=5, batch=5, max_replications=15)
    assert track.status["bad"] == "eliminated at r=5 by best"
    assert sampler.count("bad") == 5 and sampler.count("best") == 15
    assert used == 15 and track.truncated and track.selected in {"best", "close"}
    assert "survivor at the cap" in track.status.values()


@pytest.mark.slow
def test_selection_returns_the_true_best_across_seeds(folder: Path):
    """Tiny simulations, 10 seeds: a unit in the far area beats one in a covered area and none."""
    for seed in range(10):
        loaded = load_propose(write(folder, "p.yaml", spec(seed=seed)))
        evaluator = Evaluator(loaded, workers=1)
        ids = [evaluator.add("baseline", "baseline", {}, name=BASELINE).id]
        for stop in ("near-a", "far"):
            table = (Visit("van", stop, 0, "10:00-14:00"), Visit("van", stop, 2, "10:00-14:00"))
            ids.append(
                evaluator.add(
                    "search", "test", timetable_changes(loaded, table), timetable=table
                ).id
            )
        track = Track("overall", tuple(ids), 0.05)
        run_selection(evaluator, [track], [], delta=10.0, initial=3, batch=3, max_replications=15)
        assert track.selected == ids[2], (seed, track.status)


# -- end to end ---------------------------------------------------------------------------------


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
