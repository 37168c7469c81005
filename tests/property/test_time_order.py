"""Every visitor's times are ordered and consistent, on random valid scenarios.

Each test states one property that must hold for *every* scenario and seed; the checks are
computed independently from the output tables by the oracle in ``tests/property/oracle.py``.
``docs/testing.md`` lists every invariant with the test that checks it.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given

from tests.property.hypothesis_settings import PROPERTY
from tests.property.oracle import EPS, check_records, in_windows, run, site_runs
from tests.strategies import scenarios


@PROPERTY
@given(scenarios())
def test_times_are_ordered_and_consistent(doc):
    """need <= arrival <= start <= end; wait = start - arrival; end = start + drawn service."""
    r = run(doc)
    max_defer = r.network.scenario.behaviour.max_deferral_days
    for _rep, v in r.by_replication():
        went = v["site"].notna().to_numpy()
        need, arrival = v["need_min"].to_numpy(), v["arrival_min"].to_numpy()
        travel = v["travel_min"].to_numpy()
        assert (arrival[went] >= need[went] + travel[went] - EPS).all(), (
            "arrived before need + travel"
        )
        assert (travel[went] >= 0).all()
        defer = v["deferral_days"].to_numpy()[went]
        assert ((defer >= 0) & (defer <= max_defer) & (defer == np.floor(defer))).all()
        day = np.floor(arrival[went] / 1440) - np.floor(need[went] / 1440)
        # deferral counts days to the arrival: a deferred visitor arrives on the day its window
        # opens, also when the window runs past midnight (docs/model.md, section 7)
        assert (defer == day).all(), "deferral_days is not the arrival day minus the need day"
        started = ~np.isnan(v["start_min"].to_numpy())
        wait = v["wait_min"].to_numpy()
        np.testing.assert_allclose(
            wait[started], (v["start_min"] - v["arrival_min"]).to_numpy()[started], atol=1e-9
        )
        assert (wait[started] >= -EPS).all()
        gone = v["outcome"].isin(["reneged", "closed"]).to_numpy()
        np.testing.assert_allclose(
            wait[gone], (v["leave_min"] - v["arrival_min"]).to_numpy()[gone], atol=1e-9
        )
        assert (wait[(v["outcome"] == "balked").to_numpy()] == 0).all()
        served = (v["outcome"] == "served").to_numpy()
        np.testing.assert_allclose(
            v["service_min"].to_numpy()[served], (v["end_min"] - v["start_min"]).to_numpy()[served]
        )
        assert (v["counted"] == (v["need_min"] >= r.network.scenario.calendar.warmup_min)).all()
        # each arrival lies inside a window of its own place
        for p, place in enumerate(r.network.places):
            mine = v["place"].cat.codes.to_numpy() == p
            assert in_windows(arrival[mine], place.starts, place.ends).all(), (
                f"arrival outside {place.id}"
            )
    for _rep, _k, s, _ in site_runs(r):
        check_records(s)
