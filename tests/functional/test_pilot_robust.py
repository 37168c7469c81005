"""How often each region is the pilot's choice across plausible worlds (``uncertain:``).

Regions ``a`` and ``b`` are the same town (vulnerable area 14 km from the office, 3,000
residents; :mod:`tests.pilot_support`), except that the number of residents of ``a``'s listed
area is uncertain over 600–5,400. A unit's benefit there is proportional to the listed
area's needs (the unit is far from full), so by symmetry the order flips exactly where ``a``'s
listed area has 3,000 residents: ``b`` is first below, ``a`` above. With 8 Latin-hypercube
worlds (one in each stratum of 600), 4 lie below 3,000 and 4 above; ``a`` is first in about
half of them. The test asserts the order in the worlds at least 600 residents from the flip
(where ``a``'s benefit differs from ``b``'s by ~80 needs a year or more, 3–4 standard
deviations of the difference of two means of 4 replications) and the share with its
interval.
"""

from __future__ import annotations

import pandas as pd
import pytest

import simulation.pilot as p
from tests.pilot_support import pilot_document, write_regions

PATH = "areas.a-listed.population"
UNCERTAIN = {"worlds": 8, "replications": 4, "inputs": {PATH: {"low": 600, "high": 5400}}}


@pytest.fixture(scope="module")
def regions(tmp_path_factory):
    return write_regions(tmp_path_factory.mktemp("regions"), {"a": 14, "b": 14})


def test_the_first_region_flips_where_the_uncertain_population_equals_the_other(regions, tmp_path):
    doc = pilot_document(regions, seed=1, uncertain=UNCERTAIN)
    result = p.pilot(doc, workers=1, out=tmp_path / "out", progress=False)
    worlds = result.worlds
    assert len(worlds) == 8
    # one world in each stratum of the Latin hypercube
    strata = sorted(((worlds[PATH] - 600) // 600).astype(int))
    assert strata == list(range(8))
    for population, top in zip(worlds[PATH], worlds["top"], strict=True):
        if population < 3000 - 600:
            assert top == "b", worlds
        elif population > 3000 + 600:
            assert top == "a", worlds
    # a's benefit follows its listed area's residents; b's does not depend on them
    assert worlds[PATH].corr(worlds["benefit:a"], method="spearman") > 0.9
    table = result.robustness.set_index("region")
    assert table.loc["a", "in_top"] + table.loc["b", "in_top"] == 8  # one first per world
    assert 3 <= table.loc["a", "in_top"] <= 5
    assert table.loc["a", "share_low"] < 0.5 < table.loc["a", "share_high"]
    assert "Across 8 plausible worlds" in result.statement
    out = tmp_path / "out"
    assert pd.read_csv(out / "robustness.csv").shape[0] == 2
    assert pd.read_csv(out / "worlds.csv").shape[0] == 8
    # the ranking at the nominal values is that of the same pilot without the block
    p.pilot(pilot_document(regions, seed=1), workers=1, out=tmp_path / "p", progress=False)
    assert (out / "ranking.csv").read_bytes() == (tmp_path / "p" / "ranking.csv").read_bytes()
