"""The one look of every figure: palette, font, sizes, KPI labels, and the saver.

Colours come from the Okabe–Ito palette, which stays distinguishable with the common forms
of colour blindness; where colour carries meaning a second cue (marker, hatch, outline)
carries it too. Text is set in DejaVu Sans, which ships with matplotlib and has the Swedish
letters å, ä and ö. Figures are built on :class:`matplotlib.figure.Figure` with the Agg
canvas, never through ``pyplot``, so nothing global is touched and nothing needs closing.

Files are reproducible: the same tables give byte-identical PNG and SVG files (no
software tag, no date, fixed SVG id salt).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.rcsetup import cycler

from simulation.scenario.outcomes import UNSERVED

log = logging.getLogger(__name__)

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
"""The Okabe–Ito colour-blind-safe palette."""

GREY = "#7F7F7F"
LIGHT_GREY = "#D9D9D9"

DESIGN_COLOURS: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["black"],
    OKABE_ITO["yellow"],
)
"""Colours of designs (or series) in the order they are listed."""

DESIGN_MARKERS: tuple[str, ...] = ("o", "s", "D", "^", "v", "P", "X", "*")
"""Markers of designs, in the same order as :data:`DESIGN_COLOURS`."""

DESIGN_LINESTYLES: tuple[Any, ...] = (
    "-",
    "--",
    "-.",
    ":",
    (0, (5, 1, 1, 1)),
    (0, (1, 1)),
    "-",
    "--",
)
"""Line styles of designs, in the same order as :data:`DESIGN_COLOURS`."""

REASONS: tuple[str, ...] = UNSERVED
"""Reasons a need goes unserved, in stacking order (the outcomes that count as unserved)."""

REASON_LABELS: dict[str, str] = {
    "no_option": "no place within reach",
    "balked": "queue too long (balked)",
    "reneged": "gave up waiting (reneged)",
    "closed": "turned away at closing",
    "declined": "did not set out (too far)",
}

REASON_COLOURS: dict[str, str] = {
    "no_option": OKABE_ITO["black"],
    "balked": OKABE_ITO["orange"],
    "reneged": OKABE_ITO["vermillion"],
    "closed": OKABE_ITO["reddish_purple"],
    "declined": OKABE_ITO["sky_blue"],
}

VERDICT_STYLE: dict[str, dict[str, Any]] = {
    "better": {"color": OKABE_ITO["bluish_green"], "marker": "o", "label": "better"},
    "worse": {"color": OKABE_ITO["vermillion"], "marker": "X", "label": "worse"},
    "no clear difference": {"color": GREY, "marker": "D", "label": "no clear difference"},
    "too few replications": {"color": LIGHT_GREY, "marker": "s", "label": "too few replications"},
}
"""Colour and marker of each verdict of :func:`simulation.experiment.analysis.verdict`."""

OFFICE_COLOUR = OKABE_ITO["blue"]
VULNERABLE_EDGE = OKABE_ITO["black"]
MOBILE_COLOURS: tuple[str, ...] = (
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["orange"],
)
"""Colours of mobile units (stops, routes, schedule bars), in the order the units are listed."""

SVG_HASHSALT = "servicesim"
DPI = 200

STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.prop_cycle": cycler(color=list(DESIGN_COLOURS)),
    "figure.titlesize": 12.0,
    "figure.titleweight": "bold",
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.6,
    "legend.fontsize": 8.0,
    "legend.frameon": False,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "lines.linewidth": 1.6,
    "hatch.linewidth": 0.8,
    "svg.hashsalt": SVG_HASHSALT,
    "svg.fonttype": "path",
    "image.cmap": "viridis",
    "path.simplify": True,
}
"""Matplotlib settings shared by every figure."""


@contextmanager
def style() -> Iterator[None]:
    """Apply :data:`STYLE` for the duration of the block (leaves global settings alone)."""
    with mpl.rc_context(STYLE):  # type: ignore[arg-type]  # matplotlib types the keys as a Literal
        yield


def new_figure(
    width: float, height: float, layout: Literal["constrained", "compressed"] = "constrained"
) -> Figure:
    """A figure of ``width`` × ``height`` inches on the Agg canvas.

    Call inside :func:`style` so the figure picks up the shared settings.

    Parameters
    ----------
    width, height
        Size in inches.
    layout
        Matplotlib layout engine (``"compressed"`` suits fixed-aspect panels such as maps).
    """
    fig = Figure(figsize=(width, height), layout=layout)
    FigureCanvasAgg(fig)
    return fig


def save_figure(
    fig: Figure, folder: str | Path, name: str, formats: Sequence[str] = ("png", "svg")
) -> tuple[Path, ...]:
    """Write ``fig`` as ``<folder>/<name>.png`` (200 dpi) and ``<folder>/<name>.svg``.

    The files carry no timestamp, software tag or random id, so the same figure gives the
    same bytes.

    Parameters
    ----------
    fig
        The figure.
    folder
        Target folder (created if missing).
    name
        File name without extension.
    formats
        ``"png"`` and/or ``"svg"``.

    Returns
    -------
    tuple of pathlib.Path
        The files written, in the order of ``formats``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}
    written = []
    engine = fig.get_layout_engine()
    with style():
        try:
            for i, fmt in enumerate(formats):
                if fmt not in metadata:
                    raise ValueError(f"unknown figure format {fmt!r}; expected 'png' or 'svg'")
                path = folder / f"{name}.{fmt}"
                fig.savefig(
                    path, format=fmt, dpi=DPI if fmt == "png" else 72, metadata=metadata[fmt]
                )
                written.append(path)
                if i == 0:
                    fig.set_layout_engine("none")  # the layout was just computed: reuse it
        finally:
            fig.set_layout_engine(engine)
    log.debug("wrote %s", ", ".join(str(p) for p in written))
    return tuple(written)


