"""The Genesis fractal's own rules: signatures, late consensus and Addendum 1.

The Genesis fractal (meetings 1-30, 2022-02-26 to 2022-09-24) counted Respect as follows:

* meetings 1-22 paid the Genesis schedule by level (2, 3, 5, 8, 13, 21);
* from meeting 17, members without a signature on file (``SignatureOnFile`` in the account
  status file) earned nothing (:class:`Eligibility`);
* the (member, meeting) pairs whose consensus was reported late earned nothing
  (:class:`Exclusions` over the late-consensus file);
* from meeting 23, Fractally White Paper Addendum 1 and "Refinement of Token Distribution
  Math" (:class:`Addendum1Respect`): each week mints Respect tokens
  (:class:`~fractal_governance.policies.token_supply.TokenCurve`); a member's share is the
  continuous Fibonacci function of their weighted rolling mean level
  (:mod:`~fractal_governance.policies.weighted_means`), paid in weeks they were absent too;
  each team earns as much as each of its members; and the Respect of meetings 1-22 is
  converted pro rata into the same tokens.

Every Respect figure of a :class:`~fractal_governance.dataset.Dataset` loaded with
:func:`fractal_governance.policies.genesis_record.genesis_profile` (or ``load``) is in
Respect tokens, including the weekly shares
of absent members, so the weekly totals add up to the total.

The upstream project (matt-langston/fractal_governance at 916618a,
``fractal_governance/addendum_1/``) states these rules in code and is the specification
followed here; :mod:`fractal_governance.addendum_1` offers its API over this module. Where
this module differs, it says so: its per-meeting tables count absent members (the
upstream's per-meeting table leaves them out), and late consensus in meetings 23 and later
earns no tokens that week (the upstream pays it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance import columns as col
from fractal_governance import ledger as awards
from fractal_governance.io import DatasetError
from fractal_governance.ledger import Ledger
from fractal_governance.math import GENESIS, respect
from fractal_governance.measurements import Measurements
from fractal_governance.policies.base import RespectPolicy, Rule
from fractal_governance.policies.rules import Eligibility, Exclusions
from fractal_governance.policies.schedules import ScheduleRespect
from fractal_governance.policies.token_supply import TokenCurve
from fractal_governance.policies.weighted_means import (
    WeightedMeanAlgorithm,
    WeightedMeanCells,
    attendance_at,
    weighted_mean_levels,
)

__all__ = [
    "ADDENDUM_1_FROM_MEETING",
    "LATE_CONSENSUS_FILE",
    "NAME",
    "SIGNATURE_REQUIRED_FROM_MEETING",
    "UNIT",
    "Addendum1Respect",
    "Addendum1Totals",
    "late_consensus_rule",
    "read_late_consensus",
    "read_member_attributes",
    "signature_rule",
]

PathLike = str | os.PathLike[str]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

NAME = "Genesis fractal"
UNIT = "Respect tokens"
"""The unit of the official tallies after Addendum 1 (the upstream calls them Respect
tokens)."""
SIGNATURE_REQUIRED_FROM_MEETING = 17
"""From this meeting (2022-06-25) members without a signature on file earn nothing."""
ADDENDUM_1_FROM_MEETING = 23
"""Addendum 1 takes effect with this meeting (2022-08-06)."""
LATE_CONSENSUS_FILE = "genesis-late_consensus.csv"


# -- the two rules and their files ---------------------------------------------------------


def signature_rule(from_meeting: int = SIGNATURE_REQUIRED_FROM_MEETING) -> Eligibility:
    """From ``from_meeting``, only members with ``SignatureOnFile`` earn."""
    return Eligibility(from_meeting, flag=col.SIGNATURE_ON_FILE)


def late_consensus_rule(pairs: object) -> Exclusions:
    """The (MemberID, MeetingID) ``pairs`` (an iterable of pairs or a DataFrame with those
    columns) earn nothing: their consensus was reported late."""
    if isinstance(pairs, pd.DataFrame):
        pairs = zip(pairs[col.MEMBER_ID], pairs[col.MEETING_ID], strict=True)
    return Exclusions(pairs, reason="reported late (no Respect)")  # type: ignore[arg-type]


def read_member_attributes(path: PathLike) -> pd.DataFrame:
    """The account status file as member attributes: indexed by ``MemberID`` (text), with
    ``SignatureOnFile`` as bool (and the file's other columns)."""
    frame = pd.read_csv(path, dtype={col.MEMBER_ID: "str"}, keep_default_na=False)
    if col.MEMBER_ID not in frame.columns:
        raise DatasetError(f"{path}: no column 'MemberID'")
    if col.SIGNATURE_ON_FILE in frame.columns:
        text = frame[col.SIGNATURE_ON_FILE].astype("str").str.strip().str.lower()
        frame[col.SIGNATURE_ON_FILE] = text.isin(["true", "1", "yes", "y", "t"])
    return frame.drop(columns=[col.INDEX], errors="ignore").set_index(col.MEMBER_ID)


def read_late_consensus(path: PathLike) -> list[tuple[str, int]]:
    """The (MemberID, MeetingID) pairs of the late-consensus file."""
    frame = pd.read_csv(path, dtype={col.MEMBER_ID: "str"})
    missing = {col.MEMBER_ID, col.MEETING_ID} - set(frame.columns)
    if missing:
        raise DatasetError(f"{path}: no column {', '.join(sorted(missing))}")
    meetings = pd.to_numeric(frame[col.MEETING_ID], errors="coerce")
    bad = meetings.isna() | (meetings != meetings.round())
    if bad.any():
        raise DatasetError(
            f"{path}: column 'MeetingID' must hold whole numbers (rows "
            f"{', '.join(str(i + 2) for i in np.flatnonzero(bad.to_numpy())[:5])})"
        )
    return list(zip(frame[col.MEMBER_ID].astype(str), meetings.astype(np.int64), strict=True))


# -- Addendum 1 ----------------------------------------------------------------------------


class Addendum1Totals(NamedTuple):
    """The conversion of the Respect before Addendum 1 into tokens."""

    individual: float
    """Respect earned by members before the Addendum (schedule units, after the rules)."""
    team: float
    """Respect earned by teams before the Addendum (their members' Respect)."""
    supply: float
    """Token supply at the end of the last week before the Addendum."""

    @property
    def total(self) -> float:
        return self.individual + self.team

    @property
    def pro_rata(self) -> float:
        """Tokens per unit of Respect earned before the Addendum."""
        return self.supply / self.total if self.total else 0.0

    @property
    def supply_individual(self) -> float:
        return self.individual / self.total * self.supply if self.total else 0.0

    @property
    def supply_team(self) -> float:
        return self.team / self.total * self.supply if self.total else 0.0


@dataclass(frozen=True)
class Addendum1Respect(RespectPolicy):
    """Fractally White Paper Addendum 1 from meeting ``from_meeting``, in Respect tokens.

    Before ``from_meeting``, ``before`` pays (the Genesis schedule, with its rules), and its
    Respect is converted into tokens pro rata: the token supply at the end of the last week
    before the Addendum over the Respect of members and teams until then.

    From ``from_meeting`` each week ``t`` (the record's ``t``-th meeting) mints
    ``tokens.minted(t)``. Each member with a weighted mean level above 0 (see
    :func:`~fractal_governance.policies.weighted_means.weighted_mean_levels`) has the
    weight ``respect(mean, bias=fibonacci_bias, include_second_term=...)``, after
    ``weighted_mean_rules`` (e.g. zero without a signature; zero for late consensus). A
    member in a team (from the first meeting they attended with one, onwards) counts twice:
    once for themselves and once for their team. The week's tokens are shared in
    proportion: each member earns ``minted * weight / total weight``, and their team as
    much again. Members earn in weeks they were absent too.

    Parameters
    ----------
    from_meeting : int
        MeetingID of the first meeting under the Addendum (23).
    before : RespectPolicy
        Pays the meetings before it (in schedule units).
    window, attendance_requirement, algorithm
        The weighted mean: window 6; a member's history resets after 12 meetings without a
        level; the algorithm (default: weighted rolling mean with hysteresis).
    fibonacci_bias, include_second_term
        The continuous Fibonacci function of the weighted mean level (``F(mean + bias)``,
        with or without Binet's second term); Team fractally used bias 0, no second term.
    clamp_zero_level : bool
        A weighted mean level of 0 earns nothing (True); False gives it
        ``respect(0 + bias)`` like any level, in every week of the Addendum, for every
        member who ever had a level.
    weighted_mean_rules : tuple of Rule
        Rules applied to the weights before the week's tokens are shared.
    tokens : TokenCurve
        The weekly token supply.
    individual_total_before, team_total_before : float or None
        Override the Respect before the Addendum (Team fractally's spreadsheet used 7022
        for members); None: counted from ``before``.
    """

    from_meeting: int = ADDENDUM_1_FROM_MEETING
    before: RespectPolicy = field(default_factory=lambda: ScheduleRespect(GENESIS))
    window: int = 6
    attendance_requirement: int = 12
    algorithm: WeightedMeanAlgorithm = WeightedMeanAlgorithm.WEIGHTED_ROLLING_MEAN_WITH_HYSTERESIS
    fibonacci_bias: float = 0.0
    include_second_term: bool = False
    clamp_zero_level: bool = True
    weighted_mean_rules: tuple[Rule, ...] = ()
    tokens: TokenCurve = field(default_factory=TokenCurve)
    individual_total_before: float | None = None
    team_total_before: float | None = None

    uses_history = True

    def __post_init__(self) -> None:
        if not isinstance(self.before, RespectPolicy):
            raise TypeError(f"before must be a RespectPolicy, got {type(self.before).__name__}")
        for name in ("window", "attendance_requirement"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
        object.__setattr__(self, "algorithm", WeightedMeanAlgorithm(self.algorithm))
        object.__setattr__(self, "weighted_mean_rules", tuple(self.weighted_mean_rules))
        for rule in self.weighted_mean_rules:
            if not isinstance(rule, Rule):
                raise TypeError(f"weighted_mean_rules must be Rules, got {type(rule).__name__}")

    def describe(self) -> str:
        rules = "".join(f"; {rule.describe()}" for rule in self.weighted_mean_rules)
        return (
            f"before meeting {self.from_meeting}: {self.before.describe()}, converted pro "
            f"rata into tokens; from meeting {self.from_meeting} (Addendum 1): weekly tokens "
            f"shared by the Fibonacci function of each member's {self.algorithm.value} of "
            f"levels (window {self.window}, history reset after "
            f"{self.attendance_requirement} meetings without a level), teams earning as much "
            f"as their members{rules}"
        )

    # -- the parts -------------------------------------------------------------------------

    def first_number(self, measurements: Measurements) -> int:
        """Chronological number of the first meeting under the Addendum (or the count)."""
        ids = measurements.meeting_ids_chronological
        under = np.flatnonzero(ids >= self.from_meeting)
        return int(under[0]) if len(under) else measurements.meeting_count

    def _before_ledger(self, measurements: Measurements, first: int) -> Ledger:
        full = self.before.ledger(measurements)
        keep = full.meeting < first
        team = full.team_of(measurements)
        return Ledger(
            member=full.member[keep],
            meeting=full.meeting[keep],
            respect=full.respect[keep].astype(np.float64),
            origin=full.origin[keep],
            attendance=full.attendance_of(measurements)[keep],
            team=team[keep],
        )

    def totals(self, measurements: Measurements) -> Addendum1Totals:
        """The Respect before the Addendum and the token supply it converts into."""
        first = self.first_number(measurements)
        return self._totals(self._before_ledger(measurements, first), first)

    def _totals(self, before: Ledger, first: int) -> Addendum1Totals:
        individual = self.individual_total_before
        if not individual:  # None (or 0, like the upstream): count it
            individual = float(before.respect.sum())
        team = self.team_total_before
        if not team:
            assert before.team is not None
            team = float(before.respect[before.team >= 0].sum())
        supply = float(self.tokens.supply(first)) if first >= 1 else 0.0
        return Addendum1Totals(float(individual), float(team), supply)

    def weighted_means(
        self, measurements: Measurements, first: int = 0
    ) -> tuple[WeightedMeanCells, FloatArray]:
        """The weighted mean levels from chronological meeting ``first`` and their Respect
        (the continuous Fibonacci function, clamped at level 0; no rules applied). With
        ``clamp_zero_level=False`` every member with a level has a cell in every meeting."""
        cells = weighted_mean_levels(
            measurements, self.window, self.attendance_requirement, self.algorithm, first
        )
        if not self.clamp_zero_level:
            cells = _every_cell(measurements, cells, first)
        weight = np.asarray(
            respect(
                cells.mean,
                bias=self.fibonacci_bias,
                include_second_term=self.include_second_term,
            ),
            dtype=np.float64,
        )
        if self.clamp_zero_level and len(cells.mean) != np.count_nonzero(cells.mean):
            weight = np.where(cells.mean == 0, 0.0, weight)  # (the cells hold means > 0)
        return cells, weight

    def teams(self, measurements: Measurements, member: IntArray, meeting: IntArray) -> IntArray:
        """Each (member, meeting)'s team: the team of the member's first attendance with a
        team, from that meeting on; -1 before it and for members without one."""
        m = measurements
        order = m.pair_order
        order = order[m.att_team[order] >= 0]
        team_member = m.att_member[order]
        firsts = np.ones(len(order), dtype=np.bool_)
        firsts[1:] = team_member[1:] != team_member[:-1]
        since = np.full(m.member_count, np.iinfo(np.int64).max, dtype=np.int64)
        code = np.full(m.member_count, -1, dtype=np.int64)
        since[team_member[firsts]] = m.att_order[order[firsts]]
        code[team_member[firsts]] = m.att_team[order[firsts]]
        return np.where(meeting >= since[member], code[member], -1).astype(np.int64, copy=False)

    def addendum_ledger(self, measurements: Measurements, first: int) -> Ledger:
        """The token awards from chronological meeting ``first`` on."""
        return self._ledger_after(Ledger.empty(np.float64), measurements, first)

    def _ledger_after(self, before: Ledger, measurements: Measurements, first: int) -> Ledger:
        """``before``'s entries followed by the token awards from chronological meeting
        ``first`` on (each array written once, the awards filtered on the way)."""
        m = measurements
        cells, weight = self.weighted_means(m, first)
        ledger = Ledger(
            member=cells.member,
            meeting=cells.meeting,
            respect=weight,
            origin=np.full(len(weight), awards.ROLLING, dtype=np.int8),
            attendance=cells.attendance,
        )
        for rule in self.weighted_mean_rules:
            ledger = rule.apply(ledger, m)
        weight = ledger.respect.astype(np.float64, copy=False)
        team = self.teams(m, cells.member, cells.meeting)
        k = m.meeting_count
        in_team = team >= 0
        total = np.bincount(cells.meeting, weights=weight, minlength=k)
        total += np.bincount(cells.meeting[in_team], weights=weight[in_team], minlength=k)
        weeks = np.arange(1, k + 1, dtype=np.float64)
        minted = self.tokens.minted(weeks)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_weight = np.where(total > 0, minted / total, 0.0)
        tokens = weight * per_weight[cells.meeting]
        paid = tokens > 0
        # absent members whose weight a rule took away get no entry (nothing to show)
        keep = paid | (cells.attendance >= 0)
        rows = None if keep.all() else np.flatnonzero(keep)
        kept = len(tokens) if rows is None else len(rows)
        origin = np.where(paid, awards.ROLLING, awards.NONE).astype(np.int8)

        def joined(head: npt.NDArray[Any], tail: npt.NDArray[Any], dtype: Any) -> npt.NDArray[Any]:
            out = np.empty(len(head) + kept, dtype=dtype)
            out[: len(head)] = head
            if rows is None:
                out[len(head) :] = tail
            else:  # mode "clip": not buffered (the rows are in range)
                np.take(tail, rows, out=out[len(head) :], mode="clip")
            return out

        return Ledger(
            member=joined(before.member, cells.member, np.int64),
            meeting=joined(before.meeting, cells.meeting, np.int64),
            respect=joined(before.respect, tokens, np.float64),
            origin=joined(before.origin, origin, np.int8),
            attendance=joined(before.attendance_of(m), cells.attendance, np.int64),
            team=joined(before.team_of(m), team, np.int64),
        )

    def ledger(self, measurements: Measurements) -> Ledger:
        first = self.first_number(measurements)
        before = self._before_ledger(measurements, first)
        totals = self._totals(before, first)
        scaled = (before.respect * totals.pro_rata).astype(np.float64)
        converted = before.with_respect(scaled, before.origin)
        if first >= measurements.meeting_count:
            return converted
        return self._ledger_after(converted, measurements, first)


def _every_cell(
    measurements: Measurements, cells: WeightedMeanCells, first: int
) -> WeightedMeanCells:
    """Cells for every member who has a level, in every meeting from ``first`` (0 where the
    sparse ``cells`` have none)."""
    m = measurements
    members = np.unique(m.att_member[m.att_has_level])
    meetings = np.arange(first, m.meeting_count, dtype=np.int64)
    member = np.repeat(members, len(meetings)).astype(np.int64)
    meeting = np.tile(meetings, len(members))
    width = np.int64(max(m.meeting_count, 1))
    keys = member * width + meeting
    mean = np.zeros(len(keys), dtype=np.float64)
    mean[np.searchsorted(keys, cells.member * width + cells.meeting)] = cells.mean
    return WeightedMeanCells(member, meeting, mean, attendance_at(m, member, meeting))
