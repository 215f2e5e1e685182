"""Ray Tune experiment folders.

Ray Tune writes one folder per trial in the experiment folder, each with
``params.json`` (the trial's config), and its results as ``progress.csv``
(one row per reported result) and/or ``result.json`` (the same as JSON
Lines); a trial that raised leaves ``error.txt``. Beside them,
``experiment_state-<time>.json`` holds each trial's status and the metric the
experiment optimised (``runner_data._metric``), and ``tuner.pkl`` the
``TuneConfig`` with its ``mode``.

=========================  ==================================================
Ray Tune                   study
=========================  ==================================================
trial folder               trial: the number that starts the trial's
                           ``experiment_tag`` (else the folders' order)
``params.json``            ``hp.<name>`` (nested configs flattened with
                           ``/``, as Ray names them: ``optim/lr``)
``training_iteration``     step
``time_total_s``           time_s
other numeric results      metrics (directions inferred from the names,
                           but the experiment's metric has its ``mode``)
status ``TERMINATED``      completed, or stopped early (below)
status ``ERROR``,          failed (the last line of ``error.txt`` as the
``error.txt``              message)
``RUNNING``, ``PENDING``,  skipped (not finished), reported
``PAUSED``
=========================  ==================================================

**Early stopping.** A scheduler (ASHA, HyperBand, median stopping) ends the
trials it judges behind, and Ray records them as ``TERMINATED`` like those
that ran their full budget. A terminated trial whose last
``training_iteration`` is below the longest trial's is taken as stopped early:
``attr.stopped_early`` is ``"true"`` and ``attr.stopped_at`` its last iteration.
Policy: such a trial is stored as **failed** (as Optuna's pruned trials are)
with a message saying where it stopped: its final metrics were measured at a
smaller budget and are not comparable with the others'; its curve keeps what
it logged. The report counts early-stopped trials per pool.

``mode`` is read from ``tuner.pkl`` by scanning its pickle opcodes for the
``mode`` field (nothing is unpickled or run); without it the direction of
the experiment's metric is inferred from its name (reported).

Ray Tune does not name the workload or the optimizer: give them with
``constants``, or map a config entry with ``mapping``.
"""

from __future__ import annotations

import itertools
import json
import pickletools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import StudyFileError
from ..study import Study
from ._builder import StudyBuilder, progress_iter
from ._files import existing, read_csv, read_json, read_jsonl, subfolders
from ._metrics import infer_metric, metric_column, parse_metric_option
from ._options import import_options

__all__ = ["AUTO_COLUMNS", "flatten", "read"]

#: Columns Ray Tune fills in itself: not metrics.
AUTO_COLUMNS = frozenset({
    "training_iteration", "time_this_iter_s", "time_total_s", "timestamp", "done",
    "episodes_total", "timesteps_total", "timesteps_this_iter", "trial_id", "experiment_id",
    "date", "pid", "hostname", "node_ip", "time_since_restore", "timesteps_since_restore",
    "iterations_since_restore", "experiment_tag", "warmup_time", "should_checkpoint",
    "checkpoint_dir_name", "config"})
_MAPPABLE = ("workload", "protocol", "optimizer")
_TAG = re.compile(r"^(\d+)")


def flatten(config: Mapping[str, Any], prefix: str = "", sep: str = "/") -> dict[str, Any]:
    """A nested mapping flattened, keys joined with ``sep``."""
    out: dict[str, Any] = {}
    for name, value in config.items():
        path = f"{prefix}{sep}{name}" if prefix else str(name)
        if isinstance(value, Mapping):
            out.update(flatten(value, path, sep))
        else:
            out[path] = value
    return out


def _results(folder: Path) -> pd.DataFrame | None:
    if (folder / "progress.csv").exists():
        return read_csv(folder / "progress.csv")
    if (folder / "result.json").exists():
        results = read_jsonl(folder / "result.json")
        return results.drop(columns=[c for c in ("config",) if c in results])
    return None


_STATUS = {"TERMINATED": "completed", "ERROR": "failed", "RUNNING": None, "PENDING": None,
           "PAUSED": None}


def _experiment_state(root: Path, builder: StudyBuilder) -> tuple[dict[str, dict], str | None]:
    """From the newest ``experiment_state-*.json``: each trial's status by its
    folder name, and the experiment's metric (None without the file)."""
    files = sorted(root.glob("experiment_state-*.json"))
    if not files:
        builder.report.note("no experiment_state-*.json: every trial without error.txt is "
                            "taken as terminated")
        return {}, None
    doc = read_json(files[-1])
    trials = {}
    for entry in doc.get("trial_data", []) if isinstance(doc, Mapping) else []:
        try:
            state = entry[0] if isinstance(entry[0], Mapping) else json.loads(entry[0])
        except (TypeError, IndexError, json.JSONDecodeError):
            builder.report.skip("trial", files[-1], "an entry of trial_data is not a trial state")
            continue
        if state.get("relative_logdir"):
            trials[Path(state["relative_logdir"]).name] = state
    runner = doc.get("runner_data", {}) if isinstance(doc, Mapping) else {}
    return trials, runner.get("_metric")


def _pickled_mode(path: Path) -> str | None:
    """The ``mode`` ("min"/"max") of the TuneConfig in ``tuner.pkl``, found by
    scanning the pickle's opcodes (nothing is unpickled), or None."""
    if not path.is_file():
        return None
    try:
        strings = [arg for _, arg, _ in pickletools.genops(path.read_bytes())
                   if isinstance(arg, str)]
    except Exception:  # a damaged pickle: no mode
        return None
    modes = {b for a, b in itertools.pairwise(strings) if a == "mode" and b in ("min", "max")}
    return modes.pop() if len(modes) == 1 else None


