"""Absolute KPIs for comparing regions: unserved needs and served needs a year.

``unserved_needs_per_yr`` is the count of unserved needs over the counted days, scaled to a
year; it must equal ``unserved_per_1000_yr`` × population / 1,000 at every need scope, and
``served_per_yr`` the served count scaled the same way.
"""

from __future__ import annotations

import pytest

import simulation
from simulation.scenario.kpi_catalogue import KPI_NAMES
from tests.conftest import EXAMPLES


def test_absolute_kpis_are_counts_a_year():
    scenario = simulation.load_scenario(EXAMPLES / "two-areas.yaml")
    result = simulation.run(scenario, replications=1)
    k = result.kpis
    years = (scenario.calendar.days - scenario.calendar.warmup_days) / 365.0
    population = {a.id: a.population for a in scenario.areas}
    pops = {
        ("overall", "all"): sum(population.values()),
        ("group", "vulnerable"): sum(a.population for a in scenario.areas if a.vulnerable),
        **{("area", a): p for a, p in population.items()},
    }
    for (scope, ident), pop in pops.items():
        rows = k[(k["scope"] == scope) & (k["id"] == ident)].set_index("kpi")["value"]
        assert rows["unserved"] > 0
        assert rows["unserved_needs_per_yr"] == pytest.approx(rows["unserved"] / years)
        assert rows["unserved_needs_per_yr"] == pytest.approx(
            rows["unserved_per_1000_yr"] * pop / 1000
        )
        assert rows["served_per_yr"] == pytest.approx(rows["served"] / years)
    sites = k[k["scope"] == "site"]
    assert "unserved_needs_per_yr" not in set(sites["kpi"])


def test_absolute_kpis_are_in_the_catalogue_for_need_scopes_only():
    for scope in ("overall", "group", "area"):
        assert {"unserved_needs_per_yr", "served_per_yr"} <= KPI_NAMES[scope]
    for scope in ("site", "stop"):
        assert "unserved_needs_per_yr" not in KPI_NAMES[scope]
