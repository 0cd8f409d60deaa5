"""The Genesis fractal's token supply curve (Fractally White Paper Addendum 1).

From the Addendum on, each week mints Respect tokens: ``rate`` (10**6) per week, decaying
exponentially with a half-life of ``half_life`` weeks (52), until the curve switches to a
constant inflation of ``constant_inflation_rate`` (5 % a year). Week ``t`` (1, 2, ...) mints
the integral of ``rate * 2 ** (-(x - 1) / half_life)`` over ``[t, t + 1]``.

The definitions follow the upstream project (matt-langston/fractal_governance at
916618a, ``fractal_governance/addendum_1/token_supply.py``), which follows Team fractally's
spreadsheet, including its two peculiarities:

* the switch to constant inflation happens at
  ``x = -log2(log2(c) / (1 + log2(c)))`` half-lives (about 3.93, i.e. week 204.2 for
  ``c = 1.05``), not where the decay reaches 5 %;
* in the week of the switch the cumulative supply is still the decaying curve's.

Every function takes arrays of weeks (no Python loop).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["TokenCurve"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class TokenCurve:
    """Tokens minted per week and the cumulative supply, as functions of the week.

    Parameters
    ----------
    rate : float
        Tokens minted in the first week (before the decay), 10**6.
    half_life : float
        Weeks after which the weekly rate halves, 52.
    constant_inflation_rate : float
        The yearly growth factor after the switch, 1.05.
    """

    rate: float = 1e6
    half_life: float = 52.0
    constant_inflation_rate: float = 1.05

    def __post_init__(self) -> None:
        if not self.half_life > 0:
            raise ValueError(f"half_life must be > 0, got {self.half_life!r}")
        if not self.constant_inflation_rate > 1:
            raise ValueError(
                f"constant_inflation_rate must be > 1, got {self.constant_inflation_rate!r}"
            )

    # -- the curve's constants -----------------------------------------------------------

    @property
    def transition(self) -> float:
        """Half-lives after which inflation is constant (Team fractally's formula)."""
        x = float(np.log2(self.constant_inflation_rate))
        return float(-np.log2(x / (1 + x)))

    @property
    def transition_week(self) -> float:
        """The week of the switch to constant inflation (about 204.2)."""
        return self.transition * self.half_life

    @property
    def supply_at_transition(self) -> float:
        """The cumulative supply of the decaying curve at the switch."""
        return float((self.rate * self.half_life / np.log(2)) * (1 - 2**-self.transition))

    # -- by week -------------------------------------------------------------------------

    def integral_start(self, time: npt.ArrayLike) -> FloatArray:
        """The antiderivative of the decaying rate (per unit rate) at the start of ``time``."""
        t = self._weeks(time)
        start = np.power(2.0, -(t - 1) / self.half_life)
        start *= -self.half_life / np.log(2)
        return start

    def integral_end(self, time: npt.ArrayLike) -> FloatArray:
        """The antiderivative at the end of week ``time`` (the start of the next)."""
        return self.integral_start(self._weeks(time) + 1)

    def minted(self, time: npt.ArrayLike) -> FloatArray:
        """Tokens minted in week ``time`` (the week's pool)."""
        t = self._weeks(time)
        start, end = self.integral_start(t), self.integral_end(t)
        before = math.floor(self.transition_week)
        after = math.ceil(self.transition_week)
        first = self.integral_start(np.ones(1))[0]
        t0 = (t - 1) / self.half_life - self.transition
        t1 = t / self.half_life - self.transition
        c = self.constant_inflation_rate
        at = self.supply_at_transition
        decaying = (end - start) * self.rate
        switching = at * c**t1 - (start - first) * self.rate
        constant = at * (c**t1 - c**t0)
        return np.where(t < before, decaying, np.where(t < after, switching, constant))

    def supply(self, time: npt.ArrayLike) -> FloatArray:
        """The cumulative supply at the end of week ``time``."""
        t = self._weeks(time)
        first = self.integral_start(np.ones(1))[0]
        decaying = (self.integral_end(t) - first) * self.rate
        t1 = t / self.half_life - self.transition
        constant = self.supply_at_transition * self.constant_inflation_rate**t1
        return np.where(t < math.ceil(self.transition_week), decaying, constant)

    @staticmethod
    def _weeks(time: npt.ArrayLike) -> FloatArray:
        t = np.asarray(time, dtype=np.float64)
        if (t < 1).any():
            raise ValueError(f"weeks start at 1, got {t[t < 1].ravel()[:3].tolist()}")
        return t
