"""Outcome codes: every need ends in exactly one of these."""

from __future__ import annotations

SERVED = 0
NO_OPTION = 1
BALKED = 2
RENEGED = 3
CLOSED = 4
DECLINED = 5
PENDING = 6

OUTCOMES: tuple[str, ...] = (
    "served",
    "no_option",
    "balked",
    "reneged",
    "closed",
    "declined",
    "pending",
)
"""Outcome names, indexed by code."""

UNSERVED: tuple[str, ...] = ("no_option", "balked", "reneged", "closed", "declined")
"""Outcomes that count as unserved demand (``pending`` is censored, not unserved)."""

# transient states inside a run; never in the results
TRAVELLING = -1
WAITING = -2
IN_SERVICE = -3
