"""Batched executors (issue 18): the tables are byte-identical whatever the executor, the
number of workers and the batch size; workers start once per command; the serial path is
taken, and said, when parallel cannot win."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pandas as pd
import pytest

import simulation
from simulation.experiment import executors
from simulation.experiment.batches import (
    DASK_DISPATCH_SECONDS,
    DISPATCH_SECONDS,
    OVERHEAD_SHARE,
    Executor,
    batch_size,
    parallel_pays,
)
from simulation.experiment.executors import died
from simulation.results.sweep_folder import run_sweep
from tests.sweep_support import DATA, TINY, scenario, sweep_doc, table_bytes


@pytest.mark.parametrize(
    ("workers", "batch"),
    [(1, None), (2, 1), (2, 3), (2, 7), (2, None), (3, 2)],
)
def test_sweep_tables_are_byte_identical_for_any_workers_and_batch_size(
    serial_tiny, tmp_path, workers, batch, pools
):
    # fault: a batch that loses or repeats a run, or tables that follow the finishing order
    with Executor(workers, batch_size=batch) as executor:
        result = run_sweep(TINY, executor=executor, out=tmp_path / "out")
    assert not result.failures
    assert table_bytes(tmp_path / "out") == table_bytes(serial_tiny)
    assert pools == ([] if workers == 1 else [workers])


def test_run_replications_identical_on_an_executor_with_any_batch_size(pools):
    base = simulation.run(DATA / "tiny-base.yaml", replications=5, seed=4)
    for batch in (1, 2, None):
        with Executor(2, batch_size=batch) as executor:
            other = simulation.run(
                DATA / "tiny-base.yaml", replications=5, seed=4, workers=executor
            )
        pd.testing.assert_frame_equal(base.visits, other.visits)
        pd.testing.assert_frame_equal(base.kpis, other.kpis)
        pd.testing.assert_frame_equal(base.site_hours, other.site_hours)
    assert pools == [2, 2, 2]


def test_one_executor_starts_its_workers_once_for_every_sweep(pools):
    # fault: every sweep of a command (propose, auto replications) started its own workers
    with Executor(2, batch_size=1) as executor:
        for seed in (1, 2, 3):
            run_sweep(sweep_doc(seed=seed), executor=executor, progress=False)
        assert executor.plan.startswith("2 worker processes")
    assert pools == [2]
    assert 2 not in executors._POOLS  # closed with the executor: no worker outlives it


def test_short_runs_take_the_serial_path_and_say_so(caplog, pools):
    # fault: two workers were slower than one on short runs, silently
    executor = Executor(2)
    executor._timed(1e-4)  # a run measured earlier in the command: 0.1 ms
    with caplog.at_level(logging.INFO, logger="simulation.experiment.batches"), executor:
        result = run_sweep(sweep_doc(scenario=scenario(days=1)), executor=executor, progress=False)
    assert not result.failures
    assert pools == []
    assert executor.plan.startswith("in this process: 6 run(s) of ")
    assert "would not finish sooner on 2 workers" in caplog.text


def test_short_replications_of_run_take_the_serial_path_and_say_so(monkeypatch, pools):
    # fault: `run --workers 2` fell back to this process without a word
    from simulation.experiment.progress import Progress

    said: list[str] = []
    monkeypatch.setattr(Progress, "set_status", lambda self, text: said.append(text))
    executor = Executor(2)
    executor._timed(1e-4)
    with executor:
        simulation.run(DATA / "tiny-base.yaml", replications=3, workers=executor, progress=False)
    assert pools == []
    assert said and set(said) == {"in this process: replications too short for workers to pay off"}


def test_a_crashing_task_fails_alone_inside_its_batch():
    with Executor(2, batch_size=3) as executor:
        outcomes = dict(executor.map(_fail_on_odd, list(range(7))))
    assert sorted(outcomes) == list(range(7))
    for task, outcome in outcomes.items():
        if task % 2:
            assert "ValueError: odd" in outcome["error"] and not died(outcome)
        else:
            assert outcome == {"value": task}


def _fail_on_odd(task: int) -> dict:
    if task % 2:
        raise ValueError("odd")
    return {"value": task}


def test_batch_size_keeps_dispatch_a_small_share_and_shrinks_at_the_end():
    assert batch_size(None, 100, 2) == 1  # not measured yet: probes of one
    # 0.03 s runs: a batch of b costs DISPATCH_SECONDS, at most OVERHEAD_SHARE of b runs
    b = batch_size(0.03, 1000, 2)
    assert DISPATCH_SECONDS <= OVERHEAD_SHARE * b * 0.03 < DISPATCH_SECONDS + OVERHEAD_SHARE * 0.03
    assert batch_size(0.03, 12, 2) == 2  # the tail: 12 / (3 x 2)
    assert batch_size(30.0, 1000, 2) == 1  # long runs go one by one
    assert batch_size(0.03, 1, 2) == 1
    # dask's round trip through the scheduler is ~10x a local pipe's: 10x larger batches
    assert batch_size(0.03, 1000, 2, DASK_DISPATCH_SECONDS) == 34


def test_parallel_pays_only_when_the_start_is_worth_it():
    assert parallel_pays(40, 0.15, 2, 0.05)
    assert not parallel_pays(4, 0.01, 2, 1.0)
    assert not parallel_pays(2, 0.001, 2, 0.05)


DASK_SWEEP = """
import os
import sys
import dask.config
from simulation.experiment.batches import Executor
from simulation.results.sweep_folder import run_sweep
def settings():
    profile = dask.config.get("distributed.worker.profile.enabled")
    return profile, os.environ.get("MALLOC_TRIM_THRESHOLD_", "unset")
