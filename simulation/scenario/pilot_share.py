"""One mobile unit shared by two neighbouring pilot regions: which pairs, and their scenario.

With ``share: {max_km: 60}`` in a pilot file (and ``choose: 2``), every two regions whose
population-weighted centres lie at most ``max_km`` road kilometres apart (great-circle
kilometres × the scenarios' ``travel.detour_factor``, as the model counts travel) are also a
**shared pair**: one scenario with both regions' areas and offices (as
``configs/sweden/linkoping-norrkoping.yaml`` combines Linköping and Norrköping), on which the
propose search finds one unit's timetable within the same budget, its stops in either region.

Two regions can share a unit only if their scenarios agree on everything but their areas and
sites (calendar, errands, demand profile, travel, behaviour), neither uses a travel matrix and
no area or site id repeats across the two (else the combined scenario would be the model of
neither). Neighbours that cannot are **not shared**: the pilot lists them with the reason
(``servicesim validate``, the log, ``pilot.md`` and ``manifest.json``) and goes on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from simulation.scenario.errors import ScenarioError
from simulation.scenario.loading import scenario_from_dict
from simulation.scenario.propose_loading import Candidate, Propose
from simulation.scenario.schema import Scenario

EARTH_RADIUS_KM = 6371.0088
"""As :data:`simulation.engine.geography.EARTH_RADIUS_KM` (the scenario layer is below it)."""

COMMON = ("calendar", "errands", "demand_profile", "travel", "behaviour")
"""What two regions' scenarios must have in common to share a unit."""


@dataclass(frozen=True)
class SharedPair:
    """Two neighbouring regions and the combined propose document of their shared unit.

    Attributes
    ----------
    name
        ``<a>+<b>``, the two region names in file order.
    parts
        The two region names.
    road_km
        Road kilometres between the regions' population-weighted centres.
    propose
        The propose document of the combined scenario (its seed derived from ``name``).
    """

    name: str
    parts: tuple[str, str]
    road_km: float
    propose: Propose


def centre(scenario: Scenario) -> tuple[float, float]:
    """Population-weighted centre ``(lat, lon)`` of a scenario's areas."""
    areas = scenario.areas
    total = sum(a.population for a in areas) or 1.0
    lat = sum(a.location.lat * a.population for a in areas) / total
    lon = sum(a.location.lon * a.population for a in areas) / total
    return float(lat), float(lon)


def road_km(a: Scenario, b: Scenario) -> float:
    """Road kilometres between two regions' centres: haversine × ``travel.detour_factor``."""
    (lat1, lon1), (lat2, lon2) = centre(a), centre(b)
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    km = 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))
    return km * a.travel.detour_factor


def _differences(a: Scenario, b: Scenario) -> list[str]:
    da, db = a.model_dump(mode="json"), b.model_dump(mode="json")
    return [key for key in COMMON if da[key] != db[key]]


def _combined_document(a: Propose, b: Propose) -> dict[str, Any]:
    doc = dict(a.base_document)
    doc["name"] = f"{a.name}-{b.name}-shared"
    heads = [(p.scenario.description or p.name).split(":")[0].strip() for p in (a, b)]
    doc["description"] = f"{heads[0]} + {heads[1]}: one mobile unit shared by both"
    doc["areas"] = [*a.base_document["areas"], *b.base_document["areas"]]
    doc["sites"] = [*a.base_document.get("sites", []), *b.base_document.get("sites", [])]
    return doc


def why_not(a: Propose, b: Propose) -> str | None:
    """Why two regions' scenarios cannot be combined into one, or ``None`` if they can."""
    differ = _differences(a.scenario, b.scenario)
    if differ:
        return f"their scenarios differ in {', '.join(differ)}"
    if a.scenario.travel.matrix is not None:
        return "a travel matrix does not cover the other region's sites"
    ids = {x.id for x in (*a.scenario.areas, *a.scenario.sites)}
    repeated = sorted(ids & {x.id for x in (*b.scenario.areas, *b.scenario.sites)})
    if repeated:
        return f"ids used by both ({', '.join(repeated[:3])})"
    return None


def shared_pair(a: Propose, b: Propose, km: float, seed: int) -> SharedPair:
    """The shared pair of two regions' propose documents (``seed``: the pair's root seed).

    Raises
    ------
    ScenarioError
        At ``share`` when the two scenarios cannot be combined into one (:func:`why_not`).
    """
    name = f"{a.name}+{b.name}"
    reason = why_not(a, b)
    if reason is not None:
        raise ScenarioError(
            f"regions {a.name} and {b.name} cannot share one unit: {reason}", ("share",), name
        )
    document = _combined_document(a, b)
    scenario = scenario_from_dict(document, None, None)
    candidates = tuple(Candidate(x.id, x.name, x.id, None) for x in scenario.areas)
    propose = replace(
        a,
        name=name,
        base_document=document,
        scenario=scenario,
        candidates=candidates,
        seed=seed,
    )
    return SharedPair(name, (a.name, b.name), km, propose)


def neighbours(regions: tuple[Propose, ...], max_km: float) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, road_km)`` with ``i < j`` of regions at most ``max_km`` apart, in file
    order."""
    out = []
    for i, a in enumerate(regions):
        for j in range(i + 1, len(regions)):
            km = road_km(a.scenario, regions[j].scenario)
            if km <= max_km:
                out.append((i, j, km))
    return out
