"""Generate the Swedish scenarios in ``configs/sweden/`` from ``data/sweden/areas.csv``.

Run from the repository root::

    python tools/build_sweden.py                 # rewrites configs/sweden/
    python tools/build_sweden.py --out /tmp/se   # writes elsewhere (the tests compare the two)

What it writes (see ``docs/scenarios.md`` for every number and its source or assumption):

* ``<slug>.yaml`` -- one region scenario per municipality with police-listed areas that the
  2021 assignment named (plus Stockholm, Göteborg and Malmö): today's (pre-2022) fixed
  offices, each listed area as its own vulnerable demand area, the rest of the municipality
  as one area (split in equal parts at the offices for the three metro municipalities).
* ``<slug>-pilot.sweep.yaml`` -- designs ``baseline``, ``new-office``, ``mobile``, ``both``.
* ``linkoping-norrkoping.yaml`` and its sweep -- one mobile unit shared by two municipalities.
* ``national.yaml`` -- all 44 municipalities of ``areas.csv``, one office each, one year,
  demand scaled to about 2.8 million visits a year.
* ``default/region.yaml`` and ``default/pilot.sweep.yaml`` -- the region chosen as the embedded
  default (``DEFAULT_REGION``).
* ``OVERVIEW.md`` -- a generated table of areas, offices, expected visits and counters.

The output is deterministic: the same ``areas.csv`` always gives the same bytes. Only the
standard library and PyYAML (for a round-trip check of every file) are used.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
AREAS_CSV = ROOT / "data" / "sweden" / "areas.csv"
OUT_DIR = ROOT / "configs" / "sweden"

# --------------------------------------------------------------------------------------------
# Parameters. Every value is either sourced [S] or an assumption with its id (docs/scenarios.md).
# --------------------------------------------------------------------------------------------

START = dt.date(2023, 1, 2)  # a Monday; first weekday of 2023 (choice)
REGION_DAYS = 91  # 13 weeks (choice: keeps a 20-replication sweep fast)
REGION_WARMUP = 7  # 1 warm-up week (choice)
NATIONAL_DAYS = 365  # one year
NATIONAL_WARMUP = 0  # every day starts with an empty office, so no warm-up is needed
SEED = 2023

BASE_RATE = 270.0  # A8: visits per 1,000 residents per year (2.8 M / 10.55 M, rounded)
LISTED_UPLIFT = 1.75  # A8: x1.5-2 in police-listed areas; midpoint
NATIONAL_VISITS = 2_800_000  # [S] 2.8 M visits in 2024 (DG Åsa Lindh, swedenherald.com 2025-02-20)

SERVICE_MEAN = 15  # A2: minutes per visit, lognormal
SERVICE_CV = 1.0  # A2
PATIENCE_MEDIAN = 30  # A6: minutes, lognormal
PATIENCE_CV = 0.8  # A6
BALK_QUEUE = 25  # A6: a walk-in leaves at once if 25 people wait ahead
MAX_DEFERRAL_DAYS = 7  # model default: a need can wait up to a week for an open place
DELAY_MIN_PER_DAY = 15  # model default: a day of delay weighs like 15 travel minutes

SPEED_KMH = 20  # A9 companion: door-to-door urban speed (walk + public transport)
DETOUR = 1.3  # A9 companion: road/transit distance over straight-line distance
MAX_TRAVEL_MIN = 90  # nobody travels more than 1.5 h one way for a drop-in visit
WITHIN_AREA_MIN = 0  # a stop parked in an area costs what an office at its centroid costs
HALF_DEMAND_KM = 5  # A9: half the demand is acted on at ~5 km (urban)
DECAY_SCALE = round(HALF_DEMAND_KM * DETOUR / SPEED_KMH * 60 / math.log(2))  # 19.5 min / ln 2 = 28

OPENING = "10:00-16:00"  # A1: Mon-Fri, 6 h a day
OPEN_HOURS_PER_DAY = 6  # A1
WEEKDAYS_PER_YEAR = 365 * 5 / 7  # demand only arises Mon-Fri (A5 weights)
VISITS_PER_STAFF_DAY = 17  # §1.2 derived 15-17 per staff-day (3 M / 800 staff), A2 70-80 % load

WEEKDAY_PROFILE = {"mon": 1.3, "tue": 1.0, "wed": 1.0, "thu": 1.0, "fri": 0.8}  # A5
HOUR_PROFILE = {9: 0.8, 10: 1.5, 11: 1.2, 12: 1.0, 13: 1.0, 14: 0.8, 15: 0.6}  # A5

ERRANDS = (  # A7: agency mix of errands
    ("skatteverket", "Skatteverket", 0.35),
    ("forsakringskassan", "Försäkringskassan", 0.35),
    ("arbetsformedlingen", "Arbetsförmedlingen", 0.15),
    ("pensionsmyndigheten", "Pensionsmyndigheten", 0.10),
    ("migrationsverket", "Migrationsverket", 0.05),
)
MV = "migrationsverket"
MV_MIN_POPULATION = 140_000  # A7 (MV): MV service assumed at offices in municipalities this big

NEW_OFFICE_HOURS = "10:00-15:00"  # design choice for the new office (5 h a day, Mon-Fri)
NEW_OFFICE_MIN_COUNTERS = 2  # design choice
MOBILE_COUNTERS = 2  # A11: 2 staff
MOBILE_HOURS = "10:00-15:00"  # A11: 4-6 h per stop -> 5 h
MOBILE_SETUP_MIN = 45  # A11: travel and set-up before a stop
MOBILE_MAX_AREAS = 3  # A11: 2-3 stops a week in all
REPLICATIONS = 20
KPIS = (
    "unserved_per_1000_yr@group:vulnerable",
    "unserved_per_1000_yr",
    "wait_mean",
    "wait_p90",
    "staff_hours_per_week",
)

DEFAULT_REGION = "norrkoping"  # the embedded default; see docs/scenarios.md for why


@dataclass(frozen=True)
class OfficeSite:
    """A fixed office: where it is and what we know about it."""

    id: str
    name: str
    lat: float
    lon: float
    note: str  # source or assumption of its existence and location


@dataclass(frozen=True)
class Region:
    """A region scenario: one or more municipalities and their pre-2022 offices."""

    slug: str
    municipalities: tuple[str, ...]
    offices: tuple[OfficeSite, ...] = ()  # empty: one office at each central locality
    new_office_area: str | None = None  # area id of the sourced new office, else by rule
    new_office_note: str = ""


# Offices assumed for the three metro municipalities (pre-2022). Coordinates are approximate
# positions of the named centres, not surveyed addresses.
STOCKHOLM_OFFICES = (
    OfficeSite(
        "stockholm-kista",
        "Servicekontor Kista",
        59.4030,
        17.9444,
        "[S] open in 2023 and SSC's most visited office (statenssc.se 2023-10-02); "
        "pre-2022 [A]; coordinate Kista centrum [A]",
    ),
    OfficeSite(
        "stockholm-odenplan",
        "Servicekontor Odenplan",
        59.3429,
        18.0496,
        "[S] open in 2023 (statenssc.se 2023-10-02); pre-2022 [A]; coordinate Odenplan [A]",
    ),
    OfficeSite(
        "stockholm-kungsholmen",
        "Servicekontor Kungsholmen",
        59.3326,
        18.0300,
        "[S] open in 2023 (statenssc.se 2023-10-02); pre-2022 [A]; coordinate Fridhemsplan [A]",
    ),
    OfficeSite(
        "stockholm-liljeholmen",
        "Servicekontor Liljeholmen",
        59.3105,
        18.0228,
        "[S] open in 2023 (statenssc.se 2023-10-02); pre-2022 [A]; coordinate Liljeholmstorget [A]",
    ),
)
GOTEBORG_OFFICES = (
    OfficeSite(
        "goteborg-city",
        "Servicekontor Göteborg city",
        57.7089,
        11.9690,
        "[S] joint office in central Göteborg since 2008 (aftonbladet.se 2008-03-06); "
        "coordinate Nordstaden [A]",
    ),
    OfficeSite(
        "goteborg-backaplan",
        "Servicekontor Backaplan",
        57.7185,
        11.9530,
        "[S] 'sedan tidigare finns ett servicekontor på Backaplan' (framtiden.se 2022-05-12); "
        "coordinate [A]",
    ),
    OfficeSite(
        "goteborg-angered",
        "Servicekontor Angered",
        57.7966,
        12.0490,
        "[S] planned 2008 (aftonbladet.se 2008-03-06); open before 2022 [A]; "
        "coordinate Angered centrum [A]",
    ),
    OfficeSite(
        "goteborg-frolunda",
        "Servicekontor Frölunda",
        57.6527,
        11.9107,
        "[S] planned 2008 (aftonbladet.se 2008-03-06); open before 2022 [A]; "
        "coordinate Frölunda torg [A]",
    ),
)
MALMO_OFFICES = (
    OfficeSite(
        "malmo-city",
        "Servicekontor Malmö",
        55.60529,
        13.00016,
        "[S] central Malmö office (sverigesradio.se artikel 3916060, c.2010); "
        "coordinate = central locality (areas.csv)",
    ),
    OfficeSite(
        "malmo-rosengard",
        "Servicekontor Rosengård",
        55.5872,
        13.0405,
        "[S] SSC office in Rosengård (statenssc.se 2020-11-23); coordinate Rosengård centrum [A]",
    ),
)

REGIONS: tuple[Region, ...] = (
    Region("eskilstuna", ("Eskilstuna",)),
    Region(
        "helsingborg",
        ("Helsingborg",),
        new_office_area="dalhem-drottninghog-fredriksdal",
        new_office_note="[S] Drottninghög office planned for 2022 (publikt.se 2022-06-27)",
    ),
    Region("jonkoping", ("Jönköping",)),
    Region(
        "linkoping",
        ("Linköping",),
        new_office_area="skaggetorp",
        new_office_note="[S] Skäggetorp office planned for 2022 (publikt.se 2022-06-27)",
    ),
    Region("norrkoping", ("Norrköping",)),
    Region("sodertalje", ("Södertälje",)),
    Region(
        "uppsala",
        ("Uppsala",),
        new_office_area="gottsunda",
        new_office_note="[S] Gottsunda office planned for 2022 (publikt.se 2022-06-27)",
    ),
    Region(
        "vaxjo",
        ("Växjö",),
        new_office_area="araby",
        new_office_note="[S] SSC had an office in Araby until its 2025 closure (statenssc.se 2025-04-10)",
    ),
    Region(
        "stockholm",
        ("Stockholm",),
        STOCKHOLM_OFFICES,
        "rinkeby-tensta",
        "[S] Rinkeby office planned for 2022 (publikt.se 2022-06-27)",
    ),
    Region(
        "goteborg",
        ("Göteborg",),
        GOTEBORG_OFFICES,
        "biskopsgarden",
        "[S] Biskopsgården office at Vårväderstorget, autumn 2022 (framtiden.se 2022-05-12)",
    ),
    Region("malmo", ("Malmö",), MALMO_OFFICES),
)
SHARED = Region("linkoping-norrkoping", ("Linköping", "Norrköping"))
SHARED_TOUR = (("skaggetorp", "tue"), ("navestad", "wed"), ("hageby", "thu"))
SHARED_NEW_OFFICES = ("skaggetorp", "hageby")


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------

_KEYS = (
    "kommunkod",
    "role",
    "pop",
    "pop2023",
    "coord",
    "cat2021",
    "cat2023",
    "lokalpolisområde",
    "area_km2",
)
_SPLIT = re.compile(";(?=(?:" + "|".join(_KEYS) + ")=)")


@dataclass(frozen=True)
class Row:
    """One line of ``areas.csv``."""

    municipality: str
    area: str
    kind: str
    population: int
    lat: float
    lon: float
    source: dict[str, str]


def read_rows(path: Path) -> list[Row]:
    """Read ``areas.csv`` (``municipality,area,kind,population,lat,lon,source_or_assumption``)."""
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            parts = _SPLIT.split(rec["source_or_assumption"])
            source = dict(p.split("=", 1) for p in parts if "=" in p)
            rows.append(
                Row(
                    rec["municipality"],
                    rec["area"],
                    rec["kind"],
                    int(rec["population"]),
                    float(rec["lat"]),
                    float(rec["lon"]),
                    source,
                )
            )
    return rows


def slugify(text: str) -> str:
    """ASCII id from a Swedish name: ``Hässelby/Vällingby`` -> ``hasselby-vallingby``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# --------------------------------------------------------------------------------------------
