"""Loading a propose file: its base scenario, candidates, units, objective and hand-made designs.

:func:`load_propose` validates a PROPOSE.yaml against the models of
:mod:`simulation.scenario.propose_spec`, reads its base scenario
(:func:`simulation.scenario.documents.read_base`), adds the checks that relate the file to
that scenario, and turns every problem into one
:class:`~simulation.scenario.errors.ScenarioError` naming the file, the path inside it and
the value.
"""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulation.scenario.documents import check_kind, read_base
from simulation.scenario.errors import ScenarioError
from simulation.scenario.kpi_catalogue import KPI_NAMES
from simulation.scenario.loading import scenario_from_dict
from simulation.scenario.names import name_from_file, slug
from simulation.scenario.propose_spec import ProposeSpec, spec_error
from simulation.scenario.schema import Location, Scenario
from simulation.scenario.sweep_spec import Sweep, load_sweep
from simulation.scenario.yaml_io import read_yaml

log = logging.getLogger(__name__)


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
        check_kind(dict(document), "propose")
        try:
            spec = ProposeSpec.model_validate(dict(document))
        except ValidationError as exc:
            raise spec_error(exc) from None
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
