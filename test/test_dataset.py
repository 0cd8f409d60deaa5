"""The Dataset API: hand-computed fixtures, invariants over generated data, Genesis records."""

from __future__ import annotations

import csv
import datetime
import math
import shutil
import statistics as pystats
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fractal_governance import fairness, parallel
from fractal_governance.dataset import Dataset, DatasetError, Statistics
from fractal_governance.math import OPTIMISM, RespectSchedule
from fractal_governance.quality import DataQualityWarning
from fractal_governance.statistics import combined_mean, combined_standard_deviation
from fractal_governance.util import MeetingCalendar

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "dataset_small.csv"

# dataset_small.csv, worked out by hand (Genesis schedule: rank r earns F(r + 2), so ranks
# 4, 5, 6 earn 8, 13, 21). Meetings 6, 7, 8 are on 2022-04-02, 2022-04-09 and 2022-04-23:
# the Genesis calendar skips the week of 2022-04-16.
#
#   meeting 6: group 1: a 6, b 5, c 4
#   meeting 7: group 1: b 6 (Alpha), a 5, c 4; group 2: d 6 (Alpha), e 5; group 3: 00 6
#   meeting 8: group 1: d 6 (Alpha), a 5, c 4; group 2: f 6 (Beta), 00 5
#
#   member  ranks    AttendanceCount  AccumulatedRank  AccumulatedRespect  Mean  sd
#   a       6,5,5    3                16               21+13+13 = 47       16/3  sqrt(1/3)
#   c       4,4,4    3                12               24                  4     0
#   d       6,6      2                12               42                  6     0
#   00      6,5      2                11               34                  5.5   sqrt(1/2)
#   b       5,6      2                11               34                  5.5   sqrt(1/2)
#   f       6        1                6                21                  6     NaN
#   e       5        1                5                13                  5     NaN
DATES = [pd.Timestamp("2022-04-02"), pd.Timestamp("2022-04-09"), pd.Timestamp("2022-04-23")]


def load(path: Path = SMALL, **options: Any) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return Dataset.from_csv(path, **options)


@pytest.fixture(scope="module")
def small() -> Dataset:
    return load()


def test_df_is_the_input_plus_meeting_date_and_respect(small: Dataset) -> None:
    df = small.df
    assert list(df.columns) == [
        "Index", "MemberID", "Name", "MeetingID", "Group", "Rank", "TeamID", "TeamName",
        "MeetingDate", "Respect",
    ]  # fmt: skip
    assert df["MemberID"].iloc[0] == "00"
    first = df.iloc[0]  # 00 in meeting 7, rank 6
    assert first["MeetingDate"] == DATES[1] and first["Respect"] == 21
    # meeting 8 comes two weeks after meeting 7 (the calendar's skipped week)
    assert df.loc[df["MeetingID"] == 8, "MeetingDate"].unique().tolist() == [DATES[2]]


def test_member_summary_stats(small: Dataset) -> None:
    stats = small.df_member_summary_stats_by_member_id
    assert stats.index.name == "MemberID"
    assert stats.index.tolist() == ["00", "a", "b", "c", "d", "e", "f"]
    assert list(stats.columns) == [
        "AttendanceCount", "AccumulatedRank", "AccumulatedRespect", "Mean", "StandardDeviation",
    ]  # fmt: skip
    assert stats["AttendanceCount"].tolist() == [2, 3, 2, 3, 2, 1, 1]
    assert stats["AccumulatedRank"].tolist() == [11, 16, 11, 12, 12, 5, 6]
    assert stats["AccumulatedRespect"].tolist() == [34, 47, 34, 24, 42, 13, 21]
    np.testing.assert_allclose(stats["Mean"], [5.5, 16 / 3, 5.5, 4, 6, 5, 6])
    np.testing.assert_allclose(
        stats["StandardDeviation"],
        [math.sqrt(0.5), math.sqrt(1 / 3), math.sqrt(0.5), 0, 0, np.nan, np.nan],
    )


def test_rank_by_attendance_count_is_pooled(small: Dataset) -> None:
    # count 1: e, f -> ranks 5, 6:         mean 5.5,  sample variance 1/2
    # count 2: 00, b, d -> 6,5 5,6 6,6:    mean 34/6, variance
    #          (2 * (2/3)^2 + 4 * (1/3)^2) / 5 = 4/15, sd 0.5164
    # count 3: a, c -> 6,5,5 4,4,4:        mean 28/6, variance
    #          ((4/3)^2 + 2 * (1/3)^2 + 3 * (2/3)^2) / 5 = 2/3, sd 0.8165
    table = small.df_member_rank_by_attendance_count
    assert list(table.columns) == ["AttendanceCount", "Mean", "StandardDeviation"]
    assert table["AttendanceCount"].tolist() == [1, 2, 3]
    pooled = {1: [5, 6], 2: [6, 5, 5, 6, 6, 6], 3: [6, 5, 5, 4, 4, 4]}
    np.testing.assert_allclose(table["Mean"], [pystats.mean(pooled[k]) for k in (1, 2, 3)])
    np.testing.assert_allclose(
        table["StandardDeviation"], [pystats.stdev(pooled[k]) for k in (1, 2, 3)]
    )
    np.testing.assert_allclose(table["StandardDeviation"], [math.sqrt(0.5), 0.5164, 0.8165],
                               atol=1e-4)  # fmt: skip
    # the same as combining the members' own statistics (statistics.combined_*)
    stats = small.df_member_summary_stats_by_member_id
    three = stats[stats["AttendanceCount"] == 3]
    assert table["Mean"].iloc[2] == pytest.approx(
        combined_mean(three["AttendanceCount"], three["Mean"])
    )
    assert table["StandardDeviation"].iloc[2] == pytest.approx(
        combined_standard_deviation(
            three["AttendanceCount"], three["Mean"], three["StandardDeviation"]
        )
    )


