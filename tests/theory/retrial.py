"""Exact stationary solution of a retrial loss queue (M/M/c/c with returns).

One always-open office with ``c`` counters and no waiting room (``queue_capacity: 0``),
Poisson needs at rate ``lam``, exponential service at rate ``mu`` per counter. An attempt that
finds every counter busy is lost (``balked``); with probability ``p`` the need tries again after
an exponential delay of mean ``1 / theta`` (it joins the **orbit**), unlimited attempts
(Falin & Templeton, *Retrial Queues*, 1997, section 1.1 with persistence ``p``).

State ``(n, m)``: ``n`` busy counters (0..c), ``m`` needs waiting to return (0..M, truncated
where the stationary probability is negligible). Transitions:

=======================  ====================  ==================
event                    rate                  to
=======================  ====================  ==================
first attempt, n < c     ``lam``               ``(n + 1, m)``
first attempt, n = c     ``lam p``             ``(c, m + 1)``
return, n < c            ``m theta``           ``(n + 1, m - 1)``
return, n = c, gives up  ``m theta (1 - p)``   ``(c, m - 1)``
service end              ``n mu``              ``(n - 1, m)``
=======================  ====================  ==================

(a return that finds every counter busy and tries again, rate ``m theta p``, stays in the same
state). ``pi Q = 0`` with ``sum pi = 1`` is solved directly. By PASTA a first attempt is
blocked with probability ``P(n = c)``; the attempt rate is ``lam + theta E[m]``.
"""

from __future__ import annotations

import numpy as np


def retrial_stationary(
    lam: float, mu: float, c: int, p: float, theta: float, orbit: int
) -> dict[str, float]:
    """Stationary measures of the retrial loss queue, orbit truncated at ``orbit``.

    Returns
    -------
    dict
        ``p_first_blocked`` (a first attempt finds every counter busy), ``p_attempt_blocked``
        (any attempt does), ``orbit_mean`` (mean number waiting to return),
        ``attempts_per_need`` (``1 + theta E[m] / lam``), ``p_unserved`` (a need ends
        unserved), ``tail`` (probability of the truncation level: should be negligible).
    """
    size = (c + 1) * (orbit + 1)

    def index(n: int, m: int) -> int:
        return m * (c + 1) + n

    q = np.zeros((size, size))
    for m in range(orbit + 1):
        for n in range(c + 1):
            i = index(n, m)
            if n < c:
                q[i, index(n + 1, m)] += lam
                if m > 0:
                    q[i, index(n + 1, m - 1)] += m * theta
            else:
                if m < orbit:
                    q[i, index(c, m + 1)] += lam * p
                if m > 0:
                    q[i, index(c, m - 1)] += m * theta * (1 - p)
            if n > 0:
                q[i, index(n - 1, m)] += n * mu
    np.fill_diagonal(q, -q.sum(axis=1))
    a = np.vstack([q.T, np.ones(size)])
    b = np.zeros(size + 1)
    b[-1] = 1.0
    pi = np.linalg.lstsq(a, b, rcond=None)[0].reshape(orbit + 1, c + 1)  # [m, n]
    m = np.arange(orbit + 1)
    full = pi[:, c]
    orbit_mean = float((pi.sum(axis=1) * m).sum())
    blocked_rate = lam * full.sum() + theta * float((m * full).sum())
    attempt_rate = lam + theta * orbit_mean
    return {
        "p_first_blocked": float(full.sum()),
        "p_attempt_blocked": blocked_rate / attempt_rate,
        "orbit_mean": orbit_mean,
        "attempts_per_need": attempt_rate / lam,
        "p_unserved": (1 - p) * blocked_rate / lam,
        "tail": float(pi[-1].sum()),
    }
