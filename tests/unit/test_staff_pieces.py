"""The pieces of ``servicesim staff``: targets, periods and attribution, the decision rule,
merging days into keys, and the pasted block validating with the scenario schema."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation.scenario.hours import parse_opening_hours, parse_staffing
from simulation.scenario.loading import load_scenario
from simulation.scenario.outcomes import OUTCOMES
from simulation.staff.blocks import day_windows, merge_days, office_block, staffed_scenario
from simulation.staff.decision import judge, statistic_values
from simulation.staff.periods import attribute, build_layout, period_counts
from simulation.staff.targets import parse_target

LOCATION = {"lat": 58.0, "lon": 16.0}


def office_doc(opening_hours, days=7, warmup_days=0, staffing=None):
    site = {
        "id": "office",
        "kind": "office",
        "location": LOCATION,
        "counters": 2,
        "opening_hours": opening_hours,
    }
    if staffing is not None:
        site["staffing"] = staffing
    return {
        "name": "pieces",
        "calendar": {"start": "2023-01-02", "days": days, "warmup_days": warmup_days},
        "errands": [
            {"id": "e", "share": 1.0, "service_minutes": {"dist": "exponential", "mean": 5}}
        ],
        "areas": [{"id": "a", "population": 1000, "location": LOCATION, "demand": {"per_hour": 1}}],
        "sites": [site],
    }


ISSUE_HOURS = {"mon-fri": ["10:00-16:00"], "thu": ["10:00-12:00", "13:00-18:00"]}


def test_targets_parse_and_refuse():
    t = parse_target("wait_p80<=15")
    assert (t.kpi, t.limit, t.quantile, t.bound, t.statistic) == (
        "wait_p80",
        15,
        0.8,
        0.2,
        "late_share",
    )
    a = parse_target(" abandonment <= 0.05 ")
    assert (a.kpi, a.bound, a.statistic) == ("abandonment", 0.05, "abandonment")
    assert parse_target("wait_mean<=10").bound == 10
    for bad in ("wait_p80>=15", "wait_p0<=3", "abandonment<=1.5", "queue<=3", "wait_p80<="):
        with pytest.raises(ValueError):
            parse_target(bad)


def test_periods_are_slots_inside_opening_hours_per_weekday():
    layout = build_layout(load_scenario(office_doc(ISSUE_HOURS)), 60)
    by_day = {}
    for p in layout.periods:
        by_day.setdefault(p.weekday, []).append((p.start, p.end))
    assert by_day[0] == [(h * 60.0, h * 60.0 + 60) for h in range(10, 16)]
    assert by_day[3] == [(600.0, 660.0), (660.0, 720.0)] + [
        (h * 60.0, h * 60.0 + 60) for h in range(13, 18)
    ]
    assert sorted(by_day) == [0, 1, 2, 3, 4]  # closed at the weekend: no periods
    assert len(layout.variables) == len(layout.periods) == 6 * 4 + 7
    # a window off the grid is cut at the grid: 10:15-11:30 at 30 minutes
    odd = build_layout(load_scenario(office_doc({"mon": ["10:15-11:30"]})), 30)
    assert [(p.start, p.end) for p in odd.periods] == [
        (615.0, 630.0),
        (630.0, 660.0),
        (660.0, 690.0),
    ]
    # the constant layout has one variable for every period
    constant = build_layout(load_scenario(office_doc(ISSUE_HOURS)), 60, constant=True)
    assert len(constant.variables) == 1 and len(constant.variables[0].periods) == 31


def _visits(rows):
    """A visit table with the columns attribution reads."""
    frame = pd.DataFrame(
        rows, columns=["arrival_min", "outcome", "wait_min", "service_min", "counted"]
    )
    frame["outcome"] = pd.Categorical(frame["outcome"], categories=list(OUTCOMES))
    frame["site"] = pd.Categorical.from_codes([0] * len(frame), ["office"])
    return frame


def test_visitors_belong_to_the_period_of_their_arrival():
    layout = build_layout(load_scenario(office_doc(ISSUE_HOURS)), 60)
    index = {(p.weekday, p.start): i for i, p in enumerate(layout.periods)}
    day = 1440.0
    visits = _visits(
        [
            (630.0, "served", 50.0, 5.0, True),  # Mon 10:30, served at 11:20: period 10-11
            (659.9, "reneged", 30.0, math.nan, True),  # Mon 10:59.9: still 10-11
            (660.0, "balked", 0.0, math.nan, True),  # Mon 11:00: 11-12
            (3 * day + 839.0, "served", 20.0, 5.0, True),  # Thu 13:59: 13-14
            (3 * day + 1079.0, "served", 0.0, 5.0, True),  # Thu 17:59: 17-18
            (700.0, "served", 1.0, 5.0, False),  # not counted (warm-up)
            (720.0, "declined", math.nan, math.nan, True),  # never arrived
        ]
    )
    rows, periods = attribute(layout, visits)
    assert rows.tolist() == [0, 1, 2, 3, 4]
    assert periods.tolist() == [
        index[(0, 600.0)],
        index[(0, 600.0)],
        index[(0, 660.0)],
        index[(3, 780.0)],
        index[(3, 1020.0)],
    ]
    counts = period_counts(
        layout, visits, (parse_target("wait_p80<=15"), parse_target("abandonment<=0.1"))
    )
    p = index[(0, 600.0)]
    assert counts["arrivals"][p] == 2 and counts["served"][p] == 1 and counts["abandoned"][p] == 1
    assert counts["late:15"][p] == 1 and counts["wait_sum"][p] == 50.0
    assert counts["abandoned"][index[(0, 660.0)]] == 1  # balked counts as abandoned
    assert counts["arrivals"].sum() == 5


def test_the_decision_is_a_one_sided_t_bound_per_period():
    target = parse_target("abandonment<=0.3")
    values = np.array(
        [
            [0.0, 0.1, np.nan, np.nan, 0.5],
            [0.2, 0.1, np.nan, 0.2, 0.5],
            [np.nan, 0.1, np.nan, np.nan, 0.5],
        ]
    )
    j = judge(values, target, 0.95)
    # period 0: values 0 and 0.2 -> mean 0.1, s = 0.1414, t(0.95, 1) = 6.314
    half = stats.t.ppf(0.95, 1) * np.std([0.0, 0.2], ddof=1) / math.sqrt(2)
    assert j.upper[0] == pytest.approx(0.1 + half) and not j.met[0]
    assert j.replications.tolist() == [2, 3, 0, 1, 3]
    assert j.upper[1] == pytest.approx(0.1) and j.met[1]  # no spread: the mean decides
    assert j.met[2]  # nobody to judge: met
    assert j.met[3]  # one value: the point value decides (0.2 <= 0.3)
    assert not j.met[4]
    # a lower confidence gives a tighter bound: period 0 passes at 50 %
    assert judge(values, target, 0.5).met[0]


def test_statistics_are_ratios_per_replication():
    counts = [
        {
            "served": np.array([4.0, 0.0]),
            "late:15": np.array([1.0, 0.0]),
            "arrivals": np.array([5.0, 0.0]),
            "abandoned": np.array([1.0, 0.0]),
            "wait_sum": np.array([20.0, 0.0]),
        },
    ]
    late = statistic_values(parse_target("wait_p80<=15"), counts)
    assert late[0, 0] == 0.25 and np.isnan(late[0, 1])
    assert statistic_values(parse_target("abandonment<=0.1"), counts)[0, 0] == 0.2
    assert statistic_values(parse_target("wait_mean<=5"), counts)[0, 0] == 5.0


def test_days_merge_into_ranges_and_overrides():
    same = {"10:00-16:00": 2}
    other = {"10:00-16:00": 3}
    assert merge_days({d: same for d in range(5)}) == {"mon-fri": same}
    assert merge_days({0: other, 1: same, 2: same, 3: same, 4: other}) == {
        "tue-thu": same,
        "mon": other,
        "fri": other,
    }
    assert merge_days({0: same, 1: same, 2: same, 3: other, 4: same}) == {
        "mon-fri": same,
        "thu": other,
    }
    assert merge_days({0: same, 2: same}) == {"mon": same, "wed": same}  # not consecutive
    assert day_windows([(600, 660, 3), (660, 720, 3), (720, 780, 2)]) == {
        "10:00-12:00": 3,
        "12:00-13:00": 2,
    }


def test_the_block_validates_with_the_schema_and_gives_back_the_counts():
    scenario = load_scenario(office_doc(ISSUE_HOURS))
    layout = build_layout(scenario, 60)
    rng = np.random.default_rng(3)
    counts = rng.integers(1, 4, size=len(layout.variables))
    block = office_block(layout, counts, 0)
    doc = office_doc(ISSUE_HOURS, staffing=block)
    loaded = load_scenario(doc)  # the block as written validates with the schema
    weekly = parse_staffing(loaded.sites[0].staffing, parse_opening_hours(ISSUE_HOURS))
    for p in layout.periods:
        (n,) = [n for s, e, n in weekly[p.weekday] if s <= p.start < e]
        assert n == counts[p.variable]
    assert staffed_scenario(layout, counts).sites[0].staffing == block
