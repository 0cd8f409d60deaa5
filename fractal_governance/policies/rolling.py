"""Rolling policies: Respect paid by a moving statistic of a member's past levels.

Such policies pay members in weeks they were absent too, so their ledgers are not aligned
with attendance. :class:`RollingMeanRespect` is the plain form: the mean of a member's
levels over the last ``window`` meetings (absences count 0), paid through the schedule
interpolated between levels. The Genesis fractal's Addendum 1 is a refinement of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from fractal_governance import _kernels as kernels
from fractal_governance import ledger as awards
from fractal_governance.ledger import Ledger
from fractal_governance.math import GENESIS, RespectSchedule
from fractal_governance.measurements import Measurements
from fractal_governance.policies.base import RespectPolicy
from fractal_governance.policies.schedules import ScheduleRespect

__all__ = ["RollingMeanRespect", "WindowLevelSums", "rolling_mean_levels", "window_level_sums"]

IntArray = npt.NDArray[np.int64]


class WindowLevelSums(NamedTuple):
    """Sums of levels over trailing windows (see :func:`window_level_sums`)."""

    member: IntArray
    meeting: IntArray
    sum: npt.NDArray[np.integer[Any]]
    attendance: IntArray
    """Per cell, its attendance (-1: the member was absent)."""
    attendance_sum: npt.NDArray[np.integer[Any]]
    """Per attendance, the sum of its own cell (0 where no level is in the window)."""


def rolling_mean_levels(
    measurements: Measurements, window: int
) -> tuple[IntArray, IntArray, npt.NDArray[np.float64], IntArray]:
    """Mean level of each member over the last ``window`` meetings, at every meeting where
    it is above 0: member codes, chronological meetings, means, attendance index (-1 where
    the member was absent). Sorted by meeting, then member (the order of the ledger's
    table)."""
    found = window_level_sums(measurements, window)
    return found.member, found.meeting, found.sum / window, found.attendance


def window_level_sums(measurements: Measurements, window: int) -> WindowLevelSums:
    """:func:`rolling_mean_levels` with the sums of levels in place of their means, and
    the sum of each attendance's own cell.

    Each attendance adds its level to its meeting and the ``window - 1`` meetings after it
    (no Python loop: ``attendance x window`` contributions, summed by key). When a dense
    (meeting x member) grid pays, :func:`~fractal_governance._kernels.trailing_window_sums`
    gives the same sums by adding the grid to itself shifted by 1 to ``window - 1``
    meetings.
    """
    m = measurements
    k, n = m.meeting_count, m.member_count
    found = kernels.trailing_window_sums(
        m.att_member, m.att_order, m.att_level, n, k, window, entries=True
    )
    if found is not None and found.entry is not None and found.entry_sum is not None:
        # each cell's entry is its attendance (one per member and meeting; -1: absent)
        return WindowLevelSums(found.member, found.meeting, found.sum, found.entry, found.entry_sum)
    offsets = np.arange(window, dtype=np.int64)
    member = np.repeat(m.att_member, window)
    meeting = (m.att_order[:, None] + offsets[None, :]).ravel()
    level = np.repeat(m.att_level, window)
    inside = (meeting < k) & (level > 0)
    width = np.int64(max(n, 1))
    codes, keys = kernels.dense_codes(meeting[inside] * width + member[inside])
    total = kernels.group_sum(codes, level[inside], len(keys))
    key_meeting, key_member = np.divmod(keys, width)
    attendance_key = m.att_order * width + m.att_member
    order = np.argsort(attendance_key, kind="stable")
    sorted_keys = attendance_key[order]
    at = np.clip(np.searchsorted(sorted_keys, keys), 0, max(len(order) - 1, 0))
    hit = (sorted_keys[at] == keys) if len(order) else np.zeros(len(keys), dtype=bool)
    attendance = np.where(hit, order[at] if len(order) else -1, -1).astype(np.int64)
    attendance_sum = np.zeros(m.attendance_count, dtype=total.dtype)
    attendance_sum[attendance[hit]] = total[hit]
    return WindowLevelSums(key_member, key_meeting, total, attendance, attendance_sum)


@dataclass(frozen=True)
class RollingMeanRespect(RespectPolicy):
    """Each member earns, at every meeting, the schedule's Respect at their mean level over
    the last ``window`` meetings (absent: level 0), interpolated linearly between levels
    (mean 0: nothing; mean 3.5: halfway between levels 3 and 4)."""

    window: int = 6
    respect_schedule: RespectSchedule = GENESIS

    uses_history = True

    def __post_init__(self) -> None:
        if not isinstance(self.window, int) or self.window < 1:
            raise ValueError(f"window must be a whole number >= 1, got {self.window!r}")

    @property
    def schedule(self) -> RespectSchedule:
        return self.respect_schedule

    def with_schedule(self, schedule: RespectSchedule) -> RespectPolicy:
        return RollingMeanRespect(self.window, schedule)

    def describe(self) -> str:
        return (
            f"rolling mean of levels over {self.window} meetings, paid by the "
            f"{self.respect_schedule.describe()}"
        )

    def ledger(self, measurements: Measurements) -> Ledger:
        member, meeting, sums, attendance, attendance_sum = window_level_sums(
            measurements, self.window
        )
        lookup = ScheduleRespect(self.respect_schedule).lookup(measurements)
        # the mean is a sum over the window: one interpolated Respect per possible sum
        possible = np.arange(int(sums.max(initial=0)) + 1, dtype=np.float64) / self.window
        by_sum = np.interp(possible, np.arange(len(lookup), dtype=np.float64), lookup)
        respect = by_sum[sums]
        return Ledger(
            member=member,
            meeting=meeting,
            respect=respect.astype(np.float64, copy=False),
            origin=np.full(len(member), awards.ROLLING, dtype=np.int8),
            attendance=attendance,
            listed_by_cell=True,  # by meeting, then member (window_level_sums' order)
            # an attendance holds the award of its cell, if any (level sum 0: Respect 0)
            tied_respect=by_sum[attendance_sum].astype(np.float64, copy=False),
        )
