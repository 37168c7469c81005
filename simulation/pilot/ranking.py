"""Each region's best timetable and its benefit, and Rinott's selection of the best regions.

For every region the propose machinery finds the unit's best timetable within the budget
(:func:`simulation.propose.screening.screen`, then :func:`simulation.propose.search.search`
under common random numbers inside the region). The **benefit** of the region is the
reduction of the objective against its baseline, estimated on fresh replications: replication
*j* runs both the baseline and the timetable on the same random numbers, so the benefit of
replication *j* is a paired difference. Regions draw independent random numbers
(:func:`simulation.scenario.pilot_spec.region_seed`), so the benefits of different regions are
independent with unequal variances, and :mod:`simulation.pilot.rinott` selects the best
``choose`` of them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.measures.intervals import t_interval
from simulation.pilot.rinott import FirstStage, first_stage, select_best
from simulation.propose.evaluator import BASELINE, CONFIRMATION, Evaluator
from simulation.propose.screening import Screening, screen
from simulation.propose.search import search
from simulation.propose.timetable import describe
from simulation.scenario.propose_loading import Propose

log = logging.getLogger(__name__)

STAFF = "staff_hours_per_week"
WEEKS_PER_YEAR = 365.0 / 7.0


@dataclass
class Region:
    """One candidate region: its best timetable and the fresh replications of its benefit.

    Attributes
    ----------
    name
        Region name (from its base scenario, without ``sweden-``).
    propose
        The region's propose document (pilot unit and budget on its base scenario).
    evaluator
        Every replication simulated for the region.
    screening
        The static screening of its candidate stops.
    proposal
        Design id of the best timetable (``None`` when no stop is eligible).
    """

    name: str
    propose: Propose
    evaluator: Evaluator
    screening: Screening
    proposal: str | None

    @property
    def timetable(self) -> str:
        """The proposed timetable in words."""
        if self.proposal is None:
            return "(no eligible stop)"
        return describe(self.evaluator.designs[self.proposal].timetable)

    def fresh(self, design: str, kpi: str) -> np.ndarray:
        """A KPI of ``design`` on the fresh (confirmation) replications, as simulated."""
        table = self.evaluator.table(design)
        rows = table[table["batch"] >= CONFIRMATION].sort_values(["batch", "replication"])
        return rows[kpi].to_numpy(dtype=float)

    def benefit(self) -> np.ndarray:
        """Paired reductions of the objective (positive = better with the unit), fresh only."""
        if self.proposal is None:
            return np.zeros(len(self.evaluator.confirmed(BASELINE)))
        return self.evaluator.confirmed(BASELINE) - self.evaluator.confirmed(self.proposal)

    def designs(self) -> list[str]:
        """The designs compared on fresh replications: the timetable (if any) and the baseline."""
        return [BASELINE] if self.proposal is None else [self.proposal, BASELINE]


def find_timetable(propose: Propose, evaluator: Evaluator) -> tuple[Screening, str | None]:
    """Screen the region's stops and search its best timetable (the propose machinery)."""
    screening = screen(propose)
    evaluator.add("baseline", "baseline", {}, name=BASELINE)
    evaluator.ensure([BASELINE], propose.spec.search.replications)
    found = search(propose, screening.shortlist, evaluator)
    best = found.best if found.best not in (None, BASELINE) else None
    log.info("%s: best timetable %s", propose.name, best)
    return screening, best


@dataclass(frozen=True)
class Selection:
    """Rinott's selection of the best regions.

    Attributes
    ----------
    stage
        The first stage: ``h``, variances and the replications each region needs.
    replications
        Replications each region got in all (``totals`` capped at ``max_replications``).
    selected
        Names of the selected regions, best first.
    guaranteed
        ``False`` when a region was capped by ``max_replications`` (no guarantee then).
    """

    stage: FirstStage
    replications: tuple[int, ...]
    selected: tuple[str, ...]
    guaranteed: bool


def rinott_selection(
    regions: list[Region],
    choose: int,
    indifference: float,
    confidence: float,
    initial: int,
    max_replications: int,
    on_stage: Callable[[str], None] | None = None,
) -> Selection:
    """Run Rinott's two stages on the regions' benefits and select the best ``choose``.

    Stage 1 runs ``initial`` fresh replications of every region's timetable and baseline;
    stage 2 tops each region up to ``N_i = max(n0, ⌈(h·S_i/δ)²⌉)`` (at most
    ``max_replications``) on further fresh replications, and the regions with the largest
    mean benefits over all of their fresh replications are selected.
    """
    for r in regions:
        if on_stage:
            on_stage(f"{r.name} stage 1")
        r.evaluator.confirm(r.designs(), initial, initial)
    stage = first_stage([r.benefit() for r in regions], indifference, confidence, choose)
    replications = tuple(min(n, max_replications) for n in stage.totals)
    for r, n in zip(regions, replications, strict=True):
        if n > initial:
            if on_stage:
                on_stage(f"{r.name} stage 2")
            r.evaluator.confirm(r.designs(), n - initial, n - initial, first=CONFIRMATION + 1)
    means = [float(np.mean(r.benefit())) for r in regions]
    best = select_best(means, choose)
    return Selection(
        stage,
        replications,
        tuple(regions[i].name for i in best),
        all(n >= t for n, t in zip(replications, stage.totals, strict=True)),
    )


def region_row(r: Region, level: float, sd: float, replications: int) -> dict[str, object]:
    """One region's (or shared pair's) columns of ``ranking.csv`` after the region name."""
    kpi = r.evaluator.kpis[0]
    with_unit = r.proposal or BASELINE
    base = t_interval(r.fresh(BASELINE, kpi), level)
    unit = t_interval(r.fresh(with_unit, kpi), level)
    gain = t_interval(r.benefit(), level)
    staff = float(np.mean(r.fresh(with_unit, STAFF)) - np.mean(r.fresh(BASELINE, STAFF)))
    staff_yr = staff * WEEKS_PER_YEAR
    return {
        "timetable": r.timetable,
        "baseline": base[0],
        "baseline_ci_low": base[2],
        "baseline_ci_high": base[3],
        "with_unit": unit[0],
        "with_unit_ci_low": unit[2],
        "with_unit_ci_high": unit[3],
        "benefit": gain[0],
        "benefit_ci_low": gain[2],
        "benefit_ci_high": gain[3],
        "benefit_sd_first_stage": sd,
        "replications": replications,
        "unit_staff_hours_per_yr": staff_yr,
        "benefit_per_staff_hour": gain[0] / staff_yr if staff_yr > 0 else math.nan,
    }


def ranking_table(regions: list[Region], selection: Selection, level: float) -> pd.DataFrame:
    """``ranking.csv``: one row per region, ranked by mean benefit (see docs/pilot.md)."""
    rows: list[dict[str, object]] = []
    for i, r in enumerate(regions):
        sd = math.sqrt(selection.stage.variances[i])
        rows.append({"region": r.name, **region_row(r, level, sd, selection.replications[i])})
    table = pd.DataFrame(rows)
    means = [float(r["benefit"]) for r in rows]  # type: ignore[arg-type]
    order = sorted(range(len(rows)), key=lambda i: (-means[i], i))
    rank = {i: n + 1 for n, i in enumerate(order)}
    table.insert(0, "rank", [rank[i] for i in range(len(rows))])
    table["selected"] = table["region"].isin(selection.selected)
    return table.sort_values("rank", kind="stable").reset_index(drop=True)
