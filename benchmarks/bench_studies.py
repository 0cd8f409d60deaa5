"""Benchmark: parallel efficiency of a simulation study on this machine.

Run from the repository root::

    python benchmarks/bench_studies.py [--runs 1000] [--meetings 100] [--workers 2]

Runs the same study (``--runs`` replicates of the demo preset at ``--meetings`` meetings,
the default batch size) three times: in process, on ``--workers`` local processes
(``concurrent.futures``) and on a Dask ``LocalCluster`` of ``--workers`` workers on
127.0.0.1. Starting the pool or the cluster (and importing the library in its workers) is
timed separately, before the study; the study times include writing the batches, the summary
and the final table. Prints each wall time, the parallel efficiency ``T_in_process / (workers
x T_parallel)`` (target >= 80 %) and the Dask time relative to local processes (target within
10 %), and checks that all three produced identical results. Exit status 0 when both targets
are met.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fractal_governance import studies
from fractal_governance.studies_backends import Backend, DaskBackend, InProcess, LocalProcesses

EFFICIENCY_TARGET = 0.80
DASK_TOLERANCE = 0.10


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat (Linux)."""
    try:
        with open("/proc/stat") as handle:
            fields = [float(v) for v in handle.readline().split()[1:]]
    except OSError:
        return 0.0, 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


def own_cpu() -> float:
    """CPU seconds of this process and its finished children (the pool's and the cluster's
    worker processes once they have exited)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


class Contention:
    """How much of the machine other processes used while a block ran."""

    def __enter__(self) -> Contention:
        self.machine, self.own = machine_cpu(), own_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        busy, total = machine_cpu()
        self.own_used = own_cpu() - self.own
        self.other_cores = 0.0
        elapsed = total - self.machine[1]
        if elapsed > 0:
            cores = os.cpu_count() or 1
            others = (busy - self.machine[0]) - self.own_used
            self.other_cores = max(0.0, others) / (elapsed / cores)


def study_of(runs: int, meetings: int, batch_size: int | None) -> studies.Study:
    text = f"[study]\nname = 'bench'\nreplicates = {runs}\nseed = 1\n"
    if batch_size:
        text += f"batch_size = {batch_size}\n"
    text += f"[base]\nmeetings = {meetings}\n"
    return studies.Study.from_text(text)


def warm_up(backend: Backend) -> None:
    """Start every worker and import the library there (a tiny batch per worker, twice)."""
    tiny = study_of(2 * backend.workers, 3, 1)
    for _ in backend.map_unordered(studies.run_batch, [(tiny, b) for b in range(tiny.batch_count)]):
        pass


def timed_study(study: studies.Study, folder: Path, backend: Backend) -> float:
    start = time.perf_counter()
    studies.run_study(study, folder, backend)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--meetings", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=None, help="default: the study's")
    args = parser.parse_args(argv)

    study = study_of(args.runs, args.meetings, args.batch_size)
    print(
        f"study: {study.run_count} runs of the demo preset at {args.meetings} meetings, "
        f"{study.batch_count} batches of {study.batch_size} runs, {args.workers} workers"
    )
    with tempfile.TemporaryDirectory(prefix="bench-studies-") as scratch:
        root = Path(scratch)
        with Contention() as load_serial:
            serial = timed_study(study, root / "serial", InProcess())
        print(
            f"in process:            {serial:7.2f} s"
            f"   (other processes used {load_serial.other_cores:.2f} cores meanwhile)"
        )

        start = time.perf_counter()
        with Contention() as load_processes, LocalProcesses(args.workers) as pool:
            warm_up(pool)
            pool_start = time.perf_counter() - start
            processes = timed_study(study, root / "processes", pool)
        print(
            f"local processes:       {processes:7.2f} s   (start-up {pool_start:.2f} s; other "
            f"processes used {load_processes.other_cores:.2f} cores meanwhile)"
        )

        start = time.perf_counter()
        with Contention() as load_dask, DaskBackend(workers=args.workers) as cluster:
            warm_up(cluster)
            cluster_start = time.perf_counter() - start
            dask = timed_study(study, root / "dask", cluster)
        print(
            f"dask LocalCluster:     {dask:7.2f} s   (start-up {cluster_start:.2f} s; other "
            f"processes used {load_dask.other_cores:.2f} cores meanwhile)"
        )

        expected = studies.load_results(root / "serial")
        for name in ("processes", "dask"):
            if not studies.load_results(root / name).equals(expected):
                raise AssertionError(f"the {name} backend's results differ from in process")
        print("results:               identical on all three backends")
        print(
            "CPU seconds used:      "
            f"in process {load_serial.own_used:.1f}, processes {load_processes.own_used:.1f}, "
            f"dask {load_dask.own_used:.1f} (parallel ones with start-up; on a busy machine "
            "compare these: wall-clock efficiency there measures the other processes too)"
        )

    efficiency_processes = serial / (args.workers * processes)
    efficiency_dask = serial / (args.workers * dask)
    relative = dask / processes - 1.0
    print(
        f"efficiency, processes: {efficiency_processes:7.1%}   (target >= {EFFICIENCY_TARGET:.0%})"
    )
    print(f"efficiency, dask:      {efficiency_dask:7.1%}   (target >= {EFFICIENCY_TARGET:.0%})")
    print(f"dask vs processes:     {relative:+7.1%}   (target within {DASK_TOLERANCE:.0%})")
    print(
        "with start-up:         "
        f"processes {serial / (args.workers * (processes + pool_start)):.1%}, "
        f"dask {serial / (args.workers * (dask + cluster_start)):.1%}"
    )
    ok = (
        efficiency_processes >= EFFICIENCY_TARGET
        and efficiency_dask >= EFFICIENCY_TARGET
        and relative <= DASK_TOLERANCE
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
