"""Synthetic candidate regions whose benefit order is known by construction.

Every region is the same town: one office, a small area around it and one vulnerable area
of the same size and demand, placed ``km`` kilometres east of the office. The farther the
vulnerable area, the more of its needs are lost to distance (``behaviour.decay``) and the
more a mobile unit parked in it can recover: the benefit order is the order of distances.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

LAT, LON = 58.41, 15.62


def _east(km: float) -> float:
    return km / (111.32 * math.cos(math.radians(LAT)))


def region(name: str, km: float, days: int = 28, shift_km: float = 0.0) -> dict[str, Any]:
    """The scenario of one synthetic region, its vulnerable area ``km`` east of the office;
    the whole town lies ``shift_km`` east of the others' office (for neighbouring regions)."""
    home = LON + _east(shift_km)
    lon = home + _east(km)
    return {
        "name": name,
        "description": f"{name.title()}: vulnerable area {km:g} km from the office",
        "calendar": {"start": "2023-01-02", "days": days, "warmup_days": 0},
        "seed": 1,
        "errands": [
            {"id": "skatteverket", "share": 1.0, "service_minutes": {"dist": "exponential", "mean": 12}}
        ],
        "areas": [
            {"id": f"{name}-listed", "population": 3000, "location": {"lat": LAT, "lon": lon},
             "vulnerable": True, "demand": {"per_1000_per_year": 500}},
            {"id": f"{name}-centre", "population": 3000, "location": {"lat": LAT, "lon": home},
             "demand": {"per_1000_per_year": 300}},
        ],
        "sites": [
            {"id": f"{name}-office", "kind": "office", "location": {"lat": LAT, "lon": home},
             "counters": 2, "opening_hours": {"mon-fri": ["09:00-16:00"]}},
        ],
        "travel": {"speed_kmh": 30, "detour_factor": 1.3, "max_travel_minutes": 90},
        "behaviour": {"decay": {"form": "exponential", "scale": 28}},
    }  # fmt: skip


def write_regions(
    folder: Path,
    distances: dict[str, float],
    days: int = 28,
    shifts: dict[str, float] | None = None,
) -> list[Path]:
    """Write one scenario file per region; return their paths in the given order (``shifts``:
    km east of the common office for some regions)."""
    paths = []
    for name, km in distances.items():
        path = folder / f"{name}.yaml"
        doc = region(name, km, days, (shifts or {}).get(name, 0.0))
        path.write_text(yaml.safe_dump(doc), encoding="utf-8")
        paths.append(path)
    return paths


def pilot_document(paths: list[Path], **extra: Any) -> dict[str, Any]:
    """A pilot document over the synthetic regions (small search, one unit-day a week)."""
    doc: dict[str, Any] = {
        "name": "synthetic",
        "regions": [str(p) for p in paths],
        "unit": {"counters": 1, "setup_minutes": 30},
        "budget": {"unit_days_per_week": 2, "hours_per_day": 5, "windows": ["10:00-15:00"],
                   "weekdays": ["mon", "tue"]},
        "choose": 1,
        "objective": "unserved_needs_per_yr@group:vulnerable",
        "selection": {"confidence": 0.9, "indifference": 60, "initial": 8, "max_replications": 150},
        "screening": {"shortlist": 1, "catchment_minutes": 10},
        "search": {"replications": 2, "max_evaluations": 6},
        "seed": 7,
    }  # fmt: skip
    doc.update(extra)
    return doc
