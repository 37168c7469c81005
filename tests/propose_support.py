"""The synthetic region and propose spec of the propose tests.

The region is built so that its best stop is known: one large vulnerable area 40
minutes from the only office ("far") and three small vulnerable areas next to it. The
office covers the small areas, so a unit helps only in the far one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

OFFICE = {"lat": 58.0, "lon": 16.0}


def region(office: dict[str, float] = OFFICE) -> dict[str, Any]:
    """Far (20,000 residents, ~43 travel-minutes from the office) and three small near areas."""
    area = {"vulnerable": True, "demand": {"per_1000_per_year": 400}}
    return {
        "name": "synthetic",
        "calendar": {"start": "2023-01-02", "days": 7},
        "seed": 11,
        "errands": [
            {"id": "e", "share": 1.0, "service_minutes": {"dist": "exponential", "mean": 10}}
        ],
        "areas": [
            {"id": "far", "population": 20000, "location": {"lat": 58.10, "lon": 16.0}, **area},
            {"id": "near-a", "population": 2000, "location": {"lat": 58.004, "lon": 16.0}, **area},
            {"id": "near-b", "population": 2000, "location": {"lat": 57.996, "lon": 16.0}, **area},
            {"id": "near-c", "population": 2000, "location": {"lat": 58.0, "lon": 16.008}, **area},
        ],
        "sites": [
            {
                "id": "office",
                "kind": "office",
                "location": office,
                "counters": 3,
                "opening_hours": {"mon-fri": ["10:00-16:00"]},
            }
        ],
        "travel": {"speed_kmh": 20, "detour_factor": 1.3, "within_area_minutes": 5},
        "behaviour": {"max_deferral_days": 3, "decay": {"form": "exponential", "scale": 20}},
    }


def spec(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "base": "region.yaml",
        "units": [{"id": "van", "counters": 1, "setup_minutes": 30}],
        "budget": {"unit_days_per_week": 2, "hours_per_day": 4, "windows": ["10:00-14:00"]},
        "search": {"replications": 3},
        "selection": {
            "indifference": 20,
            "initial": 5,
            "batch": 5,
            "max_replications": 20,
            "confirmation": 5,
        },
        "seed": 5,
    }
    doc.update(overrides)
    return doc


def write(folder: Path, name: str, doc: Any) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path
