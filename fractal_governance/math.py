"""Fibonacci numbers and Respect schedules.

A fractal meeting ranks each member of a group with a *level* (also called *rank*); the
community turns that level into *Respect* with a schedule, usually a shifted Fibonacci
sequence. The Genesis fractal awards Fibonacci(level + 2) (2, 3, 5, 8, 13, 21 for levels
1..6); Optimism Fractal awards Fibonacci(level + 4) (5, 8, 13, 21, 34, 55).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "DOUBLED",
    "GENESIS",
    "GOLDEN_RATIO",
    "OPTIMISM",
    "RespectSchedule",
    "fibonacci",
    "respect",
]

_INT64_MAX = int(np.iinfo(np.int64).max)


def _as_int(value: Any, what: str) -> int:
    """Return ``value`` as a Python int, rejecting bools, floats and strings."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be an integer, not bool: {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, got {value!r}") from None


def _object_to_float(array: npt.NDArray[Any], what: str) -> npt.NDArray[np.float64]:
    """Numbers in an object array (None becomes NaN) as floats; ``ValueError`` otherwise."""
    try:
        return array.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{what} must be integers without missing values, got e.g. "
            f"{array.ravel()[:5].tolist()!r}"
        ) from None


def fibonacci(n: int) -> int:
    """Return the n-th Fibonacci number, exactly.

    ``fibonacci(0) == 0``, ``fibonacci(1) == fibonacci(2) == 1``. Negative ``n`` follows
    the negafibonacci identity ``F(-n) = (-1) ** (n + 1) * F(n)``, so the recurrence
    ``F(n) = F(n - 1) + F(n - 2)`` holds for every integer ``n``.

    The computation is iterative (fast doubling over the bits of ``n``), so it takes
    O(log n) big-integer steps and never recurses.

    Examples
    --------
    >>> [fibonacci(n) for n in range(-6, 7)]
    [-8, 5, -3, 2, -1, 1, 0, 1, 1, 2, 3, 5, 8]
    """
    n = _as_int(n, "n")
    m = abs(n)
    a, b = 0, 1  # F(k), F(k + 1) for k = the bits of m read so far
    for bit in bin(m)[2:]:
        c = a * (2 * b - a)  # F(2k)
        d = a * a + b * b  # F(2k + 1)
        a, b = (d, c + d) if bit == "1" else (c, d)
    if n < 0 and m % 2 == 0:
        return -a
    return a


