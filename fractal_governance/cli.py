"""The ``fractal-governance`` command line (also ``python -m fractal_governance``).

Commands: ``summary``, ``leaderboard``, ``measurement-quality``, ``validate``, ``plot``,
``report``, ``simulate``, ``fetch`` and ``dashboard``; ``fractal-governance COMMAND --help``
describes each. Every command is a thin layer over the library, making the same calls as the
dashboard and the notebooks.

Conventions:

- DATA is a registry name (``demo``, ``genesis``), a weekly CSV file or a folder in the
  normalized layout; without it the default dataset is used (Genesis when a local copy
  exists, else the simulated demo).
- The data commands (``summary``, ``leaderboard``, ``validate``, ``plot``, ``report``) read the
  data with a community profile: the registry dataset's own (Genesis for ``demo`` and
  ``genesis``) or else the default (Genesis), changed by ``--schedule NAME|a,b,c,...``,
  ``--first-meeting-date YYYY-MM-DD`` and ``--meeting-interval DAYS`` (the calendar is used
  only for records without ``MeetingDate``). ``summary`` names the profile in use.
- Exit status 0 on success, 1 when the data (a ``DatasetError``) or the file system refuses
  (one line on stderr and no traceback unless ``--debug``), 2 for usage errors (also invalid
  option values), 3 for an internal error (any other exception: a bug). A reader that goes
  away (``| head``) ends the command quietly (status 1, nothing on stderr); a closed stdout
  (``>&-``) is a one-line error.
- Files are written atomically and an existing file is only replaced with ``--force``.
- Long work (``simulate``, ``report``, ``fetch``) shows a progress bar when stderr is a
  terminal and stays quiet when it is not.
- Heavy libraries (pandas, matplotlib, streamlit) are imported inside the commands, so
  ``--help`` answers quickly; only the command being run loads what its options need.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import shutil
import sys
import tempfile
import traceback
import typing
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from fractal_governance.dataset import Dataset
    from fractal_governance.profiles import CommunityProfile

__all__ = ["EXIT_ERROR", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "PROG", "build_parser", "main"]

PROG = "fractal-governance"

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

FORMATS = ("table", "csv", "json")

_DATA_HELP = (
    "a registry name (demo, genesis), a weekly CSV file or a folder in the normalized layout "
    "(default: genesis when a local copy exists, else the simulated demo)"
)

_REQUIRED_DATA_HELP = (
    "a registry name (demo, genesis, zao), a weekly CSV file, an ORDAO awards export or a folder "
    "in the normalized layout (required)"
)

Progress = Callable[[int, int, str], None]


class CommandError(Exception):
    """A failure the user can fix (reported as one line, exit status 1)."""


class UsageError(Exception):
    """A command line that cannot be run as given (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (exit status 2)."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(EXIT_USAGE, _usage_error_line(self.prog, message) + "\n")


def _usage_error_line(prog: str, message: str) -> str:
    return f"{prog}: error: {_one_line(message)} (see '{prog} --help')"


# ------------------------------------------------------------------------------------------
# Entry point


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``) and return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    _enter_working_directory()
    parser = build_parser(_command_of(arguments))
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exit_:
        return _exit_status(exit_.code)
    debug = bool(getattr(args, "debug", False))
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return handler(args)
    except UsageError as error:
        _print_error(_usage_error_line(args.subparser.prog, str(error)))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _print_error(f"{PROG}: interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, without a second error at exit.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except _NoStdout:
        _print_error(f"{PROG}: error: cannot write the output: standard output is closed")
        return EXIT_ERROR
    except Exception as error:
        if not isinstance(error, CommandError | OSError) and not _is_dataset_error(error):
            if debug:
                traceback.print_exc()
            _print_error(
                f"{PROG}: internal error: {type(error).__name__}: {_one_line(error)} "
                "(run with --debug for the traceback)"
            )
            return EXIT_INTERNAL
        # Bad data (DatasetError), files and downloads (OSError), the commands' own refusals.
        if debug:
            traceback.print_exc()
        _print_error(f"{PROG}: error: {_one_line(error)}")
        return EXIT_ERROR


def _enter_working_directory() -> None:
    """Under ``bazel run`` (which starts programs in their runfiles), change to the directory
    Bazel was started from (``BUILD_WORKING_DIRECTORY``), so that relative paths (DATA,
    ``--out``) mean what they mean in the user's shell."""
    folder = os.environ.get("BUILD_WORKING_DIRECTORY")
    if folder and os.path.isdir(folder):
        os.chdir(folder)


def _is_dataset_error(error: BaseException) -> bool:
    """Whether ``error`` is a DatasetError (without importing the library just to ask: if
    ``fractal_governance.io`` was never imported, nothing can have raised one)."""
    io_module = sys.modules.get("fractal_governance.io")
    return io_module is not None and isinstance(error, io_module.DatasetError)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Return the argument parser.

    Options whose choices come from the library (figure names, simulation presets and
    parameters, registry names) need heavy imports; they are added only to the parser of
    ``command``, the command about to run, so other commands and ``--help`` stay fast.
    """
    common = _Parser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the full traceback when something fails",
    )
    profile = _Parser(add_help=False)
    _add_profile_options(profile)
    parser = _Parser(
        prog=PROG,
        parents=[common],
        description="Analyse, plot, report, simulate and serve fractal governance data.",
        epilog=(
            "DATA is a registry name (demo, genesis), a weekly CSV file or a normalized folder. "
            "Exit status: 0 success, 1 error (one line on stderr), 2 usage error, "
            "3 internal error. "
            f"See '{PROG} COMMAND --help'."
        ),
    )
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    commands.required = True

    def add(
        name: str,
        handler: Callable[[argparse.Namespace], int],
        summary: str,
        *,
        data: bool = False,
    ) -> Any:
        parents = [common, profile] if data else [common]
        sub = commands.add_parser(name, parents=parents, help=summary, description=summary)
        sub.set_defaults(handler=handler, subparser=sub)
        return sub

    sub = add(
        "summary",
        _cmd_summary,
        "Print the summary statistics of a dataset and the profile it was read with.",
        data=True,
    )
    sub.add_argument("data", nargs="?", metavar="DATA", help=_DATA_HELP)
    _add_format(sub)

    sub = add("leaderboard", _cmd_leaderboard, "Print the member (or team) leaderboard.", data=True)
    sub.add_argument("data", nargs="?", metavar="DATA", help=_DATA_HELP)
    sub.add_argument("--teams", action="store_true", help="the team leaderboard instead")
    sub.add_argument("--top", type=_positive_int, metavar="N", help="only the first N places")
    _add_format(sub)

    sub = add(
        "measurement-quality",
        _cmd_measurement_quality,
        "Print how accurately and precisely members rank each other: the members by "
        "precision and the correlations with attendance and mean level.",
        data=True,
    )
    sub.add_argument("data", nargs="?", metavar="DATA", help=_DATA_HELP)
    sub.add_argument(
        "--without-self", action="store_true", help="leave out self-measurement (default: in)"
    )
    sub.add_argument("--top", type=_positive_int, metavar="N", help="only the first N places")
    _add_format(sub)

    sub = add(
        "validate",
        _cmd_validate,
        "Check that a dataset can be analysed and print its data-quality report. "
        "Exit 0 when it can (findings are warnings), 1 when it cannot.",
        data=True,
    )
    sub.add_argument("data", metavar="DATA", help=_REQUIRED_DATA_HELP)
    sub.add_argument("--strict", action="store_true", help="exit 1 when there are findings too")

    sub = add(
        "plot", _cmd_plot, "Save one figure to a file (format from the file's suffix).", data=True
    )
    if command == "plot":
        from fractal_governance.plots import PLOT_NAMES

        sub.add_argument("name", metavar="NAME", choices=PLOT_NAMES, help=_choices(PLOT_NAMES))
    else:
        sub.add_argument("name", metavar="NAME", help="the figure")
    sub.add_argument("data", nargs="?", metavar="DATA", help=_DATA_HELP)
    sub.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="e.g. figure.png, .svg or .pdf"
    )
    _add_force(sub)

    sub = add(
        "report",
        _cmd_report,
        "Write a self-contained static HTML report (index.html and figures) into a new directory.",
        data=True,
    )
    sub.add_argument("data", nargs="?", metavar="DATA", help=_DATA_HELP)
    sub.add_argument("--out", required=True, type=Path, metavar="DIR", help="the directory")
    _add_force(sub, what="an earlier report in DIR")

    sub = add(
        "simulate",
        _cmd_simulate,
        "Simulate weekly consensus meetings and write them as a weekly CSV file.",
    )
    if command == "simulate":
        _add_simulation_options(sub)
    else:
        sub.add_argument("--preset", metavar="NAME", help="start from a named configuration")
        sub.add_argument("--seed", type=_seed, metavar="S", help="random seed")
    sub.add_argument("--out", required=True, type=Path, metavar="FILE", help="the CSV file")
    _add_force(sub)

    sub = add("fetch", _cmd_fetch, "Download a registry dataset into the cache; print its path.")
    if command == "fetch":
        from fractal_governance import datasets

        names = tuple(datasets.names())
        sub.add_argument("name", metavar="NAME", choices=names, help=_choices(names))
    else:
        sub.add_argument("name", metavar="NAME", help="the registry dataset")

    sub = add(
        "export",
        _cmd_export,
        "Write a dataset's Respect ledger as an ORDAO awards export (CSV), with a names file "
        "(FILE's stem + .names.csv) when members have display names of their own.",
        data=True,
    )
    sub.add_argument("data", nargs="?", metavar="DATA", help=_DATA_HELP)
    sub.add_argument(
        "--format", choices=("ordao",), default="ordao", help="the layout (default: ordao)"
    )
    sub.add_argument("--out", required=True, type=Path, metavar="FILE", help="the CSV file")
    _add_force(sub)

    sub = add("dashboard", _cmd_dashboard, "Serve the Streamlit dashboard on 127.0.0.1.")
    sub.add_argument("data", nargs="?", metavar="DATA", help=_DATA_HELP)
    sub.add_argument("--port", type=_port, metavar="P", help="TCP port (default 8501)")

    sub = add(
        "study",
        _cmd_study,
        "Run a simulation study (a parameter grid times replicates) into DIR, resuming one "
        "that was interrupted; 'study report DIR' writes its figures and an HTML page.",
    )
    sub.add_argument("spec", metavar="STUDY.toml|report", help="the study file, or 'report'")
    sub.add_argument("folder", nargs="?", metavar="DIR", help="with 'report': the study folder")
    sub.add_argument("--out", type=Path, metavar="DIR", help="the study folder (created)")
    sub.add_argument(
        "--workers",
        type=_positive_int,
        metavar="N",
        help="local worker processes (default: the usable cores; 1 runs in this process); "
        "with '--scheduler local' the workers of the local Dask cluster",
    )
    sub.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster: the scheduler's address (e.g. "
        "tcp://scheduler.example:8786), or 'local' to start a LocalCluster on 127.0.0.1",
    )
    return parser


# ------------------------------------------------------------------------------------------
# Commands


def _cmd_summary(args: argparse.Namespace) -> int:
    from fractal_governance import texts

    dataset = _load(args.data, profile=_profile(args))
    table = dataset.summary_table()
    if args.format == "table":
        caption = texts.profile_caption(
            dataset.profile,
            dates_known=dataset.dates_known,
            dates_from_data=dataset.has_meeting_dates,
        )
        text = _text_table(texts.format_summary(table))
        _write_stdout(f"{_heading(dataset)}\n{caption}\n\n{text}\n")
    else:
        _label_simulated(dataset)
        _emit(table, args.format)
    return EXIT_OK


def _cmd_leaderboard(args: argparse.Namespace) -> int:
    from fractal_governance.report import leaderboard_table

    dataset = _load(args.data, profile=_profile(args))
    board = leaderboard_table(dataset, teams=args.teams)
    if args.top is not None:
        board = board.head(args.top)
    if args.format == "table" and board.empty:
        what = "teams" if args.teams else "members"
        if args.teams:
            from fractal_governance import texts

            _write_stdout(f"{_heading(dataset)}\n{texts.NO_TEAMS}\n")
        else:
            _write_stdout(f"{_heading(dataset)}\nNo {what} in this dataset.\n")
    elif args.format == "table":
        _write_stdout(f"{_heading(dataset)}\n\n{_text_table(board, dataset.unit)}\n")
    else:
        _label_simulated(dataset)
        _emit(board, args.format)
    return EXIT_OK


def _cmd_measurement_quality(args: argparse.Namespace) -> int:
    """Table: the leaderboard and the correlations; CSV: the leaderboard; JSON: both."""
    from fractal_governance import measurement_quality as mq
    from fractal_governance import texts

    dataset = _load(args.data, profile=_profile(args))
    include_self = not args.without_self
    quality = mq.MeasurementQuality.from_dataset(dataset)
    board = quality.leaderboard(include_self).rename_axis("Position").reset_index()
    if args.top is not None:
        board = board.head(args.top)
    fits = quality.correlations(include_self)
    if args.format != "table":
        _label_simulated(dataset)
    if args.format == "csv":
        _emit(board, "csv")
    elif args.format == "json":
        import json

        document = {
            "include_self": include_self,
            "leaderboard": json.loads(board.to_json(orient="records")),
            "correlations": json.loads(fits.to_json(orient="records")),
        }
        _write_stdout(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        shown = fits.assign(
            **{
                name: fits[name].map(texts.format_coefficient)
                for name in (mq.R, mq.SLOPE, mq.INTERCEPT, mq.SLOPE_STANDARD_ERROR)
            },
            **{mq.P_VALUE: fits[mq.P_VALUE].map(lambda p: texts.MISSING if p != p else f"{p:.2g}")},
        )
        setting = "with" if include_self else "without"
        _write_stdout(
            f"{_heading(dataset)}\nMeasurement quality {setting} self-measurement. "
            f"{mq.LEADERBOARD_DESCRIPTION}\n\n{_text_table(board, dataset.unit)}\n\n"
            f"Correlations. {mq.CORRELATION_DESCRIPTION}\n\n{_text_table(shown)}\n"
        )
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from fractal_governance import texts

    dataset = _load(args.data, announce_findings=False, profile=_profile(args))
    findings = dataset.quality_report
    lines = [
        f"{_source(dataset)}: {len(dataset.df)} rows, {dataset.total_meetings} meetings, "
        f"{dataset.total_unique_members} members: the data can be analysed.",
        texts.profile_caption(
            dataset.profile,
            dates_known=dataset.dates_known,
            dates_from_data=dataset.has_meeting_dates,
        ),
    ]
    if len(findings) == 0:
        lines.append("No data-quality findings.")
    else:
        lines.append(f"{texts.quality_count(len(findings))} (warnings, analysed as recorded):")
        lines += [f"  - {_one_line(finding.message)}" for finding in findings]
    _write_stdout("\n".join(lines) + "\n")
    if args.strict and len(findings):
        raise CommandError(f"{len(findings)} data-quality findings (--strict)")
    return EXIT_OK


def _cmd_plot(args: argparse.Namespace) -> int:
    from matplotlib.backend_bases import FigureCanvasBase

    out: Path = args.out
    image_format = out.suffix.lower().lstrip(".")
    supported = FigureCanvasBase.get_supported_filetypes()
    if image_format not in supported:
        raise UsageError(
            f"cannot tell the image format from {str(out)!r}; use one of the suffixes "
            + ", ".join(f".{suffix}" for suffix in sorted(supported))
        )
    _check_target(out, force=args.force)
    profile = _profile(args)
    from fractal_governance.plots import Plots

    dataset = _load(args.data, profile=profile)
    figure = Plots.from_dataset(dataset).figure(args.name)
    if _is_simulated(dataset):
        from fractal_governance import texts

        figure.text(0.99, 0.005, texts.SIMULATED_LABEL, ha="right", va="bottom", color="0.35")
        _label_simulated(dataset)
    _write_file_atomically(
        out, lambda path: figure.savefig(path, format=image_format), force=args.force
    )
    _write_stdout(f"{out}\n")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from fractal_governance.report import write_report

    out: Path = args.out
    if os.path.lexists(out) and not args.force:
        raise CommandError(f"{out} already exists; use --force to replace it")
    dataset = _load(args.data, profile=_profile(args))
    with _progress_bar("report") as progress:
        index = write_report(dataset, out, force=args.force, progress=progress)
    _write_stdout(f"{index}\n")
    return EXIT_OK


def _cmd_simulate(args: argparse.Namespace) -> int:
    from fractal_governance import simulation

    out: Path = args.out
    _check_target(out, force=args.force)
    base = simulation.PRESETS[args.preset] if args.preset else simulation.SimulationConfig()
    changes = {
        name: getattr(args, f"sim_{name}")
        for name in _simulation_fields()
        if getattr(args, f"sim_{name}", None) is not None
    }
    for name in _AT_LEAST_ONE:
        if name in changes and changes[name] < 1:
            option = "--" + name.replace("_", "-")
            raise UsageError(f"argument {option}: must be at least 1: {changes[name]!r}")
    try:
        config = dataclasses.replace(base, **changes) if changes else base
    except (TypeError, ValueError) as error:
        raise UsageError(_one_line(error)) from None
    seed = simulation.DEFAULT_SEED if args.seed is None else args.seed
    with _progress_bar("simulate") as progress:
        frame = simulation.simulate(
            config, seed, progress=lambda done, total: progress(done, total, "meetings")
        )
        if len(frame) == 0:
            raise CommandError(
                "the simulation produced no attendance (every meeting was empty); "
                "nothing was written: raise --founding-members or --arrival-rate"
            )
        _write_file_atomically(
            out, lambda path: simulation.write_csv(frame, path), force=args.force
        )
    _write_stdout(f"{out}\n")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from fractal_governance.export import names_path_for, ordao_frames

    out: Path = args.out
    names_out = names_path_for(out)
    _check_target(out, force=args.force)
    frame, names = ordao_frames(_load(args.data, profile=_profile(args)))
    if len(names):
        _check_target(names_out, force=args.force)
    _write_file_atomically(
        out, lambda path: frame.to_csv(path, index=False, lineterminator="\n"), force=args.force
    )
    _write_stdout(f"{out}\n")
    if len(names):
        _write_file_atomically(
            names_out,
            lambda path: names.to_csv(path, index=False, lineterminator="\n"),
            force=args.force,
        )
        _write_stdout(f"{names_out}\n")
    return EXIT_OK


def _cmd_fetch(args: argparse.Namespace) -> int:
    from fractal_governance import datasets

    path = datasets.fetch(args.name, progress=_stderr_is_terminal())
    _write_stdout(f"{path}\n")
    return EXIT_OK


def _cmd_dashboard(args: argparse.Namespace) -> int:
    if args.data is not None:
        from fractal_governance import datasets

        if args.data not in datasets.names() and not Path(args.data).expanduser().exists():
            raise CommandError(
                f"{args.data!r} is neither a dataset name ({', '.join(datasets.names())}) "
                "nor an existing CSV file or folder"
            )
    from fractal_governance.streamlit import launcher

    launcher_args: list[str] = []
    if args.port is not None:
        launcher_args += ["--port", str(args.port)]
    if args.data is not None:
        launcher_args += ["--", args.data]
    return int(launcher.main(launcher_args) or 0)


def _cmd_study(args: argparse.Namespace) -> int:
    from fractal_governance import studies, studies_backends

    if args.spec == "report":
        if args.folder is None or args.out is not None:
            raise UsageError("'study report' takes the study folder: study report DIR")
        from fractal_governance.studies_report import write_study_report

        try:
            with _progress_bar("report") as progress:
                progress(0, 1, "figures")
                index = write_study_report(Path(args.folder))
                progress(1, 1, "figures")
        except studies.StudyFolderError as error:
            raise CommandError(_one_line(error)) from None
        _write_stdout(f"{index}\n")
        return EXIT_OK
    if args.folder is not None:
        raise UsageError(f"unexpected argument {args.folder!r} (the folder goes after --out)")
    if args.out is None:
        raise UsageError("the study needs an output folder: --out DIR")
    if args.scheduler is not None and args.workers is not None and args.scheduler != "local":
        raise UsageError("--workers applies to local processes or '--scheduler local' only")
    try:
        study = studies.Study.from_toml(args.spec)
    except studies.StudyError as error:
        raise UsageError(f"{args.spec}: {_one_line(error)}") from None
    with (
        studies_backends.make_backend(args.workers, args.scheduler) as backend,
        _progress_bar("study") as progress,
    ):
        try:
            out = studies.run_study(
                study,
                args.out,
                backend,
                progress=lambda done, total: progress(done, total, "runs"),
            )
        except studies.StudyFolderError as error:
            raise CommandError(_one_line(error)) from None
    _write_stdout(f"{out}\n")
    return EXIT_OK


# ------------------------------------------------------------------------------------------
# Data and output


def _load(
    data: str | None,
    *,
    announce_findings: bool = True,
    profile: CommunityProfile | None = None,
) -> Dataset:
    """Resolve DATA with the registry (a name, a CSV file or a normalized folder), read with
    ``profile`` (None: the registry dataset's own profile, or the default)."""
    from fractal_governance import datasets, texts
    from fractal_governance.quality import DataQualityWarning

    with warnings.catch_warnings():
        # Findings are announced below in one line; the loader's own warning would repeat them.
        warnings.simplefilter("ignore", DataQualityWarning)
        dataset = datasets.resolve(data, profile=profile)
    count = len(dataset.quality_report)
    if announce_findings and count:
        name = data if data is not None else datasets.default_name()
        _print_error(
            f"{PROG}: warning: {texts.quality_count(count)}; '{PROG} validate {name}' lists them"
        )
    return dataset


def _profile(args: argparse.Namespace) -> CommunityProfile | None:
    """The profile the profile options ask for, or None when none is given (then the data's
    registry profile or the default is used).

    The options change the registry dataset's profile (or the default one): ``--schedule``
    its Respect schedule, ``--first-meeting-date`` and ``--meeting-interval`` its calendar.
    """
    schedule = getattr(args, "schedule", None)
    first = getattr(args, "first_meeting_date", None)
    interval = getattr(args, "meeting_interval", None)
    if schedule is None and first is None and interval is None:
        return None
    from fractal_governance import datasets

    profile = datasets.profile_for(args.data)
    if schedule is not None:
        try:
            profile = profile.with_schedule(schedule)
        except ValueError:  # e.g. Genesis' complete record: tokens from meeting 23
            raise UsageError(
                f"argument --schedule: the {profile.name!r} profile's Respect policy does not "
                "pay by one schedule of levels, so its schedule cannot be replaced"
            ) from None
    if first is not None or interval is not None:
        try:
            profile = profile.with_calendar(
                first_meeting_date=first, meeting_interval_days=interval
            )
        except (TypeError, ValueError) as error:
            raise UsageError(_one_line(error)) from None
    return profile


def _heading(dataset: Dataset) -> str:
    from fractal_governance import texts
    from fractal_governance.report import is_simulated

    ids = dataset.meeting_ids
    return texts.heading(
        dataset.name or _source(dataset),
        simulated=is_simulated(dataset),
        last_meeting_date=dataset.last_meeting_date,
        last_meeting_id=ids[-1] if ids else None,
    )


def _is_simulated(dataset: Dataset) -> bool:
    from fractal_governance.report import is_simulated

    return is_simulated(dataset)


def _label_simulated(dataset: Dataset) -> None:
    """For outputs without a heading (CSV, JSON, images): say on stderr that the data is
    simulated, so that the label never mixes into the machine-readable output."""
    if _is_simulated(dataset):
        from fractal_governance import texts

        _print_error(f"{PROG}: note: {texts.SIMULATED_LABEL}")


def _source(dataset: Dataset) -> str:
    return str(dataset.name or dataset.source or "dataset")


def _emit(frame: pd.DataFrame, output_format: str) -> None:
    """Write ``frame`` (its columns, not its index) to stdout as CSV or JSON records."""
    if output_format == "csv":
        from fractal_governance.util import spreadsheet_csv

        # as the report's and the dashboard's CSV files: formula-like text kept as text
        _write_stdout(spreadsheet_csv(frame, index=False, lineterminator="\n"))
    elif output_format == "json":
        text = frame.to_json(orient="records", indent=2, force_ascii=False)
        _write_stdout(f"{text}\n")
    else:  # pragma: no cover - argparse restricts the choices
        raise UsageError(f"unknown format {output_format!r}")


#: Columns of whole numbers shown without thousands separators (places, meeting numbers).
_PLAIN_COLUMNS = frozenset({"Position", "Place", "MeetingID", "Group", "Round"})


def _text_table(frame: pd.DataFrame, unit: str = "Respect") -> str:
    """Plain-text table for people: readable headers (Respect columns with ``unit``),
    numbers with thousands separators and right-aligned, addresses shortened. The machine
    formats (``--format csv|json``) keep the raw names and values."""
    import pandas as pd

    from fractal_governance import texts

    columns = []
    for name in frame.columns:
        series = frame[name]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if str(name) in _PLAIN_COLUMNS:
            values = [texts.format_cell(value) for value in series.tolist()]
        elif str(name) == "MemberID":
            values = [texts.short_address(texts.format_cell(value)) for value in series.tolist()]
        else:
            values = [texts.format_thousands(value) for value in series.tolist()]
        cells = [texts.column_label(name, unit), *values]
        width = max(len(cell) for cell in cells)
        columns.append([cell.rjust(width) if numeric else cell.ljust(width) for cell in cells])
    lines = ["  ".join(row).rstrip() for row in zip(*columns, strict=True)]
    return "\n".join(lines)


class _NoStdout(Exception):
    """Standard output is closed (``>&-``): Python then has no ``sys.stdout``."""


def _write_stdout(text: str) -> None:
    stdout = sys.stdout
    if stdout is None:
        raise _NoStdout
    stdout.write(text)
    stdout.flush()


def _print_error(line: str) -> None:
    """Write ``line`` to stderr; nothing when stderr is closed or gone (never an error)."""
    stderr = sys.stderr
    if stderr is None:
        return
    with contextlib.suppress(OSError, ValueError):
        print(line, file=stderr, flush=True)


def _one_line(error: BaseException | str) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """Show a warning as one line, without the source location."""
    _print_error(f"{PROG}: warning: {_one_line(str(message))}")


# ------------------------------------------------------------------------------------------
# Files


def _check_target(out: Path, *, force: bool) -> None:
    """Fail early (before any long work) when ``out`` cannot be written."""
    parent = out.parent
    if not parent.is_dir():
        raise CommandError(f"cannot write {out}: directory {parent} does not exist")
    if os.path.lexists(out) and not force:
        raise CommandError(f"{out} already exists; use --force to overwrite it")


def _write_file_atomically(out: Path, write: Callable[[Path], object], *, force: bool) -> None:
    """Have ``write`` create the file in a temporary folder beside ``out``, then move it there.

    Without ``force`` the file is hard-linked into place, which fails if ``out`` appeared in
    the meantime, so an existing file is never replaced; with ``force`` it is renamed over it.
    Readers see either the old file or the complete new one. Temporary folders that a killed
    run left beside ``out`` are removed first; errors name ``out``, never a temporary file.
    """
    _check_target(out, force=force)
    _remove_leftovers(out)
    try:
        scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror or error}") from None
    try:
        written = scratch / out.name
        try:
            write(written)
        except OSError as error:  # name the target, never the temporary file
            raise CommandError(f"cannot write {out}: {error.strerror or error}") from None
        try:
            _put_in_place(written, out, force=force)
        except FileExistsError:
            raise CommandError(f"{out} already exists; use --force to overwrite it") from None
        except OSError as error:  # e.g. a folder of that name: the target, not the temporary
            raise CommandError(f"cannot write {out}: {error.strerror or error}") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _put_in_place(written: Path, out: Path, *, force: bool) -> None:
    if force:
        os.replace(written, out)
        return
    try:
        os.link(written, out)
    except FileExistsError:
        raise
    except OSError:  # no hard links on this file system
        if os.path.lexists(out):
            raise FileExistsError(str(out)) from None
        os.replace(written, out)


def _remove_leftovers(out: Path) -> None:
    """Remove the temporary folders (``.NAME.XXXXXXXX.tmp``) a killed run writing ``out`` left
    beside it."""
    import re

    pattern = re.compile(rf"\.{re.escape(out.name)}\.[a-z0-9_]{{8}}\.tmp")
    with contextlib.suppress(OSError):
        for sibling in out.parent.iterdir():
            if pattern.fullmatch(sibling.name) and sibling.is_dir() and not sibling.is_symlink():
                shutil.rmtree(sibling, ignore_errors=True)


@contextlib.contextmanager
def _progress_bar(description: str) -> Iterator[Progress]:
    """Yield a ``progress(done, total, label)`` callback drawing a tqdm bar on a terminal."""
    bar: Any = None

    def update(done: int, total: int, label: str) -> None:
        nonlocal bar
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(
                total=total,
                desc=description,
                unit="step",
                file=sys.stderr,
                disable=not _stderr_is_terminal(),
                leave=False,
            )
        bar.total = total
        bar.set_postfix_str(label, refresh=False)
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


# ------------------------------------------------------------------------------------------
# Argument helpers


def _command_of(arguments: Sequence[str]) -> str | None:
    """The command word of ``arguments``: the first one that is not an option."""
    for argument in arguments:
        if argument == "--":
            return None
        if not argument.startswith("-"):
            return argument
    return None


def _exit_status(code: object) -> int:
    if code is None:
        return EXIT_OK
    if isinstance(code, int):
        return code
    _print_error(str(code))
    return EXIT_ERROR


def _add_format(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="output format: an aligned table, CSV, or JSON records (default: table)",
    )


def _add_profile_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "community profile",
        "How the data is read: the registry dataset's profile (Genesis for demo and genesis) "
        "or the default Genesis profile, changed by these options.",
    )
    group.add_argument(
        "--schedule",
        type=_schedule,
        metavar="NAME|A,B,...",
        help="the Respect of each level: genesis, optimism, eden, doubled or zao, or the "
        "Respect of levels 1, 2, ... separated by commas (e.g. 2,3,5,8,13,21)",
    )
    group.add_argument(
        "--first-meeting-date",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="date of meeting 1, for records without MeetingDate (their dates are otherwise "
        "the profile's calendar, or unknown)",
    )
    group.add_argument(
        "--meeting-interval",
        type=_positive_int,
        metavar="DAYS",
        help="days between meetings, for records without MeetingDate (default: the profile's "
        "interval, or 7)",
    )


