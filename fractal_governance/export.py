"""Exporting a dataset's ledger in the ORDAO awards layout (:mod:`fractal_governance.io.ordao`).

:func:`ordao_frames` makes the rows, :func:`write_ordao` writes them (and a names file when
members have display names of their own); ``fractal-governance export --format ordao DATA
--out FILE`` does the same from the command line. Reading the files back
(``Dataset.from_csv`` for the export alone, ``Dataset.from_directory`` for a folder with the
export and its names file) with the same profile gives the same member, meeting and Respect
tables.

What is written:

* **Data read from an ORDAO export** (Respect by
  :class:`~fractal_governance.policies.RecordedAwards`): its awards as they were, every
  column kept, burned awards left out (they are not in the ledger).
* **Any other data**: one row per award of the ledger and one row of denomination 0 per
  attendance that earned nothing (so that attendance survives the round trip).
  ``denomination`` is the Respect, ``meetingNumber`` the MeetingID (``periodNumber`` one
  less), ``groupNum`` and ``level`` those of the award's attendance; ``mintType`` is 0 or 10
  when the profile pays that mint type's schedule, else empty (denominations are then not
  checked on reading); ``reason`` names the award's origin. An award without an attendance
  (a member paid for a meeting they missed) is written as an extra award (a ``title`` and
  level 6) so that reading it back does not make it an attendance. Tokens, times and
  transactions are empty: nothing was minted.
* **recipient**: members whose MemberIDs are addresses are written in checksummed case.
  Members without addresses (Genesis-style records) are written by their **MemberID as it
  is**: the reader keeps the recipients of a file without any address as MemberIDs, so the
  round trip gives the same MemberIDs. A record that mixes addresses and other IDs cannot
  be written (DatasetError).
* **Names**: the names file (``address,name``) lists each member whose display name differs
  from their recipient text.

Not carried by the layout: teams, ``MeetingDate`` (dates come from the profile when read
back), rounds (one row per attendance: its deciding level), and origins other than level,
even split and extra award (a rolling policy's awards read back as ranked awards, or as
extra awards when not tied to an attendance; the amounts are kept).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fractal_governance import columns as col
from fractal_governance import ledger as awards_
from fractal_governance.io import MAX_LEVEL_WITHOUT_ROUNDS, DatasetError
from fractal_governance.io import ordao as layout
from fractal_governance.io.keccak import checksum_addresses
from fractal_governance.policies.recorded import RecordedAwards

if TYPE_CHECKING:
    from fractal_governance.dataset import Dataset

__all__ = ["EXTRA_AWARD_TITLE", "names_path_for", "ordao_frames", "write_ordao"]

EXTRA_AWARD_TITLE = "extra award"
"""The ``title`` of extra awards written from a ledger (a title marks them on reading)."""

_ZERO_REASON = "attended without Respect"


def names_path_for(path: str | os.PathLike[str]) -> Path:
    """Where :func:`write_ordao` puts the names file of ``path``: ``<stem>.names.csv``."""
    out = Path(path)
    return out.with_name(f"{out.stem}.names.csv")


def ordao_frames(dataset: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the awards in the ORDAO layout, the names file's rows ``address,name``; may be
    empty). See the module docstring."""
    recorded = dataset.measurements.table.recorded_awards
    if recorded is not None and isinstance(dataset.profile.policy, RecordedAwards):
        return _recorded_frames(recorded)
    return _ledger_frames(dataset)


