"""The staffing search: raise to feasibility, remove counters greedily, verify on fresh replications.

In the spirit of the Iterative Staffing Algorithm (Feldman, Mandelbaum, Massey and Whitt,
*Management Science* 2008): simulate the current staffing, set each period's count from what
the simulation says about that period, and iterate to a fixed point, always on the same
replications (common random numbers). Method and limits: ``docs/staffing.md``.

1. **Start** from the offered load: per period, the mean arrivals per minute times the site's
   mean service time (from a run of today's staffing), rounded up, within the bounds.
2. **Raise** (the ISA iteration): simulate; every variable with a period that misses a target at
   the stated confidence gets one counter more; repeat until no period misses (converged) or
   ``max_iterations`` (not converged: reported).
3. **Remove** (the final local pass): try one counter less on every other variable along each
   site's time order (alternately the even and the odd ones, so that no two neighbouring periods
   are lowered together and a period's miss is its own); keep the removals whose periods still
   meet the targets, freeze the others; if a kept removal makes another period miss (a queue
   carried into the next hour), undo the nearest kept removal at or before it (frozen); repeat
   until no variable can lose a counter.
4. **Verify** on fresh replications (numbers the search never used): every variable with a
   missing period gets one counter more, until every period meets its targets or the cap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from simulation.staff.evaluation import Evaluation, Evaluator
from simulation.staff.periods import Layout

log = logging.getLogger(__name__)


@dataclass
class SearchResult:
    """What the search found.

    Attributes
    ----------
    counts
        Counters per variable of the proposal.
    today
        Today's staffing on the search replications.
    final
        The proposal on the fresh replications.
    converged
        Whether the raise iteration reached a staffing that meets every target.
    verified
        Whether the proposal meets every target in every period on the fresh replications.
    capped
        Variables held at ``max_counters`` while a period still missed a target.
    steps
        One row per evaluation: ``(phase, iteration, counter-hours, periods missing)``.
    """

    counts: tuple[int, ...]
    today: Evaluation
    final: Evaluation
    converged: bool
    verified: bool
    capped: tuple[int, ...] = ()
    steps: list[tuple[str, int, float, int]] = field(default_factory=list)


def counter_hours(layout: Layout, counts: np.ndarray | tuple[int, ...]) -> float:
    """Counter-hours of one week of periods (each weekday's period once)."""
    c = np.asarray(counts)
    return float(sum(c[p.variable] * p.hours for p in layout.periods))


def today_hours(layout: Layout) -> float:
    """Counter-hours of one week of periods at the scenario's own counts."""
    return float(sum(p.today * p.hours for p in layout.periods))


def offered_load(layout: Layout, today: Evaluation) -> np.ndarray:
    """Per period, mean arrivals per minute × the site's mean service time (today's run)."""
    arrivals = today.mean("arrivals")
    served = today.mean("served")
    service = today.mean("service_sum")
    load = np.zeros(len(layout.periods))
    for k in layout.sites:
        idx = layout.site_periods(k)
        mean_service = service[idx].sum() / served[idx].sum() if served[idx].sum() > 0 else 0.0
        for i in idx:
            p = layout.periods[i]
            load[i] = arrivals[i] / (p.days * (p.end - p.start)) * mean_service
    return load


def _order(layout: Layout) -> list[int]:
    """Variables in time order within each site (weekday, then start)."""
    return sorted(
        range(len(layout.variables)),
        key=lambda v: (
            layout.variables[v].site,
            layout.variables[v].stop,
            layout.variables[v].weekday,
            layout.variables[v].start,
        ),
    )


def _parity(layout: Layout, order: list[int]) -> np.ndarray:
    """0/1 alternating along each site's time order, so no two neighbours are tried together."""
    parity = np.zeros(len(layout.variables), dtype=np.int64)
    position: dict[int, int] = {}
    for v in order:
        site = layout.variables[v].site
        parity[v] = position.get(site, 0) % 2
        position[site] = position.get(site, 0) + 1
    return parity


def _culprit(layout: Layout, failing: int, kept: np.ndarray, order: list[int]) -> int | None:
    """The kept removal to undo for a failing variable: itself, else the nearest before it."""
    if kept[failing]:
        return failing
    site = layout.variables[failing].site
    pos = order.index(failing)
    before = [v for v in order[:pos] if kept[v] and layout.variables[v].site == site]
    if before:
        return before[-1]
    after = [v for v in order if kept[v] and layout.variables[v].site == site]
    return after[0] if after else None


def search(
    layout: Layout,
    evaluator: Evaluator,
    replications: int,
    verify_replications: int,
    min_counters: int,
    max_counters: int,
    max_iterations: int,
) -> SearchResult:
    """Find the least staffing that meets the targets (see the module docstring)."""
    lo, hi = min_counters, max_counters
    steps: list[tuple[str, int, float, int]] = []

    def evaluate(counts: np.ndarray, phase: str, it: int, fresh: bool = False) -> Evaluation:
        first = replications if fresh else 0
        reps = verify_replications if fresh else replications
        as_is = layout.scenario if phase == "today" else None
        e = evaluator.evaluate(tuple(int(c) for c in counts), first, reps, as_is)
        hours = today_hours(layout) if as_is is not None else counter_hours(layout, counts)
        steps.append((phase, it, hours, int((~e.met).sum())))
        log.info("%s %d: %.1f counter-hours, %d period(s) missing", *steps[-1])
        return e

    today_counts = np.array([v.today for v in layout.variables], dtype=np.int64)
    today = evaluate(today_counts, "today", 0)  # the scenario as it is
    load = offered_load(layout, today)
    start = np.array(
        [max([np.ceil(load[i] - 1e-9) for i in v.periods] or [lo]) for v in layout.variables]
    )
    counts = np.clip(start, lo, hi).astype(np.int64)

    converged = False
    for it in range(1, max_iterations + 1):
        e = evaluate(counts, "raise", it)
        missing = ~e.variable_met
        if not missing.any():
            converged = True
            break
        up = missing & (counts < hi)
        if not up.any():
            break
        counts = counts + up
    order = _order(layout)
    if e.counts != tuple(int(c) for c in counts):  # stopped at the cap right after a raise
        e = evaluate(counts, "raise", max_iterations + 1)
    current = e
    frozen = counts <= lo
    parity = _parity(layout, order)
    for it in range(1, 4 * max_iterations + 1):
        open_ = ~frozen & (counts > lo) & current.variable_met
        if not open_.any():
            break
        candidates = open_ & (parity == it % 2)
        if not candidates.any():
            continue
        trial = counts - candidates
        e = evaluate(trial, "remove", it)
        kept = candidates & e.variable_met
        frozen |= candidates & ~e.variable_met
        if not kept.any():
            continue
        new = counts - kept
        check = e if np.array_equal(new, trial) else evaluate(new, "remove", it)
        while (~check.variable_met & current.variable_met).any():
            undone = False
            for v in np.flatnonzero(~check.variable_met & current.variable_met).tolist():
                culprit = _culprit(layout, v, kept, order)
                if culprit is not None:
                    new[culprit] += 1
                    kept[culprit] = False
                    frozen[culprit] = True
                    undone = True
            if not undone:
                break
            check = evaluate(new, "remove", it)
        if (~check.variable_met & current.variable_met).any():
            frozen |= kept
        else:
            counts, current = new, check

    verified = False
    final = evaluate(counts, "verify", 0, fresh=True)
    for it in range(1, max_iterations + 1):
        if final.all_met:
            verified = True
            break
        up = ~final.variable_met & (counts < hi)
        if not up.any():
            break
        counts = counts + up
        final = evaluate(counts, "verify", it, fresh=True)
    verified = final.all_met
    capped = tuple(np.flatnonzero(~final.variable_met & (counts >= hi)).tolist())
    return SearchResult(
        tuple(int(c) for c in counts), today, final, converged, verified, capped, steps
    )
