"""Array primitives shared by the loaders, the ``Dataset``, the quality check and fairness.

Private: the public modules wrap these. Every function takes and returns NumPy arrays (or a
pandas Series of text) and has a library twin that gives the same result more slowly
(``np.lexsort``, ``pd.factorize``, ``groupby().sum()``, ``fairness.gini`` per prefix), which
``test/test_kernels.py`` checks them against.

Thresholds are named here once:

* :func:`table_is_small`: a table of ``size`` counters is cheap next to ``rows`` rows when
  ``size <= COUNTING_FACTOR * rows + COUNTING_SLACK``; then counting (``bincount``, a
  counting sort) beats hashing or comparison sorting;
* ``EXACT_FLOAT_INT`` (``2**53``): integers below it are exact in float64, so ``bincount``
  with weights sums them exactly while the sums stay below it;
* ``MIXED_RADIX_LIMIT`` (``2**62``): the largest combined key :func:`combined_key` builds
  by arithmetic (headroom below int64's ``2**63``);
* ``RADIX_SORT_LIMIT`` (``2**16``): NumPy's stable sort is a radix sort for keys that fit
  in ``uint16``;
* ``DENSE_GRID_CELLS`` (``2**24``): the largest (meeting x member) grid that
  :func:`dense_cumulative_gini` (128 MiB of float64) and :func:`trailing_window_sums`
  (int16 or int32) build; :func:`dense_grid_pays` also asks the grid to be small next to
  the entries;
* ``ROW_LOOP_WIDTH`` (256): grids with rows at least this wide are summed down one row at
  a time (:func:`running_sum_down`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from fractal_governance import parallel

__all__ = [
    "COUNTING_FACTOR",
    "COUNTING_SLACK",
    "DENSE_GRID_CELLS",
    "EXACT_FLOAT_INT",
    "INT64_MAX",
    "MIXED_RADIX_LIMIT",
    "RADIX_SORT_LIMIT",
    "ROW_LOOP_WIDTH",
    "WindowSums",
    "combined_key",
    "counting_sort",
    "dense_codes",
    "dense_cumulative_gini",
    "dense_grid_pays",
    "duplicated_rows",
    "factorize_sorted",
    "factorize_sorted_first_rows",
    "group_sum",
    "member_runs_gini",
    "narrow",
    "non_decreasing",
    "radix_key",
    "repeated_in_order",
    "running_sum_down",
    "sort_order",
    "sorted_group_sum",
    "table_is_small",
    "take_rows",
    "trailing_window_sums",
]

IntArray = npt.NDArray[np.int64]

COUNTING_FACTOR = 4
"""Counters per row that counting may use (see :func:`table_is_small`)."""

COUNTING_SLACK = 4096
"""Counters that counting may always use, however few the rows (see :func:`table_is_small`)."""

EXACT_FLOAT_INT = 2**53
"""Integers of smaller magnitude are exact in float64."""

INT64_MAX = int(np.iinfo(np.int64).max)

MIXED_RADIX_LIMIT = 2**62
"""Largest product of part sizes :func:`combined_key` combines by arithmetic."""

RADIX_SORT_LIMIT = 2**16
"""Codes below this fit in uint16, which NumPy's stable sort sorts by radix."""

ROW_LOOP_WIDTH = 256
"""Rows at least this wide are summed down a grid one row at a time (see
:func:`running_sum_down`)."""

DENSE_GRID_CELLS = 2**24
"""Largest (meeting x member) grid the dense kernels (:func:`dense_cumulative_gini`,
:func:`trailing_window_sums`) build."""


def table_is_small(size: int, rows: int) -> bool:
    """Whether a table of ``size`` counters (or cells) is cheap next to ``rows`` rows: then
    counting (``bincount``, a counting sort) beats hashing or comparison sorting."""
    return size <= COUNTING_FACTOR * rows + COUNTING_SLACK


def non_decreasing(values: npt.NDArray[Any]) -> bool:
    """Whether ``values`` never decrease."""
    return bool((values[1:] >= values[:-1]).all())


def radix_key(key: IntArray, size: int) -> npt.NDArray[np.integer[Any]]:
    """``key`` (codes ``0 .. size - 1``) as uint16 when they fit, for a radix ``argsort``."""
    return key.astype(np.uint16) if size <= RADIX_SORT_LIMIT else key


# -- dense codes ------------------------------------------------------------------------------


