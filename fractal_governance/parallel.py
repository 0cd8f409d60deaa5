"""A second core for large tables: one worker thread from :mod:`concurrent.futures`.

NumPy and pandas release the GIL in their kernels, so a worker thread that computes
tables while the calling thread computes others shortens the build of a large
:class:`~fractal_governance.dataset.Dataset` (an interleaved benchmark at 1,000,000 rows
measured a 38 % gain, best of 11). Small tables, and machines with one usable core, do the
work on the calling thread: a thread would cost more than it saves. A kernel may split one
large job in two halves (:func:`in_halves`) with a pool of its own; on a worker thread that
makes a third thread for a while.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["PARALLEL_ROWS", "Submit", "in_halves", "usable_cores", "worker", "worth_a_thread"]

T = TypeVar("T")

PARALLEL_ROWS = 100_000
"""Rows from which a second thread pays for itself."""

Submit = Callable[[Callable[[], Any]], "Future[Any]"]


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where known, else all)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def worth_a_thread(rows: int) -> bool:
    """Whether work on a table of ``rows`` rows is worth a second thread."""
    return rows >= PARALLEL_ROWS and usable_cores() >= 2


def _now(call: Callable[[], T]) -> Future[T]:
    """Run ``call`` on this thread; its result (or error) as a finished future."""
    future: Future[T] = Future()
    try:
        future.set_result(call())
    except BaseException as error:  # handed to whoever asks for the result
        future.set_exception(error)
    return future


@contextmanager
def worker(rows: int) -> Iterator[Submit]:
    """A ``submit(call) -> Future`` that runs calls on one worker thread for large tables,
    else at once on the calling thread. Leaving the block waits for the worker."""
    if not worth_a_thread(rows):
        yield _now
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fractal-governance") as pool:
        yield pool.submit


def in_halves(count: int, work: Callable[[int, int], T], size: int | None = None) -> list[T]:
    """``[work(0, h), work(h, count)]`` for ``h = count // 2``: the second half on a worker
    thread when ``size`` (default ``count``) is worth one (:func:`worth_a_thread`), else
    both on this thread, in order. The halves must not write to the same memory.

    Called on a worker thread (the dense Gini is, see ``Dataset`` construction), this
    makes a third thread for a while; the operating system shares the two cores."""
    half = count // 2
    if not worth_a_thread(count if size is None else size):
        return [work(0, half), work(half, count)]
    with worker(count if size is None else size) as submit:
        later = submit(lambda: work(half, count))
        return [work(0, half), later.result()]
