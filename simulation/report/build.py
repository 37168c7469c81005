"""Reports of result folders: figures, a Markdown report and a self-contained HTML report.

:func:`build_report` reads a ``servicesim run`` or ``servicesim sweep`` folder (told apart
by ``manifest.json``'s ``kind``) and writes

* ``figures/<name>.png`` (200 dpi) and ``figures/<name>.svg``,
* ``report.md`` (figures linked from ``figures/``),
* ``report.html`` (one file: figures embedded as base64 PNG, minimal inline CSS).

The report states the question and the designs, key findings in plain words computed from
the comparison and summary tables, the figures with captions, the comparison and KPI
tables, the scenario's parameters and the provenance recorded in the manifest. Nothing
depends on the clock or on where the folder lives, so the same folder always gives the
same bytes. Both files are rendered from one :class:`~simulation.report.document.Document` by the
Jinja2 templates of :mod:`simulation.report.rendering`, which HTML-escape text from user files in
the HTML and Markdown-escape it in the Markdown.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from matplotlib.figure import Figure

from simulation.experiment.analysis import best_design
from simulation.experiment.sweep import SAMPLE_REPLICATIONS
from simulation.report.document import (
    Block,
    BulletList,
    Document,
    FigureBlock,
    Heading,
    Inline,
    Paragraph,
    Table,
)
from simulation.report.document import bold as _b
from simulation.report.document import code as _code
from simulation.report.document import text as _t
from simulation.report.plots import (
    cost_benefit,
    design_maps,
    forest_plot,
    save_figure,
    schedule_timeline,
    site_heatmaps,
    unserved_bars,
    wait_ecdf,
)
from simulation.report.plots.style import REASON_LABELS, REASONS, fmt_number, kpi_label
from simulation.report.plots.tables import kpi_means, label, mobile_units
from simulation.report.rendering import md_escape as md_escape  # re-exported
from simulation.report.rendering import render_html, render_markdown
from simulation.results.errors import TargetError
from simulation.results.files import write_atomic
from simulation.results.layout import FIGURE_NAMES, visits_path
from simulation.results.lock import hold_folder
from simulation.results.manifest import read_manifest, verify_folder
from simulation.scenario.kpi_catalogue import HEADLINE_KPI, SCOPE_ORDER, headline_kpi
from simulation.scenario.sweep_spec import _cell_name

log = logging.getLogger(__name__)


# ----------------------------------------------------------------------------- loading


@dataclass
class Results:
    """The tables of a result folder, arranged by design.

    Attributes
    ----------
    folder
        The result folder.
    kind
        ``"run"`` or ``"sweep"``.
    manifest
        ``manifest.json``.
    name
        Sweep or scenario name.
    designs
        Design names (a run has one: its scenario's name).
    baseline
        Baseline design (a run: its only design).
    levels
        Factor-level labels (``[""]`` without factors).
    level
        The level shown in per-design figures (the first).
    scenarios
        Design → resolved scenario dict at :attr:`level`.
    kpis
        Long KPI table of every replication with ``design`` and ``level`` columns.
    summary
        A run's ``summary.csv`` (``scope, id, kpi, ...``) or a sweep's
        (``design, level, kpi, ...``).
    comparison
        A sweep's ``comparison.csv`` (empty for a run).
    visits, site_hours
        Design → kept visit / site-hour tables at :attr:`level`.
    sweep
        A sweep's ``sweep.yaml`` (empty for a run).
    """

    folder: Path
    kind: str
    manifest: dict[str, Any]
    name: str
    designs: list[str]
    baseline: str
    levels: list[str]
    level: str
    scenarios: dict[str, dict[str, Any]]
    kpis: pd.DataFrame
    summary: pd.DataFrame
    comparison: pd.DataFrame
    visits: dict[str, pd.DataFrame] = field(default_factory=dict)
    site_hours: dict[str, pd.DataFrame] = field(default_factory=dict)
    sweep: dict[str, Any] = field(default_factory=dict)

    @property
    def replications(self) -> int:
        """Replications per design and level."""
        return int(self.manifest.get("replications") or self.kpis["replication"].nunique())

    @property
    def multi_level(self) -> bool:
        """Whether the sweep crosses factor levels."""
        return len(self.levels) > 1

    def design_kpis(self, design: str, level: str | None = None) -> pd.DataFrame:
        """KPI rows of one design at ``level`` (default: :attr:`level`)."""
        lvl = self.level if level is None else level
        k = self.kpis
        return k[(k["design"] == design) & (k["level"] == lvl)]


def _read_yaml(path: Path) -> Any:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TargetError(
            path.parent, f"{path.name} is missing; the folder is incomplete"
        ) from None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TargetError(
            path.parent,
            f"{path.name} is not valid YAML ({exc.__class__.__name__}); the folder is damaged",
        ) from None
    if not isinstance(document, dict):
        raise TargetError(path.parent, f"{path.name} is not a mapping; the folder is damaged")
    return document


def load_results(folder: str | Path) -> Results:
    """Read a run or sweep folder into :class:`Results`.

    Raises
    ------
    simulation.results.errors.TargetError
        If the folder has no servicesim ``manifest.json``, its kind is neither ``run`` nor
        ``sweep``, its files do not agree with the manifest's checksums, or a file in it is
        damaged.
    """
    folder = Path(folder)
    manifest = verify_folder(folder, kinds=("run", "sweep"))
    kind = manifest.get("kind")
    if kind == "run":
        return _load_run(folder, manifest)
    return _load_sweep(folder, manifest)


def _load_run(folder: Path, manifest: dict[str, Any]) -> Results:
    scenario = _read_yaml(folder / "scenario.yaml")
    name = str(scenario.get("name") or manifest.get("scenario") or "scenario")
    kpis = pd.read_csv(
        folder / "kpis.csv",
        keep_default_na=False,
        na_values=[""],
        dtype={"id": str, "scope": str, "kpi": str},
    )
    kpis = kpis.assign(design=name, level="")
    visits = pd.read_parquet(folder / "visits.parquet")
    site_hours = pd.read_csv(folder / "site_hours.csv", dtype={"site": str, "weekday": str})
    summary = pd.read_csv(
        folder / "summary.csv",
        keep_default_na=False,
        na_values=[""],
        dtype={"id": str, "scope": str, "kpi": str},
    )
    return Results(
        folder,
        "run",
        manifest,
        name,
        [name],
        name,
        [""],
        "",
        {name: scenario},
        kpis,
        summary,
        pd.DataFrame(),
        {name: visits},
        {name: site_hours},
    )


def _load_sweep(folder: Path, manifest: dict[str, Any]) -> Results:
    designs = [str(d) for d in manifest["designs"]]
    levels = [str(x) for x in (manifest.get("levels") or [""])]
    level = levels[0]
    name = str(manifest.get("sweep") or folder.name)
    scenarios = {}
    for d in designs:
        path = folder / "scenarios" / f"{_cell_name(name, d, level)}.yaml"
        scenarios[d] = _read_yaml(path)
    kpis = pd.read_parquet(folder / "kpis.parquet")
    kpis = kpis.assign(
        level=kpis["level"].fillna("").astype(str), design=kpis["design"].astype(str)
    )
    summary = pd.read_csv(
        folder / "summary.csv",
        keep_default_na=False,
        na_values=[""],
        dtype={"design": str, "level": str, "kpi": str},
    )
    comparison_path = folder / "comparison.csv"
    comparison = (
        pd.read_csv(
            comparison_path,
            keep_default_na=False,
            na_values=[""],
            dtype={"design": str, "level": str, "kpi": str, "baseline": str},
        )
        if comparison_path.exists() and comparison_path.stat().st_size > 1
        else pd.DataFrame()
    )
    visits, site_hours = _kept_tables(folder, manifest, designs, level)
    sweep = _read_yaml(folder / "sweep.yaml") if (folder / "sweep.yaml").exists() else {}
    baseline = str(manifest.get("baseline") or designs[0])
    return Results(
        folder,
        "sweep",
        manifest,
        name,
        designs,
        baseline,
        levels,
        level,
        scenarios,
        kpis,
        summary,
        comparison,
        visits,
        site_hours,
        sweep or {},
    )


def _kept_tables(
    folder: Path, manifest: dict[str, Any], designs: list[str], level: str
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The kept visit and site-hour tables of this sweep's runs at ``level``, per design.

    Only the runs the manifest names (``run_keys``, ``kept_replications``) are read, so files
    of other runs in the folder are never pooled; an unreadable table is skipped with a warning.
    """
    keys = manifest.get("run_keys")
    if not isinstance(keys, dict):
        log.warning(
            "%s: the manifest names no runs (made by an older servicesim?); "
            "figures of visits and queues are left out",
            folder,
        )
        return {}, {}
    kept = [int(r) for r in manifest.get("kept_replications", range(SAMPLE_REPLICATIONS))]
    out: tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]] = ({}, {})
    for d in designs:
        runs = (keys.get(d) or {}).get(level) or []
        for table, store in zip(("visits", "site_hours"), out, strict=True):
            frames = []
            for r in kept:
                path = visits_path(folder, str(runs[r]), table) if r < len(runs) else None
                if path is None or not path.exists():
                    continue
                try:
                    frames.append(pd.read_parquet(path))
                except (OSError, ValueError) as exc:
                    log.warning(
                        "%s: unreadable, left out of the figures (%s)", path, type(exc).__name__
                    )
            if frames:
                store[d] = pd.concat(frames, ignore_index=True)
            else:
                log.warning("%s: no %s tables kept for design %s", folder, table, d)
    return out


