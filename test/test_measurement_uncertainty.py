"""Tests of fractal_governance.measurement_uncertainty, the upstream project's API.

The record (one meeting, two rounds; hand-worked in test_measurement_quality.py)::

    round 1: group 1: a 3, b 1     group 2: c 2, d 1
    round 2: group 1: a 2, c 3     group 2: b 2, d 1

gives, without self-measurement, accuracy (a, b, c, d) = (0, 0.25, -0.25, 0) and precision
(sqrt(0.5)/2, 0.25, 0.25, sqrt(0.5)/2); with it, both times 2/3.
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import fractal_governance.measurement_uncertainty as mu
from fractal_governance.dataset import Dataset as CoreDataset
from fractal_governance.measurement_uncertainty.dataset import (
    ACCURACY_COLUMN_NAME,
    PRECISION_COLUMN_NAME,
    Dataset,
    UncertaintyType,
)
from fractal_governance.measurement_uncertainty.plots import CorrelationType, Plots

pytestmark = pytest.mark.filterwarnings("ignore::fractal_governance.quality.DataQualityWarning")

SQRT_HALF = math.sqrt(0.5)


@pytest.fixture(scope="module")
def core(two_round_csv: Path) -> CoreDataset:
    """The hand-worked two-round record of conftest.py (see test_measurement_quality.py)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CoreDataset.from_csv(two_round_csv)


def test_package_exports() -> None:
    assert mu.Dataset is Dataset
    assert mu.UncertaintyType is UncertaintyType
    assert mu.CorrelationType is CorrelationType
    assert mu.Plots is Plots
    assert [t.name for t in UncertaintyType] == ["NominalValue", "StdDev"]
    assert [t.name for t in CorrelationType] == ["MeanLevel", "AttendanceCount"]
    with pytest.raises(AttributeError):
        _ = mu.NoSuchName  # type: ignore[attr-defined]


def test_frames_with_and_without_self_measurements(core: CoreDataset) -> None:
    dataset = Dataset(core)
    without = dataset.df_without_self_measurements
    assert without.index.name == "MemberID"
    assert list(without.columns) == [ACCURACY_COLUMN_NAME, PRECISION_COLUMN_NAME]
    assert without[ACCURACY_COLUMN_NAME].is_monotonic_increasing
    assert without.index[0] == "c" and without.index[-1] == "b"
    expected = {"a": SQRT_HALF / 2, "b": 0.25, "c": 0.25, "d": SQRT_HALF / 2}
    for member, precision in expected.items():
        assert without.loc[member, PRECISION_COLUMN_NAME] == pytest.approx(precision)
        assert dataset.df_with_self_measurements.loc[
            member, PRECISION_COLUMN_NAME
        ] == pytest.approx(precision * 2 / 3)
    assert Dataset.from_dataset(core).df_with_self_measurements.equals(
        dataset.df_with_self_measurements
    )


def test_member_leader_board(core: CoreDataset) -> None:
    dataset = Dataset(core)
    board = dataset.get_member_leader_board(include_self_measurement=False)
    assert list(board.columns) == [
        "MemberID",
        "Name",
        "Accuracy",
        "Precision",
        "AccumulatedRespect",
        "AttendanceCount",
    ]
    assert list(board.index) == [1, 2, 3, 4]
    assert set(board["MemberID"].iloc[:2]) == {"b", "c"}  # precision 0.25, the smallest
    assert board["Precision"].is_monotonic_increasing
    assert dataset.get_member_leader_board(include_self_measurement=False) is board
    with_self = dataset.get_member_leader_board(include_self_measurement=True)
    assert with_self["Precision"].iloc[0] == pytest.approx(0.25 * 2 / 3)


def test_precomputed_frames_are_kept(core: CoreDataset) -> None:
    frame = pd.DataFrame({"Accuracy": [0.0], "Precision": [1.0]}, index=["x"])
    dataset = Dataset(core, df_with_self_measurements=frame)
    assert dataset.df_with_self_measurements is frame
    assert len(dataset.df_without_self_measurements) == 4


