"""The dashboard in a real browser: start the server through the launcher on a free local port,
open it in headless Chromium (Debian's `chromium`, driven by Python playwright) at desktop
(1440x900) and phone (390x844) size, wait for the leaderboard and the charts, check the title,
the leading member's row, that no page is wider than the viewport and that chart text is at
least 11 px, save full-page screenshots as test artifacts (dashboard-desktop.png,
dashboard-phone.png, report-desktop.png, report-phone.png in Bazel's undeclared outputs, else
the test's tmp_path), and shut the server down. The static report is checked the same way."""

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
from typing import Any

import pytest
from playwright import sync_api

from fractal_governance import datasets

REPO = Path(os.path.realpath(__file__)).parents[1]
CHROMIUM = Path("/usr/bin/chromium")
START_SECONDS = 90.0
PAGE_TIMEOUT_MS = 90_000


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


VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
#: Smallest text allowed in the charts, in CSS pixels.
MIN_CHART_TEXT_PX = 11.0
# The page's width beyond the viewport (0 when nothing makes it scroll sideways).
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# Font sizes of every text of the rendered (SVG) charts, in CSS pixels.
CHART_TEXT_SIZES = """() => [...document.querySelectorAll("[data-testid=stVegaLiteChart] svg text")]
    .filter((t) => (t.textContent || "").trim())
    .map((t) => parseFloat(getComputedStyle(t).fontSize))"""
CHARTS_DRAWN = """(count) => document.querySelectorAll(
    "[data-testid=stVegaLiteChart] svg text").length >= count"""


def require_chromium() -> None:
    if not CHROMIUM.exists():
        # ./bazelw and .ci/run install it; only a hand-made environment can lack it.
        message = f"{CHROMIUM} is missing: apt-get install chromium (./bazelw does this)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def launch(playwright: sync_api.Playwright) -> sync_api.Browser:
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )


