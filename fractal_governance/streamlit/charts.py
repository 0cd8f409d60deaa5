"""The dashboard's interactive Altair charts, one per idea, built from the Dataset's tables.

Every chart over meetings has the same x-axis: the meeting date when the dates are known
(ticks on meeting dates, :data:`texts.DATE_FORMAT`), else the meeting number, so that nothing
claims a date the data does not give. Tooltips name the meeting (number and date) and give the
exact values; time axes zoom and pan (drag, wheel; double-click resets). Text is at least 11 px
(:func:`style`), so the charts stay readable at phone width.

A chart is a :class:`Chart`: its *layout* (marks, encodings, tooltips, titles: a Vega-Lite
specification made by Altair) and what fills the layout's slots (the data tables, the ticks of
the date axis, titles that hold numbers). Altair builds, validates and converts a layout far
more slowly than everything else about a chart, and a layout depends on little (dates known or
not, the unit, ...), so each layout is made once and kept (:func:`_layout`); a new meeting
range or dataset only fills it anew. :meth:`Chart.to_dict` validates the whole specification
against Vega-Lite's schema (the tests do); :func:`to_page_spec` gives it with the data as Arrow
bytes, as ``st.vega_lite_chart`` sends it.

The functions are pure (tables in, charts out); the page caches the tables they are built from.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from fractal_governance import texts

__all__ = [
    "FONT_SIZE",
    "NEW",
    "RETURNING",
    "Chart",
    "accumulated_respect_chart",
    "attendance_chart",
    "attendance_consistency_chart",
    "data_slot",
    "gini_chart",
    "lorenz_chart",
    "meeting_frame",
    "member_rank_chart",
    "member_respect_chart",
    "rank_vs_attendance_chart",
    "slot",
    "style",
    "team_representation_chart",
    "team_respect_chart",
    "to_page_spec",
    "to_spec",
    "with_arrow_data",
]

#: Smallest text size of the charts, in pixels (axis labels, legends, tooltips' source).
FONT_SIZE = 12
RETURNING = "Returning members"
NEW = "New members"
_SERIES_COLORS = {RETURNING: "#1f77b4", NEW: "#ff7f0e"}  # the matplotlib figures' C0, C1
_HEIGHT = 300
# Most points of a Lorenz curve (both ends kept).
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


# --------------------------------------------------------------------------------------------
# Layouts and their slots
# --------------------------------------------------------------------------------------------

# Placeholders in a layout start with a Unicode noncharacter, which no title or unit holds.
_SLOT = "\ufdd0fg-slot:"


def slot(name: str) -> str:
    """The placeholder of slot ``name`` in a layout: a string where it stands for a value (a
    title), or the only item of a list where it stands for a list (axis values)."""
    return _SLOT + name


def data_slot(index: int) -> alt.NamedData:
    """The placeholder of a layout's ``index``-th data table (``Chart.frames[index]``)."""
    return alt.NamedData(name=slot(f"data-{index}"))


#: ``layout(*args)``: the Altair chart of a layout, its data and varying values in slots.
Layout = Callable[..., alt.TopLevelMixin]


@functools.lru_cache(maxsize=256)
def _layout(layout: Layout, args: tuple[Hashable, ...]) -> str:
    """The Vega-Lite specification (JSON text) that Altair makes of ``layout(*args)``, made
    once per layout and arguments (the tests validate every chart with its data)."""
    return json.dumps(layout(*args).to_dict(validate=False))


def _fill(node: Any, values: Mapping[str, Any]) -> Any:
    """A copy of the specification ``node`` with every slot replaced by its value."""
    if isinstance(node, dict):
        return {key: _fill(value, values) for key, value in node.items()}
    if isinstance(node, list):
        if len(node) == 1 and isinstance(node[0], str) and node[0].startswith(_SLOT):
            value = values[node[0]]
            if isinstance(value, list):
                return value
        return [_fill(item, values) for item in node]
    if isinstance(node, str) and node.startswith(_SLOT):
        return values[node]
    return node