def dense_codes(
    values: IntArray, *, ascending: bool = False, min_density: float = 1.0
) -> tuple[IntArray, IntArray]:
    """(code per value, labels ascending) for integers ``>= -1``, where -1 means missing.

    ``labels[codes[i]] == values[i]``; a missing value keeps code -1. Codes follow the
    sorted order of the values. A counting pass when the values are small compared with
    the row count (:func:`table_is_small`), else hashing.

    ``ascending=True`` says the values never decrease (a file listed meeting by meeting):
    consecutive values then need no counting. ``min_density < 1`` lets the values be their
    own codes (returned as they are, labels ``0 .. max``, absent labels unused) when at
    least that share of ``0 .. max`` occurs: no lookup pass, no new array. With the
    default, labels are exactly the distinct values.

    The result may be ``values`` itself (or a view of it): do not modify it.
    """
    n = len(values)
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if ascending:
        low, top = int(values[0]), int(values[-1])
        if low >= 0 and int(np.count_nonzero(values[1:] != values[:-1])) == top - low:
            return _shifted(values, low), np.arange(low, top + 1, dtype=np.int64)
    top = int(values.max())
    if top < 0:  # nothing but missing values
        return np.full(n, -1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if table_is_small(top + 1, n):
        if min_density <= 0:
            return values, np.arange(top + 1, dtype=np.int64)
        low = int(values.min())
        if low < 0:  # missing values: count value + 1, so that -1 has a counter of its own
            present = np.bincount(values + 1, minlength=top + 2)[1:] > 0
            lookup = np.cumsum(np.concatenate(([True], present)), dtype=np.int64) - 2
            lookup[0] = -1
            return lookup[values + 1], np.flatnonzero(present).astype(np.int64)
        present = np.bincount(values, minlength=top + 1) > 0
        if int(np.count_nonzero(present)) >= min_density * (top + 1):
            return values, np.arange(top + 1, dtype=np.int64)  # (all of 0 .. top by default)
        if present[low:].all():  # consecutive values (e.g. meetings 1..n): no lookup
            return values - low, np.arange(low, top + 1, dtype=np.int64)
        lookup = np.cumsum(present, dtype=np.int64) - 1
        return lookup[values], np.flatnonzero(present).astype(np.int64)
    if int(values.min()) < 0:
        present_rows = np.flatnonzero(values >= 0)
        codes, uniques = pd.factorize(values[present_rows], sort=True)
        spread = np.full(n, -1, dtype=np.int64)
        spread[present_rows] = codes
        return spread, np.asarray(uniques, dtype=np.int64)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=np.int64)


def _shifted(values: IntArray, low: int) -> IntArray:
    return values if low == 0 else values - low


def narrow(codes: IntArray, count: int) -> npt.NDArray[np.integer[Any]]:
    """``codes`` (``0 .. count - 1``) in the smallest signed integer type that holds them.

    Gathering rows in a new order reads the source at random: a source four times smaller
    stays in the processor's caches.
    """
    for small in (np.int16, np.int32):
        if count <= np.iinfo(small).max:
            return codes.astype(small)
    return codes


def factorize_sorted(series: pd.Series) -> tuple[IntArray, pd.Index]:
    """(code per row, distinct strings in ascending order); -1 for missing values.

    Same result as ``pd.factorize(series, sort=True)``, but sorts only the distinct values
    (about twice as fast on a million Arrow-backed strings).
    """
    codes, uniques, _ = _factorize_sorted(series, first_rows=False)
    return codes, uniques


def factorize_sorted_first_rows(series: pd.Series) -> tuple[IntArray, pd.Index, IntArray]:
    """:func:`factorize_sorted` plus the first row of each distinct value."""
    codes, uniques, first = _factorize_sorted(series, first_rows=True)
    assert first is not None
    return codes, uniques, first


def _factorize_sorted(
    series: pd.Series, *, first_rows: bool
) -> tuple[IntArray, pd.Index, IntArray | None]:
    """``pd.factorize`` numbers values in order of appearance, so a value first appears
    where its code exceeds every earlier code: one running maximum instead of a
    scatter-minimum. The codes are then renumbered by the rank of their value."""
    to_arrow = getattr(series.array, "__arrow_array__", None)
    complete = to_arrow is not None and to_arrow().null_count == 0  # no pass over the rows
    missing = np.zeros(0, dtype=np.bool_) if complete else series.isna().to_numpy()
    sparse = not complete and not first_rows and 2 * int(missing.sum()) > len(series)
    if sparse:
        # mostly empty (e.g. TeamName): hash only the values present
        present = np.flatnonzero(~missing)
        codes, uniques = pd.factorize(take_rows(series, present))
    else:
        codes, uniques = pd.factorize(series)
    uniques = pd.Index(uniques, dtype="str")
    order = np.asarray(uniques.argsort(), dtype=np.intp)
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    rank[-1] = -1  # code -1 (missing) stays -1
    if sparse:
        spread = np.full(len(series), -1, dtype=np.int64)
        spread[present] = rank[codes]
        return spread, uniques.take(order), None
    first = None
    if first_rows:
        seen = np.empty(len(codes), dtype=codes.dtype)
        if len(codes):
            seen[0] = -1
            np.maximum.accumulate(codes[:-1], out=seen[1:])
        first = np.flatnonzero(codes > seen).astype(np.int64)[order]
    return rank[codes], uniques.take(order), first


