"""The propose report as a document: verdict, timetable, comparison, method, reproduction.

:func:`report_document` builds the one document model of :mod:`simulation.report.document`
for ``propose.md``; :func:`render_report` renders it through the report's Markdown template.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from simulation.propose.verdict import fmt
from simulation.report.document import (
    Block,
    BulletList,
    Document,
    Heading,
    NumberedList,
    Paragraph,
    bold,
    code,
    plain_table,
    text,
)
from simulation.report.rendering import render_markdown
from simulation.scenario.propose_loading import Propose
from simulation.scenario.propose_spec import weekday_name

if TYPE_CHECKING:
    from simulation.propose import ProposeResult
    from simulation.propose.screening import Screening


def _frame_block(frame: pd.DataFrame) -> Block:
    """A table of a frame's values as text, or ``(none)`` if it has no rows."""
    if frame.empty:
        return Paragraph(text("(none)"))
    return plain_table(frame.columns, list(frame.itertuples(index=False)))


def statement_blocks(statement_text: str) -> list[Block]:
    """The verdict's sentences as paragraphs, its ``- `` lines as bullet lists."""
    blocks: list[Block] = []
    for line in statement_text.splitlines():
        if line.startswith("- "):
            if blocks and isinstance(blocks[-1], BulletList):
                blocks[-1].items.append(text(line[2:]))
            else:
                blocks.append(BulletList([text(line[2:])]))
        else:
            blocks.append(Paragraph(text(line)))
    return blocks


def _comparison_rows(result: ProposeResult, level: float) -> pd.DataFrame:
    rows = []
    for r in result.selection.itertuples(index=False):
        compared = not r.is_proposal and bool(r.proposal_verdict) and math.isfinite(r.diff_mean)
        rows.append(
            {
                "design": r.design,
                "kind": r.kind,
                "schedule": r.schedule,
                "replications": r.replications,
                f"mean ({level:.0%} CI)": f"{fmt(r.objective_mean)} ({fmt(r.objective_ci_low)} to "
                f"{fmt(r.objective_ci_high)})",
                "proposal − design (CI)": (
                    f"{r.diff_mean:+.1f} ({r.diff_ci_low:+.1f} to {r.diff_ci_high:+.1f})"
                    if compared
                    else ""
                ),
                "verdict": r.proposal_verdict,
                "within budget": r.within_budget_status or "-",
                "overall": r.overall_status or "-",
            }
        )
    return pd.DataFrame(rows)


