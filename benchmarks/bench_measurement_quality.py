"""Benchmark: measurement quality of 1,000,000 rows versus ``pandas.read_csv`` of the same file.

Generates the weekly CSV of ``bench_dataset.py`` (default 1,000,000 rows over 2,000 meetings,
groups of six, a pool of 5,000 members), loads it once as a Dataset, then times, interleaved
(best of ``--repeat`` runs each):

- ``pandas.read_csv`` of the file;
- measurement quality from the loaded measurements: the co-membership table (one sort of
  the pair keys of every group), the per-member table with and without self-measurement, and
  the four correlations of each (``MeasurementQuality(dataset.measurements)``, nothing
  cached).

Loading the Dataset itself is ``bench_dataset.py``'s subject and is not timed here. With a
pool of 5,000 members a dense (member x member) table would hold 25 million cells per sum;
the pairs that met are about 6 per row, and only those that met more than once are kept.

Target (issue 18): ratio <= 3.

Usage::

    python benchmarks/bench_measurement_quality.py [--rows 1000000] [--meetings 2000]
        [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

REPO = Path(os.path.realpath(__file__)).parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(os.path.realpath(__file__)).parent))

from bench_dataset import generate  # noqa: E402

from fractal_governance.dataset import Dataset  # noqa: E402
from fractal_governance.measurement_quality import MeasurementQuality  # noqa: E402

TARGET = 3.0


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    del result
    return seconds


def quality_of(dataset: Dataset) -> MeasurementQuality:
    quality = MeasurementQuality(dataset.measurements)
    for include_self in (False, True):
        quality.members(include_self)
        quality.correlations(include_self)
    return quality


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--meetings", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "weekly.csv"
        generate(path, args.rows, args.meetings)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dataset = Dataset.from_csv(path)
        quality = quality_of(dataset)  # warm up (imports scipy.sparse and scipy.stats)
        pairs = len(quality.pairs.observer)
        read, measure = [], []
        for _ in range(args.repeat):
            read.append(timed(lambda: pd.read_csv(path)))
            measure.append(timed(lambda: quality_of(dataset)))
    best_read, best_measure = min(read), min(measure)
    ratio = best_measure / best_read
    print(
        f"rows: {args.rows:,}  members: {dataset.measurements.member_count:,}  "
        f"co-membership pairs: {pairs:,}"
    )
    print(f"pandas.read_csv:      {best_read * 1000:8.1f} ms (best of {args.repeat})")
    print(f"measurement quality:  {best_measure * 1000:8.1f} ms (best of {args.repeat})")
    verdict = "ok" if ratio <= TARGET else "over target"
    print(f"ratio: {ratio:.2f}x (target <= {TARGET:g}x: {verdict})")


if __name__ == "__main__":
    main()
