"""Output targets (issue 12, rule 1): servicesim never deletes a file it did not write.

Today's ``staged_folder`` replaced whatever was at ``--out``: a file, a user's folder, a git
repository, and ``--out .`` left ``..old-*``/``..partial-*`` folders. Each test below fails on
that code (it deleted the target and exited 0) and passes now.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import simulation
from simulation.cli.main import EXIT_BAD_INPUT
from simulation.results.errors import TargetError
from simulation.results.run_folder import write_run
from simulation.results.sweep_folder import run_sweep
from simulation.results.targets import check_target
from tests.faults.h1_helpers import (
    TINY,
    TINY_BASE,
    cli,
    one_error_line,
    snapshot,
    sweep_doc,
    write_yaml,
)


def make_file(tmp_path: Path) -> Path:
    target = tmp_path / "notes.txt"
    target.write_text("my own notes\n", encoding="utf-8")
    return target


def make_user_folder(tmp_path: Path) -> Path:
    target = tmp_path / "mine"
    (target / "deep").mkdir(parents=True)
    (target / "thesis.tex").write_text("\\begin{document}", encoding="utf-8")
    (target / "deep" / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return target


def make_repository(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    target.mkdir()
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    (target / "README.md").write_text("# my project\n", encoding="utf-8")
    return target


def make_foreign_manifest(tmp_path: Path) -> Path:
    target = tmp_path / "other-tool"
    target.mkdir()
    (target / "manifest.json").write_text('{"name": "my web app", "version": 3}', encoding="utf-8")
    (target / "index.html").write_text("<html></html>", encoding="utf-8")
    return target


TARGETS = {
    "a file": (make_file, "it is a file"),
    "a user folder": (make_user_folder, "it is a folder servicesim did not write"),
    "a git repository": (make_repository, "it is a git repository"),
    "a foreign manifest": (make_foreign_manifest, "manifest.json was not written by servicesim"),
}


@pytest.mark.parametrize("command", ["run", "sweep"])
@pytest.mark.parametrize("what", list(TARGETS))
def test_out_at_a_non_result_is_refused_and_left_untouched(tmp_path, capsys, command, what):
    # fault: `run/sweep --out PATH` deleted PATH (file, user folder, repository) and exited 0
    make, reason = TARGETS[what]
    target = make(tmp_path)
    before = snapshot(tmp_path)
    source = TINY_BASE if command == "run" else TINY
    for force in ([], ["--force"]):  # --force never replaces a non-result either
        rc, out, err = cli(
            capsys, command, str(source), "-r", "1", "--out", str(target), "--no-report", *force
        )
        assert rc == EXIT_BAD_INPUT
        one_error_line(err, f"error: {target}: refusing to write here: {reason}")
        assert err.rstrip().endswith("choose another --out")
        assert snapshot(tmp_path) == before  # byte for byte, nothing added beside it either


def test_propose_out_at_a_user_folder_is_refused_before_any_work(tmp_path, monkeypatch):
    # fault: `propose --out` replaced a user's folder after all its simulations
    from simulation import propose as propose_module
    from tests.propose_support import region, spec, write

    write(tmp_path, "region.yaml", region())
    path = write(tmp_path, "p.propose.yaml", spec())
    target = make_user_folder(tmp_path)
    before = snapshot(tmp_path)

    def no_work(*_args, **_kwargs):
        raise AssertionError("screening started before the target was checked")

    monkeypatch.setattr(propose_module, "screen", no_work)
    with pytest.raises(
        TargetError, match="refusing to write here: it is a folder servicesim did not write"
    ):
        propose_module.propose(path, workers=1, out=target)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("where", [".", "..", "home"])
def test_out_at_the_current_directory_or_above_or_home_is_refused(
    tmp_path, capsys, monkeypatch, where
):
    # fault: `--out .` replaced the current directory and left `..old-*`/`..partial-*` folders
    work = tmp_path / "home" / "work"
    work.mkdir(parents=True)
    (work / "keep.txt").write_text("keep", encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(work)
    before = snapshot(tmp_path)
    target = str(tmp_path / "home") if where == "home" else where
    rc, _, err = cli(capsys, "run", str(TINY_BASE), "-r", "1", "--out", target, "--no-report")
    assert rc == EXIT_BAD_INPUT
    why = {
        ".": "it is the current directory",
        "..": "it is a folder above the current directory",
        "home": "it is a folder above the current directory",
    }[where]
    one_error_line(err, f"error: {target}: refusing to write here: {why}")
    assert snapshot(tmp_path) == before
    assert not [p for p in tmp_path.rglob("..*")]


def test_home_directory_is_refused(tmp_path, monkeypatch):
    # fault: the home directory (not above the cwd here) was replaced like any other target
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TargetError, match="it is the home directory"):
        check_target(home, "run")


def test_missing_and_empty_targets_are_created(tmp_path):
    # fault: none (kept behaviour): a new or empty folder is an ordinary target
    assert check_target(tmp_path / "new" / "deeper", "run") == "new"
    (tmp_path / "empty").mkdir()
    assert check_target(tmp_path / "empty", "sweep") == "new"


@pytest.fixture(scope="module")
def one_run():
    return simulation.run(simulation.load_scenario(TINY_BASE), replications=1, seed=3)


def test_run_folder_is_replaced_atomically_and_nothing_is_left_beside(tmp_path, one_run):
    # fault: staging names were `..<name>.partial-*` for `--out .`; the old folder was moved away
    # (for an instant there was no folder) — now it is exchanged in one step
    out = tmp_path / "results" / "r"
    write_run(one_run, out)
    first = (out / "summary.csv").read_bytes()
    inode = out.stat().st_ino
    other = simulation.run(simulation.load_scenario(TINY_BASE), replications=1, seed=4)
    assert check_target(out, "run") == "replace"
    write_run(other, out)
    assert (out / "summary.csv").read_bytes() != first
    assert out.stat().st_ino != inode  # a new folder took the old one's place
    assert [p.name for p in out.parent.iterdir()] == ["r"]  # no staging, old or lock files left
    assert json.loads((out / "manifest.json").read_text())["seed"] == 4


def test_run_folder_with_a_file_servicesim_did_not_write_is_not_replaced(tmp_path, capsys, one_run):
    # fault: replacing a run folder deleted the user's notes put into it
    out = tmp_path / "r"
    write_run(one_run, out)
    (out / "figures").mkdir()
    (out / "figures" / "my-sketch.png").write_bytes(b"png")  # not a figure servicesim writes
    (out / "figures" / "map.png").write_bytes(b"png")  # one servicesim writes
    (out / "notes.md").write_text("important", encoding="utf-8")
    before = snapshot(tmp_path)
    rc, _, err = cli(capsys, "run", str(TINY_BASE), "-r", "1", "--out", str(out), "--no-report")
    assert rc == EXIT_BAD_INPUT
    one_error_line(
        err,
        f"error: {out}: refusing to write here: it holds figures/my-sketch.png (and 1 more), "
        "which servicesim did not write",
    )
    assert snapshot(tmp_path) == before
    (out / "notes.md").unlink()
    (out / "figures" / "my-sketch.png").unlink()
    rc, _, err = cli(capsys, "run", str(TINY_BASE), "-r", "1", "--out", str(out), "--no-report")
    assert rc == 0, err


def test_force_replaces_another_kind_of_result_only(tmp_path, capsys, one_run):
    # fault: any kind of folder was silently replaced; now another kind needs --force
    run_folder = tmp_path / "r"
    write_run(one_run, run_folder)
    before = snapshot(run_folder)
    sweep = write_yaml(tmp_path / "s.sweep.yaml", sweep_doc())
    rc, _, err = cli(
        capsys, "sweep", str(sweep), "-w", "1", "--out", str(run_folder), "--no-report"
    )
    assert rc == EXIT_BAD_INPUT
    one_error_line(
        err,
        f"error: {run_folder}: refusing to write here: it holds a run result, not a sweep "
        "result (--force replaces it)",
    )
    assert snapshot(run_folder) == before
    rc, _, err = cli(
        capsys, "sweep", str(sweep), "-w", "1", "--out", str(run_folder), "--no-report", "--force"
    )
    assert rc == 0, err
    manifest = json.loads((run_folder / "manifest.json").read_text())
    assert manifest["kind"] == "sweep"
    assert not (run_folder / "visits.parquet").exists()  # the run's files are gone with it
    # and back: a run over the sweep folder, with --force
    with pytest.raises(TargetError, match="it holds a sweep result, not a run result"):
        write_run(one_run, run_folder)
    write_run(one_run, run_folder, force=True)
    assert json.loads((run_folder / "manifest.json").read_text())["kind"] == "run"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_sweep_folder_is_resumed_not_replaced(tmp_path):
    # fault: none (kept behaviour), with the folder now recognised before its manifest exists
    out = tmp_path / "s"
    run_sweep(sweep_doc(), workers=1, out=out)
    runs = sorted(p.name for p in (out / "runs").iterdir())
    (out / "manifest.json").unlink()  # as after a kill before the final tables
    assert check_target(out, "sweep") == "resume"
    run_sweep(sweep_doc(), workers=1, out=out)
    assert sorted(p.name for p in (out / "runs").iterdir()) == runs


def test_api_refuses_like_the_cli(tmp_path, one_run):
    # fault: simulation.sweep(out=...) and write_run replaced a user's folder
    target = make_user_folder(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(TargetError, match="refusing to write here"):
        simulation.sweep(sweep_doc(), workers=1, out=target)
    with pytest.raises(TargetError, match="refusing to write here"):
        write_run(one_run, target)
    with pytest.raises(TargetError, match="refusing to write here: it is a file"):
        write_run(one_run, make_file(tmp_path))
    assert snapshot(tmp_path) == {**before, "notes.txt": b"my own notes\n"}


def test_cli_refusal_in_a_subprocess_is_one_line(tmp_path):
    # fault: `servicesim run --out <repo>` deleted the repository, .git included, and exited 0
    repo = make_repository(tmp_path)
    before = snapshot(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "simulation", "run", str(TINY_BASE), "-r", "1", "--out", str(repo)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == EXIT_BAD_INPUT
    one_error_line(proc.stderr, f"error: {repo}: refusing to write here: it is a git repository")
    assert snapshot(tmp_path) == before


def test_staging_left_by_a_killed_run_is_cleaned_up_on_the_next_write(tmp_path, one_run):
    # fault: a run killed while writing left `.<name>.partial-*` folders beside the target forever
    out = tmp_path / "r"
    (tmp_path / ".r.staging-abc123").mkdir()
    (tmp_path / ".r.staging-abc123" / "visits.parquet").write_bytes(b"half")
    (tmp_path / ".other.staging-x").mkdir()  # another target's: not ours to remove
    write_run(one_run, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.staging-x", "r"]


def test_replacing_without_an_atomic_exchange_still_leaves_nothing_beside(
    tmp_path, one_run, monkeypatch
):
    # covers the fallback of the atomic exchange (rule 1) on file systems without RENAME_EXCHANGE;
    # today's code has neither path, so this fails there only because `_exchange` is missing
    from simulation.results import files as output

    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    out = tmp_path / "r"
    write_run(one_run, out)
    write_run(one_run, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
    assert verify_folder_kind(out) == "run"


def verify_folder_kind(folder: Path) -> str:
    from simulation.results.manifest import verify_folder

    return verify_folder(folder)["kind"]
