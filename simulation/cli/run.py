"""``servicesim run``: replications of one scenario, their summary table and calibration."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.cli.documents import default_sweep_path, is_sweep_file
from simulation.cli.sweep import cmd_sweep
from simulation.results.lock import hold_folder
from simulation.results.targets import check_target
from simulation.scenario.loading import load_scenario
from simulation.scenario.returns_schema import describe_returns


def cmd_run(args: argparse.Namespace) -> int:
    """``servicesim run``: run a scenario (or a sweep file, as ``sweep``), print its summary.

    Parameters
    ----------
    args
        The parsed arguments (see :func:`simulation.cli.parser.build_parser`).

    Returns
    -------
    int
        The exit status.
    """
    from simulation.cli.summary_table import format_summary
    from simulation.experiment.run import run
    from simulation.results.run_folder import write_run

    path = Path(args.scenario) if args.scenario else default_sweep_path()
    if is_sweep_file(path):
        args.sweep, args.executor, args.scheduler, args.keep_visits = path, "local", None, False
        return cmd_sweep(args)
    scenario = load_scenario(path)
    replications = args.replications or 5
    out = args.out or Path("results") / scenario.name
    with hold_folder(out):
        check_target(
            out, "run", getattr(args, "force", False)
        )  # refuse a bad --out before the work, not after
        result = run(scenario, replications=replications, seed=args.seed, workers=args.workers)
        write_run(result, out, force=getattr(args, "force", False))
        if not args.no_report:
            from simulation.report.build import build_report

            build_report(out)
    labels = {("area", a.id): a.label for a in scenario.areas}
    labels.update({("site", s.id): s.label for s in scenario.sites})
    print(
        f"scenario {scenario.name}: {replications} replication(s), seed {result.seed}, "
        f"{scenario.calendar.days} days ({scenario.calendar.warmup_days} warm-up), "
        f"{result.wall_seconds:.1f} s"
    )
    for line in describe_returns(
        scenario.behaviour.returns, [(e.id, e.returns) for e in scenario.errands]
    ):
        print(line)
    print(format_summary(result.summary, labels, result.level))
    from simulation.measures.calibration import office_calibration

    calibration = office_calibration(scenario, result.kpis)
    if calibration is not None:
        print(calibration.line())
    print(
        f"results written to {out}/"
        + ("" if args.no_report else f" (report: {out / 'report.html'})")
    )
    return 0
