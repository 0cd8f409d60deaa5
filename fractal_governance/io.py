"""Reading fractal consensus records and rejecting input that cannot be analysed.

Two layouts are accepted:

* the **weekly** table, one row per member per meeting (and round):
  ``Index, MemberID, Name, MeetingID, Group, Rank, TeamID, TeamName``, with ``Level``
  instead of ``Rank``, an optional ``Round`` and an optional ``MeetingDate`` (ISO dates);
* the **normalized** layout of three files: measurements
  (``Index, MemberID, MeetingID, Group, Round, Level, TeamID``), members
  (``Index, MemberID, Name, HiveAccountName, SignatureOnFile``) and teams
  (``Index, TeamID, TeamName``), recognised by their columns whatever the file names.

Files exported from spreadsheets load as they come: UTF-8 with or without a byte-order
mark, CRLF line ends, blank trailing columns without a header, blank rows.

Anything that cannot be analysed raises :class:`DatasetError` (a ``ValueError``) whose
message names the file, the rows as numbered in the file (the header is line 1, so the
first data row is row 2), the column and the offending values. No other exception type
escapes for bad input.

Clean files take the fast path: one ``pandas.read_csv`` with type inference, then
vectorized checks. Only when something is wrong is the file scanned again to quote the
exact line numbers and raw text in the error message.
"""

from __future__ import annotations

import csv
import os
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from fractal_governance import columns as col

__all__ = [
    "MAX_LEVEL",
    "MAX_LEVEL_WITHOUT_ROUNDS",
    "MAX_MEETING_ID",
    "DatasetError",
    "NormalizedFiles",
    "Origin",
    "Table",
    "find_normalized_files",
    "load_normalized",
    "load_weekly_csv",
    "read_dataframe",
    "read_directory",
    "read_normalized",
    "read_weekly_csv",
]

MAX_LEVEL_WITHOUT_ROUNDS = 6
"""Highest level a single-round meeting can award (groups have at most six members)."""

MAX_LEVEL = 60
"""Highest level accepted with rounds; keeps every schedule's Respect within int64 sums."""

MAX_MEETING_ID = 1_000_000
"""Highest meeting ID accepted (about 19,000 years of weekly meetings)."""

_MAX_SHOWN = 5  # offending rows quoted in one message
_INT64_MAX = int(np.iinfo(np.int64).max)
_EXACT_FLOAT_INT = 2**53

PathLike = str | os.PathLike[str]


class DatasetError(ValueError):
    """The input cannot be analysed: the message says which file, rows, column and values."""


# -- where rows came from -----------------------------------------------------------------


class Origin:
    """Names the rows of a table in error messages.

    For a file, rows are identified by their 0-based position in ``pandas.read_csv``'s
    result; on demand (only when an error is reported) the file is scanned with the
    :mod:`csv` module to find each row's line number and raw text. For a DataFrame, rows are
    named by their index labels.
    """

    __slots__ = ("_labels", "_length", "_scan_cache", "path", "source")

    def __init__(
        self,
        source: str,
        labels: npt.ArrayLike | pd.Index | int,
        path: Path | None = None,
        _scan_cache: dict[str, Any] | None = None,
    ) -> None:
        """``labels``: each row's label (an array or an Index, kept as it is so that a
        RangeIndex stays lazy), or the row count when rows are labelled by their position
        (a file with no dropped rows: no array of a million positions to build)."""
        self.source = source
        self.path = path
        self._labels: npt.NDArray[Any] | pd.Index | None
        if isinstance(labels, (int, np.integer)):
            self._labels, self._length = None, int(labels)
        else:
            self._labels = labels if isinstance(labels, pd.Index) else np.asarray(labels)
            self._length = len(self._labels)
        self._scan_cache: dict[str, Any] = {} if _scan_cache is None else _scan_cache

    def __len__(self) -> int:
        return self._length

    def label(self, position: int) -> Any:
        """The label of the row at ``position``."""
        if self._labels is None:
            return position
        label = self._labels[position]
        return label.item() if isinstance(label, np.generic) else label

    def take(self, positions: npt.ArrayLike) -> Origin:
        """The origin of a subset of rows (positions or a boolean mask)."""
        index = np.asarray(positions)
        if index.dtype == np.bool_:
            index = np.flatnonzero(index)
        labels = np.array(index, dtype=np.intp) if self._labels is None else self._labels[index]
        return Origin(self.source, labels, self.path, self._scan_cache)

    def _file_records(self) -> tuple[list[int], list[list[str]]] | None:
        """Line numbers and raw fields of every data row pandas kept (cached), or None."""
        if self.path is None:
            return None
        if "records" not in self._scan_cache:
            lines: list[int] = []
            records: list[list[str]] = []
            try:
                with open(self.path, encoding="utf-8-sig", newline="") as handle:
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
                self._scan_cache["records"] = (lines, records)
            except (OSError, UnicodeError, csv.Error):
                self._scan_cache["records"] = None
        result: tuple[list[int], list[list[str]]] | None = self._scan_cache["records"]
        return result

    def describe(
        self, positions: Sequence[int], column: str | None, values: Sequence[Any]
    ) -> list[str]:
        """``["row 5: 'x'", ...]`` for the given table positions (values as fallback)."""
        out = []
        scanned = self._file_records()
        header = self._scan_cache.get("header")
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
        shown = [int(p) for p in positions[:_MAX_SHOWN]]
        parts = self.describe(shown, None, [None] * len(shown))
        more = len(positions) - len(shown)
        text = ", ".join(parts)
        if self.path is not None and all(p.startswith("row ") for p in parts):
            text = ("rows " if len(parts) > 1 else "row ") + ", ".join(p[4:] for p in parts)
        return text + (f" (and {more} more)" if more > 0 else "")


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

    Used by the loaders here and by ``Dataset`` for checks that need the Respect schedule or
    the calendar.
    """
    shown = positions[:_MAX_SHOWN]
    picked = values.iloc[shown] if isinstance(values, pd.Series) else np.asarray(values)[shown]
    described = origin.describe([int(p) for p in shown], column, list(picked))
    more = len(positions) - len(shown)
    text = "; ".join(described) + (f"; and {more} more rows" if more > 0 else "")
    return f"{origin.source}: column {column!r} {problem} ({text})"


def _raise(problems: list[str]) -> None:
    if problems:
        raise DatasetError("\n".join(problems))


# -- the validated table --------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """Validated input rows in the weekly layout plus where they came from.

    Attributes
    ----------
    frame : DataFrame
        The input columns with their input names and order (a normalized layout gains
        ``Name`` after ``MemberID`` and ``TeamName`` after ``TeamID``), typed: ``MemberID``,
        ``Name``, ``TeamName`` strings; ``MeetingID`` int64; the level column, ``Round``,
        ``Group`` and ``TeamID`` int64, or nullable Int64 where cells are empty;
        ``MeetingDate`` datetime64 if present. RangeIndex.
    origin : Origin
        Names rows in error messages.
    level_column : str
        ``"Rank"`` or ``"Level"``, whichever the input used.
    """

    frame: pd.DataFrame
    origin: Origin
    level_column: str

    @cached_property
    def members(self) -> tuple[npt.NDArray[np.int64], pd.Index]:
        """(code per row, MemberIDs in ascending order): ``MemberID`` factorized once."""
        codes, uniques = factorize_sorted(self.frame[col.MEMBER_ID])
        return codes, uniques.rename(col.MEMBER_ID)

    @cached_property
    def member_first_rows(self) -> npt.NDArray[np.int64]:
        """Per member (in the order of ``members``), the first row where they appear."""
        codes, uniques = self.members
        first = np.full(len(uniques), len(codes), dtype=np.int64)
        present = codes >= 0
        np.minimum.at(first, codes[present], np.flatnonzero(present))
        return first

    @cached_property
    def teams(self) -> tuple[npt.NDArray[np.int64], pd.Index]:
        """(code per row, TeamNames ascending; -1 for no team): ``TeamName`` factorized."""
        if col.TEAM_NAME not in self.frame.columns:
            return np.full(len(self.frame), -1, dtype=np.int64), pd.Index([], dtype="str")
        return factorize_sorted(self.frame[col.TEAM_NAME])

    @cached_property
    def team_ids(self) -> npt.NDArray[np.int64] | None:
        """``TeamID`` as int64 with -1 where empty, or None without that column."""
        if col.TEAM_ID not in self.frame.columns:
            return None
        return self.frame[col.TEAM_ID].to_numpy(dtype=np.int64, na_value=-1)

    @cached_property
    def meetings(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(code per row, MeetingIDs ascending): ``MeetingID`` numbered densely."""
        return dense_codes(self.frame[col.MEETING_ID].to_numpy(dtype=np.int64))

    @cached_property
    def member_meeting_order(self) -> npt.NDArray[np.intp]:
        """Row order sorted by MemberID, then MeetingID (stable, so rounds keep file order)."""
        return sort_order([self.members[0], self.meetings[0]])

    @cached_property
    def member_row_counts(self) -> npt.NDArray[np.int64]:
        """Rows per member (in the order of ``members``)."""
        codes, uniques = self.members
        return np.bincount(codes, minlength=len(uniques)).astype(np.int64)

    @cached_property
    def member_run_starts(self) -> npt.NDArray[np.int64]:
        """Where each member's run of rows starts in ``member_meeting_order`` (members in
        code order; every member has a run)."""
        counts = self.member_row_counts
        return np.cumsum(counts) - counts

    @cached_property
    def member_runs(self) -> tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.bool_]]:
        """In ``member_meeting_order``: each row's meeting code, and where each member's
        run of rows starts (as a mask)."""
        return _member_runs(self.meetings, self.member_meeting_order, self.member_row_counts)

    @property
    def has_rounds(self) -> bool:
        return col.ROUND in self.frame.columns

    @property
    def source(self) -> str:
        return self.origin.source

    def take(self, positions: npt.ArrayLike) -> Table:
        """The rows at ``positions`` (or a boolean mask), keeping their origin."""
        index = np.asarray(positions)
        if index.dtype == np.bool_:
            index = np.flatnonzero(index)
        frame = self.frame.take(index).reset_index(drop=True)
        return Table(frame, self.origin.take(index), self.level_column)


