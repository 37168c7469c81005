"""Checks of the arguments that the command line and the Python API share.

``servicesim run -r 0`` and ``simulation.run(..., replications=0)`` must fail the same way,
before any work starts. Every check raises :class:`ArgumentError` (a ``ValueError``) that
names the argument, the value given and what was expected; the CLI turns it into an
argparse error (exit status 2).
"""

from __future__ import annotations

import numbers
from typing import Any

SEED_LIMIT = 2**63
"""Seeds are whole numbers with ``0 <= seed < SEED_LIMIT`` (numpy's SeedSequence takes any
non-negative integer, but the result folders record seeds as signed 64-bit integers)."""

EXECUTORS = ("local", "dask")


class ArgumentError(ValueError):
    """An argument of a command or API call is invalid.

    Parameters
    ----------
    name
        The argument's name, as the caller spelt it (``replications``, ``workers``...).
    value
        The value given.
    expected
        What was expected, in plain words.
    problem
        What is wrong, when "expected ..." alone does not say it (``unknown executor``).
    """

    def __init__(self, name: str, value: Any, expected: str, problem: str | None = None) -> None:
        self.name = name
        self.value = value
        self.expected = expected
        self.problem = problem
        super().__init__(str(self))

    def __str__(self) -> str:
        problem = f"{self.problem}; " if self.problem else ""
        return f"{self.name}: {problem}expected {self.expected} (got {_show(self.value)})"


def _show(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        return f"<a number with about {value.bit_length() * 0.30103:.0f} digits>"
    return text if len(text) <= 80 else text[:77] + "..."


def _whole(name: str, value: Any, expected: str) -> int:
    """``value`` as an ``int``; bools, floats and strings are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentError(name, value, expected)
    return int(value)


def check_count(value: Any, name: str) -> int | None:
    """A whole number of at least 1 (replications, workers), or ``None`` (the default).

    Parameters
    ----------
    value
        The value to check.
    name
        The argument's name, for the message.

    Returns
    -------
    int or None
        The value as a plain ``int``, or ``None``.
    """
    if value is None:
        return None
    return _at_least_one(value, name, "a whole number of at least 1 or None")


def check_positive(value: Any, name: str) -> int:
    """A whole number of at least 1 that must be given (``replications`` of :func:`simulation.run`)."""
    return _at_least_one(value, name, "a whole number of at least 1")


def _at_least_one(value: Any, name: str, expected: str) -> int:
    number = _whole(name, value, expected)
    if number < 1:
        raise ArgumentError(name, value, expected)
    return number


def check_seed(value: Any, name: str = "seed") -> int | None:
    """A root seed: ``None`` (the file's own) or a whole number ``0 <= seed < 2**63``."""
    expected = "None or a whole number with 0 <= seed < 2**63"
    if value is None:
        return None
    number = _whole(name, value, expected)
    if not 0 <= number < SEED_LIMIT:
        raise ArgumentError(name, value, expected)
    return number


def check_level(value: Any, name: str = "level") -> float:
    """A confidence level strictly between 0.5 and 1."""
    expected = "a confidence level between 0.5 and 1 (such as 0.95)"
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.5 < float(value) < 1:
        raise ArgumentError(name, value, expected)
    return float(value)


def check_executor(executor: Any, scheduler: Any = None) -> str:
    """An executor name, and a scheduler address only with the ``dask`` executor.

    Parameters
    ----------
    executor
        ``local`` or ``dask``.
    scheduler
        A dask scheduler address, or ``None``.

    Returns
    -------
    str
        The executor.
    """
    if executor not in EXECUTORS:
        raise ArgumentError("executor", executor, "'local' or 'dask'", "unknown executor")
    if scheduler is not None:
        if executor != "dask":
            raise ArgumentError("scheduler", scheduler, "no scheduler unless executor is 'dask'")
        if not isinstance(scheduler, str) or not scheduler.strip():
            raise ArgumentError(
                "scheduler", scheduler, "a scheduler address such as 'tcp://host:8786'"
            )
    return executor


def check_flag(value: Any, name: str) -> bool:
    """A true/false option (``keep_visits``...)."""
    if not isinstance(value, bool):
        raise ArgumentError(name, value, "True or False")
    return value


def check_progress(value: Any) -> bool | None:
    """``progress``: ``None`` (on a terminal), ``True`` (a bar) or ``False`` (none)."""
    if value is not None and not isinstance(value, bool):
        raise ArgumentError("progress", value, "None, True or False")
    return value
