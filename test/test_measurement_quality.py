"""Tests of fractal_governance.measurement_quality, its figures, dashboard section and command,
and of the co-membership arithmetic under it (fractal_governance.comembership).

Hand-worked record TWO_ROUND_ROWS of conftest.py (one meeting, two rounds; group numbers
restart each round)::

    round 1: group 1: a 3, b 1     group 2: c 2, d 1
    round 2: group 1: a 2, c 3     group 2: b 2, d 1

Keyed by (meeting, round, group) there are four groups. Each member's own levels (population
spread): a {3, 2} mean 2.5 var 0.25; b {1, 2} 1.5, 0.25; c {2, 3} 2.5, 0.25; d {1, 1} 1, 0.

    a sees b {1}: 1 - 1.5 = -0.5, var 0 + 0.25;  c {3}: 3 - 2.5 = 0.5, var 0.25
      accuracy 0 / 2 = 0, precision sqrt(0.5) / 2
    b sees a {3}: +0.5, var 0.25;  d {1}: 0, var 0     -> 0.25, sqrt(0.25) / 2 = 0.25
    c sees d {1}: 0, var 0;  a {2}: -0.5, var 0.25      -> -0.25, 0.25
    d sees c {2}: -0.5, var 0.25;  b {2}: +0.5, 0.25    -> 0, sqrt(0.5) / 2

With self-measurement each member has a third term 0 +- 0: accuracy and precision times 2/3.
Keyed by (meeting, group) only (the upstream), the rounds' groups merge into {a3, b1, a2, c3}
and {c2, d1, b2, d1}; then b sees a {3, 2}: 0, var 0.5; c {3, 2}: 0, var 0.5; d {1, 1}: 0, var
0 -> accuracy 0, precision sqrt(1) / 3, with three colleagues instead of two.
"""

from __future__ import annotations

import contextlib
import json
import math
import statistics
import warnings
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fractal_governance import comembership as cm
from fractal_governance import measurement_quality as mq
from fractal_governance.cli import main
from fractal_governance.dataset import Dataset
from fractal_governance.plots import MEASUREMENT_PLOT_NAMES, Plots

pytestmark = pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")

SQRT_HALF = math.sqrt(0.5)


def record(rows: list[tuple], *, rounds: bool = True) -> Dataset:
    """A Dataset from (member, meeting, round, group, level) rows (level None: no level)."""
    frame = pd.DataFrame(
        {
            "MemberID": [r[0] for r in rows],
            "Name": [f"Name {r[0]}" for r in rows],
            "MeetingID": [r[1] for r in rows],
            "Group": pd.array([r[3] for r in rows], dtype="Int64"),
            "Level": pd.array([r[4] for r in rows], dtype="Int64"),
        }
    )
    if rounds:
        frame.insert(3, "Round", [r[2] for r in rows])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Dataset.from_dataframe(frame)


@pytest.fixture(scope="module")
def two_rounds(two_round_rows: list[tuple]) -> Dataset:
    return record(two_round_rows)


def test_two_rounds_keyed_by_meeting_round_and_group(two_rounds: Dataset) -> None:
    table = mq.member_quality(two_rounds.measurements, include_self=False)
    assert list(table.index) == ["a", "b", "c", "d"]
    np.testing.assert_allclose(table[mq.ACCURACY], [0.0, 0.25, -0.25, 0.0], atol=1e-12)
    np.testing.assert_allclose(table[mq.PRECISION], [SQRT_HALF / 2, 0.25, 0.25, SQRT_HALF / 2])
    assert table[mq.COLLEAGUE_COUNT].tolist() == [2, 2, 2, 2]
    assert table[mq.MEASUREMENT_COUNT].tolist() == [2, 2, 2, 2]
    assert table["AttendanceCount"].tolist() == [1, 1, 1, 1]


def test_self_measurement_adds_a_zero_term(two_rounds: Dataset) -> None:
    table = mq.member_quality(two_rounds.measurements, include_self=True)
    np.testing.assert_allclose(
        table[mq.ACCURACY], np.array([0.0, 0.25, -0.25, 0.0]) * 2 / 3, atol=1e-12
    )
    np.testing.assert_allclose(
        table[mq.PRECISION], np.array([SQRT_HALF / 2, 0.25, 0.25, SQRT_HALF / 2]) * 2 / 3
    )
    assert table[mq.COLLEAGUE_COUNT].tolist() == [2, 2, 2, 2]
    assert table[mq.MEASUREMENT_COUNT].tolist() == [4, 4, 4, 4]  # plus their own two levels