@dataclass(frozen=True, eq=False)
class Chart:
    """An interactive chart: a layout (``layout(*args)``, made by Altair once and cached) and
    what fills its slots: ``frames`` (the data tables, in the order of :func:`data_slot`) and
    ``values`` (other slots by name, e.g. ``ticks``, ``title``)."""

    layout: Layout
    args: tuple[Hashable, ...]
    frames: tuple[pd.DataFrame, ...]
    values: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self, validate: bool = True) -> dict[str, Any]:
        """The Vega-Lite specification, the data inlined as records (named datasets; dates as
        ISO text without a time zone, which Vega reads as local dates; NaN as null).
        ``validate``: check it against Vega-Lite's schema (raises on an invalid chart)."""
        spec = self.specification(_records)
        if validate:
            alt.vegalite.v6.schema.core.TopLevelSpec.validate(spec)
        return spec

    def specification(self, convert: Callable[[pd.DataFrame], Any]) -> dict[str, Any]:
        """The Vega-Lite specification with the data as ``convert`` makes it of each frame."""
        names = [f"fg-{uuid.uuid4().hex}" for _ in self.frames]
        values = {slot(f"data-{index}"): name for index, name in enumerate(names)}
        values.update({slot(name): value for name, value in self.values.items()})
        spec: dict[str, Any] = _fill(json.loads(_layout(self.layout, self.args)), values)
        spec["datasets"] = {
            name: convert(frame) for name, frame in zip(names, self.frames, strict=True)
        }
        return spec


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame`` as records, converted by pandas' JSON writer (dates as ISO text without a
    time zone, NaN as null)."""
    records: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return records


def _arrow(frame: pd.DataFrame) -> bytes:
    """``frame`` as Arrow IPC bytes holding what :func:`_records` holds: dates as the same ISO
    text, categories as their values, missing values as null, no index."""
    import pyarrow as pa
    from streamlit import dataframe_util

    columns: dict[str, Any] = {}
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype("object")
        if pd.api.types.is_datetime64_dtype(column.dtype):  # naive: local dates, as Vega reads
            text = np.datetime_as_string(column.to_numpy("datetime64[ms]"), unit="ms")
            values = text.astype("object")
            values[column.isna().to_numpy()] = None
            columns[str(name)] = pa.array(values, type=pa.string())
        elif isinstance(column.dtype, pd.DatetimeTZDtype):  # as pandas' JSON writer has it
            text = json.loads(column.to_json(orient="records", date_format="iso"))
            columns[str(name)] = pa.array(text, type=pa.string())
        else:
            columns[str(name)] = pa.Array.from_pandas(column)
    return dataframe_util.convert_arrow_table_to_arrow_bytes(pa.table(columns))


def to_spec(chart: Chart) -> dict[str, Any]:
    """The Vega-Lite specification of ``chart`` with its datasets inlined as records (no
    validation: the charts are checked by the tests)."""
    return chart.to_dict(validate=False)


def to_page_spec(chart: Chart) -> dict[str, Any]:
    """The Vega-Lite specification of ``chart`` with its datasets as Arrow IPC bytes, which
    ``st.vega_lite_chart`` passes on as they are (records it converts to a DataFrame and then to
    Arrow on every call). For specifications cached across reruns."""
    return chart.specification(_arrow)


def with_arrow_data(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` (from :func:`to_spec`) with its datasets as Arrow IPC bytes, as
    :func:`to_page_spec` gives them."""
    from streamlit import dataframe_util

    converted = dict(spec)
    converted["datasets"] = {
        name: records
        if isinstance(records, bytes)
        else dataframe_util.convert_anything_to_arrow_bytes(pd.DataFrame(records))
        for name, records in spec.get("datasets", {}).items()
    }
    return converted


# --------------------------------------------------------------------------------------------
# Meetings
# --------------------------------------------------------------------------------------------


def _date_labels(dates: pd.Series) -> np.ndarray:
    """Each date as every front end writes it (``date unknown`` when it is not known); each
    distinct date is formatted once."""
    codes, uniques = pd.factorize(dates, use_na_sentinel=True)
    labels = [_format_date(value) for value in list(uniques)] + [texts.UNKNOWN_DATE]
    return np.asarray(labels, dtype="object")[codes]


@functools.lru_cache(maxsize=16384)
def _format_date(value: Any) -> str:
    """``texts.format_date`` of a date, remembered (a chart over 2,000 meetings names each)."""
    return texts.format_date(value)


