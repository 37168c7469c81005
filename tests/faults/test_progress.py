"""Feedback on long work: a bar on a terminal, a line at most every 10 s elsewhere, `--quiet`
silences both; a resumed sweep says how many runs came from its store (issue 12, rule 10)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

import simulation.experiment.progress as progress
from simulation.cli.main import main
from tests.conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny-base.yaml"
TINY_SWEEP = ROOT / "tests" / "data" / "tiny.sweep.yaml"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _progress_defaults():
    progress.reset()
    yield
    progress.reset()


def _cli(argv: list[str], stderr: io.StringIO | None = None) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), stderr if stderr is not None else io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        rc = main(argv)
    return rc, stdout.getvalue(), stderr.getvalue()


def _sweep(out: Path, *extra: str) -> list[str]:
    return ["sweep", str(TINY_SWEEP), "--out", str(out), "--workers", "1", "--no-report", *extra]


LINE = re.compile(r"^sweep tiny: \d+/18 run\(s\) \(\d+%\), elapsed \d+:\d\d, ETA (\d+:\d\d|\?)$")


def test_sweep_without_terminal_writes_progress_lines(tmp_path, monkeypatch):
    # fault: without a terminal a sweep showed no progress at all
    monkeypatch.setattr(progress, "INTERVAL_SECONDS", 0.0)
    rc, _, stderr = _cli(_sweep(tmp_path / "out"))
    assert rc == 0
    lines = [line for line in stderr.splitlines() if line.startswith("sweep tiny:")]
    assert len(lines) == 18
    assert all(LINE.match(line) for line in lines), lines[:3]
    assert lines[-1].startswith("sweep tiny: 18/18 run(s) (100%)")


def test_progress_lines_at_most_every_interval(tmp_path):
    # the default interval (10 s) is longer than this sweep: no line at all
    rc, _, stderr = _cli(_sweep(tmp_path / "out"))
    assert rc == 0
    assert progress.INTERVAL_SECONDS == 10.0
    assert "sweep tiny:" not in stderr


def test_quiet_silences_bar_and_lines(tmp_path, monkeypatch):
    # fault: there was no --quiet
    monkeypatch.setattr(progress, "INTERVAL_SECONDS", 0.0)
    rc, _, stderr = _cli(_sweep(tmp_path / "lines", "--quiet"))
    assert (rc, stderr) == (0, "")
    terminal = FakeTerminal()
    rc, _, stderr = _cli(_sweep(tmp_path / "bar", "-q"), terminal)
    assert (rc, stderr) == (0, "")
    rc, _, stderr = _cli(
        ["-q", "run", str(TINY), "-r", "2", "--out", str(tmp_path / "run"), "--no-report"],
        FakeTerminal(),
    )
    assert (rc, stderr) == (0, "")


def test_resumed_sweep_says_how_many_runs_came_from_its_store(tmp_path, monkeypatch):
    # fault: a resumed sweep did not say that (or how many) runs came from its store
    out = tmp_path / "out"
    assert _cli(_sweep(out))[0] == 0
    monkeypatch.setattr(progress, "INTERVAL_SECONDS", 0.0)
    rc, stdout, stderr = _cli(_sweep(out, "--replications", "4"))
    assert rc == 0
    assert f"resumed: 18 run(s) taken from {out / 'runs'}/" in stdout.splitlines()
    lines = [line for line in stderr.splitlines() if line.startswith("sweep tiny:")]
    assert lines and all(", 18 from store," in line for line in lines)
    assert lines[-1].startswith("sweep tiny: 24/24 run(s) (100%), 18 from store")


def test_sweep_bar_on_a_terminal_counts_runs_and_store(tmp_path):
    # a bar on a terminal: runs done / total, from store, ETA
    out = tmp_path / "out"
    assert _cli(_sweep(out))[0] == 0
    rc, _, stderr = _cli(_sweep(out, "-r", "4"), FakeTerminal())
    assert rc == 0
    assert (
        "sweep tiny" in stderr
        and "18/24" in stderr
        and "18 from store" in stderr
        and "run/s" in stderr
    )


def test_run_shows_replications_done(tmp_path, monkeypatch):
    # fault: `run` showed no progress, on a terminal or not
    rc, _, stderr = _cli(
        ["run", str(TINY), "-r", "3", "--out", str(tmp_path / "a"), "--no-report"], FakeTerminal()
    )
    assert rc == 0
    assert "run tiny-base" in stderr and "/3 " in stderr and "replication/s" in stderr
    monkeypatch.setattr(progress, "INTERVAL_SECONDS", 0.0)
    rc, _, stderr = _cli(["run", str(TINY), "-r", "3", "--out", str(tmp_path / "b"), "--no-report"])
    assert rc == 0
    assert [line for line in stderr.splitlines() if line.startswith("run tiny-base:")][
        -1
    ].startswith("run tiny-base: 3/3 replication(s) (100%), elapsed ")


def test_propose_shows_stage_and_evaluations(tmp_path, monkeypatch):
    # fault: `propose` showed no progress
    from simulation.propose import propose
    from tests.propose_support import region, spec, write

    write(tmp_path, "region.yaml", region())
    budget = {
        "unit_days_per_week": 1,
        "hours_per_day": 4,
        "weekdays": ["mon", "tue"],
        "windows": ["10:00-14:00"],
    }
    path = write(
        tmp_path,
        "p.propose.yaml",
        spec(
            budget=budget,
            selection={"indifference": 20, "initial": 3, "max_replications": 6, "confirmation": 0},
        ),
    )
    monkeypatch.setattr(progress, "INTERVAL_SECONDS", 0.0)
    lines: list[str] = []
    progress.configure(sink=lines.append)
    propose(path, workers=1, out=tmp_path / "out")
    assert lines[0].startswith("propose p: 0 run(s), stage screening")
    stages = [m.group(1) for line in lines if (m := re.search(r"stage ([a-z]+(-\d+)?)", line))]
    assert {"screening", "references", "greedy-1", "selection", "writing"} <= set(stages)
    assert re.search(
        r"^propose p: \d+ run\(s\), stage greedy-1, \d+ evaluation\(s\), elapsed \d+:\d\d$",
        "\n".join(lines),
        re.M,
    )


def test_progress_line_format():
    bar = progress.Progress(10, "sweep x", "run", initial=4, show=None)
    assert bar.line().startswith("sweep x: 4/10 run(s) (40%), elapsed 0:00, ETA ?")
    assert progress.duration(3725) == "1:02:05" and progress.duration(65) == "1:05"
