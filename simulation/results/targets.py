"""Where results may be written: output targets, the lock on a result folder, manifests.

One owner of the decision whether ``run``, ``sweep`` or ``propose`` (and ``report``) may write
a folder:

- a target that does not exist (or an empty folder) is created;
- an existing target must be a servicesim result folder: its ``manifest.json`` says
  ``package: servicesim`` and a ``kind`` (``run``, ``sweep``, ``propose``), or, for a sweep
  still running or interrupted, the marker file ``.servicesim`` says so;
- of the same kind, a run or propose folder is replaced (atomically, by
  :func:`simulation.results.files.staged_folder`) and a sweep folder is resumed;
- of another kind, it is replaced only with ``force``;
- anything else is refused: a file, a folder servicesim did not write, the current directory
  or any folder above it, the home directory, a folder holding ``.git``. A result folder that
  also holds files servicesim did not write is never replaced.

One writer at a time: :func:`hold_folder` takes a lock (:mod:`filelock`, ``fcntl``-based, so
the lock of a killed process is free again) in the hidden file ``.<name>.lock`` beside the
folder, and writes the holder's pid, host, command and start time into it. The lock file is
removed when the command ends.

Refusals are :class:`TargetError`, which the command line prints as one line
(``error: results/x: refusing to write here: ...``) with exit status 2.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import logging
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import filelock

from simulation.results.files import STAGING_PREFIX, WriteError, file_checksum, write_json, writing
from simulation.results.layout import FIGURE_NAMES
from simulation.scenario.errors import ScenarioError

log = logging.getLogger(__name__)

KINDS = ("run", "sweep", "propose")
"""The kinds of result folder servicesim writes."""

MARKER = ".servicesim"
"""Marker file of a sweep folder, written when the folder is created (before any manifest)."""

_COMMON = ("manifest.json", MARKER, "report.md", "report.html")  # figures: see _figure_files

OWNED: dict[str, tuple[str, ...]] = {
    "run": _COMMON
    + (
        "visits.parquet",
        "summary.json",
        "summary.csv",
        "kpis.csv",
        "site_hours.csv",
        "scenario.yaml",
    ),
    "sweep": _COMMON
    + (
        "replications.parquet",
        "kpis.parquet",
        "summary.csv",
        "comparison.csv",
        "errors.log",
        "sweep.yaml",
        "scenarios/*.yaml",
        "runs/*.parquet",
        "runs/.*",
        "visits/*.parquet",
        "visits/.*",
        "site_hours/*.parquet",
        "site_hours/.*",
        f"{STAGING_PREFIX}*/*",
        f"{STAGING_PREFIX}*/*/*",
    ),
    "propose": _COMMON
    + (
        "proposed-scenario.yaml",
        "proposed.sweep.yaml",
        "designs.csv",
        "screening.csv",
        "selection.csv",
        "propose.md",
    ),
}
"""Files (``fnmatch`` patterns, relative, ``/``-separated) servicesim writes in each kind of folder
(besides the report's figures, ``figures/<name>.png|svg``)."""


class TargetError(ScenarioError):
    """A result folder may not be written or read: printed as ``<folder>: <message>``.

    Parameters
    ----------
    folder
        The folder, as the user named it.
    message
        What is wrong and what to do.
    """

    def __init__(self, folder: str | os.PathLike[str], message: str) -> None:
        super().__init__(message, source=os.fspath(folder))

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


def _refuse(folder: Path, why: str, advice: str = "choose another --out") -> TargetError:
    return TargetError(folder, f"refusing to write here: {why}; {advice}")


# ----------------------------------------------------------------------------- manifests


def read_manifest(folder: str | os.PathLike[str], required: bool = True) -> dict[str, Any] | None:
    """The ``manifest.json`` of a result folder, checked to be servicesim's.

    Parameters
    ----------
    folder
        A result folder.
    required
        Whether a missing manifest is an error (else ``None`` is returned).

    Raises
    ------
    TargetError
        If the manifest is missing (and ``required``), not valid JSON, not written by
        servicesim or of an unknown kind.
    """
    folder = Path(folder)
    path = folder / "manifest.json"
    if not path.is_file():
        if not required:
            return None
        hint = (
            " (an unfinished sweep: run the same sweep command again to finish it)"
            if (folder / MARKER).is_file()
            else "; is this a servicesim result folder?"
        )
        raise TargetError(folder, f"no manifest.json here{hint}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TargetError(
            folder,
            f"manifest.json is not valid JSON ({exc.__class__.__name__}); the folder is damaged",
        ) from None
    if not isinstance(manifest, dict) or manifest.get("package") != "servicesim":
        raise TargetError(folder, "manifest.json was not written by servicesim")
    kind = manifest.get("kind")
    if kind not in KINDS:
        shown = kind if isinstance(kind, str) and len(kind) <= 40 else type(kind).__name__
        raise TargetError(
            folder,
            f"manifest.json has an unknown kind {shown!r} (expected one of {', '.join(KINDS)})",
        )
    return manifest


def _read_marker(folder: Path) -> str | None:
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if (
        isinstance(marker, dict)
        and marker.get("package") == "servicesim"
        and marker.get("kind") in KINDS
    ):
        return str(marker["kind"])
    return None


def folder_kind(folder: str | os.PathLike[str]) -> str | None:
    """The kind of result folder at ``folder``, or ``None`` if servicesim did not write it.

    Raises
    ------
    TargetError
        If it has a damaged or foreign ``manifest.json``.
    """
    folder = Path(folder)
    manifest = read_manifest(folder, required=False)
    if manifest is not None:
        return str(manifest["kind"])
    return _read_marker(folder)


def mark_folder(folder: Path, kind: str) -> None:
    """Create ``folder`` (if needed) and its marker file saying servicesim owns it."""
    with writing(folder):
        folder.mkdir(parents=True, exist_ok=True)
    if _read_marker(folder) != kind:
        write_json(folder / MARKER, {"package": "servicesim", "kind": kind})


def _safe_relative(name: Any) -> bool:
    if not isinstance(name, str) or not name or name.startswith("/") or "\\" in name:
        return False
    return ".." not in name.split("/")


def verify_folder(folder: str | os.PathLike[str], kinds: tuple[str, ...] = KINDS) -> dict[str, Any]:
    """Check that a result folder's files agree with its manifest; return the manifest.

    Every file under the manifest's ``checksums`` must exist with the recorded size and
    SHA-256. A manifest written before checksums were recorded is accepted with a warning.

    Parameters
    ----------
    folder
        A result folder.
    kinds
        The kinds of folder the caller can read.

    Raises
    ------
    TargetError
        If the manifest is missing, damaged, foreign or of another kind, or a file does not
        match it (the folder was not written completely, or was changed afterwards).
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    assert manifest is not None
    if manifest["kind"] not in kinds:
        raise TargetError(
            folder, f"this is a {manifest['kind']} folder; expected a {' or '.join(kinds)} folder"
        )
    checksums = manifest.get("checksums")
    if checksums is None:
        log.warning(
            "%s: manifest.json has no checksums (written by an older servicesim); "
            "its tables are not checked",
            folder,
        )
        return manifest
    if not isinstance(checksums, dict):
        raise TargetError(folder, "manifest.json is damaged: 'checksums' is not a mapping")
    for name, record in checksums.items():
        if not _safe_relative(name) or not isinstance(record, dict):
            raise TargetError(folder, "manifest.json is damaged: a bad 'checksums' entry")
        path = folder / name
        if not path.is_file():
            raise TargetError(
                folder,
                f"{name} is missing but manifest.json lists it; the folder is "
                "incomplete: run the command again",
            )
        found = file_checksum(path)
        if found != {k: record.get(k) for k in found}:
            raise TargetError(
                folder,
                f"{name} does not match manifest.json{_rows_note(path, record)}; "
                "the folder was not written completely or was changed since: "
                "run the command again",
            )
    return manifest


def _rows_note(path: Path, record: dict[str, Any]) -> str:
    if "rows" not in record or path.suffix != ".parquet":
        return ""
    try:
        import pyarrow.parquet as pq

        rows = pq.read_metadata(path).num_rows
    except Exception:  # noqa: BLE001 - a damaged table: the checksum already says enough
        return ""
    return f" ({rows} rows, manifest says {record['rows']})" if rows != record["rows"] else ""


# ----------------------------------------------------------------------------- targets


def _unsafe_location(target: Path) -> str | None:
    """Why ``target`` may never be written, whatever it holds (``None`` if it may be)."""
    where = Path(os.path.abspath(target))
    real = where.resolve()
    cwd = Path.cwd().resolve()
    if real == cwd:
        return "it is the current directory"
    if cwd.is_relative_to(real):
        return "it is a folder above the current directory"
    if real == Path.home().resolve():
        return "it is the home directory"
    if where.is_symlink():
        return "it is a symbolic link"
    if os.path.lexists(where) and not where.is_dir():
        return "it is a file, not a servicesim result folder"
    if (where / ".git").exists():
        return "it is a git repository"
    for above in where.parents:
        if os.path.lexists(above):
            if not above.is_dir():
                return f"{above} is a file, not a folder"
            break
    return None


def _figure_files() -> tuple[str, ...]:
    return tuple(f"figures/{name}.{ext}" for name in FIGURE_NAMES for ext in ("png", "svg"))


def foreign_files(folder: Path, kind: str, manifest: dict[str, Any] | None) -> list[str]:
    """Files in ``folder`` that servicesim did not write as a ``kind`` folder (sorted).

    Parameters
    ----------
    folder
        A result folder.
    kind
        Its kind.
    manifest
        Its manifest: the files it lists (``files``, ``checksums``) count as servicesim's.
    """
    listed: set[str] = set()
    if manifest is not None:
        files = manifest.get("files")
        if isinstance(files, list):
            listed.update(f for f in files if isinstance(f, str))
        checksums = manifest.get("checksums")
        if isinstance(checksums, dict):
            listed.update(str(f) for f in checksums)
    patterns = OWNED[kind] + _figure_files()
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        name = path.relative_to(folder).as_posix()
        if name in listed or any(fnmatch.fnmatchcase(name, p) for p in patterns):
            continue
        found.append(name)
    return found


def check_target(target: str | os.PathLike[str], kind: str, force: bool = False) -> str:
    """Decide whether a command writing a ``kind`` folder may write ``target``.

    Call it while holding :func:`hold_folder` on ``target``.

    Parameters
    ----------
    target
        The result folder (``--out``).
    kind
        ``run``, ``sweep`` or ``propose``: what the command writes.
    force
        Allow replacing a result folder of another kind (never anything else).

    Returns
    -------
    str
        ``"new"`` (nothing there, or an empty folder), ``"replace"`` (a result folder to be
        replaced as a whole) or ``"resume"`` (a sweep folder to be continued).

    Raises
    ------
    TargetError
        If ``target`` must not be written (see the module docstring).
    """
    target = Path(target)
    why = _unsafe_location(target)
    if why is not None:
        raise _refuse(target, why)
    if not target.exists():
        return "new"
    if not any(target.iterdir()):
        return "new"
    try:
        existing = folder_kind(target)
    except TargetError as exc:
        raise _refuse(target, exc.message) from None
    if existing is None:
        raise _refuse(
            target, "it is a folder servicesim did not write (no servicesim manifest.json)"
        )
    if existing != kind and not force:
        raise _refuse(
            target, f"it holds a {existing} result, not a {kind} result (--force replaces it)"
        )
    if existing == kind == "sweep":
        return "resume"
    foreign = foreign_files(target, existing, read_manifest(target, required=False))
    if foreign:
        more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        raise _refuse(
            target,
            f"it holds {foreign[0]}{more}, which servicesim did not write",
            "move such files away or choose another --out",
        )
    return "replace"


def open_sweep_folder(target: Path, force: bool = False) -> str:
    """Check ``target`` for a sweep and make it a sweep folder (created, or cleared with ``force``).

    Returns
    -------
    str
        What :func:`check_target` decided.
    """
    decision = check_target(target, "sweep", force)
    if decision == "replace":  # a result folder of another kind, with --force
        from simulation.results.files import staged_folder

        with staged_folder(target) as stage:
            write_json(stage / MARKER, {"package": "servicesim", "kind": "sweep"})
    mark_folder(target, "sweep")
    return decision


# ----------------------------------------------------------------------------- the lock

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
    why = _unsafe_location(folder) if refuse_unsafe else None
    if why is not None:
        raise _refuse(folder, why)
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
            folder, f"in use by {_holder_text(path)}; wait for it to finish or choose another --out"
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