# Model of expected load (used to size counters and to pick where new sites go)
# --------------------------------------------------------------------------------------------

EARTH_RADIUS_KM = 6371.0088  # as simulation.geography


def travel_minutes(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Door-to-door minutes between two points, as the model computes them."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    km = 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))
    return km * DETOUR / SPEED_KMH * 60.0


def act_share(minutes: float) -> float:
    """Share of needs acted on at a given travel time (exponential decay, A9)."""
    return math.exp(-minutes / DECAY_SCALE)


@dataclass(frozen=True)
class DemandArea:
    """A demand area of a scenario."""

    id: str
    name: str
    municipality: str
    population: int
    lat: float
    lon: float
    vulnerable: bool
    rate: float  # per 1,000 residents per year
    comments: dict[str, str] = field(default_factory=dict)

    @property
    def per_year(self) -> float:
        """Expected needs per year."""
        return self.rate * self.population / 1000.0


@dataclass(frozen=True)
class Office:
    """A fixed office of a scenario."""

    id: str
    name: str
    municipality: str
    lat: float
    lon: float
    mv: bool
    note: str
    counters: int = 0
    hours: str = OPENING


def mix(with_mv: bool) -> list[tuple[str, str, float]]:
    """The errand mix (A7), renormalised without Migrationsverket when no office serves it."""
    if with_mv:
        return list(ERRANDS)
    rest = [e for e in ERRANDS if e[0] != MV]
    total = sum(e[2] for e in rest)
    shares = [round(e[2] / total, 6) for e in rest]
    shares[-1] = round(1.0 - sum(shares[:-1]), 6)
    return [(e[0], e[1], s) for e, s in zip(rest, shares, strict=True)]


def expected_load(
    areas: Sequence[DemandArea],
    offices: Sequence[Office],
    errands: Sequence[tuple[str, str, float]],
) -> tuple[dict[str, float], dict[str, float]]:
    """Expected visits per year at each office, and needs lost to distance per area.

    Each need goes to the nearest office that serves its errand (least cost on the same day)
    and is acted on with probability ``exp(-travel / scale)``; queue losses are ignored.
    """
    load = {o.id: 0.0 for o in offices}
    lost = {a.id: 0.0 for a in areas}
    for area in areas:
        for errand, _, share in errands:
            options = [
                (travel_minutes(area.lat, area.lon, o.lat, o.lon), k)
                for k, o in enumerate(offices)
                if errand != MV or o.mv
            ]
            options = [(t, k) for t, k in options if t <= MAX_TRAVEL_MIN]
            needs = area.per_year * share
            if not options:
                lost[area.id] += needs
                continue
            t, k = min(options)
            load[offices[k].id] += needs * act_share(t)
            lost[area.id] += needs * (1 - act_share(t))
    return load, lost


def size_counters(per_year: float, hours_per_day: float = OPEN_HOURS_PER_DAY) -> tuple[int, float]:
    """Counters so that each serves ~``VISITS_PER_STAFF_DAY`` visits per 6-hour day."""
    daily = per_year / WEEKDAYS_PER_YEAR
    per_counter = VISITS_PER_STAFF_DAY * hours_per_day / OPEN_HOURS_PER_DAY
    return max(1, round(daily / per_counter)), daily


# --------------------------------------------------------------------------------------------
# Building scenarios
# --------------------------------------------------------------------------------------------


def _listed_areas(rows: Sequence[Row], municipality: str, rate: float) -> list[DemandArea]:
    out = []
    for r in sorted(
        (r for r in rows if r.kind == "vulnerable_area" and r.municipality == municipality),
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
                municipality=municipality,
                population=r.population,
                lat=r.lat,
                lon=r.lon,
                vulnerable=True,
                rate=rate,
                comments={
                    "population": pop_note,
                    "location": f"[S] area-weighted centroid of the police polygon ({polygon})",
                    "vulnerable": f"[S] police list 2021: {src.get('cat2021', '?')}; 2023: {src.get('cat2023', '?')}",
                    "demand": f"A8: {BASE_RATE:g} x {LISTED_UPLIFT:g}"
                    + (
                        ""
                        if rate == round(BASE_RATE * LISTED_UPLIFT, 1)
                        else " x national scaling (SE7)"
                    ),
                },
            )
        )
    return out


