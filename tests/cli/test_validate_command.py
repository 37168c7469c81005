"""``servicesim validate``: prints the resolved scenario of a valid file."""

from __future__ import annotations

import yaml

from simulation.cli.main import main
from simulation.scenario.loading import load_scenario
from tests.conftest import EXAMPLES

TWO_AREAS = EXAMPLES / "two-areas.yaml"


def test_validate_prints_resolved_scenario(capsys):
    assert main(["validate", str(TWO_AREAS)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().splitlines()[-1] == f"# {TWO_AREAS}: valid"
    printed = yaml.safe_load(out)
    scenario = load_scenario(TWO_AREAS)
    assert printed == scenario.to_dict()
    # defaults are filled in
    assert printed["sites"][0]["queue_capacity"] is None
    assert printed["travel"]["speed_kmh"] == 20
    assert printed["behaviour"]["patience_minutes"]["median"] == 30
    assert load_scenario(printed) == scenario