def test_new_and_returning_members(small: Dataset) -> None:
    # meeting 6: a, b, c new. meeting 7: d, e, 00 new; a, b, c return.
    # meeting 8: f new; d, a, c, 00 return. (c's first row in the file is meeting 8, but c is
    # new in meeting 6, the first by date.)
    table = small.df_member_attendance_new_and_returning_by_meeting
    assert list(table.columns) == [
        "MeetingDate", "MeetingID", "NewMemberCount", "ReturningMemberCount",
    ]  # fmt: skip
    assert table["MeetingDate"].tolist() == DATES
    assert table["MeetingID"].tolist() == [6, 7, 8]
    assert table["NewMemberCount"].tolist() == [3, 3, 1]
    assert table["ReturningMemberCount"].tolist() == [0, 3, 4]


def test_respect_of_new_and_returning_members(small: Dataset) -> None:
    # meeting 6: 21 + 13 + 8 = 42, all new.
    # meeting 7: new d 21 + e 13 + 00 21 = 55; returning b 21 + a 13 + c 8 = 42.
    # meeting 8: new f 21; returning d 21 + a 13 + c 8 + 00 13 = 55.
    table = small.df_member_respect_new_and_returning_by_meeting
    assert list(table.columns) == [
        "MeetingDate", "MeetingID", "AccumulatedRespect", "AccumulatedRespectNewMember",
        "AccumulatedRespectReturningMember",
    ]  # fmt: skip
    assert table["AccumulatedRespect"].tolist() == [42, 97, 76]
    assert table["AccumulatedRespectNewMember"].tolist() == [42, 55, 21]
    assert table["AccumulatedRespectReturningMember"].tolist() == [0, 42, 55]


def test_new_and_returning_rows_of_a_meeting(small: Dataset) -> None:
    new = small.get_new_member_dataframe_for_meeting_id(7)
    returning = small.get_returning_member_dataframe_for_meeting_id(7)
    assert sorted(new["MemberID"]) == ["00", "d", "e"]
    assert sorted(returning["MemberID"]) == ["a", "b", "c"]
    assert list(new.columns) == list(small.df.columns)
    assert small.get_returning_member_dataframe_for_meeting_id(6).empty
    for bad in (5, 9, 0):
        with pytest.raises(ValueError, match=r"\[6, 8\]"):
            small.get_new_member_dataframe_for_meeting_id(bad)
        with pytest.raises(ValueError, match=r"\[6, 8\]"):
            small.get_returning_member_dataframe_for_meeting_id(bad)


def test_leader_board_ties(small: Dataset) -> None:
    # c and d tie on AccumulatedRank 12: c attended more. 00 and b tie on rank 11 and
    # attendance 2: MemberID "00" sorts before "b".
    board = small.df_member_leader_board
    assert board.index.tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert list(board.columns) == [
        "MemberID", "Name", "AccumulatedRank", "AccumulatedRespect", "AttendanceCount",
    ]  # fmt: skip
    assert board["MemberID"].tolist() == ["a", "c", "d", "00", "b", "f", "e"]
    assert board["Name"].tolist() == ["Ann", "Cy", "Dee", "Zero", "Bob", "Fay", "Eve"]
    assert board["AccumulatedRank"].tolist() == [16, 12, 12, 11, 11, 6, 5]
    assert board["AccumulatedRespect"].tolist() == [47, 24, 42, 34, 34, 21, 13]
    assert board["AttendanceCount"].tolist() == [3, 3, 2, 2, 2, 1, 1]


