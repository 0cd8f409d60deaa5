"""Measurement quality: how accurately and precisely the members of a fractal rank each other.

A consensus level is a measurement made by a small group. This module asks, for every member
A, whether the colleagues A shared groups with were ranked differently when A was in the
group than they were over all their groups. It is a model-independent method (it needs the
levels only, no model of how members behave or of Respect).

The method, for a member A:

1. For every colleague B who shared at least one group with A, take the mean and the spread
   of B's levels in the groups A was in (``mean_AB``, ``sd_AB``), and the mean and spread of
   B's levels over all of B's groups (``mean_B``, ``sd_B``). Their difference is one
   measurement uncertainty ``mean_AB - mean_B`` with the spread ``sqrt(sd_AB**2 + sd_B**2)``
   (the two spreads added in quadrature, as for independent values).
2. A's measurement uncertainty is the mean of these differences over all colleagues B: the
   mean difference is A's **accuracy** (0: A's groups rank colleagues as everyone does), and
   the spread of that mean, ``sqrt(sum of the squared spreads) / k`` over A's ``k`` terms, is
   A's **precision** (smaller is better).
3. With self-measurement, A's own levels are one more term. It is zero with no spread by
   construction (A's levels in the groups A was in are all of A's levels), so including it
   shrinks accuracy and precision by ``k / (k + 1)``.

Estimator
    Spreads are *population* standard deviations (``ddof = 0``: divided by the number of
    levels, like ``numpy.std``), so a colleague seen once has spread 0 in A's groups. Means
    and spreads use every row with a level and a group, **both rounds** of a two-round
    meeting (each round's group measured the member again). A row without a level still puts
    its member in the group, as an observer of the others (in a two-round meeting the members
    who advance have no level in round 1, yet they ranked that group); a row without a group
    is left out.

Grouping
    A group is keyed by (meeting, round, group): group numbers restart in each round, so two
    rows of the same meeting and group number but different rounds were in different groups.

Differences from the upstream project (``fractal_governance.measurement_uncertainty`` of
matt-langston/fractal_governance, whose names and semantics
:mod:`fractal_governance.measurement_uncertainty` keeps):

- the upstream keys a group by (meeting, group) only, which merges the two rounds' groups of
  a two-round meeting into one (its record then had one round per meeting);
- it dropped rows without a level before grouping, so a member who advanced to round 2
  did not observe their round-1 group; here they do;
- it collected each colleague's levels in a set of (member, level, meeting, group), so a
  member listed twice under one key with the same level counted once; here every row counts;
- it looped over members in Python and propagated each value with the ``uncertainties``
  package; here the same first-order propagation (exact for sums and differences) is
  whole-array arithmetic, with no loop over members: :mod:`fractal_governance.comembership`
  finds who shared groups with whom and sums each member's terms.

Attendance count and mean level (the predictors of the correlations) are the core's: meetings
attended, and the mean of the level that decided each meeting (:mod:`fractal_governance.
measurements`), as in ``Dataset.df_member_summary_stats_by_member_id``.

Examples
--------
>>> from fractal_governance import datasets
>>> quality = MeasurementQuality.from_dataset(datasets.load("demo"))  # doctest: +SKIP
>>> quality.leaderboard(include_self=False).head()  # doctest: +SKIP
>>> quality.correlations(include_self=False)  # doctest: +SKIP
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from fractal_governance import columns as col
from fractal_governance.comembership import (
    MemberSums,
    PairTable,
    group_rows,
    member_sums,
    pair_table,
)

if TYPE_CHECKING:
    from fractal_governance.dataset import Dataset
    from fractal_governance.measurements import Measurements

__all__ = [
    "ACCURACY",
    "CAPTIONS",
    "COLLEAGUE_COUNT",
    "CORRELATION_COLUMNS",
    "CORRELATION_DESCRIPTION",
    "EXPLANATION",
    "INTERCEPT",
    "LEADERBOARD_DESCRIPTION",
    "MEAN_LEVEL",
    "MEASUREMENT_COUNT",
    "MEMBER_COUNT",
    "PRECISION",
    "PREDICTOR",
    "PREDICTORS",
    "P_VALUE",
    "QUANTITIES",
    "QUANTITY",
    "SLOPE",
    "SLOPE_STANDARD_ERROR",
    "MeasurementQuality",
    "R",
    "correlations",
    "leaderboard",
    "member_quality",
]

# -- column names -------------------------------------------------------------------------------
ACCURACY = "Accuracy"
PRECISION = "Precision"
COLLEAGUE_COUNT = "ColleagueCount"
"""Colleagues (other members) who shared at least one group with the member."""
MEASUREMENT_COUNT = "MeasurementCount"
"""Levels of those colleagues (and, with self-measurement, of the member) that entered."""
MEAN_LEVEL = "MeanLevel"

QUANTITIES = (ACCURACY, PRECISION)
PREDICTORS = (col.ATTENDANCE_COUNT, MEAN_LEVEL)

QUANTITY = "Quantity"
PREDICTOR = "Predictor"
R = "R"
P_VALUE = "PValue"
SLOPE = "Slope"
INTERCEPT = "Intercept"
SLOPE_STANDARD_ERROR = "SlopeStandardError"
MEMBER_COUNT = "MemberCount"
CORRELATION_COLUMNS = (
    QUANTITY,
    PREDICTOR,
    R,
    P_VALUE,
    SLOPE,
    INTERCEPT,
    SLOPE_STANDARD_ERROR,
    MEMBER_COUNT,
)

# -- what the front ends say (texts.py holds the shared formats) --------------------------------
EXPLANATION = (
    "How good are the levels the groups agree on? For each member, we look at every colleague "
    "they shared a group with and compare the colleague's levels in those groups with the "
    "colleague's levels over all their groups. The average difference is the member's "
    "**accuracy**: near 0 means that groups with this member rank people as every other group "
    "does; a positive value means colleagues were ranked higher when this member was in the "
    "group. The uncertainty of that average is the member's **precision**: smaller is better, "
    "and it shrinks as a member meets more colleagues. Self-measurement adds the member's own "
    "levels, which agree with themselves by definition, so it pulls both numbers towards 0. "
    "Spreads are population standard deviations; a group is one round's group of one meeting."
)
LEADERBOARD_DESCRIPTION = (
    "Members by precision (smallest first); ties by accumulated Respect, then attendance. "
    "Members who never shared a group with a colleague have no precision and come last."
)
CORRELATION_DESCRIPTION = (
    "Pearson correlation of each member's accuracy and precision with their attendance count "
    "and mean level, with its two-sided p-value and the least-squares line."
)
CAPTIONS: dict[str, str] = {
    "measurement_quality_by_member": (
        "Accuracy of every member (sorted), with precision as error bars, with and without "
        "self-measurement."
    ),
    "measurement_accuracy_distribution": "Distribution of accuracy, with a normal fit.",
    "measurement_precision_distribution": "Distribution of precision, with a normal fit.",
    "measurement_accuracy_vs_attendance": "Accuracy against attendance count.",
    "measurement_precision_vs_attendance": "Precision against attendance count.",
    "measurement_accuracy_vs_mean_level": "Accuracy against mean level.",
    "measurement_precision_vs_mean_level": "Precision against mean level.",
}
"""Caption of each measurement-quality figure of :class:`fractal_governance.plots.Plots`."""


def member_quality(
    measurements: Measurements,
    *,
    include_self: bool = False,
    pairs: PairTable | None = None,
    sums: MemberSums | None = None,
) -> pd.DataFrame:
    """Accuracy, precision and their counts of every member in a group.

    Returns a frame indexed by ``MemberID`` (members in ``Measurements.member_ids`` order with
    at least one row in a group) with ``Accuracy``, ``Precision`` (population spreads, see the
    module docstring), ``ColleagueCount``, ``MeasurementCount``, ``AttendanceCount`` and
    ``MeanLevel``. A member who never shared a group with a colleague who has a level there
    has NaN accuracy and precision without self-measurement, and 0 with it (if the member has
    a level; the self term needs one).
    """
    if sums is None:
        if pairs is None:
            pairs = pair_table(group_rows(measurements))
        sums = member_sums(pairs)
    colleagues = sums.colleagues
    own_count = sums.own_count
    levels_seen = sums.levels_seen
    terms = colleagues + (own_count > 0).astype(np.int64) if include_self else colleagues
    if include_self:
        levels_seen = levels_seen + own_count
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.where(terms > 0, sums.difference_sum / terms, np.nan)
        precision = np.where(terms > 0, np.sqrt(sums.variance_sum) / terms, np.nan)

    level_sums = measurements.member_level_sums
    with np.errstate(invalid="ignore", divide="ignore"):
        ranked = level_sums["ranked"]
        mean_level = np.where(ranked > 0, level_sums["rank"] / np.maximum(ranked, 1), np.nan)
    present = sums.present
    frame = pd.DataFrame(
        {
            ACCURACY: accuracy,
            PRECISION: precision,
            COLLEAGUE_COUNT: colleagues,
            MEASUREMENT_COUNT: levels_seen.astype(np.int64),
            col.ATTENDANCE_COUNT: level_sums["attendance"].astype(np.int64),
            MEAN_LEVEL: mean_level.astype(np.float64),
        },
        index=measurements.member_ids,
    )
    return frame if present.all() else frame[present]


def correlations(members: pd.DataFrame) -> pd.DataFrame:
    """The Pearson correlation of accuracy and precision with attendance count and mean level.

    ``members`` is a :func:`member_quality` table. One row per (quantity, predictor), in the
    order (Accuracy, AttendanceCount), (Precision, AttendanceCount), (Accuracy, MeanLevel),
    (Precision, MeanLevel): ``R`` (Pearson's r), ``PValue`` (two-sided, for no correlation),
    ``Slope``, ``Intercept`` and ``SlopeStandardError`` of the least-squares line
    (``scipy.stats.linregress``) and ``MemberCount``, the members with both values. Fewer than
    three members, or a constant predictor or quantity, give NaN.
    """
    import scipy.stats  # imported here: slow to import

    records = []
    for predictor in PREDICTORS:
        for quantity in QUANTITIES:
            x = members[predictor].to_numpy(dtype=np.float64)
            y = members[quantity].to_numpy(dtype=np.float64)
            finite = np.isfinite(x) & np.isfinite(y)
            x, y = x[finite], y[finite]
            values = [np.nan] * 5
            if len(x) >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
                fit = scipy.stats.linregress(x, y)
                values = [fit.rvalue, fit.pvalue, fit.slope, fit.intercept, fit.stderr]
            records.append([quantity, predictor, *map(float, values), len(x)])
    return pd.DataFrame.from_records(records, columns=list(CORRELATION_COLUMNS))


def leaderboard(members: pd.DataFrame, member_board: pd.DataFrame) -> pd.DataFrame:
    """Members by precision, best (smallest) first; index from 1.

    ``members`` is a :func:`member_quality` table, ``member_board`` the dataset's
    ``df_member_leader_board`` (for ``Name`` and ``AccumulatedRespect``). Ties by
    ``AccumulatedRespect`` (descending), then ``AttendanceCount`` (descending), then
    ``MemberID``; members without a precision come last. Columns: ``MemberID``, ``Name``,
    ``Accuracy``, ``Precision``, ``ColleagueCount``, ``MeasurementCount``,
    ``AccumulatedRespect``, ``AttendanceCount``.
    """
    board = member_board.set_index(col.MEMBER_ID)
    where = board.index.get_indexer(members.index)
    respect = board[col.ACCUMULATED_RESPECT].to_numpy()[where]
    precision = members[PRECISION].to_numpy(dtype=np.float64)
    attendance = members[col.ATTENDANCE_COUNT].to_numpy(dtype=np.int64)
    order = np.lexsort(
        (
            np.arange(len(members)),  # MemberID order: members are in ID order
            -attendance,
            -respect.astype(np.float64),
            np.where(np.isnan(precision), np.inf, precision),
            np.isnan(precision),
        )
    )
    table = pd.DataFrame(
        {
            col.MEMBER_ID: members.index.array.take(order),
            col.NAME: board[col.NAME].array.take(where[order]),
            ACCURACY: members[ACCURACY].to_numpy()[order],
            PRECISION: precision[order],
            COLLEAGUE_COUNT: members[COLLEAGUE_COUNT].to_numpy()[order],
            MEASUREMENT_COUNT: members[MEASUREMENT_COUNT].to_numpy()[order],
            col.ACCUMULATED_RESPECT: respect[order],
            col.ATTENDANCE_COUNT: attendance[order],
        },
        index=pd.RangeIndex(1, len(members) + 1),
    )
    return table


class MeasurementQuality:
    """Measurement quality of one dataset, with and without self-measurement (cached).

    Parameters
    ----------
    measurements : Measurements
        The levels and groups (``Dataset.measurements``).
    member_board : DataFrame, optional
        The dataset's ``df_member_leader_board`` (needed by :meth:`leaderboard` only).
    """

    def __init__(
        self, measurements: Measurements, member_board: pd.DataFrame | None = None
    ) -> None:
        self.measurements = measurements
        self.member_board = member_board
        self._members: dict[bool, pd.DataFrame] = {}
        self._correlations: dict[bool, pd.DataFrame] = {}
        self._leaderboards: dict[bool, pd.DataFrame] = {}

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> MeasurementQuality:
        return cls(dataset.measurements, dataset.df_member_leader_board)

    @cached_property
    def pairs(self) -> PairTable:
        """The co-membership table (shared by both settings)."""
        return pair_table(group_rows(self.measurements))

    @cached_property
    def sums(self) -> MemberSums:
        """The per-member sums (shared by both settings)."""
        return member_sums(self.pairs)

    def members(self, include_self: bool = False) -> pd.DataFrame:
        """:func:`member_quality` (a copy: the cached table stays as it is)."""
        if include_self not in self._members:
            self._members[include_self] = member_quality(
                self.measurements, include_self=include_self, sums=self.sums
            )
        return self._members[include_self].copy()

    def correlations(self, include_self: bool = False) -> pd.DataFrame:
        """:func:`correlations` of :meth:`members`."""
        if include_self not in self._correlations:
            self._correlations[include_self] = correlations(self.members(include_self))
        return self._correlations[include_self].copy()

    def leaderboard(self, include_self: bool = False) -> pd.DataFrame:
        """:func:`leaderboard` of :meth:`members`."""
        if self.member_board is None:
            raise ValueError("the leaderboard needs the dataset's member leaderboard (Respect)")
        if include_self not in self._leaderboards:
            self._leaderboards[include_self] = leaderboard(
                self.members(include_self), self.member_board
            )
        return self._leaderboards[include_self].copy()
