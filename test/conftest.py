"""Shared pytest fixtures: where the public Genesis records are, and test-wide settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# The source tree, also when the tests run from Bazel's runfiles (there files are symlinks).
REPO = Path(os.path.realpath(__file__)).parents[1]

GENESIS_FILES = ("genesis-weekly_rank.csv", "genesis-account_status.csv")

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


def find_genesis_dir() -> Path | None:
    """Return the folder holding local copies of the Genesis CSV files, or None."""
    candidates = []
    if os.environ.get("FRACTAL_GOVERNANCE_DATA_DIR"):
        candidates.append(Path(os.environ["FRACTAL_GOVERNANCE_DATA_DIR"]))
    candidates.append(REPO.parent / "shared" / "data" / "genesis")
    for folder in candidates:
        if all((folder / name).is_file() for name in GENESIS_FILES):
            return folder
    return None


@pytest.fixture(scope="session")
def genesis_dir() -> Path:
    """The folder with the public Genesis records; skips the test when there is none."""
    folder = find_genesis_dir()
    if folder is None:
        pytest.skip(
            "Genesis records not found: set FRACTAL_GOVERNANCE_DATA_DIR or place them in "
            f"{REPO.parent / 'shared' / 'data' / 'genesis'}"
        )
    return folder


# -- the registry's layout: <data dir>/<dataset name>/<file> ---------------------------------

GENESIS_RECORD_FILES = (
    "genesis-weekly_measurements.csv",
    "genesis-account_status.csv",
    "genesis-teams.csv",
    "genesis-late_consensus.csv",
)
ADDENDUM_1_SPREADSHEET = "Stats_post-Aug_6_Dist_Portions.csv"


def find_dataset_dir(name: str, files: tuple[str, ...]) -> Path | None:
    """The folder ``<data dir>/<name>`` holding ``files`` (data dir:
    ``$FRACTAL_GOVERNANCE_DATA_DIR``, else ``../shared/data``), or None."""
    candidates = []
    if os.environ.get("FRACTAL_GOVERNANCE_DATA_DIR"):
        candidates.append(Path(os.environ["FRACTAL_GOVERNANCE_DATA_DIR"]) / name)
    candidates.append(REPO.parent / "shared" / "data" / name)
    for folder in candidates:
        if all((folder / file).is_file() for file in files):
            return folder
    return None


def _dataset_dir(name: str, files: tuple[str, ...]) -> Path:
    folder = find_dataset_dir(name, files)
    if folder is None:
        pytest.skip(
            f"{name} data not found: set FRACTAL_GOVERNANCE_DATA_DIR to a folder with "
            f"{name}/{', '.join(files)}, or place them in {REPO.parent / 'shared' / 'data' / name}"
        )
    return folder


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
