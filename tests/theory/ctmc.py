"""Exact transient solution of one site's day as a continuous-time Markov chain.

The site (one FIFO queue, one site, staffing by the hour) with

* Poisson arrivals whose rate ``lam[h]`` (per minute) is constant in each clock hour ``h``
  of the day and 0 outside the open window ``[open_hour, close_hour)``;
* exponential service (rate ``mu`` per counter) and exponential patience (mean ``theta``;
  ``None``: nobody reneges);
* a balking ``limit``: an arrival that finds every staffed counter busy and ``limit`` people
  waiting balks (``queue_capacity`` / ``balk_queue_length``, docs/model.md §8.2);
* ``staffed[h]`` counters staffed in open hour ``h`` (issue 14's rules): a rise takes waiting
  visitors at once; after a fall the busy counters above the new count finish their visitor
  and go off duty (no pre-emption); after closing, under ``serve_queue`` the counters staffed
  at closing serve the queue (overtime, patience still running), under ``turn_away`` the
  waiting leave (turned away) and the busy counters finish.

State ``(b, q)``: ``b`` busy counters (``0 .. max(staffed)``, so ``b`` may exceed the current
count ``s`` while the counters above it finish), ``q`` waiting (``0 .. limit``). Invariant:
``q > 0`` only if ``b >= s`` (nobody waits beside an idle staffed counter). Transitions at
staffing ``s`` and arrival rate ``lam``:

====================  ==============================  ===============================
event                 rate                            to
====================  ==============================  ===============================
arrival, ``b < s``    ``lam``                         ``(b + 1, q)``
arrival, ``b >= s``   ``lam`` if ``q < limit``        ``(b, q + 1)``; else a balk
service end           ``b mu``                        ``(b, q - 1)`` if ``q > 0`` and
                                                      ``b <= s`` (the freed counter is
                                                      still on duty), else ``(b - 1, q)``
renege                ``q / theta``                   ``(b, q - 1)``
====================  ==============================  ===============================

A rise of the count to ``s`` at an hour boundary maps ``(b, q)`` at once to
``(b + k, q - k)`` with ``k = min(max(s - b, 0), q)``; a fall changes no state, only the
rates after it. The generator is constant within each hour, so the distribution at the end
of the hour is ``p exp(Q 60)``, and the time integral of the distribution over the hour is the
top-right block of ``exp([[Q, I], [0, 0]] 60)`` (Van Loan). Expected counts are integrals of
event rates (served: service ends; reneged: ``q / theta``; balked: ``lam`` in the full
states), time averages are integrals of ``q`` and ``b`` divided by 60.

Each day starts empty (the day's queue has emptied long before the next opening), so one day
from the opening is the whole computation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import expm


@dataclass(frozen=True)
class Day:
    """Expected values of one day of the chain.

    ``queue[h]`` and ``busy[h]`` are the expected time-average number waiting and busy in
    clock hour ``h`` (0..``hours - 1`` from midnight, overtime hours included); the counts
    are expected numbers per day of the day's arrivals. ``all_busy[h]`` is the probability
    that every counter staffed before hour ``h`` is busy at its start (so a fall at ``h``
    meets every counter busy with that probability).
    """

    queue: np.ndarray
    busy: np.ndarray
    arrived: float
    served: float
    reneged: float
    balked: float
    turned_away: float
    all_busy: np.ndarray


class Chain:
    """The state space ``(b, q)`` and the generators of a site with ``c_max`` counters."""

    def __init__(
        self, c_max: int, limit: int, mu: float, theta: float | None, fall: str = "finish"
    ) -> None:
        if fall not in ("finish", "drain"):
            raise ValueError(f"fall must be finish or drain, got {fall!r}")
        self.c_max, self.limit, self.mu, self.theta, self.fall = c_max, limit, mu, theta, fall
        self.b, self.q = (
            a.ravel()
            for a in np.meshgrid(np.arange(c_max + 1), np.arange(limit + 1), indexing="ij")
        )
        self.n = len(self.b)

    def index(self, b: int, q: int) -> int:
        return b * (self.limit + 1) + q

    def generator(self, lam: float, s: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Generator at arrival rate ``lam`` and ``s`` staffed counters, with the event rates
        (per state) of services, reneges and balks."""
        n, mu = self.n, self.mu
        gen = np.zeros((n, n))
        renege_rate = self.q / self.theta if self.theta is not None else np.zeros(n)
        for i, (b, q) in enumerate(zip(self.b, self.q, strict=True)):
            if lam > 0:
                if b < s:
                    gen[i, self.index(b + 1, q)] += lam
                elif q < self.limit:
                    gen[i, self.index(b, q + 1)] += lam
            if b > 0:
                on_duty = b <= s or self.fall == "drain"
                to = self.index(b, q - 1) if q > 0 and on_duty else self.index(b - 1, q)
                gen[i, to] += b * mu
            if q > 0 and renege_rate[i] > 0:
                gen[i, self.index(b, q - 1)] += renege_rate[i]
        gen -= np.diag(gen.sum(axis=1))
        full = (self.b >= s) & (self.q >= self.limit)
        return gen, {
            "served": self.b * mu,
            "reneged": renege_rate,
            "balked": np.where(full, lam, 0.0),
        }

    def rise(self, p: np.ndarray, s: int) -> np.ndarray:
        """The distribution after the count becomes ``s``: idle staffed counters take the
        waiting at once."""
        out = np.zeros_like(p)
        for i, (b, q) in enumerate(zip(self.b, self.q, strict=True)):
            k = min(max(s - b, 0), q)
            out[self.index(b + k, q - k)] += p[i]
        return out


