"""The garbage collector during a run: older objects frozen, young collections rarer.

Python's cyclic collector walks the tracked objects of a generation each time the number of
container objects grows by a threshold (700 by default). Two things made that expensive in a
run:

- A full pass walks every object, including the imported libraries (numpy, pandas, scipy,
  SimPy, pydantic), the compiled network and whatever the caller holds: about 125,000 objects
  in a sweep process, ~50 ms a pass, which cannot become garbage during the run. In a worker
  process forked from the command each pass also wrote to every inherited object's header,
  copying the parent's memory page by page.
- The run's own live objects (pending events, queued visitors) are walked again at every
  young collection, and both their number and the number of collections grow with the demand:
  a national year at 4× demand and counters spent 5.7 s in the collector against 0.66 s at
  1× (8.6×), which made the run's time grow faster than its work.

:func:`quiet_collector` moves every existing object to the permanent generation
(``gc.freeze``) and raises the young generation's threshold to :data:`RUN_THRESHOLD` for the
length of a run, and puts both back afterwards (``gc.unfreeze``, the previous thresholds).
Freezing is a constant-time list splice. Cycles are still collected during the run, only
less often (a cycle that existed before it waits until it ends). It changes no number. If
objects are frozen already (by the caller, or by an outer run), it leaves the collector as it
is.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

RUN_THRESHOLD = 100_000
"""Growth in container objects between young collections during a run (Python's default is
700): at most this many objects of cyclic garbage wait to be freed, a few MiB."""


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Freeze the existing objects and make young collections rarer for the block.

    Does nothing if objects are frozen already. On exit, unfreezes and restores the
    thresholds, also after an exception.
    """
    if gc.get_freeze_count():
        yield
        return
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(RUN_THRESHOLD, thresholds[0]), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
