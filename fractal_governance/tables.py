"""The derived tables: attendance from the measurements, Respect from the ledger.

:class:`Tables` computes each table once, on first use, with vectorized NumPy code (no Python
loop over rows, members or meetings). When the ledger is aligned with attendance (a schedule
pays each attendance), Respect sums reuse the attendance order; when Respect depends on the
level alone, they follow from the level counts. Other ledgers (rolling policies, awards to
absent members, extra awards) are summed by their own member and meeting codes.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance import _kernels as kernels
from fractal_governance import columns as col
from fractal_governance import fairness
from fractal_governance.ledger import Ledger, RespectArray
from fractal_governance.measurements import Measurements, level_statistics

__all__ = ["Tables"]

IntArray = npt.NDArray[np.int64]


def _sum_by(codes: IntArray, values: RespectArray, size: int) -> RespectArray:
    """Per-code sums: exact int64 for integral Respect, float64 otherwise."""
    if values.dtype.kind in "iu":
        return kernels.group_sum(codes, values.astype(np.int64, copy=False), size)
    return np.bincount(codes, weights=values, minlength=size)


class Tables:
    """Every table derived from ``measurements`` and their ``ledger``."""

    def __init__(self, measurements: Measurements, ledger: Ledger) -> None:
        self.measurements = measurements
        self.ledger = ledger

    # -- Respect per attendance ----------------------------------------------------------

    @cached_property
    def attendance_respect(self) -> RespectArray:
        """Respect tied to each attendance (awards to absent members excluded)."""
        return self.ledger.attendance_respect(self.measurements)

    @cached_property
    def row_respect(self) -> RespectArray:
        """Respect per input row: an attendance's Respect sits on its deciding row."""
        m = self.measurements
        respect = self.attendance_respect
        if m.deciding_rows is None:
            return respect
        out = np.zeros(len(m.row_member), dtype=respect.dtype)
        out[m.deciding_rows] = respect
        return out

    @cached_property
    def df(self) -> pd.DataFrame:
        """A shallow copy of the input plus ``MeetingDate`` and ``Respect``."""
        m = self.measurements
        frame = m.table.frame
        columns: dict[str, Any] = {name: frame[name] for name in frame.columns}
        if col.MEETING_DATE not in columns:
            columns[col.MEETING_DATE] = m.meeting_dates_by_code[m.table.meetings[0]]
        columns[col.RESPECT] = self.row_respect
        # copy=False: the new columns are not copied again (df is only handed out as
        # shallow copies, so copy-on-write keeps it unchanged)
        return pd.DataFrame(columns, index=frame.index, copy=False)

    @cached_property
    def ledger_frame(self) -> pd.DataFrame:
        """The ledger as a table (see :meth:`Ledger.to_frame`)."""
        return self.ledger.to_frame(self.measurements)

    # -- members -----------------------------------------------------------------------

    @cached_property
    def member_respect(self) -> RespectArray:
        """Respect per member (all awards, including those for meetings they missed)."""
        m, ledger = self.measurements, self.ledger
        if ledger.level_respect is not None and (counts := m.member_level_counts) is not None:
            return counts @ ledger.level_respect
        if ledger.is_aligned:
            return _sum_by(m.att_member, ledger.respect, m.member_count)
        return _sum_by(ledger.member, ledger.respect, m.member_count)

    @cached_property
    def member_summary(self) -> pd.DataFrame:
        m = self.measurements
        sums = m.member_level_sums
        mean, sd = level_statistics(sums["ranked"], sums["rank"], sums["squares"])
        return pd.DataFrame(
            {
                col.ATTENDANCE_COUNT: sums["attendance"],
                col.ACCUMULATED_RANK: sums["rank"],
                col.ACCUMULATED_RESPECT: self.member_respect,
                col.MEAN: mean,
                col.STANDARD_DEVIATION: sd,
            },
            index=m.member_ids,
        )

    @cached_property
    def leader_board(self) -> pd.DataFrame:
        m = self.measurements
        sums = m.member_level_sums
        respect = self.member_respect
        order = np.lexsort((np.arange(m.member_count), -sums["attendance"], -sums["rank"]))
        return pd.DataFrame(
            {
                # the text columns are taken as Arrow text (no round trip through objects)
                col.MEMBER_ID: m.member_ids.array.take(order),
                col.NAME: m.member_names.array.take(order),
                col.ACCUMULATED_RANK: sums["rank"][order],
                col.ACCUMULATED_RESPECT: respect[order],
                col.ATTENDANCE_COUNT: sums["attendance"][order],
            },
            index=pd.RangeIndex(1, m.member_count + 1),
        )

    # -- meetings ----------------------------------------------------------------------

    @cached_property
    def meeting_respect(self) -> RespectArray:
        """Respect awarded per chronological meeting."""
        m, ledger = self.measurements, self.ledger
        k = m.meeting_count
        if ledger.is_aligned:
            order = m.att_order
            if len(order) and bool((order[1:] >= order[:-1]).all()):
                # rows listed meeting by meeting: each meeting is one run, summed in place
                bounds = np.searchsorted(order, np.arange(k))
                summed = np.add.reduceat(ledger.respect, bounds) if len(order) else ledger.respect
                return summed.astype(ledger.respect.dtype, copy=False)
            if ledger.level_respect is not None:
                counts = m.level_counts(order, k)
                if counts is not None:
                    return counts @ ledger.level_respect
            return _sum_by(order, ledger.respect, k)
        if ledger.in_table_order:  # by meeting: each meeting's awards are one run
            return kernels.sorted_group_sum(ledger.meeting, ledger.respect, k)
        return _sum_by(ledger.meeting, ledger.respect, k)

    @cached_property
    def meeting_respect_new(self) -> RespectArray:
        """Respect awarded per meeting to members at their first meeting: the Respect tied
        to each new member's first attendance (an award for a meeting its member attended
        is tied to that attendance; see :class:`Ledger`), one value per member instead of
        a look at every award."""
        m, ledger = self.measurements, self.ledger
        first = m.member_first_meeting  # -1: returning, or no attendance here
        first_attendance = m.pair_order[m.pairs["starts"]]  # members who attended
        if not m.every_member_attended:
            widened = np.zeros(m.member_count, dtype=first_attendance.dtype)
            widened[m.member_attendance > 0] = first_attendance
            first_attendance = widened
        # an aligned ledger's Respect is the attendance's (no wait for attendance_respect,
        # which the other thread may be computing)
        respect = ledger.respect if ledger.is_aligned else self.attendance_respect
        new = first >= 0
        return _sum_by(first[new], respect[first_attendance[new]], m.meeting_count)

    @cached_property
    def attendance_new_and_returning(self) -> pd.DataFrame:
        m = self.measurements
        return pd.DataFrame(
            {
                col.MEETING_DATE: m.meeting_dates_chronological,
                col.MEETING_ID: m.meeting_ids_chronological,
                col.NEW_MEMBER_COUNT: m.meeting_new,
                col.RETURNING_MEMBER_COUNT: m.meeting_attendance - m.meeting_new,
            }
        )

    @cached_property
    def respect_new_and_returning(self) -> pd.DataFrame:
        m = self.measurements
        total = self.meeting_respect
        new = self.meeting_respect_new
        return pd.DataFrame(
            {
                col.MEETING_DATE: m.meeting_dates_chronological,
                col.MEETING_ID: m.meeting_ids_chronological,
                col.ACCUMULATED_RESPECT: total,
                col.ACCUMULATED_RESPECT_NEW_MEMBER: new,
                col.ACCUMULATED_RESPECT_RETURNING_MEMBER: total - new,
            }
        )

    # -- teams -------------------------------------------------------------------------

    @cached_property
    def team_sums(self) -> dict[str, npt.NDArray[Any]]:
        """Per (team, meeting date) with Respect credited to the team: team codes, date
        codes and Respect. By default a team earns the Respect tied to its members'
        attendance (awards to absent members belong to no team); a ledger with ``team``
        names the team each award credits."""
        m, ledger = self.measurements, self.ledger
        date_code, dates = m.date_codes
        if ledger.team is None:  # each award credits the team of its attendance
            with_team = np.flatnonzero(m.att_team >= 0)
            meeting = m.att_order[with_team]
            team = m.att_team[with_team]
            respect = self.attendance_respect[with_team]
        else:  # awards name the team they credit (also for absent members)
            with_team = np.flatnonzero(ledger.team >= 0)
            meeting = ledger.meeting[with_team]
            team = ledger.team[with_team]
            respect = ledger.respect[with_team]
        width = np.int64(max(len(dates), 1))
        inverse, keys = kernels.dense_codes(team * width + date_code[meeting])
        return {
            "team": keys // width,
            "date": keys % width,
            "respect": _sum_by(inverse, respect, len(keys)),
        }

    @cached_property
    def team_respect(self) -> pd.DataFrame:
        sums = self.team_sums
        _, dates = self.measurements.date_codes
        return pd.DataFrame(
            {
                col.TEAM_NAME: self.measurements.team_names.take(sums["team"]).astype("str"),
                col.MEETING_DATE: dates.take(sums["date"]),
                col.ACCUMULATED_RESPECT: sums["respect"],
            }
        ).reset_index(drop=True)

    @cached_property
    def team_leader_board(self) -> pd.DataFrame:
        sums = self.team_sums
        names = self.measurements.team_names
        totals = _sum_by(sums["team"], sums["respect"], len(names))
        order = np.lexsort((np.arange(len(totals)), -totals))
        return pd.DataFrame(
            {col.ACCUMULATED_RESPECT: totals[order]},
            index=pd.Index(names.take(order), dtype="str", name=col.TEAM_NAME),
        )

    # -- fairness ----------------------------------------------------------------------

    @cached_property
    def member_first_attendance(self) -> IntArray:
        """Per member, the chronological number of their first attendance (the meeting
        count for members who attended none)."""
        m = self.measurements
        pairs = m.pairs
        first = np.full(m.member_count, m.meeting_count, dtype=np.int64)
        first[m.member_attendance > 0] = pairs["meeting"][pairs["starts"]]
        return first

    @cached_property
    def gini_by_meeting(self) -> pd.DataFrame:
        """The Gini of accumulated Respect over every member seen so far (attended or
        paid), after each meeting."""
        m, ledger = self.measurements, self.ledger
        gini = None
        if ledger.is_aligned and ledger.is_integral and m.every_member_attended:
            pairs = m.pairs
            gini = fairness.cumulative_gini_of_member_runs(
                pairs["meeting"],
                ledger.respect.take(m.pair_order),
                pairs["starts"],
                m.meeting_count,
                earned=self.meeting_respect,
            )
        if gini is None and not ledger.is_aligned:
            # awards (also to absent members) on a dense (meeting x member) grid; members
            # are seen from their first attendance or award
            gini = kernels.dense_cumulative_gini(
                ledger.member,
                ledger.meeting,
                ledger.respect,
                m.member_count,
                m.meeting_count,
                first_seen=self.member_first_attendance,
                by_cell=ledger.in_table_order,
            )
        if gini is None:  # the general method: attendance (earning 0) and every award
            if ledger.is_aligned:
                meeting, member, respect = m.att_order, m.att_member, ledger.respect
            else:
                zero = np.zeros(m.attendance_count, dtype=ledger.respect.dtype)
                meeting = np.concatenate([m.att_order, ledger.meeting])
                member = np.concatenate([m.att_member, ledger.member])
                respect = np.concatenate([zero, ledger.respect])
            series = fairness.cumulative_gini_by_meeting(meeting, member, respect)
            gini = series.reindex(np.arange(m.meeting_count), fill_value=np.nan).to_numpy(
                dtype=np.float64
            )
        return pd.DataFrame(
            {
                col.MEETING_ID: m.meeting_ids_chronological,
                col.MEETING_DATE: m.meeting_dates_chronological,
                col.GINI: gini,
            }
        )

    # -- building ahead of use ---------------------------------------------------------
    # Two threads build the sets below at once (see Dataset construction); each value is
    # computed once either way. The sets share no lazily computed table once the attendance
    # tables are built (Measurements.build_attendance_tables); a schedule's quick ledger
    # starts the meeting tables before that, and they may wait for one of them. For a ledger
    # that is the attendance itself, one thread builds the member tables and the other the
    # meeting tables. A ledger with many more awards than attendances (a rolling policy's)
    # has two costs that grow with its awards, its table and the cumulative Gini: the
    # costlier one goes to one thread (the table when its awards must be sorted first,
    # else the Gini), and every other table to the other.

    def build_member_tables(self, ledger_table: bool = False) -> None:
        """Compute (and cache) ``df`` and the member tables now, and the ledger's table when
        ``ledger_table``."""
        self.df  # noqa: B018
        self.member_summary  # noqa: B018
        self.leader_board  # noqa: B018
        self.measurements.rank_by_attendance_count  # noqa: B018
        if ledger_table:
            self.ledger_frame  # noqa: B018

    def build_meeting_tables(self, gini: bool = True) -> None:
        """Compute (and cache) the meeting and team tables now, and the cumulative Gini
        unless ``gini`` is False."""
        self.team_respect  # noqa: B018
        self.team_leader_board  # noqa: B018
        if gini:
            self.gini_by_meeting  # noqa: B018
        self.attendance_new_and_returning  # noqa: B018
        self.respect_new_and_returning  # noqa: B018
        self.measurements.team_representation  # noqa: B018
        self.measurements.meeting_row_bounds  # noqa: B018

    def award_table_first(self) -> bool:
        """Whether the ledger's table costs more than the cumulative Gini: when its awards
        must be sorted first (see :meth:`build_costliest_award_table`)."""
        return not self.ledger.is_aligned and not self.ledger.in_table_order

    def build_costliest_award_table(self) -> None:
        """Compute (and cache) the costlier of the ledger's table and the cumulative Gini."""
        if self.award_table_first():
            self.ledger_frame  # noqa: B018
        else:
            self.member_first_attendance  # noqa: B018
            self.gini_by_meeting  # noqa: B018

    def build_other_tables(self) -> None:
        """Compute (and cache) every table but :meth:`build_costliest_award_table`'s."""
        table_first = self.award_table_first()
        self.build_member_tables()
        self.build_meeting_tables(gini=table_first)
        if not table_first:
            self.ledger_frame  # noqa: B018
