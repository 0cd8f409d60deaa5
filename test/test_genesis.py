"""The Genesis fractal's rules: hand-worked records, a reference for the weighted means, and
the published figures of the complete Genesis record.

Published figures and where they come from:

* 7042, 2928, 9970 (Respect of members, teams and both before Addendum 1), 19,067,701.085571293
  (token supply at the end of week 22), 13,467,878.740681347 and 5,599,822.3448899435 (its
  member and team parts) and 1912.5076314514831 (tokens per unit of earlier Respect): the
  upstream's tests, matt-langston/fractal_governance at 916618a,
  ``test/addendum_1/test_constants.py`` (default parameters);
* 7022, 13,456,622.816370012, 5,611,078.269201282 and 1916.3518678966125: the same file,
  with Team fractally's spreadsheet value 7022 for the members' Respect;
* the weighted-mean Respect of meetings 23-30: Team fractally's spreadsheet extract
  ``data/test/addendum_1/Stats_post-Aug_6_Dist_Portions.csv`` at 916618a (3 decimals),
  compared as in the upstream's ``test/addendum_1/test_weighted_means.py``.

The upstream compares the extract with the signature clamp off for meetings 23-25. On the
published record that holds for every member with a signature on file; the extract shows 0
for every member without one (even where their weighted mean is above 0), so with the
clamp on (the default) it agrees to 3 decimals for every member and every meeting 23-30.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fractal_governance import columns as col
from fractal_governance.dataset import Dataset
from fractal_governance.ledger import Ledger
from fractal_governance.math import GENESIS
from fractal_governance.measurements import Measurements
from fractal_governance.policies import (
    Addendum1Respect,
    ScheduleRespect,
    TokenCurve,
    WeightedMeanAlgorithm,
)
from fractal_governance.policies.genesis import (
    late_consensus_rule,
    read_late_consensus,
    read_member_attributes,
    signature_rule,
)
from fractal_governance.policies.genesis_record import genesis_profile, load
from fractal_governance.policies.weighted_means import linear_scan, weighted_mean_levels
from fractal_governance.profiles import CommunityProfile

PHI = (1 + math.sqrt(5)) / 2
HYSTERESIS = WeightedMeanAlgorithm.WEIGHTED_ROLLING_MEAN_WITH_HYSTERESIS


def fib(x: float) -> float:
    """Team fractally's continuous Fibonacci function: bias 0, no second term."""
    return float(PHI**x / math.sqrt(5))


Row = tuple[str, int, int | None, str | None]


def record(rows: Sequence[Row]) -> pd.DataFrame:
    """Weekly rows (member, meeting, level or None, team or None), one round."""
    return pd.DataFrame(
        {
            "MemberID": [r[0] for r in rows],
            "Name": [r[0].upper() for r in rows],
            "MeetingID": [r[1] for r in rows],
            "Group": [1] * len(rows),
            "Round": [1] * len(rows),
            "Level": pd.array([r[2] for r in rows], dtype="Int64"),
            "TeamName": pd.Series([r[3] for r in rows], dtype="str"),
        }
    )


def build(frame: pd.DataFrame, policy: object, attributes: pd.DataFrame | None = None) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Dataset.from_dataframe(
            frame,
            profile=CommunityProfile("T", policy),  # type: ignore[arg-type]
            member_attributes=attributes,
        )


SIGNED = pd.DataFrame({col.SIGNATURE_ON_FILE: [True, False]}, index=pd.Index(["a", "b"]))


# -- the rules on a hand-worked record ---------------------------------------------------------


# a: levels 2, 1, 3 in meetings 1-3; b (unsigned in the tests): 1, 2, 1
SIGNED_AND_UNSIGNED = record(
    [
        ("a", 1, 2, None),
        ("b", 1, 1, None),
        ("a", 2, 1, None),
        ("b", 2, 2, None),
        ("a", 3, 3, None),
        ("b", 3, 1, None),
    ]
)


def test_signature_rule_takes_schedule_respect_from_unsigned_members_from_its_meeting() -> None:
    # a: levels 2, 1, 3 (Respect 3, 2, 5); b (unsigned): 1, 2, 1 (2, 3, 2); from meeting 2
    frame = SIGNED_AND_UNSIGNED
    policy = ScheduleRespect(GENESIS).with_rules(signature_rule(from_meeting=2))
    ds = build(frame, policy, SIGNED)
    board = ds.df_member_summary_stats_by_member_id[col.ACCUMULATED_RESPECT]
    assert board.to_dict() == {"a": 10, "b": 2}