def test_plots_like_the_upstream_dashboard(core: CoreDataset) -> None:
    """The calls the upstream dashboard makes, unchanged."""
    plots = Plots.from_dataset(core)
    assert isinstance(plots.measurement_uncertainty, Figure)
    titles = set()
    for uncertainty_type in (UncertaintyType.NominalValue, UncertaintyType.StdDev):
        figure = plots.measurement_uncertainty_distribution(uncertainty_type)
        titles.add(figure.axes[0].get_title())
        for correlation_type in (CorrelationType.MeanLevel, CorrelationType.AttendanceCount):
            figure = plots.measurement_uncertainty_correlation(uncertainty_type, correlation_type)
            titles.add(figure.axes[0].get_title())
    assert titles == {
        "Distribution of Accuracy",
        "Distribution of Precision",
        "Accuracy vs Mean Level",
        "Precision vs Mean Level",
        "Accuracy vs Attendance Count",
        "Precision vs Attendance Count",
    }
    # the figures share the measurement-uncertainty dataset's tables
    assert plots._plots.measurement_quality is plots.measurement_uncertainty_dataset.quality


def test_from_csv(two_round_csv: Path) -> None:
    path = two_round_csv
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = Dataset.from_csv(path)
        plots = Plots.from_csv(path)
    assert len(dataset.df_without_self_measurements) == 4
    assert isinstance(plots.measurement_uncertainty, Figure)


# -- on one-round records the numbers are the upstream method's ---------------------------------


def upstream_method(frame: pd.DataFrame, include_self: bool) -> dict[str, tuple[float, float]]:
    """The upstream's definition written out: groups keyed by (meeting, group), levels kept in
    sets of (member, level, meeting, group), differences of (mean, population sd) pairs with
    independent errors, except a member against itself (the same value: exactly 0 +- 0)."""
    level_column = "Rank" if "Rank" in frame.columns else "Level"
    seen: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    rows = frame[frame[level_column].notna()]
    for (meeting, group), members in rows.groupby(["MeetingID", "Group"]):
        pairs = list(zip(members["MemberID"], members[level_column], strict=True))
        for observer, _ in pairs:
            for member, level in pairs:
                seen[observer][member].add((member, int(level), meeting, group))

    def stats(measurements: set) -> tuple[float, float]:
        levels = [level for _, level, _, _ in measurements]
        return statistics.fmean(levels), statistics.pstdev(levels)

    result = {}
    for a, by_member in seen.items():
        nominal, variance = [], []
        for b, measurements in by_member.items():
            if b == a:
                if include_self:
                    nominal.append(0.0)
                    variance.append(0.0)
                continue
            (m1, s1), (m2, s2) = stats(measurements), stats(seen[b][b])
            nominal.append(m1 - m2)
            variance.append(s1 * s1 + s2 * s2)
        n = len(nominal)
        result[a] = (sum(nominal) / n, math.sqrt(sum(variance)) / n)
    return result


def test_matches_the_upstream_method_on_the_one_round_genesis_record(
    genesis_snapshot_dir: Path,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        core = CoreDataset.from_csv(genesis_snapshot_dir / "genesis-weekly_rank.csv")
    dataset = Dataset(core)
    frame = core.measurements.table.frame
    for include_self, table in (
        (True, dataset.df_with_self_measurements),
        (False, dataset.df_without_self_measurements),
    ):
        expected = upstream_method(frame, include_self)
        assert sorted(table.index) == sorted(expected)
        got = table.loc[list(expected)]
        want = np.array(list(expected.values()))
        np.testing.assert_allclose(got[ACCURACY_COLUMN_NAME], want[:, 0], atol=1e-9)
        np.testing.assert_allclose(got[PRECISION_COLUMN_NAME], want[:, 1], atol=1e-9)
