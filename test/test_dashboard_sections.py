"""Every dashboard section on the demo, the Genesis record, an ORDAO export (ZAO Fractal) and
an empty meeting window, through streamlit.testing.v1.AppTest; and the Altair charts' rules
(tooltips name the meeting, dates in one format, meeting numbers when dates are unknown, text
of at least 11 px)."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from fractal_governance import datasets, texts
from fractal_governance.streamlit import charts
from fractal_governance.streamlit import genesis_fractal as app

REPO = Path(os.path.realpath(__file__)).parents[1]
APP = REPO / "fractal_governance" / "streamlit" / "genesis_fractal.py"
TIMEOUT = 180.0
TITLES = [section.title for section in app.SECTIONS]

pytestmark = pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")


def run_app(
    argv: list[str] | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> AppTest:
    if argv is not None and monkeypatch is not None:
        monkeypatch.setattr(sys, "argv", [str(APP), *argv])
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def assert_every_section(at: AppTest) -> None:
    """Every section's header in the order of SECTIONS, no error, interactive charts only."""
    headers = [h.value for h in at.main.header] + [h.value for h in at.main.subheader]
    assert sorted(headers, key=TITLES.index) == TITLES
    assert [h.value for h in at.main.header] == [t for t in TITLES if t != "Team Representation"]
    assert not at.main.error, [e.value for e in at.main.error]
    assert not at.main.get("image"), "no matplotlib images on the page"
    assert len(at.main.get("vega_lite_chart")) >= 8


def chart_specs(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(chart.proto.spec) for chart in at.main.get("vega_lite_chart")]


def test_every_section_on_the_demo() -> None:
    at = run_app()
    at.radio(key="fg_source").set_value(app.SOURCE_DEMO).run()
    assert_every_section(at)
    assert at.title[0].value == "Simulated Demo Fractal Dashboard"
    # the description sits under the title, before the first statistics
    assert [h.value for h in at.main.header][:2] == ["Description", "Summary Statistics"]


