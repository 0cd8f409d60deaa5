"""Reading CSV files into untyped frames, and recognising files by their header.

Files exported from spreadsheets load as they come: UTF-8 with or without a byte-order
mark, CRLF line ends, blank trailing columns without a header, blank rows. Clean files take
the fast path: one ``pandas.read_csv`` with type inference; the column checks
(:mod:`fractal_governance.io.checks`) then type and validate the columns.

Hostile or broken input is refused before it costs much (:data:`LIMITS`):

* only regular files are read (not devices, FIFOs or folders);
* compressed input (gzip, bz2, xz, zip) is read only when the caller says so
  (``compression=``) or when the file's first bytes show it, never by the file name, and
  it may inflate to at most ``LIMITS.max_inflated_bytes``;
* the header must lie within ``LIMITS.max_header_bytes`` and have at most
  ``LIMITS.max_columns`` columns; this is checked before the file is parsed;
* a data row with more fields than the header is an error naming its line (pandas never
  infers an index column); a row with fewer fields is kept (its missing cells are empty)
  and reported as a quality finding (:attr:`Origin.short_rows`); a column without a
  header name that holds data is an error;
* members and teams are capped per MB of input (:func:`check_counts`).

Row shapes are checked without a second parse where possible: a file without quotes has
every row of the header's width exactly when it holds ``(width - 1) * records`` commas
(pandas already refuses wider rows), counted over the bytes with numpy; only when that
count differs, or when quotes could hide commas, are the rows scanned with :mod:`csv`.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import dataclasses
import gzip
import io
import lzma
import os
import re
import stat
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance import columns as col
from fractal_governance._kernels import EXACT_FLOAT_INT
from fractal_governance.io.errors import MAX_SHOWN, DatasetError, FileScan, Origin, raise_problems

__all__ = [
    "COMPRESSIONS",
    "LIMITS",
    "TEXT_COLUMNS",
    "InputFile",
    "Limits",
    "ParsedCsv",
    "PathLike",
    "check_counts",
    "classify",
    "only_file",
    "open_input",
    "parse_csv",
    "read_csv_frame",
    "read_header",
    "scan_directory",
    "set_limits",
]

PathLike = str | os.PathLike[str]

TEXT_COLUMNS = (col.MEMBER_ID, col.NAME, col.TEAM_NAME, col.MEETING_DATE)
"""Columns read as exact text (``"007"`` stays ``"007"``) in the weekly layout."""

MB = 2**20


@dataclasses.dataclass(frozen=True)
class Limits:
    """Caps on input, checked before the expensive work (see :func:`set_limits`).

    Members and teams may number ``base + per_mb * MB of input`` (the input's size in
    bytes on disk, or inflated). Genesis' record has about 4,500 members and 130 teams per
    MB; a file of 50,000 teams in 2.7 MB is refused.
    """

    max_columns: int = 1_000
    max_header_bytes: int = 1 * MB
    max_inflated_bytes: int = 512 * MB
    members_base: int = 10_000
    members_per_mb: int = 25_000
    teams_base: int = 100
    teams_per_mb: int = 200

    def allowed(self, what: str, size: int) -> int:
        """How many members or teams (``what``) an input of ``size`` bytes may hold."""
        base, per_mb = (
            (self.members_base, self.members_per_mb)
            if what == "members"
            else (self.teams_base, self.teams_per_mb)
        )
        return base + int(per_mb * size / MB)


LIMITS = Limits()
"""The caps in force; change them with :func:`set_limits`."""


def set_limits(**changes: int) -> Limits:
    """Change the caps (``set_limits(teams_per_mb=1_000)``); returns the previous ones."""
    global LIMITS
    previous = LIMITS
    LIMITS = dataclasses.replace(previous, **changes)
    return previous


def check_counts(what: str, count: int, size: int | None, source: str) -> None:
    """DatasetError when ``count`` members or teams exceed the cap for ``size`` bytes of
    input (no cap without a size: a DataFrame built in Python)."""
    if size is None:
        return
    allowed = LIMITS.allowed(what, size)
    if count > allowed:
        raise DatasetError(
            f"{source}: {count:,} {what} in {size / MB:.2f} MB of input; at most {allowed:,} "
            f"are accepted ({getattr(LIMITS, what + '_base'):,} plus "
            f"{getattr(LIMITS, what + '_per_mb'):,} per MB; see "
            "fractal_governance.io.set_limits)"
        )


# -- opening files ----------------------------------------------------------------------------

COMPRESSIONS = ("gzip", "bz2", "xz", "zip")
"""What ``compression=`` accepts (besides None: by the file's first bytes)."""

_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)


