"""The report as one document: its sections in order, from the question to the provenance.

:func:`report_document` puts together the question and designs, the key findings
(:mod:`simulation.report.findings`), the figures (:mod:`simulation.report.figures`), the result
tables (:mod:`simulation.report.result_tables`), the scenario's parameters
(:mod:`simulation.report.scenario_tables`) and the provenance from the manifest, as a
:class:`~simulation.report.document.Document` that :mod:`simulation.report.rendering` renders to
Markdown and HTML alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulation.report.document import (
    Block,
    BulletList,
    Document,
    FigureBlock,
    Heading,
    Paragraph,
    Table,
)
from simulation.report.document import bold as _b
from simulation.report.document import code as _code
from simulation.report.document import text as _t
from simulation.report.figures import FigureSpec
from simulation.report.findings import run_findings, sweep_findings
from simulation.report.formatting import plain as _plain
from simulation.report.result_tables import comparison_table, run_kpi_table, sweep_kpi_table
from simulation.report.scenario_tables import parameter_blocks
from simulation.results.read import Results


def _question(res: Results) -> list[Block]:
    """The "Question and designs" section: what was compared or run, and the descriptions."""
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
    """Inline parts joined in words: ``a, b and c``."""
    out: list[tuple[str, str]] = []
    for i, item in enumerate(items):
        if i:
            out.append(("", ", " if i < len(items) - 1 else " and "))
        out.append(item)
    return out


def _design_changes(res: Results, design: str) -> str:
    """What a sweep design sets, adds and removes, in words."""
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
"""Manifest fields shown under "Provenance" (when present), with their names in the report."""
DATE_KEYS: tuple[str, ...] = ("date", "created", "finished", "started", "timestamp")
"""Manifest fields that may hold the folder's date; the first present is shown."""


def _provenance(res: Results) -> Table:
    """The "Provenance" table: the manifest's date and the fields of :data:`PROVENANCE_KEYS`."""
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
    if kind == "sweep" and res.robust is not None:
        from simulation.report.robust_report import robust_blocks

        blocks.append(Heading("Robustness across uncertain assumptions"))
        blocks.extend(robust_blocks(res))
    blocks.append(Heading("Figures"))
    for i, spec in enumerate(figures, start=1):
        blocks.append(FigureBlock(spec.name, i, spec.title, spec.caption))
    blocks.append(Heading("Tables"))
    if kind == "sweep":
        if not res.comparison.empty:
            blocks.append(Heading("Comparison with the baseline", 3))
            blocks.append(comparison_table(res))
        blocks.append(Heading("KPIs by design", 3))
        blocks.append(sweep_kpi_table(res))
    else:
        blocks.append(Heading("KPIs by scope", 3))
        blocks.append(run_kpi_table(res))
    blocks.append(Heading("Scenario parameters"))
    blocks.extend(parameter_blocks(res))
    blocks.append(Heading("Provenance"))
    blocks.append(_provenance(res))
    return Document(title, blocks)
