"""Image classification on scikit-learn's bundled 8×8 digits (no download).

1,797 images of handwritten digits ship inside scikit-learn. They are
shuffled with ``split_seed`` and split into test (``test_size``), validation
(``valid_size``) and training (the rest) sets; pixel values are scaled to
[0, 1]. Two models: a multilayer perceptron (``digits_mlp``) and a small
convolutional network (``digits_cnn``).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from tunestats.checks import check_positive_int
from tunestats.errors import ParameterError, require

from .base import Splits, Workload
from .registry import register_workload

__all__ = ["digits_cnn", "digits_mlp", "digits_splits"]


def digits_splits(split_seed: int = 0, valid_size: int = 300, test_size: int = 300,
                  image: bool = False) -> Splits:
    """The digits data, split by a seeded shuffle.

    Parameters
    ----------
    split_seed : int, default 0
        Seed of the shuffle that assigns images to splits.
    valid_size, test_size : int, default 300
        Images in the validation and test splits.
    image : bool, default False
        Inputs of shape ``(N, 1, 8, 8)`` (for a CNN) instead of ``(N, 64)``.

    Returns
    -------
    Splits
    """
    datasets = require("sklearn.datasets", "runner")
    bunch = datasets.load_digits()
    x = torch.tensor(bunch.data / 16.0, dtype=torch.float32)
    y = torch.tensor(bunch.target, dtype=torch.long)
    n = len(x)
    check_positive_int("valid_size", valid_size)
    check_positive_int("test_size", test_size)
    if valid_size + test_size >= n:
        raise ParameterError(f"`valid_size` + `test_size` must be < {n} (the digits); "
                             f"got {valid_size} + {test_size}.")
    if image:
        x = x.reshape(n, 1, 8, 8)
    order = torch.from_numpy(np.random.default_rng(split_seed).permutation(n))
    test, valid, train = (order[:test_size], order[test_size:test_size + valid_size],
                          order[test_size + valid_size:])
    return Splits(train=(x[train], y[train]), valid=(x[valid], y[valid]),
                  test=(x[test], y[test]))


@register_workload("digits_mlp")
def digits_mlp(split_seed: int = 0, hidden: int = 128, batch_size: int = 64) -> Workload:
    """Digits with a two-hidden-layer ReLU perceptron (64 → hidden → hidden → 10).

    Parameters
    ----------
    split_seed : int, default 0
        Seed of the train/valid/test split.
    hidden : int, default 128
        Width of the hidden layers.
    batch_size : int, default 64
        Training minibatch size.

    Returns
    -------
    Workload
    """
    hidden = check_positive_int("hidden", hidden)

    def model() -> nn.Module:
        return nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                             nn.ReLU(), nn.Linear(hidden, 10))

    return Workload(digits_splits(split_seed), model, batch_size=batch_size)


@register_workload("digits_cnn")
def digits_cnn(split_seed: int = 0, channels: int = 16, batch_size: int = 64) -> Workload:
    """Digits with a small CNN: two 3×3 convolutions, 2×2 max-pooling, two dense layers.

    Parameters
    ----------
    split_seed : int, default 0
        Seed of the train/valid/test split.
    channels : int, default 16
        Channels of the first convolution (the second has twice as many).
    batch_size : int, default 64
        Training minibatch size.

    Returns
    -------
    Workload
    """
    c = check_positive_int("channels", channels)

    def model() -> nn.Module:
        return nn.Sequential(
            nn.Conv2d(1, c, 3, padding=1), nn.ReLU(),
            nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(2 * c * 16, 64), nn.ReLU(), nn.Linear(64, 10))

    return Workload(digits_splits(split_seed, image=True), model, batch_size=batch_size)
