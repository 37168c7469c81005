"""``servicesim sweep``: designs x levels x replications, the comparison and the baseline's
calibration on the terminal."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.cli.failures import report_failures
from simulation.cli.verdict import verdict_lines
from simulation.results.lock import hold_folder
from simulation.results.targets import check_target
from simulation.scenario.errors import ScenarioError
from simulation.scenario.returns_schema import describe_returns


def _print_calibration(sweep, result) -> None:
    """The baseline's offices against sourced throughput figures (docs/scenarios.md)."""
    from simulation.measures.calibration import office_calibration

    base = sweep.spec.baseline_design
    for design, level, _, scenario in sweep.cells:
        if design != base:
            continue
        rows = result.kpis[(result.kpis["design"] == design) & (result.kpis["level"] == level)]
        calibration = office_calibration(scenario, rows)
        if calibration is not None:
            print(
                calibration.line().replace("(offices)", f"({base}{', ' + level if level else ''})")
            )
        return


def _print_returns(sweep) -> None:
    """The baseline's return-visit assumption, when it has one (docs/model.md section 13)."""
    base = sweep.spec.baseline_design
    for design, _, _, scenario in sweep.cells:
        if design == base:
            for line in describe_returns(
                scenario.behaviour.returns, [(e.id, e.returns) for e in scenario.errands]
            ):
                print(line)
            return


def cmd_sweep(args: argparse.Namespace) -> int:
    """``servicesim sweep``: run a sweep into its folder, print the comparison and verdicts.

    Parameters
    ----------
    args
        The parsed arguments (see :func:`simulation.cli.parser.build_parser`).

    Returns
    -------
    int
        The exit status (1 if any run failed).
    """
    from simulation.cli.comparison_table import format_comparison
    from simulation.results.sweep_folder import run_sweep
    from simulation.scenario.sweep_spec import load_sweep

    sweep = load_sweep(Path(args.sweep))
    worlds = getattr(args, "worlds", None)
    if worlds is not None:
        if sweep.worlds is None:
            raise ScenarioError(
                "--worlds needs an 'uncertain:' block in the sweep file", ("uncertain",), worlds
            ).with_source(str(args.sweep))
        try:
            sweep.worlds.resample(worlds)
        except ScenarioError as exc:
            raise exc.with_source(str(args.sweep)) from None
    out = args.out or Path("results") / sweep.spec.name
    with hold_folder(out):
        check_target(out, "sweep", getattr(args, "force", False))
        print(
            f"sweep {sweep.spec.name}: {len(sweep.spec.designs)} design(s) x {len(sweep.levels())} level(s), "
            f"baseline {sweep.spec.baseline_design}"
            + (
                f"; robust: {sweep.worlds.count} world(s) x {sweep.worlds.spec.replications} replication(s)"
                if sweep.worlds is not None
                else ""
            )
            + f"; writing {out}/",
            flush=True,
        )
        result = run_sweep(
            sweep,
            workers=args.workers,
            executor=args.executor,
            scheduler=args.scheduler,
            out=out,
            keep_visits=args.keep_visits,
            replications=args.replications,
            seed=getattr(args, "seed", None),
            force=getattr(args, "force", False),
        )
        if result.from_store:
            print(f"resumed: {result.from_store} run(s) taken from {out / 'runs'}/", flush=True)
        n = result.replications["replication"].nunique() if len(result.replications) else 0
        if not getattr(args, "no_report", False) and n:
            from simulation.report.build import build_report

            build_report(out)
    print(f"{n} replication(s) per design and level (common random numbers)")
    _print_returns(sweep)
    print(format_comparison(result.comparison))
    for line in verdict_lines(sweep, result):
        print(line)
    if result.robust is not None:
        from simulation.experiment.robust_analysis import robust_verdict

        for line in robust_verdict(result.robust):
            print(line)
    _print_calibration(sweep, result)
    print(
        f"results written to {out}/"
        + ("" if getattr(args, "no_report", False) else f" (report: {out / 'report.html'})")
    )
    return report_failures(result.failures, out)
