"""The ``Dataset``: one fractal's consensus records and every table derived from them.

Notebooks, plots, the dashboard and the CLI all read a :class:`Dataset`. Its attribute
names and meanings are those of the original API, so existing notebooks keep working:

* ``df``: the input rows plus ``MeetingDate`` and ``Respect``;
* member tables (``df_member_summary_stats_by_member_id``, ``df_member_leader_board``, ...),
  team tables, new-versus-returning tables, totals and :class:`Statistics`;
* fairness: ``respect_distribution``, ``df_gini_by_meeting``, ``df_lorenz_curve``;
* ``quality_report``: anomalies that are reported, not rejected.

All derived tables are computed once, on first use, with vectorized NumPy/pandas code
(no Python loop over rows, members or meetings), and are handed out as shallow copies:
under pandas' copy-on-write, changing a returned table never changes the dataset.

Rounds: a member's level for a meeting is the level of the last round in which they got
one; a member whose level is empty in every round attended without a level, counts as an
attendee and earns no Respect. In ``df`` the Respect of a member's meeting sits on that
deciding row (other rounds' rows show 0), so ``df["Respect"].sum()`` is the members' total.
"""

from __future__ import annotations

import datetime
import operator
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance import columns as col
from fractal_governance import fairness, quality
from fractal_governance.io import (
    DatasetError,
    Table,
    cell_problem,
    dense_codes,
    read_dataframe,
    read_directory,
    read_normalized,
    read_weekly_csv,
    sort_order,
    take_rows,
)
from fractal_governance.math import GENESIS, RespectSchedule
from fractal_governance.quality import DataQualityWarning, QualityReport
from fractal_governance.statistics import Statistics
from fractal_governance.util import GENESIS_CALENDAR, MeetingCalendar

__all__ = ["Dataset", "DatasetError", "Statistics"]

PathLike = str | os.PathLike[str]
IntArray = npt.NDArray[np.int64]

_EXACT_FLOAT_SUM = 2**53
_LAST_DATE = datetime.date(9999, 12, 31)


def _group_sum(codes: IntArray, values: IntArray, size: int) -> IntArray:
    """Exact per-code sums of int64 values (``bincount`` when float64 sums are exact)."""
    if not len(values):
        return np.zeros(size, dtype=np.int64)
    if int(np.abs(values).max()) * len(values) < _EXACT_FLOAT_SUM:
        return np.bincount(codes, weights=values, minlength=size).astype(np.int64)
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, codes, values)
    return out


