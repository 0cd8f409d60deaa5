"""Each array kernel against its library twin (np.lexsort, pd.factorize, groupby, gini)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fractal_governance import _kernels as kernels
from fractal_governance import fairness, parallel

FAST = settings(max_examples=150, deadline=None)

# Small values hit the counting paths, values up to 10**12 the hashing ones.
VALUES = st.one_of(st.integers(0, 20), st.integers(0, 10**12), st.sampled_from([0, 3, 2**40]))


def int_arrays(elements: st.SearchStrategy[int], max_size: int = 40) -> st.SearchStrategy:
    return hnp.arrays(np.int64, st.integers(0, max_size), elements=elements)


# -- thresholds -----------------------------------------------------------------------------------


def test_table_is_small_is_the_named_threshold() -> None:
    rows = 1000
    limit = kernels.COUNTING_FACTOR * rows + kernels.COUNTING_SLACK
    assert kernels.table_is_small(limit, rows)
    assert not kernels.table_is_small(limit + 1, rows)
    assert kernels.table_is_small(kernels.COUNTING_SLACK, 0)


def test_radix_key_narrows_exactly_the_codes_that_fit() -> None:
    key = np.array([0, 5, 2**16 - 1], dtype=np.int64)
    assert kernels.radix_key(key, 2**16).dtype == np.uint16
    assert kernels.radix_key(key, 2**16 + 1).dtype == np.int64


# -- dense codes ----------------------------------------------------------------------------------


@FAST
@given(
    values=int_arrays(st.one_of(st.just(-1), VALUES)),
    ascending=st.booleans(),
    min_density=st.sampled_from([1.0, 0.8, 0.0]),
)
def test_dense_codes_match_factorize(
    values: np.ndarray, ascending: bool, min_density: float
) -> None:
    if ascending:
        values = np.sort(values)
    original = values.copy()
    codes, labels = kernels.dense_codes(values, ascending=ascending, min_density=min_density)
    np.testing.assert_array_equal(values, original)  # the input is left as it is
    assert codes.dtype == np.int64 and labels.dtype == np.int64 and len(codes) == len(values)
    present = values >= 0
    np.testing.assert_array_equal(codes[~present], -1)
    np.testing.assert_array_equal(labels[codes[present]], values[present])
    assert (np.diff(labels) > 0).all()
    expected_codes, expected_labels = pd.factorize(values[present], sort=True)
    if min_density == 1.0:
        # exactly the distinct values: pd.factorize(sort=True)
        np.testing.assert_array_equal(labels, expected_labels)
        np.testing.assert_array_equal(codes[present], expected_codes)
    else:
        # labels may include absent values (unused codes), never miss a present one
        assert set(expected_labels.tolist()) <= set(labels.tolist())


def test_dense_codes_are_the_values_themselves_when_dense_enough() -> None:
    values = np.array([0, 1, 3, 4, 4], dtype=np.int64)  # 4 of 0..4 occur
    codes, labels = kernels.dense_codes(values, min_density=0.8)
    assert codes is values
    np.testing.assert_array_equal(labels, np.arange(5))
    codes, labels = kernels.dense_codes(values)  # by default: no unused labels
    np.testing.assert_array_equal(labels, [0, 1, 3, 4])
    np.testing.assert_array_equal(codes, [0, 1, 2, 3, 3])


@given(values=int_arrays(st.integers(0, 70_000)), count=st.integers(1, 70_001))
def test_narrow_keeps_the_codes_in_a_smaller_type(values: np.ndarray, count: int) -> None:
    values = values % count
    narrowed = kernels.narrow(values, count)
    np.testing.assert_array_equal(narrowed, values)
    assert narrowed.dtype == (np.int16 if count <= np.iinfo(np.int16).max else np.int32)


TEXT = st.lists(st.one_of(st.none(), st.sampled_from(["", "a", "b", "ab", "B", "\u00e9", "0"])))


@FAST
@given(items=TEXT, arrow=st.booleans())
def test_factorize_sorted_matches_factorize(items: list[str | None], arrow: bool) -> None:
    dtype = "str" if arrow else object
    series = pd.Series(items, dtype=dtype)
    codes, uniques = kernels.factorize_sorted(series)
    expected_codes, expected_uniques = pd.factorize(series, sort=True)
    np.testing.assert_array_equal(codes, expected_codes)
    assert list(uniques) == list(expected_uniques)
    if all(item is not None for item in items):
        codes, uniques, first = kernels.factorize_sorted_first_rows(series)
        np.testing.assert_array_equal(codes, expected_codes)
        expected_first = pd.Series(np.arange(len(items))).groupby(expected_codes).min()
        np.testing.assert_array_equal(first, expected_first.to_numpy())


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=6), min_size=1),
    st.data(),
)
def test_take_rows_equals_take_on_chunked_text(
    chunks: list[list[str | None]], data: st.DataObject
) -> None:
    column = pa.chunked_array([pa.array(chunk, type=pa.large_string()) for chunk in chunks])
    series = pd.Series(pd.array(column, dtype="str"), name="Name")
    assert series.array.__arrow_array__().num_chunks == len(chunks)
    n = len(series)
    positions = np.asarray(
        data.draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=12 if n else 0)), dtype=np.intp
    )
    taken = kernels.take_rows(series, positions)
    pd.testing.assert_series_equal(taken, series.take(positions))


# -- keys and orders ------------------------------------------------------------------------------


def key_tables(max_parts: int = 3) -> st.SearchStrategy[list[np.ndarray]]:
    """1..3 columns of non-negative ints of one length; small or huge ranges."""

    @st.composite
    def build(draw: st.DrawFn) -> list[np.ndarray]:
        n = draw(st.integers(0, 40))
        parts = draw(st.integers(1, max_parts))
        return [draw(hnp.arrays(np.int64, n, elements=VALUES)) for _ in range(parts)]

    return build()


@FAST
@given(parts=key_tables())
def test_combined_key_is_equal_exactly_when_the_parts_are(parts: list[np.ndarray]) -> None:
    key = kernels.combined_key(parts)
    assert len(key) == len(parts[0])
    frame = pd.DataFrame({str(i): part for i, part in enumerate(parts)})
    expected = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    np.testing.assert_array_equal(pd.factorize(key)[0], expected)


def dense(parts: list[np.ndarray]) -> list[np.ndarray]:
    return [pd.factorize(part, sort=True)[0].astype(np.int64) for part in parts]


@FAST
@given(parts=key_tables(), spread=st.sampled_from([1, 10**6]))
def test_sort_order_matches_lexsort(parts: list[np.ndarray], spread: int) -> None:
    keys = [key * spread for key in dense(parts)]  # large codes take the lexsort path
    expected = np.lexsort(tuple(reversed(keys))) if len(keys[0]) else np.zeros(0, np.intp)
    np.testing.assert_array_equal(kernels.sort_order(keys), expected)


@pytest.mark.parametrize("pandas_helper", [True, False], ids=["pandas", "numpy"])
def test_counting_sort_matches_a_stable_argsort(pandas_helper: bool) -> None:
    helper = kernels._groupsort_indexer if pandas_helper else None

    @settings(max_examples=60, deadline=None)
    @given(key=int_arrays(st.integers(0, 9)))
    def check(key: np.ndarray) -> None:
        saved = kernels._groupsort_indexer
        kernels._groupsort_indexer = helper
        try:
            order, counts = kernels.counting_sort(key, 10)
        finally:
            kernels._groupsort_indexer = saved
        np.testing.assert_array_equal(order, np.argsort(key, kind="stable"))
        np.testing.assert_array_equal(counts, np.bincount(key, minlength=10))

    check()


@FAST
@given(parts=key_tables())
def test_duplicated_rows_match_duplicated(parts: list[np.ndarray]) -> None:
    frame = pd.DataFrame({str(i): part for i, part in enumerate(parts)})
    expected = frame.duplicated(keep=False).to_numpy()
    found = kernels.duplicated_rows(parts)
    if found is None:
        assert not expected.any()
    else:
        np.testing.assert_array_equal(found, expected)


# -- group sums -----------------------------------------------------------------------------------


@FAST
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 6),
            st.one_of(st.integers(-1000, 1000), st.integers(-(2**58), 2**58)),
        ),
        max_size=30,
    )
)
def test_group_sum_is_exact_like_groupby(rows: list[tuple[int, int]]) -> None:
    codes = np.array([code for code, _ in rows], dtype=np.int64)
    values = np.array([value for _, value in rows], dtype=np.int64)
    sums = kernels.group_sum(codes, values, 7)
    assert sums.dtype == np.int64
    expected = pd.Series(values).groupby(codes).sum().reindex(range(7), fill_value=0)
    np.testing.assert_array_equal(sums, expected.to_numpy())
    # exact even where float64 is not: Python's integers as the reference
    exact = [sum(v for c, v in rows if c == code) for code in range(7)]
    assert sums.tolist() == exact


def test_group_sum_of_nothing() -> None:
    empty = np.zeros(0, dtype=np.int64)
    np.testing.assert_array_equal(kernels.group_sum(empty, empty, 3), [0, 0, 0])


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 6), st.integers(-(2**56), 2**56)), max_size=40),
    whole=st.booleans(),
)
def test_sorted_group_sum_matches_groupby(rows: list[tuple[int, int]], whole: bool) -> None:
    # codes sorted, some of 0..6 missing (their runs are empty: reduceat alone would give
    # them the next run's first value); int64 sums exact, float64 ones as bincount's
    rows = sorted(rows, key=lambda row: row[0])
    codes = np.array([code for code, _ in rows], dtype=np.int64)
    if whole:
        values = np.array([value for _, value in rows], dtype=np.int64)
        expected = [sum(v for c, v in rows if c == code) for code in range(7)]
    else:
        values = np.array([value / 2**40 for _, value in rows], dtype=np.float64)
        expected = np.bincount(codes, weights=values, minlength=7).tolist()
    sums = kernels.sorted_group_sum(codes, values, 7)
    assert sums.dtype == values.dtype
    if whole:
        assert sums.tolist() == expected
    else:
        np.testing.assert_allclose(sums, expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    grid=st.tuples(st.integers(1, 40), st.sampled_from([1, 7, 255, 256, 300])).flatmap(
        lambda shape: hnp.arrays(
            np.float64, shape, elements=st.floats(-1e6, 1e6, allow_subnormal=False)
        )
    )
)
def test_running_sum_down_is_cumsum_down_the_columns(grid: np.ndarray) -> None:
    # rows narrower and wider than ROW_LOOP_WIDTH (256): the row loop adds in the same
    # order as np.cumsum, so the sums are equal to the last bit
    expected = np.cumsum(grid, axis=0)
    kernels.running_sum_down(grid)
    np.testing.assert_array_equal(grid, expected)


# -- the cumulative Gini coefficient --------------------------------------------------------------


@st.composite
def member_runs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(meeting, respect, starts, meeting count): pairs sorted by member, then meeting."""
    meeting_count = draw(st.integers(1, 12))
    members = draw(st.integers(1, 8))
    meeting, respect, starts = [], [], []
    for _ in range(members):
        attended = sorted(draw(st.sets(st.integers(0, meeting_count - 1), min_size=1)))
        for position, m in enumerate(attended):
            meeting.append(m)
            respect.append(draw(st.one_of(st.integers(0, 5), st.integers(0, 10**6))))
            starts.append(position == 0)
    attended_meetings = sorted(set(meeting))
    # the kernel numbers meetings 0 .. count - 1, every one of them attended
    renumber = {m: i for i, m in enumerate(attended_meetings)}
    return (
        np.array([renumber[m] for m in meeting], dtype=np.int64),
        np.array(respect, dtype=np.int64),
        np.array(starts, dtype=np.bool_),
        len(attended_meetings),
    )


