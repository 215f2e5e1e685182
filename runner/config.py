"""The study config file (TOML): workloads, protocols, optimizers and seeds.

A config names the workloads to train, the optimizers, and the tuning
protocols: a shipped preset (:mod:`tunestats.runner.presets`) or a search
space written out per optimizer::

    seed = 0                 # seeds every quasi-random point and every trial
    trials = 32              # trials per pool (workload, protocol, optimizer)
    repeats = 1              # independent repetitions of the whole tuning
    optimizers = ["sgd", "momentum", "adam"]
    device = "cpu"           # or "cuda", or "auto"
    imports = []             # modules that register workloads of one's own

    [workloads.digits_mlp]   # the table name is the workload's name in the study
    kind = "digits_mlp"      # registered workload (default: the table name)
    steps = 400              # step budget of every trial
    eval_every = 50
    options = { hidden = 128 }
    targets = { valid_error = 0.05 }   # optional, for steps-to-target

    [protocols.paper]
    preset = "paper"

    [protocols.mine.sgd]     # a protocol of one's own, per optimizer
    params.learning_rate = { scale = "log", low = 1e-3, high = 1.0 }
    fixed = { schedule = "constant" }

A search space has tuned ``params`` (scales ``linear``, ``log``,
``reverse_log``, ``choice``), ``fixed`` values and, optionally, ``derived``
hyperparameters computed from the others by products and quotients, e.g.
``derived = { learning_rate = "lr_over_epsilon * epsilon" }`` to sample Adam's α/ε and
ε. ``sampler = "grid"`` enumerates the choices of a grid (trial *i* takes
point *i*) instead of scrambled Halton points. A protocol table may also set
``trials``.

The module parses and checks the file; :mod:`tunestats.runner.plan` turns a
parsed config into trials and seeds, and :mod:`tunestats.runner.derived`
evaluates the derived expressions.

Every error (an unknown optimizer, parameter, scale or workload, ``low ≥
high``, a log scale with ``low ≤ 0``, a fixed value out of range, an
unreadable data file) is raised by :meth:`StudyConfig.check` before any trial
runs.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from tunestats.checks import check_choice, check_positive_int
from tunestats.errors import DataError, ParameterError, StudyFileError
from tunestats.space import SearchSpace
from tunestats.study import Metric

from .derived import check_expression
from .optimizers import OPTIMIZERS, make_optimizer
from .plan import PoolSpace, TrialSpec, derive_seed, plan_trials
from .presets import PRESETS
from .schedules import SCHEDULE_HYPERPARAMETERS, Schedule
from .workloads import Workload, check_workload_options, make_workload

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "PoolSpace",
    "StudyConfig",
    "TrialSpec",
    "WorkloadEntry",
    "build_workload",
    "load_config",
    "parse_config",
]

_TOP_KEYS = {"seed", "trials", "repeats", "optimizers", "device", "imports", "workloads",
             "protocols"}
_WORKLOAD_KEYS = {"kind", "steps", "eval_every", "options", "targets"}
_SPACE_KEYS = {"params", "fixed", "derived", "sampler"}


@dataclass(frozen=True)
class WorkloadEntry:
    """One workload of a study: a registered builder, its options and the budget.

    Attributes
    ----------
    name : str
        The workload's name in the study (the config's table name).
    kind : str
        The registered workload it builds.
    options : mapping
        Keyword options of the builder.
    steps : int
        Step budget of every trial.
    eval_every : int
        Steps between evaluations.
    targets : mapping of str to float
        Metric → target value, for steps-to-target.
    """

    name: str
    kind: str
    options: Mapping[str, Any]
    steps: int
    eval_every: int
    targets: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class StudyConfig:
    """A parsed study config; see the module docstring for the file format.

    Attributes
    ----------
    seed, trials, repeats : int
        Study seed, trials per pool and repetitions of the tuning.
    optimizers : tuple of str
        The optimizers compared.
    device : str
        ``cpu``, ``cuda`` or ``auto``.
    imports : tuple of str
        Modules imported (in every worker too) before workloads are built, so
        that workloads they register can be named.
    workloads : dict
        Workload name → :class:`WorkloadEntry`.
    protocols : dict
        Protocol name → optimizer → :class:`PoolSpace`.
    protocol_trials : dict
        Protocol name → its trial count, when it differs from ``trials``.
    source : str
        The config's text, kept for the study's provenance.
    """

    seed: int
    trials: int
    repeats: int
    optimizers: tuple[str, ...]
    device: str
    imports: tuple[str, ...]
    workloads: Mapping[str, WorkloadEntry]
    protocols: Mapping[str, Mapping[str, PoolSpace]]
    protocol_trials: Mapping[str, int]
    source: str = ""

    def pools(self) -> list[tuple[str, str, str]]:
        """Every (workload, protocol, optimizer), in config order."""
        return [(w, p, o) for w in self.workloads for p in self.protocols for o in self.optimizers]

    def plan(self, *, fail_fast: bool = False) -> list[TrialSpec]:
        """Every trial of the study, with its seed and hyperparameters
        (:func:`tunestats.runner.plan.plan_trials`)."""
        return plan_trials(self, fail_fast=fail_fast)

    def derive_seed(self, *parts: str | int) -> int:
        """A 32-bit seed from the study seed and ``parts``
        (:func:`tunestats.runner.plan.derive_seed`)."""
        return derive_seed(self.seed, *parts)

    def spaces(self) -> dict[tuple[str, str], SearchSpace]:
        """The search space of each (protocol, optimizer)."""
        return {(p, o): self.protocols[p][o].space for p in self.protocols for o in self.optimizers}

    def metrics(self) -> list[Metric]:
        """The metrics every workload reports (they must agree)."""
        declared = {}
        for entry in self.workloads.values():
            declared[entry.name] = tuple(build_workload(entry).metrics)
        first = next(iter(declared.values()))
        for name, metrics in declared.items():
            if metrics != first:
                raise ParameterError(f"workload {name!r} declares metrics "
                                     f"{[m.name for m in metrics]}, the others "
                                     f"{[m.name for m in first]}; a study needs one set.")
        return list(first)

    def check(self, specs: Sequence[TrialSpec] | None = None) -> None:
        """Build every workload once and every planned optimizer and schedule on a
        dummy parameter, so that bad data, options or values fail before any trial.

        Parameters
        ----------
        specs : sequence of TrialSpec, optional
            The plan, when the caller has it (default: plan again).
        """
        self.metrics()
        dummy = [torch.nn.Parameter(torch.zeros(1))]
        for spec in self.plan() if specs is None else specs:
            where = "/".join(str(part) for part in spec.key)
            try:
                make_optimizer(spec.key[2], dummy, dict(spec.hp))
                Schedule.from_hp(spec.hp).factors(spec.workload.steps)
            except ParameterError as exc:
                raise ParameterError(f"trial {where}: {exc}") from None


_WORKLOAD_CACHE: dict[tuple[str, str], Workload] = {}


def build_workload(entry: WorkloadEntry) -> Workload:
    """The :class:`~tunestats.runner.workloads.Workload` of ``entry``, built once per process.

    Parameters
    ----------
    entry : WorkloadEntry
        The workload's kind and options.

    Returns
    -------
    Workload
        Cached by kind and options (a worker builds each workload once).
    """
    key = (entry.kind, repr(sorted(entry.options.items())))
    if key not in _WORKLOAD_CACHE:
        _WORKLOAD_CACHE[key] = make_workload(entry.kind, **entry.options)
    return _WORKLOAD_CACHE[key]


def load_config(path: str | Path) -> StudyConfig:
    """Read and check the structure of a study config file.

    Parameters
    ----------
    path : str or Path
        The TOML file.

    Returns
    -------
    StudyConfig
        Call :meth:`StudyConfig.check` to catch errors that need the data.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except OSError as exc:
        raise StudyFileError(f"{path}: cannot read the study config ({exc}).") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StudyFileError(f"{path}: not a valid TOML file ({exc}).") from None
    try:
        return parse_config(raw, source=text)
    except (ParameterError, DataError) as exc:
        raise type(exc)(f"{path}: {exc}") from None


