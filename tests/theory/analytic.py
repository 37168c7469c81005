"""Exact results for Markovian multi-server queues, used as the reference in the theory tests.

Notation: arrival rate ``lam`` (per minute), service rate ``mu`` per counter (1 / mean
service minutes), ``c`` counters, offered load ``a = lam / mu`` (Erlang) and
``rho = a / c``. Everything is computed with stable recursions, so large ``c`` and loads
give neither overflow nor cancellation.
"""

from __future__ import annotations

import math

import numpy as np


def erlang_b(c: int, a: float) -> float:
    """Erlang B: blocking probability of M/M/c/c with offered load ``a``.

    Uses the recursion ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))``.
    """
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Erlang C: probability that an arrival to M/M/c has to wait (needs ``a < c``)."""
    if not a < c:
        raise ValueError(f"M/M/c is unstable for load {a} >= {c} counters")
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def mmc_wq(lam: float, mu: float, c: int) -> float:
    """M/M/c mean wait in queue: ``Wq = C(c, a) / (c mu - lam)``."""
    return erlang_c(c, lam / mu) / (c * mu - lam)


def mmc_wait_tail(lam: float, mu: float, c: int, t: float) -> float:
    """M/M/c (FIFO) ``P(Wq > t) = C(c, a) exp(-(c mu - lam) t)``."""
    return erlang_c(c, lam / mu) * math.exp(-(c * mu - lam) * t)


def mmck_probabilities(lam: float, mu: float, c: int, k: int) -> np.ndarray:
    """Stationary distribution of the number in system of M/M/c/K (``K = k >= c``).

    ``p_n`` is proportional to ``a^n / n!`` for ``n <= c`` and to
    ``a^c / c! * rho^(n - c)`` for ``c < n <= K``; built as a product of ratios.
    """
    if k < c:
        raise ValueError(f"K ({k}) must be at least c ({c})")
    a = lam / mu
    ratio = [a / min(n, c) for n in range(1, k + 1)]  # p_n / p_(n-1)
    log_p = np.concatenate(([0.0], np.cumsum(np.log(ratio))))
    p = np.exp(log_p - log_p.max())
    return p / p.sum()


def mmck_blocking(lam: float, mu: float, c: int, k: int) -> float:
    """M/M/c/K blocking probability ``p_K`` (PASTA: the share of arrivals turned away)."""
    return float(mmck_probabilities(lam, mu, c, k)[-1])


def mmck_wq_joiners(lam: float, mu: float, c: int, k: int) -> float:
    """M/M/c/K mean wait in queue of the arrivals that join: ``Lq / (lam (1 - p_K))``."""
    p = mmck_probabilities(lam, mu, c, k)
    n = np.arange(k + 1)
    lq = float((np.maximum(n - c, 0) * p).sum())
    return lq / (lam * (1.0 - p[-1]))


def impatient_queue(
    lam: float,
    mu: float,
    c: int,
    theta: float,
    capacity: int | None = None,
    n_max: int | None = None,
) -> dict[str, float]:
    """M/M/c/K+M: exponential patience (mean ``theta``) and optionally at most ``capacity``
    people waiting (``K = c + capacity``; arrivals that find ``K`` in the system balk).

    The number in system is a birth-death chain with birth rate ``lam`` (below ``K``) and
    death rate ``min(n, c) mu + max(n - c, 0) / theta``. Without a capacity it is truncated
    at ``n_max``: the number waiting is stochastically smaller than in M/M/inf with arrival
    rate ``lam`` and mean holding time ``theta`` (Poisson with mean ``lam theta``), so the
    default ``c + lam theta + 12 sqrt(lam theta) + 200`` leaves a truncated mass far below
    1e-20.

    Returns
    -------
    dict
        ``p_block``
            Share of arrivals that balk (PASTA: ``p_K``; 0 without a capacity).
        ``p_abandon``
            Share of arrivals that renege: abandonment rate over arrival rate,
            ``E[(N - c)^+] / theta / lam``.
        ``wq_joiners``
            Mean time in queue of the arrivals that join (served: until service starts;
            reneged: until they leave), by Little's law ``Lq / (lam (1 - p_block))``.
        ``wq_served``
            Mean wait of the arrivals that are served. A tagged arrival that finds ``j``
            people waiting ahead (all counters busy) moves to ``j - 1`` at rate
            ``c mu + j / theta`` and abandons at rate ``1 / theta``; first-step analysis
            gives its probability of service ``S_j`` and ``T_j = E[W 1{served}]``, averaged
            over what joining arrivals see (PASTA).
        ``p_served``
            Share of arrivals served, from the tagged-arrival analysis; equals
            ``1 - p_block - p_abandon`` (a consistency check of the two derivations).
        ``lq``, ``busy``
            Time-average number waiting and number of busy counters.
    """
    if capacity is not None:
        n_max = c + capacity
    elif n_max is None:
        n_max = c + int(lam * theta + 12.0 * math.sqrt(lam * theta) + 200.0)
    n = np.arange(n_max + 1)
    death = np.minimum(n, c) * mu + np.maximum(n - c, 0) / theta
    log_p = np.concatenate(([0.0], np.cumsum(np.log(lam / death[1:]))))
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    lq = float((np.maximum(n - c, 0) * p).sum())
    p_block = float(p[-1]) if capacity is not None else 0.0

    j = np.arange(max(n_max - c, 0))  # people waiting ahead of a tagged arrival that joins
    move = c * mu + j / theta
    rate = move + 1.0 / theta
    q = move / rate
    served = np.empty(len(j))
    timed = np.empty(len(j))
    s_prev, t_prev = 1.0, 0.0  # "j = -1": service has started
    for i in range(len(j)):
        served[i] = q[i] * s_prev
        timed[i] = q[i] * (s_prev / rate[i] + t_prev)
        s_prev, t_prev = served[i], timed[i]
    queued = p[c : c + len(j)]  # arrivals that find all counters busy and room to wait
    p_served = float(p[:c].sum() + (queued * served).sum())
    return {
        "p_block": p_block,
        "p_abandon": lq / theta / lam,
        "wq_joiners": lq / (lam * (1.0 - p_block)),
        "wq_served": float((queued * timed).sum()) / p_served,
        "p_served": p_served,
        "lq": lq,
        "busy": float((np.minimum(n, c) * p).sum()),
    }


def erlang_a(lam: float, mu: float, c: int, theta: float) -> dict[str, float]:
    """Erlang A (M/M/c+M): :func:`impatient_queue` without a capacity."""
    return impatient_queue(lam, mu, c, theta)
