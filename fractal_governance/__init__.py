"""Datasets, analysis, plots and simulations for fractal governance communities.

The names below are imported on first use, so ``import fractal_governance`` stays cheap and each
submodule (``fractal_governance.dataset``, ``.plots``, ...) can be used on its own.

Examples
--------
>>> import fractal_governance as fg
>>> dataset = fg.datasets.load("demo")  # doctest: +SKIP
>>> dataset.df_member_leader_board.head()  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Public name -> module that defines it.
_EXPORTS = {
    "Dataset": "dataset",
    "DatasetError": "io",
    "Statistics": "statistics",
    "RespectSchedule": "math",
    "MeetingCalendar": "util",
    "GitHubMarkdownDataFrame": "util",
    "Plots": "plots",
    "SimulationConfig": "simulation",
    "simulate": "simulation",
}
_SUBMODULES = (
    "columns",
    "dataset",
    "datasets",
    "fairness",
    "io",
    "math",
    "plots",
    "quality",
    "report",
    "simulation",
    "statistics",
    "util",
)

__all__ = sorted([*_EXPORTS, *_SUBMODULES])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        return getattr(module, name)
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
