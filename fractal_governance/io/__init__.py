"""Reading fractal consensus records and rejecting input that cannot be analysed.

Three layouts are accepted:

* the **weekly** table, one row per member per meeting (and round):
  ``Index, MemberID, Name, MeetingID, Group, Rank, TeamID, TeamName``, with ``Level``
  instead of ``Rank``, an optional ``Round`` and an optional ``MeetingDate`` (ISO dates)
  (:mod:`.weekly`);
* the **normalized** layout of three files: measurements
  (``Index, MemberID, MeetingID, Group, Round, Level, TeamID``), members
  (``Index, MemberID, Name, HiveAccountName, SignatureOnFile``) and teams
  (``Index, TeamID, TeamName``), recognised by their columns whatever the file names
  (:mod:`.normalized`); :func:`read_directory` reads a folder of either;
* the **ORDAO awards** export of today's Respect Game fractals, one row per award
  (``recipient, denomination, mintType, ..., meetingNumber, groupNum, level, title, ...``)
  with an optional names file (``address,name``) (:mod:`.ordao`); :func:`read_csv_file`
  reads a file in the layout its header shows.

Anything that cannot be analysed raises :class:`DatasetError` (a ``ValueError``) whose
message names the file, the rows as numbered in the file (the header is line 1, so the
first data row is row 2), the column and the offending values (:mod:`.errors`). The check
that finds a problem raises it; any other exception is a bug and propagates as it is.

Clean files take the fast path: one ``pandas.read_csv`` with type inference
(:mod:`.reader`), then vectorized checks (:mod:`.checks`) that yield a :class:`Table`
(:mod:`.table`). Only when something is wrong is the file scanned again to quote the exact
line numbers and raw text in the error message.
"""

from __future__ import annotations

from fractal_governance._kernels import dense_codes, factorize_sorted, sort_order, take_rows
from fractal_governance.io.checks import MAX_LEVEL, MAX_LEVEL_WITHOUT_ROUNDS, MAX_MEETING_ID
from fractal_governance.io.directory import read_csv_file, read_directory
from fractal_governance.io.errors import DatasetError, Origin, cell_problem
from fractal_governance.io.normalized import (
    NormalizedFiles,
    find_normalized_files,
    load_normalized,
    read_normalized,
)
from fractal_governance.io.ordao import OrdaoAwards, read_names, read_ordao_csv
from fractal_governance.io.reader import COMPRESSIONS, Limits, open_input, set_limits
from fractal_governance.io.table import Table
from fractal_governance.io.weekly import load_weekly_csv, read_dataframe, read_weekly_csv

__all__ = [
    "COMPRESSIONS",
    "MAX_LEVEL",
    "MAX_LEVEL_WITHOUT_ROUNDS",
    "MAX_MEETING_ID",
    "DatasetError",
    "Limits",
    "NormalizedFiles",
    "OrdaoAwards",
    "Origin",
    "Table",
    "cell_problem",
    "dense_codes",
    "factorize_sorted",
    "find_normalized_files",
    "load_normalized",
    "load_weekly_csv",
    "open_input",
    "read_csv_file",
    "read_dataframe",
    "read_directory",
    "read_names",
    "read_normalized",
    "read_ordao_csv",
    "read_weekly_csv",
    "set_limits",
    "sort_order",
    "take_rows",
]
