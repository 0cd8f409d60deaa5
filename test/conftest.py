"""Shared pytest fixtures: where the public Genesis records are, and test-wide settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# The source tree, also when the tests run from Bazel's runfiles (there files are symlinks).
REPO = Path(os.path.realpath(__file__)).parents[1]


# Under Bazel the source tree is read-only: keep hypothesis' example database off there.
settings.register_profile("bazel", database=None, deadline=None)
settings.register_profile("default", deadline=None)
settings.load_profile("bazel" if "TEST_TMPDIR" in os.environ else "default")

# Under Bazel HOME may be read-only: give fontconfig, matplotlib and other XDG users writable
# cache and config folders of the test's own, so that a first run on a fresh machine (no font
# cache yet) writes its caches there instead of printing "No writable cache directories".
# Subprocesses started by tests inherit them.
if "TEST_TMPDIR" in os.environ:
    for _variable, _folder in (
        ("XDG_CACHE_HOME", "xdg-cache"),
        ("XDG_CONFIG_HOME", "xdg-config"),
        ("MPLCONFIGDIR", "matplotlib"),
    ):
        if _variable not in os.environ:
            _path = Path(os.environ["TEST_TMPDIR"]) / _folder
            _path.mkdir(parents=True, exist_ok=True)
            os.environ[_variable] = str(_path)


# -- the registry's layout: <data dir>/<dataset name>/<file> ---------------------------------
#
# The data dir is $FRACTAL_GOVERNANCE_DATA_DIR when it is set (Bazel passes it through,
# .bazelrc), else <repo>/../shared/data (a checkout beside the shared data, as .ci/run makes
# it). The package itself only looks in $FRACTAL_GOVERNANCE_DATA_DIR: tests that load a
# registry dataset point the variable at data_root(folder) of their fixture's folder.

SHARED_DATA = REPO.parent / "shared" / "data"

GENESIS_RECORD_FILES = (
    "genesis-weekly_measurements.csv",
    "genesis-account_status.csv",
    "genesis-teams.csv",
    "genesis-late_consensus.csv",
)
GENESIS_SNAPSHOT = "genesis-2022-05-21"
GENESIS_SNAPSHOT_FILES = ("genesis-weekly_rank.csv", "genesis-account_status.csv")
ADDENDUM_1_SPREADSHEET = "Stats_post-Aug_6_Dist_Portions.csv"


def data_dir() -> Path:
    """Where the tests look for local data: ``$FRACTAL_GOVERNANCE_DATA_DIR``, else
    ``<repo>/../shared/data``."""
    configured = os.environ.get("FRACTAL_GOVERNANCE_DATA_DIR")
    return Path(configured).expanduser() if configured else SHARED_DATA


def data_root(folder: Path) -> Path:
    """The data dir that holds a dataset's ``folder`` (its parent): the value to give
    ``FRACTAL_GOVERNANCE_DATA_DIR`` so that the registry finds it."""
    return folder.parent


def find_dataset_dir(name: str, files: tuple[str, ...]) -> Path | None:
    """The folder ``<data dir>/<name>`` when it holds ``files``, else None."""
    folder = data_dir() / name
    return folder if all((folder / file).is_file() for file in files) else None


def find_genesis_record_dir() -> Path | None:
    """The folder of the complete Genesis record, or None."""
    return find_dataset_dir("genesis", GENESIS_RECORD_FILES)


def _dataset_dir(name: str, files: tuple[str, ...]) -> Path:
    folder = find_dataset_dir(name, files)
    if folder is None:
        where = data_dir() / name
        configured = "FRACTAL_GOVERNANCE_DATA_DIR" in os.environ
        pytest.skip(
            f"{name} data not found: {where} does not hold {', '.join(files)} ("
            + (
                "from FRACTAL_GOVERNANCE_DATA_DIR"
                if configured
                else f"FRACTAL_GOVERNANCE_DATA_DIR is unset; set it to a folder with {name}/ in it"
            )
            + ")"
        )
    return folder


@pytest.fixture(scope="session")
def genesis_snapshot_dir() -> Path:
    """The Genesis records as published on 2022-05-21 (meetings 1-12: the weekly rank file
    and the account status file of the upstream at 73ab686), registry name
    ``genesis-2022-05-21``; skips the test when they are absent."""
    return _dataset_dir(GENESIS_SNAPSHOT, GENESIS_SNAPSHOT_FILES)


@pytest.fixture(scope="session")
def genesis_record_dir() -> Path:
    """The complete Genesis record (meetings 1-30: the four files of the upstream at
    916618a); skips the test when it is absent."""
    return _dataset_dir("genesis", GENESIS_RECORD_FILES)


@pytest.fixture(scope="session")
def addendum_1_spreadsheet() -> Path:
    """Team fractally's spreadsheet extract of weighted-mean Respect (meetings 23-30);
    skips the test when it is absent."""
    return _dataset_dir("genesis-addendum-1", (ADDENDUM_1_SPREADSHEET,)) / ADDENDUM_1_SPREADSHEET


ZAO_FILE = "ordaoawards.csv"


@pytest.fixture(scope="session")
def zao_file() -> Path:
    """ZAO Fractal's ORDAO awards export (meetings 74-91, bettercallzaal/ZAOOS at e670e12);
    skips the test when it is absent."""
    return _dataset_dir("zao", (ZAO_FILE,)) / ZAO_FILE


# -- a hand-worked two-round record ----------------------------------------------------------
# One meeting, two rounds, group numbers restarting each round (test_measurement_quality.py
# works its measurement quality out by hand; test_measurement_uncertainty.py reads it through
# the upstream's API). Rows: (MemberID, MeetingID, Round, Group, Level).
TWO_ROUND_ROWS = (
    ("a", 1, 1, 1, 3),
    ("b", 1, 1, 1, 1),
    ("c", 1, 1, 2, 2),
    ("d", 1, 1, 2, 1),
    ("a", 1, 2, 1, 2),
    ("c", 1, 2, 1, 3),
    ("b", 1, 2, 2, 2),
    ("d", 1, 2, 2, 1),
)


@pytest.fixture(scope="session")
def two_round_rows() -> list[tuple[str, int, int, int, int]]:
    """The hand-worked two-round record's rows (see ``TWO_ROUND_ROWS``)."""
    return list(TWO_ROUND_ROWS)


@pytest.fixture(scope="session")
def two_round_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-worked two-round record as a weekly CSV (names ``Name a`` ...)."""
    import pandas as pd

    frame = pd.DataFrame(
        TWO_ROUND_ROWS, columns=["MemberID", "MeetingID", "Round", "Group", "Level"]
    )
    frame.insert(1, "Name", "Name " + frame["MemberID"])
    path = tmp_path_factory.mktemp("two_rounds") / "two_rounds.csv"
    frame.to_csv(path, index=False)
    return path


# -- notebooks --------------------------------------------------------------------------------


@pytest.fixture
def kernel_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Everything the kernel writes goes below tmp_path; pyplot's backend is the kernel's own
    (inline), whatever the caller's MPLBACKEND; no network (no data dir, an empty cache)."""
    for variable, folder in [
        ("MPLCONFIGDIR", "matplotlib"),
        ("IPYTHONDIR", "ipython"),
        ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
        ("JUPYTER_DATA_DIR", "jupyter-data"),
        ("FRACTAL_GOVERNANCE_CACHE_DIR", "cache"),
    ]:
        (tmp_path / folder).mkdir()
        monkeypatch.setenv(variable, str(tmp_path / folder))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    monkeypatch.delenv("FRACTAL_GOVERNANCE_DATA_DIR", raising=False)
    return tmp_path
