"""Community profiles: defaults, changes and what a Dataset does with them."""

from __future__ import annotations

import dataclasses
import datetime
import warnings

import pandas as pd
import pytest

from fractal_governance import profiles
from fractal_governance.dataset import Dataset
from fractal_governance.math import DOUBLED, GENESIS, OPTIMISM
from fractal_governance.policies import Eligibility, ScheduleRespect
from fractal_governance.profiles import CommunityProfile
from fractal_governance.util import GENESIS_CALENDAR, MeetingCalendar

FRAME = pd.DataFrame(
    {
        "MemberID": ["a", "b", "a", "c"],
        "Name": ["A", "B", "A", "C"],
        "MeetingID": [1, 1, 3, 3],
        "Group": [1, 1, 1, 1],
        "Rank": [6, 5, 6, 5],
    }
)


def load(**options: object) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Dataset.from_dataframe(FRAME, **options)  # type: ignore[arg-type]


def test_the_default_is_stated_and_is_genesis() -> None:
    assert profiles.DEFAULT is profiles.GENESIS
    dataset = load()
    assert dataset.profile == profiles.DEFAULT
    assert dataset.respect_schedule == GENESIS
    assert dataset.calendar == GENESIS_CALENDAR
    assert dataset.unit == "Respect"
    # meeting 3 is two weeks after 2022-02-26
    assert dataset.last_meeting_date == pd.Timestamp("2022-03-12")
    assert "Genesis fractal" in repr(dataset)
    text = profiles.DEFAULT.describe()
    assert "2, 3, 5, 8, 13, 21" in text and "weekly from 2022-02-26" in text
    assert "2022-04-16 skipped" in text and "counted in Respect" in text


def test_profiles_are_frozen_values() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        profiles.GENESIS.name = "x"  # type: ignore[misc]
    assert CommunityProfile("Genesis fractal") == profiles.GENESIS
    assert hash(profiles.ZAO) == hash(
        CommunityProfile("ZAO Fractal", ScheduleRespect(DOUBLED), None)
    )
    with pytest.raises(TypeError, match="policy"):
        CommunityProfile("x", policy=GENESIS)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name"):
        CommunityProfile(" ")


def test_with_schedule_keeps_the_rules() -> None:
    ruled = profiles.GENESIS.with_policy(
        ScheduleRespect(GENESIS).with_rules(Eligibility(2, members=frozenset({"a"})))
    )
    changed = ruled.with_schedule(OPTIMISM)
    assert changed.schedule == OPTIMISM
    assert "only listed members earn" in changed.policy.describe()
    # meeting 1: 55 + 34; meeting 3: only a earns, 55
    assert load(profile=changed).total_member_respect == 55 + 34 + 55


def test_with_calendar_from_a_first_date_and_interval() -> None:
    fortnightly = profiles.GENESIS.with_calendar(
        first_meeting_date="2024-01-06", meeting_interval_days=14
    )
    assert fortnightly.calendar == MeetingCalendar(datetime.date(2024, 1, 6), 14, ())
    assert load(profile=fortnightly).last_meeting_date == pd.Timestamp("2024-02-03")
    # only the interval: the Genesis start stays, its skipped week does not fit any more
    assert profiles.GENESIS.with_calendar(meeting_interval_days=7).calendar == GENESIS_CALENDAR
    with pytest.raises(ValueError, match="first meeting date"):
        profiles.ZAO.with_calendar(meeting_interval_days=7)


