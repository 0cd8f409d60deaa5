"""A self-contained static HTML report of a Dataset, to open from disk or publish as is.

:func:`write_report` writes a directory holding ``index.html`` (summary statistics, member and
team leaderboards, fairness metrics, data-quality findings and every figure), the figures as
PNG files beside it, and the leaderboards as CSV files. The page loads nothing from elsewhere
(no CDN, no scripts; its Content-Security-Policy forbids them) and every piece of text from the
data is HTML-escaped, so a member called ``<script>...`` shows up as text.

The directory is built under a temporary name next to its destination (``.NAME.XXXXXXXX.tmp``)
and moved into place when complete, so an interrupted run never leaves half a report behind. It
holds a manifest (:data:`MANIFEST_NAME`) of the files the report wrote: ``force`` replaces a
directory only when it holds nothing else, and does so in one step where the system can
(Linux ``renameat2(RENAME_EXCHANGE)``, macOS ``renamex_np(RENAME_SWAP)``), so that a kill at any
moment leaves the old report or the new one. Temporary folders a killed run left beside the
destination are removed by the next run.

Examples
--------
>>> from fractal_governance import datasets
>>> from fractal_governance.report import write_report
>>> write_report(datasets.load("demo"), "demo-report")  # doctest: +SKIP
PosixPath('demo-report/index.html')
"""

from __future__ import annotations

import ctypes
import datetime
import errno
import html
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from fractal_governance import texts
from fractal_governance.util import spreadsheet_csv

if TYPE_CHECKING:
    from fractal_governance.dataset import Dataset

__all__ = [
    "GENERATOR",
    "INDEX_NAME",
    "MANIFEST_NAME",
    "MEMBER_LEADERBOARD_CSV",
    "TEAM_LEADERBOARD_CSV",
    "ProgressCallback",
    "is_simulated",
    "leaderboard_table",
    "render_index",
    "write_report",
]

#: ``<meta name="generator">`` of every report; marks a directory that ``force`` may replace.
GENERATOR = "fractal_governance report"
#: File name of the report's page.
INDEX_NAME = "index.html"
#: File name of the manifest: the files the report wrote (what ``force`` may replace).
MANIFEST_NAME = ".fractal_governance_report.json"
#: File names of the leaderboards as CSV, linked from the page.
MEMBER_LEADERBOARD_CSV = "member_leaderboard.csv"
TEAM_LEADERBOARD_CSV = "team_leaderboard.csv"
#: Format of the figures written beside the page.
FIGURE_FORMAT = "png"
FIGURE_DPI = 100

#: Called as ``progress(done, total, label)`` after each step of :func:`write_report`.
ProgressCallback = Callable[[int, int, str], None]

_STYLE = """
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; line-height: 1.45;
       overflow-wrap: anywhere; }
@media (max-width: 40rem) { body { padding: 0.75rem 0.75rem 2rem; } }
h1 { margin-bottom: 0.25rem; }
.scroll { overflow-x: auto; max-width: 100%; -webkit-overflow-scrolling: touch; }
.scroll table { margin: 0; }
td, th { overflow-wrap: normal; }
dl.about { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dl.about dt { font-weight: 600; }
dl.about dd { margin: 0; }
@media (max-width: 40rem) { dl.about { grid-template-columns: 1fr; }
                            dl.about dd { margin-bottom: 0.4rem; } }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2.5rem; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; }
table { border-collapse: collapse; margin: 0.75rem 0; font-size: 0.95rem; }
th, td { border: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: left;
         vertical-align: top; }
th { background: #f4f4f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { background: #fff6d6; border: 1px solid #e8d27a; padding: 0.6rem 0.9rem;
        border-radius: 4px; }
.muted { color: #666; }
figure { margin: 1.5rem 0; }
figure img { display: block; width: 100%; max-width: 100%; height: auto;
             border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.95rem; }
details { margin: 0.75rem 0; }
"""

# Scripts, frames, fonts and remote styles are all forbidden; images come from the report.
_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)


