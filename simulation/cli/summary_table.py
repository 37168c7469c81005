"""A short plain-text table of a run's key figures, for the terminal."""

from __future__ import annotations

import math

import pandas as pd

from simulation.measures.intervals import level_text
from simulation.scenario.kpi_catalogue import SCOPE_ORDER

COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("needs", "needs", "{:,.0f}"),
    ("served_share", "served", "{:.1%}"),
    ("unserved_per_1000_yr", "unserved/1000/yr", "{:.1f}"),
    ("wait_mean", "wait mean ({level} CI) min", "{:.1f}"),
    ("wait_p90", "p90 min", "{:.1f}"),
    ("within_15", "<=15 min", "{:.0%}"),
    ("travel_mean", "travel min", "{:.1f}"),
    ("mobile_share", "by mobile", "{:.0%}"),
    ("utilisation", "utilisation", "{:.0%}"),
    ("overtime_min", "overtime min", "{:,.0f}"),
    ("staff_hours_per_week", "staff h/wk", "{:,.0f}"),
)
"""``(kpi, column title, value format)``; ``{level}`` in a title is the confidence level."""


def _cell(row: pd.Series | None, fmt: str, with_ci: bool) -> str:
    if row is None or not math.isfinite(row["mean"]):
        return "-"
    text = fmt.format(row["mean"])
    if with_ci and math.isfinite(row["ci_low"]):
        # "to" when a bound is negative: "(-0.8-44.8)" would read as a range of negatives
        sep = " to " if row["ci_low"] < 0 or row["ci_high"] < 0 else "-"
        text += f" ({fmt.format(row['ci_low'])}{sep}{fmt.format(row['ci_high'])})"
    return text


def format_summary(
    summary: pd.DataFrame,
    labels: dict[tuple[str, str], str] | None = None,
    level: float = 0.95,
) -> str:
    """Render overall, vulnerable/other, per-area and per-site rows of a KPI summary.

    Parameters
    ----------
    summary
        Output of :func:`simulation.measures.kpis.summarise`.
    labels
        Optional display names keyed by ``(scope, id)``.
    level
        Confidence level of the summary's intervals, named in the column headers
        (``wait mean (95% CI) min`` at 0.95).
    """
    labels = labels or {}
    index = {(r.scope, r.id, r.kpi): r for r in summary.itertuples(index=False)}
    keys = list(dict.fromkeys(zip(summary["scope"], summary["id"], strict=True)))
    order = SCOPE_ORDER
    keys.sort(key=lambda k: order.get(k[0], 9))
    header = ["", *[title.format(level=level_text(level)) for _, title, _ in COLUMNS]]
    lines = [header]
    for scope, ident in keys:
        name = labels.get((scope, ident), ident)
        cells = [f"{scope}: {name}" if scope != "overall" else "all needs"]
        for kpi, _, fmt in COLUMNS:
            r = index.get((scope, ident, kpi))
            cells.append(
                _cell(None if r is None else pd.Series(r._asdict()), fmt, kpi == "wait_mean")
            )
        lines.append(cells)
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    rendered = []
    for j, row in enumerate(lines):
        rendered.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if j == 0:
            rendered.append("-" * len(rendered[0]))
    return "\n".join(rendered)
