"""AlgoPerf logs (MLCommons algorithmic-efficiency) and ``tuning_search_space.json``.

The scoring code of the benchmark reads logs laid out as::

    <root>/<submission>/study_<i>/<workload>_<framework>/trial_<j>/
        eval_measurements.csv   one row per evaluation
        hparams.json            the trial's hyperparameters (external tuning)

(the root may also be one submission's folder, or one study's). The mapping:

===========================  ===============================================
AlgoPerf                     study
===========================  ===============================================
submission folder            optimizer
``study_<i>``                repeat *i* (0 without study folders)
``<workload>_<framework>``   workload (the ``_jax``/``_pytorch`` suffix is
                             kept as ``attr.framework``)
``trial_<j>``                trial *j*
ruleset                      protocol ``external_tuning`` or ``self_tuning``
``global_step``              step
``accumulated_submission_    time_s (the time the benchmark scores; its
time``                       ``score`` column holds the same)
``train/<m>``,               metrics ``train_<m>``, ``validation_<m>``,
``validation/<m>``,          ``test_<m>`` (splits train, valid, test;
``test/<m>``                 directions inferred from the names, as the
                             benchmark's own scoring code does)
``hparams.json``             ``hp.<name>``
other columns                trial attributes (last value): ``total_duration``
                             (also ``duration_s``), ``accumulated_eval_time``,
                             ``preemption_count``, ``*/num_examples``, ...
===========================  ===============================================

The ruleset is the ``ruleset`` argument, else external tuning for a submission
whose trials have ``hparams.json`` and self-tuning for one whose trials do
not. A trial folder without ``eval_measurements.csv`` is kept as a failed
trial; one whose last evaluation has a non-finite metric is diverged. A
``trial_<j>`` folder directly inside a ``study_<i>`` folder (no workload
folder between them, as in some published logs) is skipped and counted.

The benchmark's targets file ``workload_targets*.json`` (:func:`read_targets`)
is taken as it is: ``base_workloads``, ``held_out_workloads`` and, per
workload, ``target_metric_name`` (logged as ``validation/<name>``) and
``validation_target_value``. Given as ``targets=``, it sets each imported
workload's target and headline metric ``validation_<name>`` (``workloads``
in ``study.json``); targets of workloads absent from the logs are ignored
with a note.

``tuning_search_space.json`` (found in the submission folder, or given) maps
each hyperparameter to ``{"min", "max", "scaling": "log"|"linear"}`` or to
``{"feasible_points": [...]}`` (one point: a fixed value; several: a
choice; false and true: a bool), or is a list of joint points
``[{name: value, ...}, ...]`` of which each trial runs one: the study keeps
it as a joint-point space (``points`` in ``study.json``), never as
per-parameter choices whose list order would pass for a range.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from .._checks import check_choice
from ..errors import DataError, StudyFileError
from ..space import SearchSpace
from ..study import Metric, Study
from ._builder import StudyBuilder, progress_iter
from ._files import existing, number_after, read_json
from ._metrics import infer_metric, metric_column
from ._options import import_options
from ._spaces import choice_or_fixed, listed_space, space_from
from .report import ImportReport

__all__ = ["Target", "Targets", "TrialFolder", "read", "read_search_space", "read_tables",
           "read_targets", "scan"]

EVAL_FILE = "eval_measurements.csv"
HPARAMS_FILE = "hparams.json"
SPACE_FILE = "tuning_search_space.json"
STEP_COLUMN = "global_step"
TIME_COLUMN = "accumulated_submission_time"
PROTOCOLS = {"external": "external_tuning", "self": "self_tuning"}

_FRAMEWORK = re.compile(r"^(?P<workload>.+)_(?P<framework>jax|pytorch)$")
_TRIAL = re.compile(r"^trial_\d+$")
_STUDY = re.compile(r"^study_\d+$")
_SPLITS = ("train/", "validation/", "test/")
_MAX_DEPTH = 6


class TrialFolder(NamedTuple):
    """One ``trial_<j>`` folder and what its path says."""

    path: Path
    submission: str | None
    repeat: int
    workload: str
    framework: str | None
    trial: int
    submission_dir: Path


def _trial_folders(root: Path, report: ImportReport) -> list[Path]:
    """Every ``trial_<j>`` folder below ``root`` (not looking inside trial folders);
    one directly inside a ``study_<i>`` folder is skipped (reported)."""
    found = []

    def walk(folder: Path, depth: int) -> None:
        with os.scandir(folder) as entries:
            dirs = sorted(e.name for e in entries if e.is_dir())
        for name in dirs:
            path = folder / name
            if _TRIAL.match(name):
                if _STUDY.match(folder.name):
                    report.skip("trial", path, "a trial folder directly inside a study folder "
                                "(no <workload>_<framework> folder between them)")
                else:
                    found.append(path)
            elif depth < _MAX_DEPTH:
                walk(path, depth + 1)

    if _TRIAL.match(root.name):
        return [root]
    walk(root, 0)
    return found


def _layout(root_parts: tuple[str, ...], root: Path, trial_dir: Path,
            folders: dict[tuple[str, ...], Path]) -> TrialFolder:
    """Submission, repeat, workload and framework of a trial folder, from its path
    (``root_parts``: the parts of the resolved root, so that a root that is
    itself a study or a submission folder still names them; ``folders``: the
    submission folders made so far, by their parts)."""
    parts = [*root_parts, *trial_dir.parts[len(root.parts):]]
    match = _FRAMEWORK.match(parts[-2])
    workload, framework = ((match["workload"], match["framework"]) if match
                           else (parts[-2], None))
    rest = parts[:-2]
    repeat = 0
    if rest and _STUDY.match(rest[-1]):
        repeat = int(number_after(rest.pop()))
    submission_dir = folders.get(tuple(rest)) or folders.setdefault(
        tuple(rest), Path(*rest) if rest else root)
    return TrialFolder(trial_dir, rest[-1] if rest else None, repeat, workload, framework,
                       int(number_after(trial_dir.name)), submission_dir)


def scan(root: Path, report: ImportReport) -> list[TrialFolder]:
    """The trial folders below the logs folder ``root``, in path order, with what
    their paths say (stray folders skipped, counted in ``report``)."""
    folders = _trial_folders(root, report)
    report.count("trial folders", len(folders))
    root_parts = root.resolve().parts
    made: dict[tuple[str, ...], Path] = {}
    return [_layout(root_parts, root, folder, made) for folder in folders]


def ruleset_of(has_hparams: bool, ruleset: str | None = None) -> str:
    """The protocol of a submission: the ``ruleset`` given, else external tuning when
    its trials have ``hparams.json`` and self-tuning when they do not."""
    return PROTOCOLS[ruleset or ("external" if has_hparams else "self")]


# -- the targets file --------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """One workload's entry of a targets file.

    Attributes
    ----------
    metric : Metric
        The validation metric scored (``validation_<target_metric_name>``),
        its direction inferred from the name as the benchmark does.
    column : str
        Its column in ``eval_measurements.csv`` (``validation/<name>``).
    value : float
        ``validation_target_value``.
    step_hint : int or None
    """

    metric: Metric
    column: str
    value: float
    step_hint: int | None = None


@dataclass(frozen=True)
class Targets:
    """A benchmark targets file (``workload_targets*.json``), as it is.

    Attributes
    ----------
    base_workloads, held_out_workloads : tuple of str
        The workloads a leaderboard scores (held-out ones: variants of a base
        workload).
    workloads : mapping of str to Target
        Every workload's target (more than the scored ones, as in the file).
    source : str
    """

    base_workloads: tuple[str, ...]
    held_out_workloads: tuple[str, ...]
    workloads: Mapping[str, Target]
    source: str = "targets"

    def base_of(self, workload: str) -> str:
        """The base workload of a held-out variant (the longest base name the variant's
        name starts with); a base workload is its own base."""
        if workload in self.base_workloads:
            return workload
        bases = [b for b in self.base_workloads if workload.startswith(b)]
        if not bases:
            raise DataError(f"{self.source}: held-out workload {workload!r} is not a variant of "
                            f"any base workload ({', '.join(self.base_workloads)})")
        return max(bases, key=len)

    @property
    def scored(self) -> tuple[str, ...]:
        """Base and held-out workloads, in that order."""
        return (*self.base_workloads, *self.held_out_workloads)

    def study_targets(self, workloads: Iterable[str]) -> dict[str, dict[str, float]]:
        """``{workload: {metric: value}}`` for the given workloads that have a target."""
        return {w: {self.workloads[w].metric.name: self.workloads[w].value}
                for w in workloads if w in self.workloads}


def read_targets(src: Any) -> Targets:
    """Read a benchmark targets file (``workload_targets*.json``) as it is.

    Parameters
    ----------
    src : str, Path or mapping
        The file, or its parsed JSON: ``{"base_workloads": [...],
        "held_out_workloads": [...], "workloads": {name: {"target_metric_name":
        ..., "validation_target_value": ..., "step_hint": ...}}}`` (other
        top-level fields, such as comments, are ignored).

    Returns
    -------
    Targets

    Raises
    ------
    DataError
        A malformed entry, naming the file, the workload and the field.
    """
    if isinstance(src, Mapping):
        doc, source = src, "targets"
    else:
        source = str(existing(src, "targets file"))
        doc = read_json(Path(src))
    if not isinstance(doc, Mapping) or not isinstance(doc.get("workloads"), Mapping):
        raise DataError(f"{source}: expected an AlgoPerf targets file: an object with "
                        "`workloads` (name → {target_metric_name, validation_target_value}), "
                        "`base_workloads` and `held_out_workloads`")
    workloads: dict[str, Target] = {}
    for name, spec in doc["workloads"].items():
        where = f"{source}: workloads.{name}"
        if not isinstance(spec, Mapping):
            raise DataError(f"{where}: expected an object; got {spec!r}")
        metric_name, value = spec.get("target_metric_name"), spec.get("validation_target_value")
        if not isinstance(metric_name, str) or not metric_name:
            raise DataError(f"{where}.target_metric_name: expected a metric name; got "
                            f"{metric_name!r}")
        if (not isinstance(value, numbers.Real) or isinstance(value, bool)
                or not math.isfinite(value)):
            raise DataError(f"{where}.validation_target_value: expected a finite number; got "
                            f"{value!r}")
        column = f"validation/{metric_name}"
        metric, _ = infer_metric(metric_column(column))
        if metric is None:
            raise DataError(f"{where}.target_metric_name: the direction of {metric_name!r} is "
                            "not known (expected a loss, error, wer, accuracy, ssim, "
                            "mean_average_precision, bleu, ...)")
        hint = spec.get("step_hint")
        workloads[str(name)] = Target(metric, column, float(value),
                                      int(hint) if isinstance(hint, numbers.Integral) else None)
    lists = {}
    for key in ("base_workloads", "held_out_workloads"):
        names = doc.get(key, [] if key == "held_out_workloads" else None)
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise DataError(f"{source}: `{key}` must be a list of workload names; got {names!r}")
        unknown = [n for n in names if n not in workloads]
        if unknown:
            raise DataError(f"{source}: `{key}` names {unknown[0]!r}, which has no entry under "
                            "`workloads`")
        lists[key] = tuple(names)
    if not lists["base_workloads"]:
        raise DataError(f"{source}: `base_workloads` is empty")
    targets = Targets(lists["base_workloads"], lists["held_out_workloads"], workloads, source)
    for name in targets.held_out_workloads:
        targets.base_of(name)
    return targets


def _is_targets_file(src: Any) -> bool:
    """Whether the ``targets`` option is a benchmark targets file rather than the
    common ``{workload: {metric: value}}`` form."""
    if isinstance(src, Mapping):
        return isinstance(src.get("workloads"), Mapping) and "base_workloads" in src
    if isinstance(src, (str, Path)) and Path(src).is_file():
        doc = read_json(Path(src))
        return isinstance(doc, Mapping) and "base_workloads" in doc
    return False


# -- reading eval_measurements.csv --------------------------------------------
# A study's eval_measurements.csv files are many small files with few distinct
# headers. Parsing each on its own costs a reader per file; files that are plain
# (no quotes, no carriage returns, no blank lines) are instead grouped by header
# line and the bodies of a group parsed as one CSV, then split again by their
# line counts. Any other file, and every file of a group whose joint parse fails
# or holds a column that is not numbers, is read on its own, so that the values,
# the count of cells that are not numbers and the errors are those of the file.
def _convert_options(columns: Sequence[str] | None) -> pa_csv.ConvertOptions | None:
    if columns is None:
        return None
    return pa_csv.ConvertOptions(include_columns=list(columns), include_missing_columns=True)


def _numeric(column: pa.ChunkedArray) -> bool:
    return (pa.types.is_floating(column.type) or pa.types.is_integer(column.type)
            or pa.types.is_null(column.type))


def _read_table(path: Path, columns: Sequence[str] | None) -> tuple[tuple[str, ...], np.ndarray,
                                                                      int]:
    """One CSV file as (header, float array, number of cells that are not numbers); only
    ``columns`` when given (all NaN where the file lacks one). Missing files: an
    empty header."""
    if not path.exists():
        return (), np.zeros((0, 0)), 0
    try:
        table = pa_csv.read_csv(path, convert_options=_convert_options(columns))
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            raise StudyFileError(f"{path}: empty file (no header)") from None
        raise StudyFileError(f"{path}: cannot read the CSV file: {exc}") from None
    except OSError as exc:
        raise StudyFileError(f"{path}: cannot read ({exc})") from None
    header = tuple(table.column_names)
    values = np.empty((table.num_rows, len(header)))
    bad = 0
    for i, column in enumerate(table.columns):
        if _numeric(column):
            values[:, i] = column.to_numpy(zero_copy_only=False) if not pa.types.is_null(
                column.type) else np.nan
        else:
            text = pd.Series(column.to_pylist(), dtype=object)
            numeric = pd.to_numeric(text, errors="coerce")
            bad += int((numeric.isna() & text.notna()).sum())
            values[:, i] = numeric.to_numpy(dtype=float)
    return header, values, bad


def _plain(data: bytes) -> tuple[bytes, bytes, int] | None:
    """Header line, body (ending in a newline) and number of rows of a file whose
    lines can be counted by newlines; None for any other."""
    if b'"' in data or b"\r" in data:
        return None
    header, _, body = data.partition(b"\n")
    if not header:
        return None
    if body and not body.endswith(b"\n"):
        body += b"\n"
    if body.startswith(b"\n") or b"\n\n" in body:
        return None
    return header, body, body.count(b"\n")


def _read_group(header: bytes, bodies: list[bytes], rows: list[int],
                columns: Sequence[str] | None) -> list[tuple[tuple[str, ...], np.ndarray, int]
                                                       ] | None:
    """The tables of plain files with one header line, parsed as one CSV of numbers
    (every column read as float, so that the type is not guessed from the first
    files alone); None when the joint parse fails (a cell that is not a number,
    a row of the wrong length, ...)."""
    try:
        names = header.decode()
    except UnicodeDecodeError:
        return None
    convert = _convert_options(columns) or pa_csv.ConvertOptions()
    convert.column_types = dict.fromkeys(names.split(","), pa.float64())
    try:
        table = pa_csv.read_csv(pa.py_buffer(b"".join([header, b"\n", *bodies])),
                                convert_options=convert)
    except (pa.ArrowInvalid, OSError):
        return None
    if table.num_rows != sum(rows):
        return None
    values = np.empty((table.num_rows, table.num_columns))
    for i, column in enumerate(table.columns):
        values[:, i] = (np.nan if pa.types.is_null(column.type)
                        else column.to_numpy(zero_copy_only=False))
    names = tuple(table.column_names)
    ends = np.cumsum(rows).tolist()
    return [(names, values[end - n:end], 0) for n, end in zip(rows, ends, strict=True)]


def _read_chunk(job: list[tuple[Path, Sequence[str] | None]]) -> list[Any]:
    out: list[Any] = [None] * len(job)
    groups: dict[tuple[bytes, tuple[str, ...] | None], list[tuple[int, bytes, int]]] = {}
    alone = []
    for i, (path, columns) in enumerate(job):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            out[i] = ((), np.zeros((0, 0)), 0)
            continue
        except OSError:
            alone.append(i)
            continue
        plain = _plain(data)
        if plain is None:
            alone.append(i)
            continue
        header, body, n = plain
        key = (header, None if columns is None else tuple(columns))
        groups.setdefault(key, []).append((i, body, n))
    for (header, columns), files in groups.items():
        tables = _read_group(header, [body for _, body, _ in files], [n for _, _, n in files],
                             columns)
        if tables is None:
            alone.extend(i for i, _, _ in files)
            continue
        for (i, _, _), table in zip(files, tables, strict=True):
            out[i] = table
    for i in alone:
        try:
            out[i] = _read_table(*job[i])
        except StudyFileError as exc:
            out[i] = exc
    return out


def read_tables(paths: Sequence[Path], columns: Sequence[Sequence[str]] | None = None, *,
                workers: int | None = None) -> Iterator[Any]:
    """Read many ``eval_measurements.csv`` files with Arrow's CSV reader, in order.

    Parameters
    ----------
    paths : sequence of Path
    columns : sequence of sequence of str, optional
        Per file, only these columns (NaN where the file lacks one); default
        all columns of every file.
    workers : int, optional
        Processes to read in, each a share of the files (default 1: the files
        are parsed in batches on Arrow's threads, and processes then cost
        more than they save: 4,000 files of the import benchmark read in
        1.7–2.4 s with one and 2.3–2.9 s with two).

    Yields
    ------
    tuple or StudyFileError
        Per file ``(header, values, bad)``: column names, a float array
        (``nan``, ``inf`` and empty cells parsed), the number of cells that
        are not numbers (read as NaN); an empty header for a missing file;
        the error for an unreadable one.
    """
    items = list(zip(paths, columns if columns is not None else [None] * len(paths),
                     strict=True))
    if workers is None or workers <= 1:
        yield from _read_chunk(items)
        return
    size = max(1, math.ceil(len(items) / (8 * workers)))
    jobs = [items[i:i + size] for i in range(0, len(items), size)]
    with ProcessPoolExecutor(workers) as pool:
        for chunk in pool.map(_read_chunk, jobs):
            yield from chunk


def read_search_space(path: Any) -> SearchSpace:
    """Convert an AlgoPerf ``tuning_search_space.json`` (see the module docstring).

    Raises
    ------
    StudyFileError
        A missing or malformed file.
    DataError
        An entry that is not a valid search-space parameter (naming the file
        and the parameter).
    """
    path = existing(path, "search-space file")
    doc = read_json(path)
    params: dict[str, dict[str, Any]] = {}
    if isinstance(doc, list):  # joint points: a trial runs one of them
        return listed_space(str(path), doc)
    if not isinstance(doc, Mapping):
        raise DataError(f"{path}: a search space must be an object of name → range, or a list "
                        f"of points; got {type(doc).__name__}")
    for name, spec in doc.items():
        if isinstance(spec, Mapping) and "feasible_points" in spec:
            points = spec["feasible_points"]
            if not isinstance(points, list) or not points:
                raise DataError(f"{path}: {name}: `feasible_points` must be a non-empty list; "
                                f"got {points!r}")
            params[name] = choice_or_fixed(points)
        elif isinstance(spec, Mapping) and {"min", "max"} <= set(spec):
            scaling = spec.get("scaling", "linear")
            if scaling not in ("log", "linear"):
                raise DataError(f"{path}: {name}: `scaling` must be 'log' or 'linear'; "
                                f"got {scaling!r}")
            params[name] = {"scale": scaling, "low": spec["min"], "high": spec["max"]}
        else:
            raise DataError(f"{path}: {name}: expected {{min, max, scaling}} or "
                            f"{{feasible_points}}; got {spec!r}")
    return space_from(str(path), params)


class _Columns:
    """What each column of an ``eval_measurements.csv`` header becomes (computed
    once per distinct header): the curve's columns (step, time, metrics) and
    the trial attributes, as positions in the header."""

    def __init__(self, header: tuple[str, ...]):
        time = TIME_COLUMN if TIME_COLUMN in header else ("score" if "score" in header else None)
        metrics = [c for c in header if c.startswith(_SPLITS)
                   and not c.endswith("/num_examples")]
        curve = [STEP_COLUMN, *([time] if time else []), *metrics]
        self.names = ("step", *(["time_s"] if time else []), *map(metric_column, metrics))
        self.curve = [header.index(c) for c in curve]
        self.attrs = [c for c in header if c not in curve]
        self.attr_index = [header.index(c) for c in self.attrs]
        self.attr_names = [metric_column(c) for c in self.attrs]
        self.duration = header.index("total_duration") if "total_duration" in header else None


def read(src: Any, *, search_space: Any = None, ruleset: str | None = None,
         targets: Any = None, **options: Any) -> Study:
    """Read AlgoPerf logs into a study.

    Parameters
    ----------
    src : str or Path
        The logs folder (see the module docstring for the layout).
    search_space : str, Path or mapping, optional
        A ``tuning_search_space.json`` for every submission, or
        ``{submission: path}``. Default: the ``tuning_search_space.json`` in
        each submission folder, where there is one.
    ruleset : {"external", "self"}, optional
        The tuning ruleset (protocols ``external_tuning``/``self_tuning``);
        default: decided per submission (see the module docstring).
    targets : str, Path or mapping, optional
        The benchmark's targets file (``workload_targets*.json``, see
        :func:`read_targets`), or targets in the common form
        ``{workload: {metric: value}}``.
    **options
        The options of every importer (``protocol``, ``constants``,
        ``metrics``, ``progress``, ``strict``; see
        :mod:`tunestats.importers`).

    Returns
    -------
    Study
        With ``time_s`` = accumulated submission time, each workload's
        headline metric its target metric (with a targets file), and the
        import report in ``study.provenance["import"]``.

    Examples
    --------
    >>> study = algoperf.read("logs/", targets="workload_targets_v06.json")  # doctest: +SKIP
    """
    benchmark = read_targets(targets) if _is_targets_file(targets) else None
    opts = import_options(**options, targets=None if benchmark else targets)
    if ruleset is not None:
        check_choice("ruleset", ruleset, PROTOCOLS)
    root = existing(src, "AlgoPerf logs folder")
    builder = StudyBuilder("algoperf", root, opts, dense=True,
                           expected="folders <submission>/study_<i>/<workload>_<framework>/"
                                    f"trial_<j>/ with {EVAL_FILE}")
    folders = scan(root, builder.report)
    pending = []
    has_hparams: dict[str, bool] = {}
    for where in progress_iter(folders, opts):
        hp: dict[str, Any] = {}
        hp_path = where.path / HPARAMS_FILE
        try:
            if hp_path.exists():
                hp = read_json(hp_path)
                if not isinstance(hp, dict):
                    raise StudyFileError(f"{hp_path}: expected an object of name → value")
                has_hparams[where.submission] = True
        except StudyFileError as exc:
            builder.report.skip("trial", where.path, str(exc))
            continue
        has_hparams.setdefault(where.submission, False)
        pending.append((where, hp))
    tables = read_tables([where.path / EVAL_FILE for where, _ in pending])
    headers: dict[tuple[str, ...], _Columns] = {}
    missing = []
    for (where, hp), table in zip(pending, tables, strict=True):
        protocol = ruleset_of(has_hparams[where.submission], ruleset)
        key = opts.resolve_key({"optimizer": where.submission, "workload": where.workload,
                                "protocol": protocol}, hp, builder.report)
        key.update(repeat=where.repeat, trial=where.trial)
        attrs: dict[str, Any] = {"framework": where.framework} if where.framework else {}
        if isinstance(table, StudyFileError):
            builder.report.skip("trial", where.path, str(table))
            continue
        header, values, bad = table
        if not header or not len(values) or STEP_COLUMN not in header:
            reason = (f"no {EVAL_FILE}" if not header else f"{EVAL_FILE} has no rows"
                      if not len(values) else f"{EVAL_FILE} has no {STEP_COLUMN} column")
            missing.append(str(where.path))
            builder.add_trial(key, status="failed", place=str(where.path), hp=hp, attrs=attrs,
                              message=reason)
            continue
        if bad:
            builder.report.skip("rows", where.path, f"{bad} value(s) of {EVAL_FILE} are not "
                                "numbers; read as missing")
        columns = headers.get(header) or headers.setdefault(header, _Columns(header))
        last = values[-1]
        attrs.update(zip(columns.attr_names, last[columns.attr_index].tolist(), strict=True))
        duration = None if columns.duration is None else last[columns.duration]
        builder.add_trial(key, status="completed", place=str(where.path), hp=hp,
                          curve=(columns.names, values[:, columns.curve]), attrs=attrs,
                          duration_s=None if duration is None or np.isnan(duration)
                          else duration)
    if missing:
        builder.report.note(f"{len(missing)} trial folder(s) without evaluations kept as failed "
                            f"trials (their message says why): {', '.join(missing[:5])}"
                            + (" ..." if len(missing) > 5 else ""))
    extra = sorted({c for h in headers.values() for c in h.attrs})
    if extra:
        builder.report.note("columns kept as trial attributes (last value): " + ", ".join(extra))
    if benchmark is not None:
        _add_benchmark_targets(builder, benchmark, [where for where, _ in pending])
    _add_spaces(builder, root, search_space, pending, ruleset, has_hparams)
    return builder.build(name=root.resolve().name)


def _add_benchmark_targets(builder: StudyBuilder, benchmark: Targets,
                           folders: list[TrialFolder]) -> None:
    """Targets and headline metrics of the imported workloads from the benchmark's
    targets file; the file's other workloads are ignored (noted)."""
    present = sorted({where.workload for where in folders})
    without = [w for w in present if w not in benchmark.workloads]
    if without:
        builder.report.note(f"{benchmark.source} has no target for {', '.join(without)}")
    ignored = sorted(set(benchmark.workloads) - set(present))
    if ignored:
        builder.report.note(f"targets of {len(ignored)} workload(s) not in the logs ignored: "
                            + ", ".join(ignored))
    for workload in present:
        if workload in benchmark.workloads:
            builder.state_metric(benchmark.workloads[workload].metric, workload)
    builder.options = dataclasses.replace(builder.options,
                                          targets=benchmark.study_targets(present))


