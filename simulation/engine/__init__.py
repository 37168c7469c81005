"""The engine layer: one replication of a scenario.

The compiled network (places, windows, travel times), demand from named random streams,
visitors' choice, and the SimPy model of queues and counters, ending in the visit table.
"""
