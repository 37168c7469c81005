"""The reference formulas themselves, against closed forms and each other (fast)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.theory.analytic import (
    erlang_a,
    erlang_b,
    erlang_c,
    impatient_queue,
    mmc_wait_tail,
    mmc_wq,
    mmck_blocking,
    mmck_probabilities,
    mmck_wq_joiners,
)


def test_erlang_b_and_c_closed_forms():
    # c = 1: B = a / (1 + a), C = rho
    assert erlang_b(1, 0.7) == pytest.approx(0.7 / 1.7)
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    # direct sums for c = 4, a = 3.2
    a, c = 3.2, 4
    terms = [a**k / math.factorial(k) for k in range(c + 1)]
    assert erlang_b(c, a) == pytest.approx(terms[-1] / sum(terms))
    tail = terms[-1] / (1 - a / c)
    assert erlang_c(c, a) == pytest.approx(tail / (sum(terms[:-1]) + tail))
    # the value quoted for configs/examples/theory-mmc.yaml
    assert mmc_wq(3.2, 1.0, 4) == pytest.approx(0.7455, abs=5e-5)
    # large c stays finite and tiny
    assert 0 < erlang_c(50, 2.0) < 1e-30
    with pytest.raises(ValueError):
        erlang_c(4, 4.0)


def test_mm1_wait_formulas():
    lam, mu = 0.7, 1.0
    assert mmc_wq(lam, mu, 1) == pytest.approx(lam / (mu * (mu - lam)))
    assert mmc_wait_tail(lam, mu, 1, 2.0) == pytest.approx(lam / mu * math.exp(-(mu - lam) * 2.0))


def test_mmck_closed_forms():
    # M/M/1/K: p_K = (1 - rho) rho^K / (1 - rho^(K+1))
    rho, k = 0.7, 3
    assert mmck_blocking(rho, 1.0, 1, k) == pytest.approx((1 - rho) * rho**k / (1 - rho ** (k + 1)))
    # K = c is Erlang B
    assert mmck_blocking(3.2, 1.0, 4, 4) == pytest.approx(erlang_b(4, 3.2))
    # a huge waiting room is M/M/c
    assert mmck_wq_joiners(3.2, 1.0, 4, 400) == pytest.approx(mmc_wq(3.2, 1.0, 4))
    p = mmck_probabilities(2.4, 1.0, 2, 7)
    assert p.sum() == pytest.approx(1.0)
    assert np.all(np.diff(p[2:]) > 0)  # overloaded: increasing above c


def test_impatient_queue_limits_and_consistency():
    # theta = 1 / mu with one counter: everyone leaves at rate mu, so N ~ Poisson(lam / mu)
    # and P(abandon) = E[(N - 1)^+] / lam = (lam - 1 + e^(-lam)) / lam
    lam = 1.0
    out = erlang_a(lam, 1.0, 1, 1.0)
    assert out["p_abandon"] == pytest.approx((lam - 1 + math.exp(-lam)) / lam)
    # very patient visitors: Erlang C
    patient = erlang_a(3.2, 1.0, 4, 1e4)
    assert patient["wq_served"] == pytest.approx(mmc_wq(3.2, 1.0, 4), rel=2e-3)
    # infinite patience with a waiting room: M/M/c/K
    room = impatient_queue(3.2, 1.0, 4, 1e12, capacity=3)
    assert room["p_block"] == pytest.approx(mmck_blocking(3.2, 1.0, 4, 7), rel=1e-6)
    assert room["wq_joiners"] == pytest.approx(mmck_wq_joiners(3.2, 1.0, 4, 7), rel=1e-6)
    # the tagged-arrival analysis agrees with the rate balance
    for capacity in (None, 0, 3):
        out = impatient_queue(4.4, 1.0, 4, 2.0, capacity=capacity)
        assert out["p_served"] + out["p_abandon"] + out["p_block"] == pytest.approx(1.0)
        # busy counters = throughput / mu (Little for the counters)
        assert out["busy"] == pytest.approx(4.4 * out["p_served"])
        # abandonment rate = Lq / theta, and Lq = lam (1 - p_block) Wq (Little)
        assert out["p_abandon"] == pytest.approx(out["wq_joiners"] * (1 - out["p_block"]) / 2.0)
        assert out["wq_served"] <= out["wq_joiners"] + 1e-12
