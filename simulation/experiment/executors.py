"""Where sweep runs execute: in this process, in local worker processes, or on dask.

Every executor takes the same picklable tasks and yields ``(task, outcome)`` as runs finish,
in whatever order; the sweep sorts results afterwards, so tables do not depend on the
executor or the number of workers.
"""

from __future__ import annotations

import atexit
import io
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import context, forkserver, popen_forkserver, reduction, spawn, util
from typing import Any

log = logging.getLogger(__name__)

Outcome = dict[str, Any]

WORKER_DIED = "a worker process died before the run finished"
"""The error of every run that was still outstanding when a worker process died."""


class WorkerDied(RuntimeError):
    """A worker process died (killed, out of memory): some work was not finished.

    Parameters
    ----------
    unfinished
        How many tasks were not finished.
    what
        What a task is (``run``, ``replication``).
    """

    def __init__(self, unfinished: int, what: str = "run") -> None:
        self.unfinished = unfinished
        super().__init__(f"a worker process died; {unfinished} {what}(s) not finished")


def died(outcome: Outcome) -> bool:
    """Whether ``outcome`` is that of a task lost with a dead worker process."""
    return bool(outcome.get("worker_died"))


def guarded(func: Callable[[Any], Outcome], task: Any) -> Outcome:
    """Run ``func(task)``; an exception becomes ``{"error": traceback}`` instead of escaping."""
    try:
        return func(task)
    except Exception:  # noqa: BLE001 - one failing run must not stop the sweep
        return {"error": traceback.format_exc()}


def _exit_with_parent(parent: int) -> None:
    """Worker initialiser: end this worker when the sweep process dies (even by SIGKILL),
    instead of leaving it blocked on the task queue for ever.

    The worker also ignores SIGINT: Ctrl-C on a terminal reaches every process of the
    group, and only the parent handles it (it stops the pool; see :func:`run_local`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

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


def run_serial(
    func: Callable[[Any], Outcome], tasks: Sequence[Any]
) -> Iterator[tuple[Any, Outcome]]:
    """Run tasks one after another in this process."""
    for task in tasks:
        yield task, guarded(func, task)


_POOLS: dict[int, ProcessPoolExecutor] = {}

_PREPARATION_KEYS_WITHOUT_MAIN = ("init_main_from_path", "init_main_from_name")


class _LibraryPopen(popen_forkserver.Popen):
    """Start a forkserver worker without re-running the caller's main module.

    multiprocessing normally runs the parent's ``__main__`` (as ``__mp_main__``) in every
    new worker so that functions defined there can be unpickled. Our workers only run
    functions of this package, so that step is skipped: a plain script that calls
    ``simulation.sweep(...)`` without an ``if __name__ == "__main__":`` guard then works
    instead of having each worker run the script (and the sweep) again. The body is the
    standard library's ``Popen._launch`` (Python 3.11 to 3.13) minus those keys.
    """

    def _launch(self, process_obj: Any) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        for key in _PREPARATION_KEYS_WITHOUT_MAIN:
            prep_data.pop(key, None)
        buf = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)  # type: ignore[attr-defined]
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(
            self,
            util.close_fds,  # type: ignore[attr-defined]
            (_parent_w, self.sentinel),
        )
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _LibraryProcess(context.ForkServerProcess):
    _start_method = "forkserver"

    @staticmethod
    def _Popen(process_obj: Any) -> _LibraryPopen:  # noqa: N802 - multiprocessing's name
        return _LibraryPopen(process_obj)


class _LibraryContext(context.ForkServerContext):
    """The forkserver context, with workers that do not re-run ``__main__``."""

    Process = _LibraryProcess


def _context() -> multiprocessing.context.BaseContext:
    """The start method of worker pools: forkserver, without re-running ``__main__`` where
    this Python's multiprocessing is the one :class:`_LibraryPopen` was written for."""
    if (3, 11) <= sys.version_info[:2] <= (3, 13):
        return _LibraryContext()
    return multiprocessing.get_context("forkserver")  # pragma: no cover - other Pythons


def _pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, kept for later sweeps in this process.

    Workers fork from a forkserver that imported the model once (fast start, and no fork of
    this possibly multi-threaded process); keeping the pool means repeated sweeps (the
    ``propose`` search, benchmarks, notebooks) pay the start-up once.
    """
    pool = _POOLS.get(workers)
    if pool is None:
        _start_quiet_resource_tracker()
        mp_context = _context()
        mp_context.set_forkserver_preload(
            ["simulation.experiment.sweep", "simulation.experiment.run"]
        )
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=mp_context,
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
        _POOLS[workers] = pool
    return pool


def _start_quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with its leak warning silenced.

    After Ctrl-C the command ends at once (:func:`simulation.cli.main.console`) without
    closing the pool's queues; the tracker then frees their semaphores, which is right, but
    would also print a ``leaked semaphore`` warning. The filter reaches only the tracker (it
    is read when the tracker starts; the environment is restored at once).
    """
    from multiprocessing import resource_tracker

    before = os.environ.get("PYTHONWARNINGS")
    quiet = "ignore::UserWarning:multiprocessing.resource_tracker"
    os.environ["PYTHONWARNINGS"] = f"{before},{quiet}" if before else quiet
    try:
        resource_tracker.ensure_running()
    finally:
        if before is None:
            del os.environ["PYTHONWARNINGS"]
        else:
            os.environ["PYTHONWARNINGS"] = before


