"""Reports of result folders: findings in plain words, figures, Markdown and HTML.

:func:`build_report` writes ``figures/``, ``report.md`` and ``report.html`` of a run, sweep
or propose folder; :func:`render_figures` only the figures. The folder is read by
:mod:`simulation.results.read`; the findings are in :mod:`simulation.report.findings`, the
figure catalogue in :mod:`simulation.report.figures`, the document's sections in
:mod:`simulation.report.sections`. The figures themselves are pure functions of result tables
in :mod:`simulation.report.plots`.
"""

from simulation.report.build import build_report
from simulation.report.figures import render_figures

__all__ = ["build_report", "render_figures"]
