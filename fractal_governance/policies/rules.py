"""Rules that take Respect away: eligibility windows and excluded (member, meeting) pairs.

The Genesis fractal paid nothing, from meeting 17 on, to members without a signature on
file, nor for consensus reported late: ``Eligibility(17, flag="SignatureOnFile")`` and
``Exclusions(pairs)`` state those rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fractal_governance.io import DatasetError
from fractal_governance.ledger import Ledger
from fractal_governance.measurements import Measurements
from fractal_governance.policies.base import Rule, zeroed

__all__ = ["Eligibility", "Exclusions"]


def _truthy(values: pd.Series) -> np.ndarray:
    """True for True, 1, "true", "yes", "y" (any case); False for the rest and missing."""
    if values.dtype == bool:
        return values.to_numpy(dtype=bool)
    text = values.astype("str").str.strip().str.lower()
    return text.isin(["true", "1", "yes", "y", "t"]).to_numpy(dtype=bool)


@dataclass(frozen=True)
class Eligibility(Rule):
    """From meeting ``from_meeting`` (a MeetingID) on, only eligible members earn.

    A member is eligible when their ``flag`` attribute (a column of the measurements'
    member attributes, such as ``SignatureOnFile``) is true, or when their MemberID is in
    ``members``. Give a flag, members, or both.
    """

    from_meeting: int
    flag: str | None = None
    members: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.flag is None and not self.members:
            raise ValueError("Eligibility needs a flag, members, or both")
        object.__setattr__(self, "members", frozenset(str(m) for m in self.members))

    def describe(self) -> str:
        who = f"members with {self.flag}" if self.flag else "listed members"
        return f"from meeting {self.from_meeting}, only {who} earn"

    def eligible(self, measurements: Measurements) -> np.ndarray:
        """Per member code: whether the member may earn."""
        ids = measurements.member_ids
        ok = np.zeros(len(ids), dtype=bool)
        if self.members:
            ok |= ids.isin(list(self.members))
        if self.flag is not None:
            attributes = measurements.member_attributes
            if self.flag not in attributes.columns:
                raise DatasetError(
                    f"{measurements.table.source}: the rule '{self.describe()}' needs the "
                    f"member attribute {self.flag!r}, which this record does not have"
                )
            flags = pd.Series(_truthy(attributes[self.flag]), index=attributes.index.astype(str))
            ok |= flags.reindex(ids, fill_value=False).to_numpy(dtype=bool)
        return ok

    def apply(self, ledger: Ledger, measurements: Measurements) -> Ledger:
        first = np.searchsorted(np.sort(measurements.meeting_ids_chronological), self.from_meeting)
        if first >= measurements.meeting_count:
            return ledger
        meeting_id = measurements.meeting_ids_chronological[ledger.meeting]
        taken = (meeting_id >= self.from_meeting) & ~self.eligible(measurements)[ledger.member]
        return zeroed(ledger, taken)


@dataclass(frozen=True)
class Exclusions(Rule):
    """The (MemberID, MeetingID) pairs in ``pairs`` earn nothing (e.g. late consensus)."""

    pairs: frozenset[tuple[str, int]]
    reason: str = "excluded"

    def __init__(self, pairs: Iterable[tuple[str, int]], reason: str = "excluded") -> None:
        object.__setattr__(self, "pairs", frozenset((str(m), int(t)) for m, t in pairs))
        object.__setattr__(self, "reason", reason)

    def describe(self) -> str:
        return f"{len(self.pairs)} member-meeting pairs {self.reason}"

    def apply(self, ledger: Ledger, measurements: Measurements) -> Ledger:
        if not self.pairs:
            return ledger
        member_ids, meeting_ids = zip(*self.pairs, strict=True)
        member = measurements.member_ids.get_indexer(pd.Index(member_ids, dtype="str"))
        meeting = measurements.meeting_number_of_id.reindex(list(meeting_ids)).to_numpy()
        known = (member >= 0) & ~np.isnan(meeting)
        width = np.int64(max(measurements.meeting_count, 1))
        excluded = member[known].astype(np.int64) * width + meeting[known].astype(np.int64)
        taken = np.isin(ledger.member * width + ledger.meeting, excluded)
        return zeroed(ledger, taken)
