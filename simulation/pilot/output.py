"""The result folder of a pilot run: ranking, the chosen regions' files, figures and report.

The folder (default ``results/<name>-pilot/``) holds ``ranking.csv``, ``pilot.md``,
``figures/pilot-map.png|svg`` and ``figures/pilot-forest.png|svg``, and for each selected
region ``<region>-pilot-scenario.yaml`` and ``<region>-pilot.sweep.yaml`` (baseline and
the pilot timetable, ready for ``servicesim run`` / ``servicesim sweep``), plus
``manifest.json``. It is written in a staging folder and renamed into place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from simulation.pilot.figures import benefit_forest, benefit_map, region_centres
from simulation.propose.evaluator import BASELINE
from simulation.propose.output import proposed_documents
from simulation.report.document import (
    Block,
    Document,
    FigureBlock,
    Heading,
    Paragraph,
    bold,
    code,
    plain_table,
    text,
)
from simulation.report.plots.style import save_figure
from simulation.report.rendering import render_markdown
from simulation.results.files import (
    folder_checksums,
    provenance,
    staged_folder,
    write_json,
    write_yaml,
    writing,
)
from simulation.scenario.names import slug

if TYPE_CHECKING:
    from simulation.pilot import PilotResult
    from simulation.pilot.ranking import Region


def region_files(region: Region, folder: Path) -> dict[str, Any]:
    """The scenario and sweep documents of a selected region (file name → document)."""
    ev = region.evaluator
    used = max(len(ev.confirmed(BASELINE)), 2)
    scenario, sweep = proposed_documents(
        region.propose, ev, region.proposal, [BASELINE], used, folder
    )
    sweep["name"] = f"{region.name}-pilot"
    sweep["description"] = f"{region.name}: baseline and the pilot timetable (servicesim pilot)"
    sweep["designs"] = {("pilot" if k == "proposal" else k): v for k, v in sweep["designs"].items()}
    out: dict[str, Any] = {f"{region.name}-pilot.sweep.yaml": sweep}
    if scenario is not None:
        scenario["name"] = f"{region.name}-pilot"
        out[f"{region.name}-pilot-scenario.yaml"] = scenario
    return out


def _shared_blocks(result: PilotResult) -> list[Block]:
    """The shared pairs' table (with ``share:``), or nothing."""
    unshared = [
        Paragraph(text(f"Not shared: {pair} ({reason}).")) for pair, reason in result.unshared
    ]
    if result.shared is None:
        if result.spec.get("share") is None:
            return []
        return [
            Heading("One unit shared by two neighbouring regions"),
            Paragraph(
                text(
                    f"No two regions within {result.spec['share']['max_km']:g} km can share a unit."
                )
            ),
            *unshared,
        ]
    rows = [
        [
            row.pair,
            f"{row.road_km:.0f}",
            row.timetable,
            f"{row.benefit:,.0f} ({row.benefit_ci_low:,.0f} to {row.benefit_ci_high:,.0f})",
            f"{row.separate_benefit_per_unit:,.0f}",
            row.replications,
            "yes" if row.chosen else "",
        ]
        for row in result.shared.itertuples(index=False)
    ]
    header = [
        "pair", "road km", "timetable", "benefit of one shared unit (CI)",
        "separate units: benefit per unit", "replications", "pilot",
    ]  # fmt: skip
    return [
        Heading("One unit shared by two neighbouring regions"),
        Paragraph(
            text(
                "Each pair of regions within the file's share.max_km gets one unit on the same "
                "budget, its stops in either region (one combined scenario). It is the pilot "
                "when its benefit exceeds the two separately selected regions' benefit per "
                "unit (their mean); see docs/pilot.md."
            )
        ),
        plain_table(header, rows, "Shared pairs by benefit"),
        *unshared,
    ]


def _robust_blocks(result: PilotResult) -> list[Block]:
    """How often each region is in the top set across the worlds (``uncertain:``), or nothing."""
    if result.robustness is None:
        return []
    rows = [
        [
            row.region,
            f"{row.in_top} of {row.worlds}",
            f"{row.share:.0%} ({row.share_low:.0%} to {row.share_high:.0%})",
            f"{row.benefit_mean:,.0f}",
            f"{row.benefit_min:,.0f} to {row.benefit_max:,.0f}",
        ]
        for row in result.robustness.itertuples(index=False)
    ]
    header = ["region", f"in the top {result.choose}", "share (Wilson CI)", "mean benefit", "range"]
    return [
        Heading("Across plausible worlds"),
        Paragraph(
            text(
                "Each region's timetable and its baseline in every world of the file's ",
                code("uncertain:"),
                " block (the same worlds for every region; ",
                code("worlds.csv"),
                "); a region is in a world's top set when its mean benefit there is among the ",
                f"{result.choose} largest.",
            )
        ),
        plain_table(header, rows, "How often each region is in the top set"),
    ]