# ----------------------------------------------------------------------------- formatting


def _pct(x: float, digits: int = 0) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    return f"{x * 100:.{digits}f}%"


def _level_text(level: float) -> str:
    return f"{level * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _rel(x: float) -> str:
    """A signed relative difference in per cent: one decimal below 10%, else whole."""
    if not math.isfinite(x):
        return "–"
    value = x * 100
    digits = 1 if abs(value) < 9.95 else 0
    text = f"{abs(value):.{digits}f}"
    if float(text) == 0:
        return f"±{text}%"
    return ("+" if value > 0 else "−") + text + "%"


def _signed(x: float, digits: int | None = None) -> str:
    if not math.isfinite(x):
        return "–"
    text = fmt_number(abs(x), digits)
    return ("+" if x > 0 else "−" if x < 0 else "±") + text


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _format_value(kpi: str, value: float) -> str:
    info = kpi_label(kpi)
    if not math.isfinite(value):
        return "–"
    if info.unit == "%":
        return _pct(value, 1)
    return fmt_number(value * info.scale)


def _unit(kpi: str) -> str:
    info = kpi_label(kpi)
    return "" if info.unit in ("", "%") else info.unit


def _distribution(spec: Any) -> str:
    if spec is None:
        return "none"
    if isinstance(spec, Mapping):
        kind = spec.get("dist", "")
        args = ", ".join(
            f"{k}={_plain(v)}" for k, v in spec.items() if k != "dist" and v is not None
        )
        return f"{kind}({args})" if kind else args
    return _plain(spec)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    return "–" if value is None else str(value)