@FAST
@given(runs=member_runs(), cells=st.sampled_from([1, 5, 64, 2**22]))
def test_member_runs_gini_is_the_gini_of_each_prefix(
    runs: tuple[np.ndarray, np.ndarray, np.ndarray, int], cells: int
) -> None:
    meeting, respect, starts, meeting_count = runs
    result = kernels.member_runs_gini(
        meeting, respect, starts, meeting_count, None, cells_per_pass=cells, max_cells=10**9
    )
    assert result is not None and len(result) == meeting_count
    member = np.cumsum(starts) - 1
    for m in range(meeting_count):
        seen = meeting <= m
        holdings = np.bincount(member[seen], weights=respect[seen])[np.unique(member[seen])]
        assert result[m] == pytest.approx(fairness.gini(holdings), abs=1e-9)
    earned = np.bincount(meeting, weights=respect, minlength=meeting_count).astype(np.int64)
    again = kernels.member_runs_gini(
        meeting, respect, starts, meeting_count, earned, cells_per_pass=cells, max_cells=10**9
    )
    np.testing.assert_allclose(again, result)


def test_member_runs_gini_declines_a_histogram_above_the_limit() -> None:
    meeting = np.array([0, 1], dtype=np.int64)
    respect = np.array([3, 4], dtype=np.int64)
    starts = np.array([True, False])
    assert (
        kernels.member_runs_gini(meeting, respect, starts, 2, None, cells_per_pass=8, max_cells=1)
        is None
    )
    empty = np.zeros(0, dtype=np.int64)
    np.testing.assert_array_equal(
        kernels.member_runs_gini(
            empty, empty, np.zeros(0, np.bool_), 3, None, cells_per_pass=8, max_cells=1
        ),
        [0.0, 0.0, 0.0],
    )


