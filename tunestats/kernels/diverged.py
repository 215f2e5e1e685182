"""The policy for diverged and failed trials, applied before any best-of-k kernel.

The kernels take selection and reported values without NaN. A pool's
diverged or failed trials (and finished trials with a missing value) are
either counted as the worst outcome or excluded, and the number of trials the
policy touched is reported with the result (DESIGN §2: nothing is dropped
without being counted).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import check_choice, check_direction, check_real_array
from ..errors import DataError, ParameterError

__all__ = ["POLICIES", "PolicyOutcome", "apply_diverged_policy"]

#: The policies: ``"worst"`` (count as the worst outcome) and ``"exclude"``.
POLICIES = ("worst", "exclude")


@dataclass(frozen=True, eq=False)
class PolicyOutcome:
    """Selection and reported values ready for the kernels.

    Attributes
    ----------
    select : ndarray, shape (..., M)
        Selection values without NaN.
    report : ndarray, shape (..., M)
        Reported values without NaN.
    kept : ndarray of bool, shape (N,)
        Which of the original trials are in the result (all of them under
        ``"worst"``).
    n_touched : int
        Number of trials the policy changed (``"worst"``) or removed
        (``"exclude"``).
    policy : {"worst", "exclude"}
    lost_value : float or ndarray
        The reported value given to touched trials under ``"worst"`` (per
        leading index when the default varies along it); NaN under
        ``"exclude"``.
    touched : ndarray of bool, shape (M,)
        Which trials of the result the policy changed (none under
        ``"exclude"``).
    """

    select: np.ndarray
    report: np.ndarray
    kept: np.ndarray
    n_touched: int
    policy: str
    lost_value: Any = float("nan")
    touched: Any = None


def _worst(direction: str) -> float:
    return np.inf if direction == "minimize" else -np.inf


def _worst_finite(report: np.ndarray, touched: np.ndarray, direction: str) -> np.ndarray:
    """The worst finite reported value of the untouched trials, per leading index
    (shape ``(..., 1)``); the worst of the direction (±inf) where there is none."""
    values = np.where(touched | ~np.isfinite(report), np.nan, report)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: handled below
        worst = (np.nanmax if direction == "minimize" else np.nanmin)(values, axis=-1,
                                                                       keepdims=True)
    return np.where(np.isnan(worst), _worst(direction), worst)


def apply_diverged_policy(select: Any, report: Any, *, policy: str = "worst",
                          lost: Any = None, select_direction: str = "minimize",
                          report_direction: str = "minimize",
                          lost_value: float | None = None) -> PolicyOutcome:
    """Count diverged and failed trials as the worst outcome, or exclude them.

    Parameters
    ----------
    select : array_like, shape (..., N)
        Selection values; NaN marks a missing value (e.g. a diverged run).
    report : array_like, shape (..., N)
        Reported values, same trials on the last axis; NaN allowed.
    policy : {"worst", "exclude"}, default "worst"
        ``"worst"``: a touched trial loses every comparison — its selection
        value becomes ``+inf`` (``-inf`` for a maximised metric) and its
        missing reported values the worst value of the reported metric's
        direction; a tuner that ran it lost that draw. ``"exclude"``: touched
        trials are removed from the pool.
    lost : array_like of bool, shape (N,), optional
        The mask of lost trials: those flagged as diverged or failed (their
        status). Under
        ``"worst"`` all their values, not only missing ones, become worst.
    select_direction, report_direction : {"minimize", "maximize"}
        Directions of the two metrics, which decide what "worst" is.
    lost_value : float, optional
        Under ``"worst"``, the reported value of a touched trial (say 1.0 for
        an error rate: a run that diverged is as bad as a model that is always
        wrong; ``±inf`` is allowed). Default: the **worst finite reported value
        of the pool's untouched trials** (per leading index, e.g. per step of
        a curve), so that means stay finite; ±inf only when no trial has a
        finite value. This is the one policy of every analysis of tunestats.
        The selection is unchanged: a touched trial still loses every
        comparison.

    Returns
    -------
    PolicyOutcome

    Raises
    ------
    DataError
        If the pool is empty, or ``"exclude"`` leaves no trial.

    Notes
    -----
    A trial is touched when it is flagged in ``lost`` or any of its
    selection or reported values (over the leading axes, e.g. the steps of a
    curve) is NaN. Under ``"worst"`` every trial the policy touched ties with
    the others it touched, so the best-of-k kernels split their probability
    equally: the probability that the best of ``k`` draws is such a trial is
    the probability that all ``k`` draws are (:math:`(d/N)^k` with
    replacement for ``d`` touched trials).

    Examples
    --------
    >>> out = apply_diverged_policy([0.2, np.nan, 0.1], [0.3, np.nan, 0.2])
    >>> out.select.tolist(), out.report.tolist(), out.n_touched
    ([0.2, inf, 0.1], [0.3, 0.3, 0.2], 1)
    >>> apply_diverged_policy([0.2, np.nan, 0.1], [0.3, 0.5, 0.2], policy="exclude").select
    array([0.2, 0.1])
    """
    check_choice("policy", policy, POLICIES)
    if lost_value is not None and not (isinstance(lost_value, (int, float, np.floating))
                                       and not isinstance(lost_value, bool)
                                       and not np.isnan(lost_value)):
        raise ParameterError(f"`lost_value` must be a real number (±inf allowed); got "
                             f"{lost_value!r}.")
    check_direction("select_direction", select_direction)
    check_direction("report_direction", report_direction)
    s = check_real_array("select", select, allow_inf=True, allow_nan=True).copy()
    r = check_real_array("report", report, allow_inf=True, allow_nan=True).copy()
    if s.ndim == 0 or s.shape[-1] == 0:
        raise DataError(f"the pool is empty: `select` holds no trial; got shape {s.shape}.")
    n = s.shape[-1]
    if r.ndim == 0 or r.shape[-1] != n:
        raise ParameterError(f"`select` and `report` must hold the same trials on their last "
                             f"axis; got {n} and {r.shape[-1] if r.ndim else 0} trials.")
    flagged = np.zeros(n, dtype=bool) if lost is None else np.asarray(lost)
    if flagged.dtype != bool or flagged.shape != (n,):
        raise ParameterError(f"`lost` must be a boolean array with one entry per trial "
                             f"({n}); got dtype {flagged.dtype} and shape {flagged.shape}.")
    missing_select = np.isnan(s).reshape(-1, n).any(axis=0)
    missing_report = np.isnan(r).reshape(-1, n).any(axis=0)
    touched = flagged | missing_select | missing_report
    if policy == "exclude":
        if touched.all():
            raise DataError(f"every trial of the pool is diverged, failed or missing a value "
                            f"({n} of {n}); the policy diverged='exclude' leaves nothing to "
                            "select from.")
        return PolicyOutcome(s[..., ~touched], r[..., ~touched], ~touched, int(touched.sum()),
                             policy, float("nan"), np.zeros(int((~touched).sum()), dtype=bool))
    s[..., flagged] = _worst(select_direction)
    s[np.isnan(s)] = _worst(select_direction)
    fill = _worst_finite(r, touched, report_direction) if lost_value is None else lost_value
    r[..., flagged] = np.broadcast_to(fill, r.shape)[..., flagged]
    missing = np.isnan(r)
    r[missing] = np.broadcast_to(fill, r.shape)[missing]
    fill = np.asarray(fill, dtype=float)
    return PolicyOutcome(s, r, np.ones(n, dtype=bool), int(touched.sum()), policy,
                         float(fill.ravel()[0]) if fill.size == 1 else fill[..., 0], touched)
