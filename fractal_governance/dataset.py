"""The ``Dataset``: one fractal's records and every table derived from them.

Notebooks, plots, the dashboard and the CLI all read a :class:`Dataset`. Its attribute
names and meanings are those of the original API, so existing notebooks keep working:

* ``df``: the input rows plus ``MeetingDate`` and ``Respect``;
* member tables (``df_member_summary_stats_by_member_id``, ``df_member_leader_board``, ...),
  team tables, new-versus-returning tables, totals and :class:`Statistics`;
* fairness: ``respect_distribution``, ``df_gini_by_meeting``, ``df_lorenz_curve``;
* ``quality_report``: anomalies that are reported, not rejected.

Underneath are three layers: the :class:`~fractal_governance.measurements.Measurements`
(who attended which meeting, round and group, at which level), the community
:class:`~fractal_governance.profiles.CommunityProfile` whose Respect policy turns them into
a :class:`~fractal_governance.ledger.Ledger` of awards, and the
:class:`~fractal_governance.tables.Tables` computed from both. Attendance comes from the
measurements, every Respect figure from the ledger.

All derived tables are computed once, on first use, and handed out as shallow copies:
under pandas' copy-on-write, changing a returned table never changes the dataset.

Rounds: a member's level for a meeting is the level of the last round in which they got
one; a member whose level is empty in every round attended without a level, counts as an
attendee and earns no level Respect. In ``df`` the Respect of a member's meeting sits on
that deciding row (other rounds' rows show 0).
"""

from __future__ import annotations

import operator
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance import columns as col
from fractal_governance import fairness, parallel, profiles, quality
from fractal_governance import ledger as awards
from fractal_governance.io import (
    DatasetError,
    Table,
    read_csv_file,
    read_dataframe,
    read_directory,
    read_normalized,
)
from fractal_governance.ledger import Ledger
from fractal_governance.math import RespectSchedule
from fractal_governance.measurements import Measurements
from fractal_governance.policies.base import Ruled
from fractal_governance.policies.recorded import RecordedAwards
from fractal_governance.profiles import CommunityProfile
from fractal_governance.quality import DataQualityWarning, QualityReport
from fractal_governance.statistics import Statistics
from fractal_governance.tables import Tables
from fractal_governance.util import MeetingCalendar

__all__ = ["Dataset", "DatasetError", "Statistics", "combined_statistics"]

PathLike = str | os.PathLike[str]


class _Core:
    """A dataset's layers: measurements, profile, ledger, tables and quality report.

    :meth:`build` makes the ledger and the quality report (so that bad input fails at
    once); for a large table it also tabulates everything, on two threads.
    """

    def __init__(
        self,
        measurements: Measurements,
        profile: CommunityProfile,
        ledger: Ledger | None = None,
    ) -> None:
        self.measurements = measurements
        self.profile = profile
        self._given_ledger = ledger  # a window of a record's ledger, else made by the policy
        self.quality_report = QualityReport(())

    @cached_property
    def ledger(self) -> Ledger:
        if self._given_ledger is not None:
            return self._given_ledger
        return self.profile.policy.ledger(self.measurements)

    @cached_property
    def tables(self) -> Tables:
        return Tables(self.measurements, self.ledger)

    def build(self) -> None:
        """Check quality and make the ledger now (a large table: every table too)."""
        table = self.measurements.table
        rows = len(table.frame)
        big = parallel.worth_a_thread(rows)
        with parallel.worker(rows) as submit:
            # On a worker: the quality check, the attendance tables (no Respect in them),
            # then df, the member tables and the ledger's table. Here: the ledger, then
            # the team and meeting tables and the cumulative Gini. A ledger that is not
            # the attendance itself (many awards) sends the costlier of its table and the
            # Gini to the worker instead, and every other table is made here.
            checked = submit(_quality_check(table))
            if big:
                attendance = submit(self.measurements.build_attendance_tables)
            self.ledger  # noqa: B018 (the policy's errors, such as unsupported levels)
            if big:
                tables = self.tables
                if self.ledger.is_aligned:
                    # the ledger is quick: the meeting tables start while the worker still
                    # checks quality; one that needs an attendance table the worker is
                    # computing waits for it (cached_property's lock, Python 3.11)
                    side = submit(lambda: tables.build_member_tables(ledger_table=True))
                    tables.build_meeting_tables()
                    attendance.result()
                else:
                    tables.ledger.in_table_order  # noqa: B018 (read by both threads)
                    attendance.result()  # both sides read the attendance tables
                    side = submit(tables.build_costliest_award_table)
                    tables.build_other_tables()
                side.result()
            self.quality_report = checked.result()


