"""Propose selection: the Kim-Nelson procedure's constant, probability of correct
selection and elimination, and the true best across seeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulation.propose.evaluator import BASELINE, Evaluator
from simulation.propose.selection import Track, kn_h2, run_selection
from simulation.propose.timetable import Visit, timetable_changes
from simulation.scenario.propose_loading import load_propose
from tests.propose_support import region, spec, write


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path, "region.yaml", region())
    return tmp_path


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