def _municipality(rows: Sequence[Row], name: str) -> Row:
    for r in rows:
        if r.kind == "municipality" and r.municipality == name:
            return r
    raise KeyError(name)


def build_areas_offices(
    rows: Sequence[Row],
    region: Region,
    base: float = BASE_RATE,
    listed: float = BASE_RATE * LISTED_UPLIFT,
    mv_min: int = MV_MIN_POPULATION,
) -> tuple[list[DemandArea], list[Office]]:
    """Demand areas and (unsized) offices of the municipalities of ``region``."""
    areas: list[DemandArea] = []
    offices: list[Office] = []
    for name in region.municipalities:
        muni = _municipality(rows, name)
        vulnerable = _listed_areas(rows, name, round(listed, 1))
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
                        "demand": "A8"
                        + ("" if round(base, 1) == BASE_RATE else " x national scaling (SE7)"),
                    },
                )
            )
    return areas, offices


def size_offices(
    areas: Sequence[DemandArea],
    offices: Sequence[Office],
    errands: Sequence[tuple[str, str, float]],
) -> tuple[list[Office], dict[str, float]]:
    """Offices with counters sized from expected demand, and the expected visits per year."""
    load, _ = expected_load(areas, offices, errands)
    out = []
    for o in offices:
        counters, _ = size_counters(load[o.id])
        out.append(replace(o, counters=counters))
    return out, load