def _quality_check(table: Table) -> Callable[[], QualityReport]:
    """The quality check of ``table`` as a call (safe on another thread)."""
    return lambda: quality.check_table(table)


def _profile(
    profile: CommunityProfile | None,
    respect_schedule: RespectSchedule | None,
    calendar: MeetingCalendar | None,
) -> CommunityProfile:
    """The profile a constructor uses: ``profile`` (default :data:`profiles.DEFAULT`) with
    the schedule and calendar given beside it, if any."""
    chosen = profiles.DEFAULT if profile is None else profile
    if not isinstance(chosen, CommunityProfile):
        raise TypeError(f"profile must be a CommunityProfile, got {type(chosen).__name__}")
    if respect_schedule is not None:
        if not isinstance(respect_schedule, RespectSchedule):
            raise TypeError(
                f"respect_schedule must be a RespectSchedule, got {type(respect_schedule).__name__}"
            )
        chosen = chosen.with_schedule(respect_schedule)
    if calendar is not None:
        if not isinstance(calendar, MeetingCalendar):
            raise TypeError(f"calendar must be a MeetingCalendar, got {type(calendar).__name__}")
        chosen = chosen.with_calendar(calendar)
    return chosen


def _recorded_profile(
    profile: CommunityProfile | None, schedule: RespectSchedule | None
) -> CommunityProfile:
    """The profile of an ORDAO export: Respect is the awards as minted (a given profile's
    rules, calendar and unit kept). Without a profile: :data:`profiles.ORDAO` (no calendar:
    the export gives no dates)."""
    if profile is None:
        return profiles.ORDAO.with_policy(RecordedAwards(schedule))
    policy = profile.policy
    rules = policy.rules if isinstance(policy, Ruled) else ()
    base = policy.base if isinstance(policy, Ruled) else policy
    if isinstance(base, RecordedAwards):
        return profile
    return profile.with_policy(RecordedAwards(schedule or base.schedule).with_rules(*rules))


def _statistics(values: npt.ArrayLike) -> Statistics:
    return Statistics.from_values(values)


