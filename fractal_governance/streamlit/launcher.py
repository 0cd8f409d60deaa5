"""Start the dashboard server: ``streamlit run genesis_fractal.py`` with the project's settings.

Streamlit reads ``.streamlit/config.toml`` only from the working directory, so the settings that
matter (local address only, no usage statistics, a 50 MB upload cap) are passed here as flags and
hold wherever the server is started from: ``bazel run //:dashboard``,
``fractal-governance dashboard`` or ``python -m fractal_governance.streamlit.launcher``.

The optional data argument comes from whoever starts the server (a registry name such as
``genesis``, a weekly CSV file or a folder of normalized files); web users can only upload files.

Examples
--------
    python -m fractal_governance.streamlit.launcher                 # http://127.0.0.1:8501
    python -m fractal_governance.streamlit.launcher genesis --port 8600
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["ADDRESS", "APP_PATH", "DEFAULT_PORT", "MAX_UPLOAD_MB", "main", "streamlit_arguments"]

#: The dashboard script that Streamlit runs.
APP_PATH = Path(__file__).with_name("genesis_fractal.py")
#: The server listens on this machine only.
ADDRESS = "127.0.0.1"
DEFAULT_PORT = 8501
#: Largest accepted upload, in megabytes (enforced by the server).
MAX_UPLOAD_MB = 50


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fractal-governance dashboard",
        description=f"Serve the fractal governance dashboard on http://{ADDRESS}:<port>.",
    )
    parser.add_argument(
        "data",
        nargs="?",
        default=None,
        help="registry name (demo, genesis), weekly CSV file or folder of normalized CSV files; "
        "default: Genesis when a local copy exists, else the simulated demo",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"TCP port on {ADDRESS} (default {DEFAULT_PORT})",
    )
    return parser


def _ensure_importable() -> None:
    """Let the app (run in this process) import fractal_governance when started as a script."""
    try:
        import fractal_governance  # noqa: F401
    except ImportError:
        sys.path.append(str(Path(os.path.realpath(__file__)).parents[2]))


def _preload() -> None:
    """Import the app's heavy dependencies now, so the first page view does not wait for them
    (Streamlit runs the app in this process)."""
    for module in ("pandas", "altair", "fractal_governance.dataset", "fractal_governance.plots"):
        importlib.import_module(module)


def _check_data(data: str) -> str:
    """Return ``data`` as the app should receive it: a registry name or an absolute path."""
    from fractal_governance import datasets

    if data in datasets.names():
        return data
    path = Path(data).expanduser()
    if not path.exists():
        raise FileNotFoundError(
            f"{data!r} is neither a dataset name ({', '.join(datasets.names())}) "
            "nor an existing file or folder"
        )
    return str(path.resolve())


def streamlit_arguments(port: int = DEFAULT_PORT, data: str | None = None) -> list[str]:
    """Return the ``streamlit`` command-line arguments that serve the dashboard.

    Parameters
    ----------
    port : int
        TCP port on 127.0.0.1.
    data : str or None
        Passed to the app after ``--``: a registry name or an absolute path.
    """
    if not 0 < port < 65536:
        raise ValueError(f"port must be between 1 and 65535, got {port}")
    arguments = [
        "run",
        str(APP_PATH),
        "--server.address",
        ADDRESS,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.maxUploadSize",
        str(MAX_UPLOAD_MB),
        # A viewer's toolbar (no "Deploy" button); an installed (or Bazel-provided) app: no
        # source watching, no development mode.
        "--client.toolbarMode",
        "viewer",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--global.developmentMode",
        "false",
    ]
    if data is not None:
        arguments += ["--", data]
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the dashboard until interrupted; return the process exit status.

    ``argv`` is ``[DATA] [--port P]`` (``sys.argv[1:]`` when None).
    """
    options = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    _ensure_importable()
    try:
        data = None if options.data is None else _check_data(options.data)
        arguments = streamlit_arguments(options.port, data)
    except (OSError, ValueError) as error:
        print(f"fractal-governance dashboard: error: {error}", file=sys.stderr)
        return 2

    os.environ.setdefault("MPLBACKEND", "Agg")
    _preload()
    from streamlit.web import cli

    try:
        cli.main(args=arguments, prog_name="streamlit", standalone_mode=True)
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