def _errand_docs(errands: Sequence[tuple[str, str, float]]) -> tuple[list[dict[str, Any]], dict]:
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


def _area_doc(a: DemandArea, i: int, comments: dict) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": a.id,
        "name": a.name,
        "population": a.population,
        "location": {"lat": a.lat, "lon": a.lon},
    }
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
    key: tuple,
    comments: dict,
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


def common_sections(days: int, warmup: int, comments: dict) -> dict[str, Any]:
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


def travel_behaviour(comments: dict) -> dict[str, Any]:
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
        },
    }


@dataclass
class Built:
    """A generated scenario: its data, comments, header and what was derived on the way."""

    doc: dict[str, Any]
    comments: dict[tuple, str]
    header: list[str]
    areas: list[DemandArea]
    offices: list[Office]
    load: dict[str, float]
    lost: dict[str, float]
    errands: list[tuple[str, str, float]]


SOURCES_HEADER = [
    "Sources [S] (details: data/sweden/README.md, docs/scenarios.md):",
    "  populations: SCB folkmängd 2022-12-31, DeSO table 000005FF (data/sweden/areas.csv);",
    "  police-listed areas 2021 and 2023 and their centroids: Polismyndigheten UO2021.shp / uso_2023.shp;",
    "  offices: statenssc.se, publikt.se, framtiden.se, aftonbladet.se, sverigesradio.se (per office below);",
    "  visit volumes and staff productivity: RiR 2022:28, Ds 2020:29, swedenherald.com 2025-02-20.",
    "Assumptions (docs/scenarios.md): A1 opening hours, A2 service times, A5 weekday/hour profile,",
    "  A6 patience and balking, A7 errand mix (A7 (MV): Migrationsverket only at offices in",
    f"  municipalities of >= {MV_MIN_POPULATION:,} residents), A8 visit rate, A9 distance decay,",
    "  A10 populations of unsourced areas, A11 mobile unit; scenario assumptions SE1-SE8 (SE8: counters",
    "  sized to ~17 visits per staff-day).",
]


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
    comments: dict[tuple, str] = {}
    names = " + ".join(region.municipalities)
    doc: dict[str, Any] = {
        "name": f"sweden-{region.slug}",
        "description": f"{names}: today's (pre-2022) offices and the police-listed areas",
    }
    doc.update(common_sections(days, warmup, comments))
    doc["errands"], ec = _errand_docs(errands)
    comments.update(ec)
    doc["demand_profile"] = {"weekday": dict(WEEKDAY_PROFILE), "hour": dict(HOUR_PROFILE)}
    doc["areas"] = [_area_doc(a, i, comments) for i, a in enumerate(areas)]
    ids = [e[0] for e in errands]
    doc["sites"] = [
        office_doc(o, load[o.id] / WEEKDAYS_PER_YEAR, ids, ("sites", k), comments)
        for k, o in enumerate(offices)
    ]
    doc.update(travel_behaviour(comments))
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


