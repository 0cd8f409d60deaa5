"""Quality findings: anomalies are reported (once, as a warning), not rejected."""

from __future__ import annotations

import csv
import warnings
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fractal_governance import quality
from fractal_governance.dataset import Dataset
from fractal_governance.io import DatasetError, read_dataframe, read_weekly_csv
from fractal_governance.quality import DataQualityWarning, Finding, QualityReport

FIXTURES = Path(__file__).parent / "fixtures"
ANOMALIES = FIXTURES / "dataset_anomalies.csv"


def load_quietly(path: Path, **options: object) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return Dataset.from_csv(path, **options)  # type: ignore[arg-type]


def test_every_kind_of_anomaly_is_found() -> None:
    # dataset_anomalies.csv, by hand:
    # meeting 1 group 1: m1..m7 ranked 6,5,4,3,2,1,1 -> 7 members, and rank 1 twice (m6, m7)
    # meeting 1 group 2: m8 6, m9 6, m10 4          -> rank 6 twice (m8, m9)
    # meeting 2 group 1: m1 6, m2 5, m3 3           -> 3 members should rank 4..6
    # meeting 2 group 2: m4 6, m5 5                 -> fine
    # m2 is "Two" in meeting 1 and "Deux" in meeting 2 (group 1)
    # TeamID 1 is "Alpha" in meeting 1 and "Team Alpha" in meeting 2 (group 1)
    report = load_quietly(ANOMALIES).quality_report
    found = [(f.kind, f.meeting_id, f.group, f.member_id) for f in report]
    assert found == [
        (quality.OVERSIZED_GROUP, 1, 1, None),
        (quality.DUPLICATE_RANK, 1, 1, None),
        (quality.DUPLICATE_RANK, 1, 2, None),
        (quality.RANK_SET_MISMATCH, 2, 1, None),
        (quality.MEMBER_NAME_CONFLICT, 2, 1, "m2"),
        (quality.TEAM_NAME_CONFLICT, 2, 1, None),
    ]
    messages = [f.message for f in report]
    assert "7 members" in messages[0]
    assert "rank 1" in messages[1] and "'m6'" in messages[1] and "'m7'" in messages[1]
    assert "rank 6" in messages[2] and "'m8'" in messages[2] and "'m9'" in messages[2]
    assert "[3, 5, 6]" in messages[3] and "4 to 6" in messages[3]
    assert "'Two'" in messages[4] and "'Deux'" in messages[4]
    assert "'Alpha'" in messages[5] and "'Team Alpha'" in messages[5]


def test_findings_are_one_warning_and_the_data_still_loads() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset = Dataset.from_csv(ANOMALIES)
    quality_warnings = [w for w in caught if issubclass(w.category, DataQualityWarning)]
    assert len(quality_warnings) == 1
    text = str(quality_warnings[0].message)
    assert str(ANOMALIES) in text and "6 data quality findings" in text
    assert quality_warnings[0].filename == __file__  # points at the caller
    # the anomalous rows are analysed, not dropped: 15 rows, 10 members
    assert len(dataset.df) == 15
    assert dataset.total_unique_members == 10


def test_strict_turns_findings_into_an_error() -> None:
    with pytest.raises(DatasetError, match="6 data quality findings"):
        Dataset.from_csv(ANOMALIES, strict=True)


