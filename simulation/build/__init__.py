"""Scenarios from a planner's own tables: ``servicesim build SPEC.yaml``.

A build spec (YAML) holds the scenario's behaviour, errands, demand profile and calendar as
any scenario does, and under ``build`` the tables its areas and sites come from: an areas table
(CSV or Parquet, or polygons — GeoPackage, GeoJSON, Shapefile, GeoParquet — with the optional
``geo`` extra), a sites table and an optional stops table for mobile units. The format, the
columns and the rules are in ``docs/build.md``::

    import simulation
    scenario = simulation.build_scenario("configs/examples/build/linkoping.build.yaml")
    simulation.build.write_scenario(scenario, "linkoping.yaml")

Errors name the file, the row and the column: ``areas.csv: row 3 (line 4), column
population: expected a whole number (got 'many')``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml

from simulation.build.assemble import build_scenario
from simulation.scenario.schema import Scenario

__all__ = ["build_scenario", "scenario_yaml", "write_scenario"]


def scenario_yaml(scenario: Scenario, spec: str | None = None) -> str:
    """The scenario as YAML text, every default filled in (as ``servicesim validate`` prints it).

    Parameters
    ----------
    scenario
        The scenario.
    spec
        The build spec it came from, named in a first comment line.
    """
    head = f"# built by servicesim build from {spec}\n" if spec else ""
    return head + yaml.safe_dump(scenario.to_dict(), sort_keys=False, allow_unicode=True)


def write_scenario(
    scenario: Scenario, path: str | os.PathLike[str], spec: str | None = None
) -> Path:
    """Write the scenario's YAML to ``path`` in one atomic step (a temporary file, then a rename).

    Returns
    -------
    Path
        The file written.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(scenario_yaml(scenario, spec))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
