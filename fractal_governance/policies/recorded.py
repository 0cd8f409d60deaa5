"""Respect as recorded on chain: the ledger of an ORDAO awards export is its awards.

Today's fractals mint their Respect Game results as awards through ORDAO; what members hold
is what was minted, not what a schedule would pay. :class:`RecordedAwards` therefore takes
the awards of the export (``Table.recorded_awards``, see :mod:`fractal_governance.io.ordao`)
as they are: ranked awards (origin ``level``), even splits (``even split``) and awards on
top of the ranking (``extra award``); burned awards are left out, and an award of 0 pays
nothing. Each award is tied to its member's attendance in its meeting, if any (-1 else: an
introduction award to a member who was not ranked that meeting).

The schedule by ``mintType`` only checks denominations (the quality report lists the
mismatches); it never changes an award. ``respect_schedule`` is the schedule shown with the
data, and the one paid by level when the measurements carry no recorded awards (records of
another layout, or a meeting window, whose awards come from the whole record).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fractal_governance import ledger as awards_
from fractal_governance.io import DatasetError
from fractal_governance.io.ordao import EVEN_SPLIT, EXTRA_AWARD, RANKED
from fractal_governance.ledger import Ledger
from fractal_governance.math import RespectSchedule
from fractal_governance.measurements import Measurements
from fractal_governance.policies.base import RespectPolicy
from fractal_governance.policies.schedules import ScheduleRespect

__all__ = ["RecordedAwards"]

_ORIGIN_OF_KIND = np.zeros(max(RANKED, EVEN_SPLIT, EXTRA_AWARD) + 1, np.int8)
_ORIGIN_OF_KIND[RANKED] = awards_.LEVEL
_ORIGIN_OF_KIND[EVEN_SPLIT] = awards_.EVEN_SPLIT
_ORIGIN_OF_KIND[EXTRA_AWARD] = awards_.EXTRA_AWARD


@dataclass(frozen=True)
class RecordedAwards(RespectPolicy):
    """The ledger is the recorded awards (burned ones out); see the module docstring.

    Parameters
    ----------
    respect_schedule : RespectSchedule, optional
        The schedule shown with the data and paid by level to measurements without
        recorded awards (None: such measurements are refused).
    """

    respect_schedule: RespectSchedule | None = None

    uses_history = True  # a meeting window takes its awards from the whole record

    def __post_init__(self) -> None:
        if self.respect_schedule is not None and not isinstance(
            self.respect_schedule, RespectSchedule
        ):
            raise TypeError(
                "respect_schedule must be a RespectSchedule or None, got "
                f"{type(self.respect_schedule).__name__}"
            )

    @property
    def schedule(self) -> RespectSchedule | None:
        return self.respect_schedule

    def with_schedule(self, schedule: RespectSchedule) -> RespectPolicy:
        return RecordedAwards(schedule)

    def describe(self) -> str:
        text = "the recorded awards (ORDAO), as minted"
        if self.respect_schedule is not None:
            text += f"; levels by {self.respect_schedule.describe()}"
        return text

    def ledger(self, measurements: Measurements) -> Ledger:
        recorded = measurements.table.recorded_awards
        if recorded is None:
            if self.respect_schedule is None:
                raise DatasetError(
                    f"{measurements.table.source}: has no recorded awards (an ORDAO export) "
                    "and the policy has no schedule to pay levels by"
                )
            return ScheduleRespect(self.respect_schedule).ledger(measurements)
        active = ~recorded.burned
        everything = bool(active.all())
        respect = recorded.denomination if everything else recorded.denomination[active]
        kind = recorded.kind if everything else recorded.kind[active]
        origin = np.where(respect != 0, _ORIGIN_OF_KIND[kind], awards_.NONE).astype(np.int8)
        tied = recorded.attendance if everything else recorded.attendance[active]
        if (
            len(tied) == measurements.attendance_count
            and measurements.deciding_rows is None
            and np.array_equal(tied, np.arange(len(tied)))
        ):
            # one award per attendance, in its order: an aligned ledger
            return Ledger.aligned(measurements, respect, origin)
        attendance = np.where(
            tied >= 0, measurements.row_attendance[np.maximum(tied, 0)], -1
        ).astype(np.int64)
        member_code = measurements.member_ids.get_indexer(recorded.member_ids)
        member = member_code[recorded.member if everything else recorded.member[active]]
        meeting_ids = recorded.meeting_id if everything else recorded.meeting_id[active]
        return Ledger(
            member=member.astype(np.int64),
            meeting=_chronological(measurements, meeting_ids),
            respect=respect,
            origin=origin,
            attendance=attendance,
        )


def _chronological(
    measurements: Measurements, meeting_ids: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """The chronological number of each meeting ID (every one is a meeting of the rows)."""
    chronological = measurements.meeting_ids_chronological
    order = np.argsort(chronological, kind="stable")
    at = np.searchsorted(chronological[order], meeting_ids)
    return order[at].astype(np.int64)
