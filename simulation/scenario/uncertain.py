"""Uncertain inputs of a sweep file: their ranges, the sampled worlds, each world's scenario.

A sweep file's ``uncertain:`` block names scenario values that rest on assumptions and the
range each may plausibly take::

    uncertain:
      worlds: 64
      sampler: lhs            # lhs | sobol | grid
      replications: 3         # per design and world
      inputs:
        behaviour.decay.scale: {low: 15, high: 60}
        areas[vulnerable].demand.per_1000_per_year: {scale: {low: 0.7, high: 1.3}}

Paths are those of ``set:`` (dotted, list items by id or position) with one addition: a list
segment may select a group, ``areas[*]`` (every item), ``areas[vulnerable]`` (items whose
``vulnerable`` flag is true) or ``areas[!vulnerable]`` (the others). ``{low, high}`` sets
every selected value to the sampled number; ``{scale: {low, high}}`` multiplies each by the
sampled factor. A value that is a whole number in the scenario (``counters``) is rounded.

A *world* is one sampled combination of the inputs. Paths are resolved against each design's
scenario with every default filled in; an input applies to the designs that have its path
(``sites.mobile-1.setup_minutes`` only to designs with that unit) and must exist in at least
one. The worlds are drawn from the sweep file's own seed (a ``--seed`` override changes the
random streams, not the worlds).
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulation.scenario.errors import ScenarioError

_FROZEN = ConfigDict(extra="forbid", frozen=True)
_GROUP = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<sel>\*|!?[A-Za-z_][A-Za-z0-9_]*)\]$")


class Range(BaseModel):
    """A plausible range ``low`` to ``high`` (sampled uniformly)."""

    model_config = _FROZEN
    low: Annotated[float, Field(allow_inf_nan=False)]
    high: Annotated[float, Field(allow_inf_nan=False)]

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be above low ({self.low})")
        return self


class InputRange(BaseModel):
    """One uncertain input: ``{low, high}`` (the value itself) or ``{scale: {low, high}}``
    (a factor that multiplies every selected value)."""

    model_config = _FROZEN
    low: Annotated[float, Field(allow_inf_nan=False)] | None = None
    high: Annotated[float, Field(allow_inf_nan=False)] | None = None
    scale: Range | None = None

    @model_validator(mode="after")
    def _one_form(self) -> InputRange:
        if self.scale is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("give either low and high, or scale: {low, high}, not both")
            if self.scale.low <= 0:
                raise ValueError(f"a scale factor must be above 0 (low is {self.scale.low})")
            return self
        if self.low is None or self.high is None:
            raise ValueError("expected {low, high} or {scale: {low, high}}")
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be above low ({self.low})")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        """``(low, high)`` of the sampled number (a factor for ``scale``)."""
        if self.scale is not None:
            return self.scale.low, self.scale.high
        return float(self.low), float(self.high)  # type: ignore[arg-type]  # both set here


class UncertainSpec(BaseModel):
    """The ``uncertain:`` block of a sweep file."""

    model_config = _FROZEN
    worlds: Annotated[int, Field(ge=2, le=100000)] = 64
    sampler: Literal["lhs", "sobol", "grid"] = "lhs"
    replications: Annotated[int, Field(ge=2, le=10000)] = 3
    kpi: str | None = None
    inputs: Annotated[dict[str, InputRange], Field(min_length=1)]

    @model_validator(mode="after")
    def _sizes(self) -> UncertainSpec:
        if self.sampler == "sobol" and self.worlds & (self.worlds - 1):
            raise ValueError(
                f"with sampler sobol, worlds is the base sample N and must be a power of 2 "
                f"(got {self.worlds})"
            )
        if self.sampler == "grid":
            k = grid_points(self.worlds, len(self.inputs))
            if k ** len(self.inputs) != self.worlds:
                raise ValueError(
                    f"with sampler grid, worlds must be a whole power of the number of inputs "
                    f"({len(self.inputs)}), e.g. {k ** len(self.inputs)} (got {self.worlds})"
                )
        return self

    def bounds(self) -> list[tuple[float, float]]:
        """``(low, high)`` of every input, in the order of :attr:`inputs`."""
        return [r.bounds for r in self.inputs.values()]

    def world_count(self) -> int:
        """Worlds simulated: ``worlds``, or ``worlds × (inputs + 2)`` for Saltelli's Sobol' design."""
        if self.sampler == "sobol":
            return self.worlds * (len(self.inputs) + 2)
        return self.worlds


UNCERTAIN_VOCABULARY = sorted(
    {f for m in (UncertainSpec, Range, InputRange) for f in m.model_fields}
)


def grid_points(worlds: int, inputs: int) -> int:
    """Points per input of a full grid of ``worlds`` points over ``inputs`` inputs."""
    return max(1, round(worlds ** (1 / max(inputs, 1))))


def _sampling_seed(seed: int) -> int:
    digest = hashlib.blake2b(b"uncertain/worlds", digest_size=4).digest()
    return int(
        np.random.SeedSequence([seed, int.from_bytes(digest, "little")]).generate_state(1)[0]
    )


def sample_worlds(spec: UncertainSpec, seed: int) -> np.ndarray:
    """The sampled input values, one row per world and one column per input.

    Parameters
    ----------
    spec
        The ``uncertain:`` block.
    seed
        The sweep file's seed (the same seed gives the same worlds).

    Returns
    -------
    numpy.ndarray
        ``(worlds, inputs)`` values (factors for ``scale`` inputs) inside the ranges:
        a Latin hypercube (``lhs``), Saltelli's design for Sobol' indices without second-order
        terms (``sobol``, ``worlds × (inputs + 2)`` rows) or the midpoints of a full grid
        (``grid``).
    """
    bounds = np.array(spec.bounds(), dtype=float)
    d = len(bounds)
    rng_seed = _sampling_seed(seed)
    if spec.sampler == "sobol":
        from SALib.sample import sobol

        problem = {"num_vars": d, "names": list(spec.inputs), "bounds": bounds.tolist()}
        return np.asarray(
            sobol.sample(problem, spec.worlds, calc_second_order=False, seed=rng_seed), dtype=float
        )
    if spec.sampler == "grid":
        k = grid_points(spec.worlds, d)
        mids = (np.arange(k) + 0.5) / k
        unit = np.array(np.meshgrid(*([mids] * d), indexing="ij")).reshape(d, -1).T
    else:
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=d, rng=np.random.default_rng(rng_seed)).random(spec.worlds)
    return bounds[:, 0] + unit * (bounds[:, 1] - bounds[:, 0])


def _locations(node: Any, parts: list[str]) -> list[tuple[Any, str | int]]:
    """Every ``(container, key)`` that ``parts`` reaches under ``node`` (empty: no such path)."""
    if not parts:
        return []
    head, rest = parts[0], parts[1:]
    group = _GROUP.match(head)
    if group:
        items = node.get(group["name"]) if isinstance(node, Mapping) else None
        if not isinstance(items, list):
            return []
        sel = group["sel"]
        chosen = [
            item
            for item in items
            if isinstance(item, Mapping)
            and (sel == "*" or bool(item.get(sel.lstrip("!"))) != sel.startswith("!"))
        ]
        return [loc for item in chosen for loc in _locations(item, rest)] if rest else []
    key: str | int | None = None
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, Mapping) and str(item.get("id")) == head:
                key = i
                break
        else:
            key = int(head) if head.isdigit() and int(head) < len(node) else None
    elif isinstance(node, Mapping) and head in node:
        key = head
    if key is None:
        return []
    if not rest:
        return [(node, key)]
    return _locations(node[key], rest)


def locations(document: Mapping[str, Any], path: str) -> list[tuple[Any, str | int]]:
    """The numeric values ``path`` selects in ``document`` (a resolved scenario), as
    ``(container, key)`` pairs; empty when the path is not there.

    Raises
    ------
    ScenarioError
        At ``uncertain.inputs.<path>`` if the path reaches a value that is not a number.
    """
    found = _locations(document, str(path).split("."))
    for container, key in found:
        value = container[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError(
                "an uncertain input must be a number in the scenario",
                ("uncertain", "inputs", path),
                value,
            )
    return found


def apply_world(
    document: Mapping[str, Any], spec: UncertainSpec, values: np.ndarray
) -> dict[str, Any]:
    """A copy of a resolved scenario ``document`` with one world's ``values`` applied.

    Inputs whose path this document lacks are skipped (see the module docstring).
    """
    doc = copy.deepcopy(dict(document))
    for (path, rng), value in zip(spec.inputs.items(), values, strict=True):
        for container, key in locations(doc, path):
            old = container[key]
            new = old * float(value) if rng.scale is not None else float(value)
            container[key] = int(round(new)) if isinstance(old, int) else new
    return doc


def check_paths(spec: UncertainSpec, documents: list[Mapping[str, Any]]) -> None:
    """Every input must select at least one number in at least one design's scenario.

    Raises
    ------
    ScenarioError
        At ``uncertain.inputs.<path>``.
    """
    for path in spec.inputs:
        if not any(locations(doc, path) for doc in documents):
            raise ScenarioError(
                "no design's scenario has a number at this path (paths as in set:, "
                "groups as areas[*], areas[vulnerable], areas[!vulnerable])",
                ("uncertain", "inputs", path),
                path,
            )


def corner_values(spec: UncertainSpec) -> list[tuple[str, str, np.ndarray]]:
    """``(path, 'low' | 'high', values)``: each input at one end of its range, the others at
    their midpoints (checked at load so that a range that breaks the scenario is named)."""
    bounds = spec.bounds()
    mids = np.array([(lo + hi) / 2 for lo, hi in bounds])
    out = []
    for j, path in enumerate(spec.inputs):
        for end, value in (("low", bounds[j][0]), ("high", bounds[j][1])):
            values = mids.copy()
            values[j] = value
            out.append((path, end, values))
    return out


def world_label(world: int) -> str:
    """The level label of a world's runs (``world-007``)."""
    return f"world-{world:03d}"
