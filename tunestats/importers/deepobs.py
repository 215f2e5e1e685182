"""DeepOBS results, including the layout of "Descending through a Crowded Valley".

DeepOBS (Schneider et al., 2019) writes one JSON file per run::

    <results>/<testproblem>/<Optimizer>/<setting folder>/random_seed__<s>__<time>.json

and the benchmark of Schmidt, Schneider & Hennig (2021), "Descending through
a Crowded Valley", published its runs with two more levels in front, for the
tuning budget and the learning-rate schedule::

    <results>/<budget>/<schedule>/<testproblem>/<Optimizer>/<setting folder>/...json

The mapping:

===========================  ==============================================
DeepOBS                      study
===========================  ==============================================
levels above the test        protocol, joined with ``-`` (e.g.
problem (budget, schedule)   ``large_budget-cosine``); ``default`` without
``testproblem``              workload
``optimizer_name``           optimizer (else the optimizer folder)
setting folder               trial (numbered in path order within the pool)
``random_seed``              seed; the seeds of one pool, in increasing
                             order, are the repeats (a setting re-run with
                             other seeds appears under the same trial
                             number in the other repeats)
re-runs of a setting         protocol ``<protocol>-reruns``,
                             ``attr.role`` = ``rerun`` (see below)
``optimizer_hyperparams``    ``hp.<name>`` (``hyperparams`` and a top-level
(``hyperparams``)            ``learning_rate`` in older versions)
``train_losses``, ...        metrics ``train_loss``, ``valid_loss``,
                             ``test_loss``, ``train_accuracy``,
                             ``valid_accuracy``, ``test_accuracy`` — one
                             value per epoch, epochs 0..N (N+1 points),
                             step = epoch
``batch_size``,              trial attributes (the schedule as JSON text)
``num_epochs``, ``l2_reg``
(``weight_decay``),
``training_params``
===========================  ==============================================

**Re-runs of the winner.** Crowded Valley tunes each optimizer with one
seed (42) and then re-runs the best setting with seeds 43–51. Those runs are
not tuning trials: pooled with them they would be counted as ten draws of
the search space. Within a pool, the *tuning seed* is the seed that the most
settings ran; a seed that fewer settings ran marks re-runs. Re-runs go to
their own protocol, ``<protocol>-reruns`` (so that the tuning pools hold
only tuning trials), with the winner's trial number and one repeat per
seed, and ``attr.role`` = ``rerun`` (``tuning`` elsewhere): the seed
repeats of the winner, left out of the tuning pools, counted in the report.
Where every setting ran the same seeds (a multi-seed design), the seeds are
plain repeats.

All generations of the JSON are read: DeepOBS 1.1 (no validation set,
``weight_decay``), 1.2 (``valid_*``, ``l2_reg``, ``training_params``). When
training diverged, DeepOBS stops and fills the remaining epochs with the
values of epoch 0; such runs are recognised by that tail (or by a non-finite
value), marked diverged, and the filled epochs left out. Each workload's headline metric is the first series it logs of
``valid_accuracies``, ``valid_losses``, ``test_accuracies``, ``test_losses``
(DeepOBS's analyzer ranks by validation accuracy, falling back to losses).
Per-iteration
``minibatch_train_losses`` are not imported (the curves are per epoch), and
accuracies that are all zero (DeepOBS records 0 for problems without an
accuracy) are left out; both are reported.

References
----------
Schneider, Balles & Hennig (2019), "DeepOBS: A Deep Learning Optimizer
Benchmark Suite", ICLR. Schmidt, Schneider & Hennig (2021), "Descending
through a Crowded Valley — Benchmarking Deep Learning Optimizers", ICML.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import StudyFileError
from ..study import Metric, Study
from ._builder import StudyBuilder, progress_iter
from ._files import existing, read_json
from ._options import import_options

__all__ = ["HEADLINE", "SERIES", "read"]

#: The per-epoch series of a DeepOBS result and the metrics they become.
SERIES = {
    "train_losses": Metric("train_loss", "minimize", "train"),
    "valid_losses": Metric("valid_loss", "minimize", "valid"),
    "test_losses": Metric("test_loss", "minimize", "test"),
    "train_accuracies": Metric("train_accuracy", "maximize", "train", "fraction"),
    "valid_accuracies": Metric("valid_accuracy", "maximize", "valid", "fraction"),
    "test_accuracies": Metric("test_accuracy", "maximize", "test", "fraction"),
}
#: The series in the order DeepOBS's analyzer judges by (``metric="valid_accuracies"``,
#: falling back to ``valid_losses``, then ``test_losses``: ``_determine_available_metric``
#: in ``deepobs/analyzer/shared_utils.py``): the first a workload logs is its headline.
HEADLINE = ("valid_accuracies", "valid_losses", "test_accuracies", "test_losses",
            "train_accuracies", "train_losses")
_ATTRS = ("batch_size", "num_epochs", "l2_reg", "weight_decay", "train_log_interval",
          "training_params", "lr_sched_epochs", "lr_sched_factors")


def _abort_tail(series: dict[str, np.ndarray]) -> int | None:
    """The first epoch DeepOBS filled in after stopping a diverged run (values of
    every series equal to those of epoch 0 from there to the end), or None."""
    length = len(next(iter(series.values())))
    same = np.ones(length, dtype=bool)
    for values in series.values():
        same &= values == values[0]
    same[0] = False
    if length < 2 or not same[-1]:
        return None
    differing = np.flatnonzero(~same)
    return int(differing[-1]) + 1


def _parse(doc: Any, path: Path) -> dict[str, Any]:
    """The parts of one DeepOBS result; raises StudyFileError naming the file."""
    if not isinstance(doc, Mapping) or not any(k in doc for k in SERIES):
        raise StudyFileError(f"{path}: not a DeepOBS result (no {', '.join(SERIES)})")
    series = {}
    for key, metric in SERIES.items():
        values = doc.get(key)
        if values is None:
            continue
        if not isinstance(values, list) or not all(
                v is None or isinstance(v, (int, float)) for v in values):
            raise StudyFileError(f"{path}: `{key}` must be a list of numbers")
        series[metric.name] = np.array([np.nan if v is None else v for v in values], dtype=float)
    lengths = {len(v) for v in series.values()}
    if len(lengths) != 1 or 0 in lengths:
        raise StudyFileError(f"{path}: the per-epoch series have lengths "
                             f"{sorted(lengths)}; expected one value per epoch, equal lengths")
    hp = dict(doc.get("optimizer_hyperparams") or doc.get("hyperparams") or {})
    if "learning_rate" in doc and "learning_rate" not in hp:
        hp["learning_rate"] = doc["learning_rate"]
    return {"series": series, "hp": hp, "seed": doc.get("random_seed"),
            "optimizer": doc.get("optimizer_name") or doc.get("optimizer"),
            "testproblem": doc.get("testproblem"),
            "attrs": {k: doc[k] for k in _ATTRS if doc.get(k) is not None},
            "minibatch": "minibatch_train_losses" in doc}


def read(src: Any, **options: Any) -> Study:
    """Read a DeepOBS results folder into a study.

    Parameters
    ----------
    src : str or Path
        The results folder (see the module docstring for the layouts).
    **options
        The options of every importer (``protocol``, ``constants``,
        ``metrics``, ``targets``, ``progress``, ``strict``; see
        :mod:`tunestats.importers`).

    Returns
    -------
    Study
        Step = epoch; the import report in ``study.provenance["import"]``.
    """
    opts = import_options(**options)
    root = existing(src, "DeepOBS results folder")
    builder = StudyBuilder("deepobs", root, opts, dense=True,
                           expected="[<budget>/<schedule>/]<testproblem>/<Optimizer>/<setting>/"
                                    "*.json")
    for key in HEADLINE:
        builder.state_metric(SERIES[key])
    files = sorted(root.rglob("*.json"))
    builder.report.count("result files", len(files))
    runs = []
    for path in progress_iter(files, opts):
        parts = path.relative_to(root).parts
        if len(parts) < 4:
            builder.report.skip("file", path, "not in a <testproblem>/<Optimizer>/<setting>/ "
                                "folder")
            continue
        try:
            run = _parse(read_json(path), path)
        except StudyFileError as exc:  # a run's result file: a trial skipped in its pool
            pool = opts.resolve_key({"protocol": "-".join(parts[:-4]) or None,
                                     "workload": parts[-4], "optimizer": parts[-3]}, {},
                                    builder.report)
            builder.report.skip("file", path, str(exc), "/".join(pool.values()))
            continue
        natural = {"protocol": "-".join(parts[:-4]) or None,
                   "workload": run["testproblem"] or parts[-4],
                   "optimizer": run["optimizer"] or parts[-3]}
        run["key"] = opts.resolve_key(natural, run["hp"], builder.report)
        run["setting"], run["path"] = "/".join(parts[:-1]), path
        runs.append(run)
    _number(runs, builder)
    zero_accuracy, minibatch = set(), 0
    for run in runs:
        series = run["series"]
        for name in [n for n in series if n.endswith("accuracy") and not np.any(series[n])]:
            zero_accuracy.add(run["key"]["workload"])
            del series[name]
        minibatch += run["minibatch"]
        status, message = "completed", None
        tail = _abort_tail(series) if series else None
        if tail is not None:
            status = "diverged"
            message = (f"DeepOBS stopped the run after epoch {tail - 1} (loss not finite) and "
                       f"filled epochs {tail}..{len(next(iter(series.values()))) - 1} with "
                       "the values of epoch 0; those epochs are left out")
            series = {n: v[:tail] for n, v in series.items()}
        elif any(not np.all(np.isfinite(v)) for v in series.values()):
            status, message = "diverged", "a per-epoch value is not finite"
        length = len(next(iter(series.values()))) if series else 0
        curve = pd.DataFrame({"step": np.arange(length), **series})
        builder.add_trial(run["key"], status=status, place=str(run["path"]), hp=run["hp"],
                          curve=curve, attrs={**run["attrs"], "role": run["role"]},
                          seed=run["seed"], message=message, rerun=run["role"] == "rerun")
    builder.report.note("step = epoch: DeepOBS evaluates at epochs 0..N (N+1 points)")
    if any(run["role"] == "rerun" for run in runs):
        builder.report.note("re-runs of a setting with seeds that fewer settings ran (Crowded "
                            "Valley's seeds 43-51 of the winner) are in the protocols "
                            "'<protocol>-reruns' (attr.role = rerun): seed repeats, not "
                            "tuning trials")
    if zero_accuracy:
        builder.report.note("accuracies left out where every value is 0 (DeepOBS records 0 for "
                            f"problems without an accuracy): {', '.join(sorted(zero_accuracy))}")
    if minibatch:
        builder.report.skip("column", "minibatch_train_losses", f"per-iteration losses of "
                            f"{minibatch} run(s) not imported: the curves are per epoch")
    return builder.build(name=root.resolve().name)


def _number(runs: list[dict[str, Any]], builder: StudyBuilder) -> None:
    """Trial numbers (settings in name order) and repeats (seeds in increasing
    order) within each pool; of two runs of the same setting and seed the one
    whose file name sorts last (the newest time stamp) is kept."""
    pools: dict[tuple, list[dict[str, Any]]] = {}
    for run in runs:
        pools.setdefault(tuple(run["key"].values()), []).append(run)
    kept = []
    for members in pools.values():
        settings = {s: i for i, s in enumerate(sorted({r["setting"] for r in members}))}
        seeds = sorted({r["seed"] for r in members if r["seed"] is not None})
        repeats = {s: i for i, s in enumerate(seeds)}
        reruns = _rerun_seeds(members)
        seen: dict[tuple, dict[str, Any]] = {}
        for run in sorted(members, key=lambda r: r["path"].name):
            rerun = run["seed"] in reruns
            run["role"] = "rerun" if rerun else "tuning"
            run["key"] = {**run["key"], "repeat": repeats.get(run["seed"], 0),
                          "trial": settings[run["setting"]]}
            if rerun:
                run["key"]["protocol"] = f"{run['key']['protocol']}-reruns"
            slot = (run["key"]["protocol"], run["key"]["repeat"], run["key"]["trial"])
            if slot in seen:
                builder.report.skip("file", seen[slot]["path"], "an older run of the same "
                                    f"setting and seed ({run['path'].name} is kept)")
            seen[slot] = run
        kept.extend(seen.values())
    runs[:] = kept


def _rerun_seeds(members: list[dict[str, Any]]) -> set[Any]:
    """The seeds of a pool that mark re-runs: seeds that fewer settings ran than the
    tuning seed (the seed most settings ran); none when every seed was run by
    equally many settings."""
    settings_of: dict[Any, set[str]] = {}
    for run in members:
        if run["seed"] is not None:
            settings_of.setdefault(run["seed"], set()).add(run["setting"])
    if not settings_of:
        return set()
    most = max(len(s) for s in settings_of.values())
    return {seed for seed, s in settings_of.items() if len(s) < most}
