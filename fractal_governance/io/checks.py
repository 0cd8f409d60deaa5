"""Typing and checking the columns of consecutive-round records (the weekly layout).

Every check reports the rows, column and values it rejects through
:func:`~fractal_governance.io.errors.cell_problem`; all problems found in a table are raised
together as one :class:`~fractal_governance.io.errors.DatasetError`. Only the check that
finds a problem raises: an unexpected error elsewhere is a bug and propagates as it is.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance import _kernels as kernels
from fractal_governance import columns as col
from fractal_governance import parallel
from fractal_governance.io.errors import DatasetError, Origin, cell_problem, raise_problems
from fractal_governance.io.reader import check_counts
from fractal_governance.io.table import Table, member_runs

__all__ = [
    "MAX_LEVEL",
    "MAX_LEVEL_WITHOUT_ROUNDS",
    "MAX_MEETING_ID",
    "MAX_YEAR",
    "MIN_YEAR",
    "check_unique",
    "check_weekly",
    "require_columns",
    "text_column",
    "whole_numbers",
]

MAX_LEVEL_WITHOUT_ROUNDS = 6
"""Highest level a single-round meeting can award (groups have at most six members)."""

MAX_LEVEL = 60
"""Highest level accepted with rounds; keeps every schedule's Respect within int64 sums."""

MAX_MEETING_ID = 1_000_000
"""Highest meeting ID accepted (about 19,000 years of weekly meetings)."""

MIN_YEAR = 1900
MAX_YEAR = 2200
"""Years of the ``MeetingDate`` values accepted."""

_ISO_DATE = (
    r"\s*\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?\s*"
)
"""An ISO calendar date, optionally with a time: ``2022-02-26``, ``2022-02-26T10:00``."""

IntArray = npt.NDArray[np.int64]


def text_column(
    series: pd.Series, *, may_be_empty: bool = True, check_blank: bool = True
) -> pd.Series:
    """Strings (str dtype), missing as NaN; empty and whitespace-only strings count as missing.

    ``may_be_empty=False`` skips looking for ``""`` (the CSV reader already made it NaN);
    ``check_blank=False`` only converts the type.
    """
    if series.dtype != "str":
        if series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype):
            # NaN, None, pd.NA and NaT of any type are missing, never the text "nan"
            series = series.astype(object).map(_text_or_none)
        series = series.astype("str")
    if not check_blank:
        return series
    space = series.str.isspace()
    empty = (series.str.len() == 0) if may_be_empty else None
    if bool(space.any()) or (empty is not None and bool(empty.any())):
        blank = space.to_numpy(dtype=np.bool_, na_value=False)
        if empty is not None:
            blank = blank | empty.to_numpy(dtype=np.bool_, na_value=False)
        series = series.mask(blank)
    return series


def _text_or_none(value: Any) -> str | None:
    """A cell as text, or None when it is missing (NaN, None, pd.NA, NaT)."""
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return None
    if isinstance(value, np.datetime64) and np.isnat(value):
        return None
    return str(value)


def _team_names(series: pd.Series) -> tuple[pd.Series, tuple[npt.NDArray[np.int64], pd.Index]]:
    """TeamName as text with blank names missing, and its sorted factorization."""
    text = text_column(series, check_blank=False)
    codes, uniques = kernels.factorize_sorted(text)
    blank = np.asarray(
        uniques.str.isspace() | (uniques.str.len() == 0), dtype=np.bool_
    )  # as text_column would find them
    if blank.any():
        rows = np.zeros(len(codes), dtype=np.bool_)
        named = codes >= 0
        rows[named] = blank[codes[named]]
        text = text.mask(rows)
        renumber = np.cumsum(~blank, dtype=np.int64) - 1
        codes = np.where(named & ~rows, renumber[np.where(named, codes, 0)], -1)
        uniques = uniques[~blank]
    return text, (codes.astype(np.int64, copy=False), uniques)


