"""Capacity, queue limits, balking and queue on arrival, on random valid scenarios.

Each test states one property that must hold for *every* scenario and seed; the checks are
computed independently from the output tables by the oracle in ``tests/property/oracle.py``.
``docs/testing.md`` lists every invariant with the test that checks it.
"""

from __future__ import annotations

from hypothesis import given

from tests.property.hypothesis_settings import PROPERTY
from tests.property.oracle import (
    check_balking,
    check_capacity,
    check_queue_limit,
    check_queue_on_arrival,
    run,
    site_runs,
)
from tests.strategies import scenarios


@PROPERTY
@given(scenarios())
def test_never_more_in_service_than_counters(doc):
    for *_, s, _ in site_runs(run(doc)):
        check_capacity(s)


@PROPERTY
@given(scenarios(limits="some"))
def test_never_more_waiting_than_the_limit(doc):
    """At every instant, people waiting <= min(queue capacity, balking length)."""
    for *_, s, _ in site_runs(run(doc)):
        check_queue_limit(s)


@PROPERTY
@given(scenarios(limits="some", max_per_hour=30.0))
def test_balking_only_at_a_full_queue(doc):
    """Balkers found every counter busy and the queue at its limit; joiners found room."""
    for *_, s, _ in site_runs(run(doc)):
        check_balking(s)


@PROPERTY
@given(scenarios())
def test_queue_on_arrival_counts_people_waiting(doc):
    """``queue_on_arrival`` counts the people actually waiting (not those who gave up)."""
    for *_, s, _ in site_runs(run(doc)):
        check_queue_on_arrival(s)
