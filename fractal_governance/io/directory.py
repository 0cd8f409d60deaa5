"""A folder of records: its normalized files, or else its single weekly CSV file."""

from __future__ import annotations

from fractal_governance.io.errors import DatasetError
from fractal_governance.io.normalized import find_normalized_files, read_normalized
from fractal_governance.io.reader import PathLike, only_file, scan_directory
from fractal_governance.io.table import Table
from fractal_governance.io.weekly import read_weekly_csv

__all__ = ["read_directory"]


def read_directory(directory: PathLike) -> Table:
    """Read a folder: its normalized files, or else its single weekly CSV file."""
    found = scan_directory(directory)
    if found.get("measurements"):
        files = find_normalized_files(directory)
        return read_normalized(*files)
    weekly = only_file(found, "weekly", directory)
    if weekly is not None:
        return read_weekly_csv(weekly)
    others = ", ".join(p.name for p in found.get("other", [])) or "no CSV files"
    raise DatasetError(
        f"{directory}: no consensus records found (a measurements file with MemberID, "
        f"MeetingID, Group, Level or a weekly CSV); found: {others}"
    )
