"""Weights & Biases exports: a runs table, per-run histories and a sweep configuration.

The source is a folder holding

``runs.csv`` (or ``.parquet``)
    one row per run, as exported from the runs table or through the API:
    an id column (``id``, ``run_id`` or ``name``), ``state``, and the
    config and summary either as columns ``config`` and ``summary`` holding
    one object each (JSON or Python literal text, as ``pandas`` writes the
    dicts of the API export), or as prefixed columns ``config.<key>`` /
    ``summary.<key>`` (also ``config/``, ``summary/``). For an export whose
    columns carry no prefix, ``mapping={"hp": [...], "metrics": [...]}``
    says which columns are config and which summary.
``history/<run id>.csv`` (or ``.jsonl``, ``.parquet``), optional
    the run's history (``run.history()``): ``_step`` and ``_runtime`` become
    step and time_s, the other numeric columns metric curves.
``sweep.yaml``, optional (needs the ``importers`` extra)
    the sweep configuration: ``metric: {name, goal}`` states that metric's
    direction; ``parameters`` becomes the search space: ``uniform``,
    ``int_uniform``, ``q_uniform`` → linear; ``log_uniform_values``,
    ``q_log_uniform_values``, ``inv_log_uniform_values`` → log;
    ``log_uniform`` (bounds as exponents of e) → log between ``exp(min)``
    and ``exp(max)``; ``values`` → choice; ``value`` → fixed; unbounded
    distributions (normal, log-normal, beta) are left out, reported.

States: ``finished`` → completed; ``crashed``, ``failed``, ``killed`` →
failed; ``running``/``pending`` runs are skipped. Summaries give the finals
(W&B's summary is a run's last logged value unless the run set another
summary). W&B does not name the workload or the optimizer: give them with
``constants``, or map a config key with ``mapping``.
"""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError, StudyFileError, require
from ..study import Study
from ._builder import StudyBuilder, progress_iter
from ._files import existing, read_csv, read_jsonl
from ._metrics import metric_column, parse_metric_option
from ._options import import_options
from ._spaces import choice_or_fixed, space_from
from .raytune import flatten

__all__ = ["read", "read_sweep"]

_ID_COLUMNS = ("id", "ID", "run_id", "Run ID", "name", "Name")
_META = {"state": "state", "State": "state", "Runtime": "runtime", "runtime": "runtime",
         "Created": "created", "created_at": "created", "Sweep": "sweep", "sweep": "sweep",
         "Tags": "tags", "tags": "tags", "Notes": "notes", "User": "user", "Name": "name",
         "name": "name"}
_LINEAR = ("uniform", "int_uniform", "q_uniform")
_LOG = ("log_uniform_values", "q_log_uniform_values", "inv_log_uniform_values")
_MAPPABLE = ("workload", "protocol", "optimizer", "hp", "metrics")


def _sweep_entry(name: str, spec: Any, path: Path) -> dict[str, Any] | None:
    """One sweep parameter as a search-space entry (None: unbounded, left out)."""
    if not isinstance(spec, Mapping):
        raise DataError(f"{path}: parameters.{name} must be a mapping")
    if "value" in spec:
        return {"fixed": spec["value"]}
    if "values" in spec:
        return choice_or_fixed(spec["values"])
    kind = spec.get("distribution") or ("int_uniform" if isinstance(spec.get("min"), int)
                                        and isinstance(spec.get("max"), int) else "uniform")
    if kind in _LINEAR:
        return {"scale": "linear", "low": spec.get("min"), "high": spec.get("max")}
    if kind in _LOG:
        return {"scale": "log", "low": spec.get("min"), "high": spec.get("max")}
    if kind in ("log_uniform", "q_log_uniform"):
        return {"scale": "log", "low": math.exp(spec["min"]), "high": math.exp(spec["max"])}
    return None


def read_sweep(path: Any) -> tuple[dict[str, dict[str, Any]], list[str], dict[str, str] | None]:
    """A sweep YAML: (search-space entries, parameters left out, ``{name, goal}`` of
    its metric or None)."""
    yaml = require("yaml", "importers")
    path = existing(path, "sweep configuration")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise StudyFileError(f"{path}: malformed YAML: {exc}") from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("parameters", {}), Mapping):
        raise DataError(f"{path}: a sweep configuration is a mapping with `parameters`")
    entries, left_out = {}, []
    for name, spec in flatten_sweep(doc.get("parameters", {})).items():
        entry = _sweep_entry(name, spec, path)
        if entry is None:
            left_out.append(name)
        else:
            entries[name] = entry
    metric = doc.get("metric")
    if metric is not None and not (isinstance(metric, Mapping) and "name" in metric
                                   and metric.get("goal") in ("minimize", "maximize")):
        raise DataError(f"{path}: `metric` must be {{name, goal: minimize|maximize}}; "
                        f"got {metric!r}")
    return entries, left_out, metric


