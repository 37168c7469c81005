"""The contract example files validate and run from the API."""

from __future__ import annotations

import simulation
from tests.conftest import EXAMPLES


def test_two_areas_runs_and_conserves_needs():
    result = simulation.run(EXAMPLES / "two-areas.yaml", replications=2)
    counts = result.visits.groupby("replication", observed=True)["outcome"].value_counts()
    assert counts.sum() == len(result.visits)
    overall = result.kpi("needs")
    assert overall["mean"] > 0
