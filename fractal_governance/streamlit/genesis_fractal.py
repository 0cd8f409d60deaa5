"""The fractal governance dashboard: a Streamlit app over any Dataset.

Run it with ``bazel run //:dashboard``, ``fractal-governance dashboard [DATA] [--port P]`` or
``python -m fractal_governance.streamlit.launcher``; ``streamlit run genesis_fractal.py`` works
too. The sidebar chooses the data (the simulated demo, the public Genesis records, uploaded CSV
files, or data named on the command line by whoever started the server), the community profile
it is read with (the Respect schedule; the first meeting date and interval for records without
MeetingDate) and the meetings to show.

Everything shown comes from the library (Dataset tables, fairness metrics, measurement quality)
and is worded and formatted by :mod:`fractal_governance.texts`; the app only arranges it.

Speed (every widget change re-renders within 0.5 s on Genesis and 2 s at 1,000,000 rows;
``benchmarks/bench_dashboard.py``): work is cached by the content of the data, the profile and
the meeting range, so moving a widget does not re-read or re-analyse anything seen before. Loaded
datasets, selections, the tables shown and the charts' specifications live in
``st.cache_resource`` (shared, read-only objects). Another Respect schedule counts the
measurements already read anew (``Dataset.with_profile``). The charts' layouts come from Altair
once per process (:class:`charts.Chart`). The member picker and the self-measurement toggle are
fragments: changing them reruns only their part of the page. CSV downloads are written when
they are asked for.

Safety: data is never rendered as HTML, text from the data that goes into Markdown is escaped,
uploads are written to a fresh temporary folder under generated names, and the only server-side
files the app reads are the registry's and the one named by the operator at start-up.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

try:
    import fractal_governance  # noqa: F401
except ImportError:  # `streamlit run` of this file without the repository on sys.path
    sys.path.append(str(Path(os.path.realpath(__file__)).parents[2]))

import numpy as np
import pandas as pd
import streamlit as st

from fractal_governance import datasets, profiles, texts
from fractal_governance.dataset import Dataset
from fractal_governance.fairness import RespectDistribution
from fractal_governance.io import DatasetError
from fractal_governance.policies import SCHEDULES, schedule_from_text
from fractal_governance.profiles import CommunityProfile
from fractal_governance.streamlit import charts
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

_CURRENT = "fg_current"  # session_state: the last dataset that loaded without error
_UPLOAD_DIGEST = "fg_upload_digest"  # session_state: (uploaded file ids, content digest)
_FETCH_ERROR = "fg_fetch_error"  # session_state: why the last fetch failed (one line)
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
    _files: Sequence[Any],
    _profile: CommunityProfile,
) -> Dataset | str:
    """The dataset in uploaded files (keyed by their digest), or the DatasetError message."""
    try:
        return load_uploaded_files(_contents(_files), _profile)
    except DatasetError as error:
        return str(error)


@st.cache_resource(show_spinner="Counting the data anew…", max_entries=8, ttl=_TTL)
def _reprofiled(
    key: str, profile_key: str, _dataset: Dataset, _profile: CommunityProfile
) -> Dataset | str:
    """The dataset ``key`` (``_dataset``) counted with the profile that ``profile_key`` names:
    its measurements, already read and checked, counted anew (``Dataset.with_profile``)."""
    try:
        return _dataset.with_profile(_profile).with_source(_dataset.source)
    except (DatasetError, ValueError) as error:
        return str(error)


def _counted_with(
    result: Dataset | str,
    base: ProfileChoice,
    choice: ProfileChoice,
    key: str,
    read: Callable[[], Dataset | str],
) -> Dataset | str:
    """``result`` (the data ``key`` read with ``base``, its own profile) counted with
    ``choice``: the measurements read once are counted anew, unless reading changed the
    profile (an ORDAO export's recorded awards, Genesis' late consensus) or failed (``choice``
    may read what ``base`` cannot, e.g. more levels), when ``read()`` reads the data with
    ``choice`` as before."""
    if choice.key == base.key:
        return result
    if isinstance(result, str) or result.profile != base.profile:
        return read()
    return _reprofiled(key, choice.key, result, choice.profile)


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
        try:
            profile = profile.with_schedule(SCHEDULES[choice])
            parts.append(f"schedule={choice}")
        except ValueError:  # e.g. Genesis' complete record: weighted-mean tokens from meeting 23
            area.error(texts.SCHEDULE_NOT_REPLACEABLE)

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
    base = _own_profile(name)
    choice = choice or base
    try:
        path = datasets.path(name)
        digest = f"{name}:{fingerprint(path)}"
    except (OSError, DatasetError) as error:
        return str(error)
    result = _counted_with(
        _registry_dataset(name, digest, base.key, base.profile),
        base,
        choice,
        f"{digest}:{base.key}",
        lambda: _registry_dataset(name, digest, choice.key, choice.profile),
    )
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
    base = _own_profile(data)
    result = _counted_with(
        _operator_dataset(data, digest, base.key, base.profile),
        base,
        choice,
        f"{digest}:{base.key}",
        lambda: _operator_dataset(data, digest, choice.key, choice.profile),
    )
    if isinstance(result, str):
        return result
    return Loaded(result, f"{digest}:{choice.key}", SOURCE_OPERATOR, result.name or Path(data).name)


def _contents(files: Sequence[Any]) -> tuple[tuple[str, bytes], ...]:
    """Uploaded files as ``(file name, bytes)`` pairs."""
    return tuple((str(file.name), bytes(file.getvalue())) for file in files)


def _uploaded(files: Sequence[Any], choice: ProfileChoice) -> Loaded | str:
    ids = tuple(str(file.file_id) for file in files)
    remembered = st.session_state.get(_UPLOAD_DIGEST)
    if remembered is not None and remembered[0] == ids:
        digest = remembered[1]
    else:
        digest = upload_digest(_contents(files))
        st.session_state[_UPLOAD_DIGEST] = (ids, digest)
    base = ProfileChoice(profiles.DEFAULT, profiles.DEFAULT.name)  # as choose_data has it
    result = _counted_with(
        _upload_dataset(digest, base.key, files, base.profile),
        base,
        choice,
        f"upload:{digest}:{base.key}",
        lambda: _upload_dataset(digest, choice.key, files, choice.profile),
    )
    if isinstance(result, str):
        return result
    names = ", ".join(str(file.name) for file in files)
    key = f"upload:{digest}:{choice.key}"
    return Loaded(result, key, SOURCE_UPLOAD, f"uploaded file(s) {names}")


def _show_load_error(message: str, area: Any) -> None:
    area.error(f"The data could not be loaded: {escape_markdown(message)}")


def _fetch_genesis() -> None:
    """Button callback: fetch the Genesis records; remember a one-line message on failure."""
    st.session_state.pop(_FETCH_ERROR, None)
    try:
        datasets.fetch("genesis")
    except Exception as error:  # network failures come in many types
        st.session_state[_FETCH_ERROR] = texts.fetch_failed("Genesis", error)


def choose_data() -> Loaded | str:
    """Sidebar: pick the data source and the profile to read it with.

    Returns the dataset to show, always one of the source the radio names (the last good one
    of that source when the latest choice could not be loaded), or, when that source has no
    data to show yet, one line saying what to do (the page shows it instead of data).
    """
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
    waiting = ""
    if choice == SOURCE_OPERATOR and operator is not None:
        data_area.caption(f"Named when the server was started: {escape_markdown(operator)}")
        result = _operator(operator, chosen)
    elif choice == SOURCE_DEMO:
        result = _registry("demo", SOURCE_DEMO, chosen)
    elif choice == SOURCE_GENESIS:
        if genesis_offline:
            st.session_state.pop(_FETCH_ERROR, None)
            result = _registry("genesis", SOURCE_GENESIS, chosen)
        else:
            data_area.button("Fetch the Genesis data", key="fg_fetch", on_click=_fetch_genesis)
            failed = st.session_state.get(_FETCH_ERROR)
            if failed:
                data_area.error(escape_markdown(failed))
            waiting = failed or texts.GENESIS_NOT_HERE
    elif choice == SOURCE_UPLOAD:
        files = data_area.file_uploader(
            "CSV files",
            type=["csv"],
            accept_multiple_files=True,
            key="fg_upload",
            max_upload_size=UPLOAD_LIMIT_MB,
            help="One weekly consensus table (Rank or Level, optional Round and MeetingDate), "
            "an ORDAO awards export, or the three normalized files: measurements, members and "
            "teams.",
        )
        data_area.caption(
            f"Up to {UPLOAD_LIMIT_MB} MB per file. Uploads are only read into memory: the "
            "temporary copy is deleted at once and nothing is kept."
        )
        if files:
            result = _uploaded(files, chosen)
        else:
            waiting = texts.UPLOAD_WAITING

    if isinstance(result, str):
        _show_load_error(result, data_area)
        waiting = f"The data could not be loaded: {result}"
    elif result is not None:
        st.session_state[_CURRENT] = result

    current: Loaded | None = st.session_state.get(_CURRENT)
    if current is None or current.source != choice:
        return waiting or "Choose the data to show in the sidebar."
    if isinstance(result, str):
        data_area.caption("The previous data of this source is still shown.")
    data_area.caption(f"Showing: {escape_markdown(current.description)}")
    return current


# --------------------------------------------------------------------------------------------
# Derived tables, cached by content digest and meeting range
# --------------------------------------------------------------------------------------------


#: A CSV download, made when it is asked for (``st.download_button`` calls it on a click).
CsvFile = Callable[[], bytes]


def csv_file(frame: pd.DataFrame, **options: Any) -> CsvFile:
    """``frame`` as the bytes of a spreadsheet-safe CSV file (``util.spreadsheet_csv`` with
    ``options``), written only when called: a download nobody asks for costs nothing."""
    return functools.partial(_csv_bytes, frame, **options)


def _csv_bytes(frame: pd.DataFrame, **options: Any) -> bytes:
    return spreadsheet_csv(frame, **options).encode()


class View(TypedDict):
    """Everything the page shows for one dataset and meeting range (all picklable)."""

    title: str
    last_meeting: str
    profile: str
    schedule: str
    unit: str
    dates_known: bool
    summary: pd.DataFrame
    member_board: pd.DataFrame  # the first LEADERBOARD_ROWS rows, as shown
    member_count: int
    member_stats: pd.DataFrame
    member_csv: CsvFile
    member_labels: dict[str, str]
    team_board: pd.DataFrame
    team_csv: CsvFile
    has_teams: bool
    attendance: pd.DataFrame
    attendance_counts: pd.Series
    respect_by_meeting: pd.DataFrame
    team_respect: pd.DataFrame
    team_representation: pd.Series
    team_representation_mean: float
    team_representation_sd: float
    rank_by_attendance: pd.DataFrame
    distribution: RespectDistribution
    gini: pd.DataFrame
    lorenz: pd.DataFrame
    meetings: int
    findings: pd.DataFrame
    affected_rows: pd.DataFrame
    quality_csv: CsvFile


#: Member labels already made, by (MemberID, Name).
LabelMemo = dict[tuple[Hashable, Hashable], str]


def _member_labels(board: pd.DataFrame, memo: LabelMemo | None = None) -> list[str]:
    """Each member of ``board`` as the page names them (``texts.member_label``); ``memo``:
    labels made before (every meeting range of a dataset names the same members), added to."""
    memo = {} if memo is None else memo
    labels = []
    for pair in zip(board["MemberID"].tolist(), board["Name"].tolist(), strict=True):
        label = memo.get(pair)
        if label is None:
            label = memo[pair] = texts.member_label(*pair)
        labels.append(label)
    return labels


@st.cache_resource(show_spinner=False, max_entries=8, ttl=_TTL)
def _label_memo(key: str) -> LabelMemo:
    """The member labels made for the data ``key`` (any meeting range)."""
    return {}


def _shown_board(board: pd.DataFrame, labels: list[str] | None = None) -> pd.DataFrame:
    """The member leaderboard as the page shows it: a readable ``Member`` label first (a
    shortened address for ORDAO data), the full ``MemberID`` kept beside it. ``labels``:
    :func:`_member_labels` of ``board``, if already made."""
    if labels is None:
        labels = _member_labels(board)
    shown = board.copy()
    shown.insert(0, "Member", pd.Series(labels, index=board.index, dtype="object"))
    shown["Name"] = [
        texts.short_address(name) if isinstance(name, str) else name
        for name in board["Name"].tolist()
    ]
    return shown.rename_axis("Position")


def _findings(dataset: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The data-quality findings in words, and the records they are about (meeting and group,
    and the member when a finding names one)."""
    frame = dataset.quality_report.to_frame()
    findings = frame.assign(Kind=frame["Kind"].map(texts.quality_kind))
    records = dataset.df
    if frame.empty or "MeetingID" not in records:
        return findings, records.iloc[:0]
    keys = frame[["MeetingID", "Group"]].dropna().drop_duplicates()
    group_column = next((c for c in ("Group", "GroupID") if c in records), None)
    meetings = set(keys["MeetingID"].astype(int).tolist())
    affected = records["MeetingID"].isin(meetings)
    if group_column is not None and len(keys):
        pairs = set(zip(keys["MeetingID"].astype(int), keys["Group"].astype(int), strict=True))
        in_group = pd.Series(
            [
                (int(m), int(g)) in pairs if pd.notna(g) else False
                for m, g in zip(records["MeetingID"], records[group_column], strict=True)
            ],
            index=records.index,
        )
        affected &= in_group
    members = set(frame["MemberID"].dropna().astype(str))
    if members and "MemberID" in records:
        affected |= records["MemberID"].astype(str).isin(members) & records["MeetingID"].isin(
            set(frame.loc[frame["MemberID"].notna(), "MeetingID"].dropna().astype(int))
        )
    return findings, records.loc[affected]