def test_the_round_in_the_group_key_changes_the_result(two_rounds: Dataset) -> None:
    measurements = two_rounds.measurements
    merged = cm.pair_table(cm.group_rows(measurements, rounds=False))
    table = mq.member_quality(measurements, pairs=merged)
    assert table.loc["b", mq.COLLEAGUE_COUNT] == 3
    assert table.loc["b", mq.ACCURACY] == pytest.approx(0.0, abs=1e-12)
    assert table.loc["b", mq.PRECISION] == pytest.approx(1 / 3)
    correct = mq.member_quality(measurements)
    assert correct.loc["b", mq.PRECISION] == pytest.approx(0.25)
    assert not np.allclose(table[mq.PRECISION], correct[mq.PRECISION])


def test_a_member_with_a_single_colleague() -> None:
    # e meets f only; f's levels: {1} with e, {1, 3} over all -> -1 +- sqrt(0 + 1)
    dataset = record(
        [("e", 1, 1, 1, 2), ("f", 1, 1, 1, 1), ("f", 2, 1, 1, 3), ("g", 2, 1, 1, 2)],
        rounds=False,
    )
    without = mq.member_quality(dataset.measurements).loc["e"]
    assert without[mq.COLLEAGUE_COUNT] == 1
    assert without[mq.MEASUREMENT_COUNT] == 1
    assert without[mq.ACCURACY] == pytest.approx(-1.0)
    assert without[mq.PRECISION] == pytest.approx(1.0)
    with_self = mq.member_quality(dataset.measurements, include_self=True).loc["e"]
    assert with_self[mq.ACCURACY] == pytest.approx(-0.5)
    assert with_self[mq.PRECISION] == pytest.approx(0.5)
    assert with_self[mq.MEASUREMENT_COUNT] == 2


def test_a_row_without_a_level_still_observes_its_group() -> None:
    # x advanced from round 1 (no level there): x observed y; y observed nobody with a level
    dataset = record(
        [("x", 1, 1, 1, None), ("y", 1, 1, 1, 1), ("x", 1, 2, 1, 2), ("z", 1, 2, 1, 1)]
    )
    table = mq.member_quality(dataset.measurements)
    assert table.loc["x", mq.COLLEAGUE_COUNT] == 2
    assert table.loc["y", mq.COLLEAGUE_COUNT] == 0
    assert math.isnan(table.loc["y", mq.ACCURACY]) and math.isnan(table.loc["y", mq.PRECISION])
    with_self = mq.member_quality(dataset.measurements, include_self=True)
    assert with_self.loc["y", mq.ACCURACY] == 0.0 and with_self.loc["y", mq.PRECISION] == 0.0


def test_leaderboard_order_and_columns() -> None:
    # p and q have the same precision (0): p has more Respect (2 + 2 against 3); r has no
    # colleague: last
    dataset = record(
        [("p", 1, 1, 1, 1), ("q", 1, 1, 1, 2), ("r", 2, 1, 1, 3), ("p", 3, 1, 1, 1)],
        rounds=False,
    )
    quality = mq.MeasurementQuality.from_dataset(dataset)
    board = quality.leaderboard()
    assert list(board.columns) == [
        "MemberID",
        "Name",
        "Accuracy",
        "Precision",
        "ColleagueCount",
        "MeasurementCount",
        "AccumulatedRespect",
        "AttendanceCount",
    ]
    assert list(board.index) == [1, 2, 3]
    members = board["MemberID"].tolist()
    precision = board["Precision"].tolist()
    assert members[-1] == "r" and math.isnan(precision[-1])
    respect = dict(zip(board["MemberID"], board["AccumulatedRespect"], strict=True))
    assert members[:2] == ["p", "q"] and precision[0] == precision[1]
    assert respect["p"] > respect["q"]
    assert board.loc[board["MemberID"] == "q", "Name"].item() == "Name q"


