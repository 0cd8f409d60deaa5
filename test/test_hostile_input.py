"""Hostile and broken input (issue 16, reading side): each break has a test here."""

from __future__ import annotations

import bz2
import gzip
import os
import threading
import time
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from fractal_governance import io, quality
from fractal_governance.dataset import Dataset
from fractal_governance.io import DatasetError, reader

WEEKLY = "MemberID,Name,MeetingID,Group,Rank\n"


def write(tmp_path: Path, text: str, name: str = "records.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path, **options: Any) -> Dataset:
    """``Dataset.from_csv`` without the quality warning (the tests read the report)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", quality.DataQualityWarning)
        return Dataset.from_csv(path, **options)


# -- row shape -----------------------------------------------------------------------------


def test_a_row_wider_than_the_header_is_an_error_naming_its_line(tmp_path: Path) -> None:
    # pandas took the first column as the index: bob showed as "Alice" with alice's rank
    path = write(tmp_path, WEEKLY + "1,alice,Alice,1,1,6\n2,bob,Bob,1,1,5\n")
    with pytest.raises(DatasetError, match=r"row 2 has 6 fields \(column 6 has no name\)"):
        load(path)


def test_a_later_wide_row_is_named_by_its_line_after_a_quoted_line_break(tmp_path: Path) -> None:
    # pandas says "line 4" (records, not lines): off by one
    path = write(tmp_path, WEEKLY + '1,"Al\nice",1,1,6\n2,Bob,1,1,5,9\n')
    with pytest.raises(DatasetError, match=r"row 4 has 6 fields") as error:
        load(path)
    assert "line 4" not in str(error.value)


def test_genesis_without_its_index_header_is_refused(
    genesis_snapshot_dir: Path, tmp_path: Path
) -> None:
    text = (genesis_snapshot_dir / "genesis-weekly_rank.csv").read_text(encoding="utf-8-sig")
    header, _, body = text.partition("\n")
    assert header.startswith("Index,")
    path = write(tmp_path, header.removeprefix("Index,") + "\n" + body)
    with pytest.raises(DatasetError, match=r"row 2 has 8 fields"):
        load(path)


def test_rows_with_fewer_fields_are_a_finding_naming_their_lines(tmp_path: Path) -> None:
    text = "MemberID,Name,MeetingID,Group,Rank,TeamID,TeamName\n1,A,1,1,6\n2,B,1,1,5,,\n3,C,1,1,4\n"
    ds = load(write(tmp_path, text))
    short = [f for f in ds.quality_report if f.kind == quality.SHORT_ROW]
    assert len(short) == 1
    assert "2 data rows" in short[0].message and "2 (5), 4 (5)" in short[0].message


def test_short_rows_are_found_also_with_quoted_commas(tmp_path: Path) -> None:
    text = 'MemberID,Name,MeetingID,Group,Rank,TeamName\n1,"A, B",1,1,6,x\n2,B,1,1,5\n'
    ds = load(write(tmp_path, text))
    assert [f.kind for f in ds.quality_report] == [quality.SHORT_ROW]
    assert "3 (5)" in ds.quality_report[0].message


@pytest.mark.parametrize("threaded", [False, True])
def test_bytes_checked_beside_the_columns_report_as_when_checked_first(
    tmp_path: Path, threaded: bool
) -> None:
    # A large weekly file's bytes are checked on a worker thread while its columns are
    # checked (forced here for a small one): short rows still reach the quality report,
    # and a bad byte is still the error reported when a column is bad too.
    from fractal_governance import parallel

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel, "PARALLEL_ROWS", 0 if threaded else 10**9)
        patch.setattr(parallel, "usable_cores", lambda: 2)
        text = "MemberID,Name,MeetingID,Group,Rank,TeamID,TeamName\n1,A,1,1,6\n2,B,1,1,5,,\n"
        short = [f for f in load(write(tmp_path, text)).quality_report]
        assert [f.kind for f in short] == [quality.SHORT_ROW]
        assert "2 (5)" in short[0].message
        path = tmp_path / "both.csv"  # a lone carriage return and a level that is no number
        path.write_bytes(WEEKLY.encode() + b"m1,A,1,1,x\n\r,m3,1,1,5\n")
        with pytest.raises(DatasetError, match="follows a line that holds only a carriage"):
            load(path)
        path.write_bytes(WEEKLY.encode() + b"m1,A,1,1,x\n")  # the level alone
        with pytest.raises(DatasetError, match="Rank"):
            load(path)


def test_full_rows_give_no_finding(tmp_path: Path) -> None:
    text = 'MemberID,Name,MeetingID,Group,Rank,TeamName\n1,"A, ""B""",1,1,6,\n2,B,1,1,5,\n'
    assert not load(write(tmp_path, text)).quality_report


def test_a_column_without_a_header_name_holding_data_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "MemberID,Name,MeetingID,Group,Rank,\n1,A,1,1,6,x\n2,B,1,1,5,\n")
    with pytest.raises(
        DatasetError, match=r"column 6 has no name in the header but holds data \(row 2: 'x'\)"
    ):
        load(path)


