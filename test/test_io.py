"""Reading every accepted layout, and rejecting bad input with a useful DatasetError."""

from __future__ import annotations

import csv
import io as stdio
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fractal_governance import io
from fractal_governance.dataset import Dataset
from fractal_governance.io import DatasetError, checks, reader

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "dataset_small.csv"
NORMALIZED = FIXTURES / "io_normalized"
HEADER = "Index,MemberID,Name,MeetingID,Group,Rank,TeamID,TeamName"


def write(tmp_path: Path, text: str, name: str = "weekly.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- accepted layouts -------------------------------------------------------------------------


def test_weekly_csv_is_typed_and_keeps_member_ids_as_strings() -> None:
    frame = io.load_weekly_csv(SMALL)
    assert list(frame.columns) == HEADER.split(",")
    assert len(frame) == 14
    # "00" must not become the number 0
    assert frame["MemberID"].dtype == "str"
    assert frame["MemberID"].iloc[0] == "00"
    assert frame["MeetingID"].dtype == np.int64
    assert frame["Rank"].dtype == np.int64
    # TeamID has empty cells: nullable integers; TeamName: strings with NaN
    assert str(frame["TeamID"].dtype) == "Int64"
    assert frame["TeamID"].isna().sum() == 10
    assert frame["TeamName"].dropna().tolist() == ["Alpha", "Alpha", "Alpha", "Beta"]


def test_all_numeric_member_ids_stay_strings(tmp_path: Path) -> None:
    # pandas would infer integers here; the reader keeps the exact text
    path = write(tmp_path, "MemberID,Name,MeetingID,Group,Rank\n007,A,1,1,6\n01,B,1,1,5\n")
    assert io.load_weekly_csv(path)["MemberID"].tolist() == ["007", "01"]


def test_na_like_text_is_not_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "MemberID,Name,MeetingID,Group,Rank\nNA,None,1,1,6\nnull,NaN,1,1,5\n")
    frame = io.load_weekly_csv(path)
    assert frame["MemberID"].tolist() == ["NA", "null"]
    assert frame["Name"].tolist() == ["None", "NaN"]


