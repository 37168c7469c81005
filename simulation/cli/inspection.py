"""Commands that look at a file or a result folder: ``validate``, ``compare`` and ``report``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from simulation.scenario.documents import file_kind
from simulation.scenario.loading import load_scenario


def cmd_validate(args: argparse.Namespace) -> int:
    """``servicesim validate``: check a scenario, sweep, propose file or build spec and print what
    it holds.

    Parameters
    ----------
    args
        The parsed arguments (see :func:`simulation.cli.parser.build_parser`).

    Returns
    -------
    int
        The exit status.
    """
    from simulation.scenario.yaml_io import read_yaml

    path = Path(args.scenario)
    kind = file_kind(read_yaml(path))
    if kind == "sweep":
        for line in sweep_summary(path):
            print(line)
    elif kind == "propose":
        for line in propose_summary(path):
            print(line)
    elif kind == "pilot":
        from simulation.pilot import load_pilot

        loaded = load_pilot(path)
        print(
            f"pilot {loaded.name}: {len(loaded.regions)} region(s) "
            f"({', '.join(r.name for r in loaded.regions)}), choose {loaded.spec.choose}, "
            f"objective {loaded.spec.objective.label}, confidence "
            f"{loaded.spec.selection.confidence:g}, δ = {loaded.spec.selection.indifference:g}"
        )
        if loaded.spec.share is not None:
            pairs = ", ".join(f"{p.name} ({p.road_km:.0f} km)" for p in loaded.shared)
            print(f"shared pairs within {loaded.spec.share.max_km:g} km: {pairs or 'none'}")
            for pair, reason in loaded.unshared:
                print(f"not shared: {pair} ({reason})")
        if loaded.spec.uncertain is not None:
            u = loaded.spec.uncertain
            print(
                f"uncertain: {u.world_count()} world(s) x {u.replications} replication(s), "
                f"{len(u.inputs)} input(s)"
            )
    elif kind == "build":
        from simulation.build import build_scenario

        scenario = build_scenario(path)
        sys.stdout.write(yaml.safe_dump(scenario.to_dict(), sort_keys=False, allow_unicode=True))
    else:
        scenario = load_scenario(path)
        from simulation.engine.network import warn_unreachable

        warn_unreachable(scenario)
        sys.stdout.write(yaml.safe_dump(scenario.to_dict(), sort_keys=False, allow_unicode=True))
    print(f"# {args.scenario}: valid" + ("" if kind == "scenario" else f" {kind} file"))
    return 0


def sweep_summary(path: Path) -> list[str]:
    """What ``validate`` prints for a sweep file: designs, levels and runs."""
    from simulation.scenario.sweep_spec import AutoReplications, load_sweep

    sweep = load_sweep(path)
    spec = sweep.spec
    designs, levels = len(spec.designs), len(sweep.levels())
    reps = spec.replications
    if isinstance(reps, AutoReplications):
        count = (
            f"{reps.initial} to {reps.max} replication(s) (until {reps.kpi.label} is within "
            f"{reps.half_width:g}{' relative' if reps.relative else ''})"
        )
        runs = f"{designs * levels * reps.initial} to {designs * levels * reps.max} runs"
    else:
        count, runs = f"{reps} replication(s)", f"{designs * levels * reps} runs"
    lines = [
        f"sweep {spec.name}: {designs} design(s) x {levels} level(s) x {count} = {runs}",
        f"designs: {', '.join(spec.designs)} (baseline {spec.baseline_design})",
    ]
    if spec.factors:
        lines.append("levels: " + "; ".join(label for label, _ in sweep.levels()))
    lines.append(f"seed {sweep.seed}; KPIs: {', '.join(k.label for k in spec.kpis)}")
    if sweep.worlds is not None:
        w = sweep.worlds
        lines.append(
            f"uncertain: {designs} design(s) x {w.count} world(s) ({w.spec.sampler}) x "
            f"{w.spec.replications} replication(s) = {designs * w.count * w.spec.replications} "
            f"more runs, for {w.kpi}; inputs: {', '.join(w.inputs)}"
        )
    return lines


def propose_summary(path: Path) -> list[str]:
    """What ``validate`` prints for a propose file: base, units, budget, search and selection."""
    from simulation.propose import load_propose

    loaded = load_propose(path)
    spec = loaded.spec
    b, search, sel = spec.budget, spec.search, spec.selection
    lines = [
        f"propose {loaded.name}: base {loaded.base_path}, {len(spec.units)} unit(s) "
        f"({', '.join(u.id for u in spec.units)}), {len(loaded.candidates)} candidate stop(s)",
        f"budget: {b.unit_days_per_week} unit-day(s) a week, at most {b.hours_per_day:g} h a day, "
        f"windows {', '.join(b.windows)}, weekdays {', '.join(b.weekdays)}",
        f"objective {spec.objective.label} ({spec.objective.direction} is better); "
        f"screening shortlist {spec.screening.shortlist}",
        f"search: {search.replications} replication(s) per timetable, at most "
        f"{search.max_evaluations} evaluation(s); selection: confidence {sel.confidence:g}, "
        f"{sel.initial} to {sel.max_replications} replication(s), confirmation {sel.confirmation}",
        f"seed {loaded.seed}"
        + (
            f"; compared with {loaded.compare_path} ({len(loaded.hand_made)} design(s))"
            if loaded.compare_path
            else ""
        ),
    ]
    return lines


def cmd_compare(args: argparse.Namespace) -> int:
    """``servicesim compare``: print the comparison table of a sweep folder (and the robust
    verdict of a sweep with ``uncertain:``).

    Parameters
    ----------
    args
        The parsed arguments (see :func:`simulation.cli.parser.build_parser`).

    Returns
    -------
    int
        The exit status.
    """
    from simulation.cli.comparison_table import format_comparison
    from simulation.results.sweep_folder import read_comparison

    print(
        format_comparison(read_comparison(args.folder))
    )  # refuses a folder its manifest disagrees with
    from simulation.experiment.robust_analysis import robust_verdict
    from simulation.results.manifest import read_manifest
    from simulation.results.robust_files import read_robust

    robust = read_robust(args.folder, read_manifest(args.folder) or {})
    for line in robust_verdict(robust) if robust is not None else []:
        print(line)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """``servicesim report``: write the figures and report of a result folder.

    Parameters
    ----------
    args
        The parsed arguments (see :func:`simulation.cli.parser.build_parser`).

    Returns
    -------
    int
        The exit status.
    """
    from simulation.report.build import build_report

    print(f"report written to {build_report(args.folder)}")
    return 0
