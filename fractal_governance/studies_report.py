"""A study's figures and a static HTML page (``fractal-governance study report DIR``).

:func:`write_study_report` reads a finished study folder (see
:mod:`fractal_governance.studies`) and writes ``report/`` inside it: the figures of
:mod:`fractal_governance.studies_plots` as PNG files and ``index.html``, which shows them
with a table of the final values (mean and 95 % interval) per grid point. Every file is
written atomically; running it again replaces the report.
"""

from __future__ import annotations

import html
import io
import os
import typing
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from fractal_governance import studies, studies_plots

__all__ = ["REPORT_FOLDER", "study_figures", "write_study_report"]

REPORT_FOLDER = "report"


def study_figures(
    out: str | os.PathLike[str], metric: str = "Gini"
) -> dict[str, tuple[str, object]]:
    """The figures of the study in ``out``: name -> (caption, matplotlib Figure)."""
    study = studies.load_study(out)
    summary = studies.load_summary(out)
    final_summary = studies.summarize_final(study, studies.load_final(out))
    if metric not in study.metric_columns():
        metric = study.metric_columns()[0]
    x, y = (*study.heatmap, None, None)[:2]
    title = studies_plots.metric_title(metric)
    return {
        "concentration": (
            f"{title} of accumulated Respect after each meeting under fractal consensus, one "
            "line per grid point; the band is the 95 % interval of the mean over replicates.",
            studies_plots.concentration_figure(summary, metric),
        ),
        "heatmap": (
            f"Final {title} (mean over replicates) over two grid parameters.",
            studies_plots.heatmap_figure(final_summary, x, y, metric),
        ),
        "fractal_vs_plutocracy": (
            f"Final {title} under fractal consensus and under the plutocratic baseline (the "
            "same attendance and Respect per meeting, shared in proportion to holdings).",
            studies_plots.fractal_vs_plutocracy_figure(final_summary, metric),
        ),
    }


def _write(path: Path, write: Callable[[Path], object]) -> None:
    studies._write_atomically(path, write)


def _png_writer(figure: typing.Any) -> Callable[[Path], object]:
    def write(path: Path) -> None:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110)
        path.write_bytes(buffer.getvalue())

    return write


def _final_table(study: studies.Study, final: pd.DataFrame) -> str:
    summary = studies.summarize_final(study, final)
    rows = []
    header = [*study.parameters, "Metric", "Fractal (95 % CI)", "Plutocratic (95 % CI)"]
    wide = summary.pivot_table(
        index=["Point", "Metric"], columns="System", values=["Mean", "Low", "High"],
        aggfunc="first", sort=True,
    )  # fmt: skip
    points = study.points().set_index("Point")
    for key, values in wide.iterrows():
        point, metric = typing.cast(tuple[int, str], key)
        cells = [str(studies_plots._format(points.loc[point, p])) for p in study.parameters]
        cells.append(studies_plots.metric_title(str(metric)))
        for system in studies.SYSTEMS:
            mean, low, high = (values[(k, system)] for k in ("Mean", "Low", "High"))
            interval = "" if pd.isna(low) else f" [{low:.3g}, {high:.3g}]"
            cells.append(f"{mean:.3g}{interval}")
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def write_study_report(out: str | os.PathLike[str], metric: str = "Gini") -> Path:
    """Write ``report/index.html`` and the figures for the study in ``out``; return the page."""
    folder = Path(out)
    study = studies.load_study(folder)
    final = studies.load_final(folder)
    target = folder / REPORT_FOLDER
    target.mkdir(exist_ok=True)
    sections = []
    for name, (caption, figure) in study_figures(folder, metric).items():
        file = f"{name}.png"
        _write(target / file, _png_writer(figure))
        sections.append(
            f'<figure><img src="{file}" alt="{html.escape(name)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    grid = ", ".join(f"{k} in {v}" for k, v in study.grid.items()) or "no grid (one point)"
    seeds = "shared by the points" if study.common_seeds else "independent"
    facts = (
        f"Preset {study.preset!r}{' with ' + str(study.base) if study.base else ''}; "
        f"grid: {grid}; {study.point_count} points x {study.replicates} replicates = "
        f"{study.run_count} runs (seed {study.seed}, replicate seeds {seeds}); "
        f"top share {study.top_share:g}, Nakamoto threshold {study.nakamoto_threshold:g}."
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(study.name)}: simulation study</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
img {{ max-width: 100%; }} figure {{ margin: 2rem 0; }}
table {{ border-collapse: collapse; font-size: 0.9rem; }}
td, th {{ border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; }}
</style></head>
<body>
<h1>{html.escape(study.name)}: simulation study</h1>
<p>{html.escape(facts)}</p>
{"".join(sections)}
<h2>Final values per grid point</h2>
{_final_table(study, final)}
</body></html>
"""
    index = target / "index.html"
    _write(index, lambda path: path.write_text(page, encoding="utf-8"))
    return index
