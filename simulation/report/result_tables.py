"""The result tables of a report: a sweep's comparison with the baseline and KPIs by design,
a run's KPIs by scope, each cell a mean with its confidence interval.
"""

from __future__ import annotations

import math

import pandas as pd

from simulation.measures.intervals import level_text as _level_text
from simulation.report.document import Table
from simulation.report.document import code as _code
from simulation.report.document import text as _t
from simulation.report.formatting import capitalise as _cap
from simulation.report.formatting import relative as _rel
from simulation.report.formatting import signed as _signed
from simulation.report.plots.style import fmt_number, kpi_label
from simulation.report.plots.tables import label
from simulation.results.read import Results
from simulation.scenario.kpi_catalogue import SCOPE_ORDER


def comparison_table(res: Results) -> Table:
    """A sweep's paired differences against the baseline, one row per design, level and KPI."""
    comp = res.comparison.assign(level=res.comparison["level"].fillna("").astype(str))
    header = (
        ["design"]
        + (["level"] if res.multi_level else [])
        + [
            "KPI",
            f"baseline ({res.baseline})",
            "design",
            "difference (CI)",
            "relative (CI)",
            "verdict",
        ]
    )
    rows = []
    for r in comp.itertuples(index=False):
        kpi = str(r.kpi)
        info = kpi_label(kpi)
        scale = info.scale

        def num(x: float, s: float = scale) -> str:
            return fmt_number(x * s) if math.isfinite(x) else "–"

        if math.isfinite(r.ci_low):
            diff = f"{_signed(r.diff_mean * scale)} ({_signed(r.ci_low * scale)} to {_signed(r.ci_high * scale)})"
            if r.ci_high - r.ci_low <= 1e-9 * max(1.0, abs(r.diff_mean)):
                diff = f"{_signed(r.diff_mean * scale)} (no variation)"
        else:
            diff = _signed(r.diff_mean * scale)
        if info.unit == "%":
            diff = diff.replace(")", " points)") if "(" in diff else diff + " points"
        if math.isfinite(r.baseline_mean) and r.baseline_mean != 0 and math.isfinite(r.ci_low):
            lo, hi = r.ci_low / r.baseline_mean, r.ci_high / r.baseline_mean
            lo, hi = min(lo, hi), max(lo, hi)
            rel = f"{_rel(r.relative_diff)} ({_rel(lo)} to {_rel(hi)})"
            if hi - lo <= 1e-9:
                rel = _rel(r.relative_diff)
        elif math.isfinite(r.relative_diff):
            rel = _rel(r.relative_diff)
        else:
            rel = "–"
        cells = (
            [_t(str(r.design))]
            + ([_t(_code(str(r.level)))] if res.multi_level else [])
            + [
                _t(_cap(info.name) + (f" ({info.unit})" if info.unit else "")),
                _t(num(r.baseline_mean)),
                _t(num(r.design_mean)),
                _t(diff),
                _t(rel),
                _t(str(r.verdict)),
            ]
        )
        rows.append(cells)
    first = comp.iloc[0]
    caption = (
        f"Paired differences against {res.baseline} ({_level_text(float(first['interval_level']))} "
        f"confidence intervals, correction: {first['correction']}; {res.replications} replications)"
    )
    numeric = {len(header) - 5, len(header) - 4, len(header) - 3, len(header) - 2}
    return Table(header, rows, caption, numeric)


def sweep_kpi_table(res: Results) -> Table:
    """A sweep's KPI means with confidence intervals, one row per design and level."""
    s = res.summary.assign(level=res.summary["level"].fillna("").astype(str))
    kpis = [str(k) for k in res.manifest.get("kpis") or []]
    for extra in ("served_share", "within_15", "mobile_share"):
        if extra not in kpis and extra in set(s["kpi"]):
            kpis.append(extra)
    kpis = [k for k in kpis if k in set(s["kpi"])]
    header = (
        ["design"]
        + (["level"] if res.multi_level else [])
        + [
            _cap(kpi_label(k).name) + (f" ({kpi_label(k).unit})" if kpi_label(k).unit else "")
            for k in kpis
        ]
    )
    rows = []
    index = s.set_index(["design", "level", "kpi"])
    for d in res.designs:
        for lvl in res.levels:
            cells = [_t(d)] + ([_t(_code(lvl))] if res.multi_level else [])
            for k in kpis:
                if (d, lvl, k) not in index.index:
                    cells.append(_t("–"))
                    continue
                r = index.loc[(d, lvl, k)]
                cells.append(_t(_cell(k, r)))
            rows.append(cells)
    conf = _level_text(res.confidence)
    first = 2 if res.multi_level else 1
    return Table(
        header,
        rows,
        f"Mean over {res.replications} replications ({conf} confidence interval)",
        set(range(first, len(header))),
    )


def _cell(kpi: str, r: pd.Series) -> str:
    """A summary row's mean and interval in the KPI's unit (per cent for shares)."""
    info = kpi_label(kpi)
    mean, lo, hi = float(r["mean"]), float(r["ci_low"]), float(r["ci_high"])
    if not math.isfinite(mean):
        return "–"
    if info.unit == "%":
        text = f"{mean * 100:.1f}"
        if math.isfinite(lo) and hi - lo > 1e-9:
            text += f" ({lo * 100:.1f}–{hi * 100:.1f})"
        return text
    text = fmt_number(mean * info.scale)
    if math.isfinite(lo) and hi - lo > 1e-9 * max(1.0, abs(mean)):
        text += f" ({fmt_number(lo * info.scale)}–{fmt_number(hi * info.scale)})"
    return text


RUN_COLUMNS: tuple[str, ...] = (
    "needs",
    "served_share",
    "unserved_per_1000_yr",
    "wait_mean",
    "wait_p90",
    "within_15",
    "travel_mean",
    "mobile_share",
    "utilisation",
    "staff_hours_per_week",
)
"""The KPI columns of a run's table, in order (those the summary holds)."""


def run_kpi_table(res: Results) -> Table:
    """A run's KPI means with confidence intervals, one row per scope (overall, group, area, site)."""
    s = res.summary
    sc = res.scenarios[res.baseline]
    names = {("area", a["id"]): label(a) for a in sc["areas"]}
    names.update({("site", x["id"]): label(x) for x in sc.get("sites") or ()})
    keys = list(dict.fromkeys(zip(s["scope"], s["id"], strict=True)))
    order = SCOPE_ORDER
    keys.sort(key=lambda k: order.get(k[0], 9))
    columns = [c for c in RUN_COLUMNS if c in set(s["kpi"])]
    header = ["scope", "name"] + [
        _cap(kpi_label(c).name) + (f" ({kpi_label(c).unit})" if kpi_label(c).unit else "")
        for c in columns
    ]
    index = s.set_index(["scope", "id", "kpi"])
    rows = []
    for scope, ident in keys:
        name = (
            "all needs"
            if scope == "overall"
            else f"{ident} areas"
            if scope == "group"
            else names.get((scope, ident), ident)
        )
        cells = [_t(scope), _t(name)]
        for c in columns:
            cells.append(
                _t(
                    _cell(c, index.loc[(scope, ident, c)])
                    if (scope, ident, c) in index.index
                    else "–"
                )
            )
        rows.append(cells)
    return Table(
        header,
        rows,
        f"Mean over {res.replications} replications ({_level_text(res.confidence)} confidence interval)",
        set(range(2, len(header))),
    )
