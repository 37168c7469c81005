"""The scenario schema: frozen, validated configuration data.

A scenario is plain data. The model builds its own runtime state from it and never writes
to it. Structural checks (types, ranges, unknown keys) live here as pydantic models;
checks that relate parts of the document to each other (ids, shares, opening windows) live
in :mod:`simulation.scenario.loading`, which also turns errors into :class:`~simulation.scenario.errors.ScenarioError`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from simulation.scenario.distributions import Distribution
from simulation.scenario.names import SAFE
from simulation.scenario.returns_schema import Returns

_FROZEN = ConfigDict(extra="forbid", frozen=True)

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _none_word(value: Any) -> Any:
    """Accept the word ``none`` (any case) for 'not set' as well as YAML null."""
    if isinstance(value, str) and value.strip().lower() == "none":
        return None
    return value


NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Id = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
OptionalDistribution = Annotated[Distribution | None, BeforeValidator(_none_word)]
OptionalCount = Annotated[
    Annotated[int, Field(ge=0, strict=True)] | None, BeforeValidator(_none_word)
]
OptionalMinutes = Annotated[
    Annotated[float, Field(gt=0, allow_inf_nan=False)] | None, BeforeValidator(_none_word)
]


class Calendar(BaseModel):
    """Simulated period: day 0 is ``start`` (its weekday sets the weekly pattern)."""

    model_config = _FROZEN
    start: Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2200, 12, 31))]
    days: Annotated[int, Field(ge=1, le=3660, strict=True)]
    warmup_days: Annotated[int, Field(ge=0, strict=True)] = 0

    @property
    def horizon_min(self) -> float:
        """Length of the run in minutes."""
        return self.days * 1440.0

    @property
    def warmup_min(self) -> float:
        """End of the warm-up in minutes; needs before it are not counted."""
        return self.warmup_days * 1440.0

    @property
    def first_weekday(self) -> int:
        """Weekday of day 0 (0 = Monday)."""
        return self.start.weekday()


class Errand(BaseModel):
    """A kind of errand, its share of all needs and its service-time distribution."""

    model_config = _FROZEN
    id: Id
    name: str | None = None
    share: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
    service_minutes: Distribution
    returns: Annotated[Returns | None, BeforeValidator(_none_word)] = None
    """This errand's own return visits, replacing ``behaviour.returns`` for its needs."""


class Profile(BaseModel):
    """Relative demand weights per weekday and per hour of day.

    Missing weekdays or hours get weight 0; an omitted table means 'the same every
    weekday' or 'the same every hour'. The weights only redistribute demand over the week:
    the weekly total follows the area's rate.
    """

    model_config = _FROZEN
    weekday: dict[str, NonNeg] | None = None
    hour: dict[int, NonNeg] | None = None


ProfileSpec = Literal["flat"] | Profile


class Location(BaseModel):
    """A point in WGS84 degrees."""

    model_config = _FROZEN
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


MAX_NEEDS_PER_YEAR = 1e8
"""Most needs a year one area may generate (the national network has ~2.8 million visits)."""


class Demand(BaseModel):
    """An area's demand: exactly one of the three rates."""

    model_config = _FROZEN
    # upper bounds far above any real office (the national network is ~2.8 M visits a year)
    # but low enough that a run can always complete
    per_1000_per_year: Annotated[float, Field(ge=0, le=1e12, allow_inf_nan=False)] | None = None
    per_year: Annotated[float, Field(ge=0, le=MAX_NEEDS_PER_YEAR, allow_inf_nan=False)] | None = (
        None
    )
    per_hour: (
        Annotated[float, Field(ge=0, le=round(MAX_NEEDS_PER_YEAR / 8760), allow_inf_nan=False)]
        | None
    ) = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Demand:
        given = [
            k for k in ("per_1000_per_year", "per_year", "per_hour") if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError("give exactly one of per_1000_per_year, per_year or per_hour")
        return self

    def per_minute(self, population: float) -> float:
        """Average needs per minute over the week."""
        if self.per_hour is not None:
            return self.per_hour / 60.0
        if self.per_year is not None:
            return self.per_year / (365.0 * 1440.0)
        assert self.per_1000_per_year is not None  # exactly one rate is given (validated)
        return self.per_1000_per_year * population / 1000.0 / (365.0 * 1440.0)


class Area(BaseModel):
    """A residential area whose residents generate needs.

    ``speed_kmh`` is its residents' door-to-door travel speed (e.g. by car in the
    countryside); unset, they travel at the scenario's ``travel.speed_kmh``.
    """

    model_config = _FROZEN
    id: Id
    name: str | None = None
    population: Annotated[int, Field(ge=0, le=10_000_000, strict=True)]
    location: Location
    vulnerable: bool = False
    demand: Demand
    demand_profile: ProfileSpec | None = None
    speed_kmh: Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)] | None = None

    @property
    def label(self) -> str:
        """Display name."""
        return self.name or self.id


