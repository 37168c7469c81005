"""The machinery under :class:`simulation.experiment.batches.Executor`: worker pools, errors.

Outcomes of tasks, the error of a task lost with a dead worker, the local process pool
(forked from this process, or from a forkserver), and ending pools (at the end of a command,
after Ctrl-C, at exit). Every executor takes the same picklable tasks and yields
``(task, outcome)`` as runs finish, in whatever order; callers sort results afterwards, so
tables do not depend on the executor, the number of workers or the batch size.
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
from concurrent.futures import Future, ProcessPoolExecutor
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
    born_of = os.getppid()  # the command (forked workers) or its forkserver

    def watch() -> None:
        while True:
            # a dead parent is a zombie until reaped (kill(pid, 0) still succeeds), but its
            # children are handed to another process at once
            if os.getppid() != born_of:
                os._exit(1)
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


def single_threaded() -> bool:
    """Whether this process runs one thread only (then forking it is safe)."""
    return threading.active_count() == 1


def _fork_context() -> multiprocessing.context.BaseContext | None:
    """The ``fork`` start method where it is safe: on Linux, from a single-threaded process."""
    if sys.platform.startswith("linux") and single_threaded():
        return multiprocessing.get_context("fork")
    return None


FORK_START_SECONDS = 0.05
"""Rough cost of forking a pool's workers from this process (the imports are shared)."""

FORKSERVER_START_SECONDS = 1.0
"""Rough cost of the first pool from a forkserver: it starts Python and imports the model
(numpy, pandas, scipy); later pools fork from it (:data:`FORK_START_SECONDS`)."""


def pool_start_seconds() -> float:
    """What starting a pool of worker processes would cost now, roughly."""
    if _fork_context() is not None:
        return FORK_START_SECONDS
    running = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    return FORK_START_SECONDS if running else FORKSERVER_START_SECONDS


def _pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes (kept in a registry so that Ctrl-C can end it).

    Workers fork from this process when it is single-threaded (milliseconds, and the imports
    and caches are shared), else from a forkserver that imported the model once (no fork of
    a multi-threaded process). :class:`simulation.experiment.batches.Executor` starts one
    per command and closes it at the end.
    """
    pool = _POOLS.get(workers)
    if pool is None:
        _start_quiet_resource_tracker()
        mp_context = _fork_context()
        if mp_context is None:
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


def close_pool(workers: int, pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` and wait for its workers to end (the end of a command)."""
    if _POOLS.get(workers) is pool:
        del _POOLS[workers]
    pool.shutdown(wait=True, cancel_futures=True)


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
    A forked worker is this process's child: dead, it stays a zombie (``kill(pid, 0)``
    succeeds) until reaped, so it is polled (``is_alive`` reaps it) rather than signalled.
    """
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            if not process.is_alive():
                return True
        except (OSError, TypeError, ValueError, AssertionError):
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
    """Run tasks in ``workers`` local processes, batched; the pool ends with the call.

    A shorthand for :meth:`simulation.experiment.batches.Executor.map` with an executor of
    its own (a command that runs several batches of tasks should create one executor and
    reuse it). A worker that dies yields every task it had not finished once with the
    outcome ``{"error": WORKER_DIED, "worker_died": True}`` (see :func:`died`).
    """
    from simulation.experiment.batches import Executor

    with Executor(workers) as executor:
        yield from executor.map(func, tasks)


def run_dask(
    func: Callable[[Any], Outcome], tasks: Sequence[Any], workers: int, scheduler: str | None
) -> Iterator[tuple[Any, Outcome]]:
    """Run tasks on a dask.distributed cluster at ``scheduler``, or on a local cluster,
    batched like :func:`run_local`."""
    from simulation.experiment.batches import Executor

    with Executor(workers, "dask", scheduler) as executor:
        yield from executor.map(func, tasks)
