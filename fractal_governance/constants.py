"""The upstream project's constants (compatibility facade).

Code written against the later API of the upstream project (matt-langston/fractal_governance
at 916618a) imports its column names and Genesis dates from ``fractal_governance.constants``;
they are here under the same names, with the values of :mod:`fractal_governance.columns`
and :mod:`fractal_governance.policies.genesis`. New code should use those modules.

The ``GENESIS_*_CSV_PATH`` constants name where the upstream keeps its data files; this
project does not ship them (the registry fetches them by URL and checksum).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import fractal_governance
from fractal_governance import columns as col
from fractal_governance.policies import genesis

PROJECT_DIR = Path(fractal_governance.__file__).parent.parent
"""The folder that holds the ``fractal_governance`` package."""

GENESIS_ACCOUNT_STATUS_CSV_PATH = PROJECT_DIR / "data/genesis-account_status.csv"
GENESIS_LATE_CONSENSUS_CSV_PATH = PROJECT_DIR / "data/genesis-late_consensus.csv"
GENESIS_TEAMS_CSV_PATH = PROJECT_DIR / "data/genesis-teams.csv"
GENESIS_WEEKLY_MEASUREMENTS_CSV_PATH = PROJECT_DIR / "data/genesis-weekly_measurements.csv"

DATE_OF_FIRST_GENESIS_FRACTAL_MEETING = pd.Timestamp("2022-02-26")

MEETING_ID_WHEN_HIVE_SIGNATURE_REQUIRED = genesis.SIGNATURE_REQUIRED_FROM_MEETING  # 17
MEETING_ID_WHEN_ADDENDUM_1_GOES_INTO_EFFECT = genesis.ADDENDUM_1_FROM_MEETING  # 23

ACCUMULATED_LEVEL_COLUMN_NAME = "AccumulatedLevel"
ACCUMULATED_RESPECT_COLUMN_NAME = col.ACCUMULATED_RESPECT
ACCUMULATED_RESPECT_NEW_MEMBER_COLUMN_NAME = col.ACCUMULATED_RESPECT_NEW_MEMBER
ACCUMULATED_RESPECT_PRO_RATA_COLUMN_NAME = "AccumulatedRespectProRata"
ACCUMULATED_RESPECT_RETURNING_MEMBER_COLUMN_NAME = col.ACCUMULATED_RESPECT_RETURNING_MEMBER
ATTENDANCE_COUNT_COLUMN_NAME = col.ATTENDANCE_COUNT
ATTENDANCE_COUNT_NEW_MEMBER_COLUMN_NAME = "AttendanceCountNewMember"
ATTENDANCE_COUNT_RETURNING_MEMBER_COLUMN_NAME = "AttendanceCountReturningMember"
GROUP_COLUMN_NAME = col.GROUP
HIVE_ACCOUNT_NAME_COLUMN_NAME = col.HIVE_ACCOUNT_NAME
INDEX_COLUMN_NAME = col.INDEX
INTEGRAL_COLUMN_NAME = "Integral"
INTEGRAL_END_COLUMN_NAME = "IntegralEnd"
INTEGRAL_START_COLUMN_NAME = "IntegralStart"
LEVEL_COLUMN_NAME = col.LEVEL
MEAN_COLUMN_NAME = col.MEAN
MEETING_DATE_COLUMN_NAME = col.MEETING_DATE
MEETING_ID_COLUMN_NAME = col.MEETING_ID
MEMBER_ID_COLUMN_NAME = col.MEMBER_ID
MEMBER_NAME_COLUMN_NAME = col.NAME
NEW_MEMBER_COUNT_COLUMN_NAME = col.NEW_MEMBER_COUNT
RESPECT_COLUMN_NAME = col.RESPECT
RESPECT_PRO_RATA_COLUMN_NAME = "RespectProRata"
RETURNING_MEMBER_COUNT_COLUMN_NAME = col.RETURNING_MEMBER_COUNT
ROUND_COLUMN_NAME = col.ROUND
SIGNATURE_ON_FILE_COLUMN_NAME = col.SIGNATURE_ON_FILE
STANDARD_DEVIATION_COLUMN_NAME = col.STANDARD_DEVIATION
TEAM_ID_COLUMN_NAME = col.TEAM_ID
TEAM_NAME_COLUMN_NAME = col.TEAM_NAME
TIME_COLUMN_NAME = "Time"
TOKENS_INDIVIDUAL = "TokensIndividual"
TOKENS_TEAM = "TokensTeam"
TOKEN_INTEGRAL_COLUMN_NAME = "TokenIntegral"
TOKEN_SUPPLY_AFTER_TRANSITION_TO_CONSTANT_INFLATION_COLUMN_NAME = (
    "TokenSupplyAfterTransitionToConstantInflation"
)
TOKEN_SUPPLY_BEFORE_TRANSITION_TO_CONSTANT_INFLATION_COLUMN_NAME = (
    "TokenSupplyBeforeTransitionToConstantInflation"
)
TOKEN_SUPPLY_COLUMN_NAME = "TokenSupply"
WEIGHTED_MEAN_LEVEL_COLUMN_NAME = "WeightedMeanLevel"
WEIGHTED_MEAN_RESPECT_COLUMN_NAME = "WeightedMeanRespect"
WEIGHTED_MEAN_RESPECT_INDIVIDUAL_PER_MEETING_COLUMN_NAME = "WeightedMeanRespectIndividualPerMeeting"
WEIGHTED_MEAN_RESPECT_TEAM_PER_MEETING_COLUMN_NAME = "WeightedMeanRespectTeamPerMeeting"
WEIGHTED_MEAN_RESPECT_INDIVIDUAL_FRACTION_PER_MEETING_COLUMN_NAME = (
    "WeightedMeanRespectIndividualFractionPerMeeting"
)
WEIGHTED_MEAN_RESPECT_TEAM_FRACTION_PER_MEETING_COLUMN_NAME = (
    "WeightedMeanRespectTeamFractionPerMeeting"
)