OpeningHours = Literal["always"] | dict[str, tuple[str, ...]]

StaffCount = Annotated[int, Field(ge=1, le=1000, strict=True)]
Staffing = dict[str, dict[str, StaffCount]]
"""Counters by time of day: day keys as in opening hours, each mapping windows to counts."""


class Office(BaseModel):
    """A fixed service office."""

    model_config = _FROZEN
    id: Id
    kind: Literal["office"]
    name: str | None = None
    location: Location
    counters: Annotated[int, Field(ge=1, le=1000, strict=True)]
    opening_hours: OpeningHours
    staffing: Staffing | None = None
    errands: tuple[Id, ...] | None = None
    queue_capacity: OptionalCount = None
    closing: Literal["serve_queue", "turn_away"] = "serve_queue"
    expected_wait_minutes: NonNeg = 0.0

    @property
    def label(self) -> str:
        """Display name."""
        return self.name or self.id


DayList = Annotated[tuple[str, ...], Field(min_length=1)]


class Stop(BaseModel):
    """One stop of a mobile unit: where, on which days, and when.

    The place is an area (the unit parks in it) or an explicit location. Days are
    weekdays (``[tue]``, ``[mon-wed, fri]``) every ``every_weeks``-th week counted from
    ``from_week`` (week 0 is the calendar week of day 0, weeks start on Monday), or
    explicit ``dates``. ``counters`` staffs the stop with its own count (else the unit's).
    """

    model_config = _FROZEN
    area: Id | None = None
    location: Location | None = None
    name: str | None = None
    days: DayList | None = None
    every_weeks: Annotated[int, Field(ge=1, le=52, strict=True)] = 1
    from_week: Annotated[int, Field(ge=0, strict=True)] = 0
    dates: Annotated[tuple[dt.date, ...], Field(min_length=1)] | None = None
    hours: Annotated[tuple[str, ...], Field(min_length=1)]
    counters: Annotated[int, Field(ge=1, le=100, strict=True)] | None = None

    @model_validator(mode="after")
    def _place_and_days(self) -> Stop:
        if (self.area is None) == (self.location is None):
            raise ValueError("give exactly one of 'area' (an area id) or 'location' (lat/lon)")
        if (self.days is None) == (self.dates is None):
            raise ValueError("give exactly one of 'days' (weekdays) or 'dates' (explicit dates)")
        return self


class Mobile(BaseModel):
    """A mobile service unit that serves only while it is at one of its stops."""

    model_config = _FROZEN
    id: Id
    kind: Literal["mobile"]
    name: str | None = None
    counters: Annotated[int, Field(ge=1, le=100, strict=True)]
    errands: tuple[Id, ...] | None = None
    setup_minutes: NonNeg = 30.0
    queue_capacity: OptionalCount = None
    closing: Literal["serve_queue", "turn_away"] = "serve_queue"
    expected_wait_minutes: NonNeg = 0.0
    schedule: Annotated[tuple[Stop, ...], Field(min_length=1)]

    @property
    def label(self) -> str:
        """Display name."""
        return self.name or self.id


Site = Annotated[Office | Mobile, Field(discriminator="kind")]


