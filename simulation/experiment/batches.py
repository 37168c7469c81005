"""One executor per command: workers started once, fed batches of runs sized from measured time.

An :class:`Executor` is created once per command (``sweep``, ``run --workers``, ``propose``;
later the staffing search and robustness worlds) and passed down to everything that
simulates; :meth:`Executor.map` yields ``(task, outcome)`` as tasks finish, in whatever order
(callers sort afterwards, so tables never depend on the executor, the number of workers or the
batch size). How it runs the tasks:

- **In this process** (``kind="local"``) when there is one worker or one task, or when the
  runs are so short that starting workers would cost more than it saves (judged from the
  run time measured earlier in the same command, or from a first run here when the workers
  would come from a forkserver); it says so in a log line and in :attr:`Executor.plan`.
- **Local worker processes** (``kind="local"``): a pool started once for the executor's life,
  forked from this process when it is single-threaded (a few milliseconds, the imports are
  shared) or else from a forkserver that preloaded the model. The first tasks go one per
  batch; each worker times its runs, and later batches hold enough runs that the per-batch
  cost (:data:`DISPATCH_SECONDS`) is about :data:`OVERHEAD_SHARE` of the batch, shrinking
  towards the end so that workers finish together. At most :data:`IN_FLIGHT` batches per
  worker are outstanding.
- **dask** (``kind="dask"``): the same batches on a dask.distributed cluster at
  ``scheduler``, or on a local cluster started once for the executor's life.

:meth:`Executor.close` (or leaving a ``with`` block) ends the worker processes, so no worker
outlives the command; after Ctrl-C they are ended at once (:func:`abort_pools`), and a worker
whose command died ends itself (its parent watch).

Example::

    with Executor(workers=2) as executor:
        for task, outcome in executor.map(simulate_one, tasks):
            ...
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from simulation.experiment import dask_cluster, executors
from simulation.experiment.executors import (
    WATCH_SECONDS,
    WORKER_DIED,
    Outcome,
    _discard_pool,
    _lost_worker,
    close_pool,
    default_workers,
    guarded,
    pool_start_seconds,
)

log = logging.getLogger(__name__)

KINDS = ("local", "dask")

DISPATCH_SECONDS = 0.002
"""Cost of sending one batch to a worker and its results back (pickling, pipes, wake-ups),
a generous figure for a busy machine (about 0.1 ms on an idle one)."""

DASK_DISPATCH_SECONDS = 0.02
"""The same on dask: a task goes through the scheduler and back (~5-20 ms)."""

OVERHEAD_SHARE = 0.02
"""Batches are sized so that :data:`DISPATCH_SECONDS` is at most this share of a batch."""

TAIL_BATCHES = 3
"""Near the end a batch holds at most ``remaining / (TAIL_BATCHES x workers)`` tasks, so that
the workers finish at about the same time."""

IN_FLIGHT = 2
"""Batches outstanding per worker: one running, one waiting (no idle gap between batches)."""


def run_batch(func: Callable[[Any], Outcome], tasks: Sequence[Any]) -> list[tuple[Outcome, float]]:
    """Worker side: ``(outcome, seconds)`` of each task, in order (a failing task gives
    ``{"error": traceback}`` and does not stop the batch)."""
    results = []
    for task in tasks:
        began = time.perf_counter()
        outcome = guarded(func, task)
        results.append((outcome, time.perf_counter() - began))
    return results


def _batch_results(future: Future) -> list[tuple[Outcome, float]] | None:
    """The results of a batch that finished normally, else ``None``."""
    if not future.done() or future.cancelled() or future.exception() is not None:
        return None
    results: list[tuple[Outcome, float]] = future.result()
    return results


def batch_size(
    seconds_per_task: float | None,
    remaining: int,
    workers: int,
    dispatch: float = DISPATCH_SECONDS,
) -> int:
    """Tasks in the next batch.

    Parameters
    ----------
    seconds_per_task
        Measured mean time of one task, ``None`` before any was measured (then 1: the
        first batches are probes).
    remaining
        Tasks not yet sent.
    workers
        Worker processes.
    dispatch
        Cost of sending one batch and its results back (:data:`DISPATCH_SECONDS` locally,
        :data:`DASK_DISPATCH_SECONDS` on dask).

    Returns
    -------
    int
        ``ceil(dispatch / (OVERHEAD_SHARE * seconds_per_task))``, at most
        ``ceil(remaining / (TAIL_BATCHES * workers))``, at least 1.
    """
    if seconds_per_task is None or remaining <= 1:
        return 1
    by_overhead = math.ceil(dispatch / (OVERHEAD_SHARE * max(seconds_per_task, 1e-9)))
    by_tail = math.ceil(remaining / (TAIL_BATCHES * workers))
    return max(1, min(by_overhead, by_tail))


def parallel_pays(tasks: int, seconds_per_task: float, workers: int, start_seconds: float) -> bool:
    """Whether ``tasks`` runs of ``seconds_per_task`` finish sooner on ``workers`` processes
    that take ``start_seconds`` to start than one after another in this process."""
    serial = tasks * seconds_per_task
    parallel = start_seconds + serial / min(workers, tasks) + tasks * DISPATCH_SECONDS / workers
    return parallel < serial


class Executor:
    """Where a command's runs execute; create one per command and pass it down.

    Parameters
    ----------
    workers
        Worker processes (default: all cores); 1 runs everything in this process.
    kind
        ``local`` (processes on this machine) or ``dask``.
    scheduler
        Address of a running dask scheduler (``dask`` only); without it a local cluster of
        ``workers`` processes is started on first use.
    batch_size
        Tasks per batch; ``None`` (default) sizes batches from the measured run time.
        Results do not depend on it.

    Attributes
    ----------
    seconds_per_task
        Mean measured time of one task so far in this command (``None`` before any).
    plan
        How the last :meth:`map` ran, in words (for logs and progress text).
    """

    def __init__(
        self,
        workers: int | None = None,
        kind: str = "local",
        scheduler: str | None = None,
        batch_size: int | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown executor {kind!r}; expected 'local' or 'dask'")
        self.workers = workers or default_workers()
        self.kind = kind
        self.scheduler = scheduler
        self.fixed_batch = batch_size
        self.plan = ""
        self._measured = 0.0
        self._count = 0
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None
        self._cluster: Any = None

    # -- measuring ----------------------------------------------------------------------------

    @property
    def seconds_per_task(self) -> float | None:
        """Mean measured seconds of one task, ``None`` before the first."""
        return self._measured / self._count if self._count else None

    def _timed(self, seconds: float) -> None:
        self._measured += seconds
        self._count += 1

    def _say(self, plan: str) -> None:
        if plan != self.plan:
            log.info("executor: %s", plan)
        self.plan = plan

    # -- running ------------------------------------------------------------------------------

    def map(
        self, func: Callable[[Any], Outcome], tasks: Sequence[Any], what: str = "run"
    ) -> Iterator[tuple[Any, Outcome]]:
        """Run ``func`` on every task; yield ``(task, outcome)`` as tasks finish.

        ``func`` must be picklable (a module-level function) and return a dict; an exception
        in it gives the outcome ``{"error": traceback}``. When a worker process dies, every
        task it had not finished is yielded once with
        ``{"error": WORKER_DIED, "worker_died": True}``
        (:func:`simulation.experiment.executors.died`). Stopping early (Ctrl-C, or the caller
        leaving the loop) ends the worker processes at once.

        Parameters
        ----------
        func
            The work of one task, run in a worker (or in this process).
        tasks
            Picklable tasks.
        what
            What a task is, for messages (``run``, ``replication``).
        """
        tasks = list(tasks)
        if not tasks:
            return
        if self.kind == "dask":  # asked for by name: a remote cluster's size is its own
            yield from self._dask(func, tasks, what)
            return
        if self.workers <= 1 or len(tasks) <= 1:
            self._say(f"in this process ({'1 worker' if self.workers <= 1 else f'1 {what}'})")
            yield from self._serial(func, tasks)
            return
        started = self._pool is not None
        estimate = self.seconds_per_task
        if not started and estimate is None and pool_start_seconds() > 0.5:
            # an expensive start (forkserver): time one task here first
            first, outcome = next(self._serial(func, tasks[:1]))
            yield first, outcome
            tasks = tasks[1:]
            estimate = self.seconds_per_task
        if estimate is not None and len(tasks) > 1:
            start = 0.0 if started else pool_start_seconds()
            if not parallel_pays(len(tasks), estimate, self.workers, start):
                self._say(
                    f"in this process: {len(tasks)} {what}(s) of {estimate:.3g} s would not "
                    f"finish sooner on {self.workers} workers"
                )
                yield from self._serial(func, tasks)
                return
        if len(tasks) == 1:
            yield from self._serial(func, tasks)
            return
        yield from self._local(func, tasks, what)

    def _serial(
        self, func: Callable[[Any], Outcome], tasks: Sequence[Any]
    ) -> Iterator[tuple[Any, Outcome]]:
        for task in tasks:
            began = time.perf_counter()
            outcome = guarded(func, task)
            self._timed(time.perf_counter() - began)
            yield task, outcome

    def _next_size(self, remaining: int) -> int:
        if self.fixed_batch is not None:
            return self.fixed_batch
        return batch_size(self.seconds_per_task, remaining, self.workers)

    def _local(
        self, func: Callable[[Any], Outcome], tasks: list[Any], what: str
    ) -> Iterator[tuple[Any, Outcome]]:
        """Batches on the local pool (started on first use, kept until :meth:`close`)."""
        workers = min(self.workers, len(tasks))
        if self._pool is None:
            self._pool = executors._pool(self.workers)  # looked up here: tests count pools
        pool = self._pool
        queue = deque(range(len(tasks)))
        pending: dict[Future, list[int]] = {}
        complete = False
        largest = 0
        self.plan = f"{workers} worker processes"
        try:
            while queue or pending:
                while queue and len(pending) < IN_FLIGHT * workers:
                    size = min(self._next_size(len(queue)), len(queue))
                    largest = max(largest, size)
                    chosen = [queue[k] for k in range(size)]
                    future = pool.submit(run_batch, func, [tasks[i] for i in chosen])
                    pending[future] = chosen  # only now off the queue: submit may raise
                    for _ in chosen:
                        queue.popleft()
                done, _ = wait(pending, timeout=WATCH_SECONDS, return_when=FIRST_COMPLETED)
                if not done and _lost_worker(pool):
                    raise BrokenProcessPool("a worker process died")
                for future in sorted(done, key=lambda f: pending[f][0]):
                    results = future.result()  # raises BrokenProcessPool when a worker died
                    chosen = pending.pop(future)
                    for i, (outcome, seconds) in zip(chosen, results, strict=True):
                        self._timed(seconds)
                        yield tasks[i], outcome
            complete = True
            self._say(f"{workers} worker processes, batches of up to {largest} {what}(s)")
        except BrokenProcessPool:
            log.info("a worker process died; %d batch(es) outstanding", len(pending))
            self._drop_pool(stop_workers=True)
            for future, chosen in sorted(pending.items(), key=lambda item: item[1][0]):
                finished = _batch_results(future)
                if finished is not None:
                    for i, (outcome, _) in zip(chosen, finished, strict=True):
                        yield tasks[i], outcome
                else:
                    for i in chosen:
                        yield tasks[i], {"error": WORKER_DIED, "worker_died": True}
            for i in queue:  # never sent
                yield tasks[i], {"error": WORKER_DIED, "worker_died": True}
            complete = True
        finally:
            if not complete:  # interrupted (Ctrl-C) or abandoned by the caller
                self._drop_pool(stop_workers=True)

    def _drop_pool(self, stop_workers: bool) -> None:
        if self._pool is not None:
            _discard_pool(self.workers, self._pool, stop_workers)
            self._pool = None

    def _dask(
        self, func: Callable[[Any], Outcome], tasks: list[Any], what: str
    ) -> Iterator[tuple[Any, Outcome]]:
        """The same batches on a dask.distributed cluster (:mod:`.dask_cluster`)."""
        if self._client is None:
            self._client, self._cluster = dask_cluster.connect(self.workers, self.scheduler)
        workers = dask_cluster.cluster_workers(self._client, self.workers)
        largest = 0

        def size(remaining: int) -> int:
            nonlocal largest
            chosen = self.fixed_batch or batch_size(
                self.seconds_per_task, remaining, workers, DASK_DISPATCH_SECONDS
            )
            largest = max(largest, min(chosen, remaining))
            return chosen

        yield from dask_cluster.map_batches(
            self._client, run_batch, func, tasks, size, IN_FLIGHT * workers, self._timed
        )
        self._say(f"dask, {workers} worker(s), batches of up to {largest} {what}(s)")

    # -- ending -------------------------------------------------------------------------------

    def close(self) -> None:
        """End the worker processes (and a local dask cluster) of this executor."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            close_pool(self.workers, pool)
        if self._client is not None:
            client, self._client = self._client, None
            client.close()
        if self._cluster is not None:
            cluster, self._cluster = self._cluster, None
            cluster.close()

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
