"""servicesim: a discrete-event simulation of walk-in public service offices and mobile units.

The Python API::

    import simulation
    scenario = simulation.load_scenario("configs/examples/two-areas.yaml")
    result = simulation.run(scenario, replications=10, seed=1)
    result.visits        # one row per need
    result.site_hours    # time-weighted queue and counter use per site and hour
    result.summary       # KPI means and confidence intervals

    sweep = simulation.run_sweep("configs/examples/norrkoping-pilot.sweep.yaml", workers=2)
    sweep.comparison     # paired differences against the baseline, with verdicts

    simulation.report.build_report("results/norrkoping-pilot")   # modules load on first use

    scenario = simulation.build_scenario("configs/examples/build/linkoping.build.yaml")

``simulation.sweep`` is the same function as ``simulation.run_sweep`` (there is no module of
that name to shadow it: the sweep machinery lives in ``simulation.experiment.sweep`` and
``simulation.results.sweep_folder``).

The package is layered; each layer imports only the layers below it (checked by
import-linter): ``cli`` → ``propose`` | ``staff`` → ``report`` → ``results`` → ``experiment`` →
``measures`` → ``engine`` → ``scenario``. Layers and modules (``simulation.report``,
``simulation.propose``, ``simulation.experiment`` ...) are imported on first attribute
access, so ``import simulation`` stays fast.
"""

import importlib
import importlib.util
from types import ModuleType

from simulation.build.assemble import build_scenario
from simulation.experiment.batches import Executor
from simulation.experiment.run import RunResult, run
from simulation.experiment.sweep import SweepResult
from simulation.results.sweep_folder import run_sweep
from simulation.scenario.errors import ScenarioError
from simulation.scenario.loading import load_scenario
from simulation.scenario.schema import Scenario
from simulation.scenario.sweep_spec import load_sweep

sweep = run_sweep
"""Alias of :func:`run_sweep`."""

__all__ = [
    "Executor",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SweepResult",
    "build_scenario",
    "load_scenario",
    "load_sweep",
    "run",
    "run_sweep",
    "sweep",
]


def __getattr__(name: str) -> ModuleType:
    """Import a submodule on first use: ``simulation.report.build_report(...)`` works after
    ``import simulation`` alone."""
    if (
        name.isidentifier()
        and not name.startswith("_")
        and importlib.util.find_spec(f"{__name__}.{name}") is not None
    ):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
