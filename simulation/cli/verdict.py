"""The verdict of a sweep in words: which design is best for the headline KPI ("Best for ...")."""

from __future__ import annotations


def verdict_lines(sweep, result) -> list[str]:
    """Which design does best for vulnerable areas (or the first KPI), per factor level.

    Parameters
    ----------
    sweep
        The loaded sweep (:class:`simulation.scenario.sweep_spec.Sweep`).
    result
        Its result (:class:`simulation.experiment.sweep.SweepResult`).

    Returns
    -------
    list[str]
        One ``Best for <KPI> (<level>): ...`` line per factor level.
    """
    from simulation.experiment.analysis import best_design
    from simulation.scenario.kpi_catalogue import headline_kpi

    present = set(result.comparison["kpi"]) if len(result.comparison) else None
    kpi = headline_kpi([k.label for k in sweep.spec.kpis], present)
    lines = []
    for level in dict.fromkeys(result.comparison["level"]) if len(result.comparison) else []:
        best, rows = best_design(result.comparison, kpi, level)
        where = f" ({level})" if level else ""
        if best == sweep.spec.baseline_design:
            lines.append(f"Best for {kpi}{where}: no design is clearly better than {best}.")
            continue
        row = rows[rows["design"] == best].iloc[0]
        rel = row["diff_mean"] / row["baseline_mean"] if row["baseline_mean"] else float("nan")
        lines.append(
            f"Best for {kpi}{where}: {best}, {row['design_mean']:.1f} against {row['baseline_mean']:.1f} "
            f"for {row['baseline']} ({rel:+.0%}; difference {row['diff_mean']:+.1f}, "
            f"{row['interval_level']:.1%} CI {row['ci_low']:+.1f} to {row['ci_high']:+.1f})."
        )
    return lines
