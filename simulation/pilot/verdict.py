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


def shared_verdict(
    separate: str,
    row: pd.Series,
    parts: tuple[str, str],
    chosen: bool,
    separate_per_unit: float,
    selected: list[str],
    objective: str,
    confidence: float,
    indifference: float,
) -> str:
    """The verdict with a shared pair: the shared unit's sentence, then the separate one's.

    Parameters
    ----------
    separate
        The verdict of the two separate units (:func:`verdict`).
    row
        The best shared pair's row of ``shared.csv``.
    parts
        Display names of the pair's two regions.
    chosen
        Whether the shared unit is the pilot (it beats each separate unit on average).
    separate_per_unit
        Mean benefit of the two separately selected regions.
    selected
        Display names of the two separately selected regions.
    objective, confidence, indifference
        The objective's label and the selection's P* and δ.
    """
    what = (
        "fewer unserved needs a year"
        if objective.startswith("unserved_needs_per_yr")
        else f"lower {objective}"
    )
    listed = " in their listed areas" if objective.endswith("@group:vulnerable") else ""
    pair = f"{parts[0]} and {parts[1]} ({row['road_km']:.0f} km apart)"
    amount = _region(row, 0)
    gap = abs(float(row["benefit"]) - separate_per_unit)
    close = (
        f"; the gap is within δ = {indifference:g}, too close to call" if gap < indifference else ""
    )
    each = (
        f"each of two separate units in {' and '.join(selected)} "
        f"({separate_per_unit:,.0f} a unit on average)"
    )
    if chosen:
        return (
            f"Run the pilot with one unit shared by {pair}: {amount} {what}{listed} "
            f"({level_text(confidence)} interval), with this timetable: {row['timetable']}; "
            f"one shared unit does more than {each}{close}. With two separate units instead: "
            f"{separate[0].lower()}{separate[1:]}"
        )
    return (
        f"{separate} One unit shared by {pair} would do {amount} {what} "
        f"({level_text(confidence)} interval), less than {each}{close}."
    )