# Awards on a grid of 8 members x 6 meetings: (member, meeting, amount), amounts whole,
# fractional or 0.
GINI_ENTRIES = st.lists(
    st.tuples(
        st.integers(0, 7),
        st.integers(0, 5),
        st.one_of(st.just(0.0), st.floats(0.0, 1e6), st.integers(0, 30).map(float)),
    ),
    min_size=1,
    max_size=60,
)


def check_dense_gini_against_fairness(
    entries: list[tuple[int, int, float]], first_seen: np.ndarray, by_cell: bool = False
) -> None:
    """The kernel against its twin: every entry, and every member's sighting at
    ``first_seen`` as a row of amount 0, in ``fairness.cumulative_gini_by_meeting``."""
    member = np.array([e[0] for e in entries], dtype=np.int64)
    meeting = np.array([e[1] for e in entries], dtype=np.int64)
    amount = np.array([e[2] for e in entries], dtype=np.float64)
    got = kernels.dense_cumulative_gini(
        member, meeting, amount, 8, 6, first_seen=first_seen, by_cell=by_cell
    )
    assert got is not None
    sighted = np.flatnonzero(first_seen < 6)
    rows_member = np.concatenate([member, sighted])
    rows_meeting = np.concatenate([meeting, first_seen[sighted]])
    rows_amount = np.concatenate([amount, np.zeros(len(sighted))])
    expected = fairness.cumulative_gini_by_meeting(rows_meeting, rows_member, rows_amount)
    # a meeting without rows keeps the holdings of the one before (NaN before anybody)
    expected = expected.reindex(range(6)).ffill()
    np.testing.assert_allclose(got, expected.to_numpy(), rtol=1e-9, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(entries=GINI_ENTRIES, attended=st.lists(st.integers(0, 7), max_size=8))
def test_dense_cumulative_gini_matches_the_gini_per_meeting(
    entries: list[tuple[int, int, float]], attended: list[int]
) -> None:
    # members seen from a first attendance without an entry: meeting 0 for those drawn
    first_seen = np.full(8, 6, dtype=np.int64)
    first_seen[attended] = 0
    check_dense_gini_against_fairness(entries, first_seen)


@settings(max_examples=100, deadline=None)
@given(entries=GINI_ENTRIES, earlier=st.lists(st.integers(0, 5), min_size=8, max_size=8))
def test_dense_cumulative_gini_with_every_entry_after_its_member_is_seen(
    entries: list[tuple[int, int, float]], earlier: list[int]
) -> None:
    # first_seen at or before each member's first entry (as a first attendance is for
    # awards to absent members): the kernel takes it as is (no search for first entries)
    first_entry = np.full(8, 6, dtype=np.int64)
    np.minimum.at(first_entry, [e[0] for e in entries], [e[1] for e in entries])
    check_dense_gini_against_fairness(
        entries, np.minimum(first_entry, np.array(earlier, dtype=np.int64))
    )


@settings(max_examples=100, deadline=None)
@given(
    entries=GINI_ENTRIES,
    attended=st.lists(st.integers(0, 7), max_size=8),
    said=st.booleans(),
    threaded=st.booleans(),
)
def test_dense_cumulative_gini_of_entries_listed_by_cell(
    entries: list[tuple[int, int, float]], attended: list[int], said: bool, threaded: bool
) -> None:
    # each (meeting, member) once, listed by meeting then member: the grid is filled by
    # assignment, found by a check or said by the caller (``by_cell``, as for a rolling
    # ledger); the halves of the checks, the cells and the sorted rows on two threads
    # (forced here for a small grid) or one
    by_cell = {(e[1], e[0]): e for e in entries}
    listed = [by_cell[cell] for cell in sorted(by_cell)]
    first_seen = np.full(8, 6, dtype=np.int64)
    first_seen[attended] = 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel, "PARALLEL_ROWS", 0 if threaded else 10**9)
        patch.setattr(parallel, "usable_cores", lambda: 2)
        check_dense_gini_against_fairness(listed, first_seen, by_cell=said)