def _numbers(
    series: pd.Series,
) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(values, missing, unreadable) for a column that should hold numbers.

    Values are int64 when the column is an integer column, else float64 (NaN where missing
    or unreadable).
    """
    n = len(series)
    no = np.zeros(n, dtype=np.bool_)
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        values = series.to_numpy()
        if dtype.kind == "u" and n and values.max() > kernels.INT64_MAX:
            big = values > kernels.INT64_MAX
            return np.where(big, 0, values).astype(np.int64), no, big
        return values.astype(np.int64, copy=False), no, no
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy()
        return values, np.isnan(values), no
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_complex_dtype(dtype):
        # True is not 1, and 6+5j is not 6: only real numbers are read
        missing = series.isna().to_numpy()
        return np.full(n, np.nan), missing, ~missing
    if pd.api.types.is_numeric_dtype(dtype):  # nullable Int64 / Float64
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return values, np.isnan(values), no
    if pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        missing = series.isna().to_numpy()
        return np.full(n, np.nan), missing, ~missing
    text = text_column(series)
    missing = text.isna().to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_numeric(text.str.strip(), errors="coerce")
    values = np.asarray(parsed.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    return values, missing, np.isnan(values) & ~missing


def whole_numbers(
    frame: pd.DataFrame,
    column: str,
    origin: Origin,
    problems: list[str],
    *,
    minimum: int,
    maximum: int | None = None,
    allow_missing: bool = False,
    requirement: str,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Check a column of whole numbers; returns (int64 values, 0 where missing; missing)."""
    series = frame[column]
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "i" and len(series):
        values = series.to_numpy()
        if values.min() >= minimum and (maximum is None or values.max() <= maximum):
            return values.astype(np.int64, copy=False), np.zeros(len(values), dtype=np.bool_)
    if isinstance(dtype, np.dtype) and dtype.kind == "f" and len(series):
        # Happy path of a float column (integers with empty cells): whole numbers within
        # range; anything else takes the general path below, which names the rows.
        values = series.to_numpy()
        missing = np.isnan(values)
        if allow_missing or not missing.any():
            top = (
                kernels.EXACT_FLOAT_INT - 1
                if maximum is None
                else min(maximum, kernels.EXACT_FLOAT_INT - 1)
            )
            low, high = np.fmin.reduce(values), np.fmax.reduce(values)
            if np.isnan(low) or (low >= minimum and high <= top):
                # empty cells become 0: fmax picks the number over NaN, and leaves values
                # >= minimum >= 0 as they are (faster than np.where)
                filled = np.fmax(values, 0.0) if minimum >= 0 else np.where(missing, 0.0, values)
                ints = filled.astype(np.int64)
                if np.array_equal(ints, filled):
                    return ints, missing
    values, missing, unreadable = _numbers(series)
    if values.dtype.kind == "f":
        # A value is a whole number exactly when it survives the round trip through int64
        # (NaN, infinities, fractions and out-of-range values do not); clipping keeps the
        # cast defined.
        clipped = np.clip(values, -kernels.EXACT_FLOAT_INT, kernels.EXACT_FLOAT_INT)
        with np.errstate(invalid="ignore"):
            ints = clipped.astype(np.int64)
        bad = ~missing & ((ints != values) | (np.abs(ints) >= kernels.EXACT_FLOAT_INT))
        bad |= unreadable
        ints[missing | bad] = 0
    else:
        ints = values
        bad = unreadable.copy()
    out_of_range = ints < minimum
    if maximum is not None:
        out_of_range |= ints > maximum
    bad |= out_of_range & ~missing
    if not allow_missing:
        bad |= missing
    if bad.any():
        problems.append(cell_problem(origin, column, np.flatnonzero(bad), series, requirement))
    return np.where(bad | missing, 0, ints).astype(np.int64, copy=False), missing & ~bad


