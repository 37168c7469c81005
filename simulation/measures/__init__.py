"""The measures layer: KPIs of a replication (time-weighted site use, needs, waits) and their
confidence intervals across replications."""
