"""Benchmark: simulate 1,000 weekly meetings of about 1,000 attendees each (target: < 10 s).

Run from the repository root::

    python benchmarks/bench_simulation.py [--meetings 1000] [--attendees 1000] [--repeat 3]

Prints the best wall time of ``simulate`` (rows in the weekly CSV schema, as a DataFrame),
the attendees per meeting actually simulated, and the ratio of the time to the 10 s target
(below 1.0 passes).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fractal_governance import simulation

TARGET_SECONDS = 10.0


def large_config(meetings: int, attendees: int) -> simulation.SimulationConfig:
    """The demo preset scaled so that meetings have about ``attendees`` attendees.

    In the demo (40 founders, 6 newcomers a week) meetings settle around 35 attendees; the
    model is linear in the arrival rate, so scaling arrivals and founders scales attendance.
    """
    demo = simulation.PRESETS["demo"]
    scale = attendees / 35.0
    return demo.replace(
        meetings=meetings,
        founding_members=round(demo.founding_members * scale),
        arrival_rate=demo.arrival_rate * scale,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=1000)
    parser.add_argument("--attendees", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    config = large_config(args.meetings, args.attendees)
    times = []
    df = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        df = simulation.simulate(config, args.seed)
        times.append(time.perf_counter() - start)
    assert df is not None
    per_meeting = df.groupby("MeetingID").size()
    best = min(times)
    print(f"simulated meetings:     {per_meeting.size}")
    print(f"rows:                   {len(df):,}")
    print(f"unique members:         {df['MemberID'].nunique():,}")
    print(
        f"attendees per meeting:  mean {per_meeting.mean():.0f}, "
        f"min {per_meeting.min()}, max {per_meeting.max()}"
    )
    runs = ", ".join(f"{t:.2f}" for t in times)
    print(f"simulate() wall time:   best {best:.2f} s of {args.repeat} ({runs})")
    print(f"ratio to {TARGET_SECONDS:.0f} s target:   {best / TARGET_SECONDS:.3f} (< 1 passes)")
    return 0 if best < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