def _int_column(values: npt.NDArray[np.int64], missing: npt.NDArray[np.bool_]) -> Any:
    """int64 when complete, else nullable Int64."""
    if missing.any():
        return pd.arrays.IntegerArray(values, missing.copy())
    return values


def _dates(
    frame: pd.DataFrame,
    meeting_ids: npt.NDArray[np.int64],
    origin: Origin,
    problems: list[str],
) -> pd.Series | None:
    """Parse ``MeetingDate`` (ISO dates); one date per meeting; blank cells take the meeting's."""
    series = frame[col.MEETING_DATE]
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        parsed = series
        if getattr(series.dt, "tz", None) is not None:
            parsed = series.dt.tz_localize(None)
        missing = parsed.isna().to_numpy()
        unreadable = np.zeros(len(series), dtype=np.bool_)
    else:
        text = text_column(series)
        missing = text.isna().to_numpy()
        codes, uniques = pd.factorize(text)
        # only ISO calendar dates (optionally with a time): never "today", "now" or other
        # words pandas would read relative to the clock
        iso = (
            pd.Series(uniques, dtype="str")
            .str.fullmatch(_ISO_DATE)
            .to_numpy(dtype=np.bool_, na_value=False)
        )
        candidates = pd.Series(uniques, dtype=object).where(iso, None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                parsed_uniques = pd.to_datetime(
                    candidates.str.strip(), format="ISO8601", errors="coerce"
                )
            except (ValueError, TypeError, OverflowError):
                parsed_uniques = pd.Series(pd.NaT, index=range(len(uniques)))
        if getattr(parsed_uniques.dt, "tz", None) is not None:
            parsed_uniques = parsed_uniques.dt.tz_localize(None)
        # (a NaT after the distinct dates stands for code -1: an empty column has no dates)
        lookup = np.append(
            parsed_uniques.to_numpy(dtype="datetime64[us]"), np.datetime64("NaT", "us")
        )
        parsed = pd.Series(lookup[codes])
        unreadable = ~missing & parsed.isna().to_numpy()
    years = pd.Series(parsed).dt.year.to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        unreadable |= (years < MIN_YEAR) | (years > MAX_YEAR)
    if unreadable.any():
        problems.append(
            cell_problem(
                origin,
                col.MEETING_DATE,
                np.flatnonzero(unreadable),
                series,
                f"must hold ISO dates such as 2022-02-26 (years {MIN_YEAR} to {MAX_YEAR})",
            )
        )
        return None
    parsed = parsed.astype("datetime64[us]").reset_index(drop=True)
    # one date per meeting
    known = ~missing
    pairs = pd.DataFrame({"m": meeting_ids[known], "d": parsed[known].to_numpy()})
    distinct = pairs.drop_duplicates()
    conflict = distinct["m"].duplicated(keep=False)
    if bool(conflict.any()):
        meetings = np.unique(distinct["m"][conflict].to_numpy())
        rows = np.flatnonzero(known & np.isin(meeting_ids, meetings))
        problems.append(
            cell_problem(
                origin,
                col.MEETING_DATE,
                rows,
                series,
                f"gives meeting {int(meetings[0])} more than one date",
            )
        )
        return None
    if missing.any():
        by_meeting = pd.Series(distinct["d"].to_numpy(), index=distinct["m"].to_numpy())
        filled = by_meeting.reindex(meeting_ids[missing]).to_numpy()
        undated = pd.isna(filled)
        if undated.any():
            rows = np.flatnonzero(missing)[undated]
            problems.append(
                cell_problem(
                    origin,
                    col.MEETING_DATE,
                    rows,
                    series,
                    "is empty for every row of a meeting (give each meeting a date)",
                )
            )
            return None
        values = parsed.to_numpy().copy()
        values[missing] = filled
        parsed = pd.Series(values)
    return parsed


def _find_level_column(names: Sequence[str], source: str) -> str:
    present = [name for name in col.LEVEL_COLUMNS if name in names]
    if len(present) == 2:
        raise DatasetError(
            f"{source}: has both a 'Rank' and a 'Level' column; keep one (they mean the same)"
        )
    if not present:
        raise DatasetError(
            f"{source}: missing column 'Rank' (or 'Level'); the header has "
            f"{', '.join(repr(n) for n in names) or 'no columns'}"
        )
    return present[0]


def require_columns(names: Sequence[str], required: Sequence[str], source: str, what: str) -> None:
    missing = [name for name in required if name not in names]
    if missing:
        raise DatasetError(
            f"{source}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)} for {what}; the header has "
            f"{', '.join(repr(n) for n in names) or 'no columns'}"
        )


def check_unique(
    keys: Sequence[npt.NDArray[np.int64]],
    origin: Origin,
    column: str,
    values: pd.Series,
    problem: str,
    problems: list[str],
) -> None:
    """Report rows whose key tuple occurs more than once."""
    if not len(values):
        return
    duplicated = kernels.duplicated_rows(keys)
    if duplicated is not None:
        problems.append(cell_problem(origin, column, np.flatnonzero(duplicated), values, problem))


def _name_column(frame: pd.DataFrame, origin: Origin) -> pd.Series:
    """``Name`` typed."""
    # A blank name changes no number; CSV cells are only type-checked (saves a pass).
    return text_column(frame[col.NAME], check_blank=origin.path is None)


def _team_id_column(
    frame: pd.DataFrame, origin: Origin
) -> tuple[Any, npt.NDArray[np.int64], list[str]]:
    """``TeamID`` typed, as codes (-1 for none), and the problems found in it."""
    problems: list[str] = []
    team, team_missing = whole_numbers(
        frame,
        col.TEAM_ID,
        origin,
        problems,
        minimum=0,
        allow_missing=True,
        requirement="must be a whole number or empty",
    )
    if team_missing.any():
        # -1 where empty (those cells are 0). The Int64 column below hides the values under
        # its mask, so the codes and the column can share one array (when it is our own).
        if team.flags.owndata:
            np.subtract(team, team_missing, out=team, casting="unsafe")
        else:
            team = team - team_missing
    return _int_column(team, team_missing), team, problems


def _repeats_in_runs(
    order: npt.NDArray[np.intp],
    sorted_meetings: npt.NDArray[np.integer[Any]],
    starts: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_] | None:
    """Rows whose member has another row in the same meeting, given the rows sorted by
    member, then meeting (a repeat is an equal neighbour within one member's run)."""
    same = (sorted_meetings[1:] == sorted_meetings[:-1]) & ~starts[1:]
    if not same.any():
        return None
    repeated = np.zeros(len(order), dtype=np.bool_)
    repeated[order[1:][same]] = True
    repeated[order[:-1][same]] = True
    return repeated


class _Numbers(NamedTuple):
    """The typed number columns of a weekly table and the problems found in them."""

    columns: dict[str, Any]
    problems: list[str]
    meeting: npt.NDArray[np.int64]
    rounds: npt.NDArray[np.int64]
    meetings: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]


