"""Reading and writing study folders (Parquet, CSV or JSON Lines tables).

:func:`load_study` reads a study folder in any of the three table formats,
merges the per-trial records the runner writes (``records/``), validates
everything and raises one error listing every problem. :func:`save_study`
writes a study atomically (each file written aside and renamed into place)
and, after the tables are safely written, removes the records they now hold.
:func:`compact_study` folds the records into the tables; :func:`done_keys`
lists the finished trials, whatever the tables' format, for resuming a run.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .._checks import check_choice
from ..errors import StudyFileError, StudyValidationError
from . import records
from ._atomic import atomic_write
from ._json import loads, read_json
from .lock import holds_lock, study_lock
from .meta import StudyMeta, parse_meta
from .model import Study
from .schema import (
    KEY,
    POOL,
    STRING,
    STUDY_FILE,
    TABLE_FORMATS,
    curves_file,
    trials_file,
)

__all__ = [
    "compact_study",
    "done_keys",
    "load_study",
    "read_json",
    "read_jsonl",
    "save_study",
    "write_meta",
]


def _table_format(folder: Path) -> str | None:
    for fmt in TABLE_FORMATS:
        if (folder / trials_file(fmt)).exists():
            return fmt
    return None


def _column_to_pandas(column: pa.ChunkedArray) -> Any:
    """One Arrow column as what pandas keeps: a numpy view for null-free numbers, a
    categorical for a dictionary, pandas' own conversion for the rest."""
    array = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    kind = array.type
    if pa.types.is_dictionary(kind) and pa.types.is_string(kind.value_type):
        codes = array.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        categories = pd.Index(array.dictionary.to_pylist(), dtype=STRING)
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories),
                                         validate=False)
    if (pa.types.is_integer(kind) or pa.types.is_floating(kind)) and array.null_count == 0:
        return array.to_numpy(zero_copy_only=False)
    return array.to_pandas()


def _read_parquet(path: Path) -> pd.DataFrame:
    # The pool columns are read as dictionaries (→ categoricals, as the study keeps
    # them), the table in one chunk per column, and numbers handed to pandas as views:
    # converting to pandas copies nothing but the dictionary codes.
    try:
        footer = pq.read_metadata(path)
        names = footer.schema.names
        handle = pq.ParquetFile(path, metadata=footer, memory_map=True,
                                read_dictionary=[c for c in POOL if c in names])
        table = handle.read()
    except (pa.ArrowException, OSError) as exc:
        raise StudyFileError(f"{path}: cannot read the Parquet file (truncated or corrupt?): "
                             f"{exc}") from None
    columns = [n for n in table.column_names if not n.startswith("__index_level_")]
    return pd.DataFrame({n: _column_to_pandas(table.column(n)) for n in columns},
                        index=pd.RangeIndex(table.num_rows), copy=False)


