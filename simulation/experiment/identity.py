"""What identifies a simulation run, so that a stored run is reused only when it is the same run.

A sweep stores every finished run under ``runs/<run key>.parquet`` and reuses it when the
same command runs again. The run key is a hash of everything that determines the run's
numbers:

* the **resolved scenario** (defaults filled in, as canonical JSON), which names the files
  it references by their absolute path;
* the **contents** (sha256 of the bytes) of every file the scenario references
  (:data:`REFERENCED_FILES`: today only the travel matrix ``travel.matrix``), so that an
  edited matrix under the same path gives new keys;
* the root **seed**, the **replication** number and, in a robust comparison, the sampled
  **world** (:mod:`simulation.scenario.uncertain`);
* the **code**: the package version, the git commit of the source tree the package runs
  from (where it is a git checkout) and a sha256 over the package's own source files and
  packaged data (:func:`source_digest`), so that changed code never reuses old numbers,
  committed or not.

Nothing else (the clock, the folder, the number of workers, the executor) enters the key.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
"""The installed ``simulation`` package whose sources identify the code."""

REFERENCED_FILES: tuple[tuple[str, ...], ...] = (("travel", "matrix"),)
"""Paths (in a resolved scenario) of fields that name a file whose contents matter."""

KEY_LENGTH = 24
"""Hex digits of a run key."""

_DATA_DIRS = ("data",)


def package_version() -> str:
    """Installed version of servicesim (``unknown`` when running from a bare checkout)."""
    try:
        return metadata.version("servicesim")
    except metadata.PackageNotFoundError:
        return "unknown"


def git_commit() -> str | None:
    """Commit of the source tree the package runs from, if it is a git checkout."""
    here = PACKAGE_ROOT
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def source_files(root: Path = PACKAGE_ROOT) -> list[Path]:
    """The files that make up the package's code: every ``*.py`` and every packaged data file.

    Parameters
    ----------
    root
        Package folder (default: the installed ``simulation`` package).

    Returns
    -------
    list of Path
        Relative paths, sorted (as POSIX strings); caches (``__pycache__``) and hidden
        files are left out.
    """
    out = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if not path.is_file() or any(
            part.startswith(".") or part == "__pycache__" for part in rel.parts
        ):
            continue
        if path.suffix == ".py" or rel.parts[0] in _DATA_DIRS:
            out.append(rel)
    return sorted(out, key=lambda p: p.as_posix())


def source_digest(root: Path = PACKAGE_ROOT) -> str:
    """sha256 over the package's source files and packaged data (names and bytes).

    Parameters
    ----------
    root
        Package folder (default: the installed ``simulation`` package).

    Returns
    -------
    str
        Hex digest; it changes when any source file is added, removed, renamed or edited.
    """
    digest = hashlib.sha256()
    for rel in source_files(root):
        data = (root / rel).read_bytes()
        digest.update(f"{rel.as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_identity() -> dict[str, str | None]:
    """The code that runs: version, git commit (or ``None``) and source digest.

    Computed once per process (the sources of a running process do not change under it
    in any way that matters: its modules are already imported).
    """
    return {"version": package_version(), "git_commit": git_commit(), "sources": source_digest()}


def file_digest(path: str | Path) -> str:
    """sha256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def referenced_files(scenario: Mapping[str, Any]) -> list[str]:
    """Paths of the files a resolved scenario references (:data:`REFERENCED_FILES`)."""
    out = []
    for where in REFERENCED_FILES:
        value: Any = scenario
        for key in where:
            value = value.get(key) if isinstance(value, Mapping) else None
        if isinstance(value, str) and value:
            out.append(value)
    return out


def input_digests(
    scenario: Mapping[str, Any], cache: dict[str, str] | None = None
) -> dict[str, str]:
    """``{path: sha256}`` of every file a resolved scenario references.

    Parameters
    ----------
    scenario
        Resolved scenario as plain data (referenced paths absolute).
    cache
        Digests already computed (path → digest), filled in as files are read, so that the
        cells of one sweep read a shared matrix once.

    Raises
    ------
    OSError
        If a referenced file cannot be read.
    """
    cache = {} if cache is None else cache
    out = {}
    for path in referenced_files(scenario):
        if path not in cache:
            cache[path] = file_digest(path)
        out[path] = cache[path]
    return out


def run_key(
    scenario_json: str,
    seed: int,
    replication: int,
    inputs: Mapping[str, str] | None = None,
    code: Mapping[str, str | None] | None = None,
    world: int | None = None,
) -> str:
    """Identity of one run: a hash of everything that determines its numbers.

    Parameters
    ----------
    scenario_json
        Resolved scenario as canonical JSON (``json.dumps(..., sort_keys=True)``).
    seed, replication
        Root seed and replication number.
    inputs
        ``{path: sha256}`` of the files the scenario references (:func:`input_digests`).
    code
        Code identity (default: :func:`code_identity` of this process).
    world
        Sampled world of a robust comparison (``None``: none; the key is then that of a
        plain sweep run).

    Returns
    -------
    str
        ``KEY_LENGTH`` hex digits.
    """
    record = {
        "code": dict(code if code is not None else code_identity()),
        "inputs": dict(sorted((inputs or {}).items())),
        "replication": int(replication),
        "scenario": scenario_json,
        "seed": int(seed),
    }
    if world is not None:
        record["world"] = int(world)
    text = json.dumps(record, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_LENGTH]


def is_run_key(name: str) -> bool:
    """Whether ``name`` has the form of a run key (``KEY_LENGTH`` lowercase hex digits)."""
    return len(name) == KEY_LENGTH and all(c in "0123456789abcdef" for c in name)


def run_index(runs: Iterable[tuple[str, str, int, str]]) -> dict[str, dict[str, list[str]]]:
    """``{design: {level: [run key of replication 0, 1, ...]}}`` from ``(design, level, r, key)``.

    This is what a sweep's manifest records (``run_keys``) so that the report reads the
    kept tables of exactly the runs of that sweep.
    """
    out: dict[str, dict[str, dict[int, str]]] = {}
    for design, level, replication, key in runs:
        out.setdefault(design, {}).setdefault(level, {})[int(replication)] = key
    return {
        d: {lvl: [keys[r] for r in sorted(keys)] for lvl, keys in levels.items()}
        for d, levels in out.items()
    }
