"""The experiment layer: replications of a scenario and sweeps of designs, in memory.

Run identity (which runs are the same), executors (serial, local processes, dask), paired
comparisons with common random numbers, argument checks and progress. Files belong to the
results layer above.
"""
