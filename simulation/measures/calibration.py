"""Sanity check of simulated throughput against sourced figures.

Statens servicecenter's offices average about 75 visits per opening day (2.8 million visits,
149 offices, 250 days) and 15–23 visits per staff-day (``docs/scenarios.md``, domain notes
§1.2). A staff-day here is 6 open counter-hours (assumption A1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.engine.network import compile_network
from simulation.scenario.schema import Office, Scenario

STAFF_DAY_MIN = 6 * 60.0
PER_STAFF_DAY = (15.0, 23.0)
PER_OFFICE_DAY_NATIONAL = 75.0
UTILISATION = (0.4, 0.95)


@dataclass(frozen=True)
class Calibration:
    """Served visits per office-day and per staff-day, and utilisation, of the offices."""

    per_office_day: float
    per_staff_day: float
    utilisation: float

    @property
    def plausible(self) -> bool:
        """Whether per staff-day and utilisation fall in the sourced / plausible ranges."""
        lo, hi = PER_STAFF_DAY
        return (
            lo * 0.8 <= self.per_staff_day <= hi * 1.1
            and UTILISATION[0] <= self.utilisation <= UTILISATION[1]
        )

    def line(self) -> str:
        """One line for the terminal."""
        verdict = (
            "plausible"
            if self.plausible
            else "OUTSIDE the sourced ranges: check demand and counters"
        )
        return (
            f"Calibration (offices): {self.per_office_day:.0f} served visits per office-day "
            f"(national average ~{PER_OFFICE_DAY_NATIONAL:.0f}), {self.per_staff_day:.1f} per staff-day "
            f"of 6 counter-hours (sourced {PER_STAFF_DAY[0]:.0f}-{PER_STAFF_DAY[1]:.0f}), "
            f"utilisation {self.utilisation:.0%}: {verdict}."
        )


def office_calibration(scenario: Scenario, kpis: pd.DataFrame) -> Calibration | None:
    """Calibration figures of the fixed offices from a long KPI table (one or more replications).

    Returns ``None`` when the scenario has no office or nothing was open.
    """
    network = compile_network(scenario)
    warmup = scenario.calendar.warmup_min
    offices = [(k, s) for k, s in enumerate(scenario.sites) if isinstance(s, Office)]
    site_rows = kpis[kpis["scope"] == "site"]
    reps = max(int(kpis["replication"].nunique()), 1)
    served = open_min = busy_in = 0.0
    office_days = 0
    for k, site in offices:
        wide = site_rows[site_rows["id"] == site.id].pivot_table(
            index="replication", columns="kpi", values="value", aggfunc="first", dropna=False
        )
        if wide.empty:
            continue
        served += float(wide["served"].sum())
        open_min += float(wide["open_counter_min"].sum())
        busy_in += float(np.nansum(wide["utilisation"] * wide["open_counter_min"]))
        starts = network.site_starts[k]
        office_days += len({int(s // 1440) for s in starts if s >= warmup})
    if not offices or open_min <= 0 or office_days == 0:
        return None
    return Calibration(
        per_office_day=served / reps / office_days,
        per_staff_day=served / (open_min / STAFF_DAY_MIN),
        utilisation=busy_in / open_min,
    )
