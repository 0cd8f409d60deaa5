"""The Bazel entry point tools/cli/fractal_governance_cli.py, run as a script.

Run by path, a script's folder comes first on the import path; this checks that the command
still finds the standard library's `math` and `statistics` (which the package's own modules of
the same names would shadow if the script sat inside the package) and answers correctly.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO

SCRIPT = REPO / "tools" / "cli" / "fractal_governance_cli.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0, result.stderr
    for command in ("summary", "leaderboard", "validate", "plot", "report", "simulate", "fetch"):
        assert command in result.stdout


def test_summary_of_a_tiny_file(tmp_path: Path) -> None:
    # Two meetings; members a, b, c in meeting 1 (levels 6, 5, 4 -> Respect 21 + 13 + 8 = 42)
    # and a, b, d in meeting 2 (levels 6, 5, 4 -> 42): 84 member Respect, 4 unique members.
    data = tmp_path / "tiny.csv"
    data.write_text(
        "MemberID,Name,MeetingID,Group,Rank,TeamID,TeamName\n"
        "a,Ann,1,1,6,,\nb,Bob,1,1,5,,\nc,Cy,1,1,4,,\n"
        "a,Ann,2,1,6,,\nb,Bob,2,1,5,,\nd,Di,2,1,4,,\n"
    )
    result = run("summary", str(data), "--format", "csv")
    assert result.returncode == 0, result.stderr
    # The tidy summary: Statistic, Value (a number), StandardDeviation, Unit.
    rows = {row["Statistic"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    shown = {
        name: (float(rows[name]["Value"]), rows[name]["Unit"])
        for name in ("Respect earned by members", "Unique members", "Meetings")
    }
    assert shown == {
        "Respect earned by members": (84, "Respect"),
        "Unique members": (4, "members"),
        "Meetings": (2, "meetings"),
    }
    # Nobody belongs to a team: no team representation (an empty cell, not 0).
    assert rows["Team representation"]["Value"] == ""