def test_late_consensus_pairs_earn_nothing(tmp_path: Path) -> None:
    late = tmp_path / "genesis-late_consensus.csv"
    late.write_text("Index,MemberID,MeetingID\n1,a,2\n2,zz,1\n")
    pairs = read_late_consensus(late)
    assert pairs == [("a", 2), ("zz", 1)]
    frame = record([("a", 1, 2, None), ("a", 2, 1, None), ("b", 2, 2, None)])
    ds = build(frame, ScheduleRespect(GENESIS).with_rules(late_consensus_rule(pairs)))
    assert ds.df[col.RESPECT].tolist() == [3, 0, 3]


def test_read_member_attributes_types_signature_on_file(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text(
        "Index,MemberID,Name,HiveAccountName,SignatureOnFile\n1,00,A,FALSE,TRUE\n2,b,B,,\n"
    )
    attributes = read_member_attributes(path)
    assert attributes.index.tolist() == ["00", "b"]
    assert attributes[col.SIGNATURE_ON_FILE].tolist() == [True, False]


# -- the weighted means on a hand-worked record ------------------------------------------------


def means_of(frame: pd.DataFrame, **options: object) -> dict[tuple[str, int], float]:
    ds = build(frame, ScheduleRespect(GENESIS))
    m = ds.measurements
    cells = weighted_mean_levels(m, **options)  # type: ignore[arg-type]
    return {
        (str(m.member_ids[i]), int(m.meeting_ids_chronological[t])): round(float(v), 12)
        for i, t, v in zip(cells.member, cells.meeting, cells.mean, strict=True)
    }


# Member a has levels 2, -, 4, -, -, -, 1 in meetings 1-7 (z attends every meeting without
# a level, so that every meeting exists).
HAND = record(
    [("a", 1, 2, None), ("a", 3, 4, None), ("a", 7, 1, None)]
    + [("z", t, None, None) for t in range(1, 8)]
)


def test_hysteresis_by_hand() -> None:
    # window 2, requirement 2: meetings 1-2 take the progressive mean (2 / 2, (2 + 0) / 2);
    # then m = m_prev / 2 + level / 2: 2.5, 1.25; meeting 5 has had no level for 2 meetings:
    # reset to 0 (and 0 at 6); meeting 7: 1 / 2.
    means = means_of(HAND, window=2, requirement=2, algorithm=HYSTERESIS)
    assert means == {("a", 1): 1.0, ("a", 2): 1.0, ("a", 3): 2.5, ("a", 4): 1.25, ("a", 7): 0.5}


def test_hysteresis_without_a_reset_decays() -> None:
    # requirement 4: no reset before meeting 7; 1.25 halves at 5 and 6, then 0.3125 / 2 + 0.5
    means = means_of(HAND, window=2, requirement=4, algorithm=HYSTERESIS)
    assert means[("a", 5)] == 0.625
    assert means[("a", 6)] == 0.3125
    assert means[("a", 7)] == 0.65625


def test_rolling_mean_by_hand() -> None:
    # the mean of the last 2 meetings' levels: 1, 1, 2, 2, -, -, 0.5
    means = means_of(HAND, window=2, algorithm=WeightedMeanAlgorithm.ROLLING_MEAN)
    assert means == {("a", 1): 1.0, ("a", 2): 1.0, ("a", 3): 2.0, ("a", 4): 2.0, ("a", 7): 0.5}


def test_weighted_rolling_mean_by_hand() -> None:
    # from meeting 3: (1/2) * mean of the 2 meetings before + level / 2
    # 3: 0.5 * 1 + 2 = 2.5; 4: 0.5 * 2 + 0 = 1; 5: 0.5 * 2 = 1; 6: 0; 7: 0 + 0.5
    means = means_of(HAND, window=2, algorithm=WeightedMeanAlgorithm.WEIGHTED_ROLLING_MEAN)
    assert means == {
        ("a", 1): 1.0,
        ("a", 2): 1.0,
        ("a", 3): 2.5,
        ("a", 4): 1.0,
        ("a", 5): 1.0,
        ("a", 7): 0.5,
    }


def test_linear_scan_matches_the_recurrence() -> None:
    rng = np.random.default_rng(3)
    a = rng.uniform(0, 1, 200)
    a[rng.uniform(size=200) < 0.1] = 0
    b = rng.uniform(0, 5, 200)
    expected = np.zeros(200)
    for k in range(200):
        expected[k] = (a[k] * expected[k - 1] if k else 0.0) + b[k]
    np.testing.assert_allclose(linear_scan(a, b), expected, rtol=1e-12)


# -- a plain reference for the weighted means ---------------------------------------------------


def reference_means(
    levels: list[float], window: int, requirement: int, algorithm: WeightedMeanAlgorithm
) -> list[float]:
    """One member's weighted mean levels, meeting by meeting, as the upstream states them
    (its meetings are numbered from 1: meeting t here is t + 1 there)."""
    w, k = window, len(levels)
    out = [0.0] * k
    for t in range(min(w, k)):  # the progressive mean of the first w meetings
        out[t] = sum(levels[: t + 1]) / w
    for t in range(w, k):
        if algorithm is WeightedMeanAlgorithm.ROLLING_MEAN:
            out[t] = sum(levels[t - w + 1 : t + 1]) / w
        elif algorithm is WeightedMeanAlgorithm.WEIGHTED_ROLLING_MEAN:
            out[t] = ((w - 1) * (sum(levels[t - w : t]) / w) + levels[t]) / w
        else:
            out[t] = ((w - 1) * out[t - 1] + levels[t]) / w
            first = t - requirement + 1  # the upstream's meeting_id_min, 0-based
            if first + 1 >= 0 and not sum(levels[max(first, 0) : t + 1]) > 0:
                out[t] = 0.0
    return out


@settings(max_examples=150)
@given(
    grid=st.lists(
        st.lists(st.one_of(st.just(0), st.integers(1, 8)), min_size=1, max_size=24),
        min_size=1,
        max_size=4,
    ),
    window=st.integers(1, 7),
    requirement=st.integers(1, 14),
    algorithm=st.sampled_from(list(WeightedMeanAlgorithm)),
)
def test_weighted_means_match_a_plain_loop(
    grid: list[list[int]], window: int, requirement: int, algorithm: WeightedMeanAlgorithm
) -> None:
    k = max(len(row) for row in grid)
    rows: list[Row] = [("z", t + 1, None, None) for t in range(k)]
    for i, row in enumerate(grid):
        rows += [(f"m{i}", t + 1, level, None) for t, level in enumerate(row) if level]
    got = means_of(record(rows), window=window, requirement=requirement, algorithm=algorithm)
    expected = {}
    for i, row in enumerate(grid):
        levels = [float(v) for v in row] + [0.0] * (k - len(row))
        for t, value in enumerate(reference_means(levels, window, requirement, algorithm)):
            if value > 1e-12:
                expected[(f"m{i}", t + 1)] = value
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-9)


