"""README.md is rendered from notebook/README.ipynb (tools/readme/render.py).

- The committed README.md and README_files/ are exactly what the notebook's stored outputs
  render to (a stale README fails here).
- The notebook executes top to bottom with nbclient within a timeout, without errors.
- The table of contents gets GitHub's anchors.
- README.md opens with the two commands.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
from conftest import REPO, data_root, find_genesis_record_dir

import fractal_governance

TWO_COMMANDS = [
    "./bazelw run //:dashboard    # the dashboard on the built-in demo data: http://127.0.0.1:8501",
    "./bazelw test //...          # the whole test suite",
]
# Seconds each notebook cell may run in the execution test.
CELL_TIMEOUT = 240


def load_render() -> ModuleType:
    """tools/readme/render.py as a module (it is a script, not part of the package)."""
    path = REPO / "tools" / "readme" / "render.py"
    spec = importlib.util.spec_from_file_location("readme_render", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


render = load_render()


def first_code_block(markdown: str) -> list[str]:
    """The lines inside the first fenced code block."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("```"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
    return lines[start + 1 : end]


# -- the committed README is the notebook's rendering ---------------------------------------


def test_committed_readme_is_what_the_notebook_renders_to(tmp_path: Path) -> None:
    nb = render.read_notebook(REPO / "notebook" / "README.ipynb")
    render.write(render.render(nb), tmp_path)
    expected = (tmp_path / "README.md").read_text(encoding="utf-8")
    actual = (REPO / "README.md").read_text(encoding="utf-8")
    assert actual == expected, "README.md is stale: run `python tools/readme/render.py`"
    assert render.differences(tmp_path, REPO) == [], (
        "README_files/ is stale: run `python tools/readme/render.py`"
    )


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    nb = render.read_notebook(REPO / "notebook" / "README.ipynb")
    first, second = tmp_path / "first", tmp_path / "second"
    render.write(render.render(nb), first)
    render.write(render.render(nb), second)
    assert render.differences(first, second) == []
    figures = sorted(path.name for path in (first / "README_files").iterdir())
    assert figures, "the README shows no figures"
    assert all(re.fullmatch(r"README_\d+_\d+\.png", name) for name in figures), figures


def test_figures_are_described_for_readers_who_cannot_see_them() -> None:
    markdown = "\n".join(
        [
            "## Figures",
            "```python",
            "display(plots.attendance_vs_time)",
            "```",
            "![png](README_files/README_1_0.png)",
            "```python",
            'ax.set(title="Fractal [vs] plutocracy")',
            "display(figure)",
            "```",
            "![png](README_files/README_2_0.png)",
            "### Fairness",
            "![png](README_files/README_3_0.png)",
        ]
    )
    described = [line for line in render._alt_texts(markdown).splitlines() if "![" in line]
    assert described == [
        "![Figure: attendance vs time](README_files/README_1_0.png)",
        "![Figure: Fractal (vs) plutocracy](README_files/README_2_0.png)",
        "![Figure: Fairness](README_files/README_3_0.png)",
    ]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "![png]" not in readme


def test_check_flags_a_stale_readme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notebook").mkdir()
    nb = render.read_notebook(REPO / "notebook" / "README.ipynb")
    nbformat.write(nb, tmp_path / "notebook" / "README.ipynb")
    assert render.main(["--no-execute", "--repo", str(tmp_path)]) == 0
    assert render.main(["--check", "--repo", str(tmp_path)]) == 0

    readme = tmp_path / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    capsys.readouterr()
    assert render.main(["--check", "--repo", str(tmp_path)]) == 1
    message = capsys.readouterr().err
    assert message.count("\n") == 1 and "README.md" in message


# -- the notebook runs ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def genesis() -> Path | None:
    """The complete Genesis record's folder, or None. Module-scoped, so it is looked up
    before ``kernel_env`` takes the data dir out of the environment."""
    return find_genesis_record_dir()


