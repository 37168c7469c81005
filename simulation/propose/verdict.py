"""The verdict of a propose run in plain words: what is selected, with which confidence.

:func:`statement` says which design is best within the budget and overall, with the
guarantee of the selection procedure, and compares the proposal with every other design
compared, with paired intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from simulation.propose.evaluator import BASELINE, Evaluator
from simulation.propose.selection import Track
from simulation.propose.tables import describe_changes
from simulation.propose.timetable import describe
from simulation.scenario.propose_loading import Propose


def fmt(x: float, digits: int = 1) -> str:
    """A number with ``digits`` decimals, or ``n/a`` when it is missing or not finite."""
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def _guarantee(track: Track, delta: float, label: str) -> str:
    if len(track.designs) == 1:
        return f"the only design {label}"
    if track.truncated:
        others = [d for d, s in track.status.items() if s == "survivor at the cap"]
        return (
            f"the procedure reached max_replications ({track.replications}) with "
            f"{', '.join([track.selected or '?', *others])} still in: they are not separated by "
            f"δ = {delta:g}, and '{track.selected}' has the best mean, without the confidence guarantee"
        )
    return (
        f"selected with confidence {1 - track.alpha:.3g} given δ = {delta:g} {label} "
        f"({track.replications} replications, Kim-Nelson procedure)"
    )


def _named(evaluator: Evaluator, design: str) -> str:
    d = evaluator.designs[design]
    if design == BASELINE:
        return "the baseline"
    if d.kind == "hand-made":
        return f"the hand-made design '{design}' ({describe_changes(d.changes)})"
    return f"'{design}' ({describe(d.timetable)})"


def statement(
    propose: Propose,
    evaluator: Evaluator,
    tracks: Sequence[Track],
    proposal: str | None,
    versus: pd.DataFrame | None,
    delta: float,
) -> str:
    """The verdict in words: what is selected within the budget and overall, with which
    confidence, and the proposal against every other design compared, with intervals."""
    objective = evaluator.kpis[0]
    overall = tracks[0]
    budget = tracks[1] if len(tracks) > 1 else None
    lines = []
    if proposal is None or budget is None:
        lines.append(
            "No timetable could be proposed: no candidate stop is eligible (the offices already "
            "cover every candidate) or the budget allows no stop."
        )
    else:
        among = f"among the {len(budget.designs)} designs within the budget"
        winner = budget.selected or proposal
        if winner != proposal:
            lines.append(
                f"No design within the budget beats {_named(evaluator, winner)} on {objective}: "
                f"{_guarantee(budget, delta, among)}. The best timetable the search found is "
                f"{_named(evaluator, proposal)}."
            )
        else:
            lines.append(
                f"Proposal {_named(evaluator, proposal)} is the best design within the budget on "
                f"{objective}: {_guarantee(budget, delta, among)}."
            )
    best = overall.selected
    if best is not None and (budget is None or best != budget.selected):
        what = (
            "no design beats the baseline"
            if best == BASELINE
            else f"the best of all designs compared is {_named(evaluator, best)}"
        )
        lines.append(
            f"Overall, {what}: {_guarantee(overall, delta, f'among all {len(overall.designs)} designs')}."
        )
    elif best is not None:
        lines.append(
            f"It is also the best of all {len(overall.designs)} designs compared: "
            f"{_guarantee(overall, delta, 'among all designs')}."
        )
    if sum(len(t.designs) > 1 for t in tracks) > 1:
        lines.append(
            f"The two selections hold together with probability at least "
            f"{propose.spec.selection.confidence:.3g} (each at {1 - tracks[0].alpha:.3g}, Bonferroni)."
        )
    if proposal is not None and versus is not None and len(versus):
        confirm = propose.spec.selection.confirmation
        lines.append(
            "Paired comparison of the proposal with the hand-made designs and the baseline on "
            + (
                f"{confirm} fresh replications not used to search or select:"
                if confirm
                else "the selection's replications (no confirmation run, so the proposal's advantage may be "
                "overstated):"
            )
        )
        for row in versus.itertuples(index=False):
            who = (
                "the baseline"
                if row.design == BASELINE
                else f"{evaluator.designs[row.design].kind} '{row.design}'"
            )
            verdict = {"better": "the proposal is better", "worse": "the proposal is worse"}.get(
                row.proposal_verdict, row.proposal_verdict
            )
            lines.append(
                f"- against {who}: {fmt(row.proposal_mean)} vs {fmt(row.design_paired_mean)}, "
                f"difference {row.diff_mean:+.1f} ({row.interval_level:.1%} CI {row.diff_ci_low:+.1f} to "
                f"{row.diff_ci_high:+.1f}, {int(row.n_paired)} paired replications): {verdict}."
            )
    return "\n".join(lines)
