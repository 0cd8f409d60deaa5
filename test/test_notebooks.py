"""Notebooks written against the upstream's API run on this package and show their figures.

The upstream's README notebook (matt-langston/fractal_governance at 73ab686) imports pyplot,
reads the weekly file with ``Dataset.from_csv``, makes ``Plots.from_dataset(dataset)`` and ends
each figure cell with ``plt.show()`` after touching a figure property. Its text and code are not
ours to commit, so these tests build a notebook of their own that makes the same calls in the
same cell pattern, run it in a real kernel (nbclient, offline) and check that every figure
cell displays one PNG and no other cell does. When a local copy of the upstream notebook is
in the data dir (``<data dir>/genesis-2022-05-21/README.ipynb``), it is run unchanged too.

The other side: outside a kernel that shows pyplot's figures inline, building figures leaves
pyplot's list of open figures empty, also with pyplot imported.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
from conftest import GENESIS_SNAPSHOT, GENESIS_SNAPSHOT_FILES, REPO, find_dataset_dir

import fractal_governance
from fractal_governance import datasets, plots
from fractal_governance.plots import MEASUREMENT_PLOT_NAMES, PLOT_NAMES, Plots

# Seconds each cell may run.
CELL_TIMEOUT = 240

# The six figures of the upstream's README notebook, in its order, and the later name of the
# last one.
UPSTREAM_FIGURES = (
    "attendance_vs_time",
    "attendance_consistency_histogram",
    "accumulated_member_respect_vs_time",
    "accumulated_team_respect_vs_time",
    "team_representation_vs_time",
    "attendance_count_vs_rank",
)


def load_render() -> ModuleType:
    """tools/readme/render.py as a module (it executes notebooks in a kernel of this Python)."""
    name = "readme_render"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / "readme" / "render.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


render = load_render()


def execute(cells: list[str], cwd: Path) -> list[nbformat.NotebookNode]:
    """Run one code cell per source in a fresh kernel; return the executed code cells."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    package_root = Path(os.path.abspath(fractal_governance.__file__)).parents[1]
    render.execute(nb, cwd=cwd, timeout=CELL_TIMEOUT, pythonpath=[package_root])
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def pngs(cell: nbformat.NotebookNode) -> int:
    return sum("image/png" in output.get("data", {}) for output in cell.outputs)


def errors(cells: list[nbformat.NotebookNode]) -> list[str]:
    return [
        "\n".join(output.traceback)
        for cell in cells
        for output in cell.outputs
        if output.output_type == "error"
    ]


# -- outside a notebook ----------------------------------------------------------------------


def test_figures_stay_out_of_pyplot_outside_a_notebook() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    figures = Plots.from_dataset(datasets.load("demo"))
    for name in (*PLOT_NAMES, *MEASUREMENT_PLOT_NAMES):
        figures.figure(name)
    assert figures.attendance_count_vs_level is figures.attendance_count_vs_rank
    assert plt.get_fignums() == before
    assert plots._register_in_notebook(figures.attendance_vs_time) is False
    assert figures.attendance_vs_time.canvas.manager is None


# -- in a kernel -----------------------------------------------------------------------------


def upstream_cells(path: str) -> list[str]:
    """Our notebook in the upstream README's pattern: its imports, its calls, and each figure
    cell a figure property followed by ``plt.show()``."""
    cells = [
        "import matplotlib.pyplot as plt\n\n"
        "import fractal_governance.dataset\n"
        "import fractal_governance.plots\n"
        "import fractal_governance.util\n\n"
        "from fractal_governance.util import GitHubMarkdownDataFrame",
        f"dataset = fractal_governance.dataset.Dataset.from_csv({path!r})",
        "[attribute for attribute in dir(dataset) if not attribute.startswith('__')][:3]",
        "GitHubMarkdownDataFrame(dataset.df).shape",
        "dataset.total_meetings",
        "dataset.total_unique_members",
        "GitHubMarkdownDataFrame(dataset.df_member_leader_board.head(10)).shape",
        "plots = fractal_governance.plots.Plots.from_dataset(dataset)",
        "[attribute for attribute in dir(plots) if not attribute.startswith('__')][:3]",
    ]
    cells += [f"plots.{name}\nplt.show()" for name in UPSTREAM_FIGURES]
    cells += [
        "dataset.attendance_consistency_stats",
        "GitHubMarkdownDataFrame(dataset.df_member_respect_new_and_returning_by_meeting).shape",
        "GitHubMarkdownDataFrame(dataset.df_member_level_by_attendance_count).shape",
        # The upstream's later API: the default dataset, and the figure's later name.
        "len(fractal_governance.dataset.Dataset.from_csv().df)",
        "sorted(fractal_governance.util.read_csv().columns)[:3]",
        "fractal_governance.plots.Plots.from_dataset(dataset).attendance_count_vs_level\n"
        "plt.show()",
        # Two figures in one cell: both shown, once each.
        "plots.attendance_vs_time_stacked\nplots.accumulated_member_respect_vs_time_stacked\n"
        "plt.show()",
        "len(plt.get_fignums())",
    ]
    return cells