def build_view(dataset: Dataset, labels_memo: LabelMemo | None = None) -> View:
    """Collect the tables and numbers the page shows from ``dataset`` (``labels_memo``: member
    labels made before, see :func:`_member_labels`)."""
    board = dataset.df_member_leader_board
    team_board = dataset.df_team_leader_board
    attendance = dataset.df_member_attendance_new_and_returning_by_meeting
    representation = dataset.team_representation_stats
    ids = dataset.meeting_ids
    findings, affected = _findings(dataset)
    labels = _member_labels(board, labels_memo)
    return View(
        title=dataset.name or "Fractal",
        last_meeting=texts.current_through(dataset.last_meeting_date, ids[-1] if ids else None),
        profile=texts.profile_caption(
            dataset.profile,
            dates_known=dataset.dates_known,
            dates_from_data=dataset.has_meeting_dates,
        ),
        schedule=texts.schedule_caption(dataset.profile),
        unit=dataset.unit,
        dates_known=bool(dataset.dates_known) and bool(attendance["MeetingDate"].notna().all()),
        summary=texts.format_summary(dataset.summary_table()),
        member_board=_shown_board(board.head(LEADERBOARD_ROWS), labels[:LEADERBOARD_ROWS]),
        member_count=len(board),
        member_stats=dataset.df_member_summary_stats_by_member_id,
        member_csv=csv_file(board, index_label="Position"),
        member_labels=dict(zip(board["MemberID"].astype(str), labels, strict=True)),
        team_board=team_board,
        team_csv=csv_file(team_board),
        has_teams=bool(dataset.has_teams),
        attendance=attendance,
        attendance_counts=dataset.df_member_summary_stats_by_member_id["AttendanceCount"],
        respect_by_meeting=dataset.df_member_respect_new_and_returning_by_meeting,
        team_respect=dataset.df_team_respect_by_meeting_date,
        team_representation=dataset.df_team_representation_by_date,
        team_representation_mean=float(representation.mean),
        team_representation_sd=float(representation.standard_deviation),
        rank_by_attendance=dataset.df_member_rank_by_attendance_count,
        distribution=dataset.respect_distribution,
        gini=dataset.df_gini_by_meeting,
        lorenz=dataset.df_lorenz_curve,
        meetings=int(dataset.total_meetings),
        findings=findings,
        affected_rows=affected,
        quality_csv=csv_file(findings, index=False),
    )


