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
trial; one whose last evaluation has a non-finite metric is diverged.

``tuning_search_space.json`` (found in the submission folder, or given) maps
each hyperparameter to ``{"min", "max", "scaling": "log"|"linear"}`` or to
``{"feasible_points": [...]}`` (one point: a fixed value; several: a
choice), or is a list of points ``[{name: value, ...}, ...]``, which the
study stores per parameter as the values it takes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_choice
from ..errors import DataError, StudyFileError
from ..space import SearchSpace
from ..study import Study
from ._builder import StudyBuilder, progress_iter
from ._files import existing, number_after, read_csv, read_json
from ._metrics import metric_column
from ._options import import_options
from ._spaces import choice_or_fixed, space_from

__all__ = ["read", "read_search_space"]

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


def _trial_folders(root: Path) -> list[Path]:
    """Every ``trial_<j>`` folder below ``root`` (not looking inside trial folders)."""
    found = []

    def walk(folder: Path, depth: int) -> None:
        with os.scandir(folder) as entries:
            dirs = sorted(e.name for e in entries if e.is_dir())
        for name in dirs:
            path = folder / name
            if _TRIAL.match(name):
                found.append(path)
            elif depth < _MAX_DEPTH:
                walk(path, depth + 1)

    if _TRIAL.match(root.name):
        return [root]
    walk(root, 0)
    return found


def _layout(root_parts: tuple[str, ...], root: Path, trial_dir: Path) -> dict[str, Any]:
    """Submission, repeat, workload and framework of a trial folder, from its path
    (``root_parts``: the parts of the resolved root, so that a root that is
    itself a study or a submission folder still names them)."""
    parts = [*root_parts, *trial_dir.relative_to(root).parts]
    match = _FRAMEWORK.match(parts[-2])
    workload, framework = ((match["workload"], match["framework"]) if match
                           else (parts[-2], None))
    rest = parts[:-2]
    repeat = 0
    if rest and _STUDY.match(rest[-1]):
        repeat = int(number_after(rest.pop()))
    return {"optimizer": rest[-1] if rest else None, "repeat": repeat, "workload": workload,
            "framework": framework, "submission_dir": Path(*rest) if rest else root}


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
    if isinstance(doc, list):
        if not doc or not all(isinstance(p, Mapping) for p in doc):
            raise DataError(f"{path}: a list search space must hold objects of name → value")
        names = list(dict.fromkeys(n for point in doc for n in point))
        for name in names:
            params[name] = choice_or_fixed(point.get(name) for point in doc)
        return space_from(str(path), params)
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
         **options: Any) -> Study:
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
    **options
        The options of every importer (``protocol``, ``constants``,
        ``metrics``, ``targets``, ``progress``, ``strict``; see
        :mod:`tunestats.importers`).

    Returns
    -------
    Study
        With ``time_s`` = accumulated submission time, and the import report in
        ``study.provenance["import"]``.

    Examples
    --------
    >>> study = algoperf.read("logs/", targets={"wmt": {"validation_bleu": 30.85}})  # doctest: +SKIP
    """
    opts = import_options(**options)
    if ruleset is not None:
        check_choice("ruleset", ruleset, PROTOCOLS)
    root = existing(src, "AlgoPerf logs folder")
    builder = StudyBuilder("algoperf", root, opts, dense=True,
                           expected="folders <submission>/study_<i>/<workload>_<framework>/"
                                    f"trial_<j>/ with {EVAL_FILE}")
    folders = _trial_folders(root)
    builder.report.count("trial folders", len(folders))
    headers: dict[tuple[str, ...], _Columns] = {}
    pending = []
    has_hparams: dict[str, bool] = {}
    root_parts = root.resolve().parts
    for folder in progress_iter(folders, opts):
        where = _layout(root_parts, root, folder)
        hp: dict[str, Any] = {}
        hp_path = folder / HPARAMS_FILE
        try:
            if hp_path.exists():
                hp = read_json(hp_path)
                if not isinstance(hp, dict):
                    raise StudyFileError(f"{hp_path}: expected an object of name → value")
                has_hparams[where["optimizer"]] = True
            eval_path = folder / EVAL_FILE
            frame = read_csv(eval_path) if eval_path.exists() else None
        except StudyFileError as exc:
            builder.report.skip("trial", folder, str(exc))
            continue
        has_hparams.setdefault(where["optimizer"], False)
        pending.append((folder, where, hp, frame))
    missing = []
    for folder, where, hp, frame in pending:
        protocol = PROTOCOLS[ruleset or ("external" if has_hparams[where["optimizer"]]
                                         else "self")]
        key = opts.resolve_key({**where, "protocol": protocol}, hp, builder.report)
        key.update(repeat=where["repeat"], trial=number_after(folder.name))
        attrs: dict[str, Any] = {"framework": where["framework"]} if where["framework"] else {}
        if frame is None or not len(frame) or STEP_COLUMN not in frame:
            reason = (f"no {EVAL_FILE}" if frame is None else f"{EVAL_FILE} has no rows"
                      if not len(frame) else f"{EVAL_FILE} has no {STEP_COLUMN} column")
            missing.append(str(folder))
            builder.add_trial(key, status="failed", place=str(folder), hp=hp, attrs=attrs,
                              message=reason)
            continue
        header = tuple(frame.columns)
        columns = headers.get(header) or headers.setdefault(header, _Columns(header))
        try:
            values = frame.to_numpy(dtype=float)
        except (TypeError, ValueError):  # text in a column: let the builder coerce and report
            curve = frame.iloc[:, columns.curve].set_axis(list(columns.names), axis=1)
            values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        else:
            curve = (columns.names, values[:, columns.curve])
        last = values[-1]
        attrs.update(zip(columns.attr_names, last[columns.attr_index].tolist(), strict=True))
        duration = None if columns.duration is None else last[columns.duration]
        builder.add_trial(key, status="completed", place=str(folder), hp=hp, curve=curve,
                          attrs=attrs, duration_s=None if duration is None or np.isnan(duration)
                          else duration)
    if missing:
        builder.report.note(f"{len(missing)} trial folder(s) without evaluations kept as failed "
                            f"trials (their message says why): {', '.join(missing[:5])}"
                            + (" ..." if len(missing) > 5 else ""))
    extra = sorted({c for h in headers.values() for c in h.attrs})
    if extra:
        builder.report.note("columns kept as trial attributes (last value): " + ", ".join(extra))
    _add_spaces(builder, root, search_space, pending, ruleset, has_hparams)
    return builder.build(name=root.resolve().name)


def _add_spaces(builder: StudyBuilder, root: Path, search_space: Any, pending: list,
                ruleset: str | None, has_hparams: Mapping[str, bool]) -> None:
    """Declare each submission's search space, from the option or its folder."""
    submissions = {where["optimizer"]: where["submission_dir"] for _, where, _, _ in pending}
    for submission, folder in submissions.items():
        if isinstance(search_space, Mapping):
            path = search_space.get(submission)
        elif search_space is not None:
            path = search_space
        else:
            path = next((p for p in (folder / SPACE_FILE, root / SPACE_FILE) if p.exists()), None)
        if path is None:
            continue
        space = read_search_space(path)
        protocol = PROTOCOLS[ruleset or ("external" if has_hparams[submission] else "self")]
        key = builder.options.resolve_key({"optimizer": submission, "protocol": protocol}, {},
                                          builder.report, fields=("protocol", "optimizer"))
        builder.add_space(key["protocol"], key["optimizer"], space, str(path))
