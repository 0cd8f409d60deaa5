"""Benchmark: loading an ORDAO awards export versus ``pandas.read_csv`` of the same file.

Generates an export of ``--awards`` awards (default 1,000,000: 2,000 weekly meetings of 500
members from 5,000 addresses, in groups of six ranked 1-6, mint type 10, with token IDs and
transaction hashes as the ORDAO app writes them, and a few even splits and introduction
awards) in a temporary folder, then times ``pandas.read_csv`` of that file and
``Dataset.from_csv`` of it (best of ``--repeat`` runs each, interleaved), and prints the
ratio. Target (issue 15): ratio <= 3.

Usage::

    python benchmarks/bench_ordao.py [--awards 1000000] [--members 5000] [--repeat 5]
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
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from fractal_governance.dataset import Dataset  # noqa: E402
from fractal_governance.io.ordao import COLUMNS  # noqa: E402
from fractal_governance.math import DOUBLED  # noqa: E402

TARGET = 3.0
PER_MEETING = 500


def _hex(rng: np.random.Generator, count: int, digits: int) -> np.ndarray:
    """``count`` random ``0x``-prefixed hex strings of ``digits`` digits."""
    raw = rng.integers(0, 16, size=(count, digits), dtype=np.uint8)
    chars = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[raw]
    text = chars.tobytes().decode("ascii")
    return np.array(["0x" + text[i * digits : (i + 1) * digits] for i in range(count)])


def make_export(path: Path, awards: int, members: int, seed: int = 15) -> None:
    rng = np.random.default_rng(seed)
    addresses = _hex(rng, members, 40)
    meetings = -(-awards // PER_MEETING)
    member = np.concatenate(
        [rng.choice(members, size=PER_MEETING, replace=False) for _ in range(meetings)]
    )[:awards]
    meeting = np.repeat(np.arange(1, meetings + 1), PER_MEETING)[:awards]
    position = np.tile(np.arange(PER_MEETING), meetings)[:awards]
    level = (6 - position % 6).astype(np.float64)
    group = position // 6 + 1
    denomination = DOUBLED.respect_array(level.astype(np.int64))
    title = np.full(awards, "", dtype=object)
    # every 100th meeting: its last six rows are an even split, and one introduction award
    irregular = (meeting % 100 == 0) & (position >= PER_MEETING - 6)
    level[irregular] = np.nan
    denomination[irregular] = 40
    intro = (meeting % 100 == 0) & (position == 0)
    title[intro] = "Intro"
    tx = _hex(rng, meetings, 64)[meeting - 1]
    token = np.char.add(
        np.char.add("0x0000000a", np.char.zfill(np.char.mod("%x", meeting), 22)),
        np.char.lower(np.char.replace(addresses[member], "0x", "")),
    )
    frame = pd.DataFrame(
        {
            "recipient": addresses[member],
            "denomination": denomination,
            "mintType": 10,
            "periodNumber": meeting - 1,
            "meetingNumber": meeting,
            "groupNum": group,
            "level": pd.Series(level).astype("Int64"),
            "title": title,
            "reason": "",
            "tokenId": token,
            "mintTs": 1_760_000_000 + meeting * 604_800,
            "mintTxHash": tx,
            "burn": "",
            "mintProposalId": "",
        },
        columns=list(COLUMNS),
    )
    frame.to_csv(path, index=False)


def best(runs: list[float]) -> float:
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--awards", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ordaoawards.csv"
        started = time.perf_counter()
        make_export(path, args.awards, args.members)
        print(
            f"generated {args.awards:,} awards ({path.stat().st_size / 2**20:.0f} MiB) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        read_csv: list[float] = []
        load: list[float] = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            pd.read_csv(path)
            read_csv.append(time.perf_counter() - started)
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                dataset = Dataset.from_csv(path)
            load.append(time.perf_counter() - started)
        ratio = best(load) / best(read_csv)
        print(f"pandas.read_csv:     best {best(read_csv) * 1000:8.0f} ms of {args.repeat}")
        print(f"Dataset.from_csv:    best {best(load) * 1000:8.0f} ms of {args.repeat}")
        print(
            f"ratio {ratio:.2f}x (target <= {TARGET:g}x): {'met' if ratio <= TARGET else 'NOT met'}"
        )
        print(
            f"({dataset.total_meetings:,} meetings, {dataset.total_unique_members:,} members, "
            f"{len(dataset.quality_report):,} quality findings, total {dataset.total_respect:,})"
        )


if __name__ == "__main__":
    main()
