"""Respect policies: how a community turns measured levels into Respect awards.

Policies compose: a schedule by level (:class:`ScheduleRespect`), rules applied after it
(:class:`Eligibility`, :class:`Exclusions`, with ``policy.with_rules(...)``), rolling
policies that pay by a moving statistic of past levels (:class:`RollingMeanRespect`), and
several policies' awards together (:class:`Combined`).

Examples
--------
>>> from fractal_governance.math import GENESIS
>>> policy = ScheduleRespect(GENESIS).with_rules(Eligibility(17, flag="SignatureOnFile"))
>>> policy.describe().split("; ")
['Genesis: level l earns F(l + 2): 2, 3, 5, 8, 13, 21 for levels 1-6', \
'from meeting 17, only members with SignatureOnFile earn']
"""

from fractal_governance.policies.base import Combined, RespectPolicy, Rule, Ruled
from fractal_governance.policies.rolling import RollingMeanRespect
from fractal_governance.policies.rules import Eligibility, Exclusions
from fractal_governance.policies.schedules import SCHEDULES, ScheduleRespect, schedule_from_text

__all__ = [
    "SCHEDULES",
    "Combined",
    "Eligibility",
    "Exclusions",
    "RespectPolicy",
    "RollingMeanRespect",
    "Rule",
    "Ruled",
    "ScheduleRespect",
    "schedule_from_text",
]