def test_a_profile_without_calendar_leaves_dates_unknown() -> None:
    dataset = load(profile=profiles.ZAO)
    assert not dataset.dates_known
    assert dataset.df["MeetingDate"].isna().all()
    # ZAO pays the doubled schedule: 110 + 68, 110 + 68
    assert dataset.total_member_respect == 2 * (110 + 68)
    table = dataset.df_member_attendance_new_and_returning_by_meeting
    assert table["MeetingID"].tolist() == [1, 3]
    assert table["NewMemberCount"].tolist() == [2, 1]
    assert dataset.df_gini_by_meeting["MeetingID"].tolist() == [1, 3]
    # dates in the data win over a missing calendar
    dated = FRAME.assign(MeetingDate=["2024-05-01", "2024-05-01", "2024-05-15", "2024-05-15"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        known = Dataset.from_dataframe(dated, profile=profiles.ZAO)
    assert known.dates_known and known.last_meeting_date == pd.Timestamp("2024-05-15")


def test_schedule_and_calendar_keywords_override_the_profile() -> None:
    dataset = load(profile=profiles.ZAO, respect_schedule=GENESIS)
    assert dataset.total_member_respect == 2 * (21 + 13)
    assert dataset.profile.name == "ZAO Fractal"
    with pytest.raises(TypeError, match="profile must be a CommunityProfile"):
        load(profile="genesis")


def test_with_profile_recounts_the_same_measurements() -> None:
    dataset = load()
    doubled = dataset.with_profile(profiles.ZAO)
    assert doubled.total_member_respect == 2 * (110 + 68)
    assert dataset.total_member_respect == 2 * (21 + 13)
    assert not doubled.dates_known and dataset.dates_known


def test_dataset_cannot_be_built_from_a_frame_directly() -> None:
    with pytest.raises(TypeError, match="from_csv"):
        Dataset(FRAME)  # type: ignore[arg-type]


def test_a_policy_without_a_schedule_of_levels_refuses_a_new_one() -> None:
    from fractal_governance.policies import RespectPolicy

    class Flat(RespectPolicy):
        def ledger(self, measurements: object) -> object:  # type: ignore[override]
            raise AssertionError("not called")

        def describe(self) -> str:
            return "one Respect per attendance"

    profile = profiles.GENESIS.with_policy(Flat())
    with pytest.raises(ValueError, match=r"one Respect per attendance.*cannot be replaced"):
        profile.with_schedule(OPTIMISM)


def test_from_csv_reads_a_compressed_file(tmp_path: object) -> None:
    import gzip
    from pathlib import Path

    path = Path(str(tmp_path)) / "weekly.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        FRAME.to_csv(handle, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        told = Dataset.from_csv(path, compression="gzip")
        sniffed = Dataset.from_csv(path)
    assert told.total_member_respect == sniffed.total_member_respect == 2 * (21 + 13)


def test_front_ends_read_an_ordao_export_with_the_ordao_profile(tmp_path: object) -> None:
    from pathlib import Path

    from fractal_governance import datasets

    folder = Path(str(tmp_path))
    export = folder / "awards.csv"
    export.write_text(
        "recipient,denomination,mintType,periodNumber,meetingNumber,groupNum,level,title,"
        "reason,tokenId,mintTs,mintTxHash,burn,mintProposalId\n"
        "0x00000000000000000000000000000000000000a1,55,0,0,1,1,6,,,1,0,0x1,,1\n"
        "0x00000000000000000000000000000000000000b2,34,0,0,1,1,5,,,2,0,0x1,,1\n"
    )
    weekly = folder / "weekly.csv"
    FRAME.to_csv(weekly, index=False)
    assert datasets.profile_for(export) is profiles.ORDAO
    assert datasets.profile_for(folder / "missing.csv") is profiles.DEFAULT
    assert datasets.profile_for(weekly) is profiles.DEFAULT
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read = Dataset.from_csv(export)
        # an explicit profile is kept (its calendar dates the meetings); Respect stays minted
        genesis = Dataset.from_csv(export, profile=profiles.GENESIS)
    assert read.profile.name == "ORDAO awards" and not read.dates_known
    assert read.total_member_respect == genesis.total_member_respect == 55 + 34
    assert genesis.profile.name == "Genesis fractal" and genesis.dates_known


def test_has_meeting_dates_tells_dates_in_the_rows_from_a_calendar() -> None:
    dated = FRAME.assign(MeetingDate=["2024-05-01", "2024-05-01", "2024-05-15", "2024-05-15"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert Dataset.from_dataframe(dated).has_meeting_dates
    assert not load().has_meeting_dates
