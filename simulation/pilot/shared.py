"""One unit shared by two neighbouring regions against two separate units (``share:``).

With ``choose: 2`` the pilot uses two municipalities. It can do so with **two separate
units**, one in each of the two regions Rinott's procedure selects (the file's budget each),
or with **one unit shared** by two neighbouring regions (the same budget once, its stops in
either region; :mod:`simulation.scenario.pilot_share`). The two options differ in cost, so
they are compared **per unit**, the quantity the pilot is about ("where does the same mobile
unit do the most good?"):

* a shared pair's benefit per unit is its benefit: baseline − with the unit, over both
  regions (one combined scenario, so residents may also use the other region's office);
* the separate option's benefit per unit is the mean of the two selected regions' benefits.

The shared pair with the largest mean benefit is the pilot when that mean exceeds the
separate option's benefit per unit; otherwise the pilot is the two separate regions, and the
best shared pair is reported for comparison. Each pair's benefit is estimated like a region's:
``n0`` fresh paired replications, then ``N = max(n0, ⌈(h·S/δ)²⌉)`` in all with the regions'
Rinott ``h``, so its interval is as tight as theirs; the comparison itself is of means (the
verdict gives both intervals and says when the gap is below δ).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.experiment.batches import Executor
from simulation.experiment.progress import Progress
from simulation.pilot.ranking import Region, find_timetable, region_row
from simulation.propose.evaluator import CONFIRMATION, Evaluator
from simulation.scenario.pilot_share import SharedPair

log = logging.getLogger(__name__)


@dataclass
class SharedOption:
    """A shared pair, its one unit's timetable and its fresh replications.

    Attributes
    ----------
    pair
        The two regions and their combined propose document.
    region
        The combined scenario's search and fresh replications (as a :class:`Region`).
    sd
        Standard deviation of the benefit in the first stage.
    replications
        Fresh replications in all.
    """

    pair: SharedPair
    region: Region
    sd: float
    replications: int

    @property
    def benefit(self) -> float:
        """Mean benefit over both regions (one unit)."""
        return float(np.mean(self.region.benefit()))


def evaluate_pairs(
    pairs: tuple[SharedPair, ...],
    executor: Executor,
    bar: Progress,
    h: float,
    indifference: float,
    initial: int,
    max_replications: int,
    on_stage: Callable[[str], None] | None = None,
) -> list[SharedOption]:
    """Find each pair's timetable and estimate its benefit with Rinott's sample sizes.

    Parameters
    ----------
    pairs
        The shared pairs of the pilot file.
    executor
        The command's executor.
    bar
        The progress bar.
    h, indifference, initial, max_replications
        The regions' Rinott constant, δ, ``n0`` and the cap on replications.
    on_stage
        Called with a status line before each stage.

    Returns
    -------
    list of SharedOption
        One per pair, in the pairs' order.
    """
    out = []
    for pair in pairs:
        if on_stage:
            on_stage(f"{pair.name} search")
        evaluator = Evaluator(pair.propose, executor, progress=bar)
        evaluator.stage(f"{pair.name} search")
        screening, best = find_timetable(pair.propose, evaluator)
        region = Region(pair.name, pair.propose, evaluator, screening, best)
        evaluator.confirm(region.designs(), initial, initial)
        sd = float(np.std(region.benefit(), ddof=1))
        total = max(initial, math.ceil((h * sd / indifference) ** 2 - 1e-9))
        total = min(total, max_replications)
        if total > initial:
            evaluator.confirm(region.designs(), total - initial, total - initial, CONFIRMATION + 1)
        out.append(SharedOption(pair, region, sd, total))
        log.info("%s: shared unit benefit %.1f", pair.name, out[-1].benefit)
    return out


def shared_table(
    options: list[SharedOption], separate_per_unit: float, chosen: str | None, level: float
) -> pd.DataFrame:
    """``shared.csv``: one row per shared pair, best benefit first (see docs/pilot.md)."""
    rows = []
    for o in options:
        row = region_row(o.region, level, o.sd, o.replications)
        rows.append(
            {
                "pair": o.pair.name,
                "road_km": round(o.pair.road_km, 1),
                **row,
                "separate_benefit_per_unit": separate_per_unit,
                "chosen": o.pair.name == chosen,
            }
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.sort_values("benefit", ascending=False, kind="stable").reset_index(drop=True)


def choose_option(
    options: list[SharedOption], separate: list[float]
) -> tuple[SharedOption | None, float]:
    """The shared pair that beats two separate units per unit, if any, and the separate
    option's benefit per unit (the mean of the selected regions' mean benefits)."""
    per_unit = float(np.mean(separate))
    if not options:
        return None, per_unit
    best = max(options, key=lambda o: o.benefit)  # first of equal means: file order
    return (best if best.benefit > per_unit else None), per_unit