def _schedule(text: str) -> Any:
    from fractal_governance.policies import schedule_from_text

    try:
        return schedule_from_text(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(_one_line(error)) from None


def _add_force(sub: argparse.ArgumentParser, what: str = "an existing file") -> None:
    sub.add_argument("--force", action="store_true", help=f"replace {what}")


def _choices(names: Sequence[str]) -> str:
    return "one of: " + ", ".join(names)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _seed(text: str) -> int:
    """A random seed: a whole number, 0 or more (numpy's seeds cannot be negative)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port: {text!r}")
    return value


def _simulation_fields() -> dict[str, Callable[[str], Any]]:
    """The ``SimulationConfig`` fields settable from the command line, with their parsers.

    Numbers, text, dates (ISO) and tuples of text (comma-separated) are; other fields (the
    Respect schedule) keep the preset's value.
    """
    import datetime

    from fractal_governance.simulation import SimulationConfig

    parsers: dict[object, Callable[[str], Any]] = {
        int: int,
        float: float,
        str: str,
        bool: _boolean,
        datetime.date: _iso_date,
        tuple[str, ...]: _text_tuple,
    }
    hints = typing.get_type_hints(SimulationConfig)
    return {
        field.name: parsers[hints[field.name]]
        for field in dataclasses.fields(SimulationConfig)
        if hints.get(field.name) in parsers
    }


def _add_simulation_options(sub: argparse.ArgumentParser) -> None:
    from fractal_governance import simulation

    presets = tuple(simulation.PRESETS)
    sub.add_argument(
        "--preset",
        choices=presets,
        help=f"start from a preset ({', '.join(presets)}); the options below override it. "
        "'--preset demo' with the default seed makes the built-in demo dataset",
    )
    sub.add_argument(
        "--seed",
        type=_seed,
        metavar="S",
        help=f"random seed: the same seed gives the same file (default {simulation.DEFAULT_SEED})",
    )
    defaults = simulation.SimulationConfig()
    group = sub.add_argument_group(
        "simulation parameters", "Override the preset (or the defaults shown)."
    )
    metavars = {int: "N", float: "X", _iso_date: "DATE", _text_tuple: "A,B,...", _boolean: "BOOL"}
    for name, parse in _simulation_fields().items():
        default = getattr(defaults, name)
        shown = ",".join(default) if isinstance(default, tuple) else str(default)
        explained = SIMULATION_HELP.get(name, name.replace("_", " ").capitalize() + ".")
        group.add_argument(
            "--" + name.replace("_", "-"),
            dest=f"sim_{name}",
            type=parse,
            default=None,
            metavar=metavars.get(parse, "VALUE"),
            help=f"{explained} (default: {shown})",
        )


#: One sentence per simulation parameter, shown by ``simulate --help``.
SIMULATION_HELP: dict[str, str] = {
    "meetings": "Number of weekly meetings to simulate (at least 1).",
    "founding_members": "Attendees of the first meeting (at least 1).",
    "arrival_rate": "Mean number of newcomers before each later meeting (Poisson).",
    "propensity_mean": "Mean of the members' attendance propensity, between 0 and 1.",
    "propensity_concentration": (
        "Concentration of the propensity's Beta distribution: small values mix committed "
        "members with one-time visitors, large ones make everyone alike."
    ),
    "weekly_attendance": (
        "Probability that a member who means to return comes to a given meeting."
    ),
    "departure_rate": "Chance that an attendee leaves for good after a meeting.",
    "respect_effect": (
        "Weight of recent Respect in the decision to return (0 turns off the feedback from "
        "rank to attendance)."
    ),
    "respect_memory": "Weight of the latest meeting in the running average of Respect.",
    "consensus_accuracy": (
        "Correlation between the contribution a group perceives and the true one, 0 to 1."
    ),
    "contribution_persistence": (
        "Week-to-week autocorrelation of a member's contribution around their ability."
    ),
    "contribution_volatility": (
        "Standard deviation of a member's weekly contribution around their ability (ability "
        "has standard deviation 1)."
    ),
    "team_names": "Names of the teams, separated by commas (TeamID 1, 2, ... in this order).",
    "team_share": "Probability that a newcomer belongs to a team.",
    "first_meeting": "Date of meeting 1 (YYYY-MM-DD).",
    "cadence_days": "Days between meetings (at least 1).",
}

#: Simulation parameters that must be at least 1 (else the file would hold no meeting).
_AT_LEAST_ONE = ("meetings", "founding_members", "cadence_days")


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"not true or false: {text!r}")


def _iso_date(text: str) -> Any:
    import datetime

    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2024-01-06: {text!r}") from None


def _text_tuple(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())
