"""PROPOSE.yaml: what to propose (mobile units, budget, candidates) and how to judge it.

A propose file names a base scenario, the mobile units that may be added to it and the
budget they run on, where they may stop (the candidates), what to minimise (the objective)
and how hard to look (screening, search and selection settings). Structural checks live in
the pydantic models below; :func:`simulation.scenario.propose_loading.load_propose` adds the
checks that relate the file to its base scenario.
"""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulation.scenario.errors import ScenarioError
from simulation.scenario.hours import parse_day_key, parse_window
from simulation.scenario.names import SAFE
from simulation.scenario.pydantic_errors import from_pydantic
from simulation.scenario.schema import WEEKDAYS, Id, Location, NonNeg, Positive
from simulation.scenario.sweep_spec import KpiSpec

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


def spec_error(exc: ValidationError) -> ScenarioError:
    """The project's error for a pydantic error, with 'did you mean' from this file's keys."""
    return from_pydantic(exc, _VOCABULARY)


def weekday_name(day: int) -> str:
    """``mon`` .. ``sun`` for 0 .. 6."""
    return WEEKDAYS[day]
