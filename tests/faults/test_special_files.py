"""Special and huge files (issue 12, rule 6): FIFOs, devices and directories are refused as
scenario, sweep, propose and travel-matrix files before they are opened, and so are files over
the size limit. Each case runs in a child with a timeout, so a hang fails instead of blocking."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.faults.h3_inputs import DATA, assert_one_error, run_subprocess, tiny, write_yaml

TIMEOUT = 60


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("command", ["validate", "run", "sweep", "propose"])
def test_fifo_as_input_file_is_refused_without_hanging(fifo, command):
    # covers: a FIFO as scenario (or sweep, propose file) blocked forever on open
    done = run_subprocess(command, fifo, timeout=TIMEOUT)
    assert_one_error(
        done.returncode, done.stderr, str(fifo), "it is a FIFO (named pipe), not a regular file"
    )


@pytest.mark.parametrize("command", ["validate", "run"])
def test_device_as_scenario_is_refused(command):
    # covers: /dev/zero as a scenario was read whole and ate the memory
    done = run_subprocess(command, "/dev/zero", timeout=TIMEOUT)
    assert_one_error(
        done.returncode, done.stderr, "/dev/zero", "it is a device, not a regular file"
    )


def test_directory_as_scenario_is_refused(tmp_path):
    # covers: a directory gave "cannot read file: Is a directory" only by chance of the OS error
    done = run_subprocess("validate", tmp_path, timeout=TIMEOUT)
    assert_one_error(done.returncode, done.stderr, "it is a directory, not a regular file")


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_special_travel_matrix_is_refused(tmp_path, kind):
    # covers: a FIFO or /dev/zero as travel matrix hung or ate the memory
    matrix = tmp_path / "matrix.csv"
    if kind == "fifo":
        os.mkfifo(matrix)
    elif kind == "directory":
        matrix.mkdir()
    else:
        matrix = Path("/dev/zero")
    doc = tiny(travel={"matrix": str(matrix)})
    path = write_yaml(tmp_path / "scenario.yaml", doc)
    done = run_subprocess("validate", path, timeout=TIMEOUT)
    what = {"fifo": "a FIFO (named pipe)", "device": "a device", "directory": "a directory"}[kind]
    assert_one_error(
        done.returncode,
        done.stderr,
        f"{path}: travel.matrix: travel matrix: cannot read file: it is {what}, not a regular file",
        "(got '",
    )  # the value may be shortened


def test_files_over_the_size_limit_are_refused(tmp_path):
    # covers: no size limit; a huge file was read whole before anything was checked
    scenario = write_yaml(tmp_path / "scenario.yaml", tiny())
    done = run_subprocess(
        "validate", scenario, env={"SERVICESIM_MAX_YAML_MB": "0.0005"}, timeout=TIMEOUT
    )
    assert_one_error(
        done.returncode,
        done.stderr,
        str(scenario),
        "more than the limit of 0.0005 MB",
        "SERVICESIM_MAX_YAML_MB",
    )
    sweep = run_subprocess(
        "sweep", DATA / "tiny.sweep.yaml", env={"SERVICESIM_MAX_YAML_MB": "0.0001"}, timeout=TIMEOUT
    )
    assert_one_error(
        sweep.returncode, sweep.stderr, "tiny.sweep.yaml", "more than the limit of 0.0001 MB"
    )
    matrix = tmp_path / "matrix.csv"
    matrix.write_text("area,site,minutes\nnorth,city,10\nsouth,city,12\n", encoding="utf-8")
    with_matrix = write_yaml(tmp_path / "with-matrix.yaml", tiny(travel={"matrix": "matrix.csv"}))
    done = run_subprocess(
        "validate", with_matrix, env={"SERVICESIM_MAX_MATRIX_MB": "0.00001"}, timeout=TIMEOUT
    )
    assert_one_error(
        done.returncode,
        done.stderr,
        "travel.matrix",
        "more than the limit of 1e-05 MB",
        "SERVICESIM_MAX_MATRIX_MB",
    )
