"""Tests for fractal_governance.plots: the figures show the Dataset's numbers.

The figures are read back (bar polygons, line data, legend and axis texts) and compared with numbers
worked out by hand for tiny fixtures, with the Dataset's own tables, and on the Genesis records.

Fixture ``plots_weekly.csv`` (Genesis schedule: rank r earns Fibonacci(r + 2), so ranks 4, 5, 6
earn 8, 13, 21; Genesis calendar: meetings 1, 2, 3 on Feb 26, Mar 05, Mar 12 2022):

    meeting 1: alice 6 (Team Alpha), bob 5, carol 4 (Team Beta)
    meeting 2: alice 5 (Alpha), bob 6, dave 4 (Beta) | erin 6, carol 5 (Beta)
    meeting 3: bob 6, frank 5 (Alpha), dave 4 (Beta)

    attendees          3, 5, 3         new 3, 2, 1 (m2: dave, erin; m3: frank); returning 0, 3, 2
    Respect            m1 21+13+8 = 42 (all new)
                       m2 13+21+8+21+13 = 76 = returning 13+21+13 = 47 + new 8+21 = 29
                       m3 21+13+8 = 42 = returning 21+8 = 29 + new 13
    accumulated        42, 118, 160; returning 0, 47, 76; new 42, 71, 84
    member totals      bob 55 (ranks 5,6,6), alice 34 (6,5), carol 21 (4,5), erin 21 (6),
                       dave 16 (4,4), frank 13 (5); attendance counts 3, 2, 2, 1, 2, 1
    teams              Alpha 21, 13, 13 -> accumulated 21, 34, 47
                       Beta  8, 8+13, 8 -> accumulated 8, 29, 37; leaderboard Alpha, Beta
    team share         2/3, 3/5, 2/3
"""

from __future__ import annotations

import datetime
import re
import warnings
from fractions import Fraction
from pathlib import Path

import matplotlib.colors
import matplotlib.dates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import scipy.stats
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from fractal_governance.dataset import Dataset
from fractal_governance.plots import NO_TEAMS_NOTE, PLOT_NAMES, Plots
from fractal_governance.quality import DataQualityWarning

FIXTURES = Path(__file__).parent / "fixtures"
WEEKLY = FIXTURES / "plots_weekly.csv"
NO_TEAMS = FIXTURES / "plots_no_teams.csv"

