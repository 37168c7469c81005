"""Command line: ``servicesim run | validate | sweep | compare | report | propose``.

Bad input ends with one clear message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from importlib import resources
from pathlib import Path

import yaml

from simulation.experiment import progress
from simulation.experiment.arguments import (
    ArgumentError,
    check_executor,
    check_positive,
    check_seed,
)
from simulation.experiment.executors import WORKER_DIED, WorkerDied, abort_pools
from simulation.results.files import WriteError
from simulation.results.targets import check_target, hold_folder
from simulation.scenario.errors import ScenarioError
from simulation.scenario.loading import load_scenario

EXIT_BAD_INPUT = 2
FORCE_HELP = (
    "let --out replace a result folder of another kind (a folder servicesim did not "
    "write is never replaced)"
)
EXIT_INTERRUPTED = 130


def default_sweep_path() -> Path:
    """The embedded default: the pilot comparison sweep (packaged with the wheel)."""
    return Path(str(resources.files("simulation") / "data" / "default" / "pilot.sweep.yaml"))


def file_kind(document: object) -> str:
    """What a YAML document is: ``sweep`` (has ``designs``), ``propose`` (has ``units`` or
    ``budget``) or ``scenario``."""
    if isinstance(document, dict) and "designs" in document:
        return "sweep"
    if isinstance(document, dict) and ("units" in document or "budget" in document):
        return "propose"
    return "scenario"


def _is_sweep_file(path: Path) -> bool:
    from simulation.scenario.yaml_io import read_yaml

    return file_kind(read_yaml(path)) == "sweep"


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _positive(text: str) -> int:
    value = _whole_number(text)
    try:
        return check_positive(value, "value")
    except ArgumentError:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}") from None


def _seed(text: str) -> int:
    value = _whole_number(text)
    try:
        check_seed(value)
    except ArgumentError:
        raise argparse.ArgumentTypeError(f"expected 0 <= seed < 2**63, got {value}") from None
    return value


def _add_quiet(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: the subcommand's default must not undo a global `servicesim -q ...`
    parser.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        default=argparse.SUPPRESS,
        help="no progress bar or progress lines",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``servicesim`` command."""
    parser = argparse.ArgumentParser(
        prog="servicesim",
        description="Simulate walk-in demand at public service offices and mobile units.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=False,
        help="no progress bar or progress lines (also accepted after the command)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="run a scenario (or a sweep file) and write results/<name>/",
        description="Run replications of a scenario. Without SCENARIO, run the embedded default: "
        "the pilot comparison of fixed offices and mobile units for one Swedish region. "
        "Given a sweep file, run it as `servicesim sweep` would.",
    )
    run.add_argument(
        "scenario",
        nargs="?",
        help="scenario or sweep YAML (default: the embedded pilot comparison)",
    )
    run.add_argument(
        "--replications",
        "-r",
        type=_positive,
        default=None,
        help="number of replications (default: 5 for a scenario, the file's own for a sweep)",
    )
    run.add_argument("--seed", type=_seed, default=None, help="root seed (default: the scenario's)")
    run.add_argument(
        "--out", type=Path, default=None, help="output folder (default: results/<name>)"
    )
    run.add_argument(
        "--workers",
        "-w",
        type=_positive,
        default=None,
        help="worker processes: replications of a scenario run in parallel "
        "(default: 1 for a scenario, all cores for a sweep)",
    )
    run.add_argument("--force", action="store_true", help=FORCE_HELP)

    validate = sub.add_parser(
        "validate",
        help="check a scenario, sweep or propose file",
        description="Check a scenario, sweep or propose file (the kind is read from the document). "
        "A scenario is printed with every default filled in; a sweep or propose file gets a summary.",
    )
    validate.add_argument("scenario", metavar="FILE", help="scenario, sweep or propose YAML")

    sweep = sub.add_parser("sweep", help="run designs x factors x replications and compare them")
    sweep.add_argument("sweep", help="sweep YAML")
    sweep.add_argument(
        "--workers",
        "-w",
        type=_positive,
        default=None,
        help="worker processes (default: all cores)",
    )
    sweep.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local processes, or a dask.distributed cluster",
    )
    sweep.add_argument(
        "--scheduler",
        default=None,
        help="dask scheduler address (tcp://host:8786); without it a local cluster is started",
    )
    sweep.add_argument(
        "--out", type=Path, default=None, help="output folder (default: results/<sweep name>)"
    )
    sweep.add_argument(
        "--replications",
        "-r",
        type=_positive,
        default=None,
        help="override the file's replications",
    )
    sweep.add_argument("--seed", type=_seed, default=None, help="root seed (default: the sweep's)")
    sweep.add_argument(
        "--keep-visits", action="store_true", help="also keep every run's visit table"
    )
    sweep.add_argument("--force", action="store_true", help=FORCE_HELP)

    compare = sub.add_parser("compare", help="print the comparison table of a sweep folder")
    compare.add_argument("folder", type=Path, help="a sweep's result folder")

    report = sub.add_parser(
        "report", help="write figures, report.md and report.html for a result folder"
    )
    report.add_argument("folder", type=Path, help="a run or sweep result folder")
    for p in (run, sweep):
        p.add_argument("--no-report", action="store_true", help="do not write figures and report")

    propose = sub.add_parser(
        "propose",
        help="propose where and when mobile units should stop, and compare with hand-made designs",
        description="Screen candidate stops (2SFCA + maximal covering), build a weekly timetable by "
        "simulation (greedy + local improvement, common random numbers) and select the best against the "
        "baseline and the compare_with sweep's designs (Kim-Nelson). See docs/propose.md.",
    )
    propose.add_argument("propose", help="PROPOSE.yaml")
    propose.add_argument(
        "--workers",
        "-w",
        type=_positive,
        default=None,
        help="worker processes (default: all cores)",
    )
    propose.add_argument(
        "--out", type=Path, default=None, help="output folder (default: results/<name>-propose)"
    )
    propose.add_argument("--force", action="store_true", help=FORCE_HELP)
    for p in (run, sweep, propose):
        _add_quiet(p)
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    from simulation.cli.summary_table import format_summary
    from simulation.experiment.run import run
    from simulation.results.run_folder import write_run

    path = Path(args.scenario) if args.scenario else default_sweep_path()
    if _is_sweep_file(path):
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
    print(format_summary(result.summary, labels))
    from simulation.measures.calibration import office_calibration

    calibration = office_calibration(scenario, result.kpis)
    if calibration is not None:
        print(calibration.line())
    print(
        f"results written to {out}/"
        + ("" if args.no_report else f" (report: {out / 'report.html'})")
    )
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from simulation.scenario.yaml_io import read_yaml

    path = Path(args.scenario)
    kind = file_kind(read_yaml(path))
    if kind == "sweep":
        for line in sweep_summary(path):
            print(line)
    elif kind == "propose":
        for line in propose_summary(path):
            print(line)
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


