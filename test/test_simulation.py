"""Tests of the agent-based fractal model, its plutocratic baseline and the demo dataset."""

from __future__ import annotations

import datetime
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fractal_governance.dataset import Dataset
from fractal_governance.fairness import cumulative_gini_by_meeting
from fractal_governance.math import GENESIS, OPTIMISM
from fractal_governance.simulation import (
    COLUMNS,
    DEFAULT_SEED,
    PRESETS,
    SimulationConfig,
    compare_with_plutocracy,
    group_sizes,
    plutocratic_rewards,
    simulate,
    write_csv,
    write_preset,
)

REPO = Path(os.path.realpath(__file__)).parents[1]
DEMO_CSV = REPO / "data" / "demo-weekly_rank.csv"
SMALL = SimulationConfig(meetings=8, founding_members=20, arrival_rate=3.0)


# -- group_sizes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, []), (3, [3]), (6, [6]), (7, [4, 3]), (12, [6, 6]), (13, [5, 4, 4]), (14, [5, 5, 4])],
)
def test_group_sizes_examples(n: int, expected: list[int]) -> None:
    assert group_sizes(n) == expected


@pytest.mark.parametrize("n", [1, 2, -1])
def test_group_sizes_rejects_too_few_attendees(n: int) -> None:
    with pytest.raises(ValueError, match="attendees"):
        group_sizes(n)


