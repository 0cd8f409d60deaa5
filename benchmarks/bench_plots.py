"""Benchmark: build every figure of a generated 1,000,000-row dataset in under 10 s.

The dataset (2,000 weekly meetings, groups of six ranked 1..6, 20,000 members joining over
time with uneven attendance, 12 teams) is generated with numpy in the weekly CSV schema, written
to a temporary CSV and loaded with ``Dataset.from_csv``. The derived tables the figures read are
computed first (reported separately), so the timed part is figure building only. Rendering every
figure to PNG is reported too, for information.

Headless (figures never touch pyplot). Run from the repository root:

    PYTHONPATH=. python benchmarks/bench_plots.py [--rows N] [--meetings M] [--seed S]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from fractal_governance.dataset import Dataset
from fractal_governance.plots import PLOT_NAMES, Plots

TARGET_SECONDS = 10.0
GROUP_SIZE = 6

# The Dataset attributes the figures read; touched before timing the figures.
PLOTTED_ATTRIBUTES = (
    "df_member_attendance_new_and_returning_by_meeting",
    "df_member_respect_new_and_returning_by_meeting",
    "df_member_summary_stats_by_member_id",
    "df_member_rank_by_attendance_count",
    "df_member_leader_board",
    "df_team_respect_by_meeting_date",
    "df_team_representation_by_date",
    "df_team_leader_board",
    "df_lorenz_curve",
    "df_gini_by_meeting",
    "respect_distribution",
    "total_meetings",
    "has_teams",
)


def generate_weekly_rank(
    rows: int = 1_000_000,
    meetings: int = 2_000,
    members: int = 20_000,
    teams: int = 12,
    seed: int = 0,
) -> pd.DataFrame:
    """A synthetic weekly consensus table (``Index, MemberID, Name, MeetingID, Group, Rank,
    TeamID, TeamName``): ``rows`` rounded up to full groups of six, ranks 1..6 in each group."""
    rng = np.random.default_rng(seed)
    total_groups = -(-rows // GROUP_SIZE)
    groups_per_meeting = np.full(meetings, total_groups // meetings)
    groups_per_meeting[: total_groups % meetings] += 1
    attendees = groups_per_meeting * GROUP_SIZE
    if attendees.max() > members // 2:
        raise ValueError("too few members for the requested rows per meeting")

    # Members join over the first half of the meetings; an early core can fill meeting 1.
    join = np.sort(rng.integers(1, meetings // 2 + 1, size=members))
    join[: attendees.max()] = 1
    log_activity = rng.normal(0.0, 1.0, size=members)  # uneven attendance (lognormal weights)
    member_ids = np.empty(attendees.sum(), dtype=np.int64)
    start = 0
    for meeting in range(1, meetings + 1):  # generation only: not part of the timing
        k = attendees[meeting - 1]
        keys = log_activity + rng.gumbel(size=members)  # Gumbel top-k = weighted sampling
        keys[join > meeting] = -np.inf
        member_ids[start : start + k] = np.argpartition(-keys, k)[:k]
        start += k

    meeting_ids = np.repeat(np.arange(1, meetings + 1), attendees)
    group_in_meeting = np.concatenate(
        [np.repeat(np.arange(1, g + 1), GROUP_SIZE) for g in groups_per_meeting]
    )
    ranks = (rng.random((total_groups, GROUP_SIZE)).argsort(axis=1) + 1).ravel()

    member_team = np.where(rng.random(members) < 0.4, rng.integers(1, teams + 1, members), 0)
    team_of_row = member_team[member_ids]
    team_id = np.where(team_of_row > 0, team_of_row.astype(str), "")
    team_name = np.where(team_of_row > 0, np.char.add("Team ", team_of_row.astype(str)), "")
    frame = pd.DataFrame(
        {
            "Index": np.arange(1, len(member_ids) + 1),
            "MemberID": np.char.add("m", member_ids.astype(str)),
            "Name": np.char.add("Member ", member_ids.astype(str)),
            "MeetingID": meeting_ids,
            "Group": group_in_meeting,
            "Rank": ranks,
            "TeamID": team_id,
            "TeamName": team_name,
        }
    )
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--meetings", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    table = generate_weekly_rank(args.rows, args.meetings, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "bench-weekly_rank.csv"
        table.to_csv(csv, index=False)

        started = time.perf_counter()
        dataset = Dataset.from_csv(csv)
        for name in PLOTTED_ATTRIBUTES:
            getattr(dataset, name)
        dataset_seconds = time.perf_counter() - started

        plots = Plots.from_dataset(dataset)
        started = time.perf_counter()
        per_figure = {}
        for name in PLOT_NAMES:
            tick = time.perf_counter()
            getattr(plots, name)
            per_figure[name] = time.perf_counter() - tick
        build_seconds = time.perf_counter() - started

        started = time.perf_counter()
        plots.save_all(Path(tmp) / "figures")
        render_seconds = time.perf_counter() - started

    members = table["MemberID"].nunique()
    print(f"rows: {len(table):,}  meetings: {args.meetings:,}  members: {members:,}")
    print(
        f"Dataset.from_csv + plotted attributes: {dataset_seconds:.2f} s (not part of the target)"
    )
    for name, seconds in per_figure.items():
        print(f"  {name:<45} {seconds:6.3f} s")
    verdict = "OK" if build_seconds < TARGET_SECONDS else "TOO SLOW"
    print(
        f"building all {len(PLOT_NAMES)} figures: {build_seconds:.2f} s; "
        f"target {TARGET_SECONDS:.0f} s; ratio {build_seconds / TARGET_SECONDS:.3f} ({verdict})"
    )
    print(f"rendering all figures to PNG (save_all): {render_seconds:.2f} s (for information)")


if __name__ == "__main__":
    main()
