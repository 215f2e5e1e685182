"""Isolation: the best outcome per bin of one hyperparameter (Deep Learning Tuning Playbook).

Binning the trials of a pool along one hyperparameter, in its own scale, and
keeping the best outcome of each bin shows how far the best reachable result
depends on that hyperparameter once the others are tuned: the "basic
hyperparameter axis plot" of Godbole et al. (2023).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_positive_int
from ..space import CHOICE_SCALES, Param
from ..study.schema import POOL
from .check_space import SpaceCheck

__all__ = ["isolation"]


def isolation(result: SpaceCheck, *, bins: int = 10) -> pd.DataFrame:
    """The best outcome in each bin of each tuned hyperparameter of each pool.

    Parameters
    ----------
    result : SpaceCheck
        From :func:`tunestats.check_space`: its ``positions`` and ``metric``.
    bins : int, default 10
        Equal bins of the range in the parameter's own scale (ignored for
        choices: one bin per choice present, in the declared order).

    Returns
    -------
    DataFrame
        One row per (pool, parameter, bin that holds a trial): the pool,
        ``param``, ``scale``, ``bin`` (0-based), ``position`` and ``value`` of
        the bin's centre (``choice`` for a choice), ``best`` (best value of
        the metric among the bin's completed trials; NaN if none),
        ``n_trials`` and ``n_lost``.

    Notes
    -----
    Bin :math:`b` of :math:`B` holds the trials with position
    :math:`u \\in [b/B, (b+1)/B)` (the last bin includes :math:`u = 1`);
    trials outside the range fall into the end bins. Lost trials (diverged,
    failed or without a value: the one failed-trial policy, see
    :func:`tunestats.check_space`) count in ``n_trials`` and ``n_lost`` and
    never give a bin its ``best``; trials without a value of the parameter are
    left out.

    References
    ----------
    .. [1] Godbole, V. et al. (2023). Deep Learning Tuning Playbook,
       "Basic hyperparameter axis plots".
    """
    bins = check_positive_int("bins", bins)
    pos = result.positions
    pos = pos[np.isfinite(pos["position"])]
    signs = {w: m.sign for w, m in result.metrics.items()}  # each workload its own metric
    columns = [*POOL, "param", "scale", "bin", "position", "value", "choice", "best",
               "n_trials", "n_lost"]
    if pos.empty:
        return pd.DataFrame(columns=columns)
    keys = [*POOL, "param"]
    u = pos["position"].to_numpy(dtype=float)
    choice = pos["scale"].isin(CHOICE_SCALES).to_numpy()
    # one bin per choice present, in the declared order (the positions' order)
    rank = pos.groupby(keys, observed=True, sort=False)["position"].rank(method="dense")
    index = np.where(choice, rank.to_numpy(dtype=float) - 1,
                     np.clip(np.floor(u * bins), 0, bins - 1)).astype(int)
    frame = pd.DataFrame({**{k: pos[k].to_numpy() for k in keys}, "bin": index,
                          "scale": pos["scale"].to_numpy(), "low": pos["low"].to_numpy(),
                          "high": pos["high"].to_numpy(),
                          "oriented": _signs(pos, signs, result) * pos["metric"].to_numpy(
                              dtype=float),
                          "lost": pos["lost"].to_numpy(dtype=bool), "position": u,
                          "choice": pos["choice"].to_numpy()})
    grouped = frame.groupby([*keys, "bin"], sort=True)
    out = grouped.agg(scale=("scale", "first"), low=("low", "first"), high=("high", "first"),
                      best=("oriented", "min"), n_trials=("oriented", "size"),
                      n_lost=("lost", "sum"), choice=("choice", "first"),
                      position=("position", "first")).reset_index()
    out["best"] = _signs(out, signs, result) * out["best"]
    out["n_lost"] = out["n_lost"].astype(int)
    numeric = (~out["scale"].isin(CHOICE_SCALES)).to_numpy()
    out.loc[numeric, "position"] = (out.loc[numeric, "bin"] + 0.5) / bins
    out["value"] = np.nan
    for (scale, low, high, name), part in out[numeric].groupby(
            ["scale", "low", "high", "param"], sort=False):
        param = Param(name, scale, low, high)
        out.loc[part.index, "value"] = param.from_unit(part["position"].to_numpy(dtype=float))
    for col in POOL:
        out[col] = out[col].astype(str)
    return out[columns]


def _signs(frame: pd.DataFrame, signs: dict[str, float], result: SpaceCheck) -> np.ndarray:
    """+1 or -1 per row: the direction of the metric the row's workload was judged by."""
    return frame["workload"].map(lambda w: signs.get(w, result.metric.sign)).to_numpy(
        dtype=float)