def _number_columns(
    frame: pd.DataFrame, origin: Origin, level: str, has_rounds: bool, in_meeting_order: bool
) -> _Numbers:
    """Type and check MeetingID, Round, the level and Group; dense meeting codes."""
    problems: list[str] = []
    columns: dict[str, Any] = {}
    meeting, _ = whole_numbers(
        frame,
        col.MEETING_ID,
        origin,
        problems,
        minimum=1,
        maximum=MAX_MEETING_ID,
        requirement=f"must be a positive whole number (at most {MAX_MEETING_ID:,})",
    )
    columns[col.MEETING_ID] = meeting
    if has_rounds:
        rounds, _ = whole_numbers(
            frame,
            col.ROUND,
            origin,
            problems,
            minimum=1,
            requirement="must be a positive whole number",
        )
        columns[col.ROUND] = rounds
    else:
        rounds = np.ones(len(frame), dtype=np.int64)
    top = MAX_LEVEL if has_rounds else MAX_LEVEL_WITHOUT_ROUNDS
    requirement = (
        f"must be a whole number from 1 to {MAX_LEVEL} or empty (no consensus level)"
        if has_rounds
        else "must be a whole number from 1 to 6 (levels above 6 need a 'Round' column)"
    )
    levels, level_missing = whole_numbers(
        frame,
        level,
        origin,
        problems,
        minimum=1,
        maximum=top,
        allow_missing=has_rounds,
        requirement=requirement,
    )
    columns[level] = _int_column(levels, level_missing)
    groups, group_missing = whole_numbers(
        frame,
        col.GROUP,
        origin,
        problems,
        minimum=0,
        allow_missing=True,
        requirement="must be a whole number",
    )
    columns[col.GROUP] = _int_column(groups, group_missing)

    meetings = kernels.dense_codes(meeting, ascending=in_meeting_order and not problems)
    return _Numbers(columns, problems, meeting, rounds, meetings)


