"""Weighted rolling means of levels (Fractally White Paper Addendum 1), vectorized.

Each member has a level for every meeting of the record, 0 where they were absent or got
no level. Meetings are numbered chronologically from 0. With window ``w`` and
``q = (w - 1) / w``, the three algorithms of the upstream project (matt-langston/
fractal_governance at 916618a, ``fractal_governance/addendum_1/weighted_means.py``) are:

* ``ROLLING_MEAN``: the mean of the member's levels in the last ``w`` meetings;
* ``WEIGHTED_ROLLING_MEAN``: ``q`` times the mean of the ``w`` meetings before this one, plus
  this meeting's level over ``w``;
* ``WEIGHTED_ROLLING_MEAN_WITH_HYSTERESIS`` (Team fractally's "5xn6", the default):
  ``m[t] = q * m[t - 1] + level[t] / w``; a member's history resets (``m[t] = 0``) when they
  had no level in the last ``requirement`` meetings (from meeting ``w`` on).

In all three, the first ``w`` meetings of the record take the progressive mean: the sum of
the levels so far over ``w``.

The hysteresis mean is a linear recurrence over each member's attendances, solved with a
doubling scan (``log2`` of the longest run of steps); the two windowed means are sums of
contributions at ``w + 1`` offsets. No Python loop over members or meetings.
"""

from __future__ import annotations

import enum
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from fractal_governance import _kernels as kernels
from fractal_governance.measurements import Measurements

