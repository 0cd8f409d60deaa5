"""Figures of a fractal's Dataset, built with matplotlib's object-oriented API only.

Every figure is a :class:`matplotlib.figure.Figure` created directly (never through
``matplotlib.pyplot``), so building figures registers nothing with pyplot's global state: a
long-running dashboard does not leak figures, and one figure never depends on what was drawn
before. Figures are built from the Dataset's derived tables only and cached per ``Plots`` object.

The one exception is a Jupyter notebook that uses pyplot: in an IPython kernel whose pyplot
(already imported by the user) shows figures inline, each new figure is also handed to pyplot,
as ``plt.figure()`` would, so that ``plt.show()`` at the end of a cell displays the figures
the cell built (the upstream notebooks end their figure cells so). Without pyplot imported, or
outside such a kernel, nothing is registered.

Bars are drawn as one polygon collection per series rather than one patch per bar: a dataset with
thousands of meetings then still builds and renders in a fraction of a second.

Examples
--------
>>> plots = Plots.from_csv("genesis-weekly_rank.csv")  # doctest: +SKIP
>>> plots.attendance_vs_time.savefig("attendance.png")  # doctest: +SKIP
>>> plots.save_all("figures")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import os
import sys
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, cast

import matplotlib.colors
import matplotlib.dates
import matplotlib.ticker
import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from fractal_governance.columns import (
    ACCUMULATED_RESPECT,
    ACCUMULATED_RESPECT_NEW_MEMBER,
    ACCUMULATED_RESPECT_RETURNING_MEMBER,
    ATTENDANCE_COUNT,
    GINI,
    MEAN,
    MEETING_DATE,
    MEMBER_ID,
    NAME,
    NEW_MEMBER_COUNT,
    POPULATION_SHARE,
    RESPECT_SHARE,
    RETURNING_MEMBER_COUNT,
    STANDARD_DEVIATION,
    TEAM_NAME,
)
from fractal_governance.dataset import Dataset
from fractal_governance.measurement_quality import (
    ACCURACY,
    MEAN_LEVEL,
    PRECISION,
    MeasurementQuality,
)
from fractal_governance.texts import plot_text

__all__ = [
    "DATE_FORMAT",
    "FIGSIZE",
    "MEASUREMENT_PLOT_NAMES",
    "NO_TEAMS_NOTE",
    "PLOT_NAMES",
    "Plots",
]

#: Names of the figure properties of :class:`Plots`, in display order.
PLOT_NAMES: tuple[str, ...] = (
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

#: Names of the measurement-quality figure properties of :class:`Plots`, in display order.
#: They are kept apart from :data:`PLOT_NAMES` (what ``save_all``, the report and the ``plot``
#: command produce by default): ``figure(name)`` and ``save_all(..., names=...)`` accept them.
MEASUREMENT_PLOT_NAMES: tuple[str, ...] = (
    "measurement_quality_by_member",
    "measurement_accuracy_distribution",
    "measurement_precision_distribution",
    "measurement_accuracy_vs_attendance",
    "measurement_precision_vs_attendance",
    "measurement_accuracy_vs_mean_level",
    "measurement_precision_vs_mean_level",
)

#: Format of dates on x-axes, e.g. ``Feb 26 2022``.
DATE_FORMAT = "%b %d %Y"
#: Size of every figure in inches.
FIGSIZE = (10.0, 6.0)
#: Text shown instead of a team figure when no attendee belongs to a team.
NO_TEAMS_NOTE = "No team data: none of the attendees in this dataset belongs to a team."
#: How many members the leaderboard figure shows.
LEADERBOARD_SIZE = 20

# Series colours shared by the figures that split members into returning and new.
_RETURNING_COLOR = "C0"
_NEW_COLOR = "C1"
# Fraction of the spacing between meetings that a bar (or a group of team bars) covers.
_BAR_FILL = 0.8
# Lines with more points than this are drawn without markers (they would merge into a band).
_MAX_MARKERS = 200
# Meetings without dates are placed at 1970-01-01 + (meeting - 1) days and labelled by number.
_NUMBER_EPOCH = datetime.date(1970, 1, 1)
_EPOCH_NUMBER = float(matplotlib.dates.date2num(datetime.datetime(1970, 1, 1)))
# Extra room above the tallest bar for an in-axes legend.
_LEGEND_HEADROOM = 1.25

FloatArray = npt.NDArray[np.float64]


@dataclasses.dataclass(frozen=True, eq=False)
class Plots:
    """The figures of one :class:`~fractal_governance.dataset.Dataset`.

    Each figure property builds its :class:`~matplotlib.figure.Figure` on first access and returns
    the same object afterwards. Figures are not registered with pyplot (except in a notebook
    that uses pyplot inline, where ``plt.show()`` displays them); display them in a notebook
    by returning them from a cell, in Streamlit with ``st.pyplot(fig)``, or save them with
    ``fig.savefig`` / :meth:`save_all`.

    Parameters
    ----------
    dataset : Dataset
        The data to plot.
    """

    dataset: Dataset

    PLOT_NAMES: ClassVar[tuple[str, ...]] = PLOT_NAMES

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> Plots:
        """Return the figures of ``dataset``."""
        return cls(dataset=dataset)

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str], **kwargs: Any) -> Plots:
        """Load a weekly consensus CSV with ``Dataset.from_csv(path, **kwargs)`` and plot it."""
        return cls(dataset=Dataset.from_csv(path, **kwargs))

    def figure(self, name: str) -> Figure:
        """Return the figure called ``name`` (one of :data:`PLOT_NAMES` or
        :data:`MEASUREMENT_PLOT_NAMES`)."""
        if name not in PLOT_NAMES and name not in MEASUREMENT_PLOT_NAMES:
            raise KeyError(
                f"unknown plot {name!r}; expected one of "
                f"{', '.join((*PLOT_NAMES, *MEASUREMENT_PLOT_NAMES))}"
            )
        figure: Figure = getattr(self, name)
        return figure

    def save_all(
        self,
        directory: str | os.PathLike[str],
        format: str = "png",
        *,
        names: Sequence[str] | None = None,
    ) -> list[Path]:
        """Write every figure to ``directory`` as ``<property name>.<format>``.

        The directory is created if needed. ``names`` (default :data:`PLOT_NAMES`) chooses the
        figures, e.g. :data:`MEASUREMENT_PLOT_NAMES`. Returns the written paths in that order.
        """
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in PLOT_NAMES if names is None else names:
            path = target / f"{name}.{format}"
            self.figure(name).savefig(path, format=format)
            paths.append(path)
        return paths

    # ----------------------------------------------------------------------------------------
    # Shared data

    @functools.cached_property
    def team_colors(self) -> Mapping[str, str]:
        """Colour (hex string) of each team, assigned in team leaderboard order.

        Every team figure uses these colours, so a team looks the same everywhere. The mapping is
        read-only and deterministic for a given dataset.
        """
        teams = self._team_order
        if len(teams) <= 10:
            palette = [colormaps["tab10"](i) for i in range(len(teams))]
        elif len(teams) <= 20:
            palette = [colormaps["tab20"](i) for i in range(len(teams))]
        else:
            palette = list(colormaps["turbo"](np.linspace(0.05, 0.95, len(teams))))
        return types.MappingProxyType(
            {
                team: matplotlib.colors.to_hex(color)
                for team, color in zip(teams, palette, strict=True)
            }
        )

    @functools.cached_property
    def _team_order(self) -> tuple[str, ...]:
        """Team names in leaderboard order, then any team missing from the leaderboard."""
        leaders = [str(team) for team in self.dataset.df_team_leader_board.index]
        seen = set(leaders)
        others = {
            str(team)
            for team in self._timeline.df_team_respect_by_meeting_date[TEAM_NAME].dropna().unique()
        }
        return tuple(leaders + sorted(others - seen))

    @functools.cached_property
    def _meeting_dates(self) -> pd.DatetimeIndex:
        """Every meeting date of the dataset, ascending."""
        table = self._timeline.df_member_attendance_new_and_returning_by_meeting
        return pd.DatetimeIndex(table[MEETING_DATE]).sort_values()

    @functools.cached_property
    def _bar_width(self) -> float:
        """Width in days of a bar (or group of bars) on a date axis."""
        return _BAR_FILL * _date_spacing(self._meeting_dates)

    @functools.cached_property
    def _accumulated_team_respect(self) -> pd.DataFrame:
        """Cumulative Respect of each team (columns, in team order) at every meeting date."""
        table = self._timeline.df_team_respect_by_meeting_date
        per_meeting = table.pivot_table(
            index=MEETING_DATE,
            columns=TEAM_NAME,
            values=ACCUMULATED_RESPECT,
            aggfunc="sum",
            fill_value=0,
            observed=True,
        )
        per_meeting.columns = [str(team) for team in per_meeting.columns]
        per_meeting = per_meeting.reindex(
            index=self._meeting_dates, columns=list(self._team_order), fill_value=0
        )
        return per_meeting.astype("float64").cumsum()

    @functools.cached_property
    def _dates_unknown(self) -> bool:
        """Whether the meeting dates are unknown (no MeetingDate and no calendar)."""
        table = self.dataset.df_member_attendance_new_and_returning_by_meeting
        return bool(len(table)) and bool(table[MEETING_DATE].isna().any())

    @functools.cached_property
    def _timeline(self) -> Dataset:
        """The dataset the figures over time read: the dataset itself when its meetings have
        dates; else a copy whose meeting N sits N - 1 days after 1970-01-01, only so that the
        same drawing code can place the meetings, with the axis labelled by meeting number
        (:meth:`_date_axis`); no date is shown."""
        if not self._dates_unknown:
            return self.dataset
        profile = self.dataset.profile.with_calendar(
            first_meeting_date=_NUMBER_EPOCH, meeting_interval_days=1
        )
        return self.dataset.with_profile(profile)

    def _date_axis(self, ax: Axes) -> None:
        """Format the x-axis as dates spanning every meeting, so that all time figures align;
        by meeting number when the dates are unknown."""
        if self._dates_unknown:
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, nbins=12))
            ax.xaxis.set_major_formatter(
                matplotlib.ticker.FuncFormatter(lambda x, _: f"{round(x - _EPOCH_NUMBER) + 1:d}")
            )
            ax.set_xlabel("Meeting (dates unknown)")
        else:
            _format_date_axis(ax)
        if len(self._meeting_dates):
            first, last = _date_numbers(self._meeting_dates[[0, -1]])
            margin = self._bar_width
            ax.set_xlim(first - margin, last + margin)

    @property
    def _has_teams(self) -> bool:
        return bool(self.dataset.has_teams) and len(self._team_order) > 0

    # ----------------------------------------------------------------------------------------
    # Attendance

    @functools.cached_property
    def attendance_vs_time(self) -> Figure:
        """Bar per meeting: how many members attended."""
        table = self._timeline.df_member_attendance_new_and_returning_by_meeting
        attendees = table[NEW_MEMBER_COUNT].to_numpy("float64") + table[
            RETURNING_MEMBER_COUNT
        ].to_numpy("float64")
        figure, ax = _new_figure("Attendance vs Time", "Meeting Date", "Attendees")
        _date_bars(
            ax, table[MEETING_DATE], attendees, width=self._bar_width, color="C0", label="Attendees"
        )
        self._date_axis(ax)
        return figure

    @functools.cached_property
    def attendance_vs_time_stacked(self) -> Figure:
        """Stacked bars per meeting: returning members below, new members on top."""
        table = self._timeline.df_member_attendance_new_and_returning_by_meeting
        returning = table[RETURNING_MEMBER_COUNT].to_numpy("float64")
        new = table[NEW_MEMBER_COUNT].to_numpy("float64")
        figure, ax = _new_figure(
            "New and Returning Attendance vs Time", "Meeting Date", "Attendees"
        )
        dates = table[MEETING_DATE]
        width = self._bar_width
        _date_bars(
            ax, dates, returning, width=width, color=_RETURNING_COLOR, label="Returning Members"
        )
        _date_bars(
            ax, dates, new, bottom=returning, width=width, color=_NEW_COLOR, label="New Members"
        )
        self._date_axis(ax)
        _legend_with_headroom(ax, returning + new)
        return figure

    @functools.cached_property
    def attendance_consistency_histogram(self) -> Figure:
        """Histogram of meetings attended per member, one bin per possible count."""
        counts = (
            self.dataset.df_member_summary_stats_by_member_id[ATTENDANCE_COUNT]
            .to_numpy("int64")
            .clip(min=0)
        )
        highest = max(int(self.dataset.total_meetings), int(counts.max(initial=0)), 1)
        members = np.bincount(counts, minlength=highest + 1)[1:].astype("float64")
        attended = np.arange(1, highest + 1, dtype="float64")
        figure, ax = _new_figure(
            "Consistency of Attendance", "Meetings Attended per Member", "Members"
        )
        _bars(ax, attended, members, width=_BAR_FILL, color="C0", label="Members")
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        return figure

    # ----------------------------------------------------------------------------------------
    # Member Respect

    @functools.cached_property
    def accumulated_member_respect_vs_time(self) -> Figure:
        """Bar per meeting: total member Respect earned up to and including that meeting."""
        table = self._timeline.df_member_respect_new_and_returning_by_meeting
        accumulated = np.cumsum(table[ACCUMULATED_RESPECT].to_numpy("float64"))
        figure, ax = _new_figure(
            "Accumulated Member Respect vs Time", "Meeting Date", "Accumulated Member Respect"
        )
        _date_bars(
            ax,
            table[MEETING_DATE],
            accumulated,
            width=self._bar_width,
            color="C0",
            label="Accumulated Member Respect",
        )
        self._date_axis(ax)
        return figure

    @functools.cached_property
    def accumulated_member_respect_vs_time_stacked(self) -> Figure:
        """Accumulated member Respect per meeting, split into returning and new members."""
        table = self._timeline.df_member_respect_new_and_returning_by_meeting
        returning = np.cumsum(table[ACCUMULATED_RESPECT_RETURNING_MEMBER].to_numpy("float64"))
        new = np.cumsum(table[ACCUMULATED_RESPECT_NEW_MEMBER].to_numpy("float64"))
        figure, ax = _new_figure(
            "Accumulated Member Respect vs Time: New and Returning",
            "Meeting Date",
            "Accumulated Member Respect",
        )
        dates = table[MEETING_DATE]
        width = self._bar_width
        _date_bars(
            ax, dates, returning, width=width, color=_RETURNING_COLOR, label="Returning Members"
        )
        _date_bars(
            ax, dates, new, bottom=returning, width=width, color=_NEW_COLOR, label="New Members"
        )
        self._date_axis(ax)
        _legend_with_headroom(ax, returning + new)
        return figure

    # ----------------------------------------------------------------------------------------
    # Teams

    @functools.cached_property
    def accumulated_team_respect_vs_time(self) -> Figure:
        """Side-by-side bars per meeting: each team's cumulative Respect."""
        figure, ax = _new_figure(
            "Accumulated Team Respect vs Time", "Meeting Date", "Accumulated Team Respect"
        )
        if not self._has_teams:
            _note(ax, NO_TEAMS_NOTE)
            return figure
        accumulated = self._accumulated_team_respect
        teams = list(accumulated.columns)
        dates = accumulated.index
        group = self._bar_width
        width = group / len(teams)
        handles = []
        for position, team in enumerate(teams):
            offset = (position - (len(teams) - 1) / 2) * width
            handles.append(
                _date_bars(
                    ax,
                    dates,
                    accumulated[team].to_numpy("float64"),
                    width=width,
                    offset=offset,
                    color=self.team_colors[team],
                    label=plot_text(team),
                )
            )
        self._date_axis(ax)
        _outside_legend(ax, "Team", handles)
        return figure

    @functools.cached_property
    def accumulated_team_respect_vs_time_stacked(self) -> Figure:
        """Stacked bars per meeting of each team's cumulative Respect, leader at the bottom."""
        figure, ax = _new_figure(
            "Accumulated Team Respect vs Time, Stacked", "Meeting Date", "Accumulated Team Respect"
        )
        if not self._has_teams:
            _note(ax, NO_TEAMS_NOTE)
            return figure
        accumulated = self._accumulated_team_respect
        bottom = np.zeros(len(accumulated), dtype="float64")
        handles = []
        for team in accumulated.columns:
            values = accumulated[team].to_numpy("float64")
            handles.append(
                _date_bars(
                    ax,
                    accumulated.index,
                    values,
                    bottom=bottom,
                    width=self._bar_width,
                    color=self.team_colors[team],
                    label=plot_text(team),
                )
            )
            bottom = bottom + values
        self._date_axis(ax)
        _outside_legend(ax, "Team", handles)
        return figure

    @functools.cached_property
    def team_representation_vs_time(self) -> Figure:
        """Bar per meeting: the share of attendees who belong to a team (undefined ones omitted)."""
        figure, ax = _new_figure(
            "Team Representation vs Time", "Meeting Date", "Team Representation"
        )
        representation = self._timeline.df_team_representation_by_date.dropna()
        if not self._has_teams or representation.empty:
            _note(ax, NO_TEAMS_NOTE)
            return figure
        _date_bars(
            ax,
            pd.Series(representation.index),
            representation.to_numpy("float64"),
            width=self._bar_width,
            color="C0",
            label="Team Representation",
        )
        ax.set_ylim(0.0, 1.05)
        self._date_axis(ax)
        return figure

    # ----------------------------------------------------------------------------------------
    # Rank, fairness, leaderboard

    @property
    def attendance_count_vs_level(self) -> Figure:
        """:attr:`attendance_count_vs_rank` by the upstream's later name (levels were called
        ranks at first): the same figure."""
        return self.attendance_count_vs_rank

    @functools.cached_property
    def attendance_count_vs_rank(self) -> Figure:
        """Mean rank per attendance count with SD error bars and the least-squares line.

        The line is the ordinary least-squares fit (``scipy.stats.linregress``) of the mean ranks
        against the attendance counts; its label gives the equation with the standard errors of
        slope and intercept.
        """
        table = self.dataset.df_member_rank_by_attendance_count
        table = table[table[MEAN].notna()]
        x = table[ATTENDANCE_COUNT].to_numpy("float64")
        y = table[MEAN].to_numpy("float64")
        spread = table[STANDARD_DEVIATION].to_numpy("float64")
        figure, ax = _new_figure("Attendance Count vs Rank", "Attendance Count", "Mean Rank")
        ax.errorbar(
            x,
            y,
            yerr=np.nan_to_num(spread, nan=0.0),  # one rank alone has no spread: no error bar
            fmt="o",
            color="C0",
            ecolor="C0",
            capsize=3,
            label="Mean rank ± standard deviation",
        )
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        if x.size:
            ax.set_xlim(x.min() - 1, x.max() + 1)
        if np.unique(x).size >= 2:
            import scipy.stats  # imported here: it is slow to import and only this plot needs it

            fit = scipy.stats.linregress(x, y)
            line_x = np.array([x.min() - 0.5, x.max() + 0.5])
            ax.plot(
                line_x,
                fit.slope * line_x + fit.intercept,
                color="C3",
                label=regression_label(fit.slope, fit.stderr, fit.intercept, fit.intercept_stderr),
            )
        else:
            _note(ax, "A least-squares line needs at least two distinct attendance counts.", y=0.9)
        ax.legend(loc="upper left")
        low, high = ax.get_ylim()
        ax.set_ylim(min(0.0, low), high + 0.25 * (high - min(0.0, low)))
        return figure

    @functools.cached_property
    def respect_lorenz_curve(self) -> Figure:
        """Lorenz curve of accumulated member Respect against the line of equality."""
        curve = self.dataset.df_lorenz_curve
        gini = float(self.dataset.respect_distribution.gini)
        figure, ax = _new_figure(
            "Lorenz Curve of Member Respect",
            "Cumulative Share of Members",
            "Cumulative Share of Respect",
        )
        ax.plot([0.0, 1.0], [0.0, 1.0], color="0.5", linestyle="--", label="Line of equality")
        population = curve[POPULATION_SHARE].to_numpy("float64")
        respect = curve[RESPECT_SHARE].to_numpy("float64")
        ax.plot(population, respect, color="C0", label=f"Lorenz curve (Gini = {gini:.3f})")
        ax.fill_between(population, respect, population, color="C0", alpha=0.15, linewidth=0)
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(0.0, 1.0)
        ax.set_aspect("equal")
        ax.legend(loc="upper left")
        return figure

    @functools.cached_property
    def gini_vs_time(self) -> Figure:
        """Gini coefficient of all member Respect accumulated up to each meeting."""
        table = self._timeline.df_gini_by_meeting
        figure, ax = _new_figure(
            "Gini Coefficient of Member Respect vs Time", "Meeting Date", "Gini Coefficient"
        )
        dates = _date_numbers(table[MEETING_DATE])
        marker = "o" if len(dates) <= _MAX_MARKERS else None
        ax.plot(dates, table[GINI].to_numpy("float64"), marker=marker, markersize=3, color="C0")
        ax.set_ylim(0.0, 1.0)
        self._date_axis(ax)
        return figure

    @functools.cached_property
    def member_respect_leaderboard(self) -> Figure:
        """Horizontal bars of the top 20 members by accumulated Respect, highest on top.

        Ties keep the order of ``Dataset.df_member_leader_board``.
        """
        board = self.dataset.df_member_leader_board
        top = board.sort_values(ACCUMULATED_RESPECT, ascending=False, kind="stable").head(
            LEADERBOARD_SIZE
        )
        labels = member_labels(top[MEMBER_ID], top[NAME])
        respect = top[ACCUMULATED_RESPECT].to_numpy("float64")
        figure, ax = _new_figure(
            f"Top {len(top)} Members by Accumulated Respect", "Accumulated Respect", "Member"
        )
        positions = np.arange(len(top), dtype="float64")
        bars = ax.barh(positions, respect, height=_BAR_FILL, color="C0")
        ax.bar_label(bars, labels=[f"{value:g}" for value in respect], padding=3)
        ax.set_yticks(positions, labels=[plot_text(label) for label in labels])
        ax.invert_yaxis()
        ax.margins(x=0.1)
        return figure

    # ----------------------------------------------------------------------------------------
    # Measurement quality (see fractal_governance.measurement_quality)

    @functools.cached_property
    def measurement_quality(self) -> MeasurementQuality:
        """The measurement-quality tables the figures below draw."""
        return MeasurementQuality.from_dataset(self.dataset)

    @functools.cached_property
    def measurement_quality_by_member(self) -> Figure:
        """Every member's accuracy, sorted, with precision as error bars; without and with
        self-measurement."""
        figure, ax = _new_figure(
            "Measurement Uncertainty per Member",
            "Member (sorted by accuracy)",
            "Level difference: accuracy ± precision",
        )
        ax.axhline(0.0, color="0.5", linewidth=0.8)
        for include_self in (False, True):
            table = self.measurement_quality.members(include_self)
            table = table[table[ACCURACY].notna()].sort_values(ACCURACY, kind="stable")
            ax.errorbar(
                np.arange(len(table), dtype="float64"),
                table[ACCURACY].to_numpy("float64"),
                yerr=table[PRECISION].to_numpy("float64"),
                fmt="o",
                markersize=3,
                alpha=0.5,
                color=_SELF_COLORS[include_self],
                label=_self_label(include_self),
            )
        ax.legend(loc="upper left")
        return figure

    @functools.cached_property
    def measurement_accuracy_distribution(self) -> Figure:
        """Histogram of accuracy, without and with self-measurement, with normal fits."""
        return self._measurement_distribution(ACCURACY)

    @functools.cached_property
    def measurement_precision_distribution(self) -> Figure:
        """Histogram of precision, without and with self-measurement, with normal fits."""
        return self._measurement_distribution(PRECISION)

    @functools.cached_property
    def measurement_accuracy_vs_attendance(self) -> Figure:
        """Accuracy against attendance count, with the least-squares lines."""
        return self._measurement_correlation(ACCURACY, ATTENDANCE_COUNT)

    @functools.cached_property
    def measurement_precision_vs_attendance(self) -> Figure:
        """Precision against attendance count, with the least-squares lines."""
        return self._measurement_correlation(PRECISION, ATTENDANCE_COUNT)

    @functools.cached_property
    def measurement_accuracy_vs_mean_level(self) -> Figure:
        """Accuracy against mean level, with the least-squares lines."""
        return self._measurement_correlation(ACCURACY, MEAN_LEVEL)

    @functools.cached_property
    def measurement_precision_vs_mean_level(self) -> Figure:
        """Precision against mean level, with the least-squares lines."""
        return self._measurement_correlation(PRECISION, MEAN_LEVEL)

    def _measurement_distribution(self, quantity: str) -> Figure:
        """Density histograms of ``quantity`` with the normal distribution of the same mean
        and (sample) standard deviation drawn over each."""
        figure, ax = _new_figure(
            f"Distribution of {quantity}", f"{quantity} (level difference)", "Density"
        )
        series = [
            self.measurement_quality.members(include_self)[quantity].dropna().to_numpy("float64")
            for include_self in (False, True)
        ]
        every = np.concatenate(series)
        if not every.size:
            _note(ax, "No member shared a group with a colleague.")
            return figure
        low, high = float(every.min()), float(every.max())
        if high == low:
            low, high = low - 0.5, high + 0.5
        bins = np.linspace(low, high, 31)
        grid = np.linspace(low, high, 200)
        for include_self, values in zip((False, True), series, strict=True):
            color = _SELF_COLORS[include_self]
            mean = float(values.mean()) if values.size else float("nan")
            sd = float(values.std(ddof=1)) if values.size > 1 else float("nan")
            label = f"{_self_label(include_self)}: mean {mean:.3f}, sd {sd:.3f}"
            ax.hist(values, bins=bins.tolist(), density=True, alpha=0.45, color=color, label=label)
            if np.isfinite(sd) and sd > 0:
                density = np.exp(-0.5 * ((grid - mean) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))
                ax.plot(grid, density, color=color)
        ax.legend(loc="upper right")
        return figure

    def _measurement_correlation(self, quantity: str, predictor: str) -> Figure:
        """Members' ``quantity`` against ``predictor``, with each series' least-squares line
        and Pearson's r and p-value in its label."""
        label_of = {ATTENDANCE_COUNT: "Attendance Count", MEAN_LEVEL: "Mean Level"}
        figure, ax = _new_figure(
            f"{quantity} vs {label_of[predictor]}", label_of[predictor], quantity
        )
        if predictor == ATTENDANCE_COUNT:
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        for include_self in (False, True):
            quality = self.measurement_quality
            table = quality.members(include_self)
            fits = quality.correlations(include_self)
            fit = fits[(fits["Quantity"] == quantity) & (fits["Predictor"] == predictor)].iloc[0]
            color = _SELF_COLORS[include_self]
            x = table[predictor].to_numpy("float64")
            y = table[quantity].to_numpy("float64")
            label = _self_label(include_self)
            if np.isfinite(fit["R"]):
                label += f": r = {fit['R']:.3f} (p = {fit['PValue']:.2g})"
            ax.scatter(x, y, s=14, alpha=0.45, color=color, label=label)
            if np.isfinite(fit["Slope"]):
                finite = np.isfinite(x) & np.isfinite(y)
                line_x = np.array([x[finite].min(), x[finite].max()])
                ax.plot(line_x, fit["Slope"] * line_x + fit["Intercept"], color=color)
        ax.legend(loc="upper right")
        return figure