def test_dense_cumulative_gini_declines_a_grid_above_the_limit() -> None:
    one = np.zeros(1, dtype=np.int64)
    assert kernels.dense_cumulative_gini(one, one, np.ones(1), 2**13, 2**12) is None
    # one member holding everything among four: 0.75, as fairness.gini says
    member = np.array([0, 1, 2, 3], dtype=np.int64)
    got = kernels.dense_cumulative_gini(
        member, np.zeros(4, np.int64), np.array([0, 0, 0, 5.0]), 4, 1
    )
    assert got is not None and got.tolist() == [0.75]


WINDOW_ENTRIES = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 9), st.integers(0, 8)),
    max_size=40,  # (member, meeting) may repeat: the kernel adds such entries up
)


@settings(max_examples=100, deadline=None)
@given(entries=WINDOW_ENTRIES, window=st.integers(1, 12))
def test_trailing_window_sums_match_summing_shifted_entries(
    entries: list[tuple[int, int, int]], window: int
) -> None:
    """The dense kernel against its twin: every entry copied to the ``window`` meetings
    from its own on, summed by cell with pandas."""
    member = np.array([e[0] for e in entries], dtype=np.int64)
    meeting = np.array([e[1] for e in entries], dtype=np.int64)
    value = np.array([e[2] for e in entries], dtype=np.int64)
    got = kernels.trailing_window_sums(member, meeting, value, 6, 10, window)
    assert got is not None  # 60 cells: always small enough
    shifted = pd.DataFrame(
        {
            "member": np.repeat(member, window),
            "meeting": (meeting[:, None] + np.arange(window)).ravel(),
            "value": np.repeat(value, window),
        }
    )
    shifted = shifted[shifted["meeting"] < 10]
    sums = shifted.groupby(["meeting", "member"])["value"].sum()  # by meeting, then member
    sums = sums[sums != 0]
    assert got.meeting.tolist() == list(sums.index.get_level_values(0))
    assert got.member.tolist() == list(sums.index.get_level_values(1))
    assert got.cell.tolist() == list(got.meeting * 6 + got.member)
    assert got.sum.tolist() == sums.tolist()


