"""One value at a time from a scenario distribution, as ``float(dist.sample(rng, 1)[0])``.

A return attempt draws its delay, patience and service time one by one from its own
generator (``returns.ReturnAttempts``). ``sample(rng, 1)`` builds a one-element array and
recomputes the distribution's parameters each time; numpy's scalar calls (``size=None``) draw
the same value from the same generator state without the array, with the parameters
computed once. Equality with ``sample`` is tested for every distribution kind
(``tests/property/test_scalar_draws.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulation.scenario.distributions import Distribution, Exponential, Gamma, Lognormal, Uniform

Draw = Callable[[np.random.Generator], float]


def scalar_draw(dist: Distribution) -> Draw:
    """A function drawing one value of ``dist``, equal to ``float(dist.sample(rng, 1)[0])``."""
    if isinstance(dist, Exponential):
        mean = dist.mean
        return lambda rng: rng.exponential(mean)
    if isinstance(dist, Lognormal):
        mu, sigma = dist.mu, dist.sigma
        return lambda rng: rng.lognormal(mu, sigma)
    if isinstance(dist, Gamma):
        shape = 1.0 / dist.cv**2
        scale = dist.mean / shape
        return lambda rng: rng.gamma(shape, scale)
    if isinstance(dist, Uniform):
        low, high = dist.low, dist.high
        return lambda rng: rng.uniform(low, high)
    return lambda rng: float(dist.sample(rng, 1)[0])
