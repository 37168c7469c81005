"""Writing result folders so that an interrupted run never leaves a complete-looking file.

Everything is written into a hidden staging folder next to the target, which then replaces
the target in one rename. A folder that exists under its final name is always complete, and
``manifest.json`` records how it was made.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def package_version() -> str:
    """Installed version of servicesim (``unknown`` when running from a bare checkout)."""
    try:
        return metadata.version("servicesim")
    except metadata.PackageNotFoundError:
        return "unknown"


def git_commit() -> str | None:
    """Commit of the source tree the package runs from, if it is a git checkout."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


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


@contextmanager
def staged_folder(target: Path):
    """Yield a staging folder that replaces ``target`` when the block succeeds.

    On an exception the staging folder is removed and ``target`` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; results are ordinary files
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.replace(target, old / "previous")
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write a single file via a temporary name in the same folder, then rename it."""
    path = Path(path)
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