def _submissions_tree(folder: Path) -> list[Path]:
    """Where a published leaderboard keeps a submission's search space: the same path
    under the ``submissions`` folder next to the ``logs`` folder that holds
    ``folder`` (``.../logs/external_tuning/shampoo`` →
    ``.../submissions/external_tuning/shampoo/tuning_search_space.json``)."""
    parts = folder.resolve().parts
    out = []
    for i in range(len(parts) - 1, 0, -1):
        if parts[i] == "logs":
            out.append(Path(*parts[:i], "submissions", *parts[i + 1:], SPACE_FILE))
    return out


def _add_spaces(builder: StudyBuilder, root: Path, search_space: Any, pending: list,
                ruleset: str | None, has_hparams: Mapping[str, bool]) -> None:
    """Declare each submission's search space, from the option or its folder."""
    submissions = {where.submission: where.submission_dir for where, _ in pending}
    for submission, folder in submissions.items():
        if isinstance(search_space, Mapping):
            path = search_space.get(submission)
        elif search_space is not None:
            path = search_space
        else:
            path = next((p for p in (folder / SPACE_FILE, root / SPACE_FILE,
                                     *_submissions_tree(folder)) if p.exists()), None)
            if path is not None and path.parent != folder and path.parent != root:
                builder.report.note(f"search space of {submission} read from {path}")
        if path is None:
            continue
        space = read_search_space(path)
        protocol = ruleset_of(has_hparams[submission], ruleset)
        key = builder.options.resolve_key({"optimizer": submission, "protocol": protocol}, {},
                                          builder.report, fields=("protocol", "optimizer"))
        builder.add_space(key["protocol"], key["optimizer"], space, str(path))
