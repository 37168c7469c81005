"""Reading a planner's tables (CSV or Parquet) into rows whose errors name file, row and column.

Every table is read into a :class:`Table`: its records as plain Python values (text for CSV,
typed values for Parquet) and, for each record, where it stands in the file. Cell converters
(:meth:`Table.text`, :meth:`Table.integer`, ...) turn a cell into the type the scenario needs
and raise a :class:`~simulation.scenario.errors.ScenarioError` such as
``areas.csv: row 3 (line 4), column population: expected a whole number (got 'many')``.

Rows are counted from 1, the first record after the header; for a CSV file the line of the file
is given too (the header is line 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulation.scenario.errors import ScenarioError

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq", ".geoparquet")
POLYGON_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".fgb")

_TRUE = {"true", "yes", "y", "1", "ja", "x"}
_FALSE = {"false", "no", "n", "0", "nej", ""}


def row_label(row: int, csv: bool) -> str:
    """How an error names record ``row`` (0-based): ``row 3 (line 4)`` in a CSV file."""
    return f"row {row + 1} (line {row + 2})" if csv else f"row {row + 1}"


def is_missing(value: Any) -> bool:
    """Whether a cell is empty: ``None``, NaN or blank text."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value)) if not isinstance(value, list | tuple | dict) else False
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Table:
    """The records of one table file, with the column names the spec maps to.

    Parameters
    ----------
    source
        The file, as errors name it.
    records
        One mapping per row, keyed by the file's own column names.
    columns
        The file's column names, in order.
    csv
        Whether the file is text (rows then also name their line).
    rename
        The spec's ``columns`` mapping: our name → the file's column name.
    """

    source: str
    records: tuple[Mapping[str, Any], ...]
    columns: tuple[str, ...]
    csv: bool = False
    rename: Mapping[str, str] = field(default_factory=dict)

    def column(self, name: str) -> str:
        """The file's column that holds our field ``name``."""
        return self.rename.get(name, name)

    def has(self, name: str) -> bool:
        """Whether the file has the column of field ``name``."""
        return self.column(name) in self.columns

    def require(self, names: Sequence[str], why: str = "") -> None:
        """Refuse a table that lacks any of the columns of ``names``.

        Raises
        ------
        ScenarioError
            Naming the first missing column and the columns the file has.
        """
        for name in names:
            if not self.has(name):
                col = self.column(name)
                mapped = "" if col == name else f" (the column given for '{name}')"
                raise ScenarioError(
                    f"missing column '{col}'{mapped}{why}; the file has: {', '.join(self.columns)}",
                    ("header",),
                    source=self.source,
                )

    def where(self, row: int, name: str) -> str:
        """``row 3 (line 4), column population``: the place of a cell in errors."""
        return f"{row_label(row, self.csv)}, column {self.column(name)}"

    def error(self, row: int, name: str, message: str, value: Any = ...) -> ScenarioError:
        """An error about the cell of field ``name`` in record ``row``."""
        return ScenarioError(message, (self.where(row, name),), value, self.source)

    def raw(self, row: int, name: str) -> Any:
        """The cell as read, or ``None`` when the column is absent or the cell is empty."""
        if not self.has(name):
            return None
        value = self.records[row].get(self.column(name))
        return None if is_missing(value) else value

    def _present(self, row: int, name: str, required: bool, what: str) -> Any:
        """The cell as read (``None`` when empty), refusing an empty one that is ``required``."""
        value = self.raw(row, name)
        if value is None and required:
            raise self.error(row, name, f"{what} is required here", "")
        return value

    def text(self, row: int, name: str, required: bool = False) -> str | None:
        """The cell as stripped text."""
        value = self._present(row, name, required, "a value")
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # an id column that Parquet stored as numbers
        return str(value).strip()

    def unique_id(self, row: int, seen: dict[str, int]) -> str:
        """The row's ``id``, which is required and must not repeat an earlier row's.

        Parameters
        ----------
        row
            The record.
        seen
            Each id read so far → its row; the row's id is added.

        Raises
        ------
        ScenarioError
            For an empty id, or one that an earlier row has (naming where it first stood).
        """
        ident = self.text(row, "id", required=True)
        assert ident is not None
        if ident in seen:
            raise self.error(
                row, "id", f"duplicate id (first in {self.where(seen[ident], 'id')})", ident
            )
        seen[ident] = row
        return ident

    def number(self, row: int, name: str, required: bool = False) -> float | None:
        """The cell as a finite number (a decimal comma is accepted)."""
        value = self._present(row, name, required, "a number")
        if value is None:
            return None
        if isinstance(value, bool):
            raise self.error(row, name, "expected a number", value)
        try:
            number = float(
                str(value).strip().replace(",", ".").replace(" ", "").replace("\u00a0", "")
            )
        except ValueError:
            raise self.error(row, name, "expected a number", value) from None
        if not math.isfinite(number):
            raise self.error(row, name, "expected a finite number", value)
        return number

    def integer(self, row: int, name: str, required: bool = False) -> int | None:
        """The cell as a whole number (``12 000`` and ``12000.0`` are accepted)."""
        value = self._present(row, name, required, "a whole number")
        if value is None:
            return None
        try:
            number = self.number(row, name)
        except ScenarioError:
            raise self.error(row, name, "expected a whole number", value) from None
        assert number is not None
        if not number.is_integer():
            raise self.error(row, name, "expected a whole number", value)
        return int(number)

    def flag(self, row: int, name: str) -> bool | None:
        """The cell as yes/no (true/false, yes/no, ja/nej, 1/0, x; empty is no)."""
        value = self.raw(row, name)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text.endswith(".0"):
            text = text[:-2]
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise self.error(row, name, "expected true or false (yes/no, 1/0)", value)


