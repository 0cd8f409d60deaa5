"""Respect policies, their composition and the ledger they make, on a hand-worked record.

(A ``Round`` column lets a member attend without a level.)

The record: meeting 1: a level 6, b 5, c 4; meeting 2: a 5, b 6, d without a level;
meeting 3: a 6, c 5, d 4. The Genesis schedule pays levels 1..6 with 2, 3, 5, 8, 13, 21.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fractal_governance import ledger as awards
from fractal_governance.dataset import Dataset, DatasetError
from fractal_governance.math import GENESIS, OPTIMISM, RespectSchedule
from fractal_governance.policies import (
    Combined,
    Eligibility,
    Exclusions,
    RollingMeanRespect,
    ScheduleRespect,
    schedule_from_text,
)
from fractal_governance.profiles import CommunityProfile

FRAME = pd.DataFrame(
    {
        "MemberID": ["a", "b", "c", "a", "b", "d", "a", "c", "d"],
        "Name": ["A", "B", "C", "A", "B", "D", "A", "C", "D"],
        "MeetingID": [1, 1, 1, 2, 2, 2, 3, 3, 3],
        "Round": [1] * 9,
        "Group": [1] * 9,
        "Rank": pd.array([6, 5, 4, 5, 6, None, 6, 5, 4], dtype="Int64"),
    }
)


def build(policy: object, **options: object) -> Dataset:
    profile = CommunityProfile("Test", policy)  # type: ignore[arg-type]
    with _quiet():
        return Dataset.from_dataframe(FRAME, profile=profile, **options)  # type: ignore[arg-type]


class _quiet:
    def __enter__(self) -> None:
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *args: object) -> None:
        self._catch.__exit__(*args)


def per_meeting(dataset: Dataset) -> list[float]:
    table = dataset.df_member_respect_new_and_returning_by_meeting
    return table["AccumulatedRespect"].tolist()


def per_member(dataset: Dataset) -> dict[str, float]:
    summary = dataset.df_member_summary_stats_by_member_id["AccumulatedRespect"]
    return summary.to_dict()


def test_schedule_pays_each_attendance_by_level() -> None:
    dataset = build(ScheduleRespect(GENESIS))
    assert per_meeting(dataset) == [21 + 13 + 8, 13 + 21, 21 + 13 + 8]
    assert dataset.total_member_respect == 118
    ledger = dataset.ledger
    assert len(ledger) == 8  # d's meeting 2 has no level: no award
    assert set(ledger["Origin"]) == {"level"}
    assert ledger["Respect"].sum() == 118


def test_the_ledger_table_is_by_meeting_then_member_whatever_the_row_order() -> None:
    # rows listed backwards: the table of a schedule's awards (one per attendance, every
    # attendance with a level) is still by meeting, then member, with the same awards
    every = FRAME.assign(Rank=FRAME["Rank"].fillna(3))
    profile = CommunityProfile("Test", ScheduleRespect(GENESIS))
    with _quiet():
        listed = Dataset.from_dataframe(every, profile=profile).ledger
        backwards = Dataset.from_dataframe(every.iloc[::-1], profile=profile).ledger
    assert len(listed) == 9
    pd.testing.assert_frame_equal(backwards, listed)
    keys = list(zip(listed["MeetingID"], listed["MemberID"].astype(str), strict=True))
    assert keys == sorted(keys)


def test_eligibility_and_exclusions_compose() -> None:
    eligible = Eligibility(2, members=frozenset({"a", "d"}))
    dataset = build(ScheduleRespect(GENESIS).with_rules(eligible))
    # from meeting 2 on only a and d earn: b's 21 at meeting 2 and c's 13 at 3 are gone
    assert per_meeting(dataset) == [42, 13, 29]
    both = build(ScheduleRespect(GENESIS).with_rules(eligible, Exclusions([("a", 3)])))
    assert per_meeting(both) == [42, 13, 8]
    assert per_member(both) == {"a": 34, "b": 13, "c": 8, "d": 8}
    assert both.total_member_respect == 63
    assert "only listed members earn" in both.profile.policy.describe()
    # the df column, the ledger and the totals agree
    assert both.df["Respect"].sum() == both.ledger["Respect"].sum() == 63


def test_eligibility_by_member_flag() -> None:
    attributes = pd.DataFrame(
        {"SignatureOnFile": ["TRUE", "false", "yes"]},
        index=pd.Index(["a", "b", "c"], name="MemberID"),
    )
    policy = ScheduleRespect(GENESIS).with_rules(Eligibility(3, flag="SignatureOnFile"))
    dataset = build(policy, member_attributes=attributes)
    # meeting 3: a (flag true) and c (yes) earn, d (no attributes) does not
    assert per_meeting(dataset) == [42, 34, 21 + 13]
    with pytest.raises(DatasetError, match="SignatureOnFile"):
        build(policy)  # no attributes at all: the rule cannot be applied


def test_exclusions_of_unknown_pairs_change_nothing() -> None:
    dataset = build(ScheduleRespect(GENESIS).with_rules(Exclusions([("zz", 1), ("a", 99)])))
    assert dataset.total_member_respect == 118


def test_rolling_mean_pays_absent_members() -> None:
    dataset = build(RollingMeanRespect(window=2, respect_schedule=GENESIS))
    # mean levels over the last two meetings (absent: 0), Respect interpolated in
    # [0, 2, 3, 5, 8, 13, 21]: a 3.0, 5.5, 5.5 -> 5, 17, 17; b 2.5, 5.5, 3.0 -> 4, 17, 5
    # (absent at 3); c 2.0, 2.0, 2.5 -> 3, 3 (absent at 2), 4; d -, 0, 2.0 -> 3
    assert per_member(dataset) == {"a": 39, "b": 26, "c": 10, "d": 3}
    assert per_meeting(dataset) == [12, 37, 29]
    assert dataset.total_member_respect == 78
    ledger = dataset.ledger
    assert set(ledger["Origin"]) == {"rolling mean"}
    absent = ledger[(ledger["MemberID"] == "b") & (ledger["MeetingID"] == 3)]
    assert absent["Respect"].tolist() == [5]
    # df shows the Respect of attended meetings only; the totals count every award
    assert dataset.df["Respect"].sum() == 78 - 5 - 3
    history = dataset.member_history("b")
    assert history["MeetingID"].tolist() == [1, 2, 3]
    assert history["Rank"].tolist() == [5, 6, pd.NA]
    assert history["Respect"].tolist() == [4, 17, 5]
    assert history["AccumulatedRespect"].tolist() == [4, 21, 26]
    board = dataset.df_member_leader_board.set_index("MemberID")
    assert board.loc["b", "AccumulatedRespect"] == 26


def test_a_rule_on_a_rolling_ledger_changes_the_respect_of_attendances_too() -> None:
    # The rolling ledger carries each attendance's Respect (tied_respect); a rule that
    # changes amounts must not leave the old ones in df: a's 17 at meeting 2 (see above)
    # is excluded, so df shows 0 there, and df's total falls by 17
    dataset = build(
        RollingMeanRespect(window=2, respect_schedule=GENESIS).with_rules(Exclusions([("a", 2)]))
    )
    df = dataset.df
    rows = df[(df["MemberID"] == "a")]
    assert rows["Respect"].tolist() == [5, 0, 17]
    assert df["Respect"].sum() == 78 - 5 - 3 - 17
    assert dataset.total_member_respect == 78 - 17


def test_rolling_mean_in_a_meeting_window_keeps_absent_members_and_history() -> None:
    dataset = build(RollingMeanRespect(window=2, respect_schedule=GENESIS))
    window = dataset.select_meetings(3, 3)
    # b attends nothing in the window but is paid 5 there
    assert window.total_unique_members == 4
    assert window.total_member_respect == 29
    assert per_member(window) == {"a": 17, "b": 5, "c": 4, "d": 3}
    counts = window.df_member_attendance_new_and_returning_by_meeting
    assert counts[["NewMemberCount", "ReturningMemberCount"]].values.tolist() == [[0, 3]]
    assert window.df_member_summary_stats_by_member_id.loc["b", "AttendanceCount"] == 0
    assert not math.isnan(window.df_gini_by_meeting["Gini"].iloc[0])


def test_combined_policies_add_their_ledgers() -> None:
    dataset = build(Combined((ScheduleRespect(GENESIS), ScheduleRespect(OPTIMISM))))
    # Optimism pays 5, 8, 13, 21, 34, 55: meeting 1: 55 + 34 + 21
    assert per_meeting(dataset) == [42 + 110, 34 + 89, 42 + 110]
    assert dataset.total_member_respect == 118 + 110 + 89 + 110


def test_schedule_names_and_lists() -> None:
    assert schedule_from_text("genesis") == GENESIS
    assert schedule_from_text("Optimism") == OPTIMISM
    assert schedule_from_text("zao").respect_array(np.arange(1, 7)).tolist() == [
        10, 16, 26, 42, 68, 110,
    ]  # fmt: skip
    custom = schedule_from_text("1, 2, 4")
    assert custom.respect_array(np.array([1, 2, 3])).tolist() == [1, 2, 4]
    with pytest.raises(ValueError, match="unknown schedule 'plutocracy'"):
        schedule_from_text("plutocracy")
    with pytest.raises(ValueError, match="level 2"):
        schedule_from_text("1,x,3")


def test_unsupported_level_names_its_rows() -> None:
    short = RespectSchedule.from_table({1: 1, 2: 2, 3: 3, 4: 4, 5: 5})
    with pytest.raises(DatasetError, match=r"level 6|Rank"):
        build(ScheduleRespect(short))


@st.composite
def records(draw: st.DrawFn) -> pd.DataFrame:
    members = [f"m{i}" for i in range(draw(st.integers(2, 8)))]
    rows = []
    for meeting in range(1, draw(st.integers(1, 6)) + 1):
        present = draw(st.lists(st.sampled_from(members), min_size=1, unique=True))
        for seat, member in enumerate(present):
            level = draw(st.one_of(st.none(), st.integers(1, 6)))
            rows.append((member, meeting, 1, 1 + seat // 6, level))
    frame = pd.DataFrame(rows, columns=["MemberID", "MeetingID", "Round", "Group", "Rank"])
    frame.insert(1, "Name", frame["MemberID"].str.upper())
    frame["Rank"] = frame["Rank"].astype("Int64")
    return frame


@settings(max_examples=60, deadline=None)
@given(frame=records(), window=st.integers(1, 5), cut=st.integers(1, 6))
def test_a_ledger_listed_by_cell_sums_like_any_ledger(
    frame: pd.DataFrame, window: int, cut: int
) -> None:
    """A rolling ledger (by meeting, then member, each cell once) is summed by its order:
    per meeting by runs, new members' Respect by their first attendance, and per
    attendance as the policy tied it (whole record) or by assignment (a window of
    meetings from ``cut`` on, whose members may be returning). Against plain sums over
    every award."""
    from fractal_governance.tables import Tables

    with _quiet():
        whole = Dataset.from_dataframe(
            frame, profile=CommunityProfile("T", RollingMeanRespect(window=window))
        )
    last = int(max(whole.meeting_ids))
    for dataset in (whole, whole.select_meetings(min(cut, last), last)):
        m = dataset.measurements
        ledger = dataset._core.ledger  # the Ledger behind the table
        assert ledger.in_table_order
        assert (ledger.tied_respect is not None) == (dataset is whole)
        tables = Tables(m, ledger)
        slots = ledger.attendance + 1
        np.testing.assert_allclose(
            tables.attendance_respect,
            np.bincount(slots, weights=ledger.respect, minlength=m.attendance_count + 1)[1:],
        )
        k = m.meeting_count
        np.testing.assert_allclose(
            tables.meeting_respect,
            np.bincount(ledger.meeting, weights=ledger.respect, minlength=k),
        )
        new = ledger.meeting == m.member_first_meeting[ledger.member]
        np.testing.assert_allclose(
            tables.meeting_respect_new,
            np.bincount(ledger.meeting[new], weights=ledger.respect[new], minlength=k),
        )
        # the cumulative Gini (the grid filled from cells said to be listed once) against
        # fairness' Gini of every award and every attendance (an entry of 0)
        from fractal_governance import fairness

        expected = fairness.cumulative_gini_by_meeting(
            np.concatenate([ledger.meeting, m.att_order]),
            np.concatenate([ledger.member, m.att_member]),
            np.concatenate([ledger.respect, np.zeros(m.attendance_count)]),
        ).reindex(range(k))
        np.testing.assert_allclose(
            tables.gini_by_meeting["Gini"].to_numpy(), expected.ffill().to_numpy(), atol=1e-12
        )


@settings(max_examples=40, deadline=None)
@given(frame=records(), window=st.integers(1, 4), cut=st.integers(1, 6))
def test_ledger_totals_agree_everywhere(frame: pd.DataFrame, window: int, cut: int) -> None:
    """Per member, per meeting, the ledger and the total are one sum, whatever the policy."""
    for policy in (
        ScheduleRespect(GENESIS).with_rules(Eligibility(cut, members=frozenset({"m0", "m1"}))),
        RollingMeanRespect(window=window, respect_schedule=GENESIS),
    ):
        with _quiet():
            dataset = Dataset.from_dataframe(frame, profile=CommunityProfile("T", policy))
        ledger = dataset.ledger
        total = dataset.total_member_respect
        assert ledger["Respect"].sum() == pytest.approx(total)
        assert sum(per_meeting(dataset)) == pytest.approx(total)
        assert sum(per_member(dataset).values()) == pytest.approx(total)
        by_member = ledger.groupby("MemberID")["Respect"].sum()
        summary = dataset.df_member_summary_stats_by_member_id["AccumulatedRespect"]
        assert by_member.reindex(summary.index, fill_value=0).to_numpy() == pytest.approx(
            summary.to_numpy()
        )
        assert (ledger["Respect"] > 0).all()
        assert set(ledger["Origin"]) <= set(awards.ORIGINS)


@settings(max_examples=60, deadline=None)
@given(frame=records(), window=st.integers(1, 8))
def test_rolling_means_on_a_dense_grid_equal_the_sparse_sums(
    frame: pd.DataFrame, window: int
) -> None:
    """The dense-grid path of ``rolling_mean_levels`` against its plain twin (the grid
    switched off), cell by cell, with the attendance of each cell."""
    from fractal_governance import _kernels as kernels
    from fractal_governance.policies.rolling import rolling_mean_levels, window_level_sums

    with _quiet():
        measurements = Dataset.from_dataframe(frame).measurements
    dense = rolling_mean_levels(measurements, window)
    dense_sums = window_level_sums(measurements, window)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kernels, "DENSE_GRID_CELLS", 0)
        sparse = rolling_mean_levels(measurements, window)
        sparse_sums = window_level_sums(measurements, window)
    for got, expected in zip(dense, sparse, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    # with the sum at each attendance's own cell, 0 where no level is in its window
    for got, expected in zip(dense_sums, sparse_sums, strict=True):
        np.testing.assert_array_equal(got, expected)
    # the ledger says it is listed by meeting, then member, each cell once: it is
    from dataclasses import replace

    ledger = RollingMeanRespect(window=window).ledger(measurements)
    assert ledger.listed_by_cell
    assert replace(ledger, listed_by_cell=False).in_table_order


def test_a_programming_error_in_a_policy_is_not_reported_as_bad_input() -> None:
    class Broken(ScheduleRespect):
        def ledger(self, measurements: object) -> awards.Ledger:  # type: ignore[override]
            return {}["no such key"]  # a bug, not bad data

    with pytest.raises(KeyError, match="no such key"):
        build(Broken(GENESIS))


def test_a_record_with_levels_above_6_is_not_exported_as_ordao(tmp_path: object) -> None:
    from pathlib import Path

    from fractal_governance.export import write_ordao

    frame = FRAME.assign(Rank=FRAME["Rank"].replace(6, 8))  # levels up to 8 need rounds
    dataset = build(ScheduleRespect(RespectSchedule.fibonacci(2)))
    eight = Dataset.from_dataframe(frame, profile=CommunityProfile("T", ScheduleRespect(GENESIS)))
    target = Path(str(tmp_path)) / "awards.csv"
    with pytest.raises(DatasetError, match="levels go up to 8"):
        write_ordao(eight, target)
    assert not target.exists()
    assert write_ordao(dataset, target)[0] == target  # levels 1 to 6 are exported


def test_a_window_keeps_the_names_of_members_paid_without_attending() -> None:
    frame = pd.DataFrame(
        [("a", 1, 6), ("b", 1, 5), ("a", 2, 4), ("c", 2, 3), ("c", 3, 6), ("a", 3, 2)],
        columns=["MemberID", "MeetingID", "Rank"],
    )
    frame["Name"] = frame["MemberID"].str.upper()
    frame["Group"] = 1
    profile = CommunityProfile("T", RollingMeanRespect(window=3))
    with _quiet():
        window = Dataset.from_dataframe(frame, profile=profile).select_meetings(2, 3)
    board = window.df_member_leader_board.set_index("MemberID")
    # b attends only meeting 1 but its rolling mean pays it in meetings 2 and 3
    assert board.loc["b", "AttendanceCount"] == 0 and board.loc["b", "AccumulatedRespect"] > 0
    assert board["Name"].to_dict() == {"a": "A", "b": "B", "c": "C"}
