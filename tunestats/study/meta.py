"""The study's metadata (``study.json``): metrics, search spaces, targets,
inclusion graph, provenance.

``study.json`` looks like::

    {
      "schema_version": 1,
      "name": "digits and char-LSTM",
      "metrics": {"valid_error": {"direction": "minimize", "split": "valid",
                                  "unit": "fraction"}},
      "spaces": [{"protocol": "paper", "optimizer": "adam",
                  "params": {"learning_rate": {"scale": "log", "low": 1e-4, "high": 1}},
                  "fixed": {"beta2": 0.999}}],
      "targets": {"digits_mlp": {"valid_error": 0.05}},
      "workloads": {"digits_mlp": {"metrics": ["valid_error"], "valid": "valid_error"}},
      "inclusion": {"edges": [["sgd", "momentum"]], "aliases": {}},
      "text_columns": ["hp.activation"],
      "curve_columns": ["workload", ..., "step", "time_s", "valid_error"],
      "provenance": {"generator": "...", "command": "..."}
    }

Only ``schema_version`` and ``metrics`` are required.

A search space is either ranges and choices (``params``, with ``fixed``
values) or a *joint-point* space: a finite list of points of which each trial
runs one (AlgoPerf's list form of ``tuning_search_space.json``)::

    {"protocol": "external_tuning", "optimizer": "baseline",
     "points": [{"learning_rate": 0.0013, "warmup_factor": 0.1, "use_nesterov": true},
                {"learning_rate": 0.0008, "warmup_factor": 0.05, "use_nesterov": true}],
     "fixed": {}}

``points`` is a non-empty list of non-empty objects of hyperparameter name →
finite number, text, boolean or null, in the listed order; a space with
``points`` has no ``params``. Its tuned hyperparameters are the coordinates
whose value differs between points. Parameter scales (``params.<name>``)::

    {"scale": "linear" | "log" | "reverse_log", "low": 0.0001, "high": 1.0}
    {"scale": "int" | "int_log", "low": 16, "high": 1024}      integers; int_log: low >= 1
    {"scale": "choice", "choices": [32, 64, "auto"]}
    {"scale": "bool"}                                          false or true

``workloads`` (optional) says which declared metrics each workload logs and
which of them plays each split role: ``valid`` (the headline metric,
required), ``test`` and ``train`` (optional). A completed trial needs a
finite ``final.<m>`` exactly for the metrics its workload lists; elsewhere
``final.<m>`` is NaN. Without the section every workload logs every declared
metric and the roles follow the study-level rule
(:meth:`tunestats.Study.headline_metric`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ParameterError, Problem
from ..space import Param, SearchSpace, listed_problems, param_problems
from .schema import DIRECTIONS, ROLES, SCHEMA_VERSION, SPLITS, STUDY_FILE

__all__ = ["Metric", "StudyMeta", "WorkloadMetrics", "parse_meta"]

_TOP_LEVEL = {"schema_version", "name", "description", "metrics", "spaces", "targets",
              "inclusion", "text_columns", "curve_columns", "provenance", "workloads"}


@dataclass(frozen=True)
class Metric:
    """A metric declared by a study.

    Parameters
    ----------
    name : str
        The column name in ``curves`` (and ``final.<name>`` in ``trials``).
    direction : {"minimize", "maximize"}
        Whether smaller or larger is better. Never guessed silently.
    split : {"train", "valid", "test"}
        The data the metric is measured on.
    unit : str, optional
        For axis labels (e.g. ``"fraction"``, ``"nats"``).
    """

    name: str
    direction: str
    split: str
    unit: str | None = None

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ParameterError(f"metric {self.name!r}: `direction` must be one of "
                                 f"{', '.join(DIRECTIONS)}; got {self.direction!r}.")
        if self.split not in SPLITS:
            raise ParameterError(f"metric {self.name!r}: `split` must be one of "
                                 f"{', '.join(SPLITS)}; got {self.split!r}.")

    @property
    def sign(self) -> int:
        """+1 when smaller is better, −1 when larger is better (``sign * value``
        is always "smaller is better")."""
        return 1 if self.direction == "minimize" else -1

    @property
    def label(self) -> str:
        """Axis label: the name and the unit."""
        return f"{self.name} ({self.unit})" if self.unit else self.name

    def to_dict(self) -> dict[str, Any]:
        out = {"direction": self.direction, "split": self.split}
        if self.unit:
            out["unit"] = self.unit
        return out


@dataclass(frozen=True)
class WorkloadMetrics:
    """The metrics one workload logs and the metric playing each split role.

    Parameters
    ----------
    metrics : tuple of str
        Names of declared metrics the workload's trials log.
    valid : str
        The headline validation metric (one of ``metrics``).
    test, train : str, optional
        The metric playing the test and the train role, where the workload
        has one (one of ``metrics``).
    """

    metrics: tuple[str, ...]
    valid: str
    test: str | None = None
    train: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "metrics", tuple(self.metrics))
        for role in ROLES:
            name = getattr(self, role)
            if name is not None and name not in self.metrics:
                raise ParameterError(f"`{role}` must be one of the workload's metrics "
                                     f"({', '.join(self.metrics)}); got {name!r}.")

    def role(self, role: str) -> str | None:
        """The metric playing ``role`` (``"valid"``, ``"test"`` or ``"train"``), or None."""
        return getattr(self, role)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"metrics": list(self.metrics)}
        for role in ROLES:
            if getattr(self, role) is not None:
                out[role] = getattr(self, role)
        return out


@dataclass(frozen=True)
class StudyMeta:
    """Everything in ``study.json``.

    Attributes
    ----------
    metrics : mapping of str to Metric
        The declared metrics by name.
    spaces : mapping of (protocol, optimizer) to SearchSpace
        The declared search spaces.
    targets : mapping of str to mapping of str to float
        Per workload, the target value of each metric.
    inclusion : mapping, optional
        The inclusion graph (``edges``, ``aliases``) as declared.
    provenance : mapping
        Where the study comes from (generator, command, import report).
    text_columns, curve_columns : tuple of str
        Columns kept as text, and the curve table's columns (exact CSV/JSONL round trips).
    name, description : str, optional
    workloads : mapping of str to WorkloadMetrics
        Per workload, the metrics it logs and their roles (empty: every workload logs
        every declared metric).
    """

    metrics: Mapping[str, Metric]
    spaces: Mapping[tuple[str, str], SearchSpace] = field(default_factory=dict)
    targets: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    inclusion: Mapping[str, Any] | None = None
    provenance: Mapping[str, Any] = field(default_factory=dict)
    text_columns: tuple[str, ...] = ()
    curve_columns: tuple[str, ...] = ()
    name: str | None = None
    description: str | None = None
    workloads: Mapping[str, WorkloadMetrics] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written to ``study.json``."""
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        if self.name:
            out["name"] = self.name
        if self.description:
            out["description"] = self.description
        out["metrics"] = {name: m.to_dict() for name, m in self.metrics.items()}
        out["spaces"] = [{"protocol": p, "optimizer": o, **space.to_dict()}
                         for (p, o), space in self.spaces.items()]
        out["targets"] = {w: dict(t) for w, t in self.targets.items()}
        if self.workloads:
            out["workloads"] = {w: spec.to_dict() for w, spec in self.workloads.items()}
        if self.inclusion is not None:
            out["inclusion"] = dict(self.inclusion)
        out["text_columns"] = list(self.text_columns)
        out["curve_columns"] = list(self.curve_columns)
        out["provenance"] = dict(self.provenance)
        return out