@st.cache_resource(show_spinner=False, max_entries=8, ttl=_TTL)
def _selection(key: str, first: int, last: int, _dataset: Dataset) -> Dataset:
    """The meetings ``first``..``last`` of the dataset with content digest ``key``."""
    ids = _dataset.meeting_ids
    if (first, last) == (ids[0], ids[-1]):
        return _dataset
    return _dataset.select_meetings(first, last)


@st.cache_resource(show_spinner="Analysing…", max_entries=32, ttl=_TTL)
def _view(key: str, first: int, last: int, _dataset: Dataset) -> View:
    """The view of a selection (a shared, read-only object: not copied on every rerun)."""
    return build_view(_dataset, _label_memo(key))


@st.cache_data(show_spinner=False, max_entries=16)
def _meeting_dates(key: str, _dataset: Dataset) -> dict[int, str]:
    """Meeting ID -> date label of every meeting of the full dataset."""
    table = _dataset.df_member_attendance_new_and_returning_by_meeting
    dates = [texts.format_date(value) for value in table["MeetingDate"].tolist()]
    return dict(zip(table["MeetingID"].astype(int), dates, strict=True))


@st.cache_resource(show_spinner=False, max_entries=256, ttl=_TTL)
def _member_history(
    key: str, first: int, last: int, member_id: str, _dataset: Dataset
) -> pd.DataFrame:
    history = _dataset.member_history(member_id)
    return history.assign(
        Rank=pd.to_numeric(history["Rank"], errors="coerce").astype("float64"),
        Respect=history["Respect"].astype("float64"),
        AccumulatedRespect=history["AccumulatedRespect"].astype("float64"),
    )


