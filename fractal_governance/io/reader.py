"""Reading CSV files into untyped frames, and recognising files by their header.

Files exported from spreadsheets load as they come: UTF-8 with or without a byte-order
mark, CRLF line ends, blank trailing columns without a header, blank rows. Clean files take
the fast path: one ``pandas.read_csv`` with type inference; the column checks
(:mod:`fractal_governance.io.checks`) then type and validate the columns.
"""

from __future__ import annotations

import csv
import os
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance import columns as col
from fractal_governance._kernels import EXACT_FLOAT_INT
from fractal_governance.io.errors import DatasetError, Origin, raise_problems

__all__ = [
    "TEXT_COLUMNS",
    "PathLike",
    "classify",
    "only_file",
    "read_csv_frame",
    "read_header",
    "scan_directory",
]

PathLike = str | os.PathLike[str]

TEXT_COLUMNS = (col.MEMBER_ID, col.NAME, col.TEAM_NAME, col.MEETING_DATE)
"""Columns read as exact text (``"007"`` stays ``"007"``) in the weekly layout."""


def read_header(path: Path, source: str) -> list[str]:
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
    raise_problems(problems)
    return names


def _integral(values: npt.NDArray[np.floating[Any]]) -> bool:
    """Whether every value is a whole number that float64 holds exactly (no NaN)."""
    with np.errstate(invalid="ignore"):
        return bool(
            np.isfinite(values).all()
            and (values == np.floor(values)).all()
            and (np.abs(values) < EXACT_FLOAT_INT).all()
        )


def read_csv_frame(path: PathLike, text_columns: Iterable[str] = ()) -> tuple[pd.DataFrame, Origin]:
    """Read a CSV file with type inference; text columns are kept as exact strings.

    Blank trailing columns without a header and rows whose cells are all empty are
    dropped. Only an empty cell counts as missing (``"NA"`` stays a string).
    """
    path = Path(path)
    source = str(path)
    names = _header_names(read_header(path, source), source)
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
        # pandas' parser reports other malformed input with these
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
    return frame, Origin(source, positions, path, names)


# -- recognising files by their header --------------------------------------------------------


def classify(names: Sequence[str]) -> str:
    """``weekly``, ``measurements``, ``members``, ``teams``, ``ordao`` (an ORDAO awards
    export), ``names`` (its names file: ``address,name``) or ``other`` by the header."""
    has = set(names).__contains__
    if has("recipient") and has("denomination") and (has("meetingNumber") or has("periodNumber")):
        return "ordao"
    if has("address") and has("name") and not has("recipient"):
        return "names"
    has_level = has(col.RANK) or has(col.LEVEL)
    if has(col.MEETING_ID) and has(col.MEMBER_ID) and has_level:
        return "weekly" if has(col.NAME) else "measurements"
    if has(col.MEMBER_ID) and has(col.NAME) and not has(col.MEETING_ID):
        return "members"
    if has(col.TEAM_ID) and has(col.TEAM_NAME) and not has(col.MEMBER_ID):
        return "teams"
    return "other"


def scan_directory(directory: PathLike) -> dict[str, list[Path]]:
    """The CSV files in ``directory`` by kind (see :func:`classify`; unreadable: other)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise DatasetError(f"{folder}: not a directory")
    found: dict[str, list[Path]] = {}
    for path in sorted(folder.glob("*.csv")) + sorted(folder.glob("*.CSV")):
        if not path.is_file():
            continue
        try:
            kind = classify(read_header(path, str(path)))
        except DatasetError:
            kind = "other"
        found.setdefault(kind, []).append(path)
    return found


def only_file(found: dict[str, list[Path]], kind: str, folder: PathLike) -> Path | None:
    """The one file of ``kind`` (None if there is none); DatasetError if there are more."""
    paths = found.get(kind, [])
    if len(paths) > 1:
        raise DatasetError(
            f"{folder}: more than one {kind} file: {', '.join(p.name for p in paths)}; "
            "keep one or pass the files explicitly"
        )
    return paths[0] if paths else None
