"""How evenly Respect is spread: Gini coefficient, top shares, Nakamoto coefficient, Lorenz curve.

All functions take the Respect held by each member (non-negative numbers, one per member)
in any order. They answer whether a fractal spreads influence more evenly than a
token-weighted (plutocratic) system, and whether concentration grows over time
(:func:`cumulative_gini_by_meeting`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance import _kernels as kernels

__all__ = [
    "RespectDistribution",
    "cumulative_gini_by_meeting",
    "cumulative_gini_of_member_runs",
    "gini",
    "lorenz_curve",
    "nakamoto_coefficient",
    "respect_distribution",
    "top_share",
]

POPULATION_SHARE = "PopulationShare"
RESPECT_SHARE = "RespectShare"


def _holdings(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Values as a flat float array; ``ValueError`` for NaN or negative entries."""
    array = np.asarray(values, dtype=np.float64).ravel()
    if array.size and not np.isfinite(array).all():
        raise ValueError("Respect values must be finite numbers (no NaN or infinity)")
    if array.size and array.min() < 0:
        raise ValueError(f"Respect values must be >= 0, got {array.min()}")
    return array


def _dot(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> float:
    """Inner product without BLAS: multithreaded BLAS ``dot`` stalls on a busy machine."""
    return float(np.einsum("i,i->", a, b))


def _gini_of_sorted(ascending: npt.NDArray[np.float64]) -> float:
    """Gini of values already sorted ascending (non-empty, positive total)."""
    n = ascending.size
    total = float(ascending.sum())
    # Sum over pairs i < j of |x_i - x_j| equals sum((2i - n - 1) * x_(i)) for i = 1..n;
    # the Gini coefficient is that sum divided by n * total.
    weights = 2.0 * np.arange(1, n + 1, dtype=np.float64) - (n + 1)
    pair_differences = _dot(weights, ascending)
    return min(1.0, max(0.0, pair_differences / (n * total)))


def gini(values: npt.ArrayLike) -> float:
    """Gini coefficient of the Respect held by each member.

    0 means everyone holds the same; ``(n - 1) / n`` is the maximum for ``n`` members (one
    member holds everything). This is the sample form ``sum_i sum_j |x_i - x_j| / (2 n^2
    mean)``.

    Returns
    -------
    float
        NaN for no members, 0.0 when nobody holds any Respect.

    Examples
    --------
    >>> gini([0, 0, 0, 1])
    0.75
    """
    array = _holdings(values)
    if array.size == 0:
        return float("nan")
    if array.sum() == 0:
        return 0.0
    return _gini_of_sorted(np.sort(array))


def top_share(values: npt.ArrayLike, fraction: float) -> float:
    """Share of all Respect held by the top ``fraction`` of members (0 < fraction <= 1).

    The top group is the ``ceil(fraction * n)`` members with the most Respect, so it always
    has at least one member. NaN for no members or when nobody holds any Respect.
    """
    if not (0 < fraction <= 1):
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    array = _holdings(values)
    total = float(array.sum())
    if array.size == 0 or total == 0:
        return float("nan")
    # The small tolerance keeps e.g. 0.3 * 10 = 3.0000000000000004 at 3 members.
    count = max(1, math.ceil(fraction * array.size - 1e-9))
    top = np.partition(array, array.size - count)[array.size - count :]
    return float(top.sum()) / total


def nakamoto_coefficient(values: npt.ArrayLike, threshold: float = 0.5) -> int:
    """Fewest members who together hold more than ``threshold`` of all Respect.

    ``threshold`` is a share in (0, 1); the default 0.5 asks for more than half.
    0 for no members or when nobody holds any Respect.
    """
    if not (0 < threshold < 1):
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    array = _holdings(values)
    total = float(array.sum())
    if array.size == 0 or total == 0:
        return 0
    running = np.cumsum(np.sort(array)[::-1])
    return int(np.argmax(running > threshold * total)) + 1


def lorenz_curve(values: npt.ArrayLike) -> pd.DataFrame:
    """Points of the Lorenz curve: share of Respect held by the poorest share of members.

    Returns
    -------
    DataFrame
        Columns ``PopulationShare`` and ``RespectShare``, ``n + 1`` rows from (0, 0) to
        (1, 1), both columns non-decreasing. When nobody holds Respect the curve is the
        line of equality; with no members it is just the two end points.
    """
    array = np.sort(_holdings(values))
    n = array.size
    if n == 0:
        return pd.DataFrame({POPULATION_SHARE: [0.0, 1.0], RESPECT_SHARE: [0.0, 1.0]})
    population = np.arange(n + 1, dtype=np.float64) / n
    total = float(array.sum())
    if total == 0:
        respect = population.copy()
    else:
        respect = np.concatenate(([0.0], np.cumsum(array) / total))
        respect[-1] = 1.0  # exact end point despite rounding
    return pd.DataFrame({POPULATION_SHARE: population, RESPECT_SHARE: respect})


@dataclass(frozen=True)
class RespectDistribution:
    """Summary of how Respect is spread over members (see :func:`respect_distribution`)."""

    member_count: int
    total_respect: float
    gini: float
    top_10_percent_share: float
    top_20_percent_share: float
    nakamoto_coefficient: int


def respect_distribution(values: npt.ArrayLike) -> RespectDistribution:
    """Gini, top 10% / 20% shares and Nakamoto coefficient of the Respect per member."""
    array = _holdings(values)
    return RespectDistribution(
        member_count=int(array.size),
        total_respect=float(array.sum()),
        gini=gini(array),
        top_10_percent_share=top_share(array, 0.1),
        top_20_percent_share=top_share(array, 0.2),
        nakamoto_coefficient=nakamoto_coefficient(array),
    )


@dataclass(frozen=True)
class _Histories:
    """One entry per (meeting, member) pair, ordered by meeting.

    ``previous`` is the index of the member's previous pair (-1 at their first meeting);
    ``after`` is the member's holding after the meeting and ``earned`` what they earned in it.
    """

    meeting_labels: pd.Index
    member_count: int
    pair_meeting: npt.NDArray[np.int64]
    previous: npt.NDArray[np.int64]
    earned: npt.NDArray[np.float64]
    after: npt.NDArray[np.float64]


def _histories(
    meeting_ids: npt.ArrayLike, member_ids: npt.ArrayLike, respect: npt.ArrayLike
) -> _Histories:
    meetings = np.asarray(meeting_ids).ravel()
    members = np.asarray(member_ids).ravel()
    amounts = np.asarray(respect, dtype=np.float64).ravel()
    if not (meetings.size == members.size == amounts.size):
        raise ValueError(
            "meeting_ids, member_ids and respect differ in length: "
            f"{meetings.size}, {members.size}, {amounts.size}"
        )
    amounts = np.where(np.isnan(amounts), 0.0, amounts)
    if amounts.size and (not np.isfinite(amounts).all() or amounts.min() < 0):
        raise ValueError("Respect values must be finite and >= 0")
    meeting_codes, meeting_labels = pd.factorize(meetings, sort=True)
    member_codes, member_labels = pd.factorize(members)
    if (meeting_codes < 0).any() or (member_codes < 0).any():
        raise ValueError("meeting_ids and member_ids must not be missing")
    # Sum the rows of each (member, meeting) pair (several rounds); sorted by member first,
    # so each member's pairs are consecutive and in meeting order.
    member_count = len(member_labels)
    meeting_count = len(meeting_labels)
    key = member_codes.astype(np.int64) * meeting_count + meeting_codes
    pair_key, inverse = np.unique(key, return_inverse=True)
    earned = np.bincount(inverse.ravel(), weights=amounts, minlength=pair_key.size).astype(
        np.float64
    )
    pair_member = pair_key // meeting_count
    pair_meeting = pair_key % meeting_count
    first = np.ones(pair_key.size, dtype=np.bool_)
    first[1:] = pair_member[1:] != pair_member[:-1]
    # Running sum restarted per member (exact in meeting order, also for fractions).
    after = pd.Series(earned).groupby(pair_member, sort=False).cumsum().to_numpy(np.float64)
    # Reorder by meeting (stable: a radix sort for small codes), mapping each pair's
    # predecessor (the member's previous pair) to its new position.
    order = np.argsort(kernels.radix_key(pair_meeting, meeting_count), kind="stable")
    position = np.empty(order.size, dtype=np.int64)
    position[order] = np.arange(order.size, dtype=np.int64)
    previous = np.full(pair_key.size, -1, dtype=np.int64)
    previous[1:] = np.where(first[1:], -1, position[:-1])
    pair_meeting, previous = pair_meeting[order], previous[order]
    earned, after = earned[order], after[order]
    return _Histories(
        meeting_labels=pd.Index(meeting_labels, name="MeetingID"),
        member_count=member_count,
        pair_meeting=pair_meeting,
        previous=previous,
        earned=earned,
        after=after,
    )


HISTOGRAM_VALUES_PER_MEMBER = 4
HISTOGRAM_VALUES = 1000
""":func:`cumulative_gini_by_meeting` keeps a histogram of holdings while they take at most
``HISTOGRAM_VALUES_PER_MEMBER * members + HISTOGRAM_VALUES`` distinct values, else a sorted
array of them."""


def _gini_from_pair_differences(pair_differences: float, n: int, total: float) -> float:
    if total <= 0:
        return 0.0  # nobody holds Respect yet: perfect equality
    return min(1.0, max(0.0, pair_differences / (n * total)))


def _cumulative_gini_histogram(
    h: _Histories, values: npt.NDArray[np.float64], codes: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Keep a count per distinct holding value; O(distinct values) array work per meeting.

    ``values`` are the sorted distinct holdings and ``codes`` the position of each pair's
    ``after`` among them. With ``c_k`` holders at or below ``u_k = values[k]``, the sum of
    pairwise differences is ``sum_k c_k (n - c_k) (u_(k+1) - u_k)``. Work arrays are
    allocated once: fresh large temporaries per meeting would dominate the cost.
    """
    meeting_count = len(h.meeting_labels)
    gaps = np.diff(values)
    bounds = np.searchsorted(h.pair_meeting, np.arange(meeting_count + 1))
    returning = h.previous >= 0
    old_codes = codes[np.where(returning, h.previous, 0)]
    counts = np.zeros(values.size, dtype=np.int64)
    at_or_below = np.zeros(values.size, dtype=np.int64)
    weights = np.zeros(values.size, dtype=np.float64)
    result = np.zeros(meeting_count, dtype=np.float64)
    n = 0
    total = 0.0
    top = 0  # highest code held so far: holdings never decrease, so counts above are 0
    for m in range(meeting_count):
        lo, hi = bounds[m], bounds[m + 1]
        back = returning[lo:hi]
        np.subtract.at(counts, old_codes[lo:hi][back], 1)
        added = codes[lo:hi]
        np.add.at(counts, added, 1)
        n += hi - lo - int(back.sum())
        total += float(h.earned[lo:hi].sum())
        top = max(top, int(added.max()))
        c = np.cumsum(counts[:top], out=at_or_below[:top])
        w = np.subtract(n, c, out=weights[:top])
        np.multiply(w, c, out=w)
        result[m] = _gini_from_pair_differences(_dot(w, gaps[:top]), n, total)
    return result


def _order_by_meeting_then_value(
    meeting: npt.NDArray[np.int64], value: npt.NDArray[np.float64], meeting_count: int
) -> npt.NDArray[np.intp]:
    """Like ``np.lexsort((value, meeting))``, as two stable sorts (radix for the meetings)."""
    order = np.argsort(value, kind="stable")
    return order[np.argsort(kernels.radix_key(meeting[order], meeting_count), kind="stable")]


def _cumulative_gini_sorted(h: _Histories) -> npt.NDArray[np.float64]:
    """Keep all holdings as one sorted array; O(members) array work per meeting.

    Used when holdings take many more distinct values than there are members
    (non-integral Respect). The sum of pairwise differences is
    ``2 * sum_i i * x_(i) - (n + 1) * total`` over the sorted holdings ``x``.
    """
    meeting_count = len(h.meeting_labels)
    returning = h.previous >= 0
    before = np.where(returning, h.after[np.where(returning, h.previous, 0)], 0.0)
    order = _order_by_meeting_then_value(h.pair_meeting, before, meeting_count)
    order = order[returning[order]]
    old_meeting, old_value = h.pair_meeting[order], before[order]
    # Position of each removal within its run of equal (meeting, value) removals, so equal
    # holdings are removed from distinct slots.
    starts = np.ones(order.size, dtype=np.bool_)
    starts[1:] = (old_meeting[1:] != old_meeting[:-1]) | (old_value[1:] != old_value[:-1])
    index = np.arange(order.size, dtype=np.int64)
    old_offset = index - np.maximum.accumulate(np.where(starts, index, 0))
    order = _order_by_meeting_then_value(h.pair_meeting, h.after, meeting_count)
    new_value = h.after[order]
    steps = np.arange(meeting_count + 1)
    old_bounds = np.searchsorted(old_meeting, steps)
    new_bounds = np.searchsorted(h.pair_meeting, steps)

    ranks = np.arange(1, h.member_count + 1, dtype=np.float64)
    keep = np.ones(h.member_count, dtype=np.bool_)  # reused removal mask, reset after use
    holdings = np.zeros(0, dtype=np.float64)
    result = np.zeros(meeting_count, dtype=np.float64)
    total = 0.0
    for m in range(meeting_count):
        lo, hi = old_bounds[m], old_bounds[m + 1]
        kept = holdings
        if hi > lo:
            slots = np.searchsorted(holdings, old_value[lo:hi]) + old_offset[lo:hi]
            keep[slots] = False
            kept = holdings[keep[: holdings.size]]
            keep[slots] = True
        lo, hi = new_bounds[m], new_bounds[m + 1]
        added = new_value[lo:hi]
        total += float(h.earned[lo:hi].sum())
        holdings = np.insert(kept, np.searchsorted(kept, added), added)
        n = holdings.size
        pair_differences = 2.0 * _dot(ranks[:n], holdings) - (n + 1) * total
        result[m] = _gini_from_pair_differences(pair_differences, n, total)
    return result


def cumulative_gini_by_meeting(
    meeting_ids: npt.ArrayLike,
    member_ids: npt.ArrayLike,
    respect: npt.ArrayLike,
    *,
    _method: str | None = None,
) -> pd.Series:
    """Gini coefficient of accumulated Respect after each meeting.

    After meeting ``m`` (in ascending MeetingID order) every member seen in meetings up to
    ``m`` holds the Respect they earned so far (members who attended without earning any,
    including NaN Respect, hold 0); the value is the :func:`gini` of those holdings.

    Parameters
    ----------
    meeting_ids, member_ids, respect : array-like of equal length
        One entry per row (a member may have several rows in one meeting, e.g. rounds).

    Returns
    -------
    Series
        Named ``Gini``, indexed by ``MeetingID`` in ascending order.

    Notes
    -----
    The (member, meeting) totals and running holdings are computed vectorized; then one
    pass over the meetings updates a histogram of holdings with array operations, costing
    O(distinct holding values) per meeting (integral Respect: at most the largest holding).
    When holdings take many more distinct values than there are members (fractional
    Respect), a sorted array of holdings is updated instead, O(members) per meeting. There
    is no Python loop over members or rows: 1,000,000 rows over 2,000 meetings and 100,000
    members take well under a second with Fibonacci Respect.
    """
    h = _histories(meeting_ids, member_ids, respect)
    if h.after.size == 0:
        return pd.Series(np.zeros(0), index=h.meeting_labels, name="Gini")
    codes, values = pd.factorize(h.after, sort=True)
    method = _method
    if method is None:
        small = values.size <= HISTOGRAM_VALUES_PER_MEMBER * h.member_count + HISTOGRAM_VALUES
        method = "histogram" if small else "sorted"
    if method == "histogram":
        result = _cumulative_gini_histogram(
            h, np.asarray(values, dtype=np.float64), codes.astype(np.int64)
        )
    elif method == "sorted":
        result = _cumulative_gini_sorted(h)
    else:
        raise ValueError(f"unknown method {method!r}")
    return pd.Series(result, index=h.meeting_labels, name="Gini")


HISTOGRAM_CELLS = 2**22
"""Cells (meetings x distinct holdings) that :func:`cumulative_gini_of_member_runs` counts
at once (int64: 32 MiB per array)."""

HISTOGRAM_LIMIT = 2 * 10**8
"""Above this many cells :func:`cumulative_gini_of_member_runs` declines (returns None)."""


def cumulative_gini_of_member_runs(
    meeting: npt.NDArray[np.integer[Any]],
    respect: npt.NDArray[np.int64],
    starts: npt.NDArray[np.bool_],
    meeting_count: int,
    earned: npt.NDArray[np.int64] | None = None,
) -> npt.NDArray[np.float64] | None:
    """Gini of accumulated Respect after each meeting, for integral Respect.

    The same numbers as :func:`cumulative_gini_by_meeting`, from attendance the caller has
    already summed per (member, meeting) and sorted by member, then meeting.

    Parameters
    ----------
    meeting : integer array
        Per (member, meeting) pair, the meeting's number ``0 .. meeting_count - 1`` (every
        meeting number occurs).
    respect : int64 array
        Respect (>= 0) the member earned in that meeting.
    starts : bool array
        True at each member's first pair.
    meeting_count : int
        Number of meetings.
    earned : int64 array, optional
        Respect earned in each meeting (the sums of ``respect`` by ``meeting``), when the
        caller has them already.

    Returns
    -------
    float64 array or None
        The Gini after each meeting; None when the holdings take so many distinct values
        that the histogram below would exceed ``HISTOGRAM_LIMIT`` cells.

    Notes
    -----
    With ``c_k`` of the ``n`` members seen so far holding at most the k-th distinct holding
    ``u_k`` and gaps ``g_k = u_(k+1) - u_k``, the sum of pairwise differences is
    ``sum_k g_k c_k (n - c_k) = n (n u_max - total) - sum_k g_k c_k**2``, and the Gini is
    that over ``n * total``. The counts form a (meeting x holding) table built from
    per-meeting changes (+1 at a member's new holding, -1 at their old one) with prefix
    sums over meetings (one accumulation per chunk, not a Python loop over rows) and over
    holdings (running sums along each row, in place). Holdings only grow, so a block of
    meetings only needs the columns from the smallest holding at its start (or of a member
    joining in it; below that every ``c_k`` is 0) up to the largest holding so far (beyond
    it every ``c_k`` is ``n``). The kernel is ``_kernels.member_runs_gini``.
    """
    if len(meeting) and not starts[0]:
        raise ValueError("starts must be True at the first pair (it starts a member's run)")
    return kernels.member_runs_gini(
        meeting,
        respect,
        starts,
        meeting_count,
        earned,
        cells_per_pass=HISTOGRAM_CELLS,
        max_cells=HISTOGRAM_LIMIT,
    )
