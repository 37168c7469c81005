"""Limits before work (issue 12, rule 6): too many needs or runs exit 2 at once, naming the
figure, the limit and the environment variable that changes it."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

from simulation.engine.demand import hourly_rates
from simulation.scenario.errors import ScenarioError
from simulation.scenario.limits import BYTES_PER_NEED, DEFAULT_MAX_NEEDS, DEFAULT_MAX_RUNS
from simulation.scenario.loading import load_scenario
from simulation.scenario.profiles import area_profile, expected_needs
from simulation.scenario.sweep_spec import load_sweep
from tests.faults.h3_inputs import (
    DATA,
    ROOT,
    assert_one_error,
    run_cli,
    run_subprocess,
    tiny,
    write_yaml,
)


def test_expected_needs_is_the_sum_of_the_hourly_rates():
    # covers: there was no figure for the expected needs of a replication
    doc = tiny(demand_profile={"weekday": {"mon": 2, "tue": 1, "sat": 0.5}, "hour": {10: 1, 11: 3}})
    doc["calendar"] = {"start": "2023-01-04", "days": 17}
    scenario = load_scenario(doc)
    by_hour = sum(
        float(hourly_rates(a, area_profile(scenario, a), scenario.calendar).sum()) * 60
        for a in scenario.areas
    )
    assert expected_needs(scenario) == pytest.approx(by_hour, rel=1e-12)
    assert expected_needs(load_scenario(tiny())) == pytest.approx((3 + 2) * 24 * 14)


def test_long_calendar_with_huge_rate_fails_fast_at_load(tmp_path, capsys):
    # covers: `days: 3660` with a huge rate validated fine and then tried to allocate gigabytes
    doc = tiny()
    doc["calendar"]["days"] = 3660
    doc["areas"][0]["demand"] = {"per_hour": 11000}
    path = write_yaml(tmp_path / "huge.yaml", doc)
    began = time.perf_counter()
    rc, out, err = run_cli(capsys, "validate", path)
    assert time.perf_counter() - began < 5
    line = assert_one_error(
        rc,
        err,
        str(path),
        ": areas: ",
        "needs per replication over 3660 days",
        f"limit of {DEFAULT_MAX_NEEDS:,}",
        "SERVICESIM_MAX_NEEDS",
    )
    assert "966,4" in line  # the figure itself: 11,002 needs an hour for 87,840 hours
    assert "GiB" in line


def test_needs_limit_follows_the_environment(tmp_path, capsys, monkeypatch):
    # covers: the limit was fixed per area and year; now one documented, adjustable limit per run
    path = write_yaml(tmp_path / "tiny.yaml", tiny())
    monkeypatch.setenv("SERVICESIM_MAX_NEEDS", "1000")  # the tiny scenario expects 1,680 needs
    rc, _, err = run_cli(capsys, "validate", path)
    assert_one_error(rc, err, "1,680 needs per replication", "limit of 1,000")
    monkeypatch.setenv("SERVICESIM_MAX_NEEDS", "2000")
    assert run_cli(capsys, "validate", path)[0] == 0
    # a run keeps every replication's visits: 2 x 1,680 needs is over 2,000
    out = tmp_path / "out"
    rc, _, err = run_cli(capsys, "run", path, "-r", "2", "--out", out, "--no-report")
    assert_one_error(
        rc, err, "replications", "3,360 needs in 2 replication(s)", "SERVICESIM_MAX_NEEDS"
    )
    assert not out.exists()
    monkeypatch.setenv("SERVICESIM_MAX_NEEDS", "lots")
    rc, _, err = run_cli(capsys, "validate", path)
    assert_one_error(
        rc, err, "environment variable SERVICESIM_MAX_NEEDS must be a positive number", "'lots'"
    )


def test_a_billion_replications_fail_at_once(tmp_path):
    # covers: `run -r 1000000000` (and `sweep -r ...`) hung silently
    scenario = write_yaml(tmp_path / "tiny.yaml", tiny())
    sweep = DATA / "tiny.sweep.yaml"
    for command, target in (("run", scenario), ("sweep", sweep)):
        out = tmp_path / f"out-{command}"
        began = time.perf_counter()
        done = run_subprocess(command, target, "-r", "1000000000", "--out", out, timeout=60)
        assert time.perf_counter() - began < 30
        assert_one_error(
            done.returncode,
            done.stderr,
            "replications",
            "1,000,000,000 replication(s)",
            f"limit of {DEFAULT_MAX_RUNS:,}",
            "SERVICESIM_MAX_RUNS",
        )
        assert not out.exists()  # nothing written


def test_two_million_cell_grid_fails_in_well_under_a_second(tmp_path):
    # covers: a 2-million-cell factor grid hung while every cell's scenario was built
    values = ", ".join(str(i + 1) for i in range(2000))
    days = ", ".join(str(i % 60) for i in range(1000))
    path = tmp_path / "grid.sweep.yaml"
    path.write_text(
        f"name: grid\nbase: {DATA / 'tiny-base.yaml'}\ndesigns: {{a: {{}}}}\nfactors:\n"
        f"  behaviour.patience_minutes.mean: [{values}]\n  behaviour.max_deferral_days: [{days}]\n",
        encoding="utf-8",
    )
    code = (
        "import sys, time\nfrom simulation.scenario.sweep_spec import load_sweep\nfrom simulation.scenario.errors import ScenarioError\n"
        "t = time.perf_counter()\ntry:\n    load_sweep(sys.argv[1])\nexcept ScenarioError as exc:\n"
        "    print(time.perf_counter() - t)\n    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    seconds, message = done.stdout.splitlines()[:2]
    assert float(seconds) < 1.0
    assert (
        "factors: 20,000,000 runs (1 design(s) x 2,000,000 factor level(s) x 10 replication(s))"
        in message
    )
    assert "SERVICESIM_MAX_RUNS" in message


def test_runs_limit_follows_the_environment(monkeypatch):
    # covers: no limit on the runs of a sweep
    assert (
        len(load_sweep(DATA / "tiny.sweep.yaml").cells) == 6
    )  # 3 designs x 2 levels, 3 replications
    monkeypatch.setenv("SERVICESIM_MAX_RUNS", "17")
    with pytest.raises(
        ScenarioError, match=r"factors: 18 runs \(3 design\(s\) x 2 factor level\(s\) x 3 "
    ):
        load_sweep(DATA / "tiny.sweep.yaml")


def test_bytes_per_need_matches_the_bench():
    # covers: the limit's rationale is stated (bench: 4x national demand, 12.46 M needs, 4,365 MiB;
    # 1x, 3.12 M needs, 1,571 MiB): the marginal cost per need is within 20% of BYTES_PER_NEED
    marginal = (4365 - 1571) * 2**20 / (12_464_930 - 3_119_160)
    assert abs(marginal / BYTES_PER_NEED - 1) < 0.2
    assert DEFAULT_MAX_NEEDS * BYTES_PER_NEED < 8 * 2**30  # one run fits in 8 GiB
    assert np.isfinite(marginal)
