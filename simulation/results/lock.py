"""One writer at a time: the lock on a result folder, and who holds it.

:func:`hold_folder` takes a lock (:mod:`filelock`, ``fcntl``-based, so the lock of a killed
process is free again) in the hidden file ``.<name>.lock`` beside the folder, and writes the
holder's pid, host, command and start time into it. The lock file is removed when the command
ends. A folder held by another process is refused with a
:class:`~simulation.results.errors.TargetError` naming the holder.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from simulation.results.errors import TargetError
from simulation.results.files import WriteError, writing
from simulation.results.targets import refuse, unsafe_location

log = logging.getLogger(__name__)

_HELD: dict[str, tuple[filelock.BaseFileLock, int]] = {}


def lock_path(folder: str | os.PathLike[str]) -> Path:
    """The lock file of a result folder: ``.<name>.lock`` beside it."""
    where = Path(os.path.abspath(folder))
    return where.parent / f".{where.name or 'root'}.lock"


def _holder_text(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return "another servicesim command (holder unknown)"
    if not isinstance(holder, dict):
        return "another servicesim command (holder unknown)"
    command = str(holder.get("command", "?"))
    command = command if len(command) <= 120 else command[:117] + "..."
    return (
        f"pid {holder.get('pid', '?')} on {holder.get('host', '?')} since "
        f"{holder.get('started', '?')} ({command})"
    )


def _command() -> str:
    argv = sys.argv or ["python"]
    first = Path(argv[0]).name
    prog = (
        "servicesim"
        if first in ("servicesim", "__main__.py")
        else ("python -c" if first == "-c" else f"python {first}")
    )
    return " ".join([prog, *argv[1:]])


def _write_holder(fd: int) -> None:
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": _command(),
        "started": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(holder) + "\n").encode("utf-8"), 0)
    except OSError:  # e.g. a full disk: the lock holds all the same, only unnamed
        log.debug("could not record the lock holder", exc_info=True)


@contextmanager
def hold_folder(folder: str | os.PathLike[str], refuse_unsafe: bool = True) -> Iterator[Path]:
    """Hold the lock on a result folder for the block (re-entrant within a process).

    Parameters
    ----------
    folder
        The result folder (it need not exist yet).
    refuse_unsafe
        Refuse at once, before any lock file is created, a target that may never be written
        (the current directory, a file, a repository...). ``report``, which writes only into
        a verified result folder, passes ``False`` so that ``servicesim report .`` works.

    Raises
    ------
    TargetError
        If another process holds the lock: names its pid, host, start time and command.
    """
    folder = Path(folder)
    why = unsafe_location(folder) if refuse_unsafe else None
    if why is not None:
        raise refuse(folder, why)
    path = lock_path(folder)
    key = str(path)
    if key in _HELD:
        lock, depth = _HELD[key]
        _HELD[key] = (lock, depth + 1)
        try:
            yield folder
        finally:
            lock, depth = _HELD[key]
            _HELD[key] = (lock, depth - 1)
        return
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(path, timeout=0, on_acquired=_write_holder)
    try:
        lock.acquire()
    except filelock.Timeout:  # (an OSError itself)
        raise TargetError(
            folder,
            f"in use by {_holder_text(path)}; wait for it to finish (or write elsewhere with --out)",
        ) from None
    except OSError as exc:
        raise WriteError(path, exc) from exc
    _HELD[key] = (lock, 1)
    try:
        yield folder
    finally:
        del _HELD[key]
        Path(path).unlink(missing_ok=True)  # while still held: a waiting peer sees the unlink
        lock.release()