def parse_config(raw: Mapping[str, Any], source: str = "") -> StudyConfig:
    """Build a :class:`StudyConfig` from the parsed TOML mapping ``raw``.

    Parameters
    ----------
    raw : mapping
        The parsed config file.
    source : str, default ""
        The config's text, kept in the study's provenance (and compared on resume).

    Returns
    -------
    StudyConfig

    Raises
    ------
    ParameterError
        An unknown key, optimizer, preset, parameter or scale, a bad value.
    """
    _no_unknown("the config", raw, _TOP_KEYS)
    imports = tuple(raw.get("imports", ()))
    for module in imports:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ParameterError(f"`imports`: cannot import {module!r} ({exc}).") from None
    optimizers = tuple(raw.get("optimizers", OPTIMIZERS))
    for name in optimizers:
        check_choice("optimizers", name, OPTIMIZERS)
    if not optimizers:
        raise ParameterError("`optimizers` must name at least one optimizer; got [].")
    workloads = {name: _workload(name, spec) for name, spec in _table("workloads", raw).items()}
    protocols, protocol_trials = {}, {}
    for name, spec in _table("protocols", raw).items():
        protocols[name], trials = _protocol(name, spec, optimizers)
        if trials is not None:
            protocol_trials[name] = trials
    if not workloads or not protocols:
        raise ParameterError("a config needs at least one [workloads.NAME] and one "
                             "[protocols.NAME] table.")
    seed = raw.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ParameterError(f"`seed` must be a non-negative integer; got {seed!r}.")
    return StudyConfig(
        seed=seed,
        trials=check_positive_int("trials", raw.get("trials", 32)),
        repeats=check_positive_int("repeats", raw.get("repeats", 1)),
        optimizers=optimizers,
        device=check_choice("device", raw.get("device", "cpu"), ("cpu", "cuda", "auto")),
        imports=imports,
        workloads=workloads,
        protocols=protocols,
        protocol_trials=protocol_trials,
        source=source,
    )


