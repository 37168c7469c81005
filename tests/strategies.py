"""Hypothesis strategies for small, valid scenario documents (plain dicts, as in YAML).

``scenarios()`` draws a complete scenario: 1-4 areas close to each other (population,
vulnerable flag, demand from 0 up to overload, optional demand profiles), 1-3 offices with
random opening hours (lunch closures, single days overriding a day range, closed days,
``always``), 0-2 mobile units whose stops use distinct weekdays (so a unit is never in two
places at once and always has hours between two places to set up), random service and
patience distributions, balking, queue capacities, closing policies, deferral, delay cost,
choice rule, distance decay, a horizon of 1-10 days with 0-1 warm-up days, and any seed.

Every document drawn is valid (``test_strategy_draws_valid_scenarios`` checks it). The
expected number of needs of a run is kept under a budget (``max_needs``), so a run takes
milliseconds to tens of milliseconds. Keyword arguments pin what a property needs (for
example ``closing="turn_away"`` or ``patience="none"``).

For speed, every value is drawn through a handful of module-level primitive strategies
(``_Pick``) instead of building new strategy objects per draw; hypothesis still shrinks
each primitive towards the low end of its range (fewer areas, shorter runs, no demand).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BASE_LAT, BASE_LON = 58.41, 15.62
GRIDS = (15, 30, 60)  # minutes; a window's ends lie on the grid (60: whole hours)

_INT = st.integers(0, 2**16 - 1)
_UNIT = st.floats(0.0, 1.0)
_BOOL = st.booleans()
_SEED = st.integers(0, 2**63 - 1)


class _Pick:
    """Draw values in ranges from a few fixed primitive strategies."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def int(self, lo: int, hi: int) -> int:
        return lo if hi <= lo else lo + self.draw(_INT) % (hi - lo + 1)

    def num(self, lo: float, hi: float) -> float:
        """A number in [lo, hi] rounded to 3 decimals (readable, YAML-friendly)."""
        return min(max(round(lo + (hi - lo) * self.draw(_UNIT), 3), lo), hi)

    def bool(self) -> bool:
        return self.draw(_BOOL)

    def one(self, seq: Sequence[Any]) -> Any:
        return seq[self.int(0, len(seq) - 1)]

    def some(self, seq: Sequence[Any], lo: int, hi: int) -> list[Any]:
        """Between ``lo`` and ``hi`` distinct items of ``seq``, in random order."""
        pool = list(seq)
        return [
            pool.pop(self.int(0, len(pool) - 1)) for _ in range(min(self.int(lo, hi), len(pool)))
        ]

    def chance(self, one_in: int) -> bool:
        return self.int(0, one_in - 1) == 0


