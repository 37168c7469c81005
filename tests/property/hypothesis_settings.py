"""Hypothesis settings shared by the invariant properties."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

PROPERTY = settings(
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


def fewer(share: float) -> settings:
    """The profile's settings with ``share`` of its examples (at least 10), for heavy tests."""
    return settings(PROPERTY, max_examples=max(10, int(settings.default.max_examples * share)))
