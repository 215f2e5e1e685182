"""Argument normalisation shared by the kernels (validate at the door).

Every public kernel turns its arguments into plain arrays here, once, and then
only computes. Conventions (DESIGN §4.5): the trial axis is the last axis of
``select`` and ``report``; a budget ``k`` and quantile levels ``quantiles``
are a scalar or a 1-d sequence, and a scalar gives no axis in the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_bool, check_direction, check_positive_int_array, check_real_array
from ..errors import ParameterError

NAN_HINT = (" Apply a policy for diverged and failed trials first "
            "(tunestats.kernels.apply_diverged_policy).")


def pool_values(name: str, values: Any) -> np.ndarray:
    """A float array with the trials on its last axis, at least one trial, no NaN."""
    array = check_real_array(name, values, allow_inf=True, hint=NAN_HINT)
    if array.ndim == 0 or array.shape[-1] == 0:
        raise ParameterError(f"`{name}` must hold at least one trial on its last axis (the pool "
                             f"is empty); got an array of shape {array.shape}.")
    return array


def paired_pool(select: Any, report: Any) -> tuple[np.ndarray, np.ndarray]:
    """``select`` and ``report`` with the same number of trials and broadcastable batch axes."""
    s = pool_values("select", select)
    r = pool_values("report", report)
    if s.shape[-1] != r.shape[-1]:
        raise ParameterError(f"`select` and `report` must hold the same trials on their last "
                             f"axis; got {s.shape[-1]} and {r.shape[-1]} trials.")
    try:
        np.broadcast_shapes(s.shape, r.shape)
    except ValueError:
        raise ParameterError(f"the leading axes of `select` {s.shape} and `report` {r.shape} "
                             "must broadcast against each other.") from None
    return s, r


def _at_most_1d(name: str, array: np.ndarray) -> np.ndarray:
    if array.ndim > 1:
        raise ParameterError(f"`{name}` must be a scalar or a 1-d sequence; got an array of "
                             f"shape {array.shape}.")
    return array


def budgets(k: Any, n: int, replace: bool) -> np.ndarray:
    """``k`` as an int64 array (0-d or 1-d); without replacement no budget may exceed ``n``."""
    replace = check_bool("replace", replace)
    upper = None if replace else n
    array = check_positive_int_array("k", k, upper=upper, upper_name="the pool size")
    return _at_most_1d("k", array)


def levels(quantiles: Any) -> np.ndarray:
    """Quantile levels ``quantiles`` as a float array in [0, 1] (0-d or 1-d)."""
    return _at_most_1d("quantiles", check_real_array("quantiles", quantiles, low=0.0, high=1.0))


def oriented(values: np.ndarray, name: str, direction: Any) -> np.ndarray:
    """``values`` turned so that smaller is better."""
    check_direction(name, direction)
    return values if direction == "minimize" else -values


def aligned(array: np.ndarray, ndim: int) -> np.ndarray:
    """``array`` with leading axes of length 1 added up to ``ndim`` axes."""
    return array.reshape((1,) * (ndim - array.ndim) + array.shape)


def drop_scalar_axes(per_k: np.ndarray, per_k_and_q: np.ndarray, k: np.ndarray, q: np.ndarray,
                     trailing: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Drop the budget axis for a scalar ``k`` and the level axis for a scalar ``q``.

    ``per_k`` ends with axes ``(K, *trailing)``, ``per_k_and_q`` with
    ``(K, Q, *trailing)``, where ``trailing`` counts extra axes at the end
    (e.g. resamples).
    """
    axes = [-1 - trailing] if q.ndim == 0 else []
    if k.ndim == 0:
        per_k = np.squeeze(per_k, axis=-1 - trailing)
        axes.append(-2 - trailing)
    return per_k, np.squeeze(per_k_and_q, axis=tuple(axes))
