"""Probability distributions for service times and patience, sampled in bulk.

Every distribution is a frozen pydantic model tagged by ``dist``; ``sample(rng, n)`` draws
``n`` values from a numpy ``Generator`` in one vectorised call. Parameters are validated
where the model is built, so a sampled value is always finite and non-negative.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

_FROZEN = ConfigDict(extra="forbid", frozen=True)
MAX_MINUTES = 1e6  # about two years: far beyond any service time or patience
PositiveFloat = Annotated[float, Field(gt=0, le=MAX_MINUTES, allow_inf_nan=False)]
NonNegFloat = Annotated[float, Field(ge=0, le=MAX_MINUTES, allow_inf_nan=False)]
CV = Annotated[float, Field(ge=1e-3, le=100, allow_inf_nan=False)]


class Exponential(BaseModel):
    """Exponential distribution with the given mean (minutes)."""

    model_config = _FROZEN
    dist: Literal["exponential"]
    mean: PositiveFloat

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values."""
        return rng.exponential(self.mean, n)

    @property
    def expected(self) -> float:
        """The distribution's mean."""
        return self.mean


class Lognormal(BaseModel):
    """Lognormal distribution given by ``mean`` and ``cv``, or by ``median`` and ``cv``."""

    model_config = _FROZEN
    dist: Literal["lognormal"]
    mean: PositiveFloat | None = None
    median: PositiveFloat | None = None
    cv: CV

    @model_validator(mode="after")
    def _one_location(self) -> Lognormal:
        if (self.mean is None) == (self.median is None):
            raise ValueError("give exactly one of 'mean' or 'median' together with 'cv'")
        return self

    @property
    def sigma(self) -> float:
        """Standard deviation of the underlying normal."""
        return math.sqrt(math.log1p(self.cv**2))

    @property
    def mu(self) -> float:
        """Mean of the underlying normal."""
        if self.median is not None:
            return math.log(self.median)
        return math.log(self.mean) - self.sigma**2 / 2  # type: ignore[arg-type]

    @property
    def expected(self) -> float:
        """The distribution's mean."""
        return math.exp(self.mu + self.sigma**2 / 2)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values."""
        return rng.lognormal(self.mu, self.sigma, n)


class Gamma(BaseModel):
    """Gamma distribution given by ``mean`` and coefficient of variation ``cv``."""

    model_config = _FROZEN
    dist: Literal["gamma"]
    mean: PositiveFloat
    cv: CV

    @property
    def expected(self) -> float:
        """The distribution's mean."""
        return self.mean

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values."""
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean / shape, n)


class Uniform(BaseModel):
    """Continuous uniform distribution on ``[low, high]``."""

    model_config = _FROZEN
    dist: Literal["uniform"]
    low: NonNegFloat
    high: PositiveFloat

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high <= self.low:
            raise ValueError(f"'high' ({self.high}) must be greater than 'low' ({self.low})")
        return self

    @property
    def expected(self) -> float:
        """The distribution's mean."""
        return (self.low + self.high) / 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values."""
        return rng.uniform(self.low, self.high, n)


class Deterministic(BaseModel):
    """Always the same value."""

    model_config = _FROZEN
    dist: Literal["deterministic"]
    value: NonNegFloat

    @property
    def expected(self) -> float:
        """The distribution's mean."""
        return self.value

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Return ``n`` copies of the value (the generator is advanced nonetheless)."""
        rng.random(n)  # keep the stream's position independent of the distribution kind
        return np.full(n, self.value)


class Empirical(BaseModel):
    """Resample uniformly from a list of observed values."""

    model_config = _FROZEN
    dist: Literal["empirical"]
    values: Annotated[tuple[NonNegFloat, ...], Field(min_length=1)]

    @property
    def expected(self) -> float:
        """The distribution's mean."""
        return float(np.mean(self.values))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values with replacement."""
        return np.asarray(self.values, dtype=float)[rng.integers(0, len(self.values), n)]


Distribution = Annotated[
    Exponential | Lognormal | Gamma | Uniform | Deterministic | Empirical,
    Field(discriminator="dist"),
]
"""Any supported distribution, chosen by its ``dist`` key."""
