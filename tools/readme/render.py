"""Regenerate ``README.md`` from ``notebook/README.ipynb``.

The notebook is the source of truth for the README. This tool runs in two separate steps:

1. **execute** the notebook in place with nbclient (a kernel on the current interpreter, a
   timeout per cell) and write it back with its new outputs;
2. **render** the stored outputs with nbconvert's ``MarkdownExporter`` into ``README.md``, its
   figures into ``README_files/``, and fill the table of contents between
   ``<!-- START toc -->`` and ``<!-- END toc -->`` (our own small doctoc).

Usage (from anywhere; paths are relative to the repository)::

    python tools/readme/render.py               # execute, then render
    python tools/readme/render.py --no-execute  # render the stored outputs only
    python tools/readme/render.py --check       # exit 1 when README.md is stale

Rendering is deterministic: the same notebook gives byte-identical files, so ``--check`` (and
``test/test_readme.py``) can tell whether ``README.md`` is what the notebook renders to.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import MarkdownExporter
from nbformat import NotebookNode
from traitlets.config import Config

__all__ = [
    "DEFAULT_TIMEOUT",
    "FILES_DIR",
    "README",
    "REPO",
    "Rendered",
    "differences",
    "execute",
    "github_anchor",
    "headings",
    "insert_toc",
    "main",
    "read_notebook",
    "render",
    "toc",
    "write",
]

# The repository: this file is <repo>/tools/readme/render.py.
REPO = Path(os.path.realpath(__file__)).parents[2]
NOTEBOOK = Path("notebook") / "README.ipynb"
README = "README.md"
FILES_DIR = "README_files"
# Seconds each cell may run before execution is abandoned.
DEFAULT_TIMEOUT = 600

TOC_START = "<!-- START toc -->"
TOC_END = "<!-- END toc -->"
TOC_LEVELS = (2, 3)
GENERATED_NOTE = (
    "<!-- Generated from notebook/README.ipynb by `python tools/readme/render.py`. "
    "Edit the notebook, not this file. -->"
)

# Cells tagged like this are run but left out of README.md (set-up code).
REMOVE_CELL_TAG = "remove_cell"
REMOVE_INPUT_TAG = "remove_input"

KERNEL_NAME = "fractal-governance-readme"
# What the executed notebook records about its kernel: the same on every machine.
KERNELSPEC_METADATA = {
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "name": "python3",
}

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"<[^>]+>")
_EMPHASIS = re.compile(r"(\*{1,3}|~~)")
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_BLANK_LINES = re.compile(r"\n{3,}")


# --------------------------------------------------------------------------------------------
# Table of contents


def github_anchor(text: str) -> str:
    """The anchor GitHub gives a heading with this (Markdown) text, before de-duplication.

    GitHub lower-cases the rendered text, drops every character that is not a letter, digit,
    underscore, hyphen or space, and turns spaces into hyphens.

    >>> github_anchor("Fairness: Gini & Lorenz curve")
    'fairness-gini--lorenz-curve'
    >>> github_anchor("The `Dataset` API")
    'the-dataset-api'
    """
    rendered = _LINK.sub(r"\1", text)
    rendered = _HTML_TAG.sub("", rendered)
    rendered = _EMPHASIS.sub("", rendered.replace("`", ""))
    kept = "".join(
        char
        for char in rendered.strip().lower()
        if char in "-_ " or unicodedata.category(char)[0] in "LMN"
    )
    return kept.replace(" ", "-")


def _closes(line: str, fence: str) -> bool:
    """Whether ``line`` closes a fenced code block opened with ``fence`` (e.g. three backticks)."""
    marker = line.strip()
    return len(marker) >= len(fence) and marker == fence[0] * len(marker)


def headings(markdown: str) -> Iterator[tuple[int, str]]:
    """ATX headings ``(level, text)`` of a Markdown document, outside fenced code blocks."""
    fence: str | None = None
    for line in markdown.splitlines():
        if fence is not None:
            if _closes(line, fence):
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            continue
        match = _HEADING.match(line)
        if match:
            yield len(match.group(1)), match.group(2).strip()


def toc(markdown: str, levels: Sequence[int] = TOC_LEVELS) -> str:
    """A nested Markdown list linking to the document's headings of the given levels.

    Anchors are unique the way GitHub makes them: the second heading with the same anchor
    gets ``-1``, the third ``-2``, and so on (counted over headings of every level).
    """
    seen: dict[str, int] = {}
    top = min(levels)
    lines = []
    for level, text in headings(markdown):
        anchor = github_anchor(text)
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        if count:
            anchor = f"{anchor}-{count}"
        if level in levels:
            label = _LINK.sub(r"\1", text)  # a link inside the entry's link would not render
            lines.append(f"{'  ' * (level - top)}- [{label}](#{anchor})")
    return "\n".join(lines)


def insert_toc(markdown: str, levels: Sequence[int] = TOC_LEVELS) -> str:
    """Fill the table of contents between the ``START toc``/``END toc`` markers.

    Without markers, a marked table of contents is inserted after the first fenced code block
    (the README's two commands). Filling is idempotent.
    """
    contents = toc(markdown, levels)
    block = f"{TOC_START}\n\n**Contents**\n\n{contents}\n\n{TOC_END}"
    start = markdown.find(TOC_START)
    end = markdown.find(TOC_END, start + 1) if start >= 0 else -1
    if start >= 0 and end >= 0:
        return markdown[:start] + block + markdown[end + len(TOC_END) :]
    lines = markdown.splitlines(keepends=True)
    fence: str | None = None
    for number, line in enumerate(lines):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None and _closes(line, fence):
            before = "".join(lines[: number + 1])
            after = "".join(lines[number + 1 :])
            return f"{before}\n{block}\n{after}"
    return f"{block}\n\n{markdown}"


# --------------------------------------------------------------------------------------------
# Executing


def read_notebook(path: Path) -> NotebookNode:
    """Read a notebook as nbformat version 4."""
    return nbformat.read(path, as_version=4)


def _write_kernel_spec(directory: Path, pythonpath: Sequence[Path]) -> None:
    """A kernelspec running ipykernel on this interpreter, with ``pythonpath`` importable."""
    paths = [str(path) for path in pythonpath]
    if os.environ.get("PYTHONPATH"):
        paths.append(os.environ["PYTHONPATH"])
    spec = {
        "argv": [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            # Keeps the kernel's start-up notices (e.g. about TCP transport) off the terminal.
            "--IPKernelApp.log_level=ERROR",
        ],
        "display_name": "Python 3 (fractal_governance README)",
        "language": "python",
        "env": {"PYTHONPATH": os.pathsep.join(paths)} if paths else {},
    }
    folder = directory / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")


def _normalize_metadata(nb: NotebookNode) -> None:
    """Drop what differs between machines or runs: timings, kernel name, Python patch version."""
    nb.metadata["kernelspec"] = dict(KERNELSPEC_METADATA)
    language_info = nb.metadata.get("language_info")
    if language_info is not None:
        language_info.pop("version", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)


def execute(
    nb: NotebookNode,
    *,
    cwd: Path,
    timeout: int = DEFAULT_TIMEOUT,
    pythonpath: Sequence[Path] = (),
) -> NotebookNode:
    """Run every cell of ``nb`` top to bottom (in place) and return it.

    The kernel is ipykernel on ``sys.executable`` (a temporary kernelspec, so this works in
    any virtual environment, Bazel's included), started in ``cwd`` with ``pythonpath``
    prepended to ``PYTHONPATH``. Each cell may run ``timeout`` seconds.

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        When a cell raises; the message has the cell's traceback.
    nbclient.exceptions.CellTimeoutError
        When a cell runs longer than ``timeout``.
    """
    with tempfile.TemporaryDirectory(prefix="readme-kernel-") as kernels:
        _write_kernel_spec(Path(kernels), pythonpath)
        manager = KernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[kernels]),
        )
        client = NotebookClient(
            nb,
            km=manager,
            timeout=timeout,
            kernel_name=KERNEL_NAME,
            record_timing=False,
            resources={"metadata": {"path": str(cwd)}},
        )
        client.execute()
    _normalize_metadata(nb)
    return nb


# --------------------------------------------------------------------------------------------
# Rendering


@dataclass(frozen=True)
class Rendered:
    """README.md's text and its figure files (relative path -> bytes)."""

    markdown: str
    files: dict[str, bytes] = field(default_factory=dict)

    def paths(self) -> dict[str, bytes]:
        """Every file to write, README.md included: relative path -> bytes."""
        return {README: self.markdown.encode("utf-8"), **self.files}


def _exporter() -> MarkdownExporter:
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {REMOVE_CELL_TAG}
    config.TagRemovePreprocessor.remove_input_tags = {REMOVE_INPUT_TAG}
    config.ExtractOutputPreprocessor.enabled = True
    return MarkdownExporter(config=config)


_IMAGE = re.compile(r"^!\[png\]\((?P<path>[^)]+)\)$")
_DISPLAYED = re.compile(r"display\((?:\w+\.)*(?P<name>\w+)\)")
_TITLE = re.compile(r"""\btitle=(?P<quote>["'])(?P<title>.+?)(?P=quote)""")
_GENERIC = {"figure", "fig", "chart", "plot"}


def _alt_texts(markdown: str) -> str:
    """Figures described for readers who cannot see them.

    nbconvert names every figure "png"; each gets the title its cell set, else the name of
    what the cell displayed (``display(plots.attendance_vs_time_stacked)`` -> "attendance
    vs time stacked"), else the heading of its section.
    """
    out = []
    heading = "figure"
    displayed: str | None = None
    titled: str | None = None
    for line in markdown.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            displayed = titled = None
        elif match := _TITLE.search(line):
            titled = match["title"]
        elif (match := _DISPLAYED.search(line)) and match["name"] not in _GENERIC:
            displayed = match["name"].replace("_", " ")
        elif image := _IMAGE.match(line):
            label = titled or displayed or heading
            out.append(f"![Figure: {label.replace('[', '(').replace(']', ')')}]({image['path']})")
            displayed = titled = None
            continue
        out.append(line)
    return "\n".join(out) + ("\n" if markdown.endswith("\n") else "")


def _tidy(markdown: str) -> str:
    """Stable, tidy text: no trailing spaces, no object addresses, at most one blank line run."""
    lines = [_ADDRESS.sub("", line.rstrip()) for line in markdown.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"


def render(nb: NotebookNode) -> Rendered:
    """README.md and its figures from the notebook's stored outputs (nothing is executed).

    Figures are named ``README_files/README_<cell>_<output>.png`` after their position, the
    table of contents is filled in, and a note says where the file comes from.
    """
    options = {"unique_key": "README", "output_files_dir": FILES_DIR}
    body, resources = _exporter().from_notebook_node(copy.deepcopy(nb), resources=options)
    markdown = insert_toc(_alt_texts(_tidy(body)))
    outputs: dict[str, bytes] = resources["outputs"]
    files = {Path(name).as_posix(): bytes(data) for name, data in sorted(outputs.items())}
    return Rendered(markdown=f"{GENERATED_NOTE}\n\n{markdown}", files=files)


def write(rendered: Rendered, directory: Path) -> list[Path]:
    """Write README.md and README_files/ into ``directory``; remove stale figure files.

    Files whose bytes are already right are left untouched. Returns the paths written.
    """
    written = []
    figures = directory / FILES_DIR
    if figures.is_dir():
        for stale in sorted(figures.iterdir()):
            if stale.is_file() and f"{FILES_DIR}/{stale.name}" not in rendered.files:
                stale.unlink()
    for name, data in rendered.paths().items():
        target = directory / name
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_bytes(data)
        partial.replace(target)
        written.append(target)
    return written


def _tree(directory: Path) -> dict[str, bytes]:
    """README.md and the files in README_files/ under ``directory``: relative path -> bytes."""
    found = {}
    readme = directory / README
    if readme.is_file():
        found[README] = readme.read_bytes()
    figures = directory / FILES_DIR
    if figures.is_dir():
        for file in sorted(figures.iterdir()):
            if file.is_file():
                found[f"{FILES_DIR}/{file.name}"] = file.read_bytes()
    return found


def differences(expected: Path, actual: Path) -> list[str]:
    """Relative paths where the README files of two directories differ (sorted)."""
    left, right = _tree(expected), _tree(actual)
    return sorted(name for name in left.keys() | right.keys() if left.get(name) != right.get(name))


# --------------------------------------------------------------------------------------------
# Command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python tools/readme/render.py",
        description=(
            "Execute notebook/README.ipynb in place and render it to README.md and "
            "README_files/ with a table of contents."
        ),
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--no-execute",
        action="store_true",
        help="render from the notebook's stored outputs without running it",
    )
    mode.add_argument(
        "--check",
        action="store_true",
        help="render the stored outputs into a temporary folder and exit 1 when README.md or "
        "README_files/ differ from it",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_TIMEOUT,
        help="seconds each cell may run (default: %(default)s)",
    )
    parser.add_argument(
        "--repo",
        type=Path,
        default=REPO,
        help="the repository holding notebook/README.ipynb and README.md (default: this one)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: see the module docstring. Returns the exit status."""
    args = _parser().parse_args(argv)
    repo: Path = args.repo.resolve()
    notebook_path = repo / NOTEBOOK
    nb = read_notebook(notebook_path)
    if args.check:
        with tempfile.TemporaryDirectory(prefix="readme-check-") as scratch:
            write(render(nb), Path(scratch))
            stale = differences(repo, Path(scratch))
        if stale:
            listed = ", ".join(stale[:5]) + (", ..." if len(stale) > 5 else "")
            print(
                f"README out of date: {listed} differ from what {NOTEBOOK.as_posix()} renders "
                "to; run `python tools/readme/render.py`",
                file=sys.stderr,
            )
            return 1
        print(f"{README} is up to date with {NOTEBOOK.as_posix()}")
        return 0
    if not args.no_execute:
        if importlib.util.find_spec("ipykernel") is None:
            print(
                f"ipykernel is not installed for {sys.executable}: run "
                "`pip install -r requirements-dev.txt` in this environment first",
                file=sys.stderr,
            )
            return 1
        try:
            execute(nb, cwd=notebook_path.parent, timeout=args.timeout, pythonpath=[repo])
        except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as error:
            summary = str(error).strip().splitlines()
            print(f"{NOTEBOOK.as_posix()} failed to execute:", file=sys.stderr)
            print("\n".join(summary[-20:]), file=sys.stderr)
            return 1
        executed = nbformat.writes(nb) + "\n"
        if notebook_path.read_text(encoding="utf-8") != executed:
            notebook_path.write_text(executed, encoding="utf-8")
    written = write(render(nb), repo)
    print(f"{README}: {len(written)} file(s) updated" if written else f"{README}: unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
