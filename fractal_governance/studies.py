"""Simulation studies: a grid of model parameters times replicate seeds, on any backend.

One run of :func:`~fractal_governance.simulation.simulate` is an anecdote; a *study* runs
every combination of a grid of :class:`~fractal_governance.simulation.SimulationConfig`
values (the grid *points*) with ``replicates`` seeds each, and reports how concentrated
Respect becomes, under fractal consensus and under the plutocratic baseline of
:func:`~fractal_governance.simulation.plutocratic_rewards` (same attendance, same Respect
per meeting, shared in proportion to holdings), with 95 % intervals over the replicates.

Runs and seeds
    Run ``r`` is replicate ``r % replicates`` of point ``r // replicates``. Its seed is the
    child ``SeedSequence(seed).spawn(n)[i]`` (computed directly as ``SeedSequence(seed,
    spawn_key=(i,))``), with ``i`` the replicate (``common_seeds``, the default: replicate
    ``k`` of every point shares its seed, so differences between points come from the
    parameters, not from luck) or the run (independent seeds). The same study gives the same
    numbers on every backend and machine.

Results (one row per run and meeting)
    ``Run, Point, Replicate``, one column per grid parameter, ``MeetingID``, ``Members``
    (members seen so far), then for ``Fractal`` and ``Plutocratic`` side by side the
    concentration of the Respect accumulated so far: ``Gini``, ``TopShare`` (share of the
    top ``top_share`` of members, default 10 %), ``Nakamoto`` (fewest members holding more
    than ``nakamoto_threshold``, default 50 %) and the Lorenz summary ``Lorenz25``,
    ``Lorenz50``, ``Lorenz75`` (share of Respect held by the poorest 25 %, 50 %, 75 %;
    points configurable). These are :mod:`fractal_governance.fairness`'s measures.

Summary
    Per point, meeting, system and metric: the number of replicates ``N``, ``Mean``, ``SD``
    and a 95 % confidence interval of the mean, ``Low`` and ``High`` (Student's t with
    ``N - 1`` degrees of freedom; NaN for a single replicate). ``final.parquet`` holds each
    run's last meeting, for comparisons of end states.

Folder layout (``run_study(study, out)``)
    ``study.json`` (the study, to check a resumed study is the same one), ``batches/`` with
    Parquet files per batch of runs: ``batch-NNNNNN`` (the results; written last, so it marks
    the batch as finished), ``partial-NNNNNN`` and ``final-NNNNNN`` (its share of the summary
    and its runs' last meetings), each written atomically (complete or absent); then
    ``summary.parquet`` and ``final.parquet``. Running a study into a folder that
    holds some of its batches computes only the missing ones.

A study file is TOML (see :meth:`Study.from_toml`)::

    [study]
    preset = "demo"
    replicates = 20
    seed = 2032

    [base]
    meetings = 100

    [grid]
    consensus_accuracy = [0.3, 0.7, 1.0]
    respect_effect = [0.0, 2.5]

    [metrics]
    nakamoto_threshold = 0.5
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import json
import math
import os
import tempfile
import tomllib
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from fractal_governance import simulation
from fractal_governance.math import RespectSchedule
from fractal_governance.studies_backends import Backend, InProcess

__all__ = [
    "FINAL_FILE",
    "METRICS",
    "SUMMARY_FILE",
    "SYSTEMS",
    "Study",
    "StudyError",
    "StudyFolderError",
    "concentration_by_meeting",
    "finished_batches",
    "load_final",
    "load_results",
    "load_study",
    "load_summary",
    "metric_columns",
    "run_batch",
    "run_batch_outputs",
    "run_study",
    "seeds",
    "summarize",
    "summarize_final",
]

METRICS = ("gini", "top_share", "nakamoto", "lorenz")
"""Metric names a study file may list under ``[metrics] names``."""
SYSTEMS = ("Fractal", "Plutocratic")
"""Prefixes of the metric columns: fractal consensus and the plutocratic baseline."""

STUDY_FILE = "study.json"
BATCH_FOLDER = "batches"
SUMMARY_FILE = "summary.parquet"
FINAL_FILE = "final.parquet"

BATCH_MEETINGS = 2000
"""Default batch size: about this many simulated meetings per batch (20 runs of 100)."""
CHUNK_CELLS = 2**20
"""Meetings x members cells that :func:`concentration_by_meeting` holds at once."""
FORMAT_VERSION = 1

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(runs_done, runs_total)``."""


