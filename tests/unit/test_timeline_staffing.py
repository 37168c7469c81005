"""Hand-traced timelines of staffing by time of day: a rise, a fall with busy counters, and
overtime after a staffed close; plus the staffing key end to end and its validation.

The engine is driven directly (``tests/timeline_support.py``); ``staffing`` is the engine's
``(minute, counters)`` at each change. The expected start, end, leave and outcome of every
visitor were worked out by hand (docstrings) and are asserted exactly. The rules are in
``docs/model.md`` ("Staffing by time of day").
"""

from __future__ import annotations

import numpy as np
import pytest

import simulation
from simulation.scenario.errors import ScenarioError
from simulation.scenario.loading import load_scenario
from simulation.scenario.outcomes import CLOSED, SERVED
from tests.conftest import EXAMPLES
from tests.timeline_support import NAN, assert_table, run_engine, tiny_scenario


def test_rise_new_counters_take_waiting_visitors_at_once():
    """Open 0-100; 1 counter until 30, then 3. Service 40.

    At 30 two counters come on duty and take visitors 1 and 2 at once; visitor 3 waits for
    the first counter to free up (at 40).

    ======= ======= ===== === =======
    visitor arrival start end outcome
    ======= ======= ===== === =======
    0       0       0     40  served
    1       5       30    70  served (a new counter, at the rise)
    2       10      30    70  served (the other new counter)
    3       15      40    80  served (counter of visitor 0)
    ======= ======= ===== === =======
    """
    rec = run_engine([0, 5, 10, 15], [40] * 4, windows=((0, 100),), staffing=((0.0, 1), (30.0, 3)))
    assert_table(
        rec,
        [
            (0, 0, 40, NAN, SERVED),
            (1, 30, 70, NAN, SERVED),
            (2, 30, 70, NAN, SERVED),
            (3, 40, 80, NAN, SERVED),
        ],
    )


def test_fall_with_every_counter_busy_finishes_then_goes_off_duty():
    """Open 0-200; 3 counters until 30, then 1.

    At 30 all three are busy: nobody is pre-empted. The counter freeing at 40 goes off duty
    (3 on duty > 1), so does the one freeing at 50; the last one (free at 60) stays on duty
    and serves the queue.

    ======= ======= ======= ===== === =======
    visitor arrival service start end outcome
    ======= ======= ======= ===== === =======
    0       0       50      0     50  served (its counter then goes off duty)
    1       0       40      0     40  served (its counter then goes off duty)
    2       0       60      0     60  served (its counter stays on duty)
    3       10      10      60    70  served (waits through 40 and 50)
    4       20      10      70    80  served
    ======= ======= ======= ===== === =======
    """
    rec = run_engine(
        [0, 0, 0, 10, 20],
        [50, 40, 60, 10, 10],
        windows=((0, 200),),
        staffing=((0.0, 3), (30.0, 1)),
    )
    assert_table(
        rec,
        [
            (0, 0, 50, NAN, SERVED),
            (1, 0, 40, NAN, SERVED),
            (2, 0, 60, NAN, SERVED),
            (3, 60, 70, NAN, SERVED),
            (4, 70, 80, NAN, SERVED),
        ],
    )


def test_fall_takes_idle_counters_off_duty_at_once_and_a_rise_brings_them_back():
    """Open 0-200; 2 counters, 1 from 20, 2 again from 100. Service 30.

    At 20 one counter is busy (visitor 0) and one idle: the idle one goes off duty at once,
    so visitor 1 (arriving 25) waits for the busy one. At 100 the second counter comes back
    and takes visitor 4 at once.

    ======= ======= ===== === =======
    visitor arrival start end outcome
    ======= ======= ===== === =======
    0       10      10    40  served
    1       25      40    70  served (only one counter on duty)
    2       30      70    100 served
    3       95      100   130 served (counter freed at 100)
    4       96      100   130 served (counter back on duty at 100)
    ======= ======= ===== === =======
    """
    rec = run_engine(
        [10, 25, 30, 95, 96],
        [30] * 5,
        windows=((0, 200),),
        staffing=((0.0, 2), (20.0, 1), (100.0, 2)),
    )
    assert_table(
        rec,
        [
            (0, 10, 40, NAN, SERVED),
            (1, 40, 70, NAN, SERVED),
            (2, 70, 100, NAN, SERVED),
            (3, 100, 130, NAN, SERVED),
            (4, 100, 130, NAN, SERVED),
        ],
    )


