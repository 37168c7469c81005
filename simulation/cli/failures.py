"""The summary of a sweep's failed runs on stderr, and the exit status it implies."""

from __future__ import annotations

import sys
from pathlib import Path

from simulation.experiment.executors import WORKER_DIED


def report_failures(failures: list[tuple[str, str, int, str]], out: Path) -> int:
    """One summarised line for runs lost with a dead worker, the first five errors of others.

    Parameters
    ----------
    failures
        ``(design, level, replication, traceback)`` of the runs that failed.
    out
        The sweep folder (its ``errors.log`` holds the tracebacks).

    Returns
    -------
    int
        The exit status: 1 if any run failed, else 0.
    """
    lost = [f for f in failures if f[3] == WORKER_DIED]
    failed = [f for f in failures if f[3] != WORKER_DIED]
    if lost:
        print(
            f"error: a worker process died; {len(lost)} run(s) not finished; rerun to resume",
            file=sys.stderr,
        )
    if failed:
        print(
            f"error: {len(failed)} run(s) failed; tracebacks in {out / 'errors.log'}; "
            "run the same command again to retry them",
            file=sys.stderr,
        )
        for design, level, rep, tb in failed[:5]:
            last = tb.strip().splitlines()[-1] if tb.strip() else "?"
            print(f"  {design} {level or '-'} replication {rep}: {last}", file=sys.stderr)
    return 1 if failures else 0
