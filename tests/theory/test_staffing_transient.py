"""Exact transient validation of a site by the hour (issue 14, "Done when", first item).

One office open 10:00-16:00 every day, Poisson arrivals whose rate changes by the clock
hour, exponential service and patience, a balking limit (``queue_capacity``), and the
staffed counters by the hour. The area and the office share a location (travel 0) and the
demand profile has weight only in open hours, so arrivals are exactly the piecewise-constant
Poisson process of the needs (docs/model.md §2). Each day starts empty (its queue is gone
hours before the next opening), so every simulated day is an independent copy of the day of
the chain in :mod:`tests.theory.ctmc`, whose exact transient solution (matrix exponentials
hour by hour) gives

* per clock hour, the expected time-average number waiting (``site_hours.queue_mean``) and
  busy counters (``busy_mean``), overtime hours included;
* per day, the expected numbers served, reneged, balked and turned away (``closed``).

Every value must lie inside the 99% t interval over replications (each replication
averages its days), with the half-width bounded (the interval is narrow enough to see a
model error of that size), and power checks: the chain of a slightly wrong model (balking
limit one higher, patience 20% longer, and for staffing the counters above a fall kept on
duty while anyone waits) lies outside at least one of the intervals it should move.

Cases with constant counters run today; the cases with ``staffing`` are skipped until the
scenario schema accepts the key (issue 14 items 1-2). Checked so far: all four cases pass
against the staffing engine of branch ``sa`` (commit 41a02c4, run from a copy), ~20 s in all.
The constant cases fail, as they should, for three engine mutants run from a copy: balking at
``waiting > limit`` instead of ``>=``, patience 10% longer, and arrivals not uniform within
their hour (``sqrt`` of the uniform). The staffed cases fail for sa's engine with busy
counters that stay on duty after a fall (queue at the fall hour 0.41 simulated against 1.49
exact, and 0.29 against 0.57).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest

import simulation
from simulation.scenario.errors import ScenarioError
from tests.theory.ctmc import Day, solve_day
from tests.theory.support import LOCATION, Interval, check_covers

pytestmark = pytest.mark.slow

OPEN, CLOSE = 10, 16
HOURS = range(OPEN, CLOSE + 3)  # open hours and the first overtime hours
COUNTS = ("served", "reneged", "balked", "turned_away")
OUTCOME = {"served": "served", "reneged": "reneged", "balked": "balked", "turned_away": "closed"}


@dataclass(frozen=True)
class Case:
    """One site by the hour: arrivals per hour, staffed counters per hour."""

    per_hour: tuple[float, ...]  # arrivals per hour in 10:00 .. 15:00
    staffed: tuple[int, ...]  # counters in 10:00 .. 15:00
    service_mean: float
    theta: float
    limit: int
    closing: str
    days: int
    replications: int
    seed: int
    staffing: dict[str, int] | None = field(default=None)  # the scenario's staffing windows

    def lam(self) -> dict[int, float]:
        return {OPEN + i: x / 60.0 for i, x in enumerate(self.per_hour)}

    def staff(self) -> dict[int, int]:
        return {OPEN + i: s for i, s in enumerate(self.staffed)}


CASES = {
    # constant counters, a morning peak above capacity, serve_queue (overtime)
    "constant-c4-serve": Case(
        per_hour=(15, 30, 27, 36, 18, 9),
        staffed=(4,) * 6,
        service_mean=8.0,
        theta=15.0,
        limit=6,
        closing="serve_queue",
        days=300,
        replications=20,
        seed=1401,
    ),
    # constant counters, turn_away at closing while a queue is still there
    "constant-c3-turn-away": Case(
        per_hour=(9, 24, 12, 18, 27, 30),
        staffed=(3,) * 6,
        service_mean=6.0,
        theta=20.0,
        limit=5,
        closing="turn_away",
        days=300,
        replications=20,
        seed=1402,
    ),
    # staffing 6 -> 3 at 12:00 while all 6 are busy (peak 11-12), 3 -> 5 at 14:00, overtime
    "staffed-fall-rise": Case(
        per_hour=(30, 48, 24, 18, 33, 21),
        staffed=(6, 6, 3, 3, 5, 5),
        service_mean=8.0,
        theta=15.0,
        limit=6,
        closing="serve_queue",
        days=300,
        replications=20,
        seed=1403,
        staffing={"10:00-12:00": 6, "12:00-14:00": 3, "14:00-16:00": 5},
    ),
    # staffing rises 2 -> 5 at 11:00 into a queue, falls 5 -> 2 at 13:00, turn_away
    "staffed-rise-fall-turn-away": Case(
        per_hour=(18, 36, 27, 15, 18, 21),
        staffed=(2, 5, 5, 2, 2, 3),
        service_mean=6.0,
        theta=20.0,
        limit=5,
        closing="turn_away",
        days=300,
        replications=20,
        seed=1404,
        staffing={"10:00-11:00": 2, "11:00-13:00": 5, "13:00-15:00": 2, "15:00-16:00": 3},
    ),
}


def scenario(case: Case) -> dict[str, Any]:
    """The case as a scenario dict (like :func:`tests.theory.support.scenario`)."""
    weights = dict(zip(range(OPEN, CLOSE), case.per_hour, strict=True))
    site: dict[str, Any] = {
        "id": "office",
        "kind": "office",
        "location": LOCATION,
        "counters": case.staffed[0],
        "opening_hours": {"mon-sun": [f"{OPEN}:00-{CLOSE}:00"]},
        "queue_capacity": case.limit,
        "closing": case.closing,
    }
    if case.staffing is not None:
        site["staffing"] = {"mon-sun": dict(case.staffing)}
    return {
        "name": "staffing-transient",
        "calendar": {"start": "2023-01-02", "days": case.days, "warmup_days": 0},
        "errands": [
            {
                "id": "any",
                "share": 1.0,
                "service_minutes": {"dist": "exponential", "mean": case.service_mean},
            }
        ],
        # M[h] = w_h * 24 / sum(w), so per_hour = sum(w) / 24 gives w_h arrivals in hour h
        "demand_profile": {"hour": weights},
        "areas": [
            {
                "id": "area",
                "population": 1,
                "location": LOCATION,
                "demand": {"per_hour": sum(case.per_hour) / 24.0},
            }
        ],
        "sites": [site],
        "behaviour": {
            "patience_minutes": {"dist": "exponential", "mean": case.theta},
            "balk_queue_length": "none",
            "max_deferral_days": 0,
        },
    }


def chain(case: Case, **change: Any) -> Day:
    """The exact day of the case (``change``: a deliberately wrong model, for power)."""
    args: dict[str, Any] = {
        "lam": case.lam(),
        "staffed": case.staff(),
        "open_hour": OPEN,
        "close_hour": CLOSE,
        "mu": 1.0 / case.service_mean,
        "theta": case.theta,
        "limit": case.limit,
        "closing": case.closing,
    }
    args.update(change)
    return solve_day(**args)


@cache
def run_case(name: str) -> Any:
    case = CASES[name]
    doc = scenario(case)
    if case.staffing is not None:
        try:
            simulation.load_scenario(doc)
        except ScenarioError as err:
            if "staffing" in str(err):
                pytest.skip(f"the scenario schema does not accept `staffing` yet: {err}")
            raise
    return simulation.run(doc, replications=case.replications, seed=case.seed)


def per_hour(result: Any, column: str) -> pd.DataFrame:
    """Per replication (rows) and clock hour (columns): the mean over days of a site-hours
    column; hours the table leaves out (closed, nobody there) count as 0."""
    hours = result.site_hours
    days = result.scenario.calendar.days
    sums = hours.pivot_table(index="replication", columns="hour", values=column, aggfunc="sum")
    return sums.reindex(columns=range(24), fill_value=0.0).fillna(0.0) / days


def daily(result: Any, outcome: str) -> np.ndarray:
    """Per replication: the number of visits with this outcome per day."""
    visits = result.visits
    n = (visits["outcome"] == outcome).groupby(visits["replication"]).sum()
    return n.sort_index().to_numpy() / result.scenario.calendar.days


def check(values: Any, expected: float, what: str, floor: float) -> Interval:
    """:func:`check_covers` with the half-width bounded by 6% of the value or ``floor``
    (for values near 0, such as the queue in the first hour)."""
    return check_covers(values, expected, what, max_rel_half=max(0.06, floor / abs(expected)))


def excluded(ci: dict[str, Interval], wrong: dict[str, float]) -> list[str]:
    return [k for k, v in wrong.items() if not ci[k].covers(v)]


@pytest.mark.parametrize("name", list(CASES))
def test_hourly_and_daily_match_the_chain(name):
    """Hourly mean queue and busy counters, daily served / reneged / balked / turned away.

    Tolerance: 99% t intervals over 20 replications of 300 days (fixed seed; each of the
    ~40 assertions of a case fails for ~1% of seeds with a correct model, and the seed is
    fixed so the test is deterministic). Half-widths are asserted at most 6% of the value,
    or 0.03 (queue, busy) / 0.3 visitors a day (counts) where the value is small.
    """
    case = CASES[name]
    result = run_case(name)
    exact = chain(case)
    label = f"{name}"
    visits = result.visits
    assert not visits["outcome"].isin(["pending", "no_option", "declined"]).any()
    arrived = len(visits) / result.scenario.calendar.days / case.replications
    assert arrived == pytest.approx(exact.arrived, rel=0.02)

    queue, busy = per_hour(result, "queue_mean"), per_hour(result, "busy_mean")
    ci: dict[str, Interval] = {}
    for h in HOURS:
        if exact.queue[h] > 1e-3:
            ci[f"queue@{h}"] = check(queue[h], exact.queue[h], f"{label} queue {h}:00", 0.03)
        else:
            assert queue[h].max() <= 0.05, f"{label} queue {h}:00 should be ~0"
        if exact.busy[h] > 1e-3:
            ci[f"busy@{h}"] = check(busy[h], exact.busy[h], f"{label} busy {h}:00", 0.03)
    for key in COUNTS:
        want = getattr(exact, key)
        got = daily(result, OUTCOME[key])
        if want > 1e-3:
            ci[key] = check(got, want, f"{label} {key} per day", 0.3)
        else:
            assert got.max() == 0, f"{label}: nobody should be {key}"
    # staffing in the record (open_counters is counters x open fraction of the hour)
    opened = per_hour(result, "open_counters")
    for h, s in case.staff().items():
        assert opened[h].to_numpy() == pytest.approx(s), f"{label} open counters {h}:00"

    # power: each wrong model moves the value it acts on (for staffing an hour late: some
    # value) out of its interval
    wrong_models: dict[str, tuple[dict[str, Any], str | None]] = {
        "limit + 1": ({"limit": case.limit + 1}, "balked"),
        "patience x 1.2": ({"theta": case.theta * 1.2}, "reneged"),
        "service x 1.05": ({"mu": 1.0 / (case.service_mean * 1.05)}, f"busy@{OPEN + 1}"),
    }
    if len(set(case.staffed)) > 1:
        late = {h: case.staff()[max(h - 1, OPEN)] for h in case.staff()}
        fall = next(h for h in case.staff() if h > OPEN and case.staff()[h] < case.staff()[h - 1])
        wrong_models["fall drains the queue"] = ({"fall": "drain"}, f"queue@{fall}")
        wrong_models["staffing an hour late"] = ({"staffed": late}, None)
    for what, (change, key) in wrong_models.items():
        other = chain(case, **change)
        values = {f"queue@{h}": other.queue[h] for h in HOURS}
        values |= {f"busy@{h}": other.busy[h] for h in HOURS}
        values |= {k: getattr(other, k) for k in COUNTS}
        out = excluded(ci, {k: v for k, v in values.items() if k in ci})
        print(f"{label} power, {what}: outside {len(out)} of {len(ci)} intervals: {out}")
        assert (key in out) if key else out, f"{label}: the wrong model ({what}) is not excluded"


def test_staffed_cases_fall_while_every_counter_is_busy():
    """The staffed cases are the ones the issue asks for: the count rises and falls during
    the day, and a fall meets every counter busy with high probability (from the chain)."""
    case = CASES["staffed-fall-rise"]
    day = chain(case)
    assert case.staffed[1] > case.staffed[2] < case.staffed[4]
    assert day.all_busy[12] > 0.5, day.all_busy[12]
    # the fall rule matters: counters that kept taking the waiting would shorten the queue
    assert chain(case, fall="drain").queue[12] < 0.9 * day.queue[12]
