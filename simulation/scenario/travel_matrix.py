"""The travel-matrix file a scenario references: its format, its checks and its reading.

A travel matrix is a CSV with the columns ``area,site,minutes`` (any order); ``site`` is a
site id or a mobile unit's stop place (``unit@area``). One matrix may serve every design of
a sweep (:class:`TravelIds`). The engine turns the rows into travel times
(:func:`simulation.engine.network.compile_network`).
"""

from __future__ import annotations

import csv
import difflib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulation.scenario.errors import ScenarioError
from simulation.scenario.limits import check_input_file
from simulation.scenario.schedules import stop_place_id
from simulation.scenario.schema import Mobile, Scenario


@dataclass(frozen=True)
class TravelIds:
    """Ids a travel matrix may name beyond those of the scenario being loaded.

    One matrix serves every design of a sweep, so a row for a site that one design removed
    (or an area, or a mobile unit's place another design adds) is ignored in the designs
    without it; a row for an id that no design has is an error.

    Attributes
    ----------
    areas, sites
        Area ids, and site or place ids (``unit@area``), of every design.
    any
        Accept every id without a word (the scenario was checked already, e.g. when a
        sweep's worker reloads one of its designs).
    """

    areas: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    any: bool = False

    @classmethod
    def of(cls, scenarios: Iterable[Scenario]) -> TravelIds:
        """The ids of all ``scenarios`` (e.g. every design of a sweep)."""
        areas: set[str] = set()
        sites: set[str] = set()
        for scenario in scenarios:
            areas.update(a.id for a in scenario.areas)
            sites.update(scenario_site_ids(scenario))
        return cls(frozenset(areas), frozenset(sites))


ANY_IDS = TravelIds(any=True)
"""Accept rows for any id (the scenario's matrix was checked when it was loaded)."""

MATRIX_COLUMNS = ("area", "site", "minutes")

_MATRIX_CACHE: dict[tuple[str, int, int, int], tuple[tuple[int, str, str, float], ...]] = {}


def scenario_site_ids(scenario: Scenario) -> set[str]:
    """Ids a matrix row may give as ``site``: site ids and mobile stop places (``unit@area``)."""
    ids = {s.id for s in scenario.sites}
    ids.update(
        stop_place_id(s.id, stop)
        for s in scenario.sites
        if isinstance(s, Mobile)
        for stop in s.schedule
    )
    return ids


def matrix_rows(path: Path) -> tuple[tuple[int, str, str, float], ...]:
    """The rows ``(line, area, site, minutes)`` of a travel-matrix CSV, checked for form.

    The file is checked before it is opened (no special files, size limit). An empty file, a
    header without rows, a wrong header, a line of the wrong length, a bad number and the
    same (area, site) pair with two different minutes are errors. Messages never echo the
    file beyond the offending field. Parsed files are remembered by path, size and
    modification time.

    Raises
    ------
    ScenarioError
        With path ``travel.matrix`` and, for a line, the offending field as value.
    """
    where = ("travel", "matrix")
    try:
        info = check_input_file(path, "matrix")
    except ScenarioError as exc:
        raise ScenarioError(f"travel matrix: {exc.message}", where, str(path)) from None
    key = (str(path), info.st_mtime_ns, info.st_size, info.st_ino)
    if key in _MATRIX_CACHE:
        return _MATRIX_CACHE[key]
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = _parse_matrix(csv.reader(handle), path)
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"travel matrix is not UTF-8 text (bad byte at offset {exc.start})", where, str(path)
        ) from None
    except OSError as exc:
        raise ScenarioError(
            f"cannot read travel matrix: {exc.strerror or exc}", where, str(path)
        ) from None
    if len(_MATRIX_CACHE) >= 8:
        _MATRIX_CACHE.clear()
    _MATRIX_CACHE[key] = rows
    return rows


