"""Tests of simulation studies: seeds, metrics, summaries, backends, resuming, TOML errors.

The hand-worked concentration example (Respect after each meeting, members a, b, c):

    meeting 1: a earns 3, b earns 1          holdings 3, 1     total 4
    meeting 2: c earns 4                     holdings 3, 1, 4  total 8

After meeting 1: Gini = (|3-1| + |1-3|) / (2 * 2^2 * 2) = 0.25; the top 10 % is 1 member
(3 of 4 = 0.75); one member holds more than half (Nakamoto 1); the Lorenz curve goes
(0, 0), (0.5, 0.25), (1, 1), so at 25 % it is 0.125 and at 50 % 0.25.
After meeting 2: pair differences 2 + 1 + 3 = 6 (x2 = 12) over 2 * 9 * 8/3 = 48: Gini 0.25;
top 1 member holds 4 of 8 (0.5), which is not *more* than half, so Nakamoto is 2 (4 + 3);
with a 40 % threshold 4 > 3.2 and it is 1. Lorenz at 50 %: x = 1.5 members, the poorest
holds 1, half of the next (3) adds 1.5: 2.5 / 8 = 0.3125.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from fractal_governance import cli, fairness, simulation, studies
from fractal_governance.studies_backends import DaskBackend, InProcess, LocalProcesses

SMALL = """
[study]
name = "small"
replicates = 2
seed = 11
batch_size = 2

[base]
meetings = 12
founding_members = 12
arrival_rate = 2.0