# -- reading CSV files ------------------------------------------------------------------------


def _read_header(path: Path, source: str) -> list[str]:
    """The header's column names (stripped), or DatasetError for unreadable files."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            for record in reader:
                if record and any(field.strip() for field in record):
                    return [field.strip() for field in record]
    except FileNotFoundError:
        raise DatasetError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise DatasetError(f"{source}: is a directory, not a CSV file") from None
    except UnicodeError as error:
        raise DatasetError(f"{source}: not UTF-8 text ({error})") from None
    except csv.Error as error:
        raise DatasetError(f"{source}: malformed CSV header ({error})") from None
    except OSError as error:
        raise DatasetError(f"{source}: cannot be read ({error})") from None
    raise DatasetError(f"{source}: the file is empty (no header row)")


def _header_names(header: list[str], source: str) -> list[str]:
    """Column names for pandas: blanks become placeholders; duplicates are an error."""
    seen: dict[str, int] = {}
    problems = []
    names = []
    for number, name in enumerate(header, start=1):
        if not name:
            names.append(f"Unnamed: {number - 1}")
            continue
        if name in seen:
            problems.append(
                f"{source}: row 1: column {name!r} appears twice in the header "
                f"(columns {seen[name]} and {number})"
            )
        seen[name] = number
        names.append(name)
    _raise(problems)
    return names


def _integral(values: npt.NDArray[np.floating[Any]]) -> bool:
    """Whether every value is a whole number that float64 holds exactly (no NaN)."""
    with np.errstate(invalid="ignore"):
        return bool(
            np.isfinite(values).all()
            and (values == np.floor(values)).all()
            and (np.abs(values) < _EXACT_FLOAT_INT).all()
        )


def _read_csv_frame(
    path: PathLike, text_columns: Iterable[str] = ()
) -> tuple[pd.DataFrame, Origin]:
    """Read a CSV file with type inference; text columns are kept as exact strings.

    Blank trailing columns without a header and rows whose cells are all empty are
    dropped. Only an empty cell counts as missing (``"NA"`` stays a string).
    """
    path = Path(path)
    source = str(path)
    names = _header_names(_read_header(path, source), source)
    options: dict[str, Any] = {
        "encoding": "utf-8-sig",
        "keep_default_na": False,
        "na_values": [""],
        "header": 0,
        "names": names,
        "skip_blank_lines": True,
    }
    text = [name for name in text_columns if name in names]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DtypeWarning: mixed chunks are handled below
            frame = pd.read_csv(path, **options)
            retype = [
                name
                for name in text
                if not pd.api.types.is_string_dtype(frame[name].dtype)
                or frame[name].dtype == object
            ]
            if retype and len(frame):
                exact = pd.read_csv(path, usecols=retype, dtype=str, **options)
                frame = frame.assign(**{name: exact[name] for name in retype})
    except pd.errors.EmptyDataError:
        raise DatasetError(f"{source}: the file is empty (no header row)") from None
    except pd.errors.ParserError as error:
        raise DatasetError(f"{source}: malformed CSV ({str(error).strip()})") from None
    except UnicodeError as error:
        raise DatasetError(f"{source}: not UTF-8 text ({error})") from None
    except (ValueError, OverflowError, TypeError, MemoryError) as error:
        raise DatasetError(f"{source}: cannot be read as CSV ({error})") from None
    except OSError as error:
        raise DatasetError(f"{source}: cannot be read ({error})") from None

    blank_unnamed = [
        name
        for name in frame.columns
        if str(name).startswith("Unnamed: ") and bool(frame[name].isna().all())
    ]
    if blank_unnamed:
        frame = frame.drop(columns=blank_unnamed)
    positions: npt.NDArray[np.intp] | int = len(frame)  # rows named by position
    if len(frame.columns) and len(frame):
        candidates = frame.iloc[:, 0].isna().to_numpy()
        if candidates.any():
            empty = candidates & frame.isna().all(axis=1).to_numpy()
            if empty.any():
                positions = np.flatnonzero(~empty)
                frame = frame.iloc[positions].reset_index(drop=True)
                # integer columns that read as float only because of the dropped rows
                restored = {}
                for name in frame.columns:
                    values = frame[name].to_numpy()
                    if values.dtype.kind == "f" and _integral(values):
                        restored[name] = values.astype(np.int64)
                if restored:
                    frame = frame.assign(**restored)
    origin = Origin(source, positions, path)
    origin._scan_cache["header"] = names
    return frame, origin


# -- typing and checking columns ------------------------------------------------------------


def _text_column(
    series: pd.Series, *, may_be_empty: bool = True, check_blank: bool = True
) -> pd.Series:
    """Strings (str dtype), missing as NaN; empty and whitespace-only strings count as missing.

    ``may_be_empty=False`` skips looking for ``""`` (the CSV reader already made it NaN);
    ``check_blank=False`` only converts the type.
    """
    if series.dtype != "str":
        if series.dtype == object:
            series = series.map(lambda v: v if v is None or isinstance(v, str) else str(v))
        series = series.astype("str")
    if not check_blank:
        return series
    space = series.str.isspace()
    empty = (series.str.len() == 0) if may_be_empty else None
    if bool(space.any()) or (empty is not None and bool(empty.any())):
        blank = space.to_numpy(dtype=np.bool_, na_value=False)
        if empty is not None:
            blank = blank | empty.to_numpy(dtype=np.bool_, na_value=False)
        series = series.mask(blank)
    return series


def _team_names(series: pd.Series) -> tuple[pd.Series, tuple[npt.NDArray[np.int64], pd.Index]]:
    """TeamName as text with blank names missing, and its sorted factorization."""
    text = _text_column(series, check_blank=False)
    codes, uniques = factorize_sorted(text)
    blank = np.asarray(
        uniques.str.isspace() | (uniques.str.len() == 0), dtype=np.bool_
    )  # as _text_column would find them
    if blank.any():
        rows = np.zeros(len(codes), dtype=np.bool_)
        named = codes >= 0
        rows[named] = blank[codes[named]]
        text = text.mask(rows)
        renumber = np.cumsum(~blank, dtype=np.int64) - 1
        codes = np.where(named & ~rows, renumber[np.where(named, codes, 0)], -1)
        uniques = uniques[~blank]
    return text, (codes.astype(np.int64, copy=False), uniques)


def _numbers(
    series: pd.Series,
) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(values, missing, unreadable) for a column that should hold numbers.

    Values are int64 when the column is an integer column, else float64 (NaN where missing
    or unreadable).
    """
    n = len(series)
    no = np.zeros(n, dtype=np.bool_)
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        values = series.to_numpy()
        if dtype.kind == "u" and n and values.max() > _INT64_MAX:
            big = values > _INT64_MAX
            return np.where(big, 0, values).astype(np.int64), no, big
        return values.astype(np.int64, copy=False), no, no
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy()
        return values, np.isnan(values), no
    if pd.api.types.is_bool_dtype(dtype):
        missing = series.isna().to_numpy()
        return np.full(n, np.nan), missing, ~missing
    if pd.api.types.is_numeric_dtype(dtype):  # nullable Int64 / Float64
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return values, np.isnan(values), no
    if pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        missing = series.isna().to_numpy()
        return np.full(n, np.nan), missing, ~missing
    text = _text_column(series)
    missing = text.isna().to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_numeric(text.str.strip(), errors="coerce")
    values = np.asarray(parsed.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    return values, missing, np.isnan(values) & ~missing


def _whole_numbers(
    frame: pd.DataFrame,
    column: str,
    origin: Origin,
    problems: list[str],
    *,
    minimum: int,
    maximum: int | None = None,
    allow_missing: bool = False,
    requirement: str,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Check a column of whole numbers; returns (int64 values, 0 where missing; missing)."""
    series = frame[column]
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "i" and len(series):
        values = series.to_numpy()
        if values.min() >= minimum and (maximum is None or values.max() <= maximum):
            return values.astype(np.int64, copy=False), np.zeros(len(values), dtype=np.bool_)
    if isinstance(dtype, np.dtype) and dtype.kind == "f" and len(series):
        # Happy path of a float column (integers with empty cells): whole numbers within
        # range; anything else takes the general path below, which names the rows.
        values = series.to_numpy()
        missing = np.isnan(values)
        if allow_missing or not missing.any():
            top = _EXACT_FLOAT_INT - 1 if maximum is None else min(maximum, _EXACT_FLOAT_INT - 1)
            low, high = np.fmin.reduce(values), np.fmax.reduce(values)
            if np.isnan(low) or (low >= minimum and high <= top):
                # empty cells become 0: fmax picks the number over NaN, and leaves values
                # >= minimum >= 0 as they are (faster than np.where)
                filled = np.fmax(values, 0.0) if minimum >= 0 else np.where(missing, 0.0, values)
                ints = filled.astype(np.int64)
                if np.array_equal(ints, filled):
                    return ints, missing
    values, missing, unreadable = _numbers(series)
    if values.dtype.kind == "f":
        # A value is a whole number exactly when it survives the round trip through int64
        # (NaN, infinities, fractions and out-of-range values do not); clipping keeps the
        # cast defined.
        clipped = np.clip(values, -_EXACT_FLOAT_INT, _EXACT_FLOAT_INT)
        with np.errstate(invalid="ignore"):
            ints = clipped.astype(np.int64)
        bad = ~missing & ((ints != values) | (np.abs(ints) >= _EXACT_FLOAT_INT))
        bad |= unreadable
        ints[missing | bad] = 0
    else:
        ints = values
        bad = unreadable.copy()
    out_of_range = ints < minimum
    if maximum is not None:
        out_of_range |= ints > maximum
    bad |= out_of_range & ~missing
    if not allow_missing:
        bad |= missing
    if bad.any():
        problems.append(cell_problem(origin, column, np.flatnonzero(bad), series, requirement))
    return np.where(bad | missing, 0, ints).astype(np.int64, copy=False), missing & ~bad


def _int_column(values: npt.NDArray[np.int64], missing: npt.NDArray[np.bool_]) -> Any:
    """int64 when complete, else nullable Int64."""
    if missing.any():
        return pd.arrays.IntegerArray(values, missing.copy())
    return values


def _dates(
    frame: pd.DataFrame,
    meeting_ids: npt.NDArray[np.int64],
    origin: Origin,
    problems: list[str],
) -> pd.Series | None:
    """Parse ``MeetingDate`` (ISO dates); one date per meeting; blank cells take the meeting's."""
    series = frame[col.MEETING_DATE]
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        parsed = series
        if getattr(series.dt, "tz", None) is not None:
            parsed = series.dt.tz_localize(None)
        missing = parsed.isna().to_numpy()
        unreadable = np.zeros(len(series), dtype=np.bool_)
    else:
        text = _text_column(series)
        missing = text.isna().to_numpy()
        codes, uniques = pd.factorize(text)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                parsed_uniques = pd.to_datetime(
                    pd.Series(uniques, dtype=object), format="ISO8601", errors="coerce"
                )
            except (ValueError, TypeError, OverflowError):
                parsed_uniques = pd.Series(pd.NaT, index=range(len(uniques)))
        if getattr(parsed_uniques.dt, "tz", None) is not None:
            parsed_uniques = parsed_uniques.dt.tz_localize(None)
        taken = parsed_uniques.to_numpy(dtype="datetime64[us]")[np.where(codes < 0, 0, codes)]
        parsed = pd.Series(np.where(codes < 0, np.datetime64("NaT", "us"), taken))
        unreadable = ~missing & parsed.isna().to_numpy()
    if unreadable.any():
        problems.append(
            cell_problem(
                origin,
                col.MEETING_DATE,
                np.flatnonzero(unreadable),
                series,
                "must hold ISO dates such as 2022-02-26",
            )
        )
        return None
    parsed = parsed.astype("datetime64[us]").reset_index(drop=True)
    # one date per meeting
    known = ~missing
    pairs = pd.DataFrame({"m": meeting_ids[known], "d": parsed[known].to_numpy()})
    distinct = pairs.drop_duplicates()
    conflict = distinct["m"].duplicated(keep=False)
    if bool(conflict.any()):
        meetings = np.unique(distinct["m"][conflict].to_numpy())
        rows = np.flatnonzero(known & np.isin(meeting_ids, meetings))
        problems.append(
            cell_problem(
                origin,
                col.MEETING_DATE,
                rows,
                series,
                f"gives meeting {int(meetings[0])} more than one date",
            )
        )
        return None
    if missing.any():
        by_meeting = pd.Series(distinct["d"].to_numpy(), index=distinct["m"].to_numpy())
        filled = by_meeting.reindex(meeting_ids[missing]).to_numpy()
        undated = pd.isna(filled)
        if undated.any():
            rows = np.flatnonzero(missing)[undated]
            problems.append(
                cell_problem(
                    origin,
                    col.MEETING_DATE,
                    rows,
                    series,
                    "is empty for every row of a meeting (give each meeting a date)",
                )
            )
            return None
        values = parsed.to_numpy().copy()
        values[missing] = filled
        parsed = pd.Series(values)
    return parsed


def _level_column(names: Sequence[str], source: str) -> str:
    present = [name for name in col.LEVEL_COLUMNS if name in names]
    if len(present) == 2:
        raise DatasetError(
            f"{source}: has both a 'Rank' and a 'Level' column; keep one (they mean the same)"
        )
    if not present:
        raise DatasetError(
            f"{source}: missing column 'Rank' (or 'Level'); the header has "
            f"{', '.join(repr(n) for n in names) or 'no columns'}"
        )
    return present[0]


def _require(names: Sequence[str], required: Sequence[str], source: str, what: str) -> None:
    missing = [name for name in required if name not in names]
    if missing:
        raise DatasetError(
            f"{source}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)} for {what}; the header has "
            f"{', '.join(repr(n) for n in names) or 'no columns'}"
        )


def factorize_sorted(series: pd.Series) -> tuple[npt.NDArray[np.int64], pd.Index]:
    """(code per row, distinct strings in ascending order); -1 for missing values.

    Same result as ``pd.factorize(series, sort=True)``, but sorts only the distinct values
    (about twice as fast on a million Arrow-backed strings).
    """
    codes, uniques, _ = _factorize_sorted(series, first_rows=False)
    return codes, uniques


def take_rows(series: pd.Series, positions: npt.NDArray[np.intp]) -> pd.Series:
    """``series.take(positions)`` that does not join Arrow chunks first.

    The parallel CSV reader returns text columns as one Arrow chunk per block of the file,
    and Arrow's ``take`` on such a column first copies the chunks into one: a few thousand
    rows would cost a copy of the whole column. Here each chunk gives its own rows.
    """
    to_arrow = getattr(series.array, "__arrow_array__", None)
    chunked = to_arrow() if to_arrow is not None else None
    positions = np.asarray(positions, dtype=np.intp)
    if chunked is None or getattr(chunked, "num_chunks", 1) <= 1 or not len(positions):
        return series.take(positions)
    starts = np.cumsum([0] + [len(chunk) for chunk in chunked.chunks])
    chunk_of = np.searchsorted(starts, positions, side="right") - 1
    ascending = _non_decreasing(positions)
    order = np.arange(len(positions)) if ascending else np.argsort(chunk_of, kind="stable")
    bounds = np.searchsorted(chunk_of[order], np.arange(len(starts)))
    values = pa.concat_arrays(
        [
            chunked.chunk(c).take(positions[order[bounds[c] : bounds[c + 1]]] - starts[c])
            for c in range(chunked.num_chunks)
            if bounds[c + 1] > bounds[c]
        ]
    )
    if not ascending:  # back from chunk order to the order asked for
        inverse = np.empty(len(order), dtype=np.intp)
        inverse[order] = np.arange(len(order))
        values = values.take(inverse)
    return pd.Series(
        pd.array(values, dtype=series.dtype), index=series.index[positions], name=series.name
    )


_T = TypeVar("_T")

# Tables with at least this many rows do independent pieces of work in a worker thread
# (hashing strings, sorting and counting in pandas/NumPy/Arrow release the GIL); smaller
# ones are not worth a thread.
PARALLEL_ROWS = 100_000


def _usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where known, else all)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def worth_a_thread(rows: int) -> bool:
    """Whether work on a table of ``rows`` rows is split between threads: it is large and
    the process may use a second core."""
    return rows >= PARALLEL_ROWS and _usable_cores() >= 2


def start(call: Callable[[], _T], rows: int) -> Callable[[], _T]:
    """Start ``call`` (pure: it must share no mutable state) and return its join.

    When :func:`worth_a_thread`, ``call`` runs in a worker thread at once; otherwise it
    runs at the join, in the caller's thread. The join returns the result or re-raises
    the call's error.
    """
    if not worth_a_thread(rows):
        return call
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        pending = pool.submit(call)
    finally:
        pool.shutdown(wait=False)  # the worker ends when the call does
    return pending.result


class Shared:
    """Independent calls shared between the caller's thread and a worker thread.

    Made by :func:`share`. Calling the object joins: it returns every result, in order.
    """

    def __init__(self, calls: Sequence[Callable[[], Any]], rows: int) -> None:
        self._calls = list(calls)
        count = len(self._calls)
        self._results: list[Any] = [None] * count
        self._errors: list[BaseException | None] = [None] * count
        self._done = [threading.Event() for _ in range(count)]
        self._taken = [False] * count
        self._lock = threading.Lock()
        self._worker = start(self._drain, rows) if worth_a_thread(rows) else None

    def _take(self, index: int | None = None) -> int | None:
        """Claim call ``index`` (or the first one waiting); None when it is taken already."""
        with self._lock:
            if index is None:
                index = next((i for i, taken in enumerate(self._taken) if not taken), None)
            if index is None or self._taken[index]:
                return None
            self._taken[index] = True
            return index

    def _run(self, index: int) -> None:
        try:
            self._results[index] = self._calls[index]()
        except BaseException as error:  # handed to whoever asks for the result
            self._errors[index] = error
        finally:
            self._done[index].set()

    def _drain(self) -> None:
        while (index := self._take()) is not None:
            self._run(index)

    def result(self, index: int) -> Any:
        """The result of call ``index`` now: run here if no thread has taken it, else
        waited for. Re-raises that call's error."""
        if self._take(index) is not None:
            self._run(index)
        self._done[index].wait()
        error = self._errors[index]
        if error is not None:
            raise error
        return self._results[index]

    def __call__(self) -> list[Any]:
        self._drain()
        if self._worker is not None:
            self._worker()
        for done in self._done:
            done.wait()
        for error in self._errors:
            if error is not None:
                raise error
        return self._results


def share(calls: Sequence[Callable[[], Any]], rows: int) -> Shared:
    """Start independent ``calls``; the returned :class:`Shared` is their join.

    When :func:`worth_a_thread`, a worker thread takes the calls one by one, in order, at
    once; at the join the caller's thread takes the ones still waiting, so whichever thread
    is free first does the rest. Otherwise all run at the join, in the caller's thread.
    ``Shared.result(i)`` gives one call's result early (running it at once if it is still
    waiting). The join returns every result in order and re-raises the first call's error
    (in the order of ``calls``).
    """
    return Shared(calls, rows)


def _factorize_sorted(
    series: pd.Series, *, first_rows: bool
) -> tuple[npt.NDArray[np.int64], pd.Index, npt.NDArray[np.int64] | None]:
    """:func:`factorize_sorted` plus, optionally, the first row of each distinct value.

    ``pd.factorize`` numbers values in order of appearance, so a value first appears where
    its code exceeds every earlier code: one running maximum instead of a scatter-minimum.
    """
    to_arrow = getattr(series.array, "__arrow_array__", None)
    complete = to_arrow is not None and to_arrow().null_count == 0  # no pass over the rows
    missing = np.zeros(0, dtype=np.bool_) if complete else series.isna().to_numpy()
    sparse = not complete and not first_rows and 2 * int(missing.sum()) > len(series)
    if sparse:
        # mostly empty (e.g. TeamName): hash only the values present
        present = np.flatnonzero(~missing)
        codes, uniques = pd.factorize(take_rows(series, present))
    else:
        codes, uniques = pd.factorize(series)
    uniques = pd.Index(uniques, dtype="str")
    order = np.asarray(uniques.argsort(), dtype=np.intp)
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    rank[-1] = -1  # code -1 (missing) stays -1
    if sparse:
        spread = np.full(len(series), -1, dtype=np.int64)
        spread[present] = rank[codes]
        return spread, uniques.take(order), None
    first = None
    if first_rows:
        seen = np.empty(len(codes), dtype=codes.dtype)
        if len(codes):
            seen[0] = -1
            np.maximum.accumulate(codes[:-1], out=seen[1:])
        first = np.flatnonzero(codes > seen).astype(np.int64)[order]
    return rank[codes], uniques.take(order), first


def compact(codes: npt.NDArray[np.int64], count: int) -> npt.NDArray[np.integer[Any]]:
    """``codes`` (``0 .. count - 1``) in the smallest signed integer type that holds them.

    Gathering rows in a new order reads the source at random: a source four times smaller
    stays in the processor's caches.
    """
    for small in (np.int16, np.int32):
        if count <= np.iinfo(small).max:
            return codes.astype(small)
    return codes


def dense_codes(
    values: npt.NDArray[np.int64], *, ascending: bool = False
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(code per row, distinct values ascending) for non-negative ints.

    A counting pass when the values are small compared with the row count (meeting IDs,
    group keys), else hashing; either way codes follow the sorted order of the values.
    ``ascending=True`` says the values never decrease (a file listed meeting by meeting):
    consecutive values then need no counting.
    """
    if not len(values):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if ascending:
        low, top = int(values[0]), int(values[-1])
        if low >= 0 and int(np.count_nonzero(values[1:] != values[:-1])) == top - low:
            return values - low, np.arange(low, top + 1, dtype=np.int64)
    top = int(values.max())
    if int(values.min()) >= 0 and top <= 4 * len(values) + 4096:
        present = np.bincount(values, minlength=top + 1) > 0
        low = int(values.min())
        if present[low:].all():  # consecutive values (e.g. meetings 1..n): no lookup
            return values - low, np.arange(low, top + 1, dtype=np.int64)
        lookup = np.cumsum(present, dtype=np.int64) - 1
        return lookup[values], np.flatnonzero(present).astype(np.int64)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=np.int64)


def combined_key(
    parts: Sequence[npt.NDArray[np.int64]], bounds: Sequence[int] | None = None
) -> npt.NDArray[np.int64]:
    """One int64 per row that is equal exactly when all ``parts`` (non-negative ints) are.

    Mixed-radix when the result fits in int64 (no hashing at all), else pairwise
    factorization, which keeps every intermediate key below ``n**2``. ``bounds``, when the
    caller knows them, are each part's maximum plus one (saves a pass per part).
    """
    if bounds is None:
        bounds = [int(part.max(initial=0)) + 1 for part in parts]
    if int(np.prod([float(b) for b in bounds])) < 2**62:
        key = parts[0].astype(np.int64)  # a copy, updated in place below
        for part, bound in zip(parts[1:], bounds[1:], strict=True):
            key *= bound
            key += part
        return key
    key = pd.factorize(parts[0])[0].astype(np.int64)
    for part in parts[1:]:
        codes = pd.factorize(part)[0].astype(np.int64)
        key = pd.factorize(key * (int(codes.max(initial=0)) + 1) + codes)[0].astype(np.int64)
    return key


def sort_order(keys: Sequence[npt.NDArray[np.int64]]) -> npt.NDArray[np.intp]:
    """Stable order sorting rows by ``keys`` (dense non-negative codes, most significant first).

    One stable counting sort per key (least significant first) when the codes are small
    compared with the row count, which is several times faster than ``lexsort`` on large
    tables; ``lexsort`` otherwise.
    """
    n = len(keys[0])
    if not n:
        return np.zeros(0, dtype=np.intp)
    if len(keys) > 1 and _non_decreasing(keys[-1]):
        # rows already in order of the last key (e.g. files listed meeting by meeting)
        keys = keys[:-1]
    sizes = [int(k.max(initial=0)) + 1 for k in keys]
    if not all(size <= 4 * n + 4096 for size in sizes):
        return np.lexsort(tuple(reversed(keys)))
    order = _counting_order(keys[-1], sizes[-1])
    for key, size in zip(reversed(keys[:-1]), reversed(sizes[:-1]), strict=True):
        order = order[_counting_order(key[order], size)]
    return order


def _counting_order(key: npt.NDArray[np.int64], size: int) -> npt.NDArray[np.intp]:
    """Stable order sorting ``key`` (codes ``0 .. size - 1``)."""
    return counting_sort(key, size)[0]


def counting_sort(
    key: npt.NDArray[np.int64], size: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]]:
    """(stable order sorting ``key``, count of each code) for codes ``0 .. size - 1``.

    pandas' counting sort (the one its groupby uses) where available: one pass to count,
    one to place; else NumPy's stable sort (a radix sort for codes below 2**16).
    """
    if _groupsort_indexer is not None:
        order, counts = _groupsort_indexer(key.astype(np.intp, copy=False), size)
        # counts[0] counts the code -1 (none here)
        return np.asarray(order, dtype=np.intp), np.asarray(counts[1:], dtype=np.int64)
    small = key.astype(np.uint16) if size <= 2**16 else key
    order = np.argsort(small, kind="stable")
    return order, np.bincount(key, minlength=size).astype(np.int64)


try:  # a private pandas helper, so there is a fallback if a pandas release moves it
    from pandas._libs.algos import groupsort_indexer as _groupsort_indexer
except ImportError:  # pragma: no cover - depends on the pandas release
    _groupsort_indexer = None


def _non_decreasing(values: npt.NDArray[np.int64]) -> bool:
    return bool((values[1:] >= values[:-1]).all())


def _repeated_in_order(
    keys: Sequence[npt.NDArray[np.int64]], order: npt.NDArray[np.intp]
) -> npt.NDArray[np.bool_] | None:
    """Rows whose key tuple occurs more than once, given an order that sorts the keys."""
    n = len(order)
    if n < 2:
        return None
    ordered = combined_key(keys)[order]
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return None
    repeated = np.zeros(n, dtype=np.bool_)
    repeated[order[1:][same]] = True
    repeated[order[:-1][same]] = True
    return repeated


def duplicated_rows(keys: Sequence[npt.NDArray[np.int64]]) -> npt.NDArray[np.bool_] | None:
    """Rows whose key tuple (non-negative ints) occurs more than once; None if none do."""
    codes = [dense_codes(k)[0] for k in keys]
    return _repeated_in_order(codes, sort_order(codes))


def _check_unique(
    keys: Sequence[npt.NDArray[np.int64]],
    origin: Origin,
    column: str,
    values: pd.Series,
    problem: str,
    problems: list[str],
) -> None:
    """Report rows whose key tuple occurs more than once."""
    if not len(values):
        return
    duplicated = duplicated_rows(keys)
    if duplicated is not None:
        problems.append(cell_problem(origin, column, np.flatnonzero(duplicated), values, problem))


def _name_column(frame: pd.DataFrame, origin: Origin) -> pd.Series:
    """``Name`` typed."""
    # A blank name changes no number; CSV cells are only type-checked (saves a pass).
    return _text_column(frame[col.NAME], check_blank=origin.path is None)


def _team_id_column(
    frame: pd.DataFrame, origin: Origin
) -> tuple[Any, npt.NDArray[np.int64], list[str]]:
    """``TeamID`` typed, as codes (-1 for none), and the problems found in it."""
    problems: list[str] = []
    team, team_missing = _whole_numbers(
        frame,
        col.TEAM_ID,
        origin,
        problems,
        minimum=0,
        allow_missing=True,
        requirement="must be a whole number or empty",
    )
    if team_missing.any():
        # -1 where empty (those cells are 0). The Int64 column below hides the values under
        # its mask, so the codes and the column can share one array (when it is our own).
        if team.flags.owndata:
            np.subtract(team, team_missing, out=team, casting="unsafe")
        else:
            team = team - team_missing
    return _int_column(team, team_missing), team, problems


def _member_runs(
    meetings: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    order: npt.NDArray[np.intp],
    counts: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.bool_]]:
    """See :attr:`Table.member_runs`: the meeting codes of the rows in ``order`` (sorted by
    member, then meeting) and where each member's run starts, given rows per member."""
    starts = np.zeros(len(order), dtype=np.bool_)
    starts[np.cumsum(counts) - counts] = True
    return compact(meetings[0], len(meetings[1]))[order], starts


def _repeats_in_runs(
    order: npt.NDArray[np.intp],
    sorted_meetings: npt.NDArray[np.integer[Any]],
    starts: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_] | None:
    """Rows whose member has another row in the same meeting, given the rows sorted by
    member, then meeting (a repeat is an equal neighbour within one member's run)."""
    same = (sorted_meetings[1:] == sorted_meetings[:-1]) & ~starts[1:]
    if not same.any():
        return None
    repeated = np.zeros(len(order), dtype=np.bool_)
    repeated[order[1:][same]] = True
    repeated[order[:-1][same]] = True
    return repeated


class _Numbers(NamedTuple):
    """The typed number columns of a weekly table and the problems found in them."""

    columns: dict[str, Any]
    problems: list[str]
    meeting: npt.NDArray[np.int64]
    rounds: npt.NDArray[np.int64]
    meetings: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]


def _number_columns(
    frame: pd.DataFrame, origin: Origin, level: str, has_rounds: bool, in_meeting_order: bool
) -> _Numbers:
    """Type and check MeetingID, Round, the level and Group; dense meeting codes."""
    problems: list[str] = []
    columns: dict[str, Any] = {}
    meeting, _ = _whole_numbers(
        frame,
        col.MEETING_ID,
        origin,
        problems,
        minimum=1,
        maximum=MAX_MEETING_ID,
        requirement=f"must be a positive whole number (at most {MAX_MEETING_ID:,})",
    )
    columns[col.MEETING_ID] = meeting
    if has_rounds:
        rounds, _ = _whole_numbers(
            frame,
            col.ROUND,
            origin,
            problems,
            minimum=1,
            requirement="must be a positive whole number",
        )
        columns[col.ROUND] = rounds
    else:
        rounds = np.ones(len(frame), dtype=np.int64)
    top = MAX_LEVEL if has_rounds else MAX_LEVEL_WITHOUT_ROUNDS
    requirement = (
        f"must be a whole number from 1 to {MAX_LEVEL} or empty (no consensus level)"
        if has_rounds
        else "must be a whole number from 1 to 6 (levels above 6 need a 'Round' column)"
    )
    levels, level_missing = _whole_numbers(
        frame,
        level,
        origin,
        problems,
        minimum=1,
        maximum=top,
        allow_missing=has_rounds,
        requirement=requirement,
    )
    columns[level] = _int_column(levels, level_missing)
    groups, group_missing = _whole_numbers(
        frame,
        col.GROUP,
        origin,
        problems,
        minimum=0,
        allow_missing=True,
        requirement="must be a whole number",
    )
    columns[col.GROUP] = _int_column(groups, group_missing)

    meetings = dense_codes(meeting, ascending=in_meeting_order and not problems)
    return _Numbers(columns, problems, meeting, rounds, meetings)


def _check_weekly(frame: pd.DataFrame, origin: Origin, *, needs_name: bool) -> Table:
    """Type and validate a weekly-layout frame (see :class:`Table`)."""
    source = origin.source
    names = [str(name) for name in frame.columns]
    if len(set(names)) != len(names):
        raise DatasetError(f"{source}: duplicate column names {names}")
    level = _level_column(names, source)
    required = [col.MEMBER_ID, col.MEETING_ID, col.GROUP, level]
    if needs_name:
        required.insert(1, col.NAME)
    _require(names, required, source, "consensus records")
    if not len(frame):
        raise DatasetError(f"{source}: has a header but no data rows")
    has_rounds = col.ROUND in names
    problems: list[str] = []
    columns: dict[str, Any] = {}

    # Meetings, rounds, levels and groups are typed and checked first, then names and teams,
    # by a worker thread on large tables (and by this one when it is done first), while
    # this thread factorizes MemberID. Only the sort below waits for the meetings; nothing
    # depends on names and teams. A blank team name would make a team of its own: it is
    # treated as no team, looked for among the distinct names only.
    meeting_column = frame[col.MEETING_ID]
    in_meeting_order = (
        not has_rounds
        and meeting_column.dtype == np.int64
        and _non_decreasing(meeting_column.to_numpy())
    )
    # (Team names before names: the last call left for this thread should be a short one.)
    side_calls: dict[str, Callable[[], Any]] = {
        "numbers": lambda: _number_columns(frame, origin, level, has_rounds, in_meeting_order)
    }
    if col.TEAM_NAME in names:
        side_calls[col.TEAM_NAME] = lambda: _team_names(frame[col.TEAM_NAME])
    if col.NAME in names:
        side_calls[col.NAME] = lambda: _name_column(frame, origin)
    if col.TEAM_ID in names:
        side_calls[col.TEAM_ID] = lambda: _team_id_column(frame, origin)
    side = share(list(side_calls.values()), len(frame))

    # MemberID is factorized here once (sorted) and the codes kept for the Dataset; blank
    # IDs are looked for among the distinct values only.
    member = _text_column(frame[col.MEMBER_ID], check_blank=False)
    # Files listed meeting by meeting give each member's first row from the sort below.
    member_codes, member_uniques, member_first = _factorize_sorted(
        member, first_rows=not in_meeting_order
    )
    member_uniques = member_uniques.rename(col.MEMBER_ID)
    blank_ids = np.asarray(member_uniques.str.strip() == "", dtype=np.bool_)
    # (a missing ID has code -1; the code is only looked at when some ID may be empty)
    empty_member = np.zeros(0, dtype=np.bool_)
    if blank_ids.any() or int(member_codes.min(initial=0)) < 0:
        empty_member = member_codes < 0
        if blank_ids.any():
            empty_member |= blank_ids[member_codes] & ~empty_member
    if empty_member.any():
        problems.append(
            cell_problem(
                origin,
                col.MEMBER_ID,
                np.flatnonzero(empty_member),
                frame[col.MEMBER_ID],
                "must not be empty",
            )
        )
    columns[col.MEMBER_ID] = member
    numbers = side.result(list(side_calls).index("numbers"))  # (the first call)
    columns.update(numbers.columns)
    problems += numbers.problems
    meeting, rounds, meetings = numbers.meeting, numbers.rounds, numbers.meetings

    # Sorting by member, then meeting (for the duplicate check and the Dataset) needs only
    # the codes so far: done while the worker finishes.
    order = None
    member_counts = None
    if not problems and in_meeting_order:
        # sorted by member only (meetings already ascend): one counting sort, which also
        # counts each member's rows
        order, member_counts = counting_sort(member_codes, len(member_uniques))
    elif not problems and not has_rounds:
        order = sort_order([member_codes, meetings[0]])
    runs = None
    repeated = None
    if order is not None:
        if member_counts is None:
            member_counts = np.bincount(member_codes, minlength=len(member_uniques))
        runs = _member_runs(meetings, order, member_counts)
        repeated = _repeats_in_runs(order, *runs)

    side_results = dict(zip(side_calls, side(), strict=True))
    teams = team_ids = None
    if col.NAME in names:
        columns[col.NAME] = side_results[col.NAME]
    if col.TEAM_NAME in names:
        columns[col.TEAM_NAME], teams = side_results[col.TEAM_NAME]
    if col.TEAM_ID in names:
        columns[col.TEAM_ID], team_ids, team_problems = side_results[col.TEAM_ID]
        problems += team_problems
    if col.MEETING_DATE in names and not problems:
        dates = _dates(frame, meeting, origin, problems)
        if dates is not None:
            columns[col.MEETING_DATE] = dates.to_numpy()
    _raise(problems)

    # The input columns, typed, in their order. Columns whose type did not change are
    # taken as the input's own Series, so that copy-on-write keeps them apart from the
    # input; typed ones are new arrays, not copied again (copy=False).
    def typed_column(name: str) -> Any:
        original = frame[name]
        values = columns.get(name, original)
        unchanged = values is original or (
            isinstance(values, np.ndarray)
            and original.dtype == values.dtype
            and np.shares_memory(values, original.to_numpy())
        )
        return original if unchanged else values

    typed = pd.DataFrame(
        {name: typed_column(name) for name in frame.columns},
        index=pd.RangeIndex(len(frame)),
        copy=False,
    )
    table = Table(typed, origin, level)
    cache = table.__dict__  # computed above, so not again
    cache["members"] = (member_codes.astype(np.int64, copy=False), member_uniques)
    if member_first is not None:
        cache["member_first_rows"] = member_first
    if teams is not None:
        cache["teams"] = teams
    cache["team_ids"] = team_ids
    cache["meetings"] = meetings
    if order is not None and runs is not None and member_counts is not None:
        cache["member_meeting_order"] = order
        cache["member_row_counts"] = member_counts.astype(np.int64, copy=False)
        cache["member_runs"] = runs
        if in_meeting_order:
            # sorted by member only (meetings already ascend), stably: each member's run
            # starts at their first row
            cache["member_first_rows"] = order[table.member_run_starts].astype(np.int64)
    if has_rounds:
        repeated = duplicated_rows([meetings[0], rounds, member_codes])
    if repeated is not None:
        problem = "lists a member twice in one meeting" + (" and round" if has_rounds else "")
        problems.append(
            cell_problem(
                origin, col.MEMBER_ID, np.flatnonzero(repeated), frame[col.MEMBER_ID], problem
            )
        )
    _raise(problems)
    return table


# -- public loaders -------------------------------------------------------------------------

_TEXT_COLUMNS = (col.MEMBER_ID, col.NAME, col.TEAM_NAME, col.MEETING_DATE)


def _guard(source: str, action: Callable[[], Table]) -> Table:
    """Run a loader; unexpected parsing failures on bad input become DatasetError."""
    try:
        return action()
    except DatasetError:
        raise
    except (ValueError, TypeError, OverflowError, KeyError, IndexError) as error:
        raise DatasetError(
            f"{source}: cannot be analysed ({type(error).__name__}: {error})"
        ) from error


def read_weekly_csv(path: PathLike) -> Table:
    """Read and validate a weekly consensus CSV file (``Rank`` or ``Level``; optional rounds)."""

    def load() -> Table:
        frame, origin = _read_csv_frame(path, _TEXT_COLUMNS)
        return _check_weekly(frame, origin, needs_name=True)

    return _guard(str(path), load)


def read_dataframe(df: pd.DataFrame, source: str = "<dataframe>") -> Table:
    """Validate a DataFrame in the weekly layout (rows named by index label in errors)."""
    if not isinstance(df, pd.DataFrame):
        raise DatasetError(f"{source}: expected a pandas DataFrame, got {type(df).__name__}")
    frame = df.copy(deep=False)
    frame.columns = pd.Index([str(c).strip() for c in frame.columns])
    labels = frame.index
    frame = frame.reset_index(drop=True)
    origin = Origin(source, labels)
    return _guard(source, lambda: _check_weekly(frame, origin, needs_name=True))


def load_weekly_csv(path: PathLike) -> pd.DataFrame:
    """The typed rows of a weekly consensus CSV file (``DatasetError`` for bad input)."""
    return read_weekly_csv(path).frame


# -- the normalized layout ------------------------------------------------------------------


class NormalizedFiles(NamedTuple):
    """The files of a normalized layout (``teams`` is None when there is none)."""

    measurements: Path
    members: Path
    teams: Path | None


def _classify(names: Sequence[str]) -> str:
    """``weekly``, ``measurements``, ``members``, ``teams`` or ``other`` by the header."""
    has = set(names).__contains__
    has_level = has(col.RANK) or has(col.LEVEL)
    if has(col.MEETING_ID) and has(col.MEMBER_ID) and has_level:
        return "weekly" if has(col.NAME) else "measurements"
    if has(col.MEMBER_ID) and has(col.NAME) and not has(col.MEETING_ID):
        return "members"
    if has(col.TEAM_ID) and has(col.TEAM_NAME) and not has(col.MEMBER_ID):
        return "teams"
    return "other"


def _scan_directory(directory: PathLike) -> dict[str, list[Path]]:
    folder = Path(directory)
    if not folder.is_dir():
        raise DatasetError(f"{folder}: not a directory")
    found: dict[str, list[Path]] = {}
    for path in sorted(folder.glob("*.csv")) + sorted(folder.glob("*.CSV")):
        if not path.is_file():
            continue
        try:
            kind = _classify(_read_header(path, str(path)))
        except DatasetError:
            kind = "other"
        found.setdefault(kind, []).append(path)
    return found


def _one(found: dict[str, list[Path]], kind: str, folder: PathLike) -> Path | None:
    paths = found.get(kind, [])
    if len(paths) > 1:
        raise DatasetError(
            f"{folder}: more than one {kind} file: {', '.join(p.name for p in paths)}; "
            "keep one or pass the files explicitly"
        )
    return paths[0] if paths else None


def find_normalized_files(directory: PathLike) -> NormalizedFiles:
    """Find the measurements, members and teams files in ``directory`` by their columns.

    Other CSV files are ignored. ``DatasetError`` when a file is missing or ambiguous.
    """
    found = _scan_directory(directory)
    measurements = _one(found, "measurements", directory)
    members = _one(found, "members", directory)
    teams = _one(found, "teams", directory)
    if measurements is None or members is None:
        missing = [
            what
            for what, path in (
                ("measurements (MemberID, MeetingID, Group, Level, ...)", measurements),
                ("members (MemberID, Name, ...)", members),
            )
            if path is None
        ]
        raise DatasetError(f"{directory}: no {' and no '.join(missing)} file found")
    return NormalizedFiles(measurements, members, teams)


def _lookup_table(path: PathLike, key: str, value: str, what: str) -> tuple[pd.Index, pd.Series]:
    """Read a members or teams file: (unique keys, values aligned with them)."""
    frame, origin = _read_csv_frame(path, (col.MEMBER_ID, col.NAME, col.TEAM_NAME))
    names = [str(c) for c in frame.columns]
    _require(names, [key, value], origin.source, what)
    problems: list[str] = []
    if key == col.MEMBER_ID:
        keys = _text_column(frame[key])
        empty = keys.isna().to_numpy()
        if empty.any():
            problems.append(
                cell_problem(origin, key, np.flatnonzero(empty), frame[key], "must not be empty")
            )
        key_values: Any = keys
        key_codes = pd.factorize(keys)[0].astype(np.int64)
    else:
        key_values, _ = _whole_numbers(
            frame, key, origin, problems, minimum=0, requirement="must be a whole number"
        )
        key_codes = key_values
    values = _text_column(frame[value])
    if value == col.TEAM_NAME:
        empty = values.isna().to_numpy()
        if empty.any():
            problems.append(
                cell_problem(
                    origin, value, np.flatnonzero(empty), frame[value], "must not be empty"
                )
            )
    if not problems:
        _check_unique([key_codes], origin, key, frame[key], "has a value twice", problems)
    _raise(problems)
    return pd.Index(key_values), values.reset_index(drop=True)


def read_normalized(
    measurements: PathLike, members: PathLike, teams: PathLike | None = None
) -> Table:
    """Read the normalized layout and join it into the weekly layout (with names)."""
    source = str(measurements)

    def load() -> Table:
        frame, origin = _read_csv_frame(measurements, _TEXT_COLUMNS)
        names = [str(c) for c in frame.columns]
        if col.NAME in names:
            raise DatasetError(
                f"{source}: has a 'Name' column, so it is a weekly table, not measurements"
            )
        table = _check_weekly(frame, origin, needs_name=False)
        typed = table.frame
        member_keys, member_names = _lookup_table(
            members, col.MEMBER_ID, col.NAME, "a members file"
        )
        where = member_keys.get_indexer(pd.Index(typed[col.MEMBER_ID]))
        problems: list[str] = []
        if (where < 0).any():
            problems.append(
                cell_problem(
                    origin,
                    col.MEMBER_ID,
                    np.flatnonzero(where < 0),
                    frame[col.MEMBER_ID],
                    f"names members that are not in the members file {members}",
                )
            )
        _raise(problems)
        out: dict[str, Any] = {}
        for name in typed.columns:
            out[name] = typed[name]
            if name == col.MEMBER_ID:
                out[col.NAME] = member_names.take(where).reset_index(drop=True)
            if name == col.TEAM_ID and col.TEAM_NAME not in typed.columns:
                team_ids = typed[col.TEAM_ID]
                present = team_ids.notna().to_numpy()
                team_names = pd.Series(np.nan, index=typed.index, dtype="str")
                if present.any():
                    if teams is None:
                        raise DatasetError(
                            f"{source}: column 'TeamID' names teams but there is no teams file "
                            f"(TeamID, TeamName)"
                        )
                    team_keys, names_of_teams = _lookup_table(
                        teams, col.TEAM_ID, col.TEAM_NAME, "a teams file"
                    )
                    ids = team_ids.to_numpy(dtype=np.int64, na_value=0)
                    found = team_keys.get_indexer(pd.Index(ids))
                    unknown = present & (found < 0)
                    if unknown.any():
                        _raise(
                            [
                                cell_problem(
                                    origin,
                                    col.TEAM_ID,
                                    np.flatnonzero(unknown),
                                    frame[col.TEAM_ID],
                                    f"names teams that are not in the teams file {teams}",
                                )
                            ]
                        )
                    taken = names_of_teams.take(np.where(found < 0, 0, found)).to_numpy()
                    team_names = pd.Series(taken, dtype="str").mask(~present)
                out[col.TEAM_NAME] = team_names
        joined = Table(pd.DataFrame(out), table.origin, table.level_column)
        joined.__dict__["members"] = table.members  # same MemberIDs: reuse the codes
        joined.__dict__["member_first_rows"] = table.member_first_rows
        return joined

    return _guard(source, load)


def load_normalized(
    measurements: PathLike, members: PathLike, teams: PathLike | None = None
) -> pd.DataFrame:
    """The normalized layout joined into weekly-layout rows (``DatasetError`` for bad input)."""
    return read_normalized(measurements, members, teams).frame


def read_directory(directory: PathLike) -> Table:
    """Read a folder: its normalized files, or else its single weekly CSV file."""
    found = _scan_directory(directory)
    if found.get("measurements"):
        files = find_normalized_files(directory)
        return read_normalized(*files)
    weekly = _one(found, "weekly", directory)
    if weekly is not None:
        return read_weekly_csv(weekly)
    others = ", ".join(p.name for p in found.get("other", [])) or "no CSV files"
    raise DatasetError(
        f"{directory}: no consensus records found (a measurements file with MemberID, "
        f"MeetingID, Group, Level or a weekly CSV); found: {others}"
    )
