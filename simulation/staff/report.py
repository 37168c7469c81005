"""The staffing report: a figure per site (counters beside demand, the target KPI against its
target) and a document rendered through the report's templates (``report.md``, ``report.html``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulation.measures.intervals import level_text
from simulation.report.document import (
    BulletList,
    Document,
    FigureBlock,
    Heading,
    Paragraph,
    code,
    plain_table,
    text,
)
from simulation.report.plots.style import OKABE_ITO, new_figure, save_figure, style
from simulation.report.rendering import render_html, render_markdown
from simulation.scenario.names import slug
from simulation.staff.tables import shown_target, shown_values, statistic_columns

if TYPE_CHECKING:
    from simulation.staff import StaffResult


def figure_name(site: str) -> str:
    """File name (without extension) of a site's figure."""
    return f"staffing-{slug(site)}"


def site_figure(result: StaffResult, k: int, folder: Path) -> str:
    """Draw site ``k``'s figure into ``folder``; return its name.

    Top: counters proposed (steps) and today (dashed) per period, beside the mean arrivals
    per hour (bars, right axis). Below, one panel per target: the estimate with its one-sided
    bound on the fresh replications, against the target line.
    """
    layout, search = result.layout, result.search
    idx = layout.site_periods(k)
    periods = [layout.periods[i] for i in idx]
    x = np.arange(len(idx))
    arrivals = search.final.mean("arrivals")[idx]
    per_hour = np.array(
        [a / max(p.days, 1) / max(p.hours, 1e-9) for a, p in zip(arrivals, periods, strict=True)]
    )
    counts = np.array([search.counts[p.variable] for p in periods])
    today = np.array([p.today for p in periods])
    labels = [
        f"{('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')[p.weekday]} {int(p.start) // 60:02d}"
        for p in periods
    ]
    judgements = search.final.judgements
    with style():
        fig = new_figure(min(16.0, max(6.0, 0.18 * len(idx) + 2.0)), 2.2 + 1.6 * len(judgements))
        axes = fig.subplots(1 + len(judgements), 1, sharex=True)
        top = axes[0]
        bars = top.twinx()
        bars.bar(x, per_hour, color=OKABE_ITO["sky_blue"], alpha=0.5, width=0.8)
        bars.set_ylabel("arrivals per hour")
        top.set_zorder(bars.get_zorder() + 1)
        top.patch.set_visible(False)
        top.step(x, counts, where="mid", color=OKABE_ITO["blue"], label="proposed")
        top.step(x, today, where="mid", color=OKABE_ITO["black"], ls="--", label="today")
        top.set_ylabel("counters")
        top.set_ylim(0, max(counts.max(initial=1), today.max(initial=1)) + 1)
        top.legend(loc="upper right", fontsize="small")
        top.set_title(layout.scenario.sites[k].id)
        for ax, j in zip(axes[1:], judgements, strict=True):
            estimate, bound = shown_values(j)
            name, _ = statistic_columns(j.target)
            e, b = estimate[idx], bound[idx]
            met = search.final.met[idx]
            ax.vlines(x, np.minimum(e, b), np.maximum(e, b), color=OKABE_ITO["blue"])
            ax.plot(x[met], e[met], "o", color=OKABE_ITO["blue"], ms=3, label="met")
            ax.plot(x[~met], e[~met], "x", color=OKABE_ITO["vermillion"], ms=5, label="missed")
            ax.axhline(shown_target(j.target), color=OKABE_ITO["vermillion"], ls=":")
            ax.set_ylabel(name)
        step = max(1, len(idx) // 24)
        axes[-1].set_xticks(x[::step], labels[::step], rotation=90, fontsize="x-small")
        name = figure_name(layout.scenario.sites[k].id)
        save_figure(fig, folder, name)
    return name


def document(result: StaffResult, figures: dict[int, str]) -> Document:
    """The report document of a staffing search."""
    search = result.search
    doc = Document(f"Staffing: {result.scenario.name}")
    targets = ", ".join(t.text for t in result.targets)
    doc.blocks.append(Heading("Least staffing that meets the targets"))
    doc.blocks.append(
        Paragraph(
            text(
                f"Targets {targets} in every period of {result.granularity} minutes, each at "
                f"{level_text(result.confidence)} one-sided confidence, judged on the visitors who "
                f"arrived in the period. Search on {result.replications} replication(s) (seed "
                f"{result.seed}, common random numbers), checked on {result.verify_replications} "
                "fresh replication(s). Method: ",
                code("docs/staffing.md"),
                ".",
            )
        )
    )
    doc.blocks.append(
        BulletList(
            [
                text(
                    "every period meets its targets on the fresh replications: "
                    + ("yes" if search.verified else "no")
                ),
                text("the raise iteration converged: " + ("yes" if search.converged else "no")),
                text(f"simulation runs: {result.runs}"),
            ]
        )
    )
    hours = result.staff_hours
    doc.blocks.append(
        plain_table(hours.columns, list(hours.itertuples(index=False)), "Staff hours per week")
    )
    number = 0
    for k, name in figures.items():
        number += 1
        site = result.layout.scenario.sites[k].id
        doc.blocks.append(
            FigureBlock(
                name,
                number,
                f"{site}: counters by period beside demand, and the targets",
                "Top: counters proposed (solid) and today (dashed) by period, mean arrivals per "
                "hour (bars). Below: each target's estimate on the fresh replications with its "
                "one-sided confidence bound, against the target (dotted).",
            )
        )
    table: pd.DataFrame = result.periods
    doc.blocks.append(Heading("Periods", 3))
    doc.blocks.append(plain_table(table.columns, list(table.itertuples(index=False))))
    return doc


def write_report(result: StaffResult, folder: Path) -> tuple[str, str, list[str]]:
    """Figures into ``folder/figures``; return the Markdown, the HTML and the figure files."""
    figures_dir = folder / "figures"
    figures = {k: site_figure(result, k, figures_dir) for k in result.layout.sites}
    doc = document(result, figures)
    files = [f"figures/{n}.{ext}" for n in figures.values() for ext in ("png", "svg")]
    return render_markdown(doc), render_html(doc, figures_dir), files
