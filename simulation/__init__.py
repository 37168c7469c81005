"""servicesim: a discrete-event simulation of walk-in public service offices and mobile units.

The Python API::

    import simulation
    scenario = simulation.load_scenario("configs/examples/two-areas.yaml")
    result = simulation.run(scenario, replications=10, seed=1)
    result.visits        # one row per need
    result.site_hours    # time-weighted queue and counter use per site and hour
    result.summary       # KPI means and confidence intervals
"""

from simulation.errors import ScenarioError
from simulation.experiment import RunResult, run
from simulation.loading import load_scenario
from simulation.schema import Scenario

__all__ = ["RunResult", "Scenario", "ScenarioError", "load_scenario", "run"]
