"""``WeightedMeans``: the upstream's weighted mean levels and Respect (compatibility facade).

The upstream project (matt-langston/fractal_governance at 916618a) computes, per member and
meeting, the weighted rolling mean of levels and its Respect (the continuous Fibonacci
function) with ``WeightedMeans(dataset, parameters)``. Here that is a thin wrapper over
:func:`fractal_governance.policies.weighted_means.weighted_mean_levels` and
:class:`fractal_governance.policies.genesis.Addendum1Respect`.

As upstream, the weighted means apply the signature rule (``SignatureOnFile`` from meeting
17) when ``clamp_mean_respect_to_zero_when_fractal_contributor_agreement_not_signed`` is
set, and not the late-consensus exclusions.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fractal_governance import constants as c
from fractal_governance.dataset import Dataset
from fractal_governance.ledger import Ledger
from fractal_governance.policies.genesis import Addendum1Respect, signature_rule
from fractal_governance.policies.weighted_means import WeightedMeanAlgorithm

__all__ = [
    "WeightedMeanLevelAlgorithm",
    "WeightedMeanParameters",
    "WeightedMeans",
    "addendum_1_policy",
]


class WeightedMeanLevelAlgorithm(enum.Enum):
    """The algorithms for a weighted rolling mean ``Level`` (the upstream's names)."""

    RollingMean = enum.auto()
    WeightedRollingMean = enum.auto()
    WeightedRollingMeanWithHysteresis = enum.auto()

    @property
    def core(self) -> WeightedMeanAlgorithm:
        """The same algorithm in :mod:`fractal_governance.policies.weighted_means`."""
        return {
            "RollingMean": WeightedMeanAlgorithm.ROLLING_MEAN,
            "WeightedRollingMean": WeightedMeanAlgorithm.WEIGHTED_ROLLING_MEAN,
            "WeightedRollingMeanWithHysteresis": (
                WeightedMeanAlgorithm.WEIGHTED_ROLLING_MEAN_WITH_HYSTERESIS
            ),
        }[self.name]


@dataclass(frozen=True)
class WeightedMeanParameters:
    """The parameters of the weighted means; the defaults are Team fractally's."""

    window_size: int = 6
    meeting_attendance_requirement_for_members: int = 12
    weighted_mean_level_algorithm: WeightedMeanLevelAlgorithm = (
        WeightedMeanLevelAlgorithm.WeightedRollingMeanWithHysteresis
    )
    respect_fibonacci_bias: float = 0
    respect_fibonacci_include_second_term: bool = False
    clamp_mean_respect_to_zero_when_mean_level_is_zero: bool = True
    clamp_mean_respect_to_zero_when_fractal_contributor_agreement_not_signed: bool = True


def addendum_1_policy(
    dataset: Dataset,
    parameters: WeightedMeanParameters | None = None,
    individual_total_before: float | None = None,
    team_total_before: float | None = None,
) -> Addendum1Respect:
    """The :class:`Addendum1Respect` of ``dataset``'s profile (or one over its policy, for
    a dataset counted by a schedule) with the upstream's ``parameters``."""
    policy = dataset.profile.policy
    base = policy if isinstance(policy, Addendum1Respect) else Addendum1Respect(before=policy)
    p = parameters if parameters is not None else WeightedMeanParameters()
    unsigned = p.clamp_mean_respect_to_zero_when_fractal_contributor_agreement_not_signed
    return dataclasses.replace(
        base,
        window=p.window_size,
        attendance_requirement=p.meeting_attendance_requirement_for_members,
        algorithm=WeightedMeanLevelAlgorithm(p.weighted_mean_level_algorithm).core,
        fibonacci_bias=float(p.respect_fibonacci_bias),
        include_second_term=bool(p.respect_fibonacci_include_second_term),
        clamp_zero_level=bool(p.clamp_mean_respect_to_zero_when_mean_level_is_zero),
        weighted_mean_rules=(signature_rule(),) if unsigned else (),
        individual_total_before=individual_total_before,
        team_total_before=team_total_before,
    )


@dataclass(frozen=True)
class WeightedMeans:
    """Weighted mean levels and Respect per member and meeting (the upstream's API).

    ``df`` has one row per member who ever had a level and meeting of the record:
    ``MemberID``, ``MeetingID``, ``WeightedMeanLevel``, ``WeightedMeanRespect`` (after the
    clamps), ``SignatureOnFile`` and ``TeamName`` (the team the member first attended with,
    from that meeting on); ``df_per_meeting`` sums the Respect of members and teams per
    meeting, with their fractions.
    """

    dataset: Dataset = field(repr=False)
    parameters: WeightedMeanParameters = field(default_factory=WeightedMeanParameters)
    df: pd.DataFrame = field(init=False, repr=False)
    df_per_meeting: pd.DataFrame = field(init=False, repr=False)

    def __post_init__(self) -> None:
        policy = addendum_1_policy(self.dataset, self.parameters)
        m = self.dataset.measurements
        cells, weight = dataclasses.replace(policy, clamp_zero_level=False).weighted_means(m)
        mean = cells.mean
        if policy.clamp_zero_level:
            weight = np.where(mean == 0, 0.0, weight)
        ledger = Ledger(
            cells.member,
            cells.meeting,
            weight,
            np.ones(len(weight), dtype=np.int8),
            cells.attendance,
        )
        for rule in policy.weighted_mean_rules:
            ledger = rule.apply(ledger, m)
        team = policy.teams(m, cells.member, cells.meeting)
        member_ids = m.member_ids.take(cells.member)
        attributes = m.member_attributes
        if c.SIGNATURE_ON_FILE_COLUMN_NAME in attributes.columns:
            flags = attributes[c.SIGNATURE_ON_FILE_COLUMN_NAME].astype(bool)
            signed = flags.reindex(member_ids, fill_value=False).to_numpy(dtype=bool)
        else:
            signed = np.zeros(len(member_ids), dtype=bool)
        names = m.team_names.take(np.maximum(team, 0)).to_numpy(dtype=object)
        frame = pd.DataFrame(
            {
                c.MEMBER_ID_COLUMN_NAME: member_ids,
                c.MEETING_ID_COLUMN_NAME: m.meeting_ids_chronological[cells.meeting],
                c.WEIGHTED_MEAN_LEVEL_COLUMN_NAME: mean,
                c.WEIGHTED_MEAN_RESPECT_COLUMN_NAME: ledger.respect.astype(np.float64),
                c.SIGNATURE_ON_FILE_COLUMN_NAME: signed,
                c.TEAM_NAME_COLUMN_NAME: pd.Series(np.where(team >= 0, names, None), dtype="str"),
            }
        )
        order = np.lexsort(
            (frame[c.MEETING_ID_COLUMN_NAME].to_numpy(), member_ids.str.lower().to_numpy())
        )
        frame = frame.take(order).reset_index(drop=True)
        respect = frame[c.WEIGHTED_MEAN_RESPECT_COLUMN_NAME]
        by_meeting = respect.groupby(frame[c.MEETING_ID_COLUMN_NAME])
        individual = by_meeting.sum()
        teams = respect.where(frame[c.TEAM_NAME_COLUMN_NAME].notna(), 0.0)
        team_sum = teams.groupby(frame[c.MEETING_ID_COLUMN_NAME]).sum()
        both = individual + team_sum
        per_meeting = pd.DataFrame(
            {
                c.WEIGHTED_MEAN_RESPECT_INDIVIDUAL_PER_MEETING_COLUMN_NAME: individual,
                c.WEIGHTED_MEAN_RESPECT_TEAM_PER_MEETING_COLUMN_NAME: team_sum,
                c.WEIGHTED_MEAN_RESPECT_INDIVIDUAL_FRACTION_PER_MEETING_COLUMN_NAME: (
                    individual / both
                ),
                c.WEIGHTED_MEAN_RESPECT_TEAM_FRACTION_PER_MEETING_COLUMN_NAME: team_sum / both,
            }
        )
        object.__setattr__(self, "df", frame)
        object.__setattr__(self, "df_per_meeting", per_meeting)

    def get_pivot_table(
        self,
        value_column_name: str = "Value",
        weighted_mean_column_name: str = c.WEIGHTED_MEAN_RESPECT_COLUMN_NAME,
    ) -> pd.DataFrame:
        """``weighted_mean_column_name`` by ``MemberID`` (rows, by lower-case ID) and
        ``MeetingID`` (columns); ``value_column_name`` names the values, as upstream."""
        frame: Any = self.df.rename(columns={weighted_mean_column_name: value_column_name})
        return frame.pivot(
            index=c.MEMBER_ID_COLUMN_NAME,
            columns=c.MEETING_ID_COLUMN_NAME,
            values=value_column_name,
        ).reindex(frame[c.MEMBER_ID_COLUMN_NAME].unique())
