"""Figures of result tables: one consistent style, colour-blind-safe, reproducible files.

Every figure function is a pure function of result tables (pandas DataFrames) and resolved
scenario dicts and returns a :class:`matplotlib.figure.Figure`; :func:`save_figure` writes
it as PNG (200 dpi) and SVG with byte-identical output for identical input.

=====================================  =====================================================
:func:`design_maps`, :func:`scenario_map`  areas, offices, mobile stops and routes
:func:`wait_ecdf`                      waiting-time distribution per design (or group)
:func:`unserved_bars`                  unserved demand by area and reason, per design
:func:`forest_plot`                    paired differences from the baseline with intervals
:func:`site_heatmaps`                  queue and counter use by weekday × hour, per site
:func:`schedule_timeline`              mobile units' weekly stop windows
:func:`cost_benefit`                   staffed hours against a benefit KPI, per design
:func:`return_visits_figure`           return visits: unserved first/last, attempts, load
=====================================  =====================================================
"""

from simulation.report.plots.comparison import forest_plot
from simulation.report.plots.costs import cost_benefit
from simulation.report.plots.heatmaps import site_heatmaps, week_grid
from simulation.report.plots.maps import design_maps, scenario_map
from simulation.report.plots.returns import return_visits_figure
from simulation.report.plots.schedules import schedule_timeline
from simulation.report.plots.style import kpi_label, save_figure, style
from simulation.report.plots.unserved import unserved_bars
from simulation.report.plots.waits import wait_ecdf

__all__ = [
    "cost_benefit",
    "design_maps",
    "forest_plot",
    "kpi_label",
    "return_visits_figure",
    "save_figure",
    "scenario_map",
    "schedule_timeline",
    "site_heatmaps",
    "style",
    "unserved_bars",
    "wait_ecdf",
    "week_grid",
]