def step(gen: np.ndarray, p: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
    """``p exp(Q t)`` and ``integral_0^t p exp(Q u) du`` (block-matrix exponential)."""
    n = len(p)
    block = np.zeros((2 * n, 2 * n))
    block[:n, :n] = gen * t
    block[:n, n:] = np.eye(n) * t
    e = expm(block)
    return p @ e[:n, :n], p @ e[:n, n:]


def solve_day(
    *,
    lam: dict[int, float],
    staffed: dict[int, int],
    open_hour: int,
    close_hour: int,
    mu: float,
    theta: float | None,
    limit: int,
    closing: str = "serve_queue",
    hours: int = 24,
    fall: str = "finish",
) -> Day:
    """The expected hourly queue and busy counters and daily counts of one day.

    ``lam[h]`` is the arrival rate (per minute) in open hour ``h`` (missing: 0) and
    ``staffed[h]`` the staffed counters in open hour ``h`` (every open hour must have one).
    ``fall="drain"`` is a deliberately wrong rule, for power checks: after a fall the
    counters above the count keep taking the waiting until the queue is empty.
    """
    if closing not in ("serve_queue", "turn_away"):
        raise ValueError(f"closing must be serve_queue or turn_away, got {closing!r}")
    open_hours = range(open_hour, close_hour)
    chain = Chain(max(staffed[h] for h in open_hours), limit, mu, theta, fall)
    p = np.zeros(chain.n)
    p[chain.index(0, 0)] = 1.0
    queue, busy, all_busy = np.zeros(hours), np.zeros(hours), np.zeros(hours)
    totals = {"served": 0.0, "reneged": 0.0, "balked": 0.0}
    arrived = turned_away = 0.0
    s = staffed[open_hour]
    for h in range(open_hour, hours):
        all_busy[h] = float(p[chain.b >= s].sum())
        if h in open_hours:
            s = staffed[h]
            p = chain.rise(p, s)
            rate = lam.get(h, 0.0)
        else:
            rate = 0.0
            if h == close_hour and closing == "turn_away":
                turned_away = float(p @ chain.q)
                moved = np.zeros_like(p)
                np.add.at(moved, chain.index(0, 0) + chain.b * (limit + 1), p)
                p = moved
        gen, rates = chain.generator(rate, s)
        p, integral = step(gen, p, 60.0)
        queue[h] = integral @ chain.q / 60.0
        busy[h] = integral @ chain.b / 60.0
        arrived += 60.0 * rate
        for key, r in rates.items():
            totals[key] += float(integral @ r)
    leftover = 1.0 - p[chain.index(0, 0)]
    if leftover > 1e-9:
        raise ValueError(
            f"the day has not emptied after {hours} hours (P(not empty) {leftover:.3g})"
        )
    return Day(
        queue,
        busy,
        arrived,
        totals["served"],
        totals["reneged"],
        totals["balked"],
        turned_away,
        all_busy,
    )


def stationary(
    *, lam: float, s: int, mu: float, theta: float | None, limit: int, t: float = 2000.0
) -> dict[str, float]:
    """The chain at constant rate and staffing after ``t`` minutes from empty, and the
    rates there (long run: the stationary values)."""
    chain = Chain(s, limit, mu, theta)
    gen, rates = chain.generator(lam, s)
    p = np.zeros(chain.n)
    p[0] = 1.0
    p, _ = step(gen, p, t)
    return {
        "lq": float(p @ chain.q),
        "busy": float(p @ chain.b),
        "p_block": float(p @ rates["balked"]) / lam,
        "p_abandon": float(p @ rates["reneged"]) / lam,
    }
