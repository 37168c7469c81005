"""Unserved demand per municipality from a run or sweep folder of a Swedish scenario.

Each area is counted in the municipality that contains it (``boundaries.municipality_of``);
a municipality's figure is its areas' unserved needs per 1,000 of their residents per year
(the population-weighted mean of the areas' rates), for all its areas or its vulnerable ones.
"""

from __future__ import annotations

import pandas as pd

from simulation.report import boundaries
from simulation.report.plots.national import municipal_unserved
from simulation.report.plots.tables import kpi_means
from simulation.results.read import Results


def municipal_table(res: Results, vulnerable: bool = True) -> pd.DataFrame:
    """Per municipality and design: unserved needs per 1,000 residents per year.

    Parameters
    ----------
    res
        A loaded run or sweep folder (``simulation.results.read.load_results``).
    vulnerable
        Only the vulnerable areas (municipalities without one are left out), else all areas.

    Returns
    -------
    pandas.DataFrame
        Index ``municipality`` (name); a ``residents`` column (of the areas counted, in the
        baseline), one column per design, and ``<design> - <baseline>`` for each other design.
    """
    designs = [d for d in res.designs if d in res.scenarios]
    names = boundaries.names()
    columns: dict[str, pd.Series] = {}
    residents: dict[str, int] = {}
    for d in designs:
        sc = res.scenarios[d]
        if vulnerable:
            sc = {**sc, "areas": [a for a in sc["areas"] if a.get("vulnerable")]}
        values = kpi_means(res.design_kpis(d), "area", "unserved_per_1000_yr").to_dict()
        by = municipal_unserved(sc, values)
        columns[d] = pd.Series({names[c]: v for c, (v, _) in by.items()})
        if d == res.baseline:
            residents = {names[c]: n for c, (_, n) in by.items()}
    table = pd.DataFrame(columns)
    table.insert(0, "residents", pd.Series(residents))
    for d in designs:
        if d != res.baseline:
            table[f"{d} - {res.baseline}"] = table[d] - table[res.baseline]
    table.index.name = "municipality"
    return table.sort_index()