def report_document(result: PilotResult) -> Document:
    """``pilot.md`` as a document: the verdict, the ranking, the figures, the method."""
    t = result.ranking
    rows = [
        [
            row.rank,
            row.region,
            row.timetable,
            f"{row.baseline:,.0f}",
            f"{row.with_unit:,.0f}",
            f"{row.benefit:,.0f} ({row.benefit_ci_low:,.0f} to {row.benefit_ci_high:,.0f})",
            row.replications,
            f"{row.benefit_per_staff_hour:.3f}",
            "yes" if row.selected else "",
        ]
        for row in t.itertuples(index=False)
    ]
    header = [
        "rank", "region", "timetable", "baseline", "with unit", "benefit (CI)", "replications",
        "benefit per staff hour", "selected",
    ]  # fmt: skip
    blocks: list[Block] = [
        Paragraph(text(bold(result.statement))),
        Paragraph(
            text(
                "Objective ",
                code(result.objective),
                "; benefit = baseline − with the unit (positive = better), on fresh paired "
                f"replications. Rinott's h = {result.h:.4f} for k = {len(t)}, choose = "
                f"{result.choose}, n0 = {result.initial}, P* = {result.confidence:g}, "
                f"δ = {result.indifference:g}.",
            )
        ),
        plain_table(header, rows, "Regions ranked by mean benefit"),
        *_shared_blocks(result),
        *_robust_blocks(result),
        Heading("Candidates and benefits"),
        FigureBlock(
            "pilot-map",
            1,
            "Candidates shaded by benefit",
            "Each region at the population-weighted centre of its areas, shaded by mean "
            "benefit; the selected regions are ringed.",
        ),
        FigureBlock(
            "pilot-forest",
            2,
            "Benefit of each region",
            f"Mean benefit with its {result.confidence:.0%} t interval on the region's fresh "
            "replications (each region's own interval, not simultaneous).",
        ),
        Heading("Method"),
        Paragraph(
            text(
                "For each region the propose machinery (screening, greedy and local search "
                "under common random numbers) finds the unit's best timetable within the "
                "budget. Its benefit is then estimated on fresh replications, paired with the "
                "baseline inside the region; regions use independent random numbers. Rinott's "
                "two-stage procedure (independent systems, unequal variances) selects the best "
                f"regions. {result.runs} simulation runs in {result.wall_seconds:.0f} s. "
                "Method and limits: ",
                code("docs/pilot.md"),
                ".",
            )
        ),
    ]
    return Document(f"Pilot {result.name}: where should the mobile unit run?", blocks)


def shared_files(region: Region, folder: Path) -> dict[str, Any]:
    """The chosen shared pair's files: its combined base scenario, and the pilot scenario
    and sweep on it (file name → document)."""
    name = slug(region.name.replace("+", "-")) + "-shared"
    base = f"{name}-base.yaml"
    propose = replace(region.propose, base_path=folder.resolve() / base)
    files = region_files(replace(region, name=name, propose=propose), folder)
    return {base: region.propose.base_document, **files}


def write_outputs(
    result: PilotResult, regions: list[Region], workers: int, shared: list[Region] | None = None
) -> None:
    """Write the result folder (atomically: a staging folder renamed into place)."""
    folder = Path(result.folder)
    writers: dict[str, Callable[[Path], object]] = {}
    table = result.ranking
    writers["ranking.csv"] = lambda p: table.to_csv(p, index=False)
    files: dict[str, Any] = {}
    for r in regions:
        if r.name in result.selected:
            files.update(region_files(r, folder))
    if result.shared is not None:
        pairs = result.shared
        writers["shared.csv"] = lambda p: pairs.to_csv(p, index=False)
        for r in shared or []:
            if r.name == result.shared_pilot:
                files.update(shared_files(r, folder))
    if result.robustness is not None and result.worlds is not None:
        robust, worlds = result.robustness, result.worlds
        writers["robustness.csv"] = lambda p: robust.to_csv(p, index=False)
        writers["worlds.csv"] = lambda p: worlds.to_csv(p, index=False)
    for name, doc in files.items():
        if name.endswith("-scenario.yaml"):
            text = "# Pilot scenario written by `servicesim pilot` (see pilot.md).\n"
            text += yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
            writers[name] = partial(Path.write_text, data=text, encoding="utf-8")
        else:
            writers[name] = partial(write_yaml, data=doc)
    report = render_markdown(report_document(result))
    writers["pilot.md"] = partial(Path.write_text, data=report, encoding="utf-8")
    mapped = region_centres(result.centres, table)
    unit = result.objective
    with staged_folder(folder) as stage:
        for name, write in writers.items():
            with writing(folder / name):
                write(stage / name)
        figures = []
        for name, fig in (
            ("pilot-map", benefit_map(mapped, unit)),
            ("pilot-forest", benefit_forest(table, unit, result.indifference)),
        ):
            with writing(folder / "figures" / name):
                save_figure(fig, stage / "figures", name)
            figures += [f"figures/{name}.png", f"figures/{name}.svg"]
        rows = {"ranking.csv": len(table)}
        extra: dict[str, Any] = {}
        if result.spec.get("share") is not None:
            extra["shared_pilot"] = result.shared_pilot
            extra["unshared"] = {pair: reason for pair, reason in result.unshared}
        if result.shared is not None:
            rows["shared.csv"] = len(result.shared)
        if result.robustness is not None and result.worlds is not None:
            rows["robustness.csv"] = len(result.robustness)
            rows["worlds.csv"] = len(result.worlds)
            extra["worlds"] = len(result.worlds)
        manifest = provenance(
            kind="pilot",
            name=result.name,
            source=result.source,
            seed=result.seed,
            objective=result.objective,
            selected=list(result.selected),
            guaranteed=result.guaranteed,
            confidence=result.confidence,
            indifference=result.indifference,
            rinott_h=result.h,
            runs=result.runs,
            workers=workers,
            wall_seconds=round(result.wall_seconds, 3),
            spec=result.spec,
            checksums=folder_checksums(stage, [*writers, *figures], rows),
            **extra,
        )
        with writing(folder / "manifest.json"):
            write_json(stage / "manifest.json", manifest)
