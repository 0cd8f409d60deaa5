"""Tests for fractal_governance.util: CSV reading, meeting calendar, GitHub-friendly frames."""

from __future__ import annotations

import dataclasses
import datetime
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fractal_governance import datasets, util
from fractal_governance.dataset import Dataset
from fractal_governance.util import (
    GENESIS_CALENDAR,
    GitHubMarkdownDataFrame,
    MeetingCalendar,
    meeting_id_to_timestamp,
    read_csv,
    read_text_csv,
)

FAST = settings(max_examples=60, deadline=None)

# -- read_text_csv ------------------------------------------------------------------------------


def test_read_csv_tolerates_spreadsheet_exports(tmp_path: Path) -> None:
    # BOM, CRLF, two blank unnamed trailing columns, a blank line and an all-empty row.
    text = (
        "\ufeffMemberID,Name,MeetingID,Rank,,\r\n"
        "alice,Alice,1,6,,\r\n"
        "\r\n"
        ",,,,,\r\n"
        "bob,Bob,1,,,\r\n"
        "007,Zed,2,05,,\r\n"
    )
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("utf-8"))

    df = read_text_csv(path)

    assert list(df.columns) == ["MemberID", "Name", "MeetingID", "Rank"]
    assert df["MemberID"].tolist() == ["alice", "bob", "007"]  # leading zeros kept
    assert df["Rank"].tolist() == ["6", "", "05"]  # raw strings, empty cell is ""
    assert all(pd.api.types.is_string_dtype(df[column]) for column in df.columns)
    # Index + 2 is the line number in the file, also after the dropped blank rows.
    assert df.index.tolist() == [0, 3, 4]
    assert not any("\r" in value for value in df["Rank"])


