"""The fractal governance dashboard: a Streamlit app over any Dataset.

Run it with ``bazel run //:dashboard``, ``fractal-governance dashboard [DATA] [--port P]`` or
``python -m fractal_governance.streamlit.launcher``; ``streamlit run genesis_fractal.py`` works
too. The sidebar chooses the data (the simulated demo, the public Genesis records, uploaded CSV
files, or data named on the command line by whoever started the server) and the meetings to show.

Everything shown comes from the library (Dataset tables, fairness metrics, Plots figures); the app
only arranges it. Work is cached by the content of the data, so moving a widget does not re-read
or re-analyse anything: loaded datasets and figures live in ``st.cache_resource`` (shared,
immutable objects), the tables and PNG images shown live in ``st.cache_data``.

Safety: data is never rendered as HTML, text from the data that goes into Markdown is escaped,
uploads are written to a fresh temporary folder under generated names, and the only server-side
files the app reads are the registry's and the one named by the operator at start-up.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import sys
import tempfile
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

try:
    import fractal_governance  # noqa: F401
except ImportError:  # `streamlit run` of this file without the repository on sys.path
    sys.path.append(str(Path(os.path.realpath(__file__)).parents[2]))

import altair as alt
import pandas as pd
import streamlit as st

from fractal_governance import datasets
from fractal_governance.dataset import Dataset
from fractal_governance.fairness import RespectDistribution
from fractal_governance.io import DatasetError
from fractal_governance.plots import Plots
from fractal_governance.util import spreadsheet_csv

#: Largest upload, in megabytes (the server cap is set by launcher.py and .streamlit/config.toml).
UPLOAD_LIMIT_MB = 50
#: Rows of the member leaderboard shown on the page; the CSV download has every member.
LEADERBOARD_ROWS = 500
#: Resolution of the matplotlib figures.
FIGURE_DPI = 100

SOURCE_OPERATOR = "Data named at server start"
SOURCE_DEMO = "Simulated demo (built-in)"
SOURCE_GENESIS = "Genesis Fractal (public records)"
SOURCE_UPLOAD = "Upload CSV files"

#: Section headers, in page order.
SECTIONS = (
    "Summary Statistics",
    "Member Leaderboard",
    "Attendance",
    "Team Statistics",
    "Team Representation",
    "Fairness",
    "Member Profile",
    "Description",
    "Resources",
)

_CURRENT = "fg_current"  # session_state: the last dataset that loaded without error
_UPLOAD_DIGEST = "fg_upload_digest"  # session_state: (uploaded file ids, content digest)
_DATE = "%b %d, %Y"
_GRADIENT = "Blues"
# Seconds a cached upload, selection or figure lives before it is dropped (and rebuilt on demand),
# so a long-running server does not keep every upload in memory.
_TTL = 3600.0

# Every ASCII punctuation character can be backslash-escaped in (CommonMark) Markdown.
_MARKDOWN_SPECIAL = re.compile(r"[!-/:-@\[-`{-~]")
_UNSAFE_FILE_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")

_RETURNING = "Returning Members"
_NEW = "New Members"


def escape_markdown(text: object) -> str:
    """Return ``text`` as Markdown that displays it literally (no links, HTML, emphasis, ...)."""
    flat = " ".join(str(text).splitlines())
    return _MARKDOWN_SPECIAL.sub(lambda match: "\\" + match.group(0), flat)


def format_date(value: Any) -> str:
    """``May 21, 2022``."""
    return f"{pd.Timestamp(value):{_DATE}}"


# --------------------------------------------------------------------------------------------
# Loading data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """A dataset on show, with the content digest that keys everything derived from it."""

    dataset: Dataset
    key: str
    source: str
    description: str
    simulated: bool = False


def _sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@st.cache_data(show_spinner=False, max_entries=64)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    """SHA-256 of a file's bytes, recomputed only when its size or modification time changes."""
    return _sha256_file(path)


