"""Reading a result folder back: the tables of a run or sweep folder, arranged by design.

:func:`load_results` verifies a ``servicesim run`` or ``servicesim sweep`` folder against its
``manifest.json`` (told apart by its ``kind``) and reads its tables into :class:`Results`,
which the report (:mod:`simulation.report`) draws and describes. The writers are
:mod:`simulation.results.run_folder` and :mod:`simulation.results.sweep_folder`; the file
names are those of :mod:`simulation.results.layout`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simulation.experiment.robustness import RobustResult
from simulation.experiment.sweep import SAMPLE_REPLICATIONS
from simulation.results.errors import TargetError
from simulation.results.layout import visits_path
from simulation.results.manifest import verify_folder
from simulation.results.robust_files import read_robust
from simulation.scenario.sweep_spec import _cell_name

log = logging.getLogger(__name__)

DEFAULT_CONFIDENCE = 0.95
"""The confidence level of a folder whose manifest records none (written before it did)."""


@dataclass
class Results:
    """The tables of a result folder, arranged by design.

    Attributes
    ----------
    folder
        The result folder.
    kind
        ``"run"`` or ``"sweep"``.
    manifest
        ``manifest.json``.
    name
        Sweep or scenario name.
    designs
        Design names (a run has one: its scenario's name).
    baseline
        Baseline design (a run: its only design).
    levels
        Factor-level labels (``[""]`` without factors).
    level
        The level shown in per-design figures (the first).
    scenarios
        Design → resolved scenario dict at :attr:`level`.
    kpis
        Long KPI table of every replication with ``design`` and ``level`` columns.
    summary
        A run's ``summary.csv`` (``scope, id, kpi, ...``) or a sweep's
        (``design, level, kpi, ...``).
    comparison
        A sweep's ``comparison.csv`` (empty for a run).
    visits, site_hours
        Design → kept visit / site-hour tables at :attr:`level`.
    sweep
        A sweep's ``sweep.yaml`` (empty for a run).
    robust
        A sweep's robust comparison across sampled worlds (``None`` without ``uncertain:``;
        see :mod:`simulation.results.robust_files`).
    """

    folder: Path
    kind: str
    manifest: dict[str, Any]
    name: str
    designs: list[str]
    baseline: str
    levels: list[str]
    level: str
    scenarios: dict[str, dict[str, Any]]
    kpis: pd.DataFrame
    summary: pd.DataFrame
    comparison: pd.DataFrame
    visits: dict[str, pd.DataFrame] = field(default_factory=dict)
    site_hours: dict[str, pd.DataFrame] = field(default_factory=dict)
    sweep: dict[str, Any] = field(default_factory=dict)
    robust: RobustResult | None = None

    @property
    def replications(self) -> int:
        """Replications per design and level."""
        return int(self.manifest.get("replications") or self.kpis["replication"].nunique())

    @property
    def confidence(self) -> float:
        """Confidence level of the folder's intervals (the manifest's ``level``).

        A folder whose manifest records no level (written by an older servicesim) is read
        as :data:`DEFAULT_CONFIDENCE`.
        """
        return float(self.manifest.get("level") or DEFAULT_CONFIDENCE)

    @property
    def multi_level(self) -> bool:
        """Whether the sweep crosses factor levels."""
        return len(self.levels) > 1

    def design_kpis(self, design: str, level: str | None = None) -> pd.DataFrame:
        """KPI rows of one design at ``level`` (default: :attr:`level`)."""
        lvl = self.level if level is None else level
        k = self.kpis
        return k[(k["design"] == design) & (k["level"] == lvl)]


def _read_yaml(path: Path) -> Any:
    """A YAML mapping of the folder; a missing or damaged file is a :class:`TargetError`."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TargetError(
            path.parent, f"{path.name} is missing; the folder is incomplete"
        ) from None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TargetError(
            path.parent,
            f"{path.name} is not valid YAML ({exc.__class__.__name__}); the folder is damaged",
        ) from None
    if not isinstance(document, dict):
        raise TargetError(path.parent, f"{path.name} is not a mapping; the folder is damaged")
    return document


def load_results(folder: str | Path) -> Results:
    """Read a run or sweep folder into :class:`Results`.

    Raises
    ------
    simulation.results.targets.TargetError
        If the folder has no servicesim ``manifest.json``, its kind is neither ``run`` nor
        ``sweep``, its files do not agree with the manifest's checksums, or a file in it is
        damaged.
    """
    folder = Path(folder)
    manifest = verify_folder(folder, kinds=("run", "sweep"))
    kind = manifest.get("kind")
    if kind == "run":
        return _load_run(folder, manifest)
    return _load_sweep(folder, manifest)


