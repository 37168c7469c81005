"""Return attempts' generators for many needs at once, equal to numpy's one by one.

Every later attempt of a need draws from its own generator,
``PCG64(SeedSequence(entropy=seed, spawn_key=(replication, *area words, need, attempt[, world])))``
(:func:`simulation.engine.returns.attempt_stream`). Building one costs ~17 µs, most of it
numpy's ``SeedSequence`` hashing its key in Python-level set-up; a national year creates about
a million attempts. The hash itself is a short, fixed sequence of 32-bit multiply-xor steps
(numpy's ``SeedSequence``, after M. E. O'Neill's ``seed_seq_fe``), so it can run for a whole
batch of needs as numpy array arithmetic: :func:`attempt_states` returns, for each need, the
four 64-bit words ``SeedSequence.generate_state(4, np.uint64)`` would give, and
:func:`generator_from_state` builds the ``PCG64`` generator from them (~3 µs). The numbers are
the same bit for bit (tested against numpy's ``SeedSequence`` in
``tests/property/test_attempt_seeds.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.random.bit_generator import ISeedSequence

_M32 = 0xFFFFFFFF
_INIT_A = 0x43B0D7E5
_MULT_A = 0x931E8875
_INIT_B = 0x8B51F9DD
_MULT_B = 0x58F38DED
_MIX_MULT_L = 0xCA01F9DD
_MIX_MULT_R = 0x4973F715
_XSHIFT = 16
_POOL = 4


def uint32_words(value: int) -> list[int]:
    """A non-negative integer as numpy's ``SeedSequence`` sees it: 32-bit words, lowest first."""
    if value < 0:
        raise ValueError(f"seed words must be non-negative (got {value})")
    words = []
    while True:
        words.append(value & _M32)
        value >>= 32
        if not value:
            return words


def _hashmix(value: np.ndarray | int, const: int) -> tuple[np.ndarray | int, int]:
    value = (value ^ const) & _M32
    const = (const * _MULT_A) & _M32
    value = (value * const) & _M32
    return value ^ (value >> _XSHIFT), const


def _mix(x: np.ndarray | int, y: np.ndarray | int) -> np.ndarray | int:
    result = (_MIX_MULT_L * x - _MIX_MULT_R * y) & _M32
    return result ^ (result >> _XSHIFT)


class PoolPrefix:
    """The entropy pool after the words shared by a batch (seed, replication, area).

    ``SeedSequence`` absorbs its key word by word, and the hash constant advances the same way
    whatever the words are, so the pool after a common prefix of the key can be computed once.

    Parameters
    ----------
    seed
        The root seed (``SeedSequence``'s ``entropy``).
    prefix
        The leading words of the spawn key, as integers (each split into 32-bit words).
    """

    def __init__(self, seed: int, prefix: Sequence[int]) -> None:
        run = uint32_words(seed)
        run += [0] * max(0, _POOL - len(run))  # numpy pads the run entropy under a spawn key
        const = _INIT_A
        pool: list[int] = []
        for word in run[:_POOL]:
            value, const = _hashmix(word, const)
            pool.append(int(value))
        for src in range(_POOL):
            for dst in range(_POOL):
                if src != dst:
                    value, const = _hashmix(pool[src], const)
                    pool[dst] = int(_mix(pool[dst], value))
        self.pool = pool
        self.const = const
        for word in run[_POOL:] + [w for x in prefix for w in uint32_words(int(x))]:
            self._absorb_scalar(word)

    def _absorb_scalar(self, word: int) -> None:
        const = self.const
        for dst in range(_POOL):
            value, const = _hashmix(word, const)
            self.pool[dst] = int(_mix(self.pool[dst], value))
        self.const = const


def attempt_states(
    prefixes: Sequence[PoolPrefix], which: np.ndarray, needs: np.ndarray, suffix: Sequence[int]
) -> np.ndarray:
    """``SeedSequence(seed, spawn_key=(*prefix, need, *suffix)).generate_state(4, np.uint64)``.

    Parameters
    ----------
    prefixes
        Pools after the key's leading words (e.g. one per area); all must have absorbed the
        same number of words.
    which
        Per row, the index of its prefix in ``prefixes``.
    needs
        One key word per row (each below 2**32), e.g. the needs' indices within their area.
    suffix
        The key's trailing integers shared by every row (the attempt number, the world).

    Returns
    -------
    numpy.ndarray
        ``(len(needs), 4)`` ``uint64``, one generator state per row.
    """
    needs = np.asarray(needs, dtype=np.uint64)
    if len(needs) and int(needs.max()) > _M32:
        raise ValueError("attempt_states takes key words below 2**32")
    if len({p.const for p in prefixes}) > 1:
        raise ValueError("the prefixes must have absorbed the same number of words")
    table = np.array([p.pool for p in prefixes], dtype=np.uint64).reshape(-1, _POOL)
    rows = table[np.asarray(which, dtype=np.int64)]
    pool = [rows[:, d].copy() for d in range(_POOL)]
    const = prefixes[0].const if prefixes else _INIT_A
    columns: list[np.ndarray | int] = [needs]
    columns += [w for x in suffix for w in uint32_words(int(x))]
    for word in columns:
        for dst in range(_POOL):
            value, const = _hashmix(word, const)
            pool[dst] = _mix(pool[dst], value)  # type: ignore[assignment]
    const = _INIT_B
    out = np.empty((len(needs), 2 * _POOL), dtype=np.uint64)
    for i in range(2 * _POOL):
        value = (pool[i % _POOL] ^ const) & _M32
        const = (const * _MULT_B) & _M32
        value = (value * const) & _M32
        out[:, i] = value ^ (value >> _XSHIFT)
    # pairs of 32-bit words, the low word first, as numpy views its uint32 state as uint64
    return np.ascontiguousarray(out[:, 0::2] | (out[:, 1::2] << np.uint64(32)))


class _State:
    """A precomputed ``generate_state`` result, accepted by ``PCG64`` as a seed sequence."""

    __slots__ = ("state",)

    def __init__(self, state: np.ndarray) -> None:
        self.state = state

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        """The stored words (``PCG64`` asks for four ``uint64``)."""
        if n_words != _POOL or np.dtype(dtype) != np.uint64:
            raise ValueError("a precomputed state holds four uint64 words")
        return self.state


ISeedSequence.register(_State)


def generator_from_state(state: np.ndarray) -> np.random.Generator:
    """The ``PCG64`` generator seeded by one row of :func:`attempt_states`."""
    return np.random.Generator(np.random.PCG64(_State(state)))  # type: ignore[arg-type]
