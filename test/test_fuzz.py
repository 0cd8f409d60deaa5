"""Fuzzing the loaders (issue 16): hypothesis mutates valid weekly, normalized and ORDAO
files at the byte and the cell level.

Whatever the input, loading either succeeds or raises ``DatasetError``; a dataset that
loads agrees with itself (``df``, the member tables and the totals: members, Respect
sums), and for weekly files with an independent oracle written with the plain :mod:`csv`
module: each member's accumulated rank.

``FRACTAL_GOVERNANCE_FUZZ_EXAMPLES`` sets the examples per layout (default 100, a few
hundred in all in CI; e.g. 5000 for a long run).
"""

from __future__ import annotations

import csv
import io as stdio
import math
import os
import warnings
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from fractal_governance.dataset import Dataset
from fractal_governance.io import DatasetError

EXAMPLES = int(os.environ.get("FRACTAL_GOVERNANCE_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 100,  # CI: the same examples on every run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)


def _weekly() -> str:
    rows = ["MemberID,Name,MeetingID,Group,Rank,TeamID,TeamName"]
    for meeting in (1, 2, 3):
        for seat in range(7):
            member = (seat + 2 * meeting) % 9
            team = f"{member % 3},Team {member % 3}" if member % 3 else ","
            rows.append(
                f"m{member},Member {member},{meeting},{seat // 4 + 1},{6 - seat % 4},{team}"
            )
    return "\n".join(rows) + "\n"


def _measurements() -> str:
    rows = ["MemberID,MeetingID,Group,Round,Level,TeamID"]
    for meeting in (1, 2):
        for round_ in (1, 2):
            for seat in range(5):
                member = (seat + meeting * round_) % 7
                rows.append(f"{member},{meeting},1,{round_},{6 - seat},{member % 2 or ''}")
    return "\n".join(rows) + "\n"


MEMBERS = "MemberID,Name\n" + "".join(f"{i},Name {i}\n" for i in range(7))
TEAMS = "TeamID,TeamName\n1,Odd\n"


def _ordao() -> str:
    rows = ["recipient,denomination,mintType,meetingNumber,groupNum,level,title,burn"]
    pay = {6: 55, 5: 34, 4: 21, 3: 13, 2: 8, 1: 5}
    for meeting in (1, 2):
        for seat in range(6):
            address = "0x" + f"{(seat + meeting) % 8:040x}"
            rows.append(f"{address},{pay[6 - seat]},0,{meeting},1,{6 - seat},,")
    rows.append(f"0x{1:040x},110,0,2,1,6,Intro,")
    rows.append(f"0x{2:040x},55,0,2,1,6,,true")
    return "\n".join(rows) + "\n"


HOSTILE = [
    "",
    " ",
    "nan",
    "NA",
    "today",
    "now",
    "-1",
    "0",
    "7",
    "61",
    "1e400",
    "6.0",
    "6.5",
    "6+5j",
    "(6+5j)",
    "\uff16",
    "\u0663",
    "m1",
    "M1 ",
    "Ame\u0301lie",
    "Am\u00e9lie",
    '"',
    ",",
    "\n",
    "\r",
    "x" * 300,
    "2022-02-30",
    "1899-01-01",
    "0x" + "f" * 40,
    "true",
    "\x00",
]

BYTES = [b",", b'"', b"\n", b"\r\n", b" ", b"\x00", b"\xff", b"\xef\xbb\xbf", b",,,,"]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> bytes:
    """``text`` with a few cell-level, then byte-level changes."""
    records = list(csv.reader(stdio.StringIO(text)))
    for _ in range(draw(st.integers(0, 3))):
        row = draw(st.integers(0, len(records) - 1))
        action = draw(st.sampled_from(["cell", "cell", "drop", "add", "copy", "delete"]))
        record = records[row]
        if action == "cell" and record:
            record[draw(st.integers(0, len(record) - 1))] = draw(st.sampled_from(HOSTILE))
        elif action == "drop" and record:
            del record[draw(st.integers(0, len(record) - 1))]
        elif action == "add":
            record.insert(draw(st.integers(0, len(record))), draw(st.sampled_from(HOSTILE)))
        elif action == "copy":
            records.insert(row, list(record))
        elif action == "delete" and len(records) > 1:
            del records[row]
    out = stdio.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    data = bytearray(out.getvalue().encode("utf-8"))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert":
            data[at:at] = draw(st.sampled_from(BYTES) | st.binary(min_size=1, max_size=3))
        elif action == "delete" and data:
            del data[at : at + draw(st.integers(1, 4))]
        elif data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
    return bytes(data)


def load(loader: object, names: str) -> Dataset | None:
    """The dataset, or None for a ``DatasetError`` that names the file it is about (one of
    the file names in ``names``); anything else fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            dataset = loader()  # type: ignore[operator]
        except DatasetError as error:
            assert any(name in str(error) for name in names.split()), str(error)
            _count("rejected")
            return None
    _count("loaded")
    return dataset


def _count(outcome: str) -> None:
    """Tally loaded and rejected examples in hypothesis' statistics (``--hypothesis-show-
    statistics``)."""
    if currently_in_test_context():
        event(outcome)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def consistent(ds: Dataset) -> None:
    """``df``, the member tables and the totals agree."""
    df = ds.df
    members = ds.df_member_summary_stats_by_member_id
    ordao = ds.profile.name == "ORDAO awards"
    assert ds.total_unique_members == len(members)
    if ordao:
        # a member whose only award is an extra one in a meeting with ranked rows holds
        # Respect but has no attendance row in df (the ORDAO reader's rule)
        assert set(df["MemberID"]) <= set(members.index)
        assert set(members.index) == set(df["MemberID"]) | set(ds.ledger["MemberID"])
    else:
        assert df["MemberID"].nunique() == len(members)
        assert set(members.index) == set(df["MemberID"])
    assert len(ds.df_member_leader_board) == len(members)
    accumulated = float(members["AccumulatedRespect"].sum())
    assert close(float(ds.ledger["Respect"].sum()), accumulated)
    if not ordao:  # an export's extra awards have no row in df
        assert close(float(df["Respect"].sum()), accumulated)
    assert close(float(ds.total_member_respect), accumulated)
    assert int(members["AttendanceCount"].sum()) <= len(df)


def rank_oracle(data: bytes) -> dict[str, int]:
    """Each member's accumulated rank from the raw bytes with the csv module alone."""
    text = data.decode("utf-8-sig")
    records = [
        r for r in csv.reader(stdio.StringIO(text, newline="")) if r and any(c.strip() for c in r)
    ]
    header = [c.strip() for c in records[0]]
    member, rank = header.index("MemberID"), header.index("Rank")
    totals: dict[str, int] = defaultdict(int)
    for record in records[1:]:
        value = float(record[rank].strip())
        totals[record[member]] += int(value)
    return dict(totals)


@FUZZ
@given(data=mutated(_weekly()))
def test_weekly_files(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("weekly") / "records.csv"
    path.write_bytes(data)
    ds = load(lambda: Dataset.from_csv(path), path.name)
    if ds is None:
        return
    consistent(ds)
    accumulated = ds.df_member_summary_stats_by_member_id["AccumulatedRank"]
    assert {str(k): int(v) for k, v in accumulated.items()} == rank_oracle(data)


@st.composite
def still_valid(draw: st.DrawFn, text: str) -> bytes:
    """``text`` with changes that keep a weekly file valid: rows in another order, a row
    dropped, another level (1-6) in a Rank cell, blank lines, CRLF line ends, a UTF-8 BOM."""
    header, *rows = list(csv.reader(stdio.StringIO(text)))
    rows = draw(st.permutations(rows))
    rank = header.index("Rank")
    for _ in range(draw(st.integers(0, 2))):
        rows.pop(draw(st.integers(0, len(rows) - 1)))  # 21 rows in 3 meetings: none empties
    for _ in range(draw(st.integers(0, 3))):
        row = rows[draw(st.integers(0, len(rows) - 1))]
        row[rank] = str(draw(st.integers(1, 6)))
    records = [header, *rows]
    for _ in range(draw(st.integers(0, 2))):
        records.insert(draw(st.integers(1, len(records))), [])
    out = stdio.StringIO()
    csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(records)
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + out.getvalue().encode("utf-8")


@FUZZ
@given(data=still_valid(_weekly()))
def test_weekly_files_with_valid_changes_load(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    """A file changed only in ways that keep it valid always loads, and agrees with the
    oracle (the hostile mutations above may be refused)."""
    path = tmp_path_factory.mktemp("valid") / "records.csv"
    path.write_bytes(data)
    ds = load(lambda: Dataset.from_csv(path), path.name)
    assert ds is not None, "a valid file was refused"
    consistent(ds)
    accumulated = ds.df_member_summary_stats_by_member_id["AccumulatedRank"]
    assert {str(k): int(v) for k, v in accumulated.items()} == rank_oracle(data)


@FUZZ
@given(data=mutated(_measurements()), which=st.sampled_from(["measurements", "members", "teams"]))
def test_normalized_files(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, which: str
) -> None:
    folder = tmp_path_factory.mktemp("normalized")
    texts = {
        "measurements": _measurements().encode(),
        "members": MEMBERS.encode(),
        "teams": TEAMS.encode(),
    }
    if which == "measurements":
        texts[which] = data
    else:  # the mutation of the measurements file's bytes, applied as a whole other file
        texts[which] = data if b"Level" not in data else texts[which] + data[-20:]
    for name, content in texts.items():
        (folder / f"{name}.csv").write_bytes(content)
    ds = load(
        lambda: Dataset.from_files(
            folder / "measurements.csv", folder / "members.csv", folder / "teams.csv"
        ),
        "measurements.csv members.csv teams.csv",
    )
    if ds is not None:
        consistent(ds)


@FUZZ
@given(data=mutated(_ordao()))
def test_ordao_files(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("ordao") / "awards.csv"
    path.write_bytes(data)
    ds = load(lambda: Dataset.from_csv(path), path.name)
    if ds is not None:
        consistent(ds)


def test_the_base_files_load(tmp_path: Path) -> None:
    for name, text in (("weekly", _weekly()), ("ordao", _ordao())):
        path = tmp_path / f"{name}.csv"
        path.write_text(text)
        ds = load(lambda path=path: Dataset.from_csv(path), path.name)
        assert ds is not None, name
        consistent(ds)
    (tmp_path / "m.csv").write_text(_measurements())
    (tmp_path / "p.csv").write_text(MEMBERS)
    (tmp_path / "t.csv").write_text(TEAMS)
    ds = load(
        lambda: Dataset.from_files(tmp_path / "m.csv", tmp_path / "p.csv", tmp_path / "t.csv"),
        "m.csv",
    )
    assert ds is not None
    assert rank_oracle(_weekly().encode())
