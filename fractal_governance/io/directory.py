"""A folder of records: its normalized files, or else its single weekly CSV file."""

from __future__ import annotations

from fractal_governance.io.errors import DatasetError
from fractal_governance.io.normalized import find_normalized_files, read_normalized
from fractal_governance.io.ordao import read_ordao_csv
from fractal_governance.io.reader import (
    PathLike,
    classify,
    only_file,
    open_input,
    read_header,
    scan_directory,
)
from fractal_governance.io.table import Table
from fractal_governance.io.weekly import read_weekly_csv

__all__ = ["read_csv_file", "read_directory"]


def read_csv_file(path: PathLike, compression: str | None = None) -> Table:
    """Read one CSV file in the layout its header shows: an ORDAO awards export, else the
    weekly layout. ``compression``: gzip, bz2, xz or zip, or None to recognise them by the
    file's first bytes (never by its name)."""
    input_file = open_input(path, compression)
    if classify(read_header(input_file)) == "ordao":
        return read_ordao_csv(input_file)
    return read_weekly_csv(input_file)


def read_directory(directory: PathLike) -> Table:
    """Read a folder: its normalized files, else its single weekly CSV file, else its
    single ORDAO awards export (with its names file, ``address,name``, if there is one)."""
    found = scan_directory(directory)
    if found.get("measurements"):
        files = find_normalized_files(directory)
        return read_normalized(*files)
    weekly = only_file(found, "weekly", directory)
    if weekly is not None:
        return read_weekly_csv(weekly)
    ordao = only_file(found, "ordao", directory)
    if ordao is not None:
        return read_ordao_csv(ordao, only_file(found, "names", directory))
    others = ", ".join(p.name for p in found.get("other", [])) or "no CSV files"
    raise DatasetError(
        f"{directory}: no consensus records found (a measurements file with MemberID, "
        f"MeetingID, Group, Level, a weekly CSV or an ORDAO awards export); found: {others}"
    )
