"""The released tuning data of Shallue et al. (2019), "Measuring the Effects of Data
Parallelism on Neural Network Training".

The data archive is laid out as::

    <dataset>/<model>/<optimizer>/<batch size>/study.json
    <dataset>/<model>/<optimizer>/<batch size>/<trial id>/metadata.json
    <dataset>/<model>/<optimizer>/<batch size>/<trial id>/measurements.csv

(with a few workloads grouped under one more folder, e.g. ``mnist_subsets/``).
``study.json`` holds ``dataset``, ``model``, ``optimizer``, ``batch_size``,
``train_steps`` and ``parameter_configs``, the search space: per parameter a
``type`` (``DOUBLE``, ``INTEGER``, ``DISCRETE``, ``CATEGORICAL``) with
``min_value``/``max_value`` and a ``scale`` (``LINEAR_SCALE``, ``LOG_SCALE``,
``REVERSE_LOG_SCALE``; the short forms ``LINEAR``, ``LOG``, ``REVERSE_LOG``
too), or ``feasible_points``. ``metadata.json`` holds the trial's
``parameters``, ``status`` and ``steps``; ``measurements.csv`` one row per
evaluation with ``step`` and metrics such as ``train/cross_entropy_error``
or ``val/classification_error``.

=========================  ==================================================
the data                   study
=========================  ==================================================
``dataset``, ``model``     workload ``<dataset>-<model>`` (e.g.
                           ``cifar_10-resnet_8``; grouping folders such as
                           ``mnist_subsets`` in front)
``optimizer``              optimizer
``batch_size``             protocol ``batch_size_<b>`` (each batch size was
                           tuned as its own study, with its own space)
trial id                   trial (repeat 0)
``parameters``             ``hp.<name>``
COMPLETE                   completed
INFEASIBLE                 diverged ("training diverged at some point")
INCOMPLETE                 failed (did not reach ``train_steps``)
``measurements.csv``       curves; metric names with ``/`` → ``_``
                           (``val/classification_error`` →
                           ``val_classification_error``, split valid)
=========================  ==================================================

References
----------
Shallue, Lee, Antognini, Sohl-Dickstein, Frostig & Dahl (2019), "Measuring
the Effects of Data Parallelism on Neural Network Training", JMLR 20(112).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import DataError, StudyFileError
from ..study import Study
from ._builder import StudyBuilder, progress_iter
from ._files import existing, number_after, read_csv, read_json, subfolders
from ._metrics import metric_column
from ._options import import_options
from ._spaces import choice_or_fixed, space_from

__all__ = ["STATUSES", "read", "read_space"]

#: Trial status in the data → status in the study.
STATUSES = {"COMPLETE": "completed", "INFEASIBLE": "diverged", "INCOMPLETE": "failed"}
_SCALES = {"LINEAR_SCALE": "linear", "LINEAR": "linear", "": "linear", None: "linear",
           "LOG_SCALE": "log", "LOG": "log", "REVERSE_LOG_SCALE": "reverse_log",
           "REVERSE_LOG": "reverse_log"}


def read_space(path: Path, configs: Any) -> dict[str, dict[str, Any]]:
    """Search-space entries from a study's ``parameter_configs`` (see the module
    docstring); errors name the file and the parameter."""
    if not isinstance(configs, Mapping):
        raise DataError(f"{path}: `parameter_configs` must be an object of name → config")
    entries = {}
    for name, spec in configs.items():
        kind = spec.get("type") if isinstance(spec, Mapping) else None
        if kind in ("DISCRETE", "CATEGORICAL"):
            points = spec.get("feasible_points") or spec.get("categories")
            if not isinstance(points, list) or not points:
                raise DataError(f"{path}: {name}: a {kind} parameter needs a non-empty "
                                f"`feasible_points` list")
            entries[name] = choice_or_fixed(points)
        elif kind in ("DOUBLE", "INTEGER"):
            scale = spec.get("scale")
            if scale not in _SCALES:
                raise DataError(f"{path}: {name}: unknown scale {scale!r}; expected "
                                "LINEAR_SCALE, LOG_SCALE or REVERSE_LOG_SCALE")
            entries[name] = {"scale": _SCALES[scale], "low": spec.get("min_value"),
                             "high": spec.get("max_value")}
        else:
            raise DataError(f"{path}: {name}: unknown parameter type {kind!r}; expected "
                            "DOUBLE, INTEGER, DISCRETE or CATEGORICAL")
    return entries


def read(src: Any, **options: Any) -> Study:
    """Read the data of Shallue et al. (2019) (one study folder, or any folder above
    several) into a study.

    Parameters
    ----------
    src : str or Path
        A folder holding ``study.json`` files at any depth.
    **options
        The options of every importer (see :mod:`tunestats.importers`).

    Returns
    -------
    Study
        Protocols ``batch_size_<b>``; the import report in
        ``study.provenance["import"]``.
    """
    opts = import_options(**options)
    root = existing(src, "folder")
    builder = StudyBuilder("shallue", root, opts, dense=True,
                           expected="<dataset>/<model>/<optimizer>/<batch size>/study.json with "
                                    "trial folders")
    study_files = sorted(root.rglob("study.json"))
    builder.report.count("studies", len(study_files))
    for study_file in study_files:
        meta = read_json(study_file)
        if not isinstance(meta, Mapping):
            raise DataError(f"{study_file}: expected a JSON object")
        folder = study_file.parent
        parts = folder.resolve().parts
        base = "-".join(str(meta[k]) for k in ("dataset", "model") if meta.get(k)) or "-".join(
            parts[-4:-2])
        extra = folder.relative_to(root).parts[:-4]  # grouping folders such as mnist_subsets
        natural = {"workload": "-".join((*extra, base)),
                   "optimizer": meta.get("optimizer") or parts[-2],
                   "protocol": f"batch_size_{meta.get('batch_size', parts[-1])}"}
        key = opts.resolve_key(natural, {}, builder.report)
        space = space_from(str(study_file), read_space(study_file,
                                                       meta.get("parameter_configs", {})))
        builder.add_space(key["protocol"], key["optimizer"], space, str(study_file))
        attrs = {k: meta[k] for k in ("batch_size", "train_steps") if k in meta}
        trial_dirs = [d for d in subfolders(folder) if number_after(d.name) is not None]
        builder.report.count("trial folders", len(trial_dirs))
        for trial_dir in progress_iter(trial_dirs, opts):
            _add_trial(builder, trial_dir, key, attrs)
    return builder.build(name=root.resolve().name)


def _add_trial(builder: StudyBuilder, trial_dir: Path, key: Mapping[str, str],
               attrs: Mapping[str, Any]) -> None:
    try:
        meta = read_json(trial_dir / "metadata.json")
        if not isinstance(meta, Mapping) or meta.get("status") not in STATUSES:
            raise StudyFileError(f"{trial_dir / 'metadata.json'}: expected an object with a "
                                 f"status in {', '.join(STATUSES)}")
        path = trial_dir / "measurements.csv"
        frame = read_csv(path) if path.exists() else None
    except StudyFileError as exc:
        builder.report.skip("trial", trial_dir, str(exc))
        return
    status, message = STATUSES[meta["status"]], None
    if meta["status"] != "COMPLETE":
        message = meta["status"]
    if frame is not None and "step" not in frame:
        builder.report.skip("trial", trial_dir, "measurements.csv has no `step` column")
        return
    if frame is None:
        message = (message + "; " if message else "") + "no measurements.csv"
        if status == "completed":
            status = "failed"
    curve = None if frame is None else frame.rename(
        columns={c: metric_column(c) for c in frame.columns if c != "step"})
    builder.add_trial({**key, "repeat": 0, "trial": meta.get("trial_id",
                                                             number_after(trial_dir.name))},
                      status=status, place=str(trial_dir), hp=meta.get("parameters") or {},
                      curve=curve, attrs={**attrs, "steps": meta.get("steps")}, message=message)
