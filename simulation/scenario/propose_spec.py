"""PROPOSE.yaml: what to propose (mobile units, budget, candidates) and how to judge it.

A propose file names a base scenario, the mobile units that may be added to it and the
budget they run on, where they may stop (the candidates), what to minimise (the objective)
and how hard to look (screening, search and selection settings). Structural checks live in
the pydantic models below; :func:`load_propose` adds the checks that relate the file to its
base scenario and turns every problem into one :class:`~simulation.scenario.errors.ScenarioError`
naming the file, the path inside it and the value.
"""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulation.scenario.documents import read_base
from simulation.scenario.errors import ScenarioError
from simulation.scenario.hours import parse_day_key, parse_window
from simulation.scenario.kpi_catalogue import KPI_NAMES
from simulation.scenario.loading import scenario_from_dict
from simulation.scenario.names import SAFE, name_from_file, slug
from simulation.scenario.pydantic_errors import from_pydantic
from simulation.scenario.schema import WEEKDAYS, Id, Location, NonNeg, Positive, Scenario
from simulation.scenario.sweep_spec import KpiSpec, Sweep, load_sweep
from simulation.scenario.yaml_io import read_yaml

log = logging.getLogger(__name__)

_FROZEN = ConfigDict(extra="forbid", frozen=True)

DEFAULT_OBJECTIVE = "unserved_per_1000_yr@group:vulnerable"
DEFAULT_SECONDARY = ("wait_mean", "staff_hours_per_week")


def _check_window(text: str) -> str:
    parse_window(text)
    return text


def _check_weekday(text: str) -> str:
    parse_day_key(text)
    return text


Window = Annotated[str, AfterValidator(_check_window)]
Weekday = Annotated[str, AfterValidator(_check_weekday)]
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=SAFE.pattern)]


def window_hours(text: str) -> float:
    """Length of a window ``HH:MM-HH:MM`` in hours."""
    start, end = parse_window(text)
    return (end - start) / 60.0


class CandidateSpec(BaseModel):
    """A place where a unit may stop: an area (it parks at the area's centre) or a point."""

    model_config = _FROZEN
    id: Id
    name: str | None = None
    area: Id | None = None
    location: Location | None = None

    @model_validator(mode="after")
    def _one_place(self) -> CandidateSpec:
        if (self.area is None) == (self.location is None):
            raise ValueError("give exactly one of 'area' (an area id) or 'location' (lat/lon)")
        return self


class UnitSpec(BaseModel):
    """A mobile unit that may be added: its staff, errands and set-up time between places."""

    model_config = _FROZEN
    id: Id
    name: str | None = None
    counters: Annotated[int, Field(ge=1, le=100, strict=True)]
    errands: tuple[Id, ...] | None = None
    setup_minutes: NonNeg = 30.0
    closing: Literal["serve_queue", "turn_away"] = "serve_queue"


class Budget(BaseModel):
    """What the units may use per week.

    ``unit_days_per_week`` counts (unit, weekday) pairs with at least one stop;
    ``hours_per_day`` caps the open hours of one unit on one day (set-up time between
    stops is extra); ``windows`` are the opening windows a stop may use and ``weekdays``
    the days it may run on.
    """

    model_config = _FROZEN
    unit_days_per_week: Annotated[int, Field(ge=1, le=700, strict=True)]
    hours_per_day: Annotated[float, Field(gt=0, le=24, allow_inf_nan=False)] = 5.0
    windows: Annotated[tuple[Window, ...], Field(min_length=1)] = ("10:00-15:00",)
    weekdays: Annotated[tuple[Weekday, ...], Field(min_length=1)] = ("mon-fri",)

    @model_validator(mode="after")
    def _windows_fit(self) -> Budget:
        for text in self.windows:
            if window_hours(text) > self.hours_per_day + 1e-9:
                raise ValueError(
                    f"window '{text}' is {window_hours(text):g} h, longer than "
                    f"hours_per_day ({self.hours_per_day:g})"
                )
        if len(set(self.windows)) != len(self.windows):
            raise ValueError("windows are listed twice")
        return self

    @property
    def day_indices(self) -> tuple[int, ...]:
        """Allowed weekdays as indices (0 = Monday), sorted, without repeats."""
        days: set[int] = set()
        for key in self.weekdays:
            days.update(parse_day_key(key))
        return tuple(sorted(days))


