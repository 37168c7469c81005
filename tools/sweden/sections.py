"""Scenario sections as plain data, each with its ``# comments`` keyed by path.

A comment key is the path of the YAML node it annotates, e.g. ``("sites", 0, "counters")``;
``emit.document`` writes it at the end of that node's line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tools.sweden.emit import Comments
from tools.sweden.parameters import (
    BALK_QUEUE,
    DECAY_SCALE,
    DELAY_MIN_PER_DAY,
    DETOUR,
    ERRANDS,
    HALF_DEMAND_KM,
    MAX_DEFERRAL_DAYS,
    MAX_TRAVEL_MIN,
    MV,
    OPENING,
    PATIENCE_CV,
    PATIENCE_MEDIAN,
    REGION_DAYS,
    RETURN_AFTER,
    RETURN_DELAY_CV,
    RETURN_DELAY_DAYS,
    RETURN_MAX_ATTEMPTS,
    RETURN_PROBABILITY,
    SEED,
    SERVICE_CV,
    SERVICE_MEAN,
    SPEED_KMH,
    START,
    VISITS_PER_STAFF_DAY,
    WITHIN_AREA_MIN,
    Errand,
)
from tools.sweden.sizing import DemandArea, Office


def errand_docs(errands: Sequence[Errand]) -> tuple[list[dict[str, Any]], Comments]:
    """The errands section (A7 shares, A2 service times) and its comment."""
    docs = [
        {
            "id": eid,
            "name": name,
            "share": share,
            "service_minutes": {"dist": "lognormal", "mean": SERVICE_MEAN, "cv": SERVICE_CV},
        }
        for eid, name, share in errands
    ]
    note = "A7 shares" + (" (renormalised without MV)" if len(errands) < len(ERRANDS) else "")
    return docs, {
        ("errands",): f"{note}; A2 service times (lognormal mean {SERVICE_MEAN}, cv {SERVICE_CV:g})"
    }


def area_doc(a: DemandArea, i: int, comments: Comments) -> dict[str, Any]:
    """Demand area ``a`` as scenario data; its comments go under ``("areas", i)``."""
    doc: dict[str, Any] = {
        "id": a.id,
        "name": a.name,
        "population": a.population,
        "location": {"lat": a.lat, "lon": a.lon},
    }
    if a.speed_kmh is not None:
        doc["speed_kmh"] = a.speed_kmh
    if a.vulnerable:
        doc["vulnerable"] = True
    doc["demand"] = {"per_1000_per_year": a.rate}
    for key, text in a.comments.items():
        comments[("areas", i, key)] = text
    return doc


def office_doc(
    o: Office,
    daily: float | None,
    errand_ids: Sequence[str],
    key: tuple[Any, ...],
    comments: Comments,
    sizing_note: str | None = None,
) -> dict[str, Any]:
    """An office site as scenario data (comments keyed under ``key``)."""
    doc: dict[str, Any] = {
        "id": o.id,
        "kind": "office",
        "name": o.name,
        "location": {"lat": o.lat, "lon": o.lon},
        "counters": o.counters,
        "opening_hours": {"mon-fri": [o.hours]},
    }
    if MV in errand_ids and not o.mv:
        doc["errands"] = [e for e in errand_ids if e != MV]
        comments[key + ("errands",)] = "A7 (MV): no Migrationsverket service here"
    elif MV in errand_ids:
        comments[key + ("kind",)] = "serves all errands incl. Migrationsverket [A7 (MV)]"
    doc["closing"] = "serve_queue"
    comments[key + ("location",)] = o.note
    if sizing_note is not None:
        comments[key + ("counters",)] = sizing_note
    elif daily is not None:
        comments[key + ("counters",)] = (
            f"sized: ~{daily:.0f} expected visits per weekday / {VISITS_PER_STAFF_DAY} per staff-day "
            f"(§1.2, SE8) = {daily / VISITS_PER_STAFF_DAY:.1f}"
        )
    comments[key + ("opening_hours",)] = (
        "A1: Mon-Fri 10-16" if o.hours == OPENING else "design choice"
    )
    comments[key + ("closing",)] = "those queueing at closing are still served (model default)"
    return doc


def common_sections(days: int, warmup: int, comments: Comments) -> dict[str, Any]:
    """Calendar, seed and profile sections shared by every scenario."""
    comments[("calendar", "start")] = "a Monday"
    comments[("calendar", "days")] = (
        "13 weeks (choice: keeps sweeps fast)" if days == REGION_DAYS else "one year"
    )
    comments[("calendar", "warmup_days")] = (
        "1 warm-up week (choice)" if warmup else "none: every day starts with empty offices"
    )
    comments[("demand_profile", "weekday")] = (
        "A5: Mon x1.3, Tue-Thu x1.0, Fri x0.8, no weekend demand"
    )
    comments[("demand_profile", "hour")] = (
        "A5: peak 10-11, tail-off after 14 (needs at 9 arrive at opening)"
    )
    comments[("seed",)] = "root seed (any fixed value; replications draw from named streams)"
    return {
        "calendar": {"start": START, "days": days, "warmup_days": warmup},
        "seed": SEED,
    }


def travel_behaviour(comments: Comments) -> dict[str, Any]:
    """The travel and behaviour sections shared by every scenario."""
    comments[("travel", "speed_kmh")] = "SE2: door-to-door urban speed (walk + public transport)"
    comments[("travel", "detour_factor")] = "SE2: network over straight-line distance"
    comments[("travel", "max_travel_minutes")] = "SE3: no drop-in trips over 1.5 h one way"
    comments[("travel", "within_area_minutes")] = (
        "SE4: a stop in an area is treated like an office at its centroid (travel 0)"
    )
    comments[("behaviour", "patience_minutes")] = "A6: lognormal, median 30 min"
    comments[("behaviour", "balk_queue_length")] = "A6: leave at once if 25 wait ahead"
    comments[("behaviour", "choice")] = "SE5: model default: the cheapest option (travel + delay)"
    comments[("behaviour", "max_deferral_days")] = "SE5: model default"
    comments[("behaviour", "delay_minutes_per_day")] = (
        "SE5: model default: a day's delay = 15 travel min"
    )
    comments[("behaviour", "decay")] = (
        f"A9: half the demand acts at ~{HALF_DEMAND_KM} km: {HALF_DEMAND_KM} km x {DETOUR} / "
        f"{SPEED_KMH} km/h = 19.5 min; 19.5 / ln 2 = {DECAY_SCALE}"
    )
    comments[("behaviour", "returns")] = (
        f"A14: {RETURN_PROBABILITY:.0%} of failed attempts come back (range 50-90 %), "
        f"gamma mean {RETURN_DELAY_DAYS} days later (range 1-5), at most {RETURN_MAX_ATTEMPTS} attempts"
    )
    return {
        "travel": {
            "speed_kmh": SPEED_KMH,
            "detour_factor": DETOUR,
            "max_travel_minutes": MAX_TRAVEL_MIN,
            "within_area_minutes": WITHIN_AREA_MIN,
        },
        "behaviour": {
            "patience_minutes": {"dist": "lognormal", "median": PATIENCE_MEDIAN, "cv": PATIENCE_CV},
            "balk_queue_length": BALK_QUEUE,
            "max_deferral_days": MAX_DEFERRAL_DAYS,
            "delay_minutes_per_day": DELAY_MIN_PER_DAY,
            "choice": {"rule": "least_cost"},
            "decay": {"form": "exponential", "scale": DECAY_SCALE},
            "returns": {
                "after": list(RETURN_AFTER),
                "probability": RETURN_PROBABILITY,
                "delay_days": {"dist": "gamma", "mean": RETURN_DELAY_DAYS, "cv": RETURN_DELAY_CV},
                "max_attempts": RETURN_MAX_ATTEMPTS,
            },
        },
    }
