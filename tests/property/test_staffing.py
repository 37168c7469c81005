"""Staffing by time of day: properties of every run with counters that rise and fall.

Bare engine (``staffed_engine_cases``: whole-minute ties between staffing changes, arrivals,
service ends and closings): busy counters never exceed the staffed count except while busy
counters finish after a fall; no service starts at a counter off duty (a start never makes
the busy counters more than the staffed count); counters on duty never idle while someone
waits. Scenarios (``scenarios`` with a random ``staffing`` for each office): staff hours,
open counter-minutes and ``site_hours`` open counters equal the sum of the staffing windows
(computed here from the documents, not from the network; for mobile units from the stops'
days, hours and ``counters``), and the in-model checker passes.
All computed from the records, independently of the engine's bookkeeping.
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import simulation
from simulation.engine.invariants import check_site
from simulation.scenario.hours import parse_day_key, parse_opening_hours, parse_window
from simulation.scenario.schema import WEEKDAYS
from tests.property.hypothesis_settings import PROPERTY, fewer
from tests.property.oracle import engine_site_run
from tests.strategies import _Pick, clock, scenarios, staffed_engine_cases


def _staffed(changes: list[tuple[float, int]], t: float, before: bool = False) -> int:
    """Staffed count at ``t`` (the last change at or before ``t``; just before ``t`` if
    ``before``); before the first change, the first count."""
    times = [c for c, _ in changes]
    j = (bisect.bisect_left if before else bisect.bisect_right)(times, t) - 1
    return changes[max(j, 0)][1]


def _busy(start: np.ndarray, end: np.ndarray, t: float) -> int:
    return int(((start <= t) & (t < end)).sum())


def _records(case: dict[str, Any]):
    r = engine_site_run(case, check_site)
    started = r.started
    start = r.start[started]
    end = np.where(np.isnan(r.end[started]), np.inf, r.end[started])
    return r, start, end


@PROPERTY
@given(staffed_engine_cases())
def test_no_service_starts_beyond_the_staffed_count(case):
    """Just after every service start the busy counters, the new one included, are at most
    the staffed count (either side of a change at that very minute)."""
    changes = case["staffing"]
    r, start, end = _records(case)
    for i, s in enumerate(start):
        if not s < end[i]:
            continue  # a zero-minute service holds no counter past its start
        busy = int(((start <= s) & (s < end)).sum())  # just after s, this one included
        allowed = max(_staffed(changes, s), _staffed(changes, s, before=True))
        assert busy <= allowed, f"start at {s}: {busy} busy, {allowed} staffed"


def _midpoints(r, start: np.ndarray, end: np.ndarray, changes) -> list[float]:
    points = {0.0, r.horizon}
    for xs in (start, end, r.arrival, r.leave, r.starts, r.ends, [c for c, _ in changes]):
        points.update(float(x) for x in np.asarray(xs, dtype=float) if np.isfinite(x))
    ordered = sorted(p for p in points if 0.0 <= p <= r.horizon)
    return [(a + b) / 2 for a, b in zip(ordered, ordered[1:], strict=False)]


@PROPERTY
@given(staffed_engine_cases())
def test_busy_counters_exceed_the_staffing_only_while_finishing_after_a_fall(case):
    """Between events: busy counters are at most the staffed count, unless the staffing
    fell since the last service start and the surplus are finishing their visitor."""
    changes = case["staffing"]
    r, start, end = _records(case)
    for t in _midpoints(r, start, end, changes):
        busy = _busy(start, end, t)
        staffed = _staffed(changes, t)
        if busy <= staffed:
            continue
        last = float(start[start <= t].max())
        allowed = max(_staffed(changes, last), _staffed(changes, last, before=True))
        assert busy <= allowed and staffed < allowed, (
            f"t={t}: {busy} busy, {staffed} staffed, last start {last} with {allowed} staffed"
        )


@PROPERTY
@given(staffed_engine_cases())
def test_counters_on_duty_never_idle_while_someone_waits(case):
    """Whenever someone is truly waiting (and, under ``turn_away``, the site is open), every
    staffed counter is busy: a rise puts the new counters to work at once."""
    changes = case["staffing"]
    r, start, end = _records(case)
    joined = r.joined
    arrival, wait_end = r.arrival[joined], r.wait_end()[joined]
    for t in _midpoints(r, start, end, changes):
        waiting = int(((arrival <= t) & (t < wait_end)).sum())
        if waiting == 0:
            continue
        if r.turn_away and not ((r.starts <= t) & (t < r.ends)).any():
            continue
        busy, staffed = _busy(start, end, t), _staffed(changes, t)
        assert busy >= staffed, f"t={t}: {waiting} waiting, {busy} busy of {staffed} staffed"


def test_the_property_cases_include_falls_with_busy_counters():
    """The fall-with-busy-counters case is drawn (power of the properties above)."""
    case = {
        "horizon": 100.0,
        "counters": 3,
        "limit": None,
        "turn_away": False,
        "windows": [(0.0, 100.0)],
        "arrivals": [0.0, 0.0, 0.0, 1.0],
        "service": [10.0, 20.0, 30.0, 5.0],
        "patience": [np.inf] * 4,
        "staffing": [(0.0, 3), (5.0, 1)],
    }
    r, start, end = _records(case)
    assert _busy(start, end, 15.0) == 2 > _staffed(case["staffing"], 15.0)
    assert r.start[3] == 30.0


# -- scenarios --------------------------------------------------------------------------------


@st.composite
def staffed_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A ``scenarios()`` document with a random ``staffing`` on each office (single-day keys,
    windows on a 15-minute grid inside an opening window, counts 1-5), random ``counters`` on
    mobile stops, and a warm-up."""
    doc = draw(scenarios(max_needs=300.0, days=(1, 15)))
    p = _Pick(draw)
    cal = doc["calendar"]
    cal["warmup_days"] = p.int(0, cal["days"] - 1)
    for site in doc["sites"]:
        if site["kind"] == "mobile":
            for stop in site["schedule"]:
                if p.bool():
                    stop["counters"] = p.int(1, 5)
            continue
        if p.chance(5):
            continue
        weekly = parse_opening_hours(site["opening_hours"])
        staffing: dict[str, dict[str, int]] = {}
        for d in range(7):
            day = ((0.0, 1440.0),) if weekly is None else weekly[d]
            if not day or p.chance(3):
                continue
            s, e = p.one(day)
            grid = [x for x in range(int(s), int(e) + 1) if x % 15 == 0]
            if len(grid) < 2:
                continue
            points = sorted(p.some(grid, 2, 4))
            windows = {
                f"{clock(points[j])}-{clock(points[j + 1])}": p.int(1, 5)
                for j in range(0, len(points) - 1, 2)
            }
            staffing[WEEKDAYS[d]] = windows
        if staffing:
            site["staffing"] = staffing
    return doc


