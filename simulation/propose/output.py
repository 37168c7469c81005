"""The result folder of a propose run, and the proposed scenario and sweep file in it.

The folder (default ``results/<name>-propose/``) holds ``proposed-scenario.yaml``,
``proposed.sweep.yaml``, ``designs.csv``, ``screening.csv``, ``selection.csv``,
``propose.md`` and ``manifest.json``; it is written in a staging folder and renamed into
place, so a folder under its final name is always complete.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from simulation.propose.evaluator import BASELINE, Evaluator
from simulation.propose.report_document import render_report
from simulation.propose.timetable import timetable_changes
from simulation.results.files import (
    folder_checksums,
    provenance,
    staged_folder,
    write_json,
    write_yaml,
    writing,
)
from simulation.scenario.names import slug
from simulation.scenario.overrides import apply_changes
from simulation.scenario.propose_loading import Propose

if TYPE_CHECKING:
    from simulation.propose import ProposeResult
    from simulation.propose.screening import Screening

PROPOSAL = "proposal"
"""Design name of the proposal in ``proposed.sweep.yaml``."""


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False)


def proposed_documents(
    propose: Propose,
    evaluator: Evaluator,
    proposal: str | None,
    references: Sequence[str],
    replications: int,
    folder: Path,
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The proposed scenario and a sweep file comparing baseline, proposal and hand-made designs."""
    scenario = None
    designs: dict[str, Any] = {BASELINE: {}}
    if proposal is not None:
        changes = timetable_changes(propose, evaluator.designs[proposal].timetable)
        scenario = apply_changes(propose.base_document, changes)
        scenario["name"] = slug(f"{propose.scenario.name}-proposed")
        scenario["description"] = (
            f"{propose.scenario.description or propose.scenario.name}, with the mobile "
            f"timetable proposed by servicesim propose ({propose.name})"
        )
        designs[PROPOSAL] = changes
    for d in references:
        if d != BASELINE:
            designs[d] = evaluator.designs[d].changes
    spec = propose.spec
    sweep = {
        "name": slug(f"{propose.name}-proposed"),
        "description": "Baseline, the proposed timetable and the hand-made designs (servicesim propose)",
        "base": os.path.relpath(propose.base_path, Path(folder).resolve()),
        "seed": propose.seed,
        "replications": int(replications),
        "baseline": BASELINE,
        "level": spec.selection.confidence,
        "correction": "bonferroni",
        "kpis": evaluator.kpis,
        "designs": designs,
    }
    return scenario, sweep


def write_outputs(
    propose: Propose, result: ProposeResult, screening: Screening, workers: int
) -> None:
    """Write the result folder (atomically: a staging folder renamed into place)."""
    writers: dict[str, Callable[[Path], object]] = {}
    if result.scenario is not None:
        text = (
            "# Proposed by `servicesim propose` (see propose.md): the base scenario plus the "
            "proposed mobile timetable.\n"
            + yaml.safe_dump(result.scenario, sort_keys=False, allow_unicode=True)
        )
        writers["proposed-scenario.yaml"] = lambda p: p.write_text(text, encoding="utf-8")
    writers["proposed.sweep.yaml"] = lambda p: write_yaml(p, result.sweep)
    rows = {}
    for name, frame in (
        ("designs", result.designs),
        ("screening", result.screening),
        ("selection", result.selection),
    ):
        writers[f"{name}.csv"] = partial(_write_csv, frame)
        rows[f"{name}.csv"] = len(frame)
    report = render_report(propose, result, screening)
    writers["propose.md"] = lambda p: p.write_text(report, encoding="utf-8")
    folder = Path(result.folder)
    with staged_folder(folder) as stage:
        for name, write in writers.items():
            with writing(folder / name):
                write(stage / name)
        spec = propose.spec
        manifest = provenance(
            kind="propose",
            name=result.name,
            source=propose.source,
            base=str(propose.base_path),
            compare_with=str(propose.compare_path) if propose.compare_path else None,
            seed=propose.seed,
            objective=spec.objective.label,
            proposal=result.proposal,
            selected=result.selected,
            confidence=result.confidence,
            indifference=result.indifference,
            solver=result.solver,
            shortlist=list(screening.shortlist),
            designs=len(result.designs),
            runs=result.runs,
            tracks=[
                {
                    "name": t.name,
                    "designs": list(t.designs),
                    "alpha": t.alpha,
                    "selected": t.selected,
                    "replications": t.replications,
                    "truncated": t.truncated,
                }
                for t in result.tracks
            ],
            workers=workers,
            wall_seconds=round(result.wall_seconds, 3),
            spec=spec.model_dump(mode="json"),
            checksums=folder_checksums(stage, writers, rows),
        )
        with writing(folder / "manifest.json"):
            write_json(stage / "manifest.json", manifest)
