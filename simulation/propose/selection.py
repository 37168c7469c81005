"""Ranking and selection: which design is best, with a stated probability of being right.

The procedure is Kim and Nelson's fully sequential indifference-zone procedure (KN; Kim &
Nelson 2001, ACM TOMACS 11(3):251-273), which allows common random numbers because it
works on the variances of paired differences:

1. Run ``n0`` replications of each of the ``k`` designs; for every pair, let ``S²_il`` be
   the sample variance of the paired differences ``Y_i - Y_l``.
2. With ``η = ((2α/(k-1))^(-2/(n0-1)) - 1) / 2`` and ``h² = 2η(n0-1)``, design ``i`` leaves
   at ``r`` replications when its mean is worse than some survivor ``l``'s by more than
   ``W_il(r) = max(0, δ/(2r) (h² S²_il/δ² - r))``. The region closes after
   ``N_il = floor(h² S²_il/δ²)`` replications.
3. Add replications to the survivors until one is left, or every pair's region has
   closed (then the best mean is selected), or ``max_replications`` is reached.

Under normal outputs it selects the best design with probability at least ``1 - α``
whenever the best is at least ``δ`` (the indifference zone) better than every other.
Here replications come in batches and the screening runs after each batch rather than
after every replication; looking less often can only keep a design longer, so the
guarantee still holds. A run that stops at ``max_replications`` with more than one
survivor selects the best mean without that guarantee, and says so.

Two selections run on the same replications: ``overall`` (every contender: the best
search designs, the hand-made designs and the baseline) and ``within budget`` (the search
designs only: the proposal). Each uses ``α/2`` when both are needed, so both statements
hold together with probability at least ``1 - α`` (Bonferroni).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from simulation.experiment.analysis import verdict
from simulation.measures.intervals import t_interval

log = logging.getLogger(__name__)


class Sampler(Protocol):
    """Where the procedure gets replications from (the evaluator, or a test double).

    ``values(d)`` returns the objective of design ``d`` per replication, oriented so that
    lower is better, with replication *j* of every design sharing its random numbers.
    """

    def ensure(self, designs: Sequence[str], n: int, batch_size: int | None = None) -> None:
        """Give every design in ``designs`` at least ``n`` replications."""

    def count(self, design: str) -> int:
        """Replications of ``design`` so far."""

    def values(self, design: str, n: int | None = None) -> np.ndarray:
        """The oriented objective of ``design``'s first ``n`` replications."""


def kn_h2(k: int, n0: int, alpha: float) -> float:
    """KN's ``h² = 2η(n0 - 1)`` with ``η = ((2α/(k-1))^(-2/(n0-1)) - 1) / 2``."""
    if k < 2:
        return 0.0
    eta = 0.5 * ((2.0 * alpha / (k - 1)) ** (-2.0 / (n0 - 1)) - 1.0)
    return 2.0 * eta * (n0 - 1)


@dataclass
class Track:
    """One KN selection among ``designs``.

    Attributes
    ----------
    name
        ``overall`` or ``within budget``.
    designs
        The designs it chooses among.
    alpha
        Its error probability (``1 - α`` is its probability of correct selection).
    survivors
        Designs still in.
    status
        Design → ``selected``, ``eliminated at r=.. by ..``, ``survivor at the cap``.
    selected
        The selected design once done.
    truncated
        Stopped at ``max_replications`` with several survivors (no guarantee).
    n0, h2, replications
        First-stage size, KN constant and replications when it stopped.
    """

    name: str
    designs: tuple[str, ...]
    alpha: float
    survivors: list[str] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)
    selected: str | None = None
    truncated: bool = False
    n0: int = 0
    h2: float = 0.0
    replications: int = 0
    _s2: dict[tuple[str, str], float] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        """Whether a design has been selected."""
        return self.selected is not None

    def start(self, sampler: Sampler, n0: int, delta: float) -> None:
        """First stage: variances of paired differences and the KN constant."""
        self.survivors = list(self.designs)
        self.n0 = n0
        self.h2 = kn_h2(len(self.designs), n0, self.alpha)
        for i in self.designs:
            for j in self.designs:
                if i != j:
                    diff = sampler.values(i, n0) - sampler.values(j, n0)
                    self._s2[(i, j)] = float(np.var(diff, ddof=1))
        if len(self.designs) == 1:
            self._select(self.designs[0], n0)

    def bound(self, delta: float) -> int:
        """Replications after which every surviving pair's region has closed: ``max N_il + 1``."""
        pairs = [(i, j) for i in self.survivors for j in self.survivors if i != j]
        return max((math.floor(self.h2 * self._s2[p] / delta**2) for p in pairs), default=0) + 1

    def screen(self, sampler: Sampler, r: int, delta: float) -> None:
        """Eliminate survivors that are clearly worse after ``r`` replications; select if done."""
        if self.done:
            return
        means = {d: float(np.mean(sampler.values(d, r))) for d in self.survivors}
        old = list(self.survivors)
        for i in old:
            for j in old:
                if i == j:
                    continue
                w = max(0.0, delta / (2.0 * r) * (self.h2 * self._s2[(i, j)] / delta**2 - r))
                if means[i] > means[j] + w:
                    self.status[i] = f"eliminated at r={r} by {j}"
                    break
        self.survivors = [d for d in old if d not in self.status]
        if len(self.survivors) == 1:
            self._select(self.survivors[0], r)
        elif r >= self.bound(delta):
            self._select(min(self.survivors, key=lambda d: means[d]), r)

    def truncate(self, sampler: Sampler, r: int) -> None:
        """Stop at the replication cap: the best mean among the survivors, without guarantee."""
        means = {d: float(np.mean(sampler.values(d, r))) for d in self.survivors}
        best = min(self.survivors, key=lambda d: means[d])
        self.truncated = len(self.survivors) > 1
        for d in self.survivors:
            if d != best:
                self.status[d] = "survivor at the cap"
        self._select(best, r)

    def _select(self, design: str, r: int) -> None:
        self.selected = design
        self.status[design] = "selected"
        self.replications = r
        log.info(
            "selection (%s): %s after %d replication(s)%s",
            self.name,
            design,
            r,
            " (stopped at the cap)" if self.truncated else "",
        )


