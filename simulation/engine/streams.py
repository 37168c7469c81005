"""Named random streams: one numpy Generator per stochastic process, keyed by name.

Every stream is derived from the root seed, the replication number and a stable hash of the
stream's name (for example ``"needs/skaggetorp"``), never from its position in a list. Adding
a stream, an area or a site therefore leaves every other stream unchanged, which is what
common random numbers across designs rely on.

A robust comparison (``uncertain:`` in a sweep file) runs every design in many sampled
*worlds*; the world index is one more word of the key, so worlds draw independent streams
while the designs of one world share theirs. Without a world (``None``) the key is the one
of a plain run, so plain runs and sweeps keep their numbers.
"""

from __future__ import annotations

import hashlib

import numpy as np


def _name_words(name: str) -> tuple[int, int]:
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:], "little")


def stream(seed: int, replication: int, name: str, world: int | None = None) -> np.random.Generator:
    """The generator for stream ``name`` in ``replication`` under root ``seed``.

    Parameters
    ----------
    seed
        The scenario's (or sweep's) root seed.
    replication
        Replication number, from 0.
    name
        A stable name such as ``"service/skaggetorp/skatteverket"``.
    world
        Index of the sampled world of a robust comparison (``None``: no world).

    Returns
    -------
    numpy.random.Generator
        A PCG64 generator; the same arguments always give the same sequence.
    """
    key = (replication, *_name_words(name)) + (() if world is None else (int(world),))
    seq = np.random.SeedSequence(entropy=seed, spawn_key=key)
    return np.random.Generator(np.random.PCG64(seq))


class Streams:
    """Factory of named streams for one replication.

    Parameters
    ----------
    seed
        Root seed.
    replication
        Replication number, from 0.
    world
        Index of the sampled world of a robust comparison (``None``: no world).
    """

    def __init__(self, seed: int, replication: int, world: int | None = None) -> None:
        self.seed = seed
        self.replication = replication
        self.world = world

    def __call__(self, *name: str) -> np.random.Generator:
        """The stream named by joining ``name`` with ``/``."""
        return stream(self.seed, self.replication, "/".join(name), self.world)
