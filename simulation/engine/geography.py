"""Distances and travel times between areas and sites."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> np.ndarray:
    """Haversine distance in kilometres between points given in degrees (broadcasts)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def travel_minutes(
    km: np.ndarray, speed_kmh: float | np.ndarray, detour_factor: float
) -> np.ndarray:
    """Door-to-door minutes for a straight-line distance (``speed_kmh`` broadcasts, e.g. one
    speed per area as a column)."""
    return km * detour_factor / speed_kmh * 60.0