def _sample_statistics(
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


class _Core:
    """The validated rows and everything derived from them (lazily, once)."""

    def __init__(
        self,
        table: Table,
        schedule: RespectSchedule,
        calendar: MeetingCalendar,
        quality_check: Callable[[], QualityReport],
    ) -> None:
        self.table = table
        self._quality_check = quality_check  # returns the report (maybe from a worker thread)
        self.schedule = schedule
        self.calendar = calendar
        frame = table.frame
        level_column = table.level_column
        n = len(frame)

        # Meetings: dense codes in ID order, dates, chronological order (date, then ID).
        meeting_codes, meeting_ids = table.meetings
        if col.MEETING_DATE in frame.columns:
            first_rows = np.full(len(meeting_ids), n, dtype=np.int64)
            np.minimum.at(first_rows, meeting_codes, np.arange(n, dtype=np.int64))
            dates = frame[col.MEETING_DATE].to_numpy(dtype="datetime64[us]")[first_rows]
        else:
            dates = self._calendar_dates(meeting_ids, meeting_codes)
        chronological = np.lexsort((meeting_ids, dates))
        in_id_order = bool((chronological == np.arange(len(meeting_ids))).all())
        rank_of_code = np.empty(len(meeting_ids), dtype=np.int64)
        rank_of_code[chronological] = np.arange(len(meeting_ids))
        self.meeting_ids_chronological: IntArray = meeting_ids[chronological]
        self.meeting_dates_chronological = dates[chronological]
        # per chronological meeting, the code of its date among the distinct dates
        date_codes, distinct_dates = pd.factorize(self.meeting_dates_chronological, sort=True)
        self.date_codes: tuple[IntArray, pd.DatetimeIndex] = (
            date_codes.astype(np.int64),
            pd.DatetimeIndex(distinct_dates, name=col.MEETING_DATE),
        )
        self.row_meeting_order: IntArray = (
            meeting_codes if in_id_order else rank_of_code[meeting_codes]
        )

        # Members: codes in MemberID order.
        self.row_member: IntArray = table.members[0]
        self.member_ids: pd.Index = table.members[1]

        # Levels and the row that decides each member's level in each meeting: the last
        # round with a level, else the last round.
        level_series = frame[level_column]
        level = level_series.to_numpy(dtype=np.int64, na_value=0)
        has_level = level_series.notna().to_numpy()
        deciding: IntArray | None = None
        if table.has_rounds:
            key = meeting_codes.astype(np.int64) * len(self.member_ids) + self.row_member
            order = np.lexsort((frame[col.ROUND].to_numpy(dtype=np.int64), has_level, key))
            sorted_key = key[order]
            last = np.ones(n, dtype=np.bool_)
            last[:-1] = sorted_key[1:] != sorted_key[:-1]
            deciding = np.sort(order[last])

        respect = self._respect(level, has_level, level_column)
        if deciding is not None:
            decides = np.zeros(n, dtype=np.bool_)
            decides[deciding] = True
            respect = np.where(decides, respect, 0)

        self.meeting_dates_by_code = dates
        self.row_respect: IntArray = respect

        # One row per member per meeting ("attendance"), in input order, and the order that
        # sorts it by member, then chronologically.
        if deciding is None:
            self.att_order: IntArray = self.row_meeting_order
            self.att_member: IntArray = self.row_member
            self.att_level: IntArray = level
            self.att_has_level: npt.NDArray[np.bool_] = has_level
            self.att_respect: IntArray = respect
            self.pair_order = (
                table.member_meeting_order
                if in_id_order
                else sort_order([self.row_member, self.row_meeting_order])
            )
        else:
            self.att_order = self.row_meeting_order[deciding]
            self.att_member = self.row_member[deciding]
            self.att_level = level[deciding]
            self.att_has_level = has_level[deciding]
            self.att_respect = respect[deciding]
            self.pair_order = sort_order([self.att_member, self.att_order])
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

    @cached_property
    def df(self) -> pd.DataFrame:
        """A shallow copy of the input plus two columns (no copy of the input columns)."""
        table = self.table
        frame = table.frame
        columns: dict[str, Any] = {name: frame[name] for name in frame.columns}
        if col.MEETING_DATE not in columns:
            columns[col.MEETING_DATE] = self.meeting_dates_by_code[table.meetings[0]]
        columns[col.RESPECT] = self.row_respect
        # copy=False: the new columns are not copied again (df is only handed out as
        # shallow copies, so copy-on-write keeps it unchanged)
        return pd.DataFrame(columns, index=frame.index, copy=False)

    # -- construction helpers ----------------------------------------------------------

    def _calendar_dates(
        self, meeting_ids: IntArray, meeting_codes: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.datetime64]:
        """Meeting dates from the calendar; DatasetError naming rows it cannot place."""
        table = self.table
        calendar = self.calendar
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

    def _respect(
        self, level: IntArray, has_level: npt.NDArray[np.bool_], level_column: str
    ) -> IntArray:
        """Respect per row from the schedule; DatasetError naming rows it does not support."""
        # missing levels are 0 in ``level``; 0 earns nothing
        top = int(level.max(initial=0))
        if top == 0:
            self.level_respect = np.zeros(1, dtype=np.int64)
            return np.zeros(len(level), dtype=np.int64)
        # Every level up to the highest usually has a Respect value: then no level needs
        # looking up (levels that do not occur just have no rows).
        used = np.arange(1, top + 1, dtype=np.int64)
        try:
            values = self.schedule.respect_array(used)
        except ValueError:  # some level has none: look at the levels that occur
            counts = np.bincount(level)
            counts[0] = 0
            used = np.flatnonzero(counts)
            values = self._supported_respect(used, level, has_level, level_column)
        lookup = np.zeros(int(used.max()) + 1, dtype=np.int64)
        lookup[used] = values
        self.level_respect = lookup
        respect: IntArray = lookup[level]
        return respect

    def _supported_respect(
        self, used: IntArray, level: IntArray, has_level: npt.NDArray[np.bool_], level_column: str
    ) -> IntArray:
        """Respect of the levels that occur; DatasetError naming rows with unsupported ones."""
        try:
            return self.schedule.respect_array(used)
        except ValueError:
            unsupported = []
            for value in used:
                try:
                    self.schedule.respect_array(np.array([value]))
                except ValueError:
                    unsupported.append(int(value))
            rows = np.flatnonzero(has_level & np.isin(level, unsupported))
            raise DatasetError(
                cell_problem(
                    self.table.origin,
                    level_column,
                    rows,
                    self.table.frame[level_column],
                    f"has levels the {self.schedule.name} Respect schedule does not support "
                    f"({', '.join(str(v) for v in unsupported)})",
                )
            ) from None

    # -- sizes -------------------------------------------------------------------------

    @property
    def meeting_count(self) -> int:
        return len(self.meeting_ids_chronological)

    @property
    def member_count(self) -> int:
        return len(self.member_ids)

    # -- members -----------------------------------------------------------------------

    def _level_counts(self, codes: IntArray, size: int) -> npt.NDArray[np.int64] | None:
        """A (code x level) table of attendance counts (column 0: no level), or None when
        it would be much larger than the attendance itself.

        Respect depends on the level alone, so sums of levels, of their squares and of
        Respect per code follow from this one count, without summing weights row by row.
        """
        width = len(self.level_respect)
        n = len(codes)
        if size * width > 4 * n + 4096:
            return None
        key = codes * width
        key += self.att_level
        counts = np.bincount(key, minlength=size * width)
        return counts.reshape(size, width)

    def _sums_by_level(self, counts: npt.NDArray[np.int64]) -> dict[str, IntArray]:
        """Attendance, ranks given, sums of levels, squares and Respect per table row."""
        levels = np.arange(counts.shape[1], dtype=np.int64)
        attendance = counts @ np.ones(counts.shape[1], dtype=np.int64)  # faster than sum(axis=1)
        return {
            "attendance": attendance,
            "ranked": attendance - counts[:, 0],
            "rank": counts @ levels,
            "squares": counts @ (levels * levels),
            "respect": counts @ self.level_respect,
        }

    @cached_property
    def member_sums(self) -> dict[str, IntArray]:
        """Per member: meetings attended, ranks given, sums of ranks, squares and Respect."""
        member = self.att_member
        m = self.member_count
        counts = self._level_counts(member, m)
        if counts is not None:
            return self._sums_by_level(counts)
        level = self.att_level
        attendance = np.bincount(member, minlength=m).astype(np.int64)
        return {
            "attendance": attendance,
            "ranked": (
                attendance
                if self.att_has_level.all()
                else np.bincount(member[self.att_has_level], minlength=m).astype(np.int64)
            ),
            "rank": _group_sum(member, level, m),
            "squares": _group_sum(member, level * level, m),
            "respect": _group_sum(member, self.att_respect, m),
        }

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
        """Attendance sorted by member, then chronologically: meeting number, Respect, and
        where each member's run starts (every member has one, in MemberID order)."""
        order = self.pair_order
        if order is self.table.member_meeting_order and self.att_order is self.table.meetings[0]:
            meeting, starts = self.table.member_runs  # shared with the duplicate check
        else:
            # every member has a run; runs are in member order, so their starts follow
            # from the number of meetings each member attended
            attended = self.member_attendance
            starts = np.zeros(len(order), dtype=np.bool_)
            starts[np.cumsum(attended) - attended] = True
            meeting = self.att_order[order]
        return {
            "meeting": meeting,
            "respect": self.att_respect.take(order),  # (take: faster than indexing)
            "starts": starts,
        }

    @cached_property
    def member_first_meeting(self) -> IntArray:
        """Chronological number of each member's first meeting."""
        pairs = self.pairs
        first: IntArray = pairs["meeting"][pairs["starts"]]
        return first

    @cached_property
    def member_summary(self) -> pd.DataFrame:
        sums = self.member_sums
        mean, sd = _sample_statistics(sums["ranked"], sums["rank"], sums["squares"])
        return pd.DataFrame(
            {
                col.ATTENDANCE_COUNT: sums["attendance"],
                col.ACCUMULATED_RANK: sums["rank"],
                col.ACCUMULATED_RESPECT: sums["respect"],
                col.MEAN: mean,
                col.STANDARD_DEVIATION: sd,
            },
            index=self.member_ids,
        )

    @cached_property
    def rank_by_attendance_count(self) -> pd.DataFrame:
        sums = self.member_sums
        counts, inverse = np.unique(sums["attendance"], return_inverse=True)
        k = len(counts)
        n = _group_sum(inverse, sums["ranked"], k)
        total = _group_sum(inverse, sums["rank"], k)
        squares = _group_sum(inverse, sums["squares"], k)
        mean, sd = _sample_statistics(n, total, squares)
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
        if col.NAME not in frame.columns:
            return pd.Series(np.nan, index=self.member_ids, dtype="str")
        names = frame[col.NAME]
        named = names.notna().to_numpy()
        if named.all():
            first = self.table.member_first_rows
        else:
            rows = np.flatnonzero(named)
            first = np.full(m, len(frame), dtype=np.int64)
            np.minimum.at(first, self.row_member[rows], rows)
        has = first < len(frame)
        taken = take_rows(names, np.where(has, first, 0)).array  # text stays Arrow text
        series = pd.Series(taken, index=self.member_ids, copy=False)
        return series if has.all() else series.mask(~has)

    @cached_property
    def leader_board(self) -> pd.DataFrame:
        sums = self.member_sums
        order = np.lexsort((np.arange(self.member_count), -sums["attendance"], -sums["rank"]))
        board = pd.DataFrame(
            {
                # the text columns are taken as Arrow text (no round trip through objects)
                col.MEMBER_ID: self.member_ids.array.take(order),
                col.NAME: self.member_names.array.take(order),
                col.ACCUMULATED_RANK: sums["rank"][order],
                col.ACCUMULATED_RESPECT: sums["respect"][order],
                col.ATTENDANCE_COUNT: sums["attendance"][order],
            },
            index=pd.RangeIndex(1, self.member_count + 1),
        )
        return board

    # -- meetings ----------------------------------------------------------------------

    @cached_property
    def meeting_sums(self) -> dict[str, IntArray]:
        k = self.meeting_count
        pairs = self.pairs
        first_meeting = pairs["meeting"][pairs["starts"]]  # one entry per member
        order = self.att_order
        if len(order) and bool((order[1:] >= order[:-1]).all()):
            # rows listed meeting by meeting: each meeting is one run of rows (every meeting
            # has one), summed where it lies
            bounds = np.searchsorted(order, np.arange(k + 1))
            attendance = np.diff(bounds).astype(np.int64)
            respect = np.add.reduceat(self.att_respect, bounds[:-1]).astype(np.int64)
        elif (counts := self._level_counts(order, k)) is not None:
            by_level = self._sums_by_level(counts)
            attendance, respect = by_level["attendance"], by_level["respect"]
        else:
            attendance = np.bincount(self.att_order, minlength=k).astype(np.int64)
            respect = _group_sum(self.att_order, self.att_respect, k)
        return {
            "attendance": attendance,
            "new": np.bincount(first_meeting, minlength=k).astype(np.int64),
            "respect": respect,
            "respect_new": _group_sum(first_meeting, pairs["respect"][pairs["starts"]], k),
        }

    @cached_property
    def attendance_new_and_returning(self) -> pd.DataFrame:
        sums = self.meeting_sums
        return pd.DataFrame(
            {
                col.MEETING_DATE: self.meeting_dates_chronological,
                col.MEETING_ID: self.meeting_ids_chronological,
                col.NEW_MEMBER_COUNT: sums["new"],
                col.RETURNING_MEMBER_COUNT: sums["attendance"] - sums["new"],
            }
        )

    @cached_property
    def respect_new_and_returning(self) -> pd.DataFrame:
        sums = self.meeting_sums
        return pd.DataFrame(
            {
                col.MEETING_DATE: self.meeting_dates_chronological,
                col.MEETING_ID: self.meeting_ids_chronological,
                col.ACCUMULATED_RESPECT: sums["respect"],
                col.ACCUMULATED_RESPECT_NEW_MEMBER: sums["respect_new"],
                col.ACCUMULATED_RESPECT_RETURNING_MEMBER: sums["respect"] - sums["respect_new"],
            }
        )

    # -- teams -------------------------------------------------------------------------

    @cached_property
    def team_sums(self) -> dict[str, IntArray]:
        """Per (team, meeting date) with team members present: codes and Respect; and per
        chronological meeting the number of attendees with a team."""
        with_team = np.flatnonzero(self.att_team >= 0)
        date_code, dates = self.date_codes
        meeting = self.att_order[with_team]
        team = self.att_team[with_team]
        inverse, keys = dense_codes(team * np.int64(len(dates)) + date_code[meeting])
        return {
            "team": keys // max(len(dates), 1),
            "date": keys % max(len(dates), 1),
            "respect": _group_sum(inverse, self.att_respect[with_team], len(keys)),
            "members_with_team": np.bincount(meeting, minlength=self.meeting_count),
        }

    @cached_property
    def team_respect(self) -> pd.DataFrame:
        sums = self.team_sums
        _, dates = self.date_codes
        return pd.DataFrame(
            {
                col.TEAM_NAME: self.team_names.take(sums["team"]).astype("str"),
                col.MEETING_DATE: dates.take(sums["date"]),
                col.ACCUMULATED_RESPECT: sums["respect"],
            }
        ).reset_index(drop=True)

    @cached_property
    def team_representation(self) -> pd.Series:
        date_code, dates = self.date_codes
        attendees = np.bincount(
            date_code, weights=self.meeting_sums["attendance"], minlength=len(dates)
        )
        with_team = np.bincount(
            date_code, weights=self.team_sums["members_with_team"], minlength=len(dates)
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(with_team > 0, with_team / attendees, np.nan)
        return pd.Series(share, index=dates, name=col.TEAM_REPRESENTATION)

    @cached_property
    def team_leader_board(self) -> pd.DataFrame:
        sums = self.team_sums
        totals = _group_sum(sums["team"], sums["respect"], len(self.team_names))
        order = np.lexsort((np.arange(len(totals)), -totals))
        return pd.DataFrame(
            {col.ACCUMULATED_RESPECT: totals[order]},
            index=pd.Index(self.team_names.take(order), dtype="str", name=col.TEAM_NAME),
        )

    # -- fairness ----------------------------------------------------------------------

    @cached_property
    def gini_by_meeting(self) -> pd.DataFrame:
        pairs = self.pairs
        gini = fairness.cumulative_gini_of_member_runs(
            pairs["meeting"],
            pairs["respect"],
            pairs["starts"],
            self.meeting_count,
            earned=self.meeting_sums["respect"],
        )
        if gini is None:  # too many distinct holdings for the histogram: the general method
            series = fairness.cumulative_gini_by_meeting(
                self.att_order, self.att_member, self.att_respect
            )
            gini = series.to_numpy(dtype=np.float64)
        return pd.DataFrame(
            {
                col.MEETING_ID: self.meeting_ids_chronological,
                col.MEETING_DATE: self.meeting_dates_chronological,
                col.GINI: gini,
            }
        )

    @cached_property
    def quality_report(self) -> QualityReport:
        return self._quality_check()


def _quality_check(table: Table) -> Callable[[], QualityReport]:
    """The quality check of ``table`` as a call on inputs gathered now (safe in a thread)."""
    frame, level_column = table.frame, table.level_column
    members, first_rows, team_codes = table.members, table.member_first_rows, table.teams[0]
    team_ids = table.team_ids

    def run() -> QualityReport:
        return quality.check(
            frame,
            level_column,
            members,
            member_first_rows=first_rows,
            team_name_codes=team_codes,
            team_ids=team_ids,
        )

    return run


def _statistics(values: npt.ArrayLike) -> Statistics:
    return Statistics.from_values(values)


def _format_statistics(stats: Statistics, percent: bool = False) -> str:
    def one(value: float) -> str:
        if np.isnan(value):
            return "n/a"
        return f"{value:.2%}" if percent else f"{value:,.2f}"

    return f"{one(stats.mean)} ± {one(stats.standard_deviation)}"


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """One fractal's consensus records and the tables derived from them (immutable).

    Build one with :meth:`from_csv`, :meth:`from_dataframe`, :meth:`from_directory` or
    :meth:`from_files`. Every ``df_*`` attribute is computed once (on first use; for a large
    table, while loading) and returned as a shallow copy, so changing it does not change the
    dataset.

    Parameters (of the constructors)
    --------------------------------
    respect_schedule : RespectSchedule
        How levels turn into Respect (default: Genesis, level ``l`` earns F(l + 2)).
    calendar : MeetingCalendar
        Dates of meetings by ID (default: Genesis); a ``MeetingDate`` column wins over it.
    strict : bool
        Raise :class:`DatasetError` instead of warning when the quality report has findings.

    Examples
    --------
    >>> ds = Dataset.from_csv("genesis-weekly_rank.csv")  # doctest: +SKIP
    >>> ds.attendance_stats  # doctest: +SKIP
    Statistics(mean=32.83, standard_deviation=8.68)
    """

    _core: _Core
    name: str | None = None

    # -- constructors ------------------------------------------------------------------

    @classmethod
    def _from_table(
        cls,
        table: Table,
        respect_schedule: RespectSchedule,
        calendar: MeetingCalendar,
        strict: bool,
        name: str | None,
        warn: bool = True,
    ) -> Dataset:
        if not isinstance(respect_schedule, RespectSchedule):
            raise TypeError(
                f"respect_schedule must be a RespectSchedule, got {type(respect_schedule).__name__}"
            )
        if not isinstance(calendar, MeetingCalendar):
            raise TypeError(f"calendar must be a MeetingCalendar, got {type(calendar).__name__}")
        core = _Core(table, respect_schedule, calendar, _quality_check(table))
        report = core.quality_report
        if report and strict:
            raise DatasetError(report.summary(table.source) + " (strict=True)")
        if report and warn:
            warnings.warn(report.summary(table.source), DataQualityWarning, stacklevel=3)
        return cls(core, name)

    @classmethod
    def from_csv(
        cls,
        path: PathLike,
        *,
        respect_schedule: RespectSchedule = GENESIS,
        calendar: MeetingCalendar = GENESIS_CALENDAR,
        strict: bool = False,
        name: str | None = None,
    ) -> Dataset:
        """Load a weekly consensus CSV file (``Rank`` or ``Level``, optional ``Round``).

        Raises
        ------
        DatasetError
            For input that cannot be analysed (the message names file, rows, column, value).
        """
        table = read_weekly_csv(path)
        return cls._from_table(table, respect_schedule, calendar, strict, name)

    @classmethod
    def from_dataframe(
        cls,
        df: pd.DataFrame,
        *,
        respect_schedule: RespectSchedule = GENESIS,
        calendar: MeetingCalendar = GENESIS_CALENDAR,
        strict: bool = False,
        source: str = "<dataframe>",
        name: str | None = None,
    ) -> Dataset:
        """Build a dataset from rows in the weekly layout (errors name index labels)."""
        table = read_dataframe(df, source)
        return cls._from_table(table, respect_schedule, calendar, strict, name)

    @classmethod
    def from_files(
        cls,
        measurements: PathLike,
        members: PathLike,
        teams: PathLike | None = None,
        *,
        respect_schedule: RespectSchedule = GENESIS,
        calendar: MeetingCalendar = GENESIS_CALENDAR,
        strict: bool = False,
        name: str | None = None,
    ) -> Dataset:
        """Load the normalized layout: measurements, members and (optional) teams files."""
        table = read_normalized(measurements, members, teams)
        return cls._from_table(table, respect_schedule, calendar, strict, name)

    @classmethod
    def from_directory(
        cls,
        path: PathLike,
        *,
        respect_schedule: RespectSchedule = GENESIS,
        calendar: MeetingCalendar = GENESIS_CALENDAR,
        strict: bool = False,
        name: str | None = None,
    ) -> Dataset:
        """Load a folder: the normalized files recognised by their columns (other CSV files
        are ignored), or else its one weekly CSV file."""
        table = read_directory(path)
        return cls._from_table(table, respect_schedule, calendar, strict, name)

    # -- identity ----------------------------------------------------------------------

    def with_name(self, name: str | None) -> Dataset:
        """The same dataset with another display name (derived tables are shared)."""
        return Dataset(self._core, name)

    @property
    def source(self) -> str:
        """The file the rows came from, or ``"<dataframe>"``."""
        return self._core.table.source

    @property
    def respect_schedule(self) -> RespectSchedule:
        return self._core.schedule

    @property
    def calendar(self) -> MeetingCalendar:
        return self._core.calendar

    @property
    def level_column(self) -> str:
        """What the input calls the level: ``"Rank"`` or ``"Level"``."""
        return self._core.table.level_column

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, source={self.source!r}, rows={len(self._core.df)}, "
            f"meetings={self.total_meetings}, members={self.total_unique_members})"
        )

    # -- rows --------------------------------------------------------------------------

    @property
    def df(self) -> pd.DataFrame:
        """The input rows plus ``MeetingDate`` and ``Respect`` (input column order first)."""
        return self._core.df.copy(deep=False)

    @property
    def meeting_ids(self) -> list[int]:
        """The meeting IDs, ascending."""
        ids: list[int] = np.sort(self._core.meeting_ids_chronological).tolist()  # Python ints
        return ids

    def select_meetings(self, first: int, last: int) -> Dataset:
        """A new dataset of the meetings with ``first <= MeetingID <= last``, recomputed
        from scratch (a member is new at their first meeting within the selection)."""
        ids = self._core.table.frame[col.MEETING_ID].to_numpy(dtype=np.int64)
        keep = (ids >= first) & (ids <= last)
        if not keep.any():
            valid = self.meeting_ids
            raise ValueError(
                f"no meetings with IDs from {first} to {last}; this dataset has meetings "
                f"{valid[0]} to {valid[-1]}"
            )
        core = self._core
        table = core.table.take(np.flatnonzero(keep))
        return Dataset._from_table(
            table, core.schedule, core.calendar, strict=False, name=self.name, warn=False
        )

    # -- member tables -----------------------------------------------------------------

    @property
    def df_member_summary_stats_by_member_id(self) -> pd.DataFrame:
        """Index ``MemberID``; ``AttendanceCount``, ``AccumulatedRank``, ``AccumulatedRespect``,
        ``Mean`` and ``StandardDeviation`` (sample) of the member's ranks."""
        return self._core.member_summary.copy(deep=False)

    @property
    def df_member_rank_by_attendance_count(self) -> pd.DataFrame:
        """Per distinct attendance count: ``Mean`` and ``StandardDeviation`` (sample) of all
        ranks earned by the members with that count, pooled."""
        return self._core.rank_by_attendance_count.copy(deep=False)

    @property
    def df_member_attendance_new_and_returning_by_meeting(self) -> pd.DataFrame:
        """Per meeting (by date): ``NewMemberCount`` (first meeting), ``ReturningMemberCount``."""
        return self._core.attendance_new_and_returning.copy(deep=False)

    @property
    def df_member_respect_new_and_returning_by_meeting(self) -> pd.DataFrame:
        """Per meeting: Respect earned, split into new and returning members."""
        return self._core.respect_new_and_returning.copy(deep=False)

    @property
    def df_member_leader_board(self) -> pd.DataFrame:
        """Members by ``AccumulatedRank`` desc, ``AttendanceCount`` desc, ``MemberID``; index
        from 1; ``Name`` is the first name the member appears with."""
        return self._core.leader_board.copy(deep=False)

    def member_history(self, member_id: str) -> pd.DataFrame:
        """One member's meetings in date order: ``MeetingID``, ``MeetingDate``, ``Rank``
        (nullable), ``Respect`` and running ``AccumulatedRespect``.

        Raises
        ------
        ValueError
            When no member has that ID.
        """
        core = self._core
        where = core.member_ids.get_indexer(pd.Index([str(member_id)]))[0]
        if where < 0:
            raise ValueError(f"no member with MemberID {member_id!r} in {self.source}")
        # the member's run in the attendance sorted by member, then chronologically
        bounds = core.member_run_bounds
        rows = core.pair_order[bounds[where] : bounds[where + 1]]
        order = core.att_order[rows]
        respect = core.att_respect[rows]
        rank = pd.arrays.IntegerArray(core.att_level[rows], ~core.att_has_level[rows])
        return pd.DataFrame(
            {
                col.MEETING_ID: core.meeting_ids_chronological[order],
                col.MEETING_DATE: core.meeting_dates_chronological[order],
                col.RANK: rank,
                col.RESPECT: respect,
                col.ACCUMULATED_RESPECT: np.cumsum(respect),
            }
        )

    def _meeting_rows(self, meeting_id: int, new: bool) -> pd.DataFrame:
        core = self._core
        try:
            wanted = operator.index(meeting_id)
        except TypeError:
            raise ValueError(f"meeting_id must be an integer, got {meeting_id!r}") from None
        meeting_ids = core.table.meetings[1]  # ascending
        code = int(np.searchsorted(meeting_ids, wanted))
        if code == len(meeting_ids) or meeting_ids[code] != wanted:
            valid = self.meeting_ids
            gaps = len(valid) != valid[-1] - valid[0] + 1
            raise ValueError(
                f"meeting_id={meeting_id} is not in this dataset: valid meeting IDs are in the "
                f"range [{valid[0]}, {valid[-1]}]" + (" (with gaps)" if gaps else "")
            )
        bounds = core.meeting_row_bounds
        if bounds is not None:  # rows listed meeting by meeting
            rows = np.arange(bounds[code], bounds[code + 1])
        else:
            rows = np.flatnonzero(core.table.meetings[0] == code)
        # a row is new when its meeting is the member's first (chronologically)
        is_new = core.row_meeting_order[rows] == core.member_first_meeting[core.row_member[rows]]
        picked = rows[is_new if new else ~is_new]
        first, last = int(rows[0]), int(rows[-1])
        if last - first + 1 == len(rows):
            # a meeting's rows are usually together: slice first (no copy), then pick, so
            # that text columns are not copied whole to take a few rows
            return core.df.iloc[first : last + 1].iloc[picked - first]
        return core.df.iloc[picked]

    def get_new_member_dataframe_for_meeting_id(self, meeting_id: int) -> pd.DataFrame:
        """The rows of ``meeting_id`` whose member attends for the first time (by date)."""
        return self._meeting_rows(meeting_id, new=True)

    def get_returning_member_dataframe_for_meeting_id(self, meeting_id: int) -> pd.DataFrame:
        """The rows of ``meeting_id`` whose member attended an earlier meeting."""
        return self._meeting_rows(meeting_id, new=False)

    # -- team tables -------------------------------------------------------------------

    @property
    def has_teams(self) -> bool:
        """Whether any attendee belongs to a team."""
        return len(self._core.team_names) > 0  # the teams of attendees

    @property
    def df_team_respect_by_meeting_date(self) -> pd.DataFrame:
        """``TeamName``, ``MeetingDate``, ``AccumulatedRespect`` (the Respect of the team's
        members in that meeting), sorted by team then date."""
        return self._core.team_respect.copy(deep=False)

    @property
    def df_team_representation_by_date(self) -> pd.Series:
        """Per meeting date: attendees with a team / all attendees (NaN if nobody has one)."""
        return self._core.team_representation.copy(deep=False)

    @property
    def df_team_leader_board(self) -> pd.DataFrame:
        """Index ``TeamName``; ``AccumulatedRespect``, descending."""
        return self._core.team_leader_board.copy(deep=False)

    # -- totals and statistics -----------------------------------------------------------

    @property
    def total_member_respect(self) -> int:
        """Respect earned by members."""
        return int(self._core.meeting_sums["respect"].sum())

    @property
    def total_team_respect(self) -> int:
        """Respect earned by teams (each team earns its members' Respect)."""
        return int(self._core.team_leader_board[col.ACCUMULATED_RESPECT].sum())

    @property
    def total_respect(self) -> int:
        """Respect from all sources: members plus teams."""
        return self.total_member_respect + self.total_team_respect

    @property
    def total_unique_members(self) -> int:
        return self._core.member_count

    @property
    def total_meetings(self) -> int:
        return self._core.meeting_count

    @property
    def last_meeting_date(self) -> pd.Timestamp:
        return pd.Timestamp(self._core.meeting_dates_chronological.max())

    @property
    def attendance_stats(self) -> Statistics:
        """Attendees per meeting: mean and sample standard deviation."""
        return _statistics(self._core.meeting_sums["attendance"])

    @property
    def attendance_consistency_stats(self) -> Statistics:
        """Meetings attended per member: mean and sample standard deviation."""
        return _statistics(self._core.member_sums["attendance"])

    @property
    def team_representation_stats(self) -> Statistics:
        """Share of attendees with a team, over the meetings where anyone has one."""
        return _statistics(self._core.team_representation.to_numpy())

    def summary_table(self) -> pd.DataFrame:
        """The headline numbers as display strings: columns ``Statistic`` and ``Value``."""
        rows = [
            ("Total Respect (all sources)", f"{self.total_respect:,}"),
            ("Respect earned by members", f"{self.total_member_respect:,}"),
            ("Respect earned by teams", f"{self.total_team_respect:,}"),
            ("Meetings", f"{self.total_meetings:,}"),
            ("Unique members", f"{self.total_unique_members:,}"),
            ("Attendees per meeting (mean ± sd)", _format_statistics(self.attendance_stats)),
            (
                "Meetings attended per member (mean ± sd)",
                _format_statistics(self.attendance_consistency_stats),
            ),
            (
                "Team representation (mean ± sd)",
                _format_statistics(self.team_representation_stats, percent=True),
            ),
        ]
        return pd.DataFrame(
            {
                col.STATISTIC: pd.Series([r[0] for r in rows], dtype="str"),
                col.VALUE: pd.Series([r[1] for r in rows], dtype="str"),
            }
        )

    # -- fairness ----------------------------------------------------------------------

    @property
    def respect_distribution(self) -> fairness.RespectDistribution:
        """Gini, top shares and Nakamoto coefficient of the Respect accumulated per member."""
        return fairness.respect_distribution(self._core.member_sums["respect"])

    @property
    def df_gini_by_meeting(self) -> pd.DataFrame:
        """``MeetingID``, ``MeetingDate``, ``Gini``: the Gini of accumulated Respect over all
        members seen so far, after each meeting (by date)."""
        return self._core.gini_by_meeting.copy(deep=False)

    @property
    def df_lorenz_curve(self) -> pd.DataFrame:
        """``PopulationShare``, ``RespectShare`` of the Respect accumulated per member."""
        return fairness.lorenz_curve(self._core.member_sums["respect"])

    # -- quality -----------------------------------------------------------------------

    @property
    def quality_report(self) -> QualityReport:
        """Anomalies in the records that are reported, not rejected (empty when clean)."""
        return self._core.quality_report