def test_correlations_match_scipy(two_rounds: Dataset) -> None:
    import scipy.stats

    members = mq.member_quality(two_rounds.measurements)
    members["AttendanceCount"] = [1, 2, 3, 5]  # a predictor that varies
    table = mq.correlations(members)
    assert list(table.columns) == list(mq.CORRELATION_COLUMNS)
    assert list(zip(table[mq.QUANTITY], table[mq.PREDICTOR], strict=True)) == [
        ("Accuracy", "AttendanceCount"),
        ("Precision", "AttendanceCount"),
        ("Accuracy", "MeanLevel"),
        ("Precision", "MeanLevel"),
    ]
    r, p = scipy.stats.pearsonr(members["AttendanceCount"], members["Accuracy"])
    assert table.loc[0, mq.R] == pytest.approx(r)
    assert table.loc[0, mq.P_VALUE] == pytest.approx(p)
    slope, intercept = np.polyfit(members["AttendanceCount"], members["Accuracy"], 1)
    assert table.loc[0, mq.SLOPE] == pytest.approx(slope)
    assert table.loc[0, mq.INTERCEPT] == pytest.approx(intercept)
    assert table.loc[0, mq.MEMBER_COUNT] == 4
    # mean levels a 2, b 2, c 3, d 1 (the deciding round-2 level): varies, so finite
    assert np.isfinite(table.loc[2, mq.R])


def test_correlations_of_too_few_members_are_nan() -> None:
    dataset = record([("e", 1, 1, 1, 2), ("f", 1, 1, 1, 1)], rounds=False)
    table = mq.correlations(mq.member_quality(dataset.measurements))
    assert table[mq.R].isna().all() and (table[mq.MEMBER_COUNT] == 2).all()


# -- a reference: the method written out in plain Python --------------------------------------


def reference(rows: list[tuple], include_self: bool) -> dict[str, tuple[float, float, int, int]]:
    """member -> (accuracy, precision, colleagues, measurements), straight from the definition."""
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for member, meeting, round_, group, level in rows:
        if group is not None:
            groups[(meeting, round_, group)].append((member, level))
    seen: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for members in groups.values():
        for observer in {member for member, _ in members}:
            _ = seen[observer]  # listed even without colleagues
            for member, level in members:
                if level is not None:
                    seen[observer][member].append(level)
    result = {}
    for a, by_member in seen.items():
        differences, variances, count = [], [], 0
        for b, levels in by_member.items():
            if b == a:
                continue
            own = seen[b][b]
            differences.append(statistics.fmean(levels) - statistics.fmean(own))
            variances.append(statistics.pvariance(levels) + statistics.pvariance(own))
            count += len(levels)
        colleagues = len(differences)
        if include_self and by_member.get(a):
            differences.append(0.0)
            variances.append(0.0)
            count += len(by_member[a])
        k = len(differences)
        accuracy = sum(differences) / k if k else math.nan
        precision = math.sqrt(sum(variances)) / k if k else math.nan
        result[a] = (accuracy, precision, colleagues, count)
    return result


def assert_matches_reference(
    dataset: Dataset, rows: list[tuple], pairs: cm.PairTable | None = None
) -> None:
    """The member table (from ``pairs`` when given) equals the reference on ``rows``."""
    for include_self in (False, True):
        expected = reference(rows, include_self)
        table = mq.member_quality(dataset.measurements, include_self=include_self, pairs=pairs)
        assert sorted(table.index) == sorted(expected)
        for member, (accuracy, precision, colleagues, count) in expected.items():
            row = table.loc[member]
            assert row[mq.COLLEAGUE_COUNT] == colleagues, member
            assert row[mq.MEASUREMENT_COUNT] == count, member
            np.testing.assert_allclose(row[mq.ACCURACY], accuracy, atol=1e-9, err_msg=member)
            np.testing.assert_allclose(row[mq.PRECISION], precision, atol=1e-9, err_msg=member)


@st.composite
def records(
    draw: st.DrawFn,
    pool_size: tuple[int, int] = (2, 9),
    meetings: int = 4,
    groups: int = 3,
    levels: int = 8,
    listed: int = 7,
) -> list[tuple]:
    """Small two-round records: each member at most once per (meeting, round)."""
    pool = [f"m{i}" for i in range(draw(st.integers(*pool_size)))]
    rows = []
    for meeting in range(1, draw(st.integers(1, meetings)) + 1):
        for round_ in (1, 2):
            members = draw(
                st.lists(st.sampled_from(pool), min_size=1, max_size=listed, unique=True)
            )
            for member in members:
                group = draw(st.one_of(st.integers(1, groups), st.none()))
                level = draw(st.one_of(st.none(), st.integers(1, levels)))
                rows.append((member, meeting, round_, group, level))
    if all(level is None for *_, level in rows):
        member, meeting, round_, group, _ = rows[0]
        rows[0] = (member, meeting, round_, group, 1)
    return rows


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_matches_the_plain_python_reference(rows: list[tuple]) -> None:
    assert_matches_reference(record(rows), rows)


