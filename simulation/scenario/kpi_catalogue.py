"""The KPI catalogue: every KPI name per scope, and the headline KPI with its selection rule.

Scenario, sweep and propose specifications check KPI names against this catalogue at load,
and every text that names "the best design" (terminal, report, propose) picks the headline
KPI with :func:`headline_kpi`, so they can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

from simulation.scenario.outcomes import UNSERVED

Scope = Literal["overall", "group", "area", "site", "stop"]
"""Where a KPI is measured: all needs, a group of areas, an area, a site or a mobile-unit stop."""

SCOPES: tuple[str, ...] = get_args(Scope)
"""Every scope, in the order tables and reports list them."""

SCOPE_ORDER: dict[str, int] = {scope: i for i, scope in enumerate(SCOPES)}
"""Sort key of each scope."""

NEED_KPIS: tuple[str, ...] = (
    "needs", "served", "pending", "unserved", *(f"unserved_{r}" for r in UNSERVED),
    "served_share", "wait_mean", "wait_median", "wait_p90", "wait_p95", "wait_max",
    "within_15", "within_30", "travel_mean", "deferral_mean",
)  # fmt: skip
"""KPIs of needs (counts, shares, waiting, travel and deferral), at every scope."""

SPLIT_KPIS: tuple[str, ...] = ("served_mobile", "served_fixed", "mobile_share")
"""How served needs split between mobile units and fixed offices."""

TIME_KPIS: tuple[str, ...] = (
    "open_counter_min", "busy_counter_min", "utilisation", "overtime_min", "staff_hours_per_week",
)  # fmt: skip
"""Time-weighted KPIs of a site or a mobile-unit stop."""

RETURN_KPIS: tuple[str, ...] = (
    "attempts_per_need", "served_first_share", "days_to_service_mean", "return_visits",
)  # fmt: skip
"""KPIs of return visits (only with ``behaviour.returns``); ``site``/``stop``: ``return_visits``."""

ABSOLUTE_KPIS: tuple[str, ...] = ("unserved_needs_per_yr", "served_per_yr")
"""Needs a year in absolute counts (not per 1,000 residents), for comparing regions."""

KPI_NAMES: dict[str, frozenset[str]] = {
    "overall": frozenset(
        (
            *NEED_KPIS,
            "unserved_per_1000_yr",
            *ABSOLUTE_KPIS,
            *SPLIT_KPIS,
            "staff_hours_per_week",
            *RETURN_KPIS,
        )  # fmt: skip
    ),
    "group": frozenset(
        (*NEED_KPIS, "unserved_per_1000_yr", *ABSOLUTE_KPIS, *SPLIT_KPIS, *RETURN_KPIS)
    ),
    "area": frozenset(
        (*NEED_KPIS, "unserved_per_1000_yr", *ABSOLUTE_KPIS, *SPLIT_KPIS, *RETURN_KPIS)
    ),
    "site": frozenset((*NEED_KPIS, *TIME_KPIS, "return_visits")),
    "stop": frozenset((*NEED_KPIS, *TIME_KPIS, "return_visits")),
}
"""Every KPI name available at each scope."""

HEADLINE_KPI = "unserved_per_1000_yr@group:vulnerable"
"""The decision KPI of the mission: unserved needs per 1,000 residents a year in listed areas."""


def headline_kpi(labels: Iterable[str], present: Iterable[str] | None = None) -> str:
    """The KPI that names "the best design" among a sweep's KPI labels.

    Parameters
    ----------
    labels
        The sweep's KPI labels in the order of its specification.
    present
        Labels that have results (default: all of ``labels``).

    Returns
    -------
    str
        :data:`HEADLINE_KPI` if present, else the first label about the vulnerable group,
        else the first present label (``""`` when there is none).
    """
    order = list(dict.fromkeys(labels))
    have = set(order if present is None else present)
    candidates = [k for k in order if k in have]
    if HEADLINE_KPI in have:
        return HEADLINE_KPI
    for k in candidates:
        if k.endswith("@group:vulnerable"):
            return k
    return candidates[0] if candidates else (order[0] if order else "")