# Colours of the series without and with self-measurement.
_SELF_COLORS = {False: "C0", True: "C1"}


def _self_label(include_self: bool) -> str:
    return "with self-measurement" if include_self else "without self-measurement"


# --------------------------------------------------------------------------------------------
# Helpers (module level so that they are easy to test and reuse)


def regression_label(slope: float, slope_err: float, intercept: float, intercept_err: float) -> str:
    """Equation of a fitted line with the standard errors of its parameters."""
    return (
        f"Least squares: y = ({slope:.3g} ± {slope_err:.2g}) x "
        f"+ ({intercept:.3g} ± {intercept_err:.2g})"
    )


def member_labels(member_ids: pd.Series, names: pd.Series) -> list[str]:
    """Display label of each member: the name, with the MemberID where names are missing or
    repeated (two members may share a display name)."""
    ids = [str(member_id) for member_id in member_ids]
    shown = [str(name) if pd.notna(name) and str(name).strip() else "" for name in names]
    repeated = {name for name in shown if name and shown.count(name) > 1}
    return [
        member_id if not name else (f"{name} ({member_id})" if name in repeated else name)
        for member_id, name in zip(ids, shown, strict=True)
    ]


def _new_figure(title: str, xlabel: str, ylabel: str) -> tuple[Figure, Axes]:
    """A pyplot-free figure with one Axes, titled and labelled (handed to pyplot only in a
    notebook that shows pyplot's figures inline: :func:`_register_in_notebook`)."""
    figure = Figure(figsize=FIGSIZE, layout="constrained")
    _register_in_notebook(figure)
    ax = figure.add_subplot()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return figure, ax