@dataclasses.dataclass(frozen=True)
class InputFile:
    """A file checked for reading: ``data`` holds its inflated bytes when it was
    compressed (None: read ``path`` itself); ``size`` is its size in bytes (inflated)."""

    path: Path
    source: str
    size: int
    data: bytes | None = None
    compression: str | None = None

    def handle(self) -> IO[bytes]:
        """A binary handle on the (inflated) bytes."""
        if self.data is not None:
            return io.BytesIO(self.data)
        return open(self.path, "rb")

    def head(self, limit: int) -> bytes:
        """The first ``limit`` bytes."""
        if self.data is not None:
            return self.data[:limit]
        with open(self.path, "rb") as handle:
            return handle.read(limit)


def _inflate(path: Path, source: str, compression: str) -> bytes:
    """The inflated bytes of a compressed file, at most ``LIMITS.max_inflated_bytes``."""
    limit = LIMITS.max_inflated_bytes
    try:
        if compression == "zip":
            with zipfile.ZipFile(path) as archive:
                members = [info for info in archive.infolist() if not info.is_dir()]
                if len(members) != 1:
                    raise DatasetError(
                        f"{source}: a zip archive must hold exactly one CSV file "
                        f"(it holds {len(members)})"
                    )
                with archive.open(members[0]) as handle:
                    data = handle.read(limit + 1)
        else:
            opener: Any = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}[compression]
            with opener(path, "rb") as handle:
                data = handle.read(limit + 1)
    except (OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile) as error:
        raise DatasetError(f"{source}: not a readable {compression} file ({error})") from None
    if len(data) > limit:
        raise DatasetError(
            f"{source}: inflates to more than {limit / MB:,.0f} MB "
            "(LIMITS.max_inflated_bytes; see fractal_governance.io.set_limits)"
        )
    return data


def open_input(path: PathLike | InputFile, compression: str | None = None) -> InputFile:
    """Check that ``path`` is a regular file and inflate it if it is compressed.

    ``compression``: one of :data:`COMPRESSIONS`, or None to recognise gzip, bz2, xz and
    zip by the file's first bytes (never by its name). Devices, FIFOs, sockets and folders
    are refused without being opened.
    """
    if isinstance(path, InputFile):
        return path
    path = Path(path)
    source = str(path)
    if compression is not None and compression not in COMPRESSIONS:
        raise DatasetError(
            f"{source}: unknown compression {compression!r} (use one of "
            f"{', '.join(COMPRESSIONS)}, or none to recognise it by the file's first bytes)"
        )
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise DatasetError(f"{source}: no such file") from None
    except OSError as error:
        raise DatasetError(f"{source}: cannot be read ({error})") from None
    if stat.S_ISDIR(status.st_mode):
        raise DatasetError(f"{source}: is a directory, not a CSV file")
    if not stat.S_ISREG(status.st_mode):
        raise DatasetError(
            f"{source}: not a regular file (a device, FIFO or socket); only files are read"
        )
    try:
        with open(path, "rb") as handle:
            magic = handle.read(6)
    except OSError as error:
        raise DatasetError(f"{source}: cannot be read ({error})") from None
    found = next((kind for prefix, kind in _MAGIC if magic.startswith(prefix)), None)
    kind = compression or found
    if kind == "zstd":
        raise DatasetError(f"{source}: zstd-compressed input is not supported; inflate it first")
    if kind is None:
        return InputFile(path, source, status.st_size)
    data = _inflate(path, source, kind)
    return InputFile(path, source, len(data), data, kind)


