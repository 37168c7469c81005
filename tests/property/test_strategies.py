"""The scenario strategy (``tests/strategies.py``) draws only valid scenarios."""

from __future__ import annotations

from hypothesis import given

from simulation.scenario.loading import load_scenario
from tests.property.hypothesis_settings import PROPERTY
from tests.strategies import scenarios


@PROPERTY
@given(scenarios())
def test_strategy_draws_valid_scenarios(doc):
    scenario = load_scenario(doc)
    assert 1 <= len(scenario.areas) <= 4 and len(scenario.sites) >= 1
