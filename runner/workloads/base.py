"""What a workload is: data splits, a model, a loss, an error and declared metrics.

A :class:`Workload` holds three splits of ``(inputs, targets)`` tensors and a
function that builds a fresh model. The trial loop draws minibatches from the
training split; :meth:`Workload.evaluate` computes every declared metric.
The default loss is cross-entropy and the default error is the fraction of
wrong arg-max predictions; both accept outputs of shape ``(N, C)`` with
targets ``(N,)`` (classification) or ``(N, T, C)`` with targets ``(N, T)``
(sequence prediction), so one class serves image classifiers and language
models alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn import functional

from tunestats._checks import check_positive_int
from tunestats.errors import ParameterError
from tunestats.study import SPLITS, Metric

__all__ = ["STANDARD_METRICS", "Splits", "Workload", "classification_error"]


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
    """The three data splits, each a pair ``(inputs, targets)`` of tensors."""

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
    """Fraction of arg-max predictions of ``output`` that differ from ``target``."""
    return (output.argmax(dim=-1) != target).float().mean()


def cross_entropy(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy (nats) over every predicted position."""
    return functional.cross_entropy(output.flatten(0, -2), target.flatten())


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
        The training loss is measured on the first ``train_eval_size``
        training examples (a fixed subset).
    eval_batch_size : int, default 1024
        Examples per forward pass during evaluation.
    loss : callable, default cross-entropy
        ``loss(output, target)``: the scalar minimised by training.
    error : callable, default :func:`classification_error`
        ``error(output, target)``: the error reported as ``<split>_error``.
    metrics : tuple of tunestats.study.Metric, default :data:`STANDARD_METRICS`
        The metrics :meth:`evaluate` reports, with direction and split. Each is
        ``<split>_loss`` or ``<split>_error``.
    """

    data: Splits
    model: Callable[[], nn.Module]
    batch_size: int = 64
    train_eval_size: int = 1024
    eval_batch_size: int = 1024
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = cross_entropy
    error: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = classification_error
    metrics: tuple[Metric, ...] = field(default=STANDARD_METRICS)

    def __post_init__(self) -> None:
        for name in ("batch_size", "train_eval_size", "eval_batch_size"):
            check_positive_int(name, getattr(self, name))
        for metric in self.metrics:
            split, _, kind = metric.name.partition("_")
            if metric.split != split or split not in SPLITS or kind not in ("loss", "error"):
                raise ParameterError(
                    f"workload metric {metric.name!r} must be named "
                    "<split>_loss or <split>_error with split train, valid or test and "
                    f"declared with that split; got split {metric.split!r}.")
            if metric.direction != "minimize":
                raise ParameterError(
                    f"workload metric {metric.name!r} is a loss or an error, "
                    f"so its direction is 'minimize'; got {metric.direction!r}.")

    @torch.no_grad()
    def evaluate(self, model: nn.Module, device: torch.device) -> dict[str, float]:
        """Every declared metric of ``model``, in evaluation mode.

        Parameters
        ----------
        model : torch.nn.Module
            The model being trained (its mode is restored afterwards).
        device : torch.device
            Where the model lives.

        Returns
        -------
        dict
            Metric name to value (float), in the order of :attr:`metrics`.
        """
        wanted = {metric.name for metric in self.metrics}
        was_training = model.training
        model.eval()
        values = {}
        for split in SPLITS:
            if f"{split}_loss" not in wanted and f"{split}_error" not in wanted:
                continue
            inputs, targets = getattr(self.data, split)
            if split == "train":
                inputs, targets = inputs[:self.train_eval_size], targets[:self.train_eval_size]
            loss = error = 0.0
            for start in range(0, len(inputs), self.eval_batch_size):
                x = inputs[start:start + self.eval_batch_size].to(device)
                y = targets[start:start + self.eval_batch_size].to(device)
                output = model(x)
                loss += float(self.loss(output, y)) * len(x)
                error += float(self.error(output, y)) * len(x)
            values[f"{split}_loss"] = loss / len(inputs)
            values[f"{split}_error"] = error / len(inputs)
        model.train(was_training)
        return {metric.name: values[metric.name] for metric in self.metrics}