def take_rows(series: pd.Series, positions: npt.NDArray[np.intp]) -> pd.Series:
    """``series.take(positions)`` that does not join Arrow chunks first.

    The parallel CSV reader returns text columns as one Arrow chunk per block of the file,
    and Arrow's ``take`` on such a column first copies the chunks into one: a few thousand
    rows would cost a copy of the whole column. Here each chunk gives its own rows.
    """
    to_arrow = getattr(series.array, "__arrow_array__", None)
    chunked = to_arrow() if to_arrow is not None else None
    positions = np.asarray(positions, dtype=np.intp)
    if chunked is None or getattr(chunked, "num_chunks", 1) <= 1 or not len(positions):
        return series.take(positions)
    starts = np.cumsum([0] + [len(chunk) for chunk in chunked.chunks])
    chunk_of = np.searchsorted(starts, positions, side="right") - 1
    ascending = non_decreasing(positions)
    order = np.arange(len(positions)) if ascending else np.argsort(chunk_of, kind="stable")
    bounds = np.searchsorted(chunk_of[order], np.arange(len(starts)))
    values = pa.concat_arrays(
        [
            chunked.chunk(c).take(positions[order[bounds[c] : bounds[c + 1]]] - starts[c])
            for c in range(chunked.num_chunks)
            if bounds[c + 1] > bounds[c]
        ]
    )
    if not ascending:  # back from chunk order to the order asked for
        inverse = np.empty(len(order), dtype=np.intp)
        inverse[order] = np.arange(len(order))
        values = values.take(inverse)
    return pd.Series(
        pd.array(values, dtype=series.dtype), index=series.index[positions], name=series.name
    )


# -- keys and stable ordering -----------------------------------------------------------------


def combined_key(parts: Sequence[IntArray], bounds: Sequence[int] | None = None) -> IntArray:
    """One int64 per row that is equal exactly when all ``parts`` (non-negative ints) are.

    Mixed-radix when the result stays below ``MIXED_RADIX_LIMIT`` (no hashing at all), else
    pairwise factorization, which keeps every intermediate key below ``n**2``. ``bounds``,
    when the caller knows them, are each part's maximum plus one (saves a pass per part).
    """
    if bounds is None:
        bounds = [int(part.max(initial=0)) + 1 for part in parts]
    if int(np.prod([float(b) for b in bounds])) < MIXED_RADIX_LIMIT:
        key = parts[0].astype(np.int64)  # a copy, updated in place below
        for part, bound in zip(parts[1:], bounds[1:], strict=True):
            key *= bound
            key += part
        return key
    key = pd.factorize(parts[0])[0].astype(np.int64)
    for part in parts[1:]:
        codes = pd.factorize(part)[0].astype(np.int64)
        key = pd.factorize(key * (int(codes.max(initial=0)) + 1) + codes)[0].astype(np.int64)
    return key


def sort_order(keys: Sequence[IntArray]) -> npt.NDArray[np.intp]:
    """Stable order sorting rows by ``keys`` (dense non-negative codes, most significant first).

    One stable counting sort per key (least significant first) when the codes are small
    compared with the row count (:func:`table_is_small`), which is several times faster than
    ``lexsort`` on large tables; ``lexsort`` otherwise.
    """
    n = len(keys[0])
    if not n:
        return np.zeros(0, dtype=np.intp)
    if len(keys) > 1 and non_decreasing(keys[-1]):
        # rows already in order of the last key (e.g. files listed meeting by meeting)
        keys = keys[:-1]
    sizes = [int(k.max(initial=0)) + 1 for k in keys]
    if not all(table_is_small(size, n) for size in sizes):
        return np.lexsort(tuple(reversed(keys)))
    order = counting_sort(keys[-1], sizes[-1])[0]
    for key, size in zip(reversed(keys[:-1]), reversed(sizes[:-1]), strict=True):
        order = order[counting_sort(key[order], size)[0]]
    return order