def run_selection(
    sampler: Sampler,
    tracks: Sequence[Track],
    references: Sequence[str],
    *,
    delta: float,
    initial: int,
    batch: int,
    max_replications: int,
) -> int:
    """Run KN on every track over shared replications; returns the replications used.

    Parameters
    ----------
    sampler
        Source of paired replications.
    tracks
        The selections to make (each with its own designs and α).
    references
        Designs kept running while any track is undecided (for the final comparison).
    delta
        Indifference zone δ in objective units (> 0).
    initial
        First-stage replications ``n0`` (at least 2).
    batch
        Replications added to the survivors between two screenings.
    max_replications
        Cap on replications per design.
    """
    everyone = list(dict.fromkeys([d for t in tracks for d in t.designs] + list(references)))
    sampler.ensure(everyone, initial, batch)
    r = min(sampler.count(d) for d in everyone)
    for t in tracks:
        t.start(sampler, r, delta)
    while True:
        for t in tracks:
            t.screen(sampler, r, delta)
        active = [t for t in tracks if not t.done]
        if not active:
            return r
        if r >= max_replications:
            for t in active:
                t.truncate(sampler, r)
            return r
        running = list(dict.fromkeys([d for t in active for d in t.survivors] + list(references)))
        target = min(r + batch, max_replications)
        sampler.ensure(running, target, batch)
        r = min(sampler.count(d) for d in running)


def compare_with(
    values: Callable[[str], np.ndarray],
    proposal: str,
    others: Sequence[str],
    level: float,
    sign: float,
) -> pd.DataFrame:
    """Paired intervals of ``proposal - other`` on their common replications (Bonferroni).

    Parameters
    ----------
    values
        Oriented objective per replication of a design (replication *j* of two designs share
        random numbers), e.g. the confirmation replications.
    proposal, others
        The design compared, and the designs it is compared with.
    level
        Family level: each of the ``m`` intervals has level ``1 - (1 - level)/m``.
    sign
        +1 when lower is better, -1 otherwise; differences are reported in the objective's
        own units and direction.
    """
    m = max(len(others), 1)
    used = 1 - (1 - level) / m
    better = "lower" if sign > 0 else "higher"
    rows = []
    mine = values(proposal)
    for other in others:
        theirs = values(other)
        n = min(len(mine), len(theirs))
        diff = sign * (mine[:n] - theirs[:n])
        mean, _, lo, hi = t_interval(diff, used)
        rows.append(
            {
                "design": other,
                "n_paired": n,
                "proposal_mean": sign * float(np.mean(mine[:n])) if n else math.nan,
                "design_paired_mean": sign * float(np.mean(theirs[:n])) if n else math.nan,
                "diff_mean": mean,
                "diff_ci_low": lo,
                "diff_ci_high": hi,
                "interval_level": used,
                "proposal_verdict": verdict(lo, hi, better),
            }
        )
    return pd.DataFrame(rows, columns=["design", *PAIRED_COLUMNS, "proposal_verdict"])


def only_adds_mobile(changes: dict) -> bool:
    """Whether a design only adds mobile units (a hand-made timetable, not a new office)."""
    added = changes.get("add") or {}
    sites = added.get("sites") or ()
    return (
        not changes.get("set")
        and not any((changes.get("remove") or {}).values())
        and set(k for k, v in added.items() if v) <= {"sites"}
        and bool(sites)
        and all(isinstance(s, dict) and s.get("kind") == "mobile" for s in sites)
    )


def best_search_design(sampler: Sampler, budget: Track, search: Sequence[str]) -> str:
    """The proposal: the within-budget selection when it chose a search design; otherwise
    (a hand-made timetable won) the search design with the best mean on the replications
    all search contenders share."""
    if budget.selected is not None and budget.selected in search:
        return budget.selected
    n = min(sampler.count(d) for d in search)
    return min(search, key=lambda d: float(np.mean(sampler.values(d, n))))


PAIRED_COLUMNS = (
    "n_paired",
    "proposal_mean",
    "design_paired_mean",
    "diff_mean",
    "diff_ci_low",
    "diff_ci_high",
    "interval_level",
)
"""Columns of the paired comparison of the proposal with each design."""
