"""The synthetic robust comparison with a known answer, shared by the robust-comparison tests.

One area of residents and one office; design ``a`` keeps the office at latitude 58.0, design
``b`` moves it to 58.1, on the residents' meridian. The uncertain inputs are where the
residents live (``areas.home.location.lat``, 57.96 to 58.16), their patience and the demand
rate. Service and patience are deterministic and every need is served, so each need travels
exactly the distance to the office: ``travel_mean`` is a known function of the residents'
latitude alone (great-circle distance along a meridian, × detour 1 at 60 km/h: minutes =
km), and the choice flips where the residents are equidistant, at latitude 58.05 exactly.
Patience and demand change nothing in ``travel_mean``: their true sensitivity is zero.
"""

from __future__ import annotations

import copy
from typing import Any

FLIP_LAT = 58.05
LAT_RANGE = (57.96, 58.16)
SHARE_BELOW = (FLIP_LAT - LAT_RANGE[0]) / (LAT_RANGE[1] - LAT_RANGE[0])  # 0.45: design a wins

SCENARIO: dict[str, Any] = {
    "name": "flip",
    "calendar": {"start": "2023-01-02", "days": 7, "warmup_days": 0},
    "seed": 7,
    "errands": [
        {"id": "e", "share": 1.0, "service_minutes": {"dist": "deterministic", "value": 5}}
    ],
    "demand_profile": {
        "weekday": {"mon": 1, "tue": 1, "wed": 1, "thu": 1, "fri": 1, "sat": 0, "sun": 0},
        "hour": {10: 1, 11: 1},
    },
    "areas": [
        {
            "id": "home",
            "population": 2000,
            "location": {"lat": 58.05, "lon": 16.0},
            "demand": {"per_1000_per_year": 500},
        },
    ],  # fmt: skip
    "sites": [
        {
            "id": "office",
            "kind": "office",
            "location": {"lat": 58.0, "lon": 16.0},
            "counters": 3,
            "opening_hours": {"mon-fri": ["10:00-12:00"]},
        },
    ],  # fmt: skip
    "travel": {"speed_kmh": 60, "detour_factor": 1.0, "max_travel_minutes": 120},
    "behaviour": {"patience_minutes": {"dist": "deterministic", "value": 30}},
}

INPUTS: dict[str, Any] = {
    "areas.home.location.lat": {"low": LAT_RANGE[0], "high": LAT_RANGE[1]},
    "behaviour.patience_minutes.value": {"low": 20, "high": 40},
    "areas[*].demand.per_1000_per_year": {"scale": {"low": 0.8, "high": 1.2}},
}


def flip_sweep(
    worlds: int = 32, sampler: str = "lhs", replications: int = 2, **extra: Any
) -> dict[str, Any]:
    """The synthetic sweep: designs ``a`` and ``b``, KPI ``travel_mean``, three uncertain inputs."""
    doc: dict[str, Any] = {
        "name": "flip",
        "scenario": copy.deepcopy(SCENARIO),
        "seed": 11,
        "replications": 2,
        "kpis": ["travel_mean"],
        "designs": {"a": {}, "b": {"set": {"sites.office.location.lat": 58.1}}},
        "uncertain": {
            "worlds": worlds,
            "sampler": sampler,
            "replications": replications,
            "inputs": copy.deepcopy(INPUTS),
        },
    }
    doc.update(extra)
    return doc