def _number(value: int | float) -> int | float:
    """A Respect total as a Python number: int when whole and stored as an integer."""
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """One fractal's records and the tables derived from them (immutable).

    Build one with :meth:`from_csv`, :meth:`from_dataframe`, :meth:`from_directory` or
    :meth:`from_files` (calling ``Dataset(...)`` directly is not supported). Every ``df_*``
    attribute is computed once, on first use, and returned as a shallow copy, so changing
    it does not change the dataset.

    Parameters (of the constructors)
    --------------------------------
    profile : CommunityProfile
        The community's Respect policy, calendar and unit (default:
        :data:`fractal_governance.profiles.DEFAULT`, the Genesis schedule and calendar).
    respect_schedule : RespectSchedule, optional
        Pay levels by this schedule instead of the profile's (its rules are kept).
    calendar : MeetingCalendar, optional
        Date meetings by this calendar instead of the profile's; a ``MeetingDate`` column
        wins over either.
    strict : bool
        Raise :class:`DatasetError` instead of warning when the quality report has findings.
    member_attributes : DataFrame, optional
        Facts per member indexed by ``MemberID`` (such as ``SignatureOnFile``) that the
        profile's eligibility rules read.

    Examples
    --------
    >>> ds = Dataset.from_csv("genesis-weekly_rank.csv")  # doctest: +SKIP
    >>> ds.attendance_stats  # doctest: +SKIP
    Statistics(mean=32.83, standard_deviation=8.68)
    """

    _core: _Core
    name: str | None = None
    _source: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self._core, _Core):
            raise TypeError(
                "Dataset is built with Dataset.from_csv, from_dataframe, from_directory or "
                f"from_files, not Dataset({type(self._core).__name__})"
            )

    # -- constructors ------------------------------------------------------------------

    @classmethod
    def _from_measurements(
        cls,
        measurements: Measurements,
        profile: CommunityProfile,
        strict: bool,
        name: str | None,
        warn: bool = True,
        ledger: Ledger | None = None,
    ) -> Dataset:
        table = measurements.table
        core = _Core(measurements, profile, ledger)
        core.build()
        report = core.quality_report
        if report and strict:
            raise DatasetError(report.summary(table.source) + " (strict=True)")
        if report and warn:
            warnings.warn(report.summary(table.source), DataQualityWarning, stacklevel=4)
        return cls(core, name)

    @classmethod
    def _from_table(
        cls,
        table: Table,
        profile: CommunityProfile | None,
        respect_schedule: RespectSchedule | None,
        calendar: MeetingCalendar | None,
        strict: bool,
        name: str | None,
        member_attributes: pd.DataFrame | None = None,
    ) -> Dataset:
        if table.recorded_awards is not None:
            profile = _recorded_profile(profile, table.recorded_awards.schedule)
        chosen = _profile(profile, respect_schedule, calendar)
        measurements = Measurements(table, chosen.calendar, member_attributes=member_attributes)
        return cls._from_measurements(measurements, chosen, strict, name)

    @classmethod
    def from_csv(
        cls,
        path: PathLike | None = None,
        *,
        profile: CommunityProfile | None = None,
        respect_schedule: RespectSchedule | None = None,
        calendar: MeetingCalendar | None = None,
        strict: bool = False,
        name: str | None = None,
        member_attributes: pd.DataFrame | None = None,
        compression: str | None = None,
    ) -> Dataset:
        """Load a weekly consensus CSV file (``Rank`` or ``Level``, optional ``Round``), or
        an ORDAO awards export (recognised by its header; its Respect is the awards as minted,
        whatever the profile's policy; read without a ``profile``, or with the default one,
        its meetings have no dates).

        Without ``path`` (as the upstream's later ``Dataset.from_csv()``): the default
        dataset, :func:`fractal_governance.datasets.resolve` ``(None)`` (the complete Genesis
        record when it is on this machine, else the demo), read with ``profile`` if given;
        the other reading options need a path.

        ``compression`` (gzip, bz2, xz or zip) reads a compressed file; without it a
        compressed file is recognised by its first bytes, never by its name.

        Raises
        ------
        DatasetError
            For input that cannot be analysed (the message names file, rows, column, value).
        """
        if path is None:
            if respect_schedule is not None or calendar is not None or strict:
                raise TypeError("respect_schedule, calendar and strict need a path")
            if member_attributes is not None:
                raise TypeError("member_attributes needs a path")
            # The registry builds on this module: reached through the package, on first use.
            import fractal_governance

            default = fractal_governance.datasets.resolve(None, profile=profile)
            return cls(default._core, default.name if name is None else name)
        table = read_csv_file(path, compression)
        return cls._from_table(
            table, profile, respect_schedule, calendar, strict, name, member_attributes
        )

    @classmethod
    def from_dataframe(
        cls,
        df: pd.DataFrame,
        *,
        profile: CommunityProfile | None = None,
        respect_schedule: RespectSchedule | None = None,
        calendar: MeetingCalendar | None = None,
        strict: bool = False,
        source: str = "<dataframe>",
        name: str | None = None,
        member_attributes: pd.DataFrame | None = None,
    ) -> Dataset:
        """Build a dataset from rows in the weekly layout (errors name index labels)."""
        table = read_dataframe(df, source)
        return cls._from_table(
            table, profile, respect_schedule, calendar, strict, name, member_attributes
        )

    @classmethod
    def from_files(
        cls,
        measurements: PathLike,
        members: PathLike,
        teams: PathLike | None = None,
        *,
        profile: CommunityProfile | None = None,
        respect_schedule: RespectSchedule | None = None,
        calendar: MeetingCalendar | None = None,
        strict: bool = False,
        name: str | None = None,
        member_attributes: pd.DataFrame | None = None,
    ) -> Dataset:
        """Load the normalized layout: measurements, members and (optional) teams files."""
        table = read_normalized(measurements, members, teams)
        return cls._from_table(
            table, profile, respect_schedule, calendar, strict, name, member_attributes
        )

    @classmethod
    def from_directory(
        cls,
        path: PathLike,
        *,
        profile: CommunityProfile | None = None,
        respect_schedule: RespectSchedule | None = None,
        calendar: MeetingCalendar | None = None,
        strict: bool = False,
        name: str | None = None,
        member_attributes: pd.DataFrame | None = None,
    ) -> Dataset:
        """Load a folder: the normalized files recognised by their columns (other CSV files
        are ignored), or else its one weekly CSV file."""
        table = read_directory(path)
        return cls._from_table(
            table, profile, respect_schedule, calendar, strict, name, member_attributes
        )

    # -- identity ----------------------------------------------------------------------

    def with_name(self, name: str | None) -> Dataset:
        """The same dataset with another display name (derived tables are shared)."""
        return Dataset(self._core, name, self._source)

    def with_source(self, source: str) -> Dataset:
        """The same dataset naming ``source`` as where its rows came from, e.g. the
        published file behind the private copy that was verified and read."""
        return Dataset(self._core, self.name, source)

    def with_profile(self, profile: CommunityProfile) -> Dataset:
        """The same measurements counted by another profile (tables computed anew)."""
        if not isinstance(profile, CommunityProfile):
            raise TypeError(f"profile must be a CommunityProfile, got {type(profile).__name__}")
        core = self._core
        measurements = core.measurements
        if profile.calendar != measurements.calendar:
            measurements = Measurements(
                measurements.table,
                profile.calendar,
                member_attributes=measurements.member_attributes,
            )
        return Dataset._from_measurements(measurements, profile, False, self.name, warn=False)

    @property
    def source(self) -> str:
        """The file the rows came from, or ``"<dataframe>"``."""
        return self._source or self._core.measurements.table.source

    @property
    def profile(self) -> CommunityProfile:
        """The community profile: Respect policy, calendar and unit in use."""
        return self._core.profile

    @property
    def unit(self) -> str:
        """What every Respect figure of this dataset is counted in."""
        return self._core.profile.unit

    @property
    def respect_schedule(self) -> RespectSchedule | None:
        """The schedule by level of the profile's policy (None for policies without one)."""
        return self._core.profile.schedule

    @property
    def calendar(self) -> MeetingCalendar | None:
        """The profile's calendar (None: dates come from the data or are unknown)."""
        return self._core.profile.calendar

    @property
    def has_meeting_dates(self) -> bool:
        """Whether the rows carry their own ``MeetingDate`` (then no calendar is used)."""
        return col.MEETING_DATE in self._core.measurements.table.frame.columns

    @property
    def dates_known(self) -> bool:
        """Whether every meeting has a date (from the data or the profile's calendar)."""
        return self._core.measurements.dates_known

    @property
    def level_column(self) -> str:
        """What the input calls the level: ``"Rank"`` or ``"Level"``."""
        return self._core.measurements.level_column

    @property
    def measurements(self) -> Measurements:
        """The measurements layer (arrays; read-only by convention)."""
        return self._core.measurements

    @property
    def ledger(self) -> pd.DataFrame:
        """One row per Respect award: ``MemberID``, ``MeetingID``, ``MeetingDate``,
        ``Respect`` and ``Origin`` (level, rolling mean, even split, extra award), by
        meeting then member. Members who did not attend a meeting may hold awards for it."""
        return self._core.tables.ledger_frame.copy(deep=False)

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, source={self.source!r}, "
            f"rows={len(self._core.measurements.table.frame)}, "
            f"meetings={self.total_meetings}, members={self.total_unique_members}, "
            f"profile={self.profile.name!r})"
        )

    # -- rows --------------------------------------------------------------------------

    @property
    def df(self) -> pd.DataFrame:
        """The input rows plus ``MeetingDate`` and ``Respect`` (input column order first)."""
        return self._core.tables.df.copy(deep=False)

    @property
    def meeting_ids(self) -> list[int]:
        """The meeting IDs, ascending."""
        ids: list[int] = np.sort(self._core.measurements.meeting_ids_chronological).tolist()
        return ids

    def select_meetings(self, first: int, last: int) -> Dataset:
        """The meetings with ``first <= MeetingID <= last`` as a dataset of their own.

        Each member's history before the window is kept: a member who attended an earlier
        meeting is returning in the window, not new. Respect comes from this dataset's
        ledger (so a rolling policy's awards in the window count what came before), and
        dates follow the window.

        Raises
        ------
        ValueError
            When no meeting is in that range.
        """
        core = self._core
        measurements = core.measurements
        numbers = measurements.meeting_numbers(first, last)
        if not len(numbers):
            valid = self.meeting_ids
            raise ValueError(
                f"no meetings with IDs from {first} to {last}; this dataset has meetings "
                f"{valid[0]} to {valid[-1]}"
            )
        ledger: Ledger | None = None
        if core.profile.policy.uses_history:
            full = core.ledger
            paid = full.member[np.isin(full.meeting, numbers) & (full.origin != awards.NONE)]
            extra = measurements.member_ids.take(np.unique(paid))
            window = measurements.window(first, last, extra_members=extra)
            assert window is not None
            ledger = full.restricted(measurements, window, numbers)
        else:
            window = measurements.window(first, last)
            assert window is not None
        return Dataset._from_measurements(
            window, core.profile, strict=False, name=self.name, warn=False, ledger=ledger
        )

    # -- member tables -----------------------------------------------------------------

    @property
    def df_member_summary_stats_by_member_id(self) -> pd.DataFrame:
        """Index ``MemberID``; ``AttendanceCount``, ``AccumulatedRank``, ``AccumulatedRespect``,
        ``Mean`` and ``StandardDeviation`` (sample) of the member's ranks."""
        return self._core.tables.member_summary.copy(deep=False)

    @property
    def df_member_rank_by_attendance_count(self) -> pd.DataFrame:
        """Per distinct attendance count: ``Mean`` and ``StandardDeviation`` (sample) of all
        ranks earned by the members with that count, pooled."""
        return self._core.measurements.rank_by_attendance_count.copy(deep=False)

    @property
    def df_member_level_by_attendance_count(self) -> pd.DataFrame:
        """The same table as :attr:`df_member_rank_by_attendance_count`, by the upstream's
        later name (levels were called ranks at first)."""
        return self.df_member_rank_by_attendance_count

    @property
    def df_member_attendance_new_and_returning_by_meeting(self) -> pd.DataFrame:
        """Per meeting (by date): ``NewMemberCount`` (first meeting), ``ReturningMemberCount``."""
        return self._core.tables.attendance_new_and_returning.copy(deep=False)

    @property
    def df_member_respect_new_and_returning_by_meeting(self) -> pd.DataFrame:
        """Per meeting: Respect awarded, split into new and returning members."""
        return self._core.tables.respect_new_and_returning.copy(deep=False)

    @property
    def df_member_leader_board(self) -> pd.DataFrame:
        """Members by ``AccumulatedRank`` desc, ``AttendanceCount`` desc, ``MemberID``; index
        from 1; ``Name`` is the first name the member appears with."""
        return self._core.tables.leader_board.copy(deep=False)

    def member_history(self, member_id: str) -> pd.DataFrame:
        """One member's meetings in date order: ``MeetingID``, ``MeetingDate``, ``Rank``
        (nullable; missing too for meetings they were paid for without attending),
        ``Respect`` and running ``AccumulatedRespect``.

        Raises
        ------
        ValueError
            When no member has that ID.
        """
        core = self._core
        m = core.measurements
        where = m.member_ids.get_indexer(pd.Index([str(member_id)]))[0]
        if where < 0:
            raise ValueError(f"no member with MemberID {member_id!r} in {self.source}")
        # the member's run in the attendance sorted by member, then chronologically
        bounds = m.member_run_bounds
        rows = m.pair_order[bounds[where] : bounds[where + 1]]
        order = m.att_order[rows]
        level = m.att_level[rows]
        missing = ~m.att_has_level[rows]
        ledger = core.ledger
        if ledger.is_aligned:
            respect = ledger.respect[rows]
        else:
            # positions, not a mask: three masked copies of a million awards cost more
            mine = np.flatnonzero(ledger.member == where)
            meetings = np.union1d(order, ledger.meeting[mine]).astype(np.int64)
            at = np.searchsorted(meetings, order)
            level_all = np.zeros(len(meetings), dtype=np.int64)
            missing_all = np.ones(len(meetings), dtype=np.bool_)
            level_all[at], missing_all[at] = level, missing
            respect = np.zeros(len(meetings), dtype=ledger.respect.dtype)
            np.add.at(
                respect, np.searchsorted(meetings, ledger.meeting[mine]), ledger.respect[mine]
            )
            order, level, missing = meetings, level_all, missing_all
        return pd.DataFrame(
            {
                col.MEETING_ID: m.meeting_ids_chronological[order],
                col.MEETING_DATE: m.meeting_dates_chronological[order],
                col.RANK: pd.arrays.IntegerArray(level, missing),
                col.RESPECT: respect,
                col.ACCUMULATED_RESPECT: np.cumsum(respect),
            }
        )

    def _meeting_rows(self, meeting_id: int, new: bool) -> pd.DataFrame:
        core = self._core
        m = core.measurements
        try:
            wanted = operator.index(meeting_id)
        except TypeError:
            raise ValueError(f"meeting_id must be an integer, got {meeting_id!r}") from None
        meeting_ids = m.table.meetings[1]  # ascending
        code = int(np.searchsorted(meeting_ids, wanted))
        if code == len(meeting_ids) or meeting_ids[code] != wanted:
            valid = self.meeting_ids
            gaps = len(valid) != valid[-1] - valid[0] + 1
            raise ValueError(
                f"meeting_id={meeting_id} is not in this dataset: valid meeting IDs are in the "
                f"range [{valid[0]}, {valid[-1]}]" + (" (with gaps)" if gaps else "")
            )
        bounds = m.meeting_row_bounds
        if bounds is not None:  # rows listed meeting by meeting
            rows = np.arange(bounds[code], bounds[code + 1])
        else:
            rows = np.flatnonzero(m.table.meetings[0] == code)
        # a row is new when its meeting is the member's first (chronologically)
        is_new = m.row_meeting_order[rows] == m.member_first_meeting[m.row_member[rows]]
        picked = rows[is_new if new else ~is_new]
        df = core.tables.df
        first, last = int(rows[0]), int(rows[-1])
        if last - first + 1 == len(rows):
            # a meeting's rows are usually together: slice first (no copy), then pick, so
            # that text columns are not copied whole to take a few rows
            return df.iloc[first : last + 1].iloc[picked - first]
        return df.iloc[picked]

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
        return len(self._core.measurements.team_names) > 0  # the teams of attendees

    @property
    def df_team_respect_by_meeting_date(self) -> pd.DataFrame:
        """``TeamName``, ``MeetingDate``, ``AccumulatedRespect`` (the Respect of the team's
        members in that meeting), sorted by team then date."""
        return self._core.tables.team_respect.copy(deep=False)

    @property
    def df_team_representation_by_date(self) -> pd.Series:
        """Per meeting date: attendees with a team / all attendees (NaN if nobody has one)."""
        return self._core.measurements.team_representation.copy(deep=False)

    @property
    def df_team_leader_board(self) -> pd.DataFrame:
        """Index ``TeamName``; ``AccumulatedRespect``, descending."""
        return self._core.tables.team_leader_board.copy(deep=False)

    # -- totals and statistics -----------------------------------------------------------

    @property
    def total_member_respect(self) -> int | float:
        """Respect awarded to members (in :attr:`unit`)."""
        return _number(self._core.tables.meeting_respect.sum())

    @property
    def total_team_respect(self) -> int | float:
        """Respect earned by teams (each team earns its members' Respect)."""
        return _number(self._core.tables.team_leader_board[col.ACCUMULATED_RESPECT].sum())

    @property
    def total_respect(self) -> int | float:
        """Respect from all sources: members plus teams."""
        return self.total_member_respect + self.total_team_respect

    @property
    def total_unique_members(self) -> int:
        return self._core.measurements.member_count

    @property
    def total_meetings(self) -> int:
        return self._core.measurements.meeting_count

    @property
    def last_meeting_date(self) -> pd.Timestamp:
        return pd.Timestamp(self._core.measurements.meeting_dates_chronological.max())

    @property
    def attendance_stats(self) -> Statistics:
        """Attendees per meeting: mean and sample standard deviation."""
        return _statistics(self._core.measurements.meeting_attendance)

    @property
    def attendance_consistency_stats(self) -> Statistics:
        """Meetings attended per member: mean and sample standard deviation."""
        return _statistics(self._core.measurements.member_attendance)

    @property
    def team_representation_stats(self) -> Statistics:
        """Share of attendees with a team, over the meetings where anyone has one."""
        return _statistics(self._core.measurements.team_representation.to_numpy())

    def summary_table(self) -> pd.DataFrame:
        """The headline numbers as a tidy table: ``Statistic``, ``Value``,
        ``StandardDeviation`` (NaN where it does not apply) and ``Unit``.

        Respect is in the profile's unit; team representation is a share from 0 to 1.
        Front ends format it (see :mod:`fractal_governance.texts`).
        """
        unit = self.unit
        nan = float("nan")
        attendance = self.attendance_stats
        consistency = self.attendance_consistency_stats
        teams = self.team_representation_stats
        rows = [
            ("Total Respect (all sources)", self.total_respect, nan, unit),
            ("Respect earned by members", self.total_member_respect, nan, unit),
            ("Respect earned by teams", self.total_team_respect, nan, unit),
            ("Meetings", self.total_meetings, nan, "meetings"),
            ("Unique members", self.total_unique_members, nan, "members"),
            (
                "Attendees per meeting",
                attendance.mean,
                attendance.standard_deviation,
                "members",
            ),
            (
                "Meetings attended per member",
                consistency.mean,
                consistency.standard_deviation,
                "meetings",
            ),
            ("Team representation", teams.mean, teams.standard_deviation, "share"),
        ]
        return pd.DataFrame(
            {
                col.STATISTIC: pd.Series([r[0] for r in rows], dtype="str"),
                col.VALUE: pd.Series([float(r[1]) for r in rows], dtype="float64"),
                col.STANDARD_DEVIATION: pd.Series([float(r[2]) for r in rows], dtype="float64"),
                col.UNIT: pd.Series([r[3] for r in rows], dtype="str"),
            }
        )

    # -- fairness ----------------------------------------------------------------------

    @property
    def respect_distribution(self) -> fairness.RespectDistribution:
        """Gini, top shares and Nakamoto coefficient of the Respect accumulated per member."""
        return fairness.respect_distribution(self._core.tables.member_respect)

    @property
    def df_gini_by_meeting(self) -> pd.DataFrame:
        """``MeetingID``, ``MeetingDate``, ``Gini``: the Gini of accumulated Respect over all
        members seen so far, after each meeting (by date)."""
        return self._core.tables.gini_by_meeting.copy(deep=False)

    @property
    def df_lorenz_curve(self) -> pd.DataFrame:
        """``PopulationShare``, ``RespectShare`` of the Respect accumulated per member."""
        return fairness.lorenz_curve(self._core.tables.member_respect)

    # -- quality -----------------------------------------------------------------------

    @property
    def quality_report(self) -> QualityReport:
        """Anomalies in the records that are reported, not rejected (empty when clean)."""
        return self._core.quality_report


