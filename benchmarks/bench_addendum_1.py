"""Benchmark: the Genesis profile's Addendum-1 ledger on a large two-round record.

Generates a weekly consensus CSV with two rounds (default 1,000,000 rows over 1,000
meetings: in round 1 groups of six where the bottom three get levels 3, 2, 1 and the top
three advance with a blank level; in round 2 the advancers in groups of six get levels 8
down to 3), 20 % of members in teams and 90 % with a signature on file. Then, interleaved,
it times ``pandas.read_csv`` of that file and ``Dataset.from_csv`` with the Genesis profile
(schedule and rules to meeting 22, Addendum 1 from meeting 23: weighted means with
hysteresis, token pools, pro-rata conversion; a ledger that pays absent members) followed
by reading every attribute, and prints the best of each and their ratio.

It also times, interleaved, the path from the file to the Addendum-1 ledger alone (reading
and checking the file, the measurements, the policy's ledger: no tables) and prints each
step's best as a ratio to ``read_csv``, so that the share of each layer is visible.

Target (issue 14): ratio <= 4.

Usage::

    python benchmarks/bench_addendum_1.py [--rows 1000000] [--meetings 1000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(os.path.realpath(__file__)).parents[1]
for folder in (REPO, REPO / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench_dataset import ATTRIBUTES, timed  # noqa: E402

from fractal_governance.dataset import Dataset  # noqa: E402
from fractal_governance.io import read_csv_file  # noqa: E402
from fractal_governance.measurements import Measurements  # noqa: E402
from fractal_governance.policies.genesis_record import genesis_profile  # noqa: E402

TARGET = 4.0
PROFILE = genesis_profile(())


def generate(path: Path, rows: int, meetings: int, seed: int = 0) -> pd.DataFrame:
    """Write the two-round record; return the member attributes (``SignatureOnFile``)."""
    rng = np.random.default_rng(seed)
    per_meeting = max(rows // meetings, 9)
    first = (per_meeting * 2 // 3) // 6 * 6  # round 1: whole groups of six
    second = first // 2  # the top three of each group advance
    pool = max(first * 8, 100)
    chosen = np.argsort(rng.random((meetings, pool)), axis=1)[:, :first]  # attendees
    seat = np.arange(first)
    advancing = seat % 6 < 3
    level_one = np.where(advancing, 0, 6 - seat % 6)  # 3, 2, 1; 0 = blank
    finalists = chosen[:, advancing]  # (meetings, second)
    seat_two = np.arange(second)
    member = np.concatenate([chosen, finalists], axis=1).ravel()
    meeting = np.repeat(np.arange(1, meetings + 1), first + second)
    round_ = np.tile(np.r_[np.ones(first, np.int64), np.full(second, 2)], meetings)
    group = np.tile(np.r_[seat // 6 + 1, seat_two // 6 + 1], meetings)
    level = np.tile(np.r_[level_one, 8 - seat_two % 6], meetings)
    ids = np.array([f"m{i:06d}" for i in range(pool)], dtype=object)
    team = np.where(member % 5 == 0, member % 7 + 1, 0)
    team_names = np.array(["", *[f"Team {t}" for t in range(1, 8)]], dtype=object)
    frame = pd.DataFrame(
        {
            "Index": np.arange(1, len(member) + 1),
            "MemberID": ids[member],
            "Name": ids[member],
            "MeetingID": meeting,
            "Group": group,
            "Round": round_,
            "Level": pd.Series(level, dtype="Int64").mask(level == 0),
            "TeamID": pd.Series(team, dtype="Int64").mask(team == 0),
            "TeamName": team_names[team],
        }
    )
    frame.to_csv(path, index=False)
    signed = rng.random(pool) < 0.9
    return pd.DataFrame({"SignatureOnFile": signed}, index=pd.Index(ids, name="MemberID"))


def build_and_touch(path: Path, attributes: pd.DataFrame) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = Dataset.from_csv(path, profile=PROFILE, member_attributes=attributes)
    dataset.ledger  # noqa: B018
    for name in ATTRIBUTES:
        getattr(dataset, name)
    dataset.summary_table()
    first_member = dataset.df_member_leader_board["MemberID"].iloc[0]
    dataset.member_history(first_member)
    return dataset


def ledger_steps(path: Path, attributes: pd.DataFrame) -> dict[str, float]:
    """Seconds of each step from the file to the Addendum-1 ledger (no tables)."""
    seconds = {}
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = read_csv_file(path)
    seconds["read and check the file"] = time.perf_counter() - started
    started = time.perf_counter()
    measurements = Measurements(table, PROFILE.calendar, member_attributes=attributes)
    seconds["measurements"] = time.perf_counter() - started
    started = time.perf_counter()
    PROFILE.policy.ledger(measurements)
    seconds["Addendum-1 ledger"] = time.perf_counter() - started
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--meetings", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "two_rounds.csv"
        started = time.perf_counter()
        attributes = generate(path, args.rows, args.meetings)
        rows = sum(1 for _ in path.open()) - 1
        print(
            f"generated {rows:,} rows over {args.meetings:,} meetings "
            f"({path.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - started:.1f} s"
        )
        read, built, steps = [], [], []
        for _ in range(args.repeat):  # interleaved, so load changes affect both alike
            read.append(timed(lambda: pd.read_csv(path)))
            built.append(timed(lambda: build_and_touch(path, attributes)))
            steps.append(ledger_steps(path, attributes))
        dataset = build_and_touch(path, attributes)
        ledger = dataset.ledger
        print(f"ledger: {len(ledger):,} awards, {dataset.total_respect:,.0f} {dataset.unit}")
        ratio = min(built) / min(read)
        print(f"pandas.read_csv: best {min(read) * 1e3:.0f} ms")
        print(f"Addendum-1 dataset and every attribute: best {min(built) * 1e3:.0f} ms")
        verdict = "meets" if ratio <= TARGET else "misses"
        print(f"ratio: {ratio:.2f}x ({verdict} the target of {TARGET:.0f}x)")
        print("from the file to the ledger alone, best of each step, as a ratio to read_csv:")
        total = 0.0
        for step in steps[0]:
            best = min(run[step] for run in steps)
            total += best
            print(f"  {step:26s} {best * 1e3:6.0f} ms  {best / min(read):.2f}x")
        print(f"  {'sum':26s} {total * 1e3:6.0f} ms  {total / min(read):.2f}x")


if __name__ == "__main__":
    main()