def flatten_sweep(parameters: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested sweep parameters (``{"optim": {"parameters": {"lr": {...}}}}``)
    flattened to ``{"optim.lr": {...}}``, as the runs' configs are."""
    out = {}
    for name, spec in parameters.items():
        path = f"{prefix}.{name}" if prefix else str(name)
        if isinstance(spec, Mapping) and isinstance(spec.get("parameters"), Mapping):
            out.update(flatten_sweep(spec["parameters"], path))
        else:
            out[path] = spec
    return out


def _object(text: Any, where: str) -> dict[str, Any]:
    """A config/summary cell: JSON or Python-literal text of an object."""
    if isinstance(text, Mapping):
        return dict(text)
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return {}
    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(str(text))
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, Mapping):
            return dict(value)
    raise StudyFileError(f"{where}: not an object: {str(text)[:60]!r}")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _number(value: Any) -> float | None:
    """A summary value as a finite or infinite number; None for NaN, missing
    values and non-numbers."""
    if isinstance(value, (bool, np.bool_)) or _missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(number) else number


def _runs_table(folder: Path) -> tuple[pd.DataFrame, Path]:
    for name in ("runs.csv", "runs.parquet"):
        path = folder / name
        if path.exists():
            return (read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)), path
    raise StudyFileError(f"{folder}: no runs.csv or runs.parquet (the exported runs table)")


