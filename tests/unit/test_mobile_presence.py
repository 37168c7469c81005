"""A mobile unit serves only while it is at a stop: the presence timeline under both
closing policies, with hand-made visitors.
"""

from __future__ import annotations

import numpy as np
import pytest

import simulation
from simulation.engine.choice import choose
from simulation.engine.network import compile_network
from simulation.engine.replication import VisitorInputs, run_visitors
from tests.mobile_support import base, with_unit


def hand_visitors(net, need, service, patience=None) -> VisitorInputs:
    """Visitors of area 0 at the given need times, choosing by the model's own rule."""
    need = np.asarray(need, dtype=float)
    n = len(need)
    errand = np.zeros(n, dtype=np.int32)
    c = choose(net, 0, need, errand, np.zeros(n))
    return VisitorInputs(
        area=np.zeros(n, dtype=np.int32),
        errand=errand,
        need=need,
        service=np.asarray(service, dtype=float),
        patience=np.full(n, np.inf) if patience is None else np.asarray(patience, dtype=float),
        place=c.place,
        arrival=c.arrival,
        travel=c.travel,
        deferral_days=c.deferral_days,
        declined=c.declined,
    )


@pytest.mark.parametrize("policy", ["serve_queue", "turn_away"])
def test_unit_presence_timeline(policy):
    """Only the unit serves (no office). It is at the area on Monday 10:00-11:00.

    Walk 5 min. Needs at 09:55, 10:00, 10:05 arrive 10:00 (window opens; u=0 puts the
    deferred arrival at opening), 10:05, 10:10; service 30 min each, one counter.

    ====  =======  =====  =====  ===========  ============
    who   arrives  start  end    serve_queue  turn_away
    ====  =======  =====  =====  ===========  ============
    0     10:00    10:00  10:30  served       served
    1     10:05    10:30  11:00  served       served
    2     10:10    11:00  11:30  served (30   closed at 11:00
                                 overtime)
    ====  =======  =====  =====  ===========  ============
    """
    doc = with_unit(
        base(delay_minutes_per_day=15),
        {"area": "a", "days": ["mon"], "hours": ["10:00-11:00"]},
        closing=policy,
    )
    doc["sites"] = doc["sites"][1:]
    doc["demand_profile"] = {"hour": {10: 1}}
    net = compile_network(simulation.load_scenario(doc))
    v = hand_visitors(net, [595.0, 600.0, 605.0], [30, 30, 30])
    assert list(v.arrival) == pytest.approx([600.0, 605.0, 610.0])
    visits = run_visitors(net, 0, v)
    assert list(visits["start_min"][:2]) == [600.0, 630.0]
    assert list(visits["end_min"][:2]) == [630.0, 660.0]
    outcome = visits["outcome"].astype(str).tolist()
    if policy == "serve_queue":
        assert outcome == ["served"] * 3
        assert visits["start_min"][2] == 660.0 and visits["end_min"][2] == 690.0
        kpis = simulation.measures.kpis.replication_kpis(net, visits, 0)
        over = kpis[(kpis.scope == "stop") & (kpis.kpi == "overtime_min")]["value"].iloc[0]
        assert over == pytest.approx(30.0)
    else:
        assert outcome == ["served", "served", "closed"]
        assert visits["leave_min"][2] == 660.0
        assert np.isnan(visits["start_min"][2])
