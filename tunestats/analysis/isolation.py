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
from ..space import Param
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
    trials outside the range fall into the end bins. Failed trials and
    trials without a value of the parameter are left out.

    References
    ----------
    .. [1] Godbole, V. et al. (2023). Deep Learning Tuning Playbook,
       "Basic hyperparameter axis plots".
    """
    bins = check_positive_int("bins", bins)
    sign = result.metric.sign
    pos = result.positions
    pos = pos[np.isfinite(pos["position"]) & (pos["status"] != "failed")]
    parts = []
    for key, part in pos.groupby([*POOL, "param"], observed=True, sort=True):
        pool, name = key[:3], key[3]
        first = part.iloc[0]
        u = part["position"].to_numpy()
        if first["scale"] == "choice":  # one bin per choice present, in the declared order
            index = pd.factorize(u, sort=True)[0]
        else:
            index = np.clip(np.floor(u * bins), 0, bins - 1).astype(int)
        frame = pd.DataFrame({"bin": index, "oriented": sign * part["metric"].to_numpy(),
                              "lost": part["lost"].to_numpy(), "position": u,
                              "choice": part["choice"].to_numpy()})
        grouped = frame.groupby("bin", sort=True)
        out = pd.DataFrame({"best": sign * grouped["oriented"].min(),
                            "n_trials": grouped.size(),
                            "n_lost": grouped["lost"].sum().astype(int),
                            "choice": grouped["choice"].first(),
                            "position": grouped["position"].first()}).reset_index()
        if first["scale"] == "choice":
            out["value"] = np.nan
        else:
            out["position"] = (out["bin"] + 0.5) / bins
            param = Param(name, first["scale"], first["low"], first["high"])
            out["value"] = param.from_unit(out["position"].to_numpy())
        parts.append(out.assign(**dict(zip(POOL, pool, strict=True)), param=name,
                                scale=first["scale"]))
    columns = [*POOL, "param", "scale", "bin", "position", "value", "choice", "best",
               "n_trials", "n_lost"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(
        columns=columns)