def test_every_section_on_genesis(
    genesis_record_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRACTAL_GOVERNANCE_DATA_DIR", str(genesis_record_dir.parent))
    at = run_app()
    assert at.radio(key="fg_source").value == app.SOURCE_GENESIS
    assert_every_section(at)
    findings = len(datasets.load("genesis").quality_report)
    if findings == 0:  # the complete record (the registry's genesis) has no anomalies
        assert any("No data-quality findings" in s.value for s in at.main.success)
    else:
        assert any(texts.quality_count(findings) in c.value for c in at.main.caption)


def test_data_quality_in_the_main_area(zao_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app([str(zao_file)], monkeypatch)
    assert any("14 data-quality findings" in c.value for c in at.main.caption)
    # readable kinds, the records concerned, a download
    (table,) = [d.value for d in at.main.dataframe if "Message" in d.value.columns]
    assert len(table) == 14
    assert not set(table["Kind"]) & set(texts.QUALITY_KINDS), "kinds in words, not codes"
    assert any(
        "records of the groups these findings are about" in m.value for m in at.main.markdown
    )
    assert {b.label for b in at.main.download_button} >= {
        "Download the data-quality findings (CSV)"
    }


def test_every_section_on_an_ordao_export(zao_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the registry's zao entry, read from the local copy (<data dir>/zao/ordaoawards.csv)
    monkeypatch.setenv("FRACTAL_GOVERNANCE_DATA_DIR", str(zao_file.parent.parent))
    at = run_app(["zao"], monkeypatch)
    assert_every_section(at)
    assert at.title[0].value == "ZAO Fractal Dashboard"
    captions = [re.sub(r"\\(.)", r"\1", c.value) for c in at.main.caption]
    # the unit and the schedule are shown, and no date is claimed
    assert any("Unit:" in c and "10, 16, 26, 42, 68, 110" in c for c in captions)
    assert any("meeting dates unknown" in c for c in captions)
    assert any(
        m.value.startswith("Data is current up through meeting 91") for m in at.main.markdown
    )
    # no teams: the team sections say so
    assert sum(texts.NO_TEAMS in i.value for i in at.main.info) == 2
    # addresses shortened for display, the full address in tooltips and the Member ID column
    board = next(d.value for d in at.main.dataframe if "AccumulatedRank" in d.value.columns)
    assert board["Member"].str.fullmatch(r"(.+ \()?0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}\)?").all()
    assert board["MemberID"].str.len().eq(42).all()
    for spec in chart_specs(at):
        assert "MeetingDate" not in json.dumps(spec.get("encoding", {})), "no date axis"
    text = json.dumps(chart_specs(at))
    assert "Meeting (dates unknown)" in text


def test_every_section_on_an_empty_meeting_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """A window of one meeting (the least the slider gives): new members only, nobody
    returning; every section still draws."""
    at = run_app()
    at.radio(key="fg_source").set_value(app.SOURCE_DEMO).run()
    key = next(k for k in at.session_state if str(k).startswith("fg_meetings_"))
    ids = at.session_state["fg_current"].dataset.meeting_ids
    at.select_slider(key=key).set_value((ids[-1], ids[-1])).run()
    assert not at.exception, [e.value for e in at.exception]
    assert_every_section(at)
    assert any(f"Showing meetings {ids[-1]} to {ids[-1]} only." in c.value for c in at.caption)


def test_chart_tooltips_dates_and_text_size() -> None:
    dataset = datasets.load("demo")
    attendance = dataset.df_member_attendance_new_and_returning_by_meeting
    spec = charts.to_spec(charts.attendance_chart(attendance))
    tooltips = [t["title"] for t in spec["encoding"]["tooltip"] if "title" in t]
    assert tooltips[:2] == ["Meeting", "Date"]
    assert spec["encoding"]["x"]["axis"]["format"] == texts.DATE_FORMAT
    dates = {row["Date"] for row in spec["datasets"][spec["data"]["name"]]}
    assert dates == {texts.format_date(d) for d in attendance["MeetingDate"]}
    # zoom and pan on the time axis
    assert any(p.get("bind") == "scales" for p in spec.get("params", []))
    sizes = [v for part in spec["config"].values() for k, v in part.items() if "FontSize" in k]
    assert sizes and min(sizes) >= 11
    # team representation on a percentage axis, with exact shares on hover
    team = charts.team_representation_chart(dataset.df_team_representation_by_date, attendance)
    team_spec = charts.to_spec(team)
    assert team_spec["encoding"]["y"]["axis"]["format"] == ".0%"


def test_charts_without_dates_use_meeting_numbers() -> None:
    dataset = datasets.load("demo")
    attendance = dataset.df_member_attendance_new_and_returning_by_meeting.assign(
        MeetingDate=pd.NaT
    )
    spec = charts.to_spec(charts.attendance_chart(attendance))
    assert spec["encoding"]["x"]["field"] == "MeetingID"
    rows = spec["datasets"][spec["data"]["name"]]
    assert {row["Date"] for row in rows} == {texts.UNKNOWN_DATE}
    assert re.search(r"\d{4}-\d{2}", json.dumps(spec["encoding"])) is None


def test_every_chart_is_a_valid_vega_lite_chart() -> None:
    """The page skips Altair's validation (for speed); here every chart is validated."""
    dataset = datasets.load("demo")
    view = app.build_view(dataset)
    history = dataset.member_history(str(view["member_board"]["MemberID"].iloc[0]))
    built = [
        charts.attendance_chart(view["attendance"]),
        charts.accumulated_respect_chart(view["respect_by_meeting"], view["unit"]),
        charts.attendance_consistency_chart(view["attendance_counts"], view["meetings"]),
        charts.team_respect_chart(
            view["team_respect"],
            view["attendance"],
            [str(team) for team in view["team_board"].index],
            view["unit"],
        ),
        charts.team_representation_chart(view["team_representation"], view["attendance"]),
        charts.rank_vs_attendance_chart(view["rank_by_attendance"]),
        charts.lorenz_chart(view["lorenz"], 0.5),
        charts.gini_chart(view["gini"]),
        charts.member_rank_chart(history, view["unit"]),
        charts.member_respect_chart(history, view["unit"]),
    ]
    for chart in built:
        chart.to_dict(validate=True)  # raises on an invalid specification
        assert charts.to_spec(chart)["datasets"]


def test_one_layout_serves_every_unit_and_meeting_range() -> None:
    """Altair makes a chart's layout once; another unit or meeting range only fills its slots
    (data, date ticks, titles), and no slot is left unfilled."""
    dataset = datasets.load("demo")
    window = dataset.select_meetings(dataset.meeting_ids[5], dataset.meeting_ids[-1])
    made = [
        charts.accumulated_respect_chart(data.df_member_respect_new_and_returning_by_meeting, unit)
        for data, unit in ((dataset, "Respect"), (window, "tokens"))
    ]
    assert made[0].layout is made[1].layout and made[0].args == made[1].args
    specs = [charts.to_spec(chart) for chart in made]
    for spec, data, unit in zip(specs, (dataset, window), ("Respect", "tokens"), strict=True):
        layer = spec["layer"][0]
        assert layer["title"] == f"Accumulated member Respect ({unit})"
        assert layer["encoding"]["y"]["title"] == f"Accumulated Respect ({unit})"
        assert len(layer["encoding"]["x"]["axis"]["values"]) == data.total_meetings
        assert "\ufdd0" not in json.dumps(spec, ensure_ascii=False), "every slot is filled"
    page = charts.to_page_spec(made[1])
    assert page["layer"][0]["title"] == "Accumulated member Respect (tokens)"
    assert all(isinstance(payload, bytes) for payload in page["datasets"].values())


def test_cached_chart_specs_carry_arrow_data() -> None:
    """The page caches chart specifications with their data as Arrow bytes (Streamlit passes
    bytes on as they are), holding the same rows as the records of to_spec."""
    import pyarrow as pa

    dataset = datasets.load("demo")
    spec = charts.to_spec(
        charts.attendance_chart(dataset.df_member_attendance_new_and_returning_by_meeting)
    )
    records = spec["datasets"][spec["data"]["name"]]
    converted = charts.with_arrow_data(spec)
    payload = converted["datasets"][spec["data"]["name"]]
    assert isinstance(payload, bytes)
    table = pa.ipc.open_stream(payload).read_all().to_pandas()
    assert len(table) == len(records)
    assert table["Date"].tolist() == [row["Date"] for row in records]
    assert spec["datasets"][spec["data"]["name"]] is records  # to_spec's result is unchanged


def test_chart_data_reaches_the_page_as_datasets() -> None:
    at = run_app()
    at.radio(key="fg_source").set_value(app.SOURCE_DEMO).run()
    for chart in at.main.get("vega_lite_chart"):
        assert chart.proto.datasets, "every chart's data is sent beside its specification"
        assert all(dataset.data.data for dataset in chart.proto.datasets)