def test_spreadsheet_export_loads_like_the_plain_file() -> None:
    # io_export.csv is dataset_small.csv with a UTF-8 BOM, CRLF line ends, two blank
    # headerless trailing columns, a row of empty cells and a trailing blank line.
    raw = (FIXTURES / "io_export.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b",,\r\n" in raw
    pd.testing.assert_frame_equal(
        io.load_weekly_csv(FIXTURES / "io_export.csv"), io.load_weekly_csv(SMALL)
    )


def test_level_instead_of_rank_with_rounds_and_high_levels() -> None:
    table = io.read_weekly_csv(FIXTURES / "dataset_rounds.csv")
    assert table.level_column == "Level"
    assert table.has_rounds
    level = table.frame["Level"]
    # empty levels of members who moved on to round 2 are kept as missing
    assert str(level.dtype) == "Int64"
    assert int(level.isna().sum()) == 5
    assert int(level.max()) == 8


def test_levels_above_six_need_rounds(tmp_path: Path) -> None:
    path = write(tmp_path, "MemberID,Name,MeetingID,Group,Level\na,A,1,1,8\nb,B,1,1,7\n")
    with pytest.raises(DatasetError) as error:
        io.read_weekly_csv(path)
    message = str(error.value)
    assert "weekly.csv" in message and "'Level'" in message
    assert "row 2: '8'" in message and "row 3: '7'" in message
    assert "Round" in message


def test_meeting_dates_fill_blank_cells_of_the_same_meeting() -> None:
    frame = io.load_weekly_csv(FIXTURES / "dataset_dates.csv")
    assert frame["MeetingDate"].dtype.kind == "M"
    # y's date is blank in meeting 1; the meeting's other row says 2023-01-14
    assert frame["MeetingDate"].iloc[1] == pd.Timestamp("2023-01-14")


def test_find_normalized_files_by_columns_ignoring_other_csv() -> None:
    files = io.find_normalized_files(NORMALIZED)
    assert files.measurements.name == "weekly_measurements.csv"
    assert files.members.name == "account_status.csv"
    assert files.teams is not None and files.teams.name == "teams.csv"


def test_normalized_layout_joins_names_and_team_names() -> None:
    frame = io.load_normalized(*io.find_normalized_files(NORMALIZED))
    assert list(frame.columns) == [
        "Index", "MemberID", "Name", "MeetingID", "Group", "Round", "Level", "TeamID", "TeamName",
    ]  # fmt: skip
    plain = io.load_weekly_csv(SMALL)
    assert frame["Name"].tolist() == plain["Name"].tolist()
    assert frame["TeamName"].fillna("-").tolist() == plain["TeamName"].fillna("-").tolist()
    assert frame["Level"].tolist() == plain["Rank"].tolist()


def test_normalized_files_are_recognised_whatever_their_names(tmp_path: Path) -> None:
    shutil.copy(NORMALIZED / "weekly_measurements.csv", tmp_path / "z.csv")
    shutil.copy(NORMALIZED / "account_status.csv", tmp_path / "a.csv")
    shutil.copy(NORMALIZED / "teams.csv", tmp_path / "m.csv")
    (tmp_path / "unrelated.csv").write_bytes(b"\xff\xfe not text")
    table = io.read_directory(tmp_path)
    assert table.source.endswith("z.csv")
    assert table.frame["Name"].iloc[0] == "Zero"


def test_directory_with_a_weekly_file_only(tmp_path: Path) -> None:
    shutil.copy(SMALL, tmp_path / "anything.csv")
    (tmp_path / "notes.csv").write_text("Date,Note\n2022-01-01,hello\n")
    assert len(io.read_directory(tmp_path).frame) == 14


def test_directory_with_two_measurement_files_is_ambiguous(tmp_path: Path) -> None:
    for name in ("one.csv", "two.csv"):
        shutil.copy(NORMALIZED / "weekly_measurements.csv", tmp_path / name)
    shutil.copy(NORMALIZED / "account_status.csv", tmp_path / "people.csv")
    with pytest.raises(DatasetError, match=r"one\.csv, two\.csv"):
        io.read_directory(tmp_path)


def test_directory_without_records(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("Date,Note\n2022-01-01,hello\n")
    with pytest.raises(DatasetError, match=r"notes\.csv"):
        io.read_directory(tmp_path)


def test_teams_file_is_optional_when_nobody_has_a_team(tmp_path: Path) -> None:
    measurements = write(
        tmp_path, "MemberID,MeetingID,Group,Level,TeamID\na,1,1,6,\nb,1,1,5,\n", "m.csv"
    )
    members = write(tmp_path, "MemberID,Name\na,Ann\nb,Bob\n", "p.csv")
    frame = io.load_normalized(measurements, members)
    assert frame["TeamName"].isna().all()


# -- bad input ------------------------------------------------------------------------------

# (file text, fragments the message must contain besides the file name)
BAD_WEEKLY = {
    "rank zero": (f"{HEADER}\n1,a,A,1,1,6,,\n2,b,B,1,1,0,,\n", ["row 3: '0'", "'Rank'"]),
    "rank text": (f"{HEADER}\n1,a,A,1,1,six,,\n", ["row 2: 'six'", "'Rank'"]),
    "rank fraction": (f"{HEADER}\n1,a,A,1,1,2.5,,\n", ["row 2: '2.5'", "'Rank'"]),
    "rank negative": (f"{HEADER}\n1,a,A,1,1,-2,,\n", ["row 2: '-2'", "'Rank'"]),
    "rank above six": (f"{HEADER}\n1,a,A,1,1,7,,\n", ["row 2: '7'", "'Rank'", "Round"]),
    "rank empty": (f"{HEADER}\n1,a,A,1,1,6,,\n2,b,B,1,1,,,\n", ["row 3: ''", "'Rank'"]),
    "meeting zero": (f"{HEADER}\n1,a,A,0,1,6,,\n", ["row 2: '0'", "'MeetingID'"]),
    "meeting text": (
        f"{HEADER}\n1,a,A,1,1,6,,\n2,b,B,two,1,5,,\n",
        ["row 3: 'two'", "'MeetingID'"],
    ),
    "meeting fraction": (f"{HEADER}\n1,a,A,1.5,1,6,,\n", ["row 2: '1.5'", "'MeetingID'"]),
    "meeting empty": (f"{HEADER}\n1,a,A,,1,6,,\n", ["row 2: ''", "'MeetingID'"]),
    "meeting huge": (
        f"{HEADER}\n1,a,A,99999999999999999999,1,6,,\n",
        ["row 2: '99999999999999999999'", "'MeetingID'"],
    ),
    "member empty": (f"{HEADER}\n1,a,A,1,1,6,,\n2,,B,1,1,5,,\n", ["row 3: ''", "'MemberID'"]),
    "member blank": (f"{HEADER}\n1,a,A,1,1,6,,\n2,  ,B,1,1,5,,\n", ["row 3: '  '", "'MemberID'"]),
    "member twice": (
        f"{HEADER}\n1,a,A,1,1,6,,\n2,b,B,1,1,5,,\n3,a,A,1,2,6,,\n",
        ["row 2: 'a'", "row 4: 'a'", "'MemberID'", "twice"],
    ),
    "team id text": (f"{HEADER}\n1,a,A,1,1,6,one,Alpha\n", ["row 2: 'one'", "'TeamID'"]),
    "group text": (f"{HEADER}\n1,a,A,1,first,6,,\n", ["row 2: 'first'", "'Group'"]),
    "missing group": (
        "MemberID,Name,MeetingID,Rank\na,A,1,6\n",
        ["missing column", "'Group'"],
    ),
    "missing rank": ("MemberID,Name,MeetingID,Group\na,A,1,1\n", ["missing column", "'Rank'"]),
    "rank and level": (
        "MemberID,Name,MeetingID,Group,Rank,Level\na,A,1,1,6,6\n",
        ["'Rank'", "'Level'"],
    ),
    "duplicate header": (
        "MemberID,Name,MeetingID,Group,Rank,Name\na,A,1,1,6,B\n",
        ["row 1", "'Name'", "twice"],
    ),
    "header only": (f"{HEADER}\n", ["no data rows"]),
    "empty file": ("", ["empty"]),
    "blank file": ("\n\n\n", ["empty"]),
    "too many fields": (
        f"{HEADER}\n1,a,A,1,1,6,,\n2,b,B,1,1,5,,,x\n",
        ["row 3 has 9 fields", "column 9 has no name"],
    ),
    "bad date": (
        "MemberID,Name,MeetingID,Group,Rank,MeetingDate\na,A,1,1,6,2022-02-30\n",
        ["row 2: '2022-02-30'", "'MeetingDate'"],
    ),
    "date words": (
        "MemberID,Name,MeetingID,Group,Rank,MeetingDate\na,A,1,1,6,next week\n",
        ["row 2: 'next week'", "'MeetingDate'"],
    ),
    "two dates for a meeting": (
        "MemberID,Name,MeetingID,Group,Rank,MeetingDate\n"
        "a,A,1,1,6,2022-01-01\nb,B,1,1,5,2022-01-08\n",
        ["row 2: '2022-01-01'", "row 3: '2022-01-08'", "'MeetingDate'", "meeting 1"],
    ),
    "meeting without date": (
        "MemberID,Name,MeetingID,Group,Rank,MeetingDate\na,A,1,1,6,2022-01-01\nb,B,2,1,6,\n",
        ["row 3: ''", "'MeetingDate'"],
    ),
    "level too high with rounds": (
        "MemberID,Name,MeetingID,Group,Round,Level\na,A,1,1,1,61\n",
        ["row 2: '61'", "'Level'"],
    ),
    "round zero": (
        "MemberID,Name,MeetingID,Group,Round,Level\na,A,1,1,0,6\n",
        ["row 2: '0'", "'Round'"],
    ),
    "twice in one round": (
        "MemberID,Name,MeetingID,Group,Round,Level\na,A,1,1,1,\na,A,1,2,1,6\n",
        ["row 2: 'a'", "row 3: 'a'", "round"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_WEEKLY))
def test_bad_weekly_input_names_file_row_column_and_value(tmp_path: Path, case: str) -> None:
    text, fragments = BAD_WEEKLY[case]
    path = write(tmp_path, text, "records.csv")
    with pytest.raises(DatasetError) as error:
        Dataset.from_csv(path)
    message = str(error.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_same_member_in_two_rounds_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "MemberID,Name,MeetingID,Group,Round,Level\na,A,1,1,1,\na,A,1,1,2,8\n")
    assert len(io.load_weekly_csv(path)) == 2


def test_row_numbers_count_blank_lines_and_quoted_fields(tmp_path: Path) -> None:
    text = (
        f"{HEADER}\n"
        '1,a,"Smith, Ann",1,1,6,,\n'  # line 2
        "\n"  # line 3: blank, skipped
        "2,b,Bob,1,1,5,,\n"  # line 4
        ",,,,,,,\n"  # line 5: all cells empty, skipped
        "3,c,Cy,1,1,zero,,\n"  # line 6: bad
    )
    path = write(tmp_path, text)
    with pytest.raises(DatasetError, match=r"row 6: 'zero'"):
        io.read_weekly_csv(path)


def test_row_numbers_after_blank_lines_before_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, f"\n\n{HEADER}\n1,a,A,1,1,6,,\n2,b,B,1,1,8,,\n")
    with pytest.raises(DatasetError, match=r"row 5: '8'"):
        io.read_weekly_csv(path)


def test_many_bad_rows_are_summarised(tmp_path: Path) -> None:
    rows = "".join(f"{i},m{i},M,1,1,9,,\n" for i in range(20))
    path = write(tmp_path, f"{HEADER}\n{rows}")
    with pytest.raises(DatasetError) as error:
        io.read_weekly_csv(path)
    message = str(error.value)
    assert "row 2: '9'" in message and "and 15 more rows" in message


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n1,,A,0,1,9,,\n")
    with pytest.raises(DatasetError) as error:
        io.read_weekly_csv(path)
    message = str(error.value)
    assert "'MemberID'" in message and "'MeetingID'" in message and "'Rank'" in message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"{HEADER}\n1,a,Jos\xe9,1,1,6,,\n".encode("latin-1"))
    with pytest.raises(DatasetError, match="UTF-8"):
        io.read_weekly_csv(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such file"):
        Dataset.from_csv(tmp_path / "nope.csv")
    with pytest.raises(DatasetError, match="directory"):
        Dataset.from_csv(tmp_path)
    with pytest.raises(DatasetError, match="not a directory"):
        Dataset.from_directory(tmp_path / "nope")


def test_origin_labels_rows_by_position_or_label_and_follows_takes() -> None:
    by_position = io.Origin("weekly.csv", 5)  # no dropped rows: labels are positions
    assert len(by_position) == 5 and by_position.label(4) == 4
    kept = by_position.take(np.array([False, True, False, True, True]))
    assert len(kept) == 3 and [kept.label(i) for i in range(3)] == [1, 3, 4]
    assert kept.take([2, 0]).label(0) == 4
    by_label = io.Origin("<dataframe>", pd.Index(["x", "y", "z"]))
    assert by_label.take([2, 0]).label(0) == "z"
    assert by_label.describe([1], "Rank", [9]) == ["index 'y': '9'"]


def test_dataframe_errors_name_index_labels() -> None:
    frame = pd.DataFrame(
        {"MemberID": ["a", "b"], "Name": ["A", "B"], "MeetingID": [1, 1], "Group": [1, 1],
         "Rank": [6, 9]},
        index=[10, 20],
    )  # fmt: skip
    with pytest.raises(DatasetError, match=r"<dataframe>: column 'Rank'.*index 20: '9'"):
        Dataset.from_dataframe(frame)
    with pytest.raises(DatasetError, match="expected a pandas DataFrame"):
        io.read_dataframe([1, 2])  # type: ignore[arg-type]


NORMALIZED_BAD = {
    "unknown member": (
        "MemberID,MeetingID,Group,Level\na,1,1,6\nzz,1,1,5\n",
        "MemberID,Name\na,Ann\n",
        None,
        ["m.csv", "row 3: 'zz'", "'MemberID'", "p.csv"],
    ),
    "member twice in members file": (
        "MemberID,MeetingID,Group,Level\na,1,1,6\n",
        "MemberID,Name\na,Ann\nb,Bob\na,Ann2\n",
        None,
        ["p.csv", "row 2: 'a'", "row 4: 'a'", "'MemberID'"],
    ),
    "unknown team": (
        "MemberID,MeetingID,Group,Level,TeamID\na,1,1,6,7\n",
        "MemberID,Name\na,Ann\n",
        "TeamID,TeamName\n1,Alpha\n",
        ["m.csv", "row 2: '7'", "'TeamID'", "t.csv"],
    ),
    "team without name": (
        "MemberID,MeetingID,Group,Level,TeamID\na,1,1,6,1\n",
        "MemberID,Name\na,Ann\n",
        "TeamID,TeamName\n1,\n",
        ["t.csv", "row 2: ''", "'TeamName'"],
    ),
    "teams but no teams file": (
        "MemberID,MeetingID,Group,Level,TeamID\na,1,1,6,1\n",
        "MemberID,Name\na,Ann\n",
        None,
        ["m.csv", "'TeamID'", "no teams file"],
    ),
    "members file without names": (
        "MemberID,MeetingID,Group,Level\na,1,1,6\n",
        "MemberID,Hive Account Name\na,TRUE\n",
        None,
        ["p.csv", "missing column", "'Name'"],
    ),
    "weekly table given as measurements": (
        "MemberID,Name,MeetingID,Group,Level\na,Ann,1,1,6\n",
        "MemberID,Name\na,Ann\n",
        None,
        ["m.csv", "'Name'", "weekly"],
    ),
}


@pytest.mark.parametrize("case", sorted(NORMALIZED_BAD))
def test_bad_normalized_input(tmp_path: Path, case: str) -> None:
    measurements, members, teams, fragments = NORMALIZED_BAD[case]
    paths = [write(tmp_path, measurements, "m.csv"), write(tmp_path, members, "p.csv")]
    teams_path = write(tmp_path, teams, "t.csv") if teams is not None else None
    with pytest.raises(DatasetError) as error:
        Dataset.from_files(paths[0], paths[1], teams_path)
    for fragment in fragments:
        assert fragment in str(error.value), (fragment, str(error.value))


# -- fuzzing: only DatasetError may escape -------------------------------------------------------


def load_or_reject(path: Path) -> None:
    """Loading either works, and then the tables agree with each other (members and
    Respect), or raises a DatasetError that names the file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            dataset = Dataset.from_csv(path)
        except DatasetError as error:
            assert path.name in str(error), str(error)
            return
    board = dataset.df_member_leader_board
    respect = float(board["AccumulatedRespect"].sum())
    assert len(board) == dataset.total_unique_members
    assert respect == pytest.approx(float(dataset.ledger["Respect"].sum()))
    assert respect == pytest.approx(
        float(dataset.df_member_respect_new_and_returning_by_meeting["AccumulatedRespect"].sum())
    )
    team = float(dataset.df_team_respect_by_meeting_date["AccumulatedRespect"].sum())
    assert team == pytest.approx(float(dataset.total_team_respect))
    gini = dataset.df_gini_by_meeting["Gini"].dropna()
    assert ((gini >= 0) & (gini <= 1)).all()
    dataset.summary_table()


FUZZ = settings(
    max_examples=75, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=st.binary(max_size=400))
def test_fuzz_random_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    load_or_reject(path)


@FUZZ
@given(body=st.binary(max_size=300))
def test_fuzz_random_bytes_after_a_valid_header(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(HEADER.encode() + b"\n" + body)
    load_or_reject(path)


CELLS = st.sampled_from(
    [
        "", " ", "0", "1", "2", "6", "7", "8", "61", "-1", "1.0", "1.5", "1e3", "nan", "inf",
        "NA", "x", "00", "a", "b", "2022-02-26", "2022-02-30", "99999999999999999999",
        "18446744073709551615", '"', '""', "a,b", "\u00e9", "\ufeff", "TRUE", "\t",
    ]
)  # fmt: skip
COLUMNS = st.lists(
    st.sampled_from(
        ["Index", "MemberID", "Name", "MeetingID", "Group", "Rank", "Level", "Round",
         "TeamID", "TeamName", "MeetingDate", "Other", ""]
    ),
    min_size=1,
    max_size=9,
)  # fmt: skip


@FUZZ
@given(columns=COLUMNS, rows=st.lists(st.lists(CELLS, max_size=10), max_size=8))
def test_fuzz_random_rows(tmp_path: Path, columns: list[str], rows: list[list[str]]) -> None:
    buffer = stdio.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path = tmp_path / "fuzz.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    load_or_reject(path)


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=5, max_size=5), min_size=1, max_size=8))
def test_fuzz_random_rows_with_required_columns(tmp_path: Path, rows: list[list[str]]) -> None:
    buffer = stdio.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["MemberID", "Name", "MeetingID", "Group", "Rank"])
    writer.writerows(rows)
    path = tmp_path / "fuzz.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    load_or_reject(path)


@FUZZ
@given(
    columns=COLUMNS,
    rows=st.lists(st.lists(st.one_of(CELLS, st.integers(-10, 10), st.none()), max_size=10)),
)
def test_fuzz_random_dataframes(columns: list[str], rows: list[list[object]]) -> None:
    width = len(columns)
    frame = pd.DataFrame([(row + [None] * width)[:width] for row in rows])
    if len(frame.columns) == width:
        frame.columns = pd.Index(columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            dataset = Dataset.from_dataframe(frame)
        except DatasetError:
            return
    dataset.df_member_leader_board  # noqa: B018
    dataset.summary_table()


# -- bugs are not bad data ----------------------------------------------------------------------


@pytest.mark.parametrize("error", [TypeError, KeyError, IndexError, ValueError])
def test_a_programming_error_propagates_as_it_is(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    """Only the checks raise DatasetError: a bug in a loader is not reported as bad input."""

    def broken(*args: object, **kwargs: object) -> None:
        raise error("a bug")

    monkeypatch.setattr(checks, "_number_columns", broken)
    with pytest.raises(error, match="a bug") as raised:
        io.read_weekly_csv(SMALL)
    assert not isinstance(raised.value, DatasetError)
    with pytest.raises(error, match="a bug"):
        io.read_dataframe(pd.read_csv(SMALL))


def test_a_reader_bug_propagates_from_every_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(reader, "_integral", broken)  # called for rows of empty cells
    with pytest.raises(KeyError, match="a bug"):
        io.read_weekly_csv(FIXTURES / "io_export.csv")
    monkeypatch.setattr(checks, "text_column", broken)
    with pytest.raises(KeyError, match="a bug"):
        io.read_directory(NORMALIZED)


def test_an_empty_meeting_date_column_is_reported_as_bad_data() -> None:
    # Once an IndexError, which was reported as "cannot be analysed".
    frame = pd.DataFrame(
        {"MemberID": ["a", "b"], "Name": ["A", "B"], "MeetingID": [1, 2], "Group": [1, 1],
         "Rank": [6, 6], "MeetingDate": [None, None]}
    )  # fmt: skip
    with pytest.raises(DatasetError, match=r"'MeetingDate' is empty for every row of a meeting"):
        io.read_dataframe(frame)


def test_table_takes_what_its_loader_computed_and_computes_the_rest() -> None:
    table = io.read_weekly_csv(SMALL)
    plain = io.Table(table.frame, table.origin, table.level_column)
    for name in ("members", "teams"):
        codes, uniques = getattr(table, name)
        again_codes, again_uniques = getattr(plain, name)
        np.testing.assert_array_equal(codes, again_codes)
        assert list(uniques) == list(again_uniques)
    for name in (
        "member_first_rows", "team_ids", "member_meeting_order", "member_row_counts",
        "member_run_starts",
    ):  # fmt: skip
        np.testing.assert_array_equal(getattr(table, name), getattr(plain, name))
    for handed_over, computed in zip(
        table.meetings + table.member_runs, plain.meetings + plain.member_runs, strict=True
    ):
        np.testing.assert_array_equal(handed_over, computed)
    assert table.members is table.members  # computed once
    taken = table.take([3, 1])
    assert taken.frame["MemberID"].tolist() == table.frame["MemberID"].take([3, 1]).tolist()
    assert taken.origin.label(0) == 3
