"""Findings about anomalies that real records have but that do not stop the analysis.

The Genesis fractal's public records, for example, have a group of eight, groups with two
members on the same rank, and a member listed under two names. Rejecting such data would
leave nothing to analyse; silently accepting it would hide it. A :class:`QualityReport`
lists each anomaly with its meeting, group, member and a sentence, the ``Dataset`` emits
it as one :class:`DataQualityWarning`, and ``strict=True`` turns it into an error.

Checks (all vectorized; Python only builds the findings themselves):

* ``oversized_group``: a group with more than six members;
* ``duplicate_rank``: two or more members of a group with the same rank;
* ``rank_set_mismatch``: a complete group of ``n <= 6`` members without duplicates whose
  ranks are not ``7 - n, ..., 6`` (groups with empty levels, as in the first round of a
  multi-round meeting, or with levels above 6 are not checked);
* ``member_name_conflict``: one MemberID with two or more names;
* ``team_name_conflict``: one TeamID with two or more names.
* ``member_id_collision``: MemberIDs that differ only in letter case, surrounding white
  space or Unicode normalization (``"Alice"``, ``"alice "``, ``"Ame\u0301lie"`` and
  ``"Am\u00e9lie"``). **Matching rule:** members are matched by their exact MemberID;
  IDs whose keys ``casefold(NFC(NFC(id).strip()))`` agree are reported together, never
  merged (only the record's keeper knows whether they are one person);
* ``short_row``: data rows of the file with fewer fields than its header names (their
  missing cells are read as empty), with their line numbers.

The irregular rows of an ORDAO awards export (:mod:`fractal_governance.io.ordao`), one
finding per row (per mint type for unknown ones):

* ``even_split``: an award without a level (counted in the ledger, not ranked);
* ``extra_award``: an award with a title on top of the ranking, such as an introduction
  award (counted in the ledger, not ranked);
* ``burned_award``: an award burned on chain (left out of the ledger);
* ``repeated_ranking``: a second ranked award of a member in one meeting (counted);
* ``denomination_mismatch``: a denomination other than its mint type's schedule pays its
  level (the award counts as minted);
* ``unknown_mint_type``: a mint type without a known schedule (denominations unchecked).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance import columns as col
from fractal_governance._kernels import (
    EXACT_FLOAT_INT,
    combined_key,
    dense_codes,
    table_is_small,
    take_rows,
)
from fractal_governance.io.ordao import EVEN_SPLIT, EXTRA_AWARD, MINT_TYPE_SCHEDULES, OrdaoAwards
from fractal_governance.io.table import Table

__all__ = [
    "BURNED_AWARD",
    "DENOMINATION_MISMATCH",
    "DUPLICATE_RANK",
    "EVEN_SPLIT_AWARD",
    "EXTRA_AWARD_ROW",
    "MEMBER_ID_COLLISION",
    "MEMBER_NAME_CONFLICT",
    "OVERSIZED_GROUP",
    "RANK_SET_MISMATCH",
    "REPEATED_RANKING",
    "SHORT_ROW",
    "TEAM_NAME_CONFLICT",
    "UNKNOWN_MINT_TYPE",
    "DataQualityWarning",
    "Finding",
    "QualityReport",
    "check",
    "check_table",
]

OVERSIZED_GROUP = "oversized_group"
DUPLICATE_RANK = "duplicate_rank"
RANK_SET_MISMATCH = "rank_set_mismatch"
MEMBER_NAME_CONFLICT = "member_name_conflict"
TEAM_NAME_CONFLICT = "team_name_conflict"
MEMBER_ID_COLLISION = "member_id_collision"
SHORT_ROW = "short_row"
EVEN_SPLIT_AWARD = "even_split"
EXTRA_AWARD_ROW = "extra_award"
BURNED_AWARD = "burned_award"
REPEATED_RANKING = "repeated_ranking"
DENOMINATION_MISMATCH = "denomination_mismatch"
UNKNOWN_MINT_TYPE = "unknown_mint_type"

MAX_GROUP_SIZE = 6
_SHOWN_IN_SUMMARY = 5
_LEVEL_BITS = 8  # levels (at most 60) fit in 8 bits: code * 2**8 + level is one key


class DataQualityWarning(UserWarning):
    """Emitted once per loaded dataset whose records have anomalies (see ``quality_report``)."""


@dataclass(frozen=True)
class Finding:
    """One anomaly: its kind, where it is (meeting, group, member; None if not applicable),
    and a sentence describing it."""

    kind: str
    meeting_id: int | None
    group: int | None
    member_id: str | None
    message: str


@dataclass(frozen=True)
class QualityReport(Sequence[Finding]):
    """The findings about one dataset, in a stable order; empty (and falsy) for clean data."""

    findings: tuple[Finding, ...] = ()

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> QualityReport: ...

    def __getitem__(self, index: int | slice) -> Finding | QualityReport:
        if isinstance(index, slice):
            return QualityReport(self.findings[index])
        return self.findings[index]

    def __bool__(self) -> bool:
        return bool(self.findings)

    def __repr__(self) -> str:
        kinds = pd.Series([f.kind for f in self.findings], dtype=object).value_counts()
        counts = ", ".join(f"{kind}={count}" for kind, count in kinds.items())
        return f"QualityReport({len(self)} findings{': ' + counts if counts else ''})"

    def to_frame(self) -> pd.DataFrame:
        """Columns ``Kind``, ``MeetingID``, ``Group``, ``MemberID`` (nullable), ``Message``."""
        return pd.DataFrame(
            {
                "Kind": pd.Series([f.kind for f in self.findings], dtype="str"),
                col.MEETING_ID: pd.array([f.meeting_id for f in self.findings], dtype="Int64"),
                col.GROUP: pd.array([f.group for f in self.findings], dtype="Int64"),
                col.MEMBER_ID: pd.Series([f.member_id for f in self.findings], dtype="str"),
                "Message": pd.Series([f.message for f in self.findings], dtype="str"),
            }
        )

    def summary(self, source: str) -> str:
        """A short text for warnings and errors: the count and the first few findings."""
        lines = [f"{source}: {len(self)} data quality finding{'s' if len(self) != 1 else ''}:"]
        lines += [f"  - {f.message}" for f in self.findings[:_SHOWN_IN_SUMMARY]]
        if len(self) > _SHOWN_IN_SUMMARY:
            lines.append(f"  ... and {len(self) - _SHOWN_IN_SUMMARY} more")
        lines.append("See Dataset.quality_report for all of them.")
        return "\n".join(lines)


def _where(meeting: int, round_: int | None, group: int) -> str:
    text = f"Meeting {meeting}"
    if round_ is not None:
        text += f", round {round_}"
    return text + f", group {group}"


def _runs(sorted_keys: npt.NDArray[np.int64]) -> list[slice]:
    """Slices of the runs of equal consecutive keys."""
    if not len(sorted_keys):
        return []
    starts = np.flatnonzero(np.diff(sorted_keys, prepend=sorted_keys[0] - 1) != 0)
    stops = np.append(starts[1:], len(sorted_keys))
    return [slice(int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def _level_bits(
    codes: npt.NDArray[np.int64], levels: npt.NDArray[np.int64], n_groups: int
) -> npt.NDArray[np.uint64]:
    """Per group, the set of its levels (1..60) as bits."""
    width = int(levels.max(initial=0)) + 1
    if table_is_small(n_groups * width, len(codes)):
        # a (group x level) table of presence: one bincount, no scattered bitwise-or
        counts = np.bincount(levels * n_groups + codes, minlength=n_groups * width)
        return _bits_of_present(counts.reshape(width, n_groups))
    bits = np.zeros(n_groups, dtype=np.uint64)
    np.bitwise_or.at(bits, codes, np.left_shift(np.uint64(1), levels.astype(np.uint64)))
    return bits


def _bits_of_present(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    """Per column of a (level x group) count table, the set of levels >= 1 present, as bits."""
    bits = np.zeros(counts.shape[1], dtype=np.uint64)
    for level in range(1, len(counts)):  # row 0 stands for "no level"
        bits |= (counts[level] > 0).astype(np.uint64) << np.uint64(level)
    return bits


def _group_findings(frame: pd.DataFrame, level_column: str) -> list[Finding]:
    if col.GROUP not in frame.columns or not len(frame):
        return []
    group_series = frame[col.GROUP]
    has_group = group_series.notna().to_numpy()
    if not has_group.any():
        return []
    every = bool(has_group.all())
    grouped = None if every else np.flatnonzero(has_group)  # rows checked (None: all)

    def column(name: str) -> npt.NDArray[np.int64]:
        series = frame[name]
        values: npt.NDArray[np.int64] = (
            series.to_numpy()
            if series.dtype == np.int64
            else series.to_numpy(dtype=np.int64, na_value=0)
        )
        return values if grouped is None else values[grouped]

    def level_present() -> npt.NDArray[np.bool_]:
        present: npt.NDArray[np.bool_] = frame[level_column].notna().to_numpy()
        return present if grouped is None else present[grouped]

    meeting = column(col.MEETING_ID)
    group = column(col.GROUP)
    has_rounds = col.ROUND in frame.columns
    round_ = column(col.ROUND) if has_rounds else None
    level = column(level_column)  # 0 where missing

    # One code per (meeting, round, group); per group its size, how many members have a
    # level, and the set of levels as bits (levels are 1..60).
    parts = [meeting, round_, group] if round_ is not None else [meeting, group]
    top_level = int(level.max(initial=0))  # missing levels are 0 in ``level``
    bounds = [int(part.max(initial=0)) + 1 for part in parts]
    keys = float(np.prod([float(bound) for bound in bounds]))
    has_level: npt.NDArray[np.bool_] | None = None
    complete = frame[level_column].dtype == np.int64  # every row has a level
    # (the bit where the group sizes start in the sums below, above any sum of levels)
    size_bit = top_level + 1 + len(meeting).bit_length()
    if table_is_small(int(keys), len(meeting)) and (
        2 ** (size_bit + len(meeting).bit_length()) <= EXACT_FLOAT_INT
    ):
        # Groups are numbered by their key: numbers of groups that do not occur stay
        # unused (size 0, no finding). The sum of 2**level over a group is the set of its
        # levels as bits when they are distinct, and has fewer bits than levels when some
        # repeat (equal powers carry). Each row also adds 2**size_bit, so one weighted
        # count gives sizes and level sets: integers below EXACT_FLOAT_INT, exact in float64.
        codes = combined_key(parts, bounds)
        n_groups = int(keys)
        weights = np.ldexp(1.0, np.arange(top_level + 1))
        weights[0] = 0.0  # no level
        weights += 2.0**size_bit
        sums = np.bincount(codes, weights=weights[level], minlength=n_groups).astype(np.uint64)
        size = (sums >> np.uint64(size_bit)).astype(np.int64)
        bits = sums & np.uint64((1 << size_bit) - 1)
        if complete:
            level_count = size
        else:
            has_level = level_present()
            level_count = np.bincount(codes[has_level], minlength=n_groups)
    else:
        codes, _ = dense_codes(combined_key(parts, bounds))
        n_groups = int(codes.max()) + 1
        size = np.bincount(codes, minlength=n_groups)
        has_level = level_present()
        all_ranked = bool(has_level.all())
        ranked_codes = codes if all_ranked else codes[has_level]
        ranked_levels = level if all_ranked else level[has_level]
        level_count = size if all_ranked else np.bincount(ranked_codes, minlength=n_groups)
        bits = _level_bits(ranked_codes, ranked_levels, n_groups)
    has_duplicate = np.bitwise_count(bits) < level_count
    # A complete group of n <= 6 without duplicates and levels <= 6 should have exactly
    # levels 7 - n .. 6.
    expected_bits = np.array(
        [sum(1 << lv for lv in range(MAX_GROUP_SIZE + 1 - n, MAX_GROUP_SIZE + 1)) for n in
         range(MAX_GROUP_SIZE + 1)],
        dtype=np.uint64,
    )  # fmt: skip
    only_low_levels = bits < np.uint64(1 << (MAX_GROUP_SIZE + 1))
    checkable = (level_count == size) & (size <= MAX_GROUP_SIZE) & ~has_duplicate & only_low_levels
    mismatch = checkable & (bits != expected_bits[np.minimum(size, MAX_GROUP_SIZE)])
    oversized = size > MAX_GROUP_SIZE
    if not (oversized.any() or has_duplicate.any() or mismatch.any()):
        return []

    if has_level is None:
        has_level = level_present()
    rows = np.arange(len(frame)) if grouped is None else grouped
    duplicate_row = np.zeros(len(codes), dtype=np.bool_)
    if has_duplicate.any():
        suspects = has_level & has_duplicate[codes]
        pair = pd.Series(codes[suspects] * np.int64(1 << _LEVEL_BITS) + level[suspects])
        duplicate_row[np.flatnonzero(suspects)[pair.duplicated(keep=False).to_numpy()]] = True
    first_row = np.full(n_groups, len(codes), dtype=np.int64)
    np.minimum.at(first_row, codes, np.arange(len(codes), dtype=np.int64))
    first_row[size == 0] = 0  # groups that do not occur: never reported
    group_meeting = meeting[first_row]
    group_round = round_[first_row] if round_ is not None else np.ones(n_groups, dtype=np.int64)
    group_number = group[first_row]

    findings: list[tuple[int, int, Finding]] = []  # (group code, kind order, finding)

    def where(g: int) -> str:
        return _where(
            int(group_meeting[g]), int(group_round[g]) if has_rounds else None, int(group_number[g])
        )

    for g in np.flatnonzero(oversized):
        findings.append(
            (
                int(g),
                0,
                Finding(
                    OVERSIZED_GROUP,
                    int(group_meeting[g]),
                    int(group_number[g]),
                    None,
                    f"{where(int(g))} has {int(size[g])} members; consensus groups have at "
                    f"most {MAX_GROUP_SIZE}.",
                ),
            )
        )
    if duplicate_row.any():
        dup_rows = np.flatnonzero(duplicate_row)
        dup_rows = dup_rows[np.lexsort((level[dup_rows], codes[dup_rows]))]
        members = frame[col.MEMBER_ID].take(rows[dup_rows]).to_numpy()
        for part in _runs(codes[dup_rows] * np.int64(1 << _LEVEL_BITS) + level[dup_rows]):
            code = int(codes[dup_rows[part.start]])
            lv = int(level[dup_rows[part.start]])
            listed = ", ".join(repr(str(m)) for m in members[part])
            findings.append(
                (
                    code,
                    1,
                    Finding(
                        DUPLICATE_RANK,
                        int(group_meeting[code]),
                        int(group_number[code]),
                        None,
                        f"{where(code)}: rank {lv} was given to {part.stop - part.start} "
                        f"members ({listed}).",
                    ),
                )
            )
    if mismatch.any():
        ranked_rows = np.flatnonzero(has_level & mismatch[codes])
        ranked_rows = ranked_rows[np.lexsort((level[ranked_rows], codes[ranked_rows]))]
        ranks_by_group = {
            int(codes[ranked_rows[part.start]]): [int(v) for v in level[ranked_rows[part]]]
            for part in _runs(codes[ranked_rows])
        }
        for g in np.flatnonzero(mismatch):
            n = int(size[g])
            findings.append(
                (
                    int(g),
                    2,
                    Finding(
                        RANK_SET_MISMATCH,
                        int(group_meeting[g]),
                        int(group_number[g]),
                        None,
                        f"{where(int(g))} has {n} member{'s' if n != 1 else ''} with ranks "
                        f"{ranks_by_group[int(g)]}; a group of {n} should have ranks "
                        f"{MAX_GROUP_SIZE + 1 - n} to {MAX_GROUP_SIZE}.",
                    ),
                )
            )
    findings.sort(
        key=lambda item: (
            group_meeting[item[0]],
            group_round[item[0]],
            group_number[item[0]],
            item[1],
        )
    )
    return [finding for _, _, finding in findings]


def _name_conflicts(
    frame: pd.DataFrame,
    key_column: str,
    name_column: str,
    kind: str,
    key_codes: tuple[npt.NDArray[np.int64], pd.Index] | None = None,
    first_rows: npt.NDArray[np.int64] | None = None,
    name_codes: npt.NDArray[np.int64] | None = None,
) -> list[Finding]:
    """One finding per key that appears with two or more distinct names.

    ``first_rows`` (the first row of each key, when every row has a key and a name) and
    ``name_codes`` (names factorized, -1 for none) only save time.
    """
    if key_column not in frame.columns or name_column not in frame.columns:
        return []
    all_key_codes, key_uniques = (
        key_codes if key_codes is not None else pd.factorize(frame[key_column])
    )
    names = frame[name_column]
    has_name = names.notna().to_numpy() if name_codes is None else name_codes >= 0
    named = (all_key_codes >= 0) & has_name
    if not named.any():
        return []
    every = bool(named.all())
    # the rows compared (None: all of them, every row has a key and a name)
    some = None if every else np.flatnonzero(named)

    def compared() -> npt.NDArray[np.int64]:
        return np.arange(len(frame)) if some is None else some

    row_keys = all_key_codes if some is None else all_key_codes[some]
    # Compare every name with the first name of its key.
    if first_rows is None or some is not None:
        first = np.full(len(key_uniques), len(frame), dtype=np.int64)
        np.minimum.at(first, row_keys, compared())
    else:
        first = first_rows
    if name_codes is not None:
        given_codes = name_codes if some is None else name_codes[some]
        # each key's first name code, then one lookup per row in that small table
        first_code = name_codes[np.minimum(first, len(frame) - 1)]  # keys without rows: unused
        differs = given_codes != first_code[row_keys]
    else:
        # Each key's first name, then one per compared row from that small array (a take
        # of a million rows from the chunked column would first join its chunks).
        first_names = take_rows(names, np.minimum(first, len(frame) - 1)).array
        given = names.array if some is None else take_rows(names, some).array
        differs = np.asarray(given != first_names.take(row_keys), dtype=np.bool_)
    if not differs.any():
        return []
    rows = compared()
    conflicted = np.unique(row_keys[differs])
    involved = rows[np.isin(row_keys, conflicted)]
    involved_names, name_uniques = pd.factorize(names.take(involved))
    pairs = pd.DataFrame({"k": all_key_codes[involved], "n": involved_names, "row": involved})
    chosen = pairs.drop_duplicates(["k", "n"])  # first appearance of each (key, name)
    meeting = frame[col.MEETING_ID].to_numpy(dtype=np.int64)
    group = None
    if col.GROUP in frame.columns:
        group = frame[col.GROUP].to_numpy(dtype=np.float64, na_value=np.nan)
    findings = []
    label = "MemberID" if key_column == col.MEMBER_ID else "TeamID"
    chosen = chosen.sort_values(["k", "row"], kind="stable")
    chosen_keys = chosen["k"].to_numpy(dtype=np.int64)
    chosen_names = chosen["n"].to_numpy(dtype=np.int64)
    chosen_rows = chosen["row"].to_numpy(dtype=np.int64)
    for part in _runs(chosen_keys):
        key_value: Any = key_uniques[int(chosen_keys[part.start])]
        shown = [
            f"{str(name_uniques[code])!r} (from meeting {int(meeting[row])})"
            for code, row in zip(chosen_names[part], chosen_rows[part], strict=True)
        ]
        second_row = int(chosen_rows[part.start + 1])
        group_value = None
        if group is not None and not np.isnan(group[second_row]):
            group_value = int(group[second_row])
        key_text = repr(str(key_value)) if key_column == col.MEMBER_ID else str(key_value)
        findings.append(
            Finding(
                kind,
                int(meeting[second_row]),
                group_value,
                str(key_value) if key_column == col.MEMBER_ID else None,
                f"{label} {key_text} appears with {len(shown)} names: {', '.join(shown)}.",
            )
        )
    findings.sort(key=lambda f: (str(f.member_id), f.message))
    return findings


def check_table(table: Table) -> QualityReport:
    """Find the anomalies in a loaded :class:`~fractal_governance.io.Table` (see the module
    docstring), reusing the codes its loader computed."""
    report = _check(
        table.frame,
        table.level_column,
        table.members,
        member_first_rows=table.member_first_rows,
        team_name_codes=table.teams[0],
        team_ids=table.team_ids,
    )
    findings = list(report.findings)
    if table.recorded_awards is not None:
        findings += award_findings(table.recorded_awards)
    origin = table.origin
    if origin.short_rows:
        shown = ", ".join(f"{line} ({fields})" for line, fields in origin.short_rows[:5])
        more = len(origin.short_rows) - 5
        findings.append(
            Finding(
                SHORT_ROW,
                None,
                None,
                None,
                f"{len(origin.short_rows)} data row{'s' if len(origin.short_rows) > 1 else ''}"
                f" of {origin.source} have fewer fields than the header's {origin.width}; "
                f"their missing cells are read as empty: row (fields) {shown}"
                f"{f' and {more} more' if more > 0 else ''}.",
            )
        )
    return QualityReport(tuple(findings))


def identity_key(member_ids: pd.Index | pd.Series) -> pd.Series:
    """The key by which MemberIDs are compared for :data:`MEMBER_ID_COLLISION`: NFC
    normalized, stripped of surrounding white space, case folded, NFC normalized again."""
    text = pd.Series(np.asarray(member_ids, dtype=object), dtype="str")
    return text.str.normalize("NFC").str.strip().str.casefold().str.normalize("NFC")


def _identity_findings(member_ids: pd.Index) -> list[Finding]:
    """MemberIDs that collide under :func:`identity_key` (reported, not merged)."""
    if len(member_ids) < 2:
        return []
    keys = identity_key(member_ids)
    colliding = keys.duplicated(keep=False).to_numpy(dtype=np.bool_)
    if not colliding.any():
        return []
    ids = np.asarray(member_ids, dtype=object)[colliding]
    groups = pd.Series(ids).groupby(keys[colliding].to_numpy(), sort=True)
    findings = []
    for _, group in groups:
        names = sorted(str(v) for v in group)
        findings.append(
            Finding(
                MEMBER_ID_COLLISION,
                None,
                None,
                names[0],
                f"MemberIDs {', '.join(repr(n) for n in names)} differ only in letter case, "
                "surrounding spaces or Unicode normalization; they are counted as "
                f"{len(names)} different members (not merged)",
            )
        )
    return findings


def _amount(value: Any) -> str:
    number = float(value)
    return f"{int(number):,}" if number.is_integer() else f"{number:,}"


_SCANNED_ROWS = 50_000
"""Files up to this many rows are scanned again to quote the exact line of a finding."""


def _rows(awards: OrdaoAwards, positions: npt.NDArray[np.intp] | list[int]) -> str:
    """The rows of a finding: their lines in the file (a small file, scanned again), else
    their numbers among the data rows (a large file is not read a second time)."""
    if len(awards) <= _SCANNED_ROWS or awards.origin.path is None:
        return awards.origin.rows_text(np.asarray(positions, dtype=np.intp))
    shown = [f"data row {int(awards.origin.label(int(p))) + 1}" for p in positions[:5]]
    more = len(positions) - len(shown)
    return ", ".join(shown) + (f" (and {more} more)" if more > 0 else "")


def award_findings(awards: OrdaoAwards) -> list[Finding]:
    """The irregular rows of an ORDAO export (see the module docstring), by row."""
    active = ~awards.burned
    expected, checked = awards.expected_denominations()
    denomination = awards.denomination
    mismatch = active & checked & (denomination != expected) & (denomination != 0)
    kinds = [
        (active & (awards.kind == EVEN_SPLIT), EVEN_SPLIT_AWARD),
        (active & (awards.kind == EXTRA_AWARD), EXTRA_AWARD_ROW),
        (awards.burned, BURNED_AWARD),
        (active & awards.repeated, REPEATED_RANKING),
        (mismatch, DENOMINATION_MISMATCH),
    ]
    found: list[tuple[int, int, Finding]] = []
    titles = awards.frame["title"] if "title" in awards.frame.columns else None
    for order, (mask, kind) in enumerate(kinds):
        for row in np.flatnonzero(mask):
            meeting = int(awards.meeting_id[row])
            group = int(awards.group[row]) if awards.group[row] >= 0 else None
            member = str(awards.member_ids[awards.member[row]])
            shown = str(awards.names[awards.member[row]])
            where = f"Meeting {meeting}" + (f", group {group}" if group is not None else "")
            amount = _amount(denomination[row])
            level = int(awards.level[row])
            text = {
                EVEN_SPLIT_AWARD: f"{shown} holds {amount} without a level (an even split)",
                EXTRA_AWARD_ROW: f"{shown} holds an extra award of {amount} (level {level}) "
                "on top of the ranking",
                BURNED_AWARD: f"the award of {amount} to {shown} was burned; it is not counted",
                REPEATED_RANKING: f"{shown} is ranked a second time (level {level}, {amount}); "
                "both awards count",
                DENOMINATION_MISMATCH: f"{shown} holds {amount} for level {level}, but mint "
                f"type {int(awards.mint_type[row])} pays {_amount(expected[row])}; counted "
                "as minted",
            }[kind]
            if kind == EXTRA_AWARD_ROW and titles is not None and pd.notna(titles.iloc[row]):
                text += f" ({str(titles.iloc[row]).strip()!r})"
            message = f"{where}: {text} ({_rows(awards, [int(row)])})."
            found.append((int(row), order, Finding(kind, meeting, group, member, message)))
    unknown = awards.mint_type >= 0
    for known_type in MINT_TYPE_SCHEDULES:
        unknown &= awards.mint_type != known_type
    for mint_type in np.unique(awards.mint_type[unknown]):
        rows = np.flatnonzero(awards.mint_type == mint_type)
        known = ", ".join(str(t) for t in MINT_TYPE_SCHEDULES)
        message = (
            f"Mint type {int(mint_type)} has no known schedule (known: {known}); its "
            f"{len(rows)} award{'s' if len(rows) != 1 else ''} count as minted, unchecked "
            f"({_rows(awards, rows)})."
        )
        found.append(
            (int(rows[0]), len(kinds), Finding(UNKNOWN_MINT_TYPE, None, None, None, message))
        )
    found.sort(key=lambda item: (item[0], item[1]))
    return [finding for _, _, finding in found]


def check(frame: pd.DataFrame, level_column: str = col.RANK) -> QualityReport:
    """Find the anomalies in validated weekly-layout rows (see the module docstring).

    Parameters
    ----------
    frame : DataFrame
        Typed rows as produced by :mod:`fractal_governance.io` (``MemberID``,
        ``MeetingID``, ``Group``, the level column; optional ``Round``, ``Name``,
        ``TeamID``, ``TeamName``).
    level_column : str
        ``"Rank"`` or ``"Level"``.

    See Also
    --------
    check_table : the same for a loaded table, reusing the codes its loader computed.
    """
    return _check(
        frame,
        level_column,
        None,
        member_first_rows=None,
        team_name_codes=None,
        team_ids=None,
    )


def _check(
    frame: pd.DataFrame,
    level_column: str,
    member_codes: tuple[npt.NDArray[np.int64], pd.Index] | None,
    *,
    member_first_rows: npt.NDArray[np.int64] | None,
    team_name_codes: npt.NDArray[np.int64] | None,
    team_ids: npt.NDArray[np.int64] | None,
) -> QualityReport:
    """The check, given whatever codes the caller has (each saves time on large tables):
    ``member_codes`` (MemberID factorized: codes, MemberIDs), ``member_first_rows`` (with
    them: each member's first row), ``team_name_codes`` (TeamName factorized, -1 where
    missing), ``team_ids`` (TeamID as int64, -1 where missing)."""
    findings = _group_findings(frame, level_column)
    member_ids = (
        member_codes[1]
        if member_codes is not None
        else pd.Index(pd.unique(frame[col.MEMBER_ID].dropna()))
    )
    findings += _identity_findings(member_ids)
    findings += _name_conflicts(
        frame,
        col.MEMBER_ID,
        col.NAME,
        MEMBER_NAME_CONFLICT,
        member_codes,
        first_rows=member_first_rows if member_codes is not None else None,
    )
    team_codes = None
    if col.TEAM_ID in frame.columns and team_name_codes is not None:
        # TeamIDs are whole numbers >= 0 (-1 for none): small ones are their own codes
        ids = (
            team_ids
            if team_ids is not None
            else frame[col.TEAM_ID].to_numpy(dtype=np.int64, na_value=-1)
        )
        codes, distinct = dense_codes(ids, min_density=0.0)
        team_codes = (codes, pd.Index(distinct))
    findings += _name_conflicts(
        frame,
        col.TEAM_ID,
        col.TEAM_NAME,
        TEAM_NAME_CONFLICT,
        team_codes,
        name_codes=team_name_codes if team_codes is not None else None,
    )
    return QualityReport(tuple(findings))
