"""The dashboard in a real browser: start the server through the launcher on a free local port,
open it in headless Chromium (Debian's `chromium`, driven by Python playwright), wait for the
leaderboard, check the title and the leading member's row, save a screenshot as a test artifact,
and shut the server down."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api

from fractal_governance import datasets

REPO = Path(os.path.realpath(__file__)).parents[1]
CHROMIUM = Path("/usr/bin/chromium")
START_SECONDS = 90.0
PAGE_TIMEOUT_MS = 90_000
# True once the page shows its matplotlib figures, all loaded (for a complete screenshot).
IMAGES_LOADED = """() => {
    const images = [...document.querySelectorAll("[data-testid=stImage] img")];
    return images.length >= 5 && images.every((i) => i.complete && i.naturalWidth > 0);
}"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def artifact_dir(tmp_path: Path) -> Path:
    """Bazel's undeclared-outputs folder (kept as a test artifact) when set, else tmp_path."""
    folder = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR")
    return Path(folder) if folder else tmp_path


def wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    pytest.fail(f"the server did not become healthy in {START_SECONDS:.0f} s:\n{log.read_text()}")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


@pytest.fixture
def dashboard_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "Agg"
    env["HOME"] = env.get("HOME") or str(tmp_path)
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "fractal_governance.streamlit.launcher", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server, log)
        yield url
    finally:
        stop(server)
        shutil.copy(log, artifact_dir(tmp_path) / "dashboard-server.log")


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_dashboard_in_chromium(dashboard_url: str, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        # ./bazelw and .ci/run install it; only a hand-made environment can lack it.
        message = f"{CHROMIUM} is missing: apt-get install chromium (./bazelw does this)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    dataset = datasets.load(datasets.default_name())
    title = f"{dataset.name} Dashboard"
    leader = dataset.df_member_leader_board.iloc[0]

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            page.goto(dashboard_url)
            page.get_by_role("heading", name=title).wait_for()
            page.get_by_role("heading", name="Member Leaderboard").wait_for()
            # The leaderboard grid (the first table in the main area); its accessible table has
            # a header row, then one row per member, the leader first.
            grid = page.get_by_test_id("stMain").get_by_test_id("stDataFrame").nth(0)
            first_row = grid.locator("[role=row]").nth(1)
            first_row.locator("[role=gridcell]").nth(2).wait_for(state="attached")
            headers = grid.locator("[role=columnheader]").all_text_contents()
            assert headers[1:] == list(dataset.df_member_leader_board.columns)
            cells = first_row.locator("[role=gridcell]").all_text_contents()
            assert cells[0] == "1"
            assert cells[1] == str(leader["MemberID"])
            if isinstance(leader["Name"], str):
                assert cells[2] == leader["Name"]
            assert cells[3] == str(int(leader["AccumulatedRank"]))
            page.get_by_role("heading", name="Resources").wait_for()
            assert page.get_by_test_id("stException").count() == 0
            assert page.title() == title
            page.wait_for_function(IMAGES_LOADED)
            screenshot = artifact_dir(tmp_path) / "dashboard.png"
            page.screenshot(path=str(screenshot))
            assert screenshot.stat().st_size > 10_000
        finally:
            browser.close()
