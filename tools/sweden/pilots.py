"""The pilot sweeps: today's offices against a new office, a mobile unit, or both."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tools.sweden.emit import Comments
from tools.sweden.offices import Region
from tools.sweden.parameters import (
    DEFAULT_REGION,
    KPIS,
    LEVEL,
    MOBILE_COUNTERS,
    MOBILE_HOURS,
    MOBILE_MAX_AREAS,
    MOBILE_SETUP_MIN,
    MV,
    NEW_OFFICE_HOURS,
    NEW_OFFICE_MIN_COUNTERS,
    OPEN_HOURS_PER_DAY,
    REPLICATIONS,
    SEED,
    SHARED_NEW_OFFICES,
    SHARED_TOUR,
    UNCERTAIN_INPUTS,
    UNCERTAIN_REPLICATIONS,
    UNCERTAIN_WORLDS,
    VISITS_PER_STAFF_DAY,
)
from tools.sweden.scenarios import Built
from tools.sweden.sections import office_doc
from tools.sweden.sizing import DemandArea, Office, size_counters

Sweep = tuple[dict[str, Any], Comments, list[str]]  # data, comments, header


def new_office_area(built: Built, region: Region) -> DemandArea:
    """Where the new office goes: the sourced area, else the area losing most demand to distance."""
    listed = [a for a in built.areas if a.vulnerable]
    if region.new_office_area:
        return next(a for a in listed if a.id == region.new_office_area)
    return max(listed, key=lambda a: (built.lost[a.id], a.id))


def new_office_site(
    area: DemandArea,
    note: str,
    key: tuple[Any, ...],
    comments: Comments,
    errand_ids: Sequence[str],
) -> dict[str, Any]:
    """A new office at the centroid of ``area``, sized for the area's own demand (>= 2 counters)."""
    hours = int(NEW_OFFICE_HOURS[6:8]) - int(NEW_OFFICE_HOURS[:2])
    counters, daily = size_counters(area.per_year, hours)
    counters = max(NEW_OFFICE_MIN_COUNTERS, counters)
    office = Office(
        f"{area.id}-office",
        f"Servicekontor {area.name} (new)",
        area.municipality,
        area.lat,
        area.lon,
        False,
        note or "[A] new office at the area's centroid",
        counters=counters,
        hours=NEW_OFFICE_HOURS,
    )
    sizing = (
        f"SE6 design: max({NEW_OFFICE_MIN_COUNTERS}, ~{daily:.0f} area needs per weekday / "
        f"{VISITS_PER_STAFF_DAY * hours / OPEN_HOURS_PER_DAY:.1f} per 5-h staff-day)"
    )
    doc = office_doc(office, None, errand_ids, key, comments, sizing)
    comments[key + ("opening_hours",)] = "SE6 design: Mon-Fri 10-15"
    comments[key + ("location",)] = (note + "; " if note else "") + "[A] at the area's centroid"
    return doc


def tour(areas: Sequence[DemandArea]) -> list[tuple[str, list[str]]]:
    """Stops of the mobile unit: 3 stops a week (A11) over up to 3 areas, biggest loss first."""
    ids = [a.id for a in areas][:MOBILE_MAX_AREAS]
    if len(ids) == 1:
        return [(ids[0], ["mon", "wed", "thu"])]
    if len(ids) == 2:
        return [(ids[0], ["mon", "thu"]), (ids[1], ["wed"])]
    return [(ids[0], ["mon"]), (ids[1], ["wed"]), (ids[2], ["thu"])]