with Executor(2, "dask", batch_size=4) as executor:
    run_sweep(sys.argv[1], executor=executor, out=sys.argv[2], progress=False)
    print(sorted(set(executor._client.run(settings).values())))
    print(len(executor._cluster.workers), executor.plan)
"""


def test_dask_local_cluster_of_two_processes_gives_identical_tables(serial_tiny, tmp_path):
    # in a process of its own: dask's threads would stay in this one
    pytest.importorskip("distributed")
    out = tmp_path / "dask"
    proc = subprocess.run(
        [sys.executable, "-c", DASK_SWEEP, str(TINY), str(out)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    # two worker processes, batches of 4
    assert proc.stdout.splitlines()[-1] == "2 dask, 2 worker(s), batches of up to 4 run(s)"
    # the workers run with servicesim's settings (simulation/data/dask-workers.yaml), not dask's defaults:
    # no stack-sampling profiler, and glibc's adaptive mmap threshold left on
    assert proc.stdout.splitlines()[-2] == "[(False, 'unset')]"
    assert table_bytes(out) == table_bytes(serial_tiny)


WORKER_CONFIG = """
import distributed
import dask.config
from distributed.nanny import _get_env_variables
print(dask.config.get("distributed.worker.profile.enabled"))
print(sorted(_get_env_variables("distributed.nanny.pre-spawn-environ")))
"""


def test_the_worker_settings_file_configures_a_users_own_workers(tmp_path):
    # README: copy simulation/data/dask-workers.yaml into a dask config folder of the workers
    pytest.importorskip("distributed")
    from simulation.experiment.dask_cluster import WORKER_SETTINGS

    (tmp_path / WORKER_SETTINGS.name).write_bytes(WORKER_SETTINGS.read_bytes())
    env = {**os.environ, "DASK_CONFIG": str(tmp_path)}
    env.pop("MALLOC_TRIM_THRESHOLD_", None)
    proc = subprocess.run(
        [sys.executable, "-c", WORKER_CONFIG],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    profile, environ = proc.stdout.splitlines()
    assert profile == "False"
    assert "MALLOC_TRIM_THRESHOLD_" not in environ
    assert "OMP_NUM_THREADS" in environ  # dask's other defaults are kept
