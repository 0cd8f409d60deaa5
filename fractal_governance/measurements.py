"""Measurements: what the meetings measured, before any rule turns levels into Respect.

A :class:`Measurements` holds the validated rows of any reader as arrays: who attended which
meeting (numbered chronologically), in which round and group, at which level (or none), and
in which team. Attendance, group and level statistics come from here; Respect does not (see
:mod:`fractal_governance.ledger` and :mod:`fractal_governance.policies`).

Rounds: a member's level for a meeting is the level of the last round in which they got one;
a member whose level is empty in every round attended without a level. The row that decides
a member's meeting is their *attendance*; the ``att_*`` arrays hold one entry per attendance.
"""

from __future__ import annotations

import datetime
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance import _kernels as kernels
from fractal_governance import columns as col
from fractal_governance.io import DatasetError, Table, take_rows
from fractal_governance.util import MeetingCalendar

__all__ = ["Measurements", "level_statistics"]

IntArray = npt.NDArray[np.int64]

_LAST_DATE = datetime.date(9999, 12, 31)


def level_statistics(
    count: npt.NDArray[Any], total: npt.NDArray[Any], squares: npt.NDArray[Any]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Mean and sample standard deviation from counts, sums and sums of squares (exact ints)."""
    n = count.astype(np.int64)
    s = total.astype(np.int64)
    q = squares.astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, s / np.maximum(n, 1), np.nan)
        spread = (n * q - s * s).astype(np.float64)  # n^2 * population variance, exact
        variance = spread / (n * (n - 1)).astype(np.float64)
        sd = np.where(n > 1, np.sqrt(np.maximum(variance, 0.0)), np.nan)
    return mean.astype(np.float64), sd.astype(np.float64)


class Measurements:
    """The validated rows as arrays, with the attendance tables that need no Respect.

    Parameters
    ----------
    table : Table
        Rows from a reader (:mod:`fractal_governance.io`).
    calendar : MeetingCalendar or None
        Dates of meetings by ID when the rows carry no ``MeetingDate``; None leaves such
        dates unknown (NaT).
    returning : bool array, optional
        Per member of ``table`` (in MemberID order): attended before these rows' first
        meeting (a meeting window). Such members are never new.
    member_attributes : DataFrame, optional
        Per-member facts indexed by ``MemberID`` (e.g. ``SignatureOnFile``) that
        eligibility rules read.
    extra_members : Index, optional
        MemberIDs that attend none of these rows but hold awards in their meetings (a
        window of a record where rolling policies pay absent members). Default: for the
        table of an ORDAO export, the members its awards name (``Table.recorded_awards``).
    """

    def __init__(
        self,
        table: Table,
        calendar: MeetingCalendar | None,
        *,
        returning: npt.NDArray[np.bool_] | None = None,
        member_attributes: pd.DataFrame | None = None,
        extra_members: pd.Index | None = None,
        known_names: pd.Series | None = None,
    ) -> None:
        self.table = table
        self.calendar = calendar
        self.known_names = known_names
        self.member_attributes = (
            member_attributes if member_attributes is not None else pd.DataFrame()
        )
        frame = table.frame
        n = len(frame)

        # Meetings: dense codes in ID order, dates, chronological order (date, then ID).
        meeting_codes, meeting_ids = table.meetings
        if col.MEETING_DATE in frame.columns:
            first_rows = np.full(len(meeting_ids), n, dtype=np.int64)
            np.minimum.at(first_rows, meeting_codes, np.arange(n, dtype=np.int64))
            dates = frame[col.MEETING_DATE].to_numpy(dtype="datetime64[us]")[first_rows]
        elif calendar is not None:
            dates = self._calendar_dates(meeting_ids, meeting_codes)
        else:
            dates = np.full(len(meeting_ids), np.datetime64("NaT"), dtype="datetime64[us]")
        chronological = np.lexsort((meeting_ids, dates))
        in_id_order = bool((chronological == np.arange(len(meeting_ids))).all())
        rank_of_code = np.empty(len(meeting_ids), dtype=np.int64)
        rank_of_code[chronological] = np.arange(len(meeting_ids))
        self.dates_known = bool(not np.isnat(dates).any())
        self.meeting_ids_chronological: IntArray = meeting_ids[chronological]
        self.meeting_dates_chronological = dates[chronological]
        self.meeting_dates_by_code = dates
        # per chronological meeting, the code of its date among the distinct dates (an
        # unknown date is one value of its own)
        date_codes, distinct_dates = pd.factorize(
            self.meeting_dates_chronological, sort=True, use_na_sentinel=False
        )
        self.date_codes: tuple[IntArray, pd.DatetimeIndex] = (
            date_codes.astype(np.int64),
            pd.DatetimeIndex(distinct_dates, name=col.MEETING_DATE),
        )
        self.row_meeting_order: IntArray = (
            meeting_codes if in_id_order else rank_of_code[meeting_codes]
        )

        # Members: codes in MemberID order.
        if extra_members is None and table.recorded_awards is not None:
            extra_members = table.recorded_awards.active_member_ids
        self.row_member: IntArray = table.members[0]
        self.member_ids: pd.Index = table.members[1]
        remapped = extra_members is not None and len(extra_members.difference(self.member_ids))
        if remapped:
            assert extra_members is not None
            attending = self.member_ids
            self.member_ids = attending.union(extra_members).astype(attending.dtype)
            self.row_member = self.member_ids.get_indexer(attending)[self.row_member]
            if returning is not None:
                widened = np.ones(len(self.member_ids), dtype=np.bool_)
                widened[self.member_ids.get_indexer(attending)] = returning
                returning = widened
        self.returning = returning

        # Levels and the row that decides each member's level in each meeting: the last
        # round with a level, else the last round.
        level_series = frame[table.level_column]
        level = level_series.to_numpy(dtype=np.int64, na_value=0)
        has_level = level_series.notna().to_numpy()
        self.row_level: IntArray = level
        self.row_has_level: npt.NDArray[np.bool_] = has_level
        deciding: IntArray | None = None
        if table.has_rounds:
            key = meeting_codes.astype(np.int64) * len(self.member_ids) + self.row_member
            order = np.lexsort((frame[col.ROUND].to_numpy(dtype=np.int64), has_level, key))
            sorted_key = key[order]
            last = np.ones(n, dtype=np.bool_)
            last[:-1] = sorted_key[1:] != sorted_key[:-1]
            deciding = np.sort(order[last])
        self.deciding_rows: IntArray | None = deciding
        """Row of each attendance, or None when every row is one attendance."""

        # One entry per member per meeting ("attendance"), in input order, and the order
        # that sorts it by member, then chronologically.
        if deciding is None:
            self.att_order: IntArray = self.row_meeting_order
            self.att_member: IntArray = self.row_member
            self.att_level: IntArray = level
            self.att_has_level: npt.NDArray[np.bool_] = has_level
            self.pair_order = (
                table.member_meeting_order
                if in_id_order and not remapped
                else kernels.sort_order([self.row_member, self.row_meeting_order])
            )
        else:
            self.att_order = self.row_meeting_order[deciding]
            self.att_member = self.row_member[deciding]
            self.att_level = level[deciding]
            self.att_has_level = has_level[deciding]
            self.pair_order = kernels.sort_order([self.att_member, self.att_order])
        team_codes, team_names = table.teams
        if deciding is not None:
            # only the teams named on deciding rows, renumbered densely (order kept)
            team_codes = team_codes[deciding]
            used = np.bincount(team_codes[team_codes >= 0], minlength=len(team_names)) > 0
            if not used.all():
                renumber = np.cumsum(used, dtype=np.int64) - 1
                team_codes = np.where(team_codes >= 0, renumber[team_codes], -1)
                team_names = team_names[used]
        self.att_team: IntArray = team_codes
        self.team_names = pd.Index(team_names, dtype="str", name=col.TEAM_NAME)

    # -- construction helpers ----------------------------------------------------------

    def _calendar_dates(
        self, meeting_ids: IntArray, meeting_codes: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.datetime64]:
        """Meeting dates from the calendar; DatasetError naming rows it cannot place."""
        table = self.table
        calendar = self.calendar
        assert calendar is not None
        try:
            ordered = np.sort(meeting_ids)
            # exact integer check first: numpy's datetime arithmetic wraps around silently
            last_slot = int(ordered[-1]) - 1 + len(calendar.skipped)
            if last_slot * calendar.cadence_days > (_LAST_DATE - calendar.start).days:
                raise OverflowError("the date would be after the year 9999")
            placed = np.asarray(calendar.timestamps(ordered), dtype="datetime64[us]")
            if len(placed) > 1 and not (np.diff(placed) > np.timedelta64(0, "us")).all():
                raise OverflowError("meeting dates overflow the calendar")
        except (ValueError, OverflowError, ArithmeticError) as error:
            largest = int(meeting_ids.max())
            rows = np.flatnonzero(meeting_ids[meeting_codes] == largest)
            raise DatasetError(
                f"{table.source}: column 'MeetingID': the calendar ({calendar}) cannot "
                f"place meeting {largest} ({error}); {table.origin.rows_text(rows)}"
            ) from None
        return placed[np.searchsorted(ordered, meeting_ids)]

    # -- sizes and lookups ---------------------------------------------------------------

    @property
    def meeting_count(self) -> int:
        return len(self.meeting_ids_chronological)

    @property
    def member_count(self) -> int:
        return len(self.member_ids)

    @property
    def attendance_count(self) -> int:
        return len(self.att_member)

    @property
    def level_column(self) -> str:
        """What the input calls the level: ``"Rank"`` or ``"Level"``."""
        return self.table.level_column

    @cached_property
    def meeting_number_of_id(self) -> pd.Series:
        """Chronological number of each meeting, indexed by MeetingID."""
        return pd.Series(
            np.arange(self.meeting_count, dtype=np.int64), index=self.meeting_ids_chronological
        )

    @cached_property
    def row_attendance(self) -> IntArray:
        """Per row, its attendance's index (rows of undecided rounds: -1)."""
        if self.deciding_rows is None:
            return np.arange(len(self.row_member), dtype=np.int64)
        out = np.full(len(self.row_member), -1, dtype=np.int64)
        out[self.deciding_rows] = np.arange(len(self.deciding_rows), dtype=np.int64)
        return out

    # -- attendance --------------------------------------------------------------------

    @cached_property
    def member_attendance(self) -> IntArray:
        """Meetings attended per member."""
        if self.att_member is self.table.members[0]:  # one row per attendance
            return self.table.member_row_counts
        return np.bincount(self.att_member, minlength=self.member_count).astype(np.int64)

    @cached_property
    def member_run_bounds(self) -> IntArray:
        """Where each member's run of attendances starts in ``pair_order`` (and the end)."""
        bounds = np.zeros(self.member_count + 1, dtype=np.int64)
        np.cumsum(self.member_attendance, out=bounds[1:])
        return bounds

    @cached_property
    def meeting_row_bounds(self) -> IntArray | None:
        """Where each meeting's rows start (by meeting ID; and the end) when the rows are
        listed meeting by meeting, else None."""
        codes, ids = self.table.meetings
        if len(codes) and not bool((codes[1:] >= codes[:-1]).all()):
            return None
        return np.searchsorted(codes, np.arange(len(ids) + 1)).astype(np.int64)

    @cached_property
    def pairs(self) -> dict[str, npt.NDArray[Any]]:
        """Attendance sorted by member, then chronologically: chronological meeting number
        and where each member's run starts (runs in MemberID order; a member who attended
        nothing here has none)."""
        order = self.pair_order
        if order is self.table.member_meeting_order and self.att_order is self.table.meetings[0]:
            meeting, starts = self.table.member_runs  # shared with the duplicate check
        else:
            attended = self.member_attendance
            starts = np.zeros(len(order), dtype=np.bool_)
            starts[(np.cumsum(attended) - attended)[attended > 0]] = True
            meeting = self.att_order[order]
        return {"meeting": meeting, "starts": starts}

    @cached_property
    def member_first_meeting(self) -> IntArray:
        """Chronological number of each member's first meeting here; -1 for members who
        attended before these meetings (``returning``)."""
        pairs = self.pairs
        first: IntArray = pairs["meeting"][pairs["starts"]].astype(np.int64)
        if not self.every_member_attended:
            widened = np.full(self.member_count, -1, dtype=np.int64)
            widened[self.member_attendance > 0] = first
            first = widened
        if self.returning is not None and self.returning.any():
            first = np.where(self.returning, -1, first)
        return first

    @cached_property
    def every_member_attended(self) -> bool:
        """Whether every member has at least one attendance here."""
        return len(self.member_ids) == 0 or bool(self.member_attendance.min() > 0)

    @cached_property
    def meeting_attendance(self) -> IntArray:
        """Attendees per chronological meeting."""
        order = self.att_order
        k = self.meeting_count
        if len(order) and bool((order[1:] >= order[:-1]).all()):
            return np.diff(np.searchsorted(order, np.arange(k + 1))).astype(np.int64)
        return np.bincount(order, minlength=k).astype(np.int64)

    @cached_property
    def meeting_new(self) -> IntArray:
        """New members per chronological meeting (their first meeting, by date)."""
        first = self.member_first_meeting
        return np.bincount(first[first >= 0], minlength=self.meeting_count).astype(np.int64)

    # -- levels ------------------------------------------------------------------------

    @cached_property
    def level_width(self) -> int:
        """One more than the highest level (levels index the columns of level counts)."""
        return int(self.att_level.max(initial=0)) + 1

    def level_counts(self, codes: IntArray, size: int) -> npt.NDArray[np.int64] | None:
        """A (code x level) table of attendance counts (column 0: no level), or None when
        it would be much larger than the attendance itself.

        Sums of levels, of their squares and of any Respect that depends on the level alone
        follow from this one count, without summing weights row by row.
        """
        width = self.level_width
        if not kernels.table_is_small(size * width, len(codes)):
            return None
        key = codes * width
        key += self.att_level
        return np.bincount(key, minlength=size * width).reshape(size, width)

    @cached_property
    def member_level_counts(self) -> npt.NDArray[np.int64] | None:
        """``level_counts`` per member (or None when too large)."""
        return self.level_counts(self.att_member, self.member_count)

    @cached_property
    def member_level_sums(self) -> dict[str, IntArray]:
        """Per member: meetings attended, levels received, sums of levels and squares."""
        counts = self.member_level_counts
        if counts is not None:
            levels = np.arange(counts.shape[1], dtype=np.int64)
            attendance = counts @ np.ones(counts.shape[1], dtype=np.int64)
            return {
                "attendance": attendance,
                "ranked": attendance - counts[:, 0],
                "rank": counts @ levels,
                "squares": counts @ (levels * levels),
            }
        member = self.att_member
        m = self.member_count
        level = self.att_level
        attendance = np.bincount(member, minlength=m).astype(np.int64)
        return {
            "attendance": attendance,
            "ranked": (
                attendance
                if self.att_has_level.all()
                else np.bincount(member[self.att_has_level], minlength=m).astype(np.int64)
            ),
            "rank": kernels.group_sum(member, level, m),
            "squares": kernels.group_sum(member, level * level, m),
        }

    @cached_property
    def rank_by_attendance_count(self) -> pd.DataFrame:
        """Per distinct attendance count: mean and sample standard deviation of all levels
        received by the members with that count, pooled."""
        sums = self.member_level_sums
        counts, inverse = np.unique(sums["attendance"], return_inverse=True)
        k = len(counts)
        n = kernels.group_sum(inverse, sums["ranked"], k)
        total = kernels.group_sum(inverse, sums["rank"], k)
        squares = kernels.group_sum(inverse, sums["squares"], k)
        mean, sd = level_statistics(n, total, squares)
        return pd.DataFrame(
            {
                col.ATTENDANCE_COUNT: counts.astype(np.int64),
                col.MEAN: mean,
                col.STANDARD_DEVIATION: sd,
            }
        )

    @cached_property
    def member_names(self) -> pd.Series:
        """The first name each member appears with (in input order); NaN if none."""
        frame = self.table.frame
        m = self.member_count
        awards = self.table.recorded_awards
        if awards is not None:  # one name per member, also for those who hold awards only
            by_member = pd.Series(awards.names, index=awards.member_ids, dtype="str")
            return by_member.reindex(self.member_ids)
        if col.NAME not in frame.columns:
            return pd.Series(np.nan, index=self.member_ids, dtype="str")
        names = frame[col.NAME]
        named = names.notna().to_numpy()
        if named.all() and len(self.table.members[1]) == m:  # (else extra members: below)
            first = self.table.member_first_rows
        else:
            rows = np.flatnonzero(named)
            first = np.full(m, len(frame), dtype=np.int64)
            np.minimum.at(first, self.row_member[rows], rows)
        has = first < len(frame)
        taken = take_rows(names, np.where(has, first, 0)).array  # text stays Arrow text
        series = pd.Series(taken, index=self.member_ids, copy=False)
        if has.all():
            return series
        series = series.mask(~has)
        if self.known_names is not None:  # members without a named row in a window
            series = series.fillna(self.known_names.reindex(self.member_ids))
        return series

    # -- teams -------------------------------------------------------------------------

    @cached_property
    def meeting_members_with_team(self) -> IntArray:
        """Attendees with a team per chronological meeting."""
        meeting = self.att_order[self.att_team >= 0]
        return np.bincount(meeting, minlength=self.meeting_count).astype(np.int64)

    @cached_property
    def team_representation(self) -> pd.Series:
        """Per meeting date: attendees with a team / all attendees (NaN if nobody has one)."""
        date_code, dates = self.date_codes
        attendees = np.bincount(date_code, weights=self.meeting_attendance, minlength=len(dates))
        with_team = np.bincount(
            date_code, weights=self.meeting_members_with_team, minlength=len(dates)
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(with_team > 0, with_team / attendees, np.nan)
        return pd.Series(share, index=dates, name=col.TEAM_REPRESENTATION)

    # -- windows -----------------------------------------------------------------------

    def window(
        self, first: int, last: int, extra_members: pd.Index | None = None
    ) -> Measurements | None:
        """The measurements of meetings ``first <= MeetingID <= last``, remembering which
        members attended before them (they are returning, not new); None if none.
        ``extra_members``: members to keep although they attend none of these meetings."""
        ids = self.table.frame[col.MEETING_ID].to_numpy(dtype=np.int64)
        keep = (ids >= first) & (ids <= last)
        if not keep.any():
            return None
        table = self.table.take(np.flatnonzero(keep))
        # A member of the window is returning when their first meeting in the whole record
        # is not one of the window's meetings (it came before their first one here, by
        # date, even where dates and MeetingIDs are not in the same order).
        full_first = self.member_first_meeting  # -1 where returning already
        where = self.member_ids.get_indexer(table.members[1])
        returning = ~np.isin(full_first[where], self.meeting_numbers(first, last))
        return Measurements(
            table,
            self.calendar,
            returning=returning,
            member_attributes=self.member_attributes,
            extra_members=extra_members,
            known_names=self.member_names,
        )

    def meeting_numbers(self, first: int, last: int) -> IntArray:
        """Chronological numbers of the meetings with ``first <= MeetingID <= last``."""
        ids = self.meeting_ids_chronological
        return np.flatnonzero((ids >= first) & (ids <= last)).astype(np.int64)

    def build_attendance_tables(self) -> None:
        """Compute (and cache) the tables that need no Respect now (e.g. on a worker thread
        while a policy makes the ledger)."""
        self.member_level_sums  # noqa: B018
        self.rank_by_attendance_count  # noqa: B018
        self.member_names  # noqa: B018
        self.meeting_new  # noqa: B018
        self.team_representation  # noqa: B018
        self.meeting_row_bounds  # noqa: B018
        self.member_run_bounds  # noqa: B018
        self.pairs  # noqa: B018 (first attendances: the Gini and the new members read them)