[grid]
consensus_accuracy = [0.2, 0.9]
respect_effect = [0.0, 2.5]
"""


def small_study(**changes: object) -> studies.Study:
    study = studies.Study.from_text(SMALL)
    return study if not changes else type(study)(**{**study.__dict__, **changes})


# -- seeds, points, batches -----------------------------------------------------------------


def test_seeds_are_spawned_children_shared_by_the_points() -> None:
    study = small_study()
    children = np.random.SeedSequence(11).spawn(study.replicates)
    for run in range(study.run_count):
        expected = children[run % study.replicates].generate_state(4)
        np.testing.assert_array_equal(study.seed_sequence(run).generate_state(4), expected)
    independent = small_study(common_seeds=False)
    children = np.random.SeedSequence(11).spawn(independent.run_count)
    states = [independent.seed_sequence(run).generate_state(4) for run in range(8)]
    for run, state in enumerate(states):
        np.testing.assert_array_equal(state, children[run].generate_state(4))
    assert len({tuple(s) for s in states}) == 8


def test_points_runs_and_batches() -> None:
    study = small_study()
    assert (study.point_count, study.run_count, study.batch_count) == (4, 8, 4)
    assert study.point(0) == {"consensus_accuracy": 0.2, "respect_effect": 0.0}
    assert study.point(1) == {"consensus_accuracy": 0.2, "respect_effect": 2.5}
    assert study.point(2) == {"consensus_accuracy": 0.9, "respect_effect": 0.0}
    assert study.config(3).consensus_accuracy == 0.9 and study.config(3).meetings == 12
    assert [list(study.batch_runs(b)) for b in range(4)] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    # The default batch: about 2,000 meetings (here all 8 runs of 12 meetings).
    assert studies.Study.from_text(SMALL.replace("batch_size = 2", "")).batch_size == 8


def test_a_run_is_the_simulation_with_its_seed() -> None:
    study = small_study()
    frame = studies.run_batch((study, 1))  # runs 2 and 3: point 1, replicates 0 and 1
    assert sorted(frame["Run"].unique()) == [2, 3]
    run = frame[frame["Run"] == 3]
    assert (run["Point"] == 1).all() and (run["Replicate"] == 1).all()
    config = study.config(1)
    seed = np.random.SeedSequence(11).spawn(2)[1]
    expected = simulation.compare_with_plutocracy(config, seed)  # type: ignore[arg-type]
    np.testing.assert_array_equal(run["MeetingID"], expected["MeetingID"])
    np.testing.assert_allclose(run["FractalGini"], expected["FractalGini"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        run["PlutocraticGini"], expected["PlutocraticGini"], rtol=0, atol=1e-12
    )


# -- the concentration measures -------------------------------------------------------------


def test_concentration_by_hand() -> None:
    result = studies.concentration_by_meeting(
        [1, 1, 2], ["a", "b", "c"], [3, 1, 4], top_share=0.1, lorenz=(0.25, 0.5)
    )
    assert result["MeetingID"].tolist() == [1, 2]
    assert result["Members"].tolist() == [2, 3]
    np.testing.assert_allclose(result["Gini"], [0.25, 0.25])
    np.testing.assert_allclose(result["TopShare"], [0.75, 0.5])
    assert result["Nakamoto"].tolist() == [1, 2]
    np.testing.assert_allclose(result["Lorenz25"], [0.125, 1.0 / 8 * (0.75 * 1)])
    np.testing.assert_allclose(result["Lorenz50"], [0.25, 0.3125])
    forty = studies.concentration_by_meeting([1, 1, 2], ["a", "b", "c"], [3, 1, 4],
                                             nakamoto_threshold=0.4)  # fmt: skip
    assert forty["Nakamoto"].tolist() == [1, 1]


def test_concentration_matches_the_fairness_measures() -> None:
    trace = simulation._run(simulation.PRESETS["demo"].replace(meetings=25), 5, None)
    rewards = simulation.plutocratic_rewards(trace.meeting, trace.member, trace.respect)
    for amounts in (trace.respect, rewards):
        result = studies.concentration_by_meeting(
            trace.meeting, trace.member, amounts, top_share=0.2, nakamoto_threshold=0.6
        )
        for row in result.itertuples():
            upto = trace.meeting <= row.MeetingID
            held = pd.Series(amounts[upto]).groupby(trace.member[upto]).sum().to_numpy()
            curve = fairness.lorenz_curve(held)
            assert row.Members == held.size
            assert row.Gini == pytest.approx(fairness.gini(held), abs=1e-12)
            assert row.TopShare == pytest.approx(fairness.top_share(held, 0.2), abs=1e-12)
            assert row.Nakamoto == fairness.nakamoto_coefficient(held, threshold=0.6)
            for share in (0.25, 0.5, 0.75):
                expected = np.interp(share, curve["PopulationShare"], curve["RespectShare"])
                assert getattr(row, f"Lorenz{share * 100:g}") == pytest.approx(expected, abs=1e-12)


def test_nakamoto_threshold_keyword() -> None:
    assert fairness.nakamoto_coefficient([4, 3, 1]) == 2
    assert fairness.nakamoto_coefficient([4, 3, 1], threshold=0.4) == 1
    assert fairness.nakamoto_coefficient([4, 3, 1], threshold=0.9) == 3
    with pytest.raises(ValueError, match="threshold"):
        fairness.nakamoto_coefficient([1], threshold=1.0)


# -- summaries ------------------------------------------------------------------------------


def test_summary_interval_by_hand() -> None:
    final = pd.DataFrame(
        {
            "Run": [0, 1, 2],
            "Point": [0, 0, 0],
            "FractalGini": [0.1, 0.2, 0.3],
            "PlutocraticGini": [0.5, 0.5, 0.5],
        }
    )
    study = studies.Study(replicates=3, metrics=("gini",))
    summary = studies.summarize_final(study, final).set_index("System")
    # mean 0.2, SD 0.1, t(0.975, 2 df) = 4.302653: half-width 4.302653 * 0.1 / sqrt(3) = 0.248414.
    half = 4.302652729911275 * 0.1 / math.sqrt(3)
    fractal = summary.loc["Fractal"]
    assert (fractal["N"], fractal["Mean"]) == (3, pytest.approx(0.2))
    assert fractal["SD"] == pytest.approx(0.1)
    assert fractal["Low"] == pytest.approx(0.2 - half) and half == pytest.approx(
        0.2484138, abs=1e-7
    )
    assert fractal["High"] == pytest.approx(0.2 + half)
    pluto = summary.loc["Plutocratic"]
    assert pluto["SD"] == pytest.approx(0.0, abs=1e-15) and pluto["Low"] == pytest.approx(0.5)
    single = studies.summarize_final(study, final.iloc[:1]).set_index("System").loc["Fractal"]
    assert single["N"] == 1 and math.isnan(single["SD"]) and math.isnan(single["Low"])


def test_summary_merges_batches_exactly_as_one(tmp_path: Path) -> None:
    """Replicates split over batches (batch_size 1) summarise like one batch of all runs."""
    split = small_study(batch_size=1)
    whole = small_study(batch_size=8)
    studies.run_study(split, tmp_path / "split")
    studies.run_study(whole, tmp_path / "whole")
    a, b = studies.load_summary(tmp_path / "split"), studies.load_summary(tmp_path / "whole")
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, atol=1e-12)
    results = studies.load_results(tmp_path / "whole")
    direct = results.groupby(["Point", "MeetingID"])["FractalGini"].agg(["mean", "std", "count"])
    rows = b[(b["System"] == "Fractal") & (b["Metric"] == "Gini")].set_index(["Point", "MeetingID"])
    np.testing.assert_allclose(rows["Mean"], direct["mean"], atol=1e-12)
    np.testing.assert_allclose(rows["SD"], direct["std"], atol=1e-12)
    from scipy.stats import t

    half = t.ppf(0.975, direct["count"] - 1) * direct["std"] / np.sqrt(direct["count"])
    np.testing.assert_allclose(rows["High"] - rows["Mean"], half, atol=1e-12)
    final = studies.load_final(tmp_path / "whole")
    assert len(final) == 8 and (final["MeetingID"] == 12).all()


# -- backends -------------------------------------------------------------------------------


@pytest.mark.timeout(240)
def test_dask_local_cluster_and_processes_match_in_process(tmp_path: Path) -> None:
    study = small_study()
    studies.run_study(study, tmp_path / "inprocess", InProcess())
    expected = studies.load_results(tmp_path / "inprocess")
    assert len(expected) == 8 * 12
    with DaskBackend(workers=2, timeout=120) as backend:
        addresses = list(backend.client.scheduler_info()["workers"])
        assert len(addresses) == 2 and all("127.0.0.1" in a for a in addresses)
        assert backend.client.scheduler.address.startswith("tcp://127.0.0.1:")
        studies.run_study(study, tmp_path / "dask", backend)
    pd.testing.assert_frame_equal(
        studies.load_results(tmp_path / "dask"), expected, check_exact=True
    )
    with LocalProcesses(2) as backend:
        studies.run_study(study, tmp_path / "processes", backend)
    actual = studies.load_results(tmp_path / "processes")
    pd.testing.assert_frame_equal(actual, expected, check_exact=True)
    pd.testing.assert_frame_equal(
        studies.load_summary(tmp_path / "dask"), studies.load_summary(tmp_path / "inprocess"),
        check_exact=True,
    )  # fmt: skip


# -- interruption and resuming --------------------------------------------------------------


def _batch_files(out: Path) -> dict[str, tuple[int, int]]:
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted((out / studies.BATCH_FOLDER).glob("batch-*.parquet"))
    }


@pytest.mark.timeout(180)
def test_a_killed_study_resumes_without_recomputing(tmp_path: Path) -> None:
    spec = tmp_path / "study.toml"
    spec.write_text(SMALL.replace("batch_size = 2", "batch_size = 1"))
    out = tmp_path / "out"
    script = textwrap.dedent(
        f"""
        import time
        from fractal_governance import studies
        study = studies.Study.from_toml({str(spec)!r})
        studies.run_study(study, {str(out)!r}, on_batch=lambda batch: time.sleep(2.0))
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    process = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 120
        while not _batch_files(out):
            assert process.poll() is None, "the study ended before writing a batch"
            assert time.monotonic() < deadline, "no batch written within 120 s"
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    before = _batch_files(out)
    assert 1 <= len(before) < 8
    assert not (out / studies.SUMMARY_FILE).exists()
    with pytest.raises(studies.StudyFolderError, match="lacks"):
        studies.load_results(out)

    computed: list[int] = []
    study = studies.Study.from_toml(spec)
    studies.run_study(study, out, on_batch=computed.append)
    after = _batch_files(out)
    assert len(after) == 8
    assert {name: after[name] for name in before} == before  # untouched
    assert sorted(computed) == sorted(b for b in range(8) if f"batch-{b:06d}.parquet" not in before)
    studies.run_study(study, tmp_path / "fresh")
    pd.testing.assert_frame_equal(
        studies.load_results(out), studies.load_results(tmp_path / "fresh"), check_exact=True
    )
    assert not list((out / studies.BATCH_FOLDER).glob(".*.tmp"))


