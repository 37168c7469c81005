"""KPIs of return visits: needs judged by their last attempt, attempts and days per need.

With ``behaviour.returns`` the visit table has one row per attempt (columns ``need`` and
``attempt``). Need-based KPIs of the ``overall``, ``group`` and ``area`` scopes then count each
need once, by its **last** attempt (its final outcome), while ``site`` and ``stop`` scopes count
the attempts (visits) made there. See ``docs/model.md`` section 13.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.scenario.outcomes import OUTCOMES

SERVED_CODE = OUTCOMES.index("served")
PENDING_CODE = OUTCOMES.index("pending")


def has_attempts(visits: pd.DataFrame) -> bool:
    """Whether the visit table has one row per attempt (a scenario with returns)."""
    return "attempt" in visits.columns


def last_attempt(visits: pd.DataFrame) -> np.ndarray:
    """Mask of the rows that are their need's last attempt (its final outcome)."""
    need = visits["need"].to_numpy()
    attempt = visits["attempt"].to_numpy()
    if len(need) == 0:
        return np.zeros(0, dtype=bool)
    most = np.zeros(int(need.max()) + 1, dtype=np.int64)
    np.maximum.at(most, need, attempt)
    return attempt == most[need]


def first_need_min(visits: pd.DataFrame) -> np.ndarray:
    """Per row: the minute its need's first attempt arose."""
    visitor = visits["visitor"].to_numpy()
    need = visits["need"].to_numpy()
    times = np.full(int(visitor.max()) + 1 if len(visitor) else 0, np.nan)
    times[visitor] = visits["need_min"].to_numpy()
    return times[need]


def attempt_kpis(
    attempt: np.ndarray, outcome: np.ndarray, days_to_service: np.ndarray
) -> dict[str, float]:
    """Per-need return KPIs over final rows (one per need).

    Parameters
    ----------
    attempt
        Attempt number of each need's last attempt (= the need's attempts).
    outcome
        Outcome code of each need's last attempt.
    days_to_service
        Days from the need's first attempt to the start of its service (NaN if not served).
    """
    decided = outcome != PENDING_CODE
    served = outcome == SERVED_CODE
    n_decided = int(decided.sum())
    return {
        "attempts_per_need": float(attempt[decided].mean()) if n_decided else np.nan,
        "served_first_share": (
            float((served & (attempt == 1)).sum()) / n_decided if n_decided else np.nan
        ),
        "days_to_service_mean": float(days_to_service[served].mean()) if served.any() else np.nan,
    }


def return_visits(attempt: np.ndarray, site: np.ndarray) -> float:
    """Attempts after the first that reached a site (the extra visits returns add)."""
    return float(((attempt > 1) & (site >= 0)).sum())
