"""Benchmark: validating hostile files (issue 16) costs little time and memory.

Writes (a) a 1.4 MB weekly CSV whose header has 200,000 blank columns (refused by the
column cap, 1,000), (b) one of 50,000 teams (refused by the team cap, 100 plus 200 per MB)
and (c) one whose first data row has 1,000,000 fields (refused as wider than the header),
and validates each in a fresh process (``fractal_governance.io.read_csv_file``), printing
the wall time and the peak resident memory of that process, and the error's first words.

Usage::

    python benchmarks/bench_hostile.py
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(os.path.realpath(__file__)).parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

HEADER = "MemberID,Name,MeetingID,Group,Rank,TeamID,TeamName"


def child(path: str) -> None:
    """Validate ``path`` in this (fresh) process; print time, peak memory and outcome."""
    from fractal_governance.io import DatasetError, read_csv_file

    start = time.perf_counter()
    try:
        read_csv_file(path)
        outcome = "accepted"
    except DatasetError as error:
        outcome = str(error).split(": ", 1)[1][:70]
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{elapsed * 1000:.0f}\t{peak:.0f}\t{outcome}")


def write_files(folder: Path) -> dict[str, Path]:
    files = {}
    blank = folder / "blank_columns.csv"
    with open(blank, "w") as handle:  # rows as wide as the header, to 1.4 MB
        handle.write(HEADER + "," * 200_000 + "\n")
        while handle.tell() < 1_400_000:
            handle.write("1,A,1,1,6,," + "," * 200_000 + "\n")
    files["200,000 blank-header columns"] = blank
    teams = folder / "teams.csv"
    with open(teams, "w") as handle:
        handle.write(HEADER + "\n")
        for i in range(50_000):
            handle.write(
                f"m{i},Member {i},{i // 60 + 1},{i % 60 // 6 + 1},{6 - i % 6},{i},Team {i}\n"
            )
    files["50,000 teams"] = teams
    wide = folder / "wide_row.csv"
    wide.write_text(HEADER + "\n1,A,1,1,6,," + "," * 1_000_000 + "\n")
    files["1,000,000 fields in the first data row"] = wide
    return files


def measure(path: Path | None) -> list[str]:
    """Run :func:`child` in a fresh process (None: only import the loaders)."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path or "")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return out.split("\t", 2)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        if sys.argv[2]:
            child(sys.argv[2])
        else:
            import fractal_governance.io  # noqa: F401 (the baseline: the loaders imported)

            print(f"0\t{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}\t")
        return
    baseline = measure(None)[1]
    print(f"peak memory of a process that only imports fractal_governance.io: {baseline} MiB")
    with tempfile.TemporaryDirectory() as tmp:
        for label, path in write_files(Path(tmp)).items():
            elapsed, peak, outcome = measure(path)
            size = path.stat().st_size / 2**20
            print(f"{label} ({size:.2f} MB): {elapsed} ms, peak {peak} MiB; {outcome}")


if __name__ == "__main__":
    main()
