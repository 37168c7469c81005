"""Reports of result folders: figures, a Markdown report and a self-contained HTML report.

:func:`build_report` reads a ``servicesim run`` or ``servicesim sweep`` folder (told apart
by ``manifest.json``'s ``kind``, read by :func:`simulation.results.read.load_results`) and
writes

* ``figures/<name>.png`` (200 dpi) and ``figures/<name>.svg``,
* ``report.md`` (figures linked from ``figures/``),
* ``report.html`` (one file: figures embedded as base64 PNG, minimal inline CSS).

The report states the question and the designs, key findings in plain words computed from
the comparison and summary tables, the figures with captions, the comparison and KPI
tables, the scenario's parameters and the provenance recorded in the manifest (see
:func:`simulation.report.sections.report_document`). Nothing depends on the clock or on where
the folder lives, so the same folder always gives the same bytes. Both files are rendered
from one :class:`~simulation.report.document.Document` by the Jinja2 templates of
:mod:`simulation.report.rendering`, which HTML-escape text from user files in the HTML and
Markdown-escape it in the Markdown.
"""

from __future__ import annotations

import logging
from pathlib import Path

from simulation.report.figures import figure_specs
from simulation.report.plots import save_figure
from simulation.report.rendering import render_html, render_markdown
from simulation.report.sections import report_document
from simulation.results.files import write_atomic
from simulation.results.layout import FIGURE_NAMES
from simulation.results.lock import hold_folder
from simulation.results.manifest import read_manifest
from simulation.results.read import load_results

log = logging.getLogger(__name__)


def _write_text(path: Path, text: str) -> None:
    """Write a text file atomically (UTF-8)."""
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
    """Draw the figures (removing stale ones), then write ``report.md`` and ``report.html``."""
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
