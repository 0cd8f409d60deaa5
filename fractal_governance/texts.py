"""What the front ends say: captions, descriptions, and number and date formats, in one place.

The dashboard, the static report and the command line show the same numbers in the same way:
the library computes numbers (:meth:`Dataset.summary_table` is a tidy table of floats), and this
module turns them into text. One date format everywhere (``"Feb 26, 2022"``; a meeting whose
date is not known is ``"date unknown"``), thousands separators in large numbers, and every
Respect figure followed by its unit.

Examples
--------
>>> format_number(1234.5)
'1,234.50'
>>> format_respect(89, "Respect")
'89 Respect'
>>> format_statistic(10 / 3, 0.5774, "members")
'3.33 ± 0.58 members'
>>> format_statistic(0.3056, 0.0481, "share")
'30.6% ± 4.8%'
>>> format_date("2022-02-26")
'Feb 26, 2022'
>>> format_date(None)
'date unknown'
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fractal_governance import columns as col
from fractal_governance.profiles import describe_calendar

if TYPE_CHECKING:
    from fractal_governance.profiles import CommunityProfile

__all__ = [
    "ABOUT",
    "ATTENDANCE_DESCRIPTION",
    "DATE_FORMAT",
    "FAIRNESS_DESCRIPTION",
    "FAIRNESS_LABELS",
    "FIGURE_CAPTIONS",
    "GENESIS_NOT_HERE",
    "LEADERBOARD_DESCRIPTION",
    "MISSING",
    "NO_DATES_NOTE",
    "NO_TEAMS",
    "QUALITY_DESCRIPTION",
    "QUALITY_KINDS",
    "RANK_VS_ATTENDANCE_DESCRIPTION",
    "RESOURCES",
    "SCHEDULE_NOT_REPLACEABLE",
    "SHARE",
    "SIMULATED_LABEL",
    "SIMULATED_NOTE",
    "SUMMARY_DESCRIPTION",
    "TEAMS_NEED_DATES",
    "TEAM_LEADERBOARD_DESCRIPTION",
    "TEAM_REPRESENTATION_DESCRIPTION",
    "UNKNOWN_DATE",
    "UPLOAD_WAITING",
    "VEGA_DATE_FORMAT",
    "column_label",
    "column_labels",
    "current_through",
    "fetch_failed",
    "figure_caption",
    "format_cell",
    "format_coefficient",
    "format_date",
    "format_number",
    "format_percent",
    "format_respect",
    "format_statistic",
    "format_summary",
    "format_thousands",
    "heading",
    "meeting_calendar_note",
    "member_label",
    "plot_text",
    "profile_caption",
    "quality_count",
    "quality_kind",
    "schedule_caption",
    "short_address",
]

DATE_FORMAT = "%b %d, %Y"
"""The one date format of every front end: ``Feb 26, 2022``."""

VEGA_DATE_FORMAT = DATE_FORMAT
"""The same format for the dashboard's charts (Vega's d3-time-format has the same codes)."""

UNKNOWN_DATE = "date unknown"
"""What a meeting date that is not known is shown as."""

MISSING = "n/a"
"""What a number that cannot be computed (NaN) is shown as."""

SHARE = "share"
"""The unit of fractions (0 to 1), which are shown as percentages."""

# Units that read in the singular for exactly one (``1 meeting``, ``2 meetings``).
_SINGULAR = {"meetings": "meeting", "members": "member", "teams": "team", "findings": "finding"}


# ------------------------------------------------------------------------------------------
# Numbers and dates


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def format_number(value: Any, decimals: int = 2) -> str:
    """A number with thousands separators: whole numbers without decimals (``1,234``),
    others with ``decimals`` places (``3.33``); NaN or None as ``n/a``."""
    if _is_missing(value):
        return MISSING
    number = float(value)
    if number.is_integer() and abs(number) < 2**53:
        return f"{int(number):,}"
    return f"{number:,.{decimals}f}"


def format_percent(value: Any, decimals: int = 1) -> str:
    """A fraction (0 to 1) as a percentage: ``0.382 -> '38.2%'``; NaN as ``n/a``."""
    if _is_missing(value):
        return MISSING
    return f"{float(value):.{decimals}%}"


def format_coefficient(value: Any, decimals: int = 3) -> str:
    """A coefficient such as the Gini coefficient, always with ``decimals`` places."""
    if _is_missing(value):
        return MISSING
    return f"{float(value):.{decimals}f}"


def _unit(value: Any, unit: str) -> str:
    """``unit`` in the singular for exactly one of a countable unit."""
    if not _is_missing(value) and float(value) == 1 and unit in _SINGULAR:
        return _SINGULAR[unit]
    return unit


def format_respect(value: Any, unit: str = "Respect") -> str:
    """A Respect figure with its unit: ``format_respect(1234, "ZAO") == '1,234 ZAO'``."""
    if _is_missing(value):
        return MISSING
    return f"{format_number(value)} {unit}".rstrip()


def format_statistic(
    mean: Any, sd: Any = math.nan, unit: str = "", *, percent: bool = False
) -> str:
    """``mean ± sd unit``: ``'3.33 ± 0.58 members'``; a unit of ``"share"`` (or ``percent``)
    shows percentages (``'30.6% ± 4.8%'``). Without a standard deviation only the mean is
    shown; a missing mean is ``n/a``."""
    if _is_missing(mean):
        return MISSING
    if percent or unit == SHARE:
        text = format_percent(mean)
        return text if _is_missing(sd) else f"{text} ± {format_percent(sd)}"
    text = format_number(mean)
    if not _is_missing(sd):
        text += f" ± {format_number(sd)}"
    return f"{text} {unit}".rstrip()


def format_date(value: Any) -> str:
    """``Feb 26, 2022``; a missing date (None, NaT) is ``date unknown``."""
    if _is_missing(value):
        return UNKNOWN_DATE
    return pd.Timestamp(value).strftime(DATE_FORMAT)


def format_thousands(value: Any) -> str:
    """A table cell for people: whole numbers with thousands separators (``12,345``), other
    numbers as :func:`format_number`, everything else as :func:`format_cell`."""
    if isinstance(value, bool | np.bool_) or _is_missing(value):
        return format_cell(value)
    if isinstance(value, numbers.Real):
        return format_number(value)
    return format_cell(value)


def format_cell(value: Any) -> str:
    """One cell of a table shown as text: numbers with :func:`format_number` (whole numbers
    such as IDs and positions without separators), dates with :func:`format_date`, missing
    values empty."""
    if _is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return format_number(value)
    if isinstance(value, pd.Timestamp):
        return format_date(value)
    return str(value)


def format_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The tidy summary of :meth:`Dataset.summary_table` (``Statistic``, ``Value``,
    ``StandardDeviation``, ``Unit``) as text: columns ``Statistic`` and ``Value``, where a
    value reads ``"89 Respect"``, ``"3.33 ± 0.58 members"`` or ``"30.6% ± 4.8%"``."""
    sds = (
        summary[col.STANDARD_DEVIATION]
        if col.STANDARD_DEVIATION in summary
        else pd.Series(math.nan, index=summary.index)
    )
    units = summary[col.UNIT] if col.UNIT in summary else pd.Series("", index=summary.index)
    values = [
        format_statistic(value, sd, _unit(value, str(unit)) if _is_missing(sd) else str(unit))
        for value, sd, unit in zip(summary[col.VALUE], sds, units, strict=True)
    ]
    return pd.DataFrame(
        {
            col.STATISTIC: pd.Series(summary[col.STATISTIC].astype(str).tolist(), dtype="str"),
            col.VALUE: pd.Series(values, dtype="str"),
        }
    )