class _FailingBackend(InProcess):
    """Runs two tasks, then fails on the third (as a worker that dies would)."""

    def map_unordered(self, function, tasks):  # type: ignore[no-untyped-def]
        for index, task in enumerate(tasks):
            if index == 2:
                raise RuntimeError("worker lost")
            yield index, function(task)


class _SendingBackend(InProcess):
    """Workers without the client's file system: results come back to the client."""

    shares_files = False


def test_an_injected_failure_keeps_finished_batches(tmp_path: Path) -> None:
    study = small_study()
    with pytest.raises(RuntimeError, match="worker lost"):
        studies.run_study(study, tmp_path, _FailingBackend())
    assert set(_batch_files(tmp_path)) == {"batch-000000.parquet", "batch-000001.parquet"}
    computed: list[int] = []
    studies.run_study(study, tmp_path, on_batch=computed.append)
    assert sorted(computed) == [2, 3]
    assert len(studies.load_results(tmp_path)) == 8 * 12


def test_workers_without_shared_files_send_results_back(tmp_path: Path) -> None:
    study = small_study()
    tasks: list[tuple[object, ...]] = []

    class Recording(_SendingBackend):
        def map_unordered(self, function, tasks_):  # type: ignore[no-untyped-def]
            tasks.extend(tasks_)
            return super().map_unordered(function, tasks_)

    studies.run_study(study, tmp_path / "sent", Recording())
    assert [len(task) for task in tasks] == [2, 2, 2, 2]  # no folder for the workers
    studies.run_study(study, tmp_path / "written")
    for name in ("results", "summary", "final"):
        load = getattr(studies, f"load_{name}")
        pd.testing.assert_frame_equal(
            load(tmp_path / "sent"), load(tmp_path / "written"), check_exact=True
        )


