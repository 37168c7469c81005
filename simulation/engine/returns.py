"""Return visits: later attempts of needs whose attempt failed, created while the run goes on.

Whether a need tries again, and when, depends on what happened at a site, so later attempts
cannot be drawn before the run. The engine tells :meth:`ReturnAttempts.on_fail` of each
failure (a balk, a closing, a reneging at its deadline; ``no_option`` and ``declined`` are
known at choice time). With the scenario's probability the need tries again after a delay:
the new attempt chooses among all options by the usual rules (``choice.choose``) at its own
need time and is injected into the chosen site's arrivals (``Engine.inject``, one event).

Common random numbers: every number of attempt ``k`` of a need (whether it returns, the
delay, the choice uniforms, patience and service time) comes from one small generator keyed
by the root seed, the replication, the need's area, its index within the area and ``k``,
never by position in the run (docs/model.md section 13).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from simulation.engine.attempt_seeds import PoolPrefix, attempt_states, generator_from_state
from simulation.engine.choice_batch import PlaceTables, choose_batch
from simulation.engine.draws import scalar_draw
from simulation.engine.model import Engine, Visits, typed
from simulation.engine.network import Network
from simulation.engine.streams import _name_words
from simulation.scenario.outcomes import DECLINED, NO_OPTION, OUTCOMES, TRAVELLING
from simulation.scenario.returns_schema import Returns


def attempt_stream(
    seed: int, replication: int, area: str, need: int, attempt: int, world: int | None = None
) -> np.random.Generator:
    """The generator of attempt ``attempt`` (2, 3, ...) of need ``need`` of ``area``.

    Parameters
    ----------
    seed, replication
        Root seed and replication number.
    area
        The need's area id.
    need
        The need's index among its area's needs (in need-time order).
    attempt
        The attempt the numbers are for.
    world
        Sampled world of a robust comparison (one more word of the key; ``None``: none).
    """
    words = _return_words(area)
    key = (replication, *words, need, attempt) + (() if world is None else (int(world),))
    seq = np.random.SeedSequence(entropy=seed, spawn_key=key)
    return np.random.Generator(np.random.PCG64(seq))


@lru_cache(maxsize=65536)
def _return_words(area: str) -> tuple[int, int]:
    return _name_words(f"return/{area}")


PRECOMPUTED_ATTEMPTS = 3
"""Attempts (2, 3, ...) whose generators :meth:`ReturnAttempts.start` computes in one batch
for the first attempts that fail before the run (no option, declined); at most this many."""

_BATCH = 1 << 18  # rows per batch of precomputed generator states (bounds the temporaries)


@dataclass
class AttemptLog:
    """The inputs of the attempts created during a run (rows after the first attempts).

    Columns are Python ``array`` objects (8 bytes a value, not ~32 as in a list): a national
    run creates millions of attempts.
    """

    need: array = field(default_factory=lambda: array("q"))  # row of the need's first attempt
    attempt: array = field(default_factory=lambda: array("q"))
    need_min: array = field(default_factory=lambda: array("d"))
    place: array = field(default_factory=lambda: array("q"))
    arrival: array = field(default_factory=lambda: array("d"))
    travel: array = field(default_factory=lambda: array("d"))
    deferral_days: array = field(default_factory=lambda: array("d"))
    declined: array = field(default_factory=lambda: array("b"))


class ReturnAttempts:
    """Creates the later attempts of failed needs during one engine run.

    Parameters
    ----------
    network
        The compiled scenario (with ``behaviour.returns`` or an errand's ``returns``).
    seed, replication
        Root seed and replication number (they key the attempts' generators).
    area, errand, need_min, need_key
        Per first attempt: area index, errand index, need minute and index within the area.
    visits
        The engine's records; later attempts are appended to them.
    world
        Sampled world of a robust comparison (part of the attempts' keys; ``None``: none).
    """

    def __init__(
        self,
        network: Network,
        seed: int,
        replication: int,
        area: np.ndarray,
        errand: np.ndarray,
        need_min: np.ndarray,
        need_key: np.ndarray,
        visits: Visits,
        world: int | None = None,
    ) -> None:
        scenario = network.scenario
        # the rules of each errand: its own returns, else the scenario's (None: no returns)
        self.specs: list[Returns | None] = [
            scenario.returns_for(e) for e in range(len(scenario.errands))
        ]
        self.after_codes = [
            set() if r is None else {OUTCOMES.index(name) for name in r.after} for r in self.specs
        ]
        self.network = network
        self.seed = seed
        self.replication = replication
        self.world = world
        self.first = len(area)
        self.area = typed(area, "q")
        self.errand = typed(errand, "q")
        self.need_min = typed(need_min)
        self.need_key = typed(need_key, "q")
        self.visits = visits
        self.log = AttemptLog()
        self.site_of_place = [p.site for p in network.places]
        self.engine: Engine | None = None
        # attempts created but not yet chosen: (row, area, errand, need minute, patience, uniforms)
        self.pending: list[tuple[int, int, int, float, float, np.ndarray]] = []
        self.flush_at = np.inf  # when the next batch chooses (<= every pending need minute)
        # generator states computed in one batch (attempt_seeds): first-attempt rows, sorted,
        # and per attempt number one (rows, 4) array of states
        self.pre_rows = array("q")
        self.pre_states: dict[int, np.ndarray] = {}
        self.tables: PlaceTables | None = None  # the places as flat arrays, for choose_batch
        # one value at a time, as ``sample(g, 1)[0]`` (draws.py)
        self.delay_draw = [None if r is None else scalar_draw(r.delay) for r in self.specs]
        patience = scenario.behaviour.patience_minutes
        self.patience_draw = None if patience is None else scalar_draw(patience)
        self.service_draw = [scalar_draw(e.service_minutes) for e in scenario.errands]

    @property
    def watch_reneging(self) -> bool:
        """Whether reneging may lead to a return (then the engine records it at the deadline)."""
        return any(r is not None and "reneged" in r.after for r in self.specs)

    def start(self, engine: Engine, place: np.ndarray) -> None:
        """Attach to ``engine`` and create the returns of first attempts with no site."""
        self.engine = engine
        failed = np.flatnonzero(place < 0)
        self._precompute(failed)
        for i in failed.tolist():
            self.on_fail(i, self.need_min[i])

    def _precompute(self, rows: np.ndarray) -> None:
        """Compute the generators' states of attempts 2.. of first attempts ``rows`` at once.

        The same numbers as :func:`attempt_stream` gives one by one (``attempt_seeds``); about
        three quarters of a national run's attempts come from first attempts that fail before
        the run starts.
        """
        limits = [r.max_attempts for r in self.specs if r is not None]
        if not limits or len(rows) == 0:
            return
        last = min(
            PRECOMPUTED_ATTEMPTS, max(PRECOMPUTED_ATTEMPTS if m is None else m for m in limits)
        )
        keys = np.frombuffer(self.need_key, dtype=np.int64)[rows]
        if int(keys.max()) > 0xFFFFFFFF:
            return
        areas = np.frombuffer(self.area, dtype=np.int64)[rows]
        used, which = np.unique(areas, return_inverse=True)
        ids = self.network.scenario.areas
        prefixes = [
            PoolPrefix(self.seed, (self.replication, *_return_words(ids[a].id)))
            for a in used.tolist()
        ]
        world = () if self.world is None else (int(self.world),)
        for attempt in range(2, last + 1):
            states = np.empty((len(rows), 4), dtype=np.uint64)
            for b in range(0, len(rows), _BATCH):
                part = slice(b, b + _BATCH)
                states[part] = attempt_states(prefixes, which[part], keys[part], (attempt, *world))
            self.pre_states[attempt] = states
        self.pre_rows = typed(rows, "q")

    def _generator(self, need: int, attempt: int) -> np.random.Generator:
        """The generator of attempt ``attempt`` of the need whose first attempt is row ``need``."""
        states = self.pre_states.get(attempt)
        if states is not None:
            rows = self.pre_rows
            k = bisect_left(rows, need)
            if k < len(rows) and rows[k] == need:
                return generator_from_state(states[k])
        return attempt_stream(
            self.seed,
            self.replication,
            self.network.scenario.areas[self.area[need]].id,
            self.need_key[need],
            attempt,
            self.world,
        )

    def release(self) -> None:
        """Drop what only the run needed (per-need inputs, states); :attr:`log` stays."""
        self.area = self.errand = self.need_key = typed((), "q")
        self.need_min = typed(())
        self.pre_rows = typed((), "q")
        self.pre_states = {}
        self.pending = []
        self.engine = None
        self.tables = None

    def need_of(self, i: int) -> int:
        """Row of the first attempt of visitor ``i``'s need."""
        return i if i < self.first else self.log.need[i - self.first]

    def attempt_of(self, i: int) -> int:
        """Attempt number of visitor ``i`` (1 for a first attempt)."""
        return 1 if i < self.first else self.log.attempt[i - self.first]

    def on_fail(self, i: int, t: float) -> None:
        """Visitor ``i``'s attempt failed at minute ``t``: maybe create the need's next attempt.

        An attempt from an area that can reach no place at all is ``no_option`` whenever it
        chooses, so it is settled at once (and its own return created) instead of waiting for a
        choice batch: the same draws and outcomes, without the batch.
        """
        failed: int | None = i
        while failed is not None:
            failed, t = self._next_attempt(failed, t)

    def _next_attempt(self, i: int, t: float) -> tuple[int | None, float]:
        """Create the next attempt of visitor ``i``'s need (failed at ``t``), if it returns.

        Returns the new attempt and its need minute when it is already settled as
        ``no_option`` (its area reaches no place), else ``(None, t)``.
        """
        # need_of and attempt_of, inline (called for every failure of a national run)
        if i < self.first:
            need, attempt = i, 2
        else:
            need, attempt = self.log.need[i - self.first], self.log.attempt[i - self.first] + 1
        errand = self.errand[need]
        spec = self.specs[errand]
        if spec is None or self.visits.outcome[i] not in self.after_codes[errand]:
            return None, t
        if spec.max_attempts is not None and attempt > spec.max_attempts:
            return None, t
        area = self.area[need]
        g = self._generator(need, attempt)
        # fixed order of draws in the attempt's own generator (docs/model.md section 13)
        if g.random() >= spec.probability:
            return None, t
        when = t + self.delay_draw[errand](g) * spec.delay_scale
        u = g.random(3)
        patience = np.inf if self.patience_draw is None else self.patience_draw(g)
        service = self.service_draw[errand](g)
        v = self.visits
        j = len(v.service)
        log = self.log
        log.need.append(need)
        log.attempt.append(attempt)
        log.need_min.append(when)
        log.place.append(-1)
        log.arrival.append(np.nan)
        log.travel.append(np.nan)
        log.deferral_days.append(np.nan)
        log.declined.append(False)
        nan = float("nan")
        v.service.append(service)
        v.deadline.append(np.inf)
        v.start.append(nan)
        v.end.append(nan)
        v.leave.append(nan)
        v.queue_on_arrival.append(nan)
        v.outcome.append(TRAVELLING)  # pending unless chosen and arrived before the horizon
        if when >= self.network.horizon:
            return None, t  # the attempt would arise after the run: pending
        if len(self.network.reachable[area]) == 0:
            v.outcome[j] = NO_OPTION  # what its choice batch would find
            return j, when
        self.pending.append((j, area, errand, when, patience, u))
        if when < self.flush_at:
            # choose no later than the attempt's need time (choice does not depend on the sites'
            # state), in one batch with every other attempt waiting to choose
            self.flush_at = when
            assert self.engine is not None
            env = self.engine.env
            env.timeout(when - env.now).callbacks.append(self._flush)
        return None, t

    def _flush(self, _event: object = None) -> None:
        """Choose for every attempt waiting to choose (one batch over all areas) and inject.

        The attempts are taken area by area (in the order each area first appears), as when
        each area chose on its own; ``choose_batch`` gives every attempt the choice
        ``choose`` would give it for its area.
        """
        batch, self.pending = self.pending, []
        self.flush_at = np.inf
        if not batch:
            return
        by_area: dict[int, list[tuple[int, int, int, float, float, np.ndarray]]] = {}
        for j, area, errand, when, patience, u in batch:
            by_area.setdefault(area, []).append((j, area, errand, when, patience, u))
        items = [it for group in by_area.values() for it in group]
        v, log, first = self.visits, self.log, self.first
        assert self.engine is not None
        if self.tables is None:
            self.tables = PlaceTables.of(self.network)
        u = np.array([it[5] for it in items])
        c = choose_batch(
            self.network,
            self.tables,
            np.array([it[1] for it in items], dtype=np.int64),
            np.array([it[3] for it in items]),
            np.array([it[2] for it in items], dtype=np.int64),
            u[:, 0],
            u[:, 1],
            u[:, 2],
        )
        places = c.place.tolist()
        travel, deferral = c.travel.tolist(), c.deferral_days.tolist()
        declined, arrivals = c.declined.tolist(), c.arrival.tolist()
        for k, (j, _, _, when, patience, _) in enumerate(items):
            place = places[k]
            r = j - first
            log.place[r] = place
            log.travel[r] = travel[k]
            log.deferral_days[r] = deferral[k]
            log.declined[r] = declined[k]
            if place < 0:
                v.outcome[j] = DECLINED if log.declined[r] else NO_OPTION
                self.on_fail(j, when)
                continue
            arrival = arrivals[k]
            log.arrival[r] = arrival
            v.deadline[j] = arrival + patience
            self.engine.inject(self.site_of_place[place], j, arrival)