# ------------------------------------------------------------------------------------------
# Headings and captions


def current_through(last_meeting_date: Any, last_meeting_id: int | None = None) -> str:
    """``Data is current up through the meeting held on May 21, 2022.``; when the date is
    not known, the meeting is named by its ID instead."""
    if not _is_missing(last_meeting_date):
        return f"Data is current up through the meeting held on {format_date(last_meeting_date)}."
    if last_meeting_id is not None:
        return f"Data is current up through meeting {last_meeting_id} ({UNKNOWN_DATE})."
    return "Data is current up through the last meeting recorded (its date is unknown)."


def profile_caption(
    profile: CommunityProfile, *, dates_known: bool = True, dates_from_data: bool = False
) -> str:
    """The profile in use, in one line: name, Respect schedule (policy), calendar and unit.

    ``dates_from_data=True`` (the rows carry ``MeetingDate``) says that the dates come from
    the data, not from the profile's calendar; ``dates_known=False`` (no ``MeetingDate`` and
    no calendar) that the meeting dates are unknown.
    """
    if dates_from_data:
        calendar = "meeting dates from the data"
    elif profile.calendar is None and not dates_known:
        calendar = "meeting dates unknown (the data has none and no calendar was given)"
    else:
        calendar = f"meetings {describe_calendar(profile.calendar)}"
    return (
        f"Profile: {profile.name}. Respect: {profile.policy.describe()}. "
        f"Calendar: {calendar}. Unit: {profile.unit}."
    )


