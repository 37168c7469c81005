"""Sweep files: a base scenario, named designs, crossed factors, replications and KPIs."""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simulation.scenario.documents import absolute_matrix, check_kind, read_base
from simulation.scenario.errors import ScenarioError
from simulation.scenario.kpi_catalogue import KPI_NAMES, Scope
from simulation.scenario.limits import check_runs
from simulation.scenario.loading import scenario_from_dict
from simulation.scenario.names import SAFE, name_from_file, slug
from simulation.scenario.overrides import apply_changes, set_path
from simulation.scenario.pydantic_errors import from_pydantic
from simulation.scenario.schedules import stop_place_id
from simulation.scenario.schema import Id, Scenario
from simulation.scenario.travel_matrix import ANY_IDS, TravelIds, read_travel_matrix
from simulation.scenario.uncertain import UNCERTAIN_VOCABULARY, UncertainSpec
from simulation.scenario.worlds import Worlds
from simulation.scenario.yaml_io import read_yaml

_FROZEN = ConfigDict(extra="forbid", frozen=True)

LOWER_IS_BETTER_PREFIXES = (
    "wait_",
    "unserved",
    "overtime",
    "staff_hours",
    "travel",
    "deferral",
    "pending",
)
_KPI = re.compile(r"^(?P<kpi>[a-z0-9_]+)(?:@(?P<scope>[a-z]+):(?P<id>[A-Za-z0-9_.@,\-]+))?$")


def default_better(kpi: str) -> Literal["lower", "higher"]:
    """Whether a lower or a higher value of ``kpi`` is better, by its name."""
    return "lower" if kpi.startswith(LOWER_IS_BETTER_PREFIXES) else "higher"


