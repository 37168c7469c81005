"""Rinott's constant h and the two-stage procedure's probability of correct selection.

Published values: for k = 2 Rinott's equation is exact and equals Dudewicz and Dalal's (the
difference of two independent t variables), tabulated e.g. in Law & Kelton, Simulation
Modeling and Analysis, table of h1 (n0 = 20: 1.896 at P* = 0.90, 2.453 at P* = 0.95). For
k > 2 Rinott's h must exceed Dudewicz-Dalal's (it rests on Slepian's bound) and the
procedure's probability of correct selection at the least favourable configuration must be
at least P*: checked by simulation on cheap normal systems with unequal variances.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from simulation.pilot.rinott import first_stage, rinott_h, rinott_pcs, select_best


@pytest.mark.parametrize(("confidence", "published"), [(0.90, 1.896), (0.95, 2.453)])
def test_h_for_two_systems_matches_the_published_table(confidence, published):
    assert rinott_h(2, 20, confidence) == pytest.approx(published, abs=0.002)


def test_h_for_two_systems_is_the_quantile_of_a_difference_of_two_t_variables():
    # P(T1 - T2 < h) for independent t_9: an independent one-dimensional integral
    h = rinott_h(2, 10, 0.95)
    t = stats.t(9)
    p, _ = integrate.quad(lambda x: t.cdf(x + h) * t.pdf(x), -np.inf, np.inf)
    assert p == pytest.approx(0.95, abs=2e-5)  # quadrature error ~3e-6


def test_selecting_two_of_three_is_rejecting_the_worst_of_three():
    # choosing the best 2 of 3 = choosing the worst 1 of 3: same equation by symmetry
    assert rinott_h(3, 15, 0.95, t=2) == pytest.approx(rinott_h(3, 15, 0.95, t=1), abs=1e-6)


def test_h_grows_with_k_and_confidence_and_shrinks_with_n0():
    assert rinott_h(3, 20, 0.95) < rinott_h(5, 20, 0.95) < rinott_h(10, 20, 0.95)
    assert rinott_h(5, 20, 0.90) < rinott_h(5, 20, 0.95)
    assert rinott_h(5, 40, 0.95) < rinott_h(5, 20, 0.95) < rinott_h(5, 10, 0.95)
    # above the normal-theory limit (known variances): 1.645·√2 for k = 2
    assert rinott_h(2, 1000, 0.95) == pytest.approx(1.6449 * math.sqrt(2), abs=0.01)
    assert rinott_pcs(rinott_h(4, 12, 0.9), 4, 12) == pytest.approx(0.9, abs=1e-7)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="confidence"):
        rinott_h(4, 10, 0.2)
    with pytest.raises(ValueError, match="t="):
        rinott_h(4, 10, 0.9, t=3)


def _two_stage_pcs(k, t, n0, confidence, delta, sigmas, trials, seed):
    """Share of trials in which Rinott's procedure selects the t best at the LFC."""
    rng = np.random.default_rng(seed)
    means = np.array([0.0] * (k - t) + [delta] * t)  # the last t are best, by δ exactly
    h = rinott_h(k, n0, confidence, t)
    correct = 0
    for _ in range(trials):
        first = [rng.normal(means[i], sigmas[i], n0) for i in range(k)]
        stage = first_stage(first, delta, confidence, t)
        assert stage.h == h
        totals = []
        for i in range(k):
            more = rng.normal(means[i], sigmas[i], stage.totals[i] - n0)
            totals.append(float(np.concatenate([first[i], more]).mean()))
        correct += set(select_best(totals, t)) == set(range(k - t, k))
    return correct / trials


@pytest.mark.parametrize(
    ("k", "t", "sigmas"),
    [(4, 1, (1.0, 3.0, 0.5, 2.0)), (5, 2, (2.0, 0.5, 1.0, 3.0, 1.5))],
)
def test_probability_of_correct_selection_is_at_least_the_confidence(k, t, sigmas):
    # 2,000 trials: the PCS estimate has sd ≈ 0.0067 at 0.9 and the tolerance is 3 sd, so a
    # procedure whose PCS were 0.85 would pass with probability < 1e-4 (power check below)
    trials, confidence = 2000, 0.9
    pcs = _two_stage_pcs(k, t, 10, confidence, 1.0, sigmas, trials, seed=k * 10 + t)
    sd = math.sqrt(confidence * (1 - confidence) / trials)
    assert pcs >= confidence - 3 * sd
    bad = 0.85
    assert (
        1 - stats.norm.cdf((confidence - 3 * sd - bad) / math.sqrt(bad * (1 - bad) / trials)) < 1e-4
    )


def test_the_check_fails_for_a_procedure_with_too_small_an_h():
    # the same check on a procedure run with the h of P* = 0.6: it must fail
    trials, confidence = 1000, 0.9
    pcs = _two_stage_pcs(4, 1, 10, 0.6, 1.0, (1.0, 3.0, 0.5, 2.0), trials, seed=5)
    sd = math.sqrt(confidence * (1 - confidence) / trials)
    assert pcs < confidence - 3 * sd


def test_two_systems_are_exact_at_the_least_favourable_configuration():
    # k = 2: Rinott's bound is an equality (up to rounding N up), so the PCS is close to P*
    trials = 2000
    pcs = _two_stage_pcs(2, 1, 10, 0.9, 1.0, (4.0, 6.0), trials, seed=3)  # N_i ≫ n0
    sd = math.sqrt(0.9 * 0.1 / trials)
    assert 0.9 - 3 * sd <= pcs <= 0.93 + 3 * sd
