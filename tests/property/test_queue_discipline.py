"""FIFO and work conservation at every site, on random valid scenarios.

Each test states one property that must hold for *every* scenario and seed; the checks are
computed independently from the output tables by the oracle in ``tests/property/oracle.py``.
``docs/testing.md`` lists every invariant with the test that checks it.
"""

from __future__ import annotations

from hypothesis import given

from tests.property.hypothesis_settings import PROPERTY
from tests.property.oracle import check_fifo, check_work_conserving, run, site_runs
from tests.strategies import scenarios


@PROPERTY
@given(scenarios())
def test_fifo_at_every_site(doc):
    """At one site, service starts are in arrival order."""
    for *_, s, _ in site_runs(run(doc)):
        check_fifo(s)


@PROPERTY
@given(scenarios())
def test_no_one_waits_while_a_counter_is_free(doc):
    for *_, s, _ in site_runs(run(doc)):
        check_work_conserving(s)
