"""Give freed heap memory back to the operating system after the big steps of a large run.

A national year allocates and frees hundreds of MiB in small pieces (each area's draws, the
engine's growing records); glibc keeps freed heap memory mapped, so the resident size stays
at its high-water mark and the next step's peak adds to it (a national year with 5.3 M
attempts: ~600 MiB kept before the KPIs). ``malloc_trim(0)`` returns it. Only for large
runs (it walks the heap, a few milliseconds), and only where glibc is the allocator;
elsewhere it does nothing. It changes no number.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

LARGE_RUN_ROWS = 1_000_000
"""Visit rows from which a run gives freed memory back between its steps."""


@functools.cache
def _trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
        return trim
    except (OSError, AttributeError):  # not glibc
        return None


def release_freed_memory(rows: int) -> None:
    """``malloc_trim(0)`` after a step of a run with ``rows`` visit rows, if it is large."""
    if rows < LARGE_RUN_ROWS:
        return
    trim = _trim()
    if trim is not None:
        trim(0)
        log.debug("freed heap memory returned to the system (%d rows)", rows)
