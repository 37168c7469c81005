"""Scenario documents and helpers for the two window rules of docs/model.md §4.3 and §7
(issue 13, item 7): a unit-only and an office-only scenario, windows and one choice.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

import simulation
from simulation.engine.choice import choose
from simulation.engine.network import Network, compile_network

MONDAY = "2023-01-02"
DAY = 1440.0


def unit_only(
    *stops: dict[str, Any], closing: str = "serve_queue", setup: float = 30
) -> dict[str, Any]:
    """One area ``a``; one mobile unit with the given stops; 5-minute walk; 40-minute services."""
    return {
        "name": "schedule-rules",
        "calendar": {"start": MONDAY, "days": 7},
        "errands": [
            {"id": "e", "share": 1.0, "service_minutes": {"dist": "deterministic", "value": 40}}
        ],
        "areas": [
            {
                "id": "a",
                "population": 1000,
                "location": {"lat": 58.0, "lon": 16.0},
                "demand": {"per_hour": 1},
            }
        ],
        "sites": [
            {
                "id": "unit",
                "kind": "mobile",
                "counters": 1,
                "setup_minutes": setup,
                "closing": closing,
                "schedule": list(stops),
            }
        ],
        "travel": {"within_area_minutes": 5},
        "behaviour": {"max_deferral_days": 7},
    }


def office_only(hours: dict[str, list[str]], profile: Any = "flat") -> dict[str, Any]:
    """One area ``a`` and one office at the same point (travel 0) with the given hours."""
    return {
        "name": "overnight",
        "calendar": {"start": MONDAY, "days": 14},
        "errands": [
            {"id": "e", "share": 1.0, "service_minutes": {"dist": "deterministic", "value": 1}}
        ],
        "demand_profile": profile,
        "areas": [
            {
                "id": "a",
                "population": 1000,
                "location": {"lat": 58.0, "lon": 16.0},
                "demand": {"per_hour": 1},
            }
        ],
        "sites": [
            {
                "id": "office",
                "kind": "office",
                "location": {"lat": 58.0, "lon": 16.0},
                "counters": 1,
                "opening_hours": hours,
            }
        ],
        "behaviour": {"max_deferral_days": 7},
    }


def network(doc: dict[str, Any]) -> Network:
    return compile_network(simulation.load_scenario(copy.deepcopy(doc)))


def first_windows(net: Network, p: int, before: float = DAY) -> list[tuple[float, float]]:
    place = net.places[p]
    return [
        (float(s), float(e)) for s, e in zip(place.starts, place.ends, strict=True) if s < before
    ]


def one_choice(net: Network, need: float, u: float) -> tuple[str, float, float]:
    """Place id, days deferred and arrival minute of one need of area 0 with arrival uniform u."""
    c = choose(net, 0, np.array([need]), np.array([0]), np.array([u]))
    return net.places[int(c.place[0])].id, float(c.deferral_days[0]), float(c.arrival[0])
