"""The weekly layout: one row per member per meeting (and round).

Columns ``Index, MemberID, Name, MeetingID, Group, Rank, TeamID, TeamName``, with
``Level`` instead of ``Rank``, an optional ``Round`` and an optional ``MeetingDate`` (ISO
dates), from a CSV file or a DataFrame.
"""

from __future__ import annotations

import pandas as pd

from fractal_governance import parallel
from fractal_governance.io.checks import check_weekly
from fractal_governance.io.errors import DatasetError, Origin
from fractal_governance.io.reader import TEXT_COLUMNS, InputFile, PathLike, parse_csv
from fractal_governance.io.table import Table

__all__ = ["load_weekly_csv", "read_dataframe", "read_weekly_csv"]


def read_weekly_csv(path: PathLike | InputFile, compression: str | None = None) -> Table:
    """Read and validate a weekly consensus CSV file (``Rank`` or ``Level``; optional rounds).
    ``compression``: see :func:`~fractal_governance.io.reader.open_input`.

    A large file's bytes are checked (``ParsedCsv.short_rows``) on a worker thread
    while its columns are checked here. An error in the bytes is still the one reported
    when both are bad, as :func:`~fractal_governance.io.reader.read_csv_frame` (bytes
    first) would.
    """
    parsed = parse_csv(path, TEXT_COLUMNS, compression=compression)
    with parallel.worker(len(parsed.frame)) as submit:
        short_later = submit(parsed.short_rows)
        if short_later.done() and short_later.exception() is not None:
            short_later.result()  # checked here already (a small file): no column check
        try:
            frame, origin = parsed.finish()
            table = check_weekly(frame, origin, needs_name=True)
        except Exception:
            short_later.result()  # raises the bytes' error, if any
            raise
        short = short_later.result()
    return table.with_origin(table.origin.with_short_rows(short))


def read_dataframe(df: pd.DataFrame, source: str = "<dataframe>") -> Table:
    """Validate a DataFrame in the weekly layout (rows named by index label in errors)."""
    if not isinstance(df, pd.DataFrame):
        raise DatasetError(f"{source}: expected a pandas DataFrame, got {type(df).__name__}")
    frame = df.copy(deep=False)
    frame.columns = pd.Index([str(c).strip() for c in frame.columns])
    labels = frame.index
    frame = frame.reset_index(drop=True)
    return check_weekly(frame, Origin(source, labels), needs_name=True)


def load_weekly_csv(path: PathLike) -> pd.DataFrame:
    """The typed rows of a weekly consensus CSV file (``DatasetError`` for bad input)."""
    return read_weekly_csv(path).frame
