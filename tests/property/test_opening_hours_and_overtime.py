"""Closing policies, overtime and the stops of mobile units, on random valid scenarios.

Each test states one property that must hold for *every* scenario and seed; the checks are
computed independently from the output tables by the oracle in ``tests/property/oracle.py``.
``docs/testing.md`` lists every invariant with the test that checks it.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given

from simulation.scenario.schema import Mobile
from tests.property.hypothesis_settings import PROPERTY
from tests.property.oracle import EPS, check_windows, in_windows, outside_minutes, run, site_runs
from tests.strategies import scenarios


@PROPERTY
@given(scenarios(closing="turn_away"))
def test_turn_away_serves_only_inside_windows(doc):
    """No start while closed (office) or away from the stop (mobile); queue emptied at closing;
    overtime comes only from services that started inside a window."""
    r = run(doc)
    for _rep, _k, s, sv in site_runs(r):
        check_windows(s)
        places = sv["place"].cat.codes.to_numpy()
        for p in np.unique(places[s.started]):
            starts, ends = r.network.place_windows(int(p))
            mine = s.started & (places == p)
            assert in_windows(s.start[mine], starts, ends).all(), (
                f"{s.label}: started away from {r.network.places[p].id}"
            )
        # overtime comes only from the tails of services that began inside a window: the part
        # of each service before the closing of its window is all inside opening hours
        begin, end = s.busy()
        if len(begin):
            close = s.ends[np.searchsorted(s.starts, begin, side="right") - 1]
            tail = np.minimum(np.maximum(begin, close), end)
            assert outside_minutes(begin, end, s.starts, s.ends) == pytest.approx(
                outside_minutes(tail, end, s.starts, s.ends), abs=1e-6
            ), s.label


@PROPERTY
@given(scenarios(closing="serve_queue"))
def test_serve_queue_starts_outside_hours_only_as_overtime(doc):
    """Outside the windows, service starts only for people who arrived before closing."""
    for *_, s, _ in site_runs(run(doc)):
        check_windows(s)


@PROPERTY
@given(scenarios())
def test_overtime_kpi_is_busy_time_outside_windows(doc):
    """overtime_min = busy counter-minutes outside the open windows (after the warm-up), per
    site and per mobile stop; busy = utilisation * open + overtime."""
    r = run(doc)
    warm = r.network.scenario.calendar.warmup_min
    for rep, v in r.by_replication():
        k = r.kpi(rep)
        started = v[v["start_min"].notna()]
        begin = np.maximum(started["start_min"].to_numpy(), warm)
        end = started["end_min"].fillna(r.horizon).to_numpy()
        ok = end > begin
        site = started["site"].cat.codes.to_numpy()
        place = started["place"].cat.codes.to_numpy()
        groups = [
            (site == x, r.network.site_starts[x], r.network.site_ends[x], "site", x_doc.id)
            for x, x_doc in enumerate(r.network.scenario.sites)
        ]
        groups += [
            (place == q, *r.network.place_windows(q), "stop", pl.id)
            for q, pl in enumerate(r.network.places)
            if isinstance(r.network.scenario.sites[pl.site], Mobile)
        ]
        for mask, starts, ends, scope, ident in groups:
            starts = np.maximum(starts, warm)
            keep = ends > starts
            b, e = begin[mask & ok], end[mask & ok]
            over = outside_minutes(b, e, starts[keep], ends[keep])
            got = k[(scope, ident, "overtime_min")]
            assert got == pytest.approx(over, abs=1e-5), (
                f"{scope} {ident}: overtime {got}, busy outside {over}"
            )
            busy = k[(scope, ident, "busy_counter_min")]
            assert busy == pytest.approx(float((e - b).sum()), abs=1e-6)
            util, open_min = k[(scope, ident, "utilisation")], k[(scope, ident, "open_counter_min")]
            if open_min > 0:
                assert util * open_min + got == pytest.approx(busy, rel=1e-9, abs=1e-5)


# A unit at stop "a" on Monday 10-11 and at another place on Tuesday 10-11, one counter,
# serve_queue, 60-minute services: Monday's queue is still being served on Tuesday after 10:00,
# while the unit is scheduled at the other stop (documented in docs/model.md, section 4.3).
SPILL = {
    "name": "spill",
    "calendar": {"start": "2023-01-02", "days": 2},
    "seed": 1,
    "errands": [
        {"id": "e", "share": 1.0, "service_minutes": {"dist": "deterministic", "value": 60}}
    ],
    "demand_profile": {"weekday": {"mon": 1}, "hour": {10: 1}},
    "areas": [
        {
            "id": "a",
            "population": 1000,
            "location": {"lat": 58.41, "lon": 15.62},
            "demand": {"per_hour": 0.3},
        }
    ],
    "sites": [
        {
            "id": "unit",
            "kind": "mobile",
            "counters": 1,
            "closing": "serve_queue",
            "schedule": [
                {"area": "a", "days": ["mon"], "hours": ["10:00-11:00"]},
                {
                    "location": {"lat": 58.45, "lon": 15.70},
                    "days": ["tue"],
                    "hours": ["10:00-11:00"],
                },
            ],
        }
    ],
    "behaviour": {"max_deferral_days": 0},
}


@PROPERTY
@example(doc=SPILL)
@given(scenarios(n_mobiles=(1, 2), n_offices=(0, 1), days=(2, 4), max_needs=400.0))
def test_mobile_unit_serves_other_stops_visitors_only_as_overtime(doc):
    """A unit has one queue for all its stops (docs/model.md 4.3). A visitor of stop A
    starts while the unit is scheduled at stop B only under ``serve_queue``, as overtime of
    an A window that closed before; and the unit's overtime is the sum of its stops'
    overtime minus exactly that busy time inside other stops' windows."""
    r = run(doc)
    warm = r.network.scenario.calendar.warmup_min
    for rep, k, s, sv in site_runs(r):
        unit = r.network.scenario.sites[k]
        if not isinstance(unit, Mobile):
            continue
        places = sv["place"].cat.codes.to_numpy()
        mine_places = [q for q, pl in enumerate(r.network.places) if pl.site == k]
        begin, end = s.busy()
        b = np.maximum(begin, warm)
        ok = end > b
        spill = 0.0
        for p in mine_places:
            own_starts, own_ends = r.network.place_windows(p)
            mine = s.started & (places == p)
            busy_mine = (places[s.started] == p) & ok
            for q in mine_places:
                if q == p:
                    continue
                starts, ends = r.network.place_windows(q)
                at_other = in_windows(s.start[mine], starts, ends)
                assert not (s.turn_away and at_other.any()), (
                    f"{s.label}: turn_away unit served a visitor of {r.network.places[p].id} at another stop"
                )
                for i in np.flatnonzero(mine)[at_other]:
                    closed = own_ends[own_ends <= s.start[i] + EPS]
                    assert len(closed) and s.arrival[i] < closed.max(), (
                        f"{s.label}: visitor {s.visitor[i]} started at another stop, not as overtime"
                    )
                starts_w = np.maximum(starts, warm)
                keep = ends > starts_w
                inside = np.clip(
                    np.minimum(end[busy_mine][:, None], ends[keep][None, :])
                    - np.maximum(b[busy_mine][:, None], starts_w[keep][None, :]),
                    0,
                    None,
                )
                spill += float(inside.sum())
        kpi = r.kpi(rep)
        stops = sum(kpi[("stop", r.network.places[q].id, "overtime_min")] for q in mine_places)
        assert kpi[("site", unit.id, "overtime_min")] == pytest.approx(stops - spill, abs=1e-4), (
            f"{s.label}: unit overtime != stops' overtime - busy time at other stops ({spill})"
        )
