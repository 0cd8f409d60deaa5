"""Tests of the Streamlit dashboard, driven through streamlit.testing.v1.AppTest.

The expected numbers for the meeting filter are worked out by hand from test/fixtures/
dashboard_tiny.csv (Genesis schedule: rank r earns Fibonacci(r + 2), i.e. 6 -> 21, 5 -> 13,
4 -> 8, 3 -> 5):

    meeting 1: Ada 6 (team Alpha), Bo 5, Cy 4        member Respect 42, team Respect 21
    meeting 2: Ada 5 (team Alpha), Bo 6, Di 4        member Respect 42, team Respect 13
    meeting 3: Bo 6, Cy 5, Di 4, Ed 3 (team Alpha)   member Respect 47, team Respect 5

The file has no MeetingDate, so its meetings are dated by the profile's calendar (Genesis: weekly
from 2022-02-26) unless the sidebar sets another first date or interval.
"""

from __future__ import annotations

import datetime
import math
import os
import re
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import data_root
from streamlit.testing.v1 import AppTest

from fractal_governance import datasets
from fractal_governance.streamlit import genesis_fractal as app
from fractal_governance.streamlit import launcher

REPO = Path(os.path.realpath(__file__)).parents[1]
APP = REPO / "fractal_governance" / "streamlit" / "genesis_fractal.py"
FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "dashboard_tiny.csv"
UNSAFE = FIXTURES / "dashboard_unsafe.csv"
BAD = FIXTURES / "dashboard_bad.csv"
TIMEOUT = 120.0
SCRIPT = "<script>alert(1)</script>"

DATE_LINE = re.compile(r"^Data is current up through the meeting held on (\w{3} \d{2}, \d{4})\.$")


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def new_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def upload(at: AppTest, *paths: Path) -> AppTest:
    at.radio(key="fg_source").set_value(app.SOURCE_UPLOAD).run()
    files = [(path.name, path.read_bytes(), "text/csv") for path in paths]
    at.file_uploader(key="fg_upload").set_value(files).run()
    no_exception(at)
    return at


def summary(at: AppTest) -> dict[str, str]:
    (table,) = at.main.table
    frame = table.value
    return dict(zip(frame["Statistic"], frame["Value"], strict=True))


def statistic(values: dict[str, str], start: str) -> str:
    if start in values:
        return values[start]
    (key,) = [key for key in values if key.startswith(start)]
    return values[key]


def assert_shows(text: str, *expected: float) -> None:
    """The numbers in a display string equal ``expected`` to the precision shown."""
    percent = "%" in text
    found = re.findall(r"-?\d[\d,]*(?:\.\d+)?", text)
    assert len(found) == len(expected), (text, expected)
    for shown, value in zip(found, expected, strict=True):
        decimals = len(shown.split(".")[1]) if "." in shown else 0
        number = float(shown.replace(",", ""))
        target = value * 100 if percent else value
        assert abs(number - target) <= 0.5 * 10**-decimals + 1e-9, (text, expected)


def assert_summary(at: AppTest, expected: dict[str, tuple[float, ...]]) -> None:
    values = summary(at)
    for start, numbers in expected.items():
        assert_shows(statistic(values, start), *numbers)