def test_a_folder_of_another_study_is_refused(tmp_path: Path) -> None:
    studies.run_study(small_study(), tmp_path)
    with pytest.raises(studies.StudyFolderError, match="different study"):
        studies.run_study(small_study(seed=12), tmp_path)
    with pytest.raises(studies.StudyFolderError, match="not a study folder"):
        studies.load_results(tmp_path / "batches")


# -- study files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[studdy]\nreplicates = 2\n", "studdy"),
        ("[study]\nreplicate = 2\n", "study.replicate"),
        ("[study]\nreplicates = 0\n", "study.replicates"),
        ('[study]\nreplicates = "3"\n', "study.replicates"),
        ('[study]\npreset = "nope"\n', "study.preset"),
        ("[base]\nmeetings = 2.5\n", "base.meetings"),
        ("[base]\nconsensus_accuracy = 2.0\n", "base"),
        ("[grid]\nconsensus_acuracy = [0.5]\n", "grid.consensus_acuracy"),
        ("[grid]\nconsensus_accuracy = 0.5\n", "grid.consensus_accuracy"),
        ("[grid]\nconsensus_accuracy = [0.5, 1.5]\n", "grid.consensus_accuracy[1]"),
        ('[grid]\nmeetings = [10, "x"]\n', "grid.meetings[1]"),
        ('[grid]\nrespect_schedule = ["genesis", "nope"]\n', "grid.respect_schedule[1]"),
        ('[metrics]\nnames = ["gini", "theil"]\n', "metrics.names[1]"),
        ("[metrics]\nnakamoto_threshold = 1.0\n", "metrics.nakamoto_threshold"),
        ("[metrics]\nlorenz = [0.5, 1.0]\n", "metrics.lorenz[1]"),
        ('[grid]\nmeetings = [5]\n[report]\nheatmap = ["meetings", "seed"]\n', "report.heatmap"),
    ],
)
def test_study_file_errors_name_the_key(text: str, key: str) -> None:
    with pytest.raises(studies.StudyError) as raised:
        studies.Study.from_text(text)
    assert raised.value.key == key
    assert str(raised.value).startswith(f"{key}: ")