def test_clean_data_has_an_empty_report_and_no_warning() -> None:
    for name in ("dataset_small.csv", "dataset_rounds.csv", "dataset_dates.csv"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            dataset = Dataset.from_csv(FIXTURES / name, strict=True)
        report = dataset.quality_report
        assert len(report) == 0 and not report
        assert list(report.to_frame().columns) == [
            "Kind", "MeetingID", "Group", "MemberID", "Message",
        ]  # fmt: skip


def test_report_is_a_sequence_with_a_frame() -> None:
    report = load_quietly(ANOMALIES).quality_report
    assert isinstance(report, QualityReport) and report
    assert isinstance(report[0], Finding)
    assert len(report[1:3]) == 2
    frame = report.to_frame()
    assert len(frame) == 6
    assert frame["MemberID"].iloc[4] == "m2"
    assert frame["MeetingID"].tolist() == [1, 1, 1, 2, 2, 2]
    assert "6 findings" in repr(report)


def test_selecting_meetings_recomputes_the_report_without_warning() -> None:
    dataset = load_quietly(ANOMALIES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = dataset.select_meetings(2, 2)
    # meeting 2 alone: the rank set mismatch; names and teams are consistent within it
    assert [f.kind for f in second.quality_report] == [quality.RANK_SET_MISMATCH]


def frame_of(rows: Sequence[tuple[object, ...]], columns: str) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns.split(","))


def test_rounds_are_checked_per_round_and_named_in_messages() -> None:
    # Round 2 of meeting 1: A and B both got level 8 -> duplicate in round 2 only.
    # Round 1 groups have empty levels (members who moved on): their rank sets are not checked.
    frame = frame_of(
        [
            ("A", "A", 1, 1, 1, None), ("B", "B", 1, 1, 1, None), ("C", "C", 1, 1, 1, 4),
            ("A", "A", 1, 1, 2, 8), ("B", "B", 1, 1, 2, 8), ("D", "D", 1, 1, 2, 6),
        ],
        "MemberID,Name,MeetingID,Group,Round,Level",
    )  # fmt: skip
    table = read_dataframe(frame)
    report = quality.check(table.frame, table.level_column)
    assert [(f.kind, f.meeting_id, f.group) for f in report] == [(quality.DUPLICATE_RANK, 1, 1)]
    assert "round 2" in report[0].message and "rank 8" in report[0].message


def test_groups_without_a_group_number_are_not_checked() -> None:
    rows = [(f"m{i}", "N", 1, None, 1) for i in range(8)]
    table = read_dataframe(frame_of(rows, "MemberID,Name,MeetingID,Group,Rank"))
    assert len(quality.check(table.frame, table.level_column)) == 0


# -- invariants over generated tables ----------------------------------------------------------


def reference_findings(frame: pd.DataFrame, level_column: str) -> list[tuple[object, ...]]:
    """(kind, meeting, group, member) of every finding, by plain per-group Python loops."""
    has_rounds = "Round" in frame.columns
    groups: dict[tuple[int, int, int], list[object]] = defaultdict(list)
    for row in frame.itertuples(index=False):
        record = row._asdict()
        if pd.isna(record["Group"]):
            continue
        round_ = int(record["Round"]) if has_rounds else 1
        key = (int(record["MeetingID"]), round_, int(record["Group"]))
        groups[key].append(record[level_column])
    found: list[tuple[object, ...]] = []
    for (meeting, _, group), levels in sorted(groups.items()):
        given = [int(v) for v in levels if not pd.isna(v)]
        if len(levels) > 6:
            found.append((quality.OVERSIZED_GROUP, meeting, group, None))
        repeated = sorted(v for v, n in Counter(given).items() if n > 1)
        found += [(quality.DUPLICATE_RANK, meeting, group, None) for _ in repeated]
        complete = len(given) == len(levels) <= 6 and not repeated and max(given, default=0) <= 6
        if complete and set(given) != set(range(7 - len(levels), 7)):
            found.append((quality.RANK_SET_MISMATCH, meeting, group, None))
    names: dict[str, set[str]] = defaultdict(set)
    for member, name in zip(frame["MemberID"], frame["Name"], strict=True):
        if not pd.isna(name):
            names[str(member)].add(str(name))
    found += [
        (quality.MEMBER_NAME_CONFLICT, member)
        for member in sorted(m for m, seen in names.items() if len(seen) > 1)
    ]
    teams: dict[int, set[str]] = defaultdict(set)
    for team, team_name in zip(frame["TeamID"], frame["TeamName"], strict=True):
        if not pd.isna(team) and not pd.isna(team_name):
            teams[int(team)].add(str(team_name))
    found += [(quality.TEAM_NAME_CONFLICT,) for seen in teams.values() if len(seen) > 1]
    return found


COLUMNS = ["MemberID", "Name", "MeetingID", "Round", "Group", "Level", "TeamID", "TeamName"]


def draw_group(
    draw: st.DrawFn, meeting: int, round_: int, group: int, top: int, may_skip: bool
) -> list[tuple[object, ...]]:
    """One group of 1..8 members: levels up to ``top`` (or none), names and teams that now
    and then disagree with the member's or team's usual one."""
    size = draw(st.integers(1, 8))
    members = draw(st.lists(st.integers(0, 12), min_size=size, max_size=size, unique=True))
    levels = st.one_of(st.integers(1, top), st.none()) if may_skip else st.integers(1, top)
    rows = []
    for member in members:
        name = draw(st.sampled_from([f"Name {member}", f"Name {member}", "Other"]))
        team = draw(st.sampled_from([None, 0, 1, 2]))
        # a name without a TeamID belongs to no team (not to team 0)
        options = [None, "X"] if team is None else [f"T{team}", "X"]
        team_name = draw(st.sampled_from(options))
        rows.append((f"m{member}", name, meeting, round_, group, draw(levels), team, team_name))
    return rows


@st.composite
def anomalous_tables(draw: st.DrawFn) -> pd.DataFrame:
    """Small weekly tables with every kind of anomaly now and then (and rounds sometimes)."""
    has_rounds = draw(st.booleans())
    # group numbers from a wide range make the (meeting, group) key sparse: the check's
    # other path
    numbers = draw(st.sampled_from([[1, 2, 3], [0, 7, 10**9]]))
    rows = []
    for meeting in draw(st.lists(st.integers(1, 40), min_size=1, max_size=4, unique=True)):
        for round_ in [1, 2] if has_rounds and draw(st.booleans()) else [1]:
            for group in draw(st.lists(st.sampled_from(numbers), max_size=3, unique=True)):
                top = 8 if has_rounds else 6
                rows += draw_group(draw, meeting, round_, group, top, may_skip=has_rounds)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["TeamID"] = frame["TeamID"].astype("Int64")
    if not has_rounds:
        frame = frame.drop(columns="Round").rename(columns={"Level": "Rank"})
        frame = frame.drop_duplicates(["MeetingID", "MemberID"])
    else:
        frame = frame.drop_duplicates(["MeetingID", "Round", "MemberID"])
    assume(len(frame) > 0)
    return frame.reset_index(drop=True)


@settings(max_examples=150, deadline=None)
@given(anomalous_tables())
def test_findings_match_a_plain_reference(frame: pd.DataFrame) -> None:
    table = read_dataframe(frame)
    report = quality.check_table(table)
    found: list[tuple[object, ...]] = []
    for f in report:
        if f.kind == quality.MEMBER_NAME_CONFLICT:
            found.append((f.kind, f.member_id))
        elif f.kind == quality.TEAM_NAME_CONFLICT:
            found.append((f.kind,))
        else:
            found.append((f.kind, f.meeting_id, f.group, f.member_id))
    assert found == reference_findings(table.frame, table.level_column)
    # the same report without the codes the loaders hand over
    assert quality.check(table.frame, table.level_column) == report


# -- the public Genesis records ---------------------------------------------------------------


def test_genesis_anomalies_are_reported_not_rejected(genesis_snapshot_dir: Path) -> None:
    path = genesis_snapshot_dir / "genesis-weekly_rank.csv"
    # Expectations from the raw file, independently of the library.
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    sizes = Counter((r["MeetingID"], r["Group"]) for r in rows)
    oversized = sorted((int(m), int(g), n) for (m, g), n in sizes.items() if n > 6)
    ranks: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    names: defaultdict[str, set[str]] = defaultdict(set)
    for r in rows:
        ranks[(r["MeetingID"], r["Group"])].append(r["Rank"])
        names[r["MemberID"]].add(r["Name"])
    duplicated_groups = {(int(m), int(g)) for (m, g), rs in ranks.items() if len(set(rs)) < len(rs)}
    renamed = sorted(member for member, known in names.items() if len(known) > 1)
    assert [n for _, _, n in oversized] == [8, 7]  # the README's groups of 7 and 8
    assert renamed  # at least one MemberID with two names

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset = Dataset.from_csv(path)
    assert sum(issubclass(w.category, DataQualityWarning) for w in caught) == 1
    report = dataset.quality_report
    by_kind: defaultdict[str, list[Finding]] = defaultdict(list)
    for finding in report:
        by_kind[finding.kind].append(finding)
    assert sorted((f.meeting_id, f.group) for f in by_kind[quality.OVERSIZED_GROUP]) == [
        (m, g) for m, g, _ in oversized
    ]
    assert {(f.meeting_id, f.group) for f in by_kind[quality.DUPLICATE_RANK]} == duplicated_groups
    assert sorted(str(f.member_id) for f in by_kind[quality.MEMBER_NAME_CONFLICT]) == renamed
    # nothing was dropped
    assert len(dataset.df) == len(rows)
    with pytest.raises(DatasetError):
        Dataset.from_csv(path, strict=True)


def test_genesis_weekly_table_reads_without_error(genesis_snapshot_dir: Path) -> None:
    table = read_weekly_csv(genesis_snapshot_dir / "genesis-weekly_rank.csv")
    assert table.level_column == "Rank" and not table.has_rounds
