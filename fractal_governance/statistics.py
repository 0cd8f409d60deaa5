"""Summary statistics and combining per-group statistics into overall ones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["Statistics", "combined_mean", "combined_standard_deviation"]


@dataclass(frozen=True)
class Statistics:
    """A mean and a (sample) standard deviation.

    The repr rounds to two decimals so notebook output stays readable:
    ``Statistics(mean=32.83, standard_deviation=8.68)``; the fields keep full precision.
    """

    mean: float
    standard_deviation: float

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(mean={self.mean:.2f}, "
            f"standard_deviation={self.standard_deviation:.2f})"
        )

    @classmethod
    def from_values(cls, values: npt.ArrayLike) -> Statistics:
        """Mean and sample standard deviation (ddof=1) of ``values``, NaNs ignored.

        The standard deviation is NaN for fewer than two values; both are NaN for none.
        """
        array = np.asarray(values, dtype=np.float64).ravel()
        array = array[~np.isnan(array)]
        if array.size == 0:
            return cls(mean=float("nan"), standard_deviation=float("nan"))
        mean = float(array.mean())
        sd = float(array.std(ddof=1)) if array.size > 1 else float("nan")
        return cls(mean=mean, standard_deviation=sd)


def _groups(
    counts: npt.ArrayLike | pd.DataFrame,
    means: npt.ArrayLike | None,
    standard_deviations: npt.ArrayLike | None,
    count_column_name: str,
    mean_column_name: str,
    standard_deviation_column_name: str,
    need_sd: bool,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Normalise both call styles to float arrays of counts, means and SDs (non-empty groups)."""
    if isinstance(counts, pd.DataFrame):
        if means is not None or standard_deviations is not None:
            raise TypeError("pass either a DataFrame or counts/means arrays, not both")
        df = counts
        n = df[count_column_name].to_numpy(dtype=np.float64)
        m = df[mean_column_name].to_numpy(dtype=np.float64)
        s = (
            df[standard_deviation_column_name].to_numpy(dtype=np.float64)
            if need_sd
            else np.zeros_like(n)
        )
    else:
        if means is None or (need_sd and standard_deviations is None):
            raise TypeError(
                "counts, means" + (" and standard_deviations" if need_sd else "") + " are required"
            )
        n = np.asarray(counts, dtype=np.float64).ravel()
        m = np.asarray(means, dtype=np.float64).ravel()
        s = (
            np.asarray(standard_deviations, dtype=np.float64).ravel()
            if need_sd
            else np.zeros_like(n)
        )
    if not (n.shape == m.shape == s.shape):
        raise ValueError(
            f"counts, means and standard deviations differ in length: {n.size}, {m.size}, {s.size}"
        )
    if np.any(n < 0):
        raise ValueError("group counts must be >= 0")
    keep = n > 0  # empty groups contribute nothing (their mean is undefined)
    return n[keep], m[keep], s[keep]


def combined_mean(
    counts: npt.ArrayLike | pd.DataFrame,
    means: npt.ArrayLike | None = None,
    *,
    count_column_name: str = "count",
    mean_column_name: str = "mean",
) -> float:
    """Mean of all values of several groups, given each group's size and mean.

    Parameters
    ----------
    counts : array-like or DataFrame
        Group sizes. A DataFrame with ``count_column_name`` and ``mean_column_name`` columns
        is accepted instead of the two arrays (the original API).
    means : array-like
        Group means.

    Returns
    -------
    float
        ``sum(n_i * mean_i) / sum(n_i)``; NaN when there are no values.
    """
    n, m, _ = _groups(counts, means, None, count_column_name, mean_column_name, "", False)
    total = n.sum()
    if total == 0:
        return float("nan")
    return float((n * m).sum() / total)


def combined_standard_deviation(
    counts: npt.ArrayLike | pd.DataFrame,
    means: npt.ArrayLike | None = None,
    standard_deviations: npt.ArrayLike | None = None,
    *,
    count_column_name: str = "count",
    mean_column_name: str = "mean",
    standard_deviation_column_name: str = "standard_deviation",
) -> float:
    """Sample standard deviation of all values of several groups, from per-group statistics.

    Pools the within-group sums of squares ``(n_i - 1) * sd_i**2`` with the between-group
    sum of squares ``n_i * (mean_i - grand_mean)**2`` and divides by ``N - 1``, which
    equals the sample standard deviation (ddof=1) of the concatenated data. A group of one
    value has an undefined (NaN) standard deviation; it is treated as 0 here.

    Parameters
    ----------
    counts, means, standard_deviations : array-like
        Per-group sizes, means and sample standard deviations. A DataFrame with the three
        named columns is accepted instead (the original API).

    Returns
    -------
    float
        NaN when there are fewer than two values in total.
    """
    n, m, s = _groups(
        counts,
        means,
        standard_deviations,
        count_column_name,
        mean_column_name,
        standard_deviation_column_name,
        True,
    )
    total = n.sum()
    if total < 2:
        return float("nan")
    s = np.where((n == 1) & np.isnan(s), 0.0, s)
    grand_mean = (n * m).sum() / total
    within = ((n - 1) * s**2).sum()
    between = (n * (m - grand_mean) ** 2).sum()
    return float(np.sqrt((within + between) / (total - 1)))
