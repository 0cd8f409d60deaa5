"""Tests for fractal_governance.fairness: inequality measures of Respect holdings."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fractal_governance import fairness
from fractal_governance.fairness import (
    RespectDistribution,
    cumulative_gini_by_meeting,
    cumulative_gini_of_member_runs,
    gini,
    lorenz_curve,
    nakamoto_coefficient,
    respect_distribution,
    top_share,
)

FAST = settings(max_examples=75, deadline=None)

holdings = st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=40)


def naive_gini(values: list[float]) -> float:
    """Mean absolute difference over all ordered pairs divided by twice the mean."""
    n = len(values)
    total = sum(values)
    if total == 0:
        return 0.0
    differences = sum(abs(a - b) for a in values for b in values)
    return differences / (2 * n * total)


# -- gini ----------------------------------------------------------------------------------


def test_gini_by_hand() -> None:
    # One of four members holds everything: pairwise differences 3 * 1 over n * total = 4.
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)
    assert gini([7, 7, 7]) == 0.0
    # [1, 2, 3]: differences 1 + 2 + 1 = 4 over n * total = 3 * 6 -> 2/9.
    assert gini([3, 1, 2]) == pytest.approx(2 / 9)
    assert gini([5]) == 0.0


def test_gini_edge_cases() -> None:
    assert math.isnan(gini([]))
    assert gini([0, 0]) == 0.0
    with pytest.raises(ValueError, match=">= 0"):
        gini([1, -1])
    with pytest.raises(ValueError, match="NaN"):
        gini([1, float("nan")])


@FAST
@given(holdings)
def test_gini_in_unit_interval_and_matches_pairwise_definition(values: list[int]) -> None:
    result = gini(values)
    assert 0.0 <= result <= 1.0
    assert result <= (len(values) - 1) / len(values) + 1e-12
    assert result == pytest.approx(naive_gini([float(v) for v in values]), abs=1e-12)


@FAST
@given(holdings, st.integers(min_value=1, max_value=1000))
def test_gini_is_scale_and_order_invariant(values: list[int], factor: int) -> None:
    scaled = [v * factor for v in reversed(values)]
    assert gini(scaled) == pytest.approx(gini(values), abs=1e-12)


# -- top_share and nakamoto ----------------------------------------------------------------


def test_top_share_by_hand() -> None:
    values = list(range(1, 11))  # total 55
    assert top_share(values, 0.1) == pytest.approx(10 / 55)  # 1 member
    assert top_share(values, 0.2) == pytest.approx(19 / 55)  # 2 members
    assert top_share(values, 0.3) == pytest.approx(27 / 55)  # 3, despite 0.3 * 10 > 3
    assert top_share(values, 1.0) == pytest.approx(1.0)
    assert top_share([4, 1, 1, 1, 1], 0.1) == pytest.approx(0.5)  # at least one member
    assert math.isnan(top_share([], 0.1))
    assert math.isnan(top_share([0, 0], 0.5))
    with pytest.raises(ValueError, match="fraction"):
        top_share(values, 0)
    with pytest.raises(ValueError, match="fraction"):
        top_share(values, 1.5)


def test_nakamoto_by_hand() -> None:
    # 10 + 9 + 8 = 27 is not more than half of 55; adding 7 gives 34 > 27.5.
    assert nakamoto_coefficient(list(range(1, 11))) == 4
    assert nakamoto_coefficient([5, 5]) == 2  # exactly half is not more than half
    assert nakamoto_coefficient([1, 1, 1]) == 2
    assert nakamoto_coefficient([0, 0, 9]) == 1
    assert nakamoto_coefficient([]) == 0
    assert nakamoto_coefficient([0, 0]) == 0


@FAST
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=8))
def test_nakamoto_is_the_minimal_controlling_coalition(values: list[int]) -> None:
    k = nakamoto_coefficient(values)
    total = sum(values)
    if total == 0:
        assert k == 0
        return

    def controls(group: tuple[int, ...]) -> bool:
        return 2 * sum(group) > total

    assert any(controls(group) for group in itertools.combinations(values, k))
    assert not any(controls(group) for group in itertools.combinations(values, k - 1))


@FAST
@given(holdings, st.floats(min_value=0.01, max_value=0.99))
def test_top_share_grows_with_fraction(values: list[int], fraction: float) -> None:
    if sum(values) == 0:
        return
    smaller = top_share(values, fraction)
    larger = top_share(values, min(1.0, fraction + 0.1))
    assert 0.0 < smaller <= larger + 1e-12 <= 1.0 + 1e-12
    # The top group holds at least its population share.
    count = max(1, math.ceil(fraction * len(values) - 1e-9))
    assert smaller >= count / len(values) - 1e-12


# -- lorenz curve --------------------------------------------------------------------------


def test_lorenz_curve_by_hand() -> None:
    curve = lorenz_curve([3, 1])
    assert list(curve.columns) == ["PopulationShare", "RespectShare"]
    assert curve["PopulationShare"].tolist() == [0.0, 0.5, 1.0]
    assert curve["RespectShare"].tolist() == pytest.approx([0.0, 0.25, 1.0])


def test_lorenz_curve_edge_cases() -> None:
    assert lorenz_curve([]).to_numpy().tolist() == [[0.0, 0.0], [1.0, 1.0]]
    equal = lorenz_curve([0, 0, 0])
    assert equal["RespectShare"].tolist() == equal["PopulationShare"].tolist()


@FAST
@given(holdings)
def test_lorenz_curve_shape_and_area(values: list[int]) -> None:
    curve = lorenz_curve(values)
    x = curve["PopulationShare"].to_numpy()
    y = curve["RespectShare"].to_numpy()
    assert len(curve) == len(values) + 1
    assert (x[0], y[0]) == (0.0, 0.0)
    assert (x[-1], y[-1]) == (1.0, 1.0)
    assert np.all(np.diff(x) > 0)
    assert np.all(np.diff(y) >= -1e-12)
    assert np.all(y <= x + 1e-12)  # never above the line of equality
    slopes = np.diff(y) / np.diff(x)
    assert np.all(np.diff(slopes) >= -1e-9)  # convex
    # Gini = 1 - 2 * area under the Lorenz curve (trapezoids).
    area = float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))
    assert gini(values) == pytest.approx(1 - 2 * area, abs=1e-9)


# -- respect_distribution ------------------------------------------------------------------


def test_respect_distribution_by_hand() -> None:
    # 1..10: pairwise differences sum_{d=1..9} d * (10 - d) = 165, gini = 165 / (10 * 55).
    summary = respect_distribution(np.arange(1, 11))
    assert summary == RespectDistribution(
        member_count=10,
        total_respect=55.0,
        gini=pytest.approx(0.3),  # type: ignore[arg-type]
        top_10_percent_share=pytest.approx(10 / 55),  # type: ignore[arg-type]
        top_20_percent_share=pytest.approx(19 / 55),  # type: ignore[arg-type]
        nakamoto_coefficient=4,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.gini = 0.0  # type: ignore[misc]


def test_respect_distribution_of_nobody() -> None:
    summary = respect_distribution([])
    assert summary.member_count == 0 and summary.total_respect == 0.0
    assert math.isnan(summary.gini) and summary.nakamoto_coefficient == 0


# -- cumulative_gini_by_meeting ------------------------------------------------------------


def naive_cumulative_gini(
    meetings: list[int], members: list[object], respect: list[float]
) -> pd.Series:
    df = pd.DataFrame({"MeetingID": meetings, "MemberID": members, "Respect": respect})
    df["Respect"] = df["Respect"].fillna(0.0)
    values = {}
    for meeting in sorted(df["MeetingID"].unique()):
        so_far = df[df["MeetingID"] <= meeting]
        held = so_far.groupby("MemberID")["Respect"].sum().tolist()
        values[meeting] = naive_gini(held)
    return pd.Series(values, name="Gini", dtype=float).rename_axis("MeetingID")


def test_cumulative_gini_by_hand() -> None:
    # Meeting 1: alice 2, bob attends without a level (NaN) -> [2, 0]: 2 / (2 * 2) = 0.5.
    # Meeting 2: bob 21 -> [2, 21]: 19 / (2 * 23).
    # Meeting 3: carol 2; alice twice (rounds: no level, then 3) -> [5, 21, 2]:
    #   differences 3 + 19 + 16 = 38 over 3 * 28.
    rows = [
        (3, "carol", 2.0),
        (3, "alice", float("nan")),
        (1, "alice", 2.0),
        (2, "bob", 21.0),
        (1, "bob", float("nan")),
        (3, "alice", 3.0),
    ]
    meetings, members, respect = zip(*rows, strict=True)
    for method in (None, "histogram", "sorted"):
        result = cumulative_gini_by_meeting(meetings, members, respect, _method=method)
        assert result.name == "Gini"
        assert result.index.name == "MeetingID"
        assert result.index.tolist() == [1, 2, 3]
        assert result.tolist() == pytest.approx([0.5, 19 / 46, 38 / 84])


def test_cumulative_gini_edge_cases() -> None:
    empty = cumulative_gini_by_meeting([], [], [])
    assert len(empty) == 0 and empty.name == "Gini"
    zeros = cumulative_gini_by_meeting([1, 2], ["a", "b"], [0, 0])
    assert zeros.tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="length"):
        cumulative_gini_by_meeting([1, 2], ["a"], [1, 2])
    with pytest.raises(ValueError, match=">= 0"):
        cumulative_gini_by_meeting([1], ["a"], [-2])


rows_strategy = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=12),
        st.integers(min_value=0, max_value=15),
        st.one_of(st.sampled_from([0.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 55.0]), st.just(math.nan)),
    ),
    min_size=1,
    max_size=80,
)


@FAST
@given(rows_strategy)
def test_cumulative_gini_matches_naive_recomputation(
    rows: list[tuple[int, int, float]],
) -> None:
    meetings, members, respect = (list(column) for column in zip(*rows, strict=True))
    expected = naive_cumulative_gini(meetings, members, respect)
    for method in ("histogram", "sorted"):
        result = cumulative_gini_by_meeting(meetings, members, respect, _method=method)
        assert result.index.tolist() == expected.index.tolist()
        np.testing.assert_allclose(result.to_numpy(), expected.to_numpy(), atol=1e-12)
        assert ((result >= 0) & (result <= 1)).all()


@FAST
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=6),
            st.sampled_from(["a", "b", "c", "d", "e"]),
            st.floats(min_value=0, max_value=10, allow_nan=False),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_cumulative_gini_with_fractional_respect(rows: list[tuple[int, str, float]]) -> None:
    meetings, members, respect = (list(column) for column in zip(*rows, strict=True))
    expected = naive_cumulative_gini(meetings, members, respect)
    for method in (None, "histogram", "sorted"):
        result = cumulative_gini_by_meeting(meetings, members, respect, _method=method)
        np.testing.assert_allclose(result.to_numpy(), expected.to_numpy(), atol=1e-9)


@FAST
@given(
    meeting_count=st.integers(min_value=1, max_value=90),
    attendance=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=12),  # member
            st.integers(min_value=0, max_value=89),  # meeting (folded below meeting_count)
            st.sampled_from([0, 2, 3, 5, 8, 13, 21]),
        ),
        min_size=1,
        max_size=120,
    ),
    cells=st.sampled_from([1, 7, 64, fairness.HISTOGRAM_CELLS]),
    unit=st.booleans(),
)
def test_cumulative_gini_of_member_runs_matches_naive_recomputation(
    meeting_count: int, attendance: list[tuple[int, int, int]], cells: int, unit: bool
) -> None:
    # Up to 90 meetings, so the meeting blocks span several meetings each; small cell
    # budgets split the histogram into many chunks and passes. Fibonacci Respect leaves
    # gaps between holdings (they are numbered); Respect of 0 or 1 (``unit``) makes every
    # holding up to the largest occur, so holdings are their own numbers.
    pairs = {}
    for member, meeting, respect in attendance:
        key = (member, meeting % meeting_count)
        pairs[key] = pairs.get(key, 0) + (min(respect, 1) if unit else respect)
    every = {(0, m): pairs.get((0, m), 0) for m in range(meeting_count)}  # each meeting occurs
    pairs.update(every)
    keys = sorted(pairs)  # by member, then meeting
    member = np.array([k[0] for k in keys])
    meeting = np.array([k[1] for k in keys], dtype=np.int16)
    respect = np.array([pairs[k] for k in keys], dtype=np.int64)
    starts = np.ones(len(keys), dtype=np.bool_)
    starts[1:] = member[1:] != member[:-1]
    expected = naive_cumulative_gini(meeting.tolist(), member.tolist(), respect.tolist())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fairness, "HISTOGRAM_CELLS", cells)
        result = cumulative_gini_of_member_runs(meeting, respect, starts, meeting_count)
    assert result is not None
    np.testing.assert_allclose(result, expected.to_numpy(), atol=1e-12)


def test_cumulative_gini_of_member_runs_with_huge_holdings() -> None:
    # Holdings 0, 0, 0 and X = 2**60: the pairwise differences are 6X over 16 pairs of a
    # mean of X / 4, so the Gini is 6X / (2 * 16 * X / 4) = 0.75. The sum of squared
    # counts, 3**2 * X, does not fit in int64: it must be summed in floating point.
    meeting = np.zeros(4, dtype=np.int16)
    respect = np.array([2**60, 0, 0, 0], dtype=np.int64)
    starts = np.ones(4, dtype=np.bool_)
    result = cumulative_gini_of_member_runs(meeting, respect, starts, 1)
    assert result is not None
    assert result.tolist() == pytest.approx([0.75])


def test_cumulative_gini_of_member_runs_needs_a_run_start_first() -> None:
    with pytest.raises(ValueError, match="first pair"):
        cumulative_gini_of_member_runs(
            np.zeros(2, dtype=np.int16), np.ones(2, dtype=np.int64), np.array([False, True]), 1
        )


def test_cumulative_gini_last_value_is_gini_of_totals() -> None:
    rng = np.random.default_rng(7)
    meetings = rng.integers(1, 50, 3000)
    members = rng.integers(0, 400, 3000)
    respect = np.array([2, 3, 5, 8, 13, 21])[rng.integers(0, 6, 3000)]
    result = cumulative_gini_by_meeting(meetings, members, respect)
    totals = pd.Series(respect).groupby(members).sum()
    assert result.iloc[-1] == pytest.approx(gini(totals.to_numpy()), abs=1e-12)
    sorted_result = cumulative_gini_by_meeting(meetings, members, respect, _method="sorted")
    np.testing.assert_allclose(result.to_numpy(), sorted_result.to_numpy(), atol=1e-12)


def test_cumulative_gini_of_a_large_community_ends_at_the_gini_of_totals() -> None:
    # 2,000 meetings, 20,000 members, 200,000 rows: the histogram method on a table far
    # larger than the hand-made ones (its speed is measured in benchmarks/bench_dataset.py).
    rng = np.random.default_rng(0)
    rows = 200_000
    meetings = rng.integers(1, 2001, rows)
    members = rng.integers(0, 20_000, rows)
    respect = np.array([2, 3, 5, 8, 13, 21])[rng.integers(0, 6, rows)]
    result = cumulative_gini_by_meeting(meetings, members, respect)
    assert len(result) == 2000
    totals = pd.Series(respect).groupby(members).sum()
    assert result.iloc[-1] == pytest.approx(gini(totals.to_numpy()), abs=1e-12)
    halfway = meetings <= 1000
    totals = pd.Series(respect[halfway]).groupby(members[halfway]).sum()
    assert result.loc[1000] == pytest.approx(gini(totals.to_numpy()), abs=1e-12)