def _verdict_lines(sweep, result) -> list[str]:
    """Which design does best for vulnerable areas (or the first KPI), per factor level."""
    from simulation.experiment.analysis import best_design
    from simulation.scenario.kpi_catalogue import headline_kpi

    present = set(result.comparison["kpi"]) if len(result.comparison) else None
    kpi = headline_kpi([k.label for k in sweep.spec.kpis], present)
    lines = []
    for level in dict.fromkeys(result.comparison["level"]) if len(result.comparison) else []:
        best, rows = best_design(result.comparison, kpi, level)
        where = f" ({level})" if level else ""
        if best == sweep.spec.baseline_design:
            lines.append(f"Best for {kpi}{where}: no design is clearly better than {best}.")
            continue
        row = rows[rows["design"] == best].iloc[0]
        rel = row["diff_mean"] / row["baseline_mean"] if row["baseline_mean"] else float("nan")
        lines.append(
            f"Best for {kpi}{where}: {best}, {row['design_mean']:.1f} against {row['baseline_mean']:.1f} "
            f"for {row['baseline']} ({rel:+.0%}; difference {row['diff_mean']:+.1f}, "
            f"{row['interval_level']:.1%} CI {row['ci_low']:+.1f} to {row['ci_high']:+.1f})."
        )
    return lines


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