def leaderboard_row(page: Any, row: Any) -> list[str]:
    """The texts of a grid row's cells once the grid has drawn them (it may redraw the row
    after its cells are first attached): polled for at most ``PAGE_TIMEOUT_MS``."""
    cells: list[str] = []
    for _ in range(PAGE_TIMEOUT_MS // 100):
        cells = row.locator("[role=gridcell]").all_text_contents()
        if cells and cells[0]:
            break
        page.wait_for_timeout(100)
    return cells


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_dashboard_in_chromium(dashboard_url: str, tmp_path: Path) -> None:
    require_chromium()
    dataset = datasets.load(datasets.default_name())
    title = f"{dataset.name} Dashboard"
    leader = dataset.df_member_leader_board.iloc[0]

    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for device, viewport in VIEWPORTS.items():
                page = browser.new_page(viewport=viewport)
                page.set_default_timeout(PAGE_TIMEOUT_MS)
                page.goto(dashboard_url)
                page.get_by_role("heading", name=title).wait_for()
                page.get_by_role("heading", name="Member Leaderboard").wait_for()
                # The leaderboard grid (the first table in the main area): a header row, then
                # one row per member, the leader first; headers readable.
                grid = page.get_by_test_id("stMain").get_by_test_id("stDataFrame").nth(0)
                first_row = grid.locator("[role=row]").nth(1)
                first_row.locator("[role=gridcell]").nth(1).wait_for(state="attached")
                cells = leaderboard_row(page, first_row)
                assert cells[0] == "1"
                if device == "desktop":  # a phone draws only the columns in view
                    headers = grid.locator("[role=columnheader]").all_text_contents()
                    assert "Accumulated Respect" in " ".join(headers)
                    assert str(leader["MemberID"]) in cells
                page.get_by_role("heading", name="Resources").wait_for()
                page.wait_for_function(CHARTS_DRAWN, arg=40)
                page.wait_for_timeout(1500)  # the last charts finish drawing
                assert page.get_by_test_id("stException").count() == 0
                assert page.title() == title
                assert page.evaluate(OVERFLOW) <= 0, f"{device}: wider than the viewport"
                sizes = page.evaluate(CHART_TEXT_SIZES)
                assert sizes, "chart text is SVG text"
                assert min(sizes) >= MIN_CHART_TEXT_PX, f"{device}: chart text {min(sizes)} px"
                screenshot = artifact_dir(tmp_path) / f"dashboard-{device}.png"
                page.screenshot(path=str(screenshot), full_page=True)
                assert screenshot.stat().st_size > 10_000
                page.close()
        finally:
            browser.close()


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_report_in_chromium(tmp_path: Path) -> None:
    """The static report fits a phone: no page wider than the viewport (tables scroll on
    their own, figures scale), and nothing is requested from the network."""
    require_chromium()
    from fractal_governance.report import write_report

    index = write_report(datasets.load(datasets.default_name()), tmp_path / "report")
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for device, viewport in VIEWPORTS.items():
                page = browser.new_page(viewport=viewport)
                requests: list[str] = []
                page.on("request", lambda request, seen=requests: seen.append(request.url))
                page.goto(index.as_uri())
                page.wait_for_load_state("load")
                assert page.evaluate(OVERFLOW) <= 0, f"{device}: wider than the viewport"
                widest = page.evaluate(
                    "() => Math.max(...[...document.images].map((i) => i.getBoundingClientRect()"
                    ".right))"
                )
                assert widest <= viewport["width"], f"{device}: a figure overflows"
                assert all(url.startswith("file:") for url in requests), requests
                screenshot = artifact_dir(tmp_path) / f"report-{device}.png"
                page.screenshot(path=str(screenshot), full_page=True)
                assert screenshot.stat().st_size > 10_000
                page.close()
        finally:
            browser.close()


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_dashboard_widgets_in_chromium(dashboard_url: str) -> None:
    """The widgets that rerun only their fragment (the member picker, the self-measurement
    toggle) work in the browser, and a CSV download (written when it is asked for) holds the
    whole leaderboard."""
    require_chromium()
    from fractal_governance import texts

    dataset = datasets.load(datasets.default_name())
    board = dataset.df_member_leader_board
    first, second = (
        texts.member_label(m, n) for m, n in board[["MemberID", "Name"]].iloc[:2].to_numpy()
    )

    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport=VIEWPORTS["desktop"], accept_downloads=True)
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            page.goto(dashboard_url)
            page.get_by_role("heading", name="Resources").wait_for()
            main = page.get_by_test_id("stMain")
            profile = main.get_by_test_id("stText")
            profile.filter(has_text=first).wait_for()
            # the next member, chosen with the keyboard
            picker = main.get_by_test_id("stSelectbox").filter(has_text="Member")
            picker.get_by_role("combobox").click()
            page.keyboard.press("ArrowDown")
            page.keyboard.press("Enter")
            profile.filter(has_text=second).wait_for()
            assert main.get_by_test_id("stText").all_text_contents() == [second]
            page.get_by_role("heading", name="Member Leaderboard").wait_for()
            toggle = main.get_by_test_id("stCheckbox").filter(has_text="Include self-measurement")
            assert toggle.locator("input").is_checked()
            toggle.locator("label").click()
            page.wait_for_function(
                """() => [...document.querySelectorAll("[data-testid=stCheckbox] input")]
                    .some((box) => !box.checked)"""
            )
            page.get_by_role("heading", name="Resources").wait_for()
            assert page.get_by_test_id("stException").count() == 0
            button = main.get_by_test_id("stDownloadButton").filter(
                has_text="Download the member leaderboard (CSV)"
            )
            with page.expect_download() as download:
                button.locator("button").click()
            lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
            assert lines[0].startswith("Position,MemberID,Name,")
            assert lines[1].startswith(f"1,{board['MemberID'].iloc[0]},")
            assert len(lines) == len(board) + 1
            page.close()
        finally:
            browser.close()
