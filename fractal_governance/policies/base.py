"""What a Respect policy is, and how policies and rules compose.

A :class:`RespectPolicy` turns :class:`~fractal_governance.measurements.Measurements` into a
:class:`~fractal_governance.ledger.Ledger`. A :class:`Rule` changes a ledger (it takes awards
away, e.g. from members without a signature on file). ``policy.with_rules(rule, ...)``
applies rules after a policy; :class:`Combined` adds the ledgers of several policies.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np

from fractal_governance.ledger import Ledger
from fractal_governance.math import RespectSchedule
from fractal_governance.measurements import Measurements

__all__ = ["Combined", "RespectPolicy", "Rule", "Ruled", "zeroed"]


class RespectPolicy(ABC):
    """Turns measurements into a ledger of Respect awards."""

    uses_history: bool = False
    """Whether a meeting's awards depend on earlier meetings (then a meeting window takes
    its awards from the whole record, not from the window's rows alone)."""

    @abstractmethod
    def ledger(self, measurements: Measurements) -> Ledger:
        """The awards for ``measurements``."""

    @abstractmethod
    def describe(self) -> str:
        """The policy in a few words, for captions and summaries."""

    @property
    def schedule(self) -> RespectSchedule | None:
        """The schedule by level that the policy pays, if it has one."""
        return None

    def with_schedule(self, schedule: RespectSchedule) -> RespectPolicy:
        """The same policy paying ``schedule`` by level.

        Raises
        ------
        ValueError
            When the policy pays by something else than a schedule of levels (a user's
            choice that does not apply, not a bug).
        """
        raise ValueError(
            f"this community's Respect policy ({self.describe()}) does not pay by a schedule "
            "of levels, so its schedule cannot be replaced"
        )

    def with_rules(self, *rules: Rule) -> RespectPolicy:
        """This policy followed by ``rules``, in order."""
        return Ruled(self, tuple(rules)) if rules else self


class Rule(ABC):
    """Changes a ledger: takes awards away or changes their amounts."""

    @abstractmethod
    def apply(self, ledger: Ledger, measurements: Measurements) -> Ledger:
        """The ledger after this rule."""

    @abstractmethod
    def describe(self) -> str:
        """The rule in a few words."""


@dataclass(frozen=True)
class Ruled(RespectPolicy):
    """A policy followed by rules."""

    base: RespectPolicy
    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.base, RespectPolicy):
            raise TypeError(f"base must be a RespectPolicy, got {type(self.base).__name__}")
        for rule in self.rules:
            if not isinstance(rule, Rule):
                raise TypeError(f"rules must be Rule objects, got {type(rule).__name__}")

    @property
    def uses_history(self) -> bool:  # type: ignore[override]
        return self.base.uses_history

    def ledger(self, measurements: Measurements) -> Ledger:
        ledger = self.base.ledger(measurements)
        for rule in self.rules:
            ledger = rule.apply(ledger, measurements)
        return ledger

    def describe(self) -> str:
        return "; ".join([self.base.describe(), *(rule.describe() for rule in self.rules)])

    @property
    def schedule(self) -> RespectSchedule | None:
        return self.base.schedule

    def with_schedule(self, schedule: RespectSchedule) -> RespectPolicy:
        return Ruled(self.base.with_schedule(schedule), self.rules)

    def with_rules(self, *rules: Rule) -> RespectPolicy:
        return Ruled(self.base, self.rules + tuple(rules))


@dataclass(frozen=True)
class Combined(RespectPolicy):
    """The awards of several policies together (e.g. a schedule plus extra awards)."""

    policies: tuple[RespectPolicy, ...]

    def __post_init__(self) -> None:
        if not self.policies:
            raise ValueError("Combined needs at least one policy")

    @property
    def uses_history(self) -> bool:  # type: ignore[override]
        return any(policy.uses_history for policy in self.policies)

    def ledger(self, measurements: Measurements) -> Ledger:
        ledgers = [policy.ledger(measurements) for policy in self.policies]
        combined = ledgers[0]
        for other in ledgers[1:]:
            combined = combined.concat(other, measurements)
        return combined

    def describe(self) -> str:
        return " + ".join(policy.describe() for policy in self.policies)

    @property
    def schedule(self) -> RespectSchedule | None:
        return next((p.schedule for p in self.policies if p.schedule is not None), None)


def zeroed(ledger: Ledger, taken: np.ndarray) -> Ledger:
    """``ledger`` with the entries where ``taken`` is True paying nothing."""
    if not taken.any():
        return ledger
    respect: Any = np.where(taken, 0, ledger.respect).astype(ledger.respect.dtype)
    origin = np.where(taken, 0, ledger.origin).astype(np.int8)
    return ledger.with_respect(respect, origin)