# --------------------------------------------------------------------------------------------
# Pilot designs
# --------------------------------------------------------------------------------------------


def new_office_area(built: Built, region: Region) -> DemandArea:
    """Where the new office goes: the sourced area, else the area losing most demand to distance."""
    listed = [a for a in built.areas if a.vulnerable]
    if region.new_office_area:
        return next(a for a in listed if a.id == region.new_office_area)
    return max(listed, key=lambda a: (built.lost[a.id], a.id))


def new_office_site(
    area: DemandArea, note: str, key: tuple, comments: dict, errand_ids: Sequence[str]
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
    key: tuple,
    comments: dict,
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
    built: Built,
    base_file: str,
    name: str,
    description: str,
    designs: dict[str, Any],
    comments: dict,
) -> dict[str, Any]:
    """A sweep file comparing ``designs`` against ``baseline``."""
    comments[("replications",)] = "20 paired replications (common random numbers)"
    comments[("level",)] = "95 % confidence"
    comments[("seed",)] = "root seed; replication i of every design uses the same streams"
    comments[("correction",)] = "family level 95 % over the designs compared with the baseline"
    return {
        "name": name,
        "description": description,
        "base": base_file,
        "seed": SEED,
        "replications": REPLICATIONS,
        "baseline": "baseline",
        "level": 0.95,
        "correction": "bonferroni",
        "kpis": list(KPIS),
        "designs": designs,
    }


