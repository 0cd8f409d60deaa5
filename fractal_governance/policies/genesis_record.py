"""The complete Genesis record: the Genesis fractal's profile and the loader of its files.

:func:`genesis_profile` states the community (name, calendar, rules, unit) and
:func:`load` reads the four published files of the record (measurements, account status,
teams, late consensus; upstream matt-langston/fractal_governance at 916618a, ``data/``)
into a :class:`~fractal_governance.dataset.Dataset` counted by it. The rules themselves are
in :mod:`fractal_governance.policies.genesis`.

(This module sits beside the policies but is not exported by ``policies``: it builds on
``profiles`` and ``dataset``, which build on the policies.)
"""

from __future__ import annotations

import os
from typing import Any

from fractal_governance.dataset import Dataset
from fractal_governance.io import DatasetError, find_normalized_files
from fractal_governance.math import GENESIS
from fractal_governance.policies.base import Rule
from fractal_governance.policies.genesis import (
    LATE_CONSENSUS_FILE,
    NAME,
    UNIT,
    Addendum1Respect,
    late_consensus_rule,
    read_late_consensus,
    read_member_attributes,
    signature_rule,
)
from fractal_governance.policies.schedules import ScheduleRespect
from fractal_governance.profiles import CommunityProfile
from fractal_governance.util import GENESIS_CALENDAR

__all__ = ["genesis_profile", "load"]

PathLike = str | os.PathLike[str]


def genesis_profile(
    late_consensus_pairs: Any = (),
    *,
    addendum_1: bool = True,
    clamp_unsigned: bool = True,
    exclude_late_consensus_under_addendum: bool = True,
    **parameters: Any,
) -> CommunityProfile:
    """The Genesis fractal's profile, named ``"Genesis fractal"``.

    Its calendar (weekly from 2022-02-26, 2022-04-16 skipped); the Genesis schedule
    (2, 3, 5, 8, 13, 21, ... by level) with the signature rule from meeting 17 and the
    exclusion of ``late_consensus_pairs`` ((MemberID, MeetingID) pairs, or a DataFrame with
    those columns); and Addendum 1 from meeting 23 (:class:`Addendum1Respect`), counted in
    Respect tokens.

    Parameters
    ----------
    addendum_1 : bool
        False: the schedule with the two rules for every meeting, in Respect.
    clamp_unsigned : bool
        Under the Addendum, members without a signature on file earn nothing (True, as the
        upstream's default); False pays them like Team fractally's spreadsheet did.
    exclude_late_consensus_under_addendum : bool
        Under the Addendum, late consensus earns nothing that week (True); False pays it
        (as the upstream and the spreadsheet did).
    **parameters
        Other :class:`Addendum1Respect` parameters (``window``, ``algorithm``, ...).
    """
    signature = signature_rule()
    late = late_consensus_rule(late_consensus_pairs)
    schedule = ScheduleRespect(GENESIS).with_rules(signature, late)
    if not addendum_1:
        return CommunityProfile(NAME, schedule, GENESIS_CALENDAR, "Respect")
    rules: list[Rule] = []
    if clamp_unsigned:
        rules.append(signature)
    if exclude_late_consensus_under_addendum:
        rules.append(late)
    policy = Addendum1Respect(before=schedule, weighted_mean_rules=tuple(rules), **parameters)
    return CommunityProfile(NAME, policy, GENESIS_CALENDAR, UNIT)


def load(folder: PathLike, *, name: str | None = "genesis", **profile_options: Any) -> Dataset:
    """The complete Genesis record from a folder of its four files, counted by
    :func:`genesis_profile` (``profile_options`` are its keywords).

    The measurements, account status and teams files are recognised by their columns; the
    late-consensus file is ``genesis-late_consensus.csv``. The account status file's
    ``SignatureOnFile`` becomes a member attribute.

    Raises
    ------
    DatasetError
        When a file is missing or cannot be analysed.
    """
    files = find_normalized_files(folder)
    late_path = os.path.join(os.fspath(folder), LATE_CONSENSUS_FILE)
    if not os.path.isfile(late_path):
        raise DatasetError(f"{folder}: no late-consensus file {LATE_CONSENSUS_FILE}")
    profile = genesis_profile(read_late_consensus(late_path), **profile_options)
    return Dataset.from_files(
        files.measurements,
        files.members,
        files.teams,
        profile=profile,
        name=name,
        member_attributes=read_member_attributes(files.members),
    )
