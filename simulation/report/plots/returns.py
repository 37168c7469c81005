"""Return visits: unserved needs by reason at the first and the last attempt, attempts per
need, and the load that later attempts add at each site by clock hour."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from simulation.report.plots.style import (
    REASON_COLOURS,
    REASON_LABELS,
    REASONS,
    design_colour,
    literal,
    new_figure,
    style,
)


def _counted(visits: pd.DataFrame) -> pd.DataFrame:
    return visits[visits["counted"].astype(bool).to_numpy()] if "counted" in visits else visits


def _last(visits: pd.DataFrame) -> pd.DataFrame:
    """One row per need and replication: its last attempt."""
    most = visits.groupby(["replication", "need"])["attempt"].transform("max")
    return visits[visits["attempt"].to_numpy() == most.to_numpy()]


def reasons_first_and_last(visits: pd.DataFrame) -> pd.DataFrame:
    """Mean unserved needs per replication by reason: at the first attempt and at the last.

    Returns
    -------
    pandas.DataFrame
        Index ``first attempt``, ``last attempt``; one column per unserved reason.
    """
    v = _counted(visits)
    reps = max(v["replication"].nunique(), 1)
    first = v[v["attempt"].to_numpy() == 1]["outcome"].astype(str).value_counts()
    last = _last(v)["outcome"].astype(str).value_counts()
    rows = {
        "first attempt": [first.get(r, 0) / reps for r in REASONS],
        "last attempt": [last.get(r, 0) / reps for r in REASONS],
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(REASONS))


def attempts_share(visits: pd.DataFrame) -> pd.Series:
    """Share of counted, decided needs with 1, 2, ... attempts."""
    last = _last(_counted(visits))
    last = last[last["outcome"].astype(str) != "pending"]
    counts = last["attempt"].value_counts().sort_index()
    return counts / counts.sum() if counts.sum() else counts.astype(float)


def return_load(visits: pd.DataFrame, days: float) -> pd.DataFrame:
    """Later attempts arriving at each site per week, by clock hour of arrival.

    Returns
    -------
    pandas.DataFrame
        Index hour 0..23, one column per site; the mean over replications per week of the run.
    """
    v = visits[(visits["attempt"].to_numpy() > 1) & visits["site"].notna().to_numpy()]
    v = v[np.isfinite(v["arrival_min"].to_numpy()) & np.isfinite(v["queue_on_arrival"].to_numpy())]
    reps = max(visits["replication"].nunique(), 1)
    hour = (v["arrival_min"].to_numpy() // 60 % 24).astype(int)
    table = pd.crosstab(hour, v["site"].astype(str).to_numpy())
    table = table.reindex(range(24), fill_value=0)
    return table / reps / (days / 7.0)


def return_visits_figure(
    visits: Mapping[str, pd.DataFrame], days: Mapping[str, float], title: str | None = None
) -> Figure:
    """Three panels: unserved by reason (first vs last attempt), attempts per need, return load.

    Parameters
    ----------
    visits
        Design (or run) → visit table with ``need`` and ``attempt`` columns.
    days
        Design → calendar days of its run (to express the load per week).
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Bars with gid ``returns-<reason>``, ``attempts-<design>`` and lines ``load-<site>``.
    """
    if not visits:
        raise ValueError("no visit tables with attempts to plot")
    names = list(visits)
    with style():
        fig = new_figure(11.0, 3.4 + 0.25 * len(names))
        ax_reason, ax_attempts, ax_load = fig.subplots(1, 3)
        labels: list[str] = []
        y = 0
        for d in names:
            table = reasons_first_and_last(visits[d])
            for when in table.index:
                left = 0.0
                for r in REASONS:
                    width = float(table.loc[when, r])
                    if width > 0:
                        ax_reason.barh(
                            y, width, left=left, color=REASON_COLOURS[r], gid=f"returns-{r}"
                        )
                    left += width
                labels.append(literal(f"{d}: {when}" if len(names) > 1 else when))
                y += 1
        ax_reason.set_yticks(range(len(labels)), labels)
        ax_reason.invert_yaxis()
        ax_reason.set_xlabel("unserved needs per replication")
        ax_reason.set_title("Unserved by reason: first and last attempt")
        handles = [Patch(color=REASON_COLOURS[r], label=REASON_LABELS[r]) for r in REASONS]
        fig.legend(handles=handles, loc="outside lower center", ncols=len(REASONS))

        width = 0.8 / len(names)
        for i, d in enumerate(names):
            share = attempts_share(visits[d])
            ax_attempts.bar(
                share.index.to_numpy() + (i - (len(names) - 1) / 2) * width,
                share.to_numpy() * 100,
                width=width,
                color=design_colour(i),
                label=literal(d),
                gid=f"attempts-{d}",
            )
        most = max(
            [int(attempts_share(visits[d]).index.max()) for d in names if len(visits[d])] + [1]
        )
        ax_attempts.set_xticks(range(1, most + 1))
        ax_attempts.set_xlabel("attempts per need")
        ax_attempts.set_ylabel("share of needs")
        ax_attempts.set_title("Attempts per need")
        ax_attempts.yaxis.set_major_formatter(PercentFormatter())
        if len(names) > 1:
            ax_attempts.legend()

        first = names[0]
        load = return_load(visits[first], days[first])
        for site in load.columns:
            ax_load.plot(load.index, load[site], label=literal(site), gid=f"load-{site}")
        ax_load.set_xlabel("hour of arrival")
        ax_load.set_ylabel(literal(f"return visits per week ({first})"))
        ax_load.set_title("Return visits by site and hour")
        ax_load.set_xticks(range(0, 25, 3))
        if len(load.columns):
            ax_load.legend()
        if title:
            fig.suptitle(literal(title))
    return fig
