"""The ``build`` command: a scenario from a planner's tables (see :mod:`simulation.build`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simulation.scenario.errors import ScenarioError


def cmd_build(args: argparse.Namespace) -> int:
    """``servicesim build``: build, validate and write (or print) a scenario.

    Parameters
    ----------
    args
        The parsed arguments (see :func:`simulation.cli.parser.build_parser`).

    Returns
    -------
    int
        The exit status.
    """
    from simulation.build import build_scenario, scenario_yaml, write_scenario

    spec = Path(args.spec)
    if args.out is not None and args.out.resolve() == spec.resolve():
        raise ScenarioError("--out would overwrite the build spec itself", source=str(spec))
    scenario = build_scenario(spec)
    from simulation.engine.network import warn_unreachable

    warn_unreachable(scenario)
    vulnerable = sum(a.vulnerable for a in scenario.areas)
    offices = sum(s.kind == "office" for s in scenario.sites)
    mobile = len(scenario.sites) - offices
    per_year = sum(a.demand.per_minute(a.population) for a in scenario.areas) * 365 * 1440
    summary = (
        f"built {scenario.name}: {len(scenario.areas)} area(s) ({vulnerable} vulnerable), "
        f"{offices} office(s), {mobile} mobile unit(s); {per_year:,.0f} expected needs a year"
    )
    if args.out is None:
        sys.stdout.write(scenario_yaml(scenario, str(spec)))
        print(f"# {summary}")
    else:
        write_scenario(scenario, args.out, str(spec))
        print(f"{summary}; written to {args.out}")
    return 0