def build_pilot(built: Built, region: Region, base_file: str) -> tuple[dict, dict, list[str]]:
    """The pilot sweep of a region: baseline, new-office, mobile, both."""
    comments: dict[tuple, str] = {}
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
        built,
        base_file,
        f"sweden-{region.slug}-pilot",
        f"{names}: today's offices vs a new office in {target.name}, a mobile unit, or both",
        designs,
        comments,
    )
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


def build_shared_pilot(built: Built, base_file: str) -> tuple[dict, dict, list[str]]:
    """Linköping + Norrköping: one mobile unit shared by both municipalities."""
    comments: dict[tuple, str] = {}
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
        built,
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


# --------------------------------------------------------------------------------------------
# National scenario
# --------------------------------------------------------------------------------------------


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
    comments: dict[tuple, str] = {}
    doc: dict[str, Any] = {
        "name": "sweden-national",
        "description": (
            "44 municipalities (2021 assignment + all with police-listed areas), one office "
            "each, demand scaled to ~2.8 M visits/yr"
        ),
    }
    doc.update(common_sections(NATIONAL_DAYS, NATIONAL_WARMUP, comments))
    doc["errands"], ec = _errand_docs(errands)
    comments.update(ec)
    doc["demand_profile"] = {"weekday": dict(WEEKDAY_PROFILE), "hour": dict(HOUR_PROFILE)}
    doc["areas"] = [_area_doc(a, i, comments) for i, a in enumerate(areas)]
    ids = [e[0] for e in errands]
    doc["sites"] = [
        office_doc(o, load[o.id] / WEEKDAYS_PER_YEAR, ids, ("sites", k), comments)
        for k, o in enumerate(offices)
    ]
    doc.update(travel_behaviour(comments))
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


