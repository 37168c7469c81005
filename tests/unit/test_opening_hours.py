"""Opening hours: parsing weekly windows and laying them on the calendar."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from simulation.scenario.errors import ScenarioError
from simulation.scenario.hours import (
    calendar_windows,
    parse_day_key,
    parse_opening_hours,
    parse_window,
)
from simulation.scenario.schema import Calendar

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def h(hhmm: str) -> float:
    hours, minutes = hhmm.split(":")
    return float(int(hours) * 60 + int(minutes))


def test_ranges_then_single_days_override():
    weekly = parse_opening_hours(
        {"mon-fri": ["10:00-16:00"], "thu": ["10:00-12:00", "13:00-18:00"]}
    )
    assert weekly is not None and len(weekly) == 7
    for day in (MON, TUE, WED, FRI):
        assert weekly[day] == ((h("10:00"), h("16:00")),)
    assert weekly[THU] == ((h("10:00"), h("12:00")), (h("13:00"), h("18:00")))
    assert weekly[SAT] == () and weekly[SUN] == ()


def test_single_day_overrides_regardless_of_key_order():
    """The single day wins even when it is written before the range."""
    weekly = parse_opening_hours({"thu": ["08:00-09:00"], "mon-fri": ["10:00-16:00"]})
    assert weekly[THU] == ((h("08:00"), h("09:00")),)
    assert weekly[WED] == ((h("10:00"), h("16:00")),)


def test_always_is_none():
    assert parse_opening_hours("always") is None


def test_lunch_closure_gives_two_windows():
    weekly = parse_opening_hours({"mon-fri": ["13:00-16:00", "10:00-12:00"]})
    # sorted by start, the lunch hour is not open
    assert weekly[MON] == ((600.0, 720.0), (780.0, 960.0))


def test_touching_windows_merge():
    weekly = parse_opening_hours({"tue": ["10:00-12:00", "12:00-14:00", "14:00-15:30"]})
    assert weekly[TUE] == ((600.0, 930.0),)


def test_whole_day_window_and_end_at_24():
    assert parse_window("00:00-24:00") == (0.0, 1440.0)
    assert parse_window(" 9:05 - 17:30 ") == (545.0, 1050.0)


@pytest.mark.parametrize(
    "text",
    [
        "10-16",
        "10:00",
        "10:00-16",
        "1000-1600",
        "10:60-12:00",
        "10:00-24:30",
        "25:00-26:00",
        "12:00-12:00",
        "16:00-10:00",
        "22:00-02:00",
    ],
)
def test_bad_window_text(text):
    with pytest.raises(ValueError):
        parse_window(text)


def test_bad_window_error_has_path_and_value():
    with pytest.raises(ScenarioError) as info:
        parse_opening_hours({"mon-fri": ["10:00-16:00", "noon-late"]})
    assert info.value.path == ("mon-fri", 1)
    assert info.value.value == "noon-late"
    assert "HH:MM-HH:MM" in str(info.value)


def test_overlapping_windows_rejected():
    with pytest.raises(ScenarioError) as info:
        parse_opening_hours({"mon-fri": ["10:00-16:00"], "thu": ["10:00-12:00", "11:30-18:00"]})
    assert info.value.path == ("thu",)
    assert "overlap" in info.value.message


def test_overlapping_day_ranges_rejected():
    with pytest.raises(ScenarioError) as info:
        parse_opening_hours({"mon-wed": ["10:00-12:00"], "wed-fri": ["13:00-15:00"]})
    assert "wed" in info.value.message
    assert info.value.path in (("mon-wed",), ("wed-fri",))


@pytest.mark.parametrize("key", ["fri-mon", "funday", "mon-mon", "mon-", "monday", "mon-fri-sun"])
def test_invalid_day_keys(key):
    with pytest.raises(ScenarioError) as info:
        parse_opening_hours({key: ["10:00-12:00"]})
    assert info.value.path == (key,)
    assert info.value.value == key
    assert "mon..sun" in info.value.message


def test_day_key_ranges_and_case():
    assert parse_day_key("mon-fri") == [0, 1, 2, 3, 4]
    assert parse_day_key("SAT-sun") == [5, 6]
    assert parse_day_key(" wed ") == [2]


def test_days_not_mentioned_are_closed():
    weekly = parse_opening_hours({"wed": ["09:00-10:00"]})
    assert [len(day) for day in weekly] == [0, 0, 1, 0, 0, 0, 0]


# -- calendar ---------------------------------------------------------------------------------


def test_calendar_windows_start_on_wednesday():
    """2023-01-04 is a Wednesday: day 0 takes Wednesday's hours, day 1 Thursday's."""
    start = dt.date(2023, 1, 4)
    assert start.weekday() == WED
    weekly = parse_opening_hours(
        {"wed": ["09:00-10:00"], "thu": ["11:00-12:00"], "mon": ["08:00-09:00"]}
    )
    starts, ends = calendar_windows(weekly, Calendar(start=start, days=7))
    # Wed (day 0), Thu (day 1), Mon (day 5)
    np.testing.assert_array_equal(starts, [540.0, 1440 + 660.0, 5 * 1440 + 480.0])
    np.testing.assert_array_equal(ends, [600.0, 1440 + 720.0, 5 * 1440 + 540.0])


def test_calendar_windows_repeat_weekly_and_clip_to_days():
    weekly = parse_opening_hours({"mon-fri": ["10:00-12:00", "13:00-16:00"]})
    starts, ends = calendar_windows(weekly, Calendar(start=dt.date(2023, 1, 2), days=14))
    assert len(starts) == 2 * 10  # two windows on each of ten weekdays
    assert np.all(np.diff(starts) > 0) and np.all(ends > starts)
    assert np.all(starts[1:] >= ends[:-1])
    weekday = (starts // 1440).astype(int) % 7
    assert set(weekday.tolist()) == {0, 1, 2, 3, 4}
    assert ends.max() <= 14 * 1440


def test_calendar_windows_always():
    starts, ends = calendar_windows(None, Calendar(start=dt.date(2023, 1, 2), days=3))
    assert starts.tolist() == [0.0] and ends.tolist() == [3 * 1440.0]


def test_calendar_windows_join_across_midnight():
    """Mon 22:00-24:00 followed by Tue 00:00-02:00 is one window."""
    weekly = parse_opening_hours({"mon": ["22:00-24:00"], "tue": ["00:00-02:00"]})
    starts, ends = calendar_windows(weekly, Calendar(start=dt.date(2023, 1, 2), days=2))
    assert starts.tolist() == [1320.0]
    assert ends.tolist() == [1440.0 + 120.0]
