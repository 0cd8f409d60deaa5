"""The front ends' words and formats (fractal_governance.texts), against hand-written text."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pandas as pd
import pytest

from fractal_governance import profiles, texts
from fractal_governance.math import OPTIMISM, RespectSchedule
from fractal_governance.util import MeetingCalendar


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (5, "5"),
        (89.0, "89"),
        (1234, "1,234"),
        (1234567.0, "1,234,567"),
        (10 / 3, "3.33"),
        (1234.5, "1,234.50"),
        (-2.005, "-2.00"),  # binary -2.00499...: rounds down
        (np.int64(42), "42"),
        (np.float64(0.125), "0.12"),  # round half to even on 0.125 exactly
        (math.nan, "n/a"),
        (None, "n/a"),
        (pd.NA, "n/a"),
    ],
)
def test_format_number(value: object, expected: str) -> None:
    assert texts.format_number(value) == expected


def test_format_number_decimals_and_other_formats() -> None:
    assert texts.format_number(2 / 3, decimals=3) == "0.667"
    assert texts.format_percent(34 / 89) == "38.2%"  # 0.38202...
    assert texts.format_percent(0.5, decimals=0) == "50%"
    assert texts.format_percent(math.nan) == "n/a"
    assert texts.format_coefficient(0.25) == "0.250"
    assert texts.format_coefficient(0) == "0.000"


def test_format_respect_names_the_unit() -> None:
    assert texts.format_respect(89, "Respect") == "89 Respect"
    assert texts.format_respect(12345, "ZAO Respect") == "12,345 ZAO Respect"
    assert texts.format_respect(2.5, "OPF") == "2.50 OPF"
    assert texts.format_respect(math.nan, "Respect") == "n/a"


def test_format_statistic() -> None:
    # attendees 3, 3, 4: mean 10/3, sample sd sqrt(((1/3)^2 * 2 + (2/3)^2) / 2) = 0.577
    assert texts.format_statistic(10 / 3, math.sqrt(1 / 3), "members") == "3.33 ± 0.58 members"
    assert texts.format_statistic(2, 0.7071, "meetings") == "2 ± 0.71 meetings"
    # a share is shown as a percentage, with no unit word
    assert texts.format_statistic(0.3056, 0.0481, "share") == "30.6% ± 4.8%"
    assert texts.format_statistic(0.25, 0.1, percent=True) == "25.0% ± 10.0%"
    # no spread (one meeting): the mean alone
    assert texts.format_statistic(3, math.nan, "members") == "3 members"
    assert texts.format_statistic(math.nan, math.nan, "share") == "n/a"


def test_format_date_is_one_format_everywhere() -> None:
    assert texts.format_date(pd.Timestamp("2022-02-26")) == "Feb 26, 2022"
    assert texts.format_date(datetime.date(2022, 5, 21)) == "May 21, 2022"
    assert texts.format_date("2022-03-05") == "Mar 05, 2022"
    assert texts.format_date(np.datetime64("2022-12-31")) == "Dec 31, 2022"
    assert texts.format_date(pd.NaT) == "date unknown"
    assert texts.format_date(None) == "date unknown"


def test_format_cell() -> None:
    assert texts.format_cell(7) == "7"
    assert texts.format_cell(np.int64(1234)) == "1234"  # IDs and positions: no separators
    assert texts.format_cell(1234.0) == "1,234"
    assert texts.format_cell(2.5) == "2.50"
    assert texts.format_cell(True) == "True"
    assert texts.format_cell(np.bool_(False)) == "False"
    assert texts.format_cell(pd.Timestamp("2022-04-23")) == "Apr 23, 2022"
    assert texts.format_cell(pd.NaT) == ""
    assert texts.format_cell(math.nan) == ""
    assert texts.format_cell("<b>x</b>") == "<b>x</b>"


def tidy_summary() -> pd.DataFrame:
    """The tidy summary of test/fixtures/cli_small.csv, worked out by hand.

    Meeting 1: alice 6, bob 5, carol 4; meeting 2: bob 6, alice 5, eve 4, dave 3. Genesis
    Respect 21, 13, 8 and 21, 13, 8, 5: members 42 + 47 = 89. Teams: alice (Team A) 21 + 13,
    carol (Team B) 8, dave (Team B) 5: 47. Attendees 3 and 4: mean 3.5, sd 0.7071. Meetings per
    member 2, 2, 1, 1, 1: mean 1.4, sd 0.5477. Team share 2/3 and 2/4: mean 0.5833, sd 0.1179.
    """
    return pd.DataFrame(
        {
            "Statistic": [
                "Total Respect (all sources)",
                "Respect earned by members",
                "Respect earned by teams",
                "Meetings",
                "Unique members",
                "Attendees per meeting",
                "Meetings attended per member",
                "Team representation",
            ],
            "Value": [136.0, 89.0, 47.0, 2.0, 5.0, 3.5, 1.4, 7 / 12],
            "StandardDeviation": [
                math.nan,
                math.nan,
                math.nan,
                math.nan,
                math.nan,
                math.sqrt(0.5),
                math.sqrt(0.3),
                math.sqrt(((2 / 3 - 7 / 12) ** 2 + (1 / 2 - 7 / 12) ** 2) / 1),
            ],
            "Unit": [
                "Respect",
                "Respect",
                "Respect",
                "meetings",
                "members",
                "members",
                "meetings",
                "share",
            ],
        }
    )


def test_format_summary() -> None:
    shown = texts.format_summary(tidy_summary())
    assert list(shown.columns) == ["Statistic", "Value"]
    assert dict(zip(shown["Statistic"], shown["Value"], strict=True)) == {
        "Total Respect (all sources)": "136 Respect",
        "Respect earned by members": "89 Respect",
        "Respect earned by teams": "47 Respect",
        "Meetings": "2 meetings",
        "Unique members": "5 members",
        "Attendees per meeting": "3.50 ± 0.71 members",
        "Meetings attended per member": "1.40 ± 0.55 meetings",
        "Team representation": "58.3% ± 11.8%",
    }


def test_format_summary_singular_and_other_units() -> None:
    one = pd.DataFrame(
        {
            "Statistic": ["Total Respect (all sources)", "Meetings", "Unique members"],
            "Value": [1500.0, 1.0, 1.0],
            "StandardDeviation": [math.nan] * 3,
            "Unit": ["ZAO", "meetings", "members"],
        }
    )
    shown = texts.format_summary(one)
    assert shown["Value"].tolist() == ["1,500 ZAO", "1 meeting", "1 member"]


def test_profile_caption_names_everything() -> None:
    caption = texts.profile_caption(profiles.GENESIS)
    assert caption == (
        "Profile: Genesis fractal. Respect: Genesis: level l earns F(l + 2): 2, 3, 5, 8, 13, 21 "
        "for levels 1-6. Calendar: meetings weekly from 2022-02-26 (2022-04-16 skipped). "
        "Unit: Respect."
    )
    assert "\n" not in caption

    custom = profiles.CommunityProfile(
        "Test fractal",
        profiles.GENESIS.policy.with_schedule(RespectSchedule.from_table({1: 1, 2: 4}, "Mine")),
        MeetingCalendar(start=datetime.date(2024, 1, 6), cadence_days=14, skipped=()),
        unit="TST",
    )
    assert texts.profile_caption(custom) == (
        "Profile: Test fractal. Respect: Mine: 1, 4 for levels 1-2. "
        "Calendar: meetings every 14 days from 2024-01-06. Unit: TST."
    )


def test_profile_caption_without_a_calendar() -> None:
    optimism = profiles.OPTIMISM_FRACTAL
    assert optimism.schedule == OPTIMISM
    assert "Calendar: meetings dates from the data." in texts.profile_caption(optimism)
    unknown = texts.profile_caption(optimism, dates_known=False)
    assert "meeting dates unknown" in unknown
    # dates_known only matters without a calendar
    assert texts.profile_caption(profiles.GENESIS, dates_known=False) == texts.profile_caption(
        profiles.GENESIS
    )


def test_current_through_and_heading() -> None:
    assert (
        texts.current_through(pd.Timestamp("2022-05-21"), 12)
        == "Data is current up through the meeting held on May 21, 2022."
    )
    assert (
        texts.current_through(pd.NaT, 12) == "Data is current up through meeting 12 (date unknown)."
    )
    assert texts.heading("Demo", simulated=True, last_meeting_date="2022-09-17") == (
        "Demo (simulated data)\nData is current up through the meeting held on Sep 17, 2022."
    )
    assert texts.heading("Genesis", simulated=False, last_meeting_date=None, last_meeting_id=3) == (
        "Genesis\nData is current up through meeting 3 (date unknown)."
    )


def test_captions() -> None:
    from fractal_governance.plots import PLOT_NAMES

    assert set(texts.FIGURE_CAPTIONS) == set(PLOT_NAMES), "every figure has its caption"
    assert texts.figure_caption("gini_vs_time") == (
        "Gini coefficient of accumulated member Respect after each meeting."
    )
    assert texts.figure_caption("gini_vs_time", "ZAO") == (
        "Gini coefficient of accumulated member Respect (ZAO) after each meeting."
    )
    assert texts.figure_caption("no_such_figure") == "No such figure."
    assert texts.quality_count(1) == "1 data-quality finding"
    assert texts.quality_count(3) == "3 data-quality findings"
    assert "MeetingDate" in texts.meeting_calendar_note(False)


def test_addresses_and_member_labels() -> None:
    address = "0x8d43a3fc2fed663bf6b82ea4792c0e5239d5ee66"
    checksummed = "0x8D43a3FC2fed663bF6b82eA4792C0E5239d5EE66"
    assert texts.short_address(address) == "0x8d43…ee66"
    assert texts.short_address("m0013") == "m0013"
    assert texts.short_address("0x1234") == "0x1234"
    assert texts.member_label(address, checksummed) == "0x8D43…EE66"
    assert texts.member_label(address, "Zaal") == "Zaal (0x8d43…ee66)"
    assert texts.member_label("m1", None) == "m1"
    assert texts.member_label("m1", "Ada") == "Ada (m1)"


def test_column_labels_and_thousands() -> None:
    assert texts.column_label("AccumulatedRespect") == "Accumulated Respect"
    assert texts.column_label("AccumulatedRespect", "ZAO") == "Accumulated Respect (ZAO)"
    assert texts.column_label("AttendanceCount") == "Meetings Attended"
    assert texts.column_label("AccumulatedRespectNewMember") == "Accumulated Respect New Member"
    assert texts.format_thousands(12345) == "12,345"
    assert texts.format_thousands(1234.5) == "1,234.50"
    assert texts.format_thousands("x") == "x"
    assert texts.quality_kind("oversized_group") == "Group larger than six"
    assert texts.quality_kind("something_new") == "Something new"


def test_fetch_failed_is_one_line() -> None:
    line = texts.fetch_failed("Genesis", OSError("network\nis unreachable"))
    assert "\n" not in line
    assert "network is unreachable" in line and "press the button again" in line


def test_profile_caption_says_where_the_dates_come_from() -> None:
    from_data = texts.profile_caption(profiles.GENESIS, dates_from_data=True)
    assert "Calendar: meeting dates from the data." in from_data
    assert "2022-02-26" not in from_data
    calendar = texts.profile_caption(profiles.GENESIS)
    assert "Calendar: meetings weekly from 2022-02-26 (2022-04-16 skipped)." in calendar
    unknown = texts.profile_caption(profiles.ZAO, dates_known=False)
    assert "meeting dates unknown" in unknown
