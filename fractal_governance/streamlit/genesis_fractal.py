"""The fractal governance dashboard: a Streamlit app over any Dataset.

Run it with ``bazel run //:dashboard``, ``fractal-governance dashboard [DATA] [--port P]`` or
``python -m fractal_governance.streamlit.launcher``; ``streamlit run genesis_fractal.py`` works
too. The sidebar chooses the data (the simulated demo, the public Genesis records, uploaded CSV
files, or data named on the command line by whoever started the server), the community profile
it is read with (the Respect schedule; the first meeting date and interval for records without
MeetingDate) and the meetings to show.

Everything shown comes from the library (Dataset tables, fairness metrics, Plots figures) and is
worded and formatted by :mod:`fractal_governance.texts`; the app only arranges it. Work is cached
by the content of the data and the profile, so moving a widget does not re-read or re-analyse
anything: loaded datasets and figures live in ``st.cache_resource`` (shared,
immutable objects), the tables and PNG images shown live in ``st.cache_data``.

Safety: data is never rendered as HTML, text from the data that goes into Markdown is escaped,
uploads are written to a fresh temporary folder under generated names, and the only server-side
files the app reads are the registry's and the one named by the operator at start-up.
"""

from __future__ import annotations

import datetime
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

from fractal_governance import datasets, profiles, texts
from fractal_governance.dataset import Dataset
from fractal_governance.fairness import RespectDistribution
from fractal_governance.io import DatasetError
from fractal_governance.plots import Plots
from fractal_governance.policies import SCHEDULES, schedule_from_text
from fractal_governance.profiles import CommunityProfile
from fractal_governance.streamlit import measurement_quality as measurement_page
from fractal_governance.streamlit import study as study_page
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

#: Schedule choices besides the names in SCHEDULES: the data's own profile, and a custom list.
SCHEDULE_PROFILE = "profile"
SCHEDULE_CUSTOM = "custom"

#: Section headers, in page order.
SECTIONS = (
    "Summary Statistics",
    "Member Leaderboard",
    "Attendance",
    "Team Statistics",
    "Team Representation",
    "Fairness",
    "Member Profile",
    "Measurement Quality",
    "Description",
    "Resources",
)

_CURRENT = "fg_current"  # session_state: the last dataset that loaded without error
_UPLOAD_DIGEST = "fg_upload_digest"  # session_state: (uploaded file ids, content digest)
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


format_date = texts.format_date


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


