"""The dashboard's "Measurement Quality" section: how accurately and precisely members rank
each other (:mod:`fractal_governance.measurement_quality`).

:func:`section` draws the section for one Dataset: the explanation in plain words, a toggle
for self-measurement, the members by precision, the correlations with attendance and mean
level, and interactive Altair charts (every member's accuracy with precision as error bars,
the two distributions, and the four correlations with their least-squares lines). The tables
come from the library, cached per dataset and meeting range; the section only arranges them.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from fractal_governance import columns as col
from fractal_governance import measurement_quality as mq
from fractal_governance import texts
from fractal_governance.dataset import Dataset
from fractal_governance.streamlit import charts
from fractal_governance.util import spreadsheet_csv

__all__ = [
    "HEADER",
    "LEADERBOARD_ROWS",
    "SELF_TOGGLE_KEY",
    "correlation_chart",
    "distribution_chart",
    "section",
    "uncertainty_chart",
]

#: The section's header on the page.
HEADER = "Measurement Quality"
#: Rows of the leaderboard shown on the page; the CSV download has every member.
LEADERBOARD_ROWS = 500
#: session_state key of the self-measurement toggle.
SELF_TOGGLE_KEY = "fg_measurement_self"

_TTL = 3600.0
#: ``chart(name, build)``: shows the chart ``build()`` makes (see :func:`section`).
ChartShower = Callable[[str, Callable[[], Any]], None]
_PREDICTOR_TITLES = {col.ATTENDANCE_COUNT: "Attendance Count", mq.MEAN_LEVEL: "Mean Level"}
# The members' columns the charts use.
_CHART_COLUMNS = (
    col.MEMBER_ID,
    col.NAME,
    mq.ACCURACY,
    mq.PRECISION,
    mq.COLLEAGUE_COUNT,
    *mq.PREDICTORS,
)


@st.cache_resource(show_spinner="Measuring…", max_entries=8, ttl=_TTL)
def _quality(key: str, _dataset: Dataset) -> mq.MeasurementQuality:
    """The measurement-quality tables of the dataset (and meeting range) named by ``key``."""
    return mq.MeasurementQuality.from_dataset(_dataset)


@dataclass(frozen=True)
class _Tables:
    """What the section shows for one setting of self-measurement (shared, read only)."""

    board: pd.DataFrame  # the leaderboard rows shown
    members: int  # members on the leaderboard
    csv: Callable[[], bytes]  # the whole leaderboard for the download, written on a click
    fits: pd.DataFrame
    correlations: pd.DataFrame  # as shown
    chart_members: pd.DataFrame  # what the charts need of every member


@st.cache_resource(show_spinner="Measuring…", max_entries=16, ttl=_TTL)
def _tables(key: str, include_self: bool, _dataset: Dataset) -> _Tables:
    """The section's tables for the dataset (and meeting range) named by ``key``."""
    quality = _quality(key, _dataset)
    board = quality.leaderboard(include_self)
    fits = quality.correlations(include_self)
    members = _members_with_names(quality, include_self)
    return _Tables(
        board=board.head(LEADERBOARD_ROWS),
        members=len(board),
        csv=functools.partial(_csv_bytes, board),
        fits=fits,
        correlations=_shown_correlations(fits),
        chart_members=members[[c for c in _CHART_COLUMNS if c in members.columns]],
    )


def _csv_bytes(board: pd.DataFrame) -> bytes:
    return spreadsheet_csv(board, index_label="Position").encode()


def _members_with_names(quality: mq.MeasurementQuality, include_self: bool) -> pd.DataFrame:
    board = quality.leaderboard(include_self)
    members = quality.members(include_self)
    names = board.set_index(col.MEMBER_ID)[col.NAME].reindex(members.index)
    frame = members.reset_index()
    frame.insert(1, col.NAME, names.astype("object").where(names.notna(), "").to_numpy())
    return frame


def uncertainty_chart(members: pd.DataFrame) -> charts.Chart:
    """Every member's accuracy (sorted) with accuracy ± precision as an error bar."""
    frame = members[members[mq.ACCURACY].notna()].sort_values(mq.ACCURACY, kind="stable")
    frame = frame.assign(
        Member=np.arange(1, len(frame) + 1),
        Low=frame[mq.ACCURACY] - frame[mq.PRECISION],
        High=frame[mq.ACCURACY] + frame[mq.PRECISION],
    )
    columns = [col.MEMBER_ID, col.NAME, mq.ACCURACY, mq.PRECISION, mq.COLLEAGUE_COUNT]
    return charts.Chart(_uncertainty_layout, (), (frame[[*columns, "Member", "Low", "High"]],))