def cmd_sweep(args: argparse.Namespace) -> int:
    from simulation.cli.comparison_table import format_comparison
    from simulation.results.sweep_folder import run_sweep
    from simulation.scenario.sweep_spec import load_sweep

    sweep = load_sweep(Path(args.sweep))
    out = args.out or Path("results") / sweep.spec.name
    with hold_folder(out):
        check_target(out, "sweep", getattr(args, "force", False))
        print(
            f"sweep {sweep.spec.name}: {len(sweep.spec.designs)} design(s) x {len(sweep.levels())} level(s), "
            f"baseline {sweep.spec.baseline_design}; writing {out}/",
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
    print(format_comparison(result.comparison))
    for line in _verdict_lines(sweep, result):
        print(line)
    _print_calibration(sweep, result)
    print(
        f"results written to {out}/"
        + ("" if getattr(args, "no_report", False) else f" (report: {out / 'report.html'})")
    )
    return _report_failures(result.failures, out)


def _report_failures(failures: list[tuple[str, str, int, str]], out: Path) -> int:
    """One summarised line for runs lost with a dead worker, the first five errors of others."""
    lost = [f for f in failures if f[3] == WORKER_DIED]
    failed = [f for f in failures if f[3] != WORKER_DIED]
    if lost:
        print(
            f"error: a worker process died; {len(lost)} run(s) not finished; rerun to resume",
            file=sys.stderr,
        )
    if failed:
        print(
            f"error: {len(failed)} run(s) failed; tracebacks in {out / 'errors.log'}; "
            "run the same command again to retry them",
            file=sys.stderr,
        )
        for design, level, rep, tb in failed[:5]:
            last = tb.strip().splitlines()[-1] if tb.strip() else "?"
            print(f"  {design} {level or '-'} replication {rep}: {last}", file=sys.stderr)
    return 1 if failures else 0


def cmd_compare(args: argparse.Namespace) -> int:
    from simulation.cli.comparison_table import format_comparison
    from simulation.results.sweep_folder import read_comparison

    print(
        format_comparison(read_comparison(args.folder))
    )  # refuses a folder its manifest disagrees with
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from simulation.report.build import build_report

    print(f"report written to {build_report(args.folder)}")
    return 0


def cmd_propose(args: argparse.Namespace) -> int:
    from simulation.propose import cli_handler

    return cli_handler(args)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``servicesim`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_options(parser, args)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    progress.configure(quiet=args.quiet, sink=_progress_line)
    handlers = {
        "run": cmd_run,
        "validate": cmd_validate,
        "sweep": cmd_sweep,
        "compare": cmd_compare,
        "propose": cmd_propose,
        "report": cmd_report,
    }
    try:
        return handlers[args.command](args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        abort_pools()
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except WorkerDied as exc:
        print(f"error: {exc}; run the same command again", file=sys.stderr)
        return 1
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):  # output piped into e.g. `head`
            sys.stderr.close()
            return 0
        if isinstance(exc, WriteError):
            print(f"error: {exc}", file=sys.stderr)  # cannot write <path>: <reason>
        elif exc.filename:
            print(f"error: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        else:
            print(f"error: {exc.strerror or exc}", file=sys.stderr)
        return 1


def _check_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Options that would do nothing are errors (exit 2), checked like the API's arguments."""
    if args.command == "sweep":
        try:
            check_executor(args.executor, args.scheduler)
        except ArgumentError:
            parser.error(f"--scheduler needs --executor dask (got --executor {args.executor})")


def _progress_line(line: str) -> None:
    """Progress lines without a terminal: plain lines on stderr."""
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