def table_kind(path: Path) -> str:
    """``csv``, ``parquet`` or ``polygons`` from the file name (GeoParquet: from its metadata).

    Raises
    ------
    ScenarioError
        For a file name servicesim cannot read.
    """
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in PARQUET_SUFFIXES:
        return "polygons" if is_geoparquet(path) else "parquet"
    if suffix in POLYGON_SUFFIXES or suffix == ".zip":
        return "polygons"
    raise ScenarioError(
        "expected a table file: .csv or .parquet, or polygons: .gpkg, .geojson, .shp, GeoParquet",
        source=str(path),
        value=path.name,
    )


def is_geoparquet(path: Path) -> bool:
    """Whether a Parquet file carries GeoParquet metadata (a ``geo`` key)."""
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot read the Parquet file: {exc}", source=str(path)) from None
    return b"geo" in metadata


def _check_file(path: Path) -> None:
    if not path.exists():
        raise ScenarioError("no such file", source=str(path))
    if not path.is_file():
        raise ScenarioError("expected a file", source=str(path))


def read_table(path: Path, rename: Mapping[str, str] | None = None) -> Table:
    """Read a CSV or Parquet file into a :class:`Table`.

    CSV files are read as text (UTF-8, with or without a byte-order mark; the delimiter
    ``,`` ``;`` or tab is detected from the header), so every value is converted, and checked,
    by the field that uses it.

    Raises
    ------
    ScenarioError
        If the file is missing, unreadable, empty or has a column twice.
    """
    import pandas as pd

    _check_file(path)
    source = str(path)
    kind = table_kind(path)
    if kind == "polygons":
        raise ScenarioError(
            "this table must be CSV or Parquet (polygons are read only for the areas)",
            source=source,
        )
    try:
        if kind == "csv":
            with path.open(encoding="utf-8-sig") as handle:
                header = handle.readline()
            sep = max((",", ";", "\t"), key=header.count)
            frame = pd.read_csv(
                path,
                sep=sep,
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                skipinitialspace=True,
            )
            _duplicate_header(header, sep, source)  # pandas would rename the second 'a' 'a.1'
        else:
            frame = pd.read_parquet(path)
    except ScenarioError:
        raise
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"file is not UTF-8 text (bad byte at offset {exc.start})", source=source
        ) from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScenarioError(f"cannot read the table: {first}", source=source) from None
    return table_from_frame(frame, source, kind == "csv", rename)


def _duplicate_header(header: str, sep: str, source: str) -> None:
    import csv

    names = [n.strip() for n in next(csv.reader([header.rstrip("\r\n")], delimiter=sep), [])]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ScenarioError(
                "a column name appears twice in the header", ("header",), name, source
            )
        seen.add(name)


def table_from_frame(
    frame: Any, source: str, csv: bool, rename: Mapping[str, str] | None = None
) -> Table:
    """A :class:`Table` of a pandas DataFrame (its columns by name, its rows in order).

    Raises
    ------
    ScenarioError
        If the table has no rows.
    """
    columns = tuple(str(c).strip() for c in frame.columns)
    frame = frame.set_axis(list(columns), axis=1)
    if not len(frame):
        raise ScenarioError("the table has no rows", source=source)
    records = tuple(frame.to_dict(orient="records"))
    return Table(source, records, columns, csv, dict(rename or {}))