MEETING_DATES = [datetime.date(2022, 2, 26), datetime.date(2022, 3, 5), datetime.date(2022, 3, 12)]
TEAM_FIGURES = (
    "accumulated_team_respect_vs_time",
    "accumulated_team_respect_vs_time_stacked",
    "team_representation_vs_time",
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------------------------------------
# Reading figures back


def only_axes(figure: Figure) -> Axes:
    assert len(figure.axes) == 1
    return figure.axes[0]


def bars(ax: Axes, label: str) -> pd.DataFrame:
    """The bars of the series called ``label``: centre, width, bottom and height of each."""
    matches = [c for c in ax.collections if c.get_label() == label]
    assert len(matches) == 1, f"expected one bar series {label!r}, found {len(matches)}"
    collection = matches[0]
    assert isinstance(collection, PolyCollection)
    corners = np.array([np.asarray(path.vertices)[:4] for path in collection.get_paths()])
    left, right = corners[:, :, 0].min(axis=1), corners[:, :, 0].max(axis=1)
    low, high = corners[:, :, 1].min(axis=1), corners[:, :, 1].max(axis=1)
    return pd.DataFrame(
        {"x": (left + right) / 2, "width": right - left, "bottom": low, "height": high - low}
    )


def bar_color(ax: Axes, label: str) -> str:
    (collection,) = [c for c in ax.collections if c.get_label() == label]
    rgba = np.asarray(collection.get_facecolor(), dtype=float)[0]
    return matplotlib.colors.to_hex((rgba[0], rgba[1], rgba[2], rgba[3]))


def date_numbers(dates: list[datetime.date] | pd.Series | pd.Index) -> np.ndarray:
    return np.asarray(
        matplotlib.dates.date2num(pd.DatetimeIndex(dates).to_numpy("datetime64[ns]")), float
    )


def legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [text.get_text() for text in legend.get_texts()]


def xdata(line: Line2D) -> np.ndarray:
    return np.asarray(line.get_xdata(), dtype=float)


def ydata(line: Line2D) -> np.ndarray:
    return np.asarray(line.get_ydata(), dtype=float)


def bar_lengths(ax: Axes) -> list[float]:
    """Lengths of the bars of the one BarContainer (horizontal bar chart) of ``ax``."""
    (container,) = ax.containers
    assert isinstance(container, BarContainer)
    return [float(patch.get_width()) for patch in container.patches]


def line_labelled(ax: Axes, pattern: str) -> tuple[np.ndarray, np.ndarray, str]:
    lines = [line for line in ax.get_lines() if re.search(pattern, str(line.get_label()))]
    assert len(lines) == 1, [line.get_label() for line in ax.get_lines()]
    line = lines[0]
    return (
        xdata(line),
        ydata(line),
        str(line.get_label()),
    )


def texts(figure: Figure) -> list[str]:
    return [text.get_text() for ax in figure.axes for text in ax.texts]


# ------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the fixture is clean: no data quality findings
        return Dataset.from_csv(WEEKLY)


@pytest.fixture(scope="module")
def plots(dataset: Dataset) -> Plots:
    return Plots.from_dataset(dataset)


@pytest.fixture(scope="module")
def genesis_plots(genesis_snapshot_dir: Path) -> Plots:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # real records have known anomalies
        return Plots.from_csv(genesis_snapshot_dir / "genesis-weekly_rank.csv")


# ------------------------------------------------------------------------------------------------
# API


def test_plot_names_are_the_figure_properties_in_display_order(plots: Plots) -> None:
    assert PLOT_NAMES == (
        "attendance_vs_time",
        "attendance_vs_time_stacked",
        "attendance_consistency_histogram",
        "accumulated_member_respect_vs_time",
        "accumulated_member_respect_vs_time_stacked",
        "accumulated_team_respect_vs_time",
        "accumulated_team_respect_vs_time_stacked",
        "team_representation_vs_time",
        "attendance_count_vs_rank",
        "respect_lorenz_curve",
        "gini_vs_time",
        "member_respect_leaderboard",
    )
    assert Plots.PLOT_NAMES == PLOT_NAMES
    for name in PLOT_NAMES:
        assert isinstance(getattr(plots, name), Figure), name
        assert plots.figure(name) is getattr(plots, name)
    with pytest.raises(KeyError, match="attendance_vs_time"):
        plots.figure("no_such_plot")


def test_figures_are_cached_per_plots_object(dataset: Dataset) -> None:
    first, second = Plots.from_dataset(dataset), Plots.from_dataset(dataset)
    assert first.dataset is dataset
    for name in PLOT_NAMES:
        assert getattr(first, name) is getattr(first, name), name
        assert getattr(first, name) is not getattr(second, name), name


def test_plots_is_immutable(plots: Plots, dataset: Dataset) -> None:
    with pytest.raises(AttributeError):
        plots.dataset = dataset  # type: ignore[misc]


def test_from_csv_plots_the_same_numbers(plots: Plots) -> None:
    from_csv = Plots.from_csv(WEEKLY)
    pd.testing.assert_frame_equal(
        bars(only_axes(from_csv.attendance_vs_time), "Attendees"),
        bars(only_axes(plots.attendance_vs_time), "Attendees"),
    )


def test_building_figures_leaves_pyplot_untouched(dataset: Dataset, tmp_path: Path) -> None:
    before = plt.get_fignums()
    fresh = Plots.from_dataset(dataset)
    for name in PLOT_NAMES:
        getattr(fresh, name)
    fresh.attendance_vs_time.savefig(tmp_path / "attendance.png")  # rendering needs no pyplot
    assert plt.get_fignums() == before


def test_save_all_writes_a_png_per_figure(plots: Plots, tmp_path: Path) -> None:
    paths = plots.save_all(tmp_path / "figures")
    assert paths == [tmp_path / "figures" / f"{name}.png" for name in PLOT_NAMES]
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE), path
        assert len(data) > 10_000, path  # a 1000x600 chart with text and bars, not an empty image


def test_save_all_other_format(plots: Plots, tmp_path: Path) -> None:
    (path, *_) = plots.save_all(tmp_path, format="svg")
    assert path.name == "attendance_vs_time.svg"
    assert b"<svg" in path.read_bytes()[:1000]


# ------------------------------------------------------------------------------------------------
# Hand-worked fixture