class Constraints(BaseModel):
    """Rules every proposal keeps: offices stay, and at most so many stops a unit-day."""

    model_config = _FROZEN
    keep_offices: Literal[True] = True
    max_stops_per_day: Annotated[int, Field(ge=1, le=12, strict=True)] = 1


class ScreeningSpec(BaseModel):
    """Static screening: Gaussian 2SFCA coverage by offices, then a maximal covering model."""

    model_config = _FROZEN
    shortlist: Annotated[int, Field(ge=1, le=100, strict=True)] = 5
    catchment_minutes: Positive = 30.0
    target_utilisation: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.85
    min_residual_share: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.05


class SearchSpec(BaseModel):
    """Greedy construction and local improvement by simulation."""

    model_config = _FROZEN
    replications: Annotated[int, Field(ge=2, le=1000, strict=True)] = 5
    max_evaluations: Annotated[int, Field(ge=1, le=100000, strict=True)] = 200


class SelectionSpec(BaseModel):
    """Ranking and selection of the best designs (Kim and Nelson's fully sequential procedure).

    ``indifference`` is the smallest difference in the objective worth detecting (δ, in the
    objective's units); without it, 5% of the baseline's mean objective is used.
    ``contenders`` is how many of the best search designs enter the selection;
    ``confirmation`` is how many fresh replications (not used to search or select) the
    proposal and every hand-made design and the baseline get for the final paired
    comparison (0: compare on the selection's replications instead).
    """

    model_config = _FROZEN
    confidence: Annotated[float, Field(gt=0.5, lt=1, allow_inf_nan=False)] = 0.95
    indifference: Positive | None = None
    initial: Annotated[int, Field(ge=2, le=10000, strict=True)] = 10
    batch: Annotated[int, Field(ge=1, le=10000, strict=True)] = 5
    max_replications: Annotated[int, Field(ge=2, le=100000, strict=True)] = 50
    contenders: Annotated[int, Field(ge=1, le=50, strict=True)] = 3
    confirmation: Annotated[int, Field(ge=0, le=100000, strict=True)] = 20

    @model_validator(mode="after")
    def _bounds(self) -> SelectionSpec:
        if self.max_replications < self.initial:
            raise ValueError(
                f"max_replications ({self.max_replications}) must be at least initial ({self.initial})"
            )
        return self


class ProposeSpec(BaseModel):
    """A validated PROPOSE.yaml."""

    model_config = _FROZEN
    name: Name | None = None
    description: str | None = None
    base: str
    candidates: Literal["areas"] | Annotated[tuple[CandidateSpec, ...], Field(min_length=1)] = (
        "areas"
    )
    units: Annotated[tuple[UnitSpec, ...], Field(min_length=1)]
    budget: Budget
    constraints: Constraints = Constraints()
    objective: KpiSpec = KpiSpec.model_validate(DEFAULT_OBJECTIVE)
    secondary: tuple[KpiSpec, ...] = tuple(KpiSpec.model_validate(k) for k in DEFAULT_SECONDARY)
    screening: ScreeningSpec = ScreeningSpec()
    search: SearchSpec = SearchSpec()
    selection: SelectionSpec = SelectionSpec()
    seed: Annotated[int, Field(ge=0, lt=2**63, strict=True)] | None = None
    compare_with: str | None = None


def _vocabulary() -> list[str]:
    words: set[str] = set()
    for model in (
        ProposeSpec,
        CandidateSpec,
        UnitSpec,
        Budget,
        Constraints,
        ScreeningSpec,
        SearchSpec,
        SelectionSpec,
        KpiSpec,
        Location,
    ):
        words.update(model.model_fields)
    return sorted(words)


_VOCABULARY = _vocabulary()


def _spec_error(exc: ValidationError) -> ScenarioError:
    """The project's error for a pydantic error, with 'did you mean' from this file's keys."""
    return from_pydantic(exc, _VOCABULARY)


