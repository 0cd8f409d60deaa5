"""Column names used by the input files and by every table a ``Dataset`` derives.

Users' notebooks select columns by these exact names, so they are fixed. The derived tables
always say ``Rank`` / ``AccumulatedRank``, also for input that calls the column ``Level``.
"""

from __future__ import annotations

__all__ = [
    "ACCUMULATED_RANK",
    "ACCUMULATED_RESPECT",
    "ACCUMULATED_RESPECT_NEW_MEMBER",
    "ACCUMULATED_RESPECT_RETURNING_MEMBER",
    "ATTENDANCE_COUNT",
    "GINI",
    "GROUP",
    "HIVE_ACCOUNT_NAME",
    "INDEX",
    "LEVEL",
    "LEVEL_COLUMNS",
    "MEAN",
    "MEETING_DATE",
    "MEETING_ID",
    "MEMBER_ID",
    "NAME",
    "NEW_MEMBER_COUNT",
    "ORIGIN",
    "POPULATION_SHARE",
    "RANK",
    "RESPECT",
    "RESPECT_SHARE",
    "RETURNING_MEMBER_COUNT",
    "ROUND",
    "SIGNATURE_ON_FILE",
    "STANDARD_DEVIATION",
    "STATISTIC",
    "TEAM_ID",
    "TEAM_NAME",
    "TEAM_REPRESENTATION",
    "UNIT",
    "VALUE",
]

# -- input columns --------------------------------------------------------------------------
INDEX = "Index"
MEMBER_ID = "MemberID"
NAME = "Name"
MEETING_ID = "MeetingID"
MEETING_DATE = "MeetingDate"
GROUP = "Group"
ROUND = "Round"
RANK = "Rank"
LEVEL = "Level"
TEAM_ID = "TeamID"
TEAM_NAME = "TeamName"
HIVE_ACCOUNT_NAME = "HiveAccountName"
SIGNATURE_ON_FILE = "SignatureOnFile"

LEVEL_COLUMNS = (RANK, LEVEL)
"""The two names the consensus level goes by (Genesis said Rank, later fractals Level)."""

# -- derived columns ------------------------------------------------------------------------
RESPECT = "Respect"
ACCUMULATED_RANK = "AccumulatedRank"
ACCUMULATED_RESPECT = "AccumulatedRespect"
ACCUMULATED_RESPECT_NEW_MEMBER = "AccumulatedRespectNewMember"
ACCUMULATED_RESPECT_RETURNING_MEMBER = "AccumulatedRespectReturningMember"
ATTENDANCE_COUNT = "AttendanceCount"
MEAN = "Mean"
STANDARD_DEVIATION = "StandardDeviation"
NEW_MEMBER_COUNT = "NewMemberCount"
RETURNING_MEMBER_COUNT = "ReturningMemberCount"
TEAM_REPRESENTATION = "TeamRepresentation"
GINI = "Gini"
POPULATION_SHARE = "PopulationShare"
RESPECT_SHARE = "RespectShare"
STATISTIC = "Statistic"
VALUE = "Value"
UNIT = "Unit"
ORIGIN = "Origin"