def _table(name: str, raw: Mapping[str, Any]) -> Mapping[str, Any]:
    table = raw.get(name, {})
    if not isinstance(table, Mapping):
        raise ParameterError(f"`{name}` must be a table; got {table!r}.")
    return table


def _no_unknown(where: str, table: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ParameterError(f"{where}: unknown key(s) {unknown}; expected some of "
                             f"{sorted(allowed)}.")


def _workload(name: str, spec: Any) -> WorkloadEntry:
    where = f"workloads.{name}"
    if not isinstance(spec, Mapping):
        raise ParameterError(f"`{where}` must be a table; got {spec!r}.")
    _no_unknown(where, spec, _WORKLOAD_KEYS)
    kind = spec.get("kind", name)
    options = dict(spec.get("options", {}))
    try:
        check_workload_options(kind, options)
        steps = check_positive_int("steps", spec.get("steps"))
        eval_every = check_positive_int("eval_every", spec.get("eval_every", max(steps // 10, 1)))
    except ParameterError as exc:
        raise ParameterError(f"{where}: {exc}") from None
    return WorkloadEntry(name, kind, options, steps, eval_every, dict(spec.get("targets", {})))


def _protocol(name: str, spec: Any, optimizers: tuple[str, ...]
              ) -> tuple[dict[str, PoolSpace], int | None]:
    where = f"protocols.{name}"
    if not isinstance(spec, Mapping):
        raise ParameterError(f"`{where}` must be a table; got {spec!r}.")
    spec = dict(spec)
    trials = spec.pop("trials", None)
    if trials is not None:
        trials = check_positive_int(f"{where}.trials", trials)
    if "preset" in spec:
        preset = spec.pop("preset")
        _no_unknown(where, spec, set())
        if preset not in PRESETS:
            raise ParameterError(f"{where}: unknown preset {preset!r}; the shipped presets "
                                 f"are {', '.join(PRESETS)}.")
        spec = PRESETS[preset]
    else:
        _no_unknown(where, spec, set(OPTIMIZERS))
    pools = {}
    for optimizer in optimizers:
        if optimizer not in spec:
            raise ParameterError(f"{where}: no search space for optimizer {optimizer!r}.")
        pools[optimizer] = _pool(f"{where}.{optimizer}", optimizer, spec[optimizer])
        size = pools[optimizer].size()
        if size is not None and trials is None:
            trials = size
    return pools, trials


def _pool(where: str, optimizer: str, spec: Any) -> PoolSpace:
    if not isinstance(spec, Mapping):
        raise ParameterError(f"`{where}` must be a table; got {spec!r}.")
    _no_unknown(where, spec, _SPACE_KEYS)
    try:
        space = SearchSpace.from_dict({"params": spec.get("params", {}),
                                       "fixed": spec.get("fixed", {})})
    except ParameterError as exc:
        raise ParameterError(f"{where}: {exc}") from None
    derived = dict(spec.get("derived", {}))
    sampler = spec.get("sampler", "halton")
    check_choice(f"{where}.sampler", sampler, ("halton", "grid"))
    if sampler == "grid" and any(p.scale != "choice" for p in space.params):
        raise ParameterError(f"{where}: a grid sampler needs every tuned parameter to be a "
                             "choice.")
    allowed = set(OPTIMIZERS[optimizer].hyperparameters) | {"weight_decay"} | set(
        SCHEDULE_HYPERPARAMETERS)
    given = set(space.names) | set(space.fixed)
    inputs = set()
    for name, expression in derived.items():
        inputs |= check_expression(f"{where}.derived.{name}", expression, given)
    unknown = sorted((given | set(derived)) - allowed - inputs)
    if unknown:
        raise ParameterError(f"{where}: unknown parameter(s) {unknown} for optimizer "
                             f"{optimizer!r}; it takes {sorted(allowed)}.")
    missing = sorted(set(OPTIMIZERS[optimizer].hyperparameters) - given - set(derived))
    if missing:
        raise ParameterError(f"{where}: parameter(s) {missing} of optimizer {optimizer!r} are "
                             "neither tuned, fixed nor derived.")
    return PoolSpace(space, derived, sampler, where)
