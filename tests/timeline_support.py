"""Helpers for the hand-traced timelines: run one site of the bare engine and compare
its records with an expected table; a tiny scenario for end-to-end runs.
"""

from __future__ import annotations

import math

import numpy as np

from simulation.engine.model import Engine, SiteSpec, Visits, as_arrays
from simulation.scenario.outcomes import OUTCOMES

INF = math.inf
NAN = math.nan


def run_engine(
    arrivals: list[float],
    service: list[float],
    patience: list[float] | None = None,
    *,
    counters: int = 1,
    limit: int | None = None,
    turn_away: bool = False,
    windows: tuple[tuple[float, float], ...] = ((0.0, 10_000.0),),
    horizon: float = 10_000.0,
    staffing: tuple[tuple[float, int], ...] = (),
) -> dict[str, np.ndarray]:
    """Run one site; visitor ``i`` arrives at ``arrivals[i]`` (sorted).

    ``staffing`` is the engine's ``(minute, counters)`` at each change (see ``SiteSpec``).
    """
    assert list(arrivals) == sorted(arrivals)
    if patience is None:
        patience = [INF] * len(arrivals)
    deadline = [a + p for a, p in zip(arrivals, patience, strict=True)]
    visits = Visits.empty(service, deadline)
    spec = SiteSpec(
        counters, limit, turn_away, [w[0] for w in windows], [w[1] for w in windows], staffing
    )
    Engine([spec], [(list(arrivals), list(range(len(arrivals))))], visits, horizon).run()
    return as_arrays(visits)


def assert_table(rec: dict[str, np.ndarray], expected: list[tuple]) -> None:
    """``expected`` rows: (visitor, start, end, leave, outcome code)."""
    got = [
        (
            i,
            rec["start_min"][i],
            rec["end_min"][i],
            rec["leave_min"][i],
            OUTCOMES[rec["outcome"][i]],
        )
        for i in range(len(expected))
    ]
    want = [(i, s, e, lv, OUTCOMES[o]) for i, s, e, lv, o in expected]
    assert len(rec["outcome"]) == len(expected)
    for g, w in zip(got, want, strict=True):
        # NaN-aware exact comparison
        assert g[0] == w[0]
        for a, b in zip(g[1:4], w[1:4], strict=True):
            assert (math.isnan(a) and math.isnan(b)) or a == b, f"visitor {g[0]}: got {g}, want {w}"
        assert g[4] == w[4], f"visitor {g[0]}: got {g}, want {w}"


def tiny_scenario(**behaviour) -> dict:
    """Mon-Fri 10:00-12:00 office, needs only 10:00-12:00 Mon-Fri, travel 0, service 5."""
    return {
        "name": "tiny",
        "calendar": {"start": "2023-01-02", "days": 14},
        "seed": 7,
        "errands": [
            {"id": "e", "share": 1.0, "service_minutes": {"dist": "deterministic", "value": 5}}
        ],
        "demand_profile": {
            "weekday": {"mon": 1, "tue": 1, "wed": 1, "thu": 1, "fri": 1},
            "hour": {10: 1, 11: 1},
        },
        "areas": [
            {
                "id": "a",
                "population": 100,
                "location": {"lat": 59.0, "lon": 18.0},
                "demand": {"per_hour": 1.0},
            }
        ],
        "sites": [
            {
                "id": "s",
                "kind": "office",
                "location": {"lat": 59.0, "lon": 18.0},
                "counters": 1,
                "opening_hours": {"mon-fri": ["10:00-12:00"]},
            }
        ],
        "behaviour": {"patience_minutes": None, "balk_queue_length": None, **behaviour},
    }
