"""The batched return-attempt generators equal numpy's ``SeedSequence`` one by one.

:mod:`simulation.engine.attempt_seeds` reimplements numpy's seed hashing as array arithmetic
so that a national run's return attempts are seeded in batches; the visit tables stay
byte-identical only if every state equals ``SeedSequence(...).generate_state(4, np.uint64)``
and the generator built from it draws the same numbers as ``attempt_stream``'s.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from simulation.engine.attempt_seeds import (
    PoolPrefix,
    attempt_states,
    generator_from_state,
    uint32_words,
)
from simulation.engine.returns import _return_words, attempt_stream

ROOT = Path(__file__).resolve().parents[2]

words = st.one_of(
    st.integers(0, 3),
    st.sampled_from([2**32 - 1, 2**32, 2**63]),
    st.integers(0, 2**64),
)


@given(
    seed=st.one_of(st.integers(0, 2**32), st.integers(0, 2**140)),
    prefix=st.lists(words, max_size=4),
    needs=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=6),
    suffix=st.lists(words, max_size=2),
)
def test_states_equal_numpy_seed_sequence(seed, prefix, needs, suffix) -> None:
    states = attempt_states(
        [PoolPrefix(seed, prefix)], np.zeros(len(needs)), np.array(needs), suffix
    )
    for k, need in enumerate(needs):
        key = (*prefix, need, *suffix)
        ref = np.random.SeedSequence(entropy=seed, spawn_key=key).generate_state(4, np.uint64)
        assert states[k].tolist() == ref.tolist()


@given(
    seed=st.integers(0, 2**63),
    replication=st.integers(0, 50),
    areas=st.lists(st.sampled_from(["a", "rural-0114", "hageby"]), min_size=1, max_size=5),
    attempt=st.integers(2, 5),
    world=st.one_of(st.none(), st.integers(0, 40)),
)
def test_generators_draw_as_attempt_stream(seed, replication, areas, attempt, world) -> None:
    names = sorted(set(areas))
    prefixes = [PoolPrefix(seed, (replication, *_return_words(a))) for a in names]
    which = np.array([names.index(a) for a in areas])
    needs = np.arange(len(areas)) * 7919
    suffix = (attempt,) if world is None else (attempt, world)
    states = attempt_states(prefixes, which, needs, suffix)
    for k, area in enumerate(areas):
        ours = generator_from_state(states[k])
        ref = attempt_stream(seed, replication, area, int(needs[k]), attempt, world)
        assert ours.random() == ref.random()
        assert ours.gamma(1.5, 2.0, 3).tolist() == ref.gamma(1.5, 2.0, 3).tolist()
        assert ours.lognormal(0.1, 0.8, 2).tolist() == ref.lognormal(0.1, 0.8, 2).tolist()


def test_words_and_bad_keys() -> None:
    assert uint32_words(0) == [0]
    assert uint32_words(2**32 + 5) == [5, 1]
    try:
        attempt_states([PoolPrefix(1, ())], np.zeros(1), np.array([2**33]), ())
    except ValueError as exc:
        assert "2**32" in str(exc)
    else:
        raise AssertionError("a key word above 2**32 must be refused")


def test_precomputed_run_equals_one_by_one(monkeypatch) -> None:
    """A run with returns gives the same visit table with and without the batched states."""
    import yaml

    import simulation
    import simulation.engine.returns as returns

    doc = yaml.safe_load(open(ROOT / "configs/sweden/norrkoping.yaml", encoding="utf-8"))
    doc["calendar"].update(days=28, warmup_days=1)
    batched = simulation.run(doc, progress=False).visits
    assert (batched["attempt"] > 1).sum() > 20
    monkeypatch.setattr(returns, "PRECOMPUTED_ATTEMPTS", 1)  # attempt 2 and later one by one
    one_by_one = simulation.run(doc, progress=False).visits
    assert batched.equals(one_by_one)