def _read_csv(path: Path, text_columns: set[str]) -> pd.DataFrame:
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8").columns
        text = [c for c in header if c in text_columns or c in (*POOL, "status", "message")]
        return pd.read_csv(path, dtype=dict.fromkeys(text, STRING), keep_default_na=False,
                           na_values=[""], encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise StudyFileError(f"{path}: cannot read the CSV file: {exc}") from None


def read_jsonl(path: Path, text_columns: set[str] = frozenset(),
               empty_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a JSON Lines table (one JSON object per line) into a DataFrame.

    Parameters
    ----------
    path : Path
        The file.
    text_columns : set of str, optional
        Columns kept as text.
    empty_columns : tuple of str, optional
        The table's columns when the file holds no row (JSON Lines has no header).

    Returns
    -------
    DataFrame

    Raises
    ------
    StudyFileError
        Unreadable, a line that is not UTF-8, not valid JSON or not an object.
    """
    rows = []
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StudyFileError(f"{path}: cannot read ({exc.strerror})") from None
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        if raw.strip():
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise StudyFileError(f"{path}: line {lineno} is not UTF-8 text ({exc.reason} "
                                     f"at byte {exc.start} of the line)") from None
            row = loads(line, str(path), lineno)
            if not isinstance(row, dict):
                raise StudyFileError(f"{path}: line {lineno} is not a JSON object; "
                                     "expected one object per row")
            rows.append(row)
    if not rows:  # JSON Lines has no header: an empty table takes its columns from study.json
        return pd.DataFrame({c: pd.Series(dtype=object) for c in empty_columns})
    frame = pd.DataFrame.from_records(rows)
    for col in frame.columns:
        if col in text_columns:
            frame[col] = frame[col].astype(STRING)
    return frame


def _read_table(folder: Path, fmt: str, name: str, meta: StudyMeta | None) -> pd.DataFrame:
    path = folder / f"{name}.{fmt}"
    if not path.exists():
        raise StudyFileError(f"{folder}: no {path.name} (a study folder holds {STUDY_FILE}, "
                             f"{trials_file(fmt)} and {curves_file(fmt)})")
    text = set(meta.text_columns) if meta else set()
    if fmt == "parquet":
        return _read_parquet(path)
    if fmt == "csv":
        return _read_csv(path, text)
    return read_jsonl(path, text, meta.curve_columns if meta and name == "curves" else ())


def load_study(path: Any, *, compact: bool = False) -> Study:
    """Read and validate a study folder.

    Parameters
    ----------
    path : str or Path
        A folder with ``study.json`` and the trials and curves tables in
        Parquet, CSV or JSON Lines, and/or a ``records/`` folder of per-trial
        files as the runner writes them, which are merged with the tables.
    compact : bool
        If the folder has records, fold them into its tables (Parquet when it
        has none yet) and remove them (after the tables are safely written).
        Default: leave the folder as it is.

    Returns
    -------
    Study

    Raises
    ------
    StudyFileError
        A missing folder or file, malformed JSON, an unreadable table.
    StudyValidationError
        The tables do not satisfy the study format; lists every problem.
    """
    folder = Path(path)
    if not folder.exists():
        raise StudyFileError(f"{folder}: no such study folder")
    if not folder.is_dir():
        raise StudyFileError(f"{folder}: not a folder (a study is a folder with {STUDY_FILE} "
                             "and the trials and curves tables)")
    meta_path = folder / STUDY_FILE
    if not meta_path.exists():
        raise StudyFileError(f"{folder}: no {STUDY_FILE} in the study folder")
    meta, meta_problems = parse_meta(read_json(meta_path), file=str(meta_path))
    if meta is None:
        raise StudyValidationError(meta_problems, str(folder))
    fmt = _table_format(folder)
    record_frames = records.read_records(folder)
    files = {"trials": str(folder / trials_file(fmt or "parquet")),
             "curves": str(folder / curves_file(fmt or "parquet"))}
    if fmt is None and record_frames is None:
        raise StudyFileError(f"{folder}: no {trials_file('parquet')}, {trials_file('csv')}, "
                             f"{trials_file('jsonl')} or {records.RECORDS_DIR}/ folder")
    if fmt is not None:
        trials = _read_table(folder, fmt, "trials", meta)
        curves = _read_table(folder, fmt, "curves", meta)
        if record_frames is not None:
            trials, curves = _merge_records(trials, curves, *record_frames)
    else:
        trials, curves = record_frames
        files = {"trials": str(folder / records.RECORDS_DIR),
                 "curves": str(folder / records.RECORDS_DIR)}
    study = Study._checked(trials, curves, meta, files=files, source=str(folder),
                           extra_problems=meta_problems)
    if compact and record_frames is not None:
        save_study(study, folder, format=fmt or "parquet")
    return study


def write_meta(folder: Path, meta: StudyMeta) -> None:
    """Write ``study.json`` atomically.

    Parameters
    ----------
    folder : Path
        The study folder (created if needed).
    meta : StudyMeta
        What to write.
    """
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(meta.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)
    atomic_write(folder / STUDY_FILE, lambda p: p.write_text(text + "\n", encoding="utf-8"))


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _write_jsonl(frame: pd.DataFrame, path: Path) -> None:
    columns = list(frame.columns)
    with path.open("w", encoding="utf-8") as handle:
        for row in frame.astype(object).itertuples(index=False, name=None):
            record = {c: None if v is pd.NA else _json_value(v)
                      for c, v in zip(columns, row, strict=True)}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _write_table(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        atomic_write(path, lambda p: frame.to_parquet(p, index=False))
    elif fmt == "csv":
        atomic_write(path, lambda p: frame.to_csv(p, index=False, encoding="utf-8"))
    else:
        atomic_write(path, lambda p: _write_jsonl(frame, p))


def save_study(study: Study, path: Any, *, format: str = "parquet") -> None:
    """Write ``study`` to the folder ``path``.

    Parameters
    ----------
    study : Study
    path : str or Path
        The folder; created if needed. Tables of the other formats already in
        it are removed, so that the folder holds one study.
    format : {"parquet", "csv", "jsonl"}
        The table format. ``study.json`` is the same for all three; for the
        text formats it records which ``hp.``/``attr.`` columns hold text, so
        that reading gives back identical frames, dtypes included.

    Notes
    -----
    Rows are sorted by trial key (and step): a study compares equal to
    itself after a round trip only up to that order, which is canonical.
    Each file is written aside and renamed into place; the runner's records
    are removed only after the tables that now hold them are in place.
    """
    check_choice("format", format, TABLE_FORMATS)
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    trials = study.trials.sort_values(list(KEY), kind="stable", ignore_index=True)
    curves = study.curves.sort_values([*KEY, "step"], kind="stable", ignore_index=True)
    write_meta(folder, dataclasses.replace(study.meta, curve_columns=tuple(curves.columns)))
    _write_table(trials, folder / trials_file(format), format)
    _write_table(curves, folder / curves_file(format), format)
    for other in TABLE_FORMATS:
        if other != format:
            for name in (trials_file(other), curves_file(other)):
                (folder / name).unlink(missing_ok=True)
    _remove_records(folder, keep_unmerged_from=study.trials)


def _key_tuples(frame: pd.DataFrame) -> set[tuple]:
    return set(frame[list(KEY)].astype(object).itertuples(index=False, name=None))


def _merge_records(trials: pd.DataFrame, curves: pd.DataFrame, rec_trials: pd.DataFrame,
                   rec_curves: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Append records to the tables, leaving out records already compacted into them
    (a compaction interrupted after writing the tables but before removing them)."""
    have = _key_tuples(trials)
    new = [row not in have
           for row in rec_trials[list(KEY)].astype(object).itertuples(index=False, name=None)]
    rec_trials = rec_trials[new]
    fresh = _key_tuples(rec_trials)
    if len(rec_curves):
        keep = [row in fresh for row in
                rec_curves[list(KEY)].astype(object).itertuples(index=False, name=None)]
        rec_curves = rec_curves[keep]
    trials = pd.concat([trials.astype({c: object for c in KEY[:3]}), rec_trials],
                       ignore_index=True)
    curves = pd.concat([curves.astype({c: object for c in KEY[:3]}), rec_curves],
                       ignore_index=True)
    return trials, curves


def _remove_records(folder: Path, keep_unmerged_from: pd.DataFrame) -> int:
    """Remove the record files whose trials are in ``keep_unmerged_from`` (the tables
    just written); return how many were removed.

    Leftover temporary files (of a writer killed mid-write) are removed only
    under the folder's lock, so that a run writing into the folder at the
    same time never loses the record it is writing.
    """
    have = _key_tuples(keep_unmerged_from)
    removed = 0
    for path in records.record_files(folder):
        record = records.load_record(path)
        if tuple(record[k] for k in KEY) in have:
            path.unlink()
            removed += 1
    directory = folder / records.RECORDS_DIR
    if directory.is_dir():
        if holds_lock(folder):
            for tmp in directory.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
        if not any(directory.iterdir()):
            directory.rmdir()
    return removed


def compact_study(study_dir: Any) -> Study:
    """Fold the records of ``study_dir`` into its tables and remove the records.

    Parameters
    ----------
    study_dir : str or Path
        A study folder with a ``records/`` folder (and maybe tables).

    Returns
    -------
    Study
        The validated study.

    Raises
    ------
    StudyFileError
        If another process holds the folder's lock (a run writing into it).

    Notes
    -----
    The tables are written in the format they have (Parquet when there are
    none yet); records are removed only after the tables that hold them are
    in place.
    """
    folder = Path(study_dir)
    with study_lock(folder, "compact it"):
        return load_study(folder, compact=True)


def done_keys(study_dir: Any) -> set[tuple]:
    """Keys of the trials already finished in ``study_dir``, for resuming a run.

    Parameters
    ----------
    study_dir : str or Path
        A study folder: tables in any format (Parquet, CSV, JSON Lines)
        and/or records.

    Returns
    -------
    set of tuple
        ``(workload, protocol, optimizer, repeat, trial)`` of every trial in
        the tables or the records.
    """
    folder = Path(study_dir)
    keys: set[tuple] = set()
    fmt = _table_format(folder)
    path = folder / trials_file(fmt) if fmt else None
    if fmt == "parquet":
        try:
            frame = pq.read_table(path, columns=list(KEY)).to_pandas()
        except (pa.ArrowException, OSError) as exc:
            raise StudyFileError(f"{path}: cannot read the Parquet file: {exc}") from None
    elif fmt == "csv":
        frame = _read_csv(path, set(POOL))[list(KEY)]
    elif fmt == "jsonl":
        frame = read_jsonl(path, set(POOL), KEY)
    if fmt is not None:
        missing = [c for c in KEY if c not in frame]
        if missing:
            raise StudyFileError(f"{path}: no column {missing[0]!r}; expected the trial key "
                                 f"{', '.join(KEY)}")
        frame = frame.astype({"repeat": "int64", "trial": "int64"})
        keys.update((str(w), str(p), str(o), int(r), int(t)) for w, p, o, r, t in
                    frame[list(KEY)].itertuples(index=False, name=None))
    for record_path in records.record_files(folder):
        record = records.load_record(record_path)
        keys.add(tuple(record[k] for k in KEY))
    return keys
