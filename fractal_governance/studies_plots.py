"""Figures of a simulation study (see :mod:`fractal_governance.studies`).

- :func:`concentration_figure`: a metric over the meetings, one line per grid point with
  its 95 % interval band over the replicates.
- :func:`heatmap_figure`: the final value of a metric (mean over replicates) over two grid
  parameters; other parameters are averaged over.
- :func:`fractal_vs_plutocracy_figure`: the final value under fractal consensus against
  the plutocratic baseline, per grid point, with 95 % intervals.

Each takes the tables :func:`~fractal_governance.studies.summarize` and
:func:`~fractal_governance.studies.summarize_final` make and returns a matplotlib
``Figure`` (made without pyplot, so nothing stays open in a server or a loop).
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from fractal_governance.texts import plot_text

__all__ = [
    "FIGURES",
    "concentration_figure",
    "fractal_vs_plutocracy_figure",
    "heatmap_figure",
    "point_labels",
]

FIGURES = ("concentration", "heatmap", "fractal_vs_plutocracy")
"""Names of the study figures, as the report files them."""

_METRIC_TITLES = {
    "Gini": "Gini coefficient",
    "TopShare": "Share of the top members",
    "Nakamoto": "Nakamoto coefficient",
}
_SYSTEM_COLORS = {"Fractal": "#1f77b4", "Plutocratic": "#d62728"}


def metric_title(metric: str) -> str:
    """``Gini`` -> ``Gini coefficient``, ``Lorenz50`` -> ``Respect share of the poorest 50 %``."""
    if metric.startswith("Lorenz"):
        return f"Respect share of the poorest {metric.removeprefix('Lorenz')} %"
    return _METRIC_TITLES.get(metric, metric)


def _parameters(table: pd.DataFrame) -> list[str]:
    fixed = {"Point", "MeetingID", "System", "Metric", "N", "Mean", "SD", "Low", "High"}
    return [column for column in table.columns if column not in fixed]


def _format(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    return str(value)


def point_labels(table: pd.DataFrame) -> dict[int, str]:
    """``Point`` -> ``name=value, ...`` from the grid columns of a summary table."""
    parameters = _parameters(table)
    points = table.drop_duplicates("Point").sort_values("Point")
    labels = {}
    for _, row in points.iterrows():
        text = ", ".join(f"{name}={_format(row[name])}" for name in parameters)
        labels[int(row["Point"])] = text or "all runs"
    return labels


def _empty(figure: Figure, message: str) -> Figure:
    ax = figure.subplots()
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return figure


def concentration_figure(
    summary: pd.DataFrame,
    metric: str = "Gini",
    systems: Sequence[str] = ("Fractal",),
    points: Sequence[int] | None = None,
) -> Figure:
    """``metric`` after each meeting, a line per point (and system) with its 95 % band."""
    figure = Figure(figsize=(9, 5), layout="constrained")
    rows = summary[(summary["Metric"] == metric) & summary["System"].isin(list(systems))]
    if points is not None:
        rows = rows[rows["Point"].isin(list(points))]
    if rows.empty:
        return _empty(figure, f"No {metric} values in this study")
    labels = point_labels(summary)
    ax = figure.subplots()
    colors = iter(_palette(rows["Point"].nunique() * len(systems)))
    for key, part in rows.groupby(["Point", "System"], sort=True):
        point, system = typing.cast(tuple[int, str], key)
        part = part.sort_values("MeetingID")
        color = next(colors)
        name = labels[int(point)]
        if len(systems) > 1:
            name = f"{system}: {name}"
        x = part["MeetingID"].to_numpy()
        ax.plot(x, part["Mean"].to_numpy(), color=color, label=plot_text(name), linewidth=1.6)
        low, high = part["Low"].to_numpy(), part["High"].to_numpy()
        if np.isfinite(low).any():
            ax.fill_between(x, low, high, color=color, alpha=0.18, linewidth=0)
    ax.set_xlabel("Meeting")
    ax.set_ylabel(metric_title(metric))
    which = " and ".join(systems)
    ax.set_title(f"{metric_title(metric)} of accumulated Respect ({which}; 95 % interval)")
    ax.grid(alpha=0.3)
    if rows["Point"].nunique() * len(systems) <= 16:
        ax.legend(fontsize="small", loc="best")
    return figure


def _palette(count: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if count <= 10 else "viridis"]
    if count <= 10:
        return [cmap(i) for i in range(count)]
    return [cmap(i / max(count - 1, 1)) for i in range(count)]


def heatmap_figure(
    final_summary: pd.DataFrame,
    x: str | None = None,
    y: str | None = None,
    metric: str = "Gini",
    system: str = "Fractal",
) -> Figure:
    """The final ``metric`` (mean over replicates) over the grid parameters ``x`` and ``y``.

    Defaults: the first two grid parameters. With one parameter the map has one row; other
    parameters are averaged over (the title says so).
    """
    figure = Figure(figsize=(7, 5), layout="constrained")
    parameters = _parameters(final_summary)
    rows = final_summary[(final_summary["Metric"] == metric) & (final_summary["System"] == system)]
    if not parameters or rows.empty:
        return _empty(figure, "The heatmap needs a grid parameter (this study has none)")
    x = x or parameters[0]
    y = y or (parameters[1] if len(parameters) > 1 and parameters[1] != x else None)
    keys = [k for k in (y, x) if k is not None]
    table = rows.groupby(keys, sort=True)["Mean"].mean()
    grid = table.unstack(x) if y is not None else table.to_frame().T
    ax = figure.subplots()
    values = grid.to_numpy(dtype=np.float64)
    image = ax.imshow(values, cmap="viridis", aspect="auto", origin="lower")
    ax.set_xticks(range(grid.shape[1]), [plot_text(_format(v)) for v in grid.columns])
    ax.set_xlabel(plot_text(x))
    if y is not None:
        ax.set_yticks(range(grid.shape[0]), [plot_text(_format(v)) for v in grid.index])
        ax.set_ylabel(plot_text(y))
    else:
        ax.set_yticks([])
    finite = values[np.isfinite(values)]
    middle = float(finite.mean()) if finite.size else 0.0
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            ax.text(
                j, i, f"{value:.3g}", ha="center", va="center", fontsize="small",
                color="black" if value > middle else "white",
            )  # fmt: skip
    figure.colorbar(image, ax=ax, label=f"final {metric_title(metric)}")
    others = [p for p in parameters if p not in keys]
    note = f", averaged over {plot_text(', '.join(others))}" if others else ""
    ax.set_title(f"Final {metric_title(metric)} ({system}, mean of replicates{note})")
    return figure


def fractal_vs_plutocracy_figure(final_summary: pd.DataFrame, metric: str = "Gini") -> Figure:
    """Final ``metric`` per point under fractal consensus and under plutocracy (95 % CI)."""
    figure = Figure(figsize=(9, 5), layout="constrained")
    rows = final_summary[final_summary["Metric"] == metric]
    if rows.empty:
        return _empty(figure, f"No {metric} values in this study")
    labels = point_labels(final_summary)
    points = sorted(int(p) for p in rows["Point"].unique())
    ax = figure.subplots()
    width = 0.38
    for offset, system in ((-width / 2, "Fractal"), (width / 2, "Plutocratic")):
        part = rows[rows["System"] == system].set_index("Point").reindex(points)
        mean = part["Mean"].to_numpy(dtype=np.float64)
        low = part["Low"].to_numpy(dtype=np.float64)
        high = part["High"].to_numpy(dtype=np.float64)
        error = np.vstack((mean - low, high - mean))
        error = np.where(np.isfinite(error), error, 0.0)
        position = np.arange(len(points)) + offset
        ax.bar(position, mean, width, label=system, color=_SYSTEM_COLORS[system], alpha=0.85)
        ax.errorbar(position, mean, yerr=error, fmt="none", ecolor="black", capsize=3)
    ticks = [plot_text(labels[p]) for p in points]
    ax.set_xticks(range(len(points)), ticks, rotation=30, ha="right")
    ax.set_ylabel(f"final {metric_title(metric)}")
    ax.set_title(f"Fractal consensus against plutocracy: final {metric_title(metric)}")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    return figure
