"""Where a study's batches run: in this process, in local processes, or on a Dask cluster.

A backend maps a picklable function over tasks and yields ``(index, result)`` pairs as the
tasks finish, in any order. It keeps a bounded number of tasks in flight (twice its worker
count), so a study of many batches neither pickles all of them up front nor holds all their
results in memory. Every backend calls the same function on the same task, so results do
not depend on the backend (the tasks carry their own seeds).

- :class:`InProcess` runs the tasks one after another in the calling process.
- :class:`LocalProcesses` uses a :class:`concurrent.futures.ProcessPoolExecutor` whose
  workers are started with ``spawn`` (safe in a process that already runs threads).
- :class:`DaskBackend` submits to a Dask ``distributed`` scheduler: an existing one at an
  address (``tcp://host:8786``), or a ``LocalCluster`` it starts on 127.0.0.1 without a
  dashboard and closes again. Workers of an existing cluster must be able to import
  ``fractal_governance`` (the same version as the client).

Use a backend as a context manager; leaving the block cancels whatever is still pending.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import Any

__all__ = ["Backend", "DaskBackend", "InProcess", "LocalProcesses", "make_backend"]

TaskFunction = Callable[[Any], Any]


class Backend:
    """Base class: ``map_unordered(function, tasks)`` and ``close()``; a context manager."""

    name = "backend"
    workers = 1
    shares_files = True
    """Whether the workers see the caller's file system (then they write results there)."""

    def map_unordered(
        self, function: TaskFunction, tasks: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, function(tasks[index]))`` as tasks finish (any order).

        An exception raised by a task is raised here, after which no further results come.
        """
        raise NotImplementedError

    def close(self) -> None:
        """Release workers (idempotent)."""

    def describe(self) -> str:
        return f"{self.name} ({self.workers} worker{'s' if self.workers != 1 else ''})"

    def __enter__(self) -> Backend:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class InProcess(Backend):
    """Run every task in the calling process, in order."""

    name = "in process"

    def map_unordered(
        self, function: TaskFunction, tasks: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        for index, task in enumerate(tasks):
            yield index, function(task)


class LocalProcesses(Backend):
    """A pool of ``workers`` local processes (``concurrent.futures``, spawn start method)."""

    name = "local processes"

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )

    def map_unordered(
        self, function: TaskFunction, tasks: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        if self._pool is None:
            raise RuntimeError("the process pool is closed")
        pool = self._pool
        window = 2 * self.workers
        pending: dict[Future[Any], int] = {}
        upcoming = iter(range(len(tasks)))
        try:
            for index in upcoming:
                pending[pool.submit(function, tasks[index])] = index
                if len(pending) >= window:
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    yield index, future.result()
                    following = next(upcoming, None)
                    if following is not None:
                        pending[pool.submit(function, tasks[following])] = following
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskBackend(Backend):
    """Tasks on a Dask ``distributed`` cluster.

    Parameters
    ----------
    address : str, optional
        Scheduler address of a running cluster (e.g. ``tcp://scheduler.example:8786``). Without it a
        ``LocalCluster`` of ``workers`` single-threaded worker processes is started on
        127.0.0.1 (no dashboard) and closed by :meth:`close`.
    workers : int
        Workers of the local cluster (ignored with ``address``).
    processes : bool
        Local cluster workers as processes (default) or as threads of this process.
    timeout : float
        Seconds to wait for the scheduler and the workers to come up.
    shares_files : bool, optional
        Whether the workers see this machine's file system, so that they write a study's
        batches themselves (default: True for a local cluster, False for an address; the
        results are then sent back to the client, which writes them).
    """

    name = "dask"

    def __init__(
        self,
        address: str | None = None,
        *,
        workers: int = 2,
        processes: bool = True,
        timeout: float = 60.0,
        shares_files: bool | None = None,
    ) -> None:
        import dask.config
        from distributed import Client, LocalCluster

        self._cluster: Any = None
        if address is None:
            if workers < 1:
                raise ValueError(f"workers must be at least 1, got {workers}")
            # Workers take their configuration from here when they start. Their statistical
            # profiler samples the running task every 10 ms: about 8 % of the CPU time of
            # a study; nobody looks at it here.
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                self._cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=processes,
                    protocol="tcp://",
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            self.name = "dask LocalCluster"
            self._client: Any = Client(self._cluster, timeout=timeout)
            self._client.wait_for_workers(workers, timeout=timeout)
        else:
            self._client = Client(address, timeout=timeout)
            self.name = f"dask at {address}"
        self.workers = max(1, sum(self._client.nthreads().values()))
        self.shares_files = (address is None) if shares_files is None else shares_files

    @property
    def client(self) -> Any:
        """The ``distributed.Client``."""
        return self._client

    def map_unordered(
        self, function: TaskFunction, tasks: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        if self._client is None:
            raise RuntimeError("the Dask client is closed")
        client = self._client
        window = 2 * self.workers
        upcoming = iter(range(len(tasks)))
        outstanding: dict[str, tuple[Any, int]] = {}

        def submit(index: int) -> Any:
            future = client.submit(function, tasks[index], pure=False)
            outstanding[future.key] = (future, index)
            return future

        running = as_completed([submit(index) for index in itertools.islice(upcoming, window)])
        try:
            for future in running:
                _, index = outstanding.pop(future.key)
                result = future.result()
                future.release()
                yield index, result
                following = next(upcoming, None)
                if following is not None:
                    running.add(submit(following))
        finally:
            running.clear()
            if outstanding:
                client.cancel([future for future, _ in outstanding.values()])

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def make_backend(
    workers: int | None = None,
    scheduler: str | None = None,
) -> Backend:
    """The backend for command-line style options.

    ``scheduler`` ``"local"`` starts a Dask ``LocalCluster`` of ``workers`` workers (default:
    the usable cores); any other scheduler value is the address of a running cluster. Without
    a scheduler, ``workers`` > 1 gives local processes and 1 runs in process (default: the
    usable cores).
    """
    from fractal_governance.parallel import usable_cores

    if scheduler is not None and scheduler.strip().lower() == "local":
        return DaskBackend(workers=workers or usable_cores())
    if scheduler is not None:
        if workers is not None:
            raise ValueError(
                "workers apply to local processes or a local cluster, not to an address"
            )
        return DaskBackend(scheduler)
    count = usable_cores() if workers is None else workers
    return InProcess() if count <= 1 else LocalProcesses(count)
