"""API arguments are checked like the CLI's, before any work (issue 12, rule 7)."""

from __future__ import annotations

import pytest

import simulation
from simulation.experiment.arguments import ArgumentError
from simulation.propose import propose
from tests.conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny-base.yaml"
MISSING = "/nonexistent/never-read.yaml"  # the checks come first: this file is never opened


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"replications": 0}, "replications"),
        ({"replications": -1}, "replications"),
        ({"replications": "3"}, "replications"),
        ({"replications": 2.5}, "replications"),
        ({"replications": True}, "replications"),
        ({"seed": 2**64}, "seed"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.0}, "seed"),
        ({"workers": -3}, "workers"),
        ({"workers": 0}, "workers"),
        ({"level": 1.5}, "level"),
    ],
)
def test_run_checks_arguments_before_any_work(kwargs, name):
    # fault: simulation.run accepted seed=2**64 / workers=-3, or failed late with an unclear error
    with pytest.raises(ArgumentError) as info:
        simulation.run(MISSING, **kwargs)
    assert info.value.name == name
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith(f"{name}: expected ")
    assert "(got " in str(info.value)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"workers": -3}, "workers"),
        ({"workers": 1.5}, "workers"),
        ({"replications": 0}, "replications"),
        ({"seed": 2**64}, "seed"),
        ({"seed": -5}, "seed"),
        ({"executor": "foo"}, "executor"),
        ({"scheduler": "tcp://127.0.0.1:1"}, "scheduler"),  # only with executor='dask'
        ({"keep_visits": "yes"}, "keep_visits"),
        ({"progress": "always"}, "progress"),
    ],
)
def test_sweep_checks_arguments_before_any_work(kwargs, name):
    # fault: simulation.sweep(workers=-3) and friends were accepted silently
    with pytest.raises(ArgumentError) as info:
        simulation.sweep(MISSING, **kwargs)
    assert info.value.name == name


@pytest.mark.parametrize(
    "kwargs, name",
    [({"workers": -3}, "workers"), ({"workers": "2"}, "workers"), ({"progress": 1}, "progress")],
)
def test_propose_checks_arguments_before_any_work(kwargs, name):
    # fault: propose(workers=-3) was accepted
    with pytest.raises(ArgumentError) as info:
        propose(MISSING, **kwargs)
    assert info.value.name == name


def test_valid_arguments_still_run():
    result = simulation.run(TINY, replications=1, seed=2**63 - 1, workers=1, progress=False)
    assert result.seed == 2**63 - 1 and result.replications == 1
