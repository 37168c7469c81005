"""The in-model checker accepts every correct run, on random valid scenarios.

Each test states one property that must hold for *every* scenario and seed; the checks are
computed independently from the output tables by the oracle in ``tests/property/oracle.py``.
``docs/testing.md`` lists every invariant with the test that checks it.
"""

from __future__ import annotations

import pytest
from hypothesis import given, note

import simulation
from simulation.engine.invariants import check_site
from simulation.engine.model import Engine, SiteSpec, Visits, as_arrays
from tests.property.hypothesis_settings import PROPERTY, fewer
from tests.property.oracle import engine_site_run
from tests.strategies import engine_cases, scenarios


@fewer(0.5)
@given(scenarios(max_needs=300.0))
def test_in_model_invariant_checker_passes(doc):
    """``simulation.run(..., check_invariants=True)`` asserts capacity, queue limit,
    presence, causality and conservation after every arrival and service start."""
    result = simulation.run(doc, replications=2, check_invariants=True)
    note(f"visits: {len(result.visits)}")


@PROPERTY
@given(engine_cases())
def test_in_model_checker_with_whole_minute_ties(case):
    """The in-model checker (``check_site`` after every event) accepts every correct run,
    including simultaneous arrivals."""
    engine_site_run(case, check_site)


def test_in_model_checker_accepts_an_arrival_that_the_clock_rounds_down():
    """Minimal case: after an event at 22.1 SimPy's clock reaches 22.1 + (119.7 - 22.1) =
    119.69999999999999 for an arrival at 119.7. A service that starts then must not be
    recorded as starting in the checker's future."""
    assert 22.1 + (119.7 - 22.1) < 119.7
    visits = Visits.empty([0.0, 5.0], [float("inf")] * 2)
    spec = SiteSpec(1, None, False, [0.0], [1000.0])
    Engine([spec], [([22.1, 119.7], [0, 1])], visits, 1000.0, check_site).run()
    rec = as_arrays(visits)
    assert rec["end_min"][1] - rec["start_min"][1] == pytest.approx(5.0, abs=1e-12)
