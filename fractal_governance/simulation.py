"""An agent-based model of a fractal: weekly consensus meetings of a changing population.

The model answers what-if questions (does consensus ranking concentrate Respect? how fast
does attendance decay?) and makes the built-in demo dataset. It works in weekly steps:

1. **Arrivals.** The first meeting is attended by ``founding_members``; before every later
   meeting a Poisson number (mean ``arrival_rate``) of newcomers arrives, and a newcomer
   always attends their first meeting. Each member draws an *attendance propensity* from a
   Beta distribution (mean ``propensity_mean``), a persistent *ability* and, with
   probability ``team_share``, a team (bigger teams are likelier: weights 1, 1/2, 1/3, ...).
2. **Contribution.** A member's latent contribution in a meeting is ``ability +
   fluctuation``; the fluctuation is an AR(1) process over weeks (persistence
   ``contribution_persistence``, stationary standard deviation ``contribution_volatility``),
   so contribution varies over time around the member's ability.
3. **Groups.** The attendees are shuffled and split into groups of 3 to 6, as even as
   possible (:func:`group_sizes`). A group of ``k`` ranks its members from 6 down to
   ``7 - k`` by *perceived* contribution: the standardised contribution mixed with noise so
   that perceived and true contribution correlate with ``consensus_accuracy`` (1: perfect
   consensus, 0: a lottery). Ranks turn into Respect with ``respect_schedule``.
4. **Returning.** After a meeting each attendee decides whether to come back at all, with
   probability ``(1 - departure_rate) * sigmoid(logit(propensity) + respect_effect *
   recent)``, where ``recent`` is an exponentially weighted average (weight
   ``respect_memory`` on the latest meeting) of ``log(Respect / typical Respect)`` over the
   meetings they attended. Those who stay attend each following meeting with probability
   ``weekly_attendance`` until they come (so members skip weeks), then decide again.
   Members who are ranked highly therefore come back more often, which reproduces the
   Genesis observation that mean rank rises with attendance; ``respect_effect=0`` turns
   that feedback off.

A meeting needs at least 3 attendees (one group of 3). A week with fewer is cancelled: it
writes no rows (its MeetingID is not used), and whoever showed up keeps their intention to
return. With the documented defaults this does not happen.

The output of :func:`simulate` is one row per attendee per meeting in the weekly CSV schema
(``Index, MemberID, Name, MeetingID, Group, Rank, TeamID, TeamName, MeetingDate``); it loads
through ``Dataset.from_dataframe`` with an empty quality report. The same seed gives the same
rows on every machine (one ``numpy.random.default_rng(seed)`` stream, integer outputs, ISO
dates). :func:`compare_with_plutocracy` replays the same attendance under a token-weighted
reward rule, for comparing how concentrated Respect becomes.

Examples
--------
>>> from fractal_governance import simulation
>>> df = simulation.simulate(simulation.PRESETS["demo"], seed=1)
>>> list(df.columns)[:6]
['Index', 'MemberID', 'Name', 'MeetingID', 'Group', 'Rank']
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance.fairness import cumulative_gini_by_meeting
from fractal_governance.math import GENESIS, RespectSchedule
from fractal_governance.util import MeetingCalendar

__all__ = [
    "COLUMNS",
    "DEFAULT_SEED",
    "MAX_GROUP_SIZE",
    "MIN_GROUP_SIZE",
    "PRESETS",
    "SimulationConfig",
    "compare_with_plutocracy",
    "group_sizes",
    "plutocratic_rewards",
    "simulate",
    "write_csv",
    "write_preset",
]

MIN_GROUP_SIZE = 3
"""Smallest consensus group: a meeting needs at least this many attendees."""
MAX_GROUP_SIZE = 6
"""Largest consensus group; a group of ``k`` ranks its members 6 down to ``7 - k``."""
TOP_RANK = 6

COLUMNS = (
    "Index",
    "MemberID",
    "Name",
    "MeetingID",
    "Group",
    "Rank",
    "TeamID",
    "TeamName",
    "MeetingDate",
)
"""Columns of :func:`simulate`'s output, in order (the weekly CSV schema plus MeetingDate)."""