def clock(minutes: int) -> str:
    """``HH:MM`` for minutes after midnight (1440 is ``24:00``)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def location(p: _Pick) -> dict[str, float]:
    """A point within a few kilometres of the base point."""
    return {
        "lat": round(BASE_LAT + p.num(-0.05, 0.05), 5),
        "lon": round(BASE_LON + p.num(-0.08, 0.08), 5),
    }


def distribution(p: _Pick, max_mean: float = 30.0) -> dict[str, Any]:
    """Any supported distribution with a mean of at most about ``max_mean`` minutes."""
    kind = p.int(0, 6)
    mean = p.num(0.5, max_mean)
    if kind == 0:
        return {"dist": "exponential", "mean": mean}
    if kind == 1:
        return {"dist": "lognormal", "mean": mean, "cv": p.num(0.1, 2.0)}
    if kind == 2:
        return {"dist": "lognormal", "median": mean, "cv": p.num(0.1, 2.0)}
    if kind == 3:
        return {"dist": "gamma", "mean": mean, "cv": p.num(0.1, 2.0)}
    if kind == 4:
        low = p.num(0.0, max_mean / 2)
        return {"dist": "uniform", "low": low, "high": round(low + p.num(0.5, max_mean), 3)}
    if kind == 5:
        return {"dist": "deterministic", "value": 0.0 if p.chance(4) else mean}
    return {"dist": "empirical", "values": [p.num(0.0, 2 * max_mean) for _ in range(p.int(1, 5))]}


def day_windows(
    p: _Pick, grid: int, lo: int = 0, hi: int = 1440, min_windows: int = 0, max_windows: int = 2
) -> list[str]:
    """Sorted, non-overlapping windows within [lo, hi] on a grid (two = a lunch closure)."""
    n = p.int(min_windows, max_windows)
    points = sorted(x * grid for x in p.some(range(lo // grid, hi // grid + 1), 2 * n, 2 * n))
    return [f"{clock(points[2 * j])}-{clock(points[2 * j + 1])}" for j in range(n)]


def opening_hours(p: _Pick, grid: int | None = None) -> str | dict[str, list[str]]:
    """``always``, or a week: an optional day range plus single days that override it."""
    if p.chance(6):
        return "always"
    g = grid or p.one(GRIDS)
    week: dict[str, list[str]] = {}
    if p.bool():
        first = p.int(0, 5)
        last = p.int(first + 1, 6)
        week[f"{WEEKDAYS[first]}-{WEEKDAYS[last]}"] = day_windows(p, g, min_windows=1)
    for day in p.some(WEEKDAYS, 0 if week else 1, 3):  # may override a day of the range or close it
        week[day] = day_windows(p, g)
    return week


def profile(p: _Pick) -> dict[str, dict[Any, float]]:
    """Weekday and/or hour weights, at least one positive in each table."""
    out: dict[str, dict[Any, float]] = {}
    for kind in p.one([("weekday",), ("hour",), ("weekday", "hour")]):
        keys = list(WEEKDAYS) if kind == "weekday" else list(range(24))
        chosen = p.some(keys, 1, len(keys))
        weights = {k: p.num(0.0, 3.0) for k in chosen}
        weights[chosen[0]] = p.num(0.1, 3.0)
        out[kind] = weights
    return out


def _limits(p: _Pick, site: dict[str, Any], capacity: str, errand_ids: list[str]) -> None:
    if capacity == "always" or (capacity == "random" and p.bool()):
        site["queue_capacity"] = p.int(0, 10)
    elif capacity == "random" and p.chance(4):
        site["queue_capacity"] = p.one([None, "none"])
    if p.chance(4):  # serves only some errands (perhaps none)
        site["errands"] = p.some(errand_ids, 0, len(errand_ids))


def office(
    p: _Pick,
    i: int,
    errand_ids: list[str],
    closing: str | None,
    capacity: str,
    grid: int | None,
    counters: tuple[int, int],
) -> dict[str, Any]:
    site: dict[str, Any] = {
        "id": f"o{i}",
        "kind": "office",
        "location": location(p),
        "counters": p.int(*counters),
        "opening_hours": opening_hours(p, grid),
        "closing": closing or p.one(["serve_queue", "turn_away"]),
        "expected_wait_minutes": p.num(0.0, 30.0),
    }
    _limits(p, site, capacity, errand_ids)
    return site


def mobile(
    p: _Pick,
    i: int,
    area_ids: list[str],
    errand_ids: list[str],
    closing: str | None,
    capacity: str,
    grid: int | None,
    start: dt.date,
    span_days: int,
) -> dict[str, Any]:
    """A unit whose stops use disjoint weekdays, with windows between 06:00 and 22:00.

    Two stops on different days are then at least 8 hours apart, more than the largest
    ``setup_minutes`` drawn (60), so the schedule is always valid.
    """
    order = p.some(range(7), 7, 7)
    g = grid or p.one(GRIDS)
    stops = []
    used = 0
    for _ in range(p.int(1, 3)):
        size = p.int(1, 2)
        days = sorted(order[used : used + size])
        used += size
        stop: dict[str, Any] = {"area": p.one(area_ids)} if p.bool() else {"location": location(p)}
        style = p.one(["days", "days", "range", "dates"])
        dates = [
            start + dt.timedelta(days=d)
            for d in range(span_days)
            if (start + dt.timedelta(days=d)).weekday() in days
        ]
        if style == "dates" and dates:
            stop["dates"] = [d.isoformat() for d in p.some(dates, 1, len(dates))]
        elif style == "range" and len(days) == 2 and days[1] == days[0] + 1:
            stop["days"] = [f"{WEEKDAYS[days[0]]}-{WEEKDAYS[days[1]]}"]
        else:
            stop["days"] = [WEEKDAYS[d] for d in days]
            if p.chance(4):
                stop["every_weeks"] = p.int(1, 2)
                stop["from_week"] = p.int(0, 1)
        stop["hours"] = day_windows(p, g, lo=360, hi=1320, min_windows=1)
        stops.append(stop)
    unit: dict[str, Any] = {
        "id": f"m{i}",
        "kind": "mobile",
        "counters": p.int(1, 3),
        "setup_minutes": p.num(0.0, 60.0),
        "closing": closing or p.one(["serve_queue", "turn_away"]),
        "expected_wait_minutes": p.num(0.0, 30.0),
        "schedule": stops,
    }
    _limits(p, unit, capacity, errand_ids)
    return unit


@st.composite
def scenarios(
    draw: st.DrawFn,
    *,
    max_needs: float = 600.0,
    max_per_hour: float = 30.0,
    days: tuple[int, int] = (1, 10),
    areas: tuple[int, int] = (1, 4),
    n_offices: tuple[int, int] = (1, 3),
    n_mobiles: tuple[int, int] = (0, 2),
    counters: tuple[int, int] = (1, 4),
    closing: str | None = None,
    patience: str | float = "random",
    limits: str = "random",
    aligned: bool = False,
    zero_demand: bool = False,
) -> dict[str, Any]:
    """A valid scenario document.

    Parameters
    ----------
    max_needs
        Budget for the expected number of needs of the whole run (keeps runs fast).
    max_per_hour
        Largest average rate of one area per hour; 30 overloads any site drawn here.
    days, areas, n_offices, n_mobiles, counters
        Inclusive ranges of the calendar length and of the numbers drawn.
    closing
        ``serve_queue`` or ``turn_away`` for every site; ``None`` draws one per site.
    patience
        ``"random"`` (none or a distribution), ``"none"``, or a number of minutes for a
        deterministic patience.
    limits
        ``"random"``, ``"none"`` (no balking, no capacities) or ``"some"`` (a balking
        length, or else a capacity at every site).
    aligned
        Opening windows and stops begin and end on whole hours.
    zero_demand
        Every area has zero demand.
    """
    p = _Pick(draw)
    grid = 60 if aligned else None
    start = dt.date(2020, 1, 1) + dt.timedelta(days=p.int(0, 4000))
    n_days = p.int(*days)
    warmup = p.int(0, min(1, n_days - 1))

    weights = [p.int(1, 5) for _ in range(p.int(1, 3))]
    errands = [
        {"id": f"e{j}", "share": w / sum(weights), "service_minutes": distribution(p)}
        for j, w in enumerate(weights)
    ]
    errand_ids = [e["id"] for e in errands]

    n_areas = p.int(*areas)
    cap = min(max_per_hour, max_needs / (24.0 * n_days * n_areas))
    area_docs = []
    for a in range(n_areas):
        per_hour = 0.0 if zero_demand or p.chance(5) else p.num(0.0, cap)
        population = p.int(0, 200_000)
        form = p.one(["per_hour", "per_hour", "per_year", "per_1000_per_year"])
        if form == "per_year":
            demand = {"per_year": per_hour * 8760.0}
        elif form == "per_1000_per_year" and population > 0:
            demand = {"per_1000_per_year": per_hour * 8760.0 * 1000.0 / population}
        else:
            demand = {"per_hour": per_hour}
        area: dict[str, Any] = {
            "id": f"a{a}",
            "population": population,
            "location": location(p),
            "vulnerable": p.bool(),
            "demand": demand,
        }
        if p.chance(4):
            area["demand_profile"] = profile(p)
        area_docs.append(area)
    area_ids = [a["id"] for a in area_docs]

    behaviour: dict[str, Any] = {
        "max_deferral_days": p.int(0, 3),
        "delay_minutes_per_day": p.num(0.0, 60.0),
        "choice": {
            "rule": p.one(["least_cost", "logit"]),
            "scale": p.num(1.0, 30.0),
            "queue_weight": p.one([0.0, 0.5, 1.0, 2.0]),
        },
    }
    if patience == "random":
        behaviour["patience_minutes"] = None if p.bool() else distribution(p, max_mean=60.0)
    elif patience == "none":
        behaviour["patience_minutes"] = p.one([None, "none"])
    else:
        behaviour["patience_minutes"] = {"dist": "deterministic", "value": float(patience)}
    capacity = "random"
    if limits == "none":
        behaviour["balk_queue_length"] = None
        capacity = "none"
    else:
        balk = p.int(0, 10) if p.bool() else None
        behaviour["balk_queue_length"] = balk
        if limits == "some" and balk is None:
            capacity = "always"
    if p.bool():
        behaviour["decay"] = {
            "form": p.one(["exponential", "gaussian"]),
            "scale": p.num(5.0, 120.0),
        }

    span = n_days + behaviour["max_deferral_days"] + 1
    sites = [
        office(p, i, errand_ids, closing, capacity, grid, counters)
        for i in range(p.int(*n_offices))
    ]
    sites += [
        mobile(p, i, area_ids, errand_ids, closing, capacity, grid, start, span)
        for i in range(p.int(*n_mobiles))
    ]

    doc: dict[str, Any] = {
        "name": "prop",
        "calendar": {"start": start.isoformat(), "days": n_days, "warmup_days": warmup},
        "seed": draw(_SEED),
        "errands": errands,
        "areas": area_docs,
        "sites": sites,
        "travel": {
            "speed_kmh": p.num(5.0, 60.0),
            "detour_factor": p.num(1.0, 2.0),
            "max_travel_minutes": None if p.bool() else p.num(5.0, 120.0),
            "within_area_minutes": p.num(0.0, 30.0),
        },
        "behaviour": behaviour,
    }
    if p.chance(4):
        doc["demand_profile"] = profile(p)
    return doc


@st.composite
def fifo_scenarios(draw: st.DrawFn, max_needs: float = 500.0) -> dict[str, Any]:
    """One always-open ``serve_queue`` office; no patience, balking or capacity.

    The queue is then a plain FIFO multi-server queue whose service times belong to the
    visitors: the setting in which adding a counter provably delays nobody.
    """
    doc = draw(
        scenarios(
            max_needs=max_needs,
            n_offices=(1, 1),
            n_mobiles=(0, 0),
            counters=(1, 3),
            closing="serve_queue",
            patience="none",
            limits="none",
        )
    )
    doc["sites"][0]["opening_hours"] = "always"
    doc["sites"][0].pop("errands", None)
    return doc


@st.composite
def other_sites(draw: st.DrawFn, doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Different sites (0-3 offices, 0-2 units) for the same areas, errands and calendar."""
    p = _Pick(draw)
    area_ids = [a["id"] for a in doc["areas"]]
    errand_ids = [e["id"] for e in doc["errands"]]
    start = dt.date.fromisoformat(doc["calendar"]["start"])
    span = doc["calendar"]["days"] + doc["behaviour"]["max_deferral_days"] + 1
    sites = [office(p, i, errand_ids, None, "random", None, (1, 4)) for i in range(p.int(0, 3))]
    sites += [
        mobile(p, i, area_ids, errand_ids, None, "random", None, start, span)
        for i in range(p.int(0, 2))
    ]
    return sites