def fingerprint(path: Path) -> str:
    """Content digest of a CSV file, or of the CSV files in a folder."""
    if path.is_dir():
        digest = hashlib.sha256()
        for child in sorted(path.glob("*.csv")):
            status = child.stat()
            digest.update(child.name.encode() + b"\0")
            digest.update(_file_digest(str(child), status.st_size, status.st_mtime_ns).encode())
        return digest.hexdigest()
    status = path.stat()
    return _file_digest(str(path), status.st_size, status.st_mtime_ns)


def upload_digest(files: Sequence[tuple[str, bytes]]) -> str:
    """Content digest of uploaded files: their names (they appear in messages) and bytes."""
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(len(name.encode()).to_bytes(8, "big") + name.encode())
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _safe_file_name(name: str, index: int, used: set[str]) -> str:
    """A harmless file name for an upload: its base name's safe characters, always .csv."""
    stem = _UNSAFE_FILE_CHARACTERS.sub("_", Path(name.replace("\\", "/")).stem).strip("._")
    candidate = f"{stem[:80] or f'upload-{index}'}.csv"
    if candidate in used:
        candidate = f"{Path(candidate).stem}-{index}.csv"
    used.add(candidate)
    return candidate


def load_uploaded_files(files: Sequence[tuple[str, bytes]]) -> Dataset:
    """Load uploaded CSV files given as ``(file name, bytes)`` pairs.

    One file is read as a weekly consensus table (any layout ``Dataset.from_csv`` reads);
    several files as the normalized layout (measurements, members, teams), recognised by their
    columns. The bytes go to a fresh temporary folder under sanitized names, so a file name can
    never point anywhere else.

    Raises
    ------
    DatasetError
        For anything that cannot be analysed; the message names the uploaded file, not the
        temporary copy.
    """
    if not files:
        raise DatasetError("no file was uploaded")
    with tempfile.TemporaryDirectory(prefix="fractal-upload-") as folder:
        root = Path(folder)
        used: set[str] = set()
        paths = []
        for index, (name, data) in enumerate(files):
            path = root / _safe_file_name(name, index, used)
            path.write_bytes(data)
            paths.append(path)
        try:
            if len(paths) == 1:
                dataset = Dataset.from_csv(paths[0])
            else:
                dataset = Dataset.from_directory(root)
        except DatasetError as error:
            message = str(error).replace(str(root) + os.sep, "").replace(str(root), "upload")
            raise DatasetError(message) from None
    return dataset.with_name("Uploaded Fractal")


@st.cache_resource(show_spinner="Loading the data…", max_entries=4)
def _registry_dataset(name: str, digest: str) -> Dataset | str:
    """The registry's dataset ``name`` (``digest``: content of its file), or an error message."""
    try:
        return datasets.load(name)
    except DatasetError as error:
        return str(error)


@st.cache_resource(show_spinner="Loading the data…", max_entries=2)
def _operator_dataset(data: str, digest: str) -> Dataset | str:
    """The dataset named at server start, or an error message."""
    try:
        return datasets.resolve(data)
    except DatasetError as error:
        return str(error)


@st.cache_resource(show_spinner="Checking the uploaded data…", max_entries=4, ttl=_TTL)
def _upload_dataset(digest: str, _files: tuple[tuple[str, bytes], ...]) -> Dataset | str:
    """The dataset in uploaded files (keyed by their digest), or the DatasetError message."""
    try:
        return load_uploaded_files(_files)
    except DatasetError as error:
        return str(error)


def operator_data() -> str | None:
    """The data argument given after ``--`` to ``streamlit run`` this file, if any.

    Only trusted when ``sys.argv[0]`` is this script (as ``streamlit run`` sets it), so the
    arguments of another host process (a test runner) are never taken for data.
    """
    if len(sys.argv) < 2:
        return None
    if os.path.realpath(sys.argv[0]) != os.path.realpath(__file__):
        return None
    return sys.argv[1]


