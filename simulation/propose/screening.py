"""Static screening of candidate stops: where is demand that the offices do not reach?

Three steps, all without simulation (formulas in ``docs/propose.md``):

1. **Accessibility of the offices** by the Gaussian two-step floating catchment area method
   (2SFCA; Luo and Wang 2003 with Dai's Gaussian weight, assumption A9): each office's
   supply (counter-hours a week) is shared among the weekly needs within its catchment,
   weighted by travel time, and each area sums the shares it reaches.
2. **Residual demand**: an area's coverage is its accessibility relative to the
   counter-hours one need takes at the target utilisation (capped at 1); the residual is
   the area's weekly needs times one minus its coverage, counted only for the areas the
   objective is about (e.g. the vulnerable group).
3. **Maximal covering** (Church and ReVelle 1974, with partial coverage by the same
   Gaussian weight): choose the ``shortlist`` candidates that together cover the most
   residual demand, solved exactly as a mixed-integer programme with
   :func:`scipy.optimize.milp` (HiGHS).

A candidate whose own place an office already covers (residual share below
``min_residual_share``) is not eligible, so it is never shortlisted and never proposed.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from simulation.engine.geography import great_circle_km, travel_minutes
from simulation.engine.network import Destination, Network, area_travel_minutes, compile_network
from simulation.scenario.propose_loading import Candidate, Propose
from simulation.scenario.schedules import stop_place_id
from simulation.scenario.schema import Office

log = logging.getLogger(__name__)

SOLVER = "scipy.optimize.milp (HiGHS)"
"""The solver of the maximal covering model."""


def gaussian_weight(minutes: np.ndarray | float, catchment: float) -> np.ndarray:
    """Gaussian distance-decay weight within a catchment (Dai 2010).

    ``G(t) = (exp(-t²/(2 d0²)) - exp(-1/2)) / (1 - exp(-1/2))`` for ``t < d0`` and 0
    beyond, so ``G(0) = 1`` and ``G(d0) = 0``; unreachable places (``inf``) weigh 0.

    Parameters
    ----------
    minutes
        Travel times.
    catchment
        Catchment ``d0`` in minutes.
    """
    t = np.asarray(minutes, dtype=float)
    edge = math.exp(-0.5)
    with np.errstate(invalid="ignore", over="ignore"):
        g = (np.exp(-0.5 * (t / catchment) ** 2) - edge) / (1.0 - edge)
    return np.where(np.isfinite(t) & (t < catchment), g, 0.0)


@dataclass(frozen=True)
class Screening:
    """Result of the screening.

    Attributes
    ----------
    table
        One row per candidate: coverage, residual demand, accessibility, covered residual
        demand, eligibility, shortlist flag and rank.
    shortlist
        Ids of the shortlisted candidates, best stand-alone coverage first.
    areas
        One row per area: weekly needs, accessibility, coverage, residual demand, weight.
    solver
        How the covering model was solved.
    """

    table: pd.DataFrame
    shortlist: tuple[str, ...]
    areas: pd.DataFrame
    solver: str


def candidate_destinations(propose: Propose) -> list[Destination]:
    """The candidate stops as destinations of travel, as stops of the first unit.

    Each is the place ``unit@area`` or ``unit@lat,lon`` of :func:`stop_place_id`, served by
    the first unit, so travel from the areas follows the scenario's own rules (speed, detour,
    a travel-matrix row for the stop place or the unit, within-area minutes, maximum).
    """
    unit = propose.spec.units[0]
    area_index = {a.id: i for i, a in enumerate(propose.scenario.areas)}
    out = []
    for c in propose.candidates:
        if c.area is not None:
            where = propose.scenario.areas[area_index[c.area]].location
            area = area_index[c.area]
        else:
            assert c.location is not None  # a candidate has an area or a location
            where, area = c.location, -1
        place = stop_place_id(unit.id, c.stop_fields())
        out.append(Destination(place, unit.id, where.lat, where.lon, area))
    return out


def objective_weights(propose: Propose) -> np.ndarray:
    """1 for the areas the objective is about (its group or area), 0 for the others."""
    kpi = propose.spec.objective
    areas = propose.scenario.areas
    if kpi.scope == "group":
        return np.array([float(a.vulnerable == (kpi.id == "vulnerable")) for a in areas])
    if kpi.scope == "area":
        return np.array([float(a.id == kpi.id) for a in areas])
    return np.ones(len(areas))


def screen(propose: Propose) -> Screening:
    """Rank the candidate stops of ``propose`` and shortlist the best set.

    Returns
    -------
    Screening
        Candidate and area tables and the shortlist.
    """
    spec = propose.spec.screening
    scenario = propose.scenario
    network = compile_network(scenario)
    destinations = candidate_destinations(propose)
    d0 = spec.catchment_minutes
    weeks = scenario.calendar.days / 7.0

    sites = network.scenario.sites
    offices = [p for p, place in enumerate(network.places) if isinstance(sites[place.site], Office)]
    supply = np.array(
        [_weekly_counter_hours(network, network.places[p].site, weeks) for p in offices]
    )
    needs = np.array([a.demand.per_minute(a.population) * 7 * 1440.0 for a in scenario.areas])
    g_office = gaussian_weight(network.travel[:, offices], d0)  # (areas, offices)
    reached = (g_office * needs[:, None]).sum(axis=0)
    ratio = np.divide(supply, reached, out=np.zeros_like(supply), where=reached > 0)  # R_j
    access = g_office @ ratio  # A_i: counter-hours per weekly need
    service = sum(e.share * e.service_minutes.expected for e in scenario.errands)
    required = service / 60.0 / spec.target_utilisation  # a*: counter-hours one need takes
    coverage = np.minimum(1.0, access / required)
    weight = objective_weights(propose)
    residual = needs * (1.0 - coverage)
    target = weight * residual

    area_index = {a.id: i for i, a in enumerate(scenario.areas)}
    rows = []
    # (areas, candidates)
    g_cand = gaussian_weight(area_travel_minutes(scenario, destinations), d0)
    for c, cand in enumerate(propose.candidates):
        own_access = _point_access(propose, network, cand, offices, ratio, access, area_index, d0)
        own_cov = min(1.0, own_access / required)
        value = float(target @ g_cand[:, c])
        eligible = (1.0 - own_cov) >= spec.min_residual_share and value > 0
        rows.append(
            {
                "candidate": cand.id,
                "area": cand.area or "",
                "lat": destinations[c].lat,
                "lon": destinations[c].lon,
                "office_accessibility": own_access,
                "office_coverage": own_cov,
                "residual_share": 1.0 - own_cov,
                "area_residual_needs_per_week": float(residual[area_index[cand.area]])
                if cand.area
                else math.nan,
                "covered_residual_per_week": value,
                "eligible": bool(eligible),
            }
        )
    table = pd.DataFrame(rows)
    chosen, solver = _max_cover(
        target,
        g_cand,
        table["eligible"].to_numpy(),
        spec.shortlist,
        table["covered_residual_per_week"].to_numpy(),
    )
    table["shortlisted"] = chosen
    order = table.sort_values(
        ["shortlisted", "covered_residual_per_week"], ascending=[False, False], kind="stable"
    )
    table["rank"] = 0
    table.loc[order.index, "rank"] = np.arange(1, len(table) + 1)
    table = table.sort_values("rank").reset_index(drop=True)
    shortlist = tuple(table.loc[table["shortlisted"], "candidate"])
    areas = pd.DataFrame(
        {
            "area": [a.id for a in scenario.areas],
            "vulnerable": [a.vulnerable for a in scenario.areas],
            "needs_per_week": needs,
            "office_accessibility": access,
            "office_coverage": coverage,
            "residual_needs_per_week": residual,
            "objective_weight": weight,
        }
    )
    log.info(
        "screening: %d candidate(s), %d eligible, shortlist %s",
        len(table),
        int(table["eligible"].sum()),
        ", ".join(shortlist) or "(empty)",
    )
    return Screening(table, shortlist, areas, solver)


def _weekly_counter_hours(network: Network, site: int, weeks: float) -> float:
    """Supply of a site: staffed counter-hours per week of the run.

    Counters times open hours; with a ``staffing`` key (or stop ``counters``) each staffed
    period's count times its length, so the screening sees the staffing the simulation runs.
    """
    staffed = network.staffing(site)
    if staffed is not None:
        starts, ends, counts = staffed
        return float(np.sum((ends - starts) * counts)) / 60.0 / weeks
    open_min = float(np.sum(network.site_ends[site] - network.site_starts[site]))
    return network.scenario.sites[site].counters * open_min / 60.0 / weeks


def _point_access(
    propose: Propose,
    network: Network,
    cand: Candidate,
    offices: list[int],
    ratio: np.ndarray,
    access: np.ndarray,
    area_index: dict[str, int],
    d0: float,
) -> float:
    """Office accessibility at a candidate: its area's, or by straight-line travel from a point."""
    if cand.area is not None:
        return float(access[area_index[cand.area]])
    assert cand.location is not None
    travel = propose.scenario.travel
    lat = np.array([network.places[p].lat for p in offices])
    lon = np.array([network.places[p].lon for p in offices])
    minutes = travel_minutes(
        great_circle_km(cand.location.lat, cand.location.lon, lat, lon),
        travel.speed_kmh,
        travel.detour_factor,
    )
    if travel.max_travel_minutes is not None:
        minutes = np.where(minutes > travel.max_travel_minutes, np.inf, minutes)
    return float(gaussian_weight(minutes, d0) @ ratio)