# --------------------------------------------------------------------------------------------
# YAML output with comments
# --------------------------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z0-9ÅÄÖåäöÉéÜü][A-Za-z0-9ÅÄÖåäöÉéÜü ()/_.\-]*$")
TOP_BLOCK = {
    "calendar",
    "demand_profile",
    "errands",
    "areas",
    "sites",
    "travel",
    "behaviour",
    "designs",
    "kpis",
}
NESTED_BLOCK = {"add", "sites", "schedule"}
WIDTH = 120


def scalar(value: Any) -> str:
    """One YAML scalar that reads back as the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if _PLAIN.match(text) and not text.endswith(" ") and yaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def flow(value: Any) -> str:
    """A value in YAML flow style."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def _line(text: str, comment: str | None) -> str:
    return f"{text}  # {comment}" if comment else text


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, Mapping | list | tuple)


def _commented_below(path: tuple, comments: Mapping[tuple, str]) -> bool:
    n = len(path)
    return any(len(k) > n and k[:n] == path for k in comments)


def render(
    value: Mapping[str, Any], comments: Mapping[tuple, str], path: tuple = (), indent: int = 0
) -> list[str]:
    """Block-style YAML lines of a mapping, with ``# comments`` keyed by path."""
    out: list[str] = []
    pad = " " * indent
    for key, v in value.items():
        p = (*path, key)
        note = comments.get(p)
        head = f"{pad}{scalar(key)}:"
        inline = f"{head} {flow(v)}"
        if (
            _is_scalar(v)
            or not v
            or (
                key not in (TOP_BLOCK if not path else NESTED_BLOCK)
                and not _commented_below(p, comments)
                and len(inline) <= WIDTH
            )
        ):
            out.append(_line(inline, note))
            continue
        out.append(_line(head, note))
        if isinstance(v, Mapping):
            out.extend(render(v, comments, p, indent + 2))
            continue
        for i, item in enumerate(v):
            ip = (*p, i)
            text = f"{pad}  - {flow(item)}"
            if isinstance(item, Mapping) and (_commented_below(ip, comments) or len(text) > WIDTH):
                lines = render(item, comments, ip, indent + 4)
                lines[0] = f"{pad}  - {lines[0][indent + 4 :]}"
                if ip in comments:
                    out.append(f"{pad}  # {comments[ip]}")
                out.extend(lines)
            else:
                out.append(_line(text, comments.get(ip)))
    return out


def document(header: Iterable[str], doc: Mapping[str, Any], comments: Mapping[tuple, str]) -> str:
    """A commented YAML file; checks that it reads back as ``doc``."""
    lines = [f"# {h}".rstrip() for h in header] + render(doc, comments)
    text = "\n".join(lines) + "\n"
    if yaml.safe_load(text) != _plain(doc):
        raise AssertionError("generated YAML does not read back as the intended data")
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------
# Overview and main
# --------------------------------------------------------------------------------------------


