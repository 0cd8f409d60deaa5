"""The upstream ``measurement_uncertainty.dataset`` API: members' measurement uncertainties.

``Dataset(dataset)`` (or ``Dataset.from_dataset(dataset)``, ``Dataset.from_csv(path)``)
wraps a :class:`fractal_governance.dataset.Dataset` and exposes

- ``df_with_self_measurements`` and ``df_without_self_measurements``: indexed by
  ``MemberID``, with ``Accuracy`` (the nominal value of the measurement uncertainty) and
  ``Precision`` (its standard deviation), sorted by accuracy, ascending, like the upstream;
- ``get_member_leader_board(include_self_measurement=...)``: ``MemberID``, ``Name``,
  ``Accuracy``, ``Precision``, ``AccumulatedRespect``, ``AttendanceCount``, by precision
  (ascending), then Respect and attendance (descending), then ``MemberID``; index from 1.

Differences from the upstream: groups are keyed by (meeting, round, group), where the
upstream used (meeting, group) and so merged the two rounds' groups of a meeting; members
without a level in a group still observe it; there is no ``MeasurementUncertainty`` column
of ``uncertainties.ufloat`` (read ``Accuracy`` and ``Precision``); the leaderboard breaks ties
by Respect rather than by accumulated level. Spreads are population standard deviations, as
the upstream's ``numpy.std``. The numbers come from :mod:`fractal_governance.
measurement_quality`.
"""

from __future__ import annotations

import os
from enum import Enum, auto
from typing import Any

import pandas as pd

from fractal_governance import columns as col
from fractal_governance import dataset as core
from fractal_governance.measurement_quality import ACCURACY, PRECISION, MeasurementQuality

__all__ = [
    "ACCURACY_COLUMN_NAME",
    "LEADER_BOARD_COLUMNS",
    "PRECISION_COLUMN_NAME",
    "Dataset",
    "UncertaintyType",
]

ACCURACY_COLUMN_NAME = ACCURACY
PRECISION_COLUMN_NAME = PRECISION
LEADER_BOARD_COLUMNS = (
    col.MEMBER_ID,
    col.NAME,
    ACCURACY,
    PRECISION,
    col.ACCUMULATED_RESPECT,
    col.ATTENDANCE_COUNT,
)


class UncertaintyType(Enum):
    """Which part of a measurement uncertainty: its nominal value (accuracy) or its standard
    deviation (precision)."""

    NominalValue = auto()
    StdDev = auto()

    @property
    def column(self) -> str:
        """The column that holds this part: ``Accuracy`` or ``Precision``."""
        return ACCURACY if self is UncertaintyType.NominalValue else PRECISION


class Dataset:
    """Measurement uncertainties of a fractal governance dataset.

    Parameters
    ----------
    dataset : fractal_governance.dataset.Dataset
        The data.
    df_with_self_measurements, df_without_self_measurements : DataFrame, optional
        Precomputed tables (as the upstream's constructor took them); computed when omitted.
    """

    def __init__(
        self,
        dataset: core.Dataset,
        df_with_self_measurements: pd.DataFrame | None = None,
        df_without_self_measurements: pd.DataFrame | None = None,
    ) -> None:
        self.dataset = dataset
        self.quality = MeasurementQuality.from_dataset(dataset)
        self._frames = {
            True: df_with_self_measurements,
            False: df_without_self_measurements,
        }
        self._leader_boards: dict[bool, pd.DataFrame] = {}

    @classmethod
    def from_dataset(cls, dataset: core.Dataset) -> Dataset:
        """The measurement uncertainties of ``dataset``."""
        return cls(dataset)

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str], **kwargs: Any) -> Dataset:
        """Load a weekly CSV with ``Dataset.from_csv(path, **kwargs)``."""
        return cls(core.Dataset.from_csv(path, **kwargs))

    def _frame(self, include_self: bool) -> pd.DataFrame:
        frame = self._frames[include_self]
        if frame is None:
            members = self.quality.members(include_self)
            frame = members[[ACCURACY, PRECISION]].sort_values(ACCURACY, kind="stable")
            self._frames[include_self] = frame
        return frame

    @property
    def df_with_self_measurements(self) -> pd.DataFrame:
        """Per member (index ``MemberID``): ``Accuracy`` and ``Precision`` with self-measurement."""
        return self._frame(True)

    @property
    def df_without_self_measurements(self) -> pd.DataFrame:
        """Per member (index ``MemberID``): ``Accuracy`` and ``Precision`` without it."""
        return self._frame(False)

    def get_member_leader_board(self, *, include_self_measurement: bool) -> pd.DataFrame:
        """Members who make the most precise measurements first (see the module docstring)."""
        key = bool(include_self_measurement)
        if key not in self._leader_boards:
            board = self.quality.leaderboard(key)
            self._leader_boards[key] = board[list(LEADER_BOARD_COLUMNS)]
        return self._leader_boards[key]
