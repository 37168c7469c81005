"""PILOT.yaml: where should one mobile-unit design be piloted? The candidate regions and rules.

A pilot file lists the candidate regions (base scenarios), the one unit design and budget
every region gets, how many regions the pilot may use (``choose``), the objective in absolute
counts and the selection's confidence and indifference zone. :func:`load_pilot` validates it,
turns each region into a propose document (:mod:`simulation.scenario.propose_spec`) and loads
it, so a bad region names the pilot file and the path ``regions.<i>``.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from simulation.scenario.documents import check_kind
from simulation.scenario.errors import ScenarioError
from simulation.scenario.names import slug
from simulation.scenario.pilot_share import SharedPair, neighbours, shared_pair, why_not
from simulation.scenario.pilot_worlds import check_uncertain
from simulation.scenario.propose_loading import Propose, load_propose
from simulation.scenario.propose_spec import (
    Budget,
    Name,
    ScreeningSpec,
    SearchSpec,
)
from simulation.scenario.pydantic_errors import from_pydantic
from simulation.scenario.schema import Id, NonNeg, Positive
from simulation.scenario.sweep_spec import KpiSpec
from simulation.scenario.uncertain import UNCERTAIN_VOCABULARY, UncertainSpec
from simulation.scenario.yaml_io import read_yaml

_FROZEN = ConfigDict(extra="forbid", frozen=True)

PILOT_OBJECTIVE = "unserved_needs_per_yr@group:vulnerable"
"""Default objective: unserved needs a year in the listed areas (absolute, not per 1,000)."""

PILOT_UNIT = "mobile-pilot"
"""Site id of the pilot's unit in every region."""


class PilotUnit(BaseModel):
    """The one unit design every region gets."""

    model_config = _FROZEN
    name: str | None = None
    counters: Annotated[int, Field(ge=1, le=100, strict=True)]
    errands: tuple[Id, ...] | None = None
    setup_minutes: NonNeg = 30.0
    closing: Literal["serve_queue", "turn_away"] = "serve_queue"


class PilotSelection(BaseModel):
    """Rinott's two-stage selection of the best regions (independent, unequal variances)."""

    model_config = _FROZEN
    confidence: Annotated[float, Field(gt=0.5, lt=1, allow_inf_nan=False)] = 0.95
    indifference: Positive
    initial: Annotated[int, Field(ge=3, le=10000, strict=True)] = 10
    max_replications: Annotated[int, Field(ge=3, le=100000, strict=True)] = 200

    @model_validator(mode="after")
    def _bounds(self) -> PilotSelection:
        if self.max_replications < self.initial:
            raise ValueError(
                f"max_replications ({self.max_replications}) must be at least initial ({self.initial})"
            )
        return self


class PilotShare(BaseModel):
    """One unit shared by two neighbouring regions (``share:``; needs ``choose: 2``)."""

    model_config = _FROZEN
    max_km: Positive = 60.0


class PilotSpec(BaseModel):
    """A validated PILOT.yaml."""

    model_config = _FROZEN
    name: Name | None = None
    description: str | None = None
    regions: Annotated[tuple[str, ...], Field(min_length=2)]
    unit: PilotUnit
    budget: Budget
    choose: Literal[1, 2] = 1
    objective: KpiSpec = KpiSpec.model_validate(PILOT_OBJECTIVE)
    selection: PilotSelection
    share: PilotShare | None = None
    uncertain: UncertainSpec | None = None
    # 15 min, not propose's 30: with A9's decay half the demand is lost at 19.5 min, and at
    # 30 min the offices "cover" every listed area of 5 of the 11 Swedish regions
    screening: ScreeningSpec = ScreeningSpec(shortlist=2, catchment_minutes=15)
    # enough evaluations for a greedy search to use a 4-day budget over 2 stops x 5 days
    search: SearchSpec = SearchSpec(replications=3, max_evaluations=40)
    seed: Annotated[int, Field(ge=0, lt=2**63, strict=True)] | None = None

    @model_validator(mode="after")
    def _sizes(self) -> PilotSpec:
        if self.choose >= len(self.regions):
            raise ValueError(
                f"choose ({self.choose}) must be smaller than the number of regions "
                f"({len(self.regions)})"
            )
        return self

    @field_validator("share")
    @classmethod
    def _share_needs_two(cls, share: PilotShare | None, info: ValidationInfo) -> PilotShare | None:
        choose = info.data.get("choose")
        if share is not None and choose is not None and choose < 2:
            raise ValueError(f"a unit shared by two regions needs choose: 2, not {choose}")
        return share


def _vocabulary() -> list[str]:
    words: set[str] = set()
    models = (PilotSpec, PilotUnit, PilotSelection, PilotShare, Budget, ScreeningSpec, SearchSpec)
    for model in models:
        words.update(model.model_fields)
    return sorted(words | set(UNCERTAIN_VOCABULARY))


@dataclass(frozen=True)
class Pilot:
    """A loaded pilot file: its spec and one loaded propose document per region.

    Attributes
    ----------
    spec
        The validated file.
    source
        The file it came from (``None`` for a mapping).
    name
        Name of the pilot (results go to ``results/<name>-pilot``).
    regions
        One :class:`~simulation.scenario.propose_loading.Propose` per region, in file order.
    seed
        The pilot's root seed (each region's simulations use a seed derived from it).
    shared
        The shared pairs (``share:``): neighbouring regions with one combined scenario each.
    unshared
        Neighbours within ``share.max_km`` that cannot share a unit: ``(pair, reason)``.
    """

    spec: PilotSpec
    source: str | None
    name: str
    regions: tuple[Propose, ...]
    seed: int
    shared: tuple[SharedPair, ...] = ()
    unshared: tuple[tuple[str, str], ...] = ()