def _registry(name: str, source: str) -> Loaded | str:
    try:
        path = datasets.path(name)
        key = f"{name}:{fingerprint(path)}"
    except (OSError, DatasetError) as error:
        return str(error)
    result = _registry_dataset(name, key)
    if isinstance(result, str):
        return result
    return Loaded(result, key, source, result.name or name, simulated=name == "demo")


def _operator(data: str) -> Loaded | str:
    try:
        if data in datasets.names():
            return _registry(data, SOURCE_OPERATOR)
        key = f"path:{fingerprint(Path(data))}"
    except (OSError, DatasetError) as error:
        return str(error)
    result = _operator_dataset(data, key)
    if isinstance(result, str):
        return result
    return Loaded(result, key, SOURCE_OPERATOR, result.name or Path(data).name)


def _uploaded(files: Sequence[Any]) -> Loaded | str:
    ids = tuple(str(file.file_id) for file in files)
    remembered = st.session_state.get(_UPLOAD_DIGEST)
    contents = tuple((str(file.name), bytes(file.getvalue())) for file in files)
    if remembered is not None and remembered[0] == ids:
        digest = remembered[1]
    else:
        digest = upload_digest(contents)
        st.session_state[_UPLOAD_DIGEST] = (ids, digest)
    result = _upload_dataset(digest, contents)
    if isinstance(result, str):
        return result
    names = ", ".join(name for name, _ in contents)
    return Loaded(result, f"upload:{digest}", SOURCE_UPLOAD, f"uploaded file(s) {names}")


def _show_load_error(message: str) -> None:
    st.sidebar.error(
        f"The data could not be loaded, so the previous data is still shown.\n\n"
        f"{escape_markdown(message)}"
    )


def choose_data() -> Loaded:
    """Sidebar: pick the data source; return the dataset to show (the last good one on error)."""
    st.sidebar.header("Data")
    operator = operator_data()
    genesis_offline = datasets.is_available_offline("genesis")
    options = [SOURCE_DEMO, SOURCE_GENESIS, SOURCE_UPLOAD]
    if operator is not None:
        options.insert(0, SOURCE_OPERATOR)
        default = SOURCE_OPERATOR
    else:
        default = SOURCE_GENESIS if genesis_offline else SOURCE_DEMO
    choice = st.sidebar.radio(
        "Show", options, index=options.index(default), key="fg_source", label_visibility="collapsed"
    )

    result: Loaded | str | None = None
    if choice == SOURCE_OPERATOR and operator is not None:
        st.sidebar.caption(f"Named when the server was started: {escape_markdown(operator)}")
        result = _operator(operator)
    elif choice == SOURCE_DEMO:
        result = _registry("demo", SOURCE_DEMO)
    elif choice == SOURCE_GENESIS:
        if not genesis_offline:
            st.sidebar.info("The Genesis records are not on this machine yet.")
            if st.sidebar.button("Fetch the Genesis data", key="fg_fetch"):
                fetched = False
                try:
                    with st.spinner("Fetching the Genesis records…"):
                        datasets.fetch("genesis")
                    fetched = True
                except Exception as error:  # network failures come in many types
                    st.sidebar.error(
                        "Could not fetch the Genesis data (is this machine offline?): "
                        f"{escape_markdown(error)}"
                    )
                if fetched:
                    st.rerun()  # start over with the records on this machine
        if genesis_offline:
            result = _registry("genesis", SOURCE_GENESIS)
    elif choice == SOURCE_UPLOAD:
        files = st.sidebar.file_uploader(
            "CSV files",
            type=["csv"],
            accept_multiple_files=True,
            key="fg_upload",
            max_upload_size=UPLOAD_LIMIT_MB,
            help="One weekly consensus table (Rank or Level, optional Round and MeetingDate), "
            "or the three normalized files: measurements, members and teams.",
        )
        st.sidebar.caption(
            f"Up to {UPLOAD_LIMIT_MB} MB per file. Uploads are only read into memory: the "
            "temporary copy is deleted at once and nothing is kept."
        )
        if files:
            result = _uploaded(files)

    if isinstance(result, str):
        _show_load_error(result)
    elif result is not None:
        st.session_state[_CURRENT] = result

    current: Loaded | None = st.session_state.get(_CURRENT)
    if current is None:  # nothing loaded yet in this session (e.g. the Genesis fetch failed)
        fallback = _registry("demo", SOURCE_DEMO)
        if isinstance(fallback, str):
            st.error(f"The built-in demo data could not be loaded: {escape_markdown(fallback)}")
            st.stop()
            raise AssertionError("unreachable")  # st.stop() raises; keeps type checkers sure
        st.session_state[_CURRENT] = current = fallback
    st.sidebar.caption(f"Showing: {escape_markdown(current.description)}")
    return current