def check_weekly(frame: pd.DataFrame, origin: Origin, *, needs_name: bool) -> Table:
    """Type and validate a weekly-layout frame (see :class:`Table`)."""
    source = origin.source
    names = [str(name) for name in frame.columns]
    if len(set(names)) != len(names):
        raise DatasetError(f"{source}: duplicate column names {names}")
    level = _find_level_column(names, source)
    required = [col.MEMBER_ID, col.MEETING_ID, col.GROUP, level]
    if needs_name:
        required.insert(1, col.NAME)
    require_columns(names, required, source, "consensus records")
    if not len(frame):
        raise DatasetError(f"{source}: has a header but no data rows")
    has_rounds = col.ROUND in names
    meeting_column = frame[col.MEETING_ID]
    in_meeting_order = (
        not has_rounds
        and meeting_column.dtype == np.int64
        and kernels.non_decreasing(meeting_column.to_numpy())
    )

    # A large frame types its number, team and name columns on a worker thread while this
    # thread factorizes MemberID (NumPy, pandas and Arrow release the GIL in their kernels).
    with parallel.worker(len(frame)) as submit:
        return _check_weekly_columns(
            frame, origin, names, level, has_rounds, in_meeting_order, submit
        )


def _check_weekly_columns(
    frame: pd.DataFrame,
    origin: Origin,
    names: list[str],
    level: str,
    has_rounds: bool,
    in_meeting_order: bool,
    submit: parallel.Submit,
) -> Table:
    source = origin.source
    problems: list[str] = []
    columns: dict[str, Any] = {}
    numbers_later = submit(
        lambda: _number_columns(frame, origin, level, has_rounds, in_meeting_order)
    )
    teams_later = (
        submit(lambda: _team_names(frame[col.TEAM_NAME])) if col.TEAM_NAME in names else None
    )
    name_later = submit(lambda: _name_column(frame, origin)) if col.NAME in names else None
    team_id_later = submit(lambda: _team_id_column(frame, origin)) if col.TEAM_ID in names else None

    # MemberID is factorized here once (sorted) and the codes kept for the Dataset; blank
    # IDs are looked for among the distinct values only.
    member = text_column(frame[col.MEMBER_ID], check_blank=False)
    member_first: IntArray | None = None
    if in_meeting_order:
        # files listed meeting by meeting give each member's first row from the sort below
        member_codes, member_uniques = kernels.factorize_sorted(member)
    else:
        member_codes, member_uniques, member_first = kernels.factorize_sorted_first_rows(member)
    member_uniques = member_uniques.rename(col.MEMBER_ID)
    check_counts("members", len(member_uniques), origin.size, source)
    blank_ids = np.asarray(member_uniques.str.strip() == "", dtype=np.bool_)
    # (a missing ID has code -1; the code is only looked at when some ID may be empty)
    empty_member = np.zeros(0, dtype=np.bool_)
    if blank_ids.any() or int(member_codes.min(initial=0)) < 0:
        empty_member = member_codes < 0
        if blank_ids.any():
            empty_member |= blank_ids[member_codes] & ~empty_member
    if empty_member.any():
        problems.append(
            cell_problem(
                origin,
                col.MEMBER_ID,
                np.flatnonzero(empty_member),
                frame[col.MEMBER_ID],
                "must not be empty",
            )
        )
    columns[col.MEMBER_ID] = member
    numbers = numbers_later.result()
    columns.update(numbers.columns)
    problems += numbers.problems
    meeting, rounds, meetings = numbers.meeting, numbers.rounds, numbers.meetings

    # Sorting by member, then meeting (for the duplicate check and the Dataset).
    order = None
    member_counts = None
    if not problems and in_meeting_order:
        # sorted by member only (meetings already ascend): one counting sort, which also
        # counts each member's rows
        order, member_counts = kernels.counting_sort(member_codes, len(member_uniques))
    elif not problems and not has_rounds:
        order = kernels.sort_order([member_codes, meetings[0]])
    runs = None
    repeated = None
    if order is not None:
        if member_counts is None:
            member_counts = np.bincount(member_codes, minlength=len(member_uniques))
        member_counts = member_counts.astype(np.int64, copy=False)
        runs = member_runs(meetings, order, member_counts)
        repeated = _repeats_in_runs(order, *runs)
        if in_meeting_order:
            # sorted by member only (meetings already ascend), stably: each member's run
            # starts at their first row
            member_first = order[np.cumsum(member_counts) - member_counts].astype(np.int64)

    teams = team_ids = None
    if teams_later is not None:
        columns[col.TEAM_NAME], teams = teams_later.result()
        check_counts("teams", len(teams[1]), origin.size, source)
    if name_later is not None:
        columns[col.NAME] = name_later.result()
    if team_id_later is not None:
        columns[col.TEAM_ID], team_ids, team_problems = team_id_later.result()
        problems += team_problems
    if col.MEETING_DATE in names and not problems:
        dates = _dates(frame, meeting, origin, problems)
        if dates is not None:
            columns[col.MEETING_DATE] = dates.to_numpy()
    raise_problems(problems)

    if has_rounds:
        repeated = kernels.duplicated_rows([meetings[0], rounds, member_codes])
    if repeated is not None:
        problem = "lists a member twice in one meeting" + (" and round" if has_rounds else "")
        raise_problems(
            [
                cell_problem(
                    origin, col.MEMBER_ID, np.flatnonzero(repeated), frame[col.MEMBER_ID], problem
                )
            ]
        )

    # The input columns, typed, in their order. Columns whose type did not change are
    # taken as the input's own Series, so that copy-on-write keeps them apart from the
    # input; typed ones are new arrays, not copied again (copy=False).
    def typed_column(name: str) -> Any:
        original = frame[name]
        values = columns.get(name, original)
        unchanged = values is original or (
            isinstance(values, np.ndarray)
            and original.dtype == values.dtype
            and np.shares_memory(values, original.to_numpy())
        )
        return original if unchanged else values

    typed = pd.DataFrame(
        {name: typed_column(name) for name in frame.columns},
        index=pd.RangeIndex(len(frame)),
        copy=False,
    )
    # Everything computed above is handed over, so that the Table does not compute it again.
    return Table(
        typed,
        origin,
        level,
        members=(member_codes.astype(np.int64, copy=False), member_uniques),
        member_first_rows=member_first,
        teams=teams,
        team_ids=team_ids,
        meetings=meetings,
        member_meeting_order=order if runs is not None else None,
        member_row_counts=member_counts if runs is not None else None,
        member_runs=runs,
    )