def _check_replications(folder: Path, manifest: dict[str, Any], counted: int) -> None:
    """Refuse a folder whose manifest gives another replication count than its tables hold."""
    said = manifest.get("replications")
    if isinstance(said, int) and said != counted:
        raise TargetError(
            folder,
            f"manifest.json says {said} replication(s) but the tables hold {counted}; "
            "the folder was changed after servicesim wrote it",
        )


def _load_run(folder: Path, manifest: dict[str, Any]) -> Results:
    scenario = _read_yaml(folder / "scenario.yaml")
    name = str(scenario.get("name") or manifest.get("scenario") or "scenario")
    kpis = pd.read_csv(
        folder / "kpis.csv",
        keep_default_na=False,
        na_values=[""],
        dtype={"id": str, "scope": str, "kpi": str},
    )
    kpis = kpis.assign(design=name, level="")
    _check_replications(folder, manifest, kpis["replication"].nunique())
    visits = pd.read_parquet(folder / "visits.parquet")
    site_hours = pd.read_csv(folder / "site_hours.csv", dtype={"site": str, "weekday": str})
    summary = pd.read_csv(
        folder / "summary.csv",
        keep_default_na=False,
        na_values=[""],
        dtype={"id": str, "scope": str, "kpi": str},
    )
    return Results(
        folder,
        "run",
        manifest,
        name,
        [name],
        name,
        [""],
        "",
        {name: scenario},
        kpis,
        summary,
        pd.DataFrame(),
        {name: visits},
        {name: site_hours},
    )


def _load_sweep(folder: Path, manifest: dict[str, Any]) -> Results:
    designs = [str(d) for d in manifest["designs"]]
    levels = [str(x) for x in (manifest.get("levels") or [""])]
    level = levels[0]
    name = str(manifest.get("sweep") or folder.name)
    scenarios = {}
    for d in designs:
        path = folder / "scenarios" / f"{_cell_name(name, d, level)}.yaml"
        scenarios[d] = _read_yaml(path)
    kpis = pd.read_parquet(folder / "kpis.parquet")
    kpis = kpis.assign(
        level=kpis["level"].fillna("").astype(str), design=kpis["design"].astype(str)
    )
    done = kpis.groupby(["design", "level"])["replication"].nunique()
    _check_replications(
        folder,
        manifest,
        min((int(done.get((d, lvl), 0)) for d in designs for lvl in levels), default=0),
    )
    summary = pd.read_csv(
        folder / "summary.csv",
        keep_default_na=False,
        na_values=[""],
        dtype={"design": str, "level": str, "kpi": str},
    )
    comparison_path = folder / "comparison.csv"
    comparison = (
        pd.read_csv(
            comparison_path,
            keep_default_na=False,
            na_values=[""],
            dtype={"design": str, "level": str, "kpi": str, "baseline": str},
        )
        if comparison_path.exists() and comparison_path.stat().st_size > 1
        else pd.DataFrame()
    )
    visits, site_hours = _kept_tables(folder, manifest, designs, level)
    sweep = _read_yaml(folder / "sweep.yaml") if (folder / "sweep.yaml").exists() else {}
    baseline = str(manifest.get("baseline") or designs[0])
    return Results(
        folder,
        "sweep",
        manifest,
        name,
        designs,
        baseline,
        levels,
        level,
        scenarios,
        kpis,
        summary,
        comparison,
        visits,
        site_hours,
        sweep or {},
        read_robust(folder, manifest),
    )


def _kept_tables(
    folder: Path, manifest: dict[str, Any], designs: list[str], level: str
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The kept visit and site-hour tables of this sweep's runs at ``level``, per design.

    Only the runs the manifest names (``run_keys``, ``kept_replications``) are read, so files
    of other runs in the folder are never pooled; an unreadable table is skipped with a warning.
    """
    keys = manifest.get("run_keys")
    if not isinstance(keys, dict):
        log.warning(
            "%s: the manifest names no runs (made by an older servicesim?); "
            "figures of visits and queues are left out",
            folder,
        )
        return {}, {}
    kept = [int(r) for r in manifest.get("kept_replications", range(SAMPLE_REPLICATIONS))]
    out: tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]] = ({}, {})
    for d in designs:
        runs = (keys.get(d) or {}).get(level) or []
        for table, store in zip(("visits", "site_hours"), out, strict=True):
            frames = []
            for r in kept:
                path = visits_path(folder, str(runs[r]), table) if r < len(runs) else None
                if path is None or not path.exists():
                    continue
                try:
                    frames.append(pd.read_parquet(path))
                except (OSError, ValueError) as exc:
                    log.warning(
                        "%s: unreadable, left out of the figures (%s)", path, type(exc).__name__
                    )
            if frames:
                store[d] = pd.concat(frames, ignore_index=True)
            else:
                log.warning("%s: no %s tables kept for design %s", folder, table, d)
    return out
