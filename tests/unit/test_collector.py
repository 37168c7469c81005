"""A run keeps the objects that existed before it out of the collector's passes and makes
young collections rarer (``simulation/engine/collector.py``), and leaves the collector as it
found it."""

from __future__ import annotations

import contextlib
import gc

import pandas as pd

import simulation
from simulation.engine.collector import RUN_THRESHOLD, quiet_collector
from simulation.engine.network import compile_network
from simulation.experiment import run as run_module
from tests.mobile_support import base


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_objects_are_frozen_during_the_block_and_released_after():
    assert gc.get_freeze_count() == 0
    old = _Cycle()
    before = gc.get_threshold()
    with quiet_collector():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (RUN_THRESHOLD, *before[1:])
        new = _Cycle()  # a cycle made during the block is still collected during it
        del new
        assert gc.collect() >= 1
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
    del old
    assert gc.collect() >= 1  # the older cycle is collected after the block


def test_an_outer_freeze_is_left_alone():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with quiet_collector():
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen  # not unfrozen by the inner block
    finally:
        gc.unfreeze()


def test_an_error_in_the_block_still_unfreezes():
    try:
        with quiet_collector():
            raise ValueError("run failed")
    except ValueError:
        pass
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold()[0] < RUN_THRESHOLD


def test_run_replication_simulates_with_the_quiet_collector(monkeypatch):
    network = compile_network(simulation.load_scenario(base()))
    seen: list[int] = []
    real = run_module.simulate

    def watching(*args, **kwargs) -> pd.DataFrame:
        seen.append(gc.get_freeze_count())
        assert gc.get_threshold()[0] == RUN_THRESHOLD
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "simulate", watching)
    tables = run_module.run_replication(network, 0, 1)
    assert seen and seen[0] > 0
    assert gc.get_freeze_count() == 0
    monkeypatch.setattr(run_module, "simulate", real)
    monkeypatch.setattr(run_module, "quiet_collector", contextlib.nullcontext)
    unfrozen = run_module.run_replication(network, 0, 1)
    pd.testing.assert_frame_equal(tables.kpis, unfrozen.kpis)  # it changes no number
    pd.testing.assert_frame_equal(tables.visits, unfrozen.visits)
