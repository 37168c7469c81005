"""The scenario layer: input documents (scenario, sweep and propose files) as frozen, validated data.

Everything here is checked before any work starts: the schema, cross-references, the travel
matrix file, limits, and the KPI catalogue that specifications name. It imports no other layer.
"""
