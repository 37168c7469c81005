"""Service targets of ``servicesim staff``: ``wait_p80<=15``, ``abandonment<=0.05``, ``wait_mean<=10``.

Each target is judged per period on the visitors who **arrived** in that period
(:mod:`simulation.staff.periods`), from one value per replication:

* ``wait_pQ<=t``: the share of served visitors who waited more than ``t`` minutes must be at
  most ``1 - Q/100`` (the ``Q``-th percentile of their waits is then at most ``t``);
* ``abandonment<=x``: (reneged + balked) / arrivals at most ``x``;
* ``wait_mean<=x``: the mean wait of served visitors at most ``x`` minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TARGET = re.compile(r"^\s*(wait_p(\d{1,2})|abandonment|wait_mean)\s*<=\s*([0-9]*\.?[0-9]+)\s*$")


@dataclass(frozen=True)
class Target:
    """One service target.

    Attributes
    ----------
    kpi
        ``wait_pQ``, ``abandonment`` or ``wait_mean``.
    limit
        The target value: minutes for the waits, a share for abandonment.
    quantile
        ``Q / 100`` for ``wait_pQ``, else ``None``.
    """

    kpi: str
    limit: float
    quantile: float | None = None

    @property
    def text(self) -> str:
        """The target as written on the command line, e.g. ``wait_p80<=15``."""
        return f"{self.kpi}<={self.limit:g}"

    @property
    def bound(self) -> float:
        """The largest allowed value of the judged statistic (see :attr:`statistic`)."""
        if self.quantile is not None:
            return round(1.0 - self.quantile, 12)
        return self.limit

    @property
    def statistic(self) -> str:
        """What is judged per period and replication: ``late_share``, ``abandonment``, ``wait_mean``."""
        return "late_share" if self.quantile is not None else self.kpi


def parse_target(text: str) -> Target:
    """Parse ``KPI<=VALUE``.

    Raises
    ------
    ValueError
        If the text is not one of the supported forms or the value is out of range.
    """
    match = _TARGET.match(str(text))
    if not match:
        raise ValueError(
            f"expected KPI<=VALUE with KPI wait_pQ (Q 1..99), abandonment or wait_mean, "
            f"such as wait_p80<=15, got {text!r}"
        )
    kpi, q, value = match.group(1), match.group(2), float(match.group(3))
    if q is not None:
        quantile = int(q)
        if not 1 <= quantile <= 99:
            raise ValueError(f"the percentile of wait_pQ must be 1..99, got {text!r}")
        return Target(kpi, value, quantile / 100.0)
    if kpi == "abandonment" and not 0 <= value < 1:
        raise ValueError(f"abandonment is a share: expected 0 <= value < 1, got {text!r}")
    return Target(kpi, value)
