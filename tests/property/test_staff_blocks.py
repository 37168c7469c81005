"""Property: the day keys ``servicesim staff`` writes give back every day's staffing.

For any per-weekday staffing (random open days, slot counts and values, so that days often
coincide), :func:`~simulation.staff.blocks.merge_days` writes day keys (ranges, single days
overriding them) that the scenario's own parser turns back into exactly the same windows and
counts on every day, and never into more keys than days.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simulation.scenario.hours import parse_opening_hours, parse_staffing
from simulation.scenario.schema import WEEKDAYS
from simulation.staff.blocks import day_windows, merge_days
from simulation.staff.periods import show_minute

day_slots = st.lists(st.integers(1, 3), min_size=1, max_size=6)


@given(st.dictionaries(st.integers(0, 6), day_slots, min_size=1))
def test_merged_day_keys_parse_back_to_every_days_staffing(days):
    per_day = {
        d: day_windows([(600 + 60 * i, 660 + 60 * i, n) for i, n in enumerate(slots)])
        for d, slots in days.items()
    }
    opening = {WEEKDAYS[d]: [f"10:00-{show_minute(600 + 60 * len(s))}"] for d, s in days.items()}
    block = merge_days(per_day)
    assert len(block) <= len(per_day)
    weekly = parse_staffing(block, parse_opening_hours(opening))
    for d in range(7):
        expected = per_day.get(d, {})
        got = {f"{show_minute(s)}-{show_minute(e)}": n for s, e, n in weekly[d]}
        assert got == expected