def test_unpacked_products_give_the_same_table(
    two_rounds: Dataset, two_round_rows: list[tuple], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sums too large to pack into one float64 take three products instead."""
    packed = cm.pair_table(cm.group_rows(two_rounds.measurements))
    monkeypatch.setattr(cm, "PACKED_BITS", 0)
    unpacked = cm.pair_table(cm.group_rows(two_rounds.measurements))
    for field in ("observer", "measured", "count", "total", "squares"):
        np.testing.assert_array_equal(getattr(packed, field), getattr(unpacked, field))
    assert packed.count.sum() == 16  # 4 members x (own 2 + 2 colleagues' 1 each)
    rows = [(m, 1, r, g, level) for m, _, r, g, level in two_round_rows]
    assert_matches_reference(two_rounds, rows)


def test_matches_the_reference_on_the_genesis_record(genesis_record_dir: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = Dataset.from_directory(genesis_record_dir)
    frame = dataset.measurements.table.frame
    level = frame["Level"].astype("object").where(frame["Level"].notna(), None)
    rows = list(
        zip(
            frame["MemberID"],
            frame["MeetingID"],
            frame["Round"],
            frame["Group"],
            level,
            strict=True,
        )
    )
    assert_matches_reference(dataset, rows)
    quality = mq.MeasurementQuality.from_dataset(dataset)
    table = quality.correlations()
    precision_attendance = table[(table[mq.QUANTITY] == "Precision")].iloc[0]
    assert precision_attendance[mq.PREDICTOR] == "AttendanceCount"
    assert precision_attendance[mq.R] < -0.5 and precision_attendance[mq.P_VALUE] < 1e-6


# -- figures ------------------------------------------------------------------------------------


def test_measurement_figures(two_rounds: Dataset, tmp_path: Path) -> None:
    plots = Plots.from_dataset(two_rounds)
    assert set(MEASUREMENT_PLOT_NAMES) == set(mq.CAPTIONS)
    for name in MEASUREMENT_PLOT_NAMES:
        figure = plots.figure(name)
        assert figure is getattr(plots, name)
        assert figure.axes[0].get_title()
    paths = plots.save_all(tmp_path, names=MEASUREMENT_PLOT_NAMES)
    assert [p.name for p in paths] == [f"{name}.png" for name in MEASUREMENT_PLOT_NAMES]
    by_member = plots.measurement_quality_by_member.axes[0]
    labels = by_member.get_legend_handles_labels()[1]
    assert any("without" in label for label in labels) and len(labels) == 2


# -- command line -------------------------------------------------------------------------------


def test_cli_json(two_round_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["measurement-quality", str(two_round_csv), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["include_self"] is True
    # with self-measurement: b and c 0.25 * 2/3 (tie: c has more Respect), a and d sqrt(0.5)/3
    precision = {row["MemberID"]: row["Precision"] for row in out["leaderboard"]}
    assert precision["b"] == pytest.approx(0.25 * 2 / 3)
    assert precision["a"] == pytest.approx(SQRT_HALF / 3)
    assert {row["MemberID"] for row in out["leaderboard"][:2]} == {"b", "c"}
    assert len(out["correlations"]) == 4


def test_cli_csv_without_self(two_round_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["measurement-quality", str(two_round_csv), "--format", "csv"]) == 0
    with_self = capsys.readouterr().out
    assert (
        main(["measurement-quality", str(two_round_csv), "--format", "csv", "--without-self"]) == 0
    )
    without = capsys.readouterr().out
    assert without.splitlines()[0].startswith("Position,MemberID,Name,Accuracy,Precision")
    rows = {line.split(",")[1]: line.split(",") for line in without.splitlines()[1:]}
    assert float(rows["b"][4]) == pytest.approx(0.25)
    rows_self = {line.split(",")[1]: line.split(",") for line in with_self.splitlines()[1:]}
    assert float(rows_self["b"][4]) == pytest.approx(0.25 * 2 / 3)


def test_cli_table(two_round_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["measurement-quality", str(two_round_csv)]) == 0
    out = capsys.readouterr().out
    assert "Precision" in out and "Correlation" in out and "self-measurement" in out


def test_cli_refuses_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["measurement-quality", str(tmp_path / "nothing.csv")]) == 1
    assert capsys.readouterr().err.count("\n") == 1


# -- dashboard ----------------------------------------------------------------------------------


def _section_app(path: str) -> None:
    """An app that draws only the section, for the record at ``path``."""
    import warnings

    from fractal_governance.dataset import Dataset
    from fractal_governance.streamlit import measurement_quality as page

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = Dataset.from_csv(path)
    page.section(dataset, path)


def test_dashboard_section_and_self_toggle(two_round_csv: Path) -> None:
    from streamlit.testing.v1 import AppTest

    from fractal_governance.streamlit import measurement_quality as page

    at = AppTest.from_function(_section_app, args=(str(two_round_csv),), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == [page.HEADER]
    assert any("accuracy" in m.value for m in at.markdown)
    toggle = at.toggle(key=page.SELF_TOGGLE_KEY)
    assert toggle.value is True
    board = at.dataframe[0].value
    assert board["Precision"].iloc[0] == pytest.approx(0.25 * 2 / 3)
    assert len(at.get("vega_lite_chart")) == 7  # per member, two distributions, four fits
    correlations = at.dataframe[1].value
    assert list(correlations["Quantity"]) == ["Accuracy", "Precision", "Accuracy", "Precision"]

    toggle.set_value(False).run()
    assert not at.exception
    board = at.dataframe[0].value
    assert board["Precision"].iloc[0] == pytest.approx(0.25)
    assert set(board["MemberID"].iloc[:2]) == {"b", "c"}


def test_dashboard_main_page_has_the_section() -> None:
    from fractal_governance.streamlit import genesis_fractal as app
    from fractal_governance.streamlit import measurement_quality as page

    titles = [section.title for section in app.SECTIONS]
    assert page.HEADER in titles
    # after the original dashboard's sections, before the data-quality findings
    assert titles.index(page.HEADER) == titles.index("Data Quality") - 1


# -- report -------------------------------------------------------------------------------------


def test_report_section(two_rounds: Dataset) -> None:
    from html.parser import HTMLParser

    from fractal_governance.report import render_index

    page = render_index(two_rounds, [])

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.ids: list[str] = []
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: list) -> None:
            self.ids += [value for name, value in attrs if name == "id"]
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append("".join(self.cell))
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    parsed = Cells()
    parsed.feed(page)
    assert "measurement" in parsed.ids
    assert 'href="#measurement"' in page
    # the member leaderboard's header starts with "Place" too: the one with "Accuracy"
    header = next(row for row in parsed.rows if row[:1] == ["Place"] and "Accuracy" in row)
    assert header[:5] == ["Place", "Member ID", "Name", "Accuracy", "Precision"]
    board = parsed.rows[parsed.rows.index(header) + 1 :][:4]
    assert {row[1] for row in board[:2]} == {"b", "c"}
    assert board[0][4] == "0.167"  # 0.25 * 2/3, with self-measurement
    fits = [row for row in parsed.rows if row and row[0] in ("with", "without")]
    assert len(fits) == 8
    assert "**" not in page


# -- the fast path against the plain ones -------------------------------------------------------


@contextlib.contextmanager
def patched(name: str, value: int) -> Iterator[None]:
    """``cm.<name>`` set to ``value`` inside the block (hypothesis tests take no monkeypatch)."""
    with mock.patch.object(cm, name, value):
        yield


def plain_member_sums(pairs: cm.PairTable) -> dict[str, np.ndarray]:
    """The per-member sums the plain way: a pass over every pair (B = A included)."""
    m = pairs.member_count
    observer, measured = pairs.observer, pairs.measured
    count, total, squares = (
        a.astype(np.float64) for a in (pairs.count, pairs.total, pairs.squares)
    )
    mean = total / count
    variance = np.maximum(count * squares - total * total, 0.0) / (count * count)
    own = observer == measured
    own_mean, own_variance = np.zeros(m), np.zeros(m)
    own_mean[measured[own]] = mean[own]
    own_variance[measured[own]] = variance[own]
    other = ~own
    at = observer[other]
    return {
        "colleagues": np.bincount(at, minlength=m),
        "levels_seen": np.bincount(at, weights=count[other], minlength=m),
        "difference_sum": np.bincount(
            at, weights=mean[other] - own_mean[measured[other]], minlength=m
        ),
        "variance_sum": np.bincount(
            at, weights=variance[other] + own_variance[measured[other]], minlength=m
        ),
    }


def assert_sums_match(pairs: cm.PairTable) -> None:
    sums = cm.member_sums(pairs)
    for field, expected in plain_member_sums(pairs).items():
        np.testing.assert_allclose(getattr(sums, field), expected, atol=1e-9, err_msg=field)


def merged_pairs(rows: list[tuple]) -> tuple[Dataset, cm.PairTable]:
    """The record of ``rows`` and its pairs keyed by (meeting, group) only, as the upstream
    did: a member in both rounds' group of one number is listed twice in the merged group."""
    dataset = record(rows)
    return dataset, cm.pair_table(cm.group_rows(dataset.measurements, rounds=False))


def assert_merged_matches_reference(
    dataset: Dataset, pairs: cm.PairTable, rows: list[tuple]
) -> None:
    merged = [(member, meeting, 1, group, level) for member, meeting, _, group, level in rows]
    assert_matches_reference(dataset, merged, pairs)


def records_with_repeats() -> st.SearchStrategy[list[tuple]]:
    """Two-round records with few members (so that, keyed by (meeting, group), members are
    listed twice in a group) and groups that grow past ``PAIRWISE_LIMIT`` when it is low."""
    return records(pool_size=(1, 6), meetings=3, groups=2, levels=6, listed=6)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(records())
def test_member_sums_match_the_plain_per_pair_sums(rows: list[tuple]) -> None:
    pairs = cm.pair_table(cm.group_rows(record(rows).measurements))
    assert pairs.instances is not None  # the sorted keys
    assert_sums_match(pairs)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(records_with_repeats(), st.sampled_from([0, 2, 16]))
def test_sorted_keys_and_sparse_products_agree(rows: list[tuple], limit: int) -> None:
    """Members listed twice in a group, groups past the pairwise limit: the sorted keys give
    the pairs of the sparse products (``PACKED_BITS = 0``) and the reference's numbers."""
    with patched("PAIRWISE_LIMIT", limit):
        dataset, keyed = merged_pairs(rows)
    with patched("PACKED_BITS", 0):
        product = merged_pairs(rows)[1]
    assert keyed.instances is not None and product.product is not None
    for field in ("observer", "measured", "count", "total", "squares"):
        np.testing.assert_array_equal(getattr(keyed, field), getattr(product, field), field)
    for mine, theirs in zip(keyed.repeated, product.repeated, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(keyed.presence.toarray(), product.presence.toarray())
    assert_sums_match(keyed)
    assert_sums_match(product)
    assert_merged_matches_reference(dataset, keyed, rows)
    assert_merged_matches_reference(dataset, product, rows)


def test_listed_before_pairwise_and_by_sort() -> None:
    rng = np.random.default_rng(18)
    for rows in (1, 2, 5, 20):
        member = rng.integers(0, 4, size=(rows, 50))
        expected = np.array(
            [[member[i, g] in member[:i, g] for g in range(50)] for i in range(rows)],
            dtype=bool,
        ).reshape(member.shape)
        for limit in (0, 100):
            with patched("PAIRWISE_LIMIT", limit):
                np.testing.assert_array_equal(cm.listed_before(member), expected)


def test_a_member_listed_twice_in_a_group() -> None:
    # keyed by (meeting, group), v is twice in one group (rounds 1 and 2, levels 1 and 3):
    # one observer of w; w sees v {1, 3}, v sees w {2}; w's levels {2, 4}, v's {1, 3}
    rows = [("v", 1, 1, 1, 1), ("w", 1, 1, 1, 2), ("v", 1, 2, 1, 3), ("w", 2, 1, 1, 4)]
    for bits in (cm.PACKED_BITS, 0):
        with patched("PACKED_BITS", bits):
            dataset, pairs = merged_pairs(rows)
        table = mq.member_quality(dataset.measurements, pairs=pairs)
        assert table[mq.COLLEAGUE_COUNT].tolist() == [1, 1]
        assert table[mq.MEASUREMENT_COUNT].tolist() == [1, 2]
        # v: w's 2 against w's mean 3 (var 1): -1 +- 1; w: v's {1, 3} against all of v's: 0,
        # var 1 + 1
        np.testing.assert_allclose(table[mq.ACCURACY], [-1.0, 0.0], atol=1e-12)
        np.testing.assert_allclose(table[mq.PRECISION], [1.0, math.sqrt(2.0)])
        assert_merged_matches_reference(dataset, pairs, rows)