class StudyError(ValueError):
    """A study file that cannot be run; the message names the offending key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key


class StudyFolderError(RuntimeError):
    """An output folder that holds something else (another study, or no study)."""


# -- the study ------------------------------------------------------------------------------

_FIELDS = {f.name: f for f in dataclasses.fields(simulation.SimulationConfig)}
_HINTS = typing.get_type_hints(simulation.SimulationConfig)


def _type_name(hint: object) -> str:
    names: dict[object, str] = {
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        str: "a text",
        datetime.date: "a date (YYYY-MM-DD)",
        tuple[str, ...]: "a list of texts",
        RespectSchedule: "a schedule name (genesis, ...) or a list of whole numbers",
    }
    return names.get(hint, str(hint))


def _raw_value(name: str, value: Any, key: str) -> Any:
    """A TOML value for field ``name`` checked and made JSON-friendly (dates as ISO text)."""
    hint = _HINTS[name]
    bad = StudyError(key, f"expected {_type_name(hint)}, got {value!r}")
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad
        return float(value)
    if hint is bool or hint is str:
        if not isinstance(value, hint):
            raise bad
        return value
    if hint is datetime.date:
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                raise bad from None
        raise bad
    if hint == tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad
        return list(value)
    if hint is RespectSchedule:
        if isinstance(value, str):
            text = value
        elif isinstance(value, list) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            text = ",".join(str(v) for v in value)
        else:
            raise bad
        _schedule(text, key)
        return value
    raise StudyError(key, f"{name} cannot be set from a study file")


def _schedule(text: str, key: str) -> RespectSchedule:
    from fractal_governance.policies import schedule_from_text

    try:
        return schedule_from_text(text)
    except ValueError as error:
        raise StudyError(key, str(error)) from None


def _field_value(name: str, raw: Any) -> Any:
    """The SimulationConfig value of a checked raw value."""
    hint = _HINTS[name]
    if hint is datetime.date:
        return datetime.date.fromisoformat(raw)
    if hint == tuple[str, ...]:
        return tuple(raw)
    if hint is RespectSchedule:
        return _schedule(raw if isinstance(raw, str) else ",".join(map(str, raw)), name)
    return raw


def _label(raw: Any) -> Any:
    """How a raw value appears in the results table (lists as comma-separated text)."""
    return ",".join(map(str, raw)) if isinstance(raw, list) else raw


def _column_dtype(name: str) -> str:
    hint = _HINTS[name]
    dtypes: dict[object, str] = {int: "int64", float: "float64", bool: "bool"}
    return dtypes.get(hint, "str")


def _known(table: Mapping[str, Any], allowed: Sequence[str], section: str) -> None:
    for key in table:
        if key not in allowed:
            raise StudyError(
                f"{section}.{key}" if section else key,
                f"unknown key; known keys: {', '.join(allowed)}",
            )


def _get(
    table: Mapping[str, Any],
    key: str,
    section: str,
    kind: type | tuple[type, ...],
    default: Any,
    check: Callable[[Any], bool] = lambda _: True,
    rule: str = "",
) -> Any:
    if key not in table:
        return default
    value = table[key]
    name = f"{section}.{key}"
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        plain = {int: "a whole number", float: "a number", bool: "true or false", str: "a text"}
        wanted = " or ".join(
            plain.get(k, f"a {k.__name__}") for k in kinds if k is not int or float not in kinds
        )
        raise StudyError(name, f"expected {wanted}, got {value!r}")
    if not check(value):
        raise StudyError(name, f"must be {rule}, got {value!r}")
    return value


@dataclass(frozen=True)
class Study:
    """A grid of model parameters times replicates (build with :meth:`from_toml`).

    Attributes hold JSON-friendly values as written in the study file: ``base`` changes the
    preset, ``grid`` maps each varied parameter to its values (every combination is a point,
    the first parameter varying slowest).
    """

    name: str = "study"
    preset: str = "demo"
    base: dict[str, Any] = field(default_factory=dict)
    grid: dict[str, list[Any]] = field(default_factory=dict)
    replicates: int = 10
    seed: int = simulation.DEFAULT_SEED
    common_seeds: bool = True
    batch_size: int = 0
    entry_stake: float = 1.0
    metrics: tuple[str, ...] = METRICS
    top_share: float = 0.1
    nakamoto_threshold: float = 0.5
    lorenz: tuple[float, ...] = (0.25, 0.5, 0.75)
    heatmap: tuple[str, ...] = ()

    # -- reading ---------------------------------------------------------------------------

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Study:
        """Read a study file; :class:`StudyError` names the offending key.

        Tables and keys (all optional):

        - ``[study]``: ``name``, ``preset`` (default ``demo``), ``replicates`` (10),
          ``seed``, ``common_seeds`` (true), ``batch_size`` (runs per batch; default about
          2,000 meetings per batch), ``entry_stake`` (the plutocratic baseline's, 1.0).
        - ``[base]``: any ``SimulationConfig`` field, changing the preset.
        - ``[grid]``: any ``SimulationConfig`` field with a list of values.
        - ``[metrics]``: ``names`` (of ``gini``, ``top_share``, ``nakamoto``, ``lorenz``;
          default all), ``top_share`` (0.1), ``nakamoto_threshold`` (0.5), ``lorenz``
          (population shares, default ``[0.25, 0.5, 0.75]``).
        - ``[report]``: ``heatmap``, the two grid parameters of the final-Gini heatmap
          (default: the first two).
        """
        text = Path(path).read_text(encoding="utf-8")
        return cls.from_text(text)

    @classmethod
    def from_text(cls, text: str) -> Study:
        """Like :meth:`from_toml`, from the file's text."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise StudyError("", f"not valid TOML: {error}") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Study:
        """Like :meth:`from_toml`, from the parsed TOML tables."""
        _known(data, ("study", "base", "grid", "metrics", "report"), "")
        for section, table in data.items():
            if not isinstance(table, dict):
                raise StudyError(section, "must be a table, e.g. [" + section + "]")
        head = data.get("study", {})
        _known(
            head,
            (
                "name",
                "preset",
                "replicates",
                "seed",
                "common_seeds",
                "batch_size",
                "entry_stake",
            ),
            "study",
        )
        name = _get(head, "name", "study", str, "study")
        preset = _get(head, "preset", "study", str, "demo")
        if preset not in simulation.PRESETS:
            raise StudyError(
                "study.preset",
                f"unknown preset {preset!r}; known presets: {', '.join(simulation.PRESETS)}",
            )
        positive = (lambda v: v >= 1, "at least 1")
        replicates = _get(head, "replicates", "study", int, 10, *positive)
        seed = _get(head, "seed", "study", int, simulation.DEFAULT_SEED, lambda v: v >= 0, ">= 0")
        common = _get(head, "common_seeds", "study", bool, True)
        batch_size = _get(head, "batch_size", "study", int, 0, *positive)
        stake = float(_get(head, "entry_stake", "study", (int, float), 1.0, lambda v: v > 0, "> 0"))

        base: dict[str, Any] = {}
        for key, value in data.get("base", {}).items():
            if key not in _FIELDS:
                raise StudyError(f"base.{key}", _unknown_field(key))
            base[key] = _raw_value(key, value, f"base.{key}")
        grid: dict[str, list[Any]] = {}
        for key, values in data.get("grid", {}).items():
            where = f"grid.{key}"
            if key not in _FIELDS:
                raise StudyError(where, _unknown_field(key))
            if not isinstance(values, list) or not values:
                raise StudyError(where, f"expected a non-empty list of values, got {values!r}")
            grid[key] = [_raw_value(key, value, f"{where}[{i}]") for i, value in enumerate(values)]
            labels = [json.dumps(_label(v)) for v in grid[key]]
            if len(set(labels)) != len(labels):
                raise StudyError(where, "lists a value twice")

        metrics_table = data.get("metrics", {})
        _known(metrics_table, ("names", "top_share", "nakamoto_threshold", "lorenz"), "metrics")
        names = _get(metrics_table, "names", "metrics", list, list(METRICS))
        for i, metric in enumerate(names):
            if metric not in METRICS:
                raise StudyError(
                    f"metrics.names[{i}]",
                    f"unknown metric {metric!r}; known metrics: {', '.join(METRICS)}",
                )
        if not names or len(set(names)) != len(names):
            raise StudyError("metrics.names", "must list distinct metrics, at least one")
        top = float(
            _get(
                metrics_table, "top_share", "metrics", (int, float), 0.1,
                lambda v: 0 < v <= 1, "in (0, 1]",
            )
        )  # fmt: skip
        threshold = float(
            _get(
                metrics_table, "nakamoto_threshold", "metrics", (int, float), 0.5,
                lambda v: 0 < v < 1, "in (0, 1)",
            )
        )  # fmt: skip
        lorenz = _get(metrics_table, "lorenz", "metrics", list, [0.25, 0.5, 0.75])
        for i, share in enumerate(lorenz):
            if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
                raise StudyError(
                    f"metrics.lorenz[{i}]", f"must be a share in (0, 1), got {share!r}"
                )
        if "lorenz" in names and not lorenz:
            raise StudyError("metrics.lorenz", "must list at least one population share")

        report = data.get("report", {})
        _known(report, ("heatmap",), "report")
        heatmap = _get(report, "heatmap", "report", list, [])
        if heatmap and (len(heatmap) != 2 or not all(p in grid for p in heatmap)):
            raise StudyError(
                "report.heatmap",
                f"expected two of the grid parameters ({', '.join(grid) or 'none'}), "
                f"got {heatmap!r}",
            )
        study = cls(
            name=name,
            preset=preset,
            base=base,
            grid=grid,
            replicates=replicates,
            seed=seed,
            common_seeds=common,
            batch_size=batch_size,
            entry_stake=stake,
            metrics=tuple(names),
            top_share=top,
            nakamoto_threshold=threshold,
            lorenz=tuple(float(v) for v in lorenz),
            heatmap=tuple(heatmap),
        )
        study.check()
        if not batch_size:
            study = dataclasses.replace(study, batch_size=study.default_batch_size())
        return study

    def check(self) -> None:
        """Build every point's configuration once; :class:`StudyError` names what is wrong."""
        try:
            base = self.base_config()
        except (TypeError, ValueError) as error:
            raise StudyError("base", _one_line(error)) from None
        for key, values in self.grid.items():
            for i, raw in enumerate(values):
                try:
                    base.replace(**{key: _field_value(key, raw)})
                except (TypeError, ValueError) as error:
                    raise StudyError(f"grid.{key}[{i}]", _one_line(error)) from None
        for point in range(self.point_count):
            try:
                self.config(point)
            except (TypeError, ValueError) as error:
                where = ", ".join(f"{k} = {v!r}" for k, v in self.point(point).items())
                raise StudyError("grid", f"the point {where}: {_one_line(error)}") from None

    # -- points, runs, seeds, batches ----------------------------------------------------

    @property
    def parameters(self) -> tuple[str, ...]:
        """The grid parameters, in file order."""
        return tuple(self.grid)

    @property
    def point_count(self) -> int:
        return math.prod(len(values) for values in self.grid.values())

    @property
    def run_count(self) -> int:
        return self.point_count * self.replicates

    def point(self, index: int) -> dict[str, Any]:
        """The raw grid values of point ``index`` (the first parameter varies slowest)."""
        values: dict[str, Any] = {}
        for key in reversed(self.parameters):
            index, position = divmod(index, len(self.grid[key]))
            values[key] = self.grid[key][position]
        return {key: values[key] for key in self.parameters}

    def points(self) -> pd.DataFrame:
        """One row per point: ``Point`` and the grid parameters (as in the results)."""
        rows = [self.point(i) for i in range(self.point_count)]
        frame = pd.DataFrame({"Point": np.arange(self.point_count, dtype=np.int64)})
        for key in self.parameters:
            frame[key] = pd.Series([_label(r[key]) for r in rows], dtype=_column_dtype(key))
        return frame

    def base_config(self) -> simulation.SimulationConfig:
        changes = {key: _field_value(key, raw) for key, raw in self.base.items()}
        return simulation.PRESETS[self.preset].replace(**changes)

    def config(self, point: int) -> simulation.SimulationConfig:
        """The SimulationConfig of point ``point``."""
        changes = {key: _field_value(key, raw) for key, raw in self.point(point).items()}
        return self.base_config().replace(**changes)

    def seed_sequence(self, run: int) -> np.random.SeedSequence:
        """Seed of run ``run``: ``SeedSequence(seed).spawn(...)[i]`` (see the module doc)."""
        child = run % self.replicates if self.common_seeds else run
        return np.random.SeedSequence(self.seed, spawn_key=(child,))

    def default_batch_size(self) -> int:
        """About :data:`BATCH_MEETINGS` simulated meetings per batch (at least one run)."""
        meetings = max(self.config(p).meetings for p in range(self.point_count))
        return max(1, min(self.run_count, round(BATCH_MEETINGS / max(meetings, 1))))

    @property
    def batch_count(self) -> int:
        return -(-self.run_count // self.batch_size)

    def batch_runs(self, batch: int) -> range:
        start = batch * self.batch_size
        return range(start, min(start + self.batch_size, self.run_count))

    # -- identity --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["metrics"] = list(self.metrics)
        data["lorenz"] = list(self.lorenz)
        data["heatmap"] = list(self.heatmap)
        return {"format": FORMAT_VERSION, **data}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Study:
        values = {k: v for k, v in data.items() if k != "format"}
        for key in ("metrics", "lorenz", "heatmap"):
            values[key] = tuple(values.get(key, ()))
        return cls(**values)

    def fingerprint(self) -> str:
        """A digest of everything that determines the results (not the batch count only)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def metric_columns(self) -> list[str]:
        return metric_columns(self.metrics, self.lorenz)


def _unknown_field(key: str) -> str:
    return f"not a simulation parameter; known parameters: {', '.join(_FIELDS)}"


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _lorenz_name(share: float) -> str:
    return f"Lorenz{share * 100:g}"


def metric_columns(
    metrics: Sequence[str] = METRICS, lorenz: Sequence[float] = (0.25, 0.5, 0.75)
) -> list[str]:
    """Metric names in the results (without the ``Fractal``/``Plutocratic`` prefix)."""
    names: list[str] = []
    for metric in METRICS:
        if metric not in metrics:
            continue
        if metric == "lorenz":
            names += [_lorenz_name(share) for share in lorenz]
        else:
            names.append({"gini": "Gini", "top_share": "TopShare", "nakamoto": "Nakamoto"}[metric])
    return names


# -- concentration after each meeting -------------------------------------------------------


def concentration_by_meeting(
    meeting_ids: npt.ArrayLike,
    member_ids: npt.ArrayLike,
    respect: npt.ArrayLike,
    *,
    top_share: float = 0.1,
    nakamoto_threshold: float = 0.5,
    lorenz: Sequence[float] = (0.25, 0.5, 0.75),
) -> pd.DataFrame:
    """How concentrated accumulated Respect is after each meeting.

    After meeting ``m`` every member seen so far holds what they earned up to ``m``; the
    columns are the :mod:`~fractal_governance.fairness` measures of those holdings:
    ``Gini`` (:func:`~fractal_governance.fairness.gini`), ``TopShare`` (``top_share``),
    ``Nakamoto`` (with ``nakamoto_threshold``) and ``Lorenz<p>`` (the Lorenz curve at
    population share ``p``, linear between its points), plus ``MeetingID`` and ``Members``.

    All meetings are computed together with array operations over a (meetings x members)
    table of holdings, one sort per meeting row, in chunks of :data:`CHUNK_CELLS` cells.
    """
    meetings = np.asarray(meeting_ids, dtype=np.int64).ravel()
    amounts = np.asarray(respect, dtype=np.float64).ravel()
    members = np.asarray(member_ids).ravel()
    ids, meeting_code = np.unique(meetings, return_inverse=True)
    _, member_code = np.unique(members, return_inverse=True)
    meeting_count, member_count = ids.size, int(member_code.max(initial=-1)) + 1
    order = np.argsort(meeting_code, kind="stable")
    meeting_code, member_code, amounts = meeting_code[order], member_code[order], amounts[order]
    first = np.full(member_count, meeting_count, dtype=np.int64)
    np.minimum.at(first, member_code, meeting_code)
    seen_after = np.cumsum(np.bincount(first, minlength=meeting_count + 1))[:meeting_count]
    bounds = np.searchsorted(meeting_code, np.arange(meeting_count + 1))

    columns: dict[str, npt.NDArray[Any]] = {
        "Gini": np.zeros(meeting_count),
        "TopShare": np.zeros(meeting_count),
        "Nakamoto": np.zeros(meeting_count, dtype=np.int64),
        **{_lorenz_name(p): np.zeros(meeting_count) for p in lorenz},
    }
    position = np.arange(1, member_count + 1, dtype=np.float64)
    carry = np.zeros(member_count)
    step = max(1, CHUNK_CELLS // max(member_count, 1))
    for lo in range(0, meeting_count, step):
        hi = min(meeting_count, lo + step)
        rows = slice(bounds[lo], bounds[hi])
        earned = np.zeros((hi - lo, member_count))
        np.add.at(earned, (meeting_code[rows] - lo, member_code[rows]), amounts[rows])
        earned[0] += carry
        held = np.cumsum(earned, axis=0)
        carry = held[-1].copy()
        unseen = first[None, :] > np.arange(lo, hi)[:, None]
        held[unseen] = -np.inf
        desc = np.sort(held, axis=1)[:, ::-1]  # richest first, the unseen (-inf) last
        desc[~np.isfinite(desc)] = 0.0
        running = np.cumsum(desc, axis=1)
        n = seen_after[lo:hi]
        total = running[:, -1] if member_count else np.zeros(hi - lo)
        positive = total > 0
        safe = np.where(positive, total, 1.0)
        index = np.arange(hi - lo)

        # Gini: sum over pairs |x_i - x_j| = sum_j (n + 1 - 2j) x_(j), richest first.
        pairs = (n + 1) * total - 2.0 * np.einsum("ij,j->i", desc, position)
        gini = np.clip(pairs / (np.maximum(n, 1) * safe), 0.0, 1.0)
        columns["Gini"][lo:hi] = np.where(positive, gini, 0.0)
        # Top share: the ceil(fraction * n) richest (at least one).
        count = np.maximum(1, np.ceil(top_share * n - 1e-9)).astype(np.int64)
        top = running[index, np.minimum(count, max(member_count, 1)) - 1]
        columns["TopShare"][lo:hi] = np.where(positive, top / safe, np.nan)
        # Nakamoto: the first prefix of the richest holding more than the threshold.
        below = (running <= nakamoto_threshold * total[:, None]).sum(axis=1)
        columns["Nakamoto"][lo:hi] = np.where(positive, below + 1, 0)
        # Lorenz: the poorest i hold total - (the n - i richest); linear in between.
        for share in lorenz:
            x = share * n
            whole = np.floor(x).astype(np.int64)
            fraction = x - whole
            rich = n - whole  # how many are not among the poorest `whole`
            richest = np.where(rich > 0, running[index, np.clip(rich - 1, 0, None)], 0.0)
            next_value = np.where(rich > 0, desc[index, np.clip(rich - 1, 0, None)], 0.0)
            value = (total - richest + fraction * next_value) / safe
            columns[_lorenz_name(share)][lo:hi] = np.where(positive, np.clip(value, 0, 1), share)
    return pd.DataFrame(
        {"MeetingID": ids.astype(np.int64), "Members": seen_after.astype(np.int64), **columns}
    )


# -- running batches ------------------------------------------------------------------------


def run_batch(task: tuple[Study, int]) -> pd.DataFrame:
    """The results of one batch (``(study, batch)``): its runs' rows, sorted by run and
    meeting. This is what every backend runs; it depends on nothing but its arguments."""
    study, batch = task
    configs: dict[int, simulation.SimulationConfig] = {}
    names = study.metric_columns()
    parts: dict[str, list[npt.NDArray[Any]]] = {}

    def add(column: str, values: npt.NDArray[Any]) -> None:
        parts.setdefault(column, []).append(values)

    for run in study.batch_runs(batch):
        point, replicate = divmod(run, study.replicates)
        if point not in configs:
            configs[point] = study.config(point)
        config = configs[point]
        trace = simulation._run(config, study.seed_sequence(run), None)
        measure = functools.partial(
            concentration_by_meeting,
            top_share=study.top_share,
            nakamoto_threshold=study.nakamoto_threshold,
            lorenz=study.lorenz,
        )
        fractal = measure(trace.meeting, trace.member, trace.respect)
        pluto_rewards = simulation.plutocratic_rewards(
            trace.meeting, trace.member, trace.respect, entry_stake=study.entry_stake
        )
        pluto = measure(trace.meeting, trace.member, pluto_rewards)
        rows = len(fractal)
        add("Run", np.full(rows, run, dtype=np.int64))
        add("Point", np.full(rows, point, dtype=np.int64))
        add("Replicate", np.full(rows, replicate, dtype=np.int64))
        add("MeetingID", fractal["MeetingID"].to_numpy())
        add("Members", fractal["Members"].to_numpy())
        for name in names:
            add(f"Fractal{name}", fractal[name].to_numpy())
            add(f"Plutocratic{name}", pluto[name].to_numpy())

    data = {column: np.concatenate(values) for column, values in parts.items()}
    frame = pd.DataFrame(data)
    if frame.empty:
        frame = _empty_results(study)
    points = study.points()
    frame = frame.merge(points, on="Point", how="left", sort=False)
    return frame[_result_columns(study)]


def _result_columns(study: Study) -> list[str]:
    metrics = [f"{system}{name}" for name in study.metric_columns() for system in SYSTEMS]
    return ["Run", "Point", "Replicate", *study.parameters, "MeetingID", "Members", *metrics]


def _empty_results(study: Study) -> pd.DataFrame:
    frame = pd.DataFrame(
        {name: np.zeros(0, dtype=np.int64) for name in ("Run", "Point", "Replicate")}
    )
    frame["MeetingID"] = np.zeros(0, dtype=np.int64)
    frame["Members"] = np.zeros(0, dtype=np.int64)
    for name in study.metric_columns():
        dtype = np.int64 if name == "Nakamoto" else np.float64
        for system in SYSTEMS:
            frame[f"{system}{name}"] = np.zeros(0, dtype=dtype)
    return frame


def _batch_path(out: Path, batch: int) -> Path:
    return out / BATCH_FOLDER / f"batch-{batch:06d}.parquet"


def _side_path(out: Path, kind: str, batch: int) -> Path:
    """A batch's summary partial (``partial``) or its runs' last meetings (``final``)."""
    return out / BATCH_FOLDER / f"{kind}-{batch:06d}.parquet"


SUMMARY_KEYS = ["Point", "MeetingID", "System", "Metric"]


def run_batch_outputs(
    task: tuple[Study, int] | tuple[Study, int, str],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None:
    """The task every backend runs: one batch and what the summary needs of it.

    ``task`` is ``(study, batch)`` or ``(study, batch, folder)``. The outputs are the
    batch's results (:func:`run_batch`), its partial summary (count, mean and sum of
    squared deviations per point, meeting, system and metric) and its runs' last meetings.
    With a folder (workers that share the client's file system) the worker writes them
    there itself, the results file last, and returns None; else it returns them.
    """
    study, batch = task[0], task[1]
    frame = run_batch((study, batch))
    outputs = (frame, _batch_partial(study, frame), _batch_final(frame))
    if len(task) < 3:
        return outputs
    _write_batch(Path(task[2]), batch, *outputs)
    return None


def _write_batch(
    folder: Path, batch: int, frame: pd.DataFrame, partial: pd.DataFrame, final: pd.DataFrame
) -> None:
    """Write a batch's files atomically; the results file goes last: it marks the batch
    as finished."""
    _write_atomically(_side_path(folder, "partial", batch), _parquet_writer(partial))
    _write_atomically(_side_path(folder, "final", batch), _parquet_writer(final))
    _write_atomically(_batch_path(folder, batch), _parquet_writer(frame))


def _batch_partial(study: Study, frame: pd.DataFrame) -> pd.DataFrame:
    """Count, mean and sum of squared deviations (``N``, ``Mean``, ``M2``) per point,
    meeting, system and metric, in the layout of :data:`SUMMARY_KEYS`."""
    names = study.metric_columns()
    columns = [f"{system}{name}" for system in SYSTEMS for name in names]
    groups = frame.groupby(["Point", "MeetingID"], sort=True)[columns]
    count, mean, variance = groups.count(), groups.mean(), groups.var(ddof=0)
    index = count.index
    parts = []
    for system in SYSTEMS:
        for name in names:
            column = f"{system}{name}"
            n = count[column].to_numpy(np.int64)
            parts.append(
                pd.DataFrame(
                    {
                        "Point": index.get_level_values("Point").to_numpy(np.int64),
                        "MeetingID": index.get_level_values("MeetingID").to_numpy(np.int64),
                        "System": system,
                        "Metric": name,
                        "N": n,
                        "Mean": mean[column].to_numpy(np.float64),
                        "M2": np.nan_to_num(variance[column].to_numpy(np.float64)) * n,
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=[*SUMMARY_KEYS, "N", "Mean", "M2"])
    return pd.concat(parts, ignore_index=True)


def _batch_final(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.groupby("Run", sort=True).tail(1).reset_index(drop=True)


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """``write`` a temporary file beside ``path``, then rename it over ``path``."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(temp))
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def _parquet_writer(frame: pd.DataFrame) -> Callable[[Path], object]:
    """A writer of ``frame`` as Parquet (for :func:`_write_atomically`)."""

    def write(path: Path) -> None:
        frame.to_parquet(path, index=False)

    return write


def _prepare_folder(study: Study, out: Path) -> None:
    """Create ``out`` for ``study``, or check that it holds the same study (to resume)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / BATCH_FOLDER).mkdir(exist_ok=True)
    spec = out / STUDY_FILE
    record = {"fingerprint": study.fingerprint(), "study": study.to_dict()}
    if spec.exists():
        try:
            existing = json.loads(spec.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise StudyFolderError(f"{spec} cannot be read: {_one_line(error)}") from None
        if existing.get("fingerprint") != record["fingerprint"]:
            raise StudyFolderError(
                f"{out} holds a different study (its {STUDY_FILE} differs); "
                "choose another output folder"
            )
    else:
        text = json.dumps(record, indent=2, sort_keys=True) + "\n"
        _write_atomically(spec, lambda path: path.write_text(text, encoding="utf-8"))
    for leftover in (out / BATCH_FOLDER).glob(".*.tmp"):
        leftover.unlink(missing_ok=True)  # from an interrupted write


def finished_batches(study: Study, out: str | os.PathLike[str]) -> set[int]:
    """Batches of ``study`` whose results are in ``out`` already."""
    folder = Path(out) / BATCH_FOLDER
    return (
        {b for b in range(study.batch_count) if _batch_path(Path(out), b).is_file()}
        if (folder.is_dir())
        else set()
    )


def run_study(
    study: Study,
    out: str | os.PathLike[str],
    backend: Backend | None = None,
    *,
    progress: ProgressCallback | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> Path:
    """Run ``study`` into the folder ``out`` (resuming a study run there before).

    Parameters
    ----------
    study : Study
    out : path
        The output folder (created). Batches already in it are not recomputed.
    backend : Backend, optional
        Where batches run (default :class:`~fractal_governance.studies_backends.InProcess`);
        the caller closes it.
    progress : callable, optional
        ``progress(runs_done, runs_total)`` at the start and after each batch.
    on_batch : callable, optional
        ``on_batch(batch)`` after a batch's file is written.

    Returns
    -------
    pathlib.Path
        ``out``; the results are :func:`load_results`, :func:`load_summary`,
        :func:`load_final` of it.
    """
    folder = Path(out)
    _prepare_folder(study, folder)
    done = finished_batches(study, folder)
    todo = [b for b in range(study.batch_count) if b not in done]
    runs_done = sum(len(study.batch_runs(b)) for b in done)
    if progress is not None:
        progress(runs_done, study.run_count)
    runner = backend if backend is not None else InProcess()
    # Workers that see this file system write their batches themselves (the client then
    # does almost nothing); others send them here.
    where = (str(folder.resolve()),) if runner.shares_files else ()
    tasks = [(study, batch, *where) for batch in todo]
    for index, outputs in runner.map_unordered(run_batch_outputs, tasks):
        batch = todo[index]
        if outputs is not None:
            _write_batch(folder, batch, *outputs)
        runs_done += len(study.batch_runs(batch))
        if on_batch is not None:
            on_batch(batch)
        if progress is not None:
            progress(runs_done, study.run_count)
    summary, final = summarize(study, folder)
    _write_atomically(folder / SUMMARY_FILE, _parquet_writer(summary))
    _write_atomically(folder / FINAL_FILE, _parquet_writer(final))
    return folder


# -- reading and summarising ----------------------------------------------------------------


def load_study(out: str | os.PathLike[str]) -> Study:
    """The study run into the folder ``out``."""
    spec = Path(out) / STUDY_FILE
    if not spec.is_file():
        raise StudyFolderError(f"{out} is not a study folder (it has no {STUDY_FILE})")
    try:
        return Study.from_json(json.loads(spec.read_text(encoding="utf-8"))["study"])
    except (KeyError, TypeError, ValueError) as error:
        raise StudyFolderError(f"{spec} cannot be read: {_one_line(error)}") from None


def _batches(study: Study, out: Path) -> list[Path]:
    paths = [_batch_path(out, b) for b in range(study.batch_count)]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise StudyFolderError(
            f"{out} lacks {len(missing)} of {len(paths)} batches (e.g. {missing[0]}); "
            "run the study again to finish it"
        )
    return paths


def load_results(out: str | os.PathLike[str], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """All results of the (finished) study in ``out``, sorted by run and meeting."""
    study = load_study(out)
    wanted = list(columns) if columns is not None else None
    frames = [pd.read_parquet(p, columns=wanted) for p in _batches(study, Path(out))]
    return pd.concat(frames, ignore_index=True) if frames else _empty_results(study)


def _interval(n: npt.NDArray[np.float64], sd: npt.NDArray[np.float64]) -> npt.NDArray[Any]:
    """Half-width of the 95 % t interval of a mean of ``n`` values (NaN for n < 2)."""
    from scipy.stats import t

    with np.errstate(invalid="ignore", divide="ignore"):
        quantile = t.ppf(0.975, np.where(n > 1, n - 1, np.nan))
        return quantile * sd / np.sqrt(n)


def _long(frame: pd.DataFrame, keys: list[str], names: list[str]) -> pd.DataFrame:
    parts = []
    for system in SYSTEMS:
        for name in names:
            part = frame[keys].copy()
            part["System"] = system
            part["Metric"] = name
            part["Value"] = frame[f"{system}{name}"].to_numpy(dtype=np.float64)
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _finish(partial: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Combine per-batch (N, Mean, M2) partials by ``keys``: mean, SD and the 95 % interval."""
    work = partial.assign(Weighted=partial["N"] * partial["Mean"])
    groups = work.groupby(keys, sort=True)
    n = groups["N"].sum()
    mean = groups["Weighted"].sum() / n
    work = work.join(mean.rename("GrandMean"), on=keys)
    work["Spread"] = work["M2"] + work["N"] * (work["Mean"] - work["GrandMean"]) ** 2
    m2 = work.groupby(keys, sort=True)["Spread"].sum()
    out = pd.DataFrame({"N": n.astype(np.int64), "Mean": mean})
    with np.errstate(invalid="ignore", divide="ignore"):
        out["SD"] = np.sqrt(np.where(n > 1, m2 / (n - 1), np.nan))
    half = _interval(out["N"].to_numpy(np.float64), out["SD"].to_numpy(np.float64))
    out["Low"] = out["Mean"] - half
    out["High"] = out["Mean"] + half
    return out.reset_index()


def _partial(long: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    groups = long.groupby(keys, sort=True)["Value"]
    part = groups.agg(N="count", Mean="mean").reset_index()
    var = groups.var(ddof=0).to_numpy()
    part["M2"] = np.nan_to_num(var) * part["N"].to_numpy()
    return part


def summarize(study: Study, out: str | os.PathLike[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The summary and the final-meeting table of the finished study in ``out``.

    Reads each batch's partial summary and last meetings (made by the workers; made here
    from the batch's results when missing), so memory grows with points x meetings and runs,
    not with rows.

    Returns
    -------
    (summary, final) : DataFrames
        ``summary``: ``Point``, the grid parameters, ``MeetingID``, ``System``, ``Metric``,
        ``N``, ``Mean``, ``SD``, ``Low``, ``High`` (one row per point, meeting, system and
        metric). ``final``: each run's last meeting (the results' columns).
    """
    folder = Path(out)
    keys = SUMMARY_KEYS
    partials = []
    finals = []
    for batch, path in enumerate(_batches(study, folder)):
        partial_path = _side_path(folder, "partial", batch)
        final_path = _side_path(folder, "final", batch)
        if partial_path.is_file() and final_path.is_file():
            partials.append(pd.read_parquet(partial_path))
            finals.append(pd.read_parquet(final_path))
        else:
            frame = pd.read_parquet(path)
            partials.append(_batch_partial(study, frame))
            finals.append(_batch_final(frame))
    points = study.points()
    if partials:
        summary = _finish(pd.concat(partials, ignore_index=True), keys)
    else:
        summary = pd.DataFrame(columns=[*keys, "N", "Mean", "SD", "Low", "High"])
    summary = summary.merge(points, on="Point", how="left")
    order = ["Point", *study.parameters, "MeetingID", "System", "Metric"]
    summary = summary[[*order, "N", "Mean", "SD", "Low", "High"]]
    final = pd.concat(finals, ignore_index=True) if finals else _empty_results(study)
    return summary, final.reset_index(drop=True)


def summarize_final(study: Study, final: pd.DataFrame) -> pd.DataFrame:
    """Per point, system and metric: the mean and 95 % interval of the runs' end states."""
    keys = ["Point", "System", "Metric"]
    part = _partial(_long(final, ["Point"], study.metric_columns()), keys)
    summary = _finish(part, keys).merge(study.points(), on="Point", how="left")
    return summary[
        ["Point", *study.parameters, "System", "Metric", "N", "Mean", "SD", "Low", "High"]
    ]


def load_summary(out: str | os.PathLike[str]) -> pd.DataFrame:
    """``summary.parquet`` of the study in ``out`` (see :func:`summarize`)."""
    return _read_output(Path(out), SUMMARY_FILE)


def load_final(out: str | os.PathLike[str]) -> pd.DataFrame:
    """``final.parquet`` of the study in ``out``: each run's last meeting."""
    return _read_output(Path(out), FINAL_FILE)


def _read_output(out: Path, name: str) -> pd.DataFrame:
    path = out / name
    if not path.is_file():
        load_study(out)  # a clear error for a folder that is no study at all
        raise StudyFolderError(f"{out} has no {name}: the study has not finished")
    return pd.read_parquet(path)


def seeds(study: Study) -> list[np.random.SeedSequence]:
    """The seed of every run, in run order (for checking; runs compute their own)."""
    return [study.seed_sequence(run) for run in range(study.run_count)]