def parse_meta(doc: Any, file: str = STUDY_FILE) -> tuple[StudyMeta | None, list[Problem]]:
    """Read the parsed JSON of ``study.json`` into a :class:`StudyMeta`.

    Returns the metadata (``None`` when it cannot be built) and every problem
    found, each naming ``file`` and the JSON path of the offending value.
    """
    problems: list[Problem] = []

    def problem(path: str, message: str, value: Any = None, expected: str | None = None,
                severity: str = "error") -> None:
        problems.append(Problem(message, file=file, column=path, value=value,
                                expected=expected, severity=severity))

    if not isinstance(doc, Mapping):
        problem("(top level)", "study.json must hold a JSON object", type(doc).__name__)
        return None, problems
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        problem("schema_version", "unsupported schema version", version,
                f"{SCHEMA_VERSION} (this tunestats reads schema version {SCHEMA_VERSION})")
        return None, problems
    for key in sorted(set(doc) - _TOP_LEVEL):
        problem(key, "unknown field, ignored", severity="warning",
                expected="one of " + ", ".join(sorted(_TOP_LEVEL)))

    metrics: dict[str, Metric] = {}
    raw_metrics = doc.get("metrics")
    if not isinstance(raw_metrics, Mapping) or not raw_metrics:
        problem("metrics", "a study must declare its metrics as an object of name → "
                "{direction, split}", raw_metrics)
        raw_metrics = {}
    for name, spec in raw_metrics.items():
        path = f"metrics.{name}"
        if not isinstance(spec, Mapping):
            problem(path, "a metric declaration must be an object", spec,
                    '{"direction": ..., "split": ...}')
            continue
        direction, split = spec.get("direction"), spec.get("split")
        if direction not in DIRECTIONS:
            problem(f"{path}.direction", "metric declared without a valid direction", direction,
                    " or ".join(repr(d) for d in DIRECTIONS))
            continue
        if split not in SPLITS:
            problem(f"{path}.split", "metric declared without a valid split", split,
                    ", ".join(repr(s) for s in SPLITS))
            continue
        metrics[name] = Metric(name, direction, split, spec.get("unit"))

    spaces: dict[tuple[str, str], SearchSpace] = {}
    raw_spaces = doc.get("spaces", []) or []
    if not isinstance(raw_spaces, list):
        problem("spaces", "search spaces must be a list", type(raw_spaces).__name__,
                "a list of {protocol, optimizer, params, fixed}")
        raw_spaces = []
    for i, spec in enumerate(raw_spaces):
        path = f"spaces[{i}]"
        if not isinstance(spec, Mapping) or not {"protocol", "optimizer"} <= set(spec):
            problem(path, "a search space needs `protocol` and `optimizer`", spec)
            continue
        pool = (str(spec["protocol"]), str(spec["optimizer"]))
        path = f"spaces[{pool[0]}/{pool[1]}]"
        params = spec.get("params", {}) or {}
        if "points" in spec:
            wrong = listed_problems(spec["points"], params)
            for message in wrong:
                problem(f"{path}.points", message.rstrip("."))
            if pool in spaces:
                problem(path, "search space declared twice for this protocol and optimizer")
            elif not wrong:
                try:
                    spaces[pool] = SearchSpace((), spec.get("fixed", {}) or {},
                                               tuple(spec["points"]))
                except ParameterError as exc:
                    problem(path, str(exc).rstrip("."))
            continue
        if not isinstance(params, Mapping):
            problem(f"{path}.params", "`params` must be an object of name → parameter",
                    type(params).__name__)
            continue
        good = True
        for pname, pspec in params.items():
            if not isinstance(pspec, Mapping):
                problem(f"{path}.params.{pname}", "a parameter must be an object", pspec)
                good = False
                continue
            for message in param_problems(pname, pspec.get("scale"), pspec.get("low"),
                                          pspec.get("high"), pspec.get("choices")):
                problem(f"{path}.params.{pname}", message.split(": ", 1)[1].rstrip("."))
                good = False
        if pool in spaces:
            problem(path, "search space declared twice for this protocol and optimizer")
            good = False
        if good:
            try:
                spaces[pool] = SearchSpace(
                    tuple(Param.from_dict(n, p) for n, p in params.items()),
                    spec.get("fixed", {}) or {})
            except ParameterError as exc:
                problem(path, str(exc).rstrip("."))

    targets: dict[str, dict[str, float]] = {}
    raw_targets = doc.get("targets", {}) or {}
    if not isinstance(raw_targets, Mapping):
        problem("targets", "targets must be an object of workload → {metric: value}",
                type(raw_targets).__name__)
        raw_targets = {}
    for workload, spec in raw_targets.items():
        if not isinstance(spec, Mapping):
            problem(f"targets.{workload}", "must be an object of metric → value", spec)
            continue
        for metric, value in spec.items():
            if metric not in metrics and metrics:
                problem(f"targets.{workload}.{metric}", "target for an undeclared metric",
                        metric, "one of " + ", ".join(metrics))
            elif not isinstance(value, numbers.Real) or isinstance(value, bool):
                problem(f"targets.{workload}.{metric}", "target must be a number", value)
            elif not math.isfinite(value):  # NaN or ±inf: no step ever reaches it
                problem(f"targets.{workload}.{metric}", "target must be a finite number", value)
            else:
                targets.setdefault(workload, {})[metric] = float(value)

    workloads = _parse_workloads(doc.get("workloads"), metrics, problem)

    inclusion = doc.get("inclusion")
    if inclusion is not None and not isinstance(inclusion, Mapping):
        problem("inclusion", "the inclusion graph must be an object", type(inclusion).__name__,
                '{"edges": [[included, including], ...], "aliases": {...}}')
        inclusion = None
    text_columns = doc.get("text_columns", []) or []
    if not isinstance(text_columns, list) or not all(isinstance(c, str) for c in text_columns):
        problem("text_columns", "must be a list of column names", text_columns)
        text_columns = []
    curve_columns = doc.get("curve_columns", []) or []
    if not isinstance(curve_columns, list) or not all(isinstance(c, str) for c in curve_columns):
        problem("curve_columns", "must be a list of column names", curve_columns)
        curve_columns = []
    provenance = doc.get("provenance", {}) or {}
    if not isinstance(provenance, Mapping):
        problem("provenance", "must be an object", type(provenance).__name__)
        provenance = {}

    if any(p.severity == "error" for p in problems):
        return None, problems
    return StudyMeta(metrics, spaces, targets, inclusion, provenance, tuple(text_columns),
                     tuple(curve_columns), doc.get("name"), doc.get("description"),
                     workloads), problems


