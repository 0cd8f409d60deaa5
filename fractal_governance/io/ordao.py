"""The ORDAO awards layout: the "Export as CSV" of the ORDAO app, one row per award.

Columns ``recipient, denomination, mintType, periodNumber, meetingNumber, groupNum, level,
title, reason, tokenId, mintTs, mintTxHash, burn, mintProposalId``; a file is recognised by
``recipient``, ``denomination`` and ``meetingNumber`` (or ``periodNumber``) in its header
(:func:`is_ordao_header`). Today's Respect Game fractals (Optimism Fractal, Eden Fractal,
ZAO Fractal, ...) publish their results this way.

What a row means:

* the **member** is ``recipient``, an EVM address compared without case (``MemberID`` is
  the lower-case address) and shown in its EIP-55 checksummed case (``Name``), or the name
  an optional names file (``address,name``) gives it. A file without any address (the
  export of records whose members have no address, see
  :func:`fractal_governance.export.ordao_frame`) keeps each recipient as its ``MemberID``;
  a file with addresses rejects a recipient that is not one;
* the **meeting** is ``meetingNumber``, or ``periodNumber + 1`` where that column is absent;
  the **group** is ``groupNum``;
* a **ranked award** has a ``level`` (1-6) and no ``title``; a row without a level is an
  **even split**; a row with a ``title`` and a level is an **extra award** on top of the
  ranking (an introduction award). A row with ``burn`` set was burned on chain;
* ``denomination`` is the Respect of the award; ``mintType`` names the schedule it was
  minted by (:data:`MINT_TYPE_SCHEDULES`: 0 pays 5, 8, 13, 21, 34, 55; 10 the doubled
  10, 16, 26, 42, 68, 110), against which the quality report checks it. A row of
  denomination 0 records an attendance that earned nothing (the export writes one for
  attendances without Respect); it is not an award;
* ``mintTs`` is when the award was settled on chain, not when the meeting took place: it
  gives no meeting date.

The reader returns a :class:`~fractal_governance.io.table.Table` of the **attendances**
(one row per member per meeting: their ranked award, else their even split; the extra
awards of a meeting with no other row stand in for its attendances) with ``MemberID``,
``Name``, ``MeetingID``, ``Group`` and ``Level`` (empty for an attendance without a level),
and carries every row of the file as :class:`OrdaoAwards` (``Table.recorded_awards``),
which :class:`fractal_governance.policies.RecordedAwards` turns into the ledger.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance import _kernels as kernels
from fractal_governance import columns as col
from fractal_governance.io.checks import MAX_LEVEL_WITHOUT_ROUNDS, MAX_MEETING_ID, whole_numbers
from fractal_governance.io.errors import DatasetError, Origin, cell_problem, raise_problems
from fractal_governance.io.keccak import checksum_addresses
from fractal_governance.io.reader import InputFile, PathLike, check_counts, read_csv_frame
from fractal_governance.io.table import Table
from fractal_governance.math import DOUBLED, OPTIMISM, RespectSchedule

__all__ = [
    "COLUMNS",
    "EVEN_SPLIT",
    "EXTRA_AWARD",
    "MINT_TYPE_SCHEDULES",
    "NAMES_COLUMNS",
    "RANKED",
    "OrdaoAwards",
    "is_address",
    "is_names_header",
    "is_ordao_header",
    "read_names",
    "read_ordao_csv",
]

RECIPIENT = "recipient"
DENOMINATION = "denomination"
MINT_TYPE = "mintType"
PERIOD_NUMBER = "periodNumber"
MEETING_NUMBER = "meetingNumber"
GROUP_NUM = "groupNum"
LEVEL = "level"
TITLE = "title"
REASON = "reason"
TOKEN_ID = "tokenId"
MINT_TS = "mintTs"
MINT_TX_HASH = "mintTxHash"
BURN = "burn"
MINT_PROPOSAL_ID = "mintProposalId"

COLUMNS = (
    RECIPIENT,
    DENOMINATION,
    MINT_TYPE,
    PERIOD_NUMBER,
    MEETING_NUMBER,
    GROUP_NUM,
    LEVEL,
    TITLE,
    REASON,
    TOKEN_ID,
    MINT_TS,
    MINT_TX_HASH,
    BURN,
    MINT_PROPOSAL_ID,
)
"""The columns of the ORDAO app's export, in its order."""

NAMES_COLUMNS = ("address", "name")
"""The header of a names file: display names by address (or by member ID)."""

MINT_TYPE_SCHEDULES: dict[int, RespectSchedule] = {0: OPTIMISM, 10: DOUBLED}
"""The schedule by level each ORDAO mint type pays (0: 5, 8, 13, ...; 10: doubled)."""

