"""Utilisation, the site-hour table and Little's law, on random valid scenarios.

Each test states one property that must hold for *every* scenario and seed; the checks are
computed independently from the output tables by the oracle in ``tests/property/oracle.py``.
``docs/testing.md`` lists every invariant with the test that checks it.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from tests.property.hypothesis_settings import PROPERTY
from tests.property.oracle import run, site_runs
from tests.strategies import scenarios


@PROPERTY
@given(scenarios())
def test_utilisation_within_unit_interval(doc):
    r = run(doc)
    k = r.kpis
    util = k[k["kpi"] == "utilisation"]["value"].dropna()
    assert ((util >= 0) & (util <= 1 + 1e-12)).all(), util[(util < 0) | (util > 1)]
    sh = r.site_hours
    counters = sh["site"].map({x.id: x.counters for x in r.network.scenario.sites}).astype(float)
    # the table integrates by prefix sums, so an empty hour may come out as -1e-12
    assert (sh["busy_mean"] >= -1e-9).all() and (sh["queue_mean"] >= -1e-9).all()
    assert (sh["busy_mean"] <= counters + 1e-9).all(), "more counters busy than exist"
    assert (sh["open_counters"] <= counters + 1e-9).all()


@PROPERTY
@given(scenarios())
def test_site_hours_add_up_to_site_kpis(doc):
    """Summed over hours after the warm-up, the site-hour table gives the KPI's busy and open
    counter-minutes (the two are computed by different code from the same records)."""
    r = run(doc)
    sh = r.site_hours
    warm = r.network.scenario.calendar.warmup_days
    for rep in range(r.replications):
        k = r.kpi(rep)
        for x in r.network.scenario.sites:
            rows = sh[(sh["replication"] == rep) & (sh["site"] == x.id) & (sh["day"] >= warm)]
            assert (rows["busy_mean"].sum() * 60) == pytest.approx(
                k[("site", x.id, "busy_counter_min")], rel=1e-9, abs=1e-6
            )
            assert (rows["open_counters"].sum() * 60) == pytest.approx(
                k[("site", x.id, "open_counter_min")], rel=1e-9, abs=1e-6
            )


@PROPERTY
@given(scenarios(aligned=True))
def test_busy_time_utilisation_equals_time_weighted(doc):
    """With windows on whole hours every clock hour is fully open or fully closed, so
    utilisation (busy counter-minutes inside windows / open counter-minutes) equals
    sum(busy_mean) / sum(open_counters) over the open hours after the warm-up."""
    r = run(doc)
    sh = r.site_hours
    warm = r.network.scenario.calendar.warmup_days
    k = r.kpi(0)
    for x in r.network.scenario.sites:
        rows = sh[(sh["site"] == x.id) & (sh["day"] >= warm) & (sh["open_counters"] > 0)]
        assert np.isin(rows["open_counters"], [x.counters]).all(), "a partly open hour"
        util = k[("site", x.id, "utilisation")]
        if rows.empty:
            assert np.isnan(util)
            continue
        assert util == pytest.approx(
            rows["busy_mean"].sum() / rows["open_counters"].sum(), rel=1e-9, abs=1e-12
        )


@PROPERTY
@given(scenarios())
def test_littles_law_on_site_hours(doc):
    """L = lambda W over the whole horizon, per site.

    L is the time-average number waiting from the site-hour table, lambda the number of
    visitors who joined the queue per minute, W their mean time in queue, each waiting time
    cut at the horizon. Computed from the same intervals this is an identity (no edge
    effects), so the tolerance is float rounding only: relative 1e-9. The same holds for
    counters: mean busy = served-or-started per minute x mean (cut) service time.
    """
    r = run(doc)
    sh = r.site_hours
    horizon = r.horizon
    for rep, k, s, _ in site_runs(r):
        rows = sh[(sh["replication"] == rep) & (sh["site"] == r.network.scenario.sites[k].id)]
        L = rows["queue_mean"].sum() * 60 / horizon
        begin, end = s.waiting()
        n = len(begin)
        W = float((end - begin).mean()) if n else 0.0
        assert L == pytest.approx(n / horizon * W, rel=1e-9, abs=1e-12), s.label
        b, e = s.busy()
        B = rows["busy_mean"].sum() * 60 / horizon
        assert B == pytest.approx(
            len(b) / horizon * (float((e - b).mean()) if len(b) else 0.0), rel=1e-9, abs=1e-12
        )