def _max_cover(
    target: np.ndarray, weight: np.ndarray, eligible: np.ndarray, p: int, value: np.ndarray
) -> tuple[np.ndarray, str]:
    """Maximal covering with partial coverage: choose ``p`` eligible candidates.

    Maximise ``sum_i sum_c r_i g_ic z_ic`` subject to ``sum_c z_ic <= 1`` (an area counts
    once, by its best chosen stop), ``z_ic <= x_c`` and ``sum_c x_c = p``; ``x`` binary,
    ``z`` in [0, 1]. A tiny bonus proportional to each candidate's stand-alone value breaks
    ties among equally good sets.
    """
    n_cand = len(eligible)
    chosen = np.zeros(n_cand, dtype=bool)
    idx = np.flatnonzero(eligible)
    if len(idx) == 0:
        return chosen, "no eligible candidate"
    if len(idx) <= p:
        chosen[idx] = True
        return chosen, f"none needed, all {len(idx)} eligible candidate(s) fit the shortlist"
    pairs = [
        (i, c)
        for i in range(len(target))
        for c in range(len(idx))
        if target[i] * weight[i, idx[c]] > 0
    ]
    n_x, n_z = len(idx), len(pairs)
    cost = np.zeros(n_x + n_z)
    scale = max(float(value[idx].max()), 1e-12)
    cost[:n_x] = -1e-6 * value[idx] / scale * max(float(target.sum()), 1e-12)
    for k, (i, c) in enumerate(pairs):
        cost[n_x + k] = -target[i] * weight[i, idx[c]]
    areas = sorted({i for i, _ in pairs})
    row_of = {i: r for r, i in enumerate(areas)}
    a = lil_matrix((len(areas) + n_z + 1, n_x + n_z))
    for k, (i, c) in enumerate(pairs):
        a[row_of[i], n_x + k] = 1.0  # each area covered at most once
        a[len(areas) + k, n_x + k] = 1.0  # z_ic <= x_c
        a[len(areas) + k, c] = -1.0
    a[len(areas) + n_z, :n_x] = 1.0  # exactly p stops
    lower = np.concatenate([np.full(len(areas), -np.inf), np.full(n_z, -np.inf), [p]])
    upper = np.concatenate([np.ones(len(areas)), np.zeros(n_z), [p]])
    integrality = np.concatenate([np.ones(n_x), np.zeros(n_z)])
    res = milp(
        cost,
        constraints=LinearConstraint(a.tocsr(), lower, upper),
        integrality=integrality,
        bounds=Bounds(0, 1),
    )
    if not res.success or res.x is None:  # pragma: no cover - HiGHS solves these small models
        log.warning(
            "covering model not solved (%s); shortlisting by stand-alone coverage", res.message
        )
        best = idx[np.argsort(-value[idx], kind="stable")[:p]]
        chosen[best] = True
        return chosen, f"{SOLVER} failed ({res.message}); stand-alone ranking used"
    chosen[idx[res.x[:n_x] > 0.5]] = True
    return chosen, SOLVER
