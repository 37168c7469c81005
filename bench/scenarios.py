"""The scenarios the benchmarks run: the M/M/4 queue and scaled copies of a real scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "configs" / "sweden" / "national.yaml"
FALLBACK_SCALE = ROOT / "configs" / "examples" / "norrkoping-fixed.yaml"

LAMBDA_PER_MIN = 3.2
COUNTERS = 4
PATIENCE_MEAN = 5.0
LOCATION = {"lat": 59.0, "lon": 18.0}


def mm4_scenario(days: int, patience_mean: float | None = None, seed: int = 1) -> dict[str, Any]:
    """The theory-mmc scenario: M/M/4 at load 0.8, always open, travel 0, optional patience."""
    patience: Any = (
        "none" if patience_mean is None else {"dist": "exponential", "mean": patience_mean}
    )
    return {
        "name": "bench-mm4" + ("-patience" if patience_mean is not None else ""),
        "calendar": {"start": "2023-01-02", "days": days, "warmup_days": 0},
        "seed": seed,
        "errands": [
            {"id": "any", "share": 1.0, "service_minutes": {"dist": "exponential", "mean": 1.0}}
        ],
        "demand_profile": "flat",
        "areas": [
            {
                "id": "a",
                "population": 1,
                "location": LOCATION,
                "demand": {"per_hour": LAMBDA_PER_MIN * 60.0},
            }
        ],
        "sites": [
            {
                "id": "s",
                "kind": "office",
                "location": LOCATION,
                "counters": COUNTERS,
                "opening_hours": "always",
            }
        ],
        "behaviour": {
            "patience_minutes": patience,
            "balk_queue_length": "none",
            "max_deferral_days": 0,
        },
    }


def days_for(visitors: int) -> int:
    """Days of the M/M/4 scenario that give about ``visitors`` arrivals."""
    return max(1, round(visitors / (LAMBDA_PER_MIN * 1440.0)))


def scaled_document(path: Path, factor: float, days: int | None) -> dict[str, Any]:
    """The resolved scenario at ``path`` with every area's demand and every site's counters
    times ``factor`` (counters rounded, at least 1), so that the offices' load stays the same:
    the work then grows with the visitors, not with queues that overload builds (with return
    visits, A14, an overloaded year also multiplies the attempts per need)."""
    from simulation.scenario.loading import load_scenario

    doc = load_scenario(path).to_dict()
    for area in doc["areas"]:
        demand = area["demand"]
        for key in ("per_1000_per_year", "per_year", "per_hour"):
            if demand.get(key) is not None:
                demand[key] = demand[key] * factor
    for site in doc["sites"]:
        site["counters"] = max(1, round(site["counters"] * factor))
        for windows in (site.get("staffing") or {}).values():
            for window, count in windows.items():
                windows[window] = max(1, round(count * factor))
        for stop in site.get("schedule") or ():
            if stop.get("counters") is not None:
                stop["counters"] = max(1, round(stop["counters"] * factor))
    if days is not None:
        cal = doc["calendar"]
        cal["days"] = days
        cal["warmup_days"] = min(cal.get("warmup_days") or 0, days - 1)
    return doc