def mobile_site(
    stops: Sequence[tuple[str, Sequence[str]]],
    key: tuple[Any, ...],
    comments: Comments,
    errand_ids: Sequence[str],
    name: str = "Mobilt servicekontor",
) -> dict[str, Any]:
    """One mobile unit (A11) with the given weekly stops."""
    comments[key + ("counters",)] = "A11: 2 staff"
    comments[key + ("errands",)] = "mobile units do not serve Migrationsverket"
    comments[key + ("setup_minutes",)] = "A11: travel and set-up before a stop"
    comments[key + ("closing",)] = "those queueing when the stop ends are still served"
    comments[key + ("schedule",)] = "A11: 5-h stops (4-6 h), 2-3 stops a week"
    return {
        "id": "mobile-1",
        "kind": "mobile",
        "name": name,
        "counters": MOBILE_COUNTERS,
        "errands": [e for e in errand_ids if e != MV],
        "setup_minutes": MOBILE_SETUP_MIN,
        "closing": "serve_queue",
        "schedule": [{"area": a, "days": list(d), "hours": [MOBILE_HOURS]} for a, d in stops],
    }


def sweep_doc(
    base_file: str,
    name: str,
    description: str,
    designs: dict[str, Any],
    comments: Comments,
) -> dict[str, Any]:
    """A sweep file comparing ``designs`` against ``baseline``."""
    percent = f"{LEVEL * 100:g} %"
    comments[("replications",)] = f"{REPLICATIONS} paired replications (common random numbers)"
    comments[("level",)] = f"{percent} confidence"
    comments[("seed",)] = "root seed; replication i of every design uses the same streams"
    comments[("correction",)] = (
        f"family level {percent} over the designs compared with the baseline"
    )
    return {
        "name": name,
        "description": description,
        "base": base_file,
        "seed": SEED,
        "replications": REPLICATIONS,
        "baseline": "baseline",
        "level": LEVEL,
        "correction": "bonferroni",
        "kpis": list(KPIS),
        "designs": designs,
    }


def uncertain_block(comments: Comments) -> dict[str, Any]:
    """The default pilot's ``uncertain:`` block: the ranges of docs/scenarios.md."""
    comments[("uncertain",)] = "robust comparison: every design in sampled worlds (docs/model.md)"
    comments[("uncertain", "worlds")] = "Latin-hypercube worlds; full size on dask: --worlds 512"
    comments[("uncertain", "replications")] = "paired replications per design and world"
    inputs = {}
    for path, rng, why in UNCERTAIN_INPUTS:
        inputs[path] = rng
        comments[("uncertain", "inputs", path)] = why
    return {
        "worlds": UNCERTAIN_WORLDS,
        "sampler": "lhs",
        "replications": UNCERTAIN_REPLICATIONS,
        "inputs": inputs,
    }