@dataclass(frozen=True)
class Candidate:
    """A resolved candidate stop: its id, and the ``area`` or ``location`` of the stop."""

    id: str
    name: str | None
    area: str | None
    location: Location | None

    def stop_fields(self) -> dict[str, Any]:
        """The place part of a schedule stop (``area:`` or ``location:`` and ``name:``)."""
        if self.area is not None:
            return {"area": self.area}
        assert self.location is not None
        return {"location": self.location.model_dump(), "name": self.name or self.id}


@dataclass(frozen=True)
class Propose:
    """A loaded propose file: the spec, its base scenario and the hand-made designs.

    Attributes
    ----------
    spec
        The validated file.
    source
        The file it came from (``None`` for a mapping).
    name
        Name of the proposal (results go to ``results/<name>-propose``).
    base_path
        The base scenario file.
    base_document
        The base scenario as plain data (travel-matrix path made absolute).
    scenario
        The validated base scenario.
    candidates
        Resolved candidate stops.
    seed
        Root seed of every simulation (the file's, else the base scenario's).
    hand_made
        Designs of the ``compare_with`` sweep: name → changes (``set/add/remove``).
    compare_path
        The ``compare_with`` sweep file, if any.
    """

    spec: ProposeSpec
    source: str | None
    name: str
    base_path: Path
    base_document: dict[str, Any]
    scenario: Scenario
    candidates: tuple[Candidate, ...]
    seed: int
    hand_made: dict[str, dict[str, Any]]
    compare_path: Path | None


def _default_name(source: str | None, scenario: Scenario) -> str:
    if source is None:
        return scenario.name
    stem = Path(source).name
    for suffix in (".yaml", ".yml"):
        stem = stem.removesuffix(suffix)
    for suffix in (".propose", "-propose", "_propose"):
        stem = stem.removesuffix(suffix)
    return slug(stem) if stem else scenario.name


def load_propose(source: str | os.PathLike[str] | Mapping[str, Any]) -> Propose:
    """Load and validate a propose file (or mapping) together with its base scenario.

    Parameters
    ----------
    source
        Path to a PROPOSE.yaml, or a mapping with the same content (relative paths are then
        taken from the current directory).

    Returns
    -------
    Propose
        The spec, base scenario, resolved candidates and hand-made designs.

    Raises
    ------
    ScenarioError
        Naming the propose file, the path inside it and the offending value.
    """
    if isinstance(source, Mapping):
        document: Any = dict(source)
        where, base_dir = None, Path.cwd()
    elif isinstance(source, str | os.PathLike):
        where, base_dir = str(source), Path(source).parent
        document = read_yaml(source)
    else:
        raise ScenarioError("expected a propose file path or a mapping of propose keys", (), source)
    try:
        if not isinstance(document, Mapping):
            raise ScenarioError("expected a mapping of propose keys at the top level", (), document)
        try:
            spec = ProposeSpec.model_validate(dict(document))
        except ValidationError as exc:
            raise _spec_error(exc) from None
        return _resolve(spec, where, base_dir)
    except ScenarioError as exc:
        raise exc.with_source(where) if where else exc from None


def _resolve(spec: ProposeSpec, where: str | None, base_dir: Path) -> Propose:
    base_path, document = read_base(spec.base, base_dir)
    if "name" not in document:
        document["name"] = name_from_file(base_path, "scenario")
    try:
        scenario = scenario_from_dict(document, str(base_path), base_path.parent)
    except ScenarioError as exc:
        raise ScenarioError(f"base scenario is invalid: {exc}", ("base",), spec.base) from None
    candidates = _candidates(spec, scenario)
    _check_units(spec, scenario)
    _check_objective(spec, scenario)
    hand_made, compare_path = _hand_made(spec, base_dir, base_path)
    name = spec.name or _default_name(where, scenario)
    seed = spec.seed if spec.seed is not None else scenario.seed
    return Propose(
        spec, where, name, base_path, document, scenario, candidates, seed, hand_made, compare_path
    )


