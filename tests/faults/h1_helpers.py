"""Helpers shared by the result-folder fault tests (output targets, lock, manifests, disk full)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from simulation.cli.main import main

DATA = Path(__file__).resolve().parents[1] / "data"
TINY = DATA / "tiny.sweep.yaml"
TINY_BASE = DATA / "tiny-base.yaml"
ROOT = Path(__file__).resolve().parents[2]


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path below ``folder`` (hidden ones too) with its bytes (``None`` for a folder)."""
    return {
        p.relative_to(folder).as_posix(): (None if p.is_dir() else p.read_bytes())
        for p in sorted(folder.rglob("*"))
    }


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run ``servicesim`` in this process: exit status, stdout and stderr."""
    rc = main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def sweep_doc(**extra: Any) -> dict[str, Any]:
    """A two-design inline sweep on the tiny base scenario (4 runs at 2 replications)."""
    base = yaml.safe_load(TINY_BASE.read_text(encoding="utf-8"))
    doc: dict[str, Any] = {
        "name": "inline",
        "scenario": base,
        "seed": 5,
        "replications": 2,
        "designs": {"today": {}, "more": {"set": {"sites.city.counters": 3}}},
        "kpis": ["wait_mean", "served_share"],
    }
    doc.update(extra)
    return doc


def write_yaml(path: Path, doc: Any) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def one_error_line(stderr: str, start: str) -> None:
    """``stderr`` is exactly one line starting with ``start`` and holds no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(start), stderr
