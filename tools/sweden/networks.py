"""The three dated office networks of the national locality scenarios (docs/scenarios.md, SE13).

``data/sweden/network.csv`` lists every office with a source for its existence and its dates
(``opened``: ``pre-2022`` or ``YYYY-MM``; ``closed``: empty or ``YYYY-MM``). The sourced offices
do not reach the sourced office counts, so the rest of each network is assumption **A15**: one
office at the largest locality of each of the most populous municipalities that have no office
in the table, until the network of the turn of 2024/25 has 148 offices in 126 municipalities
(the extra offices go, as a second office at the second-largest locality, to the largest of
those municipalities). The same assumed offices are in all three networks, so the networks
differ exactly by the sourced openings and closures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tools.sweden.areas import slugify
from tools.sweden.localities import Locality, Municipality
from tools.sweden.offices import OfficeSite
from tools.sweden.tables import TableError, coordinate, read_table

NETWORK_COLUMNS = (
    "municipality",
    "id",
    "name",
    "lat",
    "lon",
    "opened",
    "closed",
    "source_or_assumption",
)


@dataclass(frozen=True)
class Dated:
    """One dated network: its file slug, the month it stands for and its sourced size."""

    slug: str
    month: str  # YYYY-MM: offices opened by then and not closed by then
    label: str
    offices: int | None  # the sourced office count it must reach (None: not sourced)
    municipalities: int | None
    source: str


NETWORKS = (
    Dated(
        "2022",
        "2022-06",
        "June 2022",
        123,
        None,
        "[S] 123 offices in June 2022 (publikt.se 2022-06-27)",
    ),
    Dated(
        "2024",
        "2024-12",
        "the turn of 2024/25",
        148,
        126,
        "[S] 148 offices in 126 municipalities at the turn of 2024/25 (akademikern.se 2025-06-02)",
    ),
    Dated(
        "2025",
        "2025-07",
        "after the 2025 closures",
        None,
        None,
        "[S] the turn of 2024/25 less the offices named as closed in 2025 (statenssc.se 2025-04-10, "
        "akademikern.se 2025-06-02)",
    ),
)
FILL_NETWORK = "2024"  # the network whose sourced size fixes how many offices A15 adds


@dataclass(frozen=True)
class TableOffice:
    """A row of ``network.csv``."""

    municipality: str
    site: OfficeSite
    opened: str
    closed: str

    def open_at(self, month: str) -> bool:
        """Whether the office is open in ``month`` (YYYY-MM)."""
        return (self.opened == "pre-2022" or self.opened <= month) and (
            not self.closed or self.closed > month
        )


def read_network(path: Path) -> list[TableOffice]:
    """Read ``network.csv`` (columns ``NETWORK_COLUMNS``), checking ids and dates."""
    out, seen = [], set()
    for rec in read_table(path, NETWORK_COLUMNS):
        if rec["id"] in seen or not rec["id"]:
            raise TableError(f"{path}: column id: empty or duplicate office id {rec['id']!r}")
        seen.add(rec["id"])
        for col in ("opened", "closed"):
            value = rec[col]
            ok = (value == "pre-2022" and col == "opened") or (not value and col == "closed")
            if not ok and not (
                len(value) == 7 and value[4] == "-" and value.replace("-", "").isdigit()
            ):
                raise TableError(f"{path}: column {col}: expected YYYY-MM, got {value!r}")
        lat, lon = coordinate(path, rec)
        site = OfficeSite(rec["id"], rec["name"], lat, lon, rec["source_or_assumption"])
        out.append(TableOffice(rec["municipality"], site, rec["opened"], rec["closed"]))
    return out


def assumed_offices(
    table: Sequence[TableOffice],
    munis: Sequence[Municipality],
    localities: Sequence[Locality],
    area_points: dict[str, tuple[float, float]],
) -> list[tuple[str, OfficeSite]]:
    """The offices of assumption A15, as ``(municipality, site)`` pairs.

    Parameters
    ----------
    table
        ``read_network`` of ``network.csv``.
    munis
        The municipalities of the national scenario (their totals rank them).
    localities
        The SCB localities (an office goes to the largest, an extra one to the second).
    area_points
        For municipalities without a locality: the point of their first area, by name.
    """
    fill = next(n for n in NETWORKS if n.slug == FILL_NETWORK)
    assert fill.offices is not None and fill.municipalities is not None
    listed = {t.municipality for t in table}
    open_now = [t for t in table if t.open_at(fill.month)]
    with_office = {t.municipality for t in open_now}
    missing = sorted(listed - {m.name for m in munis})
    if missing:
        raise TableError(f"network.csv: municipalities not in Sweden's 290: {missing}")
    new_munis = fill.municipalities - len(with_office)
    extra = fill.offices - len(open_now) - new_munis
    if new_munis < 0 or extra < 0:
        raise TableError("network.csv: more sourced offices than the sourced network holds")
    ranked = sorted(
        (m for m in munis if m.name not in listed), key=lambda m: (-m.population, m.code)
    )
    by_code: dict[str, list[Locality]] = {}
    for loc in localities:
        by_code.setdefault(loc.municipality_code, []).append(loc)
    out = []
    for rank, m in enumerate(ranked[:new_munis]):
        locs = sorted(by_code.get(m.code, ()), key=lambda x: (-x.population, x.code))
        if locs:
            where, lat, lon = f"largest SCB 2020 locality {locs[0].name}", locs[0].lat, locs[0].lon
        else:
            (lat, lon), where = area_points[m.name], "its only area (no locality of its own)"
        note = f"[A15] assumed office: rank {rank + 1} by population of the municipalities without a sourced office; at the {where}"
        out.append(
            (
                m.name,
                OfficeSite(f"{slugify(m.name)}-office", f"{m.name} servicekontor", lat, lon, note),
            )
        )
        if rank < extra:
            if len(locs) < 2:
                raise TableError(f"A15: {m.name} has no second locality for an extra office")
            second = locs[1]
            note = f"[A15] assumed second office ({m.name} is among the {extra} largest without a sourced office); at its second-largest SCB 2020 locality {second.name}"
            site_id = f"{slugify(m.name)}-{slugify(second.name)}-office"
            out.append(
                (
                    m.name,
                    OfficeSite(
                        site_id,
                        f"{m.name} servicekontor {second.name}",
                        second.lat,
                        second.lon,
                        note,
                    ),
                )
            )
    return out


def dated_offices(
    table: Sequence[TableOffice], assumed: Sequence[tuple[str, OfficeSite]], network: Dated
) -> list[tuple[str, OfficeSite]]:
    """The offices of ``network``: the sourced ones open in its month, then A15's, checked
    against the sourced counts."""
    sourced = [(t.municipality, t.site) for t in table if t.open_at(network.month)]
    offices = sorted([*sourced, *assumed], key=lambda x: (x[0], x[1].id))
    if network.offices is not None and len(offices) != network.offices:
        raise TableError(
            f"network {network.slug}: {len(offices)} offices, the source says {network.offices} "
            "(change network.csv or A15)"
        )
    if (
        network.municipalities is not None
        and len({m for m, _ in offices}) != network.municipalities
    ):
        raise TableError(f"network {network.slug}: not {network.municipalities} municipalities")
    return offices