def sample_sd(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def leaderboard(at: AppTest) -> pd.DataFrame:
    (frame,) = [d.value for d in at.main.dataframe if "AccumulatedRank" in d.value.columns]
    return frame


def attendance(at: AppTest) -> dict[int, tuple[int, int]]:
    """Meeting ID -> (new, returning) from the attendance table on the page."""
    (frame,) = [d.value for d in at.main.dataframe if "NewMemberCount" in d.value.columns]
    return {
        int(meeting): (int(new), int(returning))
        for meeting, new, returning in zip(
            frame["MeetingID"], frame["NewMemberCount"], frame["ReturningMemberCount"], strict=True
        )
    }


def profile_caption(at: AppTest) -> str:
    (caption,) = [unescape(c.value) for c in at.main.caption if c.value.startswith("Profile")]
    return caption


def meeting_slider(at: AppTest) -> Any:
    return at.select_slider(key=next(k for k in at.session_state if "fg_meetings" in k))


GENESIS_CAPTION = (
    "Profile: Genesis fractal. Respect: Genesis: level l earns F(l + 2): 2, 3, 5, 8, 13, 21 "
    "for levels 1-6. Calendar: meetings weekly from 2022-02-26 (2022-04-16 skipped). "
    "Unit: Respect."
)


def date_line(at: AppTest) -> str:
    (match,) = [m for m in (DATE_LINE.match(e.value) for e in at.main.markdown) if m]
    return match.group(1)


# ---------------------------------------------------------------------------------------------
# default run and sources
# ---------------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_default_run_shows_every_section_in_order() -> None:
    at = new_app().run()
    no_exception(at)
    headers = [h.value for h in at.main.header]
    titles = [section.title for section in app.SECTIONS]
    assert headers == [title for title in titles if title != "Team Representation"]
    assert [h.value for h in at.main.subheader] == ["Team Representation"]
    expected = "genesis" if datasets.is_available_offline("genesis") else "demo"
    assert at.radio(key="fg_source").value == (
        app.SOURCE_GENESIS if expected == "genesis" else app.SOURCE_DEMO
    )
    name = datasets.load(expected).name
    assert at.title[0].value == f"{name} Dashboard"
    assert re.match(r"[A-Z][a-z]{2} \d{2}, \d{4}$", date_line(at))
    assert at.main.table, "summary table"
    assert not at.main.get("image"), "no matplotlib images: every chart is interactive"
    assert len(at.main.get("vega_lite_chart")) >= 10, "interactive charts"
    assert {b.label for b in at.main.download_button} >= {"Download the member leaderboard (CSV)"}
    assert "Data Quality" in headers, "data quality in the main area"


def test_switching_data_source() -> None:
    at = new_app().run()
    at.radio(key="fg_source").set_value(app.SOURCE_DEMO).run()
    no_exception(at)
    assert at.title[0].value == "Simulated Demo Fractal Dashboard"
    assert any("simulated" in info.value for info in at.main.info)

    upload(at, TINY)
    assert at.title[0].value == "Uploaded Fractal Dashboard"
    assert not any("simulated" in info.value for info in at.main.info)
    assert_summary(at, {"Meetings": (3,), "Unique members": (5,)})

    at.radio(key="fg_source").set_value(app.SOURCE_DEMO).run()
    assert at.title[0].value == "Simulated Demo Fractal Dashboard"


def test_upload_of_the_normalized_layout() -> None:
    # The same records as dashboard_tiny.csv, as measurements, members and teams files.
    parts = ("measurements", "members", "teams")
    at = upload(new_app().run(), *(FIXTURES / f"dashboard_normalized_{p}.csv" for p in parts))
    assert not at.error
    assert at.title[0].value == "Uploaded Fractal Dashboard"
    assert_summary(
        at,
        {"Total Respect": (170,), "Respect earned by teams": (39,), "Unique members": (5,)},
    )
    assert list(leaderboard(at)["Name"]) == ["Bo", "Ada", "Cy", "Di", "Ed"]


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_genesis_is_the_default_when_a_local_copy_exists(
    genesis_record_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRACTAL_GOVERNANCE_DATA_DIR", str(data_root(genesis_record_dir)))
    at = new_app().run()
    no_exception(at)
    assert at.radio(key="fg_source").value == app.SOURCE_GENESIS
    assert at.title[0].value == "Genesis Fractal Dashboard"
    # The complete public record ends with meeting 30 on 2022-09-24.
    assert date_line(at) == "Sep 24, 2022"
    # Its Respect is counted in the Genesis fractal's tokens, and the page says so.
    assert datasets.load("genesis").unit == "Respect tokens"
    shown = [*at.main.caption, *at.main.markdown]
    assert "Respect tokens" in " ".join(str(e.value) for e in shown)


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_genesis_snapshot_findings_are_reported(
    genesis_snapshot_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 12-meeting snapshot has anomalies (groups of 7 and 8, duplicate ranks): reported,
    with their count."""
    monkeypatch.setenv("FRACTAL_GOVERNANCE_DATA_DIR", str(data_root(genesis_snapshot_dir)))
    at = upload(new_app().run(), genesis_snapshot_dir / "genesis-weekly_rank.csv")
    findings = len(datasets.load("genesis-2022-05-21").quality_report)
    assert findings > 0
    assert any(f"{findings} data-quality findings" in c.value for c in at.main.caption)
    assert {b.label for b in at.main.download_button} >= {
        "Download the data-quality findings (CSV)"
    }


def test_failed_genesis_fetch_shows_an_error_and_keeps_the_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def offline(name: str) -> object:
        raise OSError("network is unreachable")

    monkeypatch.setattr(datasets, "is_available_offline", lambda name: False)
    monkeypatch.setattr(datasets, "fetch", offline)
    at = new_app().run()
    assert at.radio(key="fg_source").value == app.SOURCE_DEMO
    at.radio(key="fg_source").set_value(app.SOURCE_GENESIS).run()
    assert not at.error
    # The radio says Genesis, so no other data is shown: the page says what to do.
    assert at.title[0].value == "Fractal Governance Dashboard"
    at.button(key="fg_fetch").click().run()
    no_exception(at)
    (error,) = at.error
    assert "Could not fetch the Genesis data" in error.value
    assert "network is unreachable" in unescape(error.value)
    assert "\n" not in unescape(error.value), "one line"
    assert at.title[0].value == "Fractal Governance Dashboard"
    assert at.radio(key="fg_source").value == app.SOURCE_GENESIS
    assert "Could not fetch" in unescape(at.main.info[0].value)


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_successful_genesis_fetch_shows_genesis(
    genesis_record_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[str] = []
    monkeypatch.setattr(datasets, "is_available_offline", lambda name: bool(fetched))

    def fetch(name: str) -> Path:
        fetched.append(name)
        monkeypatch.setenv("FRACTAL_GOVERNANCE_DATA_DIR", str(data_root(genesis_record_dir)))
        return genesis_record_dir / "genesis-weekly_measurements.csv"

    monkeypatch.setattr(datasets, "fetch", fetch)
    at = new_app().run()
    at.radio(key="fg_source").set_value(app.SOURCE_GENESIS).run()
    assert at.title[0].value == "Fractal Governance Dashboard"
    at.button(key="fg_fetch").click().run()
    no_exception(at)
    assert fetched == ["genesis"]
    assert not at.error
    assert at.title[0].value == "Genesis Fractal Dashboard"
    assert not at.sidebar.button, "no fetch button once the records are here"


def test_data_named_by_the_operator(monkeypatch: pytest.MonkeyPatch) -> None:
    # `streamlit run genesis_fractal.py -- DATA` sets sys.argv to [script, DATA].
    monkeypatch.setattr(sys, "argv", [str(APP), str(TINY)])
    at = new_app().run()
    no_exception(at)
    assert at.radio(key="fg_source").value == app.SOURCE_OPERATOR
    assert_summary(at, {"Total Respect": (170,), "Meetings": (3,)})


def test_arguments_of_another_host_process_are_not_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["pytest", str(TINY)])
    at = new_app().run()
    no_exception(at)
    assert app.SOURCE_OPERATOR not in at.radio(key="fg_source").options


# ---------------------------------------------------------------------------------------------
# meeting filter
# ---------------------------------------------------------------------------------------------


def test_meeting_filter_recomputes_the_summary() -> None:
    at = upload(new_app().run(), TINY)
    assert date_line(at) == "Mar 12, 2022"  # meeting 3: 2022-02-26 + 2 weeks
    assert_summary(
        at,
        {
            "Total Respect": (131 + 39,),
            "Respect earned by members": (42 + 42 + 47,),
            "Respect earned by teams": (21 + 13 + 5,),
            "Meetings": (3,),
            "Unique members": (5,),
            # attendees 3, 3, 4; meetings per member: Ada 2, Bo 3, Cy 2, Di 2, Ed 1
            "Attendees per meeting": (10 / 3, sample_sd([3, 3, 4])),
            "Meetings attended per member": (2.0, sample_sd([2, 3, 2, 2, 1])),
            "Team representation": (
                (1 / 3 + 1 / 3 + 1 / 4) / 3,
                sample_sd([1 / 3, 1 / 3, 1 / 4]),
            ),
        },
    )
    slider = at.select_slider(key=next(k for k in at.session_state if "fg_meetings" in k))
    assert slider.options == ["1 (Feb 26, 2022)", "2 (Mar 05, 2022)", "3 (Mar 12, 2022)"]

    slider.set_value((2, 3)).run()
    no_exception(at)
    assert date_line(at) == "Mar 12, 2022"
    assert_summary(
        at,
        {
            "Total Respect": (42 + 47 + 13 + 5,),
            "Respect earned by members": (42 + 47,),
            "Respect earned by teams": (13 + 5,),
            "Meetings": (2,),
            "Unique members": (5,),
            # meetings per member within 2..3: Ada 1, Bo 2, Cy 1, Di 2, Ed 1
            "Attendees per meeting": (3.5, sample_sd([3, 4])),
            "Meetings attended per member": (1.4, sample_sd([1, 2, 1, 2, 1])),
            "Team representation": ((1 / 3 + 1 / 4) / 2, sample_sd([1 / 3, 1 / 4])),
        },
    )
    # Accumulated ranks in 2..3: Bo 6+6=12, Di 4+4=8, Ada 5, Cy 5, Ed 3; Ada and Cy tie on rank
    # and attendance (1 each), so MemberID decides.
    board = leaderboard(at)
    assert list(board["Name"]) == ["Bo", "Di", "Ada", "Cy", "Ed"]
    assert list(board["AccumulatedRank"]) == [12, 8, 5, 5, 3]
    # New and returning follow each member's whole history, not the window: in meeting 2 Ada
    # and Bo had attended meeting 1 (Di is new); in meeting 3 Ed is new, Bo, Cy and Di return.
    assert attendance(at) == {2: (1, 2), 3: (1, 3)}

    slider.set_value((1, 2)).run()
    assert date_line(at) == "Mar 05, 2022"
    assert_summary(
        at,
        {
            "Total Respect": (84 + 34,),
            "Meetings": (2,),
            "Unique members": (4,),
            "Meetings attended per member": (1.5, sample_sd([2, 2, 1, 1])),
        },
    )


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_genesis_meeting_window_keeps_new_and_returning(
    genesis_record_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's example: meetings 3 to 6 of Genesis; meeting 3 shows 12 new and 26 returning
    members, as it does unfiltered, and the page is current through meeting 6."""
    monkeypatch.setenv("FRACTAL_GOVERNANCE_DATA_DIR", str(data_root(genesis_record_dir)))
    at = new_app().run()
    no_exception(at)
    assert at.title[0].value == "Genesis Fractal Dashboard"
    assert attendance(at)[3] == (12, 26)
    meeting_slider(at).set_value((3, 6)).run()
    no_exception(at)
    shown = attendance(at)
    assert sorted(shown) == [3, 4, 5, 6]
    assert shown[3] == (12, 26)
    # meeting 6: 2022-02-26 + 5 weeks (the skipped week, 2022-04-16, comes later)
    assert date_line(at) == "Apr 02, 2022"
    assert_summary(at, {"Meetings": (4,)})
    assert any("Showing meetings 3 to 6 only." in c.value for c in at.main.caption)


def test_profile_caption_and_schedule_choice() -> None:
    at = upload(new_app().run(), TINY)
    assert profile_caption(at) == GENESIS_CAPTION
    assert at.selectbox(key="fg_schedule").value == app.SCHEDULE_PROFILE

    # Optimism: ranks 6, 5, 4, 3 earn 55, 34, 21, 13. Members: 110 + 110 + 123 = 343; teams
    # (Ada 55 and 34, Ed 13) 102.
    at.selectbox(key="fg_schedule").set_value("optimism").run()
    no_exception(at)
    assert_summary(
        at,
        {
            "Total Respect": (445,),
            "Respect earned by members": (343,),
            "Respect earned by teams": (102,),
        },
    )
    assert "Respect: Optimism: level l earns F(l + 4): 5, 8, 13, 21, 34, 55" in profile_caption(at)
    assert "Total Respect (all sources)" in summary(at)
    assert summary(at)["Total Respect (all sources)"] == "445 Respect"

    # A custom list: rank r earns r. Members 15 + 15 + 18 = 48; teams 6 + 5 + 3 = 14.
    at.selectbox(key="fg_schedule").set_value(app.SCHEDULE_CUSTOM).run()
    at.text_input(key="fg_custom_schedule").set_value("1,2,3,4,5,6").run()
    no_exception(at)
    assert_summary(at, {"Total Respect": (62,), "Respect earned by members": (48,)})
    assert "Respect: Custom: 1, 2, 3, 4, 5, 6 for levels 1-6" in profile_caption(at)

    # An invalid list: an error in the sidebar, and the profile's own schedule.
    at.text_input(key="fg_custom_schedule").set_value("1,x").run()
    no_exception(at)
    (error,) = at.sidebar.error
    assert "level 2 ('x') is not a whole number" in unescape(error.value)
    assert_summary(at, {"Total Respect": (170,)})
    assert profile_caption(at) == GENESIS_CAPTION

    # A list too short for rank 6: the data cannot be read; the last good data stays.
    at.text_input(key="fg_custom_schedule").set_value("1,2,3").run()
    no_exception(at)
    assert len(at.sidebar.error) == 1
    assert_summary(at, {"Total Respect": (170,)})


def test_calendar_dates_records_without_meeting_date() -> None:
    at = upload(new_app().run(), TINY)
    assert date_line(at) == "Mar 12, 2022"
    first = next(k for k in at.session_state if str(k).startswith("fg_first_date"))
    interval = next(k for k in at.session_state if str(k).startswith("fg_interval"))
    assert any("MeetingDate" in c.value for c in at.sidebar.caption), "says when it is used"
    at.date_input(key=first).set_value(datetime.date(2024, 1, 6)).run()
    at.number_input(key=interval).set_value(14).run()
    no_exception(at)
    # meeting 3: 2024-01-06 + 2 * 14 days
    assert date_line(at) == "Feb 03, 2024"
    assert "Calendar: meetings every 14 days from 2024-01-06." in profile_caption(at)
    assert meeting_slider(at).options == [
        "1 (Jan 06, 2024)",
        "2 (Jan 20, 2024)",
        "3 (Feb 03, 2024)",
    ]
    # The Respect does not depend on the calendar.
    assert_summary(at, {"Total Respect": (170,)})


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time the app reads a file (``Dataset.from_csv``)."""
    calls: list[int] = []
    original = app.Dataset.from_csv

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(app.Dataset, "from_csv", counting)
    return calls


def test_widget_change_does_not_reload_the_data(monkeypatch: pytest.MonkeyPatch) -> None:
    at = upload(new_app().run(), TINY)
    calls = count_reads(monkeypatch)
    members = at.selectbox(key=next(k for k in at.session_state if "fg_member" in k))
    members.set_value("c").run()
    no_exception(at)
    assert calls == []
    assert at.main.text[0].value == "Cy (c)"


def test_schedule_change_counts_the_data_already_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another schedule counts the measurements already read anew (Dataset.with_profile): the
    file is not read again, and the page shows what reading it with that schedule gives."""
    from fractal_governance.policies import SCHEDULES

    at = upload(new_app().run(), TINY)
    original = app.Dataset.from_csv
    calls = count_reads(monkeypatch)
    at.selectbox(key="fg_schedule").set_value("optimism").run()
    no_exception(at)
    assert calls == []
    profile = app.profiles.DEFAULT.with_schedule(SCHEDULES["optimism"])
    expected = app.build_view(original(TINY, profile=profile))["summary"]
    assert summary(at) == dict(zip(expected["Statistic"], expected["Value"], strict=True))
    assert leaderboard(at)["AccumulatedRespect"].tolist() == list(
        original(TINY, profile=profile).df_member_leader_board["AccumulatedRespect"]
    )


def test_leaderboard_shading_is_pandas_background_gradient() -> None:
    """The shading worked out for all cells at once is Styler.background_gradient's, cell by
    cell (colours and text colours), also with missing and equal values."""
    board = app.build_view(datasets.load("demo"))["member_board"]
    frames = [
        (board, ["AccumulatedRank", "AccumulatedRespect", "AttendanceCount"]),
        (pd.DataFrame({"a": [1.0, float("nan"), 3.0, 0.5], "b": [2, 2, 2, 2]}), ["a", "b"]),
    ]
    for frame, columns in frames:
        expected = frame.style.background_gradient(cmap="Blues", subset=columns)
        css = pd.DataFrame({c: app._gradient_column(frame[c]) for c in columns}, index=frame.index)
        shaded = frame.style.apply(lambda _, css=css: css, axis=None, subset=columns)
        expected._compute()
        shaded._compute()
        assert shaded.ctx == expected.ctx


# ---------------------------------------------------------------------------------------------
# bad data and safety
# ---------------------------------------------------------------------------------------------


def test_bad_upload_shows_the_error_and_keeps_the_previous_data() -> None:
    at = upload(new_app().run(), TINY)
    before = summary(at)
    at.file_uploader(key="fg_upload").set_value(
        ("dashboard_bad.csv", BAD.read_bytes(), "text/csv")
    ).run()
    no_exception(at)
    (error,) = at.error
    message = unescape(error.value)
    assert "dashboard_bad.csv" in message
    assert "seven" in message
    assert "fractal-upload-" not in message, "no temporary path in the message"
    assert at.title[0].value == "Uploaded Fractal Dashboard"
    assert summary(at) == before
    assert any("Showing:" in c.value for c in at.sidebar.caption)


def test_bad_upload_as_first_upload_shows_no_other_data() -> None:
    at = new_app().run()
    upload_at = at.radio(key="fg_source").set_value(app.SOURCE_UPLOAD).run()
    assert at.title[0].value == "Fractal Governance Dashboard", "no data until a file comes"
    upload_at.file_uploader(key="fg_upload").set_value(
        ("dashboard_bad.csv", BAD.read_bytes(), "text/csv")
    ).run()
    no_exception(at)
    assert len(at.error) == 1
    # The radio says "Upload", so the data of another source is not shown under it.
    assert at.title[0].value == "Fractal Governance Dashboard"
    assert "could not be loaded" in unescape(at.main.info[0].value)


def test_names_with_html_or_markdown_are_shown_literally() -> None:
    at = new_app().run()
    at.radio(key="fg_source").set_value(app.SOURCE_UPLOAD).run()
    file_name = "[x](javascript:alert(4)) <script>.csv"
    at.file_uploader(key="fg_upload").set_value((file_name, UNSAFE.read_bytes(), "text/csv"))
    at.run()
    no_exception(at)
    assert any(file_name in unescape(c.value) for c in at.caption), "the file name is shown"
    board = leaderboard(at)
    assert SCRIPT in set(board["Name"])
    assert "**bold** [click](javascript:alert(3))" in set(board["Name"])
    teams = [d.value for d in at.main.dataframe if list(d.value.columns) == ["AccumulatedRespect"]]
    assert "<img src=x onerror=alert(2)>" in set(teams[0].index)

    members = at.selectbox(key=next(k for k in at.session_state if "fg_member" in k))
    assert f"{SCRIPT} (x1)" in members.options
    members.set_value("x1").run()
    assert f"{SCRIPT} (x1)" in [t.value for t in at.main.text]
    members.set_value("x2").run()
    assert "**bold** [click](javascript:alert(3)) (x2)" in [t.value for t in at.main.text]

    for element in at.markdown:
        assert not element.proto.allow_html
    texts = [e.value for e in [*at.markdown, *at.caption, *at.title, *at.info, *at.error]]
    for text in texts:
        assert "<script>" not in text
        assert "](javascript" not in text


def test_escape_markdown() -> None:
    assert app.escape_markdown("Plain Name 12") == "Plain Name 12"
    escaped = app.escape_markdown("<b>*x*</b> [a](b)\n# h $y$")
    assert unescape(escaped) == "<b>*x*</b> [a](b) # h $y$"
    assert re.search(r"(?<!\\)[<>*\[\]()#$]", escaped) is None


def test_uploaded_file_names_cannot_leave_the_temporary_folder() -> None:
    used: set[str] = set()
    assert app._safe_file_name("../../etc/passwd", 0, used) == "passwd.csv"
    assert app._safe_file_name("/abs/x.csv", 1, used) == "x.csv"
    assert app._safe_file_name("..\\..\\x.csv", 2, used) == "x-2.csv"
    assert app._safe_file_name("..", 3, used) == "upload-3.csv"
    dataset = app.load_uploaded_files([("../../dashboard.csv", TINY.read_bytes())])
    assert dataset.total_meetings == 3


def test_upload_error_names_the_uploaded_file() -> None:
    with pytest.raises(app.DatasetError) as info:
        app.load_uploaded_files([("my data.csv", BAD.read_bytes())])
    assert "my_data.csv" in str(info.value)
    assert str(Path("/tmp")) not in str(info.value)


# ---------------------------------------------------------------------------------------------
# launcher
# ---------------------------------------------------------------------------------------------


def test_launcher_arguments() -> None:
    arguments = launcher.streamlit_arguments(8600, "genesis")
    assert arguments[0] == "run"
    assert Path(arguments[1]).name == "genesis_fractal.py"
    assert Path(arguments[1]).is_file()
    pairs = dict(zip(arguments[2:-2:2], arguments[3:-2:2], strict=True))
    assert pairs["--server.address"] == "127.0.0.1"
    assert pairs["--server.port"] == "8600"
    assert pairs["--server.headless"] == "true"
    assert pairs["--browser.gatherUsageStats"] == "false"
    assert pairs["--server.maxUploadSize"] == "50"
    assert arguments[-2:] == ["--", "genesis"]
    assert "--" not in launcher.streamlit_arguments()
    with pytest.raises(ValueError, match="port"):
        launcher.streamlit_arguments(0)


def test_launcher_refuses_unknown_data_without_starting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert launcher.main([str(tmp_path / "missing.csv"), "--port", "8999"]) == 2
    assert "missing.csv" in capsys.readouterr().err


def test_config_toml_matches_the_launcher() -> None:
    import tomllib

    config = tomllib.loads((APP.parent / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == launcher.ADDRESS
    assert config["server"]["port"] == launcher.DEFAULT_PORT
    assert config["server"]["maxUploadSize"] == launcher.MAX_UPLOAD_MB == app.UPLOAD_LIMIT_MB
    assert config["server"]["headless"] is True
    assert config["browser"]["gatherUsageStats"] is False


def test_csv_downloads_keep_formula_like_names_as_text() -> None:
    # dashboard_unsafe.csv: member x4 is named =HYPERLINK("http://example.invalid") and is
    # in team "+Team"; a spreadsheet would run both as formulas without the apostrophe
    view = app.build_view(app.Dataset.from_csv(UNSAFE))
    members = view["member_csv"]().decode()  # written when the download is asked for
    assert "'=HYPERLINK" in members
    assert ",=HYPERLINK" not in members and '"=HYPERLINK' not in members
    teams = view["team_csv"]().decode().splitlines()
    assert "'+Team,10" in teams  # rank 3 twice: 5 + 5 Respect (Genesis schedule)
    assert "<script>alert(1)</script>" in members  # other text is written as it is


# ---------------------------------------------------------------------------------------------
# hostile names and failing sections (issue 16)
# ---------------------------------------------------------------------------------------------

HOSTILE_NAMES = [r"$\frac{1}{2}$", r"$\sqrt{$", "$" + r"\sqrt{" * 100 + "$", "_nolegend_"]


def hostile_upload(tmp_path: Path) -> Path:
    """Two meetings of four members with math-text and underscore names, teams alike."""
    lines = ["MemberID,Name,MeetingID,Group,Rank,TeamID,TeamName"]
    for meeting in (1, 2):
        for index, name in enumerate(HOSTILE_NAMES):
            quoted = '"' + name.replace('"', '""') + '"'
            lines.append(f"m{index},{quoted},{meeting},1,{6 - index},{index + 1},{quoted}")
    path = tmp_path / "hostile.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_hostile_names_render_every_section(tmp_path: Path) -> None:
    at = upload(new_app().run(), hostile_upload(tmp_path))
    assert not at.error, [e.value for e in at.error]
    assert set(HOSTILE_NAMES) <= set(leaderboard(at)["Name"])
    headers = [h.value for h in at.main.header]
    assert headers == [s.title for s in app.SECTIONS if s.title != "Team Representation"]


def test_a_failing_section_shows_one_line_without_paths(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from fractal_governance import texts

    class Broken(str):
        def strip(self, chars: str | None = None) -> str:
            raise RuntimeError("/srv/secret/site-packages/matplotlib/_mathtext.py: Expected '}'")

    # The Description section reads texts.ABOUT: it fails as a name in math text used to.
    monkeypatch.setattr(texts, "ABOUT", Broken(texts.ABOUT))
    with caplog.at_level("ERROR"):
        at = new_app().run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = [e.value for e in at.main.error]
    assert "Description" in error and "RuntimeError" in error
    assert "\n" not in error and "/srv" not in error and "Traceback" not in error
    shown = [e.value for e in [*at.markdown, *at.caption, *at.info, *at.error, *at.text]]
    assert not any("/srv" in text for text in shown)
    headers = [h.value for h in at.main.header]
    assert headers[-1] == "Resources", "the sections after the failing one are drawn"
    logged = [record for record in caplog.records if record.exc_info]
    assert any("/srv/secret" in str(record.exc_info[1]) for record in logged if record.exc_info)
