"""Weights & Biases runs: offline run files, or an export (runs table, histories, sweep).

**Offline runs.** ``wandb.init`` with ``WANDB_MODE=offline`` writes
``wandb/offline-run-<time>-<id>/run-<id>.wandb``, a binary transaction log.
Given that ``wandb/`` folder (or one run folder), the importer reads each
``.wandb`` file through wandb's own reader (``wandb leet inspect --json``, the
``wandb-core`` of the installed ``wandb``; needs the ``wandb`` extra, no
account and no network): the run's config (``hp.<key>``), history (curves,
``_step`` → step, ``_runtime`` → time_s), summary (finals) and exit code (0 →
finished, else crashed; no exit record → still running, skipped). A folder
without exactly one ``.wandb`` file, or one wandb cannot read, is skipped and
listed.

**Exports.** The source is a folder holding

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
    ``q_uniform`` → linear; ``int_uniform``, and ``q_uniform`` with integer
    ``min``, ``max`` and ``q`` → int; ``log_uniform_values``,
    ``inv_log_uniform_values`` → log; ``q_log_uniform_values`` → log, int_log
    when ``q`` is 1 and ``min`` ≥ 1 (the integer rules of W&B's own optuna
    scheduler); ``log_uniform``/``q_log_uniform`` (bounds as exponents of e)
    → log between ``exp(min)`` and ``exp(max)`` (int_log as before);
    ``values`` → choice (``[true, false]``: bool); ``value`` → fixed;
    unbounded distributions (normal, log-normal, beta) are left out, reported. Each
    parameter's type (``int`` for ``int_uniform``, integer ``q`` or integer
    values, ``bool``, ``float``, ``text``) is kept in
    ``provenance.wandb_sweep_types`` (hyperparameter columns hold numbers as
    floats and booleans as ``"true"``/``"false"``).

States: ``finished`` → completed; ``crashed``, ``failed``, ``killed`` →
failed; ``running``/``pending`` runs are skipped. Summaries give the finals
(W&B's summary is a run's last logged value unless the run set another
summary): a NaN or infinite summary value (``nan``/``inf`` as Python's
``repr`` writes them in the docs' export recipe, ``NaN``/``Infinity`` in JSON)
marks the run diverged; an empty cell or an absent key is a value not logged.
W&B does not name the workload or the optimizer: give them with
``constants``, or map a config key — or, in a UI export, any column of the
runs table — with ``mapping``. The sweep's space is declared for each
(protocol, optimizer) whose runs all have every parameter it tunes (other
pairs are listed as skipped). Run ids name history files only when they are
plain file names (``../x`` is listed as skipped): nothing outside the export
folder is read.
"""

from __future__ import annotations

import ast
import json
import math
import numbers
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..errors import DataError, MissingDependencyError, ParameterError, StudyFileError, require
from ..study import Study
from ._builder import StudyBuilder, progress_iter
from ._files import existing, read_csv, read_jsonl, subfolders
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
#: The header pandas gives the index column that ``DataFrame.to_csv`` writes.
_PANDAS_INDEX = "Unnamed: 0"
_MAPPABLE = ("workload", "protocol", "optimizer", "hp", "metrics")


def _sweep_entry(name: str, spec: Any, path: Path) -> dict[str, Any] | None:
    """One sweep parameter as a search-space entry (None: unbounded, left out)."""
    if not isinstance(spec, Mapping):
        raise DataError(f"{path}: parameters.{name} must be a mapping")
    if "value" in spec:
        return {"fixed": spec["value"]}
    if "values" in spec:
        return choice_or_fixed(spec["values"])
    kind = _sweep_kind(spec)
    if kind in ("log_uniform", "q_log_uniform"):
        low, high = math.exp(spec["min"]), math.exp(spec["max"])
    else:
        low, high = spec.get("min"), spec.get("max")
    if kind not in (*_LINEAR, *_LOG, "log_uniform", "q_log_uniform"):
        return None
    log = kind not in _LINEAR
    if _sweep_type(spec) == "int":  # the integers within the bounds
        if isinstance(low, numbers.Real) and isinstance(high, numbers.Real):
            low, high = math.ceil(low - 1e-9), math.floor(high + 1e-9)
        return {"scale": "int_log" if log else "int", "low": low, "high": high}
    return {"scale": "log" if log else "linear", "low": low, "high": high}


