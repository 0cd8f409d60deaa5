"""The upstream's later API (``fractal_governance.constants``, ``fractal_governance.addendum_1``
and ``math.respect(level, bias=2)``) over the core, with the upstream's published values.

The values come from the upstream's tests, matt-langston/fractal_governance at 916618a:
``test/addendum_1/test_constants.py`` (7042, 2928, 9970, 19,067,701.085571293,
13,467,878.740681347, 5,599,822.3448899435, 1912.5076314514831; and with 7022:
9950, 13,456,622.816370012, 5,611,078.269201282, 1916.3518678966125) and
``test/addendum_1/test_weighted_means.py`` (Team fractally's spreadsheet extract
``data/test/addendum_1/Stats_post-Aug_6_Dist_Portions.csv``, compared to 3 decimals). They
are compared with ``places=7`` as there.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fractal_governance import constants, math
from fractal_governance.addendum_1.constants import Addendum1Constants
from fractal_governance.addendum_1.dataset import Addendum1Dataset
from fractal_governance.addendum_1.token_supply import TokenSupply
from fractal_governance.addendum_1.weighted_means import (
    WeightedMeanLevelAlgorithm,
    WeightedMeanParameters,
    WeightedMeans,
)
from fractal_governance.dataset import Dataset
from fractal_governance.policies.genesis_record import load


def almost_equal(got: float | None, expected: float, places: int = 7) -> None:
    """unittest's assertAlmostEqual, as the upstream's tests use it."""
    assert got is not None and round(abs(got - expected), places) == 0, (got, expected)


def test_constants() -> None:
    assert constants.MEETING_ID_WHEN_HIVE_SIGNATURE_REQUIRED == 17
    assert constants.MEETING_ID_WHEN_ADDENDUM_1_GOES_INTO_EFFECT == 23
    assert constants.MEMBER_ID_COLUMN_NAME == "MemberID"
    assert constants.LEVEL_COLUMN_NAME == "Level"
    assert constants.WEIGHTED_MEAN_RESPECT_COLUMN_NAME == "WeightedMeanRespect"
    assert (constants.PROJECT_DIR / "fractal_governance" / "constants.py").is_file()


def test_math_respect_keeps_one_argument_and_takes_a_bias() -> None:
    assert math.respect(3) == 5 and isinstance(math.respect(3), int)
    with pytest.raises(ValueError):
        math.respect(0)
    # Binet's formula with both terms is the Fibonacci sequence
    assert math.respect(3, bias=2) == 5
    assert math.respect(3.0) == pytest.approx(5.0)
    values = math.respect(np.array([0.0, 1.5]), bias=0, include_second_term=False)
    phi = (1 + 5**0.5) / 2
    assert values == pytest.approx([1 / 5**0.5, phi**1.5 / 5**0.5])


def test_token_supply() -> None:
    week = TokenSupply(time=22)
    almost_equal(week.token_supply, 19067701.085571293)
    almost_equal(week.token_integral, week.integral * 1e6)
    with pytest.raises(RuntimeError):
        TokenSupply(time=0)
    late = TokenSupply(time=300)
    assert late.token_supply == late.token_supply_after_transition_to_constant_inflation
    assert TokenSupply(time=1, half_life=26.0).token_integral < TokenSupply().token_integral


@pytest.fixture(scope="module")
def genesis(genesis_record_dir: Path) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load(genesis_record_dir)


def test_addendum_1_constants_with_default_values(genesis: Dataset) -> None:
    values = Addendum1Constants(dataset=genesis)
    almost_equal(values.total_respect_before_addendum_1_individual, 7042)
    almost_equal(values.total_respect_before_addendum_1_team, 2928)
    almost_equal(values.total_respect_before_addendum_1, 9970)
    almost_equal(values.token_supply_before_addendum_1_individual, 13467878.740681347)
    almost_equal(values.token_supply_before_addendum_1_team, 5599822.3448899435)
    almost_equal(values.token_supply_before_addendum_1, 19067701.085571293)
    almost_equal(values.pro_rata_respect, 1912.5076314514831)


def test_addendum_1_constants_with_the_spreadsheet_value(genesis: Dataset) -> None:
    values = Addendum1Constants(dataset=genesis, total_respect_before_addendum_1_individual=7022)
    almost_equal(values.total_respect_before_addendum_1_individual, 7022)
    almost_equal(values.total_respect_before_addendum_1_team, 2928)
    almost_equal(values.total_respect_before_addendum_1, 9950)
    almost_equal(values.token_supply_before_addendum_1_individual, 13456622.816370012)
    almost_equal(values.token_supply_before_addendum_1_team, 5611078.269201282)
    almost_equal(values.token_supply_before_addendum_1, 19067701.085571293)
    almost_equal(values.pro_rata_respect, 1916.3518678966125)


def test_weighted_means_agree_with_the_spreadsheet(
    genesis: Dataset, addendum_1_spreadsheet: Path
) -> None:
    # Default parameters (the signature clamp on): every member, meetings 23-30. (With the
    # clamp off the members without a signature differ: see test_genesis.py.)
    pivot = WeightedMeans(dataset=genesis).get_pivot_table()
    sheet = pd.read_csv(addendum_1_spreadsheet, dtype={"MemberID": "str"})
    sheet = sheet.rename(columns={sheet.columns[-1]: "30"})
    for meeting_id in range(23, 31):
        for member_id, value in sheet[["MemberID", str(meeting_id)]].to_numpy():
            got = pivot.loc[member_id, meeting_id] if member_id in pivot.index else 0.0
            assert abs(got - value) <= 0.0005 + 1e-9, (meeting_id, member_id, got, value)


def test_weighted_means_parameters(genesis: Dataset) -> None:
    plain = WeightedMeans(
        dataset=genesis,
        parameters=WeightedMeanParameters(
            weighted_mean_level_algorithm=WeightedMeanLevelAlgorithm.RollingMean,
            clamp_mean_respect_to_zero_when_mean_level_is_zero=False,
            clamp_mean_respect_to_zero_when_fractal_contributor_agreement_not_signed=False,
        ),
    )
    frame = plain.df
    zero = frame[frame["WeightedMeanLevel"] == 0]["WeightedMeanRespect"]
    assert zero.to_numpy() == pytest.approx(np.full(len(zero), 1 / 5**0.5))  # F(0), unclamped
    levels = plain.get_pivot_table(weighted_mean_column_name="WeightedMeanLevel")
    dan = genesis.member_history("dan").set_index("MeetingID")["Rank"]
    expected = dan.reindex(range(25, 31)).fillna(0).sum() / 6
    assert levels.loc["dan", 30] == pytest.approx(expected)


def test_addendum_1_dataset(genesis: Dataset) -> None:
    wrapped = Addendum1Dataset(dataset=genesis)
    assert wrapped.addendum_1_constants is not None
    minted = wrapped.df_token_supply.loc[23:30, "TokenIntegral"].to_numpy()
    weekly = wrapped.df_token_distribution_per_meeting.sum(axis=1).to_numpy()
    assert weekly == pytest.approx(minted, rel=1e-12)
    counted = wrapped.dataset_with_addendum_1_respect
    assert counted.unit == "Respect tokens"
    assert counted.total_respect == pytest.approx(wrapped.df_token_supply.loc[30, "TokenSupply"])
    before = wrapped.df[wrapped.df["MeetingID"] < 23]
    assert before["RespectProRata"].sum() == pytest.approx(7042 * 1912.5076314514831)


def test_addendum_1_dataset_with_the_spreadsheet_values(genesis: Dataset) -> None:
    weighted_means = WeightedMeans(
        dataset=genesis,
        parameters=WeightedMeanParameters(
            clamp_mean_respect_to_zero_when_fractal_contributor_agreement_not_signed=False
        ),
    )
    values = Addendum1Constants(dataset=genesis, total_respect_before_addendum_1_individual=7022)
    wrapped = Addendum1Dataset(
        dataset=genesis, weighted_means=weighted_means, addendum_1_constants=values
    )
    before = wrapped.df[wrapped.df["MeetingID"] < 23]
    assert before["RespectProRata"].sum() == pytest.approx(7042 * 1916.3518678966125)
