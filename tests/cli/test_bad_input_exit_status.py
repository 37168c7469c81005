"""Bad input on the command line exits 2 with one clear line and no traceback."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import yaml

from simulation.cli.main import EXIT_BAD_INPUT, main
from tests.conftest import EXAMPLES, ROOT
from tests.mobile_support import base, with_unit

TWO_AREAS = EXAMPLES / "two-areas.yaml"


def _broken(kind: str) -> tuple[dict[str, Any], str, str]:
    """A broken two-areas document, the path the error must name and the value it must show."""
    doc = yaml.safe_load(TWO_AREAS.read_text(encoding="utf-8"))
    site = doc["sites"][0]
    if kind == "misspelt":
        site["countres"] = site.pop("counters")
        return doc, "sites[0].countres", "'counters'"
    if kind == "type":
        site["counters"] = "four"
        return doc, "sites[0].counters", "'four'"
    site["errands"] = ["skatteverket", "pass"]
    return doc, "sites[0].errands[1]", "'pass'"


@pytest.mark.parametrize("kind", ["type", "undefined_errand", "misspelt"])
def test_broken_file_exits_2_with_one_line(tmp_path, capsys, kind):
    doc, where, value = _broken(kind)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    rc = main(["run", str(path), "-r", "1", "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == EXIT_BAD_INPUT == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    line = lines[0]
    assert "Traceback" not in captured.err
    assert line.startswith(f"error: {path}: ")
    assert captured.out == ""
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["broken.yaml"]  # nothing half-written
    assert where in line
    assert value in line


def test_validate_broken_file(tmp_path, capsys):
    doc, where, value = _broken("type")
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{path}: {where}" in err and value in err


def test_missing_scenario_file(tmp_path, capsys):
    rc = main(["run", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2
    assert "cannot read file" in err and "nope.yaml" in err
    assert not (tmp_path / "out").exists()


def test_bad_replications_argument(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", str(TWO_AREAS), "-r", "0"])
    assert info.value.code == 2
    assert "expected at least 1" in capsys.readouterr().err


def test_subprocess_validate_bad_file_has_no_traceback(tmp_path):
    doc, where, value = _broken("undefined_errand")
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "simulation", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert proc.stderr.startswith(f"error: {path}: {where}: undefined errand id")
    assert proc.stdout == ""


def test_cli_overlapping_stops_exit_2(tmp_path, capsys):
    import yaml

    doc = with_unit(
        base(),
        {"area": "a", "days": ["tue"], "hours": ["10:00-12:00"]},
        {"area": "a", "days": ["mon-fri"], "hours": ["11:00-13:00"]},
    )
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert str(path) in err and "sites[1].schedule[1]" in err and "overlaps" in err
