"""The pilot's verdict in plain words."""

from __future__ import annotations

import pandas as pd

from simulation.measures.intervals import level_text


def _region(row: pd.Series, digits: int) -> str:
    return (
        f"{row['benefit']:,.{digits}f} ({row['benefit_ci_low']:,.{digits}f} to "
        f"{row['benefit_ci_high']:,.{digits}f})"
    )


def verdict(
    table: pd.DataFrame,
    objective: str,
    confidence: float,
    indifference: float,
    guaranteed: bool,
    names: dict[str, str],
) -> str:
    """ "Run the pilot in A and B: n and m fewer ... (intervals), with this timetable ...".

    Parameters
    ----------
    table
        ``ranking.csv``.
    objective
        The objective's label.
    confidence, indifference
        The selection's P* and δ.
    guaranteed
        Whether every region got the replications Rinott's procedure asked for.
    names
        Display name of each region.
    """
    chosen = table[table["selected"]].sort_values("rank")
    where = " and ".join(names.get(r, r) for r in chosen["region"])
    amounts = " and ".join(_region(row, 0) for _, row in chosen.iterrows())
    listed = "in their listed areas" if objective.endswith("@group:vulnerable") else ""
    what = (
        "fewer unserved needs a year"
        if objective.startswith("unserved_needs_per_yr")
        else (f"lower {objective}")
    )
    timetables = "; ".join(
        f"{names.get(row['region'], row['region'])}: {row['timetable']}"
        for _, row in chosen.iterrows()
    )
    if guaranteed:
        how = (
            f"selected with confidence {confidence:g} given δ = {indifference:g} "
            "(Rinott's two-stage procedure)"
        )
    else:
        how = (
            "the best means after max_replications, WITHOUT the stated guarantee "
            f"(confidence {confidence:g}, δ = {indifference:g} needed more replications)"
        )
    return (
        f"Run the pilot in {where}: {amounts} {what} {listed} ({level_text(confidence)} "
        f"intervals), with this timetable: {timetables}; {how}."
    ).replace("  ", " ")
