"""The dashboard's interactive Altair charts, one per idea, built from the Dataset's tables.

Every chart over meetings has the same x-axis: the meeting date when the dates are known
(ticks on meeting dates, :data:`texts.DATE_FORMAT`), else the meeting number, so that nothing
claims a date the data does not give. Tooltips name the meeting (number and date) and give the
exact values; time axes zoom and pan (drag, wheel; double-click resets). Text is at least 11 px
(:func:`style`), so the charts stay readable at phone width.

The functions are pure (tables in, charts out); the page caches the tables they are built from.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from fractal_governance import texts

__all__ = [
    "FONT_SIZE",
    "NEW",
    "RETURNING",
    "accumulated_respect_chart",
    "attendance_chart",
    "attendance_consistency_chart",
    "gini_chart",
    "lorenz_chart",
    "meeting_frame",
    "member_rank_chart",
    "member_respect_chart",
    "rank_vs_attendance_chart",
    "style",
    "team_representation_chart",
    "team_respect_chart",
    "to_spec",
    "with_arrow_data",
]

#: Smallest text size of the charts, in pixels (axis labels, legends, tooltips' source).
FONT_SIZE = 12
RETURNING = "Returning members"
NEW = "New members"
_SERIES_COLORS = {RETURNING: "#1f77b4", NEW: "#ff7f0e"}  # the matplotlib figures' C0, C1
_HEIGHT = 300
# Most tick labels on a date axis; more meetings than this get ticks on some of their dates.
_MAX_POINTS_LORENZ = 1_000


#: Readable text sizes (>= :data:`FONT_SIZE` px), legends on top, titles on the left.
CONFIG = {
    "axis": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE + 1, "labelLimit": 180},
    "legend": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "orient": "top"},
    "title": {"fontSize": FONT_SIZE + 3, "anchor": "start"},
    "header": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE},
}


def style(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """:data:`CONFIG` and the responsive width (one copy of the chart, not one per part)."""
    return chart.properties(width="container", height=_HEIGHT, config=CONFIG)


# Records of the charts' data, by name, until to_spec puts them into the specification: Altair
# never walks or copies them (most of its time on a chart would go there).
_RECORDS: dict[str, list[dict[str, object]]] = {}


def _name_frames(chart: Any) -> None:
    """Replace the DataFrames of ``chart`` and its layers (built by any module's chart
    functions) with named datasets (:func:`data`), so that Altair never converts them."""
    if isinstance(getattr(chart, "data", None), pd.DataFrame):
        chart.data = data(chart.data)
    for part in ("layer", "hconcat", "vconcat", "concat"):
        children = getattr(chart, part, alt.Undefined)
        if isinstance(children, list):
            for child in children:
                _name_frames(child)


def data(frame: pd.DataFrame) -> alt.NamedData:
    """``frame`` as a named dataset: its records, converted by pandas' JSON writer (dates as
    ISO text without a time zone, which Vega reads as local dates; NaN as null), are added
    by :func:`to_spec`."""
    name = f"fg-{uuid.uuid4().hex}"
    _RECORDS[name] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return alt.NamedData(name=name)


def to_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite specification of ``chart`` with its datasets inlined (no validation:
    the charts are checked by the tests)."""
    _name_frames(chart)
    spec: dict[str, Any] = chart.to_dict(validate=False)
    names = set(re.findall(r'"name": "(fg-[0-9a-f]{32})"', json.dumps(spec)))
    datasets = spec.setdefault("datasets", {})
    for name in names:
        datasets[name] = _RECORDS.pop(name)
    return spec


