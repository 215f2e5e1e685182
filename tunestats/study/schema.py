"""Column names, file names and canonical dtypes of the study format.

A study is a folder::

    study.json        schema version, metrics, search spaces, targets,
                      inclusion graph, provenance, types of text columns
    trials.parquet    one row per trial
    curves.parquet    one row per (trial, evaluation step)

(or ``trials.csv``/``curves.csv``, or ``trials.jsonl``/``curves.jsonl``, with
the same ``study.json``), plus an optional ``records/`` folder of per-trial
JSON files written by the runner and compacted into the tables.

Every reader normalises the tables to the canonical dtypes below, so that a
study read from any of the formats compares equal, dtypes included:

==================  =====================================================
column              dtype
==================  =====================================================
workload, protocol, ``category`` with sorted string categories
optimizer
repeat, trial       ``int64``
seed                ``Int64`` (nullable: imported logs may not know it)
status              string
message             string (missing: NaN)
duration_s, time_s  ``float64``
hp.<name>           ``float64``, or string for text-valued hyperparameters
final.<metric>      ``float64``
attr.<name>         ``float64`` or string (attributes kept by importers)
step                ``int64``
<metric> (curves)   ``float64``
==================  =====================================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import DIRECTIONS
from .keys import key_codes

__all__ = [
    "ATTR",
    "DIRECTIONS",
    "FINAL",
    "HP",
    "KEY",
    "POOL",
    "RECORDS_DIR",
    "ROLES",
    "SCHEMA_VERSION",
    "SPLITS",
    "STATUSES",
    "STRING",
    "STUDY_FILE",
    "TABLE_FORMATS",
    "curve_metric_columns",
    "curves_file",
    "normalize_curves",
    "normalize_trials",
    "trials_file",
]

SCHEMA_VERSION = 1
STUDY_FILE = "study.json"
RECORDS_DIR = "records"
TABLE_FORMATS = ("parquet", "csv", "jsonl")


def trials_file(fmt: str = "parquet") -> str:
    """File name of the trials table in format ``fmt``."""
    return f"trials.{fmt}"


def curves_file(fmt: str = "parquet") -> str:
    """File name of the curves table in format ``fmt``."""
    return f"curves.{fmt}"


POOL = ("workload", "protocol", "optimizer")
KEY = (*POOL, "repeat", "trial")
STATUSES = ("completed", "diverged", "failed")
SPLITS = ("train", "valid", "test")
#: The split roles a workload's metrics play (``workloads`` in study.json); the
#: headline metric plays ``valid``.
ROLES = ("valid", "test", "train")
HP = "hp."
FINAL = "final."
ATTR = "attr."

#: Optional plain columns of the trials table and their dtypes.
TRIAL_COLUMNS = {"seed": "Int64", "status": "string", "duration_s": "float64",
                 "message": "string"}
#: Columns of the curves table that are not metrics.
CURVE_COLUMNS = (*KEY, "step", "time_s")

try:  # pandas ≥ 2.3: the string dtype with NaN as missing value (pandas 3's default `str`)
    STRING = pd.StringDtype(na_value=np.nan)
except TypeError:  # pragma: no cover - older pandas
    STRING = pd.StringDtype()


def curve_metric_columns(curves: pd.DataFrame) -> list[str]:
    """The metric columns of a curves table (everything but key, step, time_s)."""
    return [c for c in curves.columns if c not in CURVE_COLUMNS]


def _as_category(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        if cats.dtype == STRING and cats.is_monotonic_increasing and not cats.hasnans:
            return values.cat.remove_unused_categories()
        values = values.astype(STRING)
    else:
        values = values.astype(STRING)
    categories = pd.Index(sorted(values.dropna().unique()), dtype=STRING)
    return values.astype(pd.CategoricalDtype(categories))


def _as_text(values: pd.Series) -> pd.Series:
    if values.dtype == STRING:
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    return values.astype(STRING)


def _column_dtype(name: str, values: pd.Series, text_columns: set[str]) -> str:
    if name in text_columns:
        return "text"
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        return "float"
    if values.isna().all():  # no value to tell: a number column left empty
        return "float"
    return "text"


def _sorted_by_key(frame: pd.DataFrame, by_step: bool) -> pd.DataFrame:
    """``frame`` sorted by trial key (and step), without sorting when it already is.

    The rows are ordered by their codes (:func:`tunestats.study.keys.key_codes`).
    """
    columns = [*KEY, "step"] if by_step else list(KEY)
    if len(frame) < 2:
        return frame
    code = key_codes([frame], columns)[0]
    if np.all(code[1:] >= code[:-1]):
        return frame
    order = np.argsort(code, kind="stable")
    return frame.take(order).reset_index(drop=True)


def normalize_trials(trials: pd.DataFrame, text_columns: set[str] | frozenset = frozenset()
                     ) -> pd.DataFrame:
    """Return ``trials`` with canonical dtypes, column order and row order (by key).

    Columns are ordered: key, seed, status, ``hp.*``, ``final.*``, ``attr.*``,
    duration_s, message (each group in the order it came). ``text_columns``
    names ``hp.``/``attr.`` columns that hold text even when every value looks
    like a number (as recorded in ``study.json``). Assumes the table passed
    validation (types are convertible).
    """
    trials = trials.reset_index(drop=True)
    out = {}
    for name in POOL:
        out[name] = _as_category(trials[name])
    for name in ("repeat", "trial"):
        out[name] = trials[name].astype("int64")
    groups = {"hp": [], "final": [], "attr": []}
    for name in trials.columns:
        for prefix, group in ((HP, "hp"), (FINAL, "final"), (ATTR, "attr")):
            if name.startswith(prefix):
                groups[group].append(name)
    for name in ("seed", "status"):
        if name in trials:
            out[name] = trials[name].astype(TRIAL_COLUMNS[name])
    for name in groups["hp"] + groups["attr"]:
        kind = _column_dtype(name, trials[name], set(text_columns))
        out[name] = _as_text(trials[name]) if kind == "text" else trials[name].astype("float64")
    for name in groups["final"]:
        out[name] = trials[name].astype("float64")
    if "duration_s" in trials:
        out["duration_s"] = trials["duration_s"].astype("float64")
    if "message" in trials:
        out["message"] = _as_text(trials["message"])
    order = [*KEY, *(c for c in ("seed", "status") if c in out), *groups["hp"],
             *groups["final"], *groups["attr"],
             *(c for c in ("duration_s", "message") if c in out)]
    frame = pd.DataFrame({name: out[name] for name in order}, index=pd.RangeIndex(len(trials)),
                         copy=False)
    return _sorted_by_key(frame, by_step=False)


def normalize_curves(curves: pd.DataFrame, trials: pd.DataFrame, *,
                     in_order: bool = False) -> pd.DataFrame:
    """Return ``curves`` with canonical dtypes, column order (key, step, time_s,
    metrics in the order they came) and row order (by key and step).

    The pool columns take the categorical dtypes of the (normalised)
    ``trials``, so that the two tables share them. ``in_order=True`` asserts
    that the rows are already in key order (as validation found), which skips
    the check.
    """
    curves = curves.reset_index(drop=True)
    out = {name: curves[name].astype(trials[name].dtype) for name in POOL}
    for name in ("repeat", "trial", "step"):
        out[name] = curves[name].astype("int64")
    if "time_s" in curves:
        out["time_s"] = curves["time_s"].astype("float64")
    for name in curve_metric_columns(curves):
        out[name] = curves[name].astype("float64")
    frame = pd.DataFrame(out, index=pd.RangeIndex(len(curves)), copy=False)
    return frame if in_order else _sorted_by_key(frame, by_step=True)
