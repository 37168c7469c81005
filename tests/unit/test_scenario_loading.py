"""Loading valid scenarios: the contract files, round trips through the resolved form,
immutability and the scenario's name.
"""

from __future__ import annotations

import copy

import pytest
import yaml

from simulation.scenario.loading import load_scenario
from simulation.scenario.names import slug
from simulation.scenario.schema import Scenario
from tests.unit.loading_support import THEORY, TWO_AREAS, base, error_of, write


@pytest.mark.parametrize("path", [TWO_AREAS, THEORY], ids=lambda p: p.name)
def test_contract_files_validate(path):
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert scenario.name == path.stem


def test_two_areas_content():
    s = load_scenario(TWO_AREAS)
    assert [a.id for a in s.areas] == ["skaggetorp", "linkoping-rest"]
    assert s.sites[0].counters == 4
    assert s.behaviour.balk_queue_length == 25
    assert s.behaviour.patience_minutes.median == 30


def test_theory_none_words_mean_unset():
    s = load_scenario(THEORY)
    assert s.behaviour.patience_minutes is None
    assert s.behaviour.balk_queue_length is None
    assert s.sites[0].opening_hours == "always"


@pytest.mark.parametrize("path", [TWO_AREAS, THEORY], ids=lambda p: p.name)
def test_round_trip(path):
    scenario = load_scenario(path)
    resolved = scenario.to_dict()
    assert load_scenario(resolved) == scenario
    # through YAML text as written to scenario.yaml
    assert load_scenario(yaml.safe_load(yaml.safe_dump(resolved))) == scenario
    # the resolved form is a fixed point
    assert load_scenario(resolved).to_dict() == resolved


def test_load_dict_does_not_mutate_it():
    doc = base()
    doc["travel"]["matrix"] = None
    snapshot = copy.deepcopy(doc)
    load_scenario(doc)
    assert doc == snapshot


def test_load_returns_scenario_unchanged():
    scenario = load_scenario(TWO_AREAS)
    assert load_scenario(scenario) is scenario


def test_scenario_is_frozen():
    scenario = load_scenario(TWO_AREAS)
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error
        scenario.seed = 3  # type: ignore[misc]


def test_name_defaults_to_file_stem(tmp_path):
    doc = base()
    del doc["name"]
    assert load_scenario(write(tmp_path, doc, "two-areas.v2.yaml")).name == "two-areas.v2"
    # a stem that is not a safe name becomes its slug (names.slug): cleaned, with a hash
    scenario = load_scenario(write(tmp_path, doc, "my scenario!.yaml"))
    assert scenario.name == slug("my scenario!") and scenario.name.startswith("my-scenario-")


def test_dict_without_name_is_an_error():
    doc = base()
    del doc["name"]
    err = error_of(doc)
    assert err.path == ("name",)
    assert err.source is None
    assert str(err) == "<scenario>: name: required key is missing"