def counting_sort(key: IntArray, size: int) -> tuple[npt.NDArray[np.intp], IntArray]:
    """(stable order sorting ``key``, count of each code) for codes ``0 .. size - 1``.

    pandas' counting sort (the one its groupby uses) where available: one pass to count,
    one to place; else NumPy's stable sort (a radix sort below ``RADIX_SORT_LIMIT``).
    """
    if _groupsort_indexer is not None:
        order, counts = _groupsort_indexer(key.astype(np.intp, copy=False), size)
        # counts[0] counts the code -1 (none here)
        return np.asarray(order, dtype=np.intp), np.asarray(counts[1:], dtype=np.int64)
    order = np.argsort(radix_key(key, size), kind="stable")
    return order, np.bincount(key, minlength=size).astype(np.int64)


try:  # a private pandas helper, so there is a fallback if a pandas release moves it
    from pandas._libs.algos import groupsort_indexer as _groupsort_indexer
except ImportError:  # pragma: no cover - depends on the pandas release
    _groupsort_indexer = None


def repeated_in_order(
    keys: Sequence[IntArray], order: npt.NDArray[np.intp]
) -> npt.NDArray[np.bool_] | None:
    """Rows whose key tuple occurs more than once, given an order that sorts the keys."""
    n = len(order)
    if n < 2:
        return None
    ordered = combined_key(keys)[order]
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return None
    repeated = np.zeros(n, dtype=np.bool_)
    repeated[order[1:][same]] = True
    repeated[order[:-1][same]] = True
    return repeated


def duplicated_rows(keys: Sequence[IntArray]) -> npt.NDArray[np.bool_] | None:
    """Rows whose key tuple (non-negative ints) occurs more than once; None if none do."""
    codes = [dense_codes(k)[0] for k in keys]
    return repeated_in_order(codes, sort_order(codes))


# -- group sums -------------------------------------------------------------------------------


def group_sum(codes: IntArray, values: IntArray, size: int) -> IntArray:
    """Exact per-code sums of int64 values (codes ``0 .. size - 1``).

    ``bincount`` (float64) when every partial sum stays below ``EXACT_FLOAT_INT``, so it is
    exact; else ``np.add.at`` in int64.
    """
    if not len(values):
        return np.zeros(size, dtype=np.int64)
    if int(np.abs(values).max()) * len(values) < EXACT_FLOAT_INT:
        return np.bincount(codes, weights=values, minlength=size).astype(np.int64)
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, codes, values)
    return out


def sorted_group_sum(codes: IntArray, values: npt.NDArray[Any], size: int) -> npt.NDArray[Any]:
    """Per-code sums of ``values`` (any number dtype, kept) for non-decreasing ``codes``
    ``0 .. size - 1``: each code is one run, summed in place with ``np.add.reduceat``
    (about four times faster than ``bincount`` with weights; int64 sums stay exact)."""
    bounds = np.searchsorted(codes, np.arange(size + 1))
    out = np.zeros(size, dtype=values.dtype)
    held = bounds[:-1] < bounds[1:]  # reduceat would give an empty run the next value
    if held.any():
        out[held] = np.add.reduceat(values, bounds[:-1][held])
    return out


# -- the cumulative Gini coefficient of members' runs ----------------------------------------

_HOLDINGS_DENSITY = 0.8
"""Holdings are their own histogram columns when at least this share of ``0 .. max`` is held."""

_HISTOGRAM_BLOCKS = 16
"""At most this many meeting blocks (of ``2**k`` meetings each)."""