def combined_statistics(df: pd.DataFrame) -> pd.Series:
    """The pooled ``Mean`` and ``StandardDeviation`` (sample) of groups given by their
    ``AttendanceCount`` (number of values), ``Mean`` and ``StandardDeviation`` (sample; NaN
    for a group of one), as the upstream's ``dataset.combined_statistics``.

    Applied to :attr:`Dataset.df_member_summary_stats_by_member_id` grouped by
    ``AttendanceCount``, it gives :attr:`Dataset.df_member_level_by_attendance_count`. The
    mean is weighted by the counts; the variance is that of all values together:
    ``(sum (n - 1) s**2 + sum n (m - M)**2) / (N - 1)``.

    In ``groupby("AttendanceCount").apply(combined_statistics)`` pandas leaves the grouping
    column out of each group; then the group's key (its ``name``) is the count.
    """
    key = getattr(df, "name", None)  # set by groupby().apply()
    if "AttendanceCount" in df.columns:
        count = pd.to_numeric(df["AttendanceCount"]).to_numpy(dtype=np.float64)
    elif isinstance(key, int | float | np.number):
        count = np.full(len(df), float(key))
    else:
        raise KeyError("combined_statistics needs an 'AttendanceCount' column")
    mean = pd.to_numeric(df["Mean"]).to_numpy(dtype=np.float64)
    deviation = pd.to_numeric(df["StandardDeviation"]).to_numpy(dtype=np.float64)
    total = count.sum()
    if total <= 0:
        return pd.Series({"Mean": np.nan, "StandardDeviation": np.nan})
    pooled = float((count * mean).sum() / total)
    within = np.where(count > 1, (count - 1) * np.nan_to_num(deviation) ** 2, 0.0).sum()
    between = (count * (mean - pooled) ** 2).sum()
    spread = float(np.sqrt((within + between) / (total - 1))) if total > 1 else np.nan
    return pd.Series({"Mean": pooled, "StandardDeviation": spread})