def test_attendance_vs_time(plots: Plots) -> None:
    ax = only_axes(plots.attendance_vs_time)
    assert ax.get_title() == "Attendance vs Time"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Meeting Date", "Attendees")
    drawn = bars(ax, "Attendees")
    np.testing.assert_allclose(drawn["height"], [3, 5, 3])
    np.testing.assert_allclose(drawn["bottom"], 0)
    np.testing.assert_allclose(drawn["x"], date_numbers(MEETING_DATES))
    np.testing.assert_allclose(drawn["width"], 0.8 * 7)  # weekly meetings


def test_dates_read_like_feb_26_2022(plots: Plots) -> None:
    figure = plots.attendance_vs_time
    ax = only_axes(figure)
    formatter = ax.xaxis.get_major_formatter()
    assert formatter(date_numbers(MEETING_DATES)[0]) == "Feb 26 2022"
    figure.draw_without_rendering()
    labels = [label.get_text() for label in ax.get_xticklabels() if label.get_text()]
    assert labels
    for label in labels:
        assert re.fullmatch(r"[A-Z][a-z]{2} \d{2} \d{4}", label), label


def test_attendance_vs_time_stacked(plots: Plots) -> None:
    ax = only_axes(plots.attendance_vs_time_stacked)
    assert ax.get_title() == "New and Returning Attendance vs Time"
    assert legend_texts(ax) == ["Returning Members", "New Members"]
    returning, new = bars(ax, "Returning Members"), bars(ax, "New Members")
    np.testing.assert_allclose(returning["height"], [0, 3, 2])
    np.testing.assert_allclose(returning["bottom"], 0)
    np.testing.assert_allclose(new["height"], [3, 2, 1])
    np.testing.assert_allclose(new["bottom"], [0, 3, 2])  # on top of the returning members
    np.testing.assert_allclose(new["x"], date_numbers(MEETING_DATES))


def test_attendance_consistency_histogram(plots: Plots) -> None:
    ax = only_axes(plots.attendance_consistency_histogram)
    assert ax.get_title() == "Consistency of Attendance"
    drawn = bars(ax, "Members")
    # one bin per possible count 1..3: erin, frank once; alice, carol, dave twice; bob three times
    np.testing.assert_allclose(drawn["x"], [1, 2, 3])
    np.testing.assert_allclose(drawn["height"], [2, 3, 1])


def test_accumulated_member_respect_vs_time(plots: Plots, dataset: Dataset) -> None:
    ax = only_axes(plots.accumulated_member_respect_vs_time)
    assert ax.get_title() == "Accumulated Member Respect vs Time"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Meeting Date", "Accumulated Member Respect")
    drawn = bars(ax, "Accumulated Member Respect")
    np.testing.assert_allclose(drawn["height"], [42, 118, 160])
    assert drawn["height"].iloc[-1] == dataset.total_member_respect


def test_accumulated_member_respect_vs_time_stacked(plots: Plots) -> None:
    ax = only_axes(plots.accumulated_member_respect_vs_time_stacked)
    assert ax.get_title() == "Accumulated Member Respect vs Time: New and Returning"
    assert legend_texts(ax) == ["Returning Members", "New Members"]
    returning, new = bars(ax, "Returning Members"), bars(ax, "New Members")
    np.testing.assert_allclose(returning["height"], [0, 47, 76])
    np.testing.assert_allclose(new["height"], [42, 71, 84])
    np.testing.assert_allclose(new["bottom"], [0, 47, 76])


def test_accumulated_team_respect_vs_time_side_by_side(plots: Plots) -> None:
    ax = only_axes(plots.accumulated_team_respect_vs_time)
    assert ax.get_title() == "Accumulated Team Respect vs Time"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Meeting Date", "Accumulated Team Respect")
    assert legend_texts(ax) == ["Team Alpha", "Team Beta"]
    alpha, beta = bars(ax, "Team Alpha"), bars(ax, "Team Beta")
    np.testing.assert_allclose(alpha["height"], [21, 34, 47])
    np.testing.assert_allclose(beta["height"], [8, 29, 37])
    np.testing.assert_allclose(alpha["bottom"], 0)
    np.testing.assert_allclose(beta["bottom"], 0)
    # two bars share the 0.8 * 7 days of a meeting, left and right of its date
    np.testing.assert_allclose(alpha["width"], 2.8)
    np.testing.assert_allclose(alpha["x"], date_numbers(MEETING_DATES) - 1.4)
    np.testing.assert_allclose(beta["x"], date_numbers(MEETING_DATES) + 1.4)