def member_runs_gini(
    meeting: npt.NDArray[np.integer[Any]],
    respect: IntArray,
    starts: npt.NDArray[np.bool_],
    meeting_count: int,
    earned: IntArray | None,
    *,
    cells_per_pass: int,
    max_cells: int,
) -> npt.NDArray[np.float64] | None:
    """The Gini of accumulated integral Respect after each meeting, from (member, meeting)
    pairs sorted by member, then meeting (``starts[0]`` must be True); None when the
    histogram would exceed ``max_cells`` cells. ``cells_per_pass`` cells are counted at once.

    See ``fairness.cumulative_gini_of_member_runs`` for the parameters and the method.
    """
    if not len(meeting):
        return np.zeros(meeting_count, dtype=np.float64)
    first = np.flatnonzero(starts)
    # The holding after each meeting: one running sum, restarted at each member's first pair
    # by taking the previous member's total off there (no per-pair array of offsets).
    after = np.array(respect, dtype=np.int64)
    after[first[1:]] -= np.add.reduceat(respect, first)[:-1]
    np.cumsum(after, out=after)
    codes, values = dense_codes(after, min_density=_HOLDINGS_DENSITY)
    width = len(values)
    if width * meeting_count > max_cells:
        return None
    seen = np.cumsum(np.bincount(meeting[first], minlength=meeting_count)).astype(np.float64)
    if earned is None:
        totals = np.cumsum(np.bincount(meeting, weights=respect, minlength=meeting_count))
    else:
        totals = np.cumsum(earned).astype(np.float64)
    gaps = np.zeros(width, dtype=np.int64)
    gaps[:-1] = np.diff(values)
    u_max = float(values[-1])
    # sum_k g_k c_k**2 <= n**2 * u_max: exact in int64 when that fits (and about twice as
    # fast as summing in floating point)
    exact = int(seen[-1]) ** 2 * int(values[-1]) <= INT64_MAX
    weights = gaps if exact else gaps.astype(np.float64)

    # Meeting blocks and the columns each needs (the largest holding code so far, + 1).
    # blocks of 2**shift meetings, so a pair's block is a shift of its meeting number
    shift = max(0, (meeting_count - 1) // _HISTOGRAM_BLOCKS).bit_length()
    blocks = ((meeting_count - 1) >> shift) + 1
    block_of_meeting = np.arange(meeting_count, dtype=np.int64) >> shift
    # A member's holdings grow, so per block only their last pair in it and their first pair
    # matter for the extremes below: the pairs whose member's next pair is in a later block
    # (or who have none), and first pairs.
    own_block = np.right_shift(meeting, shift, dtype=meeting.dtype)
    last = np.ones(len(meeting), dtype=np.bool_)  # a member's last pair
    last[:-1] = starts[1:]
    edge_mask = last | starts
    edge_mask[:-1] |= own_block[1:] != own_block[:-1]
    edge = np.flatnonzero(edge_mask)
    edge_code = codes[edge]
    edge_block = own_block[edge].astype(np.int64)
    following = own_block[np.minimum(edge + 1, len(meeting) - 1)]
    next_block = np.where(last[edge], blocks, following).astype(np.int64)
    cell_counts = np.bincount(edge_block * width + edge_code, minlength=blocks * width)
    held = cell_counts.reshape(blocks, width) > 0
    block_top = width - np.argmax(held[:, ::-1], axis=1)
    block_width = np.maximum.accumulate(block_top)
    # Columns below the smallest holding of any member from a block's start on are empty
    # in that block: that holding is the smallest code of the pairs whose member's next
    # meeting (the meeting count for a last pair) is in that block or later.
    lowest = np.bincount(next_block * width + edge_code, minlength=(blocks + 1) * width)
    present = lowest.reshape(blocks + 1, width) > 0
    block_low = np.where(present.any(axis=1), np.argmax(present, axis=1), width)
    block_low = np.minimum.accumulate(block_low[::-1])[::-1][:blocks]
    # Chunks: runs of meetings in one block, at most cells_per_pass cells each; passes:
    # runs of chunks counted together.
    block_start = np.searchsorted(block_of_meeting, np.arange(blocks + 1))
    chunks: list[tuple[int, int, int, int]] = []  # meetings lo:hi, holding codes k0:k1
    for b in range(blocks):
        k0, k1 = int(block_low[b]), int(block_width[b])
        rows = max(1, cells_per_pass // (k1 - k0))
        for low in range(int(block_start[b]), int(block_start[b + 1]), rows):
            chunks.append((low, min(low + rows, int(block_start[b + 1])), k0, k1))
    pair_differences = np.zeros(meeting_count, dtype=np.float64)
    carry = np.zeros(0, dtype=np.int64)  # members per holding after the previous chunk
    carry_low = 0  # code of carry[0]
    index = 0
    while index < len(chunks):
        cells = 0
        stop = index
        while stop < len(chunks) and (
            stop == index
            or cells + (chunks[stop][1] - chunks[stop][0]) * (chunks[stop][3] - chunks[stop][2])
            <= cells_per_pass
        ):
            cells += (chunks[stop][1] - chunks[stop][0]) * (chunks[stop][3] - chunks[stop][2])
            stop += 1
        low, high = chunks[index][0], chunks[stop - 1][1]
        # where each meeting's row starts in this pass's cells
        base = np.zeros(meeting_count, dtype=np.int64)
        offset = 0
        for lo, hi, k0, k1 in chunks[index:stop]:
            base[lo:hi] = offset - k0 + np.arange(hi - lo, dtype=np.int64) * (k1 - k0)
            offset += (hi - lo) * (k1 - k0)
        # +1 at each pair's (meeting, new holding); -1 at (meeting, old holding) of the
        # member's next pair. Pairs without a cell in this pass go to a spare last cell.
        new_cells = base[meeting]
        np.add(new_cells, codes, out=new_cells)
        # A member's pair after the first leaves the holding of the pair before it: the same
        # row, (codes[j] - codes[j - 1]) columns to the left. Holdings that are their own
        # codes moved by the Respect earned; in the last pass they are not needed again, and
        # their array takes the result (one large array fewer).
        if stop == len(chunks) and codes is after:
            old_cells = np.subtract(new_cells[1:], respect[1:], out=after[:-1])
        else:
            old_cells = np.subtract(new_cells[1:], codes[1:])
            old_cells += codes[:-1]
        old_cells[starts[1:]] = cells
        if low > 0 or high < meeting_count:
            outside = (meeting < low) | (meeting >= high)
            new_cells[outside] = cells
            old_cells[outside[1:]] = cells
        counts = np.bincount(new_cells, minlength=cells + 1)
        np.subtract.at(counts, old_cells, 1)  # faster than a second count and a difference
        offset = 0
        for lo, hi, k0, k1 in chunks[index:stop]:
            w = k1 - k0
            table = counts[offset : offset + (hi - lo) * w].reshape(hi - lo, w)
            offset += (hi - lo) * w
            kept = carry[k0 - carry_low :]  # the carry below k0 is zero
            table[0, : len(kept)] += kept
            carry_low = k0
            np.add.accumulate(table, axis=0, out=table)  # prefix over meetings
            carry = table[-1].copy()
            # c_k: running sums along each row, in place (the table is not needed again)
            at_most = np.cumsum(table, axis=1, out=table)
            squares = np.einsum("mk,mk,k->m", at_most, at_most, weights[k0:k1]).astype(np.float64)
            beyond = u_max - float(values[k1]) if k1 < width else 0.0
            squares += np.square(seen[lo:hi]) * beyond
            pair_differences[lo:hi] = seen[lo:hi] * (seen[lo:hi] * u_max - totals[lo:hi]) - squares
        index = stop
    with np.errstate(invalid="ignore", divide="ignore"):
        gini = np.where(totals > 0, pair_differences / (seen * totals), 0.0)
    return np.clip(gini, 0.0, 1.0)


def dense_cumulative_gini(
    member: IntArray,
    meeting: IntArray,
    amount: npt.NDArray[Any],
    member_count: int,
    meeting_count: int,
    first_seen: IntArray | None = None,
    *,
    by_cell: bool = False,
) -> npt.NDArray[np.float64] | None:
    """Gini of accumulated holdings after each meeting, over the members seen by then.

    The twin of ``fairness.cumulative_gini_by_meeting`` for any amounts (fractional ones
    too) when the (meeting x member) grid is small enough: holdings are one cumulative sum
    down the grid, each row is sorted once, and the Gini of row ``t`` is
    ``2 sum_i i x_(i) / (n_t S_t) - (n_t + 1) / n_t`` over its ``n_t`` seen members, ``x``
    ascending. Members not seen yet hold 0 and sort first: the ``u_t`` of them add
    ``u_t S_t`` to the sum over the whole row, which is taken off (no masking).

    Parameters
    ----------
    member, meeting, amount : arrays of equal length
        Entries (awards, or attendance with amount 0): member code ``0 .. member_count -
        1``, meeting number ``0 .. meeting_count - 1``, amount (>= 0). A member is seen
        from their first entry on.
    member_count, meeting_count : int
        The grid's size.
    first_seen : int64 array, optional
        Per member, a meeting from which the member is seen even without an entry (e.g.
        their first attendance); ``meeting_count`` or more for none.
    by_cell : bool
        True when the entries are listed by meeting, then member, each cell once (as a
        rolling ledger is): the grid is then filled by assignment without checking that.

    Returns
    -------
    float64 array or None
        The Gini after each meeting (NaN while nobody is seen, 0 while nobody holds
        anything); None when the grid would exceed :data:`DENSE_GRID_CELLS` cells.
    """
    cells = meeting_count * member_count
    if cells > DENSE_GRID_CELLS or cells == 0:
        return None if cells else np.zeros(meeting_count)
    # Large grids are worked on in halves on two threads where the halves are independent:
    # the entries' checks and cells, and the sorted rows (not the sums down the grid).
    entries = len(member)

    def cells_of(low: int, high: int) -> IntArray:
        key = np.multiply(meeting[low:high], member_count, dtype=np.int64)
        key += member[low:high]
        return key

    def in_time(low: int, high: int) -> bool:
        assert first_seen is not None
        return bool((meeting[low:high] >= first_seen[member[low:high]]).all())

    if first_seen is not None and all(parallel.in_halves(entries, in_time)):
        # no entry comes before its member's first sighting: seen from first_seen on
        first = np.minimum(first_seen, meeting_count)
    else:
        counts = np.bincount(cells_of(0, entries), minlength=cells)
        entered = counts.reshape(meeting_count, member_count) > 0
        first = np.where(entered.any(axis=0), entered.argmax(axis=0), meeting_count)
        if first_seen is not None:
            first = np.minimum(first, first_seen)
    flat = np.zeros(cells, dtype=np.float64)
    if by_cell:  # each cell once: filled by assignment, the halves in cells of their own

        def fill(low: int, high: int) -> None:
            flat[cells_of(low, high)] = amount[low:high]

        parallel.in_halves(entries, fill)
    else:
        key = cells_of(0, entries)
        if len(key) and bool((key[1:] > key[:-1]).all()):  # each cell once
            flat[key] = amount
        else:
            counted = np.bincount(key, weights=amount, minlength=cells)
            flat = counted.astype(np.float64, copy=False)
    grid = flat.reshape(meeting_count, member_count)
    running_sum_down(grid)

    # members not seen yet hold 0 (no entry before their first), so they sort first with
    # the other zeros; a row's u unseen members then add u * S_t to its sum_i i x_(i)
    ranks = np.arange(1, member_count + 1, dtype=np.float64)

    def sorted_sums(low: int, high: int) -> tuple[npt.NDArray[np.float64], ...]:
        rows = grid[low:high]
        rows.sort(axis=1)
        # einsum, not ``rows @ ranks``: BLAS is quicker at the product itself, but its
        # threads then spin on the cores for a while, which slowed the rest of a 1M-row
        # build (8 % of its CPU samples in perf)
        return np.einsum("ij->i", rows), np.einsum("ij,j->i", rows, ranks)

    halves = parallel.in_halves(meeting_count, sorted_sums, size=cells)
    total = np.concatenate([half[0] for half in halves])
    weighted = np.concatenate([half[1] for half in halves])
    seen = np.bincount(first, minlength=meeting_count + 1)[:meeting_count].cumsum()
    weighted -= (member_count - seen) * total
    n = seen.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        gini = 2.0 * weighted / (n * total) - (n + 1.0) / n
    gini = np.where(total > 0, gini, 0.0)
    result: npt.NDArray[np.float64] = np.where(seen > 0, gini, np.nan)
    return result


def running_sum_down(grid: npt.NDArray[Any]) -> None:
    """Replace each row of a C-ordered 2-D ``grid`` by its sum with every row above it, in
    place (``np.cumsum(grid, axis=0)``).

    For rows of :data:`ROW_LOOP_WIDTH` cells or more, each row is added to the next, one
    contiguous pass per row: at 2,000 x 5,000 float64 about five times faster than
    ``np.cumsum``, which walks the grid down its columns. Narrower grids have so many rows
    that the calls cost more; they use ``np.cumsum``.
    """
    rows, width = grid.shape
    if width < ROW_LOOP_WIDTH:
        np.cumsum(grid, axis=0, out=grid)
        return
    for row in range(1, rows):
        np.add(grid[row], grid[row - 1], out=grid[row])


def dense_grid_pays(cells: int, entries: int) -> bool:
    """Whether a dense grid of ``cells`` cells beats sorting ``entries`` entries: it fits
    under :data:`DENSE_GRID_CELLS` and is small next to them (see :func:`table_is_small`)."""
    return 0 < cells <= DENSE_GRID_CELLS and table_is_small(cells, entries)


class WindowSums(NamedTuple):
    """Cells of a (meeting x member) grid, by meeting, then member, with their sums."""

    meeting: IntArray
    member: IntArray
    cell: IntArray
    """``meeting * member_count + member``: the cell's place on the grid."""
    sum: npt.NDArray[np.integer[Any]]
    """int16 or int32."""
    entry: IntArray | None = None
    """With ``entries=True``: the index of the entry written to each cell (the last one
    when several share it), -1 for none."""
    entry_sum: npt.NDArray[np.integer[Any]] | None = None
    """With ``entries=True``: the sum of each entry's own cell (one per entry)."""


def trailing_window_sums(
    member: IntArray,
    meeting: IntArray,
    value: IntArray,
    member_count: int,
    meeting_count: int,
    window: int,
    *,
    entries: bool = False,
) -> WindowSums | None:
    """Each (meeting, member) cell's sum of ``value`` over the member's entries in the last
    ``window`` meetings (this one included), where that sum is not 0.

    The dense twin of summing ``window`` shifted copies of the entries by key (see
    ``policies.rolling.window_level_sums``): the entries are written into an int16 or int32
    (meeting x member) grid, and the grid shifted down by ``1 .. window - 1`` meetings is
    added to it (``window - 1`` contiguous passes: a running sum down the columns, then a
    difference, took about eight times one pass).

    Values are small whole numbers ``>= 0`` (levels); None when their sums could leave
    int32.
    Entries with the same (member, meeting) are added up. They are written by assignment,
    which keeps the last of them; the grid's total then falls short of the values' total
    unless every earlier duplicate is 0, so that total decides whether they are counted
    again with ``bincount``.

    With ``entries``, each cell's entry (:attr:`WindowSums.entry`) is looked up on a second
    grid, and each entry's sum (:attr:`WindowSums.entry_sum`) on the sums; for many entries
    a worker thread does that while this one sums (see :mod:`fractal_governance.parallel`).

    Returns
    -------
    WindowSums or None
        The cells by meeting, then member, and their sums; None when
        :func:`dense_grid_pays` says no (for ``window * len(member)`` entries).
    """
    cells = member_count * meeting_count
    span = min(window, meeting_count)  # a window longer than the record sums all of it
    top = int(value.max(initial=0)) * span  # no sum is larger (unless entries repeat)
    if not dense_grid_pays(cells, span * len(member)) or top >= 2**31:
        return None
    key = np.multiply(meeting, member_count, dtype=np.int64)
    key += member
    with parallel.worker(len(member) if entries else 0) as submit:
        if entries:  # the entries' grid is filled while the sums are made
            entry_grid = submit(lambda: _entry_grid(key, cells))
        held = _held_cells(key, value, member_count, meeting_count, span, top)
        if held is None:
            return None
        cell, sums, nonzero = held
        if entries:  # and looked up while the cells' coordinates are worked out
            entry_later = submit(lambda: (entry_grid.result()[cell].astype(np.int64), sums[key]))
        # cells come by meeting: each meeting's number repeats once per cell it holds
        per_meeting = np.count_nonzero(nonzero.reshape(meeting_count, member_count), axis=1)
        meeting_of = np.repeat(np.arange(meeting_count, dtype=np.int64), per_meeting)
        member_of = np.multiply(meeting_of, member_count)
        np.subtract(cell, member_of, out=member_of)  # cell - meeting * member_count, in place
        found = WindowSums(meeting_of, member_of, cell, sums[cell])
        if entries:
            entry, entry_sum = entry_later.result()
            found = found._replace(entry=entry, entry_sum=entry_sum)
        return found


def _entry_grid(key: IntArray, cells: int) -> npt.NDArray[np.integer[Any]]:
    """A grid of ``cells`` cells holding the index of the entry at ``key`` (-1: none)."""
    dtype = np.int32 if len(key) < 2**31 else np.int64
    grid: npt.NDArray[np.integer[Any]] = np.full(cells, -1, dtype=dtype)
    grid[key] = np.arange(len(key), dtype=dtype)
    return grid


def _held_cells(
    key: IntArray, value: IntArray, member_count: int, meeting_count: int, span: int, top: int
) -> tuple[IntArray, npt.NDArray[np.integer[Any]], npt.NDArray[np.bool_]] | None:
    """The cells whose trailing window sum is not 0, the flat grid of window sums and
    where it is not 0, for the entries at grid cells ``key`` (see
    :func:`trailing_window_sums`)."""
    cells = member_count * meeting_count
    # int16 when the sums fit: the passes over the grid move half the bytes
    dtype = np.int16 if top < 2**15 else np.int32
    grid: npt.NDArray[np.integer[Any]] = np.zeros(cells, dtype=dtype)
    grid[key] = value
    if int(grid.sum(dtype=np.int64)) != int(value.sum()):  # duplicates that add something
        counted = np.bincount(key, weights=value, minlength=cells)
        if counted.max(initial=0) * span >= 2**31:
            return None
        grid = counted.astype(np.int32)
    levels = grid.reshape(meeting_count, member_count)
    sums = levels.copy()
    for shift in range(1, span):  # whole-grid adds, one per offset
        sums[shift:] += levels[:-shift]
    flat = sums.ravel()
    nonzero = flat != 0
    # NumPy finds the True of a bool array ~3x faster than the non-zeros of int16
    return np.flatnonzero(nonzero), flat, nonzero
