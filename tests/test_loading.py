"""Loading scenarios: every bad input ends in one ScenarioError naming file, path and value."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from simulation.errors import ScenarioError, format_path
from simulation.loading import load_scenario, scenario_from_dict
from simulation.schema import Scenario
from tests.conftest import EXAMPLES

TWO_AREAS = EXAMPLES / "two-areas.yaml"
THEORY = EXAMPLES / "theory-mmc.yaml"


def base() -> dict[str, Any]:
    """A fresh copy of the two-areas contract document."""
    return yaml.safe_load(TWO_AREAS.read_text(encoding="utf-8"))


def write(tmp_path: Path, doc: Any, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def error_of(source: Any) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(source)
    return info.value


def file_error(tmp_path: Path, doc: Any) -> tuple[Path, ScenarioError]:
    path = write(tmp_path, doc)
    err = error_of(path)
    assert err.source == str(path)
    assert str(err).startswith(f"{path}: ")
    return path, err


# -- the contract files -------------------------------------------------------------------------


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
    scenario = load_scenario(write(tmp_path, doc, "my scenario!.yaml"))
    assert scenario.name == "my-scenario"


def test_dict_without_name_is_an_error():
    doc = base()
    del doc["name"]
    err = error_of(doc)
    assert err.path == ("name",)
    assert err.source is None
    assert str(err) == "<scenario>: name: required key is missing"


# -- misspelt keys ------------------------------------------------------------------------------


def test_misspelt_site_key_names_the_typo_and_suggests(tmp_path):
    """`countres` written instead of `counters` (the real typo: the right key is absent)."""
    doc = base()
    site = doc["sites"][0]
    site["countres"] = site.pop("counters")
    path, err = file_error(tmp_path, doc)
    assert err.path == ("sites", 0, "countres")
    assert "sites[0].countres" in str(err)
    assert "did you mean 'counters'?" in str(err)


def test_misspelt_top_level_key_names_the_typo(tmp_path):
    doc = base()
    doc["calender"] = doc.pop("calendar")
    path, err = file_error(tmp_path, doc)
    assert "calender" in str(err)
    assert "did you mean 'calendar'?" in str(err)


def test_extra_key_beside_the_right_one_is_named(tmp_path):
    doc = base()
    doc["sites"][0]["countres"] = 3
    path, err = file_error(tmp_path, doc)
    assert err.path == ("sites", 0, "countres")
    assert str(err) == f"{path}: sites[0].countres: unknown key 'countres'; did you mean 'counters'?"


def test_unknown_key_without_close_match_has_no_hint():
    doc = base()
    doc["behaviour"]["zzzzqqq"] = 1
    err = error_of(doc)
    assert err.path == ("behaviour", "zzzzqqq")
    assert "unknown key 'zzzzqqq'" in err.message
    assert "did you mean" not in err.message


# -- types and ranges ---------------------------------------------------------------------------


def test_wrong_type(tmp_path):
    doc = base()
    doc["sites"][0]["counters"] = "four"
    path, err = file_error(tmp_path, doc)
    assert err.path == ("sites", 0, "counters")
    assert err.value == "four"
    assert str(err).startswith(f"{path}: sites[0].counters: ")
    assert "integer" in err.message
    assert str(err).endswith("(got 'four')")


@pytest.mark.parametrize("text, shown", [("-1", "-1"), (".nan", "nan"), (".inf", "inf"),
                                         ("-.inf", "-inf")])
def test_out_of_range_demand(tmp_path, text, shown):
    source = TWO_AREAS.read_text(encoding="utf-8").replace(
        "demand: {per_1000_per_year: 500}", f"demand: {{per_hour: {text}}}"
    )
    assert f"per_hour: {text}" in source
    path = tmp_path / "bad.yaml"
    path.write_text(source, encoding="utf-8")
    err = error_of(path)
    assert err.source == str(path)
    assert err.path == ("areas", 0, "demand", "per_hour")
    value = float(err.value)
    assert math.isnan(value) if shown == "nan" else value == float(shown)
    assert "areas[0].demand.per_hour" in str(err)
    assert f"(got {shown})" in str(err)
    assert ("finite" in err.message) if shown != "-1" else ("greater than or equal to 0" in err.message)


def test_two_demand_rates():
    doc = base()
    doc["areas"][1]["demand"] = {"per_hour": 1, "per_year": 3}
    err = error_of(doc)
    assert err.path == ("areas", 1, "demand")
    assert "exactly one of per_1000_per_year, per_year or per_hour" in err.message


@pytest.mark.parametrize("counters", [0, -2, 1001, 2.5])
def test_counters_range(counters):
    doc = base()
    doc["sites"][0]["counters"] = counters
    err = error_of(doc)
    assert err.path == ("sites", 0, "counters")
    assert err.value == counters


def test_unknown_distribution():
    doc = base()
    doc["errands"][1]["service_minutes"] = {"dist": "normal", "mean": 3}
    err = error_of(doc)
    assert err.path == ("errands", 1, "service_minutes")
    assert err.value == "normal"
    assert "'exponential'" in err.message


def test_lognormal_with_mean_and_median(tmp_path):
    doc = base()
    doc["errands"][0]["service_minutes"] = {"dist": "lognormal", "mean": 15, "median": 12, "cv": 1}
    path, err = file_error(tmp_path, doc)
    assert err.path == ("errands", 0, "service_minutes")
    assert "exactly one of 'mean' or 'median'" in err.message


def test_patience_lognormal_with_mean_and_median():
    doc = base()
    doc["behaviour"]["patience_minutes"] = {"dist": "lognormal", "mean": 30, "median": 30, "cv": 1}
    err = error_of(doc)
    assert err.path == ("behaviour", "patience_minutes")
    assert "exactly one of 'mean' or 'median'" in err.message


def test_warmup_not_shorter_than_days(tmp_path):
    doc = base()
    doc["calendar"]["warmup_days"] = doc["calendar"]["days"]
    path, err = file_error(tmp_path, doc)
    assert err.path[0] == "calendar"
    assert "must be smaller than calendar.days (28)" in err.message


def test_bad_calendar_date():
    doc = base()
    doc["calendar"]["start"] = "2023-13-01"
    err = error_of(doc)
    assert err.path == ("calendar", "start")
    assert err.value == "2023-13-01"


# -- references between parts ------------------------------------------------------------------


def test_undefined_errand_id(tmp_path):
    doc = base()
    doc["sites"][0]["errands"] = ["skatteverket", "skateverket"]
    path, err = file_error(tmp_path, doc)
    assert err.path == ("sites", 0, "errands", 1)
    assert err.value == "skateverket"
    assert str(err).startswith(f"{path}: sites[0].errands[1]: undefined errand id")
    assert "did you mean 'skatteverket'?" in err.message
    assert str(err).endswith("(got 'skateverket')")


def test_overlapping_opening_windows(tmp_path):
    doc = base()
    doc["sites"][0]["opening_hours"] = {"mon-fri": ["10:00-16:00"],
                                        "thu": ["10:00-12:00", "11:00-18:00"]}
    path, err = file_error(tmp_path, doc)
    assert err.path == ("sites", 0, "opening_hours", "thu")
    assert format_path(err.path) == "sites[0].opening_hours.thu"
    assert "sites[0].opening_hours.thu: opening windows overlap" in str(err)


@pytest.mark.parametrize("window", ["10-16", "10:00-25:00", "16:00-10:00", "ten to four"])
def test_bad_window_text(tmp_path, window):
    doc = base()
    doc["sites"][0]["opening_hours"] = {"mon-fri": [window]}
    path, err = file_error(tmp_path, doc)
    assert err.path == ("sites", 0, "opening_hours", "mon-fri", 0)
    assert err.value == window
    assert "sites[0].opening_hours.mon-fri[0]: " in str(err)


def test_bad_day_key():
    doc = base()
    doc["sites"][0]["opening_hours"] = {"fri-mon": ["10:00-16:00"]}
    err = error_of(doc)
    assert err.path == ("sites", 0, "opening_hours", "fri-mon")


def test_shares_must_sum_to_one(tmp_path):
    doc = base()
    doc["errands"][0]["share"] = 0.5
    path, err = file_error(tmp_path, doc)
    assert err.path == ("errands",)
    assert err.value == pytest.approx(1.1)
    assert "errand shares must sum to 1" in str(err)


@pytest.mark.parametrize("section, index", [("errands", 2), ("areas", 2), ("sites", 1)])
def test_duplicate_ids(section, index):
    doc = base()
    item = copy.deepcopy(doc[section][0])
    if section == "errands":
        item["share"] = 0.0
    doc[section].append(item)
    err = error_of(doc)
    assert err.path == (section, index, "id")
    assert err.value == doc[section][0]["id"]
    assert "duplicate id" in err.message


def test_profile_weekday_and_hour_keys():
    doc = base()
    doc["demand_profile"] = {"weekday": {"monday": 1}}
    assert error_of(doc).path == ("demand_profile", "weekday", "monday")
    doc["demand_profile"] = {"hour": {24: 1}}
    assert error_of(doc).path == ("demand_profile", "hour", 24)
    doc["demand_profile"] = {"hour": {10: 0}}
    assert "positive" in error_of(doc).message


# -- files --------------------------------------------------------------------------------------


def test_invalid_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\ncalendar: {start: 2023-01-02, days: [\n", encoding="utf-8")
    err = error_of(path)
    assert err.source == str(path)
    assert err.path == ()
    assert "invalid YAML at line" in err.message
    assert str(err).startswith(f"{path}: ")


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: sk\xe4ggetorp\n".encode("latin-1"))
    err = error_of(path)
    assert err.source == str(path)
    assert "not UTF-8" in err.message
    assert "offset 8" in err.message


def test_python_tag_is_rejected_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    for text in (f'!!python/object/apply:os.system ["touch {marker}"]\n',
                 f'name: x\nseed: !!python/object/apply:os.system ["touch {marker}"]\n',
                 '!!python/object/apply:os.system ["echo hi"]\n'):
        path = tmp_path / "evil.yaml"
        path.write_text(text, encoding="utf-8")
        err = error_of(path)
        assert err.source == str(path)
        assert "invalid YAML" in err.message
        assert "python/object/apply" in err.message
    assert not marker.exists()


@pytest.mark.parametrize("text, shown", [("- a\n- b\n", "['a', 'b']"), ("hello\n", "'hello'"),
                                         ("", "None"), ("42\n", "42")])
def test_top_level_not_a_mapping(tmp_path, text, shown):
    path = tmp_path / "list.yaml"
    path.write_text(text, encoding="utf-8")
    err = error_of(path)
    assert err.path == ()
    assert str(err) == (f"{path}: (top level): expected a mapping of scenario keys at the top "
                        f"level (got {shown})")


def test_top_level_not_a_mapping_in_memory():
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict([1, 2], None, None)
    assert info.value.source is None
    assert info.value.path == ()
    assert str(info.value).startswith("<scenario>: (top level): expected a mapping")


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    err = error_of(path)
    assert err.source == str(path)
    assert "cannot read file" in err.message


def test_scenario_error_is_value_error_and_formats():
    err = ScenarioError("bad", ("sites", 2, "opening_hours", "thu"), [1, 2], "f.yaml")
    assert isinstance(err, ValueError)
    assert str(err) == "f.yaml: sites[2].opening_hours.thu: bad (got [1, 2])"
    assert str(ScenarioError("bad")) == "<scenario>: (top level): bad"
    long = ScenarioError("bad", ("x",), "y" * 200)
    assert len(str(long)) < 120 and str(long).endswith("...)")
    assert err.with_source("g.yaml").source == "g.yaml"
    assert err.with_prefix(("a",)).path == ("a", "sites", 2, "opening_hours", "thu")
