"""How numbers read in a report: percentages, signed differences, KPI values and scenario values.

One place for the number formats that the findings, the tables and the figure captions share.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from simulation.report.plots.style import fmt_number, kpi_label


def percent(x: float, digits: int = 0) -> str:
    """A share in per cent (``0.25`` → ``"25%"``); ``"–"`` when missing or not finite."""
    if x is None or not math.isfinite(x):
        return "–"
    return f"{x * 100:.{digits}f}%"


def relative(x: float) -> str:
    """A signed relative difference in per cent: one decimal below 10%, else whole."""
    if not math.isfinite(x):
        return "–"
    value = x * 100
    digits = 1 if abs(value) < 9.95 else 0
    text = f"{abs(value):.{digits}f}"
    if float(text) == 0:
        return f"±{text}%"
    return ("+" if value > 0 else "−") + text + "%"


def signed(x: float, digits: int | None = None) -> str:
    """A number with its sign (``+``, ``−`` or ``±`` for zero); ``"–"`` when not finite."""
    if not math.isfinite(x):
        return "–"
    text = fmt_number(abs(x), digits)
    return ("+" if x > 0 else "−" if x < 0 else "±") + text


def capitalise(text: str) -> str:
    """``text`` with its first letter upper case (the rest unchanged)."""
    return text[:1].upper() + text[1:]


def format_value(kpi: str, value: float) -> str:
    """A KPI's value as the report writes it: shares in per cent, others in the KPI's unit."""
    info = kpi_label(kpi)
    if not math.isfinite(value):
        return "–"
    if info.unit == "%":
        return percent(value, 1)
    return fmt_number(value * info.scale)


def kpi_unit(kpi: str) -> str:
    """The unit written after a KPI's value (none for shares and counts)."""
    info = kpi_label(kpi)
    return "" if info.unit in ("", "%") else info.unit


def distribution_text(spec: Any) -> str:
    """A scenario's distribution spec in words: ``exponential(mean=12)``; ``"none"`` if absent."""
    if spec is None:
        return "none"
    if isinstance(spec, Mapping):
        kind = spec.get("dist", "")
        args = ", ".join(
            f"{k}={plain(v)}" for k, v in spec.items() if k != "dist" and v is not None
        )
        return f"{kind}({args})" if kind else args
    return plain(spec)


def plain(value: Any) -> str:
    """A scenario value in words: yes/no, ``%g`` floats, ``k: v`` mappings, comma lists."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(plain(v) for v in value)
    return "–" if value is None else str(value)
