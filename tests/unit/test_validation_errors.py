"""Validating scenarios: every bad value ends in one ScenarioError naming file, path and
value (misspelt keys, types and ranges, references between parts).
"""

from __future__ import annotations

import copy
import math

import pytest

from simulation.scenario.errors import ScenarioError, format_path
from tests.unit.loading_support import TWO_AREAS, base, error_of, file_error


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
    assert (
        str(err) == f"{path}: sites[0].countres: unknown key 'countres'; did you mean 'counters'?"
    )


def test_unknown_key_without_close_match_has_no_hint():
    doc = base()
    doc["behaviour"]["zzzzqqq"] = 1
    err = error_of(doc)
    assert err.path == ("behaviour", "zzzzqqq")
    assert "unknown key 'zzzzqqq'" in err.message
    assert "did you mean" not in err.message


def test_wrong_type(tmp_path):
    doc = base()
    doc["sites"][0]["counters"] = "four"
    path, err = file_error(tmp_path, doc)
    assert err.path == ("sites", 0, "counters")
    assert err.value == "four"
    assert str(err).startswith(f"{path}: sites[0].counters: ")
    assert "integer" in err.message
    assert str(err).endswith("(got 'four')")


@pytest.mark.parametrize(
    "text, shown", [("-1", "-1"), (".nan", "nan"), (".inf", "inf"), ("-.inf", "-inf")]
)
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
    assert (
        ("finite" in err.message)
        if shown != "-1"
        else ("greater than or equal to 0" in err.message)
    )


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
    doc["sites"][0]["opening_hours"] = {
        "mon-fri": ["10:00-16:00"],
        "thu": ["10:00-12:00", "11:00-18:00"],
    }
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


def test_scenario_error_is_value_error_and_formats():
    err = ScenarioError("bad", ("sites", 2, "opening_hours", "thu"), [1, 2], "f.yaml")
    assert isinstance(err, ValueError)
    assert str(err) == "f.yaml: sites[2].opening_hours.thu: bad (got [1, 2])"
    assert str(ScenarioError("bad")) == "<scenario>: (top level): bad"
    long = ScenarioError("bad", ("x",), "y" * 200)
    assert len(str(long)) < 120 and str(long).endswith("...)")
    assert err.with_source("g.yaml").source == "g.yaml"
    assert err.with_prefix(("a",)).path == ("a", "sites", 2, "opening_hours", "thu")