def _discard_pool(workers: int, pool: ProcessPoolExecutor, stop_workers: bool) -> None:
    """Forget a broken or abandoned pool; with ``stop_workers`` end its processes at once
    (after Ctrl-C: their runs are not wanted, and waiting for them would delay the exit)."""
    if _POOLS.get(workers) is pool:
        del _POOLS[workers]
    if stop_workers:
        for process in (getattr(pool, "_processes", None) or {}).values():
            if process.is_alive():
                process.terminate()
        # A worker ended while sending its result leaves half a message in the result pipe,
        # and the pool's manager thread would wait for the rest for ever (and the interpreter
        # for that thread at exit). Closing this process's own write end lets that read end
        # with an error once the workers are gone, so the pool winds down as broken.
        writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
        if writer is not None:
            writer.close()
    pool.shutdown(wait=False, cancel_futures=True)


def abort_pools() -> None:
    """End every kept pool's worker processes at once (after Ctrl-C): their runs are not
    wanted, and the interpreter would otherwise wait for them before it exits."""
    for workers, pool in list(_POOLS.items()):
        _discard_pool(workers, pool, stop_workers=True)


@atexit.register
def shutdown_pools() -> None:
    """Stop the kept worker pools."""
    while _POOLS:
        _, pool = _POOLS.popitem()
        pool.shutdown(wait=True, cancel_futures=True)


WATCH_SECONDS = 2.0
"""How often :func:`run_local` checks its workers while no run finishes."""


def _lost_worker(pool: ProcessPoolExecutor) -> bool:
    """Whether a worker of ``pool`` is gone although the pool has not noticed.

    A worker killed while it sends its result leaves half a message in the result pipe, and
    the pool's manager thread waits for the rest (for ever, when the other workers are idle).
    """
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            os.kill(process.pid, 0)
        except ProcessLookupError:
            return True
        except (OSError, TypeError):
            continue
    return False


def _finished(future: Future) -> Outcome | None:
    """The outcome of a future that finished normally, else ``None``."""
    if not future.done() or future.cancelled() or future.exception() is not None:
        return None
    return future.result()


def run_local(
    func: Callable[[Any], Outcome], tasks: Sequence[Any], workers: int
) -> Iterator[tuple[Any, Outcome]]:
    """Run tasks in ``workers`` local processes.

    A worker that dies (killed, out of memory) breaks the pool: the runs that finished are
    yielded, every run still outstanding is yielded once with the outcome
    ``{"error": WORKER_DIED, "worker_died": True}`` (see :func:`died`), the pool is discarded,
    and a rerun of the sweep resumes them. When the caller stops early (Ctrl-C) the pool's
    processes are ended at once.
    """
    if workers <= 1 or len(tasks) <= 1:
        yield from run_serial(func, tasks)
        return
    pool = _pool(workers)
    futures: dict[Future, Any] = {}
    pending: set[Future] = set()
    complete = False
    try:
        for task in tasks:
            future = pool.submit(guarded, func, task)
            futures[future] = task
            pending.add(future)
        order = {future: i for i, future in enumerate(futures)}
        while pending:
            done, _ = wait(pending, timeout=WATCH_SECONDS, return_when=FIRST_COMPLETED)
            if not done and _lost_worker(pool):
                raise BrokenProcessPool("a worker process died")
            for future in sorted(done, key=order.__getitem__):  # in the order of the tasks
                outcome = future.result()  # raises BrokenProcessPool when a worker died
                pending.discard(future)
                yield futures[future], outcome
        complete = True
    except BrokenProcessPool:
        log.info("a worker process died; %d task(s) outstanding", len(pending))
        _discard_pool(workers, pool, stop_workers=True)
        for future in [f for f in futures if f in pending]:
            finished = _finished(future)
            yield (
                futures[future],
                finished if finished is not None else {"error": WORKER_DIED, "worker_died": True},
            )
        for task in tasks[len(futures) :]:  # never submitted: the pool broke while submitting
            yield task, {"error": WORKER_DIED, "worker_died": True}
        complete = True
    finally:
        if not complete:  # interrupted (Ctrl-C) or abandoned by the caller
            _discard_pool(workers, pool, stop_workers=True)


def run_dask(
    func: Callable[[Any], Outcome], tasks: Sequence[Any], workers: int, scheduler: str | None
) -> Iterator[tuple[Any, Outcome]]:
    """Run tasks on a dask.distributed cluster at ``scheduler``, or on a local cluster."""
    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_completed
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "the dask executor needs 'dask[distributed]': pip install 'servicesim[distributed]'"
        ) from exc
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
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
