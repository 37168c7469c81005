"""Counts per variable → ``staffing`` blocks ready to paste, and the scenario they make.

An office's counts become its ``staffing`` key: per weekday, consecutive periods with the
same count merge into one window; weekdays with the same windows merge into day keys, as
``opening_hours`` allows (ranges first, single days override them). A mobile stop's count
becomes the stop's ``counters``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from simulation.scenario.schema import WEEKDAYS, Mobile, Office, Scenario
from simulation.staff.periods import Layout, show_minute

DayStaffing = dict[str, int]
"""One day's staffing: window text (``10:00-12:00``) → counters."""


def day_windows(windows: Sequence[tuple[float, float, int]]) -> DayStaffing:
    """Merge consecutive touching periods with the same count into windows.

    >>> day_windows([(600, 660, 3), (660, 720, 3), (720, 780, 2)])
    {'10:00-12:00': 3, '12:00-13:00': 2}
    """
    merged: list[list[float]] = []
    for start, end, n in sorted(windows):
        if merged and merged[-1][1] == start and merged[-1][2] == n:
            merged[-1][1] = end
        else:
            merged.append([start, end, n])
    return {f"{show_minute(s)}-{show_minute(e)}": int(n) for s, e, n in merged}


def _key(first: int, last: int) -> str:
    return WEEKDAYS[first] if first == last else f"{WEEKDAYS[first]}-{WEEKDAYS[last]}"


def _runs(days: Mapping[int, DayStaffing], only: Sequence[int]) -> list[tuple[str, DayStaffing]]:
    """Maximal runs of consecutive weekdays (among ``only``) with the same staffing."""
    out: list[tuple[str, DayStaffing]] = []
    ordered = sorted(only)
    i = 0
    while i < len(ordered):
        j = i
        while (
            j + 1 < len(ordered)
            and ordered[j + 1] == ordered[j] + 1
            and days[ordered[j + 1]] == days[ordered[i]]
        ):
            j += 1
        out.append((_key(ordered[i], ordered[j]), days[ordered[i]]))
        i = j + 1
    return out


def _ordered(entries: list[tuple[str, DayStaffing]]) -> dict[str, DayStaffing]:
    """Ranges first, then single days (the order the schema applies them in)."""
    ranges = [e for e in entries if "-" in e[0]]
    singles = [e for e in entries if "-" not in e[0]]
    return dict(ranges + singles)


def merge_days(days: Mapping[int, DayStaffing]) -> dict[str, DayStaffing]:
    """Day keys for per-weekday staffing: the fewest keys of two forms.

    Either maximal runs of consecutive weekdays with the same windows (``mon-wed``, ``thu``,
    ``fri``), or one range over the span of the most common staffing with single-day
    overrides for the other days in it (``mon-fri`` and ``thu``, as in the issue's example);
    ties go to the runs.

    >>> same = {"10:00-16:00": 2}
    >>> merge_days({0: same, 1: same, 2: same, 3: {"10:00-16:00": 3}, 4: same})
    {'mon-fri': {'10:00-16:00': 2}, 'thu': {'10:00-16:00': 3}}
    """
    if not days:
        return {}
    runs = _runs(days, list(days))
    common = Counter(tuple(sorted(d.items())) for d in days.values()).most_common(1)[0][0]
    with_common = [d for d in sorted(days) if tuple(sorted(days[d].items())) == common]
    lo, hi = with_common[0], with_common[-1]
    if hi > lo and all(d in days for d in range(lo, hi + 1)):
        spanned: list[tuple[str, DayStaffing]] = [(_key(lo, hi), dict(common))]
        spanned += [(WEEKDAYS[d], days[d]) for d in range(lo, hi + 1) if days[d] != dict(common)]
        outside = [d for d in days if d < lo or d > hi]
        spanned += _runs(days, outside)
        if len(spanned) < len(runs):
            return _ordered(spanned)
    return _ordered(runs)


def office_block(layout: Layout, counts: Sequence[int], k: int) -> dict[str, DayStaffing]:
    """The ``staffing`` block of office ``k`` for the given counts per variable."""
    days: dict[int, list[tuple[float, float, int]]] = {}
    for p in layout.periods:
        if p.site == k:
            days.setdefault(p.weekday, []).append((p.start, p.end, int(counts[p.variable])))
    return merge_days({d: day_windows(w) for d, w in days.items()})


def stop_counts(layout: Layout, counts: Sequence[int], k: int) -> dict[int, int]:
    """Stop index → counters of mobile unit ``k`` for the given counts per variable."""
    return {p.stop: int(counts[p.variable]) for p in layout.periods if p.site == k}


def staffed_scenario(layout: Layout, counts: Sequence[int]) -> Scenario:
    """The layout's scenario with every staffed site set to the given counts."""
    scenario = layout.scenario
    sites = list(scenario.sites)
    for k in layout.sites:
        site = sites[k]
        if isinstance(site, Office):
            block = office_block(layout, counts, k)
            sites[k] = site.model_copy(update={"staffing": block or None})
        else:
            assert isinstance(site, Mobile)
            stops = stop_counts(layout, counts, k)
            schedule = tuple(
                stop.model_copy(update={"counters": stops[j]}) if j in stops else stop
                for j, stop in enumerate(site.schedule)
            )
            sites[k] = site.model_copy(update={"schedule": schedule})
    return scenario.model_copy(update={"sites": tuple(sites)})


def paste_blocks(layout: Layout, counts: Sequence[int]) -> list[dict[str, object]]:
    """The blocks to paste, one per staffed site: ``{id, staffing}`` or ``{id, schedule}``."""
    out: list[dict[str, object]] = []
    staffed = staffed_scenario(layout, counts)
    for k in layout.sites:
        site = staffed.sites[k]
        if isinstance(site, Office):
            out.append({"id": site.id, "staffing": site.staffing})
        else:
            schedule = [
                stop.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
                for stop in site.schedule
            ]
            out.append({"id": site.id, "schedule": schedule})
    return out