@st.cache_resource(show_spinner=False, max_entries=512, ttl=_TTL)
def _chart(key: str, first: int, last: int, name: str, _build: Any) -> dict[str, Any]:
    """A chart's Vega-Lite specification, built once per dataset, meeting range and chart."""
    # The layouts come from Altair once (charts.Chart); the data goes as Arrow bytes, converted
    # once here rather than by Streamlit on every rerun.
    return charts.to_page_spec(_build())


# --------------------------------------------------------------------------------------------
# Sections: one function each, drawn in the order of SECTIONS
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """What every section draws from: the data on show, its view and the meeting range."""

    loaded: Loaded
    dataset: Dataset
    view: View
    first: int
    last: int

    @property
    def key(self) -> str:
        """Names the data and the meeting range for the caches."""
        return f"{self.loaded.key}:{self.first}:{self.last}"

    def chart(self, name: str, build: Any) -> None:
        """Show the Altair chart that ``build()`` makes, cached as ``name``."""
        spec = _chart(self.loaded.key, self.first, self.last, name, build)
        st.vega_lite_chart(spec=spec, width="stretch")


def _gradient(page: Page, name: str, frame: pd.DataFrame, columns: list[Hashable]) -> Any:
    """``frame`` shaded in ``columns`` as ``Styler.background_gradient`` shades it; the colours
    are worked out once per table (``name``) and meeting range, not on every rerun."""
    css = _gradient_css(page.loaded.key, page.first, page.last, name, frame, tuple(columns))
    return frame.style.apply(lambda _: css, axis=None, subset=columns)