def test_trailing_window_sums_decline_a_grid_that_does_not_pay() -> None:
    one = np.zeros(1, dtype=np.int64)
    assert kernels.trailing_window_sums(one, one, one, 2**13, 2**12, 6) is None  # too big
    # 10,000 cells for one entry: sorting the six copies is cheaper
    assert kernels.trailing_window_sums(one, one, one + 3, 100, 100, 6) is None
    got = kernels.trailing_window_sums(one, one, one + 3, 1, 8, 6)
    assert got is not None and got.meeting.tolist() == [0, 1, 2, 3, 4, 5]
    # sums beyond int16 are kept in int32; beyond int32 the grid declines
    big = kernels.trailing_window_sums(one, one, one + 20_000, 1, 3, 2)
    assert big is not None and big.sum.tolist() == [20_000, 20_000]
    twice = np.array([0, 1])  # two entries of 20,000 in a row: a sum of 40,000
    big = kernels.trailing_window_sums(one[[0, 0]], twice, twice * 0 + 20_000, 1, 3, 2)
    assert big is not None and big.sum.tolist() == [20_000, 40_000, 20_000]
    # duplicates counted again (bincount) past int16: 3 x 15,000 in one cell
    three = np.zeros(3, dtype=np.int64)
    big = kernels.trailing_window_sums(three, three, three + 15_000, 1, 2, 1)
    assert big is not None and big.sum.tolist() == [45_000]
    # a window longer than the record sums the whole record (and stays dense)
    long = kernels.trailing_window_sums(one[[0, 0]], twice, twice + 1, 1, 2, 10**9)
    assert long is not None and long.sum.tolist() == [1, 3]
    assert kernels.trailing_window_sums(one, one, one + 2**30, 1, 3, 4) is None
    # the same cell twice: 0 then 2 keeps the sum by assignment; 2 then 3 needs a count
    two = np.zeros(2, dtype=np.int64)
    for values, expected in (([0, 2], 2), ([2, 3], 5), ([3, 0], 3)):
        got = kernels.trailing_window_sums(two, two, np.array(values), 1, 2, 1)
        assert got is not None and got.sum.tolist() == [expected]
