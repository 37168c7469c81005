"""Building a scenario from a YAML file or a dict, and the checks that relate its parts.

The file is read by :func:`simulation.scenario.yaml_io.read_yaml`; the document is validated
by the schema (:mod:`simulation.scenario.schema`), then by :func:`check_references` (ids,
shares, profiles, opening hours, schedules, expected needs, the travel matrix). Every
problem ends in one :class:`~simulation.scenario.errors.ScenarioError` naming the file, the
path inside it, the value and what was expected.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from simulation.scenario.documents import absolute_matrix
from simulation.scenario.errors import ScenarioError
from simulation.scenario.hours import parse_opening_hours, parse_staffing
from simulation.scenario.limits import check_needs
from simulation.scenario.names import name_from_file
from simulation.scenario.profiles import expected_needs
from simulation.scenario.pydantic_errors import from_pydantic
from simulation.scenario.schedules import check_schedule
from simulation.scenario.schema import (
    MAX_NEEDS_PER_YEAR,
    WEEKDAYS,
    Mobile,
    Office,
    Profile,
    Scenario,
)
from simulation.scenario.yaml_io import read_yaml

if TYPE_CHECKING:
    from simulation.scenario.travel_matrix import TravelIds


def load_scenario(
    source: str | os.PathLike[str] | Mapping[str, Any] | Scenario,
    travel_ids: TravelIds | None = None,
) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    source
        A path to a YAML file, a mapping with the same content, or a ``Scenario``
        (returned unchanged).
    travel_ids
        Ids a travel matrix may name beyond the scenario's own (see
        :class:`simulation.scenario.travel_matrix.TravelIds`); default: only the scenario's.

    Returns
    -------
    Scenario
        Frozen, validated scenario with defaults filled in.

    Raises
    ------
    ScenarioError
        On any invalid input, naming file, path, value and expectation.
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, Mapping):
        return scenario_from_dict(source, None, None, travel_ids)
    if not isinstance(source, str | os.PathLike):
        raise ScenarioError(
            "expected a scenario file path or a mapping of scenario keys", (), source
        )
    path = Path(source)
    document = read_yaml(path)
    return scenario_from_dict(document, str(path), path.parent, travel_ids)


def scenario_from_dict(
    document: Any, source: str | None, base_dir: Path | None, travel_ids: TravelIds | None = None
) -> Scenario:
    """Validate a parsed document as a scenario (see :func:`load_scenario`)."""
    try:
        if not isinstance(document, Mapping):
            raise ScenarioError(
                "expected a mapping of scenario keys at the top level", (), document
            )
        data = dict(document)
        if "build" in data and "areas" not in data:
            raise ScenarioError(
                "this is a build spec, not a scenario (its areas and sites come from tables); "
                "give it to servicesim build, which writes the scenario",
                ("build",),
            )
        if "regions" in data and "areas" not in data:
            raise ScenarioError(
                "this is a pilot file, not a scenario (it names regions' scenarios); "
                "give it to servicesim pilot",
                ("regions",),
            )
        if "name" not in data and source is not None:
            data["name"] = name_from_file(source, "scenario")
        if base_dir:
            data = absolute_matrix(data, base_dir)
        try:
            scenario = Scenario.model_validate(data)
        except ValidationError as exc:
            raise from_pydantic(exc) from None
        check_references(scenario, travel_ids)
        return scenario
    except ScenarioError as exc:
        raise exc.with_source(source) if source else exc from None


def _check_profile(profile: Any, path: tuple[str | int, ...]) -> None:
    if not isinstance(profile, Profile):
        return
    if profile.weekday is not None:
        for key in profile.weekday:
            if key not in WEEKDAYS:
                raise ScenarioError("expected a weekday mon..sun", path + ("weekday", key), key)
        if not any(v > 0 for v in profile.weekday.values()):
            raise ScenarioError("at least one weekday weight must be positive", path + ("weekday",))
    if profile.hour is not None:
        for hour in profile.hour:
            if not 0 <= hour <= 23:
                raise ScenarioError("expected an hour of day 0..23", path + ("hour", hour), hour)
        if not any(v > 0 for v in profile.hour.values()):
            raise ScenarioError("at least one hour weight must be positive", path + ("hour",))


def _unique(items: tuple[Any, ...], section: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            raise ScenarioError("duplicate id", (section, i, "id"), item.id)
        seen.add(item.id)


def check_references(scenario: Scenario, travel_ids: TravelIds | None = None) -> None:
    """Checks that relate parts of a scenario: ids, shares, profiles, opening hours, the
    expected number of needs (:func:`simulation.scenario.limits.check_needs`) and the travel matrix.

    Parameters
    ----------
    scenario
        The structurally valid scenario.
    travel_ids
        Ids a travel matrix may name beyond the scenario's own (a sweep's other designs);
        :data:`simulation.scenario.travel_matrix.ANY_IDS` leaves the matrix to the caller.

    Raises
    ------
    ScenarioError
        Without a source; :func:`load_scenario` adds it.
    """
    cal = scenario.calendar
    if cal.warmup_days >= cal.days:
        raise ScenarioError(
            f"must be smaller than calendar.days ({cal.days})",
            ("calendar", "warmup_days"),
            cal.warmup_days,
        )
    _unique(scenario.errands, "errands")
    _unique(scenario.areas, "areas")
    _unique(scenario.sites, "sites")
    total = math.fsum(e.share for e in scenario.errands)
    if abs(total - 1.0) > 1e-6:
        raise ScenarioError("errand shares must sum to 1", ("errands",), round(total, 9))
    _check_profile(scenario.demand_profile, ("demand_profile",))
    for i, area in enumerate(scenario.areas):
        _check_profile(area.demand_profile, ("areas", i, "demand_profile"))
        per_year = area.demand.per_minute(area.population) * 365 * 1440
        if per_year > MAX_NEEDS_PER_YEAR * (1 + 1e-9):
            raise ScenarioError(
                f"demand of {per_year:.3g} needs a year is more than the "
                f"{MAX_NEEDS_PER_YEAR:.0e} any run can handle",
                ("areas", i, "demand"),
                area.demand.model_dump(exclude_none=True),
            )
    check_needs(expected_needs(scenario), ("areas",), f"per replication over {cal.days} days")
    errand_ids = {e.id for e in scenario.errands}
    for i, site in enumerate(scenario.sites):
        for j, errand in enumerate(site.errands or ()):
            if errand not in errand_ids:
                near = difflib.get_close_matches(errand, sorted(errand_ids), n=1)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                raise ScenarioError(
                    f"undefined errand id{hint} (defined: {', '.join(sorted(errand_ids))})",
                    ("sites", i, "errands", j),
                    errand,
                )
        try:
            if isinstance(site, Mobile):
                check_schedule(site, scenario)
            elif isinstance(site.opening_hours, Mapping) and not site.opening_hours:
                # `{}` is almost surely a mistake; days listed with no windows are an explicit choice
                raise ScenarioError(
                    "an office must be open at some time: give at least one window, e.g. "
                    "{mon-fri: ['10:00-16:00']}, or 'always' (to leave an office out, remove "
                    "it from the sites)",
                    (),
                    site.opening_hours,
                )
            else:
                parse_opening_hours(site.opening_hours)
        except ScenarioError as exc:
            prefix = ("sites", i) if isinstance(site, Mobile) else ("sites", i, "opening_hours")
            raise exc.with_prefix(prefix) from None
        if isinstance(site, Office) and site.staffing is not None:
            try:
                parse_staffing(site.staffing, parse_opening_hours(site.opening_hours))
            except ScenarioError as exc:
                raise exc.with_prefix(("sites", i, "staffing")) from None
    from simulation.scenario.travel_matrix import ANY_IDS, read_travel_matrix

    if travel_ids is ANY_IDS:  # checked by the caller, e.g. a sweep
        return
    if scenario.travel.matrix is not None:
        read_travel_matrix(
            scenario, travel_ids
        )  # areas it leaves unreachable: engine.network.warn_unreachable
