"""The arrival time inside an opening window (``choice.window_arrival``)."""

from __future__ import annotations

import numpy as np

from simulation.engine.choice import window_arrival

DAY = 1440.0


def test_window_arrival_inside_window_and_uniform_when_flat():
    u = np.linspace(0, 1, 1001, endpoint=False)
    t = window_arrival(600.0, 960.0, np.ones((7, 24)), 0, u)
    assert np.all((t >= 600) & (t < 960))
    np.testing.assert_allclose(t, 600 + 360 * u)


def test_window_arrival_follows_weights():
    profile = np.zeros((7, 24))
    profile[:, 11] = 1.0  # only 11:00-12:00 has weight
    u = np.random.default_rng(0).random(500)
    t = window_arrival(600.0, 960.0, profile, 0, u)
    assert np.all((t >= 660) & (t < 720))
    # two hours, weight 1:3
    profile[:, 13] = 3.0
    t = window_arrival(600.0, 960.0, profile, 0, u)
    in_11, in_13 = np.sum((t >= 660) & (t < 720)), np.sum((t >= 780) & (t < 840))
    assert in_11 + in_13 == len(u)
    assert 2.4 < in_13 / in_11 < 3.8


def test_window_arrival_weekday_of_later_day():
    """A window on day 2 (Wednesday when day 0 is Monday) uses Wednesday's weights."""
    profile = np.zeros((7, 24))
    profile[2, 15] = 1.0  # Wednesday 15:00
    profile[0, 10] = 1.0  # Monday 10:00 must not matter
    u = np.linspace(0, 1, 50, endpoint=False)
    t = window_arrival(2 * DAY + 600, 2 * DAY + 960, profile, 0, u)
    assert np.all((t >= 2 * DAY + 900) & (t < 2 * DAY + 960))


def test_window_arrival_uniform_when_no_weight_in_window():
    profile = np.zeros((7, 24))
    profile[:, 20] = 1.0
    u = np.array([0.0, 0.25, 0.5, 0.999999])
    t = window_arrival(600.0, 720.0, profile, 0, u)
    np.testing.assert_allclose(t, 600 + 120 * u)


def test_window_arrival_partial_hours():
    u = np.linspace(0, 1, 200, endpoint=False)
    t = window_arrival(630.0, 735.0, np.ones((7, 24)), 0, u)
    assert np.all((t >= 630) & (t < 735))
    np.testing.assert_allclose(t, 630 + 105 * u)
