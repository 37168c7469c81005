"""Rinott's two-stage procedure: select the best ``t`` of ``k`` independent systems.

The systems' outputs are independent (no common random numbers between systems) and
normal with unknown, unequal variances. Stage 1 takes ``n0`` observations of each system
and their sample variance ``S²_i``; system *i* then gets ``N_i = max(n0, ⌈(h·S_i/δ)²⌉)``
observations in all, and the ``t`` systems with the largest overall means are selected
(Rinott 1978, Commun. Stat. A7:799–811; Bechhofer, Santner & Goldsman 1995, ch. 6).

**The constant h.** With ``ν = n0 − 1`` and ``Y, Y_1, ...`` independent χ²_ν variables,
``h`` solves

    E[ ( E_Y[ ∏_{i=1..t} Φ(h / √(ν(1/Y_i + 1/Y))) ] )^(k−t) ] = P*

(outer expectation over ``Y_1..Y_t``). For ``t = 1`` this is Rinott's equation
``∫ [∫ Φ(h/√(ν(1/x + 1/y))) f(x) dx]^(k−1) f(y) dy = P*``. For ``t ≥ 2`` it is the same
argument: given the variances, the differences of the selected and the other means are
jointly normal with non-negative correlations, so by Slepian's inequality the probability
that all of them have the right sign is at least the product of the pairwise ones. Then
``P(correct selection) ≥ P*`` whenever the ``t``-th best mean exceeds the ``(t+1)``-th by at
least δ. The expectations are computed by Gauss–Legendre quadrature on the χ² quantiles, and
``h`` by Brent's method (:func:`scipy.optimize.brentq`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import optimize, special, stats

NODES = 96
"""Gauss–Legendre nodes per χ² expectation (the value of h is stable to ~1e-4 from 64)."""


def _chi2_nodes(nu: int, m: int = NODES) -> tuple[np.ndarray, np.ndarray]:
    u, w = np.polynomial.legendre.leggauss(m)
    p = (u + 1.0) / 2.0
    return stats.chi2.ppf(p, nu), w / 2.0


def rinott_pcs(h: float, k: int, n0: int, t: int = 1) -> float:
    """The lower bound on the probability of correct selection for a given ``h``.

    Parameters
    ----------
    h
        Rinott's constant.
    k
        Number of systems.
    n0
        First-stage observations per system (at least 2).
    t
        How many systems are selected (1 or 2).

    Returns
    -------
    float
        The left-hand side of the equation for ``h`` (see the module docstring).
    """
    if t not in (1, 2) or not 1 <= t < k or n0 < 2:
        raise ValueError(f"need 1 <= t < k, t in (1, 2) and n0 >= 2 (got t={t}, k={k}, n0={n0})")
    nu = n0 - 1
    y, w = _chi2_nodes(nu)
    # phi[a, b] = Φ(h / sqrt(ν (1/y_a + 1/y_b)))
    phi = special.ndtr(h / np.sqrt(nu * (1.0 / y[:, None] + 1.0 / y[None, :])))
    if t == 1:
        inner = phi @ w  # over the other system's Y, for each selected Y_1
        return float(w @ inner ** (k - 1))
    inner2 = (phi[:, None, :] * phi[None, :, :]) @ w  # [a, b]: E_Y Φ(·|Y_a) Φ(·|Y_b)
    return float(w @ inner2 ** (k - 2) @ w)


@lru_cache(maxsize=256)
def rinott_h(k: int, n0: int, confidence: float, t: int = 1) -> float:
    """Rinott's constant ``h`` for selecting the best ``t`` of ``k`` systems.

    Parameters
    ----------
    k
        Number of systems (at least ``t + 1``).
    n0
        First-stage observations per system (at least 2).
    confidence
        The probability of correct selection P* (above the chance of a random pick).
    t
        How many systems are selected (1 or 2).

    Returns
    -------
    float
        ``h`` with ``rinott_pcs(h, k, n0, t) = confidence``.
    """
    chance = 1.0 / math.comb(k, t)
    if not chance < confidence < 1.0:
        raise ValueError(f"confidence must be in ({chance:g}, 1) (got {confidence})")
    return float(
        optimize.brentq(lambda h: rinott_pcs(h, k, n0, t) - confidence, 0.0, 100.0, xtol=1e-8)
    )


@dataclass(frozen=True)
class FirstStage:
    """What Rinott's first stage says about each system.

    Attributes
    ----------
    h
        Rinott's constant.
    variances
        The first-stage sample variances ``S²_i``.
    totals
        ``N_i = max(n0, ⌈(h·S_i/δ)²⌉)``: observations each system needs in all.
    """

    h: float
    variances: tuple[float, ...]
    totals: tuple[int, ...]


def first_stage(
    samples: list[np.ndarray], indifference: float, confidence: float, t: int = 1
) -> FirstStage:
    """Rinott's first stage: the total observations each system needs.

    Parameters
    ----------
    samples
        The ``n0`` first-stage observations of each system (the same ``n0`` for all).
    indifference
        δ, in the observations' units.
    confidence
        P*.
    t
        How many systems will be selected.

    Returns
    -------
    FirstStage
        ``h``, the sample variances and the total observations of each system.
    """
    n0s = {len(s) for s in samples}
    if len(n0s) != 1:
        raise ValueError(f"every system needs the same first-stage size (got {sorted(n0s)})")
    n0 = n0s.pop()
    h = rinott_h(len(samples), n0, confidence, t)
    variances = tuple(float(np.var(s, ddof=1)) for s in samples)
    totals = tuple(
        max(n0, math.ceil((h * math.sqrt(v) / indifference) ** 2 - 1e-9)) for v in variances
    )
    return FirstStage(h, variances, totals)


def select_best(means: list[float], t: int) -> tuple[int, ...]:
    """Indices of the ``t`` largest means (ties broken by position), best first."""
    order = sorted(range(len(means)), key=lambda i: (-means[i], i))
    return tuple(order[:t])