@pytest.mark.timeout(300)
@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_upstream_pattern_shows_every_figure(kernel_env: Path) -> None:
    """On the 12-meeting Genesis snapshot when it is here (the upstream notebook's data),
    else on the demo."""
    snapshot = find_dataset_dir(GENESIS_SNAPSHOT, GENESIS_SNAPSHOT_FILES)
    data = kernel_env / "data"
    data.mkdir()
    source = snapshot / "genesis-weekly_rank.csv" if snapshot is not None else datasets.path("demo")
    shutil.copy(source, data / "weekly_rank.csv")
    work = kernel_env / "notebook"
    work.mkdir()

    cells = execute(upstream_cells("../data/weekly_rank.csv"), work)

    assert errors(cells) == []
    shown = [pngs(cell) for cell in cells]
    figure_cells = [i for i, cell in enumerate(cells) if "plt.show()" in cell.source]
    assert len(figure_cells) == len(UPSTREAM_FIGURES) + 2
    for index in figure_cells:
        expected = 2 if "\nplots.accumulated" in cells[index].source else 1
        assert shown[index] == expected, (cells[index].source, cells[index].outputs)
    assert sum(shown) == len(UPSTREAM_FIGURES) + 3, "no other cell shows a figure"
    # plt.show() closed them: nothing stays open in the kernel.
    assert cells[-1].outputs[0]["data"]["text/plain"] == "0"
    # The calls of the upstream's later API ran on the default dataset (the demo here).
    assert int(cells[-5].outputs[0]["data"]["text/plain"]) == len(datasets.load("demo").df)


@pytest.mark.timeout(300)
def test_without_pyplot_a_notebook_shows_only_what_it_displays(kernel_env: Path) -> None:
    """Our own notebooks (the README) never import pyplot: a figure shows when displayed or
    returned, once, and building one shows nothing."""
    cells = execute(
        [
            # As the README does: figures as PNG, without pyplot.
            "import sys\nfrom IPython.core.pylabtools import select_figure_formats\n"
            "from fractal_governance import datasets\n"
            "from fractal_governance.plots import Plots\n"
            "select_figure_formats(get_ipython(), {'png'})\n"
            "plots = Plots.from_dataset(datasets.load('demo'))",
            "plots.attendance_vs_time\nNone",
            "display(plots.attendance_consistency_histogram)",
            "plots.gini_vs_time",
            "'matplotlib.pyplot' in sys.modules",
        ],
        kernel_env,
    )
    assert errors(cells) == []
    assert [pngs(cell) for cell in cells] == [0, 0, 1, 1, 0]
    assert cells[-1].outputs[0]["data"]["text/plain"] == "False"


@pytest.mark.timeout(300)
@pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")
def test_the_upstream_readme_notebook_runs_unchanged(kernel_env: Path) -> None:
    """The upstream's README notebook itself, when a local copy is in the data dir beside the
    snapshot it reads (``../data/genesis-weekly_rank.csv`` from its folder)."""
    snapshot = find_dataset_dir(GENESIS_SNAPSHOT, (*GENESIS_SNAPSHOT_FILES, "README.ipynb"))
    if snapshot is None:
        pytest.skip(
            "no local copy of the upstream README notebook: put notebook/README.ipynb of "
            "matt-langston/fractal_governance at 73ab686 into <data dir>/"
            f"{GENESIS_SNAPSHOT}/README.ipynb to run it"
        )
    (kernel_env / "data").mkdir()
    for name in GENESIS_SNAPSHOT_FILES:
        shutil.copy(snapshot / name, kernel_env / "data" / name)
    work = kernel_env / "notebook"
    work.mkdir()
    nb = nbformat.read(snapshot / "README.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    package_root = Path(os.path.abspath(fractal_governance.__file__)).parents[1]
    render.execute(nb, cwd=work, timeout=CELL_TIMEOUT, pythonpath=[package_root])
    cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert errors(cells) == []
    figure_cells = [cell for cell in cells if "plt.show()" in cell.source]
    assert len(figure_cells) >= len(UPSTREAM_FIGURES)
    assert all(pngs(cell) >= 1 for cell in figure_cells)
