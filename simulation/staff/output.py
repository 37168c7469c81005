"""The result folder of ``servicesim staff`` and the paste-ready staffing file.

The folder (default ``results/<name>-staff/``) holds ``staffing.yaml`` (the blocks to paste),
``staffing.csv`` (one row per period), ``staff_hours.csv``, ``steps.csv`` (every evaluation of
the search), ``summary.json``, ``report.md``, ``report.html``, ``figures/`` and
``manifest.json``; it is written in a staging folder and renamed into place, so a folder under
its final name is always complete.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from simulation.results.files import (
    folder_checksums,
    provenance,
    staged_folder,
    write_json,
    writing,
)
from simulation.staff.report import write_report

if TYPE_CHECKING:
    from simulation.staff import StaffResult


def staffing_yaml(result: StaffResult) -> str:
    """The text of ``staffing.yaml``: per staffed site its ``staffing`` block, or for a mobile
    unit its ``schedule`` with each stop's ``counters``, ready to paste over the site's keys."""
    lines = [
        f"# Proposed by `servicesim staff` for scenario {result.scenario.name}: targets "
        + ", ".join(t.text for t in result.targets)
        + f" per {result.granularity}-minute period.",
        "# Paste each site's key over the same key of that site in the scenario "
        "(an office's `staffing`, a unit's `schedule`).",
        "# Every period meets its targets on fresh replications: "
        + ("yes." if result.search.verified else "NO (see staffing.csv)."),
        "sites:",
    ]
    for block in result.blocks:
        lines.append(f"  - id: {block['id']}")
        if "staffing" in block:
            lines.append("    staffing:")
            staffing = block["staffing"]
            assert isinstance(staffing, dict)
            for key, windows in staffing.items():
                lines.append(f"      {key}: {json.dumps(windows)}")
        else:
            lines.append("    schedule:")
            schedule = block["schedule"]
            assert isinstance(schedule, list)
            for stop in schedule:
                lines.append(f"      - {json.dumps(stop, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def summary(result: StaffResult) -> dict[str, Any]:
    """The figures of ``summary.json``."""
    return {
        "scenario": result.scenario.name,
        "targets": [t.text for t in result.targets],
        "granularity_minutes": result.granularity,
        "confidence": result.confidence,
        "seed": result.seed,
        "replications": result.replications,
        "verify_replications": result.verify_replications,
        "converged": result.search.converged,
        "verified": result.search.verified,
        "runs": result.runs,
        "staff_hours": result.staff_hours.to_dict(orient="records"),
        "blocks": result.blocks,
    }


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False)


def write_outputs(result: StaffResult, workers: int) -> None:
    """Write the result folder (atomically: a staging folder renamed into place)."""
    folder = Path(result.folder)
    steps = pd.DataFrame(
        result.search.steps, columns=["phase", "iteration", "counter_hours", "periods_missing"]
    )
    tables = {
        "staffing.csv": result.periods,
        "staff_hours.csv": result.staff_hours,
        "steps.csv": steps,
    }
    writers: dict[str, Callable[[Path], object]] = {}
    text = staffing_yaml(result)
    writers["staffing.yaml"] = lambda p: p.write_text(text, encoding="utf-8")
    for name, frame in tables.items():
        writers[name] = partial(_write_csv, frame)
    writers["summary.json"] = lambda p: write_json(p, summary(result))
    with staged_folder(folder) as stage:
        for name, write in writers.items():
            with writing(folder / name):
                write(stage / name)
        markdown, html, figures = write_report(result, stage)
        (stage / "report.md").write_text(markdown, encoding="utf-8")
        (stage / "report.html").write_text(html, encoding="utf-8")
        names = [*writers, "report.md", "report.html", *figures]
        manifest = provenance(
            kind="staff",
            name=result.scenario.name,
            source=result.source,
            seed=result.seed,
            replications=result.replications,
            verify_replications=result.verify_replications,
            targets=[t.text for t in result.targets],
            granularity=result.granularity,
            confidence=result.confidence,
            verified=result.search.verified,
            converged=result.search.converged,
            runs=result.runs,
            workers=workers,
            wall_seconds=round(result.wall_seconds, 3),
            checksums=folder_checksums(stage, names, {n: len(f) for n, f in tables.items()}),
        )
        with writing(folder / "manifest.json"):
            write_json(stage / "manifest.json", manifest)


def terminal_lines(result: StaffResult) -> list[str]:
    """What ``servicesim staff`` prints: settings, staff hours per site, the verdict, the block."""
    s = result.search
    lines = [
        f"staff {result.scenario.name}: {', '.join(t.text for t in result.targets)} per "
        f"{result.granularity}-minute period at {result.confidence:.0%} confidence; "
        f"{result.replications} replication(s), checked on {result.verify_replications} fresh; "
        f"{result.runs} run(s)",
    ]
    for row in result.staff_hours.itertuples(index=False):
        lines.append(
            f"site {row.site}: {row.staff_hours_today:g} -> {row.staff_hours_proposed:g} staff "
            f"hours per week; periods met {row.periods_met_today}/{row.periods} today, "
            f"{row.periods_met}/{row.periods} proposed (fresh replications)"
        )
    lines.append(
        "every period meets its targets on fresh replications: "
        + ("yes" if s.verified else "no")
        + ("" if s.converged else " (the raise iteration did not converge)")
    )
    lines.append(f"proposed staffing ({result.folder}/staffing.yaml):")
    lines.extend(line for line in staffing_yaml(result).splitlines() if not line.startswith("#"))
    lines.append(f"results written to {result.folder}/ (report: {result.folder}/report.html)")
    return lines