def _sweep_kind(spec: Mapping[str, Any]) -> str:
    """The sweep parameter's distribution (W&B's default: ``int_uniform`` for integer
    bounds, else ``uniform``)."""
    return spec.get("distribution") or ("int_uniform" if isinstance(spec.get("min"), int)
                                        and isinstance(spec.get("max"), int) else "uniform")


def _sweep_type(spec: Mapping[str, Any]) -> str:
    """What the search space cannot say of a sweep parameter: ``int`` (an integer
    distribution, or integer values), ``bool``, ``float`` or ``text``."""
    values = spec.get("values", [spec["value"]] if "value" in spec else None)
    if values is not None:
        kinds = {type(v).__name__ for v in values}
        return "bool" if kinds == {"bool"} else "int" if kinds == {"int"} else (
            "float" if kinds <= {"int", "float"} else "text")
    kind = _sweep_kind(spec)
    low, high, q = spec.get("min"), spec.get("max"), spec.get("q", 1)

    def whole(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    if kind == "q_log_uniform":  # bounds are exponents of e
        low = math.exp(low) if isinstance(low, numbers.Real) else low
    # as W&B's own optuna scheduler reads them (wandb.sdk.sweeps.scheduler.optuna)
    integer = (kind == "int_uniform"
               or (kind == "q_uniform" and whole(low) and whole(high) and whole(q))
               or (kind in ("q_log_uniform_values", "q_log_uniform") and q == 1
                   and isinstance(low, numbers.Real) and low >= 1))
    return "int" if integer else "float"


def read_sweep(path: Any) -> tuple[dict[str, dict[str, Any]], list[str], dict[str, str] | None,
                                   dict[str, str]]:
    """A sweep YAML: (search-space entries, parameters left out, ``{name, goal}`` of
    its metric or None, each parameter's type from :func:`_sweep_type`)."""
    yaml = require("yaml", "importers")
    path = existing(path, "sweep configuration")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise StudyFileError(f"{path}: malformed YAML: {exc}") from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("parameters", {}), Mapping):
        raise DataError(f"{path}: a sweep configuration is a mapping with `parameters`")
    entries, left_out, types = {}, [], {}
    for name, spec in flatten_sweep(doc.get("parameters", {})).items():
        entry = _sweep_entry(name, spec, path)
        if entry is None:
            left_out.append(name)
        else:
            entries[name] = entry
            types[name] = _sweep_type(spec)
    metric = doc.get("metric")
    if metric is not None and not (isinstance(metric, Mapping) and "name" in metric
                                   and metric.get("goal") in ("minimize", "maximize")):
        raise DataError(f"{path}: `metric` must be {{name, goal: minimize|maximize}}; "
                        f"got {metric!r}")
    return entries, left_out, metric, types


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


#: Names that Python's repr writes for non-finite floats (and JSON's words for them).
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "NaN": math.nan, "Infinity": math.inf}


class _Literals(ast.NodeTransformer):
    """The repr of a dict as ``pandas``/Python write it, made a literal:
    ``nan``/``inf`` become floats, ``np.float64(0.5)``-style calls their argument
    (``float('nan')`` its value)."""

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in _NON_FINITE:
            return ast.copy_location(ast.Constant(_NON_FINITE[node.id]), node)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if len(node.args) == 1 and not node.keywords:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                try:
                    return ast.copy_location(ast.Constant(float(arg.value)), node)
                except ValueError:
                    return node
            return arg
        return node


def _literal(text: str) -> Any:
    """Python-literal text, non-finite floats and numpy scalar reprs included."""
    return ast.literal_eval(_Literals().visit(ast.parse(text.strip(), mode="eval")))


def _object(text: Any, where: str) -> dict[str, Any]:
    """A config/summary cell: JSON or Python-literal text of an object (``nan``,
    ``inf`` and numpy scalars as ``repr`` writes them included)."""
    if isinstance(text, Mapping):
        return dict(text)
    if text is None or (isinstance(text, float) and np.isnan(text)) or text == "":
        return {}
    for parse in (json.loads, _literal):
        try:
            value = parse(str(text))
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(value, Mapping):
            return dict(value)
    raise StudyFileError(f"{where}: not an object: {str(text)[:60]!r}")


