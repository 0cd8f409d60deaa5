"""Co-membership: who shared groups with whom, and each member's sums over those pairs.

The arithmetic under :mod:`fractal_governance.measurement_quality`. A group is keyed by
(meeting, round, group) (:func:`group_rows`; ``rounds=False`` keys it by (meeting, group), as
the upstream did). Every row in a group observes it, with a level or without; a row without a
group is left out. For a pair (A, B), where B has a level in a group A observed, B's levels in
A's groups give ``mean_AB`` and ``var_AB``, and B's levels over all of B's groups (the pair
(B, B)) give ``mean_B`` and ``var_B``. :func:`member_sums` adds, for each observer A over the
colleagues B != A, ``mean_AB - mean_B`` and ``var_AB + var_B``: the sums that accuracy and
precision are made of. Variances are population variances (``ddof = 0``), from counts, sums
and sums of squares; every row counts, a member listed twice in a group included.

No loop runs over members, and no pass over every pair:

- most pairs of members met once, and their terms summed over a member's pairs are sums over
  the member's groups: one sparse product of the (group x member) presence table with
  per-group sums of levels, of ``mean_B`` and of ``var_B`` (:func:`member_sums`);
- the pairs that met more than once are found by one sort of integer keys (observer,
  colleague, level) built per group shape, and added one by one (:func:`pair_table`). When
  the keys do not fit (:data:`PACKED_BITS`), sparse products list every pair instead.

This is the ``uncertainties`` package's first-order propagation for independent values (the
upstream propagated each value with it, member by member), which is exact for sums and
differences.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from fractal_governance import _kernels as kernels
from fractal_governance import columns as col

if TYPE_CHECKING:
    from fractal_governance.measurements import Measurements

__all__ = [
    "PACKED_BITS",
    "PAIRWISE_LIMIT",
    "GroupRows",
    "MemberSums",
    "PairTable",
    "group_rows",
    "listed_before",
    "member_sums",
    "pair_table",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


# -- group keys and the co-membership table -----------------------------------------------------

PACKED_BITS = 63
"""Bits a pair key (observer, measured member, level) may take: it must fit an int64."""


@dataclasses.dataclass(frozen=True)
class GroupRows:
    """The rows in a group: one entry per row with a group.

    ``member``: member code (``Measurements.member_ids`` order); ``group``: dense code of the
    (meeting, round, group) key; ``level``: the level (0 where ``has_level`` is false).
    """

    member: IntArray
    group: IntArray
    level: IntArray
    has_level: npt.NDArray[np.bool_]
    member_count: int
    group_count: int


def group_rows(measurements: Measurements, *, rounds: bool = True) -> GroupRows:
    """The rows of ``measurements`` in a group, each with its (meeting, round, group) code.

    ``rounds=False`` keys a group by (meeting, group) only, as the upstream did: it merges
    the groups of different rounds that share a number (for comparison only).
    """
    table = measurements.table
    frame = table.frame
    group = frame[col.GROUP].to_numpy(dtype=np.int64, na_value=-1)
    keep = group >= 0
    everything = bool(keep.all())
    rows = None if everything else np.flatnonzero(keep)

    def take(values: npt.NDArray[Any]) -> IntArray:
        values = values.astype(np.int64, copy=False)
        return values if rows is None else values[rows]

    parts = [take(table.meetings[0])]
    if rounds and table.has_rounds:
        round_codes = kernels.dense_codes(frame[col.ROUND].to_numpy(dtype=np.int64))[0]
        parts.append(take(round_codes))
    parts.append(take(group))
    codes, labels = kernels.dense_codes(kernels.combined_key(parts))
    return GroupRows(
        member=take(measurements.row_member),
        group=codes,
        level=take(measurements.row_level),
        has_level=(
            measurements.row_has_level if rows is None else measurements.row_has_level[rows]
        ),
        member_count=measurements.member_count,
        group_count=len(labels),
    )


@dataclasses.dataclass(frozen=True)
class PairTable:
    """The co-membership table: what :func:`member_sums` needs of the pairs (A, B), where B
    has a level in a group observer A was in.

    Most pairs met once, and their terms are sums over groups; only the pairs with two
    levels or more are kept one by one. ``repeated``: (observer, measured, count, total,
    squares) of every such pair with B != A, ordered by observer then measured member: B's
    level count, sum and sum of squares in the groups A was in.

    ``presence``: the sparse (group x member) table of who observed each group (1, or 0 for
    the second row of a member listed twice in a group); ``levels``: the sparse (group x
    member) table of the rows with a level (1, else 0), on the same rows; ``group_count`` and
    ``group_total``: the levels in each group and their sum; ``own_count``, ``own_total`` and
    ``own_squares``: each member's levels over all their groups (the pair (B, B)).
    ``present``: members with a row in a group.

    :attr:`observer`, :attr:`measured`, :attr:`count`, :attr:`total` and :attr:`squares` list
    every pair, B = A included, by observer then measured member (built on first use, from
    ``instances``: the sorted keys of the pairs of :func:`pair_table`, or from its ``product``).
    """

    repeated: tuple[IntArray, IntArray, IntArray, IntArray, IntArray]
    presence: Any
    levels: Any
    group_count: FloatArray
    group_total: FloatArray
    own_count: IntArray
    own_total: IntArray
    own_squares: IntArray
    present: npt.NDArray[np.bool_]
    member_count: int
    instances: npt.NDArray[np.integer[Any]] | None = None
    level_bits: int = 0
    product: tuple[IntArray, IntArray, IntArray, IntArray, IntArray] | None = None

    @cached_property
    def _every_pair(self) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
        if self.product is not None:
            return self.product
        assert self.instances is not None
        pairs, level = _split_keys(self.instances, self.level_bits)
        starts = np.flatnonzero(np.diff(pairs, prepend=-1))
        observer, measured = np.divmod(pairs[starts].astype(np.int64), self.member_count)
        lengths = np.diff(np.append(starts, len(pairs)))
        total = np.add.reduceat(level, starts) if len(starts) else level[:0]
        squares = np.add.reduceat(level * level, starts) if len(starts) else level[:0]
        own = np.flatnonzero(self.own_count)
        order = np.lexsort((np.append(measured, own), np.append(observer, own)))
        columns = (
            np.append(observer, own),
            np.append(measured, own),
            np.append(lengths, self.own_count[own]),
            np.append(total, self.own_total[own]),
            np.append(squares, self.own_squares[own]),
        )
        return tuple(c.astype(np.int64)[order] for c in columns)  # type: ignore[return-value]

    @property
    def observer(self) -> IntArray:
        return self._every_pair[0]

    @property
    def measured(self) -> IntArray:
        return self._every_pair[1]

    @property
    def count(self) -> IntArray:
        return self._every_pair[2]

    @property
    def total(self) -> IntArray:
        return self._every_pair[3]

    @property
    def squares(self) -> IntArray:
        return self._every_pair[4]


def _split_keys(
    keys: npt.NDArray[np.integer[Any]], level_bits: int
) -> tuple[npt.NDArray[np.integer[Any]], IntArray]:
    """(pair code ``observer * member_count + measured``, level) of packed pair keys."""
    return keys >> level_bits, (keys & ((1 << level_bits) - 1)).astype(np.int64)


def _repeated_runs(
    keys: npt.NDArray[np.integer[Any]], level_bits: int, member_count: int
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
    """(observer, measured, count, total, squares) of the pairs listed more than once in
    the sorted pair keys ``keys`` (``pair << level_bits | level``), in key order."""
    pairs = keys >> level_bits
    again = np.flatnonzero(pairs[1:] == pairs[:-1])  # entry i and i + 1: one pair
    if not len(again):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty, empty
    run = np.flatnonzero(np.diff(again) != 1) + 1
    first = np.concatenate(([0], run))  # of each run, in ``again``
    last = np.concatenate((run - 1, [len(again) - 1]))
    start, end = again[first], again[last] + 1  # entries start .. end of ``keys``
    mask = keys.dtype.type((1 << level_bits) - 1)
    level = (keys[again] & mask).astype(np.int64)
    end_level = (keys[end] & mask).astype(np.int64)

    def run_sums(values: IntArray) -> IntArray:  # over again[first] .. again[last]
        running = np.concatenate(([0], np.cumsum(values)))
        return running[last + 1] - running[first]

    total = run_sums(level) + end_level
    squares = run_sums(level * level) + end_level * end_level
    pair = pairs[start].astype(np.int64)
    observer = pair // member_count
    measured = pair - observer * member_count
    return observer, measured, (end - start + 1).astype(np.int64), total, squares


PAIRWISE_LIMIT = 16
"""Groups of up to this many rows find a member listed twice by comparing rows pairwise;
larger ones by a sort."""


def listed_before(member: IntArray) -> npt.NDArray[np.bool_]:
    """Whether the member of each entry of ``member`` (rows x groups: one group per column)
    has an earlier row in the same group."""
    k = len(member)
    again = np.zeros(member.shape, dtype=np.bool_)
    if k <= PAIRWISE_LIMIT:
        for i in range(1, k):
            for j in range(i):
                again[i] |= member[i] == member[j]
        return again
    order = np.argsort(member, axis=0, kind="stable")
    ordered = np.take_along_axis(member, order, axis=0)
    np.put_along_axis(again, order[1:], ordered[1:] == ordered[:-1], axis=0)
    return again


def _pair_keys(
    member: IntArray,
    value: IntArray,
    start: IntArray,
    rows: IntArray,
    levelled: IntArray,
    stride: int,
    dtype: type[np.integer[Any]],
) -> tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.intp]]:
    """The keys ``observer * stride + value`` of every (row, row with a level) of each group,
    unsorted, and the rows of members listed twice in their group.

    Rows are listed group by group, those with a level first: group ``g`` has ``rows[g]``
    rows from ``start[g]``, of which the first ``levelled[g]`` have a level. ``value`` is
    ``measured << level_bits | level``. The groups of one shape (rows, rows with a level)
    make one block ``observer[:, None, :] * stride + value[None, :, :]`` (a loop over the
    shapes, of which there are few; groups along the last axis). A row with itself, and the
    second row of a member listed twice (who observes the group once and never measures
    themself), are left out: their key is the largest value of ``dtype``, which sorts last.
    """
    width = int(levelled.max(initial=0)) + 1
    shapes, inverse, sizes = np.unique(
        rows * width + levelled, return_inverse=True, return_counts=True
    )
    by_shape = np.argsort(inverse, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    keys = np.empty(int((rows * levelled).sum()), dtype=dtype)
    skip = dtype(np.iinfo(dtype).max)
    twice: list[npt.NDArray[np.intp]] = []
    at = 0
    for index, code in enumerate(shapes.tolist()):
        k, n = divmod(code, width)
        groups = by_shape[bounds[index] : bounds[index + 1]]
        where = np.arange(k)[:, None] + start[groups]  # (rows, groups)
        observer = member[where]
        again = listed_before(observer)
        if again.any():
            twice.append(where[again])
        if not n:
            continue
        block = keys[at : at + k * n * len(groups)].reshape(k, n, len(groups))
        at += block.size
        np.add(
            (observer * stride).astype(dtype)[:, None, :],
            value[where[:n]].astype(dtype)[None, :, :],
            out=block,
        )
        block.reshape(k * n, len(groups))[: n * (n + 1) : n + 1] = skip  # a row with itself
        if again.any():
            np.moveaxis(block, 1, 2)[again] = skip
            block[observer[:, None, :] == member[where[:n]][None, :, :]] = skip
    return keys, np.concatenate(twice) if twice else np.zeros(0, dtype=np.intp)


def pair_table(rows: GroupRows) -> PairTable:
    """The co-membership table of ``rows`` (see :class:`PairTable`).

    Every pair (A, B, level) of a group (A observed the group, B has that level there) is
    one integer key ``(A * member_count + B) << level_bits | level``; one sort of the keys
    lists each pair's levels together, so the pairs with more than one level are the equal
    neighbours (most pairs met once and need nothing more). When the keys would not fit
    (``PACKED_BITS``), the pairs are a sparse product ``P @ X`` instead: ``P`` the (member x
    group) table of presence, ``X`` the (group x member) table of level counts, sums and
    sums of squares (three products that share one non-zero pattern).
    """
    import scipy.sparse as sparse  # imported here: slow to import, needed by this step only

    m, g = rows.member_count, rows.group_count
    # rows group by group, those with a level first (rows listed meeting by meeting as they
    # usually are need no sort)
    everyone = bool(rows.has_level.all())
    key = rows.group if everyone else rows.group * 2 + ~rows.has_level
    order = None if kernels.non_decreasing(key) else kernels.counting_sort(key, 2 * g)[0]

    def arranged(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return values if order is None else values[order]

    member, group = arranged(rows.member), arranged(rows.group)
    has_level = arranged(rows.has_level)
    level = np.where(has_level, arranged(rows.level), 0).astype(np.int64)
    row_count = np.bincount(group, minlength=g)
    start = np.zeros(g + 1, dtype=np.int64)
    np.cumsum(row_count, out=start[1:])
    if everyone:
        levelled = row_count
        own_count = np.bincount(member, minlength=m)
    else:
        levelled = np.bincount(group, weights=has_level, minlength=g).astype(np.int64)
        own_count = np.bincount(member, weights=has_level, minlength=m).astype(np.int64)
    own_total = np.bincount(member, weights=level, minlength=m).astype(np.int64)
    own_squares = np.bincount(member, weights=level * level, minlength=m).astype(np.int64)

    def table(values: npt.NDArray[Any]) -> Any:
        return sparse.csr_matrix((values, member, start), shape=(g, m))

    level_bits = int(level.max(initial=0)).bit_length()
    fits = int(level.min(initial=0)) >= 0 and ((m * m) << level_bits) < 2**PACKED_BITS
    observing = np.ones(len(member))
    product = None
    instances = None
    if fits:
        dtype = np.int32 if ((m * m) << level_bits) < 2**31 - 1 else np.int64
        stride = m << level_bits
        instances, twice = _pair_keys(
            member, (member << level_bits) | level, start, row_count, levelled, stride, dtype
        )
        observing[twice] = 0.0
        instances.sort()
        # (the bound as the keys' own type: a Python int would make a wider copy of them)
        instances = instances[: np.searchsorted(instances, dtype(np.iinfo(dtype).max))]
        repeated = _repeated_runs(instances, level_bits, m)
    else:
        observing[_listed_twice(member, group)] = 0.0
        presence = table(observing).T.tocsr()
        presence.eliminate_zeros()
        shift = 1 - min(int(level.min(initial=0)), 0)  # every sum at least its count: non-zero
        value = level.astype(np.float64)
        weights = [np.ones(len(value)), value + shift, value * value + 1]
        products = []
        for weight in weights:
            matrix = (presence @ table(np.where(has_level, weight, 0.0))).tocsr()
            matrix.eliminate_zeros()
            matrix.sort_indices()
            products.append(matrix)
        count = products[0].data
        total = products[1].data - shift * count
        squares = products[2].data - count
        observer = np.repeat(np.arange(m, dtype=np.int64), np.diff(products[0].indptr))
        measured = products[0].indices.astype(np.int64)
        product = tuple(
            np.rint(c).astype(np.int64) if c.dtype.kind == "f" else c
            for c in (observer, measured, count, total, squares)
        )
        kept = np.flatnonzero((product[2] >= 2) & (observer != measured))
        repeated = tuple(c[kept] for c in product)  # type: ignore[assignment]
    return PairTable(
        repeated=repeated,
        presence=table(observing),
        levels=table(has_level.astype(np.float64)),
        group_count=levelled.astype(np.float64),
        group_total=np.bincount(group, weights=level, minlength=g).astype(np.float64),
        own_count=own_count,
        own_total=own_total,
        own_squares=own_squares,
        present=np.bincount(rows.member, minlength=m) > 0,
        member_count=m,
        instances=instances,
        level_bits=level_bits,
        product=product,  # type: ignore[arg-type]
    )


def _listed_twice(member: IntArray, group: IntArray) -> npt.NDArray[np.intp]:
    """Rows whose member has an earlier row in the same group (the plain way: a sort)."""
    order = np.lexsort((np.arange(len(member)), member, group))
    same = (member[order][1:] == member[order][:-1]) & (group[order][1:] == group[order][:-1])
    return order[1:][same]


@dataclasses.dataclass(frozen=True)
class MemberSums:
    """Per member (``Measurements.member_ids`` order), the sums both settings are made of.

    ``colleagues``: colleagues with a level in a group the member was in; ``levels_seen``:
    their levels there; ``difference_sum`` and ``variance_sum``: the sums over colleagues of
    the differences of means and of the added variances; ``own_count``: the member's levels.
    """

    colleagues: IntArray
    levels_seen: FloatArray
    difference_sum: FloatArray
    variance_sum: FloatArray
    own_count: FloatArray
    present: npt.NDArray[np.bool_]


def _mean_and_variance(
    count: npt.NDArray[Any], total: npt.NDArray[Any], squares: npt.NDArray[Any]
) -> tuple[FloatArray, FloatArray]:
    """Mean and population variance from counts, sums and sums of squares (count > 0).

    ``(n * q - s * s) / n**2`` is exact in float64 for sums of small whole numbers, so a set
    of equal levels has variance exactly 0.
    """
    count, total, squares = (np.asarray(a, dtype=np.float64) for a in (count, total, squares))
    variance = count * squares
    variance -= total * total
    np.maximum(variance, 0.0, out=variance)
    variance /= count * count
    return total / count, variance


def member_sums(pairs: PairTable) -> MemberSums:
    """The per-member sums of ``pairs`` (no loop over members, no pass over every pair).

    A pair that met once (count 1) adds B's level there minus ``mean_B`` to the difference
    sum, and ``var_B`` alone to the variance sum: summed over an observer's pairs, counted
    as often as each pair met, these are sums over the observer's groups of sums per group
    (of the levels, of ``mean_B`` and of ``var_B`` over the levels of the group), one
    product of the presence table with those per-group sums. The own pair and the pairs
    with two levels or more are then taken out of those sums (the own pair is known from the
    member's own levels), and the repeated pairs added back with their own means and
    variances. The number of colleagues is the levels seen less the repeats.
    """
    m = pairs.member_count
    own_count = pairs.own_count
    has_own = own_count > 0
    own_mean, own_variance = np.zeros(m), np.zeros(m)
    own_mean[has_own], own_variance[has_own] = _mean_and_variance(
        own_count[has_own], pairs.own_total[has_own], pairs.own_squares[has_own]
    )

    # every level of the observer's groups (the own ones included): count, sum, and the
    # sums of mean_B and var_B of the member B it measured
    per_group = np.column_stack(
        [
            pairs.group_count,
            pairs.group_total,
            pairs.levels @ np.column_stack([own_mean, own_variance]),
        ]
    )
    seen, total, mean_sum, variance_sum = (pairs.presence.T @ per_group).T
    # less the own levels
    seen = seen - own_count
    total = total - pairs.own_total
    mean_sum = mean_sum - own_count * own_mean
    variance_sum = variance_sum - own_count * own_variance

    # less the repeated pairs, counted as often as they met, plus their own terms
    observer, measured, count, total_of, squares = pairs.repeated
    weight = count.astype(np.float64)
    mean_pair, variance_pair = _mean_and_variance(count, total_of, squares)

    def by_observer(weights: npt.NDArray[Any]) -> FloatArray:
        return np.bincount(observer, weights=weights, minlength=m).astype(np.float64)

    single_difference = (total - by_observer(total_of)) - (
        mean_sum - by_observer(weight * own_mean[measured])
    )
    single_variance = variance_sum - by_observer(weight * own_variance[measured])
    difference_sum = single_difference + by_observer(mean_pair - own_mean[measured])
    variance_sum = single_variance + by_observer(variance_pair + own_variance[measured])
    np.maximum(variance_sum, 0.0, out=variance_sum)  # rounding of the differences above
    repeats = np.bincount(observer, weights=weight - 1.0, minlength=m)
    return MemberSums(
        colleagues=np.rint(seen - repeats).astype(np.int64),
        levels_seen=seen,
        difference_sum=difference_sum,
        variance_sum=variance_sum,
        own_count=own_count.astype(np.float64),
        present=pairs.present,
    )
