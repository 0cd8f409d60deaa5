"""Community profiles: who a community is and how it counts Respect.

A :class:`CommunityProfile` is a frozen value: a name, a Respect policy, a meeting calendar
(or none: dates come from the data, else stay unknown) and the unit Respect is counted in.
Loading records with a profile gives a :class:`~fractal_governance.dataset.Dataset` whose
every Respect figure follows that profile.

Input without dates or a schedule of its own is read with the profile the caller chooses,
or else with :data:`DEFAULT` (an ORDAO awards export: :data:`ORDAO`), which is stated
wherever results are shown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from fractal_governance.math import DOUBLED, OPTIMISM, RespectSchedule
from fractal_governance.math import GENESIS as GENESIS_SCHEDULE
from fractal_governance.policies import RecordedAwards, RespectPolicy, ScheduleRespect
from fractal_governance.util import GENESIS_CALENDAR, MeetingCalendar

__all__ = [
    "DEFAULT",
    "EDEN",
    "GENESIS",
    "OPTIMISM_FRACTAL",
    "ORDAO",
    "PROFILES",
    "ZAO",
    "CommunityProfile",
    "describe_calendar",
]


_GENESIS_POLICY = ScheduleRespect(GENESIS_SCHEDULE)  # a frozen value: safe as a default


def describe_calendar(calendar: MeetingCalendar | None) -> str:
    """The calendar in words: ``"every 7 days from 2022-02-26 (2022-04-16 skipped)"``."""
    if calendar is None:
        return "dates from the data"
    every = "weekly" if calendar.cadence_days == 7 else f"every {calendar.cadence_days} days"
    text = f"{every} from {calendar.start.isoformat()}"
    if calendar.skipped:
        text += f" ({', '.join(day.isoformat() for day in calendar.skipped)} skipped)"
    return text


@dataclass(frozen=True)
class CommunityProfile:
    """A community's name, Respect policy, meeting calendar and unit.

    Parameters
    ----------
    name : str
        Display name, e.g. ``"Genesis fractal"``.
    policy : RespectPolicy
        Turns measurements into Respect awards (default: the Genesis schedule).
    calendar : MeetingCalendar or None
        Dates of meetings by ID for input without ``MeetingDate``; None: such dates are
        unknown. A ``MeetingDate`` column always wins.
    unit : str
        What Respect is counted in (``"Respect"``, a token's name).

    Examples
    --------
    >>> from fractal_governance.math import OPTIMISM
    >>> GENESIS.with_schedule(OPTIMISM).policy.describe()
    'Optimism: level l earns F(l + 4): 5, 8, 13, 21, 34, 55 for levels 1-6'
    """

    name: str
    policy: RespectPolicy = _GENESIS_POLICY
    calendar: MeetingCalendar | None = GENESIS_CALENDAR
    unit: str = "Respect"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("a profile needs a name")
        if not isinstance(self.policy, RespectPolicy):
            raise TypeError(f"policy must be a RespectPolicy, got {type(self.policy).__name__}")
        if self.calendar is not None and not isinstance(self.calendar, MeetingCalendar):
            raise TypeError(
                f"calendar must be a MeetingCalendar or None, got {type(self.calendar).__name__}"
            )

    @property
    def schedule(self) -> RespectSchedule | None:
        """The schedule by level the policy pays, if any."""
        return self.policy.schedule

    def with_schedule(self, schedule: RespectSchedule) -> CommunityProfile:
        """The same profile paying ``schedule`` by level (its rules kept)."""
        return replace(self, policy=self.policy.with_schedule(schedule))

    def with_calendar(
        self,
        calendar: MeetingCalendar | None = None,
        *,
        first_meeting_date: datetime.date | str | None = None,
        meeting_interval_days: int | None = None,
    ) -> CommunityProfile:
        """The same profile with another calendar, given whole or as a first date and an
        interval (the other part kept from the current calendar, or weekly)."""
        if calendar is None and (first_meeting_date is not None or meeting_interval_days):
            current = self.calendar
            start = first_meeting_date or (current.start if current else None)
            if start is None:
                raise ValueError("a meeting interval needs a first meeting date")
            cadence = meeting_interval_days or (current.cadence_days if current else 7)
            keep = current.skipped if current and first_meeting_date is None else ()
            if current and meeting_interval_days and meeting_interval_days != current.cadence_days:
                keep = ()
            calendar = MeetingCalendar(
                start=start,  # type: ignore[arg-type]  # ISO text is accepted too
                cadence_days=cadence,
                skipped=keep,
            )
        return replace(self, calendar=calendar)

    def with_policy(self, policy: RespectPolicy) -> CommunityProfile:
        return replace(self, policy=policy)

    def describe(self) -> str:
        """One line: name, policy, calendar and unit."""
        return (
            f"{self.name}: {self.policy.describe()}; meetings {describe_calendar(self.calendar)}; "
            f"counted in {self.unit}"
        )


GENESIS = CommunityProfile("Genesis fractal")
"""The Genesis fractal's schedule (2, 3, 5, 8, 13, 21) and calendar (weekly from
2022-02-26, 2022-04-16 skipped), in Respect."""

OPTIMISM_FRACTAL = CommunityProfile("Optimism Fractal", ScheduleRespect(OPTIMISM), None)
"""Optimism Fractal: 5, 8, 13, 21, 34, 55 per level; dates from the data."""

EDEN = CommunityProfile("Eden Fractal", ScheduleRespect(OPTIMISM), None)
"""Eden Fractal: 5, 8, 13, 21, 34, 55 per level; dates from the data."""

ZAO = CommunityProfile("ZAO Fractal", ScheduleRespect(DOUBLED), None)
"""ZAO Fractal: the doubled schedule 10, 16, 26, 42, 68, 110; dates from the data."""

ORDAO = CommunityProfile("ORDAO awards", RecordedAwards(), None)
"""An ORDAO awards export read as minted: Respect is the awards themselves (their
denominations checked against the schedule of each mint type); dates unknown (an export has
settlement times, not meeting dates)."""

DEFAULT = GENESIS
"""The profile of input that carries no dates or schedule, unless the caller chooses one:
the Genesis schedule and calendar (the project's reference community)."""

PROFILES: dict[str, CommunityProfile] = {
    "genesis": GENESIS,
    "ordao": ORDAO,
    "optimism": OPTIMISM_FRACTAL,
    "eden": EDEN,
    "zao": ZAO,
}
"""Profiles by short name."""