def test_read_csv_without_bom_and_with_lf(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("A,B\nx,y\n", encoding="utf-8")
    df = read_text_csv(path)
    assert list(df.columns) == ["A", "B"]
    assert df.to_dict("list") == {"A": ["x"], "B": ["y"]}


def test_read_csv_keeps_named_blank_columns_and_unnamed_columns_with_data(
    tmp_path: Path,
) -> None:
    path = tmp_path / "columns.csv"
    path.write_text(" TeamID ,Note,\n1,,extra\n2,,\n", encoding="utf-8")
    df = read_text_csv(path)
    # Header spaces stripped; a named empty column stays; an unnamed column with data stays.
    assert list(df.columns)[:2] == ["TeamID", "Note"]
    assert len(df.columns) == 3
    assert df.iloc[:, 2].tolist() == ["extra", ""]


def test_read_csv_does_not_interpret_na_strings(tmp_path: Path) -> None:
    path = tmp_path / "na.csv"
    path.write_text("Name,Rank\nNA,nan\nNone,N/A\n", encoding="utf-8")
    df = read_text_csv(path)
    assert df["Name"].tolist() == ["NA", "None"]
    assert df["Rank"].tolist() == ["nan", "N/A"]


def test_read_csv_accepts_ragged_rows_and_quoted_line_breaks() -> None:
    # Files the fast parser rejects are re-read by pandas' C parser.
    ragged = read_text_csv(io.BytesIO(b"A,B,C\n1,2\n3,4,5\n"))
    assert ragged.to_dict("list") == {"A": ["1", "3"], "B": ["2", "4"], "C": ["", "5"]}
    quoted = read_text_csv(io.BytesIO(b'A,B\n"x\ny",2\n3,4\n'))
    assert quoted.to_dict("list") == {"A": ["x\ny", "3"], "B": ["2", "4"]}


def test_read_csv_too_many_fields_names_the_line() -> None:
    with pytest.raises(pd.errors.ParserError, match="line 3"):
        read_text_csv(io.BytesIO(b"A,B\n1,2\n3,4,5\n"))


def test_read_csv_without_pyarrow_gives_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbfA,B,\r\n1,,\r\n\r\n,,\r\nNA,x,\r\n")
    fast = read_text_csv(path)
    monkeypatch.setattr(util, "_has_pyarrow", lambda: False)
    slow = read_text_csv(path)
    pd.testing.assert_frame_equal(fast, slow, check_dtype=False)
    assert slow.to_dict("list") == {"A": ["1", "NA"], "B": ["", "x"]}
    assert slow.index.tolist() == [0, 3]


def test_read_csv_raises_underlying_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(pd.errors.EmptyDataError):
        read_text_csv(empty)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("Name\nJos\xe9\n".encode("latin-1"))
    with pytest.raises(UnicodeDecodeError):
        read_text_csv(latin1)
    with pytest.raises(OSError):
        read_text_csv(tmp_path / "missing.csv")


# -- read_csv: the upstream's typed table --------------------------------------------------

WEEKLY = (
    "Index,MemberID,Name,MeetingID,Group,Rank,TeamID,TeamName\n"
    "1,ann,Ann,1,1,6,,\n2,bob,Bob,1,1,5,1,Blue\n3,cyd,Cyd,8,1,4,,\n"
)


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_read_csv_of_a_file_is_typed_with_meeting_date_and_respect(tmp_path: Path) -> None:
    path = tmp_path / "weekly.csv"
    path.write_text(WEEKLY)
    df = read_csv(path)
    assert list(df.columns) == [
        "Index",
        "MemberID",
        "Name",
        "MeetingID",
        "Group",
        "Rank",
        "TeamID",
        "TeamName",
        "MeetingDate",
        "Respect",
    ]
    assert pd.api.types.is_integer_dtype(df["MeetingID"])
    assert pd.api.types.is_integer_dtype(df["Rank"])
    assert pd.api.types.is_datetime64_any_dtype(df["MeetingDate"])
    # The Genesis calendar (2022-04-16 skipped) and schedule (ranks 6, 5, 4: 21, 13, 8).
    assert df["MeetingDate"].dt.date.tolist() == [
        datetime.date(2022, 2, 26),
        datetime.date(2022, 2, 26),
        datetime.date(2022, 4, 23),
    ]
    assert df["Respect"].tolist() == [21, 13, 8]
    pd.testing.assert_frame_equal(df, Dataset.from_csv(path).df)


def test_read_csv_without_a_path_reads_the_default_dataset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(datasets, "default_name", lambda: "demo")
    pd.testing.assert_frame_equal(read_csv(), datasets.load("demo").df)
    assert {"MeetingDate", "Respect"} <= set(read_csv().columns)


# -- MeetingCalendar -----------------------------------------------------------------------


def test_genesis_calendar_dates_around_the_skipped_week() -> None:
    # Weekly from Saturday 2022-02-26: meeting 7 is six weeks later (2022-04-09); the
    # 2022-04-16 slot was skipped, so meeting 8 is two weeks after meeting 7.
    assert meeting_id_to_timestamp(1) == pd.Timestamp("2022-02-26")
    assert meeting_id_to_timestamp(2) == pd.Timestamp("2022-03-05")
    assert meeting_id_to_timestamp(7) == pd.Timestamp("2022-04-09")
    assert meeting_id_to_timestamp(8) == pd.Timestamp("2022-04-23")
    assert meeting_id_to_timestamp(9) == pd.Timestamp("2022-04-30")
    assert isinstance(meeting_id_to_timestamp(1), pd.Timestamp)


def test_vectorized_timestamps_match_scalar() -> None:
    ids = [8, 1, 7, 7, 30]
    result = GENESIS_CALENDAR.timestamps(np.array(ids))
    assert isinstance(result, pd.DatetimeIndex)
    assert list(result) == [GENESIS_CALENDAR.timestamp(i) for i in ids]
    assert len(GENESIS_CALENDAR.timestamps([])) == 0


@pytest.mark.parametrize("bad", [0, -3])
def test_meeting_ids_below_one_are_rejected(bad: int) -> None:
    with pytest.raises(ValueError, match=str(bad)):
        meeting_id_to_timestamp(bad)
    with pytest.raises(ValueError, match=str(bad)):
        GENESIS_CALENDAR.timestamps([1, bad])


def test_meeting_ids_past_year_9999_are_rejected_not_wrapped() -> None:
    # Genesis: meeting n >= 8 sits on slot n (one skipped week before it), i.e. 7 * n days
    # after 2022-02-26; the last slot on or before 9999-12-31 is days // 7.
    days = (datetime.date(9999, 12, 31) - datetime.date(2022, 2, 26)).days
    last = days // 7
    expected = pd.Timestamp(datetime.date(2022, 2, 26) + datetime.timedelta(days=7 * last))
    assert GENESIS_CALENDAR.timestamps([last])[0] == expected
    assert meeting_id_to_timestamp(last) == expected
    for too_large in (last + 1, 10**18, 2**62):
        with pytest.raises(ValueError, match="too large"):
            GENESIS_CALENDAR.timestamps([1, too_large])
        with pytest.raises(ValueError, match="too large"):
            meeting_id_to_timestamp(too_large)
    with pytest.raises(ValueError, match="too large"):
        GENESIS_CALENDAR.timestamps(np.array([1, 2**63 + 5], dtype=np.uint64))
    with pytest.raises(ValueError, match="too large"):
        GENESIS_CALENDAR.timestamps([1.0, 1e300])


def test_non_integer_meeting_ids_are_rejected() -> None:
    with pytest.raises(ValueError):
        meeting_id_to_timestamp(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        GENESIS_CALENDAR.timestamps([1.0, 2.5])


def test_custom_calendar_with_two_skips() -> None:
    # Every 14 days from 2024-01-01, skipping 2024-01-15 and 2024-02-12:
    # slots 0 (01-01), 1 (01-15, skipped), 2 (01-29), 3 (02-12, skipped), 4 (02-26).
    calendar = MeetingCalendar(
        start=datetime.date(2024, 1, 1),
        cadence_days=14,
        skipped=(datetime.date(2024, 2, 12), datetime.date(2024, 1, 15)),
    )
    assert calendar.skipped == (datetime.date(2024, 1, 15), datetime.date(2024, 2, 12))
    assert list(calendar.timestamps([1, 2, 3])) == [
        pd.Timestamp("2024-01-01"),
        pd.Timestamp("2024-01-29"),
        pd.Timestamp("2024-02-26"),
    ]
    assert meeting_id_to_timestamp(3, calendar) == pd.Timestamp("2024-02-26")


def test_calendar_without_skips_and_from_iso_strings() -> None:
    calendar = MeetingCalendar(start="2023-05-01", cadence_days=1, skipped=())  # type: ignore[arg-type]
    assert calendar.start == datetime.date(2023, 5, 1)
    assert calendar.timestamp(31) == pd.Timestamp("2023-05-31")


def test_calendar_rejects_skips_off_the_cadence_and_bad_cadence() -> None:
    with pytest.raises(ValueError, match="2022-04-17"):
        MeetingCalendar(skipped=(datetime.date(2022, 4, 17),))
    with pytest.raises(ValueError, match="2022-02-19"):
        MeetingCalendar(skipped=(datetime.date(2022, 2, 19),))
    with pytest.raises(ValueError, match="cadence"):
        MeetingCalendar(cadence_days=0)


def test_calendar_is_frozen_and_comparable() -> None:
    assert MeetingCalendar() == GENESIS_CALENDAR
    assert hash(MeetingCalendar()) == hash(GENESIS_CALENDAR)
    with pytest.raises(dataclasses.FrozenInstanceError):
        GENESIS_CALENDAR.cadence_days = 1  # type: ignore[misc]


@FAST
@given(
    start_offset=st.integers(min_value=0, max_value=1000),
    cadence=st.integers(min_value=1, max_value=21),
    skipped_slots=st.sets(st.integers(min_value=0, max_value=60), max_size=8),
    ids=st.lists(st.integers(min_value=1, max_value=80), min_size=1, max_size=30),
)
def test_calendar_matches_slot_enumeration(
    start_offset: int, cadence: int, skipped_slots: set[int], ids: list[int]
) -> None:
    start = datetime.date(2020, 1, 1) + datetime.timedelta(days=start_offset)
    skipped = tuple(start + datetime.timedelta(days=cadence * slot) for slot in skipped_slots)
    calendar = MeetingCalendar(start=start, cadence_days=cadence, skipped=skipped)
    # Naive reference: walk the slots, drop skipped ones, number the rest from 1.
    dates: list[datetime.date] = []
    slot = 0
    while len(dates) < 80:
        day = start + datetime.timedelta(days=cadence * slot)
        if day not in skipped:
            dates.append(day)
        slot += 1
    expected = [pd.Timestamp(dates[i - 1]) for i in ids]
    assert list(calendar.timestamps(ids)) == expected
    assert calendar.timestamp(ids[0]) == expected[0]


# -- GitHubMarkdownDataFrame ---------------------------------------------------------------


def test_github_dataframe_html_has_no_style_block() -> None:
    df = GitHubMarkdownDataFrame({"Name": ["a", "b"], "Respect": [2, 21]})
    plain_html = pd.DataFrame(df)._repr_html_()  # type: ignore[operator]
    assert plain_html is not None and "<style scoped>" in plain_html  # what is removed
    html = df._repr_html_()
    assert html is not None
    assert "<style" not in html
    assert "<table" in html and "Respect" in html and "21" in html


def test_github_dataframe_operations_keep_subclass() -> None:
    df = GitHubMarkdownDataFrame({"Team": ["x", "y", "x"], "Respect": [1, 2, 3]})
    results = [
        df.head(2),
        df[["Respect"]],
        df.sort_values("Respect"),
        df.groupby("Team", as_index=False)["Respect"].sum(),
        df.assign(Double=df["Respect"] * 2),
        df.reset_index(),
        df.copy(),
        df.merge(df, on="Team"),
        df["Respect"].to_frame(),
    ]
    for result in results:
        assert isinstance(result, GitHubMarkdownDataFrame), type(result)
        html = result._repr_html_()
        assert html is not None and "<style" not in html
    assert df.groupby("Team", as_index=False)["Respect"].sum()["Respect"].tolist() == [4, 2]


def test_timestamps_accept_nullable_integers_and_reject_missing() -> None:
    dates = GENESIS_CALENDAR.timestamps(pd.array([1, 8], dtype="Int64"))
    assert list(dates) == [pd.Timestamp("2022-02-26"), pd.Timestamp("2022-04-23")]
    with pytest.raises(ValueError, match="nan"):
        GENESIS_CALENDAR.timestamps(pd.array([1, None], dtype="Int64"))
    with pytest.raises(ValueError, match="integers"):
        GENESIS_CALENDAR.timestamps(np.array(["x"], dtype=object))


# -- spreadsheet_csv ----------------------------------------------------------------------------


def test_spreadsheet_csv_keeps_formula_like_text_as_text() -> None:
    # by hand: every text cell or label that begins with = + - @ (or a tab) gets an
    # apostrophe; numbers (even negative ones), empty cells and other text are unchanged
    frame = pd.DataFrame(
        {
            "Name": pd.Series(["=1+1", "+x", "-y", "@z", "\tt", "Ann", None], dtype="str"),
            "Rank": [-1, 2, 3, 4, 5, 6, 7],
            "Mixed": pd.Series([-1, "=a", "b", None, 2.5, "c", "-"], dtype=object),
        }
    ).set_axis(pd.Index(["+T", "ok", "a", "b", "c", "d", "e"], name="TeamName"))
    expected = (
        "TeamName,Name,Rank,Mixed\n"
        "'+T,'=1+1,-1,-1\n"
        "ok,'+x,2,'=a\n"
        "a,'-y,3,b\n"
        "b,'@z,4,\n"
        "c,'\tt,5,2.5\n"
        "d,Ann,6,c\n"
        "e,,7,'-\n"
    )
    assert util.spreadsheet_csv(frame, lineterminator="\n") == expected
    # the frame itself is not changed
    assert frame["Name"].iloc[0] == "=1+1" and frame.index[0] == "+T"


def test_spreadsheet_csv_of_safe_text_equals_to_csv() -> None:
    frame = pd.DataFrame({"Name": ["Ann", "Bob"], "Respect": [21, 13]})
    assert util.spreadsheet_csv(frame, index=False) == frame.to_csv(index=False)