# -- the header -------------------------------------------------------------------------------


def _head(input_file: InputFile) -> tuple[list[str], int | None]:
    """The header's fields (stripped), the first record that is not blank, read from at
    most ``LIMITS.max_header_bytes`` of the file (at most ``LIMITS.max_columns`` fields),
    and the number of fields of the first data row (None when it is not within those
    bytes, or there is none)."""
    limit = LIMITS.max_header_bytes
    source = input_file.source
    head = input_file.head(limit + 1)
    truncated = len(head) > limit
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(head[:limit], final=not truncated)
    except UnicodeError as error:
        raise DatasetError(f"{source}: not UTF-8 text ({error})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = None
    first_width = None
    try:
        for record in reader:
            if record and any(field.strip() for field in record):
                header = record
                break
        following = None
        if header is not None:  # the first data row (pandas skips blank lines)
            following = next((r for r in reader if r and (len(r) > 1 or r[0].strip())), None)
        complete = header is not None and (not truncated or following is not None)
        if following is not None and (not truncated or next(reader, None) is not None):
            first_width = len(following)
    except csv.Error as error:
        if header is None:
            raise DatasetError(f"{source}: malformed CSV header ({error})") from None
        complete = True
    if header is None and not truncated:
        raise DatasetError(f"{source}: the file is empty (no header row)")
    if header is not None and len(header) > LIMITS.max_columns:
        raise DatasetError(
            f"{source}: the header has {'at least ' if not complete else ''}"
            f"{len(header):,} columns; at most {LIMITS.max_columns:,} are accepted"
        )
    if header is None or not complete:
        raise DatasetError(
            f"{source}: the header row is longer than {limit:,} bytes (LIMITS.max_header_bytes)"
        )
    return [field.strip() for field in header], first_width


def read_header(
    path: PathLike | InputFile, source: str | None = None, compression: str | None = None
) -> list[str]:
    """The header's column names (stripped), or DatasetError for unreadable files."""
    return _head(open_input(path, compression))[0]


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


# -- row shapes -------------------------------------------------------------------------------

_EXPECTED_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_EOF_IN_STRING = re.compile(r"EOF inside string starting at row (\d+)")
_BOUNDARY = np.zeros(256, dtype=np.bool_)
_BOUNDARY[[ord(","), ord("\n"), ord("\r"), ord('"')]] = True


def _commas_outside_quotes(data: bytes) -> int | None:
    """Field separators in ``data`` (commas outside quoted fields), or None when a quote
    stands inside a field (CSV readers take it literally there: only a scan can tell)."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    if b'"' not in data:
        return int(np.count_nonzero(buffer == ord(",")))
    quotes = np.flatnonzero(buffer == ord('"'))
    # Quotes alternate: an opening one (even position in this list) follows a separator, a
    # line end, the start or another quote (an escaped pair); a closing one precedes them.
    start = 3 if data.startswith(codecs.BOM_UTF8) else 0
    opening = quotes[0::2]
    closing = quotes[1::2]
    later = opening > start
    ok = bool(_BOUNDARY[buffer[opening[later] - 1]].all())
    inner = closing + 1 < len(buffer)
    ok = ok and bool(_BOUNDARY[buffer[closing[inner] + 1]].all())
    if not ok:
        return None
    commas = np.flatnonzero(buffer == ord(","))
    inside = np.searchsorted(quotes, commas) % 2 == 1
    return int(len(commas) - np.count_nonzero(inside))


def _field_counts(scan: FileScan) -> tuple[list[int], list[int]] | None:
    """Line and field count of every data record, or None if the file cannot be scanned."""
    records = scan.records
    if records is None:
        return None
    lines, fields = records
    return lines, [len(record) for record in fields]


def _long_rows(
    scan: FileScan, width: int, header: Sequence[str], source: str, detail: str
) -> DatasetError:
    """The error for data rows wider than the header (``detail``: pandas' message, used
    when the scan cannot find them)."""
    counts = _field_counts(scan)
    if counts is not None:
        wide = [(line, n) for line, n in zip(*counts, strict=True) if n > width]
        if wide:
            shown = "; ".join(
                f"row {line} has {n:,} fields (column {width + 1} has no name)"
                for line, n in wide[:MAX_SHOWN]
            )
            more = f"; and {len(wide) - MAX_SHOWN} more rows" if len(wide) > MAX_SHOWN else ""
            return DatasetError(
                f"{source}: data rows have more fields than the header's {width} "
                f"({', '.join(header[:3])}{', ...' if width > 3 else ''}): {shown}{more}; "
                "remove the extra cells or name their column"
            )
    return DatasetError(f"{source}: malformed CSV ({detail})")


def _parser_error(
    error: Exception, scan: FileScan, width: int, header: Sequence[str], source: str
) -> DatasetError:
    """A pandas tokenizer error restated with the file's own line numbers and column."""
    detail = str(error).strip().removeprefix("Error tokenizing data. C error: ")
    if _EXPECTED_FIELDS.search(detail):
        return _long_rows(scan, width, header, source, detail)
    match = _EOF_IN_STRING.search(detail)
    if match:
        counts = _field_counts(scan)
        record = int(match.group(1)) - 1  # pandas counts the header as row 0
        if counts is not None and 0 <= record < len(counts[0]):
            line, fields = counts[0][record], counts[1][record]
            name = header[fields - 1] if 0 < fields <= len(header) else "(no name)"
            return DatasetError(
                f"{source}: row {line}: column {fields} ({name!r}) opens a quoted field "
                "that is never closed"
            )
        return DatasetError(f"{source}: malformed CSV (a quoted field is never closed)")
    return DatasetError(f"{source}: malformed CSV ({detail})")


def _lone_cr_before_comma(window: bytes) -> int:
    """Position of the first carriage return in ``window`` that follows a line end and
    precedes a comma (a line of a lone CR before a row starting with an empty cell), or -1."""
    buffer = np.frombuffer(window, dtype=np.uint8)
    cr = np.flatnonzero(buffer[1:-1] == ord("\r")) + 1
    hit = cr[
        (buffer[cr + 1] == ord(","))
        & ((buffer[cr - 1] == ord("\n")) | (buffer[cr - 1] == ord("\r")))
    ]
    return int(hit[0]) if len(hit) else -1


def _lone_cr_error(input_file: InputFile, data: bytes, position: int) -> DatasetError:
    """The error for the lone carriage return at ``position`` of the (inflated) bytes."""
    before = data[:position]
    line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 2
    return DatasetError(
        f"{input_file.source}: row {line} follows a line that holds only a carriage return "
        "and starts with an empty cell; CSV readers disagree on its cells (remove the "
        "carriage return)"
    )


def _byte_pass(input_file: InputFile, count: bool) -> int | None:
    """One pass over the bytes: DatasetError for a line of a lone carriage return before a
    row that starts with an empty cell (pandas drops that cell and shifts the row left);
    with ``count``, the field separators (:func:`_commas_outside_quotes`; None: unknown).

    Plain files are read in chunks into one buffer (no copy of the file is kept); a file
    with quotes is read whole to count (quoted fields may span chunks)."""
    data = input_file.data
    if data is not None:
        position = _lone_cr_before_comma(data) if data.find(b"\r") >= 0 else -1
        if position >= 0:
            raise _lone_cr_error(input_file, data, position)
        return _commas_outside_quotes(data) if count else None
    total = 0
    chunk = bytearray(8 * MB)
    tail = b""  # the previous chunk's last two bytes (a pattern may span chunks)
    offset = 0
    with open(input_file.path, "rb", buffering=0) as handle:
        while size := handle.readinto(chunk):
            if chunk.find(b"\r", 0, size) >= 0 or tail.find(b"\r") >= 0:
                position = _lone_cr_before_comma(tail + bytes(chunk[:size]))
                if position >= 0:
                    position += offset - len(tail)
                    raise _lone_cr_error(input_file, input_file.path.read_bytes(), position)
            if count:
                if chunk.find(b'"', 0, size) >= 0:
                    count = False
                    whole = input_file.path.read_bytes()
                    position = _lone_cr_before_comma(whole) if whole.find(b"\r") >= 0 else -1
                    if position >= 0:
                        raise _lone_cr_error(input_file, whole, position)
                    return _commas_outside_quotes(whole)
                total += int(np.count_nonzero(np.frombuffer(chunk, np.uint8, size) == ord(",")))
            tail = bytes(chunk[max(size - 2, 0) : size])
            offset += size
    return total if count else None


def _short_rows(
    separators: int | None,
    scan: FileScan,
    rows: int,
    width: int,
    named: int,
    header: Sequence[str],
    source: str,
) -> tuple[tuple[int, int], ...]:
    """(line, fields) of the data rows with fewer fields than the last named column needs
    (``named``; ``width`` the header's fields, ``rows`` the records pandas read);
    DatasetError for rows wider than the header."""
    if separators == (width - 1) * (rows + 1):
        return ()
    counts = _field_counts(scan)
    records = scan.records
    if counts is None or records is None:
        raise DatasetError(f"{source}: malformed CSV (its rows cannot be counted)")
    lines, fields = counts
    if max(fields, default=0) > width:
        raise _long_rows(scan, width, header, source, "a data row is wider than the header")
    return tuple(
        (line, n)
        for line, n, record in zip(lines, fields, records[1], strict=True)
        if n < named and any(field.strip() for field in record)
    )


def _unnamed_with_data(frame: pd.DataFrame, origin: Origin, source: str) -> None:
    """DatasetError for columns without a header name that hold data."""
    problems = []
    for name in frame.columns:
        if str(name).startswith("Unnamed: "):
            present = frame[name].notna().to_numpy()
            if present.any():
                positions = np.flatnonzero(present)
                shown = origin.describe(
                    [int(p) for p in positions[:MAX_SHOWN]],
                    str(name),
                    list(frame[name].iloc[positions[:MAX_SHOWN]]),
                )
                more = len(positions) - min(len(positions), MAX_SHOWN)
                problems.append(
                    f"{source}: column {int(str(name)[9:]) + 1} has no name in the header "
                    f"but holds data ({'; '.join(shown)}"
                    f"{f'; and {more} more rows' if more else ''}); name it or remove it"
                )
    raise_problems(problems)


def read_csv_frame(
    path: PathLike | InputFile,
    text_columns: Iterable[str] = (),
    *,
    compression: str | None = None,
) -> tuple[pd.DataFrame, Origin]:
    """Read a CSV file with type inference; text columns are kept as exact strings.

    Blank trailing columns without a header and rows whose cells are all empty are
    dropped. Only an empty cell counts as missing (``"NA"`` stays a string). See the
    module docstring for what is refused.
    """
    parsed = parse_csv(path, text_columns, compression=compression)
    short = parsed.short_rows()
    frame, origin = parsed.finish()
    return frame, origin.with_short_rows(short)


def parse_csv(
    path: PathLike | InputFile,
    text_columns: Iterable[str] = (),
    *,
    compression: str | None = None,
) -> ParsedCsv:
    """The first step of :func:`read_csv_frame`: the file parsed by pandas, its bytes not
    checked yet."""
    input_file = open_input(path, compression)
    source = input_file.source
    header, first_width = _head(input_file)
    names = _header_names(header, source)
    width = len(names)
    named = max((i + 1 for i, name in enumerate(header) if name), default=0)
    options: dict[str, Any] = {
        "encoding": "utf-8-sig",
        "keep_default_na": False,
        "na_values": [""],
        "header": 0,
        "names": names,
        "index_col": False,
        "skip_blank_lines": True,
        "compression": None,
    }
    scan = FileScan(input_file.path, input_file.data)
    if first_width is not None and first_width > width:
        # pandas would make the first column the index (or, told not to, drop cells)
        raise _long_rows(scan, width, header, source, "a data row is wider than the header")
    if first_width is None:
        # the first data row is not within the bytes read for the header: pandas is told
        # to keep the header's columns (so that a wide first row costs little); wider rows
        # are then found by counting separators below
        options["usecols"] = range(width)
    target: Any = input_file.path if input_file.data is None else io.BytesIO(input_file.data)
    text = [name for name in text_columns if name in names]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DtypeWarning: mixed chunks are handled below
            frame = pd.read_csv(target, **options)
            retype = [
                name
                for name in text
                if not pd.api.types.is_string_dtype(frame[name].dtype)
                or frame[name].dtype == object
            ]
            if retype and len(frame):
                if input_file.data is not None:
                    target = io.BytesIO(input_file.data)
                exact = pd.read_csv(target, **{**options, "usecols": retype, "dtype": str})
                frame = frame.assign(**{name: exact[name] for name in retype})
    except pd.errors.EmptyDataError:
        raise DatasetError(f"{source}: the file is empty (no header row)") from None
    except pd.errors.ParserError as error:
        raise _parser_error(error, scan, width, header, source) from None
    except UnicodeError as error:
        raise DatasetError(f"{source}: not UTF-8 text ({error})") from None
    except (ValueError, OverflowError, TypeError, MemoryError) as error:
        # pandas' parser reports other malformed input with these
        raise DatasetError(f"{source}: cannot be read as CSV ({error})") from None
    except OSError as error:
        raise DatasetError(f"{source}: cannot be read ({error})") from None
    return ParsedCsv(frame, input_file, scan, header, names, named, first_width)


@dataclasses.dataclass(frozen=True, eq=False)
class ParsedCsv:
    """A CSV file parsed by pandas (see :func:`parse_csv`): :meth:`short_rows` checks its
    bytes, :meth:`finish` drops its blank rows and columns. The two are independent, so a
    large file's bytes may be checked on another thread while its columns are (a bad byte
    is still reported before anything found in the columns: see
    :func:`fractal_governance.io.weekly.read_weekly_csv`)."""

    frame: pd.DataFrame
    input_file: InputFile
    scan: FileScan
    header: list[str]
    names: list[str]
    named: int
    """The header's named columns (up to the last name)."""
    first_width: int | None
    """The first data row's fields, when it lies within the bytes read for the header."""

    def short_rows(self) -> tuple[tuple[int, int], ...]:
        """(line, fields) of the data rows with fewer fields than the named columns;
        DatasetError for a row wider than the header or a lone carriage return that
        pandas misreads."""
        frame, named = self.frame, self.named
        # a row may lack its last cells (else that column would be filled)
        may_be_short = bool(len(frame)) and (
            self.first_width is None or (named > 0 and bool(frame.iloc[:, named - 1].isna().any()))
        )
        separators = _byte_pass(self.input_file, may_be_short)
        if not may_be_short:
            return ()
        return _short_rows(
            separators,
            self.scan,
            len(frame),
            len(self.names),
            named,
            self.header,
            self.input_file.source,
        )

    def finish(self) -> tuple[pd.DataFrame, Origin]:
        """The frame without blank trailing columns and blank rows, and its origin (without
        short rows: see :meth:`Origin.with_short_rows`); DatasetError for a column without
        a name that holds data."""
        frame, input_file, names = self.frame, self.input_file, self.names
        source, scan = input_file.source, self.scan
        origin = Origin(source, len(frame), input_file.path, names, scan=scan)
        _unnamed_with_data(frame, origin, source)
        blank_unnamed = [name for name in frame.columns if str(name).startswith("Unnamed: ")]
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
        origin = Origin(
            source,
            positions,
            input_file.path,
            names,
            scan=scan,
            size=input_file.size,
            width=self.named,
        )
        return frame, origin


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