def _parse_matrix(reader: Any, path: Path) -> tuple[tuple[int, str, str, float], ...]:
    where = ("travel", "matrix")
    try:
        header = next(reader, None)
        if header is None:
            raise ScenarioError(
                "travel matrix is empty: expected the header line 'area,site,minutes' and one "
                "row per area and site",
                where,
                str(path),
            )
        names = [h.strip().lstrip("\ufeff") for h in header]
        if sorted(names) != sorted(MATRIX_COLUMNS):
            missing = [c for c in MATRIX_COLUMNS if c not in names]
            other = len([h for h in names if h not in MATRIX_COLUMNS])
            detail = ", ".join(
                ([f"missing {', '.join(missing)}"] if missing else [])
                + ([f"{other} other column{'s' if other != 1 else ''}"] if other else [])
                + ([] if missing or other else ["a column given twice"])
            )
            raise ScenarioError(
                f"line 1 of the travel matrix must be the header 'area,site,minutes' (columns in "
                f"any order; {detail})",
                where,
                str(path),
            )
        col = {name: names.index(name) for name in MATRIX_COLUMNS}
        first: dict[tuple[str, str], tuple[int, float]] = {}
        rows = []
        for fields in reader:
            n = reader.line_num
            if not fields:
                continue  # a blank line
            if len(fields) != len(MATRIX_COLUMNS):
                raise ScenarioError(
                    f"line {n}: expected 3 fields (area,site,minutes), found {len(fields)}",
                    where,
                    str(path),
                )
            area, site, text = (fields[col[c]] for c in MATRIX_COLUMNS)
            try:
                minutes = float(text)
            except ValueError:
                minutes = math.nan
            if not (math.isfinite(minutes) and minutes >= 0):
                raise ScenarioError(f"line {n}: minutes must be a non-negative number", where, text)
            pair = (area, site)
            if pair in first and first[pair][1] != minutes:
                line, before = first[pair]
                raise ScenarioError(
                    f"line {n}: area '{area}' to site '{site}' is given again with other minutes "
                    f"(line {line}: {before:g})",
                    where,
                    minutes,
                )
            first.setdefault(pair, (n, minutes))
            rows.append((n, area, site, minutes))
    except csv.Error as exc:
        raise ScenarioError(
            f"line {reader.line_num}: travel matrix is not valid CSV ({exc})", where, str(path)
        ) from None
    if not rows:
        raise ScenarioError("travel matrix has a header but no rows", where, str(path))
    return tuple(rows)


def read_travel_matrix(
    scenario: Scenario, known: TravelIds | None = None
) -> dict[tuple[str, str], float]:
    """Read ``travel.matrix``: a CSV with columns ``area,site,minutes``.

    Parameters
    ----------
    scenario
        The scenario whose matrix to read.
    known
        Ids beyond the scenario's own that rows may name (they are ignored), e.g. those of
        every design of a sweep; :data:`ANY_IDS` ignores rows for every unknown id.

    Returns
    -------
    dict
        ``(area id, site or place id) → minutes`` for the scenario's own ids.

    Raises
    ------
    ScenarioError
        If the file cannot be read, is empty, has other columns, bad numbers, conflicting
        duplicate rows or ids that are neither the scenario's nor in ``known``.
    """
    path = Path(scenario.travel.matrix or "")
    where = ("travel", "matrix")
    known = known or TravelIds()
    rows = matrix_rows(path)
    area_ids = {a.id for a in scenario.areas}
    site_ids = scenario_site_ids(scenario)
    sweep = " (in no design of the sweep)" if known.areas or known.sites else ""
    out: dict[tuple[str, str], float] = {}
    for n, area, site, minutes in rows:
        if area in area_ids and site in site_ids:
            out[(area, site)] = minutes
            continue
        if known.any:
            continue
        if area not in area_ids and area not in known.areas:
            raise ScenarioError(
                f"line {n}: undefined area id{sweep}{_near(area, area_ids)}", where, area
            )
        if site not in site_ids and site not in known.sites:
            raise ScenarioError(
                f"line {n}: undefined site id{sweep}{_near(site, site_ids)}", where, site
            )
    return out


def _near(word: str, words: set[str]) -> str:
    near = difflib.get_close_matches(word, sorted(words), n=1)
    return f"; did you mean '{near[0]}'?" if near else ""