def _empty(value: Any) -> bool:
    """An empty table cell (pandas reads it as NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any) -> float | None:
    """A summary value as a number — NaN and infinities included (W&B's summary
    holds the last value a run logged, so NaN there is a logged NaN); None for
    missing values and non-numbers."""
    if isinstance(value, (bool, np.bool_)) or _missing(value):
        return None
    if isinstance(value, str) and value.strip() in _NON_FINITE:
        return _NON_FINITE[value.strip()]
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _table(path: Path) -> pd.DataFrame:
    """A runs table; in a CSV only empty cells are missing (``nan``/``NaN``/``inf``
    stay text, read as the values they name)."""
    if path.suffix != ".csv":
        return pd.read_parquet(path)
    return read_csv(path, keep_default_na=False, na_values=[""])


def _runs_table(folder: Path) -> tuple[pd.DataFrame, Path]:
    for name in ("runs.csv", "runs.parquet"):
        path = folder / name
        if path.exists():
            return _table(path), path
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
        # in a table a NaN is an empty cell (a missing value); text such as "nan" is a value
        configs = [{prefixed.get(c, c): runs[c].iloc[i] for c in hp_cols
                    if not _empty(runs[c].iloc[i])} for i in range(n)]
        summaries = [{prefixed.get(c, c): runs[c].iloc[i] for c in metric_cols
                      if not _empty(runs[c].iloc[i])} for i in range(n)]
        used = {*hp_cols, *metric_cols}
    left = [c for c in runs.columns if c not in used and c not in _META and c not in _ID_COLUMNS
            and c != _PANDAS_INDEX]
    return configs, summaries, left


def _history(folder: Path | None, run_id: str) -> pd.DataFrame | None:
    """The history file of ``run_id`` in ``folder``, or None. A run id that is not
    a plain file name (``../x``, ``a/b``) raises: its file would lie outside
    the folder."""
    if folder is None:
        return None
    if run_id in ("", ".", "..") or Path(run_id).name != run_id or "\\" in run_id:
        raise StudyFileError(f"run id {run_id!r} is not a plain file name; its history is not "
                             f"looked up (it would lie outside {folder})")
    for suffix in (".csv", ".jsonl", ".parquet"):
        path = folder / f"{run_id}{suffix}"
        if path.exists():
            if suffix == ".csv":
                return read_csv(path)
            if suffix == ".jsonl":
                return read_jsonl(path)
            return pd.read_parquet(path)
    return None


class _Run(NamedTuple):
    """One W&B run as read from an export or an offline run file."""

    run_id: str
    place: str
    state: str
    config: dict[str, Any]
    summary: dict[str, Any]
    history: pd.DataFrame | None
    attrs: dict[str, Any]
    runtime: Any
    columns: dict[str, Any]  # cells of the runs table that a mapping may name


def _export_runs(runs: pd.DataFrame, table_path: Path, history: Path | None, opts: Any,
                 builder: StudyBuilder) -> list[_Run]:
    """The runs of an exported runs table (with their history files)."""
    id_column = next((c for c in _ID_COLUMNS if c in runs), None)
    if id_column is None:
        raise DataError(f"{table_path}: no run id column (one of {', '.join(_ID_COLUMNS)})")
    state_column = next((c for c in ("state", "State") if c in runs), None)
    configs, summaries, left = _split_columns(runs, table_path, opts)
    keys = {opts.column(f) for f in ("workload", "protocol", "optimizer")} - {None}
    for column in left:
        if column not in keys:
            builder.report.skip("column", column, "neither config, summary nor run metadata")
    if _PANDAS_INDEX in runs:
        builder.report.note(f"column {_PANDAS_INDEX!r} is the row index DataFrame.to_csv "
                            "writes (the docs' export recipe): not imported")
    out, no_history = [], 0
    for i in range(len(runs)):
        run_id = str(runs[id_column].iloc[i])
        place = f"{table_path}: run {run_id}"
        try:
            frame = _history(history, run_id)
        except StudyFileError as exc:
            builder.report.skip("file", place, str(exc))
            frame = None
        else:
            no_history += frame is None and history is not None
        attrs = {"run_id": run_id, **{_META[c]: runs[c].iloc[i] for c in runs.columns
                                      if c in _META and _META[c] not in ("state", "runtime")
                                      and c != id_column}}
        runtime = next((runs[c].iloc[i] for c in ("Runtime", "runtime") if c in runs), None)
        out.append(_Run(run_id, place,
                        str(runs[state_column].iloc[i]).lower() if state_column else "finished",
                        configs[i], summaries[i], frame, attrs, runtime,
                        {c: runs[c].iloc[i] for c in keys if c in runs}))
    if no_history:
        builder.report.note(f"{no_history} run(s) have no history file in {history}: no curves")
    return out


def _offline_files(folder: Path) -> list[Path]:
    """The run folders of a ``wandb/`` folder of offline runs (or the folder itself
    when it is one)."""
    if folder.name.startswith(("offline-run-", "run-")):
        return [folder]
    return [f for f in subfolders(folder) if f.name.startswith(("offline-run-", "run-"))]


_WORDS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _value(value: Any) -> Any:
    """A logged value as wandb's reader prints it: non-finite floats are the words
    ``NaN``, ``Infinity``, ``-Infinity``."""
    return _WORDS.get(value, value) if isinstance(value, str) else value


def _records(path: Path) -> list[dict[str, Any]]:
    """The records of one ``.wandb`` transaction log, read by wandb's own reader
    (``wandb leet inspect --json``: the ``wandb-core`` binary of the installed
    ``wandb``; nothing is sent anywhere)."""
    util = require("wandb.util", "wandb")
    try:
        core = util.get_core_path()
    except Exception as exc:  # wandb raises its own error when wandb-core is missing
        raise MissingDependencyError(f"wandb's reader of .wandb files (wandb-core) is not "
                                     f"available: {exc}") from None
    result = subprocess.run([core, "leet", "inspect", "--no-observability", "--json",
                             "--run-file", str(path), str(path.parent.parent)],
                            capture_output=True, text=True, check=False, timeout=600)
    if result.returncode:
        reason = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise StudyFileError(f"{path}: wandb cannot read this run file: {reason}")
    try:
        return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise StudyFileError(f"{path}: unexpected output of wandb's reader: {exc}") from None


def _scan(path: Path) -> dict[str, Any]:
    """What one ``.wandb`` file holds: config, history rows, summary, exit code."""
    run: dict[str, Any] = {"config": {}, "summary": {}, "history": [], "exit": None,
                           "run_id": None, "name": None}
    for record in _records(path):
        kind = record.get("type")
        body = record.get(kind) or {}
        if kind == "run":
            run["run_id"] = body.get("run_id") or run["run_id"]
            run["name"] = body.get("display_name") or run["name"]
            run["config"].update(body.get("config", {}).get("update", {}))
        elif kind == "config":
            run["config"].update(body.get("update", {}))
        elif kind == "history":
            run["history"].append({k: _value(v) for k, v in body.get("item", {}).items()})
        elif kind == "summary":
            run["summary"].update({k: _value(v) for k, v in body.get("update", {}).items()})
            for name in body.get("remove", {}) or {}:
                run["summary"].pop(name, None)
        elif kind == "exit":
            run["exit"] = int(body.get("exit_code", 0))
    return run


def _offline_runs(folders: list[Path], builder: StudyBuilder) -> list[_Run]:
    """The runs of offline run folders, each read from its ``run-<id>.wandb``."""
    out = []
    for folder in folders:
        files = sorted(folder.glob("*.wandb"))
        if len(files) != 1:
            builder.report.skip("trial", folder, f"{len(files)} .wandb files; an offline run "
                                "folder holds one run-<id>.wandb")
            continue
        try:
            run = _scan(files[0])
        except StudyFileError as exc:
            builder.report.skip("trial", folder, str(exc))
            continue
        run_id = run["run_id"] or files[0].stem.removeprefix("run-")
        if run["exit"] is None:
            state = "running"  # no exit record: still running, or killed without a trace
        else:
            state = "finished" if run["exit"] == 0 else "crashed"
        rows = [r for r in run["history"] if "_step" in r]
        runtime = max((r["_runtime"] for r in rows if isinstance(r.get("_runtime"), float)),
                      default=None)
        frame = pd.DataFrame(rows) if rows else None
        if frame is not None:
            frame = frame[[c for c in frame.columns if not any(
                isinstance(v, (Mapping, list, str)) for v in frame[c])]]
        config = flatten({k: v for k, v in run["config"].items() if not k.startswith("_")},
                         sep=".")
        summary = flatten(run["summary"], sep=".")
        summary.pop("_runtime", None)  # wandb logs 0 there between steps
        out.append(_Run(run_id, str(files[0]), state, config, summary, frame,
                        {"run_id": run_id, "name": run["name"]}, runtime, {}))
    return out


def read(src: Any, *, history: Any = None, search_space: Any = None, **options: Any) -> Study:
    """Read a W&B export or a folder of offline runs (see the module docstring).

    Parameters
    ----------
    src : str or Path
        The export folder (or the runs table file itself), or a ``wandb/``
        folder of offline runs (``offline-run-*/run-*.wandb``; needs the
        ``wandb`` extra).
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
    offline = _offline_files(src) if src.is_dir() and not any(
        (src / n).exists() for n in ("runs.csv", "runs.parquet")) else []
    if offline:
        builder = StudyBuilder("wandb", src, opts, dense=False,
                               expected="offline-run-*/run-*.wandb files")
        runs = _offline_runs(offline, builder)
    else:
        table, table_path = _runs_table(folder) if src.is_dir() else (_table(src), src)
        builder = StudyBuilder("wandb", table_path, opts, dense=False,
                               expected="runs in the runs table")
        history = Path(history) if history is not None else (
            folder / "history" if (folder / "history").is_dir() else None)
        runs = _export_runs(table, table_path, history, opts, builder)
    space_path = search_space if search_space is not None else next(
        (p for p in (folder / "sweep.yaml", folder / "sweep.yml") if p.exists()), None)
    entries: dict[str, dict[str, Any]] = {}
    types: dict[str, str] = {}
    if space_path is not None:
        entries, left_out, metric, types = read_sweep(space_path)
        for name in left_out:
            builder.report.skip("parameter", name, "an unbounded sweep distribution (normal, "
                                "log-normal, beta): not a search range")
        if metric is not None:
            builder.state_metric(parse_metric_option(metric_column(metric["name"]),
                                                     metric["goal"]))
    builder.report.count("runs", len(runs))
    pairs: dict[tuple[str, str], list[set[str]]] = {}
    not_numbers = set()
    for number, run in enumerate(progress_iter(runs, opts)):
        hp = dict(run.config)
        natural = {f: run.columns[opts.column(f)] for f in ("workload", "protocol", "optimizer")
                   if opts.column(f) in run.columns and opts.column(f) not in hp}
        key = opts.resolve_key(natural, hp, builder.report)
        status = builder.status_of(run.state, run.place,
                                   f"{key['workload']}/{key['protocol']}/{key['optimizer']}")
        if status is None:
            continue
        pairs.setdefault((key["protocol"], key["optimizer"]), []).append(set(hp))
        finals = {}
        for name, value in run.summary.items():
            value_number = _number(value)
            if name.startswith("_") or value_number is None:
                if not name.startswith("_") and not _missing(value):
                    not_numbers.add(name)
                continue
            finals[metric_column(name)] = value_number
        curve = None
        frame = run.history
        if frame is not None and "_step" in frame:
            numeric = {c: metric_column(c) for c in frame.columns if not c.startswith("_")
                       and pd.api.types.is_numeric_dtype(frame[c])
                       and not pd.api.types.is_bool_dtype(frame[c])}
            curve = frame.rename(columns={"_step": "step", "_runtime": "time_s", **numeric})
            curve = curve[["step", *(["time_s"] if "time_s" in curve else []),
                           *numeric.values()]]
        runtime = run.summary.get("_runtime", run.runtime)
        builder.add_trial({**key, "repeat": 0, "trial": number}, place=run.place,
                          status=status, hp=hp, curve=curve, finals=finals, attrs=run.attrs,
                          message=None if run.state == "finished" else f"W&B state {run.state}",
                          duration_s=pd.to_numeric(runtime, errors="coerce")
                          if runtime is not None else None)
    for name in sorted(not_numbers):
        builder.report.skip("column", f"summary {name}", "not a number (e.g. a histogram)")
    if entries:
        _declare_sweep(builder, opts, str(space_path), entries, pairs)
    builder.report.note("trials numbered in the order of the runs (attr.run_id keeps the W&B "
                        "id); finals are the runs' summaries (the last logged values: a NaN "
                        "or infinite one marks the run diverged)")
    return builder.build(name=folder.resolve().name,
                         provenance={"wandb_sweep_types": types} if types else None)


def _declare_sweep(builder: StudyBuilder, opts: Any, place: str,
                   entries: Mapping[str, dict[str, Any]],
                   pairs: Mapping[tuple[str, str], list[set[str]]]) -> None:
    """The sweep's space for each (protocol, optimizer) whose runs all have every
    parameter it tunes; other pairs get none (reported)."""
    keys = {opts.column(f) for f in ("workload", "protocol", "optimizer")}
    space = space_from(place, {n: e for n, e in entries.items() if n not in keys})
    for (protocol, optimizer), params in sorted(pairs.items()):
        lacking = sorted({p.name for p in space.params for names in params
                          if p.name not in names})
        if lacking:
            builder.report.skip("space", f"{protocol}/{optimizer}", "some of its runs lack the "
                                f"sweep parameter(s) {', '.join(lacking)}: the sweep is not "
                                "its search space")
            continue
        builder.add_space(protocol, optimizer, space, place)
