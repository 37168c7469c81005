"""Corrupt or foreign manifests and damaged files in a result folder (issue 12, rule 5):
``report``, ``compare`` and a resumed sweep exit 2 with one line, never a traceback.

Today ``report`` on an invalid ``manifest.json`` ends in a ``JSONDecodeError`` traceback,
``compare`` ignores the manifest altogether, and a resume into such a folder overwrites it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from simulation.cli.main import EXIT_BAD_INPUT
from simulation.results.sweep_folder import run_sweep
from tests.faults.h1_helpers import ROOT, cli, one_error_line, snapshot, sweep_doc, write_yaml

BAD_MANIFESTS = {
    "invalid JSON": ('{"package": "servicesim", "kind": "swe', "manifest.json is not valid JSON"),
    "not UTF-8": (b"\xff\xfe\x00garbage", "manifest.json is not valid JSON"),
    "a list": ("[1, 2, 3]", "manifest.json was not written by servicesim"),
    "foreign": ('{"name": "webpack", "files": []}', "manifest.json was not written by servicesim"),
    "unknown kind": (
        '{"package": "servicesim", "kind": "movie"}',
        "manifest.json has an unknown kind 'movie'",
    ),
    "bad checksums": (
        '{"package": "servicesim", "kind": "sweep", "checksums": {"../../etc/passwd": {}}}',
        "manifest.json is damaged",
    ),
}


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("manifest") / "s"
    run_sweep(sweep_doc(), workers=1, out=out)
    return out


def damaged_copy(sweep_folder, tmp_path, manifest: str | bytes):
    import shutil

    out = tmp_path / "s"
    shutil.copytree(sweep_folder, out)
    data = manifest.encode("utf-8") if isinstance(manifest, str) else manifest
    (out / "manifest.json").write_bytes(data)
    return out


@pytest.mark.parametrize("what", list(BAD_MANIFESTS))
@pytest.mark.parametrize("command", ["report", "compare"])
def test_bad_manifest_is_one_line_exit_2(sweep_folder, tmp_path, capsys, what, command):
    # fault: report raised JSONDecodeError/KeyError tracebacks; compare printed the tables anyway
    manifest, message = BAD_MANIFESTS[what]
    out = damaged_copy(sweep_folder, tmp_path, manifest)
    before = snapshot(out)
    rc, stdout, err = cli(capsys, command, str(out))
    assert rc == EXIT_BAD_INPUT
    one_error_line(err, f"error: {out}: {message}")
    assert stdout == ""
    assert snapshot(out) == before


@pytest.mark.parametrize("what", ["invalid JSON", "foreign", "unknown kind"])
def test_resuming_into_a_bad_manifest_is_refused(sweep_folder, tmp_path, capsys, what):
    # fault: a sweep "resumed" into a folder with a damaged or foreign manifest and overwrote it
    manifest, message = BAD_MANIFESTS[what]
    out = damaged_copy(sweep_folder, tmp_path, manifest)
    before = snapshot(out)
    sweep = write_yaml(tmp_path / "s.yaml", sweep_doc())
    rc, _, err = cli(capsys, "sweep", str(sweep), "-w", "1", "--out", str(out), "--force")
    assert rc == EXIT_BAD_INPUT
    one_error_line(err, f"error: {out}: refusing to write here: {message}")
    assert snapshot(out) == before


def test_report_on_a_propose_folder_says_what_it_is(tmp_path, capsys):
    # fault: a propose folder gave "manifest kind 'propose' is neither 'run' nor 'sweep'" as a
    # ValueError traceback
    out = tmp_path / "p"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"package": "servicesim", "kind": "propose"}))
    rc, _, err = cli(capsys, "report", str(out))
    assert rc == EXIT_BAD_INPUT
    one_error_line(err, f"error: {out}: this is a propose folder; expected a run or sweep folder")


@pytest.mark.parametrize("content", ["name: [unclosed\n", "- just\n- a list\n", ""])
def test_damaged_scenario_file_in_an_older_folder_is_one_line(
    sweep_folder, tmp_path, capsys, content
):
    # fault: a damaged scenarios/*.yaml in a folder (without checksums, as older versions wrote
    # them) ended in a yaml traceback or an AttributeError
    out = damaged_copy(sweep_folder, tmp_path, (sweep_folder / "manifest.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["checksums"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    scenario = sorted((out / "scenarios").iterdir())[0]
    scenario.write_text(content, encoding="utf-8")
    rc, _, err = cli(capsys, "report", str(out))
    assert rc == EXIT_BAD_INPUT
    one_error_line(err, f"error: {out / 'scenarios'}: {scenario.name} is ")
    assert "the folder is damaged" in err


def test_damaged_scenario_file_with_checksums_is_refused(sweep_folder, tmp_path, capsys):
    # fault: a damaged scenario file was only found while drawing figures (traceback)
    out = damaged_copy(sweep_folder, tmp_path, (sweep_folder / "manifest.json").read_text())
    scenario = sorted((out / "scenarios").iterdir())[0]
    scenario.write_text("name: [unclosed\n", encoding="utf-8")
    rc, _, err = cli(capsys, "report", str(out))
    assert rc == EXIT_BAD_INPUT
    one_error_line(err, f"error: {out}: scenarios/{scenario.name} does not match manifest.json")


def test_report_on_a_missing_folder_creates_nothing(tmp_path):
    # fault: (with the lock) reporting on a typo must not create folders or lock files
    proc = subprocess.run(
        [sys.executable, "-m", "simulation", "report", str(tmp_path / "typo" / "s")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == EXIT_BAD_INPUT
    one_error_line(proc.stderr, f"error: {tmp_path / 'typo' / 's'}: no manifest.json here")
    assert list(tmp_path.iterdir()) == []