def write_report(
    dataset: Dataset,
    out_dir: str | os.PathLike[str],
    *,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> Path:
    """Write a static HTML report of ``dataset`` into the new directory ``out_dir``.

    Parameters
    ----------
    dataset : Dataset
        The data to report on.
    out_dir : path-like
        The directory to create. Its parent must exist.
    force : bool, default False
        Replace ``out_dir`` if it exists. Only an empty directory or an earlier report holding
        nothing but the files its manifest lists is replaced; anything else is refused, naming
        a file that is not the report's, so a mistyped path cannot delete unrelated files.
    progress : callable, optional
        Called as ``progress(done, total, label)`` before the first and after each step.

    Returns
    -------
    pathlib.Path
        The path of the report's ``index.html``.

    Raises
    ------
    FileExistsError
        ``out_dir`` exists and ``force`` is false, or it is not something ``force`` may replace.
    FileNotFoundError
        The parent directory of ``out_dir`` does not exist.
    """
    from fractal_governance.plots import PLOT_NAMES, Plots

    out = Path(out_dir)
    parent = out.parent
    if not parent.is_dir():
        raise FileNotFoundError(f"cannot write report {out}: directory {parent} does not exist")
    _check_replaceable(out, force=force)
    _remove_leftovers(out)

    total = len(PLOT_NAMES) + 2
    report = _progress_or_nothing(progress)
    report(0, total, "starting")
    build = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    try:
        plots = Plots.from_dataset(dataset)
        figures = []
        for done, name in enumerate(PLOT_NAMES, start=1):
            file_name = f"{name}.{FIGURE_FORMAT}"
            plots.figure(name).savefig(build / file_name, format=FIGURE_FORMAT, dpi=FIGURE_DPI)
            figures.append((name, file_name))
            report(done, total, name)

        members = leaderboard_table(dataset)
        # written for spreadsheets: names that begin like a formula are kept as text
        csv_options = {"index": False, "lineterminator": "\n"}
        (build / MEMBER_LEADERBOARD_CSV).write_text(
            spreadsheet_csv(members, **csv_options), encoding="utf-8"
        )
        teams = leaderboard_table(dataset, teams=True)
        if dataset.has_teams:
            (build / TEAM_LEADERBOARD_CSV).write_text(
                spreadsheet_csv(teams, **csv_options), encoding="utf-8"
            )
        report(total - 1, total, "leaderboards")

        page = render_index(dataset, figures, members=members, teams=teams)
        (build / INDEX_NAME).write_text(page, encoding="utf-8")
        files = sorted(entry.name for entry in build.iterdir())
        manifest = {"generator": GENERATOR, "files": [*files, MANIFEST_NAME]}
        (build / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        os.chmod(build, 0o777 & ~_umask())
        _move_into_place(build, out, force=force)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    report(total, total, "done")
    return out / INDEX_NAME


def is_simulated(dataset: Dataset) -> bool:
    """Whether ``dataset`` holds simulated records (such as the built-in ``demo`` data).

    Recognised by its display name (the title of a simulated registry dataset, or any name
    containing "simulated") or by its source being the file of a simulated registry dataset.
    """
    from fractal_governance import datasets

    simulated = [entry for entry in datasets.REGISTRY.values() if entry.simulated]
    name = dataset.name or ""
    if "simulated" in name.lower() or name in {entry.title for entry in simulated}:
        return True
    source = str(dataset.source or "")
    if not source or source.startswith("<"):
        return False
    for entry in simulated:
        try:
            shipped = datasets.path(entry.name)
        except datasets.DatasetError:  # not on this machine: cannot be the source either
            continue
        if os.path.realpath(source) == os.path.realpath(shipped):
            return True
    return False


def render_index(
    dataset: Dataset,
    figures: Sequence[tuple[str, str]],
    *,
    members: pd.DataFrame | None = None,
    teams: pd.DataFrame | None = None,
    today: datetime.date | None = None,
) -> str:
    """Return the report page of ``dataset`` as HTML.

    ``figures`` lists ``(plot name, relative file name)`` pairs; ``members`` and ``teams`` are
    the leaderboards with a ``Position`` column (computed from the dataset when omitted);
    ``today``: the generation date shown (default: today).
    """
    members = leaderboard_table(dataset) if members is None else members
    teams = leaderboard_table(dataset, teams=True) if teams is None else teams
    title = f"{dataset.name or _source_label(dataset)} Report"
    generated = texts.format_date(datetime.date.today() if today is None else today)
    ids = dataset.meeting_ids
    current = texts.current_through(dataset.last_meeting_date, ids[-1] if ids else None)
    profile = texts.profile_caption(
        dataset.profile,
        dates_known=dataset.dates_known,
        dates_from_data=dataset.has_meeting_dates,
    )
    unit = dataset.unit
    e = _escape

    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{e(_CONTENT_SECURITY_POLICY)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="{e(GENERATOR)}">',
        f"<title>{e(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{e(title)}</h1>",
        f"<p>{e(current)}</p>",
        '<dl class="about">',
        f"<dt>Dataset</dt><dd>{e(dataset.name or _source_label(dataset))}</dd>",
        f"<dt>Source</dt><dd>{e(_source_label(dataset))}</dd>",
        f'<dt>Profile</dt><dd class="profile">{e(profile)}</dd>',
        f"<dt>Unit and schedule</dt><dd>{e(texts.schedule_caption(dataset.profile))}</dd>",
        f"<dt>Generated</dt><dd>{e(generated)} by the fractal_governance report</dd>",
        "</dl>",
    ]
    if is_simulated(dataset):
        note, rest = texts.SIMULATED_NOTE.split(". ", 1)
        parts.append(f'<p class="note"><strong>{e(note)}.</strong> {e(rest)}</p>')
    parts += [
        "</header>",
        '<nav><ul><li><a href="#summary">Summary</a></li>'
        '<li><a href="#members">Member Leaderboard</a></li>'
        '<li><a href="#attendance">Attendance</a></li>'
        '<li><a href="#teams">Team Leaderboard</a></li>'
        '<li><a href="#fairness">Fairness</a></li>'
        '<li><a href="#quality">Data Quality</a></li>'
        '<li><a href="#measurement">Measurement Quality</a></li>'
        '<li><a href="#figures">Figures</a></li></ul></nav>',
        '<section id="summary">',
        "<h2>Summary Statistics</h2>",
        _html_table(texts.format_summary(dataset.summary_table()), numeric=("Value",)),
        f"<p>{e(texts.SUMMARY_DESCRIPTION)}</p>",
        "</section>",
        '<section id="members">',
        "<h2>Member Leaderboard</h2>",
        f"<p>{e(texts.LEADERBOARD_DESCRIPTION)}</p>",
        _html_table(members, unit=unit),
        f'<p><a href="{MEMBER_LEADERBOARD_CSV}">Member leaderboard as CSV</a></p>',
        "</section>",
        '<section id="teams">',
        "<h2>Team Leaderboard</h2>",
    ]
    if dataset.has_teams:
        parts += [
            f"<p>{e(texts.TEAM_LEADERBOARD_DESCRIPTION)}</p>",
            _html_table(teams, unit=unit),
            f'<p><a href="{TEAM_LEADERBOARD_CSV}">Team leaderboard as CSV</a></p>',
        ]
    else:
        parts.append(f"<p>{e(texts.NO_TEAMS)}</p>")
    parts += ["</section>", *_attendance_section(dataset)]
    parts += [*_fairness_section(dataset), *_quality_section(dataset)]
    parts += _measurement_section(dataset)
    parts += ['<section id="figures">', "<h2>Figures</h2>"]
    if not dataset.dates_known:
        parts.append(f"<p>{e(texts.NO_DATES_NOTE.split('. Set')[0])}.</p>")
    for name, file_name in figures:
        caption = texts.figure_caption(name, unit)
        parts.append(
            f'<figure id="{e(name)}"><img src="{e(file_name)}" alt="{e(caption)}" loading="lazy">'
            f"<figcaption>{e(caption)}</figcaption></figure>"
        )
    parts += [
        "</section>",
        f'<footer class="muted"><p>Written by the fractal_governance report on {e(generated)}.'
        "</p></footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------
# Sections


def _fairness_section(dataset: Dataset) -> list[str]:
    dist = dataset.respect_distribution
    labels = texts.FAIRNESS_LABELS
    rows = pd.DataFrame(
        {
            "Metric": [
                labels["members"],
                labels["total"],
                labels["gini"],
                labels["top_10"],
                labels["top_20"],
                labels["nakamoto"],
            ],
            "Value": [
                texts.format_number(dist.member_count),
                texts.format_respect(dist.total_respect, dataset.unit),
                texts.format_coefficient(dist.gini),
                texts.format_percent(dist.top_10_percent_share),
                texts.format_percent(dist.top_20_percent_share),
                texts.format_number(dist.nakamoto_coefficient),
            ],
        }
    )
    return [
        '<section id="fairness">',
        "<h2>Fairness</h2>",
        _html_table(rows, numeric=("Value",)),
        f"<p>{_escape(texts.FAIRNESS_DESCRIPTION)}</p>",
        "</section>",
    ]


def _attendance_section(dataset: Dataset) -> list[str]:
    """Attendees per meeting (new, returning, all) and members by meetings attended."""
    table = dataset.df_member_attendance_new_and_returning_by_meeting
    per_meeting = pd.DataFrame(
        {
            "Meeting": table["MeetingID"].astype("int64"),
            "Date": [texts.format_date(value) for value in table["MeetingDate"].tolist()],
            "New Members": table["NewMemberCount"],
            "Returning Members": table["ReturningMemberCount"],
            "Attendees": table["NewMemberCount"] + table["ReturningMemberCount"],
        }
    )
    counts = dataset.df_member_summary_stats_by_member_id["AttendanceCount"].to_numpy("int64")
    attended = np.bincount(counts.clip(min=0), minlength=2)[1:]
    consistency = pd.DataFrame(
        {"Meetings Attended": np.arange(1, len(attended) + 1), "Members": attended}
    )
    consistency = consistency[consistency["Members"] > 0]
    return [
        '<section id="attendance">',
        "<h2>Attendance</h2>",
        f"<p>{_escape(texts.ATTENDANCE_DESCRIPTION)}</p>",
        "<h3>Attendees per meeting</h3>",
        _html_table(per_meeting, plain=("Meeting",)),
        "<h3>Members by meetings attended</h3>",
        _html_table(consistency),
        "</section>",
    ]


def _quality_section(dataset: Dataset) -> list[str]:
    findings = dataset.quality_report
    parts = ['<section id="quality">', "<h2>Data Quality</h2>"]
    count = len(findings)
    if count == 0:
        parts.append("<p>No data-quality findings.</p>")
    else:
        noun = "finding" if count == 1 else "findings"
        parts += [
            f"<p>{_escape(texts.quality_count(count))}: {_escape(texts.QUALITY_DESCRIPTION)}</p>",
            f"<details><summary>Show the {noun}</summary>",
            _html_table(
                findings.to_frame().assign(
                    Kind=lambda frame: frame["Kind"].map(texts.quality_kind)
                ),
                plain=("MeetingID", "Group"),
            ),
            "</details>",
        ]
    parts.append("</section>")
    return parts


def _measurement_section(dataset: Dataset, top: int = 20) -> list[str]:
    """Measurement quality: the explanation, the correlations (without and with
    self-measurement) and the first ``top`` members by precision (with self-measurement, as
    the dashboard and the command line show by default)."""
    from fractal_governance import measurement_quality as mq

    quality = mq.MeasurementQuality.from_dataset(dataset)
    fits = []
    for include_self in (False, True):
        table = quality.correlations(include_self)
        fits.append(
            pd.DataFrame(
                {
                    "Self-measurement": "with" if include_self else "without",
                    "Quantity": table[mq.QUANTITY],
                    "Against": table[mq.PREDICTOR],
                    "Pearson r": table[mq.R].map(texts.format_coefficient),
                    "p-value": table[mq.P_VALUE].map(
                        lambda p: texts.MISSING if not np.isfinite(p) else f"{p:.2g}"
                    ),
                    "Slope": table[mq.SLOPE].map(lambda v: texts.format_coefficient(v, 4)),
                    "Intercept": table[mq.INTERCEPT].map(texts.format_coefficient),
                    "Members": table[mq.MEMBER_COUNT],
                }
            )
        )
    board = quality.leaderboard(include_self=True).head(top).rename_axis("Place")
    board = board.reset_index()
    for name in (mq.ACCURACY, mq.PRECISION):
        board[name] = board[name].map(texts.format_coefficient)
    numbers = ("Pearson r", "p-value", "Slope", "Intercept", mq.ACCURACY, mq.PRECISION)
    explanation = mq.EXPLANATION.replace("**", "")
    return [
        '<section id="measurement">',
        "<h2>Measurement Quality</h2>",
        f"<p>{_escape(explanation)}</p>",
        f"<p>{_escape(mq.CORRELATION_DESCRIPTION)}</p>",
        _html_table(pd.concat(fits, ignore_index=True), numeric=numbers),
        f"<p>With self-measurement. {_escape(mq.LEADERBOARD_DESCRIPTION)}</p>",
        _html_table(board, numeric=numbers, unit=dataset.unit),
        "</section>",
    ]


# ------------------------------------------------------------------------------------------
# Tables


def leaderboard_table(dataset: Dataset, *, teams: bool = False) -> pd.DataFrame:
    """The member (or, with ``teams``, team) leaderboard with its places as a column.

    The Dataset's leaderboard order and columns, preceded by ``Position`` (1, 2, ...), as the
    report and the command line show and export it.
    """
    if teams:
        board = dataset.df_team_leader_board.reset_index()
        board.insert(0, "Position", np.arange(1, len(board) + 1))
        return board
    return dataset.df_member_leader_board.rename_axis("Position").reset_index()


def _html_table(
    df: pd.DataFrame,
    *,
    numeric: Iterable[str] = (),
    plain: Iterable[str] = ("Position", "Place", "MeetingID"),
    unit: str = "Respect",
) -> str:
    """Render ``df`` (without its index) as an HTML table in its own horizontally scrolling
    box, every cell escaped.

    Headers are readable (:func:`texts.column_label`); numbers have thousands separators,
    except the columns in ``plain`` (places, meeting numbers); numeric columns (and those
    named in ``numeric``) are right-aligned. Member addresses are shortened, the full address
    in the cell's title (shown on hover).
    """
    plain = set(plain)
    right = set(numeric) | {
        str(name)
        for name in df.columns
        if pd.api.types.is_numeric_dtype(df[name]) and not pd.api.types.is_bool_dtype(df[name])
    }
    names = [str(name) for name in df.columns]
    classes = [' class="num"' if name in right else "" for name in names]
    head = "".join(
        f"<th{cls}>{_escape(texts.column_label(name, unit))}</th>"
        for name, cls in zip(names, classes, strict=True)
    )
    columns = []
    for name in df.columns:
        values = df[name].tolist()
        if str(name) in plain:
            columns.append([_escape(texts.format_cell(value)) for value in values])
        elif str(name) in ("MemberID", "Member"):
            columns.append([_member_cell(value) for value in values])
        else:
            columns.append([_escape(texts.format_thousands(value)) for value in values])
    body = [
        "<tr>"
        + "".join(f"<td{cls}>{cell}</td>" for cls, cell in zip(classes, row, strict=True))
        + "</tr>"
        for row in zip(*columns, strict=True)
    ]
    return "\n".join(
        [
            '<div class="scroll">',
            "<table>",
            f"<thead><tr>{head}</tr></thead>",
            "<tbody>",
            *body,
            "</tbody>",
            "</table>",
            "</div>",
        ]
    )


def _member_cell(value: object) -> str:
    text = texts.format_cell(value)
    short = texts.short_address(text)
    if short == text:
        return _escape(text)
    return f'<span title="{_escape(text)}">{_escape(short)}</span>'


def _source_label(dataset: Dataset) -> str:
    """The data's source for display: a file's name, never its full (private) path."""
    source = str(dataset.source or "")
    if not source or source.startswith("<"):
        return source or "<dataframe>"
    return Path(source).name or source


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


# ------------------------------------------------------------------------------------------
# Files


def _progress_or_nothing(progress: ProgressCallback | None) -> ProgressCallback:
    if progress is not None:
        return progress

    def ignore(done: int, total: int, label: str) -> None:
        return None

    return ignore


def _check_replaceable(out: Path, *, force: bool) -> None:
    """Refuse an existing ``out`` unless ``force`` and it is empty or an earlier report that
    holds nothing but its own files (the error names the first other file)."""
    if not os.path.lexists(out):
        return
    if not force:
        raise FileExistsError(f"{out} already exists; use --force (force=True) to replace it")
    if out.is_symlink() or not out.is_dir():
        raise FileExistsError(f"refusing to replace {out}: it is not a report directory")
    entries = sorted(entry.name for entry in out.iterdir())
    if not entries:
        return
    own = _report_files(out)
    if own is None:
        raise FileExistsError(
            f"refusing to replace {out}: it is not empty and holds no report written by "
            "fractal_governance"
        )
    others = [name for name in entries if name not in own or (out / name).is_dir()]
    if others:
        raise FileExistsError(
            f"refusing to replace {out}: {out / others[0]} is not a file of the report there"
            + (f" (nor are {len(others) - 1} more)" if len(others) > 1 else "")
            + "; move it away first"
        )


def _report_files(directory: Path) -> set[str] | None:
    """The names of the files the report in ``directory`` wrote: its manifest's list; for a
    report from before manifests (its page carries the generator tag), the files a report
    writes; None when ``directory`` holds no report."""
    try:
        manifest = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        manifest = None
    except (OSError, ValueError):
        return None
    if manifest is not None:
        if not isinstance(manifest, dict) or manifest.get("generator") != GENERATOR:
            return None
        files = manifest.get("files")
        if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
            return None
        return {name for name in files if name and "/" not in name and name not in (".", "..")}
    if not _is_report(directory):
        return None
    from fractal_governance.plots import MEASUREMENT_PLOT_NAMES, PLOT_NAMES

    figures = {f"{name}.{FIGURE_FORMAT}" for name in (*PLOT_NAMES, *MEASUREMENT_PLOT_NAMES)}
    return {INDEX_NAME, MEMBER_LEADERBOARD_CSV, TEAM_LEADERBOARD_CSV, *figures}


def _is_report(directory: Path) -> bool:
    index = directory / INDEX_NAME
    try:
        with index.open(encoding="utf-8", errors="replace") as file:
            head = file.read(4096)
    except OSError:
        return False
    return f'<meta name="generator" content="{_escape(GENERATOR)}">' in head


def _leftover_pattern(out: Path) -> re.Pattern[str]:
    """Names of the temporary folders a run writing ``out`` makes beside it (tempfile's eight
    random characters)."""
    return re.compile(rf"\.{re.escape(out.name)}\.[a-z0-9_]{{8}}\.(tmp|old)")


def _remove_leftovers(out: Path) -> None:
    """Remove the temporary folders that a killed run writing ``out`` left beside it."""
    pattern = _leftover_pattern(out)
    try:
        siblings = list(out.parent.iterdir())
    except OSError:
        return
    for sibling in siblings:
        if pattern.fullmatch(sibling.name) and sibling.is_dir() and not sibling.is_symlink():
            shutil.rmtree(sibling, ignore_errors=True)


def _move_into_place(build: Path, out: Path, *, force: bool) -> None:
    """Move the finished ``build`` directory to ``out``, replacing it when ``force``.

    The replacement is one exchange of the two directories where the system has one, so
    ``out`` always holds the old report or the new one; the old one, then at ``build``, is
    deleted afterwards (or by the next run, if this one is killed first). Elsewhere the old
    report is renamed aside first.
    """
    if not os.path.lexists(out):
        os.rename(build, out)
        return
    _check_replaceable(out, force=force)
    if _exchange(build, out):
        shutil.rmtree(build, ignore_errors=True)
        return
    attic = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    old = attic / out.name
    os.rename(out, old)
    try:
        os.rename(build, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(attic, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two directories; False when this system or file system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the C library the interpreter uses
        if sys.platform.startswith("linux"):
            renameat2 = libc.renameat2
            at_fdcwd, rename_exchange = -100, 2
            result = renameat2(
                at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange
            )
        elif sys.platform == "darwin":
            result = libc.renamex_np(os.fsencode(first), os.fsencode(second), 2)  # RENAME_SWAP
        else:
            return False
    except (AttributeError, OSError):  # no such function in this C library
        return False
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), str(second))


def _umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
