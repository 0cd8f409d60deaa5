"""The ``fractal-governance`` command line, run through its real entry point.

Every test starts ``python -m fractal_governance`` in a subprocess (cwd = tmp_path, the repo on
PYTHONPATH) and checks its output, files and exit status. Expected numbers come from the tiny
fixture ``fixtures/cli_small.csv``, worked out by hand below.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import http.server
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from fractal_governance.dataset import Dataset

REPO = Path(os.path.realpath(__file__)).parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "cli_small.csv"
BAD = FIXTURES / "cli_bad.csv"
FINDINGS = FIXTURES / "cli_findings.csv"
DEMO = REPO / "data" / "demo-weekly_rank.csv"
GENESIS_MEASUREMENTS_SHA256 = "9ea321a53ca688b07d011a3ac1d6319193de99037a9f83b4d7198e43b5afae4f"

SCRIPT_NAME = "<script>alert(1)</script>"

# cli_small.csv: meeting 1 is one group of 3 (ranks 6, 5, 4), meeting 2 one group of 4
# (ranks 6, 5, 4, 3). Genesis Respect of rank r is fibonacci(r + 2): 6 -> 21, 5 -> 13,
# 4 -> 8, 3 -> 5.
#   alice: ranks 6 + 5 = 11, Respect 21 + 13 = 34, 2 meetings, team "Team <b>A</b>"
#   bob:   ranks 5 + 6 = 11, Respect 13 + 21 = 34, 2 meetings
#   carol: rank 4, Respect 8, 1 meeting, team "Team B" (named like a script)
#   eve:   rank 4, Respect 8, 1 meeting
#   dave:  rank 3, Respect 5, 1 meeting, team "Team B"
# Order: AccumulatedRank desc, then AttendanceCount desc, then MemberID asc, so the ties
# alice/bob and carol/eve are broken by MemberID.
EXPECTED_MEMBERS = [
    (1, "alice", "Alice", 11, 34, 2),
    (2, "bob", "Bob", 11, 34, 2),
    (3, "carol", SCRIPT_NAME, 4, 8, 1),
    (4, "eve", "Eve", 4, 8, 1),
    (5, "dave", "Dave", 3, 5, 1),
]
MEMBER_COLUMNS = [
    "Position",
    "MemberID",
    "Name",
    "AccumulatedRank",
    "AccumulatedRespect",
    "AttendanceCount",
]
# Team A: alice's 21 + 13 = 34; Team B: carol's 8 (meeting 1) + dave's 5 (meeting 2) = 13.
EXPECTED_TEAMS = [(1, "Team <b>A</b>", 34), (2, "Team B", 13)]


Runner = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture(scope="module")
def mpl_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One matplotlib config folder for all commands, so its font cache is built only once."""
    return tmp_path_factory.mktemp("matplotlib")


