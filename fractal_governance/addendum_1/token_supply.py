"""``TokenSupply``: the upstream's token supply of one week (compatibility facade).

A thin wrapper over :class:`fractal_governance.policies.TokenCurve`, with the upstream's
attribute names (matt-langston/fractal_governance at 916618a).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fractal_governance.policies.token_supply import TokenCurve

__all__ = ["TokenSupply"]


@dataclass(frozen=True, kw_only=True)
class TokenSupply:
    """The token supply of the Genesis fractal in week ``time`` (1, 2, ...).

    ``token_integral`` is the tokens minted that week; ``token_supply`` the cumulative
    supply at its end. RuntimeError for ``time < 1``, as upstream.
    """

    time: float = 1
    token_inflation_rate: float = 10**6
    half_life: float = 52.0
    constant_inflation_rate: float = 1.05

    transition_to_constant_inflation: float = field(init=False)
    token_supply_at_transition_to_constant_inflation: float = field(init=False)
    integral_start: float = field(init=False)
    integral_end: float = field(init=False)
    integral: float = field(init=False)
    token_integral: float = field(init=False)
    token_supply_before_transition_to_constant_inflation: float = field(init=False)
    token_supply_after_transition_to_constant_inflation: float = field(init=False)
    token_supply: float = field(init=False)

    def __post_init__(self) -> None:
        if self.time < 1:
            raise RuntimeError(f"LOGIC ERROR: unexpected time={self.time}")
        curve = TokenCurve(self.token_inflation_rate, self.half_life, self.constant_inflation_rate)
        start = float(curve.integral_start(self.time))
        end = float(curve.integral_end(self.time))
        first = float(curve.integral_start(1))
        after = curve.supply_at_transition * self.constant_inflation_rate ** (
            self.time / self.half_life - curve.transition
        )
        values = {
            "transition_to_constant_inflation": curve.transition,
            "token_supply_at_transition_to_constant_inflation": curve.supply_at_transition,
            "integral_start": start,
            "integral_end": end,
            "integral": end - start,
            "token_integral": float(curve.minted(self.time)),
            "token_supply_before_transition_to_constant_inflation": (end - first)
            * self.token_inflation_rate,
            "token_supply_after_transition_to_constant_inflation": float(after),
            "token_supply": float(curve.supply(self.time)),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)