# ----------------------------------------------------------------------------- findings


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
                f"{_level_text(float(res.manifest.get('level') or 0.95))} (Bonferroni); percentages are "
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


def _with_ci(row: pd.Series | None, kpi: str, unit: str = "") -> str:
    if row is None:
        return "–"
    text = _format_value(kpi, float(row["mean"])) + (f" {unit}" if unit else "")
    lo, hi = float(row["ci_low"]), float(row["ci_high"])
    if math.isfinite(lo) and math.isfinite(hi):
        text += f" (95% CI {_format_value(kpi, lo)}–{_format_value(kpi, hi)})"
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
                f"Of the needs that arose after the warm-up, {_with_ci(served, 'served_share')} were served."
            )
        )
    total = _summary_row(s, "overall", "all", "unserved_per_1000_yr")
    vul = _summary_row(s, "group", "vulnerable", "unserved_per_1000_yr")
    oth = _summary_row(s, "group", "other", "unserved_per_1000_yr")
    if total is not None:
        text = (
            "Unserved demand is "
            f"{_with_ci(total, 'unserved_per_1000_yr', 'needs per 1,000 residents per year')}"
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
        text = f"Served visitors waited on average {_with_ci(wait, 'wait_mean', 'min')}"
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


# ----------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class FigureSpec:
    """A figure of a report: file name, title, caption and how to draw it."""

    name: str
    title: str
    caption: str
    draw: Callable[[], Figure]


def figure_specs(res: Results) -> list[FigureSpec]:
    """The figures that make sense for ``res``, in report order (not yet drawn)."""
    specs: list[FigureSpec] = []
    sweep = res.kind == "sweep"
    at = f" at {res.level}" if res.multi_level else ""
    suffix = f" ({res.level})" if res.multi_level else ""
    reps = res.replications
    designs = [d for d in res.designs if d in res.scenarios]
    unserved = {
        d: kpi_means(res.design_kpis(d), "area", "unserved_per_1000_yr").to_dict() for d in designs
    }
    specs.append(
        FigureSpec(
            "map",
            "Areas, offices and mobile-unit stops",
            "Areas are circles sized by population (vulnerable areas cross-hatched with a black outline) and shaded "
            f"by unserved demand per 1,000 residents per year (mean of {reps} replications{at}); offices are squares, "
            "mobile-unit stops triangles joined by the unit's weekly route. Longitude is stretched so that distances "
            "are true in both directions; no background map.",
            lambda: design_maps(
                {d: res.scenarios[d] for d in designs},
                unserved,
                "Areas and service places" + suffix,
            ),
        )
    )
    if res.visits:
        if sweep:
            series = {d: res.visits[d] for d in designs if d in res.visits}
            kept = sorted({int(r) for v in series.values() for r in v["replication"].unique()})
            caption = (
                f"Share of served visitors who waited at most the time on the horizontal axis, per design{at}, "
                f"pooled over the {len(kept)} replication(s) whose visit tables the sweep keeps; "
                "dotted lines mark 15 and 30 minutes. Needs from the warm-up are left out."
            )
        else:
            v = res.visits[res.baseline]
            sc = res.scenarios[res.baseline]
            vulnerable = [a["id"] for a in sc["areas"] if a.get("vulnerable")]
            series = {"all areas": v}
            if vulnerable and len(vulnerable) < len(sc["areas"]):
                inside = v["area"].astype(str).isin(vulnerable)
                series = {"all areas": v, "vulnerable areas": v[inside], "other areas": v[~inside]}
            caption = (
                f"Share of served visitors who waited at most the time on the horizontal axis, pooled over "
                f"{reps} replication(s); dotted lines mark 15 and 30 minutes. Needs from the warm-up are "
                "left out."
            )
        specs.append(
            FigureSpec(
                "waits",
                "Waiting times of served visitors",
                caption,
                partial(wait_ecdf, series, "Waiting times of served visitors" + suffix),
            )
        )
    specs.append(
        FigureSpec(
            "unserved",
            "Unserved demand by area and reason",
            f"Unserved needs per 1,000 residents per year by area and reason (mean of {reps} replications{at}). "
            "“Did not set out” counts needs not acted on because the best option was too costly (distance decay); "
            "vulnerable areas are outlined and marked ◆.",
            lambda: unserved_bars(
                {d: res.design_kpis(d) for d in designs},
                {d: res.scenarios[d] for d in designs},
                "Unserved demand by area and reason" + suffix,
            ),
        )
    )
    if sweep and not res.comparison.empty:
        kpis = [str(k) for k in res.manifest.get("kpis") or []] or None
        first = res.comparison.iloc[0]
        specs.append(
            FigureSpec(
                "comparison",
                "Difference from the baseline",
                f"Mean paired difference (design − {res.baseline}) over {reps} replications with common random numbers, "
                f"with its {_level_text(float(first['interval_level']))} confidence interval"
                + (
                    " (Bonferroni-corrected)"
                    if str(first.get("correction")) == "bonferroni"
                    else ""
                )
                + "; labels give the difference relative to the baseline's mean. Colour and marker give the verdict; "
                "an interval crossing the dashed zero line means no clear difference.",
                lambda: forest_plot(res.comparison, kpis),
            )
        )
        y = next(
            (
                k
                for k in (HEADLINE_KPI, "unserved_per_1000_yr", "wait_mean")
                if k in set(res.summary["kpi"])
            ),
            None,
        )
        if y is not None and "staff_hours_per_week" in set(res.summary["kpi"]):
            conf = float(res.manifest.get("level") or 0.95)
            specs.append(
                FigureSpec(
                    "costs",
                    "Cost against benefit",
                    f"Staffed counter-hours per week against {kpi_label(y).name}, one point per design and panel per "
                    f"factor level; bars are {_level_text(conf)} confidence intervals of each design's mean over "
                    f"{reps} replications (independent intervals; the paired differences in the comparison figure are "
                    "more precise).",
                    partial(cost_benefit, res.summary, y=y, confidence=conf),
                )
            )
    if res.site_hours:
        have = [d for d in designs if d in res.site_hours]
        kept = sorted({int(r) for d in have for r in res.site_hours[d]["replication"].unique()})
        specs.append(
            FigureSpec(
                "queues",
                "Queue and counter use by weekday and hour",
                f"Mean number of people waiting (left) and busy ÷ open counters (right) per site, weekday and clock "
                f"hour{at}, averaged over every such weekday after the warm-up and over {len(kept)} replication(s). "
                "Grey cells: closed and nobody waiting.",
                lambda: site_heatmaps(
                    {d: res.site_hours[d] for d in have},
                    {d: res.scenarios[d] for d in have},
                    "Queue and counter use by weekday and hour" + suffix,
                ),
            )
        )
    if any(mobile_units(res.scenarios[d]) for d in designs):
        specs.append(
            FigureSpec(
                "schedule",
                "Weekly schedule of the mobile units",
                f"Each mobile unit's stop windows over a week{at}, annotated with the mean number of needs served per "
                f"stop visit and the counters' utilisation at that stop (means of {reps} replications).",
                lambda: schedule_timeline(
                    {d: res.scenarios[d] for d in designs},
                    {d: res.design_kpis(d) for d in designs},
                    "Weekly schedule of the mobile units" + suffix,
                ),
            )
        )
    return specs


def render_figures(
    folder: str | Path,
    out: str | Path | None = None,
    names: Sequence[str] | None = None,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Draw a result folder's figures and save them (e.g. for ``docs/figures``).

    Parameters
    ----------
    folder
        A run or sweep result folder (only read).
    out
        Where to write (default: ``folder/figures``).
    names
        Only these figures (see :data:`FIGURE_NAMES`); default: all that apply.
    formats
        ``"png"`` and/or ``"svg"``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    res = load_results(folder)
    target = Path(out) if out is not None else Path(folder) / "figures"
    written: list[Path] = []
    for spec in figure_specs(res):
        if names is not None and spec.name not in names:
            continue
        written.extend(save_figure(spec.draw(), target, spec.name, formats))
    return written


# ----------------------------------------------------------------------------- document


def _question(res: Results) -> list[Block]:
    blocks: list[Block] = []
    if res.kind == "sweep":
        desc = res.sweep.get("description")
        base = res.scenarios[res.baseline]
        n = len(res.designs)
        text = _t(
            f"This sweep compares {n} design{'s' if n != 1 else ''} (",
            *_join([_b(d) for d in res.designs]),
            ") against the baseline ",
            _b(res.baseline),
            f", each with {res.replications} replication{'s' if res.replications != 1 else ''} using common "
            f"random numbers (seed {res.manifest.get('seed')}).",
        )
        if res.multi_level:
            factors = res.sweep.get("factors") or {}
            text += _t(
                " Every design runs at each factor level: ",
                *_join([_code(f"{k} = {_plain(v)}") for k, v in factors.items()]),
                ".",
            )
        blocks.append(Paragraph(text))
        if desc:
            blocks.append(Paragraph(_t("Sweep description: ", str(desc))))
        if base.get("description"):
            blocks.append(Paragraph(_t("Base scenario: ", str(base["description"]))))
        rows = []
        for d in res.designs:
            rows.append([_t(_b(d)), _t(_design_changes(res, d))])
        blocks.append(Table(["design", "changes from the base scenario"], rows, "Designs compared"))
    else:
        sc = res.scenarios[res.baseline]
        text = _t(
            "This run simulates the scenario ",
            _b(res.name),
            f" with {res.replications} replication{'s' if res.replications != 1 else ''} "
            f"(seed {res.manifest.get('seed')}).",
        )
        blocks.append(Paragraph(text))
        if sc.get("description"):
            blocks.append(Paragraph(_t("Scenario description: ", str(sc["description"]))))
    return blocks


def _join(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for i, item in enumerate(items):
        if i:
            out.append(("", ", " if i < len(items) - 1 else " and "))
        out.append(item)
    return out


def _design_changes(res: Results, design: str) -> str:
    spec = (res.sweep.get("designs") or {}).get(design) or {}
    parts = []
    for path, value in (spec.get("set") or {}).items():
        parts.append(f"sets {path} = {_plain(value)}")
    for section, items in (spec.get("add") or {}).items():
        for item in items or ():
            what = {"sites": "site", "areas": "area", "errands": "errand"}.get(section, section)
            if section == "sites":
                what = "mobile unit" if item.get("kind") == "mobile" else "office"
            detail = [str(item.get("name"))] if item.get("name") else []
            if item.get("counters") is not None:
                detail.append(f"{item['counters']} counters")
            parts.append(
                f"adds {what} {item.get('id')}" + (f" ({', '.join(detail)})" if detail else "")
            )
    for section, ids in (spec.get("remove") or {}).items():
        for ident in ids or ():
            parts.append(f"removes {section.rstrip('s')} {ident}")
    return "; ".join(parts) if parts else "none (the base scenario)"


def _comparison_table(res: Results) -> Table:
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


def _sweep_kpi_table(res: Results) -> Table:
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
    conf = _level_text(float(res.manifest.get("level") or 0.95))
    first = 2 if res.multi_level else 1
    return Table(
        header,
        rows,
        f"Mean over {res.replications} replications ({conf} confidence interval)",
        set(range(first, len(header))),
    )


def _cell(kpi: str, r: pd.Series) -> str:
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


def _run_kpi_table(res: Results) -> Table:
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
        f"Mean over {res.replications} replications (95% confidence interval)",
        set(range(2, len(header))),
    )


def _parameter_blocks(res: Results) -> list[Block]:
    base = res.scenarios[res.baseline]
    blocks: list[Block] = []
    where = (
        f"The parameters of the baseline design {res.baseline}"
        + (f" at {res.level}" if res.multi_level else "")
        + "; other designs differ as listed under the question."
        if res.kind == "sweep"
        else "The scenario's parameters with defaults filled in."
    )
    blocks.append(
        Paragraph(
            _t(
                where + " Sources and assumptions are documented in the scenario files; "
                "the scenario's description is quoted above."
            )
        )
    )
    cal = base["calendar"]
    blocks.append(
        Table(
            ["parameter", "value"],
            [
                [_t("start date"), _t(_plain(cal.get("start")))],
                [_t("simulated days"), _t(_plain(cal.get("days")))],
                [_t("warm-up days (not counted)"), _t(_plain(cal.get("warmup_days")))],
                [_t("scenario seed"), _t(_plain(base.get("seed")))],
            ],
            "Calendar",
        )
    )
    blocks.append(
        Table(
            ["errand", "name", "share", "service time (min)"],
            [
                [
                    _t(_code(str(e["id"]))),
                    _t(_plain(e.get("name"))),
                    _t(_pct(float(e["share"]))),
                    _t(_distribution(e.get("service_minutes"))),
                ]
                for e in base["errands"]
            ],
            "Errands",
        )
    )
    profile = base.get("demand_profile")
    blocks.append(Paragraph(_t("Demand profile over the week: ", _profile(profile))))
    area_rows = []
    for a in base["areas"]:
        demand = a.get("demand") or {}
        rate = ", ".join(
            f"{k.replace('_', ' ')} {_plain(v)}" for k, v in demand.items() if v is not None
        )
        area_rows.append(
            [
                _t(_code(str(a["id"]))),
                _t(label(a)),
                _t(f"{int(a['population']):,}"),
                _t("yes" if a.get("vulnerable") else "no"),
                _t(f"{float(a['location']['lat']):.4f}, {float(a['location']['lon']):.4f}"),
                _t(rate),
            ]
        )
    blocks.append(
        Table(
            ["area", "name", "population", "vulnerable", "lat, lon", "demand"],
            area_rows,
            "Areas",
            {2},
        )
    )
    blocks.append(_sites_table(res))
    travel = base.get("travel") or {}
    blocks.append(
        Table(
            ["parameter", "value"],
            [[_t(k.replace("_", " ")), _t(_plain(v))] for k, v in travel.items()],
            "Travel",
        )
    )
    behaviour = base.get("behaviour") or {}
    rows = []
    for k, v in behaviour.items():
        value = _distribution(v) if k == "patience_minutes" else _plain(v)
        rows.append([_t(k.replace("_", " ")), _t(value)])
    blocks.append(Table(["parameter", "value"], rows, "Behaviour"))
    return blocks


def _profile(profile: Any) -> str:
    if profile in (None, "flat"):
        return "flat (the same every hour)"
    parts = []
    if isinstance(profile, Mapping):
        if profile.get("weekday"):
            parts.append(
                "weekday weights "
                + ", ".join(f"{k} {_plain(v)}" for k, v in profile["weekday"].items())
            )
        if profile.get("hour"):
            parts.append(
                "hour weights "
                + ", ".join(f"{k}:00 {_plain(v)}" for k, v in profile["hour"].items())
            )
    return "; ".join(parts) or "flat"


def _sites_table(res: Results) -> Table:
    seen: list[tuple[str, dict[str, Any], list[str]]] = []
    for d in res.designs:
        for site in res.scenarios[d].get("sites") or ():
            for ident, known, ds in seen:
                if ident == site["id"] and known == site:
                    ds.append(d)
                    break
            else:
                seen.append((site["id"], site, [d]))
    rows = []
    for _, site, ds in seen:
        if site.get("kind") == "mobile":
            stops = []
            for stop in site["schedule"]:
                place = stop.get("area") or f"{stop['location']['lat']}, {stop['location']['lon']}"
                days = _plain(stop.get("days") or stop.get("dates"))
                every = (
                    f" every {stop['every_weeks']} weeks"
                    if int(stop.get("every_weeks") or 1) > 1
                    else ""
                )
                stops.append(f"{place}: {days}{every} {_plain(stop['hours'])}")
            hours = "; ".join(stops) + f" (setup {_plain(site.get('setup_minutes'))} min)"
            where = "at its stops"
        else:
            hours = _plain(site.get("opening_hours"))
            where = f"{float(site['location']['lat']):.4f}, {float(site['location']['lon']):.4f}"
        errands = _plain(site.get("errands")) if site.get("errands") else "all"
        row = [
            _t(_code(str(site["id"]))),
            _t(label(site)),
            _t(str(site.get("kind"))),
            _t(str(site.get("counters"))),
            _t(where),
            _t(hours),
            _t(errands),
        ]
        if res.kind == "sweep":
            row.append(_t(", ".join(ds) if len(ds) < len(res.designs) else "all"))
        rows.append(row)
    header = ["site", "name", "kind", "counters", "lat, lon", "hours / stops", "errands"]
    if res.kind == "sweep":
        header.append("designs")
    return Table(header, rows, "Sites", {3})


PROVENANCE_KEYS: tuple[tuple[str, str], ...] = (
    ("package", "package"),
    ("version", "version"),
    ("git_commit", "git commit"),
    ("python", "Python"),
    ("kind", "kind"),
    ("sweep", "sweep"),
    ("scenario", "scenario"),
    ("source", "sweep file"),
    ("seed", "root seed"),
    ("replications", "replications"),
    ("runs", "runs"),
    ("failed", "failed runs"),
    ("executor", "executor"),
    ("workers", "workers"),
    ("level", "confidence level"),
    ("correction", "correction"),
    ("wall_seconds", "wall time (s)"),
    ("command", "command"),
)
DATE_KEYS: tuple[str, ...] = ("date", "created", "finished", "started", "timestamp")


def _provenance(res: Results) -> Table:
    m = res.manifest
    rows = []
    date = next((m[k] for k in DATE_KEYS if m.get(k)), None)
    rows.append([_t("date"), _t(str(date) if date else "not recorded in the manifest")])
    for key, name in PROVENANCE_KEYS:
        if key not in m or m[key] is None:
            continue
        value = (
            " ".join(str(x) for x in m[key])
            if key == "command" and isinstance(m[key], list)
            else _plain(m[key])
        )
        rows.append([_t(name), _t(_code(value)) if key in ("git_commit", "command") else _t(value)])
    return Table(["field", "value"], rows, "From manifest.json")


def report_document(res: Results, figures: Sequence[FigureSpec]) -> Document:
    """The report of a run or sweep as a document (rendered to Markdown and HTML alike).

    Parameters
    ----------
    res
        The result folder's tables.
    figures
        The figures drawn, in report order (numbered from 1).

    Returns
    -------
    Document
        Title ``Simulation report: <name>`` and the report's blocks.
    """
    kind = "sweep" if res.kind == "sweep" else "run"
    title = f"Simulation report: {res.name}"
    blocks: list[Block] = []
    if kind == "sweep":
        levels = f" × {len(res.levels)} factor levels" if res.multi_level else ""
        sub = f"Sweep of {len(res.designs)} designs{levels} × {res.replications} replications"
    else:
        sub = f"Run of one scenario × {res.replications} replications"
    blocks.append(Paragraph(_t(_b(sub))))
    blocks.append(Heading("Question and designs"))
    blocks.extend(_question(res))
    blocks.append(Heading("Key findings"))
    findings = sweep_findings(res) if kind == "sweep" else run_findings(res)
    blocks.append(BulletList(findings))
    blocks.append(Heading("Figures"))
    for i, spec in enumerate(figures, start=1):
        blocks.append(FigureBlock(spec.name, i, spec.title, spec.caption))
    blocks.append(Heading("Tables"))
    if kind == "sweep":
        if not res.comparison.empty:
            blocks.append(Heading("Comparison with the baseline", 3))
            blocks.append(_comparison_table(res))
        blocks.append(Heading("KPIs by design", 3))
        blocks.append(_sweep_kpi_table(res))
    else:
        blocks.append(Heading("KPIs by scope", 3))
        blocks.append(_run_kpi_table(res))
    blocks.append(Heading("Scenario parameters"))
    blocks.extend(_parameter_blocks(res))
    blocks.append(Heading("Provenance"))
    blocks.append(_provenance(res))
    return Document(title, blocks)


# ----------------------------------------------------------------------------- writing


def _write_text(path: Path, text: str) -> None:
    write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


def build_report(folder: str | Path) -> Path:
    """Write the figures, ``report.md`` and ``report.html`` of a run or sweep folder.

    Parameters
    ----------
    folder
        A result folder written by ``servicesim run`` or ``servicesim sweep`` (told apart by
        ``manifest.json``'s ``kind``).

    Returns
    -------
    pathlib.Path
        The HTML report (``folder/report.html``); ``folder/report.md`` and
        ``folder/figures/`` are written next to it.

    Raises
    ------
    simulation.results.errors.TargetError
        If the folder is not a complete run or sweep folder (see :func:`load_results`), or
        another command holds it.
    """
    folder = Path(folder)
    read_manifest(folder)  # a missing or foreign folder is refused before any lock file is made
    with hold_folder(folder, refuse_unsafe=False):
        return _build_report(folder)


def _build_report(folder: Path) -> Path:
    res = load_results(folder)
    figures_dir = folder / "figures"
    specs = []
    for spec in figure_specs(res):
        try:
            fig = spec.draw()
        except ValueError as exc:  # e.g. nothing to show for this folder
            log.warning("figure %s left out: %s", spec.name, exc)
            continue
        save_figure(fig, figures_dir, spec.name)
        specs.append(spec)
    made = {s.name for s in specs}
    for stale in FIGURE_NAMES:
        if stale not in made:
            for ext in ("png", "svg"):
                (figures_dir / f"{stale}.{ext}").unlink(missing_ok=True)
    document = report_document(res, specs)
    _write_text(folder / "report.md", render_markdown(document))
    out = folder / "report.html"
    _write_text(out, render_html(document, figures_dir))
    log.info("report written to %s", out)
    return out