def region_document(spec: PilotSpec, base: Path, seed: int) -> dict[str, Any]:
    """The propose document of one region: the pilot's unit and budget on its base scenario."""
    unit = {"id": PILOT_UNIT, **spec.unit.model_dump(mode="json", exclude_none=True)}
    unit.setdefault("name", "Mobile pilot unit")
    return {
        "base": str(base),
        "candidates": "areas",
        "units": [unit],
        "budget": spec.budget.model_dump(mode="json"),
        "objective": spec.objective.label,
        "secondary": ["staff_hours_per_week", "served_per_yr", "unserved_needs_per_yr"],
        "screening": spec.screening.model_dump(mode="json"),
        "search": spec.search.model_dump(mode="json"),
        "selection": {"confidence": spec.selection.confidence, "contenders": 1},
        "seed": seed,
    }


def load_pilot(source: str | os.PathLike[str] | Mapping[str, Any]) -> Pilot:
    """Load and validate a pilot file (or mapping) and every region's base scenario.

    Parameters
    ----------
    source
        Path to a PILOT.yaml, or a mapping with the same content (relative region paths are
        then taken from the current directory).

    Returns
    -------
    Pilot
        The spec and one loaded propose document per region.

    Raises
    ------
    ScenarioError
        Naming the pilot file, the path inside it and the offending value.
    """
    if isinstance(source, Mapping):
        document: Any = dict(source)
        where, base_dir = None, Path.cwd()
    elif isinstance(source, str | os.PathLike):
        where, base_dir = str(source), Path(source).parent
        document = read_yaml(source)
    else:
        raise ScenarioError("expected a pilot file path or a mapping of pilot keys", (), source)
    try:
        if not isinstance(document, Mapping):
            raise ScenarioError("expected a mapping of pilot keys at the top level", (), document)
        check_kind(dict(document), "pilot")
        try:
            spec = PilotSpec.model_validate(dict(document))
        except ValidationError as exc:
            raise from_pydantic(exc, _vocabulary()) from None
        return _resolve(spec, where, base_dir)
    except ScenarioError as exc:
        raise exc.with_source(where) if where else exc from None


def _resolve(spec: PilotSpec, where: str | None, base_dir: Path) -> Pilot:
    seed = spec.seed if spec.seed is not None else 0
    regions: list[Propose] = []
    names: dict[str, int] = {}
    for i, region in enumerate(spec.regions):
        base = (base_dir / region).resolve()
        if not base.is_file():
            raise ScenarioError("no such scenario file", ("regions", i), region)
        try:
            loaded = load_propose(region_document(spec, base, seed))
        except ScenarioError as exc:
            raise _region_error(exc, i, region) from None
        name = slug(loaded.scenario.name.removeprefix("sweden-"))
        if name in names:
            raise ScenarioError(f"same region as regions[{names[name]}]", ("regions", i), region)
        names[name] = i
        regions.append(_renamed(loaded, name, seed))
    if where is not None:
        stem = Path(where).name.removesuffix(".yaml").removesuffix(".yml")
        default = slug(stem.removesuffix(".pilot").removesuffix("-pilot")) or "pilot"
    else:
        default = "pilot"
    if spec.uncertain is not None:
        check_uncertain(spec.uncertain, spec.objective.label, regions)
    shared: list[SharedPair] = []
    unshared: list[tuple[str, str]] = []
    if spec.share is not None:
        for i, j, km in neighbours(tuple(regions), spec.share.max_km):
            reason = why_not(regions[i], regions[j])
            if reason is not None:
                unshared.append((f"{regions[i].name}+{regions[j].name}", reason))
                continue
            key = "+".join(sorted((regions[i].name, regions[j].name)))  # not by position
            shared.append(shared_pair(regions[i], regions[j], km, region_seed(seed, key)))
    return Pilot(
        spec, where, spec.name or default, tuple(regions), seed, tuple(shared), tuple(unshared)
    )


def _region_error(exc: ScenarioError, i: int, region: str) -> ScenarioError:
    """A region's propose error, named by the pilot file's own key where it is about one."""
    head = exc.path[0] if exc.path else None
    if head in ("objective", "budget", "screening", "search"):
        return ScenarioError(f"{exc.message} (in region {region})", exc.path, exc.value)
    if head == "units":
        path = ("unit", *exc.path[2:])
        return ScenarioError(f"{exc.message} (in region {region})", path, exc.value)
    return ScenarioError(f"region is invalid: {exc.message}", ("regions", i), region)


def region_seed(seed: int, name: str) -> int:
    """A region's root seed: derived from the pilot seed and the region's name (not its
    position), so regions draw independent random numbers and reordering changes nothing."""
    state = np.random.SeedSequence([seed, zlib.crc32(name.encode())]).generate_state(2, np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1]))


def _renamed(loaded: Propose, name: str, seed: int) -> Propose:
    return replace(loaded, name=name, seed=region_seed(seed, name))
