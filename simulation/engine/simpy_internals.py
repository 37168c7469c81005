"""The one place where the engine relies on SimPy internals (SimPy 4; pinned in pyproject.toml).

An arrival that finds an idle counter must wake that counter when the service it starts
ends. With SimPy's public API that takes two events (``succeed()`` now, then a ``Timeout``
inside the counter); setting the event's outcome and scheduling it directly takes one, which
is a measurable share of the per-visitor cost (bench/README.md). ``Event._ok`` and
``Event._value`` are what :meth:`simpy.events.Event.succeed` sets in SimPy 4.x; if a SimPy
release changes them, the hand-traced timelines (tests of the engine's exact behaviour) fail.
The same holds for :func:`rearm`, which re-arms a processed event (fresh ``callbacks``) so that
a process can wait on one event object again and again instead of a new ``Timeout`` each time.
"""

from __future__ import annotations

from typing import Any

import simpy
from simpy.core import NORMAL


def succeed_after(env: simpy.Environment, event: simpy.Event, value: Any, delay: float) -> None:
    """Trigger ``event`` with ``value`` after ``delay`` minutes, as one scheduled event.

    Equivalent to a process waiting ``delay`` and then calling ``event.succeed(value)``,
    without the extra ``Timeout``.
    """
    event._ok = True
    event._value = value
    env.schedule(event, NORMAL, delay)


def reusable_timeout(env: simpy.Environment) -> simpy.Event:
    """An event to use as a process's own timeout again and again (see :func:`rearm`)."""
    event = simpy.Event(env)
    event._ok = True
    event._value = None
    return event


def rearm(env: simpy.Environment, event: simpy.Event, delay: float) -> simpy.Event:
    """Schedule ``event`` (processed, or fresh from :func:`reusable_timeout`) ``delay`` ahead.

    The same as ``env.timeout(delay)`` (scheduled at the same point with the same priority,
    so the order of events is unchanged; the process is resumed with ``None``) without a new
    ``Timeout`` object per wait. The process must yield the event at once, and only one
    process may use it.
    """
    event.callbacks = []
    env.schedule(event, NORMAL, delay)
    return event