@settings(max_examples=100)
@given(
    grid=st.lists(
        st.lists(st.integers(-1, 8), min_size=1, max_size=20),  # -1: absent, 0: no level
        min_size=1,
        max_size=4,
    ),
    window=st.integers(1, 7),
    requirement=st.integers(1, 14),
    first=st.integers(0, 20),
)
def test_weighted_mean_cells_name_their_attendance(
    grid: list[list[int]], window: int, requirement: int, first: int
) -> None:
    # each cell's attendance index is the member's attendance at that meeting (-1: absent),
    # whether every attendance has a level (cells tell it by their runs) or not (looked up)
    k = max(len(row) for row in grid)
    rows: list[Row] = [("z", t + 1, 1, None) for t in range(k)]
    for i, row in enumerate(grid):
        rows += [(f"m{i}", t + 1, level or None, None) for t, level in enumerate(row) if level >= 0]
    m = build(record(rows), ScheduleRespect(GENESIS)).measurements
    cells = weighted_mean_levels(m, window, requirement, HYSTERESIS, min(first, k))
    at = {
        (int(a), int(t)): i for i, (a, t) in enumerate(zip(m.att_member, m.att_order, strict=True))
    }
    expected = [
        at.get((int(a), int(t)), -1) for a, t in zip(cells.member, cells.meeting, strict=True)
    ]
    assert cells.attendance.tolist() == expected
    assert (cells.meeting >= min(first, k)).all()


