"""Mobile units in whole runs: nobody served while the unit is away, common random
numbers with an unreachable unit, and the trade-off shown by the examples.
"""

from __future__ import annotations

import simulation
from tests.mobile_support import base, with_unit


def test_nobody_served_while_unit_is_away():
    """Under turn_away, every service starts inside one of the stop's windows."""
    doc = with_unit(
        base(), {"area": "a", "days": ["tue", "thu"], "hours": ["10:00-12:00"]}, closing="turn_away"
    )
    doc["sites"] = doc["sites"][1:]
    doc["areas"][0]["demand"] = {"per_hour": 6}
    result = simulation.run(doc, replications=2)
    v = result.visits
    started = v.dropna(subset=["start_min"])
    assert len(started) > 20
    minute = started["start_min"] % 1440
    weekday = (started["start_min"] // 1440) % 7
    assert set(weekday.astype(int)) <= {1, 3}
    assert ((minute >= 600) & (minute < 720)).all()
    arrived = v.dropna(subset=["arrival_min"])
    assert (
        ((arrived["arrival_min"] % 1440) >= 600) & ((arrived["arrival_min"] % 1440) < 720)
    ).all()
    assert (v["outcome"] == "closed").sum() > 0


def test_unreachable_unit_leaves_every_visitor_unchanged():
    """Common random numbers: a unit nobody can reach changes no need, errand or outcome."""
    doc = base()
    doc["travel"]["max_travel_minutes"] = 60
    doc["areas"][0]["demand"] = {"per_hour": 3}
    doc["behaviour"]["patience_minutes"] = {"dist": "exponential", "mean": 20}
    far = with_unit(
        doc, {"location": {"lat": 65.0, "lon": 20.0}, "days": ["mon-fri"], "hours": ["10:00-16:00"]}
    )
    a = simulation.run(doc, replications=2).visits
    b = simulation.run(far, replications=2).visits
    for col in ("need_min", "errand", "outcome", "arrival_min", "start_min", "wait_min"):
        assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), col
    assert (a["outcome"] == "served").sum() > 100


def test_examples_show_the_trade_off():
    """Same seed: the mobile unit and the new office both cut unserved demand in vulnerable
    areas against fixed offices only, and both cost staff hours."""
    from tests.conftest import EXAMPLES

    got = {}
    for name in ("fixed", "mobile", "new-office"):
        r = simulation.run(EXAMPLES / f"norrkoping-{name}.yaml", replications=3)
        got[name] = (
            r.kpi("unserved_per_1000_yr", "group", "vulnerable")["mean"],
            r.kpi("staff_hours_per_week")["mean"],
        )
        if name == "mobile":
            assert r.kpi("mobile_share", "group", "vulnerable")["mean"] > 0.2
            assert r.kpi("served", "stop", "unit@navestad".replace("unit", "mobile-1"))["mean"] > 0
    assert got["mobile"][0] < got["fixed"][0] and got["new-office"][0] < got["fixed"][0]
    assert got["mobile"][1] > got["fixed"][1] and got["new-office"][1] > got["fixed"][1]