DEFAULT_SEED = 2032
"""Seed used by :func:`write_preset` (and the CLI) unless another is given."""

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(meetings_done, meetings_total)`` after each simulated week."""

_FIRST_NAMES = (
    "Ada", "Bram", "Chidi", "Dana", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas",
    "Kemi", "Lars", "Mei", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tomas",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zara", "Aiko", "Bruno", "Camila", "Dmitri",
    "Esi", "Felix", "Gita", "Hector", "Ilse", "Jamal", "Kofi", "Lucia", "Mateo", "Noor",
)  # fmt: skip
_LAST_NAMES = (
    "Abara", "Berg", "Castillo", "Dubois", "Eze", "Fischer", "Garcia", "Haddad", "Ivanova",
    "Jensen", "Kato", "Lindqvist", "Mensah", "Novak", "Okafor", "Petrov", "Quispe", "Rossi",
    "Sato", "Tanaka", "Usman", "Vargas", "Wojcik", "Xu", "Yilmaz", "Zhou", "Almeida",
    "Brennan", "Costa", "Dlamini", "Eriksen", "Fontaine", "Gomez", "Horvat", "Ito",
    "Jovanovic", "Kowalski", "Larsen", "Moreau", "Nakamura",
)  # fmt: skip


@dataclass(frozen=True)
class SimulationConfig:
    """Parameters of the fractal model (see the module docstring for how they interact).

    Parameters
    ----------
    meetings : int
        Number of weekly meeting slots to simulate (default 30).
    founding_members : int
        Attendees of the first meeting (default 40).
    arrival_rate : float
        Mean number of newcomers before each later meeting, Poisson (default 6).
    propensity_mean, propensity_concentration : float
        Attendance propensity ~ Beta(mean * concentration, (1 - mean) * concentration)
        (defaults 0.75 and 1.5: a U-shaped mix of committed members and one-time visitors).
    weekly_attendance : float
        Probability that a member who means to return comes to a given meeting (default
        0.9; the rest skip a week).
    departure_rate : float
        Chance that an attendee leaves for good after a meeting whatever their propensity
        and Respect (life happens; default 0.07). Bounds how long anyone stays.
    respect_effect : float
        Weight of recent Respect in the decision to return (default 2.5; 0 disables the
        feedback from rank to attendance).
    respect_memory : float
        Weight of the latest meeting in the running average of Respect (default 0.5).
    consensus_accuracy : float
        Correlation between perceived and true contribution, in [0, 1] (default 0.7).
    contribution_persistence : float
        Week-to-week autocorrelation of a member's contribution fluctuation (default 0.8).
    contribution_volatility : float
        Standard deviation of the fluctuation around a member's ability (ability has
        standard deviation 1; default 0.6).
    team_names : tuple of str
        Names of the teams, TeamID 1, 2, ... in this order (default five invented names).
    team_share : float
        Probability that a newcomer belongs to a team (default 0.35).
    respect_schedule : RespectSchedule
        Turns ranks into Respect (default: Genesis, ``fibonacci(rank + 2)``).
    first_meeting : datetime.date
        Date of meeting 1 (default 2024-01-06).
    cadence_days : int
        Days between meetings (default 7).
    """

    meetings: int = 30
    founding_members: int = 40
    arrival_rate: float = 6.0
    propensity_mean: float = 0.75
    propensity_concentration: float = 1.5
    weekly_attendance: float = 0.9
    departure_rate: float = 0.07
    respect_effect: float = 2.5
    respect_memory: float = 0.5
    consensus_accuracy: float = 0.7
    contribution_persistence: float = 0.8
    contribution_volatility: float = 0.6
    team_names: tuple[str, ...] = (
        "Lantern Works",
        "Orchard Guild",
        "Tidewater",
        "Cartographers",
        "Kiln Collective",
    )
    team_share: float = 0.35
    respect_schedule: RespectSchedule = field(default=GENESIS)
    first_meeting: datetime.date = datetime.date(2024, 1, 6)
    cadence_days: int = 7

    def __post_init__(self) -> None:
        def check(ok: bool, message: str) -> None:
            if not ok:
                raise ValueError(f"SimulationConfig: {message}")

        check(self.meetings >= 0, f"meetings must be >= 0, got {self.meetings}")
        check(
            self.founding_members >= MIN_GROUP_SIZE,
            f"founding_members must be >= {MIN_GROUP_SIZE}, got {self.founding_members}",
        )
        check(self.arrival_rate >= 0, f"arrival_rate must be >= 0, got {self.arrival_rate}")
        check(
            0 < self.propensity_mean < 1,
            f"propensity_mean must be in (0, 1), got {self.propensity_mean}",
        )
        check(
            self.propensity_concentration > 0,
            f"propensity_concentration must be > 0, got {self.propensity_concentration}",
        )
        for name in (
            "weekly_attendance",
            "respect_memory",
            "consensus_accuracy",
            "team_share",
        ):
            value = getattr(self, name)
            check(0 <= value <= 1, f"{name} must be in [0, 1], got {value}")
        check(self.weekly_attendance > 0, "weekly_attendance must be > 0")
        check(
            0 <= self.departure_rate < 1,
            f"departure_rate must be in [0, 1), got {self.departure_rate}",
        )
        check(
            0 <= self.contribution_persistence < 1,
            f"contribution_persistence must be in [0, 1), got {self.contribution_persistence}",
        )
        check(
            self.contribution_volatility >= 0,
            f"contribution_volatility must be >= 0, got {self.contribution_volatility}",
        )
        check(self.cadence_days >= 1, f"cadence_days must be >= 1, got {self.cadence_days}")
        check(
            len(set(self.team_names)) == len(self.team_names)
            and all(isinstance(name, str) and name.strip() for name in self.team_names),
            f"team_names must be distinct non-empty strings, got {self.team_names!r}",
        )
        check(
            self.team_share == 0 or len(self.team_names) > 0,
            "team_share > 0 needs at least one team name",
        )
        for rank in range(1, TOP_RANK + 1):
            check(
                self.respect_schedule.respect(rank) > 0,
                f"respect_schedule must give positive Respect to ranks 1..6 (rank {rank})",
            )

    def replace(self, **changes: object) -> SimulationConfig:
        """A copy with some parameters changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