def test_overtime_after_a_staffed_close_uses_the_counters_staffed_at_closing():
    """Open 0-60, ``serve_queue``; 1 counter until 30, 2 from 30 to closing. Service 30.

    Both counters staffed at closing serve the remaining queue: visitors 3 and 4 are served
    60-90 side by side (60 counter-minutes of overtime), where one counter would have
    served them one after the other until 120.

    ======= ======= ===== === =======
    visitor arrival start end outcome
    ======= ======= ===== === =======
    0       0       0     30  served
    1       10      30    60  served
    2       20      30    60  served (the counter on duty from 30)
    3       40      60    90  served (overtime)
    4       50      60    90  served (overtime, second counter)
    ======= ======= ===== === =======
    """
    rec = run_engine(
        [0, 10, 20, 40, 50], [30] * 5, windows=((0, 60),), staffing=((0.0, 1), (30.0, 2))
    )
    assert_table(
        rec,
        [
            (0, 0, 30, NAN, SERVED),
            (1, 30, 60, NAN, SERVED),
            (2, 30, 60, NAN, SERVED),
            (3, 60, 90, NAN, SERVED),
            (4, 60, 90, NAN, SERVED),
        ],
    )
    overtime = np.clip(rec["end_min"], 60, None) - np.clip(rec["start_min"], 60, None)
    assert overtime.sum() == 60


def test_turn_away_after_a_staffed_close_the_waiting_leave():
    """Open 0-60, ``turn_away``; 2 counters until 30, 1 from 30. Service 40.

    ======= ======= ===== === ===== =======
    visitor arrival start end leave outcome
    ======= ======= ===== === ===== =======
    0       0       0     40  -     served (its counter goes off duty at 40)
    1       0       0     40  -     served (this one stays on duty)
    2       35      40    80  -     served (started before closing)
    3       45      -     -   60    closed
    ======= ======= ===== === ===== =======
    """
    rec = run_engine(
        [0, 0, 35, 45],
        [40] * 4,
        windows=((0, 60),),
        turn_away=True,
        staffing=((0.0, 2), (30.0, 1)),
    )
    assert_table(
        rec,
        [
            (0, 0, 40, NAN, SERVED),
            (1, 0, 40, NAN, SERVED),
            (2, 40, 80, NAN, SERVED),
            (3, NAN, NAN, 60, CLOSED),
        ],
    )


def test_staffing_measures_end_to_end():
    """Mon-Fri 10-12 open; 3 counters 10-11, else 1: staffed hours, site_hours, utilisation."""
    doc = tiny_scenario()
    doc["sites"][0]["staffing"] = {"mon-fri": {"10:00-11:00": 3}}
    result = simulation.run(doc, replications=1, seed=3)
    kpis = result.kpis.set_index(["scope", "id", "kpi"])["value"]
    # (3 + 1) counter-hours a day, 5 days a week
    assert kpis[("site", "s", "staff_hours_per_week")] == pytest.approx(20.0)
    assert kpis[("overall", "all", "staff_hours_per_week")] == pytest.approx(20.0)
    assert kpis[("site", "s", "open_counter_min")] == pytest.approx(10 * 4 * 60.0)
    hours = result.site_hours
    by_hour = hours.groupby("hour")["open_counters"].max()
    assert by_hour[10] == pytest.approx(3.0)
    assert by_hour[11] == pytest.approx(1.0)
    busy = kpis[("site", "s", "busy_counter_min")]
    assert kpis[("site", "s", "utilisation")] <= busy / (10 * 4 * 60.0) + 1e-12


def _error(staffing, opening_hours=None) -> ScenarioError:
    doc = tiny_scenario()
    if opening_hours is not None:
        doc["sites"][0]["opening_hours"] = opening_hours
    doc["sites"][0]["staffing"] = staffing
    with pytest.raises(ScenarioError) as info:
        load_scenario(doc)
    return info.value


