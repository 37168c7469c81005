"""Scenario documents for the mobile-unit tests: one area, one office 40 travel-minutes
away, and a unit added with the given stops.
"""

from __future__ import annotations

import copy

MONDAY = "2023-01-02"


def base(**behaviour) -> dict:
    """One area, one office 40 travel-minutes away (via a travel matrix), no randomness needed."""
    return {
        "name": "mobile-test",
        "calendar": {"start": MONDAY, "days": 14},
        "seed": 7,
        "errands": [
            {"id": "e", "share": 1.0, "service_minutes": {"dist": "deterministic", "value": 30}}
        ],
        "areas": [
            {
                "id": "a",
                "population": 1000,
                "location": {"lat": 58.0, "lon": 16.0},
                "vulnerable": True,
                "demand": {"per_hour": 1},
            }
        ],
        "sites": [
            {
                "id": "office",
                "kind": "office",
                "location": {"lat": 58.2, "lon": 16.0},
                "counters": 1,
                "opening_hours": {"mon-fri": ["10:00-16:00"]},
            }
        ],
        "travel": {"speed_kmh": 33.4, "detour_factor": 1.0, "within_area_minutes": 5},
        "behaviour": {"max_deferral_days": 7, **behaviour},
    }


def with_unit(doc: dict, *stops: dict, **unit) -> dict:
    doc = copy.deepcopy(doc)
    doc["sites"].append(
        {
            "id": "unit",
            "kind": "mobile",
            "counters": 1,
            "setup_minutes": 30,
            "schedule": list(stops),
            **unit,
        }
    )
    return doc