RANKED = 1
"""Kind of a ranked award (a level, no title); the ledger's ``LEVEL`` origin code."""
EVEN_SPLIT = 3
"""Kind of an award without a level; the ledger's ``EVEN_SPLIT`` origin code."""
EXTRA_AWARD = 4
"""Kind of an award with a title on top of the ranking; the ledger's ``EXTRA_AWARD`` code."""

_ADDRESS = re.compile(r"^0[xX][0-9a-fA-F]{40}$")
_FALSE_TEXT = frozenset({"0", "false", "no"})


def is_address(text: str) -> bool:
    """Whether ``text`` is an EVM address: ``0x`` and 40 hexadecimal digits (any case)."""
    return bool(_ADDRESS.match(text))


def is_ordao_header(names: Sequence[str]) -> bool:
    """Whether a header is the ORDAO awards layout's."""
    has = set(names).__contains__
    return has(RECIPIENT) and has(DENOMINATION) and (has(MEETING_NUMBER) or has(PERIOD_NUMBER))


def is_names_header(names: Sequence[str]) -> bool:
    """Whether a header is a names file's (``address,name``)."""
    return set(NAMES_COLUMNS) <= set(names) and RECIPIENT not in names


@dataclass(frozen=True, eq=False)
class OrdaoAwards:
    """Every row of an ORDAO export as parallel arrays (immutable by convention).

    Attributes
    ----------
    origin : Origin
        Names the file's rows in messages (position ``i`` is array entry ``i``).
    member_ids : Index
        The members' IDs, ascending: lower-case addresses (or the recipients as they are,
        in a file without addresses).
    names : Index
        Display name of each member of ``member_ids``: the names file's, else the
        checksummed address.
    addresses : bool
        Whether the recipients are addresses.
    member, meeting_id, group, level, mint_type : int64 arrays
        Per row: member code (into ``member_ids``), meeting, group (-1 when empty), level
        (0 when empty), mint type (-1 when empty).
    denomination : int64 or float64 array
        Per row: the Respect awarded.
    kind : int8 array
        :data:`RANKED`, :data:`EVEN_SPLIT` or :data:`EXTRA_AWARD`.
    burned : bool array
        Whether the award was burned (``burn`` set): not in the ledger.
    attendance : int64 array
        Per row: the table row (attendance) of its member in its meeting, -1 for none.
    repeated : bool array
        Ranked awards of a member already ranked in that meeting (paid, reported).
    frame : DataFrame
        The file's columns as read (for the export of the same awards).
    """

    origin: Origin
    member_ids: pd.Index
    names: pd.Index
    addresses: bool
    member: npt.NDArray[np.int64]
    meeting_id: npt.NDArray[np.int64]
    group: npt.NDArray[np.int64]
    level: npt.NDArray[np.int64]
    mint_type: npt.NDArray[np.int64]
    denomination: npt.NDArray[np.int64] | npt.NDArray[np.float64]
    kind: npt.NDArray[np.int8]
    burned: npt.NDArray[np.bool_]
    attendance: npt.NDArray[np.int64]
    repeated: npt.NDArray[np.bool_]
    frame: pd.DataFrame

    def __len__(self) -> int:
        return len(self.member)

    @property
    def source(self) -> str:
        return self.origin.source

    @cached_property
    def active_member_ids(self) -> pd.Index:
        """The members with an award that was not burned, ascending."""
        held = np.bincount(self.member[~self.burned], minlength=len(self.member_ids)) > 0
        return self.member_ids[held] if not held.all() else self.member_ids

    @cached_property
    def schedule(self) -> RespectSchedule | None:
        """The schedule of the mint type most rows were minted by (known types only)."""
        counts = {t: int(np.count_nonzero(self.mint_type == t)) for t in MINT_TYPE_SCHEDULES}
        most = max(counts, key=lambda t: counts[t])
        return MINT_TYPE_SCHEDULES[most] if counts[most] else None

    def expected_denominations(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Per row, the Respect its mint type's schedule pays its level, and whether there is
        one (a known mint type and a level)."""
        expected = np.zeros(len(self), dtype=np.int64)
        checked = np.zeros(len(self), dtype=np.bool_)
        for mint_type, schedule in MINT_TYPE_SCHEDULES.items():
            rows = np.flatnonzero((self.mint_type == mint_type) & (self.level > 0))
            if len(rows):
                expected[rows] = schedule.respect_array(self.level[rows])
                checked[rows] = True
        return expected, checked


# -- reading ----------------------------------------------------------------------------------


def read_names(path: PathLike) -> pd.Series:
    """A names file (``address,name``): display names indexed by lower-case address (or by
    member ID for members without an address). DatasetError for malformed addresses,
    empty names or an address named twice."""
    frame, origin = read_csv_frame(path, NAMES_COLUMNS)
    source = origin.source
    missing = [name for name in NAMES_COLUMNS if name not in frame.columns]
    if missing:
        raise DatasetError(
            f"{source}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)} for a names file (address,name)"
        )
    problems: list[str] = []
    keys = frame["address"].astype("str").str.strip()
    names = frame["name"].astype("str").str.strip()
    for column, values in (("address", keys), ("name", names)):
        empty = (values.isna() | (values.str.len() == 0)).to_numpy(dtype=np.bool_)
        if empty.any():
            problems.append(
                cell_problem(origin, column, np.flatnonzero(empty), frame[column], "is empty")
            )
    raise_problems(problems)
    looks = keys.str.startswith(("0x", "0X")).to_numpy(dtype=np.bool_)
    valid = keys.str.match(_ADDRESS.pattern).to_numpy(dtype=np.bool_)
    bad = looks & ~valid
    if bad.any():
        raise DatasetError(
            cell_problem(
                origin,
                "address",
                np.flatnonzero(bad),
                frame["address"],
                "must be an address (0x and 40 hexadecimal digits)",
            )
        )
    keys = keys.where(~valid, keys.str.lower())
    pairs = pd.DataFrame({"k": keys, "n": names}).drop_duplicates()
    twice = pairs["k"].duplicated(keep=False).to_numpy()
    if twice.any():
        rows = np.flatnonzero(keys.isin(pairs["k"][twice]).to_numpy())
        raise DatasetError(
            cell_problem(origin, "address", rows, frame["address"], "is given two names")
        )
    return pd.Series(pairs["n"].to_numpy(), index=pd.Index(pairs["k"], dtype="str"), dtype="str")


def read_ordao_csv(
    path: PathLike | InputFile,
    names: PathLike | pd.Series | None = None,
    compression: str | None = None,
) -> Table:
    """Read and validate an ORDAO awards export; ``names``: a names file (or its Series
    from :func:`read_names`) giving display names; ``compression``: see
    :func:`~fractal_governance.io.reader.open_input`."""
    frame, origin = read_csv_frame(path, (RECIPIENT,), compression=compression)
    given = read_names(names) if names is not None and not isinstance(names, pd.Series) else names
    return check_ordao(frame, origin, given)


def _text_flags(series: pd.Series) -> npt.NDArray[np.bool_]:
    """Per row, whether a cell holds something (text: not blank; numbers: not 0)."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return ~np.isnan(values) & (values != 0)
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=np.bool_, na_value=False)
    text = series.astype("str").str.strip()
    held = text.notna() & (text.str.len() > 0) & ~text.str.lower().isin(_FALSE_TEXT)
    return held.to_numpy(dtype=np.bool_)