def test_staffing_window_outside_opening_hours_is_an_error():
    err = _error(
        {"thu": {"12:00-14:00": 2}},
        {"mon-fri": ["10:00-16:00"], "thu": ["10:00-12:00", "13:00-18:00"]},
    )
    assert err.path == ("sites", 0, "staffing", "thu")
    assert "sites[0].staffing.thu: window 12:00-14:00 lies outside opening hours" in str(err)
    assert "10:00-12:00" in str(err) and "13:00-18:00" in str(err)


def test_staffing_windows_of_one_day_must_not_overlap():
    err = _error({"mon-fri": {"10:00-11:30": 2, "11:00-12:00": 3}})
    assert err.path == ("sites", 0, "staffing", "mon-fri")
    assert "overlap" in str(err)


@pytest.mark.parametrize("count", [0, -1, 1.5, "two"])
def test_staffing_counts_are_integers_of_at_least_one(count):
    err = _error({"mon-fri": {"10:00-11:00": count}})
    assert err.path[:4] == ("sites", 0, "staffing", "mon-fri")


def test_staffing_bad_day_key_and_window():
    assert _error({"mon-fry": {"10:00-11:00": 2}}).path == ("sites", 0, "staffing", "mon-fry")
    err = _error({"mon": {"11:00-10:00": 2}})
    assert err.path == ("sites", 0, "staffing", "mon", "11:00-10:00")


def test_issue_contract_form_validates():
    """The form in issue 14 (office part) validates as written."""
    doc = tiny_scenario()
    doc["sites"][0].update(
        counters=4,
        opening_hours={"mon-fri": ["10:00-16:00"], "thu": ["10:00-12:00", "13:00-18:00"]},
        staffing={
            "mon-fri": {"10:00-12:00": 6, "12:00-16:00": 3},
            "thu": {"10:00-12:00": 5, "13:00-18:00": 3},
        },
    )
    load_scenario(doc)


def test_mobile_stop_counters_end_to_end():
    """A unit with 1 counter staffs its Monday stop with 3: staffed hours and site_hours."""
    doc = tiny_scenario()
    doc["sites"] = [
        {
            "id": "unit",
            "kind": "mobile",
            "counters": 1,
            "schedule": [
                {"area": "a", "days": ["mon"], "hours": ["10:00-12:00"], "counters": 3},
                {"area": "a", "days": ["tue-fri"], "hours": ["10:00-12:00"]},
            ],
        }
    ]
    result = simulation.run(doc, replications=1, seed=3, check_invariants=True)
    kpis = result.kpis.set_index(["scope", "id", "kpi"])["value"]
    # Monday 3 x 2 h, Tuesday to Friday 1 x 2 h: 14 counter-hours a week
    assert kpis[("site", "unit", "staff_hours_per_week")] == pytest.approx(14.0)
    assert kpis[("stop", "unit@a", "staff_hours_per_week")] == pytest.approx(14.0)
    hours = result.site_hours
    monday = hours[(hours["weekday"] == "mon") & (hours["hour"] == 10)]
    tuesday = hours[(hours["weekday"] == "tue") & (hours["hour"] == 10)]
    assert (monday["open_counters"] == 3.0).all()
    assert (tuesday["open_counters"] == 1.0).all()
    assert (result.visits["outcome"] == "served").mean() > 0.5


def test_norrkoping_staffed_example_validates_and_runs():
    """The example follows its demand profile: 9/7/5 counters, Mondays 11/9/7 (222 h a week)."""
    result = simulation.run(EXAMPLES / "norrkoping-staffed.yaml", replications=1)
    kpis = result.kpis.set_index(["scope", "id", "kpi"])["value"]
    assert kpis[("site", "norrkoping-city", "staff_hours_per_week")] == pytest.approx(222.0)
    hours = result.site_hours
    monday = hours[hours["weekday"] == "mon"].groupby("hour")["open_counters"].max()
    tuesday = hours[hours["weekday"] == "tue"].groupby("hour")["open_counters"].max()
    assert [monday[h] for h in range(10, 16)] == [11, 11, 9, 9, 7, 7]
    assert [tuesday[h] for h in range(10, 16)] == [9, 9, 7, 7, 5, 5]
