"""Named random streams: one numpy Generator per stochastic process, keyed by name.

Every stream is derived from the root seed, the replication number and a stable hash of the
stream's name (for example ``"needs/skaggetorp"``), never from its position in a list. Adding
a stream, an area or a site therefore leaves every other stream unchanged, which is what
common random numbers across designs rely on.
"""

from __future__ import annotations

import hashlib

import numpy as np


def _name_words(name: str) -> tuple[int, int]:
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:], "little")


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The generator for stream ``name`` in ``replication`` under root ``seed``.

    Parameters
    ----------
    seed
        The scenario's (or sweep's) root seed.
    replication
        Replication number, from 0.
    name
        A stable name such as ``"service/skaggetorp/skatteverket"``.

    Returns
    -------
    numpy.random.Generator
        A PCG64 generator; the same arguments always give the same sequence.
    """
    seq = np.random.SeedSequence(entropy=seed, spawn_key=(replication, *_name_words(name)))
    return np.random.Generator(np.random.PCG64(seq))


class Streams:
    """Factory of named streams for one replication.

    Parameters
    ----------
    seed
        Root seed.
    replication
        Replication number, from 0.
    """

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication

    def __call__(self, *name: str) -> np.random.Generator:
        """The stream named by joining ``name`` with ``/``."""
        return stream(self.seed, self.replication, "/".join(name))