@st.cache_resource(show_spinner=False, max_entries=64, ttl=_TTL)
def _gradient_css(
    key: str, first: int, last: int, name: str, _frame: pd.DataFrame, columns: tuple[Hashable, ...]
) -> pd.DataFrame:
    """The CSS of each cell of ``_frame[columns]`` under ``background_gradient`` (each column
    from its least to its greatest value)."""
    shaded = _frame.loc[:, list(columns)]
    return pd.DataFrame(
        {column: _gradient_column(shaded[column]) for column in shaded.columns},
        index=shaded.index,
    )


def _gradient_column(column: pd.Series) -> np.ndarray:
    """pandas' ``Styler.background_gradient`` of one column, the same colours and text colours
    worked out for all cells at once (pandas converts each cell's colour on its own)."""
    from matplotlib import colormaps, colors

    values = column.to_numpy(dtype=float, na_value=np.nan)
    if not len(values):
        return np.array([], dtype=object)
    low, high = np.nanmin(values), np.nanmax(values)
    rgba = np.asarray(colormaps.get_cmap(_GRADIENT)(colors.Normalize(low, high)(values)))
    rgb = rgba[..., :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = 0.2126 * linear[..., 0] + 0.7152 * linear[..., 1] + 0.0722 * linear[..., 2]
    dark = luminance < 0.408  # pandas' text_color_threshold
    codes = np.round(rgb * 255).astype(int)
    return np.array(
        [
            f"background-color: #{r:02x}{g:02x}{b:02x};color: {'#f1f1f1' if d else '#000000'};"
            for (r, g, b), d in zip(codes.tolist(), dark.tolist(), strict=True)
        ],
        dtype=object,
    )


def _number_columns(frame: pd.DataFrame, unit: str) -> dict[str, Any]:
    """Readable headers, and thousands separators for the numbers."""
    config: dict[str, Any] = {}
    for name, label in texts.column_labels(frame.columns, unit).items():
        if pd.api.types.is_numeric_dtype(frame[name]):
            config[name] = st.column_config.NumberColumn(label, format="localized")
        else:
            config[name] = st.column_config.TextColumn(label)
    return config


def _time_note(page: Page) -> None:
    if not page.view["dates_known"]:
        st.caption(texts.NO_DATES_NOTE)


def description_section(page: Page) -> None:
    """What fractal governance is, under the title."""
    st.header("Description")
    intro, _, rest = texts.ABOUT.strip().partition("\n\n")
    st.markdown(intro)
    with st.expander("More about fractal governance and this dashboard"):
        st.markdown(rest)


def summary_section(page: Page) -> None:
    view = page.view
    st.header("Summary Statistics")
    left, right = st.columns([5, 6])
    with left:
        st.table(view["summary"], hide_index=True)
        st.caption(texts.SUMMARY_DESCRIPTION)
    with right:
        page.chart(
            "respect",
            lambda: charts.accumulated_respect_chart(view["respect_by_meeting"], view["unit"]),
        )
        _time_note(page)


def leaderboard_section(page: Page) -> None:
    view = page.view
    st.header("Member Leaderboard")
    shown = view["member_board"]
    st.markdown(texts.LEADERBOARD_DESCRIPTION)
    count = view["member_count"]
    if count > LEADERBOARD_ROWS:
        st.caption(
            f"Showing the top {LEADERBOARD_ROWS} of {texts.format_number(count)} members; "
            "the download has all of them."
        )
    config = _number_columns(shown, view["unit"])
    config["Member"] = st.column_config.TextColumn(
        "Member", help="Name and ID (addresses shortened; the full ID is in the Member ID column)"
    )
    config["Position"] = st.column_config.NumberColumn("Place")
    st.dataframe(
        _gradient(
            page, "members", shown, ["AccumulatedRank", "AccumulatedRespect", "AttendanceCount"]
        ),
        column_config=config,
    )
    st.download_button(
        "Download the member leaderboard (CSV)",
        view["member_csv"],
        file_name="member_leaderboard.csv",
        mime="text/csv",
        key="fg_download_members",
        on_click="ignore",
    )


def attendance_section(page: Page) -> None:
    view = page.view
    st.header("Attendance")
    st.markdown(texts.ATTENDANCE_DESCRIPTION)
    page.chart("attendance", lambda: charts.attendance_chart(view["attendance"]))
    _time_note(page)
    left, right = st.columns([2, 3])
    with left:
        config = _number_columns(view["attendance"], view["unit"])
        config["MeetingDate"] = st.column_config.DateColumn("Date", format="MMM DD, YYYY")
        config["MeetingID"] = st.column_config.NumberColumn("Meeting", format="plain")
        st.dataframe(view["attendance"], hide_index=True, column_config=config)
    with right:
        page.chart(
            "consistency",
            lambda: charts.attendance_consistency_chart(
                view["attendance_counts"], view["meetings"]
            ),
        )


def teams_section(page: Page) -> None:
    view = page.view
    st.header("Team Statistics")
    if not view["has_teams"]:
        st.info(texts.NO_TEAMS)
        return
    left, right = st.columns([2, 3])
    with left:
        st.markdown(texts.TEAM_LEADERBOARD_DESCRIPTION)
        board = view["team_board"]
        st.dataframe(
            _gradient(page, "teams", board, ["AccumulatedRespect"]),
            column_config=_number_columns(board.reset_index(), view["unit"]),
        )
        st.download_button(
            "Download the team leaderboard (CSV)",
            view["team_csv"],
            file_name="team_leaderboard.csv",
            mime="text/csv",
            key="fg_download_teams",
            on_click="ignore",
        )
    with right:
        if view["dates_known"]:
            page.chart(
                "teams",
                lambda: charts.team_respect_chart(
                    view["team_respect"],
                    view["attendance"],
                    [str(team) for team in view["team_board"].index],
                    view["unit"],
                ),
            )
        else:
            st.caption(texts.TEAMS_NEED_DATES)


def team_representation_section(page: Page) -> None:
    view = page.view
    st.subheader("Team Representation")
    mean, sd = view["team_representation_mean"], view["team_representation_sd"]
    if pd.isna(mean):
        st.info(texts.NO_TEAMS)
        return
    spread = "" if pd.isna(sd) else f" (standard deviation {texts.format_percent(sd)})"
    st.markdown(
        f"{texts.TEAM_REPRESENTATION_DESCRIPTION} Over the meetings with any team members "
        f"it averaged {texts.format_percent(mean)}{spread}."
    )
    if view["dates_known"]:
        page.chart(
            "representation",
            lambda: charts.team_representation_chart(
                view["team_representation"], view["attendance"]
            ),
        )
    else:
        st.caption(texts.TEAMS_NEED_DATES)


def rank_vs_attendance_section(page: Page) -> None:
    view = page.view
    st.header("Rank vs Attendance")
    st.markdown(texts.RANK_VS_ATTENDANCE_DESCRIPTION)
    page.chart("rank", lambda: charts.rank_vs_attendance_chart(view["rank_by_attendance"]))


def fairness_section(page: Page) -> None:
    view = page.view
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
        page.chart("lorenz", lambda: charts.lorenz_chart(view["lorenz"], float(distribution.gini)))
    with right:
        page.chart("gini", lambda: charts.gini_chart(view["gini"]))


def member_section(page: Page) -> None:
    st.header("Member Profile")
    if not page.view["member_labels"]:
        st.info("No member attended these meetings.")
        return
    _member_profile(page)


@st.fragment
def _member_profile(page: Page) -> None:
    """The member picker and what it shows: a fragment, so picking another member reruns
    this part only, not the page."""
    with section_guard("The Member Profile section"):
        _draw_member_profile(page)


def _draw_member_profile(page: Page) -> None:
    view = page.view
    names = view["member_labels"]
    member = st.selectbox(
        "Member",
        list(names),
        format_func=lambda member_id: names.get(member_id, member_id),
        key=f"fg_member_{page.loaded.key}",
    )
    if member is None or member not in names:
        return
    member_id = str(member)
    stats = view["member_stats"].loc[member_id].to_dict()
    st.text(names[member_id])
    if texts.short_address(member_id) != member_id:
        st.caption(f"Full address: {escape_markdown(member_id)}")
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
    history = _member_history(page.loaded.key, page.first, page.last, member_id, page.dataset)
    left, right = st.columns(2)
    with left:
        page.chart(
            f"member-rank:{member_id}", lambda: charts.member_rank_chart(history, view["unit"])
        )
    with right:
        page.chart(
            f"member-respect:{member_id}",
            lambda: charts.member_respect_chart(history, view["unit"]),
        )


def measurement_quality_section(page: Page) -> None:
    measurement_page.section(
        page.dataset,
        page.key,
        chart=page.chart,
        guard=lambda: section_guard("The Measurement Quality section"),
    )


def data_quality_section(page: Page) -> None:
    """The data-quality findings in words, the records they are about, and a download."""
    view = page.view
    findings = view["findings"]
    st.header("Data Quality")
    if findings.empty:
        st.success("No data-quality findings: nothing unusual in these records.")
        return
    st.markdown(f"**{texts.quality_count(len(findings))}.** {texts.QUALITY_DESCRIPTION}")
    kinds = findings["Kind"].value_counts(sort=False)
    st.markdown(
        "\n".join(
            f"- {escape_markdown(kind)}: {texts.format_number(count)}"
            for kind, count in kinds.items()
        )
    )
    st.dataframe(
        findings,
        hide_index=True,
        column_config={
            "Kind": st.column_config.TextColumn("Finding"),
            "MeetingID": st.column_config.NumberColumn("Meeting", format="plain"),
            "Group": st.column_config.NumberColumn("Group", format="plain"),
            "MemberID": st.column_config.TextColumn("Member ID"),
            "Message": st.column_config.TextColumn("Explanation", width="large"),
        },
    )
    st.download_button(
        "Download the data-quality findings (CSV)",
        view["quality_csv"],
        file_name="data_quality_findings.csv",
        mime="text/csv",
        key="fg_download_quality",
        on_click="ignore",
    )
    rows = view["affected_rows"]
    if len(rows):
        st.markdown(
            f"The {texts.format_number(len(rows))} records of the groups these findings are about:"
        )
        st.dataframe(rows.head(LEADERBOARD_ROWS), hide_index=True)


def resources_section(page: Page) -> None:
    st.header("Resources")
    st.markdown(texts.RESOURCES)


@dataclass(frozen=True)
class Section:
    """One section of the page: its title (as shown) and the function that draws it."""

    title: str
    draw: Any


#: The page's sections, in page order (the original dashboard's, then the additions).
SECTIONS: tuple[Section, ...] = (
    Section("Description", description_section),
    Section("Summary Statistics", summary_section),
    Section("Member Leaderboard", leaderboard_section),
    Section("Attendance", attendance_section),
    Section("Team Statistics", teams_section),
    Section("Team Representation", team_representation_section),
    Section("Rank vs Attendance", rank_vs_attendance_section),
    Section("Fairness", fairness_section),
    Section("Member Profile", member_section),
    Section("Measurement Quality", measurement_quality_section),
    Section("Data Quality", data_quality_section),
    Section("Resources", resources_section),
)


# --------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------


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
        format_func=lambda meeting: f"{meeting} ({dates.get(meeting, texts.UNKNOWN_DATE)})",
        key=f"fg_meetings_{loaded.key}",
    )
    return int(first), int(last)


