"""The static HTML report: contents, escaping, self-containment and safe replacement."""

from __future__ import annotations

import csv
import dataclasses
import html.parser
import re
from pathlib import Path

import pandas as pd
import pytest

from fractal_governance import profiles, report
from fractal_governance.dataset import Dataset
from fractal_governance.math import OPTIMISM
from fractal_governance.plots import PLOT_NAMES, Plots
from fractal_governance.report import INDEX_NAME, render_index, write_report

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "cli_small.csv"
SCRIPT_NAME = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def small() -> Dataset:
    return Dataset.from_csv(SMALL)


@pytest.fixture(scope="module")
def written(small: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One report of cli_small.csv, shared by the read-only tests."""
    return write_report(small, tmp_path_factory.mktemp("report") / "site")


class _Collector(html.parser.HTMLParser):
    """Collects the tags, their attributes and the text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return collector


def test_report_has_page_figures_and_csv(written: Path) -> None:
    assert written.name == INDEX_NAME
    folder = written.parent
    page = written.read_text(encoding="utf-8")
    images = [attrs["src"] for tag, attrs in parse(page).tags if tag == "img"]
    assert images == [f"{name}.png" for name in PLOT_NAMES]
    for name in PLOT_NAMES:
        assert (folder / f"{name}.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    members = list(csv.DictReader((folder / report.MEMBER_LEADERBOARD_CSV).open(encoding="utf-8")))
    assert [m["MemberID"] for m in members] == ["alice", "bob", "carol", "eve", "dave"]
    teams = list(csv.DictReader((folder / report.TEAM_LEADERBOARD_CSV).open(encoding="utf-8")))
    assert [(t["TeamName"], float(t["AccumulatedRespect"])) for t in teams] == [
        ("Team <b>A</b>", 34.0),
        ("Team B", 13.0),
    ]
    # Nothing but the report in the folder, and no temporary folders beside it.
    expected = {
        INDEX_NAME,
        report.MEMBER_LEADERBOARD_CSV,
        report.TEAM_LEADERBOARD_CSV,
        report.MANIFEST_NAME,
        *(f"{name}.png" for name in PLOT_NAMES),
    }
    assert {p.name for p in folder.iterdir()} == expected
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]


def test_report_content_matches_the_dataset(written: Path, small: Dataset) -> None:
    parsed = parse(written.read_text(encoding="utf-8"))
    rows = parsed.rows
    # The summary table, cell by cell, worked out by hand: members 34 + 34 + 8 + 8 + 5 = 89,
    # teams 34 + 13 = 47; attendees 3 and 4 (sd 0.71); meetings per member 2, 2, 1, 1, 1 (mean
    # 1.4, sd 0.55); team share 2/3 and 2/4 (mean 58.3%, sd 11.8%).
    summary = [row for row in rows if len(row) == 2 and row[0] != "Metric"]
    assert summary[:9] == [
        ["Statistic", "Value"],
        ["Total Respect (all sources)", "136 Respect"],
        ["Respect earned by members", "89 Respect"],
        ["Respect earned by teams", "47 Respect"],
        ["Meetings", "2 meetings"],
        ["Unique members", "5 members"],
        ["Attendees per meeting", "3.50 ± 0.71 members"],
        ["Meetings attended per member", "1.40 ± 0.55 meetings"],
        ["Team representation", "58.3% ± 11.8%"],
    ]
    # Member leaderboard rows in the Dataset's order (ties broken by MemberID), by hand:
    # alice 11/34/2, bob 11/34/2, carol 4/8/1, eve 4/8/1, dave 3/5/1.
    board = [row for row in rows if len(row) == 6 and row[0].isdigit()]
    assert board == [
        ["1", "alice", "Alice", "11", "34", "2"],
        ["2", "bob", "Bob", "11", "34", "2"],
        ["3", "carol", SCRIPT_NAME, "4", "8", "1"],
        ["4", "eve", "Eve", "4", "8", "1"],
        ["5", "dave", "Dave", "3", "5", "1"],
    ]
    assert ["1", "Team <b>A</b>", "34"] in rows and ["2", "Team B", "13"] in rows
    # Fairness: Respect 34, 34, 8, 8, 5 (total 89). Two members hold 68 > 89 / 2 and one
    # holds 34 < 44.5: Nakamoto coefficient 2. The top 20% (one member) hold 34 / 89 = 38.2%.
    assert ["Nakamoto coefficient", "2"] in rows
    assert ["Share held by the top 20%", "38.2%"] in rows
    assert ["Total member Respect", "89 Respect"] in rows
    gini = small.respect_distribution.gini
    assert ["Gini coefficient", f"{gini:.3f}"] in rows
    text = "".join(parsed.text)
    assert "No data-quality findings." in text
    assert "Simulated data" not in text


def test_header_shows_the_profile_and_every_respect_figure_its_unit(small: Dataset) -> None:
    parsed = parse(render_index(small, [("gini_vs_time", "gini_vs_time.png")]))
    text = " ".join("".join(parsed.text).split())
    # cli_small.csv has no MeetingDate: meeting 2 falls on the Genesis calendar's Mar 05, 2022.
    assert "Data is current up through the meeting held on Mar 05, 2022." in text
    assert (
        "Profile: Genesis fractal. Respect: Genesis: level l earns F(l + 2): 2, 3, 5, 8, 13, 21 "
        "for levels 1-6. Calendar: meetings weekly from 2022-02-26 (2022-04-16 skipped). "
        "Unit: Respect."
    ) in text
    header = ["Place", "Member ID", "Name", "Accumulated Rank", "Accumulated Respect"]
    assert [*header, "Meetings Attended"] in parsed.rows
    assert ["Total member Respect", "89 Respect"] in parsed.rows


def test_another_unit_and_schedule_show_in_the_report(small: Dataset) -> None:
    profile = dataclasses.replace(
        profiles.GENESIS.with_schedule(OPTIMISM).with_calendar(
            first_meeting_date="2024-01-06", meeting_interval_days=14
        ),
        name="Test fractal",
        unit="TST",
    )
    dataset = Dataset.from_csv(SMALL, profile=profile)
    parsed = parse(render_index(dataset, [("gini_vs_time", "gini_vs_time.png")]))
    text = " ".join("".join(parsed.text).split())
    assert (
        "Profile: Test fractal. Respect: Optimism: level l earns F(l + 4): 5, 8, 13, 21, 34, 55 "
        "for levels 1-6. Calendar: meetings every 14 days from 2024-01-06. Unit: TST."
    ) in text
    assert "Data is current up through the meeting held on Jan 20, 2024." in text
    # Optimism: alice 55 + 34, bob 89, carol 21, eve 21, dave 13 = 233; teams 89 + 34 = 123.
    rows = parsed.rows
    assert ["Total Respect (all sources)", "356 TST"] in rows
    assert ["Respect earned by members", "233 TST"] in rows
    assert ["Respect earned by teams", "123 TST"] in rows
    assert ["Total member Respect", "233 TST"] in rows
    headers = [row for row in rows if row and row[0] == "Place"]
    assert headers[:2] == [
        [
            "Place",
            "Member ID",
            "Name",
            "Accumulated Rank",
            "Accumulated Respect (TST)",
            "Meetings Attended",
        ],
        ["Place", "Team", "Accumulated Respect (TST)"],
    ]
    assert ["1", "alice", "Alice", "11", "89", "2"] in rows
    assert "Gini coefficient of accumulated member Respect (TST) after each meeting." in text


def test_names_are_escaped_and_nothing_is_loaded_from_elsewhere(written: Path) -> None:
    page = written.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Team &lt;b&gt;A&lt;/b&gt;" in page
    tags = parse(page).tags
    assert [tag for tag, _ in tags if tag in ("script", "link", "iframe", "object", "embed")] == []
    assert "<b>A" not in page
    for _tag, attrs in tags:
        for name in ("src", "href"):
            target = attrs.get(name)
            if target is None:
                continue
            assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//|^/", target, re.IGNORECASE), target
            if not target.startswith("#"):
                assert (written.parent / target).is_file(), target
    assert "url(" not in page and "@import" not in page


def test_force_replaces_only_an_earlier_report(
    small: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fractal_governance.plots.PLOT_NAMES", PLOT_NAMES[:1])  # for speed
    out = tmp_path / "site"
    first = write_report(small, out)
    with pytest.raises(FileExistsError, match="already exists"):
        write_report(small.with_name("Second"), out)
    assert "Second Report" not in first.read_text(encoding="utf-8")
    write_report(small.with_name("Second"), out, force=True)
    assert "<title>Second Report</title>" in first.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]

    other = tmp_path / "notes"
    other.mkdir()
    (other / "diary.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="refusing"):
        write_report(small, other, force=True)
    assert (other / "diary.txt").read_text() == "keep me"

    a_file = tmp_path / "file"
    a_file.write_text("keep me too")
    with pytest.raises(FileExistsError, match="refusing"):
        write_report(small, a_file, force=True)
    assert a_file.read_text() == "keep me too"

    empty = tmp_path / "empty"
    empty.mkdir()
    assert write_report(small, empty, force=True).is_file()

    with pytest.raises(FileNotFoundError):
        write_report(small, tmp_path / "missing" / "site")


def test_failure_leaves_nothing_behind_and_progress_is_reported(
    small: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int, str]] = []
    original = Plots.figure
    failing_name = PLOT_NAMES[2]

    def figure(self: Plots, name: str) -> object:
        if name == failing_name:
            raise RuntimeError("figure failed")
        return original(self, name)

    monkeypatch.setattr(Plots, "figure", figure)
    with pytest.raises(RuntimeError, match="figure failed"):
        write_report(small, tmp_path / "site", progress=lambda *call: calls.append(call))
    assert list(tmp_path.iterdir()) == []
    total = len(PLOT_NAMES) + 2
    assert calls == [(0, total, "starting"), (1, total, PLOT_NAMES[0]), (2, total, PLOT_NAMES[1])]

    monkeypatch.setattr(Plots, "figure", original)
    monkeypatch.setattr("fractal_governance.plots.PLOT_NAMES", PLOT_NAMES[:3])  # for speed
    calls.clear()
    write_report(small, tmp_path / "site", progress=lambda *call: calls.append(call))
    total = 3 + 2
    assert [done for done, _, _ in calls] == list(range(total + 1))
    assert {t for _, t, _ in calls} == {total}
    assert calls[-1] == (total, total, "done")


def test_simulated_data_is_labelled(small: Dataset) -> None:
    from fractal_governance import datasets

    demo = datasets.load("demo")
    assert report.is_simulated(demo)
    assert not report.is_simulated(small)
    page = render_index(demo, [])
    assert "Simulated data." in page
    assert "Simulated data." not in render_index(small, [])


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_data_without_teams_and_with_findings() -> None:
    # cli_findings.csv: nobody has a team; alice appears as "Alice" and "Alice Smith".
    dataset = Dataset.from_csv(FIXTURES / "cli_findings.csv")
    parsed = parse(render_index(dataset, []))
    text = " ".join("".join(parsed.text).split())
    assert "No team data" in text
    assert "1 data-quality finding:" in text
    messages = [finding.message for finding in dataset.quality_report]
    assert len(messages) == 1 and "alice" in messages[0].lower()
    assert any(messages[0] in cell for row in parsed.rows for cell in row)
    assert [tag for tag, _ in parsed.tags if tag == "img"] == []


def test_leaderboard_csv_keeps_formula_like_names_as_text(tmp_path: Path) -> None:
    # a member named "=cmd|' /C calc'!A0" and a team "@SUM(1)": spreadsheets would run both
    frame = pd.DataFrame(
        {
            "MemberID": ["m1", "m2", "m3"],
            "Name": ["=cmd|' /C calc'!A0", "Bob", "-Carol"],
            "MeetingID": [1, 1, 1],
            "Group": [1, 1, 1],
            "Rank": [6, 5, 4],
            "TeamID": pd.array([1, None, None], dtype="Int64"),
            "TeamName": ["@SUM(1)", None, None],
        }
    )
    folder = write_report(Dataset.from_dataframe(frame), tmp_path / "site").parent
    members = list(csv.DictReader((folder / report.MEMBER_LEADERBOARD_CSV).open(encoding="utf-8")))
    assert [row["Name"] for row in members] == ["'=cmd|' /C calc'!A0", "Bob", "'-Carol"]
    teams = list(csv.DictReader((folder / report.TEAM_LEADERBOARD_CSV).open(encoding="utf-8")))
    assert [row["TeamName"] for row in teams] == ["'@SUM(1)"]


# Elements without an end tag in HTML5.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
# Elements whose end tag HTML5 lets out (none of them is written without one here).
_KNOWN = _VOID | {
    "html", "head", "title", "style", "body", "header", "nav", "ul", "li", "a", "main",
    "section", "h1", "h2", "h3", "p", "strong", "table", "thead", "tbody", "tr", "th", "td",
    "figure", "figcaption", "details", "summary", "footer", "div", "span", "dl", "dt", "dd",
}  # fmt: skip


class _Html5Checker(html.parser.HTMLParser):
    """A strict structural check of the report's HTML5: a doctype first, only known
    elements, every non-void element closed in order, no end tag of a void element, unique
    ids, one lang, charset and viewport, no external resource."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.ids: set[str] = set()
        self.doctype = ""
        self.seen: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)
        if tag not in _KNOWN:
            self.problems.append(f"unknown element <{tag}>")
        values = dict(attrs)
        if "id" in values:
            if values["id"] in self.ids:
                self.problems.append(f"duplicate id {values['id']!r}")
            self.ids.add(str(values["id"]))
        for name in ("src", "href"):
            link = str(values.get(name) or "")
            if re.match(r"(?i)^(https?:)?//", link):
                self.problems.append(f"external resource {link}")
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            self.problems.append(f"end tag of void element </{tag}>")
        elif not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close <{self.stack[-1:] or None}>")
        else:
            self.stack.pop()


def assert_valid_html5(page: str) -> None:
    checker = _Html5Checker()
    checker.feed(page)
    checker.close()
    assert checker.doctype.lower() == "doctype html"
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert checker.stack == [], f"unclosed: {checker.stack}"
    assert checker.problems == []
    assert checker.seen.count("title") == 1 and checker.seen.count("h1") == 1
    assert '<meta charset="utf-8">' in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page


def test_report_is_valid_html5_and_responsive(written: Path) -> None:
    page = written.read_text(encoding="utf-8")
    assert_valid_html5(page)
    # every table scrolls on its own, figures scale to the page width
    assert page.count("<table>") == page.count('<div class="scroll">\n<table>')
    assert ".scroll { overflow-x: auto;" in page
    assert "figure img { display: block; width: 100%; max-width: 100%;" in page


def test_report_says_when_what_and_how(small: Dataset) -> None:
    import datetime

    page = render_index(small, [], today=datetime.date(2026, 3, 5))
    parsed = parse(page)
    text = " ".join("".join(parsed.text).split())
    assert "<dt>Generated</dt><dd>Mar 05, 2026 by the fractal_governance report</dd>" in page
    assert "<dt>Source</dt><dd>cli_small.csv</dd>" in page
    assert "<dt>Unit and schedule</dt><dd>Unit: Respect. Schedule: Genesis" in page
    assert "Profile: Genesis fractal." in text
    # attendance tables: per meeting and by meetings attended
    assert ["Meeting", "Date", "New Members", "Returning Members", "Attendees"] in parsed.rows
    assert ["1", "Feb 26, 2022", "3", "0", "3"] in parsed.rows
    assert ["2", "Mar 05, 2022", "2", "2", "4"] in parsed.rows
    assert ["Meetings Attended", "Members"] in parsed.rows


def test_figure_titles_are_distinct(small: Dataset) -> None:
    plots = Plots.from_dataset(small)
    titles = [plots.figure(name).axes[0].get_title() for name in PLOT_NAMES]
    assert len(set(titles)) == len(titles), titles


@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_report_of_an_ordao_export_without_dates(zao_file: Path, tmp_path: Path) -> None:
    from fractal_governance import datasets

    dataset = Dataset.from_csv(zao_file, profile=datasets.profile_for("zao"))
    index = write_report(dataset.with_name("ZAO Fractal"), tmp_path / "zao")
    page = index.read_text(encoding="utf-8")
    assert_valid_html5(page)
    text = " ".join("".join(parse(page).text).split())
    assert "meeting dates unknown" in text
    assert "Schedule: Doubled: 10, 16, 26, 42, 68, 110 for levels 1-6." in text
    assert "No team data" in text
    # addresses shortened, the full address on hover
    assert re.search(
        r'<span title="0x[0-9a-fA-F]{40}">0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}</span>', page
    )
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", text.split("Calendar:")[1][:80])


# ------------------------------------------------------------------------------------------
# --force replaces only what the report wrote, in one step (issue 16)


class Killed(BaseException):
    """A kill: nothing after it runs, not even clean-up."""


def title_of(out: Path) -> str:
    match = re.search(r"<title>(.*?)</title>", (out / INDEX_NAME).read_text(encoding="utf-8"))
    assert match is not None
    return match.group(1)


def test_force_refuses_a_report_folder_holding_another_file_and_names_it(
    small: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fractal_governance.plots.PLOT_NAMES", PLOT_NAMES[:1])  # for speed
    out = tmp_path / "site"
    write_report(small.with_name("First"), out)
    (out / "my-notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match=r"my-notes\.txt") as error:
        write_report(small.with_name("Second"), out, force=True)
    assert str(tmp_path / "site.") not in str(error.value)  # no temporary folder named
    assert (out / "my-notes.txt").read_text() == "keep me"
    assert title_of(out) == "First Report"
    (out / "my-notes.txt").unlink()
    (out / "extra").mkdir()  # a folder is not the report's either
    with pytest.raises(FileExistsError, match="extra"):
        write_report(small, out, force=True)


def test_force_replaces_a_report_from_before_manifests_without_other_files(
    small: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fractal_governance.plots.PLOT_NAMES", PLOT_NAMES[:1])  # for speed
    out = tmp_path / "site"
    write_report(small.with_name("First"), out)
    (out / report.MANIFEST_NAME).unlink()
    write_report(small.with_name("Second"), out, force=True)
    assert title_of(out) == "Second Report"
    (out / report.MANIFEST_NAME).unlink()
    (out / "diary.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match=r"diary\.txt"):
        write_report(small, out, force=True)


STEPS = ["figure", "index", "manifest", "chmod", "exchange", "rename", "cleanup"]


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_any_step_of_force_leaves_the_old_or_the_new_report(
    step: str, small: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fractal_governance.plots.PLOT_NAMES", PLOT_NAMES[:2])  # for speed
    out = tmp_path / "site"
    write_report(small.with_name("Old"), out)

    def kill(*args: object, **kwargs: object) -> None:
        raise Killed(step)

    real_rmtree = report.shutil.rmtree
    real_exchange = report._exchange
    real_rename = report.os.rename
    with monkeypatch.context() as patch:
        patch.setattr(report.shutil, "rmtree", lambda *args, **kwargs: None)  # no clean-up
        if step == "figure":
            patch.setattr(Plots, "figure", kill)
        elif step == "index":
            patch.setattr(report, "render_index", kill)
        elif step == "manifest":
            patch.setattr(report.json, "dumps", kill)
        elif step == "chmod":
            patch.setattr(report.os, "chmod", kill)
        elif step == "exchange":
            patch.setattr(report, "_exchange", kill)
        elif step == "rename":  # a system without an exchange: old renamed aside, then new

            def rename(source: object, target: object) -> None:
                if Path(str(target)) == out:  # the new report into place, the old one aside
                    raise Killed(step)
                real_rename(source, target)  # type: ignore[arg-type]

            patch.setattr(report, "_exchange", lambda first, second: False)
            patch.setattr(report.os, "rename", rename)
        else:  # cleanup: the old report, now in the temporary folder, is being deleted

            def exchange_then_die(first: Path, second: Path) -> bool:
                assert real_exchange(first, second)
                raise Killed(step)

            patch.setattr(report, "_exchange", exchange_then_die)
        with pytest.raises(Killed):
            write_report(small.with_name("New"), out, force=True)
    assert report.shutil.rmtree is real_rmtree
    if step == "rename":  # two renames cannot be one step: the old report is kept aside
        (aside,) = tmp_path.glob(".site.*.old")
        assert title_of(aside / "site") == "Old Report"
        return
    expected = "New Report" if step == "cleanup" else "Old Report"
    assert title_of(out) == expected
    assert (out / report.MANIFEST_NAME).is_file()
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name != "site")
    assert leftovers and all(re.fullmatch(r"\.site\.[a-z0-9_]{8}\.tmp", n) for n in leftovers)

    # The next run removes what the killed one left beside the report.
    (tmp_path / ".site.notes").mkdir()  # not a temporary folder of the report: kept
    write_report(small.with_name("Next"), out, force=True)
    assert title_of(out) == "Next Report"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.notes", "site"]