def test_accumulated_team_respect_vs_time_stacked(plots: Plots) -> None:
    ax = only_axes(plots.accumulated_team_respect_vs_time_stacked)
    assert ax.get_title() == "Accumulated Team Respect vs Time, Stacked"
    assert legend_texts(ax) == ["Team Alpha", "Team Beta"]  # leaderboard order: 47 > 37
    alpha, beta = bars(ax, "Team Alpha"), bars(ax, "Team Beta")
    np.testing.assert_allclose(alpha["height"], [21, 34, 47])
    np.testing.assert_allclose(alpha["bottom"], 0)
    np.testing.assert_allclose(beta["height"], [8, 29, 37])
    np.testing.assert_allclose(beta["bottom"], [21, 34, 47])


def test_team_colors_follow_the_leaderboard_and_match_between_figures(plots: Plots) -> None:
    assert list(plots.team_colors) == ["Team Alpha", "Team Beta"]
    assert plots.team_colors["Team Alpha"] != plots.team_colors["Team Beta"]
    for name in ("accumulated_team_respect_vs_time", "accumulated_team_respect_vs_time_stacked"):
        ax = only_axes(getattr(plots, name))
        for team, color in plots.team_colors.items():
            assert bar_color(ax, team) == color, (name, team)
    with pytest.raises(TypeError):
        plots.team_colors["Team Alpha"] = "#000000"  # type: ignore[index]


def test_team_representation_vs_time(plots: Plots) -> None:
    ax = only_axes(plots.team_representation_vs_time)
    assert ax.get_title() == "Team Representation vs Time"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Meeting Date", "Team Representation")
    drawn = bars(ax, "Team Representation")
    np.testing.assert_allclose(drawn["height"], [2 / 3, 3 / 5, 2 / 3])
    np.testing.assert_allclose(drawn["x"], date_numbers(MEETING_DATES))


def test_all_time_figures_share_the_meeting_range(plots: Plots) -> None:
    limits = {
        name: only_axes(getattr(plots, name)).get_xlim()
        for name in PLOT_NAMES
        if only_axes(getattr(plots, name)).get_xlabel() == "Meeting Date"
    }
    assert len(limits) == 8
    assert len(set(limits.values())) == 1, limits


def test_attendance_count_vs_rank(plots: Plots, dataset: Dataset) -> None:
    ax = only_axes(plots.attendance_count_vs_rank)
    assert ax.get_title() == "Attendance Count vs Rank"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Attendance Count", "Mean Rank")
    # Pooled ranks per attendance count: 1 -> erin 6, frank 5; 2 -> 6, 5, 4, 5, 4, 4;
    # 3 -> bob 5, 6, 6. Means 11/2, 14/3, 17/3; sample SDs sqrt(1/2), sqrt(2/3), sqrt(1/3).
    (container,) = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    points, _caps, (error_bars,) = container.lines
    np.testing.assert_allclose(xdata(points), [1, 2, 3])
    np.testing.assert_allclose(ydata(points), [11 / 2, 14 / 3, 17 / 3])
    half_lengths = [np.ptp(np.asarray(path.vertices)[:, 1]) / 2 for path in error_bars.get_paths()]
    np.testing.assert_allclose(half_lengths, np.sqrt([1 / 2, 2 / 3, 1 / 3]))

    # Least squares through the three means: x mean 2, y mean 95/18,
    # Sxy = -(11/2 - 95/18) + (17/3 - 95/18) = 1/6, Sxx = 2 -> slope 1/12, intercept 95/18 - 1/6.
    slope, intercept = Fraction(1, 12), Fraction(95, 18) - Fraction(1, 6)
    x, y, label = line_labelled(ax, r"^Least squares")
    np.testing.assert_allclose(y, float(slope) * x + float(intercept))
    table = dataset.df_member_rank_by_attendance_count
    fit = scipy.stats.linregress(table["AttendanceCount"], table["Mean"])
    assert fit.slope == pytest.approx(float(slope))
    assert fit.intercept == pytest.approx(float(intercept))
    # Residuals: Syy = (4^2 + 11^2 + 7^2) / 18^2 = 31/54, RSS = Syy - Sxy^2 / Sxx = 121/216 = s^2;
    # SE(slope) = sqrt(s^2 / Sxx) = 11 / sqrt(432) = 0.529,
    # SE(intercept) = s * sqrt(1/3 + 2^2 / Sxx) = sqrt(121/216 * 7/3) = 1.143
    assert fit.stderr == pytest.approx(11 / np.sqrt(432))
    assert fit.intercept_stderr == pytest.approx(np.sqrt(121 / 216 * 7 / 3))
    assert label == "Least squares: y = (0.0833 ± 0.53) x + (5.11 ± 1.1)"
    assert label in legend_texts(ax)