# --------------------------------------------------------------------------------------------
# Derived tables and figures, cached by content digest and meeting range
# --------------------------------------------------------------------------------------------


class View(TypedDict):
    """Everything the page shows for one dataset and meeting range (all picklable)."""

    title: str
    last_meeting: str
    summary: pd.DataFrame
    member_board: pd.DataFrame
    member_stats: pd.DataFrame
    member_csv: bytes
    member_labels: dict[str, str]
    team_board: pd.DataFrame
    team_csv: bytes
    has_teams: bool
    attendance: pd.DataFrame
    attendance_long: pd.DataFrame
    team_representation_mean: float
    team_representation_sd: float
    distribution: RespectDistribution
    gini: pd.DataFrame
    meetings: int


def build_view(dataset: Dataset) -> View:
    """Collect the tables and numbers the page shows from ``dataset``."""
    board = dataset.df_member_leader_board
    team_board = dataset.df_team_leader_board
    attendance = dataset.df_member_attendance_new_and_returning_by_meeting
    long = attendance.melt(
        id_vars=["MeetingID", "MeetingDate"],
        value_vars=["ReturningMemberCount", "NewMemberCount"],
        var_name="Members",
        value_name="Attendees",
    )
    long["Members"] = long["Members"].map(
        {"ReturningMemberCount": _RETURNING, "NewMemberCount": _NEW}
    )
    member_ids = board["MemberID"].astype(str)
    names = board["Name"].astype(str).fillna("")
    labels = member_ids.where(names == "", names + " (" + member_ids + ")")
    representation = dataset.team_representation_stats
    return View(
        title=dataset.name or "Fractal",
        last_meeting=format_date(dataset.last_meeting_date),
        summary=dataset.summary_table(),
        member_board=board,
        member_stats=dataset.df_member_summary_stats_by_member_id,
        member_csv=spreadsheet_csv(board, index_label="Position").encode(),
        member_labels=dict(zip(member_ids, labels, strict=True)),
        team_board=team_board,
        team_csv=spreadsheet_csv(team_board).encode(),
        has_teams=bool(dataset.has_teams),
        attendance=attendance,
        attendance_long=long,
        team_representation_mean=float(representation.mean),
        team_representation_sd=float(representation.standard_deviation),
        distribution=dataset.respect_distribution,
        gini=dataset.df_gini_by_meeting,
        meetings=int(dataset.total_meetings),
    )


@st.cache_resource(show_spinner=False, max_entries=8, ttl=_TTL)
def _selection(key: str, first: int, last: int, _dataset: Dataset) -> Dataset:
    """The meetings ``first``..``last`` of the dataset with content digest ``key``."""
    ids = _dataset.meeting_ids
    if (first, last) == (ids[0], ids[-1]):
        return _dataset
    return _dataset.select_meetings(first, last)


