"""The paired comparison of a sweep as plain text for the terminal (``sweep`` and ``compare``)."""

from __future__ import annotations

import math

import pandas as pd


def format_comparison(comparison: pd.DataFrame) -> str:
    """Plain-text rendering of a comparison table, one line per design × level × KPI."""
    if comparison.empty:
        return "(no comparisons: a sweep needs at least two designs)"
    rows = [("design", "level", "kpi", "baseline", "design mean", "difference (CI)", "verdict")]
    for r in comparison.itertuples(index=False):
        level = r.level if isinstance(r.level, str) and r.level else "-"
        ci = (
            f"{r.diff_mean:+.2f} ({r.ci_low:+.2f} to {r.ci_high:+.2f})"
            if math.isfinite(r.ci_low)
            else f"{r.diff_mean:+.2f}"
        )
        rows.append(
            (
                str(r.design),
                level,
                str(r.kpi),
                f"{r.baseline_mean:.2f}",
                f"{r.design_mean:.2f}",
                ci,
                str(r.verdict),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    right = {3, 4, 5}
    lines = [
        "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    first = comparison.iloc[0]
    lines.append(
        f"intervals: {first['interval_level']:.4f} each ({first['correction']} over "
        f"{first['comparisons']} comparison(s) per KPI and level); pairing narrowed the "
        f"intervals by {comparison['pairing_narrowing'].median():.0%} (median) against independent sampling"
    )
    return "\n".join(lines)