def _parse_workloads(raw: Any, metrics: Mapping[str, Metric], problem: Any
                     ) -> dict[str, WorkloadMetrics]:
    """The ``workloads`` section: per workload its metrics and roles (see the module
    docstring); each problem reported through ``problem(path, message, value, expected)``."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problem("workloads", "must be an object of workload → {metrics, valid, test, train}",
                type(raw).__name__)
        return {}
    out: dict[str, WorkloadMetrics] = {}
    for workload, spec in raw.items():
        path = f"workloads.{workload}"
        if not isinstance(spec, Mapping):
            problem(path, "must be an object", spec, '{"metrics": [...], "valid": ...}')
            continue
        for key in sorted(set(spec) - {"metrics", *ROLES}):
            problem(f"{path}.{key}", "unknown field", key,
                    "metrics, " + ", ".join(ROLES))
        names = spec.get("metrics")
        if not isinstance(names, list) or not names or not all(isinstance(m, str)
                                                              for m in names):
            problem(f"{path}.metrics", "must be a non-empty list of metric names", names)
            continue
        good = True
        for name in names:
            if name not in metrics:
                problem(f"{path}.metrics", "metric not declared under `metrics`", name,
                        "one of " + ", ".join(metrics))
                good = False
        roles = {}
        for role in ROLES:
            name = spec.get(role)
            if name is None:
                if role == "valid":
                    problem(f"{path}.valid", "a workload must name its headline metric",
                            None, "one of its metrics")
                    good = False
                continue
            if name not in names:
                problem(f"{path}.{role}", f"the {role} metric is not among the workload's "
                        "metrics", name, "one of " + ", ".join(names))
                good = False
            elif role != "valid" and name in metrics and metrics[name].split != role:
                problem(f"{path}.{role}", f"the {role} metric has split "
                        f"{metrics[name].split!r}", name, f"a metric with split {role!r}")
                good = False
            roles[role] = name
        if good:
            out[str(workload)] = WorkloadMetrics(tuple(names), **roles)
    return out
