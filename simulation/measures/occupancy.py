"""Time-weighted statistics computed exactly from the visit records.

The number of people waiting (or being served) at time ``t`` is the number of intervals
``[begin, end)`` that contain ``t``. Its integral up to ``x`` is
``sum(min(x, end) - begin for begin < x)``, which sorted prefix sums give for many ``x`` at
once. Hourly averages are differences of that integral at hour edges; nothing is sampled and
nothing is monitored inside the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.engine.network import Network
from simulation.scenario.schema import WEEKDAYS


def cumulative_occupancy(begin: np.ndarray, end: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Integral from 0 to each ``x`` of the number of intervals covering time ``t``.

    Parameters
    ----------
    begin, end
        Interval bounds (``end >= begin``).
    x
        Evaluation points.
    """
    b = np.sort(begin)
    e = np.sort(end)
    cb = np.concatenate(([0.0], np.cumsum(b)))
    ce = np.concatenate(([0.0], np.cumsum(e)))
    nb = np.searchsorted(b, x, side="right")
    ne = np.searchsorted(e, x, side="right")
    return (x * nb - cb[nb]) - (x * ne - ce[ne])


def over_windows(begin: np.ndarray, end: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> float:
    """Total overlap of the intervals with the windows ``[starts, ends)`` (minutes)."""
    if len(starts) == 0 or len(begin) == 0:
        return 0.0
    g = cumulative_occupancy(begin, end, np.concatenate((starts, ends)))
    return float(g[len(starts) :].sum() - g[: len(starts)].sum())


def intervals(
    visits: pd.DataFrame, horizon: float
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Waiting and busy intervals per visit, with the visit's site code.

    Returns
    -------
    dict
        ``"waiting"`` and ``"busy"`` map to ``(site_code, begin, end)`` arrays; intervals
        still open at the horizon end there.
    """
    site = visits["site"].cat.codes.to_numpy()
    arrival = visits["arrival_min"].to_numpy()
    start = visits["start_min"].to_numpy()
    leave = visits["leave_min"].to_numpy()
    end = visits["end_min"].to_numpy()
    balked = (visits["outcome"] == "balked").to_numpy()  # no string copy of a national table
    came = (site >= 0) & (arrival < horizon) & ~balked
    wait_end = np.where(~np.isnan(start), start, np.where(~np.isnan(leave), leave, horizon))
    busy = ~np.isnan(start)
    return {
        "waiting": (site[came], arrival[came], np.minimum(wait_end[came], horizon)),
        "busy": (
            site[busy],
            start[busy],
            np.where(np.isnan(end[busy]), horizon, np.minimum(end[busy], horizon)),
        ),
    }


def site_hours(network: Network, visits: pd.DataFrame, replication: int) -> pd.DataFrame:
    """Per site and clock hour: mean people waiting, mean busy counters, mean staffed counters.

    Hours in which a site is closed and idle are left out.
    """
    scenario = network.scenario
    horizon = network.horizon
    edges = np.arange(scenario.calendar.days * 24 + 1) * 60.0
    spans = intervals(visits, horizon)
    frames = []
    for k, site in enumerate(scenario.sites):
        out = {}
        for name, (codes, begin, end) in spans.items():
            mine = codes == k
            out[name] = np.diff(cumulative_occupancy(begin[mine], end[mine], edges)) / 60.0
        starts, ends = network.site_starts[k], network.site_ends[k]
        staffing = network.staffing(k)
        if staffing is None:
            out["open"] = np.diff(cumulative_occupancy(starts, ends, edges)) / 60.0 * site.counters
        else:  # staffed counters: each count's periods weighted by that count
            out["open"] = np.zeros(len(edges) - 1)
            for n in np.unique(staffing[2]).tolist():
                mine = staffing[2] == n
                period = cumulative_occupancy(staffing[0][mine], staffing[1][mine], edges)
                out["open"] += np.diff(period) / 60.0 * n
        for name in ("waiting", "busy"):  # prefix sums leave round-off of ~1e-12 in idle hours
            out[name][np.abs(out[name]) < 1e-9] = 0.0
        keep = (out["open"] > 0) | (out["busy"] > 0) | (out["waiting"] > 0)
        hour_index = np.flatnonzero(keep)
        day = hour_index // 24
        frames.append(
            pd.DataFrame(
                {
                    "replication": np.int32(replication),
                    "site": site.id,
                    "day": day.astype(np.int32),
                    "weekday": [WEEKDAYS[(scenario.calendar.first_weekday + d) % 7] for d in day],
                    "hour": (hour_index % 24).astype(np.int32),
                    "queue_mean": out["waiting"][keep],
                    "busy_mean": out["busy"][keep],
                    "open_counters": out["open"][keep],
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            columns=[
                "replication",
                "site",
                "day",
                "weekday",
                "hour",
                "queue_mean",
                "busy_mean",
                "open_counters",
            ]
        )
    return pd.concat(frames, ignore_index=True)
