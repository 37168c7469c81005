"""The ``behaviour.returns`` block: needs that were not served may try again later.

A return is a new **attempt of the same need**: after a failure whose outcome is listed in
``after``, the resident tries again with probability ``probability``, a delay later
(``delay_days`` or, for short checks, ``delay_minutes``), choosing again among all options by
the usual choice rules. ``max_attempts`` bounds the attempts of a need (the first included;
omitted or ``none`` means unlimited). See ``docs/model.md`` section 13.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from simulation.scenario.distributions import Distribution

_FROZEN = ConfigDict(extra="forbid", frozen=True)

ReturnAfter = Literal["reneged", "balked", "closed", "no_option", "declined"]
"""Outcomes that may lead to another attempt."""

RETURN_AFTER: tuple[str, ...] = ("reneged", "balked", "closed", "no_option", "declined")
"""Every outcome a return may follow, in the order the documentation lists them."""

MAX_ATTEMPTS = 1000
"""Most attempts per need that may be written (``none`` means unlimited)."""


def _none_word(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() == "none":
        return None
    return value


class Returns(BaseModel):
    """Return visits (retrial): who tries again after a failure, with what chance and delay.

    Attributes
    ----------
    after
        Outcomes of an attempt that may lead to another attempt (default: ``reneged``,
        ``balked``, ``closed``, ``no_option``; ``declined`` needs return only if listed).
    probability
        Chance of trying again after each listed failure (0..1).
    delay_days, delay_minutes
        Distribution of the time from the failure to the new attempt's need, in days or in
        minutes; give exactly one.
    max_attempts
        Most attempts per need, the first included (``None``: unlimited).
    """

    model_config = _FROZEN
    after: Annotated[tuple[ReturnAfter, ...], Field(min_length=1)] = (
        "reneged",
        "balked",
        "closed",
        "no_option",
    )
    probability: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
    delay_days: Distribution | None = None
    delay_minutes: Distribution | None = None
    max_attempts: Annotated[
        Annotated[int, Field(ge=1, le=MAX_ATTEMPTS, strict=True)] | None,
        BeforeValidator(_none_word),
    ] = 3

    @model_validator(mode="after")
    def _one_delay(self) -> Returns:
        if (self.delay_days is None) == (self.delay_minutes is None):
            raise ValueError("give exactly one of delay_days or delay_minutes")
        if len(set(self.after)) != len(self.after):
            raise ValueError("list each outcome in 'after' once")
        return self

    @property
    def delay_scale(self) -> float:
        """Minutes per unit of the delay distribution (1440 for days, 1 for minutes)."""
        return 1440.0 if self.delay_days is not None else 1.0

    @property
    def delay(self) -> Distribution:
        """The delay distribution (in days or minutes, see :attr:`delay_scale`)."""
        dist = self.delay_days if self.delay_days is not None else self.delay_minutes
        assert dist is not None
        return dist

    def describe(self) -> str:
        """One line stating the returns assumption, as the terminal prints it."""
        unit = "days" if self.delay_days is not None else "minutes"
        mean = self.delay.expected
        after = (
            ", ".join(self.after[:-1]) + (" or " if len(self.after) > 1 else "") + self.after[-1]
        )
        limit = (
            "no limit on attempts"
            if self.max_attempts is None
            else f"at most {self.max_attempts} attempts per need"
        )
        return (
            f"Return visits (assumed): {self.probability:.0%} of attempts that end {after} "
            f"try again, {self.delay.dist} delay of mean {mean:g} {unit}, {limit}; "
            "unserved counts needs still unserved after their last attempt."
        )


def describe_returns(
    returns: Returns | None, errands: Sequence[tuple[str, Returns | None]]
) -> list[str]:
    """The terminal's lines on return visits: the scenario's, then each errand's own.

    Parameters
    ----------
    returns
        ``behaviour.returns`` (``None`` when not given).
    errands
        ``(errand id, its own returns or None)`` for every errand.
    """
    lines = [] if returns is None else [returns.describe()]
    for ident, own in errands:
        if own is not None:
            lines.append(f"Errand {ident}: {own.describe()}")
    return lines
