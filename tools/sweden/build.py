"""Every Swedish scenario, pilot sweep and the overview, written into one folder."""

from __future__ import annotations

from pathlib import Path

from tools.sweden.areas import read_rows
from tools.sweden.emit import document
from tools.sweden.localities import read_localities
from tools.sweden.national import build_networks, sweep_doc
from tools.sweden.networks import read_network
from tools.sweden.offices import Region, read_offices, read_regions, unknown_municipalities
from tools.sweden.overview import overview
from tools.sweden.parameters import (
    AREAS_CSV,
    DEFAULT_REGION,
    LOCALITIES_CSV,
    NETWORK_CSV,
    OFFICES_CSV,
    OUT_DIR,
    REGIONS_CSV,
    SHARED_MUNICIPALITIES,
    SHARED_SLUG,
)
from tools.sweden.pilot_file import pilot_2022
from tools.sweden.pilots import build_pilot, build_shared_pilot
from tools.sweden.scenarios import Built, build_national, build_region
from tools.sweden.tables import TableError

SHARED = Region(SHARED_SLUG, SHARED_MUNICIPALITIES)


def _default_files(region: Region, built: Built) -> dict[str, str]:
    """The embedded default: a copy of ``region`` and its pilot sweep on ``region.yaml``."""
    ddoc, dcomments, dheader = build_pilot(built, region, "region.yaml")
    return {
        "default/region.yaml": document(
            [
                f"Embedded default region (a copy of {region.slug}.yaml; why: docs/scenarios.md).",
                *built.header,
            ],
            built.doc,
            built.comments,
        ),
        "default/pilot.sweep.yaml": document(
            [f"Embedded default pilot sweep (= {region.slug}-pilot.sweep.yaml).", *dheader],
            ddoc,
            dcomments,
        ),
    }


def generate(
    areas_csv: Path = AREAS_CSV,
    offices_csv: Path = OFFICES_CSV,
    regions_csv: Path = REGIONS_CSV,
    localities_csv: Path = LOCALITIES_CSV,
    network_csv: Path = NETWORK_CSV,
    national: bool = True,
) -> dict[str, str]:
    """The text of every generated file, by its path relative to the output folder.

    Parameters
    ----------
    areas_csv, offices_csv, regions_csv, localities_csv, network_csv
        The data files (``data/sweden/README.md``).
    national
        Also the three national locality scenarios and their sweep (the slow part; tests of
        the region files leave them out).

    Raises
    ------
    TableError
        If a data file is malformed or a region names a municipality ``areas_csv`` lacks.
    """
    rows = read_rows(areas_csv)
    regions = read_regions(regions_csv, read_offices(offices_csv))
    unknown = unknown_municipalities(
        (*regions, SHARED), {r.municipality for r in rows if r.kind == "municipality"}
    )
    if unknown:
        raise TableError(f"{regions_csv}: municipalities not in {areas_csv}: {unknown}")
    files: dict[str, str] = {}
    built: list[tuple[str, Built]] = []
    for region in (*regions, SHARED):
        title = "Linköping + Norrköping (combined)" if region is SHARED else None
        b = build_region(rows, region, title=title)
        built.append((region.slug, b))
        files[f"{region.slug}.yaml"] = document(b.header, b.doc, b.comments)
        if region is SHARED:
            sdoc, sc, sh = build_shared_pilot(b, f"{region.slug}.yaml")
        else:
            sdoc, sc, sh = build_pilot(b, region, f"{region.slug}.yaml")
        files[f"{region.slug}-pilot.sweep.yaml"] = document(sh, sdoc, sc)
        if region.slug == DEFAULT_REGION:
            files.update(_default_files(region, b))
    nation = build_national(rows)
    built.append(("national", nation))
    files["national.yaml"] = document(nation.header, nation.doc, nation.comments)
    files["OVERVIEW.md"] = overview(built)
    if national:
        files.update(national_files(rows, localities_csv, network_csv))
    files["pilot-2022.yaml"] = pilot_2022([r.slug for r in regions])
    return files


def national_files(rows: list, localities_csv: Path, network_csv: Path) -> dict[str, str]:
    """The three dated national locality scenarios and the sweep comparing them."""
    networks = build_networks(rows, read_localities(localities_csv), read_network(network_csv))
    files = {}
    for b in networks:
        files[f"national-{b.network.slug}.yaml"] = document(b.header, b.doc, b.comments)
    doc, comments, header = sweep_doc(networks, "national-2024.yaml")
    files["national-networks.sweep.yaml"] = document(header, doc, comments)
    return files


def build(
    out_dir: Path = OUT_DIR,
    areas_csv: Path = AREAS_CSV,
    offices_csv: Path = OFFICES_CSV,
    regions_csv: Path = REGIONS_CSV,
    national: bool = True,
) -> list[Path]:
    """Write every Swedish scenario and sweep into ``out_dir``; return the files written
    (``national=False``: without the national locality files, see :func:`generate`)."""
    written = []
    files = generate(areas_csv, offices_csv, regions_csv, national=national)
    for name, text in sorted(files.items()):
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written
