"""The normalized layout: measurements, members and teams in three files.

Measurements (``Index, MemberID, MeetingID, Group, Round, Level, TeamID``), members
(``Index, MemberID, Name, HiveAccountName, SignatureOnFile``) and teams
(``Index, TeamID, TeamName``), recognised by their columns whatever the file names, and
joined into the weekly layout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from fractal_governance import columns as col
from fractal_governance.io.checks import (
    check_unique,
    check_weekly,
    require_columns,
    text_column,
    whole_numbers,
)
from fractal_governance.io.errors import DatasetError, cell_problem, raise_problems
from fractal_governance.io.reader import (
    TEXT_COLUMNS,
    PathLike,
    check_counts,
    only_file,
    read_csv_frame,
    scan_directory,
)
from fractal_governance.io.table import Table

__all__ = ["NormalizedFiles", "find_normalized_files", "load_normalized", "read_normalized"]


class NormalizedFiles(NamedTuple):
    """The files of a normalized layout (``teams`` is None when there is none)."""

    measurements: Path
    members: Path
    teams: Path | None


def find_normalized_files(directory: PathLike) -> NormalizedFiles:
    """Find the measurements, members and teams files in ``directory`` by their columns.

    Other CSV files are ignored. ``DatasetError`` when a file is missing or ambiguous.
    """
    found = scan_directory(directory)
    measurements = only_file(found, "measurements", directory)
    members = only_file(found, "members", directory)
    teams = only_file(found, "teams", directory)
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
    frame, origin = read_csv_frame(path, (col.MEMBER_ID, col.NAME, col.TEAM_NAME))
    names = [str(c) for c in frame.columns]
    require_columns(names, [key, value], origin.source, what)
    problems: list[str] = []
    if key == col.MEMBER_ID:
        keys = text_column(frame[key])
        empty = keys.isna().to_numpy()
        if empty.any():
            problems.append(
                cell_problem(origin, key, np.flatnonzero(empty), frame[key], "must not be empty")
            )
        key_values: Any = keys
        key_codes = pd.factorize(keys)[0].astype(np.int64)
    else:
        key_values, _ = whole_numbers(
            frame, key, origin, problems, minimum=0, requirement="must be a whole number"
        )
        key_codes = key_values
    values = text_column(frame[value])
    if value == col.TEAM_NAME:
        empty = values.isna().to_numpy()
        if empty.any():
            problems.append(
                cell_problem(
                    origin, value, np.flatnonzero(empty), frame[value], "must not be empty"
                )
            )
    check_counts(
        "members" if key == col.MEMBER_ID else "teams", len(frame), origin.size, origin.source
    )
    if not problems:
        check_unique([key_codes], origin, key, frame[key], "has a value twice", problems)
    raise_problems(problems)
    return pd.Index(key_values), values.reset_index(drop=True)


def read_normalized(
    measurements: PathLike, members: PathLike, teams: PathLike | None = None
) -> Table:
    """Read the normalized layout and join it into the weekly layout (with names)."""
    source = str(measurements)

    frame, origin = read_csv_frame(measurements, TEXT_COLUMNS)
    names = [str(c) for c in frame.columns]
    if col.NAME in names:
        raise DatasetError(
            f"{source}: has a 'Name' column, so it is a weekly table, not measurements"
        )
    table = check_weekly(frame, origin, needs_name=False)
    typed = table.frame
    member_keys, member_names = _lookup_table(members, col.MEMBER_ID, col.NAME, "a members file")
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
    raise_problems(problems)
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
                    raise_problems(
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
    # the same rows: the member codes are reused
    return Table(
        pd.DataFrame(out),
        table.origin,
        table.level_column,
        members=table.members,
        member_first_rows=table.member_first_rows,
    )


def load_normalized(
    measurements: PathLike, members: PathLike, teams: PathLike | None = None
) -> pd.DataFrame:
    """The normalized layout joined into weekly-layout rows (``DatasetError`` for bad input)."""
    return read_normalized(measurements, members, teams).frame
