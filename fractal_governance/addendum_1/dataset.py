"""``Addendum1Dataset``: a dataset with Addendum 1's token Respect (compatibility facade).

The upstream project (matt-langston/fractal_governance at 916618a) wraps a dataset with
the Addendum's tables: the token supply per week, the pro-rata Respect of meetings 1-22,
each member's individual and team tokens from meeting 23, and a dataset whose Respect is
in tokens. Here the tokens come from the core policy
(:class:`fractal_governance.policies.genesis.Addendum1Respect`), and
``dataset_with_addendum_1_respect`` is the same measurements counted by it, so that its
per-meeting tables count members paid while absent.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fractal_governance import constants as c
from fractal_governance.addendum_1.constants import Addendum1Constants
from fractal_governance.addendum_1.token_supply import TokenSupply
from fractal_governance.addendum_1.weighted_means import WeightedMeans, addendum_1_policy
from fractal_governance.dataset import Dataset

__all__ = ["Addendum1Dataset"]


@dataclass(frozen=True)
class Addendum1Dataset:
    """``dataset`` with the Addendum 1 changes (the upstream's API).

    Attributes: ``df`` (the rows with ``RespectProRata`` first), ``df_weighted_means``
    (``WeightedMeans.df`` with ``TokensIndividual`` and ``TokensTeam`` first),
    ``df_token_supply`` (per week), ``df_token_distribution_per_meeting`` (tokens of members
    and teams per meeting from the Addendum on) and ``dataset_with_addendum_1_respect``.
    """

    dataset: Dataset = field(repr=False)
    weighted_means: WeightedMeans | None = field(default=None, repr=False)
    addendum_1_constants: Addendum1Constants | None = None
    dataset_with_addendum_1_respect: Dataset = field(init=False, repr=False)
    df: pd.DataFrame = field(init=False, repr=False)
    df_weighted_means: pd.DataFrame = field(init=False, repr=False)
    df_token_distribution_per_meeting: pd.DataFrame = field(init=False, repr=False)
    df_token_supply: pd.DataFrame = field(init=False, repr=False)

    def __post_init__(self) -> None:
        dataset = self.dataset
        weighted_means = self.weighted_means or WeightedMeans(dataset)
        constants = self.addendum_1_constants or Addendum1Constants(dataset)
        object.__setattr__(self, "weighted_means", weighted_means)
        object.__setattr__(self, "addendum_1_constants", constants)
        policy = addendum_1_policy(
            dataset,
            weighted_means.parameters,
            constants.total_respect_before_addendum_1_individual,
            constants.total_respect_before_addendum_1_team,
        )
        profile = dataclasses.replace(dataset.profile, policy=policy)
        counted = dataset.with_profile(profile)
        object.__setattr__(self, "dataset_with_addendum_1_respect", counted)
        m = counted.measurements

        last = int(np.max(m.meeting_ids_chronological)) if m.meeting_count else 0
        weeks = [TokenSupply(time=week) for week in range(1, last + 1)]  # a few per year
        supply = pd.DataFrame(
            {
                c.MEETING_ID_COLUMN_NAME: range(1, last + 1),
                c.INTEGRAL_START_COLUMN_NAME: [w.integral_start for w in weeks],
                c.INTEGRAL_END_COLUMN_NAME: [w.integral_end for w in weeks],
                c.INTEGRAL_COLUMN_NAME: [w.integral for w in weeks],
                c.TOKEN_INTEGRAL_COLUMN_NAME: [w.token_integral for w in weeks],
                c.TOKEN_SUPPLY_BEFORE_TRANSITION_TO_CONSTANT_INFLATION_COLUMN_NAME: [
                    w.token_supply_before_transition_to_constant_inflation for w in weeks
                ],
                c.TOKEN_SUPPLY_AFTER_TRANSITION_TO_CONSTANT_INFLATION_COLUMN_NAME: [
                    w.token_supply_after_transition_to_constant_inflation for w in weeks
                ],
                c.TOKEN_SUPPLY_COLUMN_NAME: [w.token_supply for w in weeks],
            }
        ).set_index(c.MEETING_ID_COLUMN_NAME)
        object.__setattr__(self, "df_token_supply", supply)

        rows = counted.df
        before = rows[c.MEETING_ID_COLUMN_NAME] < policy.from_meeting
        pro_rata = rows[c.RESPECT_COLUMN_NAME].where(before, 0.0)
        rows.insert(0, c.RESPECT_PRO_RATA_COLUMN_NAME, pro_rata.astype(np.float64))
        object.__setattr__(self, "df", rows)

        first = policy.first_number(m)
        tokens = policy.addendum_ledger(m, first) if first < m.meeting_count else None
        frame = weighted_means.df.copy()
        individual: Any = np.zeros(len(frame))
        team: Any = np.zeros(len(frame))
        if tokens is not None:
            keys = pd.MultiIndex.from_arrays(
                [m.member_ids.take(tokens.member), m.meeting_ids_chronological[tokens.meeting]]
            )
            paid = pd.Series(tokens.respect, index=keys)
            assert tokens.team is not None
            teamed = pd.Series(np.where(tokens.team >= 0, tokens.respect, 0.0), index=keys)
            wanted = pd.MultiIndex.from_arrays(
                [frame[c.MEMBER_ID_COLUMN_NAME], frame[c.MEETING_ID_COLUMN_NAME]]
            )
            individual = paid.reindex(wanted, fill_value=0.0).to_numpy(dtype=np.float64)
            team = teamed.reindex(wanted, fill_value=0.0).to_numpy(dtype=np.float64)
        frame.insert(0, c.TOKENS_TEAM, team)
        frame.insert(0, c.TOKENS_INDIVIDUAL, individual)
        object.__setattr__(self, "df_weighted_means", frame)
        after = frame[frame[c.MEETING_ID_COLUMN_NAME] >= policy.from_meeting]
        distribution = after.groupby(c.MEETING_ID_COLUMN_NAME)[
            [c.TOKENS_INDIVIDUAL, c.TOKENS_TEAM]
        ].sum()
        object.__setattr__(self, "df_token_distribution_per_meeting", distribution)