def _register_in_notebook(figure: Figure) -> bool:
    """Hand ``figure`` to pyplot when this process is an IPython kernel whose pyplot, already
    imported by the user, shows figures inline; return whether it did.

    Registered as ``plt.figure()`` registers a figure (the inline backend's figure manager,
    then pyplot's list of open figures), the figure is displayed by ``plt.show()`` or at the
    end of the cell and then closed by pyplot, as any pyplot figure. Anywhere else (a script,
    a server, a test, a notebook that does not import pyplot) nothing is registered, so no
    figure stays open.
    """
    pyplot = sys.modules.get("matplotlib.pyplot")
    ipython = sys.modules.get("IPython")
    if pyplot is None or ipython is None:
        return False
    shell = ipython.get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:  # no kernel: plain or terminal
        return False
    backend = str(matplotlib.get_backend(auto_select=False) or "")
    if backend not in ("inline", "module://matplotlib_inline.backend_inline"):
        return False
    # Loaded as pyplot loads its backend on first use (which also sets up inline display).
    from matplotlib._pylab_helpers import Gcf
    from matplotlib.backends.registry import backend_registry

    inline = backend_registry.load_backend_module(backend)

    number = max(pyplot.get_fignums(), default=0) + 1
    # What pyplot.figure() does with a new figure's manager ("adopt it into pyplot").
    Gcf._set_new_active_manager(inline.new_figure_manager_given_figure(number, figure))
    return True


