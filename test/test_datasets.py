"""Tests of the dataset registry: the shipped demo, checksummed downloads, local copies.

Downloads never leave this machine: each test that downloads starts an HTTP server on
127.0.0.1 (a free port) that serves good files, corrupted ones, HTTP errors, a connection
that drops in the middle of the body and one that stalls.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pooch
import pytest
from conftest import data_root

from fractal_governance import datasets, profiles
from fractal_governance.dataset import Dataset, combined_statistics
from fractal_governance.datasets import (
    DatasetInfo,
    DatasetIntegrityError,
    DatasetUnavailableError,
    RemoteFile,
)
from fractal_governance.io import DatasetError
from fractal_governance.policies import genesis_record
from fractal_governance.policies.genesis import UNIT, read_member_attributes

REPO = Path(os.path.realpath(__file__)).parents[1]

TOY_WEEKLY = (
    b"Index,MemberID,Name,MeetingID,Group,Rank,TeamID,TeamName\n"
    b"1,ann,Ann,1,1,6,,\n"
    b"2,bob,Bob,1,1,5,1,Blue\n"
    b"3,cyd,Cyd,1,1,4,,\n"
    b"4,ann,Ann,2,1,5,,\n"
    b"5,bob,Bob,2,1,6,1,Blue\n"
    b"6,dee,Dee,2,1,4,,\n"
)
TOY_EXTRA = b"Index,MemberID,Hive Account Name,Signature on File\n1,ann,TRUE,TRUE\n"
TOY = DatasetInfo(
    name="toy",
    title="Toy Fractal",
    description="A tiny test dataset.",
    simulated=False,
    files=(
        RemoteFile("toy-weekly_rank.csv", hashlib.sha256(TOY_WEEKLY).hexdigest()),
        RemoteFile("toy-account_status.csv", hashlib.sha256(TOY_EXTRA).hexdigest()),
    ),
)


# -- a local HTTP server ---------------------------------------------------------------------


class FileServer(ThreadingHTTPServer):
    """Serves ``/<mode>/<file name>``; ``mode`` picks the behaviour (ok, bad, 404, 500,
    drop, stall)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.stop = threading.Event()

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{mode}/"


