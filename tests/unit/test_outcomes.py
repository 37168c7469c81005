"""Outcome codes and their names."""

from __future__ import annotations

from simulation.scenario.outcomes import CLOSED, OUTCOMES, SERVED


def test_outcome_codes_match_names():
    assert OUTCOMES[SERVED] == "served" and OUTCOMES[CLOSED] == "closed"
