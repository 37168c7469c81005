"""Generate the Swedish scenarios in ``configs/sweden/`` from the tables in ``data/sweden/``.

Run from the repository root::

    python tools/build_sweden.py                 # rewrites configs/sweden/
    python tools/build_sweden.py --out /tmp/se   # writes elsewhere (the tests compare the two)

Inputs (``data/sweden/README.md`` names the source of every column): ``areas.csv``
(municipalities and police-listed areas), ``offices.csv`` (today's offices where they are not
one at the central locality) and ``regions.csv`` (the region scenarios and their sourced new
offices). The generator itself is the package ``tools/sweden/``.

What it writes (see ``docs/scenarios.md`` for every number and its source or assumption):

* ``<slug>.yaml`` -- one region scenario per municipality with police-listed areas that the
  2021 assignment named (plus Stockholm, Göteborg and Malmö): today's (pre-2022) fixed
  offices, each listed area as its own vulnerable demand area, the rest of the municipality
  as one area (split in equal parts at the offices for the three metro municipalities).
* ``<slug>-pilot.sweep.yaml`` -- designs ``baseline``, ``new-office``, ``mobile``, ``both``.
* ``linkoping-norrkoping.yaml`` and its sweep -- one mobile unit shared by two municipalities.
* ``national.yaml`` -- all 44 municipalities of ``areas.csv``, one office each, one year,
  demand scaled to about 2.8 million visits a year.
* ``default/region.yaml`` and ``default/pilot.sweep.yaml`` -- the region chosen as the embedded
  default (``DEFAULT_REGION``).
* ``OVERVIEW.md`` -- a generated table of areas, offices, expected visits and counters.

The output is deterministic: the same data files always give the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the ``tools`` package importable
    sys.path.insert(0, str(ROOT))

from tools.sweden.build import build, generate  # noqa: E402
from tools.sweden.parameters import (  # noqa: E402
    AREAS_CSV,
    DEFAULT_REGION,
    OFFICES_CSV,
    OUT_DIR,
    REGIONS_CSV,
)
from tools.sweden.tables import TableError  # noqa: E402

__all__ = ["DEFAULT_REGION", "build", "generate", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python tools/build_sweden.py [--out DIR] [--areas CSV] ...``.

    Returns
    -------
    int
        0 on success, 2 if a data file is malformed (the message names the file).
    """
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=OUT_DIR, help="output folder (default: configs/sweden)"
    )
    parser.add_argument(
        "--areas", type=Path, default=AREAS_CSV, help="areas CSV (default: data/sweden/areas.csv)"
    )
    parser.add_argument(
        "--offices",
        type=Path,
        default=OFFICES_CSV,
        help="offices CSV (default: data/sweden/offices.csv)",
    )
    parser.add_argument(
        "--regions",
        type=Path,
        default=REGIONS_CSV,
        help="regions CSV (default: data/sweden/regions.csv)",
    )
    args = parser.parse_args(argv)
    try:
        written = build(args.out, args.areas, args.offices, args.regions)
    except TableError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sys.stdout.write(f"wrote {len(written)} files to {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