def _uncertainty_layout() -> alt.TopLevelMixin:
    tooltip = [
        alt.Tooltip(f"{col.MEMBER_ID}:N"),
        alt.Tooltip(f"{col.NAME}:N"),
        alt.Tooltip(f"{mq.ACCURACY}:Q", format=".3f"),
        alt.Tooltip(f"{mq.PRECISION}:Q", format=".3f"),
        alt.Tooltip(f"{mq.COLLEAGUE_COUNT}:Q", title="Colleagues"),
    ]
    base = alt.Chart(charts.data_slot(0)).encode(
        x=alt.X("Member:Q", title="Member (sorted by accuracy)")
    )
    bars = base.mark_errorbar(opacity=0.5).encode(
        y=alt.Y("Low:Q", title="Accuracy ± precision"), y2=alt.Y2("High:Q")
    )
    points = base.mark_point(filled=True, size=25).encode(
        y=alt.Y(f"{mq.ACCURACY}:Q"), tooltip=tooltip
    )
    return (bars + points).properties(title="Measurement uncertainty per member").interactive()


def distribution_chart(members: pd.DataFrame, quantity: str) -> charts.Chart:
    """Histogram of ``quantity`` (Accuracy or Precision)."""
    return charts.Chart(_distribution_layout, (quantity,), (members[[quantity]].dropna(),))


def _distribution_layout(quantity: str) -> alt.TopLevelMixin:
    return (
        alt.Chart(charts.data_slot(0))
        .mark_bar(opacity=0.8)
        .encode(
            x=alt.X(f"{quantity}:Q", bin=alt.Bin(maxbins=30), title=quantity),
            y=alt.Y("count():Q", title="Members"),
            tooltip=[alt.Tooltip("count():Q", title="Members")],
        )
        .properties(title=f"Distribution of {quantity}")
    )


def correlation_chart(
    members: pd.DataFrame, fits: pd.DataFrame, quantity: str, predictor: str
) -> charts.Chart:
    """Members' ``quantity`` against ``predictor`` with the least-squares line; Pearson's r
    and its p-value in the title."""
    fit = fits[(fits[mq.QUANTITY] == quantity) & (fits[mq.PREDICTOR] == predictor)].iloc[0]
    title = f"{quantity} vs {_PREDICTOR_TITLES[predictor]}"
    if np.isfinite(fit[mq.R]):
        title += f": r = {texts.format_coefficient(fit[mq.R])}, p = {fit[mq.P_VALUE]:.2g}"
    frame = members.loc[members[quantity].notna(), [col.MEMBER_ID, col.NAME, predictor, quantity]]
    if not (np.isfinite(fit[mq.SLOPE]) and len(frame)):
        return charts.Chart(
            _correlation_layout, (quantity, predictor, False), (frame,), {"title": title}
        )
    ends = np.array([frame[predictor].min(), frame[predictor].max()], dtype="float64")
    line = pd.DataFrame({predictor: ends, quantity: fit[mq.SLOPE] * ends + fit[mq.INTERCEPT]})
    layout_args = (quantity, predictor, True)
    return charts.Chart(_correlation_layout, layout_args, (frame, line), {"title": title})


def _correlation_layout(quantity: str, predictor: str, line: bool) -> alt.TopLevelMixin:
    points = (
        alt.Chart(charts.data_slot(0))
        .mark_circle(size=35, opacity=0.5)
        .encode(
            x=alt.X(f"{predictor}:Q", title=_PREDICTOR_TITLES[predictor]),
            y=alt.Y(f"{quantity}:Q", title=quantity),
            tooltip=[
                alt.Tooltip(f"{col.MEMBER_ID}:N"),
                alt.Tooltip(f"{col.NAME}:N"),
                alt.Tooltip(f"{predictor}:Q", format=".2f"),
                alt.Tooltip(f"{quantity}:Q", format=".3f"),
            ],
        )
    )
    chart = points
    if line:
        chart = points + alt.Chart(charts.data_slot(1)).mark_line(color="#d62728").encode(
            x=alt.X(f"{predictor}:Q"), y=alt.Y(f"{quantity}:Q")
        )
    return chart.properties(title=charts.slot("title")).interactive()


