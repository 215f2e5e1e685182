"""What a workload is: data splits, a model, a loss, measures and declared metrics.

A :class:`Workload` holds three splits of ``(inputs, targets)`` tensors and a
function that builds a fresh model. The trial loop draws minibatches from the
training split; :meth:`Workload.evaluate` computes every declared metric.
A metric is named ``<split>_<measure>``: the measure (``loss``, ``error`` or
one the workload adds, e.g. ``accuracy`` or ``perplexity``) evaluated on the
split, with the direction the workload declares. The default loss is
cross-entropy and the default error the fraction of wrong arg-max
predictions; both accept outputs of shape ``(N, C)`` with targets ``(N,)``
(classification) or ``(N, T, C)`` with targets ``(N, T)`` (sequence
prediction), so one class serves image classifiers and language models alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import torch
from torch import nn
from torch.nn import functional

from tunestats.checks import check_positive_int
from tunestats.errors import ParameterError
from tunestats.study import SPLITS, Metric

__all__ = [
    "STANDARD_METRICS",
    "Measure",
    "Splits",
    "Workload",
    "accuracy",
    "classification_error",
    "cross_entropy",
]


#: The metrics every built-in workload reports. Validation error comes first among the
#: validation metrics: it is the study's headline metric (Study.headline_metric), as in
#: Choi et al. (2019).
STANDARD_METRICS = (
    Metric("train_loss", "minimize", "train", "nats"),
    Metric("valid_error", "minimize", "valid", "fraction"),
    Metric("valid_loss", "minimize", "valid", "nats"),
    Metric("test_error", "minimize", "test", "fraction"),
    Metric("test_loss", "minimize", "test", "nats"),
)


@dataclass(frozen=True)
class Splits:
    """The three data splits, each a pair ``(inputs, targets)`` of tensors.

    Attributes
    ----------
    train, valid, test : tuple of (Tensor, Tensor)
        Inputs and targets of each split, as many targets as inputs, at least one.
    """

    train: tuple[torch.Tensor, torch.Tensor]
    valid: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]

    def __post_init__(self) -> None:
        for split in SPLITS:
            inputs, targets = getattr(self, split)
            if len(inputs) != len(targets) or len(inputs) == 0:
                raise ParameterError(
                    f"the {split} split needs as many inputs as targets, at least one; "
                    f"got {len(inputs)} inputs and {len(targets)} targets.")


def classification_error(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Fraction of arg-max predictions of ``output`` that differ from ``target``.

    Parameters
    ----------
    output : Tensor
        Scores of shape ``(N, C)`` or ``(N, T, C)``.
    target : Tensor
        Classes of shape ``(N,)`` or ``(N, T)``.

    Returns
    -------
    Tensor
        A scalar.
    """
    return (output.argmax(dim=-1) != target).float().mean()


