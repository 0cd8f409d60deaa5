"""Small helpers: the upstream's ``read_csv``, a tolerant CSV text reader, the meeting
calendar, a GitHub-friendly DataFrame, and CSV text that is safe to open in a spreadsheet."""

from __future__ import annotations

import datetime
import importlib.util
import operator
import os
import re
from dataclasses import dataclass, field
from typing import IO

import numpy as np
import numpy.typing as npt
import pandas as pd

import fractal_governance

__all__ = [
    "GENESIS_CALENDAR",
    "GitHubMarkdownDataFrame",
    "MeetingCalendar",
    "meeting_id_to_timestamp",
    "read_csv",
    "read_text_csv",
    "spreadsheet_csv",
]

_UNNAMED = re.compile(r"^Unnamed: \d+$")
_MAX_MEETING_ID = (datetime.date.max - datetime.date.min).days + 1  # one meeting a day at most


def _has_pyarrow() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def read_csv(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The measurements of a dataset as one typed table with ``MeetingDate`` and ``Respect``
    (the upstream's ``fractal_governance.util.read_csv``): :attr:`Dataset.df
    <fractal_governance.dataset.Dataset.df>` of what :func:`fractal_governance.datasets.resolve`
    makes of ``path``.

    Parameters
    ----------
    path : str, path or None
        A weekly CSV file, a folder in the normalized layout or a registry name; None: the
        default dataset (the complete Genesis record when it is on this machine, else the
        demo).

    Returns
    -------
    DataFrame
        The file's columns, typed (``MeetingID`` and ``Rank`` or ``Level`` as integers),
        with the meeting's date (``MeetingDate``) and the Respect of each row
        (``Respect``, in the dataset's unit).

    Raises
    ------
    DatasetError
        When ``path`` cannot be loaded.
    """
    # The registry builds on this module: imported through the package, on first use.
    registry = fractal_governance.datasets
    return registry.resolve(path).df


def read_text_csv(path: str | os.PathLike[str] | IO[bytes]) -> pd.DataFrame:
    """Read a CSV file as it comes out of a spreadsheet, every value as a raw string.

    Tolerates a UTF-8 byte-order mark, CRLF line ends, surrounding spaces in header names,
    blank trailing columns without a header, and blank lines or rows whose cells are all
    empty (both dropped). Nothing is interpreted: every column holds strings, an empty cell
    is ``""`` and ``"NA"`` stays ``"NA"``, so validation can report the raw value.

    The fast pyarrow parser is used when it is installed; files it rejects (ragged rows,
    quoted line breaks, malformed quoting, invalid UTF-8) are read again with pandas' C
    parser, which accepts what it can and otherwise raises an error naming the line.

    Parameters
    ----------
    path : str, path or binary file-like
        The CSV file.

    Returns
    -------
    DataFrame
        String columns. The index is the 0-based data line, so (for files without quoted
        line breaks) a row's line number in the file is ``index + 2``, also after dropped
        blank rows.

    Raises
    ------
    OSError, UnicodeDecodeError, pandas.errors.EmptyDataError, pandas.errors.ParserError
        Unchanged; the loaders in :mod:`fractal_governance.io` turn them into
        ``DatasetError``.
    """
    df = None
    if _has_pyarrow():
        position = path.tell() if hasattr(path, "tell") else None
        try:
            df = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                skip_blank_lines=False,
                engine="pyarrow",
            )
        except pd.errors.EmptyDataError:
            raise
        except (pd.errors.ParserError, ValueError):
            if position is not None and hasattr(path, "seek"):
                path.seek(position)
            df = None
    if df is None:
        df = pd.read_csv(
            path,
            dtype=str,
            na_filter=False,
            encoding="utf-8-sig",
            skip_blank_lines=False,
        )
    df.columns = pd.Index([str(name).strip() for name in df.columns])
    unnamed = [
        name
        for name in df.columns
        if (name == "" or _UNNAMED.match(name)) and bool((df[name].str.strip() == "").all())
    ]
    if unnamed:
        df = df.drop(columns=unnamed)
    # Drop rows whose cells are all empty, narrowing the candidates column by column.
    if len(df.columns) and len(df):
        blank = np.array(df.iloc[:, 0] == "", dtype=bool)
        for position in range(1, len(df.columns)):
            if not blank.any():
                break
            candidates = np.flatnonzero(blank)
            blank[candidates] = (df.iloc[candidates, position] == "").to_numpy(dtype=bool)
        if blank.any():
            df = df.loc[~blank]
    return df


def _to_date(value: datetime.date | str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


@dataclass(frozen=True)
class MeetingCalendar:
    """Maps meeting IDs to dates: meetings every ``cadence_days`` from ``start``.

    Each date in ``skipped`` is a slot on the cadence with no meeting, so the meetings after
    it move one slot later. The Genesis fractal met weekly from 2022-02-26 and skipped
    2022-04-16, so meeting 7 was on 2022-04-09 and meeting 8 on 2022-04-23.

    Parameters
    ----------
    start : datetime.date
        Date of meeting 1 (an ISO string is accepted too).
    cadence_days : int
        Days between meeting slots, >= 1.
    skipped : tuple of datetime.date
        Slots without a meeting; each must be on the cadence and not before ``start``.
    """

    start: datetime.date = datetime.date(2022, 2, 26)
    cadence_days: int = 7
    skipped: tuple[datetime.date, ...] = (datetime.date(2022, 4, 16),)
    _skipped_shifted: npt.NDArray[np.int64] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        start = _to_date(self.start)
        cadence = operator.index(self.cadence_days)
        if cadence < 1:
            raise ValueError(f"cadence_days must be >= 1, got {cadence}")
        skipped = tuple(sorted({_to_date(day) for day in self.skipped}))
        slots = []
        for day in skipped:
            offset = (day - start).days
            if offset < 0 or offset % cadence:
                raise ValueError(
                    f"skipped date {day.isoformat()} is not a meeting slot of a calendar "
                    f"starting {start.isoformat()} every {cadence} days"
                )
            slots.append(offset // cadence)
        # The j-th skipped slot (0-based) has slot - j meetings before it; a meeting with
        # 0-based number m lands on slot m + (number of these values <= m).
        shifted = np.asarray(slots, dtype=np.int64) - np.arange(len(slots), dtype=np.int64)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "cadence_days", cadence)
        object.__setattr__(self, "skipped", skipped)
        object.__setattr__(self, "_skipped_shifted", shifted)

    def timestamps(self, meeting_ids: npt.ArrayLike) -> pd.DatetimeIndex:
        """Vectorized :meth:`timestamp`: the dates of ``meeting_ids`` as a DatetimeIndex."""
        ids = np.asarray(meeting_ids)
        if ids.ndim != 1:
            ids = ids.ravel()
        if ids.size == 0:
            return pd.DatetimeIndex([], dtype="datetime64[us]")
        if ids.dtype.kind == "O":  # e.g. a nullable pandas array without missing values
            try:
                ids = ids.astype(np.float64)
            except (TypeError, ValueError):
                raise ValueError(
                    f"meeting ids must be integers, got e.g. {ids[:5].tolist()!r}"
                ) from None
        if ids.dtype.kind == "f":
            bad = ~(np.isfinite(ids) & (ids == np.floor(ids)))
            if bad.any():
                raise ValueError(f"meeting_id={ids[np.argmax(bad)]} is not an integer")
        elif ids.dtype.kind not in "iu":
            raise ValueError(f"meeting ids must be integers, got dtype {ids.dtype}")
        # IDs beyond int64 (huge floats, large unsigned values) cannot be cast exactly
        too_large = ids > _MAX_MEETING_ID
        if too_large.any():
            raise ValueError(
                f"meeting_id={ids[np.argmax(too_large)]} is too large: its date would be "
                f"after {datetime.date.max.isoformat()} in any calendar"
            )
        ids64 = ids.astype(np.int64)
        too_small = ids64 < 1
        if too_small.any():
            raise ValueError(f"meeting_id={int(ids64[np.argmax(too_small)])} must be >= 1")
        # Dates after 9999-12-31 would wrap around silently in NumPy's datetime arithmetic:
        # check the largest ID exactly, in Python integers.
        largest = int(ids64.max())
        last_slot = (
            largest - 1 + int(np.searchsorted(self._skipped_shifted, largest - 1, side="right"))
        )
        if last_slot * self.cadence_days > (datetime.date.max - self.start).days:
            raise ValueError(
                f"meeting_id={largest} is too large: its date would be after "
                f"{datetime.date.max.isoformat()} in this calendar"
            )
        number = ids64 - 1
        slot = number + np.searchsorted(self._skipped_shifted, number, side="right")
        start = np.datetime64(self.start, "D")
        days = start + (slot * self.cadence_days).astype("timedelta64[D]")
        return pd.DatetimeIndex(days.astype("datetime64[us]"))

    def timestamp(self, meeting_id: int) -> pd.Timestamp:
        """Date of meeting ``meeting_id`` (>= 1) as a Timestamp; ``ValueError`` otherwise."""
        if isinstance(meeting_id, bool):
            raise ValueError(f"meeting_id={meeting_id!r} is not an integer")
        try:
            number = operator.index(meeting_id)
        except TypeError:
            raise ValueError(f"meeting_id={meeting_id!r} is not an integer") from None
        if number < 1:
            raise ValueError(f"meeting_id={number} must be >= 1")
        return pd.Timestamp(self.timestamps(np.array([number], dtype=np.int64))[0])


GENESIS_CALENDAR = MeetingCalendar()
"""The Genesis fractal's calendar: weekly from 2022-02-26, 2022-04-16 skipped."""


def meeting_id_to_timestamp(
    meeting_id: int, calendar: MeetingCalendar = GENESIS_CALENDAR
) -> pd.Timestamp:
    """Return the date of ``meeting_id`` (>= 1) in ``calendar`` (default: Genesis).

    >>> meeting_id_to_timestamp(8)
    Timestamp('2022-04-23 00:00:00')
    """
    return calendar.timestamp(meeting_id)


_STYLE_BLOCK = re.compile(r"<style scoped>.*?</style>\s*", flags=re.DOTALL)


class GitHubMarkdownDataFrame(pd.DataFrame):
    """A DataFrame whose notebook HTML has no ``<style scoped>`` block.

    GitHub renders notebooks without running them and shows such CSS blocks as text; this
    subclass leaves them out. Results of DataFrame operations keep the subclass.
    """

    @property
    def _constructor(self) -> type[GitHubMarkdownDataFrame]:
        return GitHubMarkdownDataFrame

    @property
    def _constructor_sliced(self) -> type[_GitHubMarkdownSeries]:
        return _GitHubMarkdownSeries

    def _repr_html_(self) -> str | None:
        html: str | None = super()._repr_html_()  # type: ignore[misc]
        if html is None:
            return None
        return _STYLE_BLOCK.sub("", html)


class _GitHubMarkdownSeries(pd.Series):
    """A column of a :class:`GitHubMarkdownDataFrame`: widens back into one (e.g. groupby)."""

    @property
    def _constructor(self) -> type[_GitHubMarkdownSeries]:
        return _GitHubMarkdownSeries

    @property
    def _constructor_expanddim(self) -> type[GitHubMarkdownDataFrame]:
        return GitHubMarkdownDataFrame


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _neutralised(values: pd.Series | pd.Index) -> pd.Series | pd.Index:
    """Text values that begin like a formula, with a leading apostrophe; others as they are."""
    if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
        return values
    text = values.astype("str")
    risky = np.array(text.str.startswith(_FORMULA_STARTS), dtype=np.bool_)
    if values.dtype == object:  # only strings: -1 in a mixed column is a number
        risky &= np.array([isinstance(value, str) for value in values], dtype=np.bool_)
    if not risky.any():
        return values
    return text.where(~risky, "'" + text)


def spreadsheet_csv(frame: pd.DataFrame, **options: object) -> str:
    """``frame.to_csv(**options)`` that is safe to open in a spreadsheet.

    Spreadsheets run a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or
    carriage return) as a formula, so a member named ``=HYPERLINK(...)`` in a downloaded
    leaderboard would run when opened. Text cells (and index labels) that begin so get a
    leading apostrophe, which spreadsheets show as text; numbers are written as they are.

    Examples
    --------
    >>> frame = pd.DataFrame({"Name": ["=1+1", "Ann"], "Rank": [-1, 2]})
    >>> print(spreadsheet_csv(frame, index=False, lineterminator="\\n"), end="")
    Name,Rank
    '=1+1,-1
    Ann,2
    """
    safe = frame.copy(deep=False)
    for name in safe.columns:
        safe[name] = _neutralised(safe[name])
    safe.index = _neutralised(safe.index)
    text: str = safe.to_csv(**options)  # type: ignore[call-overload]
    return text
