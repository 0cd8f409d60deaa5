"""ORDAO awards exports (issue 15): reading, Respect from the awards, quality findings, the
registry entry, the export and its round trip, the CLI and the dashboard.

Hand-worked export ``MIXED`` (mint type 10: levels 1-6 earn 10, 16, 26, 42, 68, 110):

    meeting 1, group 1: A 6 -> 110, B 5 -> 68, C 4 -> 42                        220
    meeting 2, group 1: a (A in lower case) 6 -> 110, B 5 -> 68, D 4 -> 42,
                        E an introduction award (title, level 6) of 110           330
    meeting 3, group 1: A, B, C an even split of 40 each (no level)              120
    meeting 4, group 1: B 6 -> 110, C 5 minted as 60 (the schedule pays 68),
                        D 4 -> 42 burned                                          170

Total 840 over 4 meetings and 5 members (E holds an award only); 12 awards in the ledger
(the burned one out); 11 attendances (E never attends; D's burned award is no attendance).
Per member: A 110 + 110 + 40 = 260, B 68 + 68 + 40 + 110 = 286, C 42 + 40 + 60 = 142,
D 42, E 110. Quality: one extra award, three even splits, one burn, one mismatch.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from fractal_governance import datasets, profiles, quality
from fractal_governance.cli import main
from fractal_governance.dataset import Dataset
from fractal_governance.export import names_path_for, ordao_frames, write_ordao
from fractal_governance.io import DatasetError, read_csv_file, read_ordao_csv
from fractal_governance.io.keccak import checksum_addresses, keccak256, to_checksum_address
from fractal_governance.io.ordao import COLUMNS
from fractal_governance.math import DOUBLED, OPTIMISM
from fractal_governance.policies import RecordedAwards
from fractal_governance.streamlit import genesis_fractal as app

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"

# EIP-55's published examples (checksummed)
A = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
B = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
C = "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"
D = "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"
E = "0x52908400098527886E0F7030069857D2E4169EE7"
F = "0x8617E340B3D01FA5F11F306F4090FD50E238070D"


def award(
    recipient: str,
    denomination: Any,
    meeting: Any,
    level: Any = "",
    *,
    mint_type: Any = 10,
    group: Any = 1,
    title: str = "",
    burn: str = "",
) -> dict[str, Any]:
    period = int(meeting) - 1 if str(meeting).strip() else ""
    return {
        "recipient": recipient,
        "denomination": denomination,
        "mintType": mint_type,
        "periodNumber": period,
        "meetingNumber": meeting,
        "groupNum": group,
        "level": level,
        "title": title,
        "reason": "",
        "tokenId": "",
        "mintTs": 1766443943,
        "mintTxHash": "",
        "burn": burn,
        "mintProposalId": "",
    }


def write(path: Path, rows: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


MIXED = [
    award(A, 110, 1, 6),
    award(B, 68, 1, 5),
    award(C, 42, 1, 4),
    award(A.lower(), 110, 2, 6),
    award(B, 68, 2, 5),
    award(D, 42, 2, 4),
    award(E, 110, 2, 6, title="Meeting 2 Intro for Eve"),
    award(A, 40, 3),
    award(B, 40, 3),
    award(C, 40, 3),
    award(B, 110, 4, 6),
    award(C, 60, 4, 5),
    award(D, 42, 4, 4, burn="0xburned"),
]


def load(path: Path, **kwargs: Any) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", quality.DataQualityWarning)
        return Dataset.from_csv(path, **kwargs)


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    return write(tmp_path / "awards.csv", MIXED)


# -- keccak-256 and EIP-55 ----------------------------------------------------------------------


def test_keccak256_vectors() -> None:
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert keccak256(b"abc").hex() == (
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    )
    # a message longer than one block (136 bytes) takes two permutations
    assert keccak256(b"a" * 200) != keccak256(b"a" * 199)


def test_eip55_examples() -> None:
    for address in (A, B, C, D, E, F, "0xde709f2102306220921060314715629080e2fb77"):
        assert to_checksum_address(address.lower()) == address
        assert to_checksum_address(address.upper().replace("0X", "0x")) == address
    assert checksum_addresses([]) == []
    with pytest.raises(ValueError, match="40 hexadecimal"):
        checksum_addresses(["0x1234"])


# -- reading --------------------------------------------------------------------------------------


def test_mixed_export_hand_worked(mixed: Path) -> None:
    ds = load(mixed)
    assert ds.profile.name == "ORDAO awards"
    assert isinstance(ds.profile.policy, RecordedAwards)
    assert ds.respect_schedule == DOUBLED
    assert ds.meeting_ids == [1, 2, 3, 4]
    assert ds.total_unique_members == 5
    assert ds.total_respect == 840
    assert len(ds.ledger) == 12
    assert ds.measurements.attendance_count == 11
    board = ds.df_member_summary_stats_by_member_id
    respect = board["AccumulatedRespect"].to_dict()
    assert respect == {
        A.lower(): 260,
        B.lower(): 286,
        C.lower(): 142,
        D.lower(): 42,
        E.lower(): 110,
    }
    # one member whatever the case; shown checksummed
    names = ds.df_member_leader_board.set_index("MemberID")["Name"]
    assert names[A.lower()] == A and names[E.lower()] == E
    assert board.loc[A.lower(), "AttendanceCount"] == 3
    origins = ds.ledger.groupby("Origin", observed=True)["Respect"].agg(["size", "sum"])
    assert origins.loc["level"].tolist() == [8, 610]
    assert origins.loc["even split"].tolist() == [3, 120]
    assert origins.loc["extra award"].tolist() == [1, 110]
    # the meeting respect per meeting
    per_meeting = ds.ledger.groupby("MeetingID")["Respect"].sum().to_dict()
    assert per_meeting == {1: 220, 2: 330, 3: 120, 4: 170}
    # the even splits are attendances without a level; E's award is not an attendance
    history = ds.member_history(E.lower())
    assert history["Respect"].tolist() == [110] and history["Rank"].isna().all()
    assert ds.member_history(A.lower())["Rank"].tolist()[:2] == [6, 6]
    assert pd.isna(ds.member_history(A.lower())["Rank"].iloc[2])
    # mintTs is no meeting date
    assert not ds.dates_known
    assert ds.ledger["MeetingDate"].isna().all()


def test_mixed_export_quality_report(mixed: Path) -> None:
    report = load(mixed).quality_report
    kinds = [f.kind for f in report]
    assert sorted(kinds) == sorted(
        [
            quality.EXTRA_AWARD_ROW,
            quality.EVEN_SPLIT_AWARD,
            quality.EVEN_SPLIT_AWARD,
            quality.EVEN_SPLIT_AWARD,
            quality.BURNED_AWARD,
            quality.DENOMINATION_MISMATCH,
        ]
    )
    mismatch = next(f for f in report if f.kind == quality.DENOMINATION_MISMATCH)
    assert mismatch.meeting_id == 4 and mismatch.member_id == C.lower()
    assert "60" in mismatch.message and "68" in mismatch.message and "row 13" in mismatch.message
    burned = next(f for f in report if f.kind == quality.BURNED_AWARD)
    assert burned.member_id == D.lower() and "row 14" in burned.message
    extra = next(f for f in report if f.kind == quality.EXTRA_AWARD_ROW)
    assert "Intro for Eve" in extra.message
    with pytest.raises(DatasetError, match="strict"):
        Dataset.from_csv(mixed, strict=True)


def test_mint_type_0_and_unknown_mint_types(tmp_path: Path) -> None:
    path = write(
        tmp_path / "optimism.csv",
        [
            award(A, 55, 5, 6, mint_type=0),
            award(B, 34, 5, 5, mint_type=0),
            award(C, 21, 5, 4, mint_type=7),
            award(D, 13, 5, 3, mint_type=7),
        ],
    )
    ds = load(path)
    assert ds.respect_schedule == OPTIMISM
    assert ds.total_respect == 55 + 34 + 21 + 13
    (finding,) = ds.quality_report
    assert finding.kind == quality.UNKNOWN_MINT_TYPE
    assert "Mint type 7" in finding.message and "2 awards" in finding.message
    assert "rows 4, 5" in finding.message


def test_period_number_without_meeting_number(tmp_path: Path) -> None:
    columns = tuple(c for c in COLUMNS if c != "meetingNumber")
    path = write(tmp_path / "p.csv", [award(A, 110, 8, 6), award(B, 68, 8, 5)], columns)
    ds = load(path)
    assert ds.meeting_ids == [8]
    assert ds.total_respect == 178


def test_repeated_ranking_counts_and_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [award(A, 110, 1, 6), award(A, 68, 1, 5), award(B, 42, 1, 4)])
    ds = load(path)
    assert ds.measurements.attendance_count == 2
    assert ds.total_respect == 220
    repeated = [f for f in ds.quality_report if f.kind == quality.REPEATED_RANKING]
    assert len(repeated) == 1 and "row 3" in repeated[0].message


def test_recognised_by_the_header(mixed: Path) -> None:
    table = read_csv_file(mixed)
    assert table.recorded_awards is not None
    assert list(table.frame.columns) == ["MemberID", "Name", "MeetingID", "Group", "Level"]
    weekly = read_csv_file(FIXTURES / "dashboard_tiny.csv")
    assert weekly.recorded_awards is None


def test_folder_with_a_names_file(tmp_path: Path) -> None:
    write(tmp_path / "awards.csv", MIXED)
    (tmp_path / "names.csv").write_text(f"address,name\n{A.lower()},Ada\n{E},Eve\n")
    ds = Dataset.from_directory(tmp_path)
    names = ds.df_member_leader_board.set_index("MemberID")["Name"]
    assert names[A.lower()] == "Ada" and names[E.lower()] == "Eve" and names[B.lower()] == B
    table = read_ordao_csv(tmp_path / "awards.csv", tmp_path / "names.csv")
    assert set(table.frame["Name"]) >= {"Ada"}


def test_a_names_file_must_be_consistent(tmp_path: Path) -> None:
    write(tmp_path / "awards.csv", MIXED)
    names = tmp_path / "names.csv"
    names.write_text(f"address,name\n{A},Ada\n{A.lower()},Ann\n")
    with pytest.raises(DatasetError, match="two names"):
        read_ordao_csv(tmp_path / "awards.csv", names)
    names.write_text("address,name\n0x12,Ada\n")
    with pytest.raises(DatasetError, match=r"names.csv: column 'address'.*row 2: '0x12'"):
        read_ordao_csv(tmp_path / "awards.csv", names)


# -- bad rows ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "column", "value", "problem"),
    [
        (award(B, "ten", 1, 5), "denomination", "ten", "must be a number of Respect"),
        (award(B, 68, 1, 7), "level", "7", "must be a level from 1 to 6"),
        (award("0x12345", 68, 1, 5), "recipient", "0x12345", "must be an address"),
        (award(B[:-1] + "Z", 68, 1, 5), "recipient", B[:-1] + "Z", "must be an address"),
        (award(B, 68, "", 5), "meetingNumber", "", "must be a meeting number"),
        (award("", 68, 1, 5), "recipient", "", "must not be empty"),
    ],
)
def test_bad_rows_name_file_row_column_and_value(
    tmp_path: Path, bad: dict[str, Any], column: str, value: str, problem: str
) -> None:
    path = write(tmp_path / "bad.csv", [award(A, 110, 1, 6), bad, award(C, 42, 1, 4)])
    with pytest.raises(DatasetError) as raised:
        Dataset.from_csv(path)
    message = str(raised.value)
    assert str(path) in message
    assert f"column {column!r}" in message
    assert problem in message
    assert f"row 3: {value!r}" in message


def test_missing_columns_and_empty_files(tmp_path: Path) -> None:
    columns = tuple(c for c in COLUMNS if c != "level")
    path = write(tmp_path / "nolevel.csv", [award(A, 110, 1, 6)], columns)
    with pytest.raises(DatasetError, match="missing column 'level' for ORDAO awards"):
        Dataset.from_csv(path)
    empty = write(tmp_path / "empty.csv", [])
    with pytest.raises(DatasetError, match="no data rows"):
        Dataset.from_csv(empty)
    burned = write(tmp_path / "burned.csv", [award(A, 110, 1, 6, burn="1")])
    with pytest.raises(DatasetError, match="every award was burned"):
        Dataset.from_csv(burned)


# -- the ZAO file ----------------------------------------------------------------------------------


def test_zao_figures(zao_file: Path) -> None:
    ds = load(zao_file)
    assert ds.meeting_ids == list(range(74, 92))
    assert ds.total_meetings == 18
    assert len(ds.ledger) == 162
    assert ds.total_unique_members == 44
    assert ds.total_respect == 9246
    report = ds.quality_report
    assert len(report) == 14
    kinds = pd.Series([f.kind for f in report]).value_counts().to_dict()
    assert kinds == {quality.EXTRA_AWARD_ROW: 8, quality.EVEN_SPLIT_AWARD: 6}
    assert not ds.dates_known
    assert ds.has_teams is False
    # the names are the checksummed addresses of the file (it is written in EIP-55 case)
    raw = pd.read_csv(zao_file)
    assert set(ds.df_member_leader_board["Name"]) == set(raw["recipient"])
    # Respect per member is the file's sum per lower-case address
    expected = raw.groupby(raw["recipient"].str.lower())["denomination"].sum()
    got = ds.df_member_summary_stats_by_member_id["AccumulatedRespect"]
    pd.testing.assert_series_equal(
        got.sort_index(), expected.sort_index(), check_names=False, check_dtype=False
    )
    window = ds.select_meetings(78, 80)
    assert window.total_respect == int(raw[raw["meetingNumber"].between(78, 80)].denomination.sum())
    assert len(window.df_member_leader_board) == window.total_unique_members


def test_zao_registry_entry(zao_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = datasets.info("zao")
    assert "ZAO Fractal" in entry.title and not entry.simulated
    assert entry.profile.name == "ZAO Fractal"
    assert entry.profile.schedule == DOUBLED
    assert entry.profile.calendar is None
    (remote,) = entry.files
    assert remote.url is not None and "e670e12775db6492c8bd889d6cb602f3ee64ca99" in remote.url
    # The registry's layout: <data dir>/zao/ordaoawards.csv.
    monkeypatch.setenv("FRACTAL_GOVERNANCE_DATA_DIR", str(zao_file.parent.parent))
    ds = datasets.load("zao")
    assert ds.name == entry.title
    assert ds.total_respect == 9246 and ds.unit == profiles.ZAO.unit


# -- export and round trip ----------------------------------------------------------------------


def same_tables(a: Dataset, b: Dataset, *, teams: bool = True) -> None:
    pd.testing.assert_frame_equal(a.ledger, b.ledger, check_dtype=False)
    for name in (
        "df_member_summary_stats_by_member_id",
        "df_member_leader_board",
        "df_member_rank_by_attendance_count",
        "df_member_attendance_new_and_returning_by_meeting",
        "df_member_respect_new_and_returning_by_meeting",
        "df_gini_by_meeting",
        "df_lorenz_curve",
    ):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_dtype=False)
    if teams:
        pd.testing.assert_frame_equal(a.df_team_leader_board, b.df_team_leader_board)
    assert a.total_member_respect == b.total_member_respect
    assert a.respect_distribution == b.respect_distribution
    assert a.meeting_ids == b.meeting_ids


def test_round_trip_of_an_ordao_export(mixed: Path, tmp_path: Path) -> None:
    original = load(mixed)
    out = tmp_path / "out" / "export.csv"
    out.parent.mkdir()
    assert write_ordao(original, out) == [out]
    again = load(out)
    same_tables(original, again)
    # the same findings, but for the burned award, which is not in the ledger
    before = [f for f in original.quality_report if f.kind != quality.BURNED_AWARD]
    assert [f.kind for f in again.quality_report] == [f.kind for f in before]
    frame = pd.read_csv(out)
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == 12  # the burned award is left out
    assert frame["level"].dtype == "float64" or set(frame["level"].dropna()) <= set(range(7))


def test_round_trip_of_the_zao_file(zao_file: Path, tmp_path: Path) -> None:
    original = load(zao_file, profile=datasets.info("zao").profile)
    out = tmp_path / "zao.csv"
    write_ordao(original, out)
    again = load(out, profile=datasets.info("zao").profile)
    same_tables(original, again)
    assert len(again.quality_report) == 14
    # the rows are the file's, in its order and with its columns
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(zao_file), check_dtype=False)


def test_round_trip_of_genesis_style_records(tmp_path: Path) -> None:
    # MemberIDs a, b, ... have no address: the recipient holds the MemberID itself
    # (a copy of the Genesis profile: profiles.GENESIS itself is profiles.DEFAULT, which
    # front ends pass when nothing is chosen, and which reads an ORDAO export as minted)
    genesis = dataclasses.replace(profiles.GENESIS)
    original = load(FIXTURES / "dashboard_tiny.csv", profile=genesis)
    folder = tmp_path / "export"
    folder.mkdir()
    written = write_ordao(original, folder / "awards.csv")
    assert written == [folder / "awards.csv", names_path_for(folder / "awards.csv")]
    frame = pd.read_csv(written[0], dtype={"recipient": str})
    assert set(frame["recipient"]) == {"a", "b", "c", "d", "e"}
    assert frame["mintType"].isna().all()  # the Genesis schedule has no ORDAO mint type
    names = pd.read_csv(written[1])
    assert dict(zip(names["address"], names["name"], strict=True))["a"] == "Ada"
    again = Dataset.from_directory(folder, profile=genesis)
    assert not again.quality_report
    same_tables(original, again, teams=False)  # teams are not in the ORDAO layout
    assert not again.has_teams
    # read without a profile: Respect as written, dates unknown
    as_minted = load(written[0])
    assert as_minted.total_member_respect == original.total_member_respect


def test_export_writes_zero_rows_for_attendances_without_respect(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "MemberID": ["x", "y", "x", "y"],
            "Name": ["Xi", "Yu", "Xi", "Yu"],
            "MeetingID": [1, 1, 1, 1],
            "Round": [1, 1, 2, 2],
            "Group": [1, 1, 1, 1],
            "Level": [6, None, 5, None],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", quality.DataQualityWarning)
        original = Dataset.from_dataframe(frame, profile=profiles.GENESIS)
        higher = Dataset.from_dataframe(
            frame.assign(Level=[6, None, 7, None]), profile=profiles.GENESIS
        )
    awards, _ = ordao_frames(original)
    assert awards["denomination"].tolist() == [13, 0]  # x's level 5 (round 2); y without one
    assert awards["reason"].tolist() == ["level", "attended without Respect"]
    # levels above 6 (two rounds) are not in the ORDAO layout: refused, no file written
    with pytest.raises(DatasetError, match="levels go up to 7"):
        ordao_frames(higher)


def test_mixed_addresses_and_ids_cannot_be_exported(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"MemberID": [A, "bob"], "Name": ["Ann", "Bob"], "MeetingID": [1, 1], "Group": [1, 1]}
    ).assign(Rank=[6, 5])
    ds = Dataset.from_dataframe(frame)
    with pytest.raises(DatasetError, match="some MemberIDs are addresses"):
        ordao_frames(ds)


# -- command line ----------------------------------------------------------------------------------


def test_cli_export(mixed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.csv"
    assert main(["export", str(mixed), "--format", "ordao", "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [str(out)]
    assert main(["export", str(mixed), "--out", str(out)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["export", str(mixed), "--out", str(out), "--force"]) == 0
    assert main(["export", str(mixed), "--format", "csv", "--out", str(out)]) == 2
    assert main(["export", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "m.csv")]) == 1
    capsys.readouterr()
    assert main(["summary", str(out), "--format", "csv"]) == 0
    summary = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert summary.set_index("Statistic").loc["Respect earned by members", "Value"] == 840


def test_cli_export_of_genesis_style_writes_a_names_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tiny.csv"
    assert main(["export", str(FIXTURES / "dashboard_tiny.csv"), "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [str(out), str(names_path_for(out))]
    assert main(["validate", str(tmp_path)]) == 0
    assert "5 members" in capsys.readouterr().out


# -- dashboard -----------------------------------------------------------------------------


def zao_upload(zao_file: Path) -> AppTest:
    at = AppTest.from_file(
        str(REPO / "fractal_governance" / "streamlit" / "genesis_fractal.py"), default_timeout=120
    ).run()
    at.radio(key="fg_source").set_value(app.SOURCE_UPLOAD).run()
    at.file_uploader(key="fg_upload").set_value(
        [(zao_file.name, zao_file.read_bytes(), "text/csv")]
    ).run()
    return at


def assert_every_section(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    headers = [h.value for h in at.main.header]
    titles = [section.title for section in app.SECTIONS]
    assert headers == [title for title in titles if title != "Team Representation"]
    (table,) = at.main.table
    values = dict(zip(table.value["Statistic"], table.value["Value"], strict=True))
    assert "9,246" in next(v for k, v in values.items() if k.startswith("Total Respect"))
    assert "18" in values["Meetings"] and "44" in values["Unique members"]
    assert at.main.get("vega_lite_chart"), "interactive charts"


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_dashboard_renders_the_zao_file_with_a_calendar(zao_file: Path) -> None:
    # ZAO's meeting dates are not in the export: the sidebar's calendar gives them
    at = zao_upload(zao_file)
    first = next(k for k in at.session_state if str(k).startswith("fg_first_date"))
    at.date_input(key=first).set_value(datetime.date(2025, 11, 10)).run()
    assert_every_section(at)


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_dashboard_renders_the_zao_file_without_dates(zao_file: Path) -> None:
    assert_every_section(zao_upload(zao_file))
