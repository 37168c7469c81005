"""servicesim: a discrete-event simulation of walk-in public service offices and mobile units.

The Python API::

    import simulation
    scenario = simulation.load_scenario("configs/examples/two-areas.yaml")
    result = simulation.run(scenario, replications=10, seed=1)
    result.visits        # one row per need
    result.site_hours    # time-weighted queue and counter use per site and hour
    result.summary       # KPI means and confidence intervals

    sweep = simulation.sweep("configs/examples/norrkoping-pilot.sweep.yaml", workers=2)
    sweep.comparison     # paired differences against the baseline, with verdicts

    simulation.report.build_report("results/norrkoping-pilot")   # modules load on first use

Submodules (``simulation.report``, ``simulation.propose``, ``simulation.analysis`` ...) are
imported on first attribute access, so ``import simulation`` stays fast.
"""

import importlib
import importlib.util
from types import ModuleType

from simulation.errors import ScenarioError
from simulation.experiment import RunResult, run
from simulation.loading import load_scenario
from simulation.schema import Scenario
from simulation.sweep import SweepResult
from simulation.sweep import run_sweep as sweep
from simulation.sweep_schema import load_sweep

__all__ = ["RunResult", "Scenario", "ScenarioError", "SweepResult", "load_scenario", "load_sweep",
           "run", "sweep"]


def __getattr__(name: str) -> ModuleType:
    """Import a submodule on first use: ``simulation.report.build_report(...)`` works after
    ``import simulation`` alone."""
    if name.isidentifier() and not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