class KpiSpec(BaseModel):
    """A KPI to compare: ``name`` at ``scope``/``id`` (written ``name@scope:id``)."""

    model_config = _FROZEN
    kpi: str
    scope: Scope = "overall"
    id: str = "all"
    better: Literal["lower", "higher"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _KPI.match(value.strip())
            if not match:
                raise ValueError(
                    "expected 'kpi' or 'kpi@scope:id', e.g. 'unserved_per_1000_yr@group:vulnerable'"
                )
            out = {"kpi": match["kpi"]}
            if match["scope"]:
                out.update(scope=match["scope"], id=match["id"])
            return out
        return value

    @property
    def label(self) -> str:
        """``name`` or ``name@scope:id``."""
        return self.kpi if self.scope == "overall" else f"{self.kpi}@{self.scope}:{self.id}"

    @property
    def direction(self) -> Literal["lower", "higher"]:
        """Which way is better."""
        return self.better or default_better(self.kpi)


class Changes(BaseModel):
    """How a design differs from the base scenario."""

    model_config = _FROZEN
    set: dict[str, Any] = {}
    add: dict[Literal["sites", "areas", "errands"], tuple[dict[str, Any], ...]] = {}
    remove: dict[Literal["sites", "areas", "errands"], tuple[str, ...]] = {}


class AutoReplications(BaseModel):
    """Pick the number of replications to reach a target confidence-interval half-width."""

    model_config = _FROZEN
    kpi: KpiSpec
    half_width: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    relative: bool = True
    initial: Annotated[int, Field(ge=3, le=10000)] = 5
    max: Annotated[int, Field(ge=3, le=10000)] = 50

    @model_validator(mode="after")
    def _bounds(self) -> AutoReplications:
        if self.max < self.initial:
            raise ValueError(f"max ({self.max}) must be at least initial ({self.initial})")
        return self


DEFAULT_KPIS = (
    "unserved_per_1000_yr@group:vulnerable",
    "unserved_per_1000_yr",
    "wait_mean",
    "wait_p90",
    "staff_hours_per_week",
)


class SweepSpec(BaseModel):
    """A validated sweep file."""

    model_config = _FROZEN
    name: Annotated[str, Field(pattern=SAFE.pattern, max_length=100)]
    description: str | None = None
    base: str | None = None
    scenario: dict[str, Any] | None = None
    designs: Annotated[dict[Id, Changes], Field(min_length=1)]
    factors: dict[str, Annotated[tuple[Any, ...], Field(min_length=1)]] = {}
    replications: Annotated[int, Field(ge=1, le=100000)] | AutoReplications = 10
    seed: Annotated[int, Field(ge=0, lt=2**63)] | None = None
    baseline: str | None = None
    kpis: Annotated[tuple[KpiSpec, ...], Field(min_length=1)] = tuple(
        KpiSpec.model_validate(k) for k in DEFAULT_KPIS
    )
    level: Annotated[float, Field(gt=0.5, lt=1)] = 0.95
    correction: Literal["bonferroni", "none"] = "bonferroni"
    uncertain: UncertainSpec | None = None

    @field_validator("designs", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: ({} if v is None else v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _checks(self) -> SweepSpec:
        if (self.base is None) == (self.scenario is None):
            raise ValueError("give exactly one of 'base' (a scenario file) or 'scenario' (inline)")
        if self.uncertain is not None and self.factors:
            raise ValueError(
                "'uncertain' cannot be combined with 'factors': make each factor an uncertain "
                "input (a range) or a design"
            )
        return self

    @property
    def baseline_design(self) -> str:
        """Name of the baseline design (the first design unless given)."""
        return self.baseline or next(iter(self.designs))


SWEEP_VOCABULARY = sorted(
    {f for m in (SweepSpec, Changes, AutoReplications, KpiSpec) for f in m.model_fields}
    | set(UNCERTAIN_VOCABULARY)
)


class Sweep:
    """A loaded sweep: the spec, the base document, and the resolved design scenarios.

    Attributes
    ----------
    spec
        The validated sweep file.
    source
        The file it came from (or ``None``).
    base_document
        The base scenario as plain data.
    cells
        ``(design, level_label, level_values, scenario)`` for every design × factor level.
    """

    def __init__(
        self,
        spec: SweepSpec,
        source: str | None,
        base_document: dict[str, Any],
        base_dir: Path | None,
    ):
        self.spec = spec
        self.source = source
        self.base_document = base_document
        self.base_dir = base_dir
        self.seed_override: int | None = None
        self.cells: list[tuple[str, str, dict[str, Any], Scenario]] = []
        self.check_run_count()
        for design, changes in spec.designs.items():
            for label, values in self.levels():
                where: tuple[str | int, ...] = ("designs", design)
                doc = apply_changes(base_document, changes.model_dump(), where)
                for path, value in values.items():
                    set_path(doc, path, value, ("factors", path))
                doc["name"] = _cell_name(spec.name, design, label)
                try:
                    # the travel matrix is checked below, against the ids of every design
                    scenario = scenario_from_dict(doc, None, base_dir, ANY_IDS)
                except ScenarioError as exc:
                    raise _cell_error(design, label, exc) from None
                self.cells.append((design, label, values, scenario))
        self._check_travel_matrices()
        self.worlds: Worlds | None = None
        if spec.uncertain is not None:
            self.worlds = Worlds(spec.uncertain, self.cells, self.file_seed, base_dir)

    @property
    def file_seed(self) -> int:
        """The sweep file's own seed (else the base scenario's), without a ``--seed`` override."""
        return self.spec.seed if self.spec.seed is not None else self.cells[0][3].seed

    def level_count(self) -> int:
        """Number of factor levels (the product of the factors' value counts), without listing them."""
        return math.prod(len(values) for values in self.spec.factors.values())

    def check_run_count(self, replications: int | AutoReplications | None = None) -> None:
        """Refuse a sweep of more runs than :func:`simulation.scenario.limits.max_runs`, before any is built.

        Parameters
        ----------
        replications
            Replications to count (default: the sweep file's; for the replications
            algorithm its ``max``).

        Raises
        ------
        ScenarioError
            At ``factors`` (or ``replications``) with the figure, the limit and how to raise it.
        """
        reps = self.spec.replications if replications is None else replications
        count = reps.max if isinstance(reps, AutoReplications) else int(reps)
        designs, levels = len(self.spec.designs), self.level_count()
        detail = f"{designs:,} design(s) x {levels:,} factor level(s) x {count:,} replication(s)"
        path: tuple[str, ...] = (
            ("factors",) if levels > 1 and replications is None else ("replications",)
        )
        runs = designs * levels * count
        built = getattr(self, "worlds", None)  # resampled (--worlds), else the file's block
        uncertain = built.spec if built is not None else self.spec.uncertain
        if uncertain is not None:
            worlds = uncertain.world_count()
            runs += designs * worlds * uncertain.replications
            detail += (
                f" + {designs:,} design(s) x {worlds:,} world(s) x "
                f"{uncertain.replications:,} replication(s)"
            )
            path = ("uncertain", "worlds") if replications is None else path
        try:
            check_runs(runs, path, detail)
        except ScenarioError as exc:
            raise exc.with_source(self.source or f"sweep {self.spec.name}") from None

    def _check_travel_matrices(self) -> None:
        """One matrix serves every design: rows for ids of another design are ignored, rows for
        ids of no design are errors."""
        known = (
            TravelIds.of(c[3] for c in self.cells)
            if any(c[3].travel.matrix for c in self.cells)
            else None
        )
        for design, label, _, scenario in self.cells:
            if scenario.travel.matrix is None:
                continue
            try:
                read_travel_matrix(scenario, known)
            except ScenarioError as exc:
                raise _cell_error(design, label, exc) from None

    def levels(self) -> list[tuple[str, dict[str, Any]]]:
        """Every combination of factor values, with a short label such as ``max_deferral_days=3``."""
        factors = self.spec.factors
        if not factors:
            return [("", {})]
        out = []
        for combo in itertools.product(*factors.values()):
            values = dict(zip(factors, combo, strict=True))
            label = ",".join(f"{p.split('.')[-1]}={v}" for p, v in values.items())
            out.append((label, values))
        return out

    def check_kpis(self) -> None:
        """Every KPI named by the sweep must exist at its scope and id.

        Raises
        ------
        ScenarioError
            Path ``kpis[j]`` (or ``replications.kpi``) naming the unknown KPI, scope or id.
        """
        specs: list[tuple[tuple[str | int, ...], KpiSpec]] = [
            (("kpis", j), k) for j, k in enumerate(self.spec.kpis)
        ]
        if isinstance(self.spec.replications, AutoReplications):
            specs.append((("replications", "kpi"), self.spec.replications.kpi))
        ids: dict[str, set[str]] = {
            "overall": {"all"},
            "group": {"vulnerable", "other"},
            "area": set(),
            "site": set(),
            "stop": set(),
        }
        for _, _, _, scenario in self.cells:
            ids["area"].update(a.id for a in scenario.areas)
            ids["site"].update(s.id for s in scenario.sites)
            for site in scenario.sites:
                for stop in getattr(site, "schedule", ()):
                    ids["stop"].add(stop_place_id(site.id, stop))
        for path, k in specs:
            names = KPI_NAMES[k.scope]
            if k.kpi not in names:
                near = difflib.get_close_matches(k.kpi, sorted(names), n=1)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                raise ScenarioError(f"unknown KPI at scope {k.scope}{hint}", path, k.label)
            if k.id not in ids[k.scope]:
                raise ScenarioError(
                    f"no {k.scope} with this id (known: {', '.join(sorted(ids[k.scope]))})",
                    path,
                    k.label,
                )

    @property
    def seed(self) -> int:
        """Root seed of the sweep (an override, else its own, else the base scenario's)."""
        if self.seed_override is not None:
            return self.seed_override
        return self.file_seed


def _cell_error(design: str, label: str, exc: ScenarioError) -> ScenarioError:
    """An error in one design's scenario, placed under ``designs.<design>``."""
    prefix = f"design '{design}'" + (f" at {label}" if label else "")
    return ScenarioError(f"{prefix}: {exc.message}", ("designs", design) + exc.path, exc.value)


def _cell_name(sweep: str, design: str, label: str) -> str:
    """Scenario name (and ``scenarios/<name>.yaml`` file name) of a sweep cell: a safe slug of
    ``<sweep>-<design>-<level label>``, distinct for distinct cells (see :func:`simulation.scenario.names.slug`)."""
    return slug(f"{sweep}-{design}" + (f"-{label}" if label else ""))


def load_sweep(source: str | Path | Mapping[str, Any]) -> Sweep:
    """Load and validate a sweep file (or mapping), resolving every design's scenario.

    Raises
    ------
    ScenarioError
        Naming the sweep file and the path inside it.
    """
    if isinstance(source, Mapping):
        document, where, base_dir = dict(source), None, Path.cwd()
    else:
        path = Path(source)
        document, where, base_dir = read_yaml(path), str(path), path.parent
    try:
        if not isinstance(document, Mapping):
            raise ScenarioError("expected a mapping of sweep keys at the top level", (), document)
        check_kind(dict(document), "sweep")
        document = dict(document)
        if "name" not in document and where is not None:
            document["name"] = name_from_file(where, "sweep")
        try:
            spec = SweepSpec.model_validate(document)
        except ValidationError as exc:
            raise from_pydantic(exc, SWEEP_VOCABULARY) from None
        if spec.baseline is not None and spec.baseline not in spec.designs:
            raise ScenarioError(
                f"not one of the designs ({', '.join(spec.designs)})", ("baseline",), spec.baseline
            )
        if spec.base is not None:
            base_path, base_document = read_base(spec.base, base_dir)
            scenario_dir = base_path.parent
        else:
            scenario_dir = base_dir
            base_document = absolute_matrix(spec.scenario or {}, scenario_dir)
        sweep = Sweep(spec, where, base_document, scenario_dir)
        sweep.check_kpis()
        if sweep.worlds is not None:
            sweep.worlds.check_kpi([k.label for k in spec.kpis])
        return sweep
    except ScenarioError as exc:
        raise exc.with_source(where) if where else exc from None