@pytest.mark.timeout(300)
def test_notebook_executes_top_to_bottom(
    genesis: Path | None, kernel_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp_path = kernel_env  # everything the kernel writes goes below it (see conftest.py)
    # The README is rendered on the complete Genesis record; use it too when it is here (the
    # registry finds it as <data dir>/genesis/<file>).
    if genesis is not None:
        monkeypatch.setenv("FRACTAL_GOVERNANCE_DATA_DIR", str(data_root(genesis)))

    nb = render.read_notebook(REPO / "notebook" / "README.ipynb")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    package_root = Path(os.path.abspath(fractal_governance.__file__)).parents[1]
    render.execute(nb, cwd=tmp_path, timeout=CELL_TIMEOUT, pythonpath=[package_root])
    nbformat.write(nb, tmp_path / "README.ipynb")

    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code_cells] == list(range(1, len(code_cells) + 1))
    outputs = [output for cell in code_cells for output in cell.outputs]
    errors = [output for output in outputs if output.output_type == "error"]
    assert errors == []
    stderr = [output.text for output in outputs if output.get("name") == "stderr"]
    assert stderr == [], "warnings or errors would end up in README.md"
    text = "\n".join(
        output.get("text", "") + output.get("data", {}).get("text/plain", "") for output in outputs
    )
    expected_name = "Genesis Fractal" if genesis is not None else "Simulated Demo Fractal"
    assert expected_name in text, "the notebook must say which dataset it analyses"

    # Every figure of Plots is shown, and figure files get the same names as the committed ones.
    pngs = [output for output in outputs if "image/png" in output.get("data", {})]
    from fractal_governance.plots import PLOT_NAMES

    assert len(pngs) >= len(PLOT_NAMES)
    render.write(render.render(nb), tmp_path)
    fresh = sorted(path.name for path in (tmp_path / "README_files").iterdir())
    committed = sorted(path.name for path in (REPO / "README_files").iterdir())
    assert fresh == committed


# -- table of contents -----------------------------------------------------------------------

MARKDOWN = """\
# Project title

```bash
./run.sh    # a comment, not a heading
```

## What it is

Some text.

```python
## not a heading either
```

### The `Dataset` API

#### Too deep for the contents

## Fairness: Gini & Lorenz curve!

### Set-up (Debian 12)

## What it is

## [Links](https://example.org) and *emphasis*
"""


def test_github_anchors() -> None:
    assert render.github_anchor("What it is") == "what-it-is"
    assert render.github_anchor("The `Dataset` API") == "the-dataset-api"
    assert render.github_anchor("Fairness: Gini & Lorenz curve!") == "fairness-gini--lorenz-curve"
    assert render.github_anchor("Set-up (Debian 12)") == "set-up-debian-12"
    assert render.github_anchor("fractal_governance API") == "fractal_governance-api"
    assert render.github_anchor("[Links](https://example.org) and *emphasis*") == (
        "links-and-emphasis"
    )


def test_toc_lists_level_two_and_three_headings_outside_code() -> None:
    assert render.toc(MARKDOWN) == "\n".join(
        [
            "- [What it is](#what-it-is)",
            "  - [The `Dataset` API](#the-dataset-api)",
            "- [Fairness: Gini & Lorenz curve!](#fairness-gini--lorenz-curve)",
            "  - [Set-up (Debian 12)](#set-up-debian-12)",
            "- [What it is](#what-it-is-1)",
            "- [Links and *emphasis*](#links-and-emphasis)",
        ]
    )


def test_insert_toc_after_the_first_code_block_and_idempotent() -> None:
    filled = render.insert_toc(MARKDOWN)
    head = "# Project title\n\n```bash\n./run.sh    # a comment, not a heading\n```\n\n"
    assert filled.startswith(head + render.TOC_START + "\n")
    assert "- [Set-up (Debian 12)]" in filled.split(render.TOC_END)[0]
    assert filled.count(render.TOC_START) == 1
    assert render.insert_toc(filled) == filled


def test_insert_toc_fills_the_markers() -> None:
    markdown = f"# T\n\n{render.TOC_START}\nold entry\n{render.TOC_END}\n\n## Only\n"
    filled = render.insert_toc(markdown)
    assert "old entry" not in filled
    assert filled.endswith("- [Only](#only)\n\n" + render.TOC_END + "\n\n## Only\n")


# -- the README's opening ------------------------------------------------------------------


def test_readme_opens_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert first_code_block(readme) == TWO_COMMANDS
    before = readme[: readme.index("```")]
    prose = [
        line for line in before.splitlines() if line.strip() and not line.startswith(("<!--", "# "))
    ]
    assert prose == [], "only the title may come before the two commands"
