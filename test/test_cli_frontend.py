"""The command line without surprises (issue 17): relative paths under ``bazel run``, true
help, one-line refusals, messages that name the target file, CSV output that keeps formulas
as text, simulated data labelled everywhere, tables for people, and a first run on a fresh
machine (unwritable HOME, empty font cache) that prints nothing but the result."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fractal_governance import cli, texts

REPO = Path(os.path.realpath(__file__)).parents[1]
SMALL = REPO / "test" / "fixtures" / "cli_small.csv"
TIMEOUT = 300


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    child = dict(os.environ if env is None else env)
    child["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [child.get("PYTHONPATH")])])
    child.setdefault("MPLBACKEND", "Agg")
    return subprocess.run(
        [sys.executable, "-m", "fractal_governance", *args],
        cwd=cwd,
        env=child,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_relative_paths_resolve_against_build_working_directory(tmp_path: Path) -> None:
    """What ``bazel run //:cli -- ...`` does: the program starts in its runfiles folder and
    BUILD_WORKING_DIRECTORY names the folder the user was in."""
    user = tmp_path / "user"
    runfiles = tmp_path / "runfiles"
    user.mkdir()
    runfiles.mkdir()
    shutil.copy(SMALL, user / "s7.csv")
    env = dict(os.environ, BUILD_WORKING_DIRECTORY=str(user))
    result = run("summary", "s7.csv", cwd=runfiles, env=env)
    assert result.returncode == 0, result.stderr
    result = run("report", "s7.csv", "--out", "bz-report", cwd=runfiles, env=env)
    assert result.returncode == 0, result.stderr
    assert (user / "bz-report" / "index.html").is_file()
    assert not (runfiles / "bz-report").exists()


def test_cli_through_bazel_run_on_a_relative_path(tmp_path: Path) -> None:
    """The real thing, where Bazel can be started (not inside a Bazel test's sandbox: there
    .ci/run does the same as a step of its own)."""
    if "TEST_TMPDIR" in os.environ:
        pytest.skip("bazel cannot run inside a Bazel test; .ci/run runs `bazelw run` instead")
    if os.environ.get("FRACTAL_GOVERNANCE_BAZEL_RUN_TEST") != "1":
        pytest.skip("set FRACTAL_GOVERNANCE_BAZEL_RUN_TEST=1 to run `./bazelw run //:cli` here")
    shutil.copy(SMALL, tmp_path / "s7.csv")
    result = subprocess.run(
        [str(REPO / "bazelw"), "run", "//:cli", "--", "summary", "s7.csv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Meetings" in result.stdout


def test_help_is_true(tmp_path: Path) -> None:
    validate = run("validate", "--help", cwd=tmp_path).stdout
    data_help = validate.split("DATA  ", 1)[1].split("options:")[0]
    assert "default" not in data_help and "required" in data_help
    simulate = run("simulate", "--help", cwd=tmp_path).stdout
    for name in cli.SIMULATION_HELP:
        assert f"--{name.replace('_', '-')}" in simulate
    from fractal_governance.cli import _simulation_fields

    assert set(_simulation_fields()) <= set(cli.SIMULATION_HELP), "every option explained"
    for sentence in cli.SIMULATION_HELP.values():
        assert sentence[0].isupper() and sentence.endswith("."), sentence


@pytest.mark.parametrize(
    "args",
    [
        ("simulate", "--meetings", "0", "--out", "x.csv"),
        ("simulate", "--founding-members", "0", "--out", "x.csv"),
        ("simulate", "--meetings", "many", "--out", "x.csv"),
        ("leaderboard", "--top", "0", "demo"),
        ("leaderboard", "--format", "yaml", "demo"),
    ],
)
def test_invalid_values_are_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "x.csv").exists(), "nothing written"


def test_a_failed_write_names_the_target_not_a_temporary_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        result = run("plot", "gini_vs_time", str(SMALL), "--out", "locked/x.png", cwd=tmp_path)
    finally:
        locked.chmod(stat.S_IRWXU)
    assert result.returncode == 1
    assert "locked/x.png" in result.stderr
    assert ".tmp" not in result.stderr


def test_a_write_into_an_unwritable_system_folder_names_the_target(tmp_path: Path) -> None:
    result = run("plot", "gini_vs_time", str(SMALL), "--out", "/proc/x.png", cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot write /proc/x.png" in result.stderr
    assert ".tmp" not in result.stderr


def test_csv_output_keeps_formulas_as_text(tmp_path: Path) -> None:
    data = tmp_path / "formula.csv"
    data.write_text(SMALL.read_text().replace("Alice", '"=HYPERLINK(""x"")"'))
    result = run("leaderboard", str(data), "--format", "csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "'=HYPERLINK" in result.stdout
    assert ",=HYPERLINK" not in result.stdout


def test_simulated_data_is_labelled_in_every_output(tmp_path: Path) -> None:
    table = run("leaderboard", "demo", "--top", "3", cwd=tmp_path)
    assert "(simulated data)" in table.stdout
    for output in ("csv", "json"):
        machine = run("leaderboard", "demo", "--format", output, cwd=tmp_path)
        assert texts.SIMULATED_LABEL in machine.stderr
        assert "simulated" not in machine.stdout.lower()
    plot = run("plot", "gini_vs_time", "demo", "--out", "g.png", cwd=tmp_path)
    assert plot.returncode == 0, plot.stderr
    assert texts.SIMULATED_LABEL in plot.stderr
    summary = run("summary", "demo", "--format", "json", cwd=tmp_path)
    assert texts.SIMULATED_LABEL in summary.stderr


def test_tables_are_for_people_and_machine_formats_raw() -> None:
    frame = pd.DataFrame(
        {
            "Position": [1, 2],
            "MemberID": ["0x8d43a3fc2fed663bf6b82ea4792c0e5239d5ee66", "bo"],
            "AccumulatedRespect": [12345, 7],
        }
    )
    header, first, second = cli._text_table(frame, "ZAO").splitlines()
    assert header.split() == ["Place", "Member", "ID", "Accumulated", "Respect", "(ZAO)"]
    assert first.split() == ["1", "0x8d43…ee66", "12,345"]
    assert second.split() == ["2", "bo", "7"]


def test_first_run_on_a_fresh_machine_prints_only_the_result(tmp_path: Path) -> None:
    """HOME is not writable and the font cache is empty: the test environment's own cache
    and config folders (what test/conftest.py sets under Bazel) keep fontconfig and
    matplotlib quiet on their very first run."""
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(stat.S_IRUSR | stat.S_IXUSR)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "MPLCONFIGDIR")
    }
    env["HOME"] = str(home)
    for variable in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "MPLCONFIGDIR"):
        folder = tmp_path / variable.lower()  # empty: nothing cached yet
        folder.mkdir()
        env[variable] = str(folder)
    try:
        result = run("plot", "gini_vs_time", str(SMALL), "--out", "g.png", cwd=tmp_path, env=env)
    finally:
        home.chmod(stat.S_IRWXU)
    assert result.returncode == 0, result.stderr
    assert "Fontconfig error" not in result.stderr
    assert "No writable cache" not in result.stderr
    assert result.stderr == "", result.stderr
    assert (tmp_path / "g.png").is_file()
