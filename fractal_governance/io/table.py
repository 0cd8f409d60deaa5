"""The validated input rows (:class:`Table`) and the codes derived from them."""

from __future__ import annotations

import copy
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance import _kernels as kernels
from fractal_governance import columns as col
from fractal_governance.io.errors import Origin

__all__ = ["MemberRuns", "Table", "member_runs"]

IntArray = npt.NDArray[np.int64]
MemberRuns = tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.bool_]]
"""See :attr:`Table.member_runs`."""


class Table:
    """Validated input rows in the weekly layout plus where they came from (immutable).

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
    recorded_awards : fractal_governance.io.ordao.OrdaoAwards or None
        The awards of an ORDAO export (:mod:`.ordao`), every row of the file, when the
        rows came from one (the rows above are then its attendances); None otherwise.
        :meth:`take` does not keep them (a subset of rows is no longer the record).

    The codes and orders below are computed on first use, unless the loader that checked
    the rows computed them already and passed them to the constructor (the keyword
    arguments of the same names).
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        origin: Origin,
        level_column: str,
        *,
        members: tuple[IntArray, pd.Index] | None = None,
        member_first_rows: IntArray | None = None,
        teams: tuple[IntArray, pd.Index] | None = None,
        team_ids: IntArray | None = None,
        meetings: tuple[IntArray, IntArray] | None = None,
        member_meeting_order: npt.NDArray[np.intp] | None = None,
        member_row_counts: IntArray | None = None,
        member_runs: MemberRuns | None = None,
        recorded_awards: Any = None,
    ) -> None:
        self._frame = frame
        self._origin = origin
        self._level_column = level_column
        self._members = members
        self._member_first_rows = member_first_rows
        self._teams = teams
        self._team_ids = team_ids
        self._meetings = meetings
        self._member_meeting_order = member_meeting_order
        self._member_row_counts = member_row_counts
        self._member_runs = member_runs
        self._recorded_awards = recorded_awards

    @property
    def frame(self) -> pd.DataFrame:
        return self._frame

    @property
    def origin(self) -> Origin:
        return self._origin

    @property
    def level_column(self) -> str:
        return self._level_column

    @property
    def recorded_awards(self) -> Any:
        """The :class:`~fractal_governance.io.ordao.OrdaoAwards` the rows came from, or None
        (typed ``Any`` here: that module builds on this one)."""
        return self._recorded_awards

    @cached_property
    def members(self) -> tuple[IntArray, pd.Index]:
        """(code per row, MemberIDs in ascending order): ``MemberID`` factorized once."""
        if self._members is not None:
            return self._members
        codes, uniques = kernels.factorize_sorted(self.frame[col.MEMBER_ID])
        return codes, uniques.rename(col.MEMBER_ID)

    @cached_property
    def member_first_rows(self) -> IntArray:
        """Per member (in the order of ``members``), the first row where they appear."""
        if self._member_first_rows is not None:
            return self._member_first_rows
        codes, uniques = self.members
        first = np.full(len(uniques), len(codes), dtype=np.int64)
        present = codes >= 0
        np.minimum.at(first, codes[present], np.flatnonzero(present))
        return first

    @cached_property
    def teams(self) -> tuple[IntArray, pd.Index]:
        """(code per row, TeamNames ascending; -1 for no team): ``TeamName`` factorized."""
        if self._teams is not None:
            return self._teams
        if col.TEAM_NAME not in self.frame.columns:
            return np.full(len(self.frame), -1, dtype=np.int64), pd.Index([], dtype="str")
        return kernels.factorize_sorted(self.frame[col.TEAM_NAME])

    @cached_property
    def team_ids(self) -> IntArray | None:
        """``TeamID`` as int64 with -1 where empty, or None without that column."""
        if self._team_ids is not None:
            return self._team_ids
        if col.TEAM_ID not in self.frame.columns:
            return None
        return self.frame[col.TEAM_ID].to_numpy(dtype=np.int64, na_value=-1)

    @cached_property
    def meetings(self) -> tuple[IntArray, IntArray]:
        """(code per row, MeetingIDs ascending): ``MeetingID`` numbered densely."""
        if self._meetings is not None:
            return self._meetings
        return kernels.dense_codes(self.frame[col.MEETING_ID].to_numpy(dtype=np.int64))

    @cached_property
    def member_meeting_order(self) -> npt.NDArray[np.intp]:
        """Row order sorted by MemberID, then MeetingID (stable, so rounds keep file order)."""
        if self._member_meeting_order is not None:
            return self._member_meeting_order
        return kernels.sort_order([self.members[0], self.meetings[0]])

    @cached_property
    def member_row_counts(self) -> IntArray:
        """Rows per member (in the order of ``members``)."""
        if self._member_row_counts is not None:
            return self._member_row_counts
        codes, uniques = self.members
        return np.bincount(codes, minlength=len(uniques)).astype(np.int64)

    @cached_property
    def member_run_starts(self) -> IntArray:
        """Where each member's run of rows starts in ``member_meeting_order`` (members in
        code order; every member has a run)."""
        counts = self.member_row_counts
        return np.cumsum(counts) - counts

    @cached_property
    def member_runs(self) -> MemberRuns:
        """In ``member_meeting_order``: each row's meeting code, and where each member's
        run of rows starts (as a mask)."""
        if self._member_runs is not None:
            return self._member_runs
        return member_runs(self.meetings, self.member_meeting_order, self.member_row_counts)

    @property
    def has_rounds(self) -> bool:
        return col.ROUND in self.frame.columns

    @property
    def source(self) -> str:
        return self.origin.source

    def with_origin(self, origin: Origin) -> Table:
        """The same rows (and what was computed from them) named by ``origin``."""
        changed = copy.copy(self)
        changed._origin = origin
        return changed

    def take(self, positions: npt.ArrayLike) -> Table:
        """The rows at ``positions`` (or a boolean mask), keeping their origin."""
        index = np.asarray(positions)
        if index.dtype == np.bool_:
            index = np.flatnonzero(index)
        frame = self.frame.take(index).reset_index(drop=True)
        return Table(frame, self.origin.take(index), self.level_column)

    def __repr__(self) -> str:
        return f"Table({self.source!r}, {len(self.frame)} rows, level {self.level_column!r})"


def member_runs(
    meetings: tuple[IntArray, IntArray],
    order: npt.NDArray[np.intp],
    counts: IntArray,
) -> MemberRuns:
    """See :attr:`Table.member_runs`: the meeting codes of the rows in ``order`` (sorted by
    member, then meeting) and where each member's run starts, given rows per member."""
    starts = np.zeros(len(order), dtype=np.bool_)
    starts[np.cumsum(counts) - counts] = True
    return kernels.narrow(meetings[0], len(meetings[1]))[order], starts