# -- Addendum 1 on a hand-worked record ---------------------------------------------------------


def test_addendum_pays_pools_pro_rata_and_absent_members() -> None:
    # meetings 1-2 by the schedule: a (team T) 3 + 2, b 2 + 3: members 10, teams 5.
    # meeting 3 under the Addendum (window 2, requirement 2): a 3, b absent.
    # Means at 3: a (2 + 1) / 2 / 2 + 3 / 2 = 2.25; b (1 + 2) / 2 / 2 = 0.75.
    frame = record(
        [
            ("a", 1, 2, "T"),
            ("b", 1, 1, None),
            ("a", 2, 1, "T"),
            ("b", 2, 2, None),
            ("a", 3, 3, None),
        ]
    )
    policy = Addendum1Respect(from_meeting=3, window=2, attendance_requirement=2)
    ds = build(frame, policy)
    curve = TokenCurve()
    pro_rata = float(curve.supply(2)) / 15
    assert policy.totals(ds.measurements).pro_rata == pytest.approx(pro_rata, rel=1e-14)
    minted = float(curve.minted(3))
    wa, wb = fib(2.25), fib(0.75)
    share = minted / (2 * wa + wb)  # a counts twice: for herself and for her team
    history = {m: ds.member_history(m) for m in ("a", "b")}
    assert history["a"][col.RESPECT].tolist() == pytest.approx(
        [3 * pro_rata, 2 * pro_rata, wa * share], rel=1e-12
    )
    assert history["b"][col.RESPECT].tolist() == pytest.approx(
        [2 * pro_rata, 3 * pro_rata, wb * share], rel=1e-12
    )
    teams = ds.df_team_respect_by_meeting_date[col.ACCUMULATED_RESPECT].tolist()
    # a joined T at meeting 1 and stays in it (also at meeting 3, where she named no team)
    assert teams == pytest.approx([3 * pro_rata, 2 * pro_rata, wa * share], rel=1e-12)
    assert ds.total_respect == pytest.approx(float(curve.supply(3)), rel=1e-12)
    # b was absent from meeting 3 but is paid: the per-meeting table counts it
    per_meeting = ds.df_member_respect_new_and_returning_by_meeting[col.ACCUMULATED_RESPECT]
    assert per_meeting.iloc[2] == pytest.approx((wa + wb) * share, rel=1e-12)


def test_addendum_weighted_mean_rules_zero_weights_before_the_pool() -> None:
    frame = SIGNED_AND_UNSIGNED
    sign = signature_rule(from_meeting=2)
    policy = Addendum1Respect(
        from_meeting=3,
        before=ScheduleRespect(GENESIS).with_rules(sign),
        window=2,
        attendance_requirement=2,
        weighted_mean_rules=(sign,),
    )
    ds = build(frame, policy, SIGNED)
    minted = float(TokenCurve().minted(3))
    at_three = ds.ledger[ds.ledger[col.MEETING_ID] == 3].set_index(col.MEMBER_ID)[col.RESPECT]
    assert at_three.to_dict() == {"a": pytest.approx(minted)}  # b's weight is 0: a takes all
    totals = policy.totals(ds.measurements)
    assert (totals.individual, totals.team) == (7.0, 0.0)  # a 3 + 2, b 2 (meeting 2 is gone)


def test_clamp_zero_level_off_pays_every_member_with_a_level() -> None:
    # meetings 1-3 (window 2, requirement 2): a 2, 1, 2; b 1, -, -: b's history resets at
    # meeting 3 (no level in meetings 2-3), a's mean there is (2 + 1) / 2 / 2 + 2 / 2 = 1.75
    frame = record([("a", 1, 2, None), ("b", 1, 1, None), ("a", 2, 1, None), ("a", 3, 2, None)])
    clamped = Addendum1Respect(from_meeting=3, window=2, attendance_requirement=2)
    ds = build(frame, clamped)
    assert set(ds.ledger[ds.ledger[col.MEETING_ID] == 3][col.MEMBER_ID]) == {"a"}
    unclamped = Addendum1Respect(
        from_meeting=3, window=2, attendance_requirement=2, clamp_zero_level=False
    )
    ledger = build(frame, unclamped).ledger
    last = ledger[ledger[col.MEETING_ID] == 3].set_index(col.MEMBER_ID)[col.RESPECT]
    assert last["b"] / last["a"] == pytest.approx(fib(0) / fib(1.75))


