"""Trial keys as integers: one int64 per row that orders like the key.

The key ``workload, protocol, optimizer, repeat, trial`` (and ``step`` for a
curve row) is coded in mixed radix: each column becomes a digit (the position
of a name among the sorted names, or an integer less its minimum), and the
digits combine as ``((d₀·n₁ + d₁)·n₂ + d₂)…``. Comparing codes compares keys,
and codes of several tables agree when they are coded together. When the
product of the radices reaches 2⁶² the combined code would overflow int64;
the rows are then numbered by a joint sort of the key columns instead, which
gives the same order.

Examples
--------
>>> import pandas as pd
>>> a = pd.DataFrame({"workload": ["w", "w"], "trial": [7, 3]})
>>> b = pd.DataFrame({"workload": ["w"], "trial": [3]})
>>> [c.tolist() for c in key_codes([a, b], ("workload", "trial"))]
[[4, 0], [0]]
>>> big = pd.DataFrame({"workload": ["v", "w"], "trial": [2**62, 0]})
>>> key_codes([big], ("workload", "trial"))[0].tolist()
[0, 1]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["LIMIT", "key_codes"]

#: Codes stay below this bound; a key space at least this large is numbered by sorting.
LIMIT = 2**62


def _digits(frames: Sequence[pd.DataFrame], column: str) -> list[np.ndarray]:
    """Each frame's ``column`` as int64: integers as they are, names as their position
    among the sorted names of every frame (−1 for a missing name)."""
    first = frames[0][column]
    if pd.api.types.is_integer_dtype(first.dtype) and all(
            pd.api.types.is_integer_dtype(f[column].dtype) for f in frames):
        return [f[column].to_numpy(dtype=np.int64) for f in frames]
    names: set = set()
    for frame in frames:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            names.update(values.array.categories)
        else:
            names.update(values.dropna().unique())
    categories = pd.Index(sorted(names))
    out = []
    for frame in frames:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            own = values.array
            lookup = np.append(categories.get_indexer(own.categories), -1)
            out.append(lookup[own.codes].astype(np.int64))  # code −1 (missing) stays −1
        else:
            out.append(categories.get_indexer(values).astype(np.int64))
    return out


def key_codes(frames: Sequence[pd.DataFrame], columns: Sequence[str]) -> list[np.ndarray]:
    """One int64 per row of each of ``frames`` that orders like ``columns``.

    Parameters
    ----------
    frames : sequence of DataFrame
        Tables holding ``columns``; their codes are comparable with each other
        (equal keys, equal codes).
    columns : sequence of str
        The key columns (e.g. :data:`tunestats.study.schema.KEY`). Text columns (plain or categorical) order by name, integer columns
        by value.

    Returns
    -------
    list of ndarray
        The codes of each frame, in the order of ``frames``: mixed-radix
        digits when the key space fits below :data:`LIMIT`, else the rank of
        each distinct key in a joint sort.
    """
    digits = [_digits(frames, column) for column in columns]
    sizes = []
    for i, parts in enumerate(digits):
        low = min((int(p.min()) for p in parts if p.size), default=0)
        high = max((int(p.max()) for p in parts if p.size), default=0)
        digits[i] = [p - low for p in parts]
        sizes.append(high - low + 1)
    if np.prod(np.array(sizes, dtype=float)) >= LIMIT:
        both = pd.concat([f[list(columns)] for f in frames], ignore_index=True)
        ranks = both.groupby(list(columns), observed=True, sort=True, dropna=False).ngroup()
        ranks = ranks.to_numpy(dtype=np.int64)
        bounds = np.cumsum([0, *(len(f) for f in frames)])
        return [ranks[bounds[i]:bounds[i + 1]] for i in range(len(frames))]
    codes = [np.zeros(len(f), dtype=np.int64) for f in frames]
    for parts, size in zip(digits, sizes, strict=True):
        for code, part in zip(codes, parts, strict=True):
            code *= size
            code += part
    return codes
