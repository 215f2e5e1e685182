"""Ray Tune experiment folders.

Ray Tune writes one folder per trial in the experiment folder, each with
``params.json`` (the trial's config), and its results as ``progress.csv``
(one row per reported result) and/or ``result.json`` (the same as JSON
Lines); a trial that raised leaves ``error.txt``.

=========================  ==================================================
Ray Tune                   study
=========================  ==================================================
trial folder               trial: the number that starts the trial's
                           ``experiment_tag`` (else the folders' order)
``params.json``            ``hp.<name>`` (nested configs flattened with
                           ``/``, as Ray names them: ``optim/lr``)
``training_iteration``     step
``time_total_s``           time_s
other numeric results      metrics (directions inferred from the names)
``error.txt``              status failed (its last line as the message)
=========================  ==================================================

Ray Tune does not name the workload or the optimizer: give them with
``constants``, or map a config entry with ``mapping``. Its files do not say
which trials a scheduler stopped early, so every trial without
``error.txt`` is completed (reported).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import StudyFileError
from ..study import Study
from ._builder import StudyBuilder, progress_iter
from ._files import existing, read_csv, read_json, read_jsonl, subfolders
from ._metrics import metric_column
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
    folders = [f for f in subfolders(root) if (f / "params.json").exists()]
    builder.report.count("trial folders", len(folders))
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
        tag = None
        if results is not None and "experiment_tag" in results and len(results):
            match = _TAG.match(str(results["experiment_tag"].iloc[-1]))
            tag = int(match.group(1)) if match else None
        trials.append((folder, flatten(config), results, tag))
    numbers = [t[3] for t in trials]
    if None in numbers or len(set(numbers)) != len(numbers):
        numbers = list(range(len(trials)))
        builder.report.note("trials numbered in the order of their folders' names (no distinct "
                            "experiment_tag numbers)")
    skipped_columns: set[str] = set()
    ignored: set[str] = set()
    for (folder, hp, results, _), number in zip(trials, numbers, strict=True):
        key = opts.resolve_key({}, hp, builder.report)
        status, message, curve = "completed", None, None
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
        builder.add_trial({**key, "repeat": 0, "trial": number}, status=status,
                          place=str(folder), hp=hp, curve=curve, message=message)
    for column in sorted(skipped_columns):
        builder.report.skip("column", column, "not numeric: not a metric")
    ignored -= {"training_iteration", "time_total_s"}
    if ignored:
        builder.report.note("Ray Tune's own result columns not imported (the config is read "
                            "from params.json): " + ", ".join(sorted(ignored)))
    builder.report.note("trials without error.txt are completed: Ray Tune's files do not say "
                        "which trials a scheduler stopped early")
    return builder.build(name=root.resolve().name)
