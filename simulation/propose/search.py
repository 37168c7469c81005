"""Search by simulation: greedy construction, then local improvement of a weekly timetable.

Greedy construction starts from the base scenario and adds, one at a time, the visit
(:class:`~simulation.propose.timetable.Visit`) that most improves the simulated objective;
local improvement then replaces one visit's stop, weekday or window while that improves it.
Every candidate timetable of a step is evaluated by the
:class:`~simulation.propose.evaluator.Evaluator` (one sweep per step, common random
numbers). Only timetables within the budget are built
(:func:`~simulation.propose.timetable.feasible`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from simulation.propose.evaluator import BASELINE, Evaluator
from simulation.propose.timetable import Timetable, Visit, describe, feasible, timetable_changes
from simulation.scenario.propose_loading import Propose

log = logging.getLogger(__name__)


@dataclass
class SearchResult:
    """What the search did.

    Attributes
    ----------
    best
        Id of the best timetable found (``None`` when no stop could be evaluated).
    steps
        One row per greedy or local step: evaluated designs, best design and its mean.
    """

    best: str | None
    steps: pd.DataFrame


def options(propose: Propose, shortlist: Sequence[str]) -> list[Visit]:
    """Every possible visit: unit x shortlisted stop x allowed weekday x allowed window."""
    b = propose.spec.budget
    return [
        Visit(u.id, s, d, w)
        for s in shortlist
        for u in propose.spec.units
        for d in b.day_indices
        for w in b.windows
    ]


def search(propose: Propose, shortlist: Sequence[str], evaluator: Evaluator) -> SearchResult:
    """Greedy construction plus local improvement over ``shortlist`` (see module docs).

    Parameters
    ----------
    propose
        The loaded propose file.
    shortlist
        Candidate ids the units may stop at, best first (their order breaks ties and decides
        which timetables are tried first when ``max_evaluations`` runs short).
    evaluator
        Simulates designs; the baseline must be registered already.
    """
    spec = propose.spec
    reps = spec.search.replications
    allowed = options(propose, shortlist)
    steps: list[dict[str, Any]] = []
    current: Timetable = ()
    current_id = BASELINE
    evaluator.ensure([current_id], reps)
    left = spec.search.max_evaluations

    def step(stage: str, tables: list[Timetable]) -> bool:
        """Evaluate ``tables`` (new ones within max_evaluations); move to the best if it improves."""
        nonlocal current, current_id, left
        evaluator.stage(stage)
        ids: list[str] = []
        for t in dict.fromkeys(t for t in tables if t != current):
            changes = timetable_changes(propose, t)
            known = evaluator.find(changes)
            if known is None and left <= 0:
                continue
            left -= known is None
            ids.append(known or evaluator.add("search", stage, changes, timetable=t).id)
        if not ids:
            if tables and left <= 0:
                log.warning(
                    "search stopped: max_evaluations (%d) reached", spec.search.max_evaluations
                )
            return False
        evaluator.ensure(ids, reps)
        best = min(ids, key=evaluator.score)
        improves = evaluator.score(best) < evaluator.score(current_id)
        best_mean, incumbent = (
            evaluator.sign * evaluator.score(best),
            evaluator.sign * evaluator.score(current_id),
        )
        steps.append(
            {
                "stage": stage,
                "evaluated": len(ids),
                "best": best,
                "best_timetable": describe(evaluator.designs[best].timetable),
                "best_mean": best_mean,
                "incumbent_mean": incumbent,
                "accepted": improves,
            }
        )
        log.info(
            "%s: %d timetable(s); best %s %.3f (incumbent %.3f)%s",
            stage,
            len(ids),
            describe(evaluator.designs[best].timetable),
            best_mean,
            incumbent,
            "" if improves else ": no improvement",
        )
        if improves:
            current, current_id = evaluator.designs[best].timetable, best
        return improves

    n = 0
    while True:  # greedy construction
        n += 1
        grown = [tuple(sorted((*current, o))) for o in allowed if o not in current]
        if not step(f"greedy-{n}", [t for t in grown if feasible(t, propose)]):
            break
    n = 0
    while current:  # local improvement: replace one visit's stop, weekday or window
        n += 1
        if not step(f"local-{n}", neighbours(current, allowed, propose)):
            break
    best = current_id if current else None
    if best is None and evaluator.search_designs:
        best = min((d.id for d in evaluator.search_designs), key=evaluator.score)
    return SearchResult(best, pd.DataFrame(steps))


def neighbours(current: Timetable, allowed: Sequence[Visit], propose: Propose) -> list[Timetable]:
    """Feasible timetables that differ from ``current`` in one visit's stop, day or window."""
    out = []
    for v in current:
        rest = [w for w in current if w != v]
        for o in allowed:
            if o in current or o.unit != v.unit:
                continue
            changed = (o.stop != v.stop) + (o.day != v.day) + (o.window != v.window)
            if changed != 1:
                continue
            table = tuple(sorted((*rest, o)))
            if feasible(table, propose):
                out.append(table)
    return list(dict.fromkeys(out))
