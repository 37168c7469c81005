"""The scenario's parameters in a report: calendar, errands, demand profile, areas, sites,
travel and behaviour of the baseline design, with defaults filled in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulation.report.document import Block, Paragraph, Table
from simulation.report.document import code as _code
from simulation.report.document import text as _t
from simulation.report.formatting import distribution_text as _distribution
from simulation.report.formatting import percent as _pct
from simulation.report.formatting import plain as _plain
from simulation.report.plots.tables import label
from simulation.results.read import Results
from simulation.scenario.returns_schema import Returns


def parameter_blocks(res: Results) -> list[Block]:
    """The "Scenario parameters" section: a note on what is shown, then one table per part."""
    base = res.scenarios[res.baseline]
    blocks: list[Block] = []
    where = (
        f"The parameters of the baseline design {res.baseline}"
        + (f" at {res.level}" if res.multi_level else "")
        + "; other designs differ as listed under the question."
        if res.kind == "sweep"
        else "The scenario's parameters with defaults filled in."
    )
    blocks.append(
        Paragraph(
            _t(
                where + " Sources and assumptions are documented in the scenario files; "
                "the scenario's description is quoted above."
            )
        )
    )
    cal = base["calendar"]
    blocks.append(
        Table(
            ["parameter", "value"],
            [
                [_t("start date"), _t(_plain(cal.get("start")))],
                [_t("simulated days"), _t(_plain(cal.get("days")))],
                [_t("warm-up days (not counted)"), _t(_plain(cal.get("warmup_days")))],
                [_t("scenario seed"), _t(_plain(base.get("seed")))],
            ],
            "Calendar",
        )
    )
    blocks.append(
        Table(
            ["errand", "name", "share", "service time (min)"],
            [
                [
                    _t(_code(str(e["id"]))),
                    _t(_plain(e.get("name"))),
                    _t(_pct(float(e["share"]))),
                    _t(_distribution(e.get("service_minutes"))),
                ]
                for e in base["errands"]
            ],
            "Errands",
        )
    )
    profile = base.get("demand_profile")
    blocks.append(Paragraph(_t("Demand profile over the week: ", _profile(profile))))
    area_rows = []
    for a in base["areas"]:
        demand = a.get("demand") or {}
        rate = ", ".join(
            f"{k.replace('_', ' ')} {_plain(v)}" for k, v in demand.items() if v is not None
        )
        area_rows.append(
            [
                _t(_code(str(a["id"]))),
                _t(label(a)),
                _t(f"{int(a['population']):,}"),
                _t("yes" if a.get("vulnerable") else "no"),
                _t(f"{float(a['location']['lat']):.4f}, {float(a['location']['lon']):.4f}"),
                _t(rate),
            ]
        )
    blocks.append(
        Table(
            ["area", "name", "population", "vulnerable", "lat, lon", "demand"],
            area_rows,
            "Areas",
            {2},
        )
    )
    blocks.append(_sites_table(res))
    travel = base.get("travel") or {}
    blocks.append(
        Table(
            ["parameter", "value"],
            [[_t(k.replace("_", " ")), _t(_plain(v))] for k, v in travel.items()],
            "Travel",
        )
    )
    behaviour = base.get("behaviour") or {}
    rows = []
    for k, v in behaviour.items():
        value = _distribution(v) if k == "patience_minutes" else _plain(v)
        if k == "returns" and v:
            value = Returns.model_validate(v).describe()
        rows.append([_t(k.replace("_", " ")), _t(value)])
    blocks.append(Table(["parameter", "value"], rows, "Behaviour"))
    return blocks


def _profile(profile: Any) -> str:
    """The demand profile's weekday and hour weights in words (flat when there are none)."""
    if profile in (None, "flat"):
        return "flat (the same every hour)"
    parts = []
    if isinstance(profile, Mapping):
        if profile.get("weekday"):
            parts.append(
                "weekday weights "
                + ", ".join(f"{k} {_plain(v)}" for k, v in profile["weekday"].items())
            )
        if profile.get("hour"):
            parts.append(
                "hour weights "
                + ", ".join(f"{k}:00 {_plain(v)}" for k, v in profile["hour"].items())
            )
    return "; ".join(parts) or "flat"


def _sites_table(res: Results) -> Table:
    """Every site of every design once, with the designs that have it (for a sweep)."""
    seen: list[tuple[str, dict[str, Any], list[str]]] = []
    for d in res.designs:
        for site in res.scenarios[d].get("sites") or ():
            for ident, known, ds in seen:
                if ident == site["id"] and known == site:
                    ds.append(d)
                    break
            else:
                seen.append((site["id"], site, [d]))
    rows = []
    for _, site, ds in seen:
        if site.get("kind") == "mobile":
            stops = []
            for stop in site["schedule"]:
                place = stop.get("area") or f"{stop['location']['lat']}, {stop['location']['lon']}"
                days = _plain(stop.get("days") or stop.get("dates"))
                every = (
                    f" every {stop['every_weeks']} weeks"
                    if int(stop.get("every_weeks") or 1) > 1
                    else ""
                )
                stops.append(f"{place}: {days}{every} {_plain(stop['hours'])}")
            hours = "; ".join(stops) + f" (setup {_plain(site.get('setup_minutes'))} min)"
            where = "at its stops"
        else:
            hours = _plain(site.get("opening_hours"))
            where = f"{float(site['location']['lat']):.4f}, {float(site['location']['lon']):.4f}"
        errands = _plain(site.get("errands")) if site.get("errands") else "all"
        row = [
            _t(_code(str(site["id"]))),
            _t(label(site)),
            _t(str(site.get("kind"))),
            _t(str(site.get("counters"))),
            _t(where),
            _t(hours),
            _t(errands),
        ]
        if res.kind == "sweep":
            row.append(_t(", ".join(ds) if len(ds) < len(res.designs) else "all"))
        rows.append(row)
    header = ["site", "name", "kind", "counters", "lat, lon", "hours / stops", "errands"]
    if res.kind == "sweep":
        header.append("designs")
    return Table(header, rows, "Sites", {3})