def cross_entropy(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy (nats) over every predicted position.

    Parameters
    ----------
    output : Tensor
        Scores of shape ``(N, C)`` or ``(N, T, C)``.
    target : Tensor
        Classes of shape ``(N,)`` or ``(N, T)``.

    Returns
    -------
    Tensor
        A scalar.
    """
    return functional.cross_entropy(output.flatten(0, -2), target.flatten())


def accuracy(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Fraction of arg-max predictions of ``output`` that equal ``target``.

    Parameters
    ----------
    output : Tensor
        Scores of shape ``(N, C)`` or ``(N, T, C)``.
    target : Tensor
        Classes of shape ``(N,)`` or ``(N, T)``.

    Returns
    -------
    Tensor
        A scalar.
    """
    return (output.argmax(dim=-1) == target).float().mean()


@dataclass(frozen=True)
class Measure:
    """A measure of a model on a split: a per-batch mean and a final transform.

    Attributes
    ----------
    batch : callable
        ``batch(output, target)``: the mean over a batch's examples (a scalar
        tensor); batches are averaged weighted by their size.
    finish : callable, optional
        Applied to the mean over the split, e.g. :func:`math.exp` of the mean
        cross-entropy for perplexity.

    Examples
    --------
    >>> import math
    >>> perplexity = Measure(cross_entropy, finish=math.exp)
    """

    batch: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    finish: Callable[[float], float] | None = None


@dataclass(frozen=True)
class Workload:
    """A model, its data and how it is measured.

    Parameters
    ----------
    data : Splits
        Training, validation and test data.
    model : callable
        Called with no argument, returns a freshly initialised
        :class:`torch.nn.Module` (it draws from torch's generator, which the
        trial loop seeds).
    batch_size : int, default 64
        Minibatch size of training.
    train_eval_size : int, default 1024
        The training-split metrics are measured on the first
        ``train_eval_size`` training examples (a fixed subset).
    eval_batch_size : int, default 1024
        Examples per forward pass during evaluation.
    loss : callable, default cross-entropy
        ``loss(output, target)``: the scalar minimised by training, reported
        as ``<split>_loss``.
    error : callable, default :func:`classification_error`
        ``error(output, target)``: the error reported as ``<split>_error``.
    metrics : tuple of tunestats.study.Metric, default :data:`STANDARD_METRICS`
        The metrics :meth:`evaluate` reports, each named ``<split>_<measure>``
        and declared with that split and the direction that makes it better
        (``minimize`` for a loss, ``maximize`` for an accuracy).
    measures : mapping of str to callable or Measure, optional
        Measures beyond ``loss`` and ``error``, by name: a callable
        ``f(output, target)`` (a batch mean) or a :class:`Measure`, e.g.
        ``{"accuracy": accuracy, "perplexity": Measure(cross_entropy,
        finish=math.exp)}``.

    Examples
    --------
    A language model judged by validation perplexity (smaller is better) and
    a classifier by validation accuracy (larger is better)::

        Metric("valid_perplexity", "minimize", "valid")
        Metric("valid_accuracy", "maximize", "valid")
    """

    data: Splits
    model: Callable[[], nn.Module]
    batch_size: int = 64
    train_eval_size: int = 1024
    eval_batch_size: int = 1024
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = cross_entropy
    error: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = classification_error
    metrics: tuple[Metric, ...] = field(default=STANDARD_METRICS)
    measures: Mapping[str, Callable[..., torch.Tensor] | Measure] = field(
        default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("batch_size", "train_eval_size", "eval_batch_size"):
            check_positive_int(name, getattr(self, name))
        measures = {"loss": Measure(self.loss), "error": Measure(self.error)}
        for name, measure in dict(self.measures).items():
            if name in measures:
                raise ParameterError(f"workload measure {name!r} is built in (the workload's "
                                     "`loss` or `error`); give it another name.")
            if not isinstance(measure, Measure):
                if not callable(measure):
                    raise ParameterError(f"workload measure {name!r} must be a callable "
                                         f"f(output, target) or a Measure; got {measure!r}.")
                measure = Measure(measure)
            measures[name] = measure
        object.__setattr__(self, "measures", MappingProxyType(measures))
        for metric in self.metrics:
            split, _, kind = metric.name.partition("_")
            if metric.split != split or split not in SPLITS or kind not in measures:
                raise ParameterError(
                    f"workload metric {metric.name!r} must be named <split>_<measure> with "
                    f"split train, valid or test, declared with that split, and a measure of "
                    f"the workload ({', '.join(measures)}); got split {metric.split!r}.")

    @torch.no_grad()
    def evaluate(self, model: nn.Module, device: torch.device) -> dict[str, float]:
        """Every declared metric of ``model``, in evaluation mode.

        Parameters
        ----------
        model : torch.nn.Module
            The model being trained (its mode is restored afterwards, also
            when a measure raises).
        device : torch.device
            Where the model lives.

        Returns
        -------
        dict
            Metric name to value (float), in the order of :attr:`metrics`.
        """
        wanted: dict[str, list[str]] = {}
        for metric in self.metrics:
            split, _, kind = metric.name.partition("_")
            wanted.setdefault(split, []).append(kind)
        was_training = model.training
        model.eval()
        values = {}
        try:
            for split in SPLITS:
                if split not in wanted:
                    continue
                kinds = wanted[split]
                inputs, targets = getattr(self.data, split)
                if split == "train":
                    inputs = inputs[:self.train_eval_size]
                    targets = targets[:self.train_eval_size]
                sums = dict.fromkeys(kinds, 0.0)
                for start in range(0, len(inputs), self.eval_batch_size):
                    x = inputs[start:start + self.eval_batch_size].to(device)
                    y = targets[start:start + self.eval_batch_size].to(device)
                    output = model(x)
                    for kind in kinds:
                        sums[kind] += float(self.measures[kind].batch(output, y)) * len(x)
                for kind in kinds:
                    mean = sums[kind] / len(inputs)
                    finish = self.measures[kind].finish
                    values[f"{split}_{kind}"] = finish(mean) if finish else mean
        finally:
            model.train(was_training)
        return {metric.name: values[metric.name] for metric in self.metrics}