def overview(built: Sequence[tuple[str, Built]]) -> str:
    """A Markdown table of every scenario's areas, offices, expected visits and counters."""
    out = [
        "# Swedish scenarios: overview (generated)",
        "",
        "Generated by `tools/build_sweden.py`; see `docs/scenarios.md` for sources and assumptions.",
        "Expected visits = needs x exp(-travel/28) at the nearest office (queue losses ignored);",
        f"counters = round(expected visits per weekday / {VISITS_PER_STAFF_DAY}).",
        "",
        "| scenario | listed areas (population) | residents | offices: counters (expected visits/weekday) "
        "| expected visits/yr |",
        "|---|---|---|---|---|",
    ]
    for slug, b in built:
        listed = ", ".join(f"{a.name} ({a.population:,})" for a in b.areas if a.vulnerable)
        if slug == "national":
            listed = f"{sum(a.vulnerable for a in b.areas)} areas, {sum(a.population for a in b.areas if a.vulnerable):,} residents"
            sites = f"{len(b.offices)} offices, {sum(o.counters for o in b.offices)} counters"
        else:
            sites = "; ".join(
                f"{o.id}: {o.counters} ({b.load[o.id] / WEEKDAYS_PER_YEAR:.0f})" for o in b.offices
            )
        out.append(
            f"| {slug} | {listed} | {sum(a.population for a in b.areas):,} | {sites} "
            f"| {sum(b.load.values()):,.0f} |"
        )
    return "\n".join(out) + "\n"


def build(out_dir: Path = OUT_DIR, areas_csv: Path = AREAS_CSV) -> list[Path]:
    """Write every Swedish scenario and sweep into ``out_dir``; return the files written."""
    rows = read_rows(areas_csv)
    files: dict[str, str] = {}
    built: list[tuple[str, Built]] = []
    for region in (*REGIONS, SHARED):
        title = "Linköping + Norrköping (combined)" if region is SHARED else None
        b = build_region(rows, region, title=title)
        built.append((region.slug, b))
        files[f"{region.slug}.yaml"] = document(b.header, b.doc, b.comments)
        if region is SHARED:
            sdoc, sc, sh = build_shared_pilot(b, f"{region.slug}.yaml")
        else:
            sdoc, sc, sh = build_pilot(b, region, f"{region.slug}.yaml")
        files[f"{region.slug}-pilot.sweep.yaml"] = document(sh, sdoc, sc)
        if region.slug == DEFAULT_REGION:
            files["default/region.yaml"] = document(
                [
                    "Embedded default region (a copy of "
                    + region.slug
                    + ".yaml; why: docs/scenarios.md).",
                    *b.header,
                ],
                b.doc,
                b.comments,
            )
            ddoc, dcomments, dheader = build_pilot(b, region, "region.yaml")
            files["default/pilot.sweep.yaml"] = document(
                [f"Embedded default pilot sweep (= {region.slug}-pilot.sweep.yaml).", *dheader],
                ddoc,
                dcomments,
            )
    national = build_national(rows)
    built.append(("national", national))
    files["national.yaml"] = document(national.header, national.doc, national.comments)
    files["OVERVIEW.md"] = overview(built)
    written = []
    for name, text in sorted(files.items()):
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python tools/build_sweden.py [--out DIR] [--areas CSV]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=OUT_DIR, help="output folder (default: configs/sweden)"
    )
    parser.add_argument(
        "--areas", type=Path, default=AREAS_CSV, help="areas CSV (default: data/sweden/areas.csv)"
    )
    args = parser.parse_args(argv)
    written = build(args.out, args.areas)
    sys.stdout.write(f"wrote {len(written)} files to {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
