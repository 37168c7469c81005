"""Reading and verifying the manifest of a result folder: is it servicesim's, of which kind,
and do its files agree with it.

Every result folder holds a ``manifest.json`` that says ``package: servicesim`` and a ``kind``
(``run``, ``sweep``, ``propose``, ``staff``) and records the size and SHA-256 of every file it vouches
for. A sweep folder still running or interrupted has no manifest yet; its marker file
``.servicesim`` says what it is. Problems are :class:`~simulation.results.errors.TargetError`.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from simulation.results.errors import TargetError
from simulation.results.files import file_checksum, write_json, writing

log = logging.getLogger(__name__)

KINDS = ("run", "sweep", "propose", "staff", "pilot")
"""The kinds of result folder servicesim writes."""

MARKER = ".servicesim"
"""Marker file of a sweep folder, written when the folder is created (before any manifest)."""


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
    _check_fields(folder, manifest)
    return manifest


_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "seed": (int,),
    "replications": (int,),
    "replications_requested": (int,),
    "runs": (int,),
    "failed": (int,),
    "level": (float, int),
    "checksums": (dict,),
}
"""Manifest fields that readers rely on, and the JSON types they must have."""

_SWEEP_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "designs": (list,),
    "levels": (list,),
    "kpis": (list,),
    "run_keys": (dict,),
    "kept_replications": (list,),
}
"""The same for the fields of a sweep's manifest."""


def _check_fields(folder: Path, manifest: dict[str, Any]) -> None:
    """Refuse a manifest whose fields have the wrong type or an impossible value."""
    sweep = _SWEEP_FIELD_TYPES if manifest.get("kind") == "sweep" else {}
    for key, types in {**_FIELD_TYPES, **sweep}.items():
        if key not in manifest or manifest[key] is None:
            continue
        value = manifest[key]
        if not isinstance(value, types) or isinstance(value, bool):
            raise TargetError(
                folder,
                f"manifest.json: {key} must be {' or '.join(t.__name__ for t in types)} "
                f"(got {type(value).__name__}); the folder is damaged",
            )
    for key in ("replications", "replications_requested", "runs", "failed"):
        if isinstance(manifest.get(key), int) and manifest[key] < 0:
            raise TargetError(
                folder, f"manifest.json: {key} must not be negative; the folder is damaged"
            )
    level = manifest.get("level")
    if isinstance(level, int | float) and not 0 < level < 1:
        raise TargetError(folder, f"manifest.json: level must lie between 0 and 1 (got {level})")


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
