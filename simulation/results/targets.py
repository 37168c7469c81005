"""Where results may be written: may ``run``, ``sweep``, ``propose`` or ``staff`` (and ``report``)
write this folder.

One owner of the decision:

- a target that does not exist (or an empty folder) is created;
- an existing target must be a servicesim result folder: its ``manifest.json`` says
  ``package: servicesim`` and a ``kind`` (``run``, ``sweep``, ``propose``, ``staff``), or, for a sweep
  still running or interrupted, the marker file ``.servicesim`` says so
  (:mod:`simulation.results.manifest`);
- of the same kind, a run or propose folder is replaced (atomically, by
  :func:`simulation.results.files.staged_folder`) and a sweep folder is resumed;
- of another kind, it is replaced only with ``force``;
- anything else is refused: a file, a folder servicesim did not write, the current directory
  or any folder above it, the home directory, a folder holding ``.git``. A result folder that
  also holds files servicesim did not write is never replaced.

One writer at a time: the checks run while holding the folder's lock
(:func:`simulation.results.lock.hold_folder`).

Refusals are :class:`~simulation.results.errors.TargetError`, which the command line prints as
one line (``error: results/x: refusing to write here: ...``) with exit status 2.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Any

from simulation.results.errors import TargetError
from simulation.results.files import STAGING_PREFIX, write_json
from simulation.results.layout import FIGURE_NAMES
from simulation.results.manifest import MARKER, folder_kind, mark_folder, read_manifest

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
    "pilot": _COMMON
    + (
        "ranking.csv",
        "pilot.md",
        "*-pilot-scenario.yaml",
        "*-pilot.sweep.yaml",
        "figures/pilot-*.png",
        "figures/pilot-*.svg",
    ),
    "staff": _COMMON
    + (
        "staffing.yaml",
        "staffing.csv",
        "staff_hours.csv",
        "steps.csv",
        "summary.json",
        "figures/staffing-*.png",
        "figures/staffing-*.svg",
    ),
}
"""Files (``fnmatch`` patterns, relative, ``/``-separated) servicesim writes in each kind of folder
(besides the report's figures, ``figures/<name>.png|svg``)."""


def refuse(folder: Path, why: str, advice: str = "choose another --out") -> TargetError:
    """The refusal to write ``folder``: ``refusing to write here: <why>; <advice>``."""
    return TargetError(folder, f"refusing to write here: {why}; {advice}")


def unsafe_location(target: Path) -> str | None:
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

    Call it while holding :func:`simulation.results.lock.hold_folder` on ``target``.

    Parameters
    ----------
    target
        The result folder (``--out``).
    kind
        ``run``, ``sweep``, ``propose`` or ``staff``: what the command writes.
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
    why = unsafe_location(target)
    if why is not None:
        raise refuse(target, why)
    if not target.exists():
        return "new"
    if not any(target.iterdir()):
        return "new"
    try:
        existing = folder_kind(target)
    except TargetError as exc:
        raise refuse(target, exc.message) from None
    if existing is None:
        raise refuse(
            target, "it is a folder servicesim did not write (no servicesim manifest.json)"
        )
    if existing != kind and not force:
        raise refuse(
            target, f"it holds a {existing} result, not a {kind} result (--force replaces it)"
        )
    if existing == kind == "sweep":
        return "resume"
    foreign = foreign_files(target, existing, read_manifest(target, required=False))
    if foreign:
        more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        raise refuse(
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
