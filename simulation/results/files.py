"""Writing result folders so that an interrupted run never leaves a complete-looking file.

A run or propose folder is written into a hidden staging folder next to the target, which
then takes the target's place in one atomic exchange. A sweep folder is resumed in place, so
its final tables are staged inside it and moved into place together, with ``manifest.json``
written last (:func:`write_together`). Every manifest records the SHA-256 of each file it
vouches for (``checksums``), so a folder whose files do not agree with it is detected
(:func:`simulation.results.manifest.verify_folder`).

Whether a folder may be written at all is decided by :mod:`simulation.results.targets`.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import glob
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from simulation.experiment.identity import git_commit, package_version


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def provenance(**extra: Any) -> dict[str, Any]:
    """Manifest fields common to every result folder, plus ``extra``."""
    return {
        "package": "servicesim",
        "version": package_version(),
        "git_commit": git_commit(),
        "python": sys.version.split()[0],
        "command": sys.argv,
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        **extra,
    }


class WriteError(OSError):
    """Writing a result file failed: names the file meant to be written and the reason.

    Parameters
    ----------
    path
        The file (or folder) that could not be written, as the user named it.
    cause
        The underlying error.
    """

    def __init__(self, path: str | os.PathLike[str], cause: OSError) -> None:
        code = cause.errno
        if not isinstance(code, int):  # pyarrow puts the errno only into its message
            found = re.search(r"\[errno (\d+)\]", str(cause), re.IGNORECASE)
            code = int(found.group(1)) if found else None
        reason = (
            os.strerror(code) if code else (cause.strerror or str(cause) or type(cause).__name__)
        )
        super().__init__(code, reason, os.fspath(path))

    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"


@contextmanager
def writing(path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn any :class:`OSError` raised in the block into a :class:`WriteError` naming ``path``."""
    try:
        yield
    except OSError as exc:  # an inner WriteError is renamed: the outer path is the user's
        raise WriteError(path, exc) from exc


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2``); ``False`` where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False  # the file system cannot exchange: fall back to two renames
    raise OSError(code, os.strerror(code), os.fspath(b))


def _swap_into_place(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``; an existing ``target`` is exchanged atomically, then removed."""
    if not os.path.lexists(target):
        os.replace(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous folder
        return
    old = Path(tempfile.mkdtemp(prefix=f".{staging_name(target)}.old-", dir=target.parent))
    os.replace(target, old / "previous")
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def staging_name(target: Path) -> str:
    """The name hidden work files next to ``target`` start with (never ``..``-prefixed)."""
    return Path(os.path.abspath(target)).name or "result"


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Yield a staging folder that replaces ``target`` when the block succeeds.

    On an exception the staging folder is removed and ``target`` is left as it was. The caller
    decides beforehand whether ``target`` may be replaced
    (:func:`simulation.results.targets.check_target`).
    """
    target = Path(target)
    name = staging_name(target)
    with writing(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        stale_names = (f".{glob.escape(name)}.staging-*", f".{glob.escape(name)}.old-*")
        for stale in [p for pattern in stale_names for p in target.parent.glob(pattern)]:
            shutil.rmtree(stale, ignore_errors=True)  # left by a killed process (we hold the lock)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.staging-", dir=target.parent))
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; results are ordinary files
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        with writing(target):
            _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Write a single file via a temporary name in the same folder, then rename it.

    Raises
    ------
    WriteError
        If the file cannot be written; it names ``path`` and the reason.
    """
    path = Path(path)
    with writing(path):
        # the name is chosen before the file exists, so that Ctrl-C at any moment (even inside
        # the creation) leaves no temporary file behind
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # 0o666 & ~umask
            write(tmp)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def file_checksum(path: Path) -> dict[str, Any]:
    """``{"sha256": ..., "bytes": ...}`` of a file."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "bytes": size}


def folder_checksums(
    folder: Path, names: Iterable[str], rows: Mapping[str, int] | None = None
) -> dict[str, dict[str, Any]]:
    """Checksums (and row counts, where given) of the files ``names`` inside ``folder``.

    Parameters
    ----------
    folder
        The folder the names are relative to.
    names
        Relative file names (``/``-separated).
    rows
        Row counts of tables, recorded beside their checksums.
    """
    rows = rows or {}
    out = {}
    for name in names:
        record = file_checksum(Path(folder) / name)
        if name in rows:
            record["rows"] = int(rows[name])
        out[name] = record
    return out


STAGING_PREFIX = ".staging-"
"""Name prefix of the staging folder inside a sweep folder (see :func:`write_together`)."""


def write_together(
    folder: Path,
    files: Mapping[str, Callable[[Path], object]],
    manifest: Mapping[str, Any],
    rows: Mapping[str, int] | None = None,
    remove: Iterable[str] = (),
) -> None:
    """Replace a set of files in ``folder`` together, then write ``manifest.json`` last.

    Every file is first written into a staging folder inside ``folder`` (a failure there
    leaves the folder as it was). Then the old manifest is removed, the staged files are moved
    into place, the files ``remove`` are deleted and the manifest, with the checksum of every
    file in ``files`` under ``checksums``, is written. A folder caught between these steps has
    no manifest or one its files disagree with, and is refused by
    :func:`simulation.results.manifest.verify_folder`.

    Parameters
    ----------
    folder
        An existing result folder.
    files
        Relative name (``/``-separated) → function writing that file at the path it is given.
    manifest
        The manifest's fields (``checksums`` is added).
    rows
        Row counts of the tables among ``files``, recorded in the manifest.
    remove
        Relative names of files of an earlier write to delete (if present).
    """
    folder = Path(folder)
    for stale in folder.glob(f"{STAGING_PREFIX}*"):  # left by a killed process
        shutil.rmtree(stale, ignore_errors=True)
    with writing(folder):
        stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    try:
        for name, write in files.items():
            staged = stage / name
            with writing(folder / name):
                staged.parent.mkdir(parents=True, exist_ok=True)
                write(staged)
        checksums = folder_checksums(stage, files, rows)
        manifest_path = folder / "manifest.json"
        with writing(manifest_path):
            manifest_path.unlink(missing_ok=True)
        for name in files:
            with writing(folder / name):
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                os.replace(stage / name, folder / name)
        for name in remove:
            with writing(folder / name):
                (folder / name).unlink(missing_ok=True)
        with writing(manifest_path):
            write_json(manifest_path, {**manifest, "checksums": checksums})
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_json(path: Path, data: Any) -> None:
    """Write JSON (UTF-8, sorted keys, NaN as null) atomically."""
    text = json.dumps(_clean(data), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_yaml(path: Path, data: Any) -> None:
    """Write YAML atomically."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


def _clean(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value
