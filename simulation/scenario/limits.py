"""Limits checked before any work starts: needs per run, runs per command, input file sizes.

Each limit has a default chosen so that one run fits in the memory of an ordinary machine,
and an environment variable that raises (or lowers) it:

- ``SERVICESIM_MAX_NEEDS`` (default 20,000,000): expected needs of one replication; for
  ``run``, of all its replications, since ``run`` keeps every visit in memory.
- ``SERVICESIM_MAX_RUNS`` (default 100,000): runs of a sweep (designs × factor levels ×
  replications, counted before any cell is built) or replications of a ``run``.
- ``SERVICESIM_MAX_YAML_MB`` (default 10): size of a scenario, sweep or propose file.
- ``SERVICESIM_MAX_MATRIX_MB`` (default 100): size of a travel-matrix CSV.

Why 20 million needs: memory grows by about :data:`BYTES_PER_NEED` (350) bytes per need
while a replication runs (bench/RESULTS.md: the national year of 3.1 M needs peaks at
1.53 GiB, four times its demand, 12.5 M needs, at 4.3 GiB; a 1 M-need run measured here
peaks at 0.6 GiB, of which ~0.17 GiB is the interpreter). 20 M needs is about 6.5 national
years and peaks at about 7 GiB, so even the two workers of a sweep on a two-core machine fit
in 16 GiB. A kept visit row takes ~100 bytes (~200 while tables are joined), which is why
``run`` counts the needs of all its replications against the same limit.

Why 100,000 runs: every run of a sweep is a task in memory, a stored file under ``runs/``
and a row of ``replications.parquet``, so these stay small; and a regional run takes about a
second (the national year 20 s), so 100,000 runs are already more than a day on two cores.
The limit is there to stop a mistyped ``-r`` or factor grid at once, not to ration work.

Special files (directories, devices such as ``/dev/zero``, FIFOs, sockets) are refused
before they are opened, so a FIFO never blocks and a device never fills the memory.
"""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path

from simulation.scenario.errors import ScenarioError

BYTES_PER_NEED = 350
"""Memory one need takes while its replication runs (measured; see the module docstring)."""

DEFAULT_MAX_NEEDS = 20_000_000
DEFAULT_MAX_RUNS = 100_000
DEFAULT_MAX_YAML_MB = 10.0
DEFAULT_MAX_MATRIX_MB = 100.0

NEEDS_VARIABLE = "SERVICESIM_MAX_NEEDS"
RUNS_VARIABLE = "SERVICESIM_MAX_RUNS"
YAML_VARIABLE = "SERVICESIM_MAX_YAML_MB"
MATRIX_VARIABLE = "SERVICESIM_MAX_MATRIX_MB"


def _setting(variable: str, default: float) -> float:
    """The value of a limit: the environment variable if set, else the default.

    Raises
    ------
    ScenarioError
        If the variable is set to something other than a positive number.
    """
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ScenarioError(f"environment variable {variable} must be a positive number", (), text)
    return value


def max_needs() -> int:
    """Most expected needs one replication may have (``SERVICESIM_MAX_NEEDS``)."""
    return int(_setting(NEEDS_VARIABLE, DEFAULT_MAX_NEEDS))


def max_runs() -> int:
    """Most runs one command may start (``SERVICESIM_MAX_RUNS``)."""
    return int(_setting(RUNS_VARIABLE, DEFAULT_MAX_RUNS))


def _gib(n_bytes: float) -> str:
    return f"{n_bytes / 2**30:.1f} GiB"


def check_needs(
    expected: float,
    path: tuple[str | int, ...],
    what: str = "per replication",
    levers: str = "the demand or calendar.days",
) -> None:
    """Refuse a run whose expected number of needs is above :func:`max_needs`.

    Parameters
    ----------
    expected
        Expected needs (sum of the areas' rates over the calendar).
    path
        Where in the document the figure comes from (for the message).
    what
        What the figure counts, e.g. ``"per replication"``.
    levers
        What the user can lower, for the message.

    Raises
    ------
    ScenarioError
        Naming the figure, the limit, the memory it would take and how to change it.
    """
    limit = max_needs()
    if expected <= limit:
        return
    if not math.isfinite(expected):
        raise ScenarioError(
            "the expected number of needs is not a finite number (are the demand profile's "
            "weights too large?)",
            path,
        )
    raise ScenarioError(
        f"expected {expected:,.0f} needs {what} (about {_gib(expected * BYTES_PER_NEED)} of memory), more than "
        f"the limit of {limit:,}; lower {levers}, or raise the limit "
        f"with {NEEDS_VARIABLE}=<needs>",
        path,
    )


def check_runs(runs: int, path: tuple[str | int, ...], detail: str) -> None:
    """Refuse a command that would start more than :func:`max_runs` runs.

    Parameters
    ----------
    runs
        Number of runs (e.g. designs × levels × replications).
    path
        Where in the document (or which option) the figure comes from.
    detail
        How the figure is made, e.g. ``"3 designs x 2,000,000 levels x 10 replications"``.

    Raises
    ------
    ScenarioError
        Naming the figure, the limit and how to change it.
    """
    limit = max_runs()
    if runs <= limit:
        return
    raise ScenarioError(
        f"{runs:,} runs ({detail}) is more than the limit of {limit:,}; use fewer designs, "
        f"factor values or replications, or raise the limit with {RUNS_VARIABLE}=<runs>",
        path,
    )


def check_input_file(path: str | os.PathLike[str], kind: str = "yaml") -> os.stat_result:
    """Refuse special files and files over the size limit, without opening them.

    Parameters
    ----------
    path
        The file.
    kind
        ``"yaml"`` (scenario, sweep, propose; ``SERVICESIM_MAX_YAML_MB``) or ``"matrix"``
        (travel matrix; ``SERVICESIM_MAX_MATRIX_MB``).

    Returns
    -------
    os.stat_result
        The file's status.

    Raises
    ------
    ScenarioError
        Without a source or path (the caller adds them): missing, not a regular file, or
        too big.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ScenarioError(f"cannot read file: {exc.strerror or exc}") from None
    mode = info.st_mode
    if not stat.S_ISREG(mode):
        what = (
            "a directory"
            if stat.S_ISDIR(mode)
            else "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        raise ScenarioError(f"cannot read file: it is {what}, not a regular file")
    variable, default = (
        (MATRIX_VARIABLE, DEFAULT_MAX_MATRIX_MB)
        if kind == "matrix"
        else (YAML_VARIABLE, DEFAULT_MAX_YAML_MB)
    )
    limit_mb = _setting(variable, default)
    if info.st_size > limit_mb * 1e6:
        raise ScenarioError(
            f"file is {info.st_size / 1e6:,.1f} MB, more than the limit of {limit_mb:g} MB; "
            f"raise it with {variable}=<MB>"
        )
    return info


def read_limited(path: str | os.PathLike[str], kind: str = "yaml") -> bytes:
    """Read a regular file after :func:`check_input_file`, never more than its limit.

    Raises
    ------
    ScenarioError
        As :func:`check_input_file`, or if the file cannot be read.
    """
    info = check_input_file(path, kind)
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(info.st_size + 1)
    except OSError as exc:
        raise ScenarioError(f"cannot read file: {exc.strerror or exc}") from None
    return data
