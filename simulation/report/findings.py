"""Key findings of a run or sweep in plain words, computed from its summary and comparison tables.

:func:`sweep_findings` says how each design differs from the baseline on the headline KPI
and the others, which design is best and whether factor levels change the verdicts;
:func:`run_findings` gives a run's served share, unserved demand, waits, utilisation and
mobile share. Every interval is named at the level it was computed at.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from simulation.experiment.analysis import best_design
from simulation.measures.intervals import level_text as _level_text
from simulation.report.document import Inline
from simulation.report.document import bold as _b
from simulation.report.document import code as _code
from simulation.report.document import text as _t
from simulation.report.formatting import format_value as _format_value
from simulation.report.formatting import kpi_unit as _unit
from simulation.report.formatting import percent as _pct
from simulation.report.formatting import relative as _rel
from simulation.report.formatting import signed as _signed
from simulation.report.plots.style import REASON_LABELS, REASONS, fmt_number, kpi_label
from simulation.report.plots.tables import kpi_means, label, mobile_units
from simulation.results.read import Results
from simulation.scenario.kpi_catalogue import headline_kpi


def _effect(row: Mapping[str, Any], overall: bool = False) -> Inline:
    """``reduces unserved demand by 20% (97.5% CI 15–24%)`` from one comparison row.

    With ``overall`` the KPI's name gets "overall" (to set it apart from a group's).
    """
    kpi = str(row["kpi"])
    name = kpi_label(kpi).name + (" overall" if overall else "")
    base = float(row["baseline_mean"])
    mean, lo, hi = float(row["diff_mean"]), float(row["ci_low"]), float(row["ci_high"])
    level = (
        _level_text(float(row["interval_level"]))
        if math.isfinite(float(row["interval_level"]))
        else ""
    )
    relative = math.isfinite(base) and abs(base) > 1e-12
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return _t(f"has too few replications to tell a difference in {name}")
    unit = _unit(kpi)
    if relative:
        rel, rlo, rhi = mean / base, lo / base, hi / base
        if base < 0:
            rlo, rhi = rhi, rlo
    if abs(hi - lo) <= 1e-9 * max(1.0, abs(mean)):
        size = _pct(abs(rel)) if relative else fmt_number(abs(mean))
        same = f"{_signed(mean)}{' ' + unit if unit else ''} in every replication"
        verb = "reduces" if mean < 0 else "increases" if mean > 0 else "does not change"
        if mean == 0:
            return _t(f"does not change {name} (the same in every replication)")
        return _t(f"{verb} {name} by {size} ({same})")
    if lo <= 0 <= hi:
        if relative:
            return _t(
                f"shows no clear difference in {name} ({_rel(rel)}; {level} CI {_rel(rlo)} to {_rel(rhi)})"
            )
        return _t(
            f"shows no clear difference in {name} ({_signed(mean)} {unit}; "
            f"{level} CI {_signed(lo)} to {_signed(hi)})"
        )
    if relative:
        if hi < 0:
            return _t(
                f"reduces {name} by {_pct(-rel)} ({level} CI {-rhi * 100:.0f}–{-rlo * 100:.0f}%)"
            )
        return _t(f"increases {name} by {_pct(rel)} ({level} CI {rlo * 100:.0f}–{rhi * 100:.0f}%)")
    verb = "reduces" if hi < 0 else "increases"
    return _t(
        f"{verb} {name} by {fmt_number(abs(mean))} {unit} ({level} CI {fmt_number(abs(hi if hi < 0 else lo))}"
        f"–{fmt_number(abs(lo if hi < 0 else hi))} {unit})"
    )


def _headline_kpi(res: Results) -> str:
    kpis = [str(k) for k in res.manifest.get("kpis") or []] or list(
        dict.fromkeys(res.comparison["kpi"])
    )
    present = set(res.comparison["kpi"]) if len(res.comparison) else set()
    return headline_kpi(kpis, present)


def sweep_findings(res: Results) -> list[Inline]:
    """Key findings of a sweep, in plain words, from its comparison and summary tables."""
    comp = res.comparison
    if comp.empty:
        return [_t("Only one design was run, so there is nothing to compare against the baseline.")]
    comp = comp.assign(level=comp["level"].fillna("").astype(str))
    headline = _headline_kpi(res)
    level = res.level
    at = comp[comp["level"] == level]
    where: Inline = _t(" (at ", _code(level), ")") if res.multi_level else []
    out: list[Inline] = []
    others = [k for k in dict.fromkeys(at["kpi"]) if k != headline]
    for design in [d for d in res.designs if d != res.baseline]:
        rows = at[at["design"] == design].set_index("kpi")
        if headline in rows.index:
            r = rows.loc[headline]
            words = (
                _t("Design ", _b(design), " ")
                + _effect({**r.to_dict(), "kpi": headline})
                + _t(" against ", _b(res.baseline))
                + where
                + _t(
                    f": {_format_value(headline, float(r['design_mean']))} against "
                    f"{_format_value(headline, float(r['baseline_mean']))}"
                    f"{' ' + _unit(headline) if _unit(headline) else ''}."
                )
            )
            out.append(words)
        rest = [k for k in others if k in rows.index]
        if rest:
            parts: Inline = _t("It also ")
            for j, k in enumerate(rest):
                if j:
                    parts += _t("; " if j < len(rest) - 1 else "; and ")
                parts += _effect(
                    {**rows.loc[k].to_dict(), "kpi": k},
                    overall=f"{k}@group:vulnerable" in rows.index,
                )
            out.append(_t("") + parts + _t("."))
    best, rows = best_design(comp, headline, level)
    group = (
        "vulnerable areas" if headline.endswith("@group:vulnerable") else kpi_label(headline).name
    )
    if best and best != res.baseline:
        r = rows[rows["design"] == best].iloc[0]
        out.append(
            _t(f"Best for {group}")
            + where
            + _t(
                ": ",
                _b(best),
                f" — {_format_value(headline, float(r['design_mean']))} "
                f"against {_format_value(headline, float(r['baseline_mean']))}"
                f"{' ' + _unit(headline) if _unit(headline) else ''} with ",
                _b(res.baseline),
                ".",
            )
        )
    elif best:
        out.append(
            _t("No design is clearly better than ", _b(res.baseline), f" for {group}")
            + where
            + _t(".")
        )
    if res.multi_level:
        out.extend(_level_agreement(res, comp))
    first = comp.iloc[0]
    if str(first.get("correction", "")) == "bonferroni" and int(first.get("comparisons", 1)) > 1:
        out.append(
            _t(
                f"Each interval is a {_level_text(float(first['interval_level']))} confidence interval so that "
                f"the {int(first['comparisons'])} comparisons per KPI and level hold together at "
                f"{_level_text(res.confidence)} (Bonferroni); percentages are "
                "differences relative to the baseline's mean."
            )
        )
    else:
        out.append(
            _t(
                "Percentages are differences relative to the baseline's mean; intervals are "
                f"{_level_text(float(first['interval_level']))} confidence intervals of paired differences."
            )
        )
    return out


def _level_agreement(res: Results, comp: pd.DataFrame) -> list[Inline]:
    first = comp[comp["level"] == res.level].set_index(["design", "kpi"])["verdict"]
    out: list[Inline] = []
    for lvl in res.levels[1:]:
        other = comp[comp["level"] == lvl].set_index(["design", "kpi"])["verdict"]
        changed = [
            (d, k, first.get((d, k)), v) for (d, k), v in other.items() if first.get((d, k)) != v
        ]
        if not changed:
            out.append(
                _t("At ", _code(lvl), " every verdict is the same as at ", _code(res.level), ".")
            )
        else:
            parts = "; ".join(
                f"{d} on {kpi_label(k).name}: {v} (was {w})" for d, k, w, v in changed
            )
            out.append(
                _t(
                    "At ",
                    _code(lvl),
                    " some verdicts differ from ",
                    _code(res.level),
                    f": {parts}.",
                )
            )
    return out


def _summary_row(summary: pd.DataFrame, scope: str, ident: str, kpi: str) -> pd.Series | None:
    rows = summary[(summary["scope"] == scope) & (summary["id"] == ident) & (summary["kpi"] == kpi)]
    return None if rows.empty else rows.iloc[0]


def _with_ci(row: pd.Series | None, kpi: str, unit: str = "", *, level: float) -> str:
    """A KPI's mean with its unit and its ``level`` confidence interval, when there is one."""
    if row is None:
        return "–"
    text = _format_value(kpi, float(row["mean"])) + (f" {unit}" if unit else "")
    lo, hi = float(row["ci_low"]), float(row["ci_high"])
    if math.isfinite(lo) and math.isfinite(hi):
        text += f" ({_level_text(level)} CI {_format_value(kpi, lo)}–{_format_value(kpi, hi)})"
    return text


