"""MNIST and Fashion-MNIST from local IDX files (nothing is downloaded).

The user points ``path`` at a folder holding the four files of either data
set under their usual names (``train-images-idx3-ubyte``,
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
``t10k-labels-idx1-ubyte``), each optionally gzipped (``.gz``). The official
test set is the test split; ``valid_size`` images of the training set,
chosen by ``split_seed``, are the validation split.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import torch
from torch import nn

from tunestats.checks import check_choice, check_positive_int
from tunestats.errors import DataError, ParameterError

from .base import Splits, Workload
from .registry import register_workload

__all__ = ["idx_splits", "mnist", "read_idx"]

_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (gzipped when its name ends in ``.gz``).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    numpy.ndarray
        The array, in the file's shape and element type.

    Notes
    -----
    An IDX file starts with two zero bytes, a type code (0x08 unsigned byte,
    0x09 signed byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64) and
    the number of dimensions *d*, followed by *d* big-endian int32 sizes and
    the data in C order.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise DataError(f"{path}: cannot read the IDX file ({exc}).") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _DTYPES:
        raise DataError(f"{path}: not an IDX file (bad magic number {raw[:4].hex()!r}); "
                        "expected 00 00, a type code and the number of dimensions.")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int(s) for s in np.frombuffer(raw[4:header], dtype=">i4"))
    dtype = np.dtype(_DTYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataError(f"{path}: the header promises shape {shape} ({expected} bytes of data); "
                        f"the file holds {len(raw) - header} bytes.")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def _find(folder: Path, stem: str) -> Path:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    raise DataError(f"{folder}: no {stem} (or {stem}.gz) there; expected the four IDX files "
                    f"{', '.join(FILES.values())}.")


def idx_splits(path: str | Path, split_seed: int = 0, valid_size: int = 5000) -> Splits:
    """The splits of an MNIST-format data set in folder ``path``.

    Parameters
    ----------
    path : str or Path
        Folder with the four IDX files.
    split_seed : int, default 0
        Seed of the choice of validation images among the training images.
    valid_size : int, default 5000
        Training images moved to the validation split.

    Returns
    -------
    Splits
        Images as float tensors ``(N, 1, H, W)`` scaled to [0, 1], labels as long.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder; `path` must name the folder of the IDX files.")
    arrays = {key: read_idx(_find(folder, stem)) for key, stem in FILES.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise DataError(f"{folder}: {split} images of shape {images.shape} and labels of "
                            f"shape {labels.shape} do not match; expected (N, H, W) and (N,).")
    n = len(arrays["train_images"])
    check_positive_int("valid_size", valid_size)
    if valid_size >= n:
        raise ParameterError(f"`valid_size` must be < {n} (the training images); "
                             f"got {valid_size}.")

    def tensors(images: np.ndarray, labels: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 255.0
        return x, torch.tensor(labels, dtype=torch.long)

    x, y = tensors(arrays["train_images"], arrays["train_labels"])
    order = torch.from_numpy(np.random.default_rng(split_seed).permutation(n))
    valid, train = order[:valid_size], order[valid_size:]
    return Splits(train=(x[train], y[train]), valid=(x[valid], y[valid]),
                  test=tensors(arrays["test_images"], arrays["test_labels"]))


@register_workload("mnist")
def mnist(path: str, model: str = "mlp", split_seed: int = 0, valid_size: int = 5000,
          batch_size: int = 128) -> Workload:
    """MNIST or Fashion-MNIST (same file format) from local IDX files.

    Parameters
    ----------
    path : str
        Folder with the four IDX files.
    model : {"mlp", "cnn"}, default "mlp"
        A 256-unit ReLU perceptron or a two-convolution CNN.
    split_seed : int, default 0
        Seed of the validation split.
    valid_size : int, default 5000
        Training images held out for validation.
    batch_size : int, default 128
        Training minibatch size.

    Returns
    -------
    Workload
    """
    check_choice("model", model, ("mlp", "cnn"))
    data = idx_splits(path, split_seed, valid_size)
    _, _, height, width = data.train[0].shape
    classes = int(max(int(data.train[1].max()), int(data.test[1].max()))) + 1

    def build() -> nn.Module:
        if model == "mlp":
            return nn.Sequential(nn.Flatten(), nn.Linear(height * width, 256), nn.ReLU(),
                                 nn.Linear(256, classes))
        return nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(64 * (height // 4) * (width // 4), 256), nn.ReLU(), nn.Linear(256, classes))

    return Workload(data, build, batch_size=batch_size)


register_workload("fashion_mnist")(mnist)