def test_token_curve() -> None:
    curve = TokenCurve()
    weeks = np.arange(1, 300)
    minted = curve.minted(weeks)
    # before the switch, the supply is the sum of the weeks minted so far
    assert np.cumsum(minted)[:200] == pytest.approx(curve.supply(weeks)[:200], rel=1e-12)
    assert minted[0] == pytest.approx(1e6 * 52 / math.log(2) * (1 - 2 ** (-1 / 52)))
    # after it: 5 % a year
    assert curve.supply(300.0 + 52) / curve.supply(300.0) == pytest.approx(1.05)
    with pytest.raises(ValueError):
        curve.minted(0)


# -- the complete Genesis record -----------------------------------------------------------------


@pytest.fixture(scope="module")
def genesis(genesis_record_dir: Path) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load(genesis_record_dir)


def test_profile_states_name_calendar_and_unit(genesis: Dataset) -> None:
    assert genesis.profile.name == "Genesis fractal"
    assert genesis.unit == "Respect tokens"
    dates = genesis.df_member_attendance_new_and_returning_by_meeting
    by_id = dates.set_index(col.MEETING_ID)[col.MEETING_DATE]
    assert by_id[7] == pd.Timestamp("2022-04-09")
    assert by_id[8] == pd.Timestamp("2022-04-23")  # 2022-04-16 skipped
    assert by_id[30] == pd.Timestamp("2022-09-24")
    assert genesis.profile.policy.uses_history
    assert genesis_profile(addendum_1=False).unit == "Respect"


def test_published_totals_before_addendum_1(genesis: Dataset) -> None:
    totals = genesis.profile.policy.totals(genesis.measurements)  # type: ignore[attr-defined]
    # upstream test_constants.py, default parameters
    assert (totals.individual, totals.team, totals.total) == (7042, 2928, 9970)
    assert totals.supply == pytest.approx(19067701.085571293, abs=1e-7)
    assert totals.supply_individual == pytest.approx(13467878.740681347, abs=1e-7)
    assert totals.supply_team == pytest.approx(5599822.3448899435, abs=1e-7)
    assert totals.pro_rata == pytest.approx(1912.5076314514831, abs=1e-7)