@pytest.fixture
def env(tmp_path: Path, mpl_config: Path) -> dict[str, str]:
    """The environment of the command: the repo importable, caches and local data in tmp_path."""
    child = dict(os.environ)
    child["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    child["MPLBACKEND"] = "Agg"
    child["MPLCONFIGDIR"] = str(mpl_config)
    child["FRACTAL_GOVERNANCE_CACHE_DIR"] = str(tmp_path / ".cache")
    child["FRACTAL_GOVERNANCE_DATA_DIR"] = str(tmp_path / ".no-local-data")
    child.pop("FRACTAL_GOVERNANCE_BASE_URL", None)
    child.pop("COLUMNS", None)
    return child


@pytest.fixture
def cli(tmp_path: Path, env: dict[str, str]) -> Runner:
    """``cli(*args, env=...)`` runs ``python -m fractal_governance ARGS`` in tmp_path, piped."""

    def run(
        *args: str | os.PathLike[str], env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "fractal_governance", *map(str, args)],
            cwd=tmp_path,
            env={**base_env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    base_env = env
    return run


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The result failed with exit status 1 and exactly one line on stderr, no traceback."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def members_from_records(records: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [
        (
            int(str(r["Position"])),
            str(r["MemberID"]),
            str(r["Name"]),
            float(str(r["AccumulatedRank"])),
            float(str(r["AccumulatedRespect"])),
            int(str(r["AttendanceCount"])),
        )
        for r in records
    ]


# ------------------------------------------------------------------------------------------
# --help and usage errors


COMMANDS = [
    "summary",
    "leaderboard",
    "validate",
    "plot",
    "report",
    "simulate",
    "fetch",
    "dashboard",
]


def test_top_level_help_lists_every_command(cli: Runner, tmp_path: Path) -> None:
    result = cli("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: fractal-governance")
    for command in COMMANDS:
        assert command in result.stdout


def _help_mentions(command: str) -> list[str]:
    """What the help of ``command`` must show besides its usage line."""
    if command == "plot":  # every figure name
        from fractal_governance.plots import PLOT_NAMES

        return [*PLOT_NAMES, "--out", "--force"]
    if command == "simulate":  # the presets and the model's parameters
        from fractal_governance.simulation import PRESETS

        return [*PRESETS, "--seed", "--meetings", "--consensus-accuracy", "--force"]
    if command == "fetch":
        return ["demo", "genesis"]
    if command == "leaderboard":
        return ["--teams", "--top", "--format"]
    if command == "dashboard":
        return ["--port"]
    return ["DATA"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(cli: Runner, command: str) -> None:
    result = cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: fractal-governance {command}")
    assert result.stderr == ""
    for text in _help_mentions(command):
        assert text in result.stdout, text


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["no-such-command"],
        ["validate"],
        ["leaderboard", str(SMALL), "--top", "0"],
        ["leaderboard", str(SMALL), "--format", "xml"],
        ["plot", "no_such_figure", str(SMALL), "--out", "x.png"],
        ["plot", "attendance_vs_time", str(SMALL), "--out", "figure.unknown"],
        ["simulate", "--meetings", "many", "--out", "x.csv"],
        ["simulate", "--founding-members", "2", "--out", "x.csv"],
        ["fetch", "no-such-dataset"],
        ["dashboard", "--port", "70000"],
    ],
    ids=lambda args: " ".join(args) or "(none)",
)
def test_usage_errors_exit_2_without_traceback(
    cli: Runner, tmp_path: Path, args: list[str]
) -> None:
    result = cli(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr
    assert list(tmp_path.glob("x.*")) == [] and list(tmp_path.glob("figure.*")) == []


# ------------------------------------------------------------------------------------------
# summary and leaderboard


# cli_small.csv summarised by hand (Genesis schedule). Members 34 + 34 + 8 + 8 + 5 = 89;
# teams: Team A 34, Team B 8 + 5 = 13, so 47; in all 136. Attendees 3 and 4: mean 3.5, sample
# sd sqrt(0.5). Meetings per member 2, 2, 1, 1, 1: mean 1.4, sd sqrt(0.3). Team share 2/3 (alice,
# carol) and 2/4 (alice, dave): mean 7/12, sd sqrt(2) / 12.
EXPECTED_SUMMARY = [
    ("Total Respect (all sources)", 136.0, None, "Respect"),
    ("Respect earned by members", 89.0, None, "Respect"),
    ("Respect earned by teams", 47.0, None, "Respect"),
    ("Meetings", 2.0, None, "meetings"),
    ("Unique members", 5.0, None, "members"),
    ("Attendees per meeting", 3.5, 0.5**0.5, "members"),
    ("Meetings attended per member", 1.4, 0.3**0.5, "meetings"),
    ("Team representation", 7 / 12, 2**0.5 / 12, "share"),
]
SUMMARY_COLUMNS = ["Statistic", "Value", "StandardDeviation", "Unit"]
EXPECTED_SUMMARY_TEXT = {
    "Total Respect (all sources)": "136 Respect",
    "Respect earned by members": "89 Respect",
    "Respect earned by teams": "47 Respect",
    "Meetings": "2 meetings",
    "Unique members": "5 members",
    "Attendees per meeting": "3.50 ± 0.71 members",
    "Meetings attended per member": "1.40 ± 0.55 meetings",
    "Team representation": "58.3% ± 11.8%",
}
GENESIS_PROFILE = (
    "Profile: Genesis fractal. Respect: Genesis: level l earns F(l + 2): 2, 3, 5, 8, 13, 21 "
    "for levels 1-6. Calendar: meetings weekly from 2022-02-26 (2022-04-16 skipped). "
    "Unit: Respect."
)


def summary_records(records: list[dict[str, object]]) -> list[tuple[object, ...]]:
    def number(value: object) -> float | None:
        return None if value in (None, "") else float(str(value))

    return [
        (r["Statistic"], number(r["Value"]), number(r["StandardDeviation"]), r["Unit"])
        for r in records
    ]


def assert_summary(found: list[tuple[object, ...]], expected: list[tuple[object, ...]]) -> None:
    assert [row[0] for row in found] == [row[0] for row in expected]
    for got, want in zip(found, expected, strict=True):
        assert got[1] == pytest.approx(want[1]), got
        assert (got[2] is None) == (want[2] is None), got
        if want[2] is not None:
            assert got[2] == pytest.approx(want[2]), got
        assert got[3] == want[3], got


def test_summary_csv_and_json_are_the_hand_computed_numbers(cli: Runner, tmp_path: Path) -> None:
    as_csv = cli("summary", SMALL, "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    reader = csv.DictReader(io.StringIO(as_csv.stdout))
    assert reader.fieldnames == SUMMARY_COLUMNS
    assert_summary(summary_records(list(reader)), EXPECTED_SUMMARY)

    as_json = cli("summary", SMALL, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    records = json.loads(as_json.stdout)
    assert all(isinstance(r["Value"], float | int) for r in records), "raw numbers, not text"
    assert_summary(summary_records(records), EXPECTED_SUMMARY)


def test_summary_table_is_formatted_and_names_the_profile(cli: Runner, tmp_path: Path) -> None:
    table = cli("summary", SMALL)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    # cli_small.csv has no MeetingDate: meeting 2 is on the Genesis calendar's 2022-03-05.
    assert lines[0].endswith("cli_small.csv")
    assert lines[1:3] == [
        "Data is current up through the meeting held on Mar 05, 2022.",
        GENESIS_PROFILE,
    ]
    for statistic, value in EXPECTED_SUMMARY_TEXT.items():
        (line,) = [line for line in lines if line.startswith(statistic + "  ")]
        assert line.split("  ")[-1].strip() == value, line


def test_schedule_option_changes_respect(cli: Runner, tmp_path: Path) -> None:
    # Optimism: levels 3..6 earn 13, 21, 34, 55. alice 55 + 34, bob 34 + 55, carol 21, eve 21,
    # dave 13: members 233. Teams: A 89, B 21 + 13 = 34: 123. In all 356.
    optimism = cli("summary", SMALL, "--schedule", "optimism", "--format", "json")
    assert optimism.returncode == 0, optimism.stderr
    values = {r["Statistic"]: r["Value"] for r in json.loads(optimism.stdout)}
    assert values["Respect earned by members"] == 233
    assert values["Respect earned by teams"] == 123
    assert values["Total Respect (all sources)"] == 356
    # A list: level l earns l. Members 11 + 11 + 4 + 4 + 3 = 33; teams 11 + 7 = 18.
    custom = cli("leaderboard", SMALL, "--schedule", "1, 2,3,4,5,6", "--format", "csv")
    assert custom.returncode == 0, custom.stderr
    respect = {
        r["MemberID"]: float(r["AccumulatedRespect"])
        for r in csv.DictReader(io.StringIO(custom.stdout))
    }
    assert respect == {"alice": 11, "bob": 11, "carol": 4, "eve": 4, "dave": 3}
    # The same schedule by another of its names, and the summary names it.
    table = cli("summary", SMALL, "--schedule", "EDEN")
    assert table.returncode == 0, table.stderr
    assert "Respect: Optimism: level l earns F(l + 4): 5, 8, 13, 21, 34, 55" in table.stdout
    assert "356 Respect" in table.stdout


def test_calendar_options_date_records_without_meeting_date(cli: Runner, tmp_path: Path) -> None:
    both = cli("summary", SMALL, "--first-meeting-date", "2024-01-06", "--meeting-interval", "14")
    assert both.returncode == 0, both.stderr
    # meeting 2 is 14 days after 2024-01-06
    assert "Data is current up through the meeting held on Jan 20, 2024." in both.stdout
    assert "Calendar: meetings every 14 days from 2024-01-06. Unit: Respect." in both.stdout
    # Only the interval: the Genesis start is kept (meeting 2 on 2022-02-26 + 3 days).
    interval = cli("summary", SMALL, "--meeting-interval", "3")
    assert interval.returncode == 0, interval.stderr
    assert "held on Mar 01, 2022." in interval.stdout
    # Only the date: weekly from it.
    first = cli("validate", SMALL, "--first-meeting-date", "2023-12-30")
    assert first.returncode == 0, first.stderr
    assert "Calendar: meetings weekly from 2023-12-30." in first.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["summary", "--schedule", "fibonacci"], "unknown schedule 'fibonacci'"),
        (["summary", "--schedule", "2,x,5"], "level 2 ('x') is not a whole number"),
        (["summary", "--schedule", "2,-3"], "level 2 is negative"),
        (["leaderboard", "--schedule", ""], "unknown schedule"),
        (["summary", "--first-meeting-date", "2022-13-01"], "not a date"),
        (["validate", "--first-meeting-date", "yesterday"], "not a date"),
        (["summary", "--meeting-interval", "0"], "at least 1"),
        (["report", "--out", "site", "--meeting-interval", "weekly"], "not a whole number"),
        (["plot", "attendance_vs_time", "--out", "x.png", "--schedule", "x"], "unknown schedule"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_bad_profile_options_are_one_line_and_exit_2(
    cli: Runner, tmp_path: Path, args: list[str], message: str
) -> None:
    command, *rest = args
    result = cli(command, *([SMALL] if command != "plot" else []), *rest)
    assert result.returncode == 2, (result.stdout, result.stderr)
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"fractal-governance {command}: error: argument --")
    assert message in line
    assert result.stdout == ""
    assert not (tmp_path / "site").exists() and not (tmp_path / "x.png").exists()


def test_exit_status_of_data_errors_and_internal_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only a DatasetError is a data error (1); any other exception is an internal error (3)."""
    from fractal_governance import cli as cli_module
    from fractal_governance import datasets, profiles
    from fractal_governance.io import DatasetError

    def fail_with(error: Exception) -> Callable[..., object]:
        def resolve(*args: object, **kwargs: object) -> object:
            raise error

        return resolve

    monkeypatch.setattr(datasets, "resolve", fail_with(DatasetError("rows 3-4: no good")))
    assert cli_module.main(["summary", "x.csv"]) == 1
    assert capsys.readouterr().err == "fractal-governance: error: rows 3-4: no good\n"

    monkeypatch.setattr(datasets, "resolve", fail_with(ValueError("a bug")))
    assert cli_module.main(["summary", "x.csv"]) == 3
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("fractal-governance: internal error: ValueError: a bug")

    monkeypatch.setattr(datasets, "resolve", fail_with(KeyError("MeetingID")))
    assert cli_module.main(["leaderboard", "x.csv"]) == 3
    assert "internal error: KeyError" in capsys.readouterr().err
    assert cli_module.main(["leaderboard", "x.csv", "--debug"]) == 3
    assert "Traceback" in capsys.readouterr().err

    # An interval alone cannot date a profile without a calendar: a usage error.
    monkeypatch.setattr(datasets, "profile_for", lambda data=None: profiles.OPTIMISM_FRACTAL)
    assert cli_module.main(["summary", "x.csv", "--meeting-interval", "7"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "first meeting date" in line


def test_report_and_plot_use_the_profile_options(cli: Runner, tmp_path: Path) -> None:
    # Optimism on cli_small.csv: 356 Respect in all, 233 earned by members (see above).
    result = cli("report", SMALL, "--out", "site", "--schedule", "optimism")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Respect: Optimism: level l earns F(l + 4): 5, 8, 13, 21, 34, 55" in page
    assert '<td class="num">356 Respect</td>' in page
    assert '<td class="num">233 Respect</td>' in page
    plot = cli("plot", "attendance_vs_time", SMALL, "--out", "a.svg", "--meeting-interval", "1")
    assert plot.returncode == 0, plot.stderr
    assert b"<svg" in (tmp_path / "a.svg").read_bytes()


def test_summary_names_the_registry_profile(cli: Runner, tmp_path: Path) -> None:
    result = cli("summary", "demo", "--schedule", "zao")
    assert result.returncode == 0, result.stderr
    assert "Profile: Genesis fractal. Respect: Doubled: 10, 16, 26, 42, 68, 110" in result.stdout


def test_leaderboard_csv_and_json_match_hand_computed_order(cli: Runner, tmp_path: Path) -> None:
    board = Dataset.from_csv(SMALL).df_member_leader_board
    from_dataset = [
        (int(position), *row)
        for position, row in zip(
            board.index,
            board[MEMBER_COLUMNS[1:]].itertuples(index=False, name=None),
            strict=True,
        )
    ]
    assert from_dataset == EXPECTED_MEMBERS

    as_csv = cli("leaderboard", SMALL, "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    reader = csv.DictReader(io.StringIO(as_csv.stdout))
    assert reader.fieldnames == MEMBER_COLUMNS
    assert members_from_records(list(reader)) == EXPECTED_MEMBERS

    as_json = cli("leaderboard", SMALL, "--format", "json", "--top", "3")
    assert as_json.returncode == 0, as_json.stderr
    records = json.loads(as_json.stdout)
    assert members_from_records(records) == EXPECTED_MEMBERS[:3]


def test_team_leaderboard_json(cli: Runner, tmp_path: Path) -> None:
    result = cli("leaderboard", SMALL, "--teams", "--format", "json")
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    teams = [(r["Position"], r["TeamName"], float(r["AccumulatedRespect"])) for r in records]
    assert teams == EXPECTED_TEAMS
    board = Dataset.from_csv(SMALL).df_team_leader_board
    assert [t[1] for t in teams] == board.index.tolist()


def test_leaderboard_table_is_ordered_and_truncated(cli: Runner, tmp_path: Path) -> None:
    result = cli("leaderboard", SMALL, "--top", "4")
    assert result.returncode == 0, result.stderr
    _heading, current, blank, header, *rows = result.stdout.splitlines()
    assert "Data is current up through" in current and blank == ""
    # readable headers for people; the machine formats keep MEMBER_COLUMNS
    assert header.split() == [
        "Place", "Member", "ID", "Name", "Accumulated", "Rank", "Accumulated", "Respect",
        "Meetings", "Attended",
    ]  # fmt: skip
    assert [line.split()[1] for line in rows] == ["alice", "bob", "carol", "eve"]
    assert SCRIPT_NAME in result.stdout  # a terminal shows names literally


def test_default_dataset_is_the_labelled_demo(cli: Runner, tmp_path: Path) -> None:
    """Without DATA and without a local Genesis copy the simulated demo is used, and says so."""
    result = cli("summary")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert "simulated" in first.lower()


# ------------------------------------------------------------------------------------------
# validate and bad data


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_validate_clean_and_with_findings(cli: Runner, tmp_path: Path) -> None:
    clean = cli("validate", SMALL)
    assert clean.returncode == 0, clean.stderr
    assert "No data-quality findings" in clean.stdout
    # 7 rows, 2 meetings, 5 members.
    assert "7 rows, 2 meetings, 5 members" in clean.stdout

    # cli_findings.csv: alice appears as "Alice" and as "Alice Smith": a finding, not an error.
    count = len(Dataset.from_csv(FINDINGS).quality_report)
    assert count >= 1
    findings = cli("validate", FINDINGS)
    assert findings.returncode == 0, findings.stderr
    assert f"{count} data-quality finding" in findings.stdout
    assert "alice" in findings.stdout.lower()
    strict = cli("validate", FINDINGS, "--strict")
    assert strict.returncode == 1
    assert "Traceback" not in strict.stderr


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_validate_genesis_reports_anomalies(
    cli: Runner, tmp_path: Path, genesis_snapshot_dir: Path
) -> None:
    path = genesis_snapshot_dir / "genesis-weekly_rank.csv"
    expected = len(Dataset.from_csv(path).quality_report)
    result = cli("validate", path)
    assert result.returncode == 0, result.stderr
    assert expected > 0
    assert f"{expected} data-quality findings" in result.stdout


@pytest.mark.parametrize("command", ["summary", "validate"])
def test_bad_data_is_one_line_and_exit_1(cli: Runner, tmp_path: Path, command: str) -> None:
    # cli_bad.csv: bob's Rank is "six" on line 3.
    line = assert_one_line_error(cli(command, BAD))
    assert "six" in line and "Rank" in line and "cli_bad.csv" in line


@pytest.mark.parametrize("command", ["summary", "dashboard"])
def test_missing_file_is_one_line_and_exit_1(cli: Runner, tmp_path: Path, command: str) -> None:
    """Also the dashboard refuses missing data before starting a server."""
    line = assert_one_line_error(cli(command, tmp_path / "absent.csv"))
    assert "absent.csv" in line


def test_debug_shows_the_traceback(cli: Runner, tmp_path: Path) -> None:
    result = cli("--debug", "summary", BAD)
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    after = cli("summary", BAD, "--debug")
    assert after.returncode == 1 and "Traceback" in after.stderr


# ------------------------------------------------------------------------------------------
# Files: plot, report, simulate


def test_plot_writes_the_format_of_the_suffix_and_respects_force(
    cli: Runner, tmp_path: Path
) -> None:
    png = cli("plot", "attendance_vs_time", SMALL, "--out", "attendance.png")
    assert png.returncode == 0, png.stderr
    assert (tmp_path / "attendance.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert png.stderr == ""

    existing = tmp_path / "keep.pdf"
    existing.write_text("precious")
    refused = cli("plot", "attendance_vs_time", SMALL, "--out", existing.name)
    line = assert_one_line_error(refused)
    assert "--force" in line
    assert existing.read_text() == "precious"
    forced = cli("plot", "attendance_vs_time", SMALL, "--out", "keep.pdf", "--force")
    assert forced.returncode == 0, forced.stderr
    assert existing.read_bytes().startswith(b"%PDF")
    # No temporary files are left beside the outputs.
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "attendance.png",
        "keep.pdf",
    ]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_report_writes_a_safe_page_quietly_and_refuses_to_overwrite(
    cli: Runner, tmp_path: Path
) -> None:
    from fractal_governance.plots import PLOT_NAMES

    result = cli("report", SMALL, "--out", "site")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # piped: no progress bar
    index = tmp_path / "site" / "index.html"
    assert Path(result.stdout.strip()) == Path("site") / "index.html"
    page = index.read_text(encoding="utf-8")
    for name in PLOT_NAMES:
        assert (tmp_path / "site" / f"{name}.png").stat().st_size > 0
        assert f'src="{name}.png"' in page
    assert SCRIPT_NAME not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    refused = cli("report", SMALL, "--out", "site")
    assert "--force" in assert_one_line_error(refused)
    forced = cli("report", FINDINGS, "--out", "site", "--force")
    assert forced.returncode == 0, forced.stderr
    assert SCRIPT_NAME not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def run_on_terminal(
    args: Sequence[str], cwd: Path, env: Mapping[str, str]
) -> tuple[int, str] | None:
    """Run the command with stderr on a pseudo-terminal; (exit status, what it drew) or None.

    None when this system offers no pseudo-terminal.
    """
    try:
        import pty
        import termios

        master, slave = pty.openpty()
    except (ImportError, OSError):
        return None
    termios.tcsetwinsize(slave, (24, 100))  # a new pty is 0 columns wide: tqdm would draw nothing
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the terminal was closed
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "fractal_governance", *args],
            cwd=cwd,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=slave,
            timeout=120,
            check=False,
        )
    finally:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
    return result.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_simulate_demo_preset_reproduces_the_shipped_file_with_a_progress_bar(
    tmp_path: Path, env: dict[str, str], cli: Runner
) -> None:
    """The file equals data/demo-weekly_rank.csv; on a terminal a bar is drawn on stderr."""
    args = ("simulate", "--preset", "demo", "--out", "demo.csv")
    on_terminal = run_on_terminal(args, tmp_path, env)
    if on_terminal is None:
        result = cli(*args)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo.csv").read_bytes() == DEMO.read_bytes()
    if on_terminal is None:
        pytest.skip("no pseudo-terminal here: the progress bar was not checked")
    status, drawn = on_terminal
    assert status == 0, drawn
    # A quick run is drawn at least once (at its start; tqdm redraws at most every 0.1 s).
    from fractal_governance.simulation import PRESETS

    assert "simulate:" in drawn and f"/{PRESETS['demo'].meetings} [" in drawn


def test_simulate_options_seed_and_quiet_when_piped(cli: Runner, tmp_path: Path) -> None:
    args = ["simulate", "--meetings", "3", "--founding-members", "9", "--arrival-rate", "0"]
    first = cli(*args, "--seed", "7", "--out", "a.csv")
    assert first.returncode == 0, first.stderr
    assert first.stderr == ""
    again = cli(*args, "--seed", "7", "--out", "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert again.returncode == 0

    dataset = Dataset.from_csv(tmp_path / "a.csv")
    assert dataset.total_meetings <= 3
    assert dataset.meeting_ids[0] == 1
    # Meeting 1 is attended by exactly the 9 founding members.
    assert int((dataset.df["MeetingID"] == 1).sum()) == 9

    refused = cli(*args, "--seed", "8", "--out", "a.csv")
    assert_one_line_error(refused)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


# ------------------------------------------------------------------------------------------
# fetch and dashboard


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def downloaded(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file()) if cache.exists() else []


NO_PROXY = {"NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}


def test_fetch_downloads_from_a_local_server_quietly(
    cli: Runner, tmp_path: Path, genesis_record_dir: Path
) -> None:
    with serve(genesis_record_dir) as url:
        result = cli("fetch", "genesis", env={"FRACTAL_GOVERNANCE_BASE_URL": url, **NO_PROXY})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # piped: no progress bar, no log lines
    path = Path(result.stdout.strip())
    assert path.is_relative_to(tmp_path / ".cache")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == GENESIS_MEASUREMENTS_SHA256
    assert {p.name for p in downloaded(tmp_path / ".cache")} == {
        "genesis-weekly_measurements.csv",
        "genesis-account_status.csv",
        "genesis-teams.csv",
        "genesis-late_consensus.csv",
    }


def test_fetch_refuses_a_corrupted_download_and_an_unreachable_server(
    cli: Runner, tmp_path: Path
) -> None:
    served = tmp_path / "served"
    served.mkdir()
    (served / "genesis-weekly_measurements.csv").write_text("Index,MemberID\n1,tampered\n")
    with serve(served) as url:
        corrupted = cli("fetch", "genesis", env={"FRACTAL_GOVERNANCE_BASE_URL": url, **NO_PROXY})
    assert "SHA-256" in assert_one_line_error(corrupted)
    unreachable = cli(
        "fetch", "genesis", env={"FRACTAL_GOVERNANCE_BASE_URL": "http://127.0.0.1:9/", **NO_PROXY}
    )
    assert_one_line_error(unreachable)
    assert downloaded(tmp_path / ".cache") == []


def test_fetch_uses_the_local_copy_and_prints_its_path(
    cli: Runner, tmp_path: Path, genesis_record_dir: Path
) -> None:
    # The registry's layout: <data dir>/genesis/<file>.
    root = str(genesis_record_dir.parent)
    result = cli("fetch", "genesis", env={"FRACTAL_GOVERNANCE_DATA_DIR": root})
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == genesis_record_dir / "genesis-weekly_measurements.csv"
    assert downloaded(tmp_path / ".cache") == []


# ------------------------------------------------------------------------------------------
# Hostile and broken input (issue 16): exit statuses and messages


def test_a_negative_seed_is_a_usage_error(cli: Runner, tmp_path: Path) -> None:
    result = cli("simulate", "--seed", "-1", "--out", "sim.csv")
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "--seed" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "sim.csv").exists()


def test_a_schedule_for_a_profile_without_one_is_a_usage_error(
    cli: Runner, genesis_record_dir: Path
) -> None:
    # The complete Genesis record pays Addendum 1 tokens from meeting 23: no schedule of levels.
    result = cli(
        "summary",
        "genesis",
        "--schedule",
        "optimism",
        env={"FRACTAL_GOVERNANCE_DATA_DIR": str(genesis_record_dir.parent)},
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "--schedule" in result.stderr and "internal error" not in result.stderr


def test_closed_stdout_is_a_one_line_error(tmp_path: Path, env: dict[str, str]) -> None:
    # `summary >&-`: Python starts with sys.stdout None.
    result = subprocess.run(
        [sys.executable, "-m", "fractal_governance", "summary", "demo"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        "fractal-governance: error: cannot write the output: standard output is closed"
    ]


def test_a_broken_stdout_pipe_exits_quietly(tmp_path: Path, env: dict[str, str]) -> None:
    # `leaderboard | head -0`: the reader has gone away before the first write.
    command = [sys.executable, "-m", "fractal_governance", "leaderboard", "demo"]
    with subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        stderr = process.stderr.read().decode()
        status = process.wait(timeout=120)
    assert stderr == ""
    assert status == 1


def test_a_tampered_default_genesis_copy_is_an_error_not_the_demo(
    cli: Runner, tmp_path: Path, genesis_record_dir: Path
) -> None:
    data = tmp_path / "data"
    (data / "genesis").mkdir(parents=True)
    for source in genesis_record_dir.glob("genesis-*.csv"):
        (data / "genesis" / source.name).write_bytes(source.read_bytes())
    tampered = data / "genesis" / "genesis-weekly_measurements.csv"
    tampered.write_bytes(tampered.read_bytes().replace(b",1,6,", b",1,5,", 1))
    result = cli("summary", env={"FRACTAL_GOVERNANCE_DATA_DIR": str(data)})
    line = assert_one_line_error(result)
    assert "SHA-256" in line and "genesis-weekly_measurements.csv" in line
    assert "Simulated" not in result.stdout


def test_single_files_clean_leftovers_and_errors_name_the_target(
    cli: Runner, tmp_path: Path
) -> None:
    leftover = tmp_path / ".sim.csv.k1ll3d_x.tmp"
    leftover.mkdir()
    (leftover / "sim.csv").write_text("half a file")
    kept = tmp_path / ".sim.csv.notes"
    kept.mkdir()
    result = cli("simulate", "--meetings", "2", "--out", "sim.csv")
    assert result.returncode == 0, result.stderr
    assert not leftover.exists() and kept.is_dir()
    (tmp_path / "folder").mkdir()
    refused = cli("simulate", "--meetings", "2", "--out", "folder", "--force")
    line = assert_one_line_error(refused)
    assert "folder" in line and ".tmp" not in line
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".folder")) == []