@st.cache_data(show_spinner="Analysing…", max_entries=32, ttl=_TTL)
def _view(key: str, first: int, last: int, _dataset: Dataset) -> View:
    return build_view(_dataset)


@st.cache_data(show_spinner=False, max_entries=16)
def _meeting_dates(key: str, _dataset: Dataset) -> dict[int, str]:
    """Meeting ID -> date label of every meeting of the full dataset."""
    table = _dataset.df_member_attendance_new_and_returning_by_meeting
    dates = pd.to_datetime(table["MeetingDate"]).dt.strftime(_DATE)
    return dict(zip(table["MeetingID"].astype(int), dates, strict=True))


@st.cache_resource(show_spinner=False, max_entries=8, ttl=_TTL)
def _plots(key: str, first: int, last: int, _dataset: Dataset) -> Plots:
    return Plots.from_dataset(_dataset)


@st.cache_data(show_spinner="Drawing…", max_entries=256, ttl=_TTL)
def _figure_png(key: str, first: int, last: int, name: str, _plots: Plots) -> bytes:
    """One Plots figure as PNG bytes, rendered once per dataset, meeting range and figure."""
    buffer = io.BytesIO()
    # The figures use constrained layout, so no tight bounding box (a second draw) is needed;
    # light compression: encoding time matters more than bytes on the wire here.
    _plots.figure(name).savefig(
        buffer, format="png", dpi=FIGURE_DPI, pil_kwargs={"compress_level": 1}
    )
    return buffer.getvalue()


@st.cache_data(show_spinner=False, max_entries=256)
def _member_history(
    key: str, first: int, last: int, member_id: str, _dataset: Dataset
) -> pd.DataFrame:
    history = _dataset.member_history(member_id)
    return history.assign(
        Rank=pd.to_numeric(history["Rank"], errors="coerce").astype("float64"),
        Respect=history["Respect"].astype("float64"),
        AccumulatedRespect=history["AccumulatedRespect"].astype("float64"),
    )


# --------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------


def _date_x() -> alt.X:
    return alt.X("MeetingDate:T", title="Meeting Date", axis=alt.Axis(format="%b %d %Y"))


def _date_tooltips() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("MeetingID:Q", title="Meeting"),
        alt.Tooltip("MeetingDate:T", title="Date", format="%b %d, %Y"),
    ]


