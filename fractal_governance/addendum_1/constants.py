"""``Addendum1Constants``: the conversion of earlier Respect into tokens (compatibility facade).

The upstream project (matt-langston/fractal_governance at 916618a) computes the Respect of
members and teams before Addendum 1 (meetings 1-22, after the signature and late-consensus
rules), the token supply it converts into, and the pro-rata factor. Here that is
:meth:`fractal_governance.policies.genesis.Addendum1Respect.totals`, counted from the
dataset's measurements with the profile's schedule and rules (also when the dataset's own
figures are already in tokens).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fractal_governance.addendum_1.weighted_means import addendum_1_policy
from fractal_governance.dataset import Dataset

__all__ = ["Addendum1Constants"]


@dataclass(frozen=True)
class Addendum1Constants:
    """Respect before Addendum 1, its token supply and the pro-rata factor.

    ``total_respect_before_addendum_1_individual`` and ``..._team`` override the counted
    totals (Team fractally's spreadsheet used 7022 for members).
    """

    dataset: Dataset = field(repr=False)
    total_respect_before_addendum_1_individual: float | None = None
    total_respect_before_addendum_1_team: float | None = None
    total_respect_before_addendum_1: float = field(init=False)
    token_supply_before_addendum_1_individual: float = field(init=False)
    token_supply_before_addendum_1_team: float = field(init=False)
    token_supply_before_addendum_1: float = field(init=False)
    pro_rata_respect: float = field(init=False)

    def __post_init__(self) -> None:
        policy = addendum_1_policy(
            self.dataset,
            individual_total_before=self.total_respect_before_addendum_1_individual,
            team_total_before=self.total_respect_before_addendum_1_team,
        )
        totals = policy.totals(self.dataset.measurements)
        values = {
            "total_respect_before_addendum_1_individual": totals.individual,
            "total_respect_before_addendum_1_team": totals.team,
            "total_respect_before_addendum_1": totals.total,
            "token_supply_before_addendum_1_individual": totals.supply_individual,
            "token_supply_before_addendum_1_team": totals.supply_team,
            "token_supply_before_addendum_1": totals.supply,
            "pro_rata_respect": totals.pro_rata,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)
