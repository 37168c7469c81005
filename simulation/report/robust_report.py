"""The report's robust comparison: its four figures and its section (verdict and tables).

Shown for sweep folders with a robust comparison (``uncertain:``; see
:mod:`simulation.results.robust_files`): the verdict in the words the terminal prints
(:func:`simulation.experiment.robust_analysis.robust_verdict`), the table per design and the
boxes where each design wins; the figures are regret per design, probability best, the
winning design over the two most influential inputs and the sensitivity tornado.
"""

from __future__ import annotations

import math
from functools import partial

from simulation.experiment.robust_analysis import robust_verdict
from simulation.experiment.sensitivity import influence
from simulation.measures.intervals import level_text
from simulation.report.document import Block, Paragraph, Table
from simulation.report.document import text as _t
from simulation.report.figures import FigureSpec
from simulation.report.plots.robust import flip_map, probability_best, regret_boxes, tornado
from simulation.report.plots.style import kpi_label
from simulation.results.read import Results


def _inputs(res: Results) -> list[str]:
    robust = res.robust
    assert robust is not None
    return [str(c) for c in robust.inputs.columns if c != "world"]


def robust_figure_specs(res: Results) -> list[FigureSpec]:
    """The robust comparison's figures (none without one)."""
    robust = res.robust
    if robust is None or robust.worlds.empty:
        return []
    n = len(robust.worlds)
    reps = int((res.manifest.get("uncertain") or {}).get("replications") or 0)
    name = kpi_label(robust.kpi).name
    designs = list(res.designs)
    top = influence(robust.sensitivity, _inputs(res))[:2]
    level = res.confidence
    return [
        FigureSpec(
            "regret",
            "Regret per design across the uncertain worlds",
            f"How far each design is from the best design of each of {n} sampled worlds, in {name} (mean of "
            f"{reps} paired replications per world): boxes span the quartiles, whiskers 5 % to 95 %, one point "
            "per world. A design with regret 0 is best in that world.",
            partial(regret_boxes, robust.worlds, designs, robust.kpi, "Regret across worlds"),
        ),
        FigureSpec(
            "probability_best",
            "Probability of being best",
            f"Share of the {n} worlds in which each design is clearly best (solid: its paired interval against every "
            f"other design excludes zero) and in which it is tied with the best (hatched); whiskers from the "
            f"{level_text(level)} Wilson lower bound of the clear wins to the upper bound of wins and ties.",
            partial(probability_best, robust.robustness, level, "Probability best"),
        ),
        FigureSpec(
            "flip_map",
            "Where the choice flips",
            "The best design of each world over the "
            + ("two most influential inputs" if len(top) > 1 else "most influential input")
            + " (open markers: too close to call); dashed boxes are the leaves of a depth-2 tree over them, "
            "labelled with the box's winning design and the share of its worlds that design wins.",
            partial(flip_map, robust.worlds, robust.flips, top, designs, "Where the choice flips"),
        ),
        FigureSpec(
            "tornado",
            "Sensitivity of the design differences",
            "Global sensitivity of each design's difference from the baseline to each uncertain input "
            + (
                "(Sobol' total-order index, Saltelli design)"
                if not robust.sensitivity.empty and robust.sensitivity["method"].iloc[0] == "sobol"
                else "(first-order S1 from the Latin hypercube; sensitivity.csv also gives Borgonovo's delta)"
            )
            + ", with bootstrap half-widths; largest at the top.",
            partial(tornado, robust.sensitivity, "Sensitivity to uncertain inputs"),
        ),
    ]


def _pct(x: float) -> str:
    return f"{x:.0%}" if math.isfinite(x) else "–"


def _num(x: float) -> str:
    return f"{x:,.1f}" if math.isfinite(x) else "–"


def robust_blocks(res: Results) -> list[Block]:
    """The section "Robustness across uncertain assumptions" (empty without one)."""
    robust = res.robust
    if robust is None:
        return []
    record = res.manifest.get("uncertain") or {}
    inputs = record.get("inputs") or {}
    ranges = []
    for path in _inputs(res):
        r = inputs.get(path) or {}
        scale = r.get("scale")
        ranges.append(
            f"{path} × {scale['low']:g} to {scale['high']:g}"
            if scale
            else f"{path} {r.get('low', float('nan')):g} to {r.get('high', float('nan')):g}"
        )
    blocks: list[Block] = [
        Paragraph(
            _t(
                f"Every design ran in {len(robust.worlds)} sampled worlds ({record.get('sampler', 'lhs')} sampling) "
                f"× {record.get('replications', '?')} replications with common random numbers inside each world, "
                f"the uncertain inputs ranging over: {'; '.join(ranges)}."
            )
        )
    ]
    blocks.extend(Paragraph(_t(line)) for line in robust_verdict(robust))
    rows = []
    ranks = [c for c in robust.robustness.columns if c.startswith("rank_")]
    for r in robust.robustness.itertuples(index=False):
        rows.append(
            [
                _t(str(r.design)),
                _t(f"{_pct(r.p_best)} ({_pct(r.p_best_low)}–{_pct(r.p_best_high)})"),
                _t(_pct(r.p_best_or_tie)),
                _t(_num(r.mean)),
                _t(_num(r.regret_mean)),
                _t(_num(r.regret_p90)),
                _t(_num(r.regret_max)),
                _t(" / ".join(_pct(getattr(r, c)) for c in ranks)),
            ]
        )
    blocks.append(
        Table(
            [
                "design",
                "best (interval)",
                "best or tied",
                "mean",
                "regret mean",
                "regret p90",
                "regret max",
                "rank 1 / 2 / …",
            ],
            rows,
            f"robustness.csv: {robust.kpi} across the worlds",
            numeric={3, 4, 5, 6},
        )  # fmt: skip
    )
    box_rows = []
    for b in robust.flips.itertuples(index=False):
        limits = [
            f"{getattr(b, f'input_{j}')} {getattr(b, f'low_{j}'):.4g} to {getattr(b, f'high_{j}'):.4g}"
            for j in (1, 2)
            if str(getattr(b, f"input_{j}") or "")
        ]
        box_rows.append(
            [
                _t(str(b.box)),
                _t("; ".join(limits)),
                _t(str(b.design)),
                _t(str(b.worlds)),
                _t(_pct(b.share)),
            ]
        )
    if box_rows:
        blocks.append(
            Table(
                ["box", "ranges", "best design", "worlds", "share won"],
                box_rows,
                "flips.csv: where each design wins",
                numeric={3, 4},
            )
        )
    return blocks