__all__ = [
    "WeightedMeanAlgorithm",
    "WeightedMeanCells",
    "attendance_at",
    "linear_scan",
    "weighted_mean_levels",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class WeightedMeanAlgorithm(enum.Enum):
    """How a member's weighted mean level is computed (see the module's text)."""

    ROLLING_MEAN = "rolling mean"
    WEIGHTED_ROLLING_MEAN = "weighted rolling mean"
    WEIGHTED_ROLLING_MEAN_WITH_HYSTERESIS = "weighted rolling mean with hysteresis"


class WeightedMeanCells(NamedTuple):
    """Weighted mean levels where they are above 0, sorted by member, then meeting."""

    member: IntArray
    meeting: IntArray
    mean: FloatArray
    attendance: IntArray
    """The attendance index at that (member, meeting), -1 where the member was absent."""


def linear_scan(a: FloatArray, b: FloatArray) -> FloatArray:
    """``x[k] = a[k] * x[k - 1] + b[k]`` with ``x[-1] = 0``, by doubling (``a[k] = 0``
    starts a new run)."""
    x = np.array(b, dtype=np.float64)
    carry = np.array(a, dtype=np.float64)
    d = 1
    n = len(x)
    while d < n:
        x[d:] += carry[d:] * x[:-d]
        carry[d:] = carry[d:] * carry[:-d]
        d *= 2
        if d >= n or not carry[d:].any():
            break
    return x


def _levelled(measurements: Measurements) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Attendances with a level, sorted by member then meeting: member, meeting, level and
    the attendance index."""
    m = measurements
    order = m.pair_order
    if not m.att_has_level.all():
        order = order[m.att_has_level[order]]
    return m.att_member[order], m.att_order[order], m.att_level[order], order


def attendance_at(measurements: Measurements, member: IntArray, meeting: IntArray) -> IntArray:
    """The attendance index at each (member, meeting), -1 where there is none."""
    m = measurements
    width = np.int64(max(m.meeting_count, 1))
    order = m.pair_order
    keys = m.att_member[order] * width + m.att_order[order]  # ascending
    wanted = member * width + meeting
    if not len(keys):
        return np.full(len(wanted), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, order[at], -1).astype(np.int64)


def _hysteresis(
    measurements: Measurements, window: int, requirement: int, first: int
) -> tuple[IntArray, IntArray, FloatArray, IntArray | None]:
    """The cells (member, meeting, mean) and, when every attendance has a level, their
    attendance index (else None: the caller looks it up)."""
    member, meeting, level, attendance = _levelled(measurements)
    k = measurements.meeting_count
    q = (window - 1) / window
    exponent = np.maximum(meeting, window - 1)  # the first w meetings do not decay
    same = np.zeros(len(member), dtype=np.bool_)
    same[1:] = member[1:] == member[:-1]
    previous = np.empty_like(meeting)
    previous[1:] = meeting[:-1]
    previous[:1] = 0
    # a reset between two levels: some meeting r >= w with no level in [r - R + 1, r]
    reset = np.maximum(previous + requirement, window) <= meeting - 1
    steps = np.zeros(len(member), dtype=np.float64)
    kept = same & ~reset
    gap = np.zeros(len(member), dtype=np.int64)
    gap[1:] = exponent[1:] - exponent[:-1]
    powers = q ** np.arange(max(k, window) + 1, dtype=np.float64)  # q ** d, looked up
    steps[kept] = powers[gap[kept]]
    state = linear_scan(steps, level / window)

    # Each level's state holds until the next level or the reset after it, decaying: a run
    # of cells from ``start`` (its meeting, or ``first``) to ``end``, expanded by repeating
    # per-level values along the runs (cells are sorted by member, then meeting).
    following = np.full(len(member), k, dtype=np.int64)
    following[:-1] = np.where(same[1:], meeting[1:], k)
    end = np.minimum(np.minimum(following, np.maximum(meeting + requirement, window)), k)
    start = np.maximum(meeting, first)
    lengths = np.maximum(end - start, 0)
    run_start = np.cumsum(lengths) - lengths  # where each level's run begins among the cells
    position = np.arange(int(lengths.sum()), dtype=np.int64)
    cell_meeting = np.repeat(start - run_start, lengths)
    cell_meeting += position
    if first >= window - 1:  # every cell decays: meeting - exponent = position + a constant
        decay = np.repeat(start - run_start - exponent, lengths)
        decay += position
    else:
        decay = np.maximum(cell_meeting, window - 1) - np.repeat(exponent, lengths)
    mean = np.repeat(state, lengths)
    mean *= powers[decay]
    cell_attendance = None
    if len(attendance) == measurements.attendance_count:
        # every attendance has a level: a cell is an attendance exactly where a level's run
        # starts at its own meeting
        cell_attendance = np.full(len(position), -1, dtype=np.int64)
        own = (lengths > 0) & (meeting >= first)
        cell_attendance[run_start[own]] = attendance[own]
    return np.repeat(member, lengths), cell_meeting, mean, cell_attendance


def _windowed(
    measurements: Measurements, window: int, algorithm: WeightedMeanAlgorithm, first: int
) -> tuple[IntArray, IntArray, FloatArray]:
    member, meeting, level, _ = _levelled(measurements)
    k = measurements.meeting_count
    w = window
    weighted = algorithm is WeightedMeanAlgorithm.WEIGHTED_ROLLING_MEAN
    span = w + 1 if weighted else w
    parts_key, parts_value = [], []
    width = np.int64(max(k, 1))
    for offset in range(span):  # a loop over window positions, vectorized over levels
        cell = meeting + offset
        inside = (cell < k) & (cell >= first)
        if weighted and offset > 0:
            weight = np.where(cell[inside] <= w - 1, 1 / w, (w - 1) / (w * w))
        else:
            weight = np.full(int(inside.sum()), 1 / w)
        parts_key.append(member[inside] * width + cell[inside])
        parts_value.append(level[inside] * weight)
    keys_all = np.concatenate(parts_key) if parts_key else np.zeros(0, dtype=np.int64)
    values = np.concatenate(parts_value) if parts_value else np.zeros(0)
    codes, keys = kernels.dense_codes(keys_all)
    mean = np.bincount(codes, weights=values, minlength=len(keys)).astype(np.float64)
    return keys // width, keys % width, mean


def weighted_mean_levels(
    measurements: Measurements,
    window: int = 6,
    requirement: int = 12,
    algorithm: WeightedMeanAlgorithm = WeightedMeanAlgorithm.WEIGHTED_ROLLING_MEAN_WITH_HYSTERESIS,
    first: int = 0,
) -> WeightedMeanCells:
    """Every member's weighted mean level at each chronological meeting ``>= first`` where
    it is above 0 (members without any level have none)."""
    if not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be a whole number >= 1, got {window!r}")
    if not isinstance(requirement, int) or requirement < 1:
        raise ValueError(f"requirement must be a whole number >= 1, got {requirement!r}")
    algorithm = WeightedMeanAlgorithm(algorithm)
    attendance: IntArray | None = None
    if algorithm is WeightedMeanAlgorithm.WEIGHTED_ROLLING_MEAN_WITH_HYSTERESIS:
        member, meeting, mean, attendance = _hysteresis(measurements, window, requirement, first)
    else:
        member, meeting, mean = _windowed(measurements, window, algorithm, first)
    positive = mean > 0
    if not positive.all():
        member, meeting, mean = member[positive], meeting[positive], mean[positive]
        attendance = None if attendance is None else attendance[positive]
    if attendance is None:
        attendance = attendance_at(measurements, member, meeting)
    return WeightedMeanCells(
        member.astype(np.int64, copy=False), meeting.astype(np.int64, copy=False), mean, attendance
    )
