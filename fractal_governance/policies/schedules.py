"""Respect by a schedule of levels: the plain Respect Game payout.

:class:`ScheduleRespect` pays each attendance the schedule's Respect for its level (an
attendance without a level earns nothing). :func:`schedule_from_text` reads the schedules a
user names on the command line or in the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fractal_governance import ledger as awards
from fractal_governance.io import DatasetError, cell_problem
from fractal_governance.ledger import Ledger
from fractal_governance.math import DOUBLED, GENESIS, OPTIMISM, RespectSchedule
from fractal_governance.measurements import Measurements
from fractal_governance.policies.base import RespectPolicy

__all__ = ["SCHEDULES", "ScheduleRespect", "schedule_from_text"]

SCHEDULES: dict[str, RespectSchedule] = {
    "genesis": GENESIS,
    "optimism": OPTIMISM,
    "eden": OPTIMISM,
    "doubled": DOUBLED,
    "zao": DOUBLED,
}
"""Schedules by the names users give them (Eden Fractal pays Optimism's; ZAO the doubled)."""


def schedule_from_text(text: str) -> RespectSchedule:
    """A schedule from a name in :data:`SCHEDULES` or a list ``a,b,c,...`` (Respect of
    levels 1, 2, 3, ...); ValueError naming what is wrong."""
    key = text.strip().lower()
    if key in SCHEDULES:
        return SCHEDULES[key]
    parts = [part.strip() for part in text.split(",")]
    if len(parts) < 2 or not all(parts):
        raise ValueError(
            f"unknown schedule {text!r}: give one of {', '.join(SCHEDULES)} or the Respect "
            "of levels 1, 2, ... separated by commas (e.g. 2,3,5,8,13,21)"
        )
    values = []
    for level, part in enumerate(parts, start=1):
        try:
            value = int(part)
        except ValueError:
            raise ValueError(
                f"schedule {text!r}: the Respect of level {level} ({part!r}) is not a whole number"
            ) from None
        if value < 0:
            raise ValueError(f"schedule {text!r}: the Respect of level {level} is negative")
        values.append(value)
    return RespectSchedule.from_table(dict(enumerate(values, start=1)), name="Custom")


@dataclass(frozen=True)
class ScheduleRespect(RespectPolicy):
    """Each attendance earns its level's Respect in ``respect_schedule``."""

    respect_schedule: RespectSchedule = GENESIS

    def __post_init__(self) -> None:
        if not isinstance(self.respect_schedule, RespectSchedule):
            raise TypeError(
                "respect_schedule must be a RespectSchedule, got "
                f"{type(self.respect_schedule).__name__}"
            )

    @property
    def schedule(self) -> RespectSchedule:
        return self.respect_schedule

    def with_schedule(self, schedule: RespectSchedule) -> RespectPolicy:
        return ScheduleRespect(schedule)

    def describe(self) -> str:
        return self.respect_schedule.describe()

    def ledger(self, measurements: Measurements) -> Ledger:
        level = measurements.att_level  # missing levels are 0 there; 0 earns nothing
        lookup = self.lookup(measurements)
        respect: npt.NDArray[np.int64] = lookup[level]
        origin = np.where(measurements.att_has_level, awards.LEVEL, awards.NONE).astype(np.int8)
        return Ledger.aligned(measurements, respect, origin, level_respect=lookup)

    def lookup(self, measurements: Measurements) -> npt.NDArray[np.int64]:
        """Respect by level ``0 .. highest level`` (level 0: nothing); DatasetError naming
        the rows whose level the schedule does not support."""
        top = measurements.level_width - 1
        if top == 0:
            return np.zeros(1, dtype=np.int64)
        # Every level up to the highest usually has a Respect value: then no level needs
        # looking up (levels that do not occur just have no rows).
        used = np.arange(1, top + 1, dtype=np.int64)
        try:
            values = self.respect_schedule.respect_array(used)
        except ValueError:  # some level has none: look at the levels that occur
            counts = np.bincount(measurements.att_level)
            counts[0] = 0
            used = np.flatnonzero(counts)
            values = self._supported(used, measurements)
        lookup = np.zeros(top + 1, dtype=np.int64)
        lookup[used] = values
        return lookup

    def _supported(
        self, used: npt.NDArray[np.int64], measurements: Measurements
    ) -> npt.NDArray[np.int64]:
        try:
            return self.respect_schedule.respect_array(used)
        except ValueError:
            unsupported = []
            for value in used:
                try:
                    self.respect_schedule.respect_array(np.array([value]))
                except ValueError:
                    unsupported.append(int(value))
            table = measurements.table
            rows = np.flatnonzero(
                measurements.row_has_level & np.isin(measurements.row_level, unsupported)
            )
            raise DatasetError(
                cell_problem(
                    table.origin,
                    table.level_column,
                    rows,
                    table.frame[table.level_column],
                    f"has levels the {self.respect_schedule.name} Respect schedule does not "
                    f"support ({', '.join(str(v) for v in unsupported)})",
                )
            ) from None