def test_attendance_count_vs_rank_with_one_attendance_count_has_a_note(dataset: Dataset) -> None:
    # meeting 1 alone: every member attended once, so no line can be fitted
    figure = Plots.from_dataset(dataset.select_meetings(1, 1)).attendance_count_vs_rank
    ax = only_axes(figure)
    assert not [line for line in ax.get_lines() if "Least squares" in str(line.get_label())]
    assert any("at least two distinct attendance counts" in text for text in texts(figure))


def test_respect_lorenz_curve(plots: Plots, dataset: Dataset) -> None:
    ax = only_axes(plots.respect_lorenz_curve)
    # Respect ascending 13, 16, 21, 21, 34, 55 (total 160): sum of i * x_(i) = 692,
    # Gini = 2 * 692 / (6 * 160) - 7 / 6 = 33 / 120 = 0.275
    x, y, label = line_labelled(ax, r"^Lorenz curve")
    assert label == "Lorenz curve (Gini = 0.275)"
    assert dataset.respect_distribution.gini == pytest.approx(0.275)
    np.testing.assert_allclose(x, np.arange(7) / 6)
    np.testing.assert_allclose(y, np.cumsum([0, 13, 16, 21, 21, 34, 55]) / 160)
    equality_x, equality_y, _ = line_labelled(ax, r"^Line of equality$")
    np.testing.assert_allclose(equality_x, [0, 1])
    np.testing.assert_allclose(equality_y, [0, 1])
    assert legend_texts(ax) == ["Line of equality", "Lorenz curve (Gini = 0.275)"]


def test_gini_vs_time(plots: Plots, dataset: Dataset) -> None:
    ax = only_axes(plots.gini_vs_time)
    (line,) = ax.get_lines()
    np.testing.assert_allclose(xdata(line), date_numbers(MEETING_DATES))
    # cumulative Respect after m1: 8, 13, 21 -> 2*97/(3*42) - 4/3 = 13/63
    # after m2: 8, 21, 21, 34, 34 -> 2*419/(5*118) - 6/5 = 13/59; after m3: 33/120 (above)
    np.testing.assert_allclose(ydata(line), [13 / 63, 13 / 59, 33 / 120])
    np.testing.assert_allclose(ydata(line), dataset.df_gini_by_meeting["Gini"])


def test_member_respect_leaderboard(plots: Plots) -> None:
    ax = only_axes(plots.member_respect_leaderboard)
    widths = bar_lengths(ax)
    assert widths == [55, 34, 21, 21, 16, 13]
    # carol and erin tie at 21: carol first, as in df_member_leader_board (AccumulatedRank 9 > 6)
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels == ["Bob", "Alice", "Carol", "Erin", "Dave", "Frank"]
    assert ax.get_title() == "Top 6 Members by Accumulated Respect"
    assert ax.get_xlabel() == "Accumulated Respect"
    assert ax.yaxis_inverted()  # the leader on top


def test_member_respect_leaderboard_keeps_only_twenty(genesis_plots: Plots) -> None:
    ax = only_axes(genesis_plots.member_respect_leaderboard)
    widths = bar_lengths(ax)
    board = genesis_plots.dataset.df_member_leader_board
    expected = board["AccumulatedRespect"].sort_values(ascending=False).head(20)
    assert widths == expected.tolist()
    assert ax.get_title() == "Top 20 Members by Accumulated Respect"


# ------------------------------------------------------------------------------------------------
# A dataset without teams


