"""Region and national scenarios: demand areas, today's offices, sized counters, the header."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tools.sweden.areas import Row, municipality, slugify
from tools.sweden.emit import Comments
from tools.sweden.offices import OfficeSite, Region
from tools.sweden.parameters import (
    BASE_RATE,
    HOUR_PROFILE,
    LISTED_UPLIFT,
    MV_MIN_POPULATION,
    NATIONAL_DAYS,
    NATIONAL_VISITS,
    NATIONAL_WARMUP,
    REGION_DAYS,
    REGION_WARMUP,
    WEEKDAY_PROFILE,
    WEEKDAYS_PER_YEAR,
    Errand,
)
from tools.sweden.sections import (
    area_doc,
    common_sections,
    errand_docs,
    office_doc,
    travel_behaviour,
)
from tools.sweden.sizing import DemandArea, Office, expected_load, mix, size_offices


def listed_areas(rows: Sequence[Row], name: str, rate: float) -> list[DemandArea]:
    """The police-listed areas of municipality ``name`` by area name, with their comments."""
    out = []
    for r in sorted(
        (r for r in rows if r.kind == "vulnerable_area" and r.municipality == name),
        key=lambda r: r.area,
    ):
        src = r.source
        pop_src = src.get("pop", "")
        if "ASSUMPTION" in pop_src:
            pop_note = (
                f"[A10] police polygon {src.get('area_km2', '?')} km2 x 6,500 inh/km2 (not a count)"
            )
        else:
            where = pop_src.split("SOURCED:", 1)[-1].strip().split(" ")[0]
            year = re.search(r"\(([^)]*)\)", pop_src)
            pop_note = f"[S] {year.group(1) if year else ''} {where}".replace("  ", " ")
        polygon = "UO2021.shp" if "UO2021" in src.get("coord", "") else "uso_2023.shp"
        out.append(
            DemandArea(
                id=slugify(r.area),
                name=r.area,
                municipality=name,
                population=r.population,
                lat=r.lat,
                lon=r.lon,
                vulnerable=True,
                rate=rate,
                comments={
                    "population": pop_note,
                    "location": f"[S] area-weighted centroid of the police polygon ({polygon})",
                    "vulnerable": f"[S] police list 2021: {src.get('cat2021', '?')}; 2023: {src.get('cat2023', '?')}",
                    "demand": f"A8 x A16: {BASE_RATE:g} x {LISTED_UPLIFT:g}"
                    + (
                        ""
                        if rate == round(BASE_RATE * LISTED_UPLIFT, 1)
                        else " x national scaling (SE7)"
                    ),
                },
            )
        )
    return out


def build_areas_offices(
    rows: Sequence[Row],
    region: Region,
    base: float = BASE_RATE,
    listed: float = BASE_RATE * LISTED_UPLIFT,
    mv_min: int = MV_MIN_POPULATION,
) -> tuple[list[DemandArea], list[Office]]:
    """Demand areas and (unsized) offices of the municipalities of ``region``.

    Each listed area is its own demand area; the rest of a municipality is one area at its
    office (SE1), split in equal parts when it has several offices. A municipality without
    offices in ``region`` gets one at its central locality.
    """
    areas: list[DemandArea] = []
    offices: list[Office] = []
    for name in region.municipalities:
        muni = municipality(rows, name)
        vulnerable = listed_areas(rows, name, round(listed, 1))
        rest_pop = muni.population - sum(a.population for a in vulnerable)
        mv = muni.population >= mv_min
        sites = region.offices or (
            OfficeSite(
                f"{slugify(name)}-office",
                f"{name} servicekontor",
                muni.lat,
                muni.lon,
                "[A] today's office at the central locality; coordinate = central locality (areas.csv, "
                "sakerhetspolisen/uv-kollen or municipality centroid)",
            ),
        )
        for s in sites:
            offices.append(Office(s.id, s.name, name, s.lat, s.lon, mv, s.note))
        areas.extend(vulnerable)
        parts = len(sites)
        for i, s in enumerate(sites):
            pop = rest_pop // parts + (1 if i < rest_pop % parts else 0)
            if parts == 1:
                area_id, label = f"{slugify(name)}-rest", f"{name} (rest)"
                where = "SE1: central locality (areas.csv), where the office is"
                pop_note = (
                    f"[S] SCB 2022 municipality {muni.population} minus the listed areas "
                    f"({muni.population - rest_pop})"
                )
            else:
                short = s.id.split("-", 1)[1]
                area_id, label = f"{slugify(name)}-rest-{short}", f"{name} (rest, {short})"
                where = f"SE1: at office {s.id}: the rest of {name} is split in equal parts, one per office"
                pop_note = (
                    f"SE1: 1/{parts} of SCB 2022 {muni.population} minus the listed areas "
                    f"({muni.population - rest_pop})"
                )
            areas.append(
                DemandArea(
                    id=area_id,
                    name=label,
                    municipality=name,
                    population=pop,
                    lat=s.lat,
                    lon=s.lon,
                    vulnerable=False,
                    rate=round(base, 1),
                    comments={
                        "population": pop_note,
                        "location": where,
                        "demand": "A8 x A16"
                        + ("" if round(base, 1) == BASE_RATE else " x national scaling (SE7)"),
                    },
                )
            )
    return areas, offices


@dataclass
class Built:
    """A generated scenario: its data, comments, header and what was derived on the way."""

    doc: dict[str, Any]
    comments: Comments
    header: list[str]
    areas: list[DemandArea]
    offices: list[Office]
    load: dict[str, float]
    lost: dict[str, float]
    errands: list[Errand]


SOURCES_HEADER = [
    "Sources [S] (details: data/sweden/README.md, docs/scenarios.md):",
    "  populations: SCB folkmängd 2022-12-31, DeSO table 000005FF (data/sweden/areas.csv);",
    "  police-listed areas 2021 and 2023 and their centroids: Polismyndigheten UO2021.shp / uso_2023.shp;",
    "  offices: statenssc.se, publikt.se, framtiden.se, aftonbladet.se, sverigesradio.se (per office below);",
    "  visit volumes and staff productivity: RiR 2022:28, Ds 2020:29, swedenherald.com 2025-02-20.",
    "Assumptions (docs/scenarios.md): A1 opening hours, A2 service times, A5 weekday/hour profile,",
    "  A6 patience and balking, A7 errand mix (A7 (MV): Migrationsverket only at offices in",
    f"  municipalities of >= {MV_MIN_POPULATION:,} residents), A8 visit rate x A16 calibration, A9 decay,",
    "  A10 populations of unsourced areas, A11 mobile unit, A14 return visits; scenario assumptions",
    "  SE1-SE8 (SE8: counters sized to ~17 visits per staff-day).",
]


def scenario_doc(
    name: str,
    description: str,
    calendar: tuple[int, int],
    network: tuple[Sequence[DemandArea], Sequence[Office], dict[str, float], Sequence[Errand]],
    comments: Comments,
) -> dict[str, Any]:
    """A scenario document, its sections in the order of the files.

    Parameters
    ----------
    name, description
        The scenario's name and one-line description.
    calendar
        ``(days, warmup_days)``.
    network
        ``(areas, sized offices, expected visits per office per year, errands)``.
    comments
        Filled with the comments of every section.
    """
    days, warmup = calendar
    areas, offices, load, errands = network
    doc: dict[str, Any] = {"name": name, "description": description}
    doc.update(common_sections(days, warmup, comments))
    doc["errands"], errand_comments = errand_docs(errands)
    comments.update(errand_comments)
    doc["demand_profile"] = {"weekday": dict(WEEKDAY_PROFILE), "hour": dict(HOUR_PROFILE)}
    doc["areas"] = [area_doc(a, i, comments) for i, a in enumerate(areas)]
    ids = [e[0] for e in errands]
    doc["sites"] = [
        office_doc(o, load[o.id] / WEEKDAYS_PER_YEAR, ids, ("sites", k), comments)
        for k, o in enumerate(offices)
    ]
    doc.update(travel_behaviour(comments))
    return doc


def build_region(
    rows: Sequence[Row],
    region: Region,
    days: int = REGION_DAYS,
    warmup: int = REGION_WARMUP,
    title: str | None = None,
) -> Built:
    """The baseline scenario of a region (today's offices)."""
    areas, offices = build_areas_offices(rows, region)
    with_mv = any(o.mv for o in offices)
    errands = mix(with_mv)
    offices, load = size_offices(areas, offices, errands)
    _, lost = expected_load(areas, offices, errands)
    comments: Comments = {}
    names = " + ".join(region.municipalities)
    doc = scenario_doc(
        f"sweden-{region.slug}",
        f"{names}: today's (pre-2022) offices and the police-listed areas",
        (days, warmup),
        (areas, offices, load, errands),
        comments,
    )
    header = [
        f"{title or names}: region scenario, today's (pre-2022) fixed offices.",
        "GENERATED by tools/build_sweden.py from data/sweden/areas.csv -- do not edit by hand;",
        "change the generator (or the CSV) and run: python tools/build_sweden.py",
        *SOURCES_HEADER,
        f"Expected needs {sum(a.per_year for a in areas):,.0f}/yr; expected visits (after distance decay) "
        f"{sum(load.values()):,.0f}/yr.",
    ]
    if not with_mv:
        header.append(
            "No office here is assumed to serve Migrationsverket (A7 (MV)): the errand mix "
            "leaves MV out and renormalises the other shares."
        )
    return Built(doc, comments, header, areas, offices, load, lost, errands)


def build_national(rows: Sequence[Row]) -> Built:
    """All 44 municipalities and all listed areas, one office each, one year, ~2.8 M visits."""
    names = tuple(r.municipality for r in rows if r.kind == "municipality")
    region = Region("national", names)
    areas, offices = build_areas_offices(rows, region)
    errands = mix(True)
    base_load, _ = expected_load(areas, offices, errands)
    scale = round(NATIONAL_VISITS / sum(base_load.values()), 3)
    areas, offices = build_areas_offices(
        rows, region, base=BASE_RATE * scale, listed=BASE_RATE * LISTED_UPLIFT * scale
    )
    offices, load = size_offices(areas, offices, errands)
    _, lost = expected_load(areas, offices, errands)
    comments: Comments = {}
    doc = scenario_doc(
        "sweden-national",
        "44 municipalities (2021 assignment + all with police-listed areas), one office "
        "each, demand scaled to ~2.8 M visits/yr",
        (NATIONAL_DAYS, NATIONAL_WARMUP),
        (areas, offices, load, errands),
        comments,
    )
    pop = sum(a.population for a in areas)
    header = [
        "Sweden, national scenario: the 44 municipalities of data/sweden/areas.csv with all 65",
        "police-listed areas (2021 or 2023 lists) and ONE office per municipality at its central locality.",
        "GENERATED by tools/build_sweden.py -- do not edit by hand; run: python tools/build_sweden.py",
        *SOURCES_HEADER,
        f"National scaling (SE7): these municipalities hold {pop:,} of Sweden's 10,521,556 residents (SCB",
        "  2022), but they stand for the whole country here: every rate is A8's multiplied by",
        f"  {scale} so that the expected visits (after distance decay) are ~{NATIONAL_VISITS:,}/yr [S: 2.8 M",
        f"  visits in 2024]. Rates: {round(BASE_RATE * scale, 1)} per 1,000 (rest), "
        f"{round(BASE_RATE * LISTED_UPLIFT * scale, 1)} (listed areas).",
        f"Expected needs {sum(a.per_year for a in areas):,.0f}/yr; expected visits {sum(load.values()):,.0f}/yr"
        f" at {len(offices)} offices ({sum(o.counters for o in offices)} counters).",
        "Migrationsverket needs from municipalities without MV service travel to the nearest MV office",
        "  within 90 min, or find no option (counted as unserved).",
    ]
    return Built(doc, comments, header, areas, offices, load, lost, errands)