def header(page: Page) -> None:
    """Title, profile, unit and schedule, how current the data is, and notes."""
    view, loaded = page.view, page.loaded
    st.set_page_config(page_title=f"{view['title']} Dashboard")
    st.title(f"{escape_markdown(view['title'])} Dashboard")
    st.caption(escape_markdown(view["profile"]))
    if view["schedule"].split("Schedule: ")[-1].rstrip(".") not in view["profile"]:
        st.caption(escape_markdown(view["schedule"]))
    st.markdown(view["last_meeting"])
    if loaded.simulated:
        st.info(
            "These are **simulated** records made by the project's simulator, not the records "
            "of a real community. Choose Genesis or upload your own data in the sidebar."
        )
    elif loaded.source == SOURCE_UPLOAD:
        st.caption(f"Data: {escape_markdown(loaded.description)}")
    ids = loaded.dataset.meeting_ids
    if (page.first, page.last) != (ids[0], ids[-1]):
        st.caption(f"Showing meetings {page.first} to {page.last} only.")
    if len(view["findings"]):
        st.caption(f"{texts.quality_count(len(view['findings']))}: see Data Quality below.")


_LOG = logging.getLogger(__name__)


def section_failed(title: str, error: Exception) -> None:
    """Show that a part of the page failed as one line, without a traceback or any text of
    the error (which may hold server paths), and log the full error for the operator."""
    _LOG.error("dashboard section %r failed", title, exc_info=error)
    st.error(
        f"{escape_markdown(title)} could not be shown ({type(error).__name__}); the rest of "
        "the page is unaffected. The details are in the server log."
    )


