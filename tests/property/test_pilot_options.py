"""Invariants of the pilot's top sets across worlds and of the shared-against-separate choice."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from simulation.pilot.robust import top_table
from simulation.pilot.shared import choose_option

benefit = st.floats(-1e4, 1e4, allow_nan=False)


@st.composite
def world_benefits(draw):
    regions = draw(st.integers(2, 6))
    worlds = draw(st.integers(1, 12))
    cells = draw(st.lists(benefit, min_size=regions * worlds, max_size=regions * worlds))
    grid = np.array(cells).reshape(regions, worlds)
    return {f"r{i}": grid[i] for i in range(regions)}


@given(world_benefits(), st.sampled_from([1, 2]))
def test_every_world_has_one_top_set_of_choose_regions(benefits, choose):
    choose = min(choose, len(benefits) - 1)
    tops, table = top_table(benefits, choose, 0.9)
    worlds = len(next(iter(benefits.values())))
    assert len(tops) == worlds and all(len(set(t)) == choose for t in tops)
    assert table["in_top"].sum() == choose * worlds
    assert (table["share_low"] <= table["share"] + 1e-12).all()
    assert (table["share"] <= table["share_high"] + 1e-12).all()
    for w, top in enumerate(tops):  # the top set holds the largest benefits of the world
        rest = [b[w] for name, b in benefits.items() if name not in top]
        assert min(benefits[n][w] for n in top) >= max(rest)


@given(world_benefits(), st.sampled_from([1, 2]))
def test_a_region_ahead_in_every_world_is_always_in_the_top_set(benefits, choose):
    choose = min(choose, len(benefits) - 1)
    grid = np.array(list(benefits.values()))
    leader = "r1"  # above every other region in every world, listed second
    benefits[leader] = grid.max(axis=0) + 1.0
    _, table = top_table(benefits, choose, 0.9)
    row = table.set_index("region").loc[leader]
    assert row["in_top"] == row["worlds"] and row["share"] == 1.0
    assert table["region"].iloc[0] == leader


@given(st.lists(benefit, min_size=1, max_size=5), st.lists(benefit, min_size=2, max_size=2))
def test_a_shared_unit_is_chosen_exactly_when_its_benefit_beats_the_separate_units_per_unit(
    pairs, separate
):
    options = [SimpleNamespace(benefit=b, name=i) for i, b in enumerate(pairs)]
    chosen, per_unit = choose_option(options, separate)  # type: ignore[arg-type]
    assert per_unit == np.mean(separate)
    best = max(pairs)
    assert (chosen is not None) == (best > per_unit)
    if chosen is not None:
        assert chosen.benefit == best and chosen is options[pairs.index(best)]