def test_group_sizes_rejects_non_integers() -> None:
    with pytest.raises(TypeError):
        group_sizes(7.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        group_sizes(True)


@settings(max_examples=100)
@given(st.integers(min_value=3, max_value=100_000))
def test_group_sizes_invariants(n: int) -> None:
    sizes = group_sizes(n)
    assert sum(sizes) == n
    assert all(3 <= size <= 6 for size in sizes)
    assert max(sizes) - min(sizes) <= 1
    assert len(sizes) == math.ceil(n / 6)  # the fewest groups of at most six
    assert sizes == sorted(sizes, reverse=True)


# -- the simulated records ------------------------------------------------------------------


def check_records(df: pd.DataFrame, config: SimulationConfig) -> None:
    """Invariants every simulated table must satisfy."""
    assert tuple(df.columns) == COLUMNS
    assert df["Index"].tolist() == list(range(1, len(df) + 1))
    assert not df.duplicated(["MeetingID", "MemberID"]).any()
    meetings = df["MeetingID"].to_numpy()
    assert (np.diff(meetings) >= 0).all()
    assert set(meetings) <= set(range(1, config.meetings + 1))
    for _, meeting in df.groupby("MeetingID"):
        sizes = meeting.groupby("Group").size()
        assert sizes.index.tolist() == list(range(1, len(sizes) + 1))
        assert sorted(sizes.tolist(), reverse=True) == group_sizes(len(meeting))
        for _, group in meeting.groupby("Group"):
            k = len(group)
            assert sorted(group["Rank"].tolist()) == list(range(7 - k, 7))
    # One name per member, one name per team, team columns missing together.
    assert (df.groupby("MemberID")["Name"].nunique() == 1).all()
    has_team = df["TeamID"].notna()
    assert (has_team == df["TeamName"].notna()).all()
    if has_team.any():
        teams = df.loc[has_team].groupby("TeamID")["TeamName"].agg(["nunique", "first"])
        assert (teams["nunique"] == 1).all()
        for team_id, name in zip(teams.index.tolist(), teams["first"].tolist(), strict=True):
            assert config.team_names[int(team_id) - 1] == name
    # Dates follow the cadence from the first meeting.
    cadence = datetime.timedelta(days=config.cadence_days)
    expected = [pd.Timestamp(config.first_meeting + cadence * (int(m) - 1)) for m in meetings]
    assert df["MeetingDate"].tolist() == expected


@settings(max_examples=30)
@given(
    meetings=st.integers(0, 8),
    founding=st.integers(3, 25),
    arrivals=st.floats(0, 6),
    accuracy=st.floats(0, 1),
    departure=st.floats(0, 0.9),
    teams=st.integers(0, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_simulated_records_are_well_formed(
    meetings: int,
    founding: int,
    arrivals: float,
    accuracy: float,
    departure: float,
    teams: int,
    seed: int,
) -> None:
    config = SimulationConfig(
        meetings=meetings,
        founding_members=founding,
        arrival_rate=arrivals,
        consensus_accuracy=accuracy,
        departure_rate=departure,
        team_names=tuple(f"Team {i}" for i in range(teams)),
        team_share=0.5 if teams else 0.0,
    )
    df = simulate(config, seed)
    check_records(df, config)
    if meetings:
        assert (df["MeetingID"] == 1).sum() == founding  # every founder attends meeting 1


def test_same_seed_same_records_other_seed_other_records() -> None:
    first = simulate(SMALL, 7)
    pd.testing.assert_frame_equal(first, simulate(SMALL, 7))
    assert not first.equals(simulate(SMALL, 8))


def test_meetings_with_fewer_than_three_attendees_are_cancelled() -> None:
    # Three founders who almost always leave: the fractal soon cannot meet any more.
    config = SimulationConfig(
        meetings=12, founding_members=3, arrival_rate=0.5, departure_rate=0.9, team_share=0.0
    )
    df = simulate(config, 3)
    check_records(df, config)
    held = df.groupby("MeetingID").size()
    assert (held >= 3).all()
    assert len(held) < config.meetings  # some weeks were cancelled and write no rows


def test_consensus_accuracy_one_ranks_by_a_fixed_contribution() -> None:
    """With perfect consensus and constant contributions, two members who share several
    groups always come out in the same order; a lottery (accuracy 0) does not."""

    def inconsistent_pairs(accuracy: float) -> int:
        config = SimulationConfig(
            meetings=25, consensus_accuracy=accuracy, contribution_volatility=0.0
        )
        df = simulate(config, 11)
        key = df["MeetingID"] * 100 + df["Group"]
        pairs = df.assign(Key=key).merge(df.assign(Key=key), on="Key")
        pairs = pairs[pairs["MemberID_x"] < pairs["MemberID_y"]]
        above = (pairs["Rank_x"] > pairs["Rank_y"]).groupby(
            [pairs["MemberID_x"], pairs["MemberID_y"]]
        )
        return int((above.nunique() > 1).sum())

    assert inconsistent_pairs(1.0) == 0
    assert inconsistent_pairs(0.0) > 10


def mean_rank_attendance_correlation(config: SimulationConfig, seeds: range) -> float:
    values = []
    for seed in seeds:
        per_member = simulate(config, seed).groupby("MemberID")["Rank"].agg(["size", "mean"])
        values.append(np.corrcoef(per_member["size"], per_member["mean"])[0, 1])
    return float(np.mean(values))


def test_rank_attendance_relation_appears_when_respect_drives_returning() -> None:
    base = PRESETS["demo"].replace(meetings=60, consensus_accuracy=0.9)
    seeds = range(4)
    with_feedback = mean_rank_attendance_correlation(base.replace(respect_effect=4.0), seeds)
    without = mean_rank_attendance_correlation(base.replace(respect_effect=0.0), seeds)
    assert with_feedback > 0.15
    assert abs(without) < 0.06
    assert with_feedback - without > 0.15


def test_respect_schedule_changes_respect_not_ranks() -> None:
    genesis = simulate(SMALL.replace(respect_schedule=GENESIS, respect_effect=0.0), 5)
    optimism = simulate(SMALL.replace(respect_schedule=OPTIMISM, respect_effect=0.0), 5)
    # The schedule only enters through the (switched off) feedback, so the records match.
    pd.testing.assert_frame_equal(genesis, optimism)


def test_progress_is_reported_after_every_meeting() -> None:
    calls: list[tuple[int, int]] = []
    simulate(SMALL, 1, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(week, SMALL.meetings) for week in range(1, SMALL.meetings + 1)]


@pytest.mark.parametrize(
    "changes",
    [
        {"meetings": -1},
        {"founding_members": 2},
        {"arrival_rate": -0.5},
        {"propensity_mean": 1.0},
        {"consensus_accuracy": 1.5},
        {"departure_rate": 1.0},
        {"weekly_attendance": 0.0},
        {"contribution_persistence": 1.0},
        {"team_names": ("A", "A")},
        {"team_names": (), "team_share": 0.3},
        {"cadence_days": 0},
    ],
)
def test_config_rejects_invalid_parameters(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="SimulationConfig"):
        SimulationConfig().replace(**changes)


def test_config_is_frozen() -> None:
    config = SimulationConfig()
    with pytest.raises(AttributeError):
        config.meetings = 3  # type: ignore[misc]


# -- loading into a Dataset -----------------------------------------------------------------


def test_simulated_records_load_with_an_empty_quality_report(tmp_path: Path) -> None:
    df = simulate(PRESETS["demo"], 3)
    from_frame = Dataset.from_dataframe(df, strict=True)
    assert len(from_frame.quality_report) == 0
    path = write_csv(df, tmp_path / "sim.csv")
    from_file = Dataset.from_csv(path, strict=True)
    assert len(from_file.quality_report) == 0
    # Both routes see the same records.
    assert from_file.total_respect == from_frame.total_respect
    expected = int(GENESIS.respect_array(df["Rank"].to_numpy()).sum())
    assert from_frame.total_member_respect == expected
    assert from_frame.total_meetings == df["MeetingID"].nunique()
    assert from_frame.total_unique_members == df["MemberID"].nunique()


# -- the plutocratic baseline ---------------------------------------------------------------


def test_plutocratic_rewards_worked_example() -> None:
    # Meeting 1: a and b share 20 with equal stakes (nothing held): 10 each.
    # Meeting 2: a (holds 10) and c (holds 0) share 20; the entry stake is the mean reward
    # 20 / 2 = 10, so the weights are 20 and 10: a gets 40/3, c gets 20/3.
    rewards = plutocratic_rewards([1, 1, 2, 2], ["a", "b", "a", "c"], [13, 7, 5, 15])
    np.testing.assert_allclose(rewards, [10, 10, 40 / 3, 20 / 3])
    # Doubling the entry stake dampens the advantage: weights 10 + 20 and 20, so 12 and 8.
    rewards = plutocratic_rewards([1, 1, 2, 2], ["a", "b", "a", "c"], [13, 7, 5, 15], entry_stake=2)
    np.testing.assert_allclose(rewards, [10, 10, 12, 8])


def test_plutocratic_rewards_rejects_unsorted_meetings_and_bad_stake() -> None:
    with pytest.raises(ValueError, match="sorted"):
        plutocratic_rewards([2, 1], ["a", "b"], [1, 1])
    with pytest.raises(ValueError, match="entry_stake"):
        plutocratic_rewards([1], ["a"], [1], entry_stake=0)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_plutocracy_concentrates_respect_more_than_consensus(seed: int) -> None:
    gini = compare_with_plutocracy(PRESETS["demo"], seed)
    assert gini.columns.tolist() == ["MeetingID", "FractalGini", "PlutocraticGini"]
    assert gini["MeetingID"].tolist() == list(range(1, PRESETS["demo"].meetings + 1))
    values = gini[["FractalGini", "PlutocraticGini"]].to_numpy()
    assert ((values >= 0) & (values <= 1)).all()
    # At the first meeting everybody has the same (empty) stake: an even split.
    assert gini["PlutocraticGini"].iloc[0] == pytest.approx(0.0, abs=1e-12)
    final = gini.iloc[-1]
    assert final["PlutocraticGini"] > final["FractalGini"] + 0.1
    # Over the second half of the run the plutocracy stays the more concentrated one.
    half = gini.iloc[len(gini) // 2 :]
    assert (half["PlutocraticGini"] > half["FractalGini"]).all()


def test_fractal_gini_matches_the_simulated_records() -> None:
    df = simulate(SMALL, 9)
    expected = cumulative_gini_by_meeting(
        df["MeetingID"], df["MemberID"], GENESIS.respect_array(df["Rank"].to_numpy())
    )
    gini = compare_with_plutocracy(SMALL, 9)
    np.testing.assert_allclose(gini["FractalGini"].to_numpy(), expected.to_numpy())
    dataset = Dataset.from_dataframe(df)
    np.testing.assert_allclose(
        gini["FractalGini"].to_numpy(), dataset.df_gini_by_meeting["Gini"].to_numpy()
    )


# -- writing and the demo dataset -----------------------------------------------------------


def test_write_csv_is_deterministic_and_atomic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    df = simulate(SMALL, 2)
    target = write_csv(df, tmp_path / "a.csv")
    data = target.read_bytes()
    assert data.startswith(
        b"Index,MemberID,Name,MeetingID,Group,Rank,TeamID,TeamName,MeetingDate\n"
    )
    assert b"\r" not in data
    assert write_csv(df, tmp_path / "b.csv").read_bytes() == data
    first_date = SMALL.first_meeting.isoformat().encode()
    assert data.splitlines()[1].endswith(b"," + first_date)

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_csv(simulate(SMALL, 3), target)
    assert target.read_bytes() == data  # the old file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]  # no temp files


def test_write_preset_rejects_unknown_names(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="demo"):
        write_preset("nope", tmp_path / "x.csv")
    assert list(tmp_path.iterdir()) == []


def test_demo_dataset_regenerates_byte_for_byte(tmp_path: Path) -> None:
    regenerated = write_preset("demo", tmp_path / "demo.csv")
    assert regenerated.read_bytes() == DEMO_CSV.read_bytes()
    assert write_preset("demo", tmp_path / "again.csv", seed=DEFAULT_SEED + 1).read_bytes() != (
        DEMO_CSV.read_bytes()
    )


def test_demo_dataset_has_the_promised_shape() -> None:
    dataset = Dataset.from_csv(DEMO_CSV, strict=True)
    assert len(dataset.quality_report) == 0
    df = dataset.df
    attendees = df.groupby("MeetingID").size()
    assert dataset.total_meetings >= 20
    assert attendees.between(25, 45).all()
    assert 4 <= df["TeamName"].dropna().nunique() <= 6
    # Realistic retention: most attendees of a later meeting have been before, yet a good
    # share of all members come only once (as in the Genesis records).
    returning = dataset.df_member_attendance_new_and_returning_by_meeting
    later = returning.iloc[1:]
    share = later["ReturningMemberCount"].sum() / (
        later["ReturningMemberCount"].sum() + later["NewMemberCount"].sum()
    )
    assert 0.6 < share < 0.95
    once = (dataset.df_member_summary_stats_by_member_id["AttendanceCount"] == 1).mean()
    assert 0.15 < once < 0.6
