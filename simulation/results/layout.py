"""The layout of a result folder: where each file of a run, sweep or propose folder lives.

One owner of the names, so that writers (:mod:`simulation.results.run_folder`,
:mod:`simulation.results.sweep_folder`, :mod:`simulation.results.run_store`), readers
(:mod:`simulation.report`) and the target checks (:mod:`simulation.results.targets`) agree.
"""

from __future__ import annotations

from pathlib import Path

FIGURE_NAMES: tuple[str, ...] = (
    "map",
    "waits",
    "unserved",
    "comparison",
    "costs",
    "queues",
    "schedule",
    "returns",
    "regret",
    "probability_best",
    "flip_map",
    "tornado",
)
"""Every figure a report can hold, in report order (a run has no comparison or costs; only a
scenario with ``behaviour.returns`` has ``returns``);
written as ``figures/<name>.png`` and ``figures/<name>.svg``."""

ROBUST_FIGURE_NAMES: tuple[str, ...] = ("regret", "probability_best", "flip_map", "tornado")
"""The figures of a robust comparison (only sweeps with ``uncertain:`` have them)."""

STORE_TABLES = ("runs", "visits", "site_hours")
"""servicesim's own subfolders of a sweep folder that hold one file per run key."""


def visits_path(folder: Path, key: str, table: str = "visits") -> Path:
    """Where a sweep keeps the visit (or ``site_hours``) table of the run with this key."""
    return folder / table / f"{key}.parquet"


REPORT_FILES: tuple[str, ...] = (
    "report.md",
    "report.html",
    *(f"figures/{name}.{ext}" for name in FIGURE_NAMES for ext in ("png", "svg")),
)
"""The files of a folder's report (figures included), relative to the folder."""