def test_leader_board_name_is_the_first_name_seen() -> None:
    frame = pd.DataFrame(
        {"MemberID": ["a", "a", "b"], "Name": ["Ann B.", "Ann", "Bob"], "MeetingID": [2, 1, 1],
         "Group": [1, 1, 1], "Rank": [6, 6, 5]}
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        dataset = Dataset.from_dataframe(frame)
    assert dataset.df_member_leader_board["Name"].tolist() == ["Ann B.", "Bob"]


def test_teams(small: Dataset) -> None:
    # Alpha: meeting 7 b 21 + d 21 = 42, meeting 8 d 21; Beta: meeting 8 f 21.
    respect = small.df_team_respect_by_meeting_date
    assert list(respect.columns) == ["TeamName", "MeetingDate", "AccumulatedRespect"]
    assert respect["TeamName"].tolist() == ["Alpha", "Alpha", "Beta"]
    assert respect["MeetingDate"].tolist() == [DATES[1], DATES[2], DATES[2]]
    assert respect["AccumulatedRespect"].tolist() == [42, 21, 21]
    board = small.df_team_leader_board
    assert board.index.name == "TeamName"
    assert board.index.tolist() == ["Alpha", "Beta"]
    assert board["AccumulatedRespect"].tolist() == [63, 21]
    assert small.has_teams


def test_team_representation_is_nan_where_nobody_has_a_team(small: Dataset) -> None:
    # meeting 6: nobody -> NaN (left out); meeting 7: 2 of 6; meeting 8: 2 of 5.
    representation = small.df_team_representation_by_date
    assert representation.index.tolist() == DATES
    assert math.isnan(representation.iloc[0])
    np.testing.assert_allclose(representation.iloc[1:], [2 / 6, 2 / 5])
    stats = small.team_representation_stats
    assert stats.mean == pytest.approx((2 / 6 + 2 / 5) / 2)
    assert stats.standard_deviation == pytest.approx(abs(2 / 5 - 2 / 6) / math.sqrt(2))


def test_no_teams_at_all() -> None:
    frame = pd.DataFrame(
        {"MemberID": ["a", "b"], "Name": ["A", "B"], "MeetingID": [1, 1], "Group": [1, 1],
         "Rank": [6, 5]}
    )  # fmt: skip
    dataset = Dataset.from_dataframe(frame)
    assert not dataset.has_teams
    assert dataset.df_team_representation_by_date.isna().all()
    assert math.isnan(dataset.team_representation_stats.mean)
    assert dataset.total_team_respect == 0
    assert dataset.df_team_respect_by_meeting_date.empty
    last = dataset.summary_table().iloc[-1]
    assert last["Statistic"] == "Team representation"
    assert math.isnan(last["Value"]) and math.isnan(last["StandardDeviation"])


def test_totals_and_statistics(small: Dataset) -> None:
    # members: 42 + 97 + 76 = 215; teams: 63 + 21 = 84
    assert small.total_member_respect == 215 == small.df["Respect"].sum()
    assert small.total_team_respect == 84
    assert small.total_respect == 299
    assert small.total_unique_members == 7
    assert small.total_meetings == 3
    assert small.last_meeting_date == DATES[2]
    assert small.meeting_ids == [6, 7, 8]
    # attendees per meeting 3, 6, 5; meetings per member 3, 2, 3, 2, 1, 1, 2
    attendance = small.attendance_stats
    assert isinstance(attendance, Statistics)
    assert attendance.mean == pytest.approx(14 / 3)
    assert attendance.standard_deviation == pytest.approx(pystats.stdev([3, 6, 5]))
    consistency = small.attendance_consistency_stats
    assert consistency.mean == 2.0
    assert consistency.standard_deviation == pytest.approx(math.sqrt(4 / 6))
    assert repr(small.attendance_stats) == "Statistics(mean=4.67, standard_deviation=1.53)"


def test_summary_table(small: Dataset) -> None:
    table = small.summary_table()
    assert list(table.columns) == ["Statistic", "Value", "StandardDeviation", "Unit"]
    rows = {
        row.Statistic: (row.Value, row.StandardDeviation, row.Unit) for row in table.itertuples()
    }
    assert rows["Total Respect (all sources)"][::2] == (299, "Respect")
    assert rows["Respect earned by members"][::2] == (215, "Respect")
    assert rows["Respect earned by teams"][::2] == (84, "Respect")
    assert rows["Meetings"][::2] == (3, "meetings")
    assert rows["Unique members"][::2] == (7, "members")
    assert all(math.isnan(rows[name][1]) for name in list(rows)[:5])
    # attendees 3, 6, 5; meetings per member 2 each but 1 and 3 (sd sqrt(4/6)); team shares
    assert rows["Attendees per meeting"] == pytest.approx(
        (14 / 3, pystats.stdev([3, 6, 5]), "members")
    )
    assert rows["Meetings attended per member"] == pytest.approx(
        (2.0, math.sqrt(4 / 6), "meetings")
    )
    assert rows["Team representation"][0] == pytest.approx(0.3667, abs=1e-4)
    assert rows["Team representation"][1] == pytest.approx(0.0471, abs=1e-4)
    assert rows["Team representation"][2] == "share"


def test_member_history(small: Dataset) -> None:
    history = small.member_history("a")
    assert list(history.columns) == [
        "MeetingID", "MeetingDate", "Rank", "Respect", "AccumulatedRespect",
    ]  # fmt: skip
    assert history["MeetingID"].tolist() == [6, 7, 8]
    assert history["MeetingDate"].tolist() == DATES
    assert history["Rank"].tolist() == [6, 5, 5]
    assert history["Respect"].tolist() == [21, 13, 13]
    assert history["AccumulatedRespect"].tolist() == [21, 34, 47]
    with pytest.raises(ValueError, match="'zz'"):
        small.member_history("zz")


def test_fairness_attributes(small: Dataset) -> None:
    held = [47, 24, 42, 34, 34, 21, 13]
    distribution = small.respect_distribution
    assert distribution.member_count == 7 and distribution.total_respect == 215
    assert distribution.gini == pytest.approx(fairness.gini(held))
    lorenz = small.df_lorenz_curve
    assert list(lorenz.columns) == ["PopulationShare", "RespectShare"]
    assert len(lorenz) == 8 and lorenz["RespectShare"].iloc[-1] == 1.0
    gini = small.df_gini_by_meeting
    assert list(gini.columns) == ["MeetingID", "MeetingDate", "Gini"]
    assert gini["MeetingID"].tolist() == [6, 7, 8]
    # after meeting 6 the holdings are 21, 13, 8: sum of |x_i - x_j| over ordered pairs is
    # 2 * (8 + 13 + 5) = 52; divided by 2 * n^2 * mean = 2 * 9 * 14 gives 52 / 252
    assert gini["Gini"].iloc[0] == pytest.approx(52 / 252)
    assert gini["Gini"].iloc[-1] == pytest.approx(fairness.gini(held))


def test_returned_tables_are_copies(small: Dataset) -> None:
    df = small.df
    df.loc[0, "Respect"] = 1_000_000
    df["Extra"] = 1
    board = small.df_member_leader_board
    board.loc[1, "AccumulatedRank"] = -1
    representation = small.df_team_representation_by_date
    representation.iloc[1] = 99.0
    assert small.df.loc[0, "Respect"] == 21
    assert "Extra" not in small.df.columns
    assert small.df_member_leader_board.loc[1, "AccumulatedRank"] == 16
    assert small.df_team_representation_by_date.iloc[1] == pytest.approx(2 / 6)
    assert small.total_member_respect == 215


def test_changing_the_input_frame_later_changes_nothing() -> None:
    frame = pd.DataFrame(
        {
            "MemberID": ["a", "b", "c"],
            "Name": ["A", "B", "C"],
            "MeetingID": [1, 1, 1],
            "Group": [1, 1, 1],
            "Rank": [6, 5, 4],
        }
    )
    dataset = Dataset.from_dataframe(frame)
    frame.loc[0, "Rank"] = 1
    frame.loc[1, "MeetingID"] = 9
    frame["Group"] = 3
    frame.loc[2, "Name"] = "Z"
    # ranks 6, 5, 4 earn 21, 13, 8 (Genesis); all in meeting 1, group 1
    assert dataset.df["Rank"].tolist() == [6, 5, 4]
    assert dataset.df["MeetingID"].tolist() == [1, 1, 1]
    assert dataset.df["Group"].tolist() == [1, 1, 1]
    assert dataset.df["Name"].tolist() == ["A", "B", "C"]
    assert dataset.total_member_respect == 21 + 13 + 8
    assert dataset.meeting_ids == [1]


def test_dataset_is_immutable(small: Dataset) -> None:
    with pytest.raises(AttributeError):
        small.name = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        small.df = pd.DataFrame()  # type: ignore[misc]


def test_name_and_source(small: Dataset) -> None:
    assert small.name is None and small.source == str(SMALL)
    named = small.with_name("Small Fractal")
    assert named.name == "Small Fractal" and small.name is None
    assert named.df_member_leader_board.equals(small.df_member_leader_board)
    assert load(name="Given").name == "Given"
    assert "Small Fractal" in repr(named)


def test_select_meetings_keeps_history_before_the_window(small: Dataset) -> None:
    later = small.select_meetings(7, 8)
    assert later.meeting_ids == [7, 8]
    # meeting 7: 00, d and e are new; a, b and c attended meeting 6, before the window, so
    # they are returning. Meeting 8: f is new; 00, a, c and d are returning.
    table = later.df_member_attendance_new_and_returning_by_meeting
    assert table["NewMemberCount"].tolist() == [3, 1]
    assert table["ReturningMemberCount"].tolist() == [3, 4]
    respect = later.df_member_respect_new_and_returning_by_meeting
    # new at 7: 00 (6 -> 21), d (6 -> 21), e (5 -> 13); at 8: f (6 -> 21)
    assert respect["AccumulatedRespectNewMember"].tolist() == [55, 21]
    assert later.last_meeting_date == small.last_meeting_date  # the window ends at 8
    assert small.select_meetings(6, 7).last_meeting_date < small.last_meeting_date
    assert later.total_member_respect == 97 + 76
    assert later.total_unique_members == 7
    assert small.total_meetings == 3  # the original is unchanged
    only_six = small.select_meetings(0, 6)
    assert only_six.total_unique_members == 3 and not only_six.has_teams
    with pytest.raises(ValueError, match="6 to 8"):
        small.select_meetings(9, 20)


def test_level_naming_gives_the_same_tables(tmp_path: Path, small: Dataset) -> None:
    text = SMALL.read_text().replace(",Rank,", ",Level,")
    path = tmp_path / "level.csv"
    path.write_text(text)
    level = load(path)
    assert "Level" in level.df.columns and "Rank" not in level.df.columns
    assert level.level_column == "Level"
    pd.testing.assert_frame_equal(
        level.df_member_summary_stats_by_member_id, small.df_member_summary_stats_by_member_id
    )
    pd.testing.assert_frame_equal(level.df_member_leader_board, small.df_member_leader_board)
    assert list(level.member_history("a").columns)[2] == "Rank"


def test_normalized_layout_gives_the_same_tables(small: Dataset) -> None:
    normalized = Dataset.from_directory(FIXTURES / "io_normalized")
    assert list(normalized.df.columns) == [
        "Index", "MemberID", "Name", "MeetingID", "Group", "Round", "Level", "TeamID",
        "TeamName", "MeetingDate", "Respect",
    ]  # fmt: skip
    for name in (
        "df_member_summary_stats_by_member_id", "df_member_rank_by_attendance_count",
        "df_member_attendance_new_and_returning_by_meeting",
        "df_member_respect_new_and_returning_by_meeting", "df_member_leader_board",
        "df_team_respect_by_meeting_date", "df_team_leader_board", "df_gini_by_meeting",
    ):  # fmt: skip
        pd.testing.assert_frame_equal(getattr(normalized, name), getattr(small, name))
    pd.testing.assert_series_equal(
        normalized.df_team_representation_by_date, small.df_team_representation_by_date
    )
    files = [FIXTURES / "io_normalized" / n for n in ("weekly_measurements.csv",
             "account_status.csv", "teams.csv")]  # fmt: skip
    assert Dataset.from_files(*files).total_respect == small.total_respect


def test_spreadsheet_export_gives_the_same_tables(small: Dataset) -> None:
    export = load(FIXTURES / "io_export.csv")
    pd.testing.assert_frame_equal(export.df, small.df)
    pd.testing.assert_frame_equal(export.df_member_leader_board, small.df_member_leader_board)


def test_rounds() -> None:
    # dataset_rounds.csv (Level, Round). Meeting 1, round 1: A, B (group 1) and G, H, K
    # (group 2) have empty levels; C 4, D 3, E 2, F 1, I 4, J 3. Round 2: A 8, G 7, B 6, H 5.
    # K never gets a level in meeting 1: attends, earns nothing. Meeting 2: A 6, C 5, K 4, L 3.
    # Respect F(l + 2): 8 -> 55, 7 -> 34, 6 -> 21, 5 -> 13, 4 -> 8, 3 -> 5, 2 -> 3, 1 -> 2.
    dataset = load(FIXTURES / "dataset_rounds.csv")
    attendance = dataset.df_member_attendance_new_and_returning_by_meeting
    assert attendance["NewMemberCount"].tolist() == [11, 1]  # 15 rows, 11 members; then L
    assert attendance["ReturningMemberCount"].tolist() == [0, 3]
    respect = dataset.df_member_respect_new_and_returning_by_meeting
    # meeting 1: 55 + 21 + 8 + 5 + 3 + 2 + 34 + 13 + 8 + 5 + 0 = 154; meeting 2: 21+13+8+5
    assert respect["AccumulatedRespect"].tolist() == [154, 47]
    assert respect["AccumulatedRespectNewMember"].tolist() == [154, 5]
    assert dataset.df["Respect"].sum() == dataset.total_member_respect == 201
    # the round-1 row of A carries no Respect; the round-2 row carries 55
    a_rows = dataset.df[dataset.df["MemberID"] == "A"]
    assert a_rows["Respect"].tolist() == [0, 55, 21]
    stats = dataset.df_member_summary_stats_by_member_id
    assert stats.loc["A", "AccumulatedRank"] == 14 and stats.loc["A", "Mean"] == 7
    assert stats.loc["K", "AttendanceCount"] == 2 and stats.loc["K", "AccumulatedRank"] == 4
    assert stats["StandardDeviation"].isna().to_dict()["K"]
    history = dataset.member_history("K")
    assert history["Rank"].isna().tolist() == [True, False]
    assert history["Respect"].tolist() == [0, 8]
    assert dataset.attendance_stats.mean == (11 + 4) / 2


def test_last_round_with_a_level_decides() -> None:
    # a has level 3 in round 1 and 7 in round 2 (7 counts); b has 2 in round 1 and an empty
    # level in round 2 (2 counts: the last round with a level).
    frame = pd.DataFrame(
        {"MemberID": ["a", "b", "a", "b"], "Name": ["A", "B", "A", "B"], "MeetingID": [1] * 4,
         "Group": [1, 1, 1, 1], "Round": [1, 1, 2, 2], "Level": [3, 2, 7, None]}
    )  # fmt: skip
    dataset = build(frame)
    assert dataset.df["Respect"].tolist() == [0, 3, 34, 0]
    assert dataset.df_member_leader_board["AccumulatedRank"].tolist() == [7, 2]


def test_meeting_dates_from_the_data_order_the_meetings() -> None:
    # dataset_dates.csv: meeting 2 is dated 2023-01-07, before meeting 1 (2023-01-14).
    # By date: meeting 2 (x, z new), meeting 1 (x returns, y new), meeting 3 (y, z return).
    dataset = load(FIXTURES / "dataset_dates.csv")
    table = dataset.df_member_attendance_new_and_returning_by_meeting
    assert table["MeetingID"].tolist() == [2, 1, 3]
    assert table["MeetingDate"].tolist() == [
        pd.Timestamp("2023-01-07"), pd.Timestamp("2023-01-14"), pd.Timestamp("2023-01-21"),
    ]  # fmt: skip
    assert table["NewMemberCount"].tolist() == [2, 1, 0]
    assert dataset.get_new_member_dataframe_for_meeting_id(1)["MemberID"].tolist() == ["y"]
    # MeetingDate stays where the input had it
    assert list(dataset.df.columns) == [
        "MemberID", "Name", "MeetingID", "Group", "Rank", "MeetingDate", "Respect",
    ]  # fmt: skip
    assert dataset.df_gini_by_meeting["MeetingID"].tolist() == [2, 1, 3]
    assert dataset.last_meeting_date == pd.Timestamp("2023-01-21")


def test_custom_calendar() -> None:
    calendar = MeetingCalendar(start=datetime.date(2023, 1, 2), cadence_days=14, skipped=())
    dataset = load(calendar=calendar)
    # meeting 6 is five fortnights after 2023-01-02
    assert dataset.df_member_attendance_new_and_returning_by_meeting["MeetingDate"].tolist() == [
        pd.Timestamp("2023-03-13"), pd.Timestamp("2023-03-27"), pd.Timestamp("2023-04-10"),
    ]  # fmt: skip
    assert dataset.calendar == calendar


def test_respect_schedules() -> None:
    # Optimism: levels 4, 5, 6 earn 21, 34, 55. Counts of ranks in dataset_small.csv:
    # rank 6 x6, rank 5 x5, rank 4 x3 -> 6*55 + 5*34 + 3*21 = 563
    dataset = load(respect_schedule=OPTIMISM)
    assert dataset.total_member_respect == 563
    assert dataset.respect_schedule == OPTIMISM
    table = RespectSchedule.from_table({4: 1, 5: 10, 6: 100})
    assert load(respect_schedule=table).total_member_respect == 6 * 100 + 5 * 10 + 3 * 1
    partial = RespectSchedule.from_table({5: 10, 6: 100}, name="Partial")
    with pytest.raises(DatasetError) as error:
        load(respect_schedule=partial)
    message = str(error.value)
    assert str(SMALL) in message and "'Rank'" in message and "Partial" in message
    assert "row 10: '4'" in message  # c's rank 4 rows are lines 9, 10, 11 of the file


def test_meeting_ids_the_calendar_cannot_place(tmp_path: Path) -> None:
    calendar = MeetingCalendar(start=datetime.date(2022, 1, 1), cadence_days=10**6, skipped=())
    path = tmp_path / "far.csv"
    path.write_text("MemberID,Name,MeetingID,Group,Rank\na,A,1,1,6\nb,B,900000,1,6\n")
    with pytest.raises(DatasetError, match=r"far\.csv.*'MeetingID'.*900000.*row 3"):
        load(path, calendar=calendar)


def test_public_names() -> None:
    import fractal_governance

    assert fractal_governance.DatasetError is DatasetError
    assert issubclass(DatasetError, ValueError)
    assert repr(Statistics(mean=32.833, standard_deviation=8.6789)) == (
        "Statistics(mean=32.83, standard_deviation=8.68)"
    )


# -- invariants over generated datasets ---------------------------------------------------------


def fibonacci(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def reference(frame: pd.DataFrame, dates: dict[int, pd.Timestamp]) -> dict[str, Any]:
    """The tables computed the slow, obvious way (one row per member per meeting decides)."""
    level_column = "Level" if "Level" in frame.columns else "Rank"
    decided: dict[tuple[int, str], tuple[int | None, str | None]] = {}
    ordered = frame.sort_values("Round" if "Round" in frame else "MeetingID", kind="stable")
    for record in ordered.to_dict("records"):
        key = (int(record["MeetingID"]), str(record["MemberID"]))
        raw_level = record[level_column]
        level = None if pd.isna(raw_level) else int(raw_level)
        raw_team = record.get("TeamName")
        team = None if raw_team is None or pd.isna(raw_team) else str(raw_team)
        if key not in decided or level is not None:
            decided[key] = (level, team)
    meetings = sorted({m for m, _ in decided}, key=lambda m: (dates[m], m))
    seen: set[str] = set()
    out: dict[str, Any] = {"new": [], "returning": [], "respect_new": [], "respect_ret": []}
    ranks: defaultdict[str, list[int]] = defaultdict(list)
    attendance: defaultdict[str, int] = defaultdict(int)
    respect: defaultdict[str, int] = defaultdict(int)
    team_respect: defaultdict[tuple[str, pd.Timestamp], int] = defaultdict(int)
    for meeting in meetings:
        members = sorted(member for m, member in decided if m == meeting)
        counts = [0, 0, 0, 0]
        for member in members:
            level, team = decided[(meeting, member)]
            earned = fibonacci(level + 2) if level is not None else 0
            new = member not in seen
            counts[0 if new else 1] += 1
            counts[2 if new else 3] += earned
            attendance[member] += 1
            respect[member] += earned
            if level is not None:
                ranks[member].append(level)
            if team is not None:
                team_respect[(team, dates[meeting])] += earned
        seen.update(members)
        for name, value in zip(("new", "returning", "respect_new", "respect_ret"), counts,
                               strict=True):  # fmt: skip
            out[name].append(value)
    board = sorted(attendance, key=lambda m: (-sum(ranks[m]), -attendance[m], m))
    out.update(
        meetings=meetings, attendance=attendance, respect=respect, ranks=ranks, board=board,
        team_respect=dict(sorted(team_respect.items())),
    )  # fmt: skip
    return out


MEMBERS = ["00", "01", "a", "b", "c", "d", "e", "f", "g", "h"]


@st.composite
def weekly_frames(draw: st.DrawFn, rounds: bool = False) -> pd.DataFrame:
    meeting_ids = draw(st.lists(st.integers(1, 40), min_size=1, max_size=6, unique=True))
    rows = []
    for meeting in meeting_ids:
        members = draw(st.lists(st.sampled_from(MEMBERS), min_size=1, max_size=9, unique=True))
        for seat, member in enumerate(members):
            team = draw(st.sampled_from([None, "T1", "T2"]))
            name = draw(st.sampled_from([f"{member} name", f"{member} alias"]))
            row = {"MemberID": member, "Name": name, "MeetingID": meeting,
                   "Group": seat // 6 + 1, "TeamID": None if team is None else int(team[1]),
                   "TeamName": team}  # fmt: skip
            if rounds:
                moves_on = draw(st.booleans())
                row.update(Round=1, Level=None if moves_on else draw(st.integers(1, 6)))
                rows.append(row)
                if moves_on and draw(st.booleans()):
                    rows.append({**row, "Round": 2, "Group": 1,
                                 "Level": draw(st.integers(3, 8))})  # fmt: skip
            else:
                row["Rank"] = draw(st.integers(1, 6))
                rows.append(row)
    if draw(st.booleans()):
        # listed meeting by meeting, as files usually are (the loaders' fast paths)
        rows.sort(key=lambda row: row["MeetingID"])
        return pd.DataFrame(rows)
    order = draw(st.permutations(range(len(rows))))
    return pd.DataFrame([rows[i] for i in order])


def check_rows_and_histories(dataset: Dataset, frame: pd.DataFrame) -> None:
    """New and returning rows of every meeting, and every member's history, from the frame
    (meetings here are dated by ID, so the first meeting is the smallest ID)."""
    first_meeting = frame.groupby("MemberID")["MeetingID"].min()
    for meeting in dataset.meeting_ids:
        rows = frame[frame["MeetingID"] == meeting]
        is_new = first_meeting.loc[rows["MemberID"]].to_numpy() == meeting
        new = dataset.get_new_member_dataframe_for_meeting_id(meeting)
        returning = dataset.get_returning_member_dataframe_for_meeting_id(meeting)
        assert sorted(new["MemberID"]) == sorted(rows["MemberID"][is_new])
        assert sorted(returning["MemberID"]) == sorted(rows["MemberID"][~is_new])
    summary = dataset.df_member_summary_stats_by_member_id
    for member, meetings in frame.groupby("MemberID")["MeetingID"]:
        history = dataset.member_history(str(member))
        assert history["MeetingID"].tolist() == sorted(set(meetings))
        total = summary.loc[member, "AccumulatedRespect"]
        assert history["AccumulatedRespect"].iloc[-1] == total


def check_against_reference(dataset: Dataset, frame: pd.DataFrame) -> None:
    check_rows_and_histories(dataset, frame)
    dates = dict(
        zip(dataset.df["MeetingID"].tolist(), dataset.df["MeetingDate"].tolist(), strict=True)
    )
    ref = reference(frame, dates)
    attendance = dataset.df_member_attendance_new_and_returning_by_meeting
    respect = dataset.df_member_respect_new_and_returning_by_meeting
    assert attendance["MeetingID"].tolist() == ref["meetings"]
    assert attendance["NewMemberCount"].tolist() == ref["new"]
    assert attendance["ReturningMemberCount"].tolist() == ref["returning"]
    assert respect["AccumulatedRespectNewMember"].tolist() == ref["respect_new"]
    assert respect["AccumulatedRespectReturningMember"].tolist() == ref["respect_ret"]

    # new + returning = attendance per meeting, and Respect per meeting
    per_meeting = frame.groupby("MeetingID")["MemberID"].nunique()
    total = attendance["NewMemberCount"] + attendance["ReturningMemberCount"]
    assert total.tolist() == per_meeting.loc[attendance["MeetingID"]].tolist()
    assert (
        respect["AccumulatedRespectNewMember"] + respect["AccumulatedRespectReturningMember"]
    ).tolist() == respect["AccumulatedRespect"].tolist()
    assert attendance["NewMemberCount"].sum() == dataset.total_unique_members
    assert respect["AccumulatedRespect"].sum() == dataset.total_member_respect
    assert dataset.df["Respect"].sum() == dataset.total_member_respect

    board = dataset.df_member_leader_board
    assert board["MemberID"].tolist() == ref["board"]
    assert board.index.tolist() == list(range(1, len(ref["board"]) + 1))
    keys = list(zip(-board["AccumulatedRank"], -board["AttendanceCount"], board["MemberID"],
                    strict=True))  # fmt: skip
    assert keys == sorted(keys)
    first_names = frame.groupby("MemberID", sort=False)["Name"].first()
    assert board["Name"].tolist() == first_names.loc[board["MemberID"]].tolist()

    stats = dataset.df_member_summary_stats_by_member_id
    for member, row in stats.iterrows():
        ranks = ref["ranks"][member]
        assert row["AttendanceCount"] == ref["attendance"][member]
        assert row["AccumulatedRank"] == sum(ranks)
        assert row["AccumulatedRespect"] == ref["respect"][member]
        if ranks:
            assert row["Mean"] == pytest.approx(pystats.mean(ranks))
        if len(ranks) > 1:
            assert row["StandardDeviation"] == pytest.approx(pystats.stdev(ranks))
        else:
            assert math.isnan(row["StandardDeviation"])

    pooled: defaultdict[int, list[int]] = defaultdict(list)
    for member, count in ref["attendance"].items():
        pooled[count].extend(ref["ranks"][member])
    by_count = dataset.df_member_rank_by_attendance_count
    assert by_count["AttendanceCount"].tolist() == sorted(pooled)
    for count, mean, sd in by_count.itertuples(index=False):
        if pooled[count]:
            assert mean == pytest.approx(pystats.mean(pooled[count]))
        if len(pooled[count]) > 1:
            assert sd == pytest.approx(pystats.stdev(pooled[count]))

    team = dataset.df_team_respect_by_meeting_date
    got = {(t, d): r for t, d, r in team.itertuples(index=False)}
    assert got == ref["team_respect"]
    assert dataset.total_team_respect == sum(ref["team_respect"].values())

    gini = dataset.df_gini_by_meeting["Gini"]
    assert ((gini >= 0) & (gini <= 1)).all()
    held = stats["AccumulatedRespect"].to_numpy()
    assert gini.iloc[-1] == pytest.approx(fairness.gini(held))
    assert 0 <= dataset.respect_distribution.gini <= 1


def build(frame: pd.DataFrame) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return Dataset.from_dataframe(frame)


@settings(max_examples=60, deadline=None)
@given(frame=weekly_frames())
def test_invariants_weekly(frame: pd.DataFrame) -> None:
    check_against_reference(build(frame), frame)


@settings(max_examples=40, deadline=None)
@given(frame=weekly_frames(rounds=True))
def test_invariants_with_rounds(frame: pd.DataFrame) -> None:
    check_against_reference(build(frame), frame)


@settings(max_examples=40, deadline=None)
@given(frame=st.booleans().flatmap(lambda rounds: weekly_frames(rounds=rounds)))
def test_invariants_on_the_threaded_path(frame: pd.DataFrame) -> None:
    # Large tables are typed and tabulated on two threads; force that path on small tables
    # so that its results are checked against the reference too.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel, "PARALLEL_ROWS", 0)
        patch.setattr(parallel, "usable_cores", lambda: 2)
        assert parallel.worth_a_thread(len(frame))
        check_against_reference(build(frame), frame)


@pytest.mark.parametrize(("count", "threaded"), [(7, False), (7, True), (0, True), (1, True)])
def test_in_halves_splits_the_work_and_keeps_its_order(count: int, threaded: bool) -> None:
    import threading

    calls: list[tuple[int, int, bool]] = []

    def work(low: int, high: int) -> list[int]:
        calls.append((low, high, threading.current_thread() is threading.main_thread()))
        return list(range(low, high))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel, "PARALLEL_ROWS", 0 if threaded else 10**9)
        patch.setattr(parallel, "usable_cores", lambda: 2)
        first, second = parallel.in_halves(count, work)
    assert first + second == list(range(count))  # the halves in order, nothing twice
    half = count // 2
    expected = [(0, half, True), (half, count, not threaded)]  # the second on the worker
    # on one thread in order; on two, the worker's half may come first
    assert (
        sorted(calls, key=lambda call: (call[:2], not call[2])) if threaded else calls
    ) == expected


@settings(max_examples=30, deadline=None)
@given(
    frame=st.booleans().flatmap(lambda rounds: weekly_frames(rounds=rounds)),
    combined=st.booleans(),
)
def test_a_rolling_ledger_gives_the_same_tables_on_two_threads(
    frame: pd.DataFrame, combined: bool
) -> None:
    # A ledger with awards to absent members splits the tables between the threads in
    # another way: the Gini on the worker when the ledger is listed by meeting (a rolling
    # policy's), its table when it must be sorted first (a schedule's awards followed by a
    # rolling policy's). Every table is as on one thread.
    from fractal_governance import profiles
    from fractal_governance.math import GENESIS
    from fractal_governance.policies import Combined, RollingMeanRespect, ScheduleRespect

    rolling = RollingMeanRespect(window=3)
    policy = Combined((ScheduleRespect(GENESIS), rolling)) if combined else rolling
    profile = profiles.GENESIS.with_policy(policy)

    def tables() -> list[Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            dataset = Dataset.from_dataframe(frame, profile=profile)
        return [getattr(dataset, name) for name in TABLES_BUILT_AHEAD]

    one = tables()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel, "PARALLEL_ROWS", 0)
        patch.setattr(parallel, "usable_cores", lambda: 2)
        two = tables()
    for expected, got in zip(one, two, strict=True):
        pd.testing.assert_frame_equal(got, expected)


TABLES_BUILT_AHEAD = (
    "ledger",
    "df",
    "df_member_summary_stats_by_member_id",
    "df_member_leader_board",
    "df_member_rank_by_attendance_count",
    "df_member_attendance_new_and_returning_by_meeting",
    "df_member_respect_new_and_returning_by_meeting",
    "df_team_respect_by_meeting_date",
    "df_team_leader_board",
    "df_gini_by_meeting",
)


@settings(max_examples=40, deadline=None)
@given(frame=st.booleans().flatmap(lambda rounds: weekly_frames(rounds=rounds)), cells=st.data())
def test_cumulative_gini_matches_fairness(frame: pd.DataFrame, cells: st.DataObject) -> None:
    # The Dataset computes the cumulative Gini with a blocked histogram; fairness'
    # cumulative_gini_by_meeting is the reference. Small blocks exercise the block carry,
    # a zero limit the fallback to fairness itself.
    dataset = build(frame)
    df = dataset.df
    order = {m: i for i, m in enumerate(dataset.meeting_ids)}
    expected = fairness.cumulative_gini_by_meeting(
        df["MeetingID"].map(order), df["MemberID"], df["Respect"]
    ).to_numpy()
    got = dataset.df_gini_by_meeting.set_index("MeetingID")["Gini"]
    np.testing.assert_allclose(got.loc[dataset.meeting_ids].to_numpy(), expected, atol=1e-12)
    cells_per_block = cells.draw(st.sampled_from([1, 2, 5, 64]))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fairness, "HISTOGRAM_CELLS", cells_per_block)
        blocked = build(frame).df_gini_by_meeting.set_index("MeetingID")["Gini"]
        patch.setattr(fairness, "HISTOGRAM_LIMIT", 0)
        fallback = build(frame).df_gini_by_meeting.set_index("MeetingID")["Gini"]
    np.testing.assert_allclose(blocked.to_numpy(), got.to_numpy(), atol=1e-12)
    np.testing.assert_allclose(fallback.to_numpy(), got.to_numpy(), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(frame=weekly_frames(), data=st.data())
def test_select_meetings_matches_loading_only_those_rows(
    frame: pd.DataFrame, data: st.DataObject
) -> None:
    dataset = build(frame)
    ids = dataset.meeting_ids
    first = data.draw(st.sampled_from(ids))
    last = data.draw(st.sampled_from([i for i in ids if i >= first]))
    selected = dataset.select_meetings(first, last)
    subset = frame[(frame["MeetingID"] >= first) & (frame["MeetingID"] <= last)]
    direct = build(subset.reset_index(drop=True))
    assert selected.meeting_ids == [i for i in ids if first <= i <= last]
    for name in (
        "df_member_leader_board", "df_team_respect_by_meeting_date",
        "df_member_summary_stats_by_member_id", "df_gini_by_meeting",
    ):  # fmt: skip
        pd.testing.assert_frame_equal(getattr(selected, name), getattr(direct, name))
    assert selected.summary_table().equals(direct.summary_table())
    # New and returning keep the history before the window: a member is new at their first
    # meeting in the whole record (chronologically), wherever the window starts.
    chronological = dataset.df_member_attendance_new_and_returning_by_meeting["MeetingID"].tolist()
    position = {meeting: i for i, meeting in enumerate(chronological)}
    df = dataset.df
    first = df.groupby("MemberID")["MeetingID"].agg(lambda ids: min(ids, key=position.get))
    attendance = df.drop_duplicates(["MemberID", "MeetingID"])
    is_new = attendance["MeetingID"].to_numpy() == first.reindex(attendance["MemberID"]).to_numpy()
    respect = df.groupby(["MemberID", "MeetingID"])["Respect"].sum()
    window = selected.df_member_attendance_new_and_returning_by_meeting
    respect_window = selected.df_member_respect_new_and_returning_by_meeting
    for row, respect_row in zip(window.itertuples(), respect_window.itertuples(), strict=True):
        here = attendance["MeetingID"].to_numpy() == row.MeetingID
        new_members = attendance["MemberID"].to_numpy()[here & is_new]
        assert row.NewMemberCount == len(new_members)
        assert row.ReturningMemberCount == here.sum() - len(new_members)
        new_respect = sum(respect[(member, row.MeetingID)] for member in new_members)
        assert respect_row.AccumulatedRespectNewMember == new_respect


# -- the public Genesis records -------------------------------------------------------------


def test_genesis(genesis_snapshot_dir: Path) -> None:
    path = genesis_snapshot_dir / "genesis-weekly_rank.csv"
    dataset = load(path)
    # attendees per meeting, counted straight from the file
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    per_meeting: defaultdict[str, set[str]] = defaultdict(set)
    for row in rows:
        per_meeting[row["MeetingID"]].add(row["MemberID"])
    counts = [len(members) for members in per_meeting.values()]
    expected = (
        f"Statistics(mean={pystats.mean(counts):.2f}, "
        f"standard_deviation={pystats.stdev(counts):.2f})"
    )
    assert repr(dataset.attendance_stats) == expected
    # the figure published with the original analysis
    assert expected == "Statistics(mean=32.83, standard_deviation=8.68)"
    assert dataset.df["MemberID"].isin(["00", "01"]).sum() == 2  # IDs stay strings
    frame = pd.read_csv(path, dtype={"MemberID": str})
    check_against_reference(dataset, frame)


def test_genesis_directory_loads_the_weekly_file(
    genesis_snapshot_dir: Path, tmp_path: Path
) -> None:
    # genesis-account_status.csv has no Name column, so it is not a members file: the folder
    # is read as its weekly table.
    for name in ("genesis-weekly_rank.csv", "genesis-account_status.csv"):
        shutil.copy(genesis_snapshot_dir / name, tmp_path / name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        loaded = Dataset.from_directory(tmp_path)
    assert loaded.source.endswith("genesis-weekly_rank.csv")
    meetings = pd.read_csv(genesis_snapshot_dir / "genesis-weekly_rank.csv")["MeetingID"]
    assert loaded.total_meetings == meetings.nunique()


def test_a_window_counts_members_by_date_when_dates_and_ids_disagree() -> None:
    # b's first meeting is 5 (Jan 15), before meeting 3 (Jan 22) by date: in a window of
    # meetings 2-3, b is returning at meeting 3, as in the whole record.
    rows = [
        ("a", 1, "2024-01-01", 5), ("x", 2, "2024-01-08", 5), ("b", 5, "2024-01-15", 6),
        ("b", 3, "2024-01-22", 4), ("a", 3, "2024-01-22", 3),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["MemberID", "MeetingID", "MeetingDate", "Rank"])
    frame["Name"] = frame["MemberID"]
    frame["Group"] = 1
    dataset = build(frame)
    whole = dataset.df_member_attendance_new_and_returning_by_meeting.set_index("MeetingID")
    window = dataset.select_meetings(2, 3).df_member_attendance_new_and_returning_by_meeting
    window = window.set_index("MeetingID")
    assert whole.loc[3].tolist()[1:] == [0, 2]
    assert window.loc[3, ["NewMemberCount", "ReturningMemberCount"]].tolist() == [0, 2]
    assert window.loc[2, ["NewMemberCount", "ReturningMemberCount"]].tolist() == [1, 0]