@contextlib.contextmanager
def section_guard(title: str) -> Iterator[None]:
    """Run a part of the page; if it fails, :func:`section_failed` (also inside fragments,
    which rerun without the page around them)."""
    try:
        yield
    except Exception as error:
        section_failed(title, error)


def render(loaded: Loaded, first: int, last: int) -> None:
    """The main page for the meetings ``first``..``last`` of ``loaded``: the header, then
    every section of :data:`SECTIONS` in order. A section that fails shows one line
    (:func:`section_failed`) and the page goes on."""
    dataset = _selection(loaded.key, first, last, loaded.dataset)
    page = Page(loaded, dataset, _view(loaded.key, first, last, dataset), first, last)
    with section_guard("The page header"):
        header(page)
    for section in SECTIONS:
        with section_guard(f"The {section.title} section"):
            section.draw(page)


def main() -> None:
    """Run one pass of the app script."""
    st.set_page_config(page_title="Fractal Governance Dashboard", layout="wide")
    folder = study_page.choose_study()
    if folder is not None:
        study_page.render_study(folder)
        return
    loaded = choose_data()
    if isinstance(loaded, str):
        st.title("Fractal Governance Dashboard")
        st.info(escape_markdown(loaded))
        return
    first, last = meeting_range(loaded)
    render(loaded, first, last)


if __name__ == "__main__":
    main()