def _split_columns(runs: pd.DataFrame, path: Path, opts: Any) -> tuple[
        list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Per run: config and summary as mappings; plus the columns left out."""
    n = len(runs)
    if "config" in runs and "summary" in runs:
        configs = [flatten(_object(v, f"{path}: row {i + 1}, config"), sep=".")
                   for i, v in enumerate(runs["config"])]
        summaries = [flatten(_object(v, f"{path}: row {i + 1}, summary"), sep=".")
                     for i, v in enumerate(runs["summary"])]
        used = {"config", "summary"}
    else:
        prefixed = {c: c[len("config."):] if c.startswith("config") else c[len("summary."):]
                    for c in runs.columns if c.startswith(("config.", "config/", "summary.",
                                                           "summary/"))}
        hp_cols = opts.mapping.get("hp") or [c for c in prefixed if c.startswith("config")]
        metric_cols = opts.mapping.get("metrics") or [c for c in prefixed
                                                      if c.startswith("summary")]
        if not hp_cols and not metric_cols:
            raise DataError(f"{path}: cannot tell config from summary columns (no `config`/"
                            "`summary` columns, no config./summary. prefixes); say which are "
                            "which with mapping={'hp': [...], 'metrics': [...]} (--map "
                            "hp=COL,COL --map metrics=COL,COL)")
        for column in (*hp_cols, *metric_cols):
            if column not in runs:
                raise ParameterError(f"`mapping` names the column {column!r}, which {path} "
                                     f"does not have; it has {', '.join(runs.columns)}.")
        configs = [{prefixed.get(c, c): runs[c].iloc[i] for c in hp_cols} for i in range(n)]
        summaries = [{prefixed.get(c, c): runs[c].iloc[i] for c in metric_cols}
                     for i in range(n)]
        used = {*hp_cols, *metric_cols}
    left = [c for c in runs.columns if c not in used and c not in _META and c not in _ID_COLUMNS]
    return configs, summaries, left


def _history(folder: Path | None, run_id: str) -> pd.DataFrame | None:
    if folder is None:
        return None
    for suffix in (".csv", ".jsonl", ".parquet"):
        path = folder / f"{run_id}{suffix}"
        if path.exists():
            if suffix == ".csv":
                return read_csv(path)
            if suffix == ".jsonl":
                return read_jsonl(path)
            return pd.read_parquet(path)
    return None


def read(src: Any, *, history: Any = None, search_space: Any = None, **options: Any) -> Study:
    """Read a W&B export (see the module docstring) into a study.

    Parameters
    ----------
    src : str or Path
        The export folder (or the runs table file itself).
    history : str or Path, optional
        The folder of per-run histories (default: ``history/`` beside the
        runs table, where there is one).
    search_space : str or Path, optional
        The sweep YAML (default: ``sweep.yaml``/``sweep.yml`` beside the runs
        table, where there is one).
    **options
        The options of every importer (see :mod:`tunestats.importers`);
        ``mapping`` may also name the ``hp`` and ``metrics`` columns.

    Returns
    -------
    Study
        The import report in ``study.provenance["import"]``.
    """
    opts = import_options(mappable=_MAPPABLE, **options)
    src = existing(src, "W&B export")
    folder = src if src.is_dir() else src.parent
    runs, table_path = _runs_table(folder) if src.is_dir() else (
        read_csv(src) if src.suffix == ".csv" else pd.read_parquet(src), src)
    builder = StudyBuilder("wandb", table_path, opts, dense=False,
                           expected="runs in the runs table")
    id_column = next((c for c in _ID_COLUMNS if c in runs), None)
    if id_column is None:
        raise DataError(f"{table_path}: no run id column (one of {', '.join(_ID_COLUMNS)})")
    state_column = next((c for c in ("state", "State") if c in runs), None)
    history = Path(history) if history is not None else (
        folder / "history" if (folder / "history").is_dir() else None)
    space_path = search_space if search_space is not None else next(
        (p for p in (folder / "sweep.yaml", folder / "sweep.yml") if p.exists()), None)
    entries: dict[str, dict[str, Any]] = {}
    if space_path is not None:
        entries, left_out, metric = read_sweep(space_path)
        for name in left_out:
            builder.report.skip("parameter", name, "an unbounded sweep distribution (normal, "
                                "log-normal, beta): not a search range")
        if metric is not None:
            builder.state_metric(parse_metric_option(metric_column(metric["name"]),
                                                     metric["goal"]))
    configs, summaries, left = _split_columns(runs, table_path, opts)
    for column in left:
        builder.report.skip("column", column, "neither config, summary nor run metadata")
    builder.report.count("runs", len(runs))
    pairs, no_history, not_numbers = set(), 0, set()
    for i in progress_iter(list(range(len(runs))), opts):
        run_id = str(runs[id_column].iloc[i])
        place = f"{table_path}: run {run_id}"
        state = str(runs[state_column].iloc[i]).lower() if state_column else "finished"
        status = builder.status_of(state, place)
        if status is None:
            continue
        hp = dict(configs[i])
        key = opts.resolve_key({}, hp, builder.report)
        pairs.add((key["protocol"], key["optimizer"]))
        finals = {}
        for name, value in summaries[i].items():
            number = _number(value)
            if name.startswith("_") or number is None:
                if not name.startswith("_") and not _missing(value):
                    not_numbers.add(name)
                continue
            finals[metric_column(name)] = number
        try:
            frame = _history(history, run_id)
        except StudyFileError as exc:
            builder.report.skip("trial", place, str(exc))
            continue
        curve = None
        if frame is not None and "_step" in frame:
            numeric = {c: metric_column(c) for c in frame.columns if not c.startswith("_")
                       and pd.api.types.is_numeric_dtype(frame[c])
                       and not pd.api.types.is_bool_dtype(frame[c])}
            curve = frame.rename(columns={"_step": "step", "_runtime": "time_s", **numeric})
            curve = curve[["step", *(["time_s"] if "time_s" in curve else []),
                           *numeric.values()]]
        elif history is not None:
            no_history += 1
        attrs = {"run_id": run_id, **{_META[c]: runs[c].iloc[i] for c in runs.columns
                                      if c in _META and _META[c] not in ("state", "runtime")
                                      and c != id_column}}
        runtime = next((runs[c].iloc[i] for c in ("Runtime", "runtime") if c in runs), None)
        runtime = summaries[i].get("_runtime", runtime)
        builder.add_trial({**key, "repeat": 0, "trial": i}, place=place,
                          status=status, hp=hp, curve=curve, finals=finals, attrs=attrs,
                          message=None if state == "finished" else f"W&B state {state}",
                          duration_s=pd.to_numeric(runtime, errors="coerce")
                          if runtime is not None else None)
    for name in sorted(not_numbers):
        builder.report.skip("column", f"summary {name}", "not a number (e.g. a histogram)")
    if no_history:
        builder.report.note(f"{no_history} run(s) have no history file in {history}: no curves")
    if entries:
        keys = {opts.column(f) for f in ("workload", "protocol", "optimizer")}
        space = space_from(str(space_path), {n: e for n, e in entries.items() if n not in keys})
        for protocol, optimizer in sorted(pairs):
            builder.add_space(protocol, optimizer, space, str(space_path))
    builder.report.note("trials numbered in the order of the runs table (attr.run_id keeps "
                        "the W&B id); finals are the runs' summaries, where a NaN reads as "
                        "not logged (an export cannot tell it from a missing value)")
    return builder.build(name=folder.resolve().name)
