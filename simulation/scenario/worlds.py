"""The sampled worlds of a sweep's ``uncertain:`` block: every design's scenario in every world.

See :mod:`simulation.scenario.uncertain` for the block itself. :class:`Worlds` is built by
:class:`simulation.scenario.sweep_spec.Sweep` at load, so a range that breaks a scenario is
refused before any run, with the usual error form at ``uncertain.inputs.<path>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from simulation.scenario.errors import ScenarioError
from simulation.scenario.kpi_catalogue import headline_kpi
from simulation.scenario.loading import scenario_from_dict
from simulation.scenario.names import slug
from simulation.scenario.pydantic_errors import from_pydantic
from simulation.scenario.schema import Scenario
from simulation.scenario.travel_matrix import ANY_IDS
from simulation.scenario.uncertain import (
    UNCERTAIN_VOCABULARY,
    UncertainSpec,
    apply_world,
    check_paths,
    corner_values,
    sample_worlds,
    world_label,
)


class Worlds:
    """Every design's scenario in every sampled world.

    Parameters
    ----------
    spec
        The ``uncertain:`` block.
    cells
        The sweep's ``(design, level, values, scenario)`` cells (one level: no factors).
    seed
        The sweep file's seed, from which the worlds are drawn.
    base_dir
        Folder that relative file names in the scenarios are relative to.

    Attributes
    ----------
    values
        ``(worlds, inputs)`` sampled values (factors for ``scale`` inputs).
    cells
        ``(design, world, scenario)`` for every design × world, world by world.
    """

    def __init__(
        self,
        spec: UncertainSpec,
        cells: list[tuple[str, str, dict[str, Any], Scenario]],
        seed: int,
        base_dir: Path | None,
    ) -> None:
        self.spec = spec
        self.seed = seed
        self._designs = [(design, scenario.to_dict()) for design, _, _, scenario in cells]
        self._base_dir = base_dir
        self.kpi = spec.kpi or ""
        self.values = np.zeros((0, len(spec.inputs)))
        self.cells: list[tuple[str, int, Scenario]] = []
        self.resample(spec.worlds)

    @property
    def inputs(self) -> list[str]:
        """The uncertain inputs' paths."""
        return list(self.spec.inputs)

    @property
    def count(self) -> int:
        """Number of worlds simulated."""
        return len(self.values)

    def resample(self, worlds: int) -> None:
        """Draw ``worlds`` worlds (the base sample for ``sobol``) and build their scenarios.

        Raises
        ------
        ScenarioError
            At ``uncertain.worlds`` for an invalid count, at ``uncertain.inputs.<path>`` for an
            input whose path no design has or whose range makes a scenario invalid.
        """
        try:
            spec = UncertainSpec.model_validate({**self.spec.model_dump(), "worlds": worlds})
        except ValidationError as exc:
            raise from_pydantic(exc, UNCERTAIN_VOCABULARY).with_prefix(("uncertain",)) from None
        check_paths(spec, [doc for _, doc in self._designs])
        for path, end, values in corner_values(spec):
            for design, doc in self._designs:
                try:
                    self._scenario(design, doc, spec, values, -1)
                except ScenarioError as exc:
                    rng = spec.inputs[path]
                    shown = rng.scale if rng.scale is not None else rng
                    raise ScenarioError(
                        f"at its {end} end the scenario of design '{design}' is invalid: "
                        f"{exc.nested()}",
                        ("uncertain", "inputs", path) + (("scale",) if rng.scale else ()) + (end,),
                        getattr(shown, end),
                    ) from None
        self.spec = spec
        self.values = sample_worlds(spec, self.seed)
        self.cells = []
        for w, values in enumerate(self.values):
            for design, doc in self._designs:
                try:
                    self.cells.append((design, w, self._scenario(design, doc, spec, values, w)))
                except ScenarioError as exc:
                    raise ScenarioError(
                        f"world {w} makes the scenario of design '{design}' invalid: "
                        f"{exc.nested()}",
                        ("uncertain", "inputs"),
                        dict(zip(spec.inputs, values.tolist(), strict=True)),
                    ) from None

    def _scenario(
        self, design: str, doc: dict[str, Any], spec: UncertainSpec, values: np.ndarray, w: int
    ) -> Scenario:
        world_doc = apply_world(doc, spec, values)
        world_doc["name"] = slug(f"{doc['name']}-{world_label(max(w, 0))}")
        return scenario_from_dict(world_doc, None, self._base_dir, ANY_IDS)

    def check_kpi(self, labels: list[str]) -> None:
        """Pick the decision KPI: ``uncertain.kpi`` (one of the sweep's KPIs) or the headline KPI.

        Raises
        ------
        ScenarioError
            At ``uncertain.kpi`` if it is not one of the sweep's ``kpis``.
        """
        if self.spec.kpi is None:
            self.kpi = headline_kpi(labels)
        elif self.spec.kpi not in labels:
            raise ScenarioError(
                f"not one of the sweep's kpis ({', '.join(labels)})",
                ("uncertain", "kpi"),
                self.spec.kpi,
            )
        else:
            self.kpi = self.spec.kpi

    def table(self) -> pd.DataFrame:
        """One row per world: ``world`` and each input's sampled value (``worlds.csv``)."""
        frame = pd.DataFrame(self.values, columns=self.inputs)
        frame.insert(0, "world", np.arange(self.count))
        return frame