def _shown_correlations(fits: pd.DataFrame) -> pd.DataFrame:
    """The correlation table as the page shows it (numbers formatted by texts)."""
    return pd.DataFrame(
        {
            "Quantity": fits[mq.QUANTITY],
            "Against": fits[mq.PREDICTOR].map(_PREDICTOR_TITLES),
            "Pearson r": fits[mq.R].map(texts.format_coefficient),
            "p-value": fits[mq.P_VALUE].map(
                lambda p: texts.MISSING if not np.isfinite(p) else f"{p:.2g}"
            ),
            "Slope": fits[mq.SLOPE].map(lambda v: texts.format_coefficient(v, 4)),
            "Intercept": fits[mq.INTERCEPT].map(texts.format_coefficient),
            "Members": fits[mq.MEMBER_COUNT],
        }
    )


def section(
    dataset: Dataset,
    key: str,
    chart: ChartShower | None = None,
    guard: Callable[[], AbstractContextManager[Any]] | None = None,
) -> None:
    """Draw the Measurement Quality section for ``dataset`` (``key`` names the dataset and
    meeting range for the cache). ``chart(name, build)``: how the page shows a chart that
    ``build()`` makes (the dashboard caches it by name; default: ``st.vega_lite_chart``).

    The self-measurement toggle and what it changes are a fragment: moving it reruns this
    part only, not the page; ``guard()``: the context it runs in (e.g. one that shows an
    error as the page shows a failed section; default: none)."""
    st.header(HEADER)
    st.markdown(mq.EXPLANATION)
    _measured(dataset, key, chart or _show_chart, guard or contextlib.nullcontext)


@st.fragment
def _measured(
    dataset: Dataset,
    key: str,
    show: ChartShower,
    guard: Callable[[], AbstractContextManager[Any]],
) -> None:
    """The toggle, the tables and the charts (one fragment)."""
    with guard():
        _draw_measured(dataset, key, show)


def _draw_measured(dataset: Dataset, key: str, show: ChartShower) -> None:
    include_self = st.toggle("Include self-measurement", value=True, key=SELF_TOGGLE_KEY)
    tables = _tables(key, include_self, dataset)
    members = tables.chart_members

    left, right = st.columns([3, 2])
    with left:
        st.markdown(mq.LEADERBOARD_DESCRIPTION)
        if tables.members > LEADERBOARD_ROWS:
            st.caption(f"Showing the top {LEADERBOARD_ROWS} of {tables.members} members.")
        st.dataframe(
            tables.board,
            column_config={
                mq.ACCURACY: st.column_config.NumberColumn(format="%.3f"),
                mq.PRECISION: st.column_config.NumberColumn(format="%.3f"),
                mq.COLLEAGUE_COUNT: st.column_config.NumberColumn("Colleagues"),
                mq.MEASUREMENT_COUNT: st.column_config.NumberColumn("Measurements"),
            },
        )
        st.download_button(
            "Download the measurement-quality leaderboard (CSV)",
            tables.csv,
            file_name="measurement_quality_leaderboard.csv",
            mime="text/csv",
            key="fg_download_measurement_quality",
            on_click="ignore",
        )
    with right:
        show(f"mq-uncertainty:{include_self}", lambda: uncertainty_chart(members))

    st.markdown(mq.CORRELATION_DESCRIPTION)
    st.dataframe(tables.correlations, hide_index=True)
    left, right = st.columns(2)
    with left:
        show(f"mq-accuracy:{include_self}", lambda: distribution_chart(members, mq.ACCURACY))
    with right:
        show(f"mq-precision:{include_self}", lambda: distribution_chart(members, mq.PRECISION))
    for predictor in mq.PREDICTORS:
        left, right = st.columns(2)
        for column, quantity in zip((left, right), mq.QUANTITIES, strict=True):
            with column:
                show(
                    f"mq-{quantity}-{predictor}:{include_self}",
                    functools.partial(correlation_chart, members, tables.fits, quantity, predictor),
                )


def _show_chart(name: str, build: Callable[[], Any]) -> None:
    st.vega_lite_chart(charts.to_page_spec(build()), width="stretch")