def _date_numbers(dates: pd.Series | pd.Index) -> FloatArray:
    """Matplotlib date numbers (days) of ``dates``."""
    values = pd.DatetimeIndex(dates).to_numpy(dtype="datetime64[ns]")
    return np.asarray(matplotlib.dates.date2num(values), dtype="float64")


def _date_spacing(dates: pd.DatetimeIndex) -> float:
    """Smallest gap in days between distinct dates (a week when there is only one date)."""
    numbers = np.unique(_date_numbers(dates))
    gaps = np.diff(numbers)
    gaps = gaps[gaps > 0]
    return float(gaps.min()) if gaps.size else 7.0


def _bars(
    ax: Axes,
    x: FloatArray,
    height: FloatArray,
    *,
    width: float,
    bottom: FloatArray | None = None,
    color: str,
    label: str | None = None,
) -> PolyCollection:
    """Draw vertical bars centred on ``x`` as one polygon collection.

    One collection instead of one Rectangle per bar keeps figures with thousands of bars fast to
    build and render. Bars with a missing height are left out. Each bar is a polygon with corners
    (left, bottom), (left, top), (right, top), (right, bottom).
    """
    x = np.asarray(x, dtype="float64")
    height = np.asarray(height, dtype="float64")
    base = np.zeros_like(height) if bottom is None else np.asarray(bottom, dtype="float64")
    keep = np.isfinite(x) & np.isfinite(height) & np.isfinite(base)
    x, height, base = x[keep], height[keep], base[keep]
    left, right = x - width / 2, x + width / 2
    top = base + height
    corners = np.stack(
        [
            np.column_stack([left, base]),
            np.column_stack([left, top]),
            np.column_stack([right, top]),
            np.column_stack([right, base]),
        ],
        axis=1,
    )
    # An (n, 4, 2) array takes PolyCollection's fast path; the stubs only know sequences.
    collection = PolyCollection(
        cast(Sequence[FloatArray], corners),
        closed=True,
        facecolors=color,
        edgecolors="none",
        linewidths=0,
    )
    if label is not None:
        collection.set_label(label)
    collection.sticky_edges.y.append(0.0)
    ax.add_collection(collection)
    ax.autoscale_view()
    return collection