def meeting_frame(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (with ``MeetingID`` and ``MeetingDate``) plus ``Date``: the date as every
    front end writes it (``date unknown`` when it is not known)."""
    labels = _date_labels(table["MeetingDate"])
    return table.assign(Date=pd.Series(labels, index=table.index, dtype="object"))


def _dates_known(frame: pd.DataFrame) -> bool:
    return bool(len(frame)) and bool(frame["MeetingDate"].notna().all())


def _meeting_axis(frame: pd.DataFrame) -> tuple[bool, dict[str, Any]]:
    """The meeting axis of ``frame``'s meetings: (dates known, the slot values it needs)."""
    if not _dates_known(frame):
        return False, {}
    dates = pd.DatetimeIndex(frame["MeetingDate"])
    if dates.tz is not None:  # the wall-clock dates
        dates = dates.tz_localize(None)
    days = np.datetime_as_string(np.unique(dates.to_numpy("datetime64[D]")), unit="D")
    return True, {"ticks": _ticks(tuple(days.tolist()))}


@functools.lru_cache(maxsize=64)
def _ticks(days: tuple[str, ...]) -> list[dict[str, int]]:
    """A tick on each of ``days`` (ISO dates), as local-time Vega-Lite dates (as Vega reads
    the data's dates). Shared: read only."""
    return [{"year": int(d[:4]), "month": int(d[5:7]), "date": int(d[8:])} for d in days]


def _x(dates: bool) -> alt.X:
    """The meeting axis: dates (ticks on meeting dates: slot ``ticks``) when known, else
    meeting numbers."""
    if dates:
        return alt.X(
            "MeetingDate:T",
            title="Meeting date",
            axis=alt.Axis(
                format=texts.VEGA_DATE_FORMAT,
                values=[slot("ticks")],
                labelOverlap="greedy",
                labelAngle=-30,
                labelSeparation=6,
            ),
        )
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


def _stack(
    frame: pd.DataFrame, keep: Sequence[str], series: Mapping[str, str], name: str, value: str
) -> pd.DataFrame:
    """``frame``'s columns ``keep``, once for each column of ``series`` (column -> label),
    with the label in ``name`` and that column's values in ``value`` (``DataFrame.melt``)."""
    count = len(series)
    long = {column: np.tile(frame[column].to_numpy(), count) for column in keep}
    long[name] = np.repeat(np.asarray(list(series.values()), dtype="object"), len(frame))
    long[value] = np.concatenate([frame[column].to_numpy() for column in series])
    return pd.DataFrame(long)


def _series_color() -> alt.Color:
    return alt.Color(
        "Members:N",
        sort=[RETURNING, NEW],
        scale=alt.Scale(domain=list(_SERIES_COLORS), range=list(_SERIES_COLORS.values())),
        title=None,
    )


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------


def attendance_chart(attendance: pd.DataFrame) -> Chart:
    """Stacked bars per meeting: returning members below, new members on top."""
    frame = meeting_frame(attendance)
    frame = frame.assign(Total=frame["NewMemberCount"] + frame["ReturningMemberCount"])
    long = _stack(
        frame,
        ["MeetingID", "MeetingDate", "Date", "Total"],
        {"ReturningMemberCount": RETURNING, "NewMemberCount": NEW},
        "Members",
        "Attendees",
    )
    dates, values = _meeting_axis(frame)
    return Chart(_attendance_layout, (dates,), (long,), values)


def _attendance_layout(dates: bool) -> alt.TopLevelMixin:
    chart = (
        alt.Chart(data_slot(0), title="Attendees per meeting")
        .mark_bar()
        .encode(
            x=_x(dates),
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


def accumulated_respect_chart(respect: pd.DataFrame, unit: str) -> Chart:
    """Accumulated member Respect after each meeting, stacked: earned by returning members
    and by new members (``df_member_respect_new_and_returning_by_meeting``)."""
    frame = meeting_frame(respect)
    long = _stack(
        frame,
        ["MeetingID", "MeetingDate", "Date", "AccumulatedRespect"],
        {"AccumulatedRespectReturningMember": RETURNING, "AccumulatedRespectNewMember": NEW},
        "Members",
        "Respect",
    )
    dates, values = _meeting_axis(frame)
    values |= _respect_texts("member", unit) | {"all": f"All members ({unit})"}
    return Chart(_accumulated_respect_layout, (dates,), (long,), values)


def _respect_texts(whose: str, unit: str) -> dict[str, str]:
    """The slot texts of an accumulated-Respect chart, which name the unit."""
    return {
        "title": f"Accumulated {whose} Respect ({unit})",
        "y": f"Accumulated Respect ({unit})",
        "respect": f"Respect ({unit})",
    }


def _stacked_respect(
    dates: bool, color: alt.Color, order: alt.Order, who: Any, *more: Any
) -> alt.TopLevelMixin:
    """Accumulated Respect stacked in steps from meeting to meeting, with hover targets at
    each meeting; the tooltip names the meeting, ``who`` earned it, the Respect and ``more``.
    Texts that name the unit are slots: one layout serves every unit."""
    chart = (
        alt.Chart(data_slot(0), title=slot("title"))
        .mark_area(interpolate="step-after", opacity=0.85)
        .encode(
            x=_x(dates),
            y=alt.Y("Respect:Q", stack="zero", title=slot("y")),
            color=color,
            order=order,
            tooltip=[*_meeting_tooltips(), who, _number("Respect", slot("respect")), *more],
        )
    )
    points = chart.mark_point(size=20, filled=True, opacity=0)
    return style(_zoom(chart) + points)


def _accumulated_respect_layout(dates: bool) -> alt.TopLevelMixin:
    return _stacked_respect(
        dates,
        _series_color(),
        alt.Order("Members:N", sort="descending"),
        alt.Tooltip("Members:N", title="Earned by"),
        _number("AccumulatedRespect", slot("all")),
    )


def attendance_consistency_chart(attendance_counts: pd.Series, meetings: int) -> Chart:
    """How many members attended 1, 2, ... meetings."""
    counts = attendance_counts.to_numpy("int64").clip(min=0)
    highest = max(int(meetings), int(counts.max(initial=0)), 1)
    members = np.bincount(counts, minlength=highest + 1)[1:]
    frame = pd.DataFrame({"Attended": np.arange(1, highest + 1), "Members": members})
    return Chart(_attendance_consistency_layout, (), (frame,))


def _attendance_consistency_layout() -> alt.TopLevelMixin:
    chart = (
        alt.Chart(data_slot(0), title="Members by meetings attended")
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
) -> Chart:
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
    count = len(dates)
    long = pd.DataFrame(
        {
            "MeetingID": np.tile(meetings["MeetingID"].to_numpy(), len(order)),
            "MeetingDate": np.tile(dates.to_numpy(), len(order)),
            "Team": np.repeat(np.asarray(order, dtype="object"), count),
            "Respect": accumulated.to_numpy().T.reshape(-1),
            "Rank": np.repeat(np.arange(len(order)), count),
        }
    )
    long = meeting_frame(long)
    dates_known, values = _meeting_axis(long)
    values |= _respect_texts("team", unit) | {"teams": order}
    return Chart(_team_respect_layout, (dates_known,), (long,), values)


def _team_respect_layout(dates: bool) -> alt.TopLevelMixin:
    return _stacked_respect(
        dates,
        alt.Color("Team:N", sort=[slot("teams")], title=None, scale=alt.Scale(scheme="tableau20")),
        alt.Order("Rank:Q", sort="ascending"),
        "Team:N",
    )


def team_representation_chart(representation: pd.Series, meetings: pd.DataFrame) -> Chart:
    """The share of each meeting's attendees who belong to a team, on a percentage axis."""
    shares = representation.dropna()
    frame = meetings.set_index("MeetingDate").join(shares.rename("Share"), how="inner")
    frame = meeting_frame(frame.reset_index())
    dates, values = _meeting_axis(frame)
    return Chart(_team_representation_layout, (dates,), (frame,), values)


def _team_representation_layout(dates: bool) -> alt.TopLevelMixin:
    chart = (
        alt.Chart(data_slot(0), title="Attendees who belong to a team")
        .mark_bar()
        .encode(
            x=_x(dates),
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


def rank_vs_attendance_chart(table: pd.DataFrame) -> Chart:
    """Mean rank ± standard deviation by the number of meetings attended, with the
    least-squares line through the means (as the library's figure)."""
    frame = table[table["Mean"].notna()].copy()
    frame["Low"] = frame["Mean"] - frame["StandardDeviation"].fillna(0.0)
    frame["High"] = frame["Mean"] + frame["StandardDeviation"].fillna(0.0)
    xs = frame["AttendanceCount"].to_numpy("float64")
    if np.unique(xs).size < 2:
        return Chart(_rank_vs_attendance_layout, (False,), (frame,))
    slope, intercept = np.polyfit(xs, frame["Mean"].to_numpy("float64"), 1)
    ends = np.array([xs.min(), xs.max()])
    line = pd.DataFrame({"AttendanceCount": ends, "Mean": slope * ends + intercept})
    line["Fit"] = f"least squares: {slope:+.3f} per meeting"
    return Chart(_rank_vs_attendance_layout, (True,), (frame, line))


def _rank_vs_attendance_layout(fit: bool) -> alt.TopLevelMixin:
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
    base = alt.Chart(data_slot(0), title="Mean rank by meetings attended")
    bars = base.mark_rule(opacity=0.6).encode(
        x=x, y=alt.Y("Low:Q", title="Mean rank"), y2=alt.Y2("High:Q"), tooltip=tooltip
    )
    points = base.mark_point(filled=True, size=50).encode(x=x, y=alt.Y("Mean:Q"), tooltip=tooltip)
    chart: alt.LayerChart = bars + points
    if fit:
        chart = chart + alt.Chart(data_slot(1)).mark_line(color="#d62728").encode(
            x=x, y=alt.Y("Mean:Q"), tooltip=[alt.Tooltip("Fit:N", title="Line")]
        )
    return style(chart)


def lorenz_chart(curve: pd.DataFrame, gini: float) -> Chart:
    """The Lorenz curve of accumulated member Respect against the line of equality."""
    frame = curve
    if len(frame) > _MAX_POINTS_LORENZ:  # enough points to draw it; keep both ends
        keep = np.unique(np.linspace(0, len(frame) - 1, _MAX_POINTS_LORENZ).round().astype(int))
        frame = frame.iloc[keep]
    equality = pd.DataFrame({"PopulationShare": [0.0, 1.0], "RespectShare": [0.0, 1.0]})
    title = f"Lorenz curve (Gini coefficient {texts.format_coefficient(gini)})"
    return Chart(_lorenz_layout, (), (equality, frame), {"title": title})


def _lorenz_layout() -> alt.TopLevelMixin:
    axis = alt.Axis(format=".0%")
    curve_chart = (
        alt.Chart(data_slot(1), title=slot("title"))
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
        alt.Chart(data_slot(0))
        .mark_line(color="#888", strokeDash=[4, 4])
        .encode(x=alt.X("PopulationShare:Q"), y=alt.Y("RespectShare:Q"))
    )
    return style(equality + curve_chart)


def gini_chart(gini: pd.DataFrame) -> Chart:
    """The Gini coefficient of accumulated member Respect after each meeting."""
    frame = meeting_frame(gini)
    dates, values = _meeting_axis(frame)
    return Chart(_gini_layout, (dates, len(frame) <= 200), (frame,), values)


def _gini_layout(dates: bool, points: bool) -> alt.TopLevelMixin:
    chart = (
        alt.Chart(data_slot(0), title="Gini coefficient after each meeting")
        .mark_line(point=points)
        .encode(
            x=_x(dates),
            y=alt.Y("Gini:Q", scale=alt.Scale(domain=[0, 1]), title="Gini coefficient"),
            tooltip=[*_meeting_tooltips(), alt.Tooltip("Gini:Q", format=".3f")],
        )
    )
    return style(_zoom(chart))


def member_rank_chart(history: pd.DataFrame, unit: str) -> Chart:
    """A member's rank in each meeting where they received one."""
    frame = meeting_frame(history.loc[history["Rank"].notna()])
    dates, values = _meeting_axis(history if len(frame) == 0 else frame)
    values["respect"] = f"Respect ({unit})"
    return Chart(_member_rank_layout, (dates,), (frame,), values)


def _member_rank_layout(dates: bool) -> alt.TopLevelMixin:
    chart = (
        alt.Chart(data_slot(0), title="Rank per meeting")
        .mark_bar()
        .encode(
            x=_x(dates),
            y=alt.Y("Rank:Q", title="Rank", scale=alt.Scale(domain=[0, 6])),
            tooltip=[
                *_meeting_tooltips(),
                _number("Rank", "Rank"),
                _number("Respect", slot("respect")),
            ],
        )
    )
    return style(_zoom(chart))


def member_respect_chart(history: pd.DataFrame, unit: str) -> Chart:
    """A member's accumulated Respect after each meeting they earned in."""
    frame = meeting_frame(history)
    dates, values = _meeting_axis(frame)
    values |= {
        "title": f"Accumulated Respect ({unit})",
        "earned": f"Earned ({unit})",
        "accumulated": f"Accumulated ({unit})",
    }
    return Chart(_member_respect_layout, (dates,), (frame,), values)


def _member_respect_layout(dates: bool) -> alt.TopLevelMixin:
    chart = (
        alt.Chart(data_slot(0), title=slot("title"))
        .mark_line(point=True, interpolate="step-after")
        .encode(
            x=_x(dates),
            y=alt.Y("AccumulatedRespect:Q", title=slot("title")),
            tooltip=[
                *_meeting_tooltips(),
                _number("Respect", slot("earned")),
                _number("AccumulatedRespect", slot("accumulated")),
            ],
        )
    )
    return style(_zoom(chart))