def read(src: Any, **options: Any) -> Study:
    """Read a Ray Tune experiment folder into a study.

    Parameters
    ----------
    src : str or Path
        The experiment folder (holding one folder per trial).
    **options
        The options of every importer (see :mod:`tunestats.importers`);
        ``mapping`` may name a config entry whose value becomes the
        workload, protocol or optimizer.

    Returns
    -------
    Study
        The import report in ``study.provenance["import"]``.
    """
    opts = import_options(mappable=_MAPPABLE, **options)
    root = existing(src, "Ray Tune experiment folder")
    builder = StudyBuilder("raytune", root, opts, dense=False,
                           expected="trial folders with params.json and progress.csv or "
                                    "result.json")
    folders = []
    for folder in subfolders(root):
        if (folder / "params.json").exists():
            folders.append(folder)
        else:
            builder.report.skip("folder", folder, "no params.json: not a trial folder")
    builder.report.count("trial folders", len(folders))
    states, objective = _experiment_state(root, builder)
    if objective is not None:
        mode = _pickled_mode(root / "tuner.pkl")
        name = metric_column(objective)
        if mode is not None:
            builder.state_metric(parse_metric_option(name, "minimize" if mode == "min"
                                                     else "maximize"))
        else:
            builder.report.note(f"the experiment optimised {objective!r}; its mode is not "
                                "readable (no tuner.pkl): the direction is inferred from "
                                "the name")
            metric, _ = infer_metric(name)
            if metric is not None:
                builder.state_metric(metric)
    trials = []
    for folder in progress_iter(folders, opts):
        try:
            config = read_json(folder / "params.json")
            if not isinstance(config, Mapping):
                raise StudyFileError(f"{folder / 'params.json'}: expected a JSON object")
            results = _results(folder)
        except StudyFileError as exc:
            builder.report.skip("trial", folder, str(exc))
            continue
        tag = states.get(folder.name, {}).get("experiment_tag")
        if tag is None and results is not None and "experiment_tag" in results and len(results):
            tag = results["experiment_tag"].iloc[-1]
        match = _TAG.match(str(tag)) if tag is not None else None
        tag = int(match.group(1)) if match else None
        trials.append((folder, flatten(config), results, tag))
    numbers = [t[3] for t in trials]
    if None in numbers or len(set(numbers)) != len(numbers):
        numbers = list(range(len(trials)))
        builder.report.note("trials numbered in the order of their folders' names (no distinct "
                            "experiment_tag numbers)")
    skipped_columns: set[str] = set()
    ignored: set[str] = set()
    longest = max((int(r["training_iteration"].max()) for _, _, r, _ in trials
                   if r is not None and len(r) and "training_iteration" in r), default=None)
    for (folder, hp, results, _), number in zip(trials, numbers, strict=True):
        key = opts.resolve_key({}, hp, builder.report)
        pool = f"{key['workload']}/{key['protocol']}/{key['optimizer']}"
        word = states.get(folder.name, {}).get("status", "TERMINATED")
        if word not in _STATUS or _STATUS[word] is None:
            builder.report.skip("trial", folder, f"status {word!r} in the experiment state "
                                "(not finished)" if word in _STATUS else
                                f"unknown status {word!r} in the experiment state", pool)
            continue
        status, message, curve = _STATUS[word], None, None
        if status == "failed":
            message = f"Ray Tune status {word}"
        stopped_at = None
        if (folder / "error.txt").exists():
            lines = (folder / "error.txt").read_text(encoding="utf-8", errors="replace")
            status = "failed"
            message = (lines.strip().splitlines() or ["error.txt"])[-1]
        if results is None or not len(results) or "training_iteration" not in results:
            message = message or "no results (progress.csv or result.json)"
            status = "failed"
        else:
            metrics = {}
            for column in results.columns:
                if column in AUTO_COLUMNS or column.startswith("config/"):
                    ignored.add(column)
                    continue
                if pd.api.types.is_numeric_dtype(results[column]) and not (
                        pd.api.types.is_bool_dtype(results[column])):
                    metrics[column] = metric_column(column)
                else:
                    skipped_columns.add(column)
            curve = results.rename(columns={"training_iteration": "step", "time_total_s": "time_s",
                                            **metrics})
            curve = curve[["step", *(["time_s"] if "time_s" in curve else []),
                           *metrics.values()]]
            last = int(results["training_iteration"].max())
            if status == "completed" and longest is not None and last < longest:
                stopped_at = last
                status = "failed"
                message = (f"stopped early by the scheduler at iteration {last} (the longest "
                           f"trials ran {longest})")
        attrs = {"trial_id": states.get(folder.name, {}).get("trial_id")}
        if stopped_at is not None:
            attrs.update(stopped_early=True, stopped_at=stopped_at)
        builder.add_trial({**key, "repeat": 0, "trial": number}, status=status,
                          place=str(folder), hp=hp, curve=curve, message=message,
                          attrs={k: v for k, v in attrs.items() if v is not None},
                          stopped_early=stopped_at is not None)
    for column in sorted(skipped_columns):
        builder.report.skip("column", column, "not numeric: not a metric")
    ignored -= {"training_iteration", "time_total_s"}
    if ignored:
        builder.report.note("Ray Tune's own result columns not imported (the config is read "
                            "from params.json): " + ", ".join(sorted(ignored)))
    builder.report.note("a terminated trial that ended before the longest trial's last "
                        "iteration is taken as stopped early by the scheduler: stored as "
                        "failed, attr.stopped_early = true (Ray's files do not say who "
                        "stopped it)")
    return builder.build(name=root.resolve().name)
