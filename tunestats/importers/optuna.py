"""Optuna studies: a storage URL (``sqlite:///study.db``, a ``.db`` file) or ``Study`` objects.

Needs the ``importers`` extra (``pip install 'tunestats[importers]'``).

=============================  ===========================================
Optuna                         study
=============================  ===========================================
study name                     optimizer (one pool per study; override with
                               ``constants`` or map a parameter with
                               ``mapping={"optimizer": "<param>"}``); also
                               the workload when the storage's studies
                               have different objectives; ``attr.study``
``trial.number``               trial (repeat 0)
``trial.params``               ``hp.<name>``
parameter distributions        search space: float → ``log``/``linear``
                               (``log=True``), int → ``int_log``/``int``,
                               categorical → choice (false and true:
                               ``bool``; one choice: a fixed value)
study directions               metric directions (stated); metric names
                               from ``study.metric_names``, else
                               ``objective`` (``objective_<i>`` for several);
                               a name two studies use with opposite
                               directions becomes ``<study>_<name>``
``trial.values``               ``final.<metric>``
intermediate values            curves (step = the reported step)
COMPLETE / PRUNED / FAIL       completed / failed (pruned: ``attr.state`` =
                               ``PRUNED`` and a message) / failed
RUNNING, WAITING               skipped (reported)
``user_attrs``                 ``attr.<name>``; the study's as
                               ``attr.study_<name>``
distribution types             ``provenance.optuna_distributions`` (int /
                               float / categorical, ``log``, ``step``, the
                               choices' types); boolean choices are
                               ``"true"``/``"false"`` in trials and space
start/complete times           ``duration_s``
=============================  ===========================================

A storage URL ``sqlite:///FILE`` whose file does not exist is refused
(optuna would create an empty database there).

A pruned trial is stored as failed: the study format knows completed,
diverged and failed trials, and a pruned trial did not reach its budget
(analyses that count failed trials as the worst outcome treat it so);
``attr.state`` keeps Optuna's own state.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ParameterError, StudyFileError, require
from ..study import Study
from ._builder import StudyBuilder, progress_iter
from ._metrics import metric_column, parse_metric_option
from ._options import import_options
from ._spaces import choice_or_fixed, space_from

__all__ = ["distribution_type", "read", "space_entry"]

_MAPPABLE = ("workload", "protocol", "optimizer")


def _studies(optuna: Any, src: Any, study_name: str | None) -> tuple[list[Any], str]:
    if isinstance(src, optuna.Study):
        return [src], f"optuna study {src.study_name!r}"
    if isinstance(src, (list, tuple)) and src and all(isinstance(s, optuna.Study) for s in src):
        return list(src), "optuna studies " + ", ".join(repr(s.study_name) for s in src)
    if not isinstance(src, (str, Path)):
        raise ParameterError("`src` must be an optuna storage URL, a .db file, or optuna Study "
                             f"object(s); got {type(src).__name__}.")
    url = str(src)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        # optuna creates a missing SQLite file: an URL with a typo would read as empty
        path = Path(url[len("sqlite:///"):].split("?")[0])
        if not path.is_file():
            raise StudyFileError(f"{url}: no such SQLite file ({path}); optuna would create an "
                                 "empty one")
    if "://" not in url:
        path = Path(url)
        if not path.is_file():
            raise StudyFileError(f"{path}: no such optuna database file (or give a storage URL "
                                 "such as sqlite:///study.db)")
        url = f"sqlite:///{path.resolve()}"
    try:
        names = optuna.get_all_study_names(storage=url)
        if study_name is not None and study_name not in names:
            raise ParameterError(f"`study_name` {study_name!r} is not in {url}; it has "
                                 f"{', '.join(names) or 'no study'}.")
        wanted = [study_name] if study_name is not None else names
        return [optuna.load_study(study_name=n, storage=url) for n in wanted], url
    except ParameterError:
        raise
    except Exception as exc:  # optuna/sqlalchemy raise many kinds for a bad storage
        raise StudyFileError(f"{url}: cannot read the optuna storage: {exc}") from None


def space_entry(distribution: Any) -> dict[str, Any]:
    """The search-space entry of an Optuna distribution: ``FloatDistribution`` →
    ``linear``/``log``, ``IntDistribution`` → ``int``/``int_log``,
    ``CategoricalDistribution`` → ``choice`` (``bool`` for false and true; other
    boolean choices as ``"true"``/``"false"``, as the trials store them)."""
    choices = getattr(distribution, "choices", None)
    if choices is not None:
        return choice_or_fixed(choices)
    integer = type(distribution).__name__.startswith("Int")
    scale = ("int_log" if distribution.log else "int") if integer else (
        "log" if distribution.log else "linear")
    return {"scale": scale, "low": distribution.low, "high": distribution.high}


def distribution_type(distribution: Any) -> dict[str, Any]:
    """What the search space cannot say of an Optuna distribution: its kind
    (``float``, ``int``, ``categorical``), ``log`` and ``step``, and the types of
    categorical choices (kept in the study's provenance)."""
    choices = getattr(distribution, "choices", None)
    if choices is not None:
        return {"kind": "categorical",
                "types": sorted({type(c).__name__ for c in choices})}
    kind = "int" if type(distribution).__name__.startswith("Int") else "float"
    return {"kind": kind, "log": bool(distribution.log), "step": distribution.step}


def _objectives(studies: list[Any], builder: StudyBuilder) -> dict[str, list[str]]:
    """Each study's metric names, with directions stated. A name two studies use
    with opposite directions becomes ``<study>_<name>`` in each of them
    (reported), never one metric ranked backwards for one study."""
    named = {}
    for study in studies:
        directions = [d.name.lower() for d in study.directions]
        names = list(getattr(study, "metric_names", None) or (
            ["objective"] if len(directions) == 1 else
            [f"objective_{i}" for i in range(len(directions))]))
        named[study.study_name] = list(zip(names, directions, strict=True))
    seen: dict[str, set[str]] = {}
    for pairs in named.values():
        for name, direction in pairs:
            seen.setdefault(name, set()).add(direction)
    out = {}
    for study_name, pairs in named.items():
        names = []
        for name, direction in pairs:
            if len(seen[name]) > 1:
                renamed = metric_column(f"{study_name}_{name}")
                builder.report.note(f"the studies use {name!r} with opposite directions: in "
                                    f"study {study_name!r} ({direction}) it is the metric "
                                    f"{renamed!r}")
                name = renamed
            builder.state_metric(parse_metric_option(name, direction))
            names.append(name)
        out[study_name] = names
    return out


def read(src: Any, *, study_name: str | None = None, **options: Any) -> Study:
    """Read Optuna studies into a study.

    Parameters
    ----------
    src : str, Path, optuna.Study or list of optuna.Study
        A storage URL (e.g. ``"sqlite:///study.db"``), the path of an SQLite
        file, or study objects (in-memory studies included).
    study_name : str, optional
        Only this study of the storage (default: every study in it).
    **options
        The options of every importer (see :mod:`tunestats.importers`);
        ``mapping`` may name a parameter whose value becomes the workload,
        protocol or optimizer.

    Returns
    -------
    Study
        The import report in ``study.provenance["import"]``.

    Examples
    --------
    >>> import optuna
    >>> s = optuna.create_study(study_name="adam", direction="minimize")
    >>> s.optimize(lambda t: (t.suggest_float("lr", 1e-4, 1, log=True) - 0.01) ** 2, n_trials=4)
    >>> study = read(s, constants={"workload": "toy"})  # doctest: +SKIP
    """
    optuna = require("optuna", "importers")
    opts = import_options(mappable=_MAPPABLE, **options)
    studies, source = _studies(optuna, src, study_name)
    builder = StudyBuilder("optuna", source, opts, dense=False,
                           expected="trials in the optuna studies")
    states = optuna.trial.TrialState
    pruned = 0
    objectives = _objectives(studies, builder)
    # studies with different objectives are different problems: one workload each
    per_study = len({tuple(n) for n in objectives.values()}) > 1
    if per_study and "workload" not in opts.constants and opts.column("workload") is None:
        builder.report.note("the studies have different objectives: each study is its own "
                            "workload (name one with constants={'workload': ...})")
    types: dict[str, dict[str, Any]] = {}
    for study in studies:
        names = objectives[study.study_name]
        study_attrs = {f"study_{k}": v for k, v in study.user_attrs.items()}
        natural = {"optimizer": study.study_name,
                   "workload": study.study_name if per_study else None}
        trials = study.get_trials(deepcopy=False)
        builder.report.count("optuna trials", len(trials))
        distributions: dict[str, dict[str, Any]] = {}
        pairs = set()
        for trial in progress_iter(trials, opts):
            place = f"{study.study_name}#{trial.number}"
            if trial.state not in (states.COMPLETE, states.PRUNED, states.FAIL):
                builder.report.skip("trial", place, f"state {trial.state.name} (not finished)")
                continue
            hp = dict(trial.params)
            key = opts.resolve_key(natural, hp, builder.report)
            pairs.add((key["protocol"], key["optimizer"]))
            for name in hp:
                entry = space_entry(trial.distributions[name])
                distributions[name] = entry if distributions.get(name, entry) == entry else None
                types.setdefault(study.study_name, {})[name] = distribution_type(
                    trial.distributions[name])
            status, message, finals = "completed", None, None
            if trial.state == states.COMPLETE:
                finals = dict(zip(names, trial.values, strict=True))
            elif trial.state == states.PRUNED:
                status, pruned = "failed", pruned + 1
                step = trial.last_step
                message = "pruned by optuna" + (f" at step {step}" if step is not None else "")
            else:
                status = "failed"
                message = str(trial.system_attrs.get("fail_reason") or "FAIL (optuna)")
            curve = None
            if trial.intermediate_values and len(names) == 1:
                steps = sorted(trial.intermediate_values)
                curve = {"step": steps, names[0]: [trial.intermediate_values[s] for s in steps]}
            duration = (None if trial.datetime_start is None or trial.datetime_complete is None
                        else (trial.datetime_complete - trial.datetime_start).total_seconds())
            builder.add_trial({**key, "repeat": 0, "trial": trial.number}, status=status,
                              place=place, hp=hp, finals=finals, message=message,
                              curve=None if curve is None else pd.DataFrame(curve),
                              attrs={**study_attrs, **trial.user_attrs, "study": study.study_name,
                                     "state": trial.state.name},
                              duration_s=duration, stopped_early=trial.state == states.PRUNED)
        _declare_space(builder, study.study_name, distributions, pairs)
    if pruned:
        builder.report.note(f"{pruned} pruned trial(s) stored as failed (attr.state = PRUNED): "
                            "they stopped before their budget")
    return builder.build(name=studies[0].study_name if len(studies) == 1 else None,
                         provenance={"optuna_distributions": types})


def _declare_space(builder: StudyBuilder, study_name: str,
                   distributions: Mapping[str, dict[str, Any] | None], pairs: set) -> None:
    """The study's search space (parameters whose distribution changed between
    trials left out, reported) for each (protocol, optimizer) it feeds."""
    entries = {}
    for name, entry in distributions.items():
        if entry is None:
            builder.report.skip("parameter", f"{study_name}/{name}", "its distribution differs "
                                "between trials; left out of the search space")
        else:
            entries[name] = entry
    space = space_from(f"optuna study {study_name!r}", entries)
    for protocol, optimizer in sorted(pairs):
        builder.add_space(protocol, optimizer, space, f"optuna study {study_name!r}")
