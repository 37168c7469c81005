"""What ``servicesim staff`` staffs: a scenario, or one design of a sweep file, and its sites."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulation.scenario.documents import file_kind
from simulation.scenario.errors import ScenarioError
from simulation.scenario.loading import load_scenario
from simulation.scenario.schema import Scenario
from simulation.scenario.yaml_io import read_yaml


def load_source(
    source: str | os.PathLike[str] | Scenario | dict[str, Any], design: str | None = None
) -> tuple[Scenario, int | None]:
    """The scenario to staff, and the sweep's seed when ``source`` is a sweep file.

    A sweep file needs ``design`` (the design whose changes apply); a sweep with factors is
    refused (staff one scenario at a time). ``design`` with a scenario is an error.

    Raises
    ------
    ScenarioError
        For an invalid file, a missing or unknown design, or a sweep with factors.
    """
    if isinstance(source, Scenario | dict):
        if design is not None:
            raise ScenarioError("needs a sweep file", ("--design",), design, "servicesim staff")
        return load_scenario(source), None
    path = Path(source)
    document = read_yaml(path)
    if file_kind(document) != "sweep":
        if design is not None:
            raise ScenarioError(
                "needs a sweep file; this is a scenario", ("--design",), design, str(path)
            )
        return load_scenario(path), None
    from simulation.scenario.sweep_spec import load_sweep

    sweep = load_sweep(path)
    chosen = design or sweep.spec.baseline_design
    if chosen not in sweep.spec.designs:
        raise ScenarioError(
            f"not one of the designs ({', '.join(sweep.spec.designs)})",
            ("--design",),
            chosen,
            str(path),
        )
    if sweep.spec.factors:
        raise ScenarioError(
            "staff takes one scenario: a sweep with factors has several per design",
            ("factors",),
            list(sweep.spec.factors),
            str(path),
        )
    scenario = next(c[3] for c in sweep.cells if c[0] == chosen)
    return scenario, sweep.seed


def site_indices(scenario: Scenario, sites: Sequence[str] | None, source: str) -> tuple[int, ...]:
    ids = [s.id for s in scenario.sites]
    if not ids:
        raise ScenarioError("the scenario has no sites to staff", ("sites",), [], source)
    if not sites:
        return tuple(range(len(ids)))
    out = []
    for s in sites:
        if s not in ids:
            raise ScenarioError(
                f"not a site of the scenario ({', '.join(ids)})", ("--site",), s, source
            )
        out.append(ids.index(s))
    return tuple(out)
