"""Tests for fractal_governance.math: Fibonacci numbers and Respect schedules."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fractal_governance.math import (
    GENESIS,
    OPTIMISM,
    RespectSchedule,
    fibonacci,
    respect,
)

FAST = settings(max_examples=75, deadline=None)


def test_fibonacci_small_values() -> None:
    assert [fibonacci(n) for n in range(0, 11)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55]


def test_fibonacci_negative_values_follow_negafibonacci() -> None:
    # F(-n) = (-1)^(n+1) F(n): F(-1)=1, F(-2)=-1, F(-3)=2, F(-4)=-3, F(-5)=5, F(-6)=-8
    assert [fibonacci(-n) for n in range(1, 7)] == [1, -1, 2, -3, 5, -8]


def test_fibonacci_is_exact_for_large_n() -> None:
    # F(100) is beyond float precision; compare with a plain iterative sum of Python ints.
    a, b = 0, 1
    for _ in range(300):
        a, b = b, a + b
    assert fibonacci(300) == a
    assert fibonacci(-300) == -a  # even n: negative


def test_fibonacci_handles_deep_n_without_recursion() -> None:
    # 20,000 would exceed the recursion limit of a recursive implementation.
    assert fibonacci(20_001) - fibonacci(19_999) == fibonacci(20_000)
    assert fibonacci(20_000) % 5 == 0  # F(5k) is divisible by F(5) = 5


@FAST
@given(st.integers(min_value=-500, max_value=500))
def test_fibonacci_recurrence_holds_for_all_integers(n: int) -> None:
    assert fibonacci(n) == fibonacci(n - 1) + fibonacci(n - 2)


@FAST
@given(st.integers(min_value=0, max_value=500))
def test_negafibonacci_identity(n: int) -> None:
    assert fibonacci(-n) == (-1) ** (n + 1) * fibonacci(n)


@pytest.mark.parametrize("bad", [1.0, "3", None])
def test_fibonacci_rejects_non_integers(bad: object) -> None:
    with pytest.raises(TypeError):
        fibonacci(bad)  # type: ignore[arg-type]


def test_fibonacci_accepts_numpy_integers() -> None:
    assert fibonacci(np.int64(10)) == 55  # type: ignore[arg-type]


def test_respect_is_genesis_schedule() -> None:
    assert [respect(rank) for rank in range(1, 7)] == [2, 3, 5, 8, 13, 21]
    assert respect(8) == 55  # second-round levels above 6 continue the sequence


@pytest.mark.parametrize("bad", [0, -1])
def test_respect_rejects_ranks_below_one(bad: int) -> None:
    with pytest.raises(ValueError, match=str(bad)):
        respect(bad)


def test_genesis_and_optimism_schedules() -> None:
    assert [GENESIS.respect(level) for level in range(1, 7)] == [2, 3, 5, 8, 13, 21]
    assert [OPTIMISM.respect(level) for level in range(1, 7)] == [5, 8, 13, 21, 34, 55]
    assert RespectSchedule.genesis() == GENESIS
    assert RespectSchedule.optimism() == OPTIMISM
    assert GENESIS.name == "Genesis"
    assert OPTIMISM.name == "Optimism"


def test_fibonacci_schedule_with_offset() -> None:
    schedule = RespectSchedule.fibonacci(0)
    assert [schedule.respect(level) for level in range(1, 6)] == [1, 1, 2, 3, 5]
    assert RespectSchedule.fibonacci(3).respect(1) == 3
    assert "3" in RespectSchedule.fibonacci(3).name


def test_table_schedule() -> None:
    schedule = RespectSchedule.from_table({2: 20, 1: 10, 3: 35}, name="Linear-ish")
    assert schedule.name == "Linear-ish"
    assert schedule.table == ((1, 10), (2, 20), (3, 35))
    assert schedule.max_level == 3
    assert schedule.respect(3) == 35
    with pytest.raises(ValueError, match="level 4"):
        schedule.respect(4)


def test_schedule_is_frozen_and_hashable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        GENESIS.name = "other"  # type: ignore[misc]
    assert len({GENESIS, RespectSchedule.genesis(), OPTIMISM}) == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "x"},
        {"name": "x", "fibonacci_offset": 2, "table": ((1, 1),)},
        {"name": "x", "fibonacci_offset": -1},
        {"name": "x", "table": ((0, 1),)},
        {"name": "x", "table": ((1, 1), (1, 2))},
    ],
)
def test_invalid_schedules_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RespectSchedule(**kwargs)  # type: ignore[arg-type]


def test_respect_array_matches_scalar_and_keeps_shape() -> None:
    levels = np.array([[1, 2, 3], [4, 5, 6]])
    result = GENESIS.respect_array(levels)
    assert result.dtype == np.int64
    assert result.shape == (2, 3)
    assert result.tolist() == [[2, 3, 5], [8, 13, 21]]
    assert OPTIMISM.respect_array([6, 1]).tolist() == [55, 5]
    assert GENESIS.respect_array(np.array([1.0, 8.0])).tolist() == [2, 55]
    assert GENESIS.respect_array(np.array([], dtype=np.int64)).shape == (0,)


def test_respect_array_names_first_unsupported_level() -> None:
    with pytest.raises(ValueError, match="level 0 "):
        GENESIS.respect_array([1, 0, -3])
    with pytest.raises(ValueError, match="level 9 "):
        RespectSchedule.from_table({1: 1, 2: 2}).respect_array([2, 9, 1, 7])
    with pytest.raises(ValueError, match=r"level 1\.5"):
        GENESIS.respect_array([1.0, 1.5])
    with pytest.raises(ValueError, match="level 100 "):
        GENESIS.respect_array([1, 100])  # F(102) does not fit in int64


@FAST
@given(
    st.lists(st.integers(min_value=1, max_value=80), max_size=40),
    st.integers(min_value=0, max_value=10),
)
def test_respect_array_agrees_with_respect(levels: list[int], offset: int) -> None:
    schedule = RespectSchedule.fibonacci(offset)
    expected = [schedule.respect(level) for level in levels]
    assert schedule.respect_array(np.array(levels, dtype=np.int64)).tolist() == expected


def test_respect_array_accepts_nullable_integers_and_rejects_missing() -> None:
    assert GENESIS.respect_array(pd.Series([1, 6], dtype="Int64")).tolist() == [2, 21]
    with pytest.raises(ValueError, match="nan"):
        GENESIS.respect_array(pd.array([1, None], dtype="Int64"))
    with pytest.raises(ValueError, match="integers"):
        GENESIS.respect_array(np.array(["a"], dtype=object))
