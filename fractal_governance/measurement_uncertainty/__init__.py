"""The upstream project's measurement-uncertainty API over :mod:`fractal_governance.
measurement_quality` (a compatibility facade).

Code written for ``fractal_governance.measurement_uncertainty`` of matt-langston/
fractal_governance runs unchanged::

    from fractal_governance.measurement_uncertainty.dataset import Dataset, UncertaintyType
    from fractal_governance.measurement_uncertainty.plots import CorrelationType, Plots

The numbers are :mod:`fractal_governance.measurement_quality`'s, which differ from the
upstream's on purpose: a group is keyed by (meeting, round, group), not (meeting, group), so
the two rounds of a meeting are separate groups; a member without a level in a group still
observes it; and the frames hold ``Accuracy`` and ``Precision`` columns of floats instead of
one ``MeasurementUncertainty`` column of ``uncertainties`` objects (that package is not
needed). See :mod:`fractal_governance.measurement_quality` for the method and the estimator.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Dataset": "dataset",
    "UncertaintyType": "dataset",
    "CorrelationType": "plots",
    "Plots": "plots",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
