"""Command line: ``servicesim run | validate | build | sweep | compare | report | propose | staff |
pilot``.

The entry point: parse, dispatch to the command, and turn errors into exit statuses. Bad input
ends with one clear message on stderr and exit status 2, never a traceback. The parser is in
:mod:`simulation.cli.parser`, the commands in :mod:`simulation.cli.run`,
:mod:`simulation.cli.sweep` and :mod:`simulation.cli.inspection`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable

from simulation.cli.build import cmd_build
from simulation.cli.inspection import cmd_compare, cmd_report, cmd_validate
from simulation.cli.parser import build_parser
from simulation.cli.run import cmd_run
from simulation.cli.sweep import cmd_sweep
from simulation.experiment import progress
from simulation.experiment.arguments import ArgumentError, check_executor
from simulation.experiment.executors import WorkerDied, abort_pools
from simulation.results.files import WriteError
from simulation.scenario.errors import ScenarioError

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

CHATTY_LIBRARIES = ("distributed", "tornado")
"""Loggers whose records below WARNING reach the console only with ``-vv``: dask sets its own
loggers to INFO, and a local cluster announces every scheduler, nanny and connection."""


class _QuietLibraries(logging.Filter):
    """Drop :data:`CHATTY_LIBRARIES`' records below WARNING (the console handler's filter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith(CHATTY_LIBRARIES)


def _delegated(layer: str) -> Callable[[argparse.Namespace], int]:
    """The command of a layer above the CLI's own that handles its arguments itself:
    ``simulation.<layer>.cli_handler`` (``propose``, ``pilot``, ``staff``), imported on use so
    that the other commands do not load it."""

    def command(args: argparse.Namespace) -> int:
        return int(importlib.import_module(f"simulation.{layer}").cli_handler(args))

    command.__doc__ = f"``servicesim {layer}``: handled by ``simulation.{layer}.cli_handler``."
    return command


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``servicesim`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_options(parser, args)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if args.verbose < 2:
        for handler in logging.getLogger().handlers:
            handler.addFilter(_QuietLibraries())
    progress.configure(quiet=args.quiet, sink=_progress_line)
    handlers = {
        "run": cmd_run,
        "validate": cmd_validate,
        "sweep": cmd_sweep,
        "compare": cmd_compare,
        "propose": _delegated("propose"),
        "pilot": _delegated("pilot"),
        "staff": _delegated("staff"),
        "report": cmd_report,
        "build": cmd_build,
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


def console() -> None:
    """The ``servicesim`` console script (and ``python -m simulation``): :func:`main`, then exit.

    After Ctrl-C the process ends at once with status 130, once :func:`main` has cleaned up
    (staged and temporary files removed, worker pools ended): the interpreter's exit handlers
    could otherwise wait for a pool worker that is being ended, or print about its closed pipes.
    """
    status = main()
    if status == EXIT_INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


def _check_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Options that would do nothing are errors (exit 2), checked like the API's arguments."""
    if args.command in ("sweep", "pilot"):
        try:
            check_executor(args.executor, args.scheduler)
        except ArgumentError:
            parser.error(f"--scheduler needs --executor dask (got --executor {args.executor})")


def _progress_line(line: str) -> None:
    """Progress lines without a terminal: plain lines on stderr."""
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    console()