def _present(series: pd.Series) -> npt.NDArray[np.bool_]:
    """Per row, whether a text cell is neither empty nor blank."""
    if series.dtype.kind == "f":
        return ~np.isnan(series.to_numpy())
    text = series.astype("str")
    return (text.notna() & (text.str.strip().str.len() > 0)).to_numpy(dtype=np.bool_)


def _denominations(
    frame: pd.DataFrame, origin: Origin, problems: list[str]
) -> npt.NDArray[np.int64] | npt.NDArray[np.float64]:
    """``denomination``: numbers >= 0 (int64 when all are whole)."""
    series = frame[DENOMINATION]
    if series.dtype.kind in "iu" and (not len(series) or series.to_numpy().min() >= 0):
        values: npt.NDArray[Any] = series.to_numpy().astype(np.int64, copy=False)
        return values
    if series.dtype.kind == "f":
        floats = series.to_numpy()
    else:
        floats = pd.to_numeric(series.astype("str").str.strip(), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
    bad = ~np.isfinite(floats) | (floats < 0)
    if bad.any():
        problems.append(
            cell_problem(
                origin,
                DENOMINATION,
                np.flatnonzero(bad),
                series,
                "must be a number of Respect (0 or more)",
            )
        )
        return np.zeros(len(floats), dtype=np.int64)
    if (floats == np.floor(floats)).all() and (floats < kernels.EXACT_FLOAT_INT).all():
        return floats.astype(np.int64)
    return floats


def _recipients(
    frame: pd.DataFrame, origin: Origin, names: pd.Series | None
) -> tuple[npt.NDArray[np.int64], pd.Index, pd.Index, bool]:
    """(member code per row, member IDs ascending, display names, whether addresses)."""
    series = frame[RECIPIENT]
    codes, uniques = pd.factorize(series)
    check_counts("members", len(uniques), origin.size, origin.source)
    text = pd.Index(uniques, dtype="str").str.strip()
    blank = np.asarray(text.str.len() == 0, dtype=np.bool_)
    empty = codes < 0
    if blank.any():
        empty |= blank[np.maximum(codes, 0)] & (codes >= 0)
    if empty.any():
        raise DatasetError(
            cell_problem(origin, RECIPIENT, np.flatnonzero(empty), series, "must not be empty")
        )
    valid = np.asarray(text.str.match(_ADDRESS.pattern), dtype=np.bool_)
    addresses = bool(valid.any() or text.str.startswith(("0x", "0X")).any())
    if addresses and not valid.all():
        bad = np.flatnonzero(~valid[codes])
        raise DatasetError(
            cell_problem(
                origin,
                RECIPIENT,
                bad,
                series,
                "must be an address (0x and 40 hexadecimal digits)",
            )
        )
    keys = text.str.lower() if addresses else text
    member_ids, inverse = np.unique(np.asarray(keys, dtype=object), return_inverse=True)
    member_index = pd.Index(member_ids, dtype="str", name=col.MEMBER_ID)
    row_codes = inverse.astype(np.int64)[codes]
    shown = pd.Index(checksum_addresses(member_ids), dtype="str") if addresses else member_index
    if names is not None and len(names):
        given = names.reindex(member_index)
        shown = pd.Index(given.fillna(pd.Series(shown, index=member_index)), dtype="str")
    return row_codes, member_index, shown.rename(col.NAME), addresses


def _meetings(frame: pd.DataFrame, origin: Origin, problems: list[str]) -> npt.NDArray[np.int64]:
    """The meeting of each row: ``meetingNumber``, else ``periodNumber + 1``."""
    if MEETING_NUMBER in frame.columns:
        meeting, _ = whole_numbers(
            frame,
            MEETING_NUMBER,
            origin,
            problems,
            minimum=1,
            maximum=MAX_MEETING_ID,
            requirement=f"must be a meeting number (a whole number from 1 to {MAX_MEETING_ID:,})",
        )
        return meeting
    period, _ = whole_numbers(
        frame,
        PERIOD_NUMBER,
        origin,
        problems,
        minimum=0,
        maximum=MAX_MEETING_ID - 1,
        requirement="must be a period number (a whole number from 0; the meeting is one more)",
    )
    return period + 1


def _first_of_keys(rows: npt.NDArray[np.intp], key: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Of ``rows``, those that are the first with their key."""
    if not len(rows):
        return np.zeros(0, dtype=np.bool_)
    return ~pd.Index(key[rows]).duplicated(keep="first")


def check_ordao(frame: pd.DataFrame, origin: Origin, names: pd.Series | None = None) -> Table:
    """Type and validate the rows of an ORDAO export (see the module docstring)."""
    source = origin.source
    header = [str(name) for name in frame.columns]
    missing = [name for name in (RECIPIENT, DENOMINATION, LEVEL) if name not in header]
    if not (MEETING_NUMBER in header or PERIOD_NUMBER in header):
        missing.append(MEETING_NUMBER)
    if missing:
        raise DatasetError(
            f"{source}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)} for ORDAO awards; the header has "
            f"{', '.join(repr(n) for n in header) or 'no columns'}"
        )
    if not len(frame):
        raise DatasetError(f"{source}: has a header but no data rows")
    problems: list[str] = []
    member, member_ids, shown, addresses = _recipients(frame, origin, names)
    denomination = _denominations(frame, origin, problems)
    meeting = _meetings(frame, origin, problems)
    level, level_missing = whole_numbers(
        frame,
        LEVEL,
        origin,
        problems,
        minimum=1,
        maximum=MAX_LEVEL_WITHOUT_ROUNDS,
        allow_missing=True,
        requirement="must be a level from 1 to 6, or empty (an award without a level)",
    )
    n = len(frame)
    group = np.full(n, -1, dtype=np.int64)
    if GROUP_NUM in header:
        values, group_missing = whole_numbers(
            frame,
            GROUP_NUM,
            origin,
            problems,
            minimum=0,
            allow_missing=True,
            requirement="must be a group number (a whole number) or empty",
        )
        group = np.where(group_missing, -1, values)
    mint_type = np.full(n, -1, dtype=np.int64)
    if MINT_TYPE in header:
        values, mint_missing = whole_numbers(
            frame,
            MINT_TYPE,
            origin,
            problems,
            minimum=0,
            allow_missing=True,
            requirement="must be a mint type (a whole number) or empty",
        )
        mint_type = np.where(mint_missing, -1, values)
    raise_problems(problems)

    titled = _present(frame[TITLE]) if TITLE in header else np.zeros(n, dtype=np.bool_)
    burned = _text_flags(frame[BURN]) if BURN in header else np.zeros(n, dtype=np.bool_)
    has_level = ~level_missing
    kind = np.where(has_level, np.where(titled, EXTRA_AWARD, RANKED), EVEN_SPLIT).astype(np.int8)

    # Attendances: one row per member per meeting, their ranked award first, else their
    # award without a level; a meeting with extra awards only has those stand in.
    meeting_codes, meeting_ids = kernels.dense_codes(meeting)
    key = member * np.int64(max(len(meeting_ids), 1)) + meeting_codes
    active = ~burned
    ranked_rows = np.flatnonzero(active & (kind == RANKED))
    first = _first_of_keys(ranked_rows, key)
    repeated = np.zeros(n, dtype=np.bool_)
    repeated[ranked_rows[~first]] = True
    attending = ranked_rows if first.all() else ranked_rows[first]
    others = np.flatnonzero(active & (kind != RANKED))
    if len(others):
        size = len(member_ids) * max(len(meeting_ids), 1)
        if kernels.table_is_small(size, n):  # a mark per (member, meeting): no sort
            marked = np.zeros(size, dtype=np.bool_)
            marked[key[attending]] = True
            taken = marked[key[others]]
        else:
            taken = np.isin(key[others], key[attending])
        split = others[~taken & (kind[others] == EVEN_SPLIT)]
        split = split[_first_of_keys(split, key)]
        attending = np.concatenate([attending, split])
        held = np.bincount(meeting_codes[attending], minlength=len(meeting_ids)) > 0
        extra = others[~held[meeting_codes[others]]]
        extra = extra[_first_of_keys(extra, key)]
        attending = np.sort(np.concatenate([attending, extra]))
    attendance = np.full(n, -1, dtype=np.int64)
    attendance[attending] = np.arange(len(attending), dtype=np.int64)
    if len(attending) < int(active.sum()):
        rest = np.flatnonzero(active & (attendance < 0))
        found = pd.Index(key[attending]).get_indexer(key[rest])
        attendance[rest] = found

    awards = OrdaoAwards(
        origin=origin,
        member_ids=member_ids,
        names=shown,
        addresses=addresses,
        member=member,
        meeting_id=meeting,
        group=group,
        level=level,
        mint_type=mint_type,
        denomination=denomination,
        kind=kind,
        burned=burned,
        attendance=attendance,
        repeated=repeated,
        frame=frame,
    )
    return _attendance_table(awards, attending, level_missing)


def _attendance_table(
    awards: OrdaoAwards, rows: npt.NDArray[np.intp], level_missing: npt.NDArray[np.bool_]
) -> Table:
    """The table of attendances (``rows`` of the file)."""
    if not len(rows):
        raise DatasetError(f"{awards.source}: every award was burned; nothing to analyse")
    member = awards.member[rows]
    used = np.bincount(member, minlength=len(awards.member_ids)) > 0
    member_ids, names = awards.member_ids, awards.names
    if not used.all():
        renumber = np.cumsum(used, dtype=np.int64) - 1
        member = renumber[member]
        member_ids, names = member_ids[used], names[used]
    ids_array = pd.array(np.asarray(member_ids, dtype=object), dtype="str")
    names_array = pd.array(np.asarray(names, dtype=object), dtype="str")
    group = awards.group[rows]
    group_column: Any = group
    if (group < 0).any():
        group_column = pd.arrays.IntegerArray(np.maximum(group, 0), group < 0)
    missing = level_missing[rows]
    level_column: Any = awards.level[rows]
    if missing.any():
        level_column = pd.arrays.IntegerArray(awards.level[rows], missing.copy())
    meeting = awards.meeting_id[rows]
    frame = pd.DataFrame(
        {
            col.MEMBER_ID: ids_array.take(member),
            col.NAME: names_array.take(member),
            col.MEETING_ID: meeting,
            col.GROUP: group_column,
            col.LEVEL: level_column,
        },
        copy=False,
    )
    return Table(
        frame,
        awards.origin.take(rows),
        col.LEVEL,
        members=(member, member_ids.rename(col.MEMBER_ID)),
        meetings=kernels.dense_codes(meeting),
        recorded_awards=awards,
    )