class Travel(BaseModel):
    """How long it takes to get from an area to a site.

    Minutes are great-circle kilometres × ``detour_factor`` / ``speed_kmh`` × 60 (an area's
    own ``speed_kmh`` in place of this one where it has one), or the ``matrix`` CSV's figure. A mobile stop placed at an area (``area: <id>``) is reached
    from that same area in ``within_area_minutes`` (the walk inside the area; 0 by
    default, which treats a stop like an office at the area's centre).
    """

    model_config = _FROZEN
    speed_kmh: Positive = 20.0
    detour_factor: Annotated[float, Field(ge=1, allow_inf_nan=False)] = 1.3
    max_travel_minutes: OptionalMinutes = None
    matrix: str | None = None
    within_area_minutes: NonNeg = 0.0


class Choice(BaseModel):
    """How a visitor picks among its options.

    ``least_cost`` takes the cheapest option (ties: the site listed first); ``logit``
    picks option *j* with probability proportional to ``exp(-cost_j / scale)``.
    """

    model_config = _FROZEN
    rule: Literal["least_cost", "logit"] = "least_cost"
    scale: Positive = 10.0
    queue_weight: NonNeg = 0.0


class Decay(BaseModel):
    """Distance decay: the chance a need is acted on falls with the best option's cost.

    ``exponential``: ``exp(-cost / scale)``; ``gaussian``: ``exp(-(cost / scale)**2 / 2)``.
    """

    model_config = _FROZEN
    form: Literal["exponential", "gaussian"]
    scale: Positive


class Behaviour(BaseModel):
    """How visitors choose, wait and give up."""

    model_config = _FROZEN
    patience_minutes: OptionalDistribution = None
    balk_queue_length: OptionalCount = None
    max_deferral_days: Annotated[int, Field(ge=0, le=60, strict=True)] = 7
    delay_minutes_per_day: NonNeg = 15.0
    choice: Choice = Choice()
    decay: Annotated[Decay | None, BeforeValidator(_none_word)] = None
    returns: Annotated[Returns | None, BeforeValidator(_none_word)] = None


class Scenario(BaseModel):
    """A complete, validated scenario."""

    model_config = _FROZEN
    name: Annotated[str, Field(min_length=1, max_length=100, pattern=SAFE.pattern)]
    description: str | None = None
    calendar: Calendar
    seed: Annotated[int, Field(ge=0, lt=2**63, strict=True)] = 0
    errands: Annotated[tuple[Errand, ...], Field(min_length=1)]
    demand_profile: ProfileSpec = "flat"
    areas: Annotated[tuple[Area, ...], Field(min_length=1)]
    sites: tuple[Site, ...] = ()
    travel: Travel = Travel()
    behaviour: Behaviour = Behaviour()

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario (defaults filled in) as plain YAML/JSON-ready data.

        The optional staffing keys (an office's ``staffing``, a stop's ``counters``) appear
        only when given, so a scenario without them resolves to the same document (and the
        same run identity) as before staffing existed.
        """
        doc = self.model_dump(mode="json")
        for site in doc["sites"]:
            if site.get("staffing", 0) is None:
                del site["staffing"]
            for stop in site.get("schedule", ()):
                if stop.get("counters", 0) is None:
                    del stop["counters"]
        for errand in doc["errands"]:
            if errand.get("returns", 0) is None:
                del errand["returns"]
            else:
                _drop_unset_delay(errand["returns"])
        behaviour = doc["behaviour"]
        if behaviour.get("returns", 0) is None:
            del behaviour["returns"]  # a scenario without returns resolves as before
        else:
            _drop_unset_delay(behaviour["returns"])
        return doc

    def returns_for(self, errand: int) -> Returns | None:
        """The return-visit rules of errand ``errand`` (its own, else ``behaviour.returns``)."""
        own = self.errands[errand].returns
        return own if own is not None else self.behaviour.returns

    @property
    def has_returns(self) -> bool:
        """Whether any need may return (``behaviour.returns`` or an errand's ``returns``)."""
        return self.behaviour.returns is not None or any(
            e.returns is not None for e in self.errands
        )


def _drop_unset_delay(returns: dict[str, Any]) -> None:
    """Leave out the delay key that was not given (exactly one of the two is)."""
    for key in ("delay_days", "delay_minutes"):
        if returns.get(key, 0) is None:
            del returns[key]