def meeting_calendar_note(has_meeting_dates: bool) -> str:
    """Whether the calendar settings are used for the data on show."""
    if has_meeting_dates:
        return (
            "These records carry their own meeting dates (MeetingDate), so the first meeting "
            "date and the interval are not used."
        )
    return (
        "Used only when the records have no MeetingDate column: meeting 1 is on the first "
        "date and each later meeting one interval after the previous one."
    )


def heading(
    title: str,
    *,
    simulated: bool,
    last_meeting_date: Any,
    last_meeting_id: int | None = None,
) -> str:
    """The text heading of the command line's output: the title (marked when simulated) and
    the line saying how current the data is."""
    first = f"{title} (simulated data)" if simulated else title
    return f"{first}\n{current_through(last_meeting_date, last_meeting_id)}"


def quality_count(count: int) -> str:
    """``"1 data-quality finding"``, ``"3 data-quality findings"``."""
    return f"{count} data-quality {'finding' if count == 1 else 'findings'}"


FIGURE_CAPTIONS: dict[str, str] = {
    "attendance_vs_time": "Attendees per meeting.",
    "attendance_vs_time_stacked": "Attendees per meeting, split into returning and new members.",
    "attendance_consistency_histogram": "How many meetings each member attended.",
    "accumulated_member_respect_vs_time": "Respect earned by members, accumulated over time.",
    "accumulated_member_respect_vs_time_stacked": (
        "Accumulated member Respect, split into Respect earned by returning and new members."
    ),
    "accumulated_team_respect_vs_time": "Accumulated Respect of each team over time.",
    "accumulated_team_respect_vs_time_stacked": (
        "Accumulated Respect of all teams over time, stacked in team leaderboard order."
    ),
    "team_representation_vs_time": "Share of the attendees of each meeting who belong to a team.",
    "attendance_count_vs_rank": (
        "Mean rank (with standard deviation) by number of meetings attended, and the "
        "least-squares line through the means."
    ),
    "respect_lorenz_curve": (
        "Lorenz curve of accumulated member Respect against the line of equality."
    ),
    "gini_vs_time": "Gini coefficient of accumulated member Respect after each meeting.",
    "member_respect_leaderboard": "The members with the most accumulated Respect.",
}
"""Caption (and alternative text) of each figure of :mod:`fractal_governance.plots`."""


def figure_caption(name: str, unit: str = "Respect") -> str:
    """The caption of figure ``name`` (one made from the name when it has none), with Respect
    named by ``unit`` when that is not ``"Respect"``."""
    caption = FIGURE_CAPTIONS.get(name, name.replace("_", " ").capitalize() + ".")
    if unit != "Respect":
        caption = caption.replace("Respect", f"Respect ({unit})", 1)
    return caption


FAIRNESS_LABELS: dict[str, str] = {
    "members": "Members",
    "total": "Total member Respect",
    "gini": "Gini coefficient",
    "top_10": "Share held by the top 10%",
    "top_20": "Share held by the top 20%",
    "nakamoto": "Nakamoto coefficient",
}
"""Names of the fairness metrics, as every front end labels them."""

SUMMARY_DESCRIPTION = (
    "Team representation is the share of a meeting's attendees who belong to a team, averaged "
    "over the meetings in which anyone does. Respect earned by teams is the Respect their "
    "members earned in the meeting, credited once more to the team."
)

LEADERBOARD_DESCRIPTION = (
    "Members are sorted by accumulated rank (the sum of the ranks they earned), highest first; "
    "ties go to the member who attended more meetings, then to the lower MemberID."
)

TEAM_LEADERBOARD_DESCRIPTION = "Teams sorted by the Respect their members earned."

NO_TEAMS = "No team data: none of the attendees in these meetings belongs to a team."

ATTENDANCE_DESCRIPTION = (
    "A member is new at the first meeting they ever attended and returning at every later "
    "one, also when only some of the meetings are shown."
)

TEAM_REPRESENTATION_DESCRIPTION = (
    "Team representation is the share of a meeting's attendees who belong to a team; "
    "meetings where nobody does are left out of its statistics."
)