def with_arrow_data(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` (from :func:`to_spec`) with its datasets as Arrow IPC bytes, which
    ``st.vega_lite_chart`` passes on as they are; it converts records (lists of dicts) to a
    DataFrame and then to Arrow on every call. For specifications cached across reruns."""
    from streamlit import dataframe_util

    converted = dict(spec)
    converted["datasets"] = {
        name: records
        if isinstance(records, bytes)
        else dataframe_util.convert_anything_to_arrow_bytes(pd.DataFrame(records))
        for name, records in spec.get("datasets", {}).items()
    }
    return converted


def meeting_frame(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (with ``MeetingID`` and ``MeetingDate``) plus ``Date``: the date as every
    front end writes it (``date unknown`` when it is not known)."""
    dates = table["MeetingDate"]
    labels = [texts.format_date(value) for value in dates.tolist()]
    return table.assign(Date=pd.Series(labels, index=table.index, dtype="object"))


def _dates_known(frame: pd.DataFrame) -> bool:
    return bool(len(frame)) and bool(frame["MeetingDate"].notna().all())


def _x(frame: pd.DataFrame) -> alt.X:
    """The meeting axis: dates (ticks on meeting dates) when known, else meeting numbers."""
    if _dates_known(frame):
        dates = pd.DatetimeIndex(frame["MeetingDate"].drop_duplicates().sort_values())
        return _date_x(tuple(dates.strftime("%Y-%m-%d")))
    return _number_x()


@functools.lru_cache(maxsize=64)
def _date_x(days: tuple[str, ...]) -> alt.X:
    """A date axis with a tick on each of ``days`` (ISO dates; built once per set of dates)."""
    # local-time dates, as Vega reads the data's dates (plain dicts: cheap to build)
    ticks = [{"year": int(d[:4]), "month": int(d[5:7]), "date": int(d[8:])} for d in days]
    return alt.X(
        "MeetingDate:T",
        title="Meeting date",
        axis=alt.Axis(
            format=texts.VEGA_DATE_FORMAT,
            values=ticks,
            labelOverlap="greedy",
            labelAngle=-30,
            labelSeparation=6,
        ),
    )


@functools.lru_cache(maxsize=1)
def _number_x() -> alt.X:
    return alt.X(
        "MeetingID:Q",
        title="Meeting (dates unknown)",
        axis=alt.Axis(format="d", tickMinStep=1, labelOverlap="greedy"),
        scale=alt.Scale(zero=False, nice=False),
    )


def _meeting_tooltips() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("MeetingID:Q", title="Meeting", format="d"),
        alt.Tooltip("Date:N", title="Date"),
    ]


def _number(field: str, title: str, decimals: int = 0) -> alt.Tooltip:
    return alt.Tooltip(f"{field}:Q", title=title, format=f",.{decimals}f")


def _zoom(chart: alt.Chart) -> alt.Chart:
    """Zoom and pan along the time axis."""
    return chart.interactive(bind_y=False)


def attendance_chart(attendance: pd.DataFrame) -> alt.TopLevelMixin:
    """Stacked bars per meeting: returning members below, new members on top."""
    frame = meeting_frame(attendance)
    frame = frame.assign(Total=frame["NewMemberCount"] + frame["ReturningMemberCount"])
    long = frame.melt(
        id_vars=["MeetingID", "MeetingDate", "Date", "Total"],
        value_vars=["ReturningMemberCount", "NewMemberCount"],
        var_name="Members",
        value_name="Attendees",
    )
    long["Members"] = long["Members"].map(
        {"ReturningMemberCount": RETURNING, "NewMemberCount": NEW}
    )
    chart = (
        alt.Chart(data(long), title="Attendees per meeting")
        .mark_bar()
        .encode(
            x=_x(frame),
            y=alt.Y("Attendees:Q", stack="zero", title="Attendees"),
            color=_series_color(),
            order=alt.Order("Members:N", sort="descending"),
            tooltip=[
                *_meeting_tooltips(),
                alt.Tooltip("Members:N", title="Who"),
                _number("Attendees", "Attendees"),
                _number("Total", "All attendees"),
            ],
        )
    )
    return style(_zoom(chart))


def _series_color() -> alt.Color:
    return alt.Color(
        "Members:N",
        sort=[RETURNING, NEW],
        scale=alt.Scale(domain=list(_SERIES_COLORS), range=list(_SERIES_COLORS.values())),
        title=None,
    )


def accumulated_respect_chart(respect: pd.DataFrame, unit: str) -> alt.TopLevelMixin:
    """Accumulated member Respect after each meeting, stacked: earned by returning members
    and by new members (``df_member_respect_new_and_returning_by_meeting``)."""
    frame = meeting_frame(respect)
    long = frame.melt(
        id_vars=["MeetingID", "MeetingDate", "Date", "AccumulatedRespect"],
        value_vars=["AccumulatedRespectReturningMember", "AccumulatedRespectNewMember"],
        var_name="Members",
        value_name="Respect",
    )
    long["Members"] = long["Members"].map(
        {"AccumulatedRespectReturningMember": RETURNING, "AccumulatedRespectNewMember": NEW}
    )
    chart = (
        alt.Chart(data(long), title=f"Accumulated member Respect ({unit})")
        .mark_area(interpolate="step-after", opacity=0.85)
        .encode(
            x=_x(frame),
            y=alt.Y("Respect:Q", stack="zero", title=f"Accumulated Respect ({unit})"),
            color=_series_color(),
            order=alt.Order("Members:N", sort="descending"),
            tooltip=[
                *_meeting_tooltips(),
                alt.Tooltip("Members:N", title="Earned by"),
                _number("Respect", f"Respect ({unit})"),
                _number("AccumulatedRespect", f"All members ({unit})"),
            ],
        )
    )
    points = chart.mark_point(size=20, filled=True, opacity=0)  # hover targets at each meeting
    return style(_zoom(chart) + points)


def attendance_consistency_chart(attendance_counts: pd.Series, meetings: int) -> alt.TopLevelMixin:
    """How many members attended 1, 2, ... meetings."""
    counts = attendance_counts.to_numpy("int64").clip(min=0)
    highest = max(int(meetings), int(counts.max(initial=0)), 1)
    members = np.bincount(counts, minlength=highest + 1)[1:]
    frame = pd.DataFrame({"Attended": np.arange(1, highest + 1), "Members": members})
    chart = (
        alt.Chart(data(frame), title="Members by meetings attended")
        .mark_bar()
        .encode(
            x=alt.X(
                "Attended:Q", title="Meetings attended", axis=alt.Axis(format="d", tickMinStep=1)
            ),
            y=alt.Y("Members:Q", title="Members"),
            tooltip=[_number("Attended", "Meetings attended"), _number("Members", "Members")],
        )
    )
    return style(chart)


def team_respect_chart(
    team_respect: pd.DataFrame, meetings: pd.DataFrame, teams: Sequence[str], unit: str
) -> alt.TopLevelMixin:
    """Accumulated Respect of each team after each meeting, stacked in leaderboard order.

    ``team_respect``: ``df_team_respect_by_meeting_date``; ``meetings``: the meetings
    (``MeetingID``, ``MeetingDate``), dates known.
    """
    per_meeting = team_respect.pivot_table(
        index="MeetingDate",
        columns="TeamName",
        values="AccumulatedRespect",
        aggfunc="sum",
        fill_value=0,
        observed=True,
    )
    per_meeting.columns = [str(team) for team in per_meeting.columns]
    dates = pd.DatetimeIndex(meetings["MeetingDate"])
    order = [str(team) for team in teams]
    order += sorted(set(per_meeting.columns) - set(order))
    accumulated = per_meeting.reindex(index=dates, columns=order, fill_value=0).cumsum()
    wide = accumulated.reset_index(drop=True)
    wide.insert(0, "MeetingID", meetings["MeetingID"].to_numpy())
    wide.insert(1, "MeetingDate", dates)
    long = wide.melt(
        id_vars=["MeetingID", "MeetingDate"], var_name="Team", value_name="Respect"
    ).assign(Rank=lambda f: f["Team"].map({team: i for i, team in enumerate(order)}))
    long = meeting_frame(long)
    chart = (
        alt.Chart(data(long), title=f"Accumulated team Respect ({unit})")
        .mark_area(interpolate="step-after", opacity=0.85)
        .encode(
            x=_x(long),
            y=alt.Y("Respect:Q", stack="zero", title=f"Accumulated Respect ({unit})"),
            color=alt.Color("Team:N", sort=order, title=None, scale=alt.Scale(scheme="tableau20")),
            order=alt.Order("Rank:Q", sort="ascending"),
            tooltip=[*_meeting_tooltips(), "Team:N", _number("Respect", f"Respect ({unit})")],
        )
    )
    points = chart.mark_point(size=20, filled=True, opacity=0)
    return style(_zoom(chart) + points)


def team_representation_chart(
    representation: pd.Series, meetings: pd.DataFrame
) -> alt.TopLevelMixin:
    """The share of each meeting's attendees who belong to a team, on a percentage axis."""
    shares = representation.dropna()
    frame = meetings.set_index("MeetingDate").join(shares.rename("Share"), how="inner")
    frame = meeting_frame(frame.reset_index())
    chart = (
        alt.Chart(data(frame), title="Attendees who belong to a team")
        .mark_bar()
        .encode(
            x=_x(frame),
            y=alt.Y(
                "Share:Q",
                title="Share of attendees",
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[*_meeting_tooltips(), alt.Tooltip("Share:Q", title="Share", format=".1%")],
        )
    )
    return style(_zoom(chart))


def rank_vs_attendance_chart(table: pd.DataFrame) -> alt.TopLevelMixin:
    """Mean rank ± standard deviation by the number of meetings attended, with the
    least-squares line through the means (as the library's figure)."""
    frame = table[table["Mean"].notna()].copy()
    frame["Low"] = frame["Mean"] - frame["StandardDeviation"].fillna(0.0)
    frame["High"] = frame["Mean"] + frame["StandardDeviation"].fillna(0.0)
    x = alt.X(
        "AttendanceCount:Q",
        title="Meetings attended",
        axis=alt.Axis(format="d", tickMinStep=1),
        scale=alt.Scale(zero=False, padding=12),
    )
    tooltip = [
        _number("AttendanceCount", "Meetings attended"),
        _number("Mean", "Mean rank", 2),
        _number("StandardDeviation", "Standard deviation", 2),
    ]
    base = alt.Chart(data(frame), title="Mean rank by meetings attended")
    bars = base.mark_rule(opacity=0.6).encode(
        x=x, y=alt.Y("Low:Q", title="Mean rank"), y2=alt.Y2("High:Q"), tooltip=tooltip
    )
    points = base.mark_point(filled=True, size=50).encode(x=x, y=alt.Y("Mean:Q"), tooltip=tooltip)
    chart: alt.LayerChart = bars + points
    xs = frame["AttendanceCount"].to_numpy("float64")
    if np.unique(xs).size >= 2:
        slope, intercept = np.polyfit(xs, frame["Mean"].to_numpy("float64"), 1)
        ends = np.array([xs.min(), xs.max()])
        line = pd.DataFrame({"AttendanceCount": ends, "Mean": slope * ends + intercept})
        line["Fit"] = f"least squares: {slope:+.3f} per meeting"
        chart = chart + alt.Chart(data(line)).mark_line(color="#d62728").encode(
            x=x, y=alt.Y("Mean:Q"), tooltip=[alt.Tooltip("Fit:N", title="Line")]
        )
    return style(chart)


def lorenz_chart(curve: pd.DataFrame, gini: float) -> alt.TopLevelMixin:
    """The Lorenz curve of accumulated member Respect against the line of equality."""
    frame = curve
    if len(frame) > _MAX_POINTS_LORENZ:  # enough points to draw it; keep both ends
        keep = np.unique(np.linspace(0, len(frame) - 1, _MAX_POINTS_LORENZ).round().astype(int))
        frame = frame.iloc[keep]
    title = f"Lorenz curve (Gini coefficient {texts.format_coefficient(gini)})"
    axis = alt.Axis(format=".0%")
    curve_chart = (
        alt.Chart(data(frame), title=title)
        .mark_line(color="#1f77b4")
        .encode(
            x=alt.X("PopulationShare:Q", title="Share of members (least Respect first)", axis=axis),
            y=alt.Y("RespectShare:Q", title="Share of Respect held", axis=axis),
            tooltip=[
                alt.Tooltip("PopulationShare:Q", title="Members", format=".1%"),
                alt.Tooltip("RespectShare:Q", title="Respect held", format=".1%"),
            ],
        )
    )
    equality = (
        alt.Chart(data(pd.DataFrame({"PopulationShare": [0.0, 1.0], "RespectShare": [0.0, 1.0]})))
        .mark_line(color="#888", strokeDash=[4, 4])
        .encode(x=alt.X("PopulationShare:Q"), y=alt.Y("RespectShare:Q"))
    )
    return style(equality + curve_chart)


def gini_chart(gini: pd.DataFrame) -> alt.TopLevelMixin:
    """The Gini coefficient of accumulated member Respect after each meeting."""
    frame = meeting_frame(gini)
    chart = (
        alt.Chart(data(frame), title="Gini coefficient after each meeting")
        .mark_line(point=len(frame) <= 200)
        .encode(
            x=_x(frame),
            y=alt.Y("Gini:Q", scale=alt.Scale(domain=[0, 1]), title="Gini coefficient"),
            tooltip=[*_meeting_tooltips(), alt.Tooltip("Gini:Q", format=".3f")],
        )
    )
    return style(_zoom(chart))


def member_rank_chart(history: pd.DataFrame, unit: str) -> alt.TopLevelMixin:
    """A member's rank in each meeting where they received one."""
    frame = meeting_frame(history.loc[history["Rank"].notna()])
    chart = (
        alt.Chart(data(frame), title="Rank per meeting")
        .mark_bar()
        .encode(
            x=_x(history if len(frame) == 0 else frame),
            y=alt.Y("Rank:Q", title="Rank", scale=alt.Scale(domain=[0, 6])),
            tooltip=[
                *_meeting_tooltips(),
                _number("Rank", "Rank"),
                _number("Respect", f"Respect ({unit})"),
            ],
        )
    )
    return style(_zoom(chart))


def member_respect_chart(history: pd.DataFrame, unit: str) -> alt.TopLevelMixin:
    """A member's accumulated Respect after each meeting they earned in."""
    frame = meeting_frame(history)
    chart = (
        alt.Chart(data(frame), title=f"Accumulated Respect ({unit})")
        .mark_line(point=True, interpolate="step-after")
        .encode(
            x=_x(frame),
            y=alt.Y("AccumulatedRespect:Q", title=f"Accumulated Respect ({unit})"),
            tooltip=[
                *_meeting_tooltips(),
                _number("Respect", f"Earned ({unit})"),
                _number("AccumulatedRespect", f"Accumulated ({unit})"),
            ],
        )
    )
    return style(_zoom(chart))
