"""Tests for fractal_governance.statistics: Statistics and pooled group statistics."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fractal_governance.statistics import (
    Statistics,
    combined_mean,
    combined_standard_deviation,
)

FAST = settings(max_examples=100, deadline=None)


def test_statistics_repr_has_two_decimals_and_keeps_precision() -> None:
    stats = Statistics(mean=32.8333333, standard_deviation=8.6789)
    assert repr(stats) == "Statistics(mean=32.83, standard_deviation=8.68)"
    assert stats.mean == 32.8333333
    assert repr(Statistics(mean=float("nan"), standard_deviation=0)) == (
        "Statistics(mean=nan, standard_deviation=0.00)"
    )


def test_statistics_is_frozen_and_comparable() -> None:
    stats = Statistics(1.0, 2.0)
    assert stats == Statistics(mean=1.0, standard_deviation=2.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats.mean = 3.0  # type: ignore[misc]


def test_statistics_from_values() -> None:
    # [2, 4, 6]: mean 4, squared deviations 4 + 0 + 4 = 8, sample variance 8 / 2 = 4.
    assert Statistics.from_values([2, 4, 6]) == Statistics(4.0, 2.0)
    one = Statistics.from_values([5])
    assert one.mean == 5 and math.isnan(one.standard_deviation)
    none = Statistics.from_values([float("nan")])
    assert math.isnan(none.mean) and math.isnan(none.standard_deviation)


def test_combined_mean_by_hand() -> None:
    # Group A = [1, 2, 3] (n=3, mean 2); group B = [10, 20] (n=2, mean 15).
    # All five values sum to 36, so the overall mean is 36 / 5 = 7.2.
    assert combined_mean([3, 2], [2.0, 15.0]) == pytest.approx(7.2)


def test_combined_standard_deviation_by_hand() -> None:
    # Group A = [1, 2, 3]: mean 2, sample SD 1 (squared deviations 1 + 0 + 1 = 2, / 2).
    # Group B = [10, 20]: mean 15, sample SD sqrt(50) (25 + 25 = 50, / 1).
    # Grand mean 7.2. Within: 2 * 1 + 1 * 50 = 52. Between: 3 * 5.2^2 + 2 * 7.8^2
    # = 81.12 + 121.68 = 202.8. Total 254.8 over N - 1 = 4 -> variance 63.7.
    result = combined_standard_deviation([3, 2], [2.0, 15.0], [1.0, math.sqrt(50)])
    assert result == pytest.approx(math.sqrt(63.7))
    assert result == pytest.approx(float(np.std([1, 2, 3, 10, 20], ddof=1)))


def test_single_value_groups_have_nan_sd_treated_as_zero() -> None:
    # Groups [4] and [8]: overall sample SD of [4, 8] = sqrt(8) (deviations 2 and 2).
    result = combined_standard_deviation([1, 1], [4.0, 8.0], [float("nan"), float("nan")])
    assert result == pytest.approx(math.sqrt(8))


def test_empty_and_tiny_inputs() -> None:
    assert math.isnan(combined_mean([], []))
    assert math.isnan(combined_standard_deviation([], [], []))
    assert math.isnan(combined_standard_deviation([1], [3.0], [float("nan")]))
    # A group of zero values (undefined mean) contributes nothing.
    assert combined_mean([0, 2], [float("nan"), 5.0]) == 5.0


def test_dataframe_call_style_of_the_original_api() -> None:
    df = pd.DataFrame(
        {"count": [3, 2], "mean": [2.0, 15.0], "standard_deviation": [1.0, math.sqrt(50)]}
    )
    assert combined_mean(df) == pytest.approx(7.2)
    assert combined_standard_deviation(df) == pytest.approx(math.sqrt(63.7))
    renamed = df.rename(columns={"count": "n"})
    assert combined_mean(renamed, count_column_name="n") == pytest.approx(7.2)


def test_mismatched_lengths_and_negative_counts_are_rejected() -> None:
    with pytest.raises(ValueError, match="length"):
        combined_mean([1, 2], [1.0])
    with pytest.raises(ValueError, match=">= 0"):
        combined_standard_deviation([-1, 2], [1.0, 2.0], [0.0, 0.0])


groups = st.lists(
    st.lists(
        st.floats(min_value=-1e3, max_value=1e3, allow_nan=False),
        min_size=1,
        max_size=12,
    ),
    min_size=1,
    max_size=8,
)


@FAST
@given(groups)
def test_combined_statistics_equal_statistics_of_concatenated_data(
    data: list[list[float]],
) -> None:
    counts = [len(group) for group in data]
    means = [float(np.mean(group)) for group in data]
    sds = [float(np.std(group, ddof=1)) if len(group) > 1 else float("nan") for group in data]
    everything = np.concatenate([np.asarray(group) for group in data])

    assert combined_mean(counts, means) == pytest.approx(float(everything.mean()), abs=1e-6)
    result = combined_standard_deviation(counts, means, sds)
    if everything.size < 2:
        assert math.isnan(result)
    else:
        expected = float(everything.std(ddof=1))
        assert result == pytest.approx(expected, rel=1e-6, abs=1e-6)
