"""How often each region is among the best ``choose`` across plausible worlds (``uncertain:``).

The pilot file's optional ``uncertain:`` block has the syntax of a sweep file's
(:mod:`simulation.scenario.uncertain`, docs/model.md §14): inputs and their plausible ranges,
``worlds``, ``sampler`` and ``replications``. The worlds are drawn once from the pilot seed,
so **world w is the same assumption for every region** (an input a region's scenario lacks,
such as another region's area, leaves it as it is). In every world each region's chosen
timetable (found at the nominal values, as in the ranking) and its baseline run
``replications`` paired replications; the region's benefit in the world is the mean paired
reduction of the objective. The regions with the ``choose`` largest benefits are the world's
top set.

``robustness.csv``, per region: ``worlds``, ``in_top`` (worlds where it is in the top set),
``share`` with its Wilson interval (``share_low``, ``share_high``) at the selection's
confidence, and the mean, lowest and highest benefit over the worlds. ``worlds.csv``: per
world, the inputs' values, every region's benefit and the top set. Shared pairs are not in
this analysis (a pair and its two regions are not alternatives of the same kind).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.experiment.batches import Executor
from simulation.experiment.robustness import _wilson
from simulation.pilot.ranking import Region
from simulation.propose.evaluator import BASELINE
from simulation.results.sweep_folder import run_sweep
from simulation.scenario.names import slug
from simulation.scenario.overrides import apply_changes
from simulation.scenario.pilot_spec import PILOT_UNIT
from simulation.scenario.uncertain import UncertainSpec, apply_world, sample_worlds

PILOT = "pilot"
"""Design name of a region's chosen timetable in the world sweeps."""


@dataclass(frozen=True)
class Robustness:
    """The regions' benefits across the worlds and how often each is in the top set.

    Attributes
    ----------
    worlds
        ``worlds.csv``: ``world``, each input's value, ``benefit:<region>`` and ``top``.
    table
        ``robustness.csv``: one row per region, most often in the top set first.
    runs
        Simulation runs made.
    """

    worlds: pd.DataFrame
    table: pd.DataFrame
    runs: int


def world_seed(seed: int, world: int) -> int:
    """Root seed of a region's runs in one world (from the region's seed and the world)."""
    words = [seed, zlib.crc32(b"pilot/world"), world]
    state = np.random.SeedSequence(words).generate_state(2, np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1]))


def _pilot_document(region: Region) -> dict[str, object]:
    """The region's resolved scenario with its chosen timetable (the baseline if none)."""
    base = region.propose.scenario.to_dict()
    if region.proposal is None:
        return base
    changes = region.evaluator.designs[region.proposal].changes
    return apply_changes(base, changes)


def region_benefits(
    region: Region, spec: UncertainSpec, values: np.ndarray, executor: Executor
) -> tuple[np.ndarray, int]:
    """The region's mean benefit in every world, and the runs it took.

    Each world is one sweep of two designs on the world's scenario (the timetable, and the
    baseline as that scenario without the unit), with common random numbers inside it.
    """
    kpi = region.evaluator.kpis[0]
    doc = _pilot_document(region)
    has_unit = region.proposal is not None
    designs = {PILOT: {}, BASELINE: {"remove": {"sites": [PILOT_UNIT]}} if has_unit else {}}
    out = np.zeros(len(values))
    runs = 0
    for w, row in enumerate(values):
        world = apply_world(doc, spec, row)
        world["name"] = slug(f"{region.name}-world-{w}")
        sweep = {
            "name": slug(f"{region.name}-pilot-world-{w}"),
            "scenario": world,
            "designs": designs,
            "replications": spec.replications,
            "seed": world_seed(region.propose.seed, w),
            "kpis": [kpi],
        }
        result = run_sweep(sweep, executor=executor, out=None, progress=False)
        if result.failures:
            design, _, rep, trace = result.failures[0]
            last = trace.strip().splitlines()[-1] if trace.strip() else "?"
            raise RuntimeError(
                f"{region.name} world {w}: {len(result.failures)} run(s) failed; first: "
                f"design {design} replication {rep}: {last}"
            )
        wide = result.replications
        by = {
            d: wide[wide["design"] == d].sort_values("replication")[kpi].to_numpy(dtype=float)
            for d in designs
        }
        out[w] = region.evaluator.sign * float(np.mean(by[BASELINE] - by[PILOT]))
        runs += len(designs) * spec.replications
    return out, runs


