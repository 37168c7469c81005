"""Propose screening: the decay weight, never a stop an office covers, and a covering
model that picks complementary stops.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulation.propose.screening import gaussian_weight, screen
from simulation.scenario.propose_loading import load_propose
from tests.propose_support import OFFICE, region, spec, write


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path, "region.yaml", region())
    return tmp_path


def test_gaussian_weight():
    assert gaussian_weight(0.0, 30) == pytest.approx(1.0)
    assert gaussian_weight(30.0, 30) == pytest.approx(0.0)
    assert gaussian_weight(np.inf, 30) == 0.0
    w = gaussian_weight(np.array([5.0, 10.0, 20.0]), 30)
    assert np.all(np.diff(w) < 0)


@pytest.mark.parametrize(
    ("office", "covered"),
    [
        (OFFICE, {"near-a", "near-b", "near-c"}),
        ({"lat": 58.10, "lon": 16.0}, {"far"}),
    ],
)
def test_screening_never_shortlists_a_stop_an_office_covers(tmp_path: Path, office, covered):
    write(tmp_path, "region.yaml", region(office))
    at_office = {"id": "at-office", "location": office}
    candidates = [{"id": a, "area": a} for a in ("far", "near-a", "near-b", "near-c")] + [at_office]
    loaded = load_propose(write(tmp_path, "p.yaml", spec(candidates=candidates)))
    result = screen(loaded)
    table = result.table.set_index("candidate")
    for c in covered | {"at-office"}:
        assert table.loc[c, "office_coverage"] == pytest.approx(1.0)
        assert not table.loc[c, "eligible"] and not table.loc[c, "shortlisted"]
        assert c not in result.shortlist
    assert set(result.shortlist) == {"far", "near-a", "near-b", "near-c"} - covered


def test_screening_covering_model_picks_complementary_stops(folder: Path):
    """Two stops in the far area cover the same people; a third covers a remote area. The
    maximal covering model shortlists one of the twins and the remote stop, although the
    twins each cover more on their own than the remote stop."""
    cands = [
        {"id": "far", "area": "far"},
        {"id": "far-east", "location": {"lat": 58.10, "lon": 16.004}},
        {"id": "north", "location": {"lat": 58.30, "lon": 16.0}},
    ]
    doc = region()
    doc["areas"].append(
        {
            "id": "remote",
            "population": 3000,
            "vulnerable": True,
            "location": {"lat": 58.30, "lon": 16.0},
            "demand": {"per_1000_per_year": 400},
        }
    )
    write(folder, "region.yaml", doc)
    loaded = load_propose(
        write(folder, "p.yaml", spec(candidates=cands, screening={"shortlist": 2}))
    )
    result = screen(loaded)
    value = result.table.set_index("candidate")["covered_residual_per_week"]
    assert value["north"] < min(value["far"], value["far-east"])
    assert "north" in result.shortlist and len({"far", "far-east"} & set(result.shortlist)) == 1
    assert "milp" in result.solver


def test_screening_supply_counts_staffed_counter_hours():
    """An office's 2SFCA supply is its staffed counter-hours: the ``staffing`` key, not
    ``counters`` times open hours, when it has one (8 counters Mon-Fri 10-16 is 240 h a week;
    the staffed example, 222 h)."""
    from simulation.engine.network import compile_network
    from simulation.propose.screening import _weekly_counter_hours
    from simulation.scenario.loading import load_scenario
    from tests.conftest import EXAMPLES

    fixed = compile_network(load_scenario(EXAMPLES / "norrkoping-fixed.yaml"))
    staffed = compile_network(load_scenario(EXAMPLES / "norrkoping-staffed.yaml"))
    weeks = fixed.scenario.calendar.days / 7
    assert _weekly_counter_hours(fixed, 0, weeks) == pytest.approx(240.0)
    # 4 weekdays of (9 + 7 + 5) x 2 h and Mondays (11 + 9 + 7) x 2 h: 168 + 54 = 222 h a week
    assert _weekly_counter_hours(staffed, 0, weeks) == pytest.approx(222.0)
