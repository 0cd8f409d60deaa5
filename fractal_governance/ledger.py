"""The Respect ledger: one entry per Respect award, the layer every Respect figure reads.

A :class:`~fractal_governance.policies.RespectPolicy` turns measurements into a ledger. An
award names a member, a meeting (its chronological number), an amount of Respect and where
it came from (its *origin*: a level, a rolling mean, an even split, an extra award). Members
who did not attend a meeting may hold awards for it (rolling policies pay absent members).

Most ledgers are *aligned*: entry ``i`` is attendance ``i`` of the measurements (a schedule
pays each attendance by its level). Tables use that to sum Respect without a join.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance import _kernels as kernels
from fractal_governance import columns as col
from fractal_governance.measurements import Measurements

__all__ = [
    "EVEN_SPLIT",
    "EXTRA_AWARD",
    "LEVEL",
    "NONE",
    "ORIGINS",
    "ROLLING",
    "Ledger",
]

IntArray = npt.NDArray[np.int64]
RespectArray = npt.NDArray[Any]
"""Amounts of Respect: int64 for schedules, float64 for fractional (token) amounts."""

NONE = 0
"""Origin of an entry that awards nothing (no level, or taken away by a rule)."""
LEVEL = 1
"""Origin of Respect paid by a schedule for a level."""
ROLLING = 2
"""Origin of Respect paid by a rolling statistic of past levels."""
EVEN_SPLIT = 3
"""Origin of Respect split evenly (an award without a level)."""
EXTRA_AWARD = 4
"""Origin of an award on top of a ranked one (e.g. an introduction award)."""

ORIGINS = ("none", "level", "rolling mean", "even split", "extra award")
"""Display name of each origin code."""


@dataclass(frozen=True, eq=False)
class Ledger:
    """Respect awards as parallel arrays (immutable by convention: never written to).

    Attributes
    ----------
    member : int64 array
        Member code (index into ``Measurements.member_ids``).
    meeting : int64 array
        Chronological meeting number.
    respect : int64 or float64 array
        Respect of the award (integral for schedules; fractional for rolling policies).
    origin : int8 array
        Origin code, see :data:`ORIGINS`.
    attendance : int64 array or None
        Attendance index of each entry, -1 for awards to absent members; None when entry
        ``i`` is attendance ``i`` (an aligned ledger). Tables rely on it: an award for a
        meeting its member attended carries that attendance (Respect per attendance and
        new members' Respect are summed through it).
    level_respect : int64 array or None
        For an aligned ledger whose Respect is ``level_respect[level]`` at every attendance:
        that lookup (sums then follow from level counts).
    team : int64 array or None
        The team (index into ``Measurements.team_names``, -1 for none) that each award also
        credits with the same Respect; None: the team of the award's attendance (awards to
        absent members credit no team). The Genesis fractal paid each team as much as each
        of its members from the week they joined it, also in weeks they were absent.
    """

    member: IntArray
    meeting: IntArray
    respect: RespectArray
    origin: npt.NDArray[np.int8]
    attendance: IntArray | None = None
    level_respect: IntArray | None = None
    team: IntArray | None = None
    listed_by_cell: bool = False
    """True when the policy that made the ledger lists its entries by meeting, then member,
    each (member, meeting) once (see :attr:`in_table_order`, which then trusts it). It
    describes ``member`` and ``meeting``: :meth:`with_respect` keeps it, and a ledger made
    with ``dataclasses.replace`` of other members or meetings must set it False."""
    tied_respect: RespectArray | None = None
    """Respect tied to each attendance (what :meth:`attendance_respect` sums from the
    awards) when the policy that made the ledger had it at hand; None: summed on demand.
    :meth:`with_respect` drops it, and a ledger made with ``dataclasses.replace`` of other
    amounts or attendances must set it None."""

    @classmethod
    def aligned(
        cls,
        measurements: Measurements,
        respect: RespectArray,
        origin: npt.NDArray[np.int8],
        level_respect: IntArray | None = None,
    ) -> Ledger:
        """One entry per attendance of ``measurements``."""
        return cls(
            member=measurements.att_member,
            meeting=measurements.att_order,
            respect=respect,
            origin=origin,
            level_respect=level_respect,
        )

    @classmethod
    def empty(cls, respect_dtype: type = np.int64) -> Ledger:
        nothing = np.zeros(0, dtype=np.int64)
        return cls(
            nothing, nothing, np.zeros(0, dtype=respect_dtype), np.zeros(0, dtype=np.int8), nothing
        )

    # -- facts -------------------------------------------------------------------------

    @property
    def is_aligned(self) -> bool:
        return self.attendance is None

    @property
    def is_integral(self) -> bool:
        """Whether every amount is a whole number stored as int64."""
        return self.respect.dtype.kind in "iu"

    def __len__(self) -> int:
        return len(self.respect)

    @cached_property
    def in_table_order(self) -> bool:
        """Whether the entries are listed by meeting, then member, each (member, meeting)
        once: the order of :meth:`to_frame` (so it needs no sort), and a grid of the
        awards can be filled by assignment."""
        if self.listed_by_cell:
            return True
        member_count = int(self.member.max(initial=-1)) + 1
        key = self.meeting * np.int64(max(member_count, 1))
        key += self.member
        return bool((key[1:] > key[:-1]).all())

    @property
    def total(self) -> int | float:
        """The Respect of every award."""
        total = self.respect.sum()
        return int(total) if self.is_integral else float(total)

    def team_of(self, measurements: Measurements) -> IntArray:
        """The team each entry credits (-1 for none)."""
        if self.team is not None:
            return self.team
        attendance = self.attendance_of(measurements)
        if self.attendance is None:
            return measurements.att_team
        teams = measurements.att_team
        return np.where(attendance >= 0, teams[np.maximum(attendance, 0)], -1).astype(np.int64)

    def attendance_of(self, measurements: Measurements) -> IntArray:
        """Attendance index of each entry (-1 for absent members)."""
        if self.attendance is None:
            return np.arange(measurements.attendance_count, dtype=np.int64)
        return self.attendance

    # -- changes -----------------------------------------------------------------------

    def with_respect(self, respect: RespectArray, origin: npt.NDArray[np.int8]) -> Ledger:
        """The same entries with other amounts and origins (no level lookup any more)."""
        return replace(self, respect=respect, origin=origin, level_respect=None, tied_respect=None)

    def concat(self, other: Ledger, measurements: Measurements) -> Ledger:
        """This ledger's entries followed by ``other``'s (no longer aligned)."""
        respect_dtype = np.result_type(self.respect.dtype, other.respect.dtype)
        team = None
        if self.team is not None or other.team is not None:
            team = np.concatenate([self.team_of(measurements), other.team_of(measurements)])
        return Ledger(
            member=np.concatenate([self.member, other.member]),
            meeting=np.concatenate([self.meeting, other.meeting]),
            respect=np.concatenate([self.respect, other.respect]).astype(respect_dtype),
            origin=np.concatenate([self.origin, other.origin]),
            attendance=np.concatenate(
                [self.attendance_of(measurements), other.attendance_of(measurements)]
            ),
            team=team,
        )

    # -- views -------------------------------------------------------------------------

    def attendance_respect(self, measurements: Measurements) -> RespectArray:
        """Respect per attendance: the sum of the awards tied to it (0 where none)."""
        if self.attendance is None:
            return self.respect
        if self.tied_respect is not None:
            return self.tied_respect
        if self.in_table_order:
            # each (member, meeting) once, so each attendance holds one award at most
            out = np.zeros(measurements.attendance_count, dtype=self.respect.dtype)
            tied = np.flatnonzero(self.attendance >= 0)
            out[self.attendance[tied]] = self.respect[tied]
            return out
        # shifted by one: the awards to absent members (-1) add up in slot 0, dropped
        slot = self.attendance + 1
        size = measurements.attendance_count + 1
        if self.is_integral:
            return kernels.group_sum(slot, self.respect.astype(np.int64, copy=False), size)[1:]
        return np.bincount(slot, weights=self.respect, minlength=size)[1:]

    def to_frame(self, measurements: Measurements) -> pd.DataFrame:
        """The awards (entries with an origin) as a table: ``MemberID`` (categorical),
        ``MeetingID``, ``MeetingDate``, ``Respect``, ``Origin``, by meeting then member."""
        awarded = self.origin != NONE
        every = bool(awarded.all())
        order: npt.NDArray[np.intp] | None
        if self.in_table_order:  # already by meeting, then member
            order = None if every else np.flatnonzero(awarded)
        elif every and self.attendance is None:
            # the attendance: its order by member, then meeting (pair_order), sorted stably
            # by meeting (one counting sort instead of two)
            pairs = measurements.pair_order
            by_meeting_first = kernels.counting_sort(
                measurements.pairs["meeting"], measurements.meeting_count
            )[0]
            order = pairs[by_meeting_first]
        elif every:
            order = kernels.sort_order([self.meeting, self.member])
        else:
            kept = np.flatnonzero(awarded)
            order = kept[kernels.sort_order([self.meeting[kept], self.member[kept]])]

        def ordered(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return values if order is None else values[order]

        def by_meeting(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
            """The value of each award's meeting."""
            if order is None:  # runs by meeting: each value repeated (no gather)
                bounds = np.searchsorted(self.meeting, np.arange(len(values) + 1))
                return np.repeat(values, np.diff(bounds))
            return values[self.meeting[order]]

        origin = pd.Categorical.from_codes(ordered(self.origin), pd.Index(ORIGINS))
        return pd.DataFrame(
            {
                # categorical: one code per award over the members (no text copied); a
                # ledger listed by cell comes from the window kernel, whose codes index
                # member_ids by construction (not checked again)
                col.MEMBER_ID: pd.Categorical.from_codes(
                    ordered(self.member),
                    measurements.member_ids,
                    validate=not self.listed_by_cell,
                ),
                col.MEETING_ID: by_meeting(measurements.meeting_ids_chronological),
                col.MEETING_DATE: by_meeting(measurements.meeting_dates_chronological),
                col.RESPECT: ordered(self.respect),
                col.ORIGIN: origin,
            },
            copy=False,
        )

    def restricted(self, source: Measurements, target: Measurements, meetings: IntArray) -> Ledger:
        """The awards of chronological ``meetings`` of ``source``, renumbered for ``target``
        (the measurements of a window of those meetings). Awards to members absent from the
        whole window are kept with ``attendance`` -1 when ``target`` knows the member;
        raises ValueError otherwise (the window cannot show them). Teams credited by name
        (``team``) keep their credit when the window names the team; a team that no
        attendee of the window belongs to cannot be shown there and loses it."""
        keep = np.isin(self.meeting, meetings)
        member_code = target.member_ids.get_indexer(source.member_ids.take(self.member[keep]))
        if (member_code < 0).any():
            raise ValueError("the window does not hold every member paid in it")
        meeting_code = target.meeting_number_of_id.reindex(
            source.meeting_ids_chronological[self.meeting[keep]]
        ).to_numpy(dtype=np.int64)
        # each award's attendance in the window: by (member, meeting)
        width = np.int64(max(target.meeting_count, 1))
        attendance_key = target.att_member * width + target.att_order
        award_key = member_code * width + meeting_code
        order = np.argsort(attendance_key, kind="stable")
        at = np.searchsorted(attendance_key[order], award_key)
        at = np.minimum(at, max(len(order) - 1, 0))
        found = len(order) > 0
        attendance = np.where(
            found & (attendance_key[order][at] == award_key) if found else False,
            order[at] if found else -1,
            -1,
        ).astype(np.int64)
        return Ledger(
            member=member_code.astype(np.int64),
            meeting=meeting_code,
            respect=self.respect[keep],
            origin=self.origin[keep],
            attendance=attendance,
            team=self._team_in(source, target, keep),
        )

    def _team_in(
        self, source: Measurements, target: Measurements, keep: npt.NDArray[np.bool_]
    ) -> IntArray | None:
        """The kept entries' team codes renumbered for ``target`` (by team name)."""
        if self.team is None:
            return None
        team = self.team[keep]
        names = source.team_names.take(np.maximum(team, 0))
        renumbered = target.team_names.get_indexer(names)
        return np.where(team >= 0, renumbered, -1).astype(np.int64)
