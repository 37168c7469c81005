"""Where sweep runs execute: in this process, in local worker processes, or on dask.

Every executor takes the same picklable tasks and yields ``(task, outcome)`` as runs finish,
in whatever order; the sweep sorts results afterwards, so tables do not depend on the
executor or the number of workers.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

log = logging.getLogger(__name__)

Outcome = dict[str, Any]


def guarded(func: Callable[[Any], Outcome], task: Any) -> Outcome:
    """Run ``func(task)``; an exception becomes ``{"error": traceback}`` instead of escaping."""
    try:
        return func(task)
    except Exception:  # noqa: BLE001 - one failing run must not stop the sweep
        return {"error": traceback.format_exc()}


def _exit_with_parent(parent: int) -> None:
    """Worker initialiser: end this worker when the sweep process dies (even by SIGKILL),
    instead of leaving it blocked on the task queue for ever."""

    def watch() -> None:
        while True:
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run_serial(func: Callable[[Any], Outcome], tasks: Sequence[Any]) -> Iterator[tuple[Any, Outcome]]:
    """Run tasks one after another in this process."""
    for task in tasks:
        yield task, guarded(func, task)


_POOLS: dict[int, ProcessPoolExecutor] = {}


def _pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, kept for later sweeps in this process.

    Workers fork from a forkserver that imported the model once (fast start, and no fork of
    this possibly multi-threaded process); keeping the pool means repeated sweeps (the
    ``propose`` search, benchmarks, notebooks) pay the start-up once.
    """
    pool = _POOLS.get(workers)
    if pool is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["simulation.sweep"])
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                   initializer=_exit_with_parent, initargs=(os.getpid(),))
        _POOLS[workers] = pool
    return pool


@atexit.register
def shutdown_pools() -> None:
    """Stop the kept worker pools."""
    while _POOLS:
        _, pool = _POOLS.popitem()
        pool.shutdown(wait=True, cancel_futures=True)


def run_local(func: Callable[[Any], Outcome], tasks: Sequence[Any], workers: int) -> Iterator[tuple[Any, Outcome]]:
    """Run tasks in ``workers`` local processes.

    A worker that dies (killed, out of memory) breaks the pool; the runs still outstanding
    are reported as failed, the pool is discarded, and a rerun of the sweep resumes them.
    """
    if workers <= 1 or len(tasks) <= 1:
        yield from run_serial(func, tasks)
        return
    pool = _pool(workers)
    futures = {pool.submit(guarded, func, task): task for task in tasks}
    try:
        for future in as_completed(futures):
            yield futures[future], future.result()
    except BrokenProcessPool:
        log.error("a worker process died; outstanding runs are marked failed")
        _POOLS.pop(workers, None)
        for future, task in futures.items():
            if not future.done() or future.exception() is not None:
                yield task, {"error": "worker process died before the run finished"}
    finally:
        for future in futures:
            future.cancel()


def run_dask(func: Callable[[Any], Outcome], tasks: Sequence[Any], workers: int,
             scheduler: str | None) -> Iterator[tuple[Any, Outcome]]:
    """Run tasks on a dask.distributed cluster at ``scheduler``, or on a local cluster."""
    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_completed
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("the dask executor needs 'dask[distributed]': pip install 'servicesim[distributed]'") from exc
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(guarded, [func] * len(tasks), tasks, pure=False)
        index = {f.key: task for f, task in zip(futures, tasks, strict=True)}
        for future in dask_completed(futures):
            try:
                outcome = future.result()
            except Exception:  # noqa: BLE001 - a lost worker
                outcome = {"error": traceback.format_exc()}
            yield index[future.key], outcome
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