def robustness(
    regions: list[Region],
    spec: UncertainSpec,
    seed: int,
    choose: int,
    level: float,
    executor: Executor,
    on_stage: Callable[[str], None] | None = None,
) -> Robustness:
    """Every region's benefit in every world, and how often it is in the top ``choose``.

    Parameters
    ----------
    regions
        The regions with their chosen timetables.
    spec
        The pilot file's ``uncertain:`` block.
    seed
        The pilot seed (the worlds are drawn from it, the same for every region).
    choose
        Size of the top set.
    level
        Confidence level of the Wilson intervals.
    executor
        The command's executor.
    on_stage
        Called with a status line before each region.

    Returns
    -------
    Robustness
        ``worlds.csv`` and ``robustness.csv``.
    """
    values = sample_worlds(spec, seed)
    benefits: dict[str, np.ndarray] = {}
    runs = 0
    for r in regions:
        if on_stage:
            on_stage(f"{r.name}: {len(values)} worlds")
        benefits[r.name], made = region_benefits(r, spec, values, executor)
        runs += made
    worlds = pd.DataFrame(values, columns=list(spec.inputs))
    worlds.insert(0, "world", np.arange(len(values)))
    tops, table = top_table(benefits, choose, level)
    for name, b in benefits.items():
        worlds[f"benefit:{name}"] = b
    worlds["top"] = ["+".join(t) for t in tops]
    return Robustness(worlds, table, runs)


def top_table(
    benefits: dict[str, np.ndarray], choose: int, level: float
) -> tuple[list[list[str]], pd.DataFrame]:
    """Each world's top set and ``robustness.csv`` from the regions' benefits per world.

    Parameters
    ----------
    benefits
        Region name → its mean benefit in every world (regions in file order).
    choose
        Size of the top set (equal benefits: the region listed first).
    level
        Confidence level of the Wilson intervals.

    Returns
    -------
    tuple
        The top set of every world (best first), and one row per region, most often in the
        top set first (then by mean benefit, then file order).
    """
    names = list(benefits)
    count = len(next(iter(benefits.values()))) if benefits else 0
    tops = []
    for w in range(count):
        order = sorted(names, key=lambda name: (-benefits[name][w], names.index(name)))
        tops.append(order[:choose])
    rows = []
    for name in names:
        hits = sum(name in t for t in tops)
        low, high = _wilson(hits, count, level)
        rows.append(
            {
                "region": name,
                "worlds": count,
                "in_top": hits,
                "share": hits / count,
                "share_low": low,
                "share_high": high,
                "benefit_mean": float(np.mean(benefits[name])),
                "benefit_min": float(np.min(benefits[name])),
                "benefit_max": float(np.max(benefits[name])),
            }
        )
    table = pd.DataFrame(rows)
    table = table.sort_values(["in_top", "benefit_mean"], ascending=False, kind="stable")
    return tops, table.reset_index(drop=True)


def robust_sentence(table: pd.DataFrame, choose: int, names: dict[str, str], level: str) -> str:
    """The verdict's line: "Across N plausible worlds, A is in the top two in 100% (…), …"."""
    top = "in the top two" if choose == 2 else "first"
    n = int(table["worlds"].iloc[0])
    parts = [
        f"{names.get(row.region, row.region)} {row.share:.0%} ({row.share_low:.0%} to "
        f"{row.share_high:.0%})"
        for row in table.itertuples(index=False)
    ]
    return (
        f"Across {n} plausible worlds (uncertain:), how often each region is {top}: "
        f"{', '.join(parts)} ({level} Wilson intervals)."
    )
