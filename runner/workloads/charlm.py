"""A character-level 2-layer LSTM language model on any UTF-8 text.

The paper's War-and-Peace workload in miniature. The text is split into
contiguous blocks (the first 90 % trains, the next 5 % validates, the last
5 % tests) and cut into non-overlapping windows of ``seq_len + 1``
characters; the model predicts each next character. The vocabulary is the
set of characters of the training block; others map to one "unknown" symbol.
Loss is in nats per character; error is the fraction of characters whose
arg-max prediction is wrong.

The default corpus is offline on every machine: the English prose of
Python's own documentation topics (``pydoc_data.topics``, the text of
``help()``; about 460,000 characters), which ships with the standard library.
"""

from __future__ import annotations

import importlib
from itertools import pairwise
from pathlib import Path

import torch
from torch import nn

from tunestats.checks import check_positive_int
from tunestats.errors import DataError

from .base import Splits, Workload
from .registry import register_workload

__all__ = ["CharLSTM", "char_lstm", "default_corpus", "read_corpus"]


def default_corpus() -> str:
    """The text of Python's documentation topics (``pydoc_data.topics``), in key order."""
    topics = importlib.import_module("pydoc_data.topics").topics
    return "\n".join(topics[key] for key in sorted(topics))


def read_corpus(path: str | Path | None) -> str:
    """The text of UTF-8 file ``path``, or :func:`default_corpus` when None."""
    if path is None:
        return default_corpus()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read the corpus as UTF-8 text ({exc}).") from None


class CharLSTM(nn.Module):
    """Embedding → multi-layer LSTM → linear read-out of next-character logits.

    Parameters
    ----------
    vocab : int
        Number of symbols.
    embed, hidden : int
        Embedding and LSTM widths.
    layers : int
        LSTM layers.
    """

    def __init__(self, vocab: int, embed: int, hidden: int, layers: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=layers, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of shape ``(batch, time, vocab)`` for symbol ids ``x`` of shape ``(batch, time)``."""
        hidden, _ = self.lstm(self.embed(x))
        return self.out(hidden)


@register_workload("char_lstm")
def char_lstm(path: str | None = None, seq_len: int = 32, embed: int = 32, hidden: int = 64,
              layers: int = 2, batch_size: int = 32, max_chars: int | None = None) -> Workload:
    """Character-level LSTM language model on a UTF-8 text file.

    Parameters
    ----------
    path : str, optional
        The corpus; the default is :func:`default_corpus`.
    seq_len : int, default 32
        Characters per training window (truncated back-propagation length).
    embed, hidden : int, default 32 and 64
        Embedding and LSTM widths.
    layers : int, default 2
        LSTM layers.
    batch_size : int, default 32
        Windows per minibatch.
    max_chars : int, optional
        Use only the first ``max_chars`` characters of the corpus.

    Returns
    -------
    Workload
    """
    for name, value in (("seq_len", seq_len), ("embed", embed), ("hidden", hidden),
                        ("layers", layers)):
        check_positive_int(name, value)
    text = read_corpus(path)
    if max_chars is not None:
        text = text[:check_positive_int("max_chars", max_chars)]
    n = len(text)
    bounds = (0, int(0.9 * n), int(0.95 * n), n)
    if min(b - a for a, b in pairwise(bounds)) < seq_len + 1:
        raise DataError(f"{path or 'the default corpus'}: {n} characters are too few for "
                        f"windows of {seq_len + 1} in each of the three splits; expected at "
                        f"least {20 * (seq_len + 1)}.")
    symbols = sorted(set(text[:bounds[1]]))
    ids = {c: i + 1 for i, c in enumerate(symbols)}  # 0: a character unseen in training
    vocab = len(symbols) + 1

    def windows(block: str) -> tuple[torch.Tensor, torch.Tensor]:
        coded = torch.tensor([ids.get(c, 0) for c in block], dtype=torch.long)
        count = (len(coded) - 1) // seq_len
        rows = coded[:count * seq_len + 1].unfold(0, seq_len + 1, seq_len)
        return rows[:, :-1].contiguous(), rows[:, 1:].contiguous()

    data = Splits(*(windows(text[a:b]) for a, b in pairwise(bounds)))
    return Workload(data, lambda: CharLSTM(vocab, embed, hidden, layers), batch_size=batch_size,
                    train_eval_size=256, eval_batch_size=256)