def write_ordao(
    dataset: Dataset,
    path: str | os.PathLike[str],
    names_path: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Write ``dataset``'s ledger as an ORDAO awards export to ``path``, and its names file
    (to ``names_path``, default :func:`names_path_for` ``path``) when members have names of
    their own. Returns the files written."""
    frame, names = ordao_frames(dataset)
    out = Path(path)
    frame.to_csv(out, index=False, lineterminator="\n")
    written = [out]
    if len(names):
        target = Path(names_path) if names_path is not None else names_path_for(out)
        names.to_csv(target, index=False, lineterminator="\n")
        written.append(target)
    return written


def _names_frame(recipients: pd.Index, names: pd.Index | pd.Series) -> pd.DataFrame:
    shown = pd.Series(np.asarray(names, dtype=object), dtype="str")
    text = pd.Series(np.asarray(recipients, dtype=object), dtype="str")
    differs = (shown.notna() & (shown != text)).to_numpy(dtype=np.bool_)
    return pd.DataFrame(
        {"address": text[differs].to_numpy(), "name": shown[differs].to_numpy()},
        columns=list(layout.NAMES_COLUMNS),
    ).astype("str")


def _recorded_frames(recorded: layout.OrdaoAwards) -> tuple[pd.DataFrame, pd.DataFrame]:
    keep = np.flatnonzero(~recorded.burned)
    source = recorded.frame
    columns: dict[str, Any] = {}
    for name in layout.COLUMNS:
        if name in source.columns:
            columns[name] = source[name].take(keep).to_numpy()
        else:
            columns[name] = pd.Series(np.nan, index=range(len(keep)), dtype="str").to_numpy()
    if recorded.addresses:
        shown = pd.Index(checksum_addresses(np.asarray(recorded.member_ids, dtype=object)))
    else:
        shown = recorded.member_ids
    columns[layout.RECIPIENT] = np.asarray(shown, dtype=object)[recorded.member[keep]]
    columns[layout.MEETING_NUMBER] = recorded.meeting_id[keep]
    for name, values in columns.items():
        if getattr(values, "dtype", None) is not None and values.dtype.kind == "f":
            present = values[~np.isnan(values)]
            if (present == np.floor(present)).all():  # whole numbers with empty cells
                columns[name] = pd.array(values, dtype="Int64")
    frame = pd.DataFrame(columns, columns=list(layout.COLUMNS))
    return frame, _names_frame(shown, recorded.names)


def _mint_type(dataset: Dataset) -> int | None:
    schedule = dataset.respect_schedule
    for mint_type, paid in layout.MINT_TYPE_SCHEDULES.items():
        if schedule is not None and schedule == paid:
            return mint_type
    return None


def _ledger_frames(dataset: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    m = dataset.measurements
    ledger = dataset._core.ledger  # the core's ledger object (arrays, not the frame)
    ids = m.member_ids
    text_ids = np.asarray(ids, dtype=object)
    address = np.array([layout.is_address(str(i)) for i in text_ids], dtype=np.bool_)
    if address.any() and not address.all():
        raise DatasetError(
            f"{dataset.source}: some MemberIDs are addresses and some are not (e.g. "
            f"{text_ids[~address][0]!r}); the ORDAO layout needs one or the other"
        )
    recipients = pd.Index(checksum_addresses(text_ids) if address.any() else text_ids)
    highest = int(m.att_level.max(initial=0))
    if highest > MAX_LEVEL_WITHOUT_ROUNDS:
        raise DatasetError(
            f"{dataset.source}: levels go up to {highest} (meetings with two rounds); the "
            f"ORDAO layout holds levels 1 to {MAX_LEVEL_WITHOUT_ROUNDS}, so this record "
            "cannot be exported in it without losing levels"
        )

    kept = np.flatnonzero(ledger.origin != awards_.NONE)
    attendance = ledger.attendance_of(m)[kept]
    member = ledger.member[kept]
    meeting = ledger.meeting[kept]
    respect = ledger.respect[kept]
    origin = ledger.origin[kept].astype(np.int64)
    # attendances without any award: rows of denomination 0
    paid = np.zeros(m.attendance_count, dtype=np.bool_)
    paid[attendance[attendance >= 0]] = True
    unpaid = np.flatnonzero(~paid)
    attendance = np.concatenate([attendance, unpaid])
    member = np.concatenate([member, m.att_member[unpaid]])
    meeting = np.concatenate([meeting, m.att_order[unpaid]])
    respect = np.concatenate([respect, np.zeros(len(unpaid), dtype=respect.dtype)])
    origin = np.concatenate([origin, np.full(len(unpaid), awards_.NONE, dtype=np.int64)])

    tied = attendance >= 0
    at = np.maximum(attendance, 0)
    level = np.where(tied & m.att_has_level[at], m.att_level[at], 0)
    rows = at if m.deciding_rows is None else m.deciding_rows[at]
    group_series = m.table.frame[col.GROUP]
    groups = group_series.to_numpy(dtype=np.int64, na_value=-1)[rows]
    group = np.where(tied, groups, -1)
    extra = (origin == awards_.EXTRA_AWARD) | ((origin != awards_.NONE) & ~tied)
    level = np.where(extra & (level == 0), MAX_LEVEL_WITHOUT_ROUNDS, level)
    level = np.where(origin == awards_.EVEN_SPLIT, 0, level)
    meeting_id = m.meeting_ids_chronological[meeting]
    title = np.full(len(member), None, dtype=object)
    title[extra] = EXTRA_AWARD_TITLE
    order = np.lexsort((np.arange(len(member)), ids.to_numpy()[member], meeting_id))
    reason = np.asarray(awards_.ORIGINS, dtype=object)[origin]
    reason[origin == awards_.NONE] = _ZERO_REASON
    mint_type = _mint_type(dataset)
    n = len(order)
    empty = pd.array([pd.NA] * n, dtype="Int64")

    def nullable(values: np.ndarray, missing: np.ndarray) -> Any:
        return pd.arrays.IntegerArray(values[order], missing[order])

    frame = pd.DataFrame(
        {
            layout.RECIPIENT: np.asarray(recipients, dtype=object)[member[order]],
            layout.DENOMINATION: respect[order],
            layout.MINT_TYPE: (
                empty if mint_type is None else np.full(n, mint_type, dtype=np.int64)
            ),
            layout.PERIOD_NUMBER: meeting_id[order] - 1,
            layout.MEETING_NUMBER: meeting_id[order],
            layout.GROUP_NUM: nullable(np.maximum(group, 0), group < 0),
            layout.LEVEL: nullable(level, level == 0),
            layout.TITLE: title[order],
            layout.REASON: reason[order],
            layout.TOKEN_ID: np.full(n, None, dtype=object),
            layout.MINT_TS: empty,
            layout.MINT_TX_HASH: np.full(n, None, dtype=object),
            layout.BURN: np.full(n, None, dtype=object),
            layout.MINT_PROPOSAL_ID: empty,
        }
    )
    return frame, _names_frame(recipients, m.member_names.reindex(ids))
