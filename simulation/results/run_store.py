"""The store of finished runs inside a sweep folder: ``runs/``, ``visits/``, ``site_hours/``.

Each finished run is written at once, atomically, as ``runs/<run key>.parquet`` (its KPIs);
the runs that keep their tables also write ``visits/<run key>.parquet`` and
``site_hours/<run key>.parquet``. A stored file that cannot be read is treated as missing
(one warning) and its run done again; at the end of a sweep the files of runs that are not
part of it are removed (:meth:`FolderRunStore.prune`).
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulation.experiment.identity import is_run_key
from simulation.experiment.sweep import RunTask
from simulation.results.files import write_atomic
from simulation.results.layout import STORE_TABLES, visits_path

log = logging.getLogger(__name__)

_KPI_COLUMNS = {"replication", "scope", "id", "kpi", "value"}
_UNREADABLE = (OSError, ValueError, pa.ArrowException)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=False)


class FolderRunStore:
    """The :class:`~simulation.experiment.sweep.RunStore` of a sweep folder.

    Parameters
    ----------
    folder
        The sweep folder (``runs/`` is created in it).
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.runs = self.folder / "runs"
        self.runs.mkdir(parents=True, exist_ok=True)
        self.where = str(self.runs)

    def load(self, task: RunTask) -> pd.DataFrame | None:
        """The stored KPIs of ``task`` if it and (when kept) its tables are intact, else ``None``."""
        stored = _stored_run(self.runs / f"{task.key}.parquet", task)
        if stored is None or (task.keep_visits and not _kept_intact(self.folder, task)):
            return None
        return stored

    def save(
        self,
        task: RunTask,
        kpis: pd.DataFrame,
        visits: pd.DataFrame | None,
        site_hours: pd.DataFrame | None,
    ) -> None:
        """Write a finished run at once (atomically): its KPIs, and its kept tables."""
        write_atomic(self.runs / f"{task.key}.parquet", lambda p: kpis.to_parquet(p, index=False))
        for table, frame in (("visits", visits), ("site_hours", site_hours)):
            if frame is None:
                continue
            path = visits_path(self.folder, task.key, table)
            path.parent.mkdir(exist_ok=True)
            write_atomic(path, partial(_write_parquet, frame))

    def prune(self, tasks: list[RunTask]) -> None:
        """Remove stored runs and kept tables of runs that are not part of this sweep."""
        _prune_store(self.folder, tasks)


def _stored_run(path: Path, task: RunTask) -> pd.DataFrame | None:
    """A stored run's KPI table, or ``None`` when it is missing or unreadable (one warning)."""
    if not path.exists():
        return None
    try:
        kpis = pd.read_parquet(path)
        if (
            not _KPI_COLUMNS <= set(kpis.columns)
            or kpis.empty
            or set(kpis["replication"]) != {task.replication}
        ):
            raise ValueError("not a KPI table of this run")
    except _UNREADABLE as exc:
        log.warning("stored run %s is unreadable (%s); running it again", path, _reason(exc, path))
        return None
    return kpis


def _kept_intact(folder: Path, task: RunTask) -> bool:
    """Whether a run's kept visit and site-hour tables exist and are readable parquet files."""
    for table in ("visits", "site_hours"):
        path = visits_path(folder, task.key, table)
        if not path.exists():
            return False
        try:
            pq.read_metadata(path)
        except _UNREADABLE as exc:
            log.warning(
                "kept table %s is unreadable (%s); running it again", path, _reason(exc, path)
            )
            return False
    return True


def _reason(exc: BaseException, path: Path) -> str:
    """``Type: first line`` of an error, without the file name (the warning names it)."""
    text = str(exc).replace(f" '{path}'", "").replace(str(path), "").strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _prune_store(folder: Path, tasks: list[RunTask]) -> None:
    """Remove stored runs and kept tables of runs that are not part of this sweep.

    Only files servicesim writes there are touched: ``<run key>.parquet`` and the temporary
    ``.<run key>.parquet.*`` files an interrupted write leaves, plus the ``*.parquet`` tables
    of older servicesim versions in ``visits/`` and ``site_hours/``.
    """
    wanted = {"runs": {t.key for t in tasks}}
    wanted["visits"] = wanted["site_hours"] = {t.key for t in tasks if t.keep_visits}
    for table in STORE_TABLES:
        folder_of_table = folder / table
        if not folder_of_table.is_dir():
            continue
        for path in folder_of_table.iterdir():
            name = path.name
            stale_tmp = (
                name.startswith(".") and ".parquet." in name and is_run_key(name[1:].split(".")[0])
            )
            ours = name.endswith(".parquet") and (
                table != "runs" or is_run_key(name.removesuffix(".parquet"))
            )
            if path.is_file() and (
                stale_tmp or (ours and name.removesuffix(".parquet") not in wanted[table])
            ):
                path.unlink(missing_ok=True)
