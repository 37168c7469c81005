"""Weekly opening hours: parsing ``mon-fri: ["10:00-16:00"]`` and laying windows on the calendar."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import numpy as np

from simulation.scenario.errors import ScenarioError
from simulation.scenario.schema import WEEKDAYS, Calendar

WeeklyHours = tuple[tuple[tuple[float, float], ...], ...]
"""For each weekday (Monday first), its open windows as (start, end) minutes after midnight."""

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_day_key(key: str) -> list[int]:
    """Weekday indices named by ``mon`` or a range such as ``mon-fri``.

    Raises
    ------
    ValueError
        If the key is not a weekday or an increasing weekday range.
    """
    parts = str(key).strip().lower().split("-")
    if len(parts) == 1 and parts[0] in WEEKDAYS:
        return [WEEKDAYS.index(parts[0])]
    if len(parts) == 2 and parts[0] in WEEKDAYS and parts[1] in WEEKDAYS:
        first, last = WEEKDAYS.index(parts[0]), WEEKDAYS.index(parts[1])
        if first < last:
            return list(range(first, last + 1))
    raise ValueError("expected a weekday (mon..sun) or a range such as mon-fri")


def parse_window(text: str) -> tuple[float, float]:
    """Minutes after midnight of a window written ``HH:MM-HH:MM`` (end may be 24:00).

    Raises
    ------
    ValueError
        If the text is malformed, a time is out of range or the window is empty.
    """
    match = _WINDOW.match(str(text))
    if not match:
        raise ValueError("expected a window 'HH:MM-HH:MM' such as '10:00-16:00'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if m1 > 59 or m2 > 59 or h1 > 23 or h2 > 24 or (h2 == 24 and m2 != 0):
        raise ValueError("times must lie between 00:00 and 24:00")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise ValueError("a window must end after it starts (windows cannot cross midnight)")
    return float(start), float(end)


def parse_opening_hours(spec: str | Mapping[str, Sequence[str]]) -> WeeklyHours | None:
    """Turn an ``opening_hours`` value into weekly windows; ``None`` means always open.

    Day ranges apply first; single days then override them. Days not mentioned are closed.
    Windows in one day must not overlap; touching windows are merged.

    Raises
    ------
    ScenarioError
        With a path relative to the ``opening_hours`` value (e.g. ``thu`` or ``thu[1]``).
    """
    if spec == "always":
        return None
    assert not isinstance(spec, str)  # "always" was handled above
    days, _ = _by_weekday(spec, _opening_windows)
    return tuple(tuple(_merge(day or [])) for day in days)


_Window = TypeVar("_Window")
_Values = TypeVar("_Values")


def _by_weekday(
    spec: Mapping[str, _Values],
    parse: Callable[[str, _Values], list[_Window]],
) -> tuple[list[list[_Window] | None], list[tuple[str, bool]]]:
    """Each weekday's windows from a mapping keyed by day (``mon``) or range (``mon-fri``).

    Ranges are read first and single days then override them; two ranges that name the same
    day are an error. ``parse`` reads (and checks) the windows of one key.

    Returns
    -------
    tuple
        Per weekday (Monday first), its parsed windows (``None`` for a day no key names), and
        the key that set it with whether that key is a range of several days.

    Raises
    ------
    ScenarioError
        With a path relative to the mapping (e.g. ``thu``).
    """
    days: list[list[_Window] | None] = [None] * 7
    keys: list[tuple[str, bool]] = [("", False)] * 7
    keyed = sorted(spec.items(), key=lambda kv: "-" not in str(kv[0]))
    for key, windows in keyed:
        try:
            indices = parse_day_key(key)
        except ValueError as exc:
            raise ScenarioError(str(exc), (str(key),), key) from None
        parsed = parse(key, windows)
        single = "-" not in str(key)
        for d in indices:
            if days[d] is not None and not single:
                raise ScenarioError(
                    f"day ranges overlap on {WEEKDAYS[d]}; give that day on its own instead",
                    (str(key),),
                    key,
                )
            days[d] = parsed
            keys[d] = (str(key), len(indices) > 1)
    return days, keys


def _opening_windows(key: str, windows: Sequence[str]) -> list[tuple[float, float]]:
    """The sorted opening windows of one day key; they must not overlap."""
    parsed = []
    for j, text in enumerate(windows):
        try:
            parsed.append(parse_window(text))
        except ValueError as exc:
            raise ScenarioError(str(exc), (str(key), j), text) from None
    parsed.sort()
    for j in range(1, len(parsed)):
        if parsed[j][0] < parsed[j - 1][1]:
            raise ScenarioError("opening windows overlap", (str(key),), list(windows))
    return parsed


def _merge(windows: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in windows:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def calendar_windows(
    weekly: WeeklyHours | None, calendar: Calendar
) -> tuple[np.ndarray, np.ndarray]:
    """Open windows over the whole run, as sorted arrays of start and end minutes.

    Parameters
    ----------
    weekly
        Weekly windows from :func:`parse_opening_hours`, or ``None`` for always open.
    calendar
        The run's calendar; windows are clipped to its horizon.
    """
    horizon = calendar.horizon_min
    if weekly is None:
        return np.array([0.0]), np.array([horizon])
    starts: list[float] = []
    ends: list[float] = []
    first = calendar.first_weekday
    for day in range(calendar.days):
        for start, end in weekly[(first + day) % 7]:
            base = day * 1440.0
            if starts and ends[-1] == base + start:  # open across midnight: one window
                ends[-1] = base + end
            else:
                starts.append(base + start)
                ends.append(base + end)
    return np.asarray(starts, dtype=float), np.asarray(ends, dtype=float)


WeeklyStaffing = tuple[tuple[tuple[float, float, int], ...], ...]
"""For each weekday (Monday first), its staffing windows as (start, end, counters)."""


def _show_window(start: float, end: float) -> str:
    return f"{int(start) // 60:02d}:{int(start) % 60:02d}-{int(end) // 60:02d}:{int(end) % 60:02d}"


def _staffing_windows(key: str, windows: Mapping[str, int]) -> list[tuple[float, float, int]]:
    """The sorted staffing windows (start, end, counters) of one day key; they must not overlap."""
    parsed = []
    for text, count in windows.items():
        try:
            start, end = parse_window(text)
        except ValueError as exc:
            raise ScenarioError(str(exc), (str(key), str(text)), text) from None
        parsed.append((start, end, int(count)))
    parsed.sort()
    for j in range(1, len(parsed)):
        if parsed[j][0] < parsed[j - 1][1]:
            raise ScenarioError(
                f"staffing windows {_show_window(*parsed[j - 1][:2])} and "
                f"{_show_window(*parsed[j][:2])} overlap",
                (str(key),),
                dict(windows),
            )
    return parsed


def parse_staffing(
    spec: Mapping[str, Mapping[str, int]], weekly: WeeklyHours | None
) -> WeeklyStaffing:
    """Turn a ``staffing`` value into weekly staffing windows, checked against opening hours.

    Day keys work as in ``opening_hours``: ranges first, single days override them. A window
    must lie inside one opening window of its day; windows of one day must not overlap;
    counts are integers of at least 1 (the schema checks their type and range).

    Raises
    ------
    ScenarioError
        With a path relative to the ``staffing`` value (e.g. ``thu``).
    """
    days, keys = _by_weekday(spec, _staffing_windows)
    # checked once single days have overridden ranges: a range's windows need not fit a day
    # that is given on its own
    for d, parsed_day in enumerate(days):
        open_windows = ((0.0, 1440.0),) if weekly is None else weekly[d]
        for start, end, _ in parsed_day or ():
            if not any(s <= start and end <= e for s, e in open_windows):
                key, is_range = keys[d]
                shown = [_show_window(s, e) for s, e in open_windows]
                where = f" on {WEEKDAYS[d]}" if is_range else ""
                raise ScenarioError(
                    f"window {_show_window(start, end)} lies outside opening hours{where}",
                    (key,),
                    shown or "closed",
                )
    return tuple(tuple(day or ()) for day in days)


def staffing_segments(
    weekly: WeeklyHours | None,
    staffing: WeeklyStaffing | None,
    counters: int,
    calendar: Calendar,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Staffed periods over the run: sorted ``(starts, ends, counts)`` covering every open minute.

    Inside an open window the count is that of the staffing window covering the minute,
    else ``counters``. Periods are clipped to the horizon; consecutive periods may have the
    same count.
    """
    horizon = calendar.horizon_min
    first = calendar.first_weekday
    starts: list[float] = []
    ends: list[float] = []
    counts: list[int] = []
    for day in range(calendar.days):
        d = (first + day) % 7
        base = day * 1440.0
        open_windows = ((0.0, 1440.0),) if weekly is None else weekly[d]
        staff = staffing[d] if staffing is not None else ()
        for s, e in open_windows:
            t = s
            for ws, we, n in staff:
                if we <= s or ws >= e:
                    continue
                if ws > t:
                    starts.append(base + t)
                    ends.append(base + ws)
                    counts.append(counters)
                starts.append(base + ws)
                ends.append(base + we)
                counts.append(n)
                t = we
            if t < e:
                starts.append(base + t)
                ends.append(base + e)
                counts.append(counters)
    a = np.asarray(starts, dtype=float)
    b = np.minimum(np.asarray(ends, dtype=float), horizon)
    c = np.asarray(counts, dtype=np.int64)
    keep = a < horizon
    return a[keep], b[keep], c[keep]