def test_blank_trailing_columns_still_load(tmp_path: Path) -> None:
    ds = load(write(tmp_path, "MemberID,Name,MeetingID,Group,Rank,,\n1,A,1,1,6,,\n2,B,1,1,5,,\n"))
    assert list(ds.df.columns[:5]) == ["MemberID", "Name", "MeetingID", "Group", "Rank"]


# -- caps ----------------------------------------------------------------------------------


def test_200000_blank_header_columns_are_refused_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path, WEEKLY.rstrip("\n") + "," * 200_000 + "\n1,A,1,1,6" + "," * 200_000 + "\n"
    )
    start = time.perf_counter()
    with pytest.raises(DatasetError, match=r"200,005 columns; at most 1,000"):
        load(path)
    assert time.perf_counter() - start < 5


def test_a_wide_first_data_row_costs_little(tmp_path: Path) -> None:
    path = write(tmp_path, WEEKLY + "1,A,1,1,6" + "," * 1_000_000 + "\n")
    start = time.perf_counter()
    with pytest.raises(DatasetError, match=r"row 2 has 1,000,005 fields"):
        load(path)
    assert time.perf_counter() - start < 5


def test_a_header_longer_than_the_cap_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, ",".join("x" * 2_000 + str(i) for i in range(800)) + "\n")
    with pytest.raises(DatasetError, match="header row is longer than"):
        load(path)


def test_teams_and_members_are_capped_per_mb(tmp_path: Path) -> None:
    rows = "".join(f"m{i},M{i},1,{i // 6 + 1},{6 - i % 6},{i},Team {i}\n" for i in range(5_000))
    path = write(tmp_path, "MemberID,Name,MeetingID,Group,Rank,TeamID,TeamName\n" + rows)
    with pytest.raises(DatasetError, match=r"5,000 teams in 0\.\d\d MB of input; at most"):
        io.read_weekly_csv(path)
    previous = io.set_limits(teams_base=10_000)
    try:
        assert len(io.read_weekly_csv(path).teams[1]) == 5_000
        io.set_limits(members_base=100, members_per_mb=0)
        with pytest.raises(DatasetError, match=r"5,000 members"):
            io.read_weekly_csv(path)
    finally:
        io.set_limits(**vars(previous))


# -- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "today",
        "now",
        "yesterday",
        "tomorrow",
        "-1",
        "1",
        "0001-01-01",
        "1899-12-31",
        "2201-01-01",
        "2022-02-30",
    ],
)
def test_only_iso_dates_from_1900_to_2200(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, WEEKLY.rstrip("\n") + f",MeetingDate\n1,A,1,1,6,{value}\n")
    with pytest.raises(DatasetError, match="must hold ISO dates"):
        load(path)


@pytest.mark.parametrize("value", ["1900-01-01", "2200-12-31", "2022-02-26T10:00:00"])
def test_iso_dates_at_the_bounds_load(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, WEEKLY.rstrip("\n") + f",MeetingDate\n1,A,1,1,6,{value}\n")
    assert load(path).df["MeetingDate"].iloc[0] == pd.Timestamp(value)


def test_datetime_columns_of_a_dataframe_are_held_to_the_same_years() -> None:
    df = pd.DataFrame(
        {
            "MemberID": ["a"],
            "Name": ["A"],
            "MeetingID": [1],
            "Group": [1],
            "Rank": [6],
            "MeetingDate": pd.to_datetime(["1800-01-01"]),
        }
    )
    with pytest.raises(DatasetError, match="years 1900 to 2200"):
        Dataset.from_dataframe(df)


# -- DataFrames ------------------------------------------------------------------------------


def frame(
    member_ids: list[object], ranks: list[object] | None = None, dtype: Any = object
) -> pd.DataFrame:
    n = len(member_ids)
    return pd.DataFrame(
        {
            "MemberID": pd.Series(member_ids, dtype=dtype),
            "Name": [f"N{i}" for i in range(n)],
            "MeetingID": [1] * n,
            "Group": [1] * n,
            "Rank": ranks if ranks is not None else list(range(6, 6 - n, -1)),
        }
    )


@pytest.mark.parametrize(
    ("ids", "dtype"),
    [
        (["a", float("nan")], object),
        (["a", pd.NA], object),
        (["a", None], object),
        (["a", pd.NaT], object),
        (["a", pd.NA], "string"),
        (["a", None], "str"),
        ([1.0, float("nan")], "float64"),
        ([1, pd.NA], "Int64"),
        (["a", None], "category"),
    ],
)
def test_missing_member_ids_are_refused_in_any_dtype(ids: list[object], dtype: object) -> None:
    with pytest.raises(DatasetError, match=r"'MemberID' must not be empty \(index 1"):
        Dataset.from_dataframe(frame(ids, dtype=dtype))


