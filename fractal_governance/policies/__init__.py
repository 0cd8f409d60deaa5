"""Respect policies: how a community turns measured levels into Respect awards.

Policies compose: a schedule by level (:class:`ScheduleRespect`), rules applied after it
(:class:`Eligibility`, :class:`Exclusions`, with ``policy.with_rules(...)``), rolling
policies that pay by a moving statistic of past levels (:class:`RollingMeanRespect`), and
several policies' awards together (:class:`Combined`). The Genesis fractal's Addendum 1
(:class:`Addendum1Respect`: weighted rolling means, :class:`WeightedMeanAlgorithm`, and the
token supply, :class:`TokenCurve`) is in :mod:`.genesis`; its profile and the loader of the
complete Genesis record are in :mod:`.genesis_record` (imported by name, not from here).

Examples
--------
>>> from fractal_governance.math import GENESIS
>>> policy = ScheduleRespect(GENESIS).with_rules(Eligibility(17, flag="SignatureOnFile"))
>>> policy.describe().split("; ")
['Genesis: level l earns F(l + 2): 2, 3, 5, 8, 13, 21 for levels 1-6', \
'from meeting 17, only members with SignatureOnFile earn']
"""

from fractal_governance.policies.base import Combined, RespectPolicy, Rule, Ruled
from fractal_governance.policies.genesis import Addendum1Respect
from fractal_governance.policies.recorded import RecordedAwards
from fractal_governance.policies.rolling import RollingMeanRespect
from fractal_governance.policies.rules import Eligibility, Exclusions
from fractal_governance.policies.schedules import SCHEDULES, ScheduleRespect, schedule_from_text
from fractal_governance.policies.token_supply import TokenCurve
from fractal_governance.policies.weighted_means import WeightedMeanAlgorithm

__all__ = [
    "SCHEDULES",
    "Addendum1Respect",
    "Combined",
    "Eligibility",
    "Exclusions",
    "RecordedAwards",
    "RespectPolicy",
    "RollingMeanRespect",
    "Rule",
    "Ruled",
    "ScheduleRespect",
    "TokenCurve",
    "WeightedMeanAlgorithm",
    "schedule_from_text",
]
