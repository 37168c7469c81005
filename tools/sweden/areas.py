"""``data/sweden/areas.csv``: the municipalities and police-listed areas, and their ids."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tools.sweden.tables import TableError, coordinate, number, read_table

COLUMNS = ("municipality", "area", "kind", "population", "lat", "lon", "source_or_assumption")
KINDS = ("municipality", "vulnerable_area")

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
    """Read ``areas.csv`` (``municipality,area,kind,population,lat,lon,source_or_assumption``).

    Parameters
    ----------
    path
        The areas table (``data/sweden/README.md`` names the source of every column).

    Returns
    -------
    list of Row
        In file order; ``source`` is the last column split into its ``key=value`` parts.
    """
    rows = []
    for rec in read_table(path, COLUMNS):
        if rec["kind"] not in KINDS:
            raise TableError(f"{path}: column kind: expected one of {KINDS}, got {rec['kind']!r}")
        parts = _SPLIT.split(rec["source_or_assumption"])
        source = dict(p.split("=", 1) for p in parts if "=" in p)
        lat, lon = coordinate(path, rec)
        rows.append(
            Row(
                rec["municipality"],
                rec["area"],
                rec["kind"],
                int(number(path, rec, "population", int)),
                lat,
                lon,
                source,
            )
        )
    return rows


def municipality(rows: Sequence[Row], name: str) -> Row:
    """The ``kind=municipality`` row of ``name``."""
    for r in rows:
        if r.kind == "municipality" and r.municipality == name:
            return r
    raise KeyError(name)


def slugify(text: str) -> str:
    """ASCII id from a Swedish name: ``Hässelby/Vällingby`` -> ``hasselby-vallingby``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
