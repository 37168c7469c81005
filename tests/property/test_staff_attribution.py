"""Property: every visitor who reached a site belongs to exactly the period of its arrival.

For random scenarios (offices with lunch closures, day overrides, ``always``; mobile units on
distinct weekdays; warm-up) and any granularity, each counted visitor who arrived at a site
(served, reneged, balked or turned away at closing) is attributed to one period, and that
period's weekday and clock window contain its arrival minute (for a mobile unit, a window of
the stop it arrived at); nobody who reached a site is left out (nobody arrives at a closed
place, ``docs/model.md`` §7), and the per-period arrivals add up to them all.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import simulation
from simulation.staff.periods import ARRIVED, attribute, build_layout, period_counts
from simulation.staff.targets import parse_target
from tests.property.hypothesis_settings import PROPERTY
from tests.strategies import scenarios


@PROPERTY
@given(scenarios(), st.sampled_from((15, 30, 60, 120)))
def test_visitors_are_attributed_to_the_period_of_their_arrival(doc, granularity):
    scenario = simulation.load_scenario(doc)
    visits = simulation.run(scenario, replications=1, seed=1, progress=False).visits
    layout = build_layout(scenario, granularity)
    rows, periods = attribute(layout, visits)
    reached = (
        visits["counted"].to_numpy()
        & visits["outcome"].isin(ARRIVED).to_numpy()
        & visits["arrival_min"].notna().to_numpy()
    )
    assert sorted(rows.tolist()) == np.flatnonzero(reached).tolist()
    first = scenario.calendar.first_weekday
    arrival = visits["arrival_min"].to_numpy()[rows]
    site = visits["site"].cat.codes.to_numpy()[rows]
    for t, k, i in zip(arrival.tolist(), site.tolist(), periods.tolist(), strict=True):
        p = layout.periods[i]
        day = int(t // 1440)
        assert p.site == k
        assert p.weekday == (first + day) % 7
        assert p.start <= t - 1440 * day < p.end
        if p.stop >= 0:  # a mobile unit: the stop whose occurrence covers the arrival
            starts, ends, stops = layout.occurrences[k]
            (covering,) = np.flatnonzero((starts <= t) & (t < ends))
            assert stops[covering] == p.stop
    counts = period_counts(layout, visits, (parse_target("wait_p80<=15"),))
    assert counts["arrivals"].sum() == reached.sum()
    assert counts["served"].sum() == (reached & (visits["outcome"] == "served").to_numpy()).sum()