def test_published_totals_with_the_spreadsheet_value(genesis_record_dir: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = load(genesis_record_dir, individual_total_before=7022)
    totals = ds.profile.policy.totals(ds.measurements)  # type: ignore[attr-defined]
    # upstream test_constants.py, Team fractally's spreadsheet value 7022
    assert totals.total == 9950
    assert totals.supply_individual == pytest.approx(13456622.816370012, abs=1e-7)
    assert totals.supply_team == pytest.approx(5611078.269201282, abs=1e-7)
    assert totals.pro_rata == pytest.approx(1916.3518678966125, abs=1e-7)


def test_weekly_totals_before_addendum_1_are_pro_rata_schedule_respect(
    genesis: Dataset, genesis_record_dir: Path
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schedule = load(genesis_record_dir, addendum_1=False)
    by_meeting = genesis.df_member_respect_new_and_returning_by_meeting.set_index(col.MEETING_ID)
    units = schedule.df_member_respect_new_and_returning_by_meeting.set_index(col.MEETING_ID)
    before = units.index < 23
    expected = units.loc[before, col.ACCUMULATED_RESPECT] * 1912.5076314514831
    got = by_meeting.loc[before, col.ACCUMULATED_RESPECT]
    assert got.to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-13)
    assert units.loc[1, col.ACCUMULATED_RESPECT] == 99
    assert round(got.loc[1]) == 189_338


def test_weekly_totals_add_up_to_the_supply(genesis: Dataset) -> None:
    curve = TokenCurve()
    members = genesis.df_member_respect_new_and_returning_by_meeting
    teams = genesis.df_team_respect_by_meeting_date.groupby(col.MEETING_DATE)[
        col.ACCUMULATED_RESPECT
    ].sum()
    weekly = (
        members.set_index(col.MEETING_DATE)[col.ACCUMULATED_RESPECT]
        + teams.reindex(members[col.MEETING_DATE], fill_value=0.0).to_numpy()
    )
    after = members[col.MEETING_ID].to_numpy() >= 23
    weeks = members[col.MEETING_ID].to_numpy()[after].astype(float)
    assert weekly.to_numpy()[after] == pytest.approx(curve.minted(weeks), rel=1e-12)
    # every Respect figure counts absent members: the tables agree with the ledger
    total = genesis.total_member_respect
    assert genesis.ledger[col.RESPECT].sum() == pytest.approx(total, rel=1e-12)
    assert members[col.ACCUMULATED_RESPECT].sum() == pytest.approx(total, rel=1e-12)
    board = genesis.df_member_leader_board[col.ACCUMULATED_RESPECT].sum()
    assert board == pytest.approx(total, rel=1e-12)
    assert genesis.total_respect == pytest.approx(float(curve.supply(30)), rel=1e-12)


def test_late_consensus_under_the_addendum_earns_nothing_that_week(genesis: Dataset) -> None:
    ledger = genesis.ledger
    paid = ledger[(ledger[col.MEMBER_ID] == "recentchats") & (ledger[col.MEETING_ID] == 23)]
    assert paid[col.RESPECT].sum() == 0
    assert (
        ledger[(ledger[col.MEMBER_ID] == "recentchats") & (ledger[col.MEETING_ID] == 24)][
            col.RESPECT
        ].sum()
        > 0
    )


def spreadsheet(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={col.MEMBER_ID: "str"}).drop(columns=[col.INDEX])
    frame.columns = [col.MEMBER_ID, "Sum", *range(23, 31)]  # the last header cell is blank
    return frame.set_index(col.MEMBER_ID)


def weights(ds: Dataset, clamp_unsigned: bool) -> pd.DataFrame:
    policy = ds.profile.policy
    m: Measurements = ds.measurements
    cells, weight = policy.weighted_means(m)  # type: ignore[attr-defined]
    if clamp_unsigned:
        ledger = Ledger(cells.member, cells.meeting, weight, np.ones(len(weight), np.int8))
        weight = signature_rule().apply(ledger, m).respect
    keys = [m.member_ids.take(cells.member), m.meeting_ids_chronological[cells.meeting]]
    series = pd.Series(weight, index=pd.MultiIndex.from_arrays(keys))
    return series.unstack(fill_value=0.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("clamp_unsigned", [True, False])
def test_spreadsheet_extract(
    genesis: Dataset, addendum_1_spreadsheet: Path, clamp_unsigned: bool
) -> None:
    sheet = spreadsheet(addendum_1_spreadsheet)
    ours = weights(genesis, clamp_unsigned).reindex(sheet.index, fill_value=0.0)
    signed = read_member_attributes(
        genesis.source.replace("weekly_measurements", "account_status")
    )[col.SIGNATURE_ON_FILE]
    compared = (
        sheet.index if clamp_unsigned else sheet.index[signed.reindex(sheet.index).to_numpy()]
    )
    meetings = range(23, 31) if clamp_unsigned else range(23, 26)
    for meeting in meetings:
        difference = (ours.loc[compared, meeting] - sheet.loc[compared, meeting]).abs()
        assert difference.max() <= 0.0005 + 1e-9, (meeting, difference.idxmax())
    if not clamp_unsigned:  # the extract shows 0 for the members without a signature
        unsigned = sheet.index.difference(compared)
        assert (sheet.loc[unsigned, range(23, 31)] == 0).all().all()
        assert (ours.loc[unsigned, 23] > 0).sum() == 6  # aireck1, markus, ...


def test_window_of_the_addendum_keeps_the_record_s_awards(genesis: Dataset) -> None:
    window = genesis.select_meetings(23, 30)
    ledger = genesis.ledger
    expected = ledger[ledger[col.MEETING_ID] >= 23][col.RESPECT].sum()
    assert window.total_member_respect == pytest.approx(expected, rel=1e-12)
    full_teams = genesis.df_team_respect_by_meeting_date
    after = full_teams[full_teams[col.MEETING_DATE] >= pd.Timestamp("2022-08-06")]
    assert window.total_team_respect == pytest.approx(
        after[col.ACCUMULATED_RESPECT].sum(), rel=1e-12
    )
