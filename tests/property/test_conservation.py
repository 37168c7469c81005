"""Conservation of needs in the KPIs and the visit table, on random valid scenarios.

Each test states one property that must hold for *every* scenario and seed; the checks are
computed independently from the output tables by the oracle in ``tests/property/oracle.py``.
``docs/testing.md`` lists every invariant with the test that checks it.
"""

from __future__ import annotations

from hypothesis import given

from simulation.scenario.outcomes import UNSERVED
from simulation.scenario.schema import Mobile
from tests.property.hypothesis_settings import PROPERTY
from tests.property.oracle import run
from tests.strategies import scenarios

CONSERVED = ["served", "pending", *(f"unserved_{r}" for r in UNSERVED)]


@PROPERTY
@given(scenarios())
def test_conservation_in_kpis(doc):
    """needs = served + every unserved reason + pending, overall, per group, area, site, stop."""
    r = run(doc, replications=2)
    for rep in range(2):
        k = r.kpi(rep)
        scopes = {(s, i) for s, i, _ in k}
        for s, i in scopes:
            if (s, i, "needs") not in k:
                continue
            assert k[(s, i, "needs")] == sum(k[(s, i, n)] for n in CONSERVED), (s, i)
            assert k[(s, i, "unserved")] == sum(k[(s, i, f"unserved_{x}")] for x in UNSERVED), (
                s,
                i,
            )
            if (s, i, "served_mobile") in k:
                assert k[(s, i, "served_mobile")] + k[(s, i, "served_fixed")] == k[(s, i, "served")]
        scenario = r.network.scenario
        overall = k[("overall", "all", "needs")]
        assert sum(k[("area", a.id, "needs")] for a in scenario.areas) == overall
        assert (
            sum(
                k[("group", g, "needs")]
                for g in ("vulnerable", "other")
                if ("group", g, "needs") in k
            )
            == overall
        )
        by_site = sum(k[("site", x.id, "needs")] for x in scenario.sites)
        assert (
            by_site
            + k[("overall", "all", "unserved_no_option")]
            + k[("overall", "all", "unserved_declined")]
            == overall
        )
        for index, x in enumerate(scenario.sites):
            assert k[("site", x.id, "unserved_no_option")] == 0
            assert k[("site", x.id, "unserved_declined")] == 0
            if isinstance(x, Mobile):
                stops = [p.id for p in r.network.places if p.site == index]
                assert sum(k[("stop", p, "needs")] for p in stops) == k[("site", x.id, "needs")]


@PROPERTY
@given(scenarios())
def test_conservation_in_visit_table(doc):
    """Every need ends in exactly one outcome, and the KPI counts are the table's counts."""
    r = run(doc)
    for rep, v in r.by_replication():
        assert v["outcome"].notna().all()
        assert list(v["visitor"]) == list(range(len(v)))
        k = r.kpi(rep)
        counted = v[v["counted"]]
        for scope, ident, rows in (
            [("overall", "all", counted)]
            + [("area", a.id, counted[counted["area"] == a.id]) for a in r.network.scenario.areas]
            + [("site", x.id, counted[counted["site"] == x.id]) for x in r.network.scenario.sites]
        ):
            tally = rows["outcome"].astype(str).value_counts()
            assert k[(scope, ident, "needs")] == len(rows)
            assert k[(scope, ident, "served")] == tally.get("served", 0)
            assert k[(scope, ident, "pending")] == tally.get("pending", 0)
            for reason in UNSERVED:
                assert k[(scope, ident, f"unserved_{reason}")] == tally.get(reason, 0)
        nowhere = v["site"].isna()
        assert v.loc[nowhere, "outcome"].astype(str).isin(["no_option", "declined"]).all()
        assert v.loc[~nowhere, "outcome"].astype(str).isin(["no_option", "declined"]).sum() == 0
        assert (
            v.loc[nowhere, ["arrival_min", "start_min", "leave_min", "queue_on_arrival"]]
            .isna()
            .all()
            .all()
        )