def load_uploaded_files(
    files: Sequence[tuple[str, bytes]], profile: CommunityProfile | None = None
) -> Dataset:
    """Load uploaded CSV files given as ``(file name, bytes)`` pairs.

    One file is read as a weekly consensus table (any layout ``Dataset.from_csv`` reads);
    several files as the normalized layout (measurements, members, teams), recognised by their
    columns. The bytes go to a fresh temporary folder under sanitized names, so a file name can
    never point anywhere else. ``profile``: how to read them (None: the default profile).

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
                dataset = Dataset.from_csv(paths[0], profile=profile)
            else:
                dataset = Dataset.from_directory(root, profile=profile)
        except DatasetError as error:
            message = str(error).replace(str(root) + os.sep, "").replace(str(root), "upload")
            raise DatasetError(message) from None
    return dataset.with_name("Uploaded Fractal")


@st.cache_resource(show_spinner="Loading the data…", max_entries=8)
def _registry_dataset(
    name: str, digest: str, profile_key: str, _profile: CommunityProfile
) -> Dataset | str:
    """The registry's dataset ``name`` (``digest``: content of its file) read with the profile
    that ``profile_key`` names, or an error message."""
    try:
        return datasets.load(name, profile=_profile)
    except DatasetError as error:
        return str(error)


@st.cache_resource(show_spinner="Loading the data…", max_entries=4)
def _operator_dataset(
    data: str, digest: str, profile_key: str, _profile: CommunityProfile
) -> Dataset | str:
    """The dataset named at server start, or an error message."""
    try:
        return datasets.resolve(data, profile=_profile)
    except DatasetError as error:
        return str(error)


@st.cache_resource(show_spinner="Checking the uploaded data…", max_entries=4, ttl=_TTL)
def _upload_dataset(
    digest: str,
    profile_key: str,
    _files: tuple[tuple[str, bytes], ...],
    _profile: CommunityProfile,
) -> Dataset | str:
    """The dataset in uploaded files (keyed by their digest), or the DatasetError message."""
    try:
        return load_uploaded_files(_files, _profile)
    except DatasetError as error:
        return str(error)


@dataclass(frozen=True)
class ProfileChoice:
    """The profile chosen in the sidebar, and the text that keys everything loaded with it."""

    profile: CommunityProfile
    key: str


def _schedule_label(option: str, base: CommunityProfile) -> str:
    if option == SCHEDULE_PROFILE:
        schedule = base.schedule
        name = schedule.name if schedule is not None else base.policy.describe()
        return f"The profile's own ({name})"
    if option == SCHEDULE_CUSTOM:
        return "Custom: the Respect of each level"
    return f"{option.capitalize()} ({SCHEDULES[option].describe()})"


def choose_profile(base: CommunityProfile, area: Any) -> ProfileChoice:
    """Sidebar (in ``area``): the Respect schedule and, for records without MeetingDate, the
    first meeting date and the interval. Returns ``base`` changed as chosen.

    The calendar is changed only when a value differs from ``base``'s calendar, so the
    profile's own calendar (e.g. Genesis' skipped week) is kept until the user changes it.
    """
    area.header("Community profile")
    options = [SCHEDULE_PROFILE, *SCHEDULES, SCHEDULE_CUSTOM]
    choice = area.selectbox(
        "Respect schedule",
        options,
        format_func=lambda option: _schedule_label(option, base),
        key="fg_schedule",
        help="How many Respect each level earns.",
    )
    profile = base
    parts = [base.name]
    if choice == SCHEDULE_CUSTOM:
        text = area.text_input(
            "Respect of levels 1, 2, … (comma-separated)",
            value="2,3,5,8,13,21",
            key="fg_custom_schedule",
        )
        try:
            profile = profile.with_schedule(schedule_from_text(text))
            parts.append(f"schedule={text.strip()}")
        except ValueError as error:
            area.error(f"{escape_markdown(error)}\n\nThe profile's own schedule is used instead.")
    elif choice != SCHEDULE_PROFILE:
        profile = profile.with_schedule(SCHEDULES[choice])
        parts.append(f"schedule={choice}")

    calendar = base.calendar
    start = calendar.start if calendar is not None else None
    cadence = calendar.cadence_days if calendar is not None else 7
    first = area.date_input(
        "First meeting date",
        value=start,
        format="YYYY-MM-DD",
        key=f"fg_first_date_{base.name}",
    )
    interval = area.number_input(
        "Meeting interval (days)",
        min_value=1,
        max_value=366,
        value=cadence,
        step=1,
        key=f"fg_interval_{base.name}",
    )
    area.caption(texts.meeting_calendar_note(False))
    first_date = first if isinstance(first, datetime.date) else None
    interval_days = int(interval) if interval is not None else cadence
    changed_start = first_date is not None and first_date != start
    changed_cadence = interval_days != cadence and (first_date is not None or start is not None)
    if interval_days != cadence and first_date is None and start is None:
        area.info("Choose a first meeting date too: an interval alone gives no dates.")
    if changed_start or changed_cadence:
        try:
            profile = profile.with_calendar(
                first_meeting_date=first_date if changed_start else None,
                meeting_interval_days=interval_days if changed_cadence else None,
            )
            parts.append(f"calendar={first_date}/{interval_days}")
        except ValueError as error:
            area.error(escape_markdown(error))
    return ProfileChoice(profile, "|".join(parts))


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


def _registry(name: str, source: str, choice: ProfileChoice | None = None) -> Loaded | str:
    choice = choice or _own_profile(name)
    try:
        path = datasets.path(name)
        digest = f"{name}:{fingerprint(path)}"
    except (OSError, DatasetError) as error:
        return str(error)
    result = _registry_dataset(name, digest, choice.key, choice.profile)
    if isinstance(result, str):
        return result
    key = f"{digest}:{choice.key}"
    return Loaded(result, key, source, result.name or name, simulated=name == "demo")


def _own_profile(data: str | None) -> ProfileChoice:
    """The profile ``data`` is read with when nothing is chosen (its registry profile)."""
    profile = datasets.profile_for(data)
    return ProfileChoice(profile, profile.name)


def _operator(data: str, choice: ProfileChoice) -> Loaded | str:
    try:
        if data in datasets.names():
            return _registry(data, SOURCE_OPERATOR, choice)
        digest = f"path:{fingerprint(Path(data))}"
    except (OSError, DatasetError) as error:
        return str(error)
    result = _operator_dataset(data, digest, choice.key, choice.profile)
    if isinstance(result, str):
        return result
    return Loaded(result, f"{digest}:{choice.key}", SOURCE_OPERATOR, result.name or Path(data).name)


def _uploaded(files: Sequence[Any], choice: ProfileChoice) -> Loaded | str:
    ids = tuple(str(file.file_id) for file in files)
    remembered = st.session_state.get(_UPLOAD_DIGEST)
    contents = tuple((str(file.name), bytes(file.getvalue())) for file in files)
    if remembered is not None and remembered[0] == ids:
        digest = remembered[1]
    else:
        digest = upload_digest(contents)
        st.session_state[_UPLOAD_DIGEST] = (ids, digest)
    result = _upload_dataset(digest, choice.key, contents, choice.profile)
    if isinstance(result, str):
        return result
    names = ", ".join(name for name, _ in contents)
    key = f"upload:{digest}:{choice.key}"
    return Loaded(result, key, SOURCE_UPLOAD, f"uploaded file(s) {names}")


def _show_load_error(message: str, area: Any) -> None:
    area.error(
        f"The data could not be loaded, so the previous data is still shown.\n\n"
        f"{escape_markdown(message)}"
    )


def choose_data() -> Loaded:
    """Sidebar: pick the data source and the profile to read it with; return the dataset to
    show (the last good one on error)."""
    data_area = st.sidebar.container()
    profile_area = st.sidebar.container()
    data_area.header("Data")
    operator = operator_data()
    genesis_offline = datasets.is_available_offline("genesis")
    options = [SOURCE_DEMO, SOURCE_GENESIS, SOURCE_UPLOAD]
    if operator is not None:
        options.insert(0, SOURCE_OPERATOR)
        default = SOURCE_OPERATOR
    else:
        default = SOURCE_GENESIS if genesis_offline else SOURCE_DEMO
    choice = data_area.radio(
        "Show", options, index=options.index(default), key="fg_source", label_visibility="collapsed"
    )
    base = {
        SOURCE_OPERATOR: operator,
        SOURCE_DEMO: "demo",
        SOURCE_GENESIS: "genesis",
    }.get(choice)
    chosen = choose_profile(
        datasets.profile_for(base) if base is not None else profiles.DEFAULT, profile_area
    )

    result: Loaded | str | None = None
    if choice == SOURCE_OPERATOR and operator is not None:
        data_area.caption(f"Named when the server was started: {escape_markdown(operator)}")
        result = _operator(operator, chosen)
    elif choice == SOURCE_DEMO:
        result = _registry("demo", SOURCE_DEMO, chosen)
    elif choice == SOURCE_GENESIS:
        if not genesis_offline:
            data_area.info("The Genesis records are not on this machine yet.")
            if data_area.button("Fetch the Genesis data", key="fg_fetch"):
                fetched = False
                try:
                    with st.spinner("Fetching the Genesis records…"):
                        datasets.fetch("genesis")
                    fetched = True
                except Exception as error:  # network failures come in many types
                    data_area.error(
                        "Could not fetch the Genesis data (is this machine offline?): "
                        f"{escape_markdown(error)}"
                    )
                if fetched:
                    st.rerun()  # start over with the records on this machine
        if genesis_offline:
            result = _registry("genesis", SOURCE_GENESIS, chosen)
    elif choice == SOURCE_UPLOAD:
        files = data_area.file_uploader(
            "CSV files",
            type=["csv"],
            accept_multiple_files=True,
            key="fg_upload",
            max_upload_size=UPLOAD_LIMIT_MB,
            help="One weekly consensus table (Rank or Level, optional Round and MeetingDate), "
            "or the three normalized files: measurements, members and teams.",
        )
        data_area.caption(
            f"Up to {UPLOAD_LIMIT_MB} MB per file. Uploads are only read into memory: the "
            "temporary copy is deleted at once and nothing is kept."
        )
        if files:
            result = _uploaded(files, chosen)

    if isinstance(result, str):
        _show_load_error(result, data_area)
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
    data_area.caption(f"Showing: {escape_markdown(current.description)}")
    return current


# --------------------------------------------------------------------------------------------
# Derived tables and figures, cached by content digest and meeting range
# --------------------------------------------------------------------------------------------


class View(TypedDict):
    """Everything the page shows for one dataset and meeting range (all picklable)."""

    title: str
    last_meeting: str
    profile: str
    unit: str
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
    ids = dataset.meeting_ids
    return View(
        title=dataset.name or "Fractal",
        last_meeting=texts.current_through(dataset.last_meeting_date, ids[-1] if ids else None),
        profile=texts.profile_caption(dataset.profile, dates_known=dataset.dates_known),
        unit=dataset.unit,
        summary=texts.format_summary(dataset.summary_table()),
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
    dates = [texts.format_date(value) for value in table["MeetingDate"].tolist()]
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

    def figure(name: str) -> None:
        _figure(loaded, first, last, plots, name, texts.figure_caption(name, view["unit"]))

    st.set_page_config(page_title=f"{view['title']} Dashboard")

    st.title(f"{escape_markdown(view['title'])} Dashboard")
    st.caption(escape_markdown(view["profile"]))
    st.markdown(view["last_meeting"])
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
        st.caption(texts.SUMMARY_DESCRIPTION)
    with right:
        figure("accumulated_member_respect_vs_time_stacked")

    st.header("Member Leaderboard")
    board = view["member_board"]
    st.markdown(texts.LEADERBOARD_DESCRIPTION)
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
        st.caption(texts.ATTENDANCE_DESCRIPTION)
    with right:
        figure("attendance_vs_time_stacked")
    left, right = st.columns(2)
    with left:
        figure("attendance_consistency_histogram")
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
            figure("accumulated_team_respect_vs_time_stacked")
    else:
        st.info(texts.NO_TEAMS)

    st.subheader("Team Representation")
    mean, sd = view["team_representation_mean"], view["team_representation_sd"]
    if pd.isna(mean):
        st.markdown("No attendee in these meetings belongs to a team, so there is nothing to show.")
    else:
        spread = "" if pd.isna(sd) else f" (standard deviation {texts.format_percent(sd)})"
        left, right = st.columns([2, 3])
        left.markdown(
            f"{texts.TEAM_REPRESENTATION_DESCRIPTION} Over the meetings with any team members "
            f"it averaged {texts.format_percent(mean)}{spread}."
        )
        with right:
            figure("team_representation_vs_time")

    st.header("Fairness")
    distribution = view["distribution"]
    labels = texts.FAIRNESS_LABELS
    columns = st.columns(4)
    columns[0].metric(labels["gini"], texts.format_coefficient(distribution.gini))
    columns[1].metric(labels["top_10"], texts.format_percent(distribution.top_10_percent_share))
    columns[2].metric(labels["nakamoto"], texts.format_number(distribution.nakamoto_coefficient))
    columns[3].metric(
        labels["total"], texts.format_respect(distribution.total_respect, view["unit"])
    )
    st.markdown(texts.FAIRNESS_DESCRIPTION)
    left, right = st.columns(2)
    with left:
        figure("respect_lorenz_curve")
    with right:
        st.altair_chart(gini_chart(view["gini"]), width="stretch")

    st.header("Member Profile")
    names = view["member_labels"]
    member = st.selectbox(
        "Member",
        list(names),
        format_func=lambda member_id: names.get(member_id, member_id),
        key=f"fg_member_{loaded.key}",
    )
    if member is not None and member in names:
        member_id = str(member)
        stats = view["member_stats"].loc[member_id].to_dict()
        st.text(names[member_id])
        member_columns = st.columns(3)
        member_columns[0].metric(
            "Meetings attended",
            f"{texts.format_number(stats['AttendanceCount'])} of "
            f"{texts.format_number(view['meetings'])}",
        )
        member_columns[1].metric(
            "Accumulated Respect", texts.format_respect(stats["AccumulatedRespect"], view["unit"])
        )
        mean_rank = stats["Mean"]
        member_columns[2].metric("Mean rank", "none" if pd.isna(mean_rank) else f"{mean_rank:.2f}")
        history = _member_history(loaded.key, first, last, member_id, dataset)
        left, right = st.columns(2)
        with left:
            st.altair_chart(member_rank_chart(history), width="stretch")
        with right:
            st.altair_chart(member_respect_chart(history), width="stretch")

    measurement_page.section(dataset, f"{loaded.key}:{first}:{last}")

    st.header("Description")
    st.markdown(texts.ABOUT)
    st.header("Resources")
    st.markdown(texts.RESOURCES)


def main() -> None:
    """Run one pass of the app script."""
    st.set_page_config(page_title="Fractal Governance Dashboard", layout="wide")
    folder = study_page.choose_study()
    if folder is not None:
        study_page.render_study(folder)
        return
    loaded = choose_data()
    first, last = meeting_range(loaded)
    quality_expander(loaded.dataset)
    render(loaded, first, last)


if __name__ == "__main__":
    main()
