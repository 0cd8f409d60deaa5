"""What loaders raise for bad input, and how its messages name files, rows and values.

Anything that cannot be analysed raises :class:`DatasetError` (a ``ValueError``) whose
message names the file, the rows as numbered in the file (the header is line 1, so the
first data row is row 2), the column and the offending values. Rows are named through an
:class:`Origin`; :func:`cell_problem` writes one sentence per problem.
"""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["MAX_SHOWN", "DatasetError", "FileScan", "Origin", "cell_problem", "raise_problems"]

MAX_SHOWN = 5
"""Offending rows quoted in one message."""


class DatasetError(ValueError):
    """The input cannot be analysed: the message says which file, rows, column and values."""


class Origin:
    """Names the rows of a table in error messages.

    For a file, rows are identified by their 0-based position in ``pandas.read_csv``'s
    result; on demand (only when an error is reported) the file is scanned with the
    :mod:`csv` module to find each row's line number and raw text. For a DataFrame, rows are
    named by their index labels.
    """

    __slots__ = (
        "_labels",
        "_length",
        "_scan",
        "header",
        "path",
        "short_rows",
        "size",
        "source",
        "width",
    )

    def __init__(
        self,
        source: str,
        labels: npt.ArrayLike | pd.Index | int,
        path: Path | None = None,
        header: Sequence[str] | None = None,
        *,
        scan: FileScan | None = None,
        size: int | None = None,
        short_rows: tuple[tuple[int, int], ...] = (),
        width: int = 0,
    ) -> None:
        """``labels``: each row's label (an array or an Index, kept as it is so that a
        RangeIndex stays lazy), or the row count when rows are labelled by their position
        (a file with no dropped rows: no array of a million positions to build).
        ``header``: the file's column names as read (to find a column's raw field).
        ``scan``: the scan of ``path`` to share (origins of the same file scan it once).
        ``size``: the input's size in bytes (inflated), for the caps on members and teams.
        ``short_rows``: (line, fields) of the file's data rows with fewer fields than
        ``width``, the header's named columns (reported, not rejected)."""
        self.source = source
        self.size = size
        self.short_rows = short_rows
        self.width = width
        self.path = path
        self.header = None if header is None else list(header)
        self._labels: npt.NDArray[Any] | pd.Index | None
        if isinstance(labels, (int, np.integer)):
            self._labels, self._length = None, int(labels)
        else:
            self._labels = labels if isinstance(labels, pd.Index) else np.asarray(labels)
            self._length = len(self._labels)
        if scan is None and path is not None:
            scan = FileScan(path)
        self._scan = scan

    def __len__(self) -> int:
        return self._length

    def label(self, position: int) -> Any:
        """The label of the row at ``position``."""
        if self._labels is None:
            return position
        label = self._labels[position]
        return label.item() if isinstance(label, np.generic) else label

    def with_short_rows(self, short_rows: tuple[tuple[int, int], ...]) -> Origin:
        """This origin with the file's short rows (see :meth:`__init__`), which may be found
        after the rows are named."""
        changed = copy.copy(self)
        changed.short_rows = short_rows
        return changed

    def take(self, positions: npt.ArrayLike) -> Origin:
        """The origin of a subset of rows (positions or a boolean mask)."""
        index = np.asarray(positions)
        if index.dtype == np.bool_:
            index = np.flatnonzero(index)
        labels = np.array(index, dtype=np.intp) if self._labels is None else self._labels[index]
        return Origin(
            self.source,
            labels,
            self.path,
            self.header,
            scan=self._scan,
            size=self.size,
            short_rows=self.short_rows,
            width=self.width,
        )

    def describe(
        self, positions: Sequence[int], column: str | None, values: Sequence[Any]
    ) -> list[str]:
        """``["row 5: 'x'", ...]`` for the given table positions (values as fallback)."""
        out = []
        scanned = None if self._scan is None else self._scan.records
        header = self.header
        for position, value in zip(positions, values, strict=True):
            label = self.label(position)
            shown = _show_value(value)
            if self.path is None:
                out.append(f"index {label!r}: {shown}" if column else f"index {label!r}")
                continue
            where = f"data row {int(label) + 1}"
            if scanned is not None and 0 <= int(label) < len(scanned[0]):
                lines, records = scanned
                where = f"row {lines[int(label)]}"
                if column is not None and header is not None and column in header:
                    field = header.index(column)
                    record = records[int(label)]
                    shown = repr(record[field]) if field < len(record) else "''"
            out.append(f"{where}: {shown}" if column else where)
        return out

    def rows_text(self, positions: Sequence[int] | npt.NDArray[np.intp]) -> str:
        """``"rows 5, 9"`` (or ``"index 3, 8"``) for the given table positions."""
        shown = [int(p) for p in positions[:MAX_SHOWN]]
        parts = self.describe(shown, None, [None] * len(shown))
        more = len(positions) - len(shown)
        text = ", ".join(parts)
        if self.path is not None and all(p.startswith("row ") for p in parts):
            text = ("rows " if len(parts) > 1 else "row ") + ", ".join(p[4:] for p in parts)
        return text + (f" (and {more} more)" if more > 0 else "")


class FileScan:
    """A CSV file read again with the :mod:`csv` module, once, when an error is reported."""

    def __init__(self, path: Path, data: bytes | None = None) -> None:
        self.path = path
        self.data = data  # the inflated bytes of a compressed file

    @cached_property
    def records(self) -> tuple[list[int], list[list[str]]] | None:
        """Line numbers and raw fields of every data row pandas keeps, or None."""
        return _scan(self.path, self.data)


def _scan(path: Path, data: bytes | None = None) -> tuple[list[int], list[list[str]]] | None:
    """Line numbers and raw fields of every data row pandas keeps, or None if unreadable."""
    lines: list[int] = []
    records: list[list[str]] = []
    try:
        with (
            open(path, encoding="utf-8-sig", newline="")
            if data is None
            else io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
        ) as handle:
            reader = csv.reader(handle)
            for header in reader:  # the header: the first record that is not blank
                if header and any(field.strip() for field in header):
                    break
            previous_end = reader.line_num
            for record in reader:
                start = previous_end + 1
                previous_end = reader.line_num
                # pandas skips empty and whitespace-only lines
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue
                lines.append(start)
                records.append(record)
    except (OSError, UnicodeError, csv.Error):
        return None
    return lines, records


def _show_value(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "''"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return repr(str(int(value)))
    return repr(str(value))


def cell_problem(
    origin: Origin,
    column: str,
    positions: npt.NDArray[np.intp],
    values: pd.Series | npt.NDArray[Any],
    problem: str,
) -> str:
    """One error sentence: file, column, problem, and the first offending rows and values.

    Used by the loaders and by ``Dataset`` for checks that need the Respect schedule or the
    calendar.
    """
    shown = positions[:MAX_SHOWN]
    picked = values.iloc[shown] if isinstance(values, pd.Series) else np.asarray(values)[shown]
    described = origin.describe([int(p) for p in shown], column, list(picked))
    more = len(positions) - len(shown)
    text = "; ".join(described) + (f"; and {more} more rows" if more > 0 else "")
    return f"{origin.source}: column {column!r} {problem} ({text})"


def raise_problems(problems: list[str]) -> None:
    """Raise one DatasetError listing every problem, if there are any."""
    if problems:
        raise DatasetError("\n".join(problems))
