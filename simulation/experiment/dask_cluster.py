"""The dask side of :class:`simulation.experiment.batches.Executor`: connecting, and batches.

A client connects to a running scheduler (``tcp://HOST:8786``), or to a local cluster of
single-threaded worker processes started for the executor's life. Batches go through
``client.submit`` and come back through ``as_completed``, at most ``in_flight`` per worker.

A local cluster is started with the settings in :data:`WORKER_SETTINGS`: dask's defaults are
made for many small tasks watched on a dashboard, and with them a run on a dask worker took
12 % more time than on a local worker process (see ``bench/README.md``).
"""

from __future__ import annotations

import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

Outcome = dict[str, Any]

WORKER_SETTINGS = Path(__file__).parents[1] / "data" / "dask-workers.yaml"
"""dask settings for servicesim's workers, with the reasons (one file for local clusters and
for the workers of a user's own cluster, see ``README.md``)."""


def local_cluster_config() -> dict[str, Any]:
    """The settings of :data:`WORKER_SETTINGS` for ``dask.config.set``, by dotted key
    (``distributed.worker.profile.enabled``): a nested dict would replace dask's whole
    ``distributed`` section instead of the few keys."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        else:
            flat[prefix] = node

    walk("", yaml.safe_load(WORKER_SETTINGS.read_text(encoding="utf-8")))
    return flat


def connect(workers: int, scheduler: str | None) -> tuple[Any, Any]:
    """``(client, local_cluster)``: a client of ``scheduler``, or of a new local cluster of
    ``workers`` processes (then ``local_cluster`` must be closed with the client)."""
    try:
        import dask.config
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "the dask executor needs 'dask[distributed]': pip install 'servicesim[distributed]'"
        ) from exc
    if scheduler:
        return Client(scheduler), None
    with dask.config.set(local_cluster_config()):  # read as the scheduler and nannies start
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        return Client(cluster), cluster


def cluster_workers(client: Any, default: int) -> int:
    """How many workers the cluster has now (``default`` if the scheduler cannot say)."""
    try:
        return max(1, len(client.scheduler_info().get("workers", {})))
    except Exception:  # noqa: BLE001 - only a hint for the batch size
        return default


def map_batches(
    client: Any,
    run_batch: Callable[[Callable[[Any], Outcome], Sequence[Any]], list[tuple[Outcome, float]]],
    func: Callable[[Any], Outcome],
    tasks: Sequence[Any],
    size: Callable[[int], int],
    in_flight: int,
    timed: Callable[[float], None],
) -> Iterator[tuple[Any, Outcome]]:
    """Run ``tasks`` on the cluster in batches of ``size(remaining)``; yield ``(task,
    outcome)`` as batches finish. A batch lost with its worker (dask gave up on it) gives
    each of its tasks ``{"error": traceback}``."""
    from distributed import as_completed

    queue = deque(range(len(tasks)))
    pending: dict[str, list[int]] = {}
    stream = as_completed()

    def submit() -> None:
        chosen = [queue.popleft() for _ in range(min(size(len(queue)), len(queue)))]
        future = client.submit(run_batch, func, [tasks[i] for i in chosen], pure=False)
        pending[future.key] = chosen
        stream.add(future)

    while queue and len(pending) < in_flight:
        submit()
    for future in stream:
        chosen = pending.pop(future.key)
        try:
            results = future.result()
        except Exception:  # noqa: BLE001 - a lost worker or a failed transfer
            error = traceback.format_exc()
            results = [({"error": error}, 0.0) for _ in chosen]
        for i, (outcome, seconds) in zip(chosen, results, strict=True):
            if seconds:
                timed(seconds)
            yield tasks[i], outcome
        while queue and len(pending) < in_flight:
            submit()