def build_pilot(built: Built, region: Region, base_file: str) -> Sweep:
    """The pilot sweep of a region: baseline, new-office, mobile, both."""
    comments: Comments = {}
    ids = [e[0] for e in built.errands]
    listed = sorted(
        (a for a in built.areas if a.vulnerable), key=lambda a: (-built.lost[a.id], a.id)
    )
    target = new_office_area(built, region)
    rule = region.new_office_note or "[A] the listed area losing most demand to distance today"
    office_key = ("designs", "new-office", "add", "sites", 0)
    office = new_office_site(target, region.new_office_note, office_key, comments, ids)
    both_office = new_office_site(
        target, region.new_office_note, ("designs", "both", "add", "sites", 0), comments, ids
    )
    mobile_stops = tour(listed)
    others = [a for a in listed if a.id != target.id] or listed
    both_stops = tour(others)
    designs = {
        "baseline": {},
        "new-office": {"add": {"sites": [office]}},
        "mobile": {
            "add": {
                "sites": [
                    mobile_site(
                        mobile_stops, ("designs", "mobile", "add", "sites", 0), comments, ids
                    )
                ]
            }
        },
        "both": {
            "add": {
                "sites": [
                    both_office,
                    mobile_site(both_stops, ("designs", "both", "add", "sites", 1), comments, ids),
                ]
            }
        },
    }
    comments[("designs", "baseline")] = "today's offices only"
    comments[("designs", "new-office")] = f"a new office in {target.name}: {rule}"
    comments[("designs", "mobile")] = (
        "one mobile unit touring the listed areas, biggest distance loss first"
    )
    comments[("designs", "both")] = (
        "the new office plus the unit touring the other listed areas"
        if len(listed) > 1
        else "the new office plus the unit in the same area"
    )
    names = " + ".join(region.municipalities)
    doc = sweep_doc(
        base_file,
        f"sweden-{region.slug}-pilot",
        f"{names}: today's offices vs a new office in {target.name}, a mobile unit, or both",
        designs,
        comments,
    )
    if region.slug == DEFAULT_REGION:
        doc["uncertain"] = uncertain_block(comments)
    header = [
        f"{names}: the pilot question as a sweep over designs (base: {base_file}).",
        "GENERATED by tools/build_sweden.py -- do not edit by hand; run: python tools/build_sweden.py",
        "Designs: baseline (today's offices); new-office (the 2021 assignment: an office in/next to a",
        "  listed area, 5 h/day); mobile (A11: one unit, 2 staff, 3 five-hour stops a week, set-up 45 min,",
        "  serves all errands but Migrationsverket); both. Extra sites add staff: the base offices keep",
        "  their counters, so staff_hours_per_week shows the cost of each design.",
        "Sources: new-office sites [S] publikt.se 2022-06-27, framtiden.se 2022-05-12, statenssc.se",
        "  2025-04-10 where sourced (comment per design), else SE6 in docs/scenarios.md; A11 mobile unit;",
        "  every other parameter is the base scenario's (see its header).",
    ]
    return doc, comments, header


def build_shared_pilot(built: Built, base_file: str) -> Sweep:
    """Linköping + Norrköping: one mobile unit shared by both municipalities."""
    comments: Comments = {}
    ids = [e[0] for e in built.errands]
    by_id = {a.id: a for a in built.areas}
    offices = []
    for k, area_id in enumerate(SHARED_NEW_OFFICES):
        note = (
            "[S] Skäggetorp office planned for 2022 (publikt.se 2022-06-27)"
            if area_id == "skaggetorp"
            else ""
        )
        offices.append(
            new_office_site(
                by_id[area_id], note, ("designs", "new-offices", "add", "sites", k), comments, ids
            )
        )
    stops = [(a, [d]) for a, d in SHARED_TOUR]
    designs = {
        "baseline": {},
        "shared-mobile": {
            "add": {
                "sites": [
                    mobile_site(
                        stops,
                        ("designs", "shared-mobile", "add", "sites", 0),
                        comments,
                        ids,
                        "Mobilt servicekontor (delat)",
                    )
                ]
            }
        },
        "new-offices": {"add": {"sites": offices}},
    }
    comments[("designs", "shared-mobile")] = (
        "ONE unit for both municipalities: Skäggetorp Tue, Navestad "
        "Wed, Hageby Thu (the 2022 pilot: 'one or two municipalities')"
    )
    comments[("designs", "new-offices")] = (
        "for comparison: a new office in Skäggetorp and one in Hageby"
    )
    doc = sweep_doc(
        base_file,
        "sweden-linkoping-norrkoping-pilot",
        "Linköping + Norrköping (~40 km apart): one shared mobile unit vs two new offices",
        designs,
        comments,
    )
    header = [
        "Linköping + Norrköping: one mobile unit shared by two municipalities (base: "
        + base_file
        + ").",
        "GENERATED by tools/build_sweden.py -- do not edit by hand; run: python tools/build_sweden.py",
        "[S] the 2022 assignment asked for a mobile pilot in 'one to two municipalities' (statenssc.se",
        "  2022-06-22); which ones is not public (A12). The unit drives between the towns on the",
        "  evenings between stops (one stop a day, so set-up never conflicts). A11 mobile unit; SE6 new",
        "  offices (docs/scenarios.md); every other parameter is the base scenario's (see its header).",
    ]
    return doc, comments, header
