"""Queue length and counter use by weekday × hour, per site (from the site-hour table)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from simulation.report.plots.style import LIGHT_GREY, literal, new_figure, style, wrap_label
from simulation.report.plots.tables import WEEKDAY_INDEX, Scenario, label, weekday_name

NOISE = 1e-6
"""Hourly means below this are treated as zero (round-off of the exact time integrals)."""

QUEUE_CMAP = "YlGnBu"
USE_CMAP = "cividis"


@dataclass(frozen=True)
class WeekGrid:
    """Weekday × hour means of one site.

    Attributes
    ----------
    weekdays
        Weekday indices shown (rows, 0 = Monday).
    hours
        Clock hours shown (columns).
    queue
        Mean number of people waiting in that hour, averaged over every such weekday after
        the warm-up and every replication.
    use
        Busy counter-hours over open counter-hours in that hour (NaN where closed).
    """

    weekdays: list[int]
    hours: list[int]
    queue: np.ndarray
    use: np.ndarray


def week_grid(
    site_hours: pd.DataFrame,
    scenario: Scenario,
    site: str,
    weekdays: list[int] | None = None,
    hours: list[int] | None = None,
) -> WeekGrid:
    """Average a site's hourly rows onto a weekday × hour grid.

    Parameters
    ----------
    site_hours
        Site-hour table (``replication, site, day, weekday, hour, queue_mean, busy_mean,
        open_counters``); hours absent from it were closed and idle (zero).
    scenario
        Resolved scenario dict (calendar: start, days, warm-up).
    site
        Site id.
    weekdays, hours
        Rows and columns to show (default: those with opening or activity).
    """
    cal = scenario["calendar"]
    warmup = int(cal.get("warmup_days") or 0)
    first = pd.Timestamp(str(cal["start"])).weekday()
    days = np.arange(warmup, int(cal["days"]))
    per_weekday = np.bincount((days + first) % 7, minlength=7).astype(float)
    reps = max(int(site_hours["replication"].nunique()), 1) if len(site_hours) else 1
    rows = site_hours[(site_hours["site"] == site) & (site_hours["day"] >= warmup)]
    wd = rows["weekday"].map(WEEKDAY_INDEX).to_numpy(dtype=int)
    hr = rows["hour"].to_numpy(dtype=int)
    queue_sum = np.zeros((7, 24))
    busy_sum = np.zeros((7, 24))
    open_sum = np.zeros((7, 24))
    q = rows["queue_mean"].to_numpy(dtype=float)
    b = rows["busy_mean"].to_numpy(dtype=float)
    o = rows["open_counters"].to_numpy(dtype=float)
    np.add.at(queue_sum, (wd, hr), np.where(q > NOISE, q, 0.0))
    np.add.at(busy_sum, (wd, hr), np.where(b > NOISE, b, 0.0))
    np.add.at(open_sum, (wd, hr), np.where(o > NOISE, o, 0.0))
    denominator = per_weekday[:, None] * reps
    with np.errstate(divide="ignore", invalid="ignore"):
        queue = np.where(denominator > 0, queue_sum / denominator, 0.0)
        use = np.where(open_sum > 0, busy_sum / open_sum, np.nan)
    active = (open_sum > 0) | (queue > 0.005)
    if weekdays is None:
        weekdays = [d for d in range(7) if active[d].any()] or list(range(5))
    if hours is None:
        cols = np.flatnonzero(active.any(axis=0))
        hours = (
            list(range(int(cols.min()), int(cols.max()) + 1)) if len(cols) else list(range(8, 18))
        )
    return WeekGrid(
        list(weekdays), list(hours), queue[np.ix_(weekdays, hours)], use[np.ix_(weekdays, hours)]
    )


def site_heatmaps(
    site_hours: Mapping[str, pd.DataFrame],
    scenarios: Mapping[str, Scenario],
    title: str | None = None,
) -> Figure:
    """Heat maps of mean queue and counter use by weekday and hour, one row per design × site.

    Parameters
    ----------
    site_hours
        Design → site-hour table (all its kept replications).
    scenarios
        Design → resolved scenario dict.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Two heat maps per design × site (images with gid ``queue`` and ``use``); hours
        in which a site is closed are grey.
    """
    panels: list[tuple[str, str, WeekGrid]] = []
    for design, table in site_hours.items():
        sc = scenarios[design]
        for site in sc.get("sites") or ():
            grid = week_grid(table, sc, site["id"])
            prefix = f"{design}: " if len(site_hours) > 1 else ""
            panels.append((prefix + label(site), site["id"], grid))
    if not panels:
        raise ValueError("no sites to show")
    weekdays = sorted({d for _, _, g in panels for d in g.weekdays})
    hours = sorted({h for _, _, g in panels for h in g.hours})
    hours = list(range(min(hours), max(hours) + 1))
    regrid = []
    for (design, table), sc in ((item, scenarios[item[0]]) for item in site_hours.items()):
        for site in sc.get("sites") or ():
            prefix = f"{design}: " if len(site_hours) > 1 else ""
            regrid.append((prefix + label(site), week_grid(table, sc, site["id"], weekdays, hours)))
    qmax = max(float(np.nanmax(g.queue)) if g.queue.size else 0.0 for _, g in regrid)
    qnorm = Normalize(0.0, max(qmax, 1e-9))
    unorm = Normalize(0.0, 1.0)
    n = len(regrid)
    cell_w, cell_h = 0.36, 0.24
    width = max(2 * (len(hours) * cell_w) + 3.0, 6.0)
    height = n * (len(weekdays) * cell_h + 0.6) + 1.2
    with style():
        fig = new_figure(width, height)
        axes = fig.subplots(n, 2, squeeze=False, sharex=True, sharey=True)
        qmap = colormaps[QUEUE_CMAP].with_extremes(bad=LIGHT_GREY)
        umap = colormaps[USE_CMAP].with_extremes(bad=LIGHT_GREY)
        images = []
        for r, (name, g) in enumerate(regrid):
            closed = np.isnan(g.use) & (g.queue <= 0.005)
            qdata = np.ma.masked_where(closed, g.queue)
            udata = np.ma.masked_invalid(g.use)
            for c, (data, cmap, norm, gid) in enumerate(
                ((qdata, qmap, qnorm, "queue"), (udata, umap, unorm, "use"))
            ):
                ax = axes[r, c]
                ax.set_facecolor(LIGHT_GREY)
                im = ax.imshow(
                    data,
                    cmap=cmap,
                    norm=norm,
                    aspect="auto",
                    interpolation="nearest",
                    extent=(hours[0] - 0.5, hours[-1] + 0.5, len(weekdays) - 0.5, -0.5),
                )
                im.set_gid(gid)
                images.append(im)
                _annotate(ax, data, hours, cmap, norm, percent=c == 1)
                ax.set_yticks(range(len(weekdays)))
                ax.set_yticklabels([weekday_name(d) for d in weekdays])
                ax.set_xticks(hours)
                ax.set_xticklabels([f"{h:02d}" for h in hours])
                ax.tick_params(length=0)
                for spine in ax.spines.values():
                    spine.set_visible(False)
                ax.set_title(literal(name) if c == 0 else "", loc="left", fontsize=8.5)
        for c in range(2):
            axes[-1, c].set_xlabel("hour of day (start of hour)")
        fig.colorbar(
            images[0],
            ax=axes[:, 0].tolist(),
            shrink=0.6 if n > 1 else 0.9,
            pad=0.02,
            label="people waiting (mean)",
        )
        fig.colorbar(
            images[1],
            ax=axes[:, 1].tolist(),
            shrink=0.6 if n > 1 else 0.9,
            pad=0.02,
            label="counter use (%)",
            format=PercentFormatter(1.0),
        )
        fig.suptitle(
            literal(
                wrap_label(title or "Queue and counter use by weekday and hour", int(width * 7))
            )
        )
        fig.supxlabel(
            "left: mean number of people waiting; right: counter use = busy ÷ open counter-hours;\n"
            "grey: closed and nobody waiting",
            fontsize=7.5,
            color="#555555",
        )
    return fig


def _annotate(
    ax: Axes,
    data: np.ma.MaskedArray,
    hours: list[int],
    cmap: Colormap,
    norm: Normalize,
    percent: bool,
) -> None:
    """Write each cell's value into the heat map, white on dark cells."""
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            if np.ma.is_masked(data[i, j]):
                continue
            value = float(data[i, j])
            text = (
                f"{value * 100:.0f}"
                if percent
                else (f"{value:.1f}" if value < 9.95 else f"{value:.0f}")
            )
            r, g, b, _ = cmap(norm(value))
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
            ax.text(
                hours[j],
                i,
                text,
                ha="center",
                va="center",
                fontsize=6,
                color="white" if dark else "black",
            )