@pytest.mark.parametrize("ranks", [[6 + 5j, 5], [6 + 0j, 5], pd.Series([6 + 5j, 5], dtype=object)])
def test_complex_numbers_are_refused(ranks: object) -> None:
    with pytest.raises(DatasetError, match=r"'Rank' must be a whole number.*index 0: '\(6\+"):
        Dataset.from_dataframe(frame(["a", "b"], ranks=ranks))  # type: ignore[arg-type]


def test_dataset_cannot_be_built_directly() -> None:
    with pytest.raises(TypeError, match=r"Dataset\.from_csv"):
        Dataset(frame(["a"]))  # type: ignore[arg-type]


# -- paths -------------------------------------------------------------------------------------


def test_devices_and_folders_are_refused(tmp_path: Path) -> None:
    for path in ("/dev/zero", "/dev/null"):
        with pytest.raises(DatasetError, match="not a regular file"):
            Dataset.from_csv(path)
    with pytest.raises(DatasetError, match="is a directory"):
        Dataset.from_csv(tmp_path)


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            Dataset.from_csv(fifo)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():  # unblock the reader before failing
        with open(fifo, "w"):
            pass
        pytest.fail("reading a FIFO hung")
    assert isinstance(outcome[0], DatasetError) and "not a regular file" in str(outcome[0])


def test_a_zip_suffix_does_not_decompress_plain_text(tmp_path: Path) -> None:
    path = write(tmp_path, WEEKLY + "1,A,1,1,6\n", name="records.zip")
    assert load(path).total_unique_members == 1


@pytest.mark.parametrize("kind", ["gzip", "bz2", "zip"])
def test_compressed_files_are_read_by_their_magic_bytes_or_when_asked(
    tmp_path: Path, kind: str
) -> None:
    data = (WEEKLY + "1,A,1,1,6\n2,B,1,1,5\n").encode()
    path = tmp_path / "records.csv"
    if kind == "gzip":
        path.write_bytes(gzip.compress(data))
    elif kind == "bz2":
        path.write_bytes(bz2.compress(data))
    else:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("records.csv", data)
    assert io.read_csv_file(path).frame["Rank"].tolist() == [6, 5]
    assert io.read_csv_file(path, compression=kind).frame["Rank"].tolist() == [6, 5]


def test_inflating_beyond_the_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.csv"
    path.write_bytes(gzip.compress((WEEKLY + "1,A,1,1,6\n" * 200_000).encode()))
    previous = io.set_limits(max_inflated_bytes=2**20)
    try:
        with pytest.raises(DatasetError, match="inflates to more than 1 MB"):
            io.read_csv_file(path)
    finally:
        io.set_limits(**vars(previous))
    assert previous == reader.LIMITS


def test_a_compression_the_file_does_not_have_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, WEEKLY + "1,A,1,1,6\n")
    with pytest.raises(DatasetError, match="not a readable gzip file"):
        io.read_csv_file(path, compression="gzip")
    with pytest.raises(DatasetError, match="unknown compression 'rar'"):
        io.read_csv_file(path, compression="rar")


# -- tokenizer errors ------------------------------------------------------------------------------


def test_an_unclosed_quote_names_its_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, WEEKLY + '1,"A\nB",1,1,6\n2,"Bob,1,1,5\n')
    with pytest.raises(DatasetError, match=r"row 4: column 2 \('Name'\) opens a quoted field"):
        load(path)


# -- identity ----------------------------------------------------------------------------------


def test_member_ids_that_collide_are_reported_not_merged(tmp_path: Path) -> None:
    text = (
        WEEKLY
        + "Alice,A,1,1,6\nalice ,B,1,1,5\nAme\u0301lie,C,1,1,4\nAm\u00e9lie,D,1,1,3\nbob,E,1,1,2\n"
    )
    ds = load(write(tmp_path, text))
    assert ds.total_unique_members == 5
    found = [f for f in ds.quality_report if f.kind == quality.MEMBER_ID_COLLISION]
    assert len(found) == 2
    messages = " ".join(f.message for f in found)
    assert "'Alice', 'alice '" in messages and "Am\u00e9lie" in messages
    assert "not merged" in messages


def test_a_lone_carriage_return_line_cannot_shift_the_next_row(tmp_path: Path) -> None:
    # found by test_fuzz: pandas dropped the empty first cell of the row after "\r" and
    # read it shifted left (MemberID 'm3' where the csv module reads '')
    path = tmp_path / "records.csv"
    path.write_bytes(WEEKLY.encode() + b"m1,A,1,1,6\n\r,m3,1,1,5\n")
    with pytest.raises(DatasetError, match="row 4 follows a line that holds only a carriage"):
        load(path)
    path.write_bytes(b"MemberID,Name,MeetingID,Group,Rank\rm1,A,1,1,6\rm2,B,1,1,5\r")
    assert load(path).total_unique_members == 2