def literal(text: object) -> str:
    """``text`` as matplotlib should draw it: exactly as written, never as mathtext.

    Matplotlib reads a text with two unescaped ``$`` as mathematics, so a name such as
    ``Area $1$`` or ``a$b^$`` changes its look or makes the figure fail. Every ``$`` is
    escaped (``\\$`` is drawn as ``$``); a text without ``$`` is returned unchanged, so its
    figure stays byte-identical. Use it for every user-provided string (area, site, stop,
    design and level names, titles) and every label built from one.

    Parameters
    ----------
    text
        Any text (converted with ``str``).
    """
    return str(text).replace("$", "\\$")


def design_colour(i: int) -> str:
    """Colour of the ``i``-th design (cycles after eight)."""
    return DESIGN_COLOURS[i % len(DESIGN_COLOURS)]


def mobile_colour(i: int) -> str:
    """Colour of the ``i``-th mobile unit of a scenario."""
    return MOBILE_COLOURS[i % len(MOBILE_COLOURS)]


def design_marker(i: int) -> str:
    """Marker of the ``i``-th design."""
    return DESIGN_MARKERS[i % len(DESIGN_MARKERS)]


def design_linestyle(i: int) -> Any:
    """Line style of the ``i``-th design."""
    return DESIGN_LINESTYLES[i % len(DESIGN_LINESTYLES)]


@dataclass(frozen=True)
class KpiLabel:
    """How to show a KPI: a plain-words name, its unit, and a display scale.

    Attributes
    ----------
    name
        Words for the KPI (``"mean wait"``), including the scope (``"in vulnerable areas"``).
    unit
        Unit of the displayed value (``"min"``, ``"%"``) or ``""``.
    scale
        Factor from stored value to displayed value (100 for shares shown in per cent).
    """

    name: str
    unit: str
    scale: float = 1.0

    @property
    def axis(self) -> str:
        """Axis label: the name with the unit in parentheses."""
        return f"{self.name} ({self.unit})" if self.unit else self.name


_KPI_WORDS: dict[str, tuple[str, str, float]] = {
    "unserved_per_1000_yr": ("unserved demand", "needs per 1,000 residents per year", 1.0),
    "wait_mean": ("mean wait", "min", 1.0),
    "wait_median": ("median wait", "min", 1.0),
    "wait_p90": ("90th-percentile wait", "min", 1.0),
    "wait_p95": ("95th-percentile wait", "min", 1.0),
    "wait_max": ("longest wait", "min", 1.0),
    "within_15": ("served within 15 min", "%", 100.0),
    "within_30": ("served within 30 min", "%", 100.0),
    "served_share": ("share of needs served", "%", 100.0),
    "mobile_share": ("share served by mobile units", "%", 100.0),
    "utilisation": ("counter utilisation", "%", 100.0),
    "staff_hours_per_week": ("staffed counter-hours", "h per week", 1.0),
    "travel_mean": ("mean travel time", "min", 1.0),
    "deferral_mean": ("mean deferral", "days", 1.0),
    "overtime_min": ("overtime", "counter-min", 1.0),
    "open_counter_min": ("open counter time", "counter-min", 1.0),
    "busy_counter_min": ("busy counter time", "counter-min", 1.0),
    "needs": ("needs", "per replication", 1.0),
    "served": ("needs served", "per replication", 1.0),
    "served_mobile": ("needs served by mobile units", "per replication", 1.0),
    "served_fixed": ("needs served by offices", "per replication", 1.0),
    "pending": ("needs pending at the end", "per replication", 1.0),
    "unserved": ("unserved needs", "per replication", 1.0),
}


def kpi_label(kpi: str) -> KpiLabel:
    """Plain words, unit and display scale of a KPI column such as ``wait_mean`` or
    ``unserved_per_1000_yr@group:vulnerable``."""
    base, _, where = kpi.partition("@")
    if base in _KPI_WORDS:
        name, unit, scale = _KPI_WORDS[base]
    elif base.startswith("unserved_") and base[len("unserved_") :] in REASON_LABELS:
        name, unit, scale = (
            f"unserved: {REASON_LABELS[base[len('unserved_') :]]}",
            "per replication",
            1.0,
        )
    else:
        name, unit, scale = base.replace("_", " "), "", 1.0
    if where:
        scope, _, ident = where.partition(":")
        if scope == "group":
            name += " in vulnerable areas" if ident == "vulnerable" else f" in {ident} areas"
        else:
            name += f" at {scope} {ident}"
    return KpiLabel(name, unit, scale)


def fmt_number(value: float, digits: int | None = None) -> str:
    """A number with a sensible number of decimals (thousands separated by commas)."""
    if value is None or not math.isfinite(value):
        return "–"
    if digits is None:
        size = abs(value)
        digits = 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 0.1 else 3
    text = f"{value:,.{digits}f}"
    return "0" if text.strip("-0.,") == "" else text


def wrap_label(text: str, width: int = 18) -> str:
    """Break a label onto lines of at most about ``width`` characters (at spaces)."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return "\n".join(lines)


def ordered(values: Sequence[str]) -> list[str]:
    """Unique values in first-seen order."""
    return list(dict.fromkeys(values))
