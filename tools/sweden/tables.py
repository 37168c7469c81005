"""Reading the CSV tables of ``data/sweden/``: one checked header, one record per line."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path


class TableError(ValueError):
    """A data file under ``data/sweden/`` does not have the columns or values expected."""


def read_table(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """The records of a UTF-8 CSV file whose header is exactly ``columns``.

    Parameters
    ----------
    path
        The CSV file.
    columns
        The expected header, in order (``data/sweden/README.md`` describes each column).

    Returns
    -------
    list of dict
        One record per data line, keyed by column.

    Raises
    ------
    TableError
        If the header differs from ``columns`` or a line has another number of fields.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != list(columns):
            raise TableError(f"{path}: expected the columns {','.join(columns)}, got {header}")
        records = []
        for line, fields in enumerate(reader, start=2):
            if len(fields) != len(columns):
                raise TableError(
                    f"{path}:{line}: expected {len(columns)} fields, got {len(fields)}"
                )
            records.append(dict(zip(columns, fields, strict=True)))
    return records


def number(path: Path, record: dict[str, str], column: str, kind: type = float) -> float:
    """The value of a numeric column, with the file and column named if it is not a number."""
    try:
        return kind(record[column])
    except ValueError:
        raise TableError(f"{path}: column {column}: not a number: {record[column]!r}") from None


def coordinate(path: Path, record: dict[str, str]) -> tuple[float, float]:
    """The ``lat,lon`` of a record, checked to lie in Sweden's bounding box."""
    lat, lon = number(path, record, "lat"), number(path, record, "lon")
    if not (55.0 <= lat <= 69.1 and 10.9 <= lon <= 24.2):
        raise TableError(f"{path}: {lat},{lon} is not in Sweden (record {record})")
    return lat, lon