def test_study_file_values() -> None:
    study = studies.Study.from_text(
        textwrap.dedent(
            """
            [study]
            common_seeds = false
            [base]
            first_meeting = 2023-05-06
            team_names = ["A", "B"]
            [grid]
            respect_schedule = ["genesis", [1, 2, 3, 5, 8, 13]]
            meetings = [5, 8]
            [metrics]
            names = ["gini", "nakamoto"]
            nakamoto_threshold = 0.33
            """
        )
    )
    assert study.config(0).first_meeting.isoformat() == "2023-05-06"
    assert study.config(0).team_names == ("A", "B")
    assert study.config(3).respect_schedule.respect(6) == 13
    assert study.metric_columns() == ["Gini", "Nakamoto"]
    points = study.points()
    custom = "1,2,3,5,8,13"
    assert points["respect_schedule"].tolist() == ["genesis", "genesis", custom, custom]
    frame = studies.run_batch((study, 0))
    assert list(frame.columns) == [
        "Run", "Point", "Replicate", "respect_schedule", "meetings", "MeetingID", "Members",
        "FractalGini", "PlutocraticGini", "FractalNakamoto", "PlutocraticNakamoto",
    ]  # fmt: skip


def test_syntax_errors_say_where() -> None:
    with pytest.raises(studies.StudyError, match=r"not valid TOML.*line 1"):
        studies.Study.from_text("[study\n")


# -- command line, report and dashboard -----------------------------------------------------


def test_cli_study_errors_are_one_line_with_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[grid]\nconsensus_accuracy = [0.3, 1.5]\n")
    assert cli.main(["study", str(bad), "--out", str(tmp_path / "out")]) == cli.EXIT_USAGE
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "grid.consensus_accuracy[1]" in error
    assert not (tmp_path / "out").exists()
    assert cli.main(["study", str(bad)]) == cli.EXIT_USAGE
    assert "--out" in capsys.readouterr().err
    assert cli.main(["study", "report", str(tmp_path)]) == cli.EXIT_ERROR
    assert "not a study folder" in capsys.readouterr().err


def test_cli_study_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "study.toml"
    spec.write_text(SMALL)
    out = tmp_path / "out"
    assert cli.main(["study", str(spec), "--out", str(out), "--workers", "1"]) == cli.EXIT_OK
    assert capsys.readouterr().out.strip() == str(out)
    assert cli.main(["study", "report", str(out)]) == cli.EXIT_OK
    index = Path(capsys.readouterr().out.strip())
    assert index == out / "report" / "index.html"
    page = index.read_text()
    for name in ("concentration", "heatmap", "fractal_vs_plutocracy"):
        assert (out / "report" / f"{name}.png").stat().st_size > 1000
        assert f'src="{name}.png"' in page
    assert "consensus_accuracy" in page and "Final values per grid point" in page


@pytest.mark.timeout(180)
def test_dashboard_shows_the_operators_study(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    studies.run_study(small_study(), tmp_path)
    monkeypatch.setenv("FRACTAL_GOVERNANCE_STUDY", str(tmp_path))
    app = AppTest.from_file(
        str(REPO / "fractal_governance" / "streamlit" / "genesis_fractal.py"), default_timeout=120
    )
    app.run()
    assert not app.exception
    assert app.title[0].value == "Simulation study: small"
    assert len(app.main.get("image")) == 3
    app.selectbox(key="fg_study_metric").set_value("Nakamoto").run()
    assert not app.exception
    assert set(app.dataframe[0].value["Metric"]) == {"Nakamoto"}


@pytest.mark.timeout(120)
def test_cli_runs_on_an_existing_scheduler(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'--scheduler ADDRESS' connects to a running cluster (here one of threads, 127.0.0.1)."""
    from distributed import LocalCluster

    spec = tmp_path / "study.toml"
    spec.write_text(SMALL)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
        host="127.0.0.1", dashboard_address=None,
    ) as cluster:  # fmt: skip
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        args = ["study", str(spec), "--out", str(tmp_path / "out"), "--scheduler", address]
        assert cli.main(args) == cli.EXIT_OK
        assert cli.main([*args, "--workers", "2"]) == cli.EXIT_USAGE
    capsys.readouterr()
    studies.run_study(small_study(), tmp_path / "inprocess")
    pd.testing.assert_frame_equal(
        studies.load_results(tmp_path / "out"),
        studies.load_results(tmp_path / "inprocess"),
        check_exact=True,
    )


def test_cli_study_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["study", "--help"]) == cli.EXIT_OK
    text = capsys.readouterr().out
    assert text.startswith("usage: fractal-governance study")
    for option in ("STUDY.toml", "report", "--out", "--workers", "--scheduler", "LocalCluster"):
        assert option in text