def _candidates(spec: ProposeSpec, scenario: Scenario) -> tuple[Candidate, ...]:
    if spec.candidates == "areas":
        return tuple(Candidate(a.id, a.name, a.id, None) for a in scenario.areas)
    area_ids = {a.id for a in scenario.areas}
    seen: dict[str, int] = {}
    places: dict[str, int] = {}
    out = []
    for i, c in enumerate(spec.candidates):
        if c.id in seen:
            raise ScenarioError("duplicate candidate id", ("candidates", i, "id"), c.id)
        seen[c.id] = i
        if c.area is not None and c.area not in area_ids:
            near = difflib.get_close_matches(c.area, sorted(area_ids), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise ScenarioError(f"undefined area id{hint}", ("candidates", i, "area"), c.area)
        place = c.area if c.area is not None else f"{c.location.lat:.5f},{c.location.lon:.5f}"  # type: ignore[union-attr]
        if place in places:
            raise ScenarioError(f"same place as candidate {places[place]}", ("candidates", i), c.id)
        places[place] = i
        out.append(Candidate(c.id, c.name, c.area, c.location))
    return tuple(out)


def _check_units(spec: ProposeSpec, scenario: Scenario) -> None:
    site_ids = {s.id for s in scenario.sites}
    errand_ids = {e.id for e in scenario.errands}
    seen: set[str] = set()
    for i, unit in enumerate(spec.units):
        if unit.id in seen:
            raise ScenarioError("duplicate unit id", ("units", i, "id"), unit.id)
        if unit.id in site_ids:
            raise ScenarioError(
                "the base scenario already has a site with this id", ("units", i, "id"), unit.id
            )
        seen.add(unit.id)
        for j, errand in enumerate(unit.errands or ()):
            if errand not in errand_ids:
                raise ScenarioError(
                    f"undefined errand id (defined: {', '.join(sorted(errand_ids))})",
                    ("units", i, "errands", j),
                    errand,
                )


def _check_objective(spec: ProposeSpec, scenario: Scenario) -> None:
    """The objective and secondary KPIs must exist at their scope, for an id that exists."""
    ids = {
        "overall": {"all"},
        "group": {"vulnerable", "other"},
        "area": {a.id for a in scenario.areas},
        "site": {s.id for s in scenario.sites} | {u.id for u in spec.units},
    }
    for path, kpi in [(("objective",), spec.objective)] + [
        (("secondary", j), k) for j, k in enumerate(spec.secondary)
    ]:
        names = KPI_NAMES[kpi.scope]
        if kpi.kpi not in names:
            near = difflib.get_close_matches(kpi.kpi, sorted(names), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise ScenarioError(f"unknown KPI at scope {kpi.scope}{hint}", path, kpi.label)
        if kpi.scope == "stop":
            continue  # stop ids depend on the timetable
        if kpi.id not in ids[kpi.scope]:
            raise ScenarioError(
                f"no {kpi.scope} with this id (known: {', '.join(sorted(ids[kpi.scope]))})",
                path,
                kpi.label,
            )
        if kpi.scope == "group" and not any(
            a.vulnerable == (kpi.id == "vulnerable") for a in scenario.areas
        ):
            raise ScenarioError(
                f"the base scenario has no area in group '{kpi.id}'", path, kpi.label
            )


def _hand_made(
    spec: ProposeSpec, base_dir: Path, base_path: Path
) -> tuple[dict[str, dict[str, Any]], Path | None]:
    if spec.compare_with is None:
        return {}, None
    path = (base_dir / spec.compare_with).resolve()
    try:
        sweep: Sweep = load_sweep(path)
    except ScenarioError as exc:
        raise ScenarioError(
            f"compare_with sweep is invalid: {exc}", ("compare_with",), spec.compare_with
        ) from None
    designs = {
        name: {k: v for k, v in changes.model_dump(mode="json").items() if v}
        for name, changes in sweep.spec.designs.items()
    }
    if sweep.spec.factors:
        log.info(
            "compare_with %s: its factors (%s) are not crossed; its designs run on the propose base",
            spec.compare_with,
            ", ".join(sweep.spec.factors),
        )
    if sweep.spec.base is not None and (path.parent / sweep.spec.base).resolve() != base_path:
        log.warning(
            "compare_with %s has another base scenario (%s); its designs are applied to %s",
            spec.compare_with,
            sweep.spec.base,
            spec.base,
        )
    return designs, path


def weekday_name(day: int) -> str:
    """``mon`` .. ``sun`` for 0 .. 6."""
    return WEEKDAYS[day]
