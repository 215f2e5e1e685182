"""Per-trial record files: how a running study stores each finished trial.

The runner writes one JSON file per finished trial into ``STUDY/records/``,
atomically (written aside, then renamed), so a crash or a kill loses at most
the trials in flight. A record is a JSON object::

    {"workload": "digits_mlp", "protocol": "paper", "optimizer": "adam",
     "repeat": 0, "trial": 7, "seed": 1234, "status": "completed",
     "hp": {"learning_rate": 0.003, ...}, "final": {"valid_error": 0.04, ...},
     "attr": {...}, "duration_s": 2.1, "message": null,
     "curve": {"step": [0, 50, ...], "time_s": [...], "valid_error": [...], ...}}

:func:`tunestats.load_study` merges records with the tables; compaction
(:func:`compact_study`) folds them into the tables and removes them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import StudyFileError
from ._atomic import atomic_write
from ._json import read_json
from .schema import ATTR, FINAL, HP, KEY, RECORDS_DIR

__all__ = ["RECORDS_DIR", "compact_study", "done_keys", "read_records", "write_record"]

_REQUIRED = (*KEY, "status")


def _record_name(key: tuple) -> str:
    digest = hashlib.sha1(json.dumps([str(k) for k in key]).encode()).hexdigest()[:16]
    return f"r{int(key[3])}-t{int(key[4])}-{digest}.json"


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def write_record(study_dir: Any, record: Mapping[str, Any]) -> Path:
    """Write one finished trial as ``study_dir/records/<name>.json``, atomically.

    Parameters
    ----------
    study_dir : str or Path
        The study folder.
    record : mapping
        The trial (see the module docstring). Its key fields and status are
        required.

    Returns
    -------
    Path
        The record file.
    """
    missing = [f for f in _REQUIRED if f not in record]
    if missing:
        raise StudyFileError(f"trial record lacks field(s) {missing}; expected "
                             f"{', '.join(_REQUIRED)}")
    folder = Path(study_dir) / RECORDS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    clean = {k: ({n: _plain(v) for n, v in val.items()} if isinstance(val, Mapping)
                 else _plain(val)) for k, val in record.items()}
    text = json.dumps(clean, ensure_ascii=False)  # NaN/inf kept as JSON's extensions
    path = folder / _record_name(tuple(record[k] for k in KEY))
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
    return path


def _record_files(study_dir: Path) -> list[Path]:
    folder = study_dir / RECORDS_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith("."))


def _load_record(path: Path) -> dict[str, Any]:
    record = read_json(path)
    if not isinstance(record, dict):
        raise StudyFileError(f"{path}: a trial record must be a JSON object")
    missing = [f for f in _REQUIRED if f not in record]
    if missing:
        raise StudyFileError(f"{path}: trial record lacks field(s) {', '.join(missing)}")
    for field in ("hp", "final", "attr", "curve"):
        value = record.get(field)
        if value is not None and not isinstance(value, dict):
            raise StudyFileError(f"{path}: field {field!r} of the trial record is "
                                 f"{type(value).__name__} {json.dumps(value)[:40]}; expected "
                                 "an object of name → value")
    for name, values in (record.get("curve") or {}).items():
        if not isinstance(values, list):
            raise StudyFileError(f"{path}: curve column {name!r} of the trial record is "
                                 f"{type(values).__name__}; expected a list, one value per step")
    return record


def read_records(study_dir: Any) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The records of ``study_dir`` as (trials, curves) tables, or None if there are none."""
    files = _record_files(Path(study_dir))
    if not files:
        return None
    trial_rows, curve_parts = [], []
    for path in files:
        record = _load_record(path)
        row = {k: record[k] for k in KEY}
        for field in ("seed", "status", "duration_s", "message"):
            if field in record:
                row[field] = record[field]
        for prefix, field in ((HP, "hp"), (FINAL, "final"), (ATTR, "attr")):
            for name, value in (record.get(field) or {}).items():
                row[prefix + name] = value
        trial_rows.append(row)
        curve = record.get("curve") or {}
        if curve:
            lengths = {len(v) for v in curve.values()}
            if len(lengths) != 1:
                raise StudyFileError(f"{path}: the curve's columns have different lengths "
                                     f"{sorted(lengths)}; expected one value per step")
            part = pd.DataFrame(curve)
            for k in KEY:
                part.insert(KEY.index(k), k, record[k])
            curve_parts.append(part)
    trials = pd.DataFrame(trial_rows)
    if "message" in trials:
        trials["message"] = trials["message"].astype(object).where(trials["message"].notna())
    curves = (pd.concat(curve_parts, ignore_index=True) if curve_parts
              else pd.DataFrame({**{k: [] for k in KEY}, "step": []}))
    return trials, curves


def merge_records(trials: pd.DataFrame, curves: pd.DataFrame, rec_trials: pd.DataFrame,
                  rec_curves: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Append records to the tables, leaving out records already compacted into them
    (a compaction interrupted after writing the tables but before removing them)."""
    have = set(map(tuple, trials[list(KEY)].astype(object).itertuples(index=False, name=None)))
    new = [tuple(row) not in have
           for row in rec_trials[list(KEY)].astype(object).itertuples(index=False, name=None)]
    rec_trials = rec_trials[new]
    fresh = set(map(tuple, rec_trials[list(KEY)].astype(object).itertuples(index=False,
                                                                          name=None)))
    if len(rec_curves):
        keep = [tuple(row) in fresh for row in
                rec_curves[list(KEY)].astype(object).itertuples(index=False, name=None)]
        rec_curves = rec_curves[keep]
    trials = pd.concat([trials.astype({c: object for c in KEY[:3]}), rec_trials],
                       ignore_index=True)
    curves = pd.concat([curves.astype({c: object for c in KEY[:3]}), rec_curves],
                       ignore_index=True)
    return trials, curves


def done_keys(study_dir: Any) -> set[tuple]:
    """Keys of the trials already finished in ``study_dir`` (compacted tables and
    records), for resuming a run."""
    import pyarrow.parquet as pq

    folder = Path(study_dir)
    keys: set[tuple] = set()
    table = folder / "trials.parquet"
    if table.exists():
        frame = pq.read_table(table, columns=list(KEY)).to_pandas()
        keys.update(frame.astype(object).itertuples(index=False, name=None))
    for path in _record_files(folder):
        record = _load_record(path)
        keys.add(tuple(record[k] for k in KEY))
    return keys


def remove_records(study_dir: Path, keep_unmerged_from: pd.DataFrame) -> int:
    """Remove the record files whose trials are in ``keep_unmerged_from`` (the
    tables just written) and leftover temporary files; return how many records
    were removed."""
    have = set(map(tuple, keep_unmerged_from[list(KEY)].astype(object).itertuples(
        index=False, name=None)))
    removed = 0
    for path in _record_files(study_dir):
        record = _load_record(path)
        if tuple(record[k] for k in KEY) in have:
            path.unlink()
            removed += 1
    folder = study_dir / RECORDS_DIR
    if folder.is_dir():
        for tmp in folder.glob(".*.tmp"):
            tmp.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()
    return removed


def compact_study(study_dir: Any) -> None:
    """Fold the records of ``study_dir`` into its Parquet tables (validating them)
    and remove the records."""
    from .io import load_study

    load_study(study_dir, compact=True)
