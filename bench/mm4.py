"""Measuring the M/M/4 race: our engine path, textbook SimPy, the exact recursion, the full run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.ciw_model import Agreement, agreement
from bench.scenarios import COUNTERS, PATIENCE_MEAN, days_for, mm4_scenario
from bench.timing import Contender, Load, LoadWatch, Log, Timings, alternate, engine_timer


@dataclass(frozen=True)
class SameWork:
    """One contender's service starts compared with the exact recursion's."""

    name: str
    compared: int  # visitors started by both
    worst: float  # max |difference of start| in minutes
    mismatches: int  # served by one and not by the other


@dataclass
class MM4Measurement:
    """What one M/M/4 section measured (``report.mm4_section`` turns it into text)."""

    patience: bool
    visitors: int  # arrivals before the horizon
    rounds: int
    contenders: list[Timings]  # ours, textbook, exact, full run, Ciw, in that order
    engine_times: list[float]  # Engine.run inside ours, per timed round (may be empty)
    checks: list[SameWork]
    served_exact: int
    load: Load
    days: int = 0
    agreements: list[Agreement] = field(default_factory=list)  # in distribution (Ciw)

    @property
    def section(self) -> str:
        """The target section: ``mm4`` or ``patience``."""
        return "patience" if self.patience else "mm4"

    @property
    def label(self) -> str:
        """The section title's start."""
        return "M/M/4 with patience" if self.patience else "M/M/4"


def same_work(
    timings: list[tuple[str, np.ndarray]], exact: np.ndarray, horizon: float
) -> list[SameWork]:
    """Compare each contender's starts with the recursion's (``nan``: never served)."""
    checks = []
    for name, start in timings:
        both = ~np.isnan(start) & ~np.isnan(exact)
        # a visitor still in the queue at the horizon has a start beyond it in the recursion
        differ = int(np.sum(np.isnan(start) != (np.isnan(exact) | (exact >= horizon))))
        worst = float(np.max(np.abs(start[both] - exact[both]))) if both.any() else 0.0
        checks.append(SameWork(name, int(both.sum()), worst, differ))
    return checks


def measure_mm4(visitors: int, rounds: int, patience: bool, log: Log = print) -> MM4Measurement:
    """Race the four contenders on the same M/M/4 inputs for ``rounds`` alternating rounds.

    Parameters
    ----------
    visitors
        About how many arrivals (the scenario's days are chosen to give them).
    rounds
        Timed rounds after one untimed warm-up round.
    patience
        Exponential patience of mean ``PATIENCE_MEAN`` minutes, else none.
    log
        Progress lines.
    """
    watch = LoadWatch()
    import simulation
    from bench.ciw_model import run_ciw
    from bench.exact import fifo_starts
    from bench.textbook_simpy import run_textbook
    from simulation.engine.network import compile_network
    from simulation.engine.replication import draw_visitors, run_visitors
    from simulation.engine.streams import Streams
    from simulation.scenario.loading import load_scenario

    label = "M/M/4 with patience" if patience else "M/M/4"
    doc = mm4_scenario(days_for(visitors), PATIENCE_MEAN if patience else None)
    network = compile_network(load_scenario(doc))
    horizon = network.horizon
    inputs = draw_visitors(network, Streams(doc["seed"], 0))
    order = np.argsort(inputs.arrival, kind="stable")
    if not np.array_equal(order, np.arange(len(order))):
        raise RuntimeError(
            "draw_visitors returned unsorted arrivals; the contenders need sorted inputs"
        )
    if not (np.all(inputs.place == 0) and not np.any(inputs.declined)):
        raise RuntimeError("the M/M/4 scenario should send every visitor to the one office")
    arrival = inputs.arrival.tolist()
    service = inputs.service.tolist()
    pat = inputs.patience.tolist() if patience else None
    n = sum(1 for a in arrival if a < horizon)
    log(f"{label}: {n} visitors over {doc['calendar']['days']} days, {rounds} rounds")

    engine_spent: list[float] = []

    def ours() -> Any:
        with engine_timer() as spent:
            table_ = run_visitors(network, 0, inputs)
        engine_spent.extend(spent)
        return table_

    contenders = [
        Contender("servicesim run_visitors", func=ours),
        Contender(
            "textbook SimPy", func=lambda: run_textbook(arrival, service, COUNTERS, pat, horizon)
        ),
        Contender(
            "exact recursion", func=lambda: fifo_starts(arrival, service, COUNTERS, pat, horizon)
        ),
        Contender("servicesim simulation.run", func=lambda: simulation.run(doc, replications=1)),
        Contender("Ciw", func=lambda: run_ciw(arrival, service, COUNTERS, pat, horizon)),
    ]
    alternate(contenders, rounds, log=log)
    # engine_spent holds the warm-up call too: keep the timed rounds only
    engine_times = engine_spent[-rounds:] if len(engine_spent) >= rounds else []
    ours_c, text_c, exact_c, _, ciw_c = contenders
    exact = np.asarray(exact_c.last, dtype=float)
    ciw_start = np.asarray(ciw_c.last, dtype=float)
    compared = [
        (ours_c.name, ours_c.last["start_min"].to_numpy()),
        (text_c.name, np.asarray(text_c.last, dtype=float)),
    ]
    if not patience:  # Ciw serves the same visitors with the same service times
        compared.append((ciw_c.name, ciw_start))
    checks = same_work(compared, exact, horizon)
    agreements = [agreement(ciw_c.name, ciw_start, exact, np.asarray(inputs.arrival), horizon)]
    measurement = MM4Measurement(
        patience=patience,
        visitors=n,
        rounds=rounds,
        contenders=[Timings(c.name, c.times, c.cpu) for c in contenders],
        engine_times=engine_times,
        checks=checks,
        served_exact=int(np.sum(~np.isnan(exact) & (exact < horizon))),
        load=watch.stop(),
        days=doc["calendar"]["days"],
        agreements=agreements,
    )
    r_tb = ours_c.median / text_c.median
    r_ex = ours_c.median / exact_c.median
    r_ciw = ciw_c.median / text_c.median
    log(f"  ours/textbook {r_tb:.3f}, ours/exact {r_ex:.1f}, Ciw/textbook {r_ciw:.2f}")
    return measurement
