"""Student-t confidence intervals across replications: the one formula every table uses.

Also the one way a confidence level is written in words (:func:`level_text`), so that every
report, table and terminal line names the level the intervals were computed at.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import stats


@lru_cache(maxsize=1024)
def _t_quantile(q: float, df: int) -> float:
    """``stats.t.ppf(q, df)`` for one scalar (a sweep's summary asks for the same few
    hundreds of times; scipy's generic ppf costs ~0.2 ms a call)."""
    return float(stats.t.ppf(q, df))


def t_half_width(std: np.ndarray | float, n: np.ndarray | int, level: float) -> np.ndarray:
    """Half-width of the t confidence interval of a mean: ``t(level, n-1) * std / sqrt(n)``.

    Parameters
    ----------
    std
        Sample standard deviations (``ddof=1``).
    n
        Numbers of values behind each standard deviation.
    level
        Two-sided confidence level, e.g. ``0.95``.

    Returns
    -------
    numpy.ndarray
        The half-widths; NaN where ``n < 2``.
    """
    n = np.asarray(n)
    if n.ndim == 0:
        t = np.float64(_t_quantile(0.5 + level / 2, max(int(n) - 1, 1)))
    else:
        t = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
    return np.where(n > 1, t * np.asarray(std) / np.sqrt(n), np.nan)


def t_interval(values: np.ndarray, level: float) -> tuple[float, float, float, float]:
    """Mean, standard deviation and the t confidence interval of ``values`` (NaNs dropped).

    Returns
    -------
    tuple of float
        ``(mean, std, ci_low, ci_high)``; NaN where undefined (no values, or fewer than two).
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return (math.nan,) * 4
    mean = float(x.mean())
    if n < 2:
        return mean, math.nan, math.nan, math.nan
    std = float(x.std(ddof=1))
    half = float(t_half_width(std, n, level))
    return mean, std, mean - half, mean + half


def level_text(level: float) -> str:
    """A confidence level in per cent, as every text names it: ``0.95`` → ``"95%"``.

    Parameters
    ----------
    level
        Two-sided confidence level, e.g. ``0.95`` or ``0.975``.

    Returns
    -------
    str
        At most one decimal and no trailing zeros: ``"95%"``, ``"97.5%"``, ``"90%"``.
    """
    return f"{level * 100:.1f}".rstrip("0").rstrip(".") + "%"
