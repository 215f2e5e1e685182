"""Per-trial record files: how a running study stores each finished trial.

The runner writes one JSON file per finished trial into ``STUDY/records/``,
atomically (written aside, then renamed), so a crash or a kill loses at most
the trials in flight. A record is a JSON object::

    {"workload": "digits_mlp", "protocol": "paper", "optimizer": "adam",
     "repeat": 0, "trial": 7, "seed": 1234, "status": "completed",
     "hp": {"learning_rate": 0.003, ...}, "final": {"valid_error": 0.04, ...},
     "attr": {...}, "duration_s": 2.1, "message": null,
     "curve": {"step": [0, 50, ...], "time_s": [...], "valid_error": [...], ...}}

This module reads and writes record files only. :func:`tunestats.load_study`
merges records with the tables; compaction
(:func:`tunestats.study.io.compact_study`) folds them into the tables and
removes them.
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

__all__ = ["RECORDS_DIR", "load_record", "read_records", "record_files", "write_record"]

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


def record_files(study_dir: Path) -> list[Path]:
    """The record files of ``study_dir``, sorted.

    Parameters
    ----------
    study_dir : Path
        The study folder.

    Returns
    -------
    list of Path
        Empty when it has no records folder.
    """
    folder = study_dir / RECORDS_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith("."))


def load_record(path: Path) -> dict[str, Any]:
    """One record file as a dict.

    Parameters
    ----------
    path : Path
        The record file.

    Returns
    -------
    dict
        The record (key, status, hp, final, curve, ...).

    Raises
    ------
    StudyFileError
        Unreadable, not UTF-8, malformed, nested too deeply or with a number too
        long to convert, not an object, a missing key
        field, or ``hp``/``final``/``attr``/``curve`` that is not an object.
    """
    record = read_json(path)
    if not isinstance(record, dict):
        raise StudyFileError(f"{path}: a trial record must be a JSON object")
    missing = [f for f in _REQUIRED if f not in record]
    if missing:
        raise StudyFileError(f"{path}: trial record lacks field(s) {', '.join(missing)}")
    for field in ("hp", "final", "attr", "curve"):
        if record.get(field) is not None and not isinstance(record[field], dict):
            raise StudyFileError(f"{path}: the record's `{field}` must be a JSON object of "
                                 f"name → value; got {type(record[field]).__name__}")
    for name, values in (record.get("curve") or {}).items():
        if not isinstance(values, list):
            raise StudyFileError(f"{path}: curve column {name!r} of the trial record is "
                                 f"{type(values).__name__}; expected a list, one value per step")
    return record


def read_records(study_dir: Any) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The records of ``study_dir`` as (trials, curves) tables.

    Parameters
    ----------
    study_dir : str or Path
        The study folder.

    Returns
    -------
    tuple of DataFrame or None
        ``(trials, curves)``, or None when there is no record.
    """
    files = record_files(Path(study_dir))
    if not files:
        return None
    trial_rows, curve_parts = [], []
    for path in files:
        record = load_record(path)
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
