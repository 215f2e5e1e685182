"""Generic tables: long or wide, from CSV, Parquet, JSON Lines or a DataFrame.

Three layouts:

``long``
    one row per trial × step × metric, with a metric-name column and a value
    column (default names ``metric`` and ``value``);
``wide`` with a step column
    one row per trial × step, one column per metric;
``wide`` without a step column
    one row per trial, one column per (final) metric; no curves.

``layout="auto"`` picks ``long`` when the table has the metric and value
columns, else ``wide``. ``mapping`` names the columns of each field (the
default in brackets):

``workload``, ``protocol``, ``optimizer`` [same names]
    key columns; when absent, ``constants`` names them (else ``default``);
``repeat`` [``repeat``, else 0], ``trial`` [``trial``]
    integers; trial ids that are not integers (run names) are numbered in
    order of appearance within each pool, the ids kept in ``attr.trial_id``;
``seed``, ``status``, ``message`` [same names], ``duration`` [``duration_s``]
    optional; status words such as ``COMPLETE``, ``finished``, ``success``
    read as completed, ``diverged``/``infeasible``/``nan`` as diverged,
    ``failed``/``crashed``/``killed``/``pruned``/``incomplete`` as failed;
    ``running``/``pending`` rows are skipped;
``step`` [``step``], ``time`` [``time_s``]
    curve columns;
``metric``, ``value`` [same names]
    long layout;
``hp`` [columns ``hp.<name>``], ``attrs`` [columns ``attr.<name>``]
    hyperparameters and other per-trial values (constant within a trial);
``metrics`` [every other numeric column]
    metric columns of the wide layouts (``final.<name>`` columns give finals).

Every other column is reported as skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice
from ..errors import DataError, ParameterError, StudyFileError
from ..study import Study
from ..study.schema import ATTR, FINAL, HP
from ._builder import StudyBuilder, progress_iter
from ._files import existing, read_csv, read_jsonl
from ._metrics import metric_column
from ._options import import_options

__all__ = ["read", "read_table"]

_SCALARS = {"workload": "workload", "protocol": "protocol", "optimizer": "optimizer",
            "repeat": "repeat", "trial": "trial", "seed": "seed", "status": "status",
            "message": "message", "duration": "duration_s", "step": "step", "time": "time_s",
            "metric": "metric", "value": "value"}
_MAPPABLE = (*_SCALARS, "hp", "attrs", "metrics")


def read_table(src: Any) -> tuple[pd.DataFrame, str]:
    """A table from a DataFrame or a ``.csv``, ``.parquet`` or ``.jsonl`` file,
    with a name for messages."""
    if isinstance(src, pd.DataFrame):
        return src, "DataFrame"
    path = existing(src, "table")
    if path.suffix == ".csv":
        return read_csv(path), str(path)
    if path.suffix in (".jsonl", ".ndjson"):
        return read_jsonl(path), str(path)
    if path.suffix in (".parquet", ".pq"):
        try:
            return pd.read_parquet(path), str(path)
        except Exception as exc:  # pyarrow raises several kinds for a corrupt file
            raise StudyFileError(f"{path}: cannot read the Parquet file: {exc}") from None
    raise ParameterError(f"`src` must be a DataFrame or a .csv, .parquet or .jsonl file; "
                         f"got {str(path)!r}.")


def _columns(table: pd.DataFrame, where: str, opts: Any) -> dict[str, Any]:
    """Field → column (scalars) or list of columns (hp, attrs), checked."""
    out: dict[str, Any] = {}
    for name, default in _SCALARS.items():
        column = opts.column(name)
        if column is not None and column not in table:
            raise ParameterError(f"`mapping[{name!r}]` names the column {column!r}, which "
                                 f"{where} does not have; it has {', '.join(table.columns)}.")
        out[name] = column if column is not None else (default if default in table else None)
    for name, prefix in (("hp", HP), ("attrs", ATTR)):
        columns = list(opts.mapping.get(name, ())) or [c for c in table.columns
                                                        if c.startswith(prefix)]
        missing = [c for c in columns if c not in table]
        if missing:
            raise ParameterError(f"`mapping[{name!r}]` names the column {missing[0]!r}, which "
                                 f"{where} does not have.")
        out[name] = columns
    return out


def _trial_numbers(table: pd.DataFrame, column: str, pools: list[str],
                   builder: StudyBuilder) -> pd.Series:
    values = table[column]
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all() and (numeric == np.floor(numeric)).all():
        return numeric.astype("int64")
    builder.report.note(f"trial ids in {column!r} are not integers: numbered in order of "
                        "appearance within each pool (attr.trial_id keeps them)")
    if not pools:  # one pool: number the ids in order of appearance
        return pd.Series(pd.factorize(values.astype(str))[0], index=table.index, dtype="int64")
    frame = table[pools].astype(str).assign(_id=values.astype(str))
    return frame.groupby(pools, sort=False)["_id"].transform(
        lambda ids: pd.Series(pd.factorize(ids)[0], index=ids.index)).astype("int64")


def read(src: Any, *, layout: str = "auto", **options: Any) -> Study:
    """Read a generic table into a study.

    Parameters
    ----------
    src : DataFrame, str or Path
        The table, or a ``.csv``, ``.parquet`` or ``.jsonl`` file.
    layout : {"auto", "long", "wide"}
        See the module docstring.
    **options
        The options of every importer (see :mod:`tunestats.importers`);
        ``mapping`` names the columns of each field.

    Returns
    -------
    Study
        The import report in ``study.provenance["import"]``.

    Examples
    --------
    >>> table = pd.DataFrame({"optimizer": ["sgd", "sgd"], "trial": [0, 1],
    ...                       "lr": [0.1, 0.01], "val_loss": [0.5, 0.4]})
    >>> study = read(table, mapping={"hp": ["lr"]}, constants={"workload": "toy"})
    >>> study.trials["final.val_loss"].tolist()
    [0.5, 0.4]
    """
    check_choice("layout", layout, ("auto", "long", "wide"))
    opts = import_options(mappable=_MAPPABLE, **options)
    table, where = read_table(src)
    builder = StudyBuilder("generic", where, opts, dense=False, expected="rows in the table")
    cols = _columns(table, where, opts)
    if layout == "auto":
        layout = "long" if cols["metric"] and cols["value"] else "wide"
    if layout == "long" and not (cols["metric"] and cols["value"]):
        raise ParameterError(f"a long table needs a metric-name and a value column; {where} "
                             "has neither 'metric'/'value' nor mapped ones (mapping={'metric': "
                             "..., 'value': ...}).")
    if cols["trial"] is None:
        steps = None if cols["step"] is None else pd.to_numeric(table[cols["step"]],
                                                                 errors="coerce")
        if steps is not None and steps.is_monotonic_increasing:  # one run's log
            table = table.assign(_trial=0)
            builder.report.note(f"no trial column and {cols['step']!r} never decreases: the "
                                "table is the log of one trial")
        elif cols["step"] is not None or layout == "long":
            raise ParameterError(f"{where}: name the trial column with mapping={{'trial': ...}} "
                                 "(--map trial=COLUMN); a table with curves needs one.")
        else:
            table = table.assign(_trial=np.arange(len(table)))
        cols["trial"] = "_trial"
    builder.report.count("rows", len(table))
    per_trial = [c for c in (cols["seed"], cols["status"], cols["message"], cols["duration"])
                 if c] + cols["hp"] + cols["attrs"]
    fixed = {c for c in (*[cols[k] for k in ("workload", "protocol", "optimizer", "repeat",
                                             "trial", "step", "time")], *per_trial) if c}
    if layout == "long":
        table = _pivot(table, cols, fixed, builder)
        metrics = [c for c in table.columns if c not in fixed]
    else:
        metrics = list(opts.mapping.get("metrics", ())) or [
            c for c in table.columns if c not in fixed
            and pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(
                table[c])]
        for column in table.columns:
            if column not in fixed and column not in metrics and column != "_trial":
                builder.report.skip("column", column, "not a key, step, hyperparameter, "
                                    "attribute or numeric metric column")
    _add_trials(table, cols, metrics, per_trial, builder)
    return builder.build(name=Path(where).stem if where != "DataFrame" else None)


def _pivot(table: pd.DataFrame, cols: Mapping[str, Any], fixed: set[str],
           builder: StudyBuilder) -> pd.DataFrame:
    """A long table made wide: one row per trial and step, one column per metric."""
    time = cols["time"]
    index = [c for c in table.columns if c in fixed and c != time]
    for column in table.columns:
        if column not in fixed and column not in (cols["metric"], cols["value"]):
            builder.report.skip("column", column, "not a key, step, hyperparameter, attribute, "
                                "metric-name or value column")
    keys = table[index].astype(str).agg("\x1f".join, axis=1) + "\x1f" + table[
        cols["metric"]].astype(str)
    repeated = keys.duplicated(keep="last").to_numpy()
    if repeated.any():
        builder.report.skip("rows", cols["value"], f"{int(repeated.sum())} row(s) repeat a "
                            "(trial, step, metric); the last of each is kept")
    table = table[~repeated]
    values = pd.to_numeric(table[cols["value"]], errors="coerce")
    bad = values.isna() & table[cols["value"]].notna()
    if bad.any():
        raise DataError(f"{builder.report.source}: column {cols['value']!r}: text where numbers "
                        f"belong, e.g. {table[cols['value']][bad].iloc[0]!r}")
    wide = table.assign(**{cols["value"]: values}).pivot(
        index=index, columns=cols["metric"], values=cols["value"])
    wide.columns.name = None
    if time is not None:  # the metrics of one step may be logged at different times
        times = pd.to_numeric(table[time], errors="coerce").groupby(
            [table[c] for c in index], sort=False, dropna=False).agg(["max", "nunique"])
        wide[time] = times["max"].reindex(wide.index).to_numpy()
        varying = int((times["nunique"] > 1).sum())
        if varying:
            builder.report.note(f"{varying} (trial, step) row(s) log their metrics at different "
                                f"times ({time!r}); the step's time is the latest")
    return wide.reset_index()


def _add_trials(table: pd.DataFrame, cols: Mapping[str, Any], metrics: list[str],
                per_trial: list[str], builder: StudyBuilder) -> None:
    opts = builder.options
    pools = [cols[k] for k in ("workload", "protocol", "optimizer") if cols[k]]
    table = table.assign(_number=_trial_numbers(table, cols["trial"], pools, builder))
    group_by = [*pools, *([cols["repeat"]] if cols["repeat"] else []), "_number"]
    groups = list(table.groupby(group_by, sort=False, dropna=False))
    names = {m: metric_column(m[len(FINAL):] if m.startswith(FINAL) else m) for m in metrics}
    blank = 0
    for values, rows in progress_iter(groups, opts):
        head = rows.iloc[0]
        place = f"{builder.report.source}: trial " + "/".join(str(v) for v in values)
        if not cols["step"] and len(rows) > 1:
            raise DataError(f"{place}: {len(rows)} rows for one trial; a table without a step "
                            "column has one row per trial (map the step column with "
                            "mapping={'step': ...})")
        varying = [c for c in per_trial if rows[c].nunique(dropna=False) > 1]
        if varying:
            raise DataError(f"{place}: column {varying[0]!r} changes within the trial; "
                            "expected one value per trial (a hyperparameter or attribute)")
        pool = "/".join(str(v) for v in values[:len(pools)]) or None
        if cols["status"] and not pd.isna(head[cols["status"]]) and str(
                head[cols["status"]]).strip():
            status = builder.status_of(head[cols["status"]], place, pool)
        else:  # no status given: completed, as in a table without a status column
            status = "completed"
            if cols["status"]:
                blank += 1
        if status is None:
            continue
        hp = {c[len(HP):] if c.startswith(HP) else c: head[c] for c in cols["hp"]}
        natural = {k: head[cols[k]] for k in ("workload", "protocol", "optimizer") if cols[k]}
        key = opts.resolve_key(natural, hp, builder.report)
        key.update(repeat=int(head[cols["repeat"]]) if cols["repeat"] else 0,
                   trial=int(head["_number"]))
        attrs = {c[len(ATTR):] if c.startswith(ATTR) else c: head[c] for c in cols["attrs"]}
        if str(head[cols["trial"]]) != str(key["trial"]) and cols["trial"] != "_trial":
            attrs["trial_id"] = str(head[cols["trial"]])
        curve, finals = None, None
        if cols["step"]:
            curve = rows[[cols["step"], *([cols["time"]] if cols["time"] else []), *metrics]]
            curve = curve.rename(columns={cols["step"]: "step", **(
                {cols["time"]: "time_s"} if cols["time"] else {}), **names})
        else:
            finals = {names[m]: float(head[m]) for m in metrics if not pd.isna(head[m])}
        builder.add_trial(key, status=status, place=place, hp=hp, attrs=attrs, curve=curve,
                          finals=finals,
                          seed=None if not cols["seed"] or pd.isna(head[cols["seed"]])
                          else int(head[cols["seed"]]),
                          message=None if not cols["message"] or pd.isna(head[cols["message"]])
                          else str(head[cols["message"]]),
                          duration_s=None if not cols["duration"] else head[cols["duration"]])
    if blank:
        builder.report.note(f"{blank} trial(s) with a blank {cols['status']!r} cell are "
                            "completed (no status given)")
