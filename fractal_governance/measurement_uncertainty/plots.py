"""The upstream ``measurement_uncertainty.plots`` API over :class:`fractal_governance.plots.
Plots`' measurement-quality figures.

``Plots(measurement_uncertainty_dataset, dataset)`` (or ``Plots.from_dataset(dataset)``) has
``measurement_uncertainty`` (every member's accuracy with precision as error bars),
``measurement_uncertainty_distribution(uncertainty_type)`` and
``measurement_uncertainty_correlation(uncertainty_type, correlation_type)``. The figures are
matplotlib ``Figure`` objects made without pyplot (show them with ``st.pyplot(figure)`` or
``figure.savefig``); their numbers follow :mod:`fractal_governance.measurement_quality`
(groups keyed by meeting, round and group). The correlation figures show every member and the
least-squares line with Pearson's r and its p-value, where the upstream showed means per bin.
"""

from __future__ import annotations

import os
from enum import Enum, auto
from functools import cached_property
from typing import Any

from matplotlib.figure import Figure

from fractal_governance import dataset as core
from fractal_governance import plots
from fractal_governance.measurement_uncertainty.dataset import Dataset, UncertaintyType

__all__ = ["CorrelationType", "Plots", "UncertaintyType"]


class CorrelationType(Enum):
    """What the measurement uncertainty is plotted against."""

    MeanLevel = auto()
    AttendanceCount = auto()


_DISTRIBUTIONS = {
    UncertaintyType.NominalValue: "measurement_accuracy_distribution",
    UncertaintyType.StdDev: "measurement_precision_distribution",
}
_CORRELATIONS = {
    (UncertaintyType.NominalValue, CorrelationType.AttendanceCount): (
        "measurement_accuracy_vs_attendance"
    ),
    (UncertaintyType.StdDev, CorrelationType.AttendanceCount): (
        "measurement_precision_vs_attendance"
    ),
    (UncertaintyType.NominalValue, CorrelationType.MeanLevel): (
        "measurement_accuracy_vs_mean_level"
    ),
    (UncertaintyType.StdDev, CorrelationType.MeanLevel): "measurement_precision_vs_mean_level",
}


class Plots:
    """The measurement-uncertainty figures of one dataset."""

    def __init__(self, measurement_uncertainty_dataset: Dataset, dataset: core.Dataset) -> None:
        self.measurement_uncertainty_dataset = measurement_uncertainty_dataset
        self.dataset = dataset

    @classmethod
    def from_dataset(cls, dataset: core.Dataset) -> Plots:
        """The figures of ``dataset``."""
        return cls(measurement_uncertainty_dataset=Dataset(dataset), dataset=dataset)

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str], **kwargs: Any) -> Plots:
        """Load a weekly CSV with ``Dataset.from_csv(path, **kwargs)`` and plot it."""
        return cls.from_dataset(core.Dataset.from_csv(path, **kwargs))

    @cached_property
    def _plots(self) -> plots.Plots:
        figures = plots.Plots.from_dataset(self.dataset)
        # share the tables already computed for the measurement-uncertainty dataset
        figures.__dict__["measurement_quality"] = self.measurement_uncertainty_dataset.quality
        return figures

    @property
    def measurement_uncertainty(self) -> Figure:
        """Every member's accuracy (sorted) with precision as error bars, with and without
        self-measurement."""
        return self._plots.measurement_quality_by_member

    def measurement_uncertainty_distribution(self, uncertainty_type: UncertaintyType) -> Figure:
        """The distribution of accuracy (``NominalValue``) or precision (``StdDev``)."""
        return self._plots.figure(_DISTRIBUTIONS[UncertaintyType(uncertainty_type)])

    def measurement_uncertainty_correlation(
        self, uncertainty_type: UncertaintyType, correlation_type: CorrelationType
    ) -> Figure:
        """Accuracy or precision against mean level or attendance count."""
        key = (UncertaintyType(uncertainty_type), CorrelationType(correlation_type))
        return self._plots.figure(_CORRELATIONS[key])
