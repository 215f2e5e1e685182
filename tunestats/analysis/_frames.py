"""Building one tidy frame from many small parts, without a DataFrame per part."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["stack_parts"]


def stack_parts(parts: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """Concatenate parts given as ``{column: scalar or 1-d array}``.

    Within a part, scalars are repeated to the length of its arrays (every
    part must hold at least one array). Much cheaper than a DataFrame per part
    when there are hundreds of small parts.
    """
    if not parts:
        return pd.DataFrame(columns=list(columns))
    lengths = [max(np.size(v) for v in part.values() if np.ndim(v) > 0) for part in parts]
    out = {}
    for name in columns:
        pieces = [np.asarray(part[name]) if np.ndim(part[name]) > 0
                  else np.full(length, part[name], dtype=object if isinstance(part[name], str)
                               else None)
                  for part, length in zip(parts, lengths, strict=True)]
        out[name] = np.concatenate(pieces)
    frame = pd.DataFrame(out)
    for name in columns:
        if frame[name].dtype == object:
            frame[name] = frame[name].astype(str)
    return frame