def report_document(propose: Propose, result: ProposeResult, screening: Screening) -> Document:
    """The propose report as a document: verdict, timetable, comparison, method, how to reproduce.

    Parameters
    ----------
    propose
        The loaded propose spec.
    result
        The run's result.
    screening
        The static screening (for its solver).

    Returns
    -------
    Document
        Title ``Proposal: <name>``; rendered by :mod:`simulation.report.rendering`.
    """
    spec = propose.spec
    b = spec.budget
    objective = spec.objective
    level = spec.selection.confidence
    units = "; ".join(
        f"{u.id} ({u.counters} staff, set-up {u.setup_minutes:g} min)" for u in spec.units
    )
    blocks: list[Block] = []
    if spec.description:
        blocks.append(Paragraph(text(spec.description)))
    blocks += [
        Paragraph(
            text(
                "Base scenario ",
                code(propose.base_path.name),
                " (offices kept as they are). Objective: ",
                code(objective.label),
                f", {objective.direction} is better. Units: {units}. Budget: "
                f"{b.unit_days_per_week} unit-day(s) a week, at most {b.hours_per_day:g} open hours and "
                f"{spec.constraints.max_stops_per_day} stop(s) per unit-day, windows {', '.join(b.windows)}, "
                f"weekdays {', '.join(weekday_name(d) for d in b.day_indices)}.",
            )
        ),
        Heading("Verdict"),
        *statement_blocks(result.statement),
        Heading("Proposed timetable"),
        _frame_block(result.timetable)
        if result.proposal
        else Paragraph(text("No timetable proposed.")),
    ]
    sel = result.selection
    confirm = spec.selection.confirmation
    second = [
        k
        for k in result.designs.columns
        if k.endswith("_mean") and k not in ("objective_mean", "search_mean")
    ]
    where = (
        f"{confirm} fresh replications that were not used to search or select (confirmation)"
        if confirm
        else "the replications both designs share from the selection (no confirmation run)"
    )
    blocks += [
        Heading("Comparison"),
        Paragraph(
            text(
                "Objective ",
                code(objective.label),
                f" per design: mean and {level:.0%} interval over all of a design's replications; ",
                code("within budget"),
                " and ",
                code("overall"),
                " give each design's fate in the two selections. The proposal is compared with the "
                f"hand-made designs and the baseline on {where}; the differences are paired (common "
                "random numbers) and their intervals Bonferroni-corrected over those comparisons.",
            )
        ),
        _frame_block(_comparison_rows(result, level)),
        Paragraph(text("Secondary KPIs (means over each design's replications):")),
        _frame_block(
            sel[["design", *second]].round(2).rename(columns=lambda c: c.removesuffix("_mean"))
        ),
        Heading("Method"),
        NumberedList(
            [
                text(
                    bold("Screening"),
                    " (static, no simulation). Office accessibility by Gaussian 2SFCA with a "
                    f"{spec.screening.catchment_minutes:g}-minute catchment; coverage = accessibility / "
                    "counter-hours one need takes at "
                    f"{spec.screening.target_utilisation:.0%} utilisation (capped at 1); residual "
                    "demand = weekly needs × (1 − coverage) in the objective's areas. Candidates whose "
                    "own place offices cover (residual share < "
                    f"{spec.screening.min_residual_share:g}) are not eligible. A maximal covering model "
                    "with Gaussian partial coverage chooses the shortlist of at most "
                    f"{spec.screening.shortlist} (solver: {screening.solver}).",
                )
            ]
        ),
        _frame_block(
            result.screening[
                [
                    "rank",
                    "candidate",
                    "office_coverage",
                    "residual_share",
                    "covered_residual_per_week",
                    "eligible",
                    "shortlisted",
                ]
            ].round(3)
        ),
        NumberedList(
            [
                text(
                    bold("Search"),
                    " by simulation over shortlisted stop × weekday × window: greedy construction, "
                    "then local improvement (one stop, day or window replaced at a time) while the "
                    "mean objective improves. "
                    f"{int((result.designs['kind'] == 'search').sum())} timetable(s) evaluated with "
                    f"{spec.search.replications} replications each under common random numbers "
                    f"(seed {propose.seed}).",
                )
            ],
            start=2,
        ),
        _frame_block(result.steps.round(3))
        if len(result.steps)
        else Paragraph(text("(no search step: nothing to search)")),
        NumberedList(
            [
                text(
                    bold("Selection"),
                    " by Kim and Nelson's fully sequential procedure with indifference zone "
                    f"δ = {result.indifference:g}: first stage {spec.selection.initial} replications, "
                    f"then batches of {spec.selection.batch} for the designs still in, at most "
                    f"{spec.selection.max_replications}. "
                    + " ".join(
                        f"Track '{t.name}' ({len(t.designs)} design(s), α = {t.alpha:.3g}, "
                        f"h² = {t.h2:.2f}): {t.selected} after {t.replications} replications"
                        f"{' (stopped at the cap)' if t.truncated else ''}."
                        for t in result.tracks
                    ),
                )
            ],
            start=3,
        ),
        Paragraph(
            text(
                f"{result.runs} simulation runs in {result.wall_seconds:.0f} s. Method and limits: ",
                code("docs/propose.md"),
                ".",
            )
        ),
        Heading("Reproduce"),
        Paragraph(
            text(
                code("servicesim sweep proposed.sweep.yaml"),
                " reruns baseline, proposal and hand-made designs with the same seed; its "
                "replications beyond the search's first batch use other random numbers than the "
                "selection's batches, so its means differ slightly from the ones above.",
            )
        ),
    ]
    return Document(f"Proposal: {result.name}", blocks)


def render_report(propose: Propose, result: ProposeResult, screening: Screening) -> str:
    """``propose.md``: method, timetable, comparison with intervals and the verdict.

    Rendered from :func:`report_document` by the Markdown template of
    :mod:`simulation.report.rendering`.
    """
    return render_markdown(report_document(propose, result, screening))
