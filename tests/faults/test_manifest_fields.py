"""A result folder whose manifest was edited by hand is refused in one line, never read wrongly.

Found by a fault-injection pass after issue 12: ``"replications": "abc"`` crashed ``report``
with a traceback, and ``"replications": 5`` over tables of 2 replications gave a report of 5.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulation.cli.main import main

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.sweep.yaml"


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fields") / "s"
    assert main(["sweep", str(TINY), "-r", "2", "--out", str(out), "-q", "--no-report"]) == 0
    return out


def edited(folder: Path, tmp_path: Path, **fields: object) -> Path:
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in folder.rglob("*"):
        if path.is_file():
            target = copy / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    (copy / "manifest.json").write_text(json.dumps({**manifest, **fields}), encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"replications": "abc"}, "manifest.json: replications must be int (got str)"),
        ({"replications": 5}, "manifest.json says 5 replication(s) but the tables hold 2"),
        ({"level": 95}, "manifest.json: level must lie between 0 and 1 (got 95)"),
        ({"designs": "today"}, "manifest.json: designs must be list (got str)"),
    ],
)
def test_hand_edited_manifest_is_refused(swept, tmp_path, capsys, fields, message):
    folder = edited(swept, tmp_path, **fields)
    capsys.readouterr()
    assert main(["report", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err, err
    assert not (folder / "report.md").exists()


def test_unedited_copy_is_accepted(swept, tmp_path, capsys):
    folder = edited(swept, tmp_path)
    assert main(["report", str(folder)]) == 0
    capsys.readouterr()