def _date_bars(
    ax: Axes,
    dates: pd.Series | pd.Index,
    height: FloatArray,
    *,
    width: float,
    offset: float = 0.0,
    bottom: FloatArray | None = None,
    color: str,
    label: str | None = None,
) -> PolyCollection:
    """Bars centred on ``dates`` (shifted by ``offset`` days) on a date x-axis."""
    ax.xaxis_date()
    return _bars(
        ax,
        _date_numbers(dates) + offset,
        height,
        width=width,
        bottom=bottom,
        color=color,
        label=label,
    )


def _format_date_axis(ax: Axes) -> None:
    """Dates on the x-axis read like ``Feb 26 2022``, tilted so that they do not overlap."""
    ax.xaxis_date()
    ax.xaxis.set_major_locator(matplotlib.dates.AutoDateLocator(maxticks=12))
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter(DATE_FORMAT))
    ax.tick_params(axis="x", labelrotation=30, labelrotation_mode="xtick")


def _legend_with_headroom(ax: Axes, totals: FloatArray) -> None:
    """A legend in the upper left with the y-axis raised so that it does not cover bars."""
    highest = float(np.nanmax(totals)) if np.isfinite(totals).any() else 0.0
    if highest > 0:
        ax.set_ylim(0.0, highest * _LEGEND_HEADROOM)
    ax.legend(loc="upper left")


def _outside_legend(ax: Axes, title: str, handles: Sequence[PolyCollection]) -> None:
    """A legend of ``handles`` (with their labels) to the right of the axes (team lists can be
    long). Given explicitly, so that a label starting with ``_`` (a team named
    ``_nolegend_``) is shown: matplotlib leaves such labels out of automatic legends."""
    ax.legend(
        handles=list(handles),
        labels=[str(handle.get_label()) for handle in handles],
        title=title,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        borderaxespad=0.0,
    )


def _note(ax: Axes, text: str, *, y: float = 0.5) -> None:
    """An explanatory note centred in the axes (used when there is nothing to draw)."""
    ax.text(
        0.5,
        y,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        wrap=True,
        fontsize=12,
        color="0.3",
    )
    if y == 0.5:
        ax.set_xticks([])
        ax.set_yticks([])