def _stop_on(stop: dict[str, Any], day: int, start: dt.date, first: int) -> bool:
    """Whether ``stop`` takes place on day ``day`` (the rule of docs/model.md §4.1)."""
    if "dates" in stop:
        return any(
            dt.date.fromisoformat(str(d)) == start + dt.timedelta(days=day) for d in stop["dates"]
        )
    weekdays = {w for key in stop["days"] for w in parse_day_key(key)}
    week = (day + first) // 7
    since = week - stop.get("from_week", 0)
    return (day + first) % 7 in weekdays and since >= 0 and since % stop.get("every_weeks", 1) == 0


def _expected_unit_minutes(unit: dict[str, Any], cal: dict[str, Any], start: dt.date) -> float:
    """Staffed counter-minutes of a mobile unit over the counted days, from the document."""
    first = start.weekday()
    total = 0.0
    for day in range(cal["warmup_days"], cal["days"]):
        for stop in unit["schedule"]:
            if _stop_on(stop, day, start, first):
                n = stop.get("counters") or unit["counters"]
                total += n * sum(e - s for s, e in map(parse_window, stop["hours"]))
    return total


def _expected_counter_minutes(site: dict[str, Any], cal: dict[str, Any], first: int) -> float:
    """Staffed counter-minutes of ``site`` over the counted days, from the document."""
    weekly = parse_opening_hours(site["opening_hours"])
    staffing = site.get("staffing", {})
    total = 0.0
    for day in range(cal["warmup_days"], cal["days"]):
        d = (first + day) % 7
        windows = ((0.0, 1440.0),) if weekly is None else weekly[d]
        total += sum(e - s for s, e in windows) * site["counters"]
        for text, n in staffing.get(WEEKDAYS[d], {}).items():
            s, e = parse_window(text)
            total += (e - s) * (n - site["counters"])
    return total


@fewer(0.5)
@given(staffed_scenarios())
def test_staff_hours_equal_the_sum_of_staffing_windows(doc):
    """``open_counter_min``, ``staff_hours_per_week`` (site and overall) and ``site_hours``
    open counters follow the staffing windows; the in-model checker passes."""
    result = simulation.run(doc, replications=1, check_invariants=True)
    note(f"visits: {len(result.visits)}")
    cal = doc["calendar"]
    start = cal["start"]
    start = start if isinstance(start, dt.date) else dt.date.fromisoformat(start)
    first = start.weekday()
    weeks = (cal["days"] - cal["warmup_days"]) / 7.0
    k = result.kpis.set_index(["scope", "id", "kpi"])["value"]
    overall = 0.0
    for site in doc["sites"]:
        if site["kind"] == "mobile":
            want = _expected_unit_minutes(site, cal, start)
            assert k[("site", site["id"], "open_counter_min")] == pytest.approx(want, abs=1e-6)
            hours = want / 60.0 / weeks
            assert k[("site", site["id"], "staff_hours_per_week")] == pytest.approx(hours, abs=1e-6)
            overall += hours
            whole = _expected_unit_minutes(site, {**cal, "warmup_days": 0}, start)
            rows = result.site_hours[result.site_hours["site"] == site["id"]]
            assert float(rows["open_counters"].sum()) * 60.0 == pytest.approx(whole, abs=1e-6)
            continue
        want = _expected_counter_minutes(site, cal, first)
        assert k[("site", site["id"], "open_counter_min")] == pytest.approx(want, abs=1e-6)
        hours = want / 60.0 / weeks
        assert k[("site", site["id"], "staff_hours_per_week")] == pytest.approx(hours, abs=1e-6)
        overall += hours
        whole = _expected_counter_minutes(site, {**cal, "warmup_days": 0}, first)
        rows = result.site_hours[result.site_hours["site"] == site["id"]]
        assert float(rows["open_counters"].sum()) * 60.0 == pytest.approx(whole, abs=1e-6)
    assert k[("overall", "all", "staff_hours_per_week")] == pytest.approx(overall, abs=1e-6)