FAIRNESS_DESCRIPTION = (
    "These numbers describe how evenly the members' accumulated Respect is spread. The Gini "
    "coefficient is 0 when everyone holds the same and approaches 1 when one member holds "
    "everything. The top shares say how much of all member Respect the most respected tenth "
    "and fifth of the members hold. The Nakamoto coefficient is the smallest number of members "
    "who together hold more than half of it: the larger, the harder it is for a few members to "
    "dominate. The Lorenz curve plots the share of Respect held by the poorest part of the "
    "members; the further it sags below the diagonal, the more unequal the distribution. New "
    "members who attended once pull all of these towards inequality, so compare them with how "
    "often members attend."
)

QUALITY_DESCRIPTION = (
    "Unusual records that were analysed as they are (for example a group larger than six, or "
    "duplicate ranks in a group)."
)

SIMULATED_LABEL = "Simulated data: made by the fractal_governance simulator, not a real community."
"""The short label of simulated data (command-line notes, figures saved from simulated data)."""

SIMULATED_NOTE = (
    "Simulated data. These records were made by the fractal_governance simulator; they "
    "describe no real community."
)

ABOUT = """
Fractal governance lets a community recognise who contributes, without elections and without
votes weighted by money. Members meet every week and are split at random into small groups of
three to six people. In each group, everyone describes what they have done for the community
since the last meeting, and the group has to agree on a ranking, from 6 for the largest
contribution downwards. No one can rank themselves alone: a ranking stands only when the group
reaches consensus.

Each rank earns **Respect** on a Fibonacci schedule, so the step from one rank to the next grows
(in the Genesis fractal, ranks 1 to 6 earned 2, 3, 5, 8, 13 and 21 Respect). Respect cannot be
bought or transferred; it accumulates meeting after meeting as a public record of contribution
that the community can use to weigh opinions and share out rewards. Members can also form
**teams**, which are credited with the Respect their members earn.

This dashboard reads the records of such meetings and shows who attends, how Respect accumulates
for members and teams, and how evenly it is spread. The same analysis is available as a Python
library, a command-line tool and notebooks in the `fractal_governance` project.
"""
"""What fractal governance is, in Markdown (the dashboard's Description section)."""

RESOURCES = """
- [fractal_governance on GitHub](https://github.com/matt-langston/fractal_governance): the
  original analysis and the public records of the Genesis fractal.
- [More Equal Animals](https://moreequalanimals.com), Daniel Larimer's book on the ideas behind
  fractal democracy.
- [ƒractally](https://fractally.com), where the Genesis fractal met.
- [Optimism Fractal](https://optimismfractal.com), a fractal community that uses levels 1 to 6
  worth 5 to 55 Respect.
- [Gini coefficient](https://en.wikipedia.org/wiki/Gini_coefficient) and
  [Lorenz curve](https://en.wikipedia.org/wiki/Lorenz_curve) on Wikipedia.
"""
"""Links for further reading, in Markdown."""


# ------------------------------------------------------------------------------------------
# Members, columns, quality findings and schedules

_ADDRESS_LENGTH = 42  # "0x" and 40 hexadecimal digits


def plot_text(text: Any) -> str:
    """``text`` (a name from the data) as matplotlib draws it literally: every ``$`` escaped,
    so that a name is never read as math text (``$\\frac{1}{2}$`` stays as typed; ``$\\sqrt{$``
    cannot fail the figure). For every title, label, tick and legend entry that shows data.

    >>> plot_text("$5 & $6")
    '\\\\$5 & \\\\$6'
    """
    return str(text).replace("$", r"\$")


def short_address(text: Any) -> str:
    """An Ethereum address shortened for display (``0x8d43…ee66``); any other ID unchanged.

    The full address stays in tooltips, downloads and machine formats.
    """
    value = str(text)
    if (
        len(value) == _ADDRESS_LENGTH
        and value[:2].lower() == "0x"
        and all(c in "0123456789abcdefABCDEF" for c in value[2:])
    ):
        return f"{value[:6]}…{value[-4:]}"
    return value


def member_label(member_id: Any, name: Any = None) -> str:
    """How a member is named on screen: ``Name (0x8d43…ee66)``, or the (shortened) ID."""
    short = short_address(member_id)
    if _is_missing(name) or not str(name).strip():
        return short
    if str(name).lower() == str(member_id).lower():  # an address's checksummed spelling
        return short_address(name)
    return f"{name} ({short})"