def test_no_teams_gives_a_note_instead_of_team_figures(tmp_path: Path) -> None:
    plots = Plots.from_csv(NO_TEAMS)
    assert dict(plots.team_colors) == {}
    for name in TEAM_FIGURES:
        figure = getattr(plots, name)
        assert texts(figure) == [NO_TEAMS_NOTE], name
        assert not only_axes(figure).collections, name
    # the other figures are unaffected: attendance 2, 3
    np.testing.assert_allclose(
        bars(only_axes(plots.attendance_vs_time), "Attendees")["height"], [2, 3]
    )
    for name in TEAM_FIGURES:
        getattr(plots, name).savefig(tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").read_bytes().startswith(PNG_SIGNATURE)


# ------------------------------------------------------------------------------------------------
# Genesis records: the figures agree with the Dataset's tables


def test_genesis_member_figures_match_the_dataset(genesis_plots: Plots) -> None:
    dataset = genesis_plots.dataset
    attendance = dataset.df_member_attendance_new_and_returning_by_meeting
    drawn = bars(only_axes(genesis_plots.attendance_vs_time), "Attendees")
    expected = attendance["NewMemberCount"] + attendance["ReturningMemberCount"]
    np.testing.assert_allclose(drawn["height"], expected)
    np.testing.assert_allclose(drawn["x"], date_numbers(attendance["MeetingDate"]))

    respect = dataset.df_member_respect_new_and_returning_by_meeting
    drawn = bars(
        only_axes(genesis_plots.accumulated_member_respect_vs_time), "Accumulated Member Respect"
    )
    np.testing.assert_allclose(drawn["height"], respect["AccumulatedRespect"].cumsum())
    assert drawn["height"].iloc[-1] == pytest.approx(dataset.total_member_respect)

    stacked = only_axes(genesis_plots.accumulated_member_respect_vs_time_stacked)
    top = bars(stacked, "New Members")
    np.testing.assert_allclose(
        top["bottom"] + top["height"], respect["AccumulatedRespect"].cumsum()
    )

    histogram = bars(only_axes(genesis_plots.attendance_consistency_histogram), "Members")
    assert len(histogram) == dataset.total_meetings
    assert histogram["height"].sum() == dataset.total_unique_members


def test_genesis_team_figures_match_the_dataset(genesis_plots: Plots) -> None:
    dataset = genesis_plots.dataset
    leaders = dataset.df_team_leader_board
    assert list(genesis_plots.team_colors)[: len(leaders)] == list(leaders.index)
    stacked = only_axes(genesis_plots.accumulated_team_respect_vs_time_stacked)
    side_by_side = only_axes(genesis_plots.accumulated_team_respect_vs_time)
    assert legend_texts(stacked)[: len(leaders)] == list(leaders.index)
    for team, respect in leaders["AccumulatedRespect"].items():
        assert bars(stacked, str(team))["height"].iloc[-1] == pytest.approx(respect)
        assert bars(side_by_side, str(team))["height"].iloc[-1] == pytest.approx(respect)
        color = genesis_plots.team_colors[str(team)]
        assert bar_color(stacked, str(team)) == bar_color(side_by_side, str(team)) == color

    representation = dataset.df_team_representation_by_date.dropna()
    drawn = bars(only_axes(genesis_plots.team_representation_vs_time), "Team Representation")
    np.testing.assert_allclose(drawn["height"], representation)
    np.testing.assert_allclose(drawn["x"], date_numbers(representation.index))


def test_genesis_regression_line_is_linregress(genesis_plots: Plots) -> None:
    table = genesis_plots.dataset.df_member_rank_by_attendance_count.dropna(subset=["Mean"])
    fit = scipy.stats.linregress(table["AttendanceCount"], table["Mean"])
    x, y, label = line_labelled(
        only_axes(genesis_plots.attendance_count_vs_rank), r"^Least squares"
    )
    np.testing.assert_allclose(y, fit.slope * x + fit.intercept)
    assert f"{fit.slope:.3g} ± {fit.stderr:.2g}" in label
    assert f"{fit.intercept:.3g} ± {fit.intercept_stderr:.2g}" in label


def test_genesis_fairness_figures_match_the_dataset(genesis_plots: Plots) -> None:
    dataset = genesis_plots.dataset
    x, y, label = line_labelled(only_axes(genesis_plots.respect_lorenz_curve), r"^Lorenz curve")
    np.testing.assert_allclose(x, dataset.df_lorenz_curve["PopulationShare"])
    np.testing.assert_allclose(y, dataset.df_lorenz_curve["RespectShare"])
    assert f"Gini = {dataset.respect_distribution.gini:.3f}" in label
    (line,) = only_axes(genesis_plots.gini_vs_time).get_lines()
    np.testing.assert_allclose(ydata(line), dataset.df_gini_by_meeting["Gini"])
    np.testing.assert_allclose(xdata(line), date_numbers(dataset.df_gini_by_meeting["MeetingDate"]))


def test_genesis_figures_render(genesis_plots: Plots, tmp_path: Path) -> None:
    before = plt.get_fignums()
    for path in genesis_plots.save_all(tmp_path):
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000, path
    assert plt.get_fignums() == before