def attendance_chart(attendance_long: pd.DataFrame) -> alt.Chart:
    """Stacked bars of returning and new attendees per meeting, with exact values on hover."""
    return (
        alt.Chart(attendance_long, title="Attendance per meeting")
        .mark_bar()
        .encode(
            x=_date_x(),
            y=alt.Y("Attendees:Q", stack="zero", title="Attendees"),
            color=alt.Color(
                "Members:N",
                sort=[_RETURNING, _NEW],
                # The colours of the matplotlib figures (C0, C1) for the same two series.
                scale=alt.Scale(domain=[_RETURNING, _NEW], range=["#1f77b4", "#ff7f0e"]),
                title=None,
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("Members:N", sort="descending"),
            tooltip=[*_date_tooltips(), "Members:N", "Attendees:Q"],
        )
    )


def gini_chart(gini: pd.DataFrame) -> alt.Chart:
    """The cumulative Gini coefficient after each meeting."""
    return (
        alt.Chart(gini, title="Gini coefficient of accumulated Respect")
        .mark_line(point=True)
        .encode(
            x=_date_x(),
            y=alt.Y("Gini:Q", scale=alt.Scale(domain=[0, 1]), title="Gini coefficient"),
            tooltip=[*_date_tooltips(), alt.Tooltip("Gini:Q", format=".3f")],
        )
    )


def member_rank_chart(history: pd.DataFrame) -> alt.Chart:
    """The member's rank in each meeting they received one."""
    ranked = history.loc[history["Rank"].notna()]
    return (
        alt.Chart(ranked, title="Rank per meeting")
        .mark_bar()
        .encode(
            x=_date_x(),
            y=alt.Y("Rank:Q", title="Rank", scale=alt.Scale(domainMin=0)),
            tooltip=[*_date_tooltips(), "Rank:Q", "Respect:Q"],
        )
    )


def member_respect_chart(history: pd.DataFrame) -> alt.Chart:
    """The member's accumulated Respect over time."""
    return (
        alt.Chart(history, title="Accumulated Respect")
        .mark_line(point=True, interpolate="step-after")
        .encode(
            x=_date_x(),
            y=alt.Y("AccumulatedRespect:Q", title="Accumulated Respect"),
            tooltip=[*_date_tooltips(), "Respect:Q", "AccumulatedRespect:Q"],
        )
    )


def _figure(loaded: Loaded, first: int, last: int, plots: Plots, name: str, alt_text: str) -> None:
    png = _figure_png(loaded.key, first, last, name, plots)
    st.image(png, width="stretch", alt=alt_text)


def _gradient(frame: pd.DataFrame, columns: list[Hashable]) -> Any:
    return frame.style.background_gradient(cmap=_GRADIENT, subset=columns)


def meeting_range(loaded: Loaded) -> tuple[int, int]:
    """Sidebar: the first and last meeting to show."""
    ids = loaded.dataset.meeting_ids
    if len(ids) < 2:
        return ids[0], ids[-1]
    dates = _meeting_dates(loaded.key, loaded.dataset)
    st.sidebar.header("Meetings")
    first, last = st.sidebar.select_slider(
        "Meetings to include",
        options=ids,
        value=(ids[0], ids[-1]),
        format_func=lambda meeting: f"{meeting} ({dates.get(meeting, '?')})",
        key=f"fg_meetings_{loaded.key}",
    )
    return int(first), int(last)


def quality_expander(dataset: Dataset) -> None:
    """Sidebar: the data-quality findings of the loaded data, with their count."""
    report = dataset.quality_report
    count = len(report)
    label = f"Data quality: {count} finding{'' if count == 1 else 's'}"
    with st.sidebar.expander(label, expanded=False):
        if count:
            st.caption(
                "Anomalies in the records that do not stop the analysis (for example groups "
                "larger than six or repeated ranks in a group)."
            )
            st.dataframe(report.to_frame(), hide_index=True)
        else:
            st.caption("No anomalies found in the records.")


def render(loaded: Loaded, first: int, last: int) -> None:
    """The main page for the meetings ``first``..``last`` of ``loaded``."""
    dataset = _selection(loaded.key, first, last, loaded.dataset)
    view = _view(loaded.key, first, last, dataset)
    plots = _plots(loaded.key, first, last, dataset)

    def figure(name: str, alt_text: str) -> None:
        _figure(loaded, first, last, plots, name, alt_text)

    st.set_page_config(page_title=f"{view['title']} Dashboard")

    st.title(f"{escape_markdown(view['title'])} Dashboard")
    st.markdown(f"Data is current up through the meeting held on {view['last_meeting']}.")
    if loaded.simulated:
        st.info(
            "These are **simulated** records made by the project's simulator, not the records "
            "of a real community. Choose Genesis or upload your own data in the sidebar."
        )
    elif loaded.source == SOURCE_UPLOAD:
        st.caption(f"Data: {escape_markdown(loaded.description)}")
    if (first, last) != (loaded.dataset.meeting_ids[0], loaded.dataset.meeting_ids[-1]):
        st.caption(f"Showing meetings {first} to {last} only.")

    st.header("Summary Statistics")
    left, right = st.columns([5, 6])
    with left:
        st.table(view["summary"], hide_index=True)
        st.caption(
            "Team representation is the share of a meeting's attendees who belong to a team, "
            "averaged over the meetings in which anyone does. Respect earned by teams is the "
            "Respect their members earned in the meeting, credited once more to the team."
        )
    with right:
        figure(
            "accumulated_member_respect_vs_time_stacked",
            "Accumulated member Respect over time, returning and new members stacked",
        )

    st.header("Member Leaderboard")
    board = view["member_board"]
    st.markdown(
        "Members are sorted by accumulated rank (the sum of the ranks they earned), highest "
        "first; ties go to the member who attended more meetings, then to the lower MemberID."
    )
    if len(board) > LEADERBOARD_ROWS:
        st.caption(
            f"Showing the top {LEADERBOARD_ROWS} of {len(board)} members; "
            "the download has all of them."
        )
    st.dataframe(
        _gradient(
            board.head(LEADERBOARD_ROWS),
            ["AccumulatedRank", "AccumulatedRespect", "AttendanceCount"],
        )
    )
    st.download_button(
        "Download the member leaderboard (CSV)",
        view["member_csv"],
        file_name="member_leaderboard.csv",
        mime="text/csv",
        key="fg_download_members",
        on_click="ignore",
    )

    st.header("Attendance")
    left, right = st.columns([2, 3])
    with left:
        st.dataframe(
            view["attendance"],
            hide_index=True,
            column_config={
                "MeetingDate": st.column_config.DateColumn("Date", format="MMM DD, YYYY"),
                "MeetingID": st.column_config.NumberColumn("Meeting"),
                "NewMemberCount": st.column_config.NumberColumn("New"),
                "ReturningMemberCount": st.column_config.NumberColumn("Returning"),
            },
        )
    with right:
        figure(
            "attendance_vs_time_stacked",
            "Attendees per meeting, returning and new members stacked",
        )
    left, right = st.columns(2)
    with left:
        figure(
            "attendance_consistency_histogram",
            "Histogram of the number of meetings each member attended",
        )
    with right:
        st.altair_chart(attendance_chart(view["attendance_long"]), width="stretch")

    st.header("Team Statistics")
    if view["has_teams"]:
        left, right = st.columns([2, 3])
        with left:
            st.dataframe(_gradient(view["team_board"], ["AccumulatedRespect"]))
            st.download_button(
                "Download the team leaderboard (CSV)",
                view["team_csv"],
                file_name="team_leaderboard.csv",
                mime="text/csv",
                key="fg_download_teams",
                on_click="ignore",
            )
        with right:
            figure(
                "accumulated_team_respect_vs_time_stacked",
                "Accumulated team Respect over time, stacked by team",
            )
    else:
        st.info("No attendee in these meetings belongs to a team.")

    st.subheader("Team Representation")
    mean, sd = view["team_representation_mean"], view["team_representation_sd"]
    if pd.isna(mean):
        st.markdown("No attendee in these meetings belongs to a team, so there is nothing to show.")
    else:
        spread = "" if pd.isna(sd) else f" (standard deviation {sd:.1%})"
        left, right = st.columns([2, 3])
        left.markdown(
            "Team representation is the share of a meeting's attendees who belong to a team. "
            f"Over the meetings with any team members it averaged {mean:.1%}{spread}. "
            "Meetings where nobody belongs to a team are left out."
        )
        with right:
            figure(
                "team_representation_vs_time",
                "Share of attendees who belong to a team, per meeting",
            )

    st.header("Fairness")
    distribution = view["distribution"]
    columns = st.columns(3)
    columns[0].metric("Gini coefficient", f"{distribution.gini:.2f}")
    columns[1].metric("Respect held by the top 10%", f"{distribution.top_10_percent_share:.0%}")
    columns[2].metric("Nakamoto coefficient", f"{distribution.nakamoto_coefficient}")
    st.markdown(
        "These numbers describe how evenly accumulated Respect is spread over the members. "
        "The **Gini coefficient** is 0 when everyone holds the same and approaches 1 when one "
        "member holds everything. The **top 10% share** is the part of all Respect held by the "
        "tenth of members with the most. The **Nakamoto coefficient** is the smallest number of "
        "members who together hold more than half of all Respect: the larger it is, the more "
        "people it takes to dominate. The **Lorenz curve** plots the share of Respect held by "
        "the poorest part of the members; the further it sags below the diagonal, the more "
        "unequal the distribution. The Gini coefficient over time shows whether concentration "
        "grows as meetings go on. New members who attended once pull all of these towards "
        "inequality, so compare them with how often members attend."
    )
    left, right = st.columns(2)
    with left:
        figure(
            "respect_lorenz_curve",
            "Lorenz curve of accumulated member Respect",
        )
    with right:
        st.altair_chart(gini_chart(view["gini"]), width="stretch")

    st.header("Member Profile")
    labels = view["member_labels"]
    member = st.selectbox(
        "Member",
        list(labels),
        format_func=lambda member_id: labels.get(member_id, member_id),
        key=f"fg_member_{loaded.key}",
    )
    if member is not None and member in labels:
        member_id = str(member)
        stats = view["member_stats"].loc[member_id].to_dict()
        st.text(labels[member_id])
        columns = st.columns(3)
        columns[0].metric(
            "Meetings attended", f"{int(stats['AttendanceCount'])} of {view['meetings']}"
        )
        columns[1].metric("Accumulated Respect", f"{int(stats['AccumulatedRespect']):,}")
        mean_rank = stats["Mean"]
        columns[2].metric("Mean rank", "none" if pd.isna(mean_rank) else f"{mean_rank:.2f}")
        history = _member_history(loaded.key, first, last, member_id, dataset)
        left, right = st.columns(2)
        with left:
            st.altair_chart(member_rank_chart(history), width="stretch")
        with right:
            st.altair_chart(member_respect_chart(history), width="stretch")

    st.header("Description")
    st.markdown(DESCRIPTION)
    st.header("Resources")
    st.markdown(RESOURCES)


DESCRIPTION = """
Fractal governance lets a community recognise who contributes, without elections and without
votes weighted by money. Members meet every week and are split at random into small groups of
three to six people. In each group, everyone describes what they have done for the community
since the last meeting, and the group has to agree on a ranking, from 6 for the largest
contribution downwards. No one can rank themselves alone: a ranking stands only when the group
reaches consensus.

Each rank earns **Respect** on a Fibonacci schedule, so the step from one rank to the next grows
(in the Genesis fractal, ranks 1 to 6 earned 2, 3, 5, 8, 13 and 21 Respect). Respect cannot be
bought or transferred; it accumulates meeting after meeting as a public record of contribution
that the community can use to weigh opinions and share out rewards. Members can also form
**teams**, which are credited with the Respect their members earn.

This dashboard reads the records of such meetings and shows who attends, how Respect accumulates
for members and teams, and how evenly it is spread. The same analysis is available as a Python
library, a command-line tool and notebooks in the `fractal_governance` project.
"""

RESOURCES = """
- [fractal_governance on GitHub](https://github.com/matt-langston/fractal_governance): the
  original analysis and the public records of the Genesis fractal.
- [More Equal Animals](https://moreequalanimals.com), Daniel Larimer's book on the ideas behind
  fractal democracy.
- [ƒractally](https://fractally.com), where the Genesis fractal met.
- [Optimism Fractal](https://optimismfractal.com), a fractal community that uses levels 1 to 6
  worth 5 to 55 Respect.
- [Gini coefficient](https://en.wikipedia.org/wiki/Gini_coefficient) and
  [Lorenz curve](https://en.wikipedia.org/wiki/Lorenz_curve) on Wikipedia.
"""


def main() -> None:
    """Run one pass of the app script."""
    st.set_page_config(page_title="Fractal Governance Dashboard", layout="wide")
    loaded = choose_data()
    first, last = meeting_range(loaded)
    quality_expander(loaded.dataset)
    render(loaded, first, last)


if __name__ == "__main__":
    main()