def run_findings(res: Results) -> list[Inline]:
    """Key findings of a single run, in plain words, from its summary table."""
    s = res.summary
    sc = res.scenarios[res.baseline]
    out: list[Inline] = []
    served = _summary_row(s, "overall", "all", "served_share")
    if served is not None:
        out.append(
            _t(
                f"Of the needs that arose after the warm-up, {_with_ci(served, 'served_share', level=res.confidence)} were served."
            )
        )
    total = _summary_row(s, "overall", "all", "unserved_per_1000_yr")
    vul = _summary_row(s, "group", "vulnerable", "unserved_per_1000_yr")
    oth = _summary_row(s, "group", "other", "unserved_per_1000_yr")
    if total is not None:
        text = (
            "Unserved demand is "
            f"{_with_ci(total, 'unserved_per_1000_yr', 'needs per 1,000 residents per year', level=res.confidence)}"
        )
        if vul is not None and oth is not None:
            text += (
                f"; in vulnerable areas {_format_value('unserved_per_1000_yr', float(vul['mean']))}, "
                f"in other areas {_format_value('unserved_per_1000_yr', float(oth['mean']))}"
            )
        out.append(_t(text + "."))
    reasons = {
        r: kpi_means(res.kpis, "overall", f"unserved_{r}").get("all", float("nan")) for r in REASONS
    }
    finite = {r: v for r, v in reasons.items() if math.isfinite(v)}
    if finite and sum(finite.values()) > 0:
        top = max(finite, key=lambda r: finite[r])
        out.append(
            _t(
                f"The main reason for unserved demand is “{REASON_LABELS[top]}” "
                f"({_pct(finite[top] / sum(finite.values()))} of unserved needs)."
            )
        )
    wait = _summary_row(s, "overall", "all", "wait_mean")
    w15 = _summary_row(s, "overall", "all", "within_15")
    w30 = _summary_row(s, "overall", "all", "within_30")
    if wait is not None:
        text = f"Served visitors waited on average {_with_ci(wait, 'wait_mean', 'min', level=res.confidence)}"
        if w15 is not None and w30 is not None:
            text += (
                f"; {_format_value('within_15', float(w15['mean']))} were served within 15 minutes and "
                f"{_format_value('within_30', float(w30['mean']))} within 30"
            )
        out.append(_t(text + "."))
    util = []
    for site in sc.get("sites") or ():
        r = _summary_row(s, "site", site["id"], "utilisation")
        if r is not None and math.isfinite(float(r["mean"])):
            util.append(f"{label(site)} {_pct(float(r['mean']))}")
    if util:
        out.append(_t("Counter utilisation while open: " + ", ".join(util) + "."))
    if mobile_units(sc):
        share = _summary_row(s, "overall", "all", "mobile_share")
        vshare = _summary_row(s, "group", "vulnerable", "mobile_share")
        if share is not None:
            text = f"Mobile units served {_format_value('mobile_share', float(share['mean']))} of the served needs"
            if vshare is not None and math.isfinite(float(vshare["mean"])):
                text += (
                    f" ({_format_value('mobile_share', float(vshare['mean']))} in vulnerable areas)"
                )
            out.append(_t(text + "."))
    return out or [_t("The summary table holds no KPIs.")]
