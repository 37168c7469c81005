"""Feedback on long work: a bar on a terminal, a plain line now and then elsewhere.

One :class:`Progress` per piece of long work (the replications of ``run``, the runs of a
sweep, the stages of ``propose``). On a terminal it draws a tqdm bar on stderr. Without a
terminal (a log file, CI, a pipe) it emits one plain line at most every
:data:`INTERVAL_SECONDS` (none at all for work that finishes sooner), through the sink that
:func:`configure` installed (the CLI writes to stderr) or else the ``simulation.experiment.progress``
logger at INFO level. :func:`configure` with ``quiet=True`` (``--quiet``) silences both.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

INTERVAL_SECONDS = float(os.environ.get("SERVICESIM_PROGRESS_SECONDS", "10"))
"""Least time between two progress lines without a terminal (environment variable
``SERVICESIM_PROGRESS_SECONDS`` changes it, for tests)."""

_settings: dict[str, Any] = {"quiet": False, "sink": None}


def configure(*, quiet: bool | None = None, sink: Callable[[str], None] | None = None) -> None:
    """Set how progress is shown in this process.

    Parameters
    ----------
    quiet
        ``True`` silences every bar and line (``--quiet``).
    sink
        Where progress lines go without a terminal (default: the ``simulation.experiment.progress``
        logger at INFO level).
    """
    if quiet is not None:
        _settings["quiet"] = quiet
    if sink is not None:
        _settings["sink"] = sink


def reset() -> None:
    """Back to the defaults: not quiet, lines to the logger."""
    _settings.update(quiet=False, sink=None)


def duration(seconds: float) -> str:
    """``1:02:03`` or ``2:03`` for a number of seconds."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Progress of one piece of long work.

    Parameters
    ----------
    total
        Units of work in all (``None`` when not known in advance).
    desc
        What is being done (``sweep tiny``).
    unit
        Name of one unit of work (``run``, ``replication``).
    initial
        Units already done before this work started (runs taken from a sweep's store);
        they count towards ``total`` but not towards the rate behind the ETA.
    show
        ``True`` always draws a bar, ``False`` shows nothing, ``None`` (default) draws a bar
        on a terminal and writes lines otherwise.
    """

    def __init__(
        self, total: int | None, desc: str, unit: str, *, initial: int = 0, show: bool | None = None
    ) -> None:
        self.total, self.desc, self.unit = total, desc, unit
        self.n = self.initial = initial
        self.status = ""
        self.began = self.last_line = time.monotonic()
        self._bar: Any = None
        self.mode = self._mode(show)
        if self.mode == "bar":
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                initial=initial,
                desc=desc,
                unit=unit,
                file=sys.stderr,
                dynamic_ncols=True,
                leave=False,
            )

    @staticmethod
    def _mode(show: bool | None) -> str:
        if _settings["quiet"] or show is False:
            return "off"
        if show or sys.stderr.isatty():
            return "bar"
        return "lines"

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, n: int = 1) -> None:
        """``n`` more units are done."""
        self.n += n
        if self._bar is not None:
            self._bar.update(n)
        self._maybe_line()

    def set_status(self, text: str) -> None:
        """A short note shown after the count (``5 from store``, ``stage greedy-2``)."""
        self.status = text
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=True)
        self._maybe_line()

    def close(self) -> None:
        """End the bar (a line mode progress has nothing to close)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def line(self) -> str:
        """The progress as one plain line (what the line mode writes)."""
        elapsed = time.monotonic() - self.began
        note = f", {self.status}" if self.status else ""
        if not self.total:
            return f"{self.desc}: {self.n} {self.unit}(s){note}, elapsed {duration(elapsed)}"
        share = self.n / self.total
        done = self.n - self.initial
        eta = (self.total - self.n) * elapsed / done if done > 0 else None
        return (
            f"{self.desc}: {self.n}/{self.total} {self.unit}(s) ({share:.0%}){note}, "
            f"elapsed {duration(elapsed)}, ETA {duration(eta) if eta is not None else '?'}"
        )

    def _maybe_line(self) -> None:
        if self.mode != "lines":
            return
        now = time.monotonic()
        if now - self.last_line < INTERVAL_SECONDS:
            return
        self.last_line = now
        sink = _settings["sink"]
        if sink is not None:
            sink(self.line())
        else:
            log.info("%s", self.line())