@dataclass(frozen=True)
class RespectSchedule:
    """How a consensus level turns into Respect.

    Either a Fibonacci schedule (level ``l`` earns ``fibonacci(l + fibonacci_offset)``, for
    every level >= 1) or an explicit table ``{level: respect}``. Build one with
    :meth:`genesis`, :meth:`optimism`, :meth:`fibonacci` or :meth:`from_table`.

    Attributes
    ----------
    name : str
        Display name, e.g. ``"Genesis"``.
    fibonacci_offset : int or None
        Offset of a Fibonacci schedule; ``None`` for a table.
    table : tuple of (level, respect) pairs
        Sorted by level; empty for a Fibonacci schedule.
    """

    name: str
    fibonacci_offset: int | None = None
    table: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if (self.fibonacci_offset is None) == (not self.table):
            if self.fibonacci_offset is None:
                raise ValueError("a RespectSchedule needs a fibonacci_offset or a non-empty table")
            raise ValueError("a RespectSchedule takes a fibonacci_offset or a table, not both")
        if self.fibonacci_offset is not None:
            offset = _as_int(self.fibonacci_offset, "fibonacci_offset")
            if offset < 0:
                raise ValueError(f"fibonacci_offset must be >= 0, got {offset}")
            object.__setattr__(self, "fibonacci_offset", offset)
            return
        table: dict[int, int] = {}
        for level, value in self.table:
            level = _as_int(level, "level")
            if level < 1:
                raise ValueError(f"levels must be >= 1, got {level}")
            if level in table:
                raise ValueError(f"level {level} appears twice in the table")
            value = _as_int(value, f"respect of level {level}")
            if abs(value) > _INT64_MAX:
                raise ValueError(f"respect of level {level} does not fit in 64 bits: {value}")
            table[level] = value
        object.__setattr__(self, "table", tuple(sorted(table.items())))

    # -- constructors -------------------------------------------------------------------

    @classmethod
    def genesis(cls) -> RespectSchedule:
        """The Genesis fractal's schedule: level ``l`` earns ``fibonacci(l + 2)``."""
        return cls(name="Genesis", fibonacci_offset=2)

    @classmethod
    def optimism(cls) -> RespectSchedule:
        """Optimism Fractal's schedule: levels 1..6 earn 5, 8, 13, 21, 34, 55."""
        return cls(name="Optimism", fibonacci_offset=4)

    @classmethod
    def doubled(cls) -> RespectSchedule:
        """Optimism Fractal's schedule doubled: levels 1..6 earn 10, 16, 26, 42, 68, 110
        (ZAO Fractal, ORDAO mint type 10)."""
        return cls.from_table(
            {level: 2 * fibonacci(level + 4) for level in range(1, 7)}, name="Doubled"
        )

    @classmethod
    def fibonacci(cls, offset: int, name: str | None = None) -> RespectSchedule:
        """A schedule where level ``l`` earns ``fibonacci(l + offset)`` (``offset >= 0``)."""
        return cls(
            name=name if name is not None else f"Fibonacci+{offset}", fibonacci_offset=offset
        )

    @classmethod
    def from_table(cls, table: Mapping[int, int], name: str = "Custom") -> RespectSchedule:
        """A schedule given as an explicit ``{level: respect}`` mapping.

        Levels missing from the table are unsupported: :meth:`respect` raises ``ValueError``.
        """
        return cls(name=name, table=tuple(table.items()))

    # -- queries ------------------------------------------------------------------------

    @property
    def max_level(self) -> int | None:
        """Highest supported level (``None``: unbounded, for Fibonacci schedules).

        Fibonacci schedules are exact for any level with :meth:`respect`; the vectorized
        :meth:`respect_array` is limited to results that fit in int64.
        """
        if self.fibonacci_offset is not None:
            return None
        return self.table[-1][0]

    def _describe_levels(self) -> str:
        if self.fibonacci_offset is not None:
            return "levels >= 1"
        return "levels " + ", ".join(str(level) for level, _ in self.table)

    def describe(self, levels: int = 6) -> str:
        """The schedule in words: ``"Optimism: 5, 8, 13, 21, 34, 55 for levels 1-6"``."""
        shown = [level for level in range(1, levels + 1)]
        if self.fibonacci_offset is None:
            shown = [level for level, _ in self.table]
        values = ", ".join(f"{self.respect(level):,}" for level in shown)
        span = f"{shown[0]}-{shown[-1]}" if len(shown) > 1 else f"{shown[0]}"
        if self.fibonacci_offset is not None:
            rule = f"level l earns F(l + {self.fibonacci_offset}): "
            return f"{self.name}: {rule}{values} for levels {span}"
        return f"{self.name}: {values} for levels {span}"

    def respect(self, level: int) -> int:
        """Return the Respect earned at ``level``; ``ValueError`` for unsupported levels."""
        level = _as_int(level, "level")
        if self.fibonacci_offset is not None:
            if level < 1:
                raise ValueError(
                    f"level {level} is not supported by the {self.name} schedule "
                    f"({self._describe_levels()})"
                )
            return fibonacci(level + self.fibonacci_offset)
        for known, value in self.table:
            if known == level:
                return value
        raise ValueError(
            f"level {level} is not supported by the {self.name} schedule "
            f"({self._describe_levels()})"
        )

    def _lookup(self, max_level: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Respect and support flags for levels ``0..max_level`` (index = level)."""
        values = np.zeros(max_level + 1, dtype=np.int64)
        supported = np.zeros(max_level + 1, dtype=np.bool_)
        if self.fibonacci_offset is not None:
            for level in range(1, max_level + 1):
                value = fibonacci(level + self.fibonacci_offset)
                if value > _INT64_MAX:
                    break
                values[level] = value
                supported[level] = True
        else:
            for level, value in self.table:
                if level <= max_level:
                    values[level] = value
                    supported[level] = True
        return values, supported

    def respect_array(self, levels: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Vectorized :meth:`respect`: an int64 array shaped like ``levels``.

        ``levels`` must hold integers (integral floats are accepted). Raises ``ValueError``
        naming the first (in array order) level the schedule does not support, including
        Fibonacci levels whose Respect would overflow int64.
        """
        array = np.asarray(levels)
        if array.size == 0:
            return np.zeros(array.shape, dtype=np.int64)
        if array.dtype.kind == "O":  # e.g. a nullable pandas array: missing -> NaN below
            array = _object_to_float(array, "levels")
        if array.dtype.kind not in "iuf":
            raise ValueError(f"levels must be integers, got dtype {array.dtype}")
        if array.dtype.kind == "f":
            bad = ~(np.isfinite(array) & (array == np.floor(array)))
            if bad.any():
                first = array.ravel()[np.argmax(bad.ravel())]
                raise ValueError(f"level {first} is not an integer")
        if array.dtype.kind == "u" and array.max() > _INT64_MAX:
            first = array.ravel()[np.argmax(array.ravel() > _INT64_MAX)]
            raise ValueError(
                f"level {int(first)} is not supported by the {self.name} schedule "
                f"({self._describe_levels()})"
            )
        flat = array.astype(np.int64).ravel()
        known_max = self.max_level
        cap = int(flat.max()) if known_max is None else known_max
        cap = max(1, min(cap, 200))  # Fibonacci overflows int64 long before level 200
        values, supported = self._lookup(cap)
        in_range = (flat >= 1) & (flat <= cap)
        clipped = np.where(in_range, flat, 0)
        ok = in_range & supported[clipped]
        if not ok.all():
            first = int(flat[np.argmax(~ok)])
            raise ValueError(
                f"level {first} is not supported by the {self.name} schedule "
                f"({self._describe_levels()}"
                + (", with Respect that fits in int64)" if known_max is None else ")")
            )
        return values[clipped].reshape(array.shape)


GENESIS = RespectSchedule.genesis()
"""The default schedule: the Genesis fractal's ``fibonacci(level + 2)``."""

OPTIMISM = RespectSchedule.optimism()
"""Optimism Fractal's schedule: ``fibonacci(level + 4)``."""

DOUBLED = RespectSchedule.doubled()
"""The Optimism schedule doubled (ZAO Fractal): 10, 16, 26, 42, 68, 110."""


GOLDEN_RATIO = (np.sqrt(5) + 1) / 2
"""The golden ratio, ``(1 + sqrt(5)) / 2``."""


def respect(
    level: Any,
    bias: float = 2,
    *,
    golden_ratio: float = GOLDEN_RATIO,
    include_second_term: bool = True,
) -> Any:
    """Return the Respect of ``level``: the Fibonacci number ``F(level + bias)``.

    With one whole-number argument this is the Genesis schedule, exactly:
    ``respect(3) == 5`` (an int; ``ValueError`` for levels below 1).

    Otherwise (a fractional level or an array of them, another ``bias``, or a keyword) it
    is the continuous Fibonacci function of Binet's formula,
    ``(g ** x - cos(pi * x) * g ** -x) / sqrt(5)`` with ``x = level + bias`` and ``g`` the
    golden ratio, as a float or an array; ``include_second_term=False`` drops the second
    term. Fractally White Paper Addendum 1 pays a weighted mean level this way (with
    ``bias=0`` and without the second term). The keywords are those of the upstream
    project's ``fractal_governance.math.respect``.

    Examples
    --------
    >>> respect(3)
    5
    >>> round(respect(3.0), 12)
    5.0
    >>> round(respect(2.5, bias=0, include_second_term=False), 6)
    1.489307
    """
    exact = (
        bias == 2
        and golden_ratio == GOLDEN_RATIO
        and include_second_term
        and isinstance(level, (int, np.integer))
        and not isinstance(level, bool)
    )
    if exact:
        return GENESIS.respect(level)
    x = np.asarray(level, dtype=np.float64) + bias
    value = np.power(golden_ratio, x)
    if include_second_term:
        value = value - np.cos(x * np.pi) * np.power(golden_ratio, -x)
    value = value / np.sqrt(5)
    return float(value) if np.ndim(value) == 0 else value
