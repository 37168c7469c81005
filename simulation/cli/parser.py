"""The argument parser of the ``servicesim`` command: its commands, options and their checks."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.experiment.arguments import ArgumentError, check_positive, check_seed

FORCE_HELP = (
    "let --out replace a result folder of another kind (a folder servicesim did not "
    "write is never replaced)"
)


MAX_DIGITS = 30
"""Longest number an option takes (far beyond any limit; longer text is not even parsed)."""


def _whole_number(text: str) -> int:
    digits = text.strip().lstrip("+-")
    if digits.isdigit() and len(digits) > MAX_DIGITS:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of at most {MAX_DIGITS} digits, got one of {len(digits):,} digits"
        )
    try:
        return int(text)
    except ValueError:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise argparse.ArgumentTypeError(f"expected a whole number, got {shown!r}") from None


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


def _add_workers(
    parser: argparse.ArgumentParser, text: str = "worker processes (default: all cores)"
) -> None:
    parser.add_argument("--workers", "-w", type=_positive, default=None, help=text)


def _add_out(parser: argparse.ArgumentParser, folder: str) -> None:
    parser.add_argument("--out", type=Path, default=None, help=f"output folder (default: {folder})")


def _add_seed(parser: argparse.ArgumentParser, owner: str) -> None:
    parser.add_argument("--seed", type=_seed, default=None, help=f"root seed (default: {owner})")


def _add_executor(command: argparse.ArgumentParser) -> None:
    """``--executor`` and ``--scheduler``: where the runs go (``sweep``, ``pilot``)."""
    command.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local processes, or a dask.distributed cluster",
    )
    command.add_argument(
        "--scheduler",
        default=None,
        help="dask scheduler address (tcp://host:8786); without it a local cluster is started",
    )


def _add_search_command(
    sub: argparse._SubParsersAction, name: str, summary: str, description: str
) -> argparse.ArgumentParser:
    """A command that searches by simulation from one file of its own (``propose``, ``pilot``):
    the file, ``--workers`` and an output folder ``results/<name>-<command>``."""
    command = sub.add_parser(name, help=summary, description=description)
    command.add_argument(name, help=f"{name.upper()}.yaml")
    _add_workers(command)
    _add_out(command, f"results/<name>-{name}")
    return command


def _confidence(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 0.95, got {text!r}") from None
    if not 0.5 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected 0.5 <= confidence < 1, got {text}")
    return value


def _target(text: str) -> str:
    from simulation.staff.targets import parse_target

    try:
        parse_target(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _staff_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The ``staff`` command's options."""
    staff = sub.add_parser(
        "staff",
        help="find the least staffing by time of day that meets a service target",
        description="Find, by simulation under common random numbers, the fewest counters per "
        "period (site x weekday x slot; one count per mobile stop) that meet every target at the "
        "stated confidence, and check it on fresh replications. See docs/staffing.md.",
    )
    staff.add_argument(
        "scenario", metavar="FILE", help="scenario YAML, or a sweep YAML with --design"
    )
    staff.add_argument(
        "--target",
        "-t",
        action="append",
        type=_target,
        required=True,
        help="a target per period, such as wait_p80<=15, abandonment<=0.05 or wait_mean<=10 "
        "(repeat for several; all must hold)",
    )
    staff.add_argument(
        "--design", default=None, help="the design of a sweep file (default: its baseline)"
    )
    staff.add_argument(
        "--granularity",
        type=int,
        choices=(15, 30, 60, 120),
        default=60,
        help="period length in minutes (default 60)",
    )
    staff.add_argument("--min-counters", type=_positive, default=1, help="least count (default 1)")
    staff.add_argument(
        "--max-counters", type=_positive, default=30, help="largest count (default 30)"
    )
    staff.add_argument(
        "--confidence",
        type=_confidence,
        default=0.95,
        help="one-sided confidence of each period's target (default 0.95)",
    )
    staff.add_argument(
        "--replications",
        "-r",
        type=_positive,
        default=20,
        help="replications of the search (default 20)",
    )
    staff.add_argument(
        "--verify-replications",
        type=_positive,
        default=None,
        help="fresh replications of the final check (default: as --replications)",
    )
    staff.add_argument(
        "--site", action="append", default=None, help="staff only this site (repeatable)"
    )
    staff.add_argument(
        "--constant",
        action="store_true",
        help="one count per site for every period (best constant staffing)",
    )
    _add_seed(staff, "the scenario's")
    staff.add_argument(
        "--same-days",
        action="store_true",
        help="one count per slot for all weekdays with the same opening hours (one mon-fri pattern)",
    )
    _add_workers(staff, "worker processes (default 1)")
    _add_out(staff, "results/<name>-staff")
    return staff


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
    _add_seed(run, "the scenario's")
    _add_out(run, "results/<name>")
    _add_workers(
        run,
        "worker processes: replications of a scenario run in parallel "
        "(default: 1 for a scenario, all cores for a sweep)",
    )

    validate = sub.add_parser(
        "validate",
        help="check a scenario, sweep, propose file or build spec",
        description="Check a scenario, sweep, propose file or build spec (the kind is read from "
        "the document). A scenario (or the scenario a build spec builds) is printed with every "
        "default filled in; a sweep or propose file gets a summary.",
    )
    validate.add_argument(
        "scenario", metavar="FILE", help="scenario, sweep, propose YAML or build spec"
    )

    build = sub.add_parser(
        "build",
        help="build a scenario from an areas table, a sites table and a small YAML spec",
        description="Build a scenario from a build spec (YAML) and the tables it names: areas "
        "(CSV, Parquet, or polygons with the geo extra), sites and mobile stops. The scenario is "
        "validated and written to --out, or printed. See docs/build.md.",
    )
    build.add_argument("spec", metavar="SPEC", help="build spec YAML")
    build.add_argument(
        "--out", "-o", type=Path, default=None, help="write the scenario here (default: print it)"
    )

    sweep = sub.add_parser("sweep", help="run designs x factors x replications and compare them")
    sweep.add_argument("sweep", help="sweep YAML")
    _add_workers(sweep)
    _add_executor(sweep)
    _add_out(sweep, "results/<sweep name>")
    sweep.add_argument(
        "--replications",
        "-r",
        type=_positive,
        default=None,
        help="override the file's replications",
    )
    _add_seed(sweep, "the sweep's")
    sweep.add_argument(
        "--worlds",
        type=_positive,
        default=None,
        help="override the worlds of the file's uncertain: block (robust comparison)",
    )
    sweep.add_argument(
        "--keep-visits", action="store_true", help="also keep every run's visit table"
    )

    compare = sub.add_parser("compare", help="print the comparison table of a sweep folder")
    compare.add_argument("folder", type=Path, help="a sweep's result folder")

    report = sub.add_parser(
        "report", help="write figures, report.md and report.html for a result folder"
    )
    report.add_argument("folder", type=Path, help="a run or sweep result folder")
    propose = _add_search_command(
        sub,
        "propose",
        "propose where and when mobile units should stop, and compare with hand-made designs",
        "Screen candidate stops (2SFCA + maximal covering), build a weekly timetable by "
        "simulation (greedy + local improvement, common random numbers) and select the best against the "
        "baseline and the compare_with sweep's designs (Kim-Nelson). See docs/propose.md.",
    )
    staff = _staff_parser(sub)
    pilot = _add_search_command(
        sub,
        "pilot",
        "rank candidate regions for a mobile-unit pilot and select the best one or two",
        "For each region, find the unit's best timetable (as propose does), estimate "
        "its benefit on fresh replications and select the best regions with Rinott's two-stage "
        "procedure. See docs/pilot.md.",
    )
    _add_executor(pilot)
    # the options of every command that writes a result folder, last in its --help
    for p in (run, sweep, propose, staff, pilot):
        p.add_argument("--force", action="store_true", help=FORCE_HELP)
        if p in (run, sweep):
            p.add_argument(
                "--no-report", action="store_true", help="do not write figures and report"
            )
        _add_quiet(p)
    return parser
