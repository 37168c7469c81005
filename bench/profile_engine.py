"""``python -m bench.run_bench --profile``: cProfile of our engine path on the M/M/4 case."""

from __future__ import annotations

from bench.scenarios import PATIENCE_MEAN, days_for, mm4_scenario


def profile(visitors: int, top: int = 25) -> None:
    """cProfile our engine path on the M/M/4 case (with and without patience)."""
    import cProfile
    import pstats

    import simulation
    from simulation.engine.network import compile_network
    from simulation.engine.replication import draw_visitors, run_visitors
    from simulation.engine.streams import Streams
    from simulation.scenario.loading import load_scenario

    for patience in (None, PATIENCE_MEAN):
        doc = mm4_scenario(days_for(visitors), patience)
        network = compile_network(load_scenario(doc))
        inputs = draw_visitors(network, Streams(doc["seed"], 0))
        run_visitors(network, 0, inputs)  # warm
        prof = cProfile.Profile()
        prof.enable()
        run_visitors(network, 0, inputs)
        prof.disable()
        print(f"\n=== run_visitors, {doc['name']}, {len(inputs.arrival):,} visitors ===")
        pstats.Stats(prof).sort_stats("tottime").print_stats(top)
    doc = mm4_scenario(days_for(visitors))
    prof = cProfile.Profile()
    prof.enable()
    simulation.run(doc, replications=1)
    prof.disable()
    print("\n=== simulation.run, bench-mm4 (cumulative) ===")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(top)