class Handler(BaseHTTPRequestHandler):
    server: FileServer

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        _, mode, name = self.path.split("/", 2)
        content = self.server.files.get(name)
        if content is None or mode == "404":
            self.send_error(404)
            return
        if mode == "500":
            self.send_error(500)
            return
        if mode == "bad":
            content = content.replace(b"6", b"1")  # same size, other bytes
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if mode == "drop":  # half the body, then the connection goes away
            self.wfile.write(content[: len(content) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if mode == "stall":  # some bytes, then silence until the test ends
            self.wfile.write(content[:10])
            self.wfile.flush()
            self.server.stop.wait(10)
            self.close_connection = True
            return
        self.wfile.write(content)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[FileServer]:
    httpd = FileServer()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty download cache; no local data folder; no proxy for 127.0.0.1; short timeouts."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(datasets.ENV_CACHE_DIR, str(folder))
    monkeypatch.delenv(datasets.ENV_DATA_DIR, raising=False)
    monkeypatch.delenv(datasets.ENV_BASE_URL, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setattr(datasets, "TIMEOUT", 2.0)
    return folder


@pytest.fixture
def toy(server: FileServer, monkeypatch: pytest.MonkeyPatch) -> FileServer:
    """The toy dataset registered and served (ok mode) by the local server."""
    monkeypatch.setitem(datasets.REGISTRY, "toy", TOY)
    server.files.update({"toy-weekly_rank.csv": TOY_WEEKLY, "toy-account_status.csv": TOY_EXTRA})
    monkeypatch.setenv(datasets.ENV_BASE_URL, server.url("ok"))
    return server


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/data/"


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# -- the registry ---------------------------------------------------------------------------


UPSTREAM = "https://raw.githubusercontent.com/matt-langston/fractal_governance/"


def test_names_and_entries() -> None:
    assert datasets.names() == ["demo", "genesis", "genesis-2022-05-21", "zao"]
    assert datasets.DEFAULT == "demo"
    assert datasets.info("demo").simulated
    genesis = datasets.info("genesis")
    assert not genesis.simulated
    assert [(f.name, f.sha256, f.url) for f in genesis.files] == [
        (
            "genesis-weekly_measurements.csv",
            "9ea321a53ca688b07d011a3ac1d6319193de99037a9f83b4d7198e43b5afae4f",
            None,
        ),
        (
            "genesis-account_status.csv",
            "802cbe09760e7f193a4b4228a40fa82a99106f0e105a2657f7576a7b0e5e1494",
            None,
        ),
        (
            "genesis-teams.csv",
            "cfc0d168a6f035c0c2bce50148a7ad2742b34fa0da43c904ab41aec08b4d265b",
            None,
        ),
        (
            "genesis-late_consensus.csv",
            "c0227523ca611e0d2d7ad230c5af2da69528449abe3621809f0106025fa29b02",
            None,
        ),
    ]
    # Files without a URL of their own come from BASE_URL: the complete record's commit.
    assert datasets.BASE_URL == UPSTREAM + "916618ae0b3268e5d6ebb41c0a5b9ef101f694ef/data/"
    snapshot = datasets.info("genesis-2022-05-21")
    assert not snapshot.simulated
    at_73ab686 = UPSTREAM + "73ab686442c0964efb82d74816f967c1aabcddae/data/"
    assert [(f.name, f.sha256, f.url) for f in snapshot.files] == [
        (
            "genesis-weekly_rank.csv",
            "1804a3c7ce9b55dd5a46417d8829221abff31e5bf60bc59486e90751fd6a0656",
            at_73ab686 + "genesis-weekly_rank.csv",
        ),
        (
            "genesis-account_status.csv",
            "b093a9990def374ae63578e9864dde305545476e25a7d5326f19d10d3521bab1",
            at_73ab686 + "genesis-account_status.csv",
        ),
    ]


def test_registry_profiles() -> None:
    assert datasets.info("demo").profile is profiles.GENESIS
    assert datasets.info("genesis-2022-05-21").profile is profiles.GENESIS
    assert profiles.GENESIS.unit == "Respect"
    genesis = datasets.info("genesis").profile
    assert genesis is datasets.GENESIS_PROFILE
    assert genesis == genesis_record.genesis_profile()
    assert genesis.unit == UNIT == "Respect tokens"
    assert datasets.info("genesis").loader is not None
    assert TOY.profile is profiles.DEFAULT, "an entry without a profile gets the default"


def test_load_and_resolve_read_with_the_profile(
    cache: Path, toy: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TOY_WEEKLY: ranks 6, 5, 4 in both meetings. Genesis pays 21 + 13 + 8 = 42 a meeting
    (84 in all); the doubled schedule (ZAO) 110 + 68 + 42 = 220 a meeting (440 in all)."""
    monkeypatch.setitem(datasets.REGISTRY, "toy", dataclasses.replace(TOY, profile=profiles.ZAO))
    own = datasets.load("toy")
    assert own.profile is profiles.ZAO
    assert own.total_member_respect == 440
    # ZAO has no calendar and the file no MeetingDate: the dates are unknown.
    assert not own.dates_known
    assert datasets.resolve("toy").total_member_respect == 440
    assert datasets.profile_for("toy") is profiles.ZAO

    chosen = datasets.load("toy", profile=profiles.GENESIS)
    assert chosen.profile is profiles.GENESIS
    assert chosen.total_member_respect == 84
    assert chosen.dates_known
    assert chosen.last_meeting_date == pd.Timestamp("2022-03-05")
    assert datasets.resolve("toy", profile=profiles.GENESIS).total_member_respect == 84

    weekly = tmp_path / "weekly.csv"
    weekly.write_bytes(TOY_WEEKLY)
    assert datasets.profile_for(str(weekly)) is profiles.DEFAULT
    assert datasets.resolve(weekly).profile is profiles.DEFAULT
    assert datasets.resolve(weekly).total_member_respect == 84
    zao = datasets.resolve(str(weekly), profile=profiles.ZAO)
    assert zao.profile is profiles.ZAO and zao.total_member_respect == 440
    assert zao.unit == profiles.ZAO.unit


def test_profile_for_the_default_dataset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datasets, "default_name", lambda: "demo")
    assert datasets.profile_for(None) is datasets.info("demo").profile


def test_unknown_name_is_a_dataset_error() -> None:
    with pytest.raises(DatasetError, match=r"unknown dataset 'nope'.*demo, genesis"):
        datasets.path("nope")
    with pytest.raises(DatasetError, match="unknown dataset"):
        datasets.is_available_offline("nope")


def test_base_url_and_cache_dir_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(datasets.ENV_BASE_URL, raising=False)
    monkeypatch.delenv(datasets.ENV_CACHE_DIR, raising=False)
    assert datasets.base_url() == datasets.BASE_URL
    assert datasets.cache_dir() == Path(pooch.os_cache("fractal_governance"))
    monkeypatch.setenv(datasets.ENV_BASE_URL, "http://127.0.0.1:1/x")
    assert datasets.base_url() == "http://127.0.0.1:1/x/"
    monkeypatch.setattr(datasets, "BASE_URL", "http://127.0.0.1:2/y/")
    monkeypatch.delenv(datasets.ENV_BASE_URL)
    assert datasets.base_url() == "http://127.0.0.1:2/y/"
    monkeypatch.setenv(datasets.ENV_CACHE_DIR, str(tmp_path))
    assert datasets.cache_dir() == tmp_path


# -- the demo -------------------------------------------------------------------------------


def test_demo_is_the_shipped_file_and_loads_cleanly() -> None:
    path = datasets.path("demo")
    assert os.path.realpath(path) == str(REPO / "data" / "demo-weekly_rank.csv")
    assert datasets.paths("demo") == [path]
    assert datasets.fetch("demo") == path
    assert datasets.is_available_offline("demo")
    dataset = datasets.load("demo")
    assert dataset.name == "Simulated Demo Fractal"
    assert len(dataset.quality_report) == 0
    assert dataset.total_meetings >= 20


# -- downloads ------------------------------------------------------------------------------


def test_download_fetches_checks_and_caches(cache: Path, toy: FileServer) -> None:
    assert not datasets.is_available_offline("toy")
    found = datasets.paths("toy")
    assert found == [
        cache / "toy" / "toy-weekly_rank.csv",
        cache / "toy" / "toy-account_status.csv",
    ]
    assert found[0].read_bytes() == TOY_WEEKLY
    assert found[1].read_bytes() == TOY_EXTRA
    assert files_under(cache) == sorted(found)
    assert len(toy.requests) == 2
    assert datasets.is_available_offline("toy")
    # Cached: no more requests, also for load() and fetch().
    dataset = datasets.load("toy")
    assert dataset.name == "Toy Fractal"
    assert dataset.total_meetings == 2
    assert datasets.fetch("toy") == found[0]
    assert len(toy.requests) == 2


def test_a_damaged_cache_file_is_replaced_not_used(cache: Path, toy: FileServer) -> None:
    damaged = cache / "toy" / "toy-weekly_rank.csv"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(TOY_WEEKLY[:-5])
    assert not datasets.is_available_offline("toy")
    assert datasets.path("toy").read_bytes() == TOY_WEEKLY
    assert any(request.endswith("toy-weekly_rank.csv") for request in toy.requests)


def test_a_corrupted_download_is_refused_and_deleted(
    cache: Path, toy: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(datasets.ENV_BASE_URL, toy.url("bad"))
    with pytest.raises(DatasetIntegrityError, match="deleted and not used") as caught:
        datasets.load("toy")
    corrupted = TOY_WEEKLY.replace(b"6", b"1")
    assert str(caught.value) == (
        f"the download of toy-weekly_rank.csv from {toy.url('bad')}toy-weekly_rank.csv has "
        f"SHA-256 {hashlib.sha256(corrupted).hexdigest()}, not the published "
        f"{TOY.files[0].sha256}; it was deleted and not used"
    )
    assert files_under(cache) == []
    assert not datasets.is_available_offline("toy")


@pytest.mark.parametrize(("mode", "reason"), [("404", "HTTP 404"), ("500", "HTTP 500")])
def test_http_errors_leave_nothing_behind(
    cache: Path, toy: FileServer, monkeypatch: pytest.MonkeyPatch, mode: str, reason: str
) -> None:
    monkeypatch.setenv(datasets.ENV_BASE_URL, toy.url(mode))
    with pytest.raises(DatasetUnavailableError, match=reason) as caught:
        datasets.fetch("toy")
    message = str(caught.value)
    assert toy.url(mode) + "toy-weekly_rank.csv" in message
    assert "fractal-governance fetch toy" in message
    assert datasets.ENV_DATA_DIR in message
    assert files_under(cache) == []


def test_a_connection_dropped_mid_body_leaves_nothing_behind(
    cache: Path, toy: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(datasets.ENV_BASE_URL, toy.url("drop"))
    with pytest.raises(DatasetUnavailableError, match="connection broke"):
        datasets.path("toy")
    assert toy.requests == ["/drop/toy-weekly_rank.csv"]
    assert not cache.exists()  # not even the folders pooch made for the download


def test_a_stalled_download_times_out_and_leaves_nothing_behind(
    cache: Path, toy: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(datasets.ENV_BASE_URL, toy.url("stall"))
    monkeypatch.setattr(datasets, "TIMEOUT", 0.5)
    start = time.monotonic()
    with pytest.raises(DatasetUnavailableError, match=r"no data within 0\.5 s"):
        datasets.path("toy")
    assert time.monotonic() - start < 8
    assert files_under(cache) == []


def test_offline_without_a_local_copy_says_how_to_get_one(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(datasets.ENV_BASE_URL, closed_port_url())
    assert not datasets.is_available_offline("genesis")
    assert datasets.default_name() == "demo"
    with pytest.raises(DatasetUnavailableError) as caught:
        datasets.load("genesis")
    message = str(caught.value)
    assert "could not be reached" in message
    assert "fractal-governance fetch genesis" in message
    assert datasets.ENV_DATA_DIR in message
    assert "genesis-weekly_measurements.csv and genesis-account_status.csv" in message
    assert "<data>/genesis/" in message
    assert files_under(cache) == []
    # With no data named, the default falls back to the demo.
    assert datasets.resolve(None).name == "Simulated Demo Fractal"


# -- local copies ---------------------------------------------------------------------------


def test_local_copies_are_used_without_network(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(datasets.REGISTRY, "toy", TOY)
    local = tmp_path / "local" / "toy"
    local.mkdir(parents=True)
    (local / "toy-weekly_rank.csv").write_bytes(TOY_WEEKLY)
    (local / "toy-account_status.csv").write_bytes(TOY_EXTRA)
    # The layout <data dir>/<dataset name>/<file>; files directly in the data dir are not used.
    (tmp_path / "local" / "toy-weekly_rank.csv").write_bytes(b"not the published file")
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(local.parent))
    monkeypatch.setenv(datasets.ENV_BASE_URL, closed_port_url())
    assert datasets.is_available_offline("toy")
    assert datasets.paths("toy") == [
        local / "toy-weekly_rank.csv",
        local / "toy-account_status.csv",
    ]
    assert datasets.load("toy").total_unique_members == 4
    assert files_under(cache) == []


def test_a_local_copy_with_the_wrong_hash_is_refused(
    cache: Path, toy: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = tmp_path / "local" / "toy"
    local.mkdir(parents=True)
    (local / "toy-weekly_rank.csv").write_bytes(TOY_WEEKLY.replace(b"Ann", b"Amy"))
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(local.parent))
    assert not datasets.is_available_offline("toy")
    with pytest.raises(DatasetIntegrityError, match="refusing to use it") as caught:
        datasets.load("toy")
    assert str(local / "toy-weekly_rank.csv") in str(caught.value)
    # Refused outright: no download replaced it behind the user's back.
    assert toy.requests == []
    assert files_under(cache) == []


def test_a_local_folder_missing_a_file_falls_back_to_the_cache(
    cache: Path, toy: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = tmp_path / "local" / "toy"
    local.mkdir(parents=True)
    (local / "toy-weekly_rank.csv").write_bytes(TOY_WEEKLY)
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(local.parent))
    found = datasets.paths("toy")
    assert found == [local / "toy-weekly_rank.csv", cache / "toy" / "toy-account_status.csv"]
    assert toy.requests == ["/ok/toy-account_status.csv"]


# -- the real Genesis files -----------------------------------------------------------------


def test_genesis_from_the_data_folder(
    genesis_record_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The complete record, as policies.genesis_record.load counts it: 30 meetings to
    2022-09-24, in Respect tokens, with its late-consensus pairs."""
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(data_root(genesis_record_dir)))
    monkeypatch.setenv(datasets.ENV_BASE_URL, closed_port_url())
    assert datasets.is_available_offline("genesis")
    assert datasets.default_name() == "genesis"
    files = datasets.paths("genesis")
    assert files == [genesis_record_dir / remote.name for remote in datasets.info("genesis").files]
    assert datasets.path("genesis") == genesis_record_dir / "genesis-weekly_measurements.csv"
    dataset = datasets.load("genesis")
    assert dataset.name == "Genesis Fractal"
    assert dataset.unit == "Respect tokens"
    assert dataset.total_meetings == 30
    assert dataset.last_meeting_date == pd.Timestamp("2022-09-24")
    reference = genesis_record.load(genesis_record_dir)
    assert dataset.total_member_respect == reference.total_member_respect
    assert dataset.total_team_respect == reference.total_team_respect
    pd.testing.assert_frame_equal(dataset.df, reference.df)
    assert datasets.resolve(None).name == "Genesis Fractal"
    assert datasets.resolve("genesis").total_respect == reference.total_respect

    # The late-consensus pairs count: without them (the registry's profile as it is) members
    # earn more.
    unfilled = Dataset.from_files(
        *files[:3],
        profile=datasets.GENESIS_PROFILE,
        member_attributes=read_member_attributes(files[1]),
    )
    assert unfilled.total_member_respect != dataset.total_member_respect

    # A profile derived from the registry's (another calendar) keeps the record's rules.
    later = datasets.profile_for("genesis").with_calendar(first_meeting_date="2022-03-05")
    moved = datasets.load("genesis", profile=later)
    assert moved.total_member_respect == dataset.total_member_respect
    assert moved.df["MeetingDate"].min() == pd.Timestamp("2022-03-05")
    # Another community's profile is taken as given (no Genesis rules, its own unit).
    plain = datasets.load("genesis", profile=profiles.GENESIS)
    assert plain.unit == "Respect"
    assert plain.total_meetings == 30


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_genesis_snapshot_from_the_data_folder(
    genesis_snapshot_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 12-meeting snapshot: the original analysis's data, read with the Genesis schedule
    and calendar (3,627 Respect for members, as the original README reported)."""
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(data_root(genesis_snapshot_dir)))
    monkeypatch.setenv(datasets.ENV_BASE_URL, closed_port_url())
    name = "genesis-2022-05-21"
    assert datasets.is_available_offline(name)
    assert datasets.path(name) == genesis_snapshot_dir / "genesis-weekly_rank.csv"
    assert datasets.paths(name)[1] == genesis_snapshot_dir / "genesis-account_status.csv"
    dataset = datasets.load(name)
    assert dataset.name == "Genesis Fractal (meetings 1-12)"
    assert dataset.profile is profiles.GENESIS
    assert dataset.unit == "Respect"
    assert dataset.total_meetings == 12
    assert dataset.last_meeting_date == pd.Timestamp("2022-05-21")
    assert dataset.total_member_respect == 3627
    if not datasets.is_available_offline("genesis"):
        assert datasets.default_name() == "demo", "the snapshot is never the default"


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_genesis_download_checks_the_published_hashes(
    genesis_record_dir: Path, cache: Path, server: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for remote in datasets.info("genesis").files:
        server.files[remote.name] = (genesis_record_dir / remote.name).read_bytes()
    monkeypatch.setenv(datasets.ENV_BASE_URL, server.url("ok"))
    path = datasets.fetch("genesis")
    assert path == cache / "genesis" / "genesis-weekly_measurements.csv"
    assert path.read_bytes() == (genesis_record_dir / path.name).read_bytes()
    assert sorted(p.name for p in files_under(cache / "genesis")) == sorted(
        remote.name for remote in datasets.info("genesis").files
    )
    assert datasets.is_available_offline("genesis")
    assert datasets.load("genesis").total_meetings == 30


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_genesis_snapshot_download_checks_the_published_hashes(
    genesis_snapshot_dir: Path, cache: Path, server: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snapshot's files have URLs of their own (another commit): served here instead."""
    entry = datasets.info("genesis-2022-05-21")
    served = []
    for remote in entry.files:
        server.files[remote.name] = (genesis_snapshot_dir / remote.name).read_bytes()
        served.append(dataclasses.replace(remote, url=server.url("ok") + remote.name))
    monkeypatch.setitem(
        datasets.REGISTRY, entry.name, dataclasses.replace(entry, files=tuple(served))
    )
    path = datasets.fetch(entry.name)
    assert path == cache / entry.name / "genesis-weekly_rank.csv"
    assert (cache / entry.name / "genesis-account_status.csv").is_file()
    assert datasets.load(entry.name).total_meetings == 12


# -- resolve --------------------------------------------------------------------------------


def test_resolve_names_files_and_folders(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(datasets.ENV_BASE_URL, closed_port_url())
    assert datasets.resolve("demo").name == "Simulated Demo Fractal"
    weekly = tmp_path / "weekly.csv"
    weekly.write_bytes(TOY_WEEKLY)
    assert datasets.resolve(str(weekly)).total_unique_members == 4
    assert datasets.resolve(weekly).total_meetings == 2

    folder = tmp_path / "normalized"
    folder.mkdir()
    (folder / "m.csv").write_text(
        "Index,MemberID,MeetingID,Group,Round,Level,TeamID\n"
        "1,ann,1,1,1,6,\n2,bob,1,1,1,5,1\n3,cyd,1,1,1,4,\n"
    )
    (folder / "p.csv").write_text(
        "Index,MemberID,Name,HiveAccountName,SignatureOnFile\n"
        "1,ann,Ann,TRUE,TRUE\n2,bob,Bob,TRUE,FALSE\n3,cyd,Cyd,FALSE,FALSE\n"
    )
    (folder / "t.csv").write_text("Index,TeamID,TeamName\n1,1,Blue\n")
    from_folder = datasets.resolve(str(folder))
    assert from_folder.total_unique_members == 3
    assert from_folder.total_member_respect == 21 + 13 + 8

    with pytest.raises(DatasetError, match="neither a dataset name"):
        datasets.resolve(str(tmp_path / "missing.csv"))


def test_resolve_prefers_registry_names_over_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "demo").write_bytes(TOY_WEEKLY)
    monkeypatch.chdir(tmp_path)
    assert datasets.resolve("demo").name == "Simulated Demo Fractal"
    assert datasets.resolve("./demo").total_meetings == 2


def test_missing_demo_file_says_how_to_regenerate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "fractal_governance"
    package.mkdir()
    fake = package / "datasets.py"
    shutil.copy(datasets.__file__, fake)
    monkeypatch.setattr(datasets, "__file__", str(fake))
    with pytest.raises(DatasetUnavailableError, match="simulate --preset demo"):
        datasets.path("demo")
    assert not datasets.is_available_offline("demo")


# -- the upstream's later API ---------------------------------------------------------------


def test_dataset_from_csv_without_a_path_is_the_default_dataset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(datasets, "default_name", lambda: "demo")
    dataset = Dataset.from_csv()
    assert dataset.name == "Simulated Demo Fractal"
    assert dataset.total_respect == datasets.load("demo").total_respect
    assert Dataset.from_csv(name="Mine").name == "Mine"
    assert Dataset.from_csv(profile=profiles.ZAO).profile is profiles.ZAO
    with pytest.raises(TypeError, match="need a path"):
        Dataset.from_csv(strict=True)


def test_level_by_attendance_count_and_combined_statistics() -> None:
    dataset = datasets.load("demo")
    by_level = dataset.df_member_level_by_attendance_count
    pd.testing.assert_frame_equal(by_level, dataset.df_member_rank_by_attendance_count)
    # The upstream built the table with combined_statistics over the members' summaries.
    members = dataset.df_member_summary_stats_by_member_id
    pooled = members.groupby("AttendanceCount").apply(combined_statistics)
    assert pooled.index.tolist() == by_level["AttendanceCount"].tolist()
    np.testing.assert_allclose(pooled["Mean"], by_level["Mean"])
    np.testing.assert_allclose(pooled["StandardDeviation"], by_level["StandardDeviation"])
    # Also on a frame that carries its AttendanceCount column: two groups, 1, 2, 3 and 5.
    groups = pd.DataFrame(
        {"AttendanceCount": [3, 1], "Mean": [2.0, 5.0], "StandardDeviation": [1.0, np.nan]}
    )
    result = combined_statistics(groups)
    assert result["Mean"] == pytest.approx(2.75)
    assert result["StandardDeviation"] == pytest.approx(np.std([1, 2, 3, 5], ddof=1))


# -- the bytes parsed are the bytes verified (issue 16) --------------------------------------


def local_toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setitem(datasets.REGISTRY, "toy", TOY)
    local = tmp_path / "local" / "toy"
    local.mkdir(parents=True)
    (local / "toy-weekly_rank.csv").write_bytes(TOY_WEEKLY)
    (local / "toy-account_status.csv").write_bytes(TOY_EXTRA)
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(local.parent))
    monkeypatch.setenv(datasets.ENV_BASE_URL, closed_port_url())
    return local / "toy-weekly_rank.csv"


TAMPERED = TOY_WEEKLY.replace(b"1,ann,Ann,1,1,6", b"1,ann,Ann,1,1,1")


def test_a_file_changed_after_its_check_is_never_parsed(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A concurrent writer: the file changes between the hash check and the parse.
    weekly = local_toy(tmp_path, monkeypatch)
    checked = datasets.paths

    def check_then_tamper(name: str, *, progress: bool = False) -> list[Path]:
        found = checked(name, progress=progress)
        weekly.write_bytes(TAMPERED)
        return found

    monkeypatch.setattr(datasets, "paths", check_then_tamper)
    with pytest.raises(DatasetIntegrityError, match="changed while it was being read"):
        datasets.load("toy")


def test_a_file_changed_while_it_is_parsed_does_not_change_the_data(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    weekly = local_toy(tmp_path, monkeypatch)
    parse = Dataset.from_csv.__func__  # type: ignore[attr-defined]

    def tamper_then_parse(cls: type[Dataset], path: Path, **options: object) -> Dataset:
        weekly.write_bytes(TAMPERED)  # the writer wins the race against the parser
        return parse(cls, path, **options)

    monkeypatch.setattr(Dataset, "from_csv", classmethod(tamper_then_parse))
    dataset = datasets.load("toy")
    ranks = dataset.df.set_index(["MemberID", "MeetingID"])["Rank"]
    assert ranks[("ann", 1)] == 6  # the verified bytes, not the tampered ones


def test_a_verified_copy_is_named_by_its_published_file(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The parse reads a private copy; the dataset and its errors name the published file.
    weekly = local_toy(tmp_path, monkeypatch)
    assert datasets.load("toy").source == str(weekly)

    def refuse(cls: type[Dataset], path: Path, **options: object) -> Dataset:
        raise DatasetError(f"{path}: column 'Rank' is broken")

    monkeypatch.setattr(Dataset, "from_csv", classmethod(refuse))
    with pytest.raises(DatasetError) as raised:
        datasets.load("toy")
    assert str(raised.value) == f"{weekly}: column 'Rank' is broken"
