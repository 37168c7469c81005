"""Property-based tests: invariants of the model and robustness against bad input."""
