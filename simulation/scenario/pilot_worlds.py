"""The pilot file's ``uncertain:`` block, checked against the regions at load.

The block has the syntax of a sweep file's (:mod:`simulation.scenario.uncertain`). An input
applies to every region whose scenario has its path, and must exist in at least one region
(or be a field of the pilot unit, ``sites.mobile-pilot.<field>``, which every timetable adds).
Each input at its low and at its high end (the others at their midpoints) must keep every
region's scenario valid. Errors name ``uncertain.…`` in the usual form (exit 2).
"""

from __future__ import annotations

from collections.abc import Sequence

from simulation.scenario.errors import ScenarioError
from simulation.scenario.loading import scenario_from_dict
from simulation.scenario.propose_loading import Propose
from simulation.scenario.travel_matrix import ANY_IDS
from simulation.scenario.uncertain import UncertainSpec, apply_world, corner_values, locations

UNIT_FIELDS = ("setup_minutes", "counters")
"""Numbers of the pilot unit an uncertain input may move (``sites.mobile-pilot.<field>``)."""

UNIT_PATH = "sites.mobile-pilot."


def check_uncertain(spec: UncertainSpec, objective: str, regions: Sequence[Propose]) -> None:
    """Check the ``uncertain:`` block of a pilot file against its regions' scenarios.

    Parameters
    ----------
    spec
        The block.
    objective
        The pilot's objective label (the block's ``kpi``, if given, must be it).
    regions
        The regions' loaded propose documents.

    Raises
    ------
    ScenarioError
        At ``uncertain.kpi``, ``uncertain.inputs.<path>`` or its ``low``/``high`` end.
    """
    if spec.kpi is not None and spec.kpi != objective:
        raise ScenarioError(
            f"a pilot's worlds are compared on its objective ({objective})",
            ("uncertain", "kpi"),
            spec.kpi,
        )
    documents = [r.scenario.to_dict() for r in regions]
    for path in spec.inputs:
        if path.startswith(UNIT_PATH):
            if path.removeprefix(UNIT_PATH) not in UNIT_FIELDS:
                raise ScenarioError(
                    f"the pilot unit's uncertain inputs are {', '.join(UNIT_FIELDS)}",
                    ("uncertain", "inputs", path),
                    path,
                )
        elif not any(locations(doc, path) for doc in documents):
            raise ScenarioError(
                "no region's scenario has a number at this path (paths as in set:, groups "
                "as areas[*], areas[vulnerable], areas[!vulnerable])",
                ("uncertain", "inputs", path),
                path,
            )
    for path, end, values in corner_values(spec):
        for region, doc in zip(regions, documents, strict=True):
            try:
                scenario_from_dict(apply_world(doc, spec, values), None, None, ANY_IDS)
            except ScenarioError as exc:
                rng = spec.inputs[path]
                shown = rng.scale if rng.scale is not None else rng
                raise ScenarioError(
                    f"at its {end} end the scenario of region {region.name} is invalid: "
                    f"{exc.nested()}",
                    ("uncertain", "inputs", path) + (("scale",) if rng.scale else ()) + (end,),
                    getattr(shown, end),
                ) from None