@st.composite
def engine_cases(draw: st.DrawFn, at_zero: bool = False, unit: float = 1.0) -> dict[str, Any]:
    """One site driven directly through the engine, with times on a grid of ``unit`` minutes.

    Whole minutes make ties common: simultaneous arrivals, services ending when a window
    closes or when a patience runs out. Arrivals fall inside the site's windows (as the
    choice model guarantees); windows may reach past the horizon. Times start at minute 1,
    or with ``at_zero`` the first window opens at minute 0 and someone arrives then. With
    ``unit=0.1`` times are tenths of a minute, which binary floats cannot represent exactly,
    so SimPy's clock (``now + (t - now)``) drifts from the arrival times by a rounding error.
    """
    p = _Pick(draw)
    horizon = p.int(20, 120)
    n_windows = p.int(1, 3)
    points = sorted(p.some(range(1, horizon + 21), 2 * n_windows, 2 * n_windows))
    if at_zero:
        points[0] = 0
    windows = [(float(points[2 * j]), float(points[2 * j + 1])) for j in range(n_windows)]
    n = p.int(1 if at_zero else 0, 25)
    arrivals = [0.0] if at_zero else []
    for _ in range(n - len(arrivals)):
        s, e = p.one(windows)
        arrivals.append(float(p.int(int(s), int(e) - 1)))
    arrivals.sort()
    patience = p.one(["none", "some", "all"])
    return {
        "horizon": horizon * unit,
        "counters": p.int(1, 3),
        "limit": None if p.bool() else p.int(0, 3),
        "turn_away": p.bool(),
        "windows": [(s * unit, e * unit) for s, e in windows],
        "arrivals": [a * unit for a in arrivals],
        "service": [p.int(0, 12) * unit for _ in range(n)],
        "patience": [
            float("inf")
            if patience == "none" or (patience == "some" and p.bool())
            else p.int(0, 15) * unit
            for _ in range(n)
        ],
    }


@st.composite
def staffed_engine_cases(draw: st.DrawFn) -> dict[str, Any]:
    """An ``engine_cases()`` case with staffing: the engine's ``(minute, counters)`` changes.

    The first change is at the first opening (as the network builds them); later ones fall
    anywhere on the whole-minute grid, inside or outside windows, so that rises and falls
    meet busy, idle and off-duty counters, ties with arrivals and service ends included.
    Consecutive counts differ.
    """
    case = draw(engine_cases())
    p = _Pick(draw)
    first = case["windows"][0][0]
    times = sorted(p.some(range(int(first) + 1, int(case["horizon"]) + 20), 0, 5))
    changes = [(float(first), p.int(1, 4))]
    for t in times:
        n = p.int(1, 4)
        if n != changes[-1][1]:
            changes.append((float(t), n))
    case["staffing"] = changes
    case["counters"] = max(n for _, n in changes)
    return case
