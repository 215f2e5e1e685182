"""Metric names and declarations shared by the importers.

Formats name metrics in their own way (``validation/accuracy``,
``val_loss``, ``train_losses``). Importers turn a raw name into a column name
with :func:`metric_column`, and declare each metric with a direction and a
split, from (in this order of precedence):

1. an option given by the user (``metrics={"val_loss": "minimize:valid"}``);
2. the format itself, where it states the direction (Optuna's study
   direction, a W&B sweep's ``metric.goal``, DeepOBS's fixed metrics);
3. the metric's name (:func:`infer_metric`), reported as inferred.

Name inference reads the words of the name from the last to the first and
stops at the first word it knows: ``top1_error`` is an error (minimise),
``mean_average_precision`` a precision (maximise). The split is the first
split word in the name (``train``, ``valid``/``val``/``validation``/``eval``/
``dev``, ``test``); a name without one is assumed to be a validation metric,
which the report says.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import ParameterError
from ..study import Metric
from ..study.schema import DIRECTIONS, SPLITS

__all__ = ["MAXIMIZED", "MINIMIZED", "infer_metric", "metric_column", "metric_stem",
           "parse_metric_option"]

#: Words that name a quantity to minimise.
MINIMIZED = frozenset({
    "loss", "losses", "error", "errors", "err", "perplexity", "ppl", "wer", "cer", "mse", "mae",
    "rmse", "nll", "ce", "entropy", "regret", "distance", "l1", "l2"})
#: Words that name a quantity to maximise.
MAXIMIZED = frozenset({
    "accuracy", "accuracies", "acc", "auc", "auroc", "auprc", "precision", "recall", "f1",
    "bleu", "rouge", "ssim", "psnr", "iou", "miou", "dice", "reward", "return", "r2", "top1",
    "top5", "map", "correct"})
_SPLIT_WORDS = {"train": "train", "training": "train", "trn": "train",
                "valid": "valid", "validation": "valid", "val": "valid", "eval": "valid",
                "dev": "valid", "test": "test", "tst": "test"}

_UNSAFE = re.compile(r"[^0-9A-Za-z_.]+")


def metric_column(raw: str) -> str:
    """The column name of the metric ``raw``: runs of characters other than
    letters, digits, ``_`` and ``.`` become one ``_`` (``validation/accuracy``
    → ``validation_accuracy``)."""
    return _UNSAFE.sub("_", str(raw)).strip("_") or "metric"


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z]+", name.lower()) if w]


def _split_of(name: str) -> str | None:
    return next((_SPLIT_WORDS[w] for w in _words(name) if w in _SPLIT_WORDS), None)


def metric_stem(name: str) -> str:
    """The words of ``name`` without its split words, joined with ``_``
    (``validation/accuracy`` and ``test_accuracy`` → ``accuracy``): what the
    metrics of one quantity on different splits have in common."""
    return "_".join(w for w in _words(name) if w not in _SPLIT_WORDS)


def infer_metric(name: str) -> tuple[Metric | None, bool]:
    """The metric ``name`` as its words suggest.

    Returns
    -------
    metric : Metric or None
        None when no word of the name tells the direction.
    split_assumed : bool
        True when the name has no split word and ``valid`` was assumed.
    """
    direction = None
    for word in reversed(_words(name)):
        if word in MINIMIZED:
            direction = "minimize"
            break
        if word in MAXIMIZED:
            direction = "maximize"
            break
    if direction is None:
        return None, False
    split = _split_of(name)
    return Metric(name, direction, split or "valid"), split is None


def parse_metric_option(name: str, spec: Any) -> Metric:
    """A metric declared by the user: a :class:`Metric`, a mapping with
    ``direction`` (and ``split``, ``unit``), or a string ``"DIRECTION[:SPLIT]"``.
    A missing split is taken from the name (``valid`` if it has none)."""
    if isinstance(spec, Metric):
        return Metric(name, spec.direction, spec.split, spec.unit)
    if isinstance(spec, str):
        direction, _, split = spec.partition(":")
        spec = {"direction": direction, "split": split or None}
    if not isinstance(spec, Mapping) or spec.get("direction") not in DIRECTIONS:
        raise ParameterError(f"`metrics[{name!r}]` must give a direction ({' or '.join(DIRECTIONS)})"
                             f", as 'DIRECTION[:SPLIT]', a mapping or a Metric; got {spec!r}.")
    split = spec.get("split") or _split_of(name) or "valid"
    if split not in SPLITS:
        raise ParameterError(f"`metrics[{name!r}]`: the split must be one of "
                             f"{', '.join(SPLITS)}; got {split!r}.")
    return Metric(name, spec["direction"], split, spec.get("unit"))