_COLUMN_LABELS: dict[str, str] = {
    "Position": "Place",
    "MemberID": "Member ID",
    "Name": "Name",
    "AccumulatedRank": "Accumulated Rank",
    "AccumulatedRespect": "Accumulated Respect",
    "AttendanceCount": "Meetings Attended",
    "TeamName": "Team",
    "MeetingID": "Meeting",
    "MeetingDate": "Date",
    "NewMemberCount": "New Members",
    "ReturningMemberCount": "Returning Members",
    "Respect": "Respect",
    "Rank": "Rank",
    "Level": "Level",
    "Group": "Group",
    "Round": "Round",
    "Mean": "Mean Rank",
    "StandardDeviation": "Standard Deviation",
    "Kind": "Finding",
    "Message": "Explanation",
}


def column_label(name: Any, unit: str = "Respect") -> str:
    """The human-readable header of a table column: ``AccumulatedRespect`` ->
    ``Accumulated Respect`` (``Accumulated Respect (ZAO)`` in another unit)."""
    text = str(name)
    label = _COLUMN_LABELS.get(text)
    if label is None:  # split CamelCase: "AccumulatedRespectNewMember" -> words
        words: list[str] = []
        for char in text:
            after_lower = bool(words) and words[-1][-1:].islower()
            if char.isupper() and after_lower:
                words.append(" ")
            words.append(char)
        label = "".join(words)
    if "Respect" in label and unit != "Respect":
        label = f"{label} ({unit})"
    return label


def column_labels(columns: Any, unit: str = "Respect") -> dict[str, str]:
    """``{column: header}`` for every column of a table (see :func:`column_label`)."""
    return {str(name): column_label(name, unit) for name in columns}


QUALITY_KINDS: dict[str, str] = {
    "oversized_group": "Group larger than six",
    "duplicate_rank": "Rank given twice in a group",
    "rank_set_mismatch": "Ranks that do not fit the group's size",
    "member_name_conflict": "Member with more than one name",
    "team_name_conflict": "Team with more than one name",
    "even_split": "Award without a level (even split)",
    "extra_award": "Extra award on top of the ranking",
    "burned_award": "Burned award (taken out of the ledger)",
    "repeated_ranking": "Member ranked twice in one meeting",
    "denomination_mismatch": "Respect that does not match the level",
    "unknown_mint_type": "Unknown mint type",
}
"""What each kind of data-quality finding means, in words."""


def quality_kind(kind: Any) -> str:
    """The readable name of a data-quality finding's kind (its code when unknown)."""
    text = str(kind)
    return QUALITY_KINDS.get(text, text.replace("_", " ").capitalize())


def schedule_caption(profile: CommunityProfile) -> str:
    """The unit and the Respect schedule in one line: ``Unit: ZAO. Schedule: Doubled: 10, 16,
    26, 42, 68, 110 for levels 1-6.``"""
    schedule = profile.schedule
    if schedule is None:  # a policy without one schedule: the profile caption describes it
        return f"Unit: {profile.unit}. Schedule: as the profile's Respect policy says."
    return f"Unit: {profile.unit}. Schedule: {schedule.describe()}."


GENESIS_NOT_HERE = (
    "The Genesis records are not on this machine yet: press “Fetch the Genesis data” in the "
    "sidebar, or choose the simulated demo."
)
"""What the dashboard says while the Genesis records are not on this machine."""

UPLOAD_WAITING = "Choose one or more CSV files in the sidebar to see their analysis."
"""What the dashboard says while no file has been uploaded."""


def fetch_failed(what: str, error: BaseException | str) -> str:
    """One line saying a download failed, why, and what to do."""
    reason = " ".join(str(error).split())
    if len(reason) > 160:
        reason = reason[:157] + "…"
    return (
        f"Could not fetch the {what} data ({reason}): connect this machine to the internet "
        "and press the button again, or choose the simulated demo."
    )


NO_DATES_NOTE = (
    "The meeting dates are not known (the data has none and the profile gives no calendar), "
    "so meetings are shown by number. Set a first meeting date in the sidebar to date them."
)
"""Under charts over meetings whose dates are unknown."""

TEAMS_NEED_DATES = (
    "The team charts over time need meeting dates; set a first meeting date in the sidebar."
)

RANK_VS_ATTENDANCE_DESCRIPTION = (
    "The mean rank (with its standard deviation) of the members who attended the same number "
    "of meetings, and the least-squares line through those means: does attending more often go "
    "with higher ranks?"
)

SCHEDULE_NOT_REPLACEABLE = (
    "This community's Respect policy does not pay by one schedule of levels, so another "
    "schedule cannot be chosen; its own policy is used."
)
"""When a schedule is chosen for a profile whose policy has none (e.g. Genesis' tokens)."""
