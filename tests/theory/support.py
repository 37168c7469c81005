"""Scenarios and confidence intervals shared by the theory tests.

Every statistical assertion has the same shape: one estimate per independent replication,
a Student t interval over those estimates, and the analytic value must lie inside it.
Replications use separate random streams, so their estimates are independent and
identically distributed, and the t interval is exact up to the normality of per-replication
means (each averages tens of thousands of visitors).

The seed of every test is fixed, so each test is deterministic: it does not fail at random
from run to run, and with a correct model each assertion fails for about 1% of possible
seeds. A test also asserts that its interval is narrow (half-width at most a few percent of
the analytic value), so the interval is not just wide enough to cover anything: a model that
is off by about that much would fail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.99
"""Confidence level of every interval in the theory tests."""

LOCATION = {"lat": 59.0, "lon": 18.0}


def scenario(
    *,
    lam: float,
    counters: int,
    days: int,
    service_mean: float = 1.0,
    warmup_days: int = 1,
    queue_capacity: int | None = None,
    patience_mean: float | None = None,
) -> dict[str, Any]:
    """A single always-open office fed by Poisson arrivals: an M/M/c-type queue.

    ``lam`` is the arrival rate per minute, ``service_mean`` the mean (exponential) service
    time in minutes. The area and the office share a location, so travel takes 0 minutes
    and arrival times are the need times: a homogeneous Poisson process. No deferral and
    a flat profile, so every need goes straight to the office. The warm-up (at least a day,
    hundreds of relaxation times of these queues) removes the empty-start transient.
    """
    site: dict[str, Any] = {
        "id": "office",
        "kind": "office",
        "location": LOCATION,
        "counters": counters,
        "opening_hours": "always",
    }
    if queue_capacity is not None:
        site["queue_capacity"] = queue_capacity
    patience: Any = (
        "none" if patience_mean is None else {"dist": "exponential", "mean": patience_mean}
    )
    return {
        "name": "theory",
        "calendar": {"start": "2023-01-02", "days": days, "warmup_days": warmup_days},
        "errands": [
            {
                "id": "any",
                "share": 1.0,
                "service_minutes": {"dist": "exponential", "mean": service_mean},
            }
        ],
        "demand_profile": "flat",
        "areas": [
            {
                "id": "area",
                "population": 1,
                "location": LOCATION,
                "demand": {"per_hour": lam * 60.0},
            }
        ],
        "sites": [site],
        "behaviour": {
            "patience_minutes": patience,
            "balk_queue_length": "none",
            "max_deferral_days": 0,
        },
    }


@dataclass(frozen=True)
class Interval:
    """A two-sided t confidence interval for a mean over replications."""

    mean: float
    half: float
    n: int
    level: float

    @property
    def low(self) -> float:
        return self.mean - self.half

    @property
    def high(self) -> float:
        return self.mean + self.half

    def covers(self, value: float) -> bool:
        """Whether ``value`` lies inside the closed interval."""
        return self.low <= value <= self.high

    def describe(self, reference: float) -> str:
        """The interval and its half-width relative to ``reference``."""
        rel = self.half / abs(reference) if reference else math.inf
        return (
            f"{self.mean:.5g} [{self.low:.5g}, {self.high:.5g}] "
            f"({self.level:.0%} CI, n={self.n}, half-width {rel:.1%} of {reference:.5g})"
        )


def t_interval(values: Any, level: float = LEVEL) -> Interval:
    """The t interval of the mean of per-replication ``values``."""
    x = np.asarray(values, dtype=float)
    if len(x) < 2 or not np.all(np.isfinite(x)):
        raise AssertionError(f"need at least two finite per-replication values, got {x}")
    half = stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return Interval(float(x.mean()), float(half), len(x), level)


def check_covers(values: Any, expected: float, what: str, max_rel_half: float = 0.06) -> Interval:
    """Assert that ``expected`` lies inside the 99% t interval of ``values``, and that the
    interval is tight: its half-width at most ``max_rel_half`` of ``expected``.

    Prints the interval (shown with ``pytest -rP``) so the observed precision can be read off.
    """
    ci = t_interval(values)
    print(f"{what}: analytic {expected:.5g}, simulated {ci.describe(expected)}")
    assert ci.covers(expected), (
        f"{what}: analytic value {expected:.6g} lies outside the simulated {ci.describe(expected)}"
    )
    assert ci.half <= max_rel_half * abs(expected), (
        f"{what}: interval too wide to detect a {max_rel_half:.0%} error: {ci.describe(expected)}"
    )
    return ci


def check_excludes(ci: Interval, wrong: float, what: str) -> None:
    """Assert that a deliberately wrong analytic value lies outside the interval (power)."""
    assert not ci.covers(wrong), f"{what}: wrong value {wrong:.6g} is inside {ci.describe(wrong)}"


def counted(visits: pd.DataFrame) -> pd.DataFrame:
    """The visits whose need arose after the warm-up."""
    return visits[visits["counted"].to_numpy()]


def by_replication(values: Any, visits: pd.DataFrame) -> np.ndarray:
    """Per-replication mean of ``values`` (one per row of ``visits``), in replication order."""
    x = pd.Series(np.asarray(values, dtype=float))
    return x.groupby(visits["replication"].to_numpy()).mean().to_numpy()


def share(visits: pd.DataFrame, outcome: str) -> np.ndarray:
    """Per replication: share of the (counted) visits with this outcome."""
    return by_replication(visits["outcome"].to_numpy() == outcome, visits)


def kpi(result: Any, name: str) -> np.ndarray:
    """Per-replication values of an overall KPI, in replication order."""
    k = result.kpis
    rows = k[(k["scope"] == "overall") & (k["id"] == "all") & (k["kpi"] == name)]
    return rows.sort_values("replication")["value"].to_numpy()


def hourly_mean(result: Any, column: str) -> np.ndarray:
    """Per replication: the time average of a ``site_hours`` column after the warm-up."""
    hours = result.site_hours
    after = hours[hours["day"].to_numpy() >= result.scenario.calendar.warmup_days]
    return after.groupby("replication")[column].mean().to_numpy()