PRESETS: dict[str, SimulationConfig] = {
    "demo": SimulationConfig(),
}
"""Named configurations. ``demo`` makes ``data/demo-weekly_rank.csv`` (with DEFAULT_SEED)."""


def group_sizes(n: int) -> list[int]:
    """Split ``n`` attendees into groups of 3 to 6 that are as even as possible.

    Uses the fewest groups of at most 6 (``ceil(n / 6)``) and spreads the attendees over
    them so sizes differ by at most one, larger groups first: 14 -> ``[5, 5, 4]`` (never
    6 + 6 + 2), 7 -> ``[4, 3]``, 12 -> ``[6, 6]``.

    Parameters
    ----------
    n : int
        Number of attendees. ``0`` gives ``[]`` (no meeting).

    Raises
    ------
    ValueError
        For ``n`` of 1 or 2 (a meeting needs at least three attendees) or negative ``n``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be an integer, got {n!r}")
    n = int(n)
    if n < 0:
        raise ValueError(f"the number of attendees cannot be negative, got {n}")
    if n == 0:
        return []
    if n < MIN_GROUP_SIZE:
        raise ValueError(
            f"a meeting needs at least {MIN_GROUP_SIZE} attendees to form a group, got {n}"
        )
    count = -(-n // MAX_GROUP_SIZE)
    base, extra = divmod(n, count)
    return [base + 1] * extra + [base] * (count - extra)


# -- the model ------------------------------------------------------------------------------


@dataclass
class _Population:
    """Per-member state, stored in arrays that grow by doubling (index = member number)."""

    propensity_logit: npt.NDArray[np.float64]
    ability: npt.NDArray[np.float64]
    fluctuation: npt.NDArray[np.float64]
    recent: npt.NDArray[np.float64]
    last_seen: npt.NDArray[np.int64]
    team: npt.NDArray[np.int64]
    size: int = 0

    @classmethod
    def empty(cls, capacity: int) -> _Population:
        return cls(
            propensity_logit=np.zeros(capacity),
            ability=np.zeros(capacity),
            fluctuation=np.zeros(capacity),
            recent=np.zeros(capacity),
            last_seen=np.zeros(capacity, dtype=np.int64),
            team=np.zeros(capacity, dtype=np.int64),
        )

    def reserve(self, count: int) -> None:
        needed = self.size + count
        capacity = self.ability.size
        if needed <= capacity:
            return
        capacity = max(needed, 2 * capacity)
        for name in ("propensity_logit", "ability", "fluctuation", "recent", "last_seen", "team"):
            old = getattr(self, name)
            new = np.zeros(capacity, dtype=old.dtype)
            new[: self.size] = old[: self.size]
            setattr(self, name, new)


@dataclass
class _Trace:
    """Everything a run produced: one entry per attendee row, plus the member table."""

    meeting: npt.NDArray[np.int64]
    member: npt.NDArray[np.int64]
    group: npt.NDArray[np.int64]
    rank: npt.NDArray[np.int64]
    respect: npt.NDArray[np.int64]
    team: npt.NDArray[np.int64]
    member_count: int


def _typical_respect(schedule: RespectSchedule) -> float:
    """Geometric mean of the Respect of ranks 1..6: the 'par' a member compares with."""
    values = [math.log(schedule.respect(rank)) for rank in range(1, TOP_RANK + 1)]
    return math.exp(sum(values) / len(values))


def _group_layout(n: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Group number (1-based) and rank for ``n`` attendees already ordered within groups."""
    sizes = np.asarray(group_sizes(n), dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    groups = np.repeat(np.arange(1, sizes.size + 1, dtype=np.int64), sizes)
    position = np.arange(n, dtype=np.int64) - np.repeat(starts, sizes)
    return groups, TOP_RANK - position


def _run(
    config: SimulationConfig, seed: int | np.random.SeedSequence, progress: ProgressCallback | None
) -> _Trace:
    """Simulate ``config``; a loop over meetings, vectorized over members within each."""
    rng = np.random.default_rng(seed)
    alpha = config.propensity_mean * config.propensity_concentration
    beta = (1.0 - config.propensity_mean) * config.propensity_concentration
    team_count = len(config.team_names)
    team_weights = 1.0 / np.arange(1, team_count + 1, dtype=np.float64)
    team_cdf = np.cumsum(team_weights / team_weights.sum()) if team_count else np.zeros(0)
    total_sd = math.sqrt(1.0 + config.contribution_volatility**2)
    accuracy = config.consensus_accuracy
    noise_weight = math.sqrt(max(0.0, 1.0 - accuracy**2))
    log_typical = math.log(_typical_respect(config.respect_schedule))
    respect_by_rank = config.respect_schedule.respect_array(np.arange(TOP_RANK + 1).clip(1))
    stay_scale = 1.0 - config.departure_rate
    memory = config.respect_memory

    expected = config.founding_members + config.arrival_rate * max(config.meetings - 1, 0)
    people = _Population.empty(int(expected * 1.2) + 16)
    pending = np.zeros(0, dtype=np.int64)  # members who mean to come back
    rows: list[tuple[npt.NDArray[np.int64], ...]] = []

    for week in range(config.meetings):
        # 1. Newcomers (all of them attend this meeting).
        new_count = config.founding_members if week == 0 else int(rng.poisson(config.arrival_rate))
        people.reserve(new_count)
        new = np.arange(people.size, people.size + new_count, dtype=np.int64)
        people.size += new_count
        propensity = np.clip(rng.beta(alpha, beta, new_count), 1e-6, 1 - 1e-6)
        people.propensity_logit[new] = np.log(propensity / (1.0 - propensity))
        people.ability[new] = rng.standard_normal(new_count)
        people.fluctuation[new] = config.contribution_volatility * rng.standard_normal(new_count)
        people.recent[new] = 0.0
        people.last_seen[new] = week
        joins = rng.random(new_count) < config.team_share
        choice = np.searchsorted(team_cdf, rng.random(new_count), side="right")
        people.team[new] = np.where(joins, np.minimum(choice, team_count - 1) + 1, 0)

        # 2. Who of those who mean to return comes this week.
        comes = rng.random(pending.size) < config.weekly_attendance
        attendees = np.concatenate((pending[comes], new))
        pending = pending[~comes]
        n = attendees.size
        if n < MIN_GROUP_SIZE:  # cancelled: nobody's state changes
            pending = np.concatenate((pending, attendees))
            if progress is not None:
                progress(week + 1, config.meetings)
            continue

        # 3. Contribution drifts (AR(1) over the weeks since the member was last seen).
        gap = week - people.last_seen[attendees]
        phi = config.contribution_persistence ** gap.astype(np.float64)
        shock = np.sqrt(1.0 - phi**2) * config.contribution_volatility * rng.standard_normal(n)
        people.fluctuation[attendees] = phi * people.fluctuation[attendees] + shock
        contribution = (people.ability[attendees] + people.fluctuation[attendees]) / total_sd
        perceived = accuracy * contribution + noise_weight * rng.standard_normal(n)

        # 4. Random groups, ranked by perceived contribution (highest first).
        shuffled = rng.permutation(n)
        groups, ranks = _group_layout(n)
        order = np.lexsort((-perceived[shuffled], groups))
        members = attendees[shuffled[order]]
        respect = respect_by_rank[ranks]

        # 5. Recent Respect and the decision to return.
        people.recent[members] = (1.0 - memory) * people.recent[members] + memory * (
            np.log(respect) - log_typical
        )
        people.last_seen[members] = week
        logit = people.propensity_logit[members] + config.respect_effect * people.recent[members]
        stay = rng.random(n) < stay_scale / (1.0 + np.exp(-logit))
        pending = np.concatenate((pending, members[stay]))

        meeting = np.full(n, week + 1, dtype=np.int64)
        rows.append((meeting, members, groups, ranks, respect, people.team[members]))
        if progress is not None:
            progress(week + 1, config.meetings)

    def column(i: int) -> npt.NDArray[np.int64]:
        if not rows:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([row[i] for row in rows]).astype(np.int64, copy=False)

    return _Trace(
        meeting=column(0),
        member=column(1),
        group=column(2),
        rank=column(3),
        respect=column(4),
        team=column(5),
        member_count=people.size,
    )


def _member_labels(count: int) -> tuple[pd.api.extensions.ExtensionArray, ...]:
    """MemberIDs (``m0001`` ...) and invented names for members ``0..count-1``.

    Names cycle through every first/last name pair (unique for the first 1,600 members).
    """
    if count == 0:
        empty = pd.array([], dtype="str")
        return empty, empty
    width = max(4, len(str(count)))
    index = np.arange(count)
    ids = np.strings.add("m", np.strings.zfill((index + 1).astype(str), width))
    first = np.asarray(_FIRST_NAMES)[index % len(_FIRST_NAMES)]
    last = np.asarray(_LAST_NAMES)[(index // len(_FIRST_NAMES) + index) % len(_LAST_NAMES)]
    names = np.strings.add(np.strings.add(first, " "), last)
    return pd.array(ids, dtype="str"), pd.array(names, dtype="str")


def _to_frame(trace: _Trace, config: SimulationConfig) -> pd.DataFrame:
    """Rows of a run in the weekly CSV schema (types as a careful CSV reader would give)."""
    ids, names = _member_labels(trace.member_count)
    team_names = pd.array([pd.NA, *config.team_names], dtype="str")
    calendar = MeetingCalendar(
        start=config.first_meeting, cadence_days=config.cadence_days, skipped=()
    )
    team = trace.team
    team_id = pd.arrays.IntegerArray(team.copy(), team == 0)
    return pd.DataFrame(
        {
            "Index": np.arange(1, trace.meeting.size + 1, dtype=np.int64),
            "MemberID": ids.take(trace.member),
            "Name": names.take(trace.member),
            "MeetingID": trace.meeting,
            "Group": trace.group,
            "Rank": trace.rank,
            "TeamID": team_id,
            "TeamName": team_names.take(team),
            "MeetingDate": calendar.timestamps(trace.meeting),
        },
        columns=list(COLUMNS),
    )


def simulate(
    config: SimulationConfig | None = None,
    seed: int = DEFAULT_SEED,
    *,
    progress: ProgressCallback | None = None,
) -> pd.DataFrame:
    """Simulate a fractal and return its weekly consensus records.

    Parameters
    ----------
    config : SimulationConfig, optional
        Model parameters (default: ``PRESETS["demo"]``).
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same rows on every
        machine.
    progress : callable, optional
        ``progress(done, total)`` after each week (e.g. to drive a progress bar).

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`: ``Index`` (1..n), ``MemberID`` (``m0001`` ...), ``Name``,
        ``MeetingID``, ``Group`` (1-based within the meeting), ``Rank`` (6 down to
        ``7 - k`` in a group of ``k``), nullable ``TeamID`` and ``TeamName`` (missing for
        members without a team) and ``MeetingDate``. Sorted by meeting, group, rank
        descending.
    """
    config = PRESETS["demo"] if config is None else config
    return _to_frame(_run(config, seed, progress), config)


# -- plutocratic baseline -------------------------------------------------------------------


def plutocratic_rewards(
    meeting: npt.ArrayLike,
    member: npt.ArrayLike,
    budget: npt.ArrayLike,
    *,
    entry_stake: float = 1.0,
) -> npt.NDArray[np.float64]:
    """Rewards of the same attendance under a token-weighted (plutocratic) rule.

    In every meeting the attendees share that meeting's total reward (``budget`` summed over
    its rows, i.e. what the fractal handed out) in proportion to the reward they already
    hold plus an entry stake of ``entry_stake`` times the meeting's mean reward per
    attendee. Without the stake nobody could ever earn anything (everybody starts at 0).

    Parameters
    ----------
    meeting, member : array-like of int
        One entry per attendee row, rows sorted by meeting (members are any integer codes).
    budget : array-like of float
        The fractal Respect of each row; only its sum per meeting is used.
    entry_stake : float
        Stake of a member who holds nothing yet, in units of the meeting's mean reward
        per attendee (> 0).

    Returns
    -------
    numpy.ndarray
        The plutocratic reward of each row.
    """
    if not entry_stake > 0:
        raise ValueError(f"entry_stake must be > 0, got {entry_stake}")
    meetings = np.asarray(meeting, dtype=np.int64)
    codes, members = np.unique(np.asarray(member), return_inverse=True)
    amounts = np.asarray(budget, dtype=np.float64)
    if meetings.size > 1 and np.any(np.diff(meetings) < 0):
        raise ValueError("rows must be sorted by meeting")
    holdings = np.zeros(codes.size)
    rewards = np.zeros(meetings.size)
    bounds = np.flatnonzero(np.diff(meetings)) + 1
    for lo, hi in zip(
        np.concatenate(([0], bounds)), np.concatenate((bounds, [meetings.size])), strict=True
    ):
        who = members[lo:hi]
        total = float(amounts[lo:hi].sum())
        weight = holdings[who] + entry_stake * total / who.size
        share = total * weight / weight.sum()
        rewards[lo:hi] = share
        np.add.at(holdings, who, share)
    return rewards


def compare_with_plutocracy(
    config: SimulationConfig | None = None,
    seed: int = DEFAULT_SEED,
    *,
    entry_stake: float = 1.0,
) -> pd.DataFrame:
    """Gini of accumulated Respect after each meeting: fractal consensus vs plutocracy.

    Both use the same simulated population and attendance, and hand out the same total
    per meeting; the fractal by consensus rank, the plutocracy in proportion to Respect
    already held (see :func:`plutocratic_rewards`). The Gini after a meeting covers every
    member seen so far, as ``Dataset.df_gini_by_meeting`` does.

    Returns
    -------
    DataFrame
        Columns ``MeetingID``, ``FractalGini``, ``PlutocraticGini``.
    """
    config = PRESETS["demo"] if config is None else config
    trace = _run(config, seed, None)
    fractal = cumulative_gini_by_meeting(trace.meeting, trace.member, trace.respect)
    pluto_rewards = plutocratic_rewards(
        trace.meeting, trace.member, trace.respect, entry_stake=entry_stake
    )
    pluto = cumulative_gini_by_meeting(trace.meeting, trace.member, pluto_rewards)
    return pd.DataFrame(
        {
            "MeetingID": fractal.index.to_numpy(dtype=np.int64),
            "FractalGini": fractal.to_numpy(dtype=np.float64),
            "PlutocraticGini": pluto.to_numpy(dtype=np.float64),
        }
    )


# -- writing --------------------------------------------------------------------------------


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as CSV, byte-for-byte reproducibly and atomically.

    UTF-8 without BOM, ``\\n`` line ends, no index, missing values as empty cells, dates
    as ISO ``YYYY-MM-DD`` (date-time columns with a time of day keep it). The file is written
    to a temporary file beside ``path`` and renamed over it, so readers never see a partial
    file and a failure leaves any previous file untouched.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    target = Path(path)
    out = df.copy()
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
            column.dtype
        ):
            values = pd.DatetimeIndex(column)
            has_time = bool((values.notna() & (values != values.normalize())).any())
            out[name] = values.strftime("%Y-%m-%dT%H:%M:%S" if has_time else "%Y-%m-%d")
    text = out.to_csv(index=False, lineterminator="\n")
    data = text.encode("utf-8")
    directory = target.parent if str(target.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    return target


def write_preset(
    name: str,
    path: str | os.PathLike[str],
    *,
    seed: int = DEFAULT_SEED,
    progress: ProgressCallback | None = None,
) -> Path:
    """Simulate the preset ``name`` with ``seed`` and write it to ``path`` (see write_csv).

    ``write_preset("demo", "data/demo-weekly_rank.csv")`` regenerates the shipped demo
    dataset byte for byte. ``KeyError`` names the known presets for an unknown ``name``.
    """
    if name not in PRESETS:
        raise KeyError(f"unknown preset {name!r}; known presets: {', '.join(sorted(PRESETS))}")
    return write_csv(simulate(PRESETS[name], seed, progress=progress), path)
