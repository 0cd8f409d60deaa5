"""Hostile and broken input (issue 16, output side): names drawn as typed, never as math text.

Every figure is drawn with member and team names that matplotlib would otherwise read as math
text (``$\\frac{1}{2}$`` drawn as one half, ``$\\sqrt{$`` a parser error, 100 nested
``\\sqrt{`` a RecursionError) or leave out of legends (``_nolegend_``).
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from fractal_governance import cli, quality, studies_plots
from fractal_governance.dataset import Dataset
from fractal_governance.plots import MEASUREMENT_PLOT_NAMES, PLOT_NAMES, Plots
from fractal_governance.texts import plot_text

matplotlib.use("Agg")

FRACTION = r"$\frac{1}{2}$"
UNCLOSED = r"$\sqrt{$"
NESTED = "$" + r"\sqrt{" * 100 + "x" + "}" * 100 + "$"
NOLEGEND = "_nolegend_"
UNDERSCORE = "_hidden"
ESCAPED = r"cost \$5"

#: (MemberID, Name, TeamName): every name hostile, every team hostile.
MEMBERS = [
    ("m1", FRACTION, NOLEGEND),
    ("m2", UNCLOSED, FRACTION),
    ("m3", NESTED, UNCLOSED),
    ("m4", NOLEGEND, UNDERSCORE),
    ("m5", UNDERSCORE, ESCAPED),
    ("m6", ESCAPED, ""),
]
TEAMS = [NOLEGEND, FRACTION, UNCLOSED, UNDERSCORE, ESCAPED]


@pytest.fixture(scope="module")
def hostile_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four meetings of the six members in one group, ranks rotating, teams by name."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.csv"
    team_ids = {team: index + 1 for index, team in enumerate(TEAMS)}
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["MemberID", "Name", "MeetingID", "Group", "Rank", "TeamID", "TeamName"])
        for meeting in range(1, 5):
            for position, (member, name, team) in enumerate(MEMBERS):
                rank = 6 - (position + meeting) % 6
                team_id = team_ids.get(team, "")
                writer.writerow([member, name, meeting, 1, rank, team_id, team])
    return path


@pytest.fixture(scope="module")
def hostile_dataset(hostile_csv: Path) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", quality.DataQualityWarning)
        return Dataset.from_csv(hostile_csv)


def drawn_texts(figure: Figure) -> list[str]:
    """Draw ``figure`` and return every text as matplotlib shows it, checking that none is
    read as math text."""
    FigureCanvasAgg(figure).draw()
    shown = []
    for artist in figure.findobj(Text):
        raw = artist.get_text()
        if not raw:
            continue
        text, math = shown_text(artist)
        assert math is False, raw
        shown.append(text)
    return shown


def shown_text(artist: Text) -> tuple[str, bool | str]:
    """What matplotlib draws for ``artist`` and whether it reads it as math text."""
    preprocess: Any = artist._preprocess_math  # type: ignore[attr-defined]  # private
    return preprocess(artist.get_text())


def legend_texts(figure: Figure) -> list[str]:
    legends = [ax.get_legend() for ax in figure.axes]
    return [
        text.get_text() for legend in legends if legend is not None for text in legend.get_texts()
    ]


def test_plot_text_keeps_a_name_literal() -> None:
    assert plot_text(FRACTION) == r"\$\frac{1}{2}\$"
    assert plot_text("Team A") == "Team A"
    # as matplotlib reads it back
    text = Text(text=plot_text(ESCAPED))
    assert shown_text(text) == (ESCAPED, False)


@pytest.mark.parametrize("name", [*PLOT_NAMES, *MEASUREMENT_PLOT_NAMES])
def test_every_figure_draws_hostile_names_as_typed(name: str, hostile_dataset: Dataset) -> None:
    figure = Plots.from_dataset(hostile_dataset).figure(name)
    shown = drawn_texts(figure)  # no parser error, no RecursionError
    if name == "member_respect_leaderboard":
        assert {entry[1] for entry in MEMBERS} <= set(shown)
    if name.startswith("accumulated_team_respect"):
        legend = [text.replace(r"\$", "$") for text in legend_texts(figure)]
        assert sorted(legend) == sorted(TEAMS)  # _nolegend_ and _hidden are not left out
        assert set(TEAMS) <= set(shown)


def study_tables(value: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A study summary and final summary with one grid parameter holding ``value`` as text."""
    rows, final = [], []
    for point, team_names in ((0, value), (1, "plain")):
        for system in ("Fractal", "Plutocratic"):
            base = {"Point": point, "team_names": team_names, "System": system, "Metric": "Gini"}
            stats = {"N": 3, "Mean": 0.4 + point / 10, "SD": 0.1, "Low": 0.3, "High": 0.5}
            final.append({**base, **stats})
            for meeting in (1, 2):
                rows.append({**base, "MeetingID": meeting, **stats})
    return pd.DataFrame(rows), pd.DataFrame(final)


@pytest.mark.parametrize("value", [FRACTION, UNCLOSED, NESTED, NOLEGEND])
def test_study_figures_draw_a_hostile_grid_value_as_typed(value: str) -> None:
    summary, final = study_tables(value)
    label = f"team_names={value}"
    figures = {
        "concentration": studies_plots.concentration_figure(summary, systems=("Fractal",)),
        "heatmap": studies_plots.heatmap_figure(final),
        "fractal_vs_plutocracy": studies_plots.fractal_vs_plutocracy_figure(final),
    }
    for figure_name, figure in figures.items():
        shown = drawn_texts(figure)
        expected = value if figure_name == "heatmap" else label
        assert expected in shown, (figure_name, shown)


@pytest.mark.parametrize("command", ["plot", "report"])
def test_plot_and_report_succeed_with_hostile_names(
    command: str, hostile_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if command == "plot":
        args = ["plot", "member_respect_leaderboard", str(hostile_csv), "--out", "out.png"]
    else:
        args = ["report", str(hostile_csv), "--out", "report"]
    args[-1] = str(tmp_path / args[-1])
    status = cli.main(args)
    assert status == 0, capsys.readouterr().err
