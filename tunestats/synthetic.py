"""Synthetic tuning studies with a planted truth, for tests, benchmarks and examples.

Each trial's final validation error is a quadratic bowl in the log10 learning
rate around an optimizer's optimum, plus noise; learning rates above a
divergence threshold diverge. Curves decay exponentially from 1 towards the
final value. Because the truth is known (each optimizer's best reachable error,
the optimum's position, the divergence cliff) the analyses can be checked
against it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import as_generator, check_positive_int
from .space import Param, SearchSpace
from .study.meta import Metric
from .study.model import Study

__all__ = ["Bowl", "synthetic_study"]

METRICS = {
    "train_loss": Metric("train_loss", "minimize", "train", "nats"),
    "valid_error": Metric("valid_error", "minimize", "valid", "fraction"),
    "test_error": Metric("test_error", "minimize", "test", "fraction"),
}


@dataclass(frozen=True)
class Bowl:
    """The planted objective of one pool.

    ``valid_error = floor + curvature * (log10(lr) - log10(optimum))**2 + noise``
    (clipped to [0, 1]); trials with ``lr > diverge_above`` diverge.
    """

    floor: float = 0.05
    optimum: float = 1e-2
    curvature: float = 0.04
    noise: float = 0.005
    diverge_above: float = np.inf


def synthetic_study(*, workloads: Sequence[str] = ("quadratic",),
                    protocols: Sequence[str] = ("paper",),
                    optimizers: Sequence[str] = ("sgd", "momentum", "adam"),
                    n_trials: int = 32, n_steps: int = 20, eval_every: int = 10,
                    repeats: int = 1, lr_range: tuple[float, float] = (1e-4, 1.0),
                    bowls: Mapping[tuple[str, str, str], Bowl] | None = None,
                    seed: int | np.random.Generator) -> Study:
    """A study of quadratic-bowl pools with a planted truth.

    Parameters
    ----------
    workloads, protocols, optimizers : sequence of str
        The pools are their product.
    n_trials : int
        Trials per pool and repeat.
    n_steps : int
        Evaluations per trial (curve length).
    eval_every : int
        Training steps between evaluations.
    repeats : int
        Independent repetitions of the tuning procedure.
    lr_range : (float, float)
        Bounds of the log-scaled learning-rate search space.
    bowls : mapping, optional
        The :class:`Bowl` of each ``(workload, protocol, optimizer)``;
        default ``Bowl()`` for every pool.
    seed : int or Generator
        Randomness of the noise and of the quasi-random learning rates.

    Returns
    -------
    Study
        Metrics ``train_loss``, ``valid_error``, ``test_error``; spaces
        ``{(protocol, optimizer): learning_rate log-uniform in lr_range}``;
        provenance saying the study is synthetic.
    """
    n_trials = check_positive_int("n_trials", n_trials)
    n_steps = check_positive_int("n_steps", n_steps)
    eval_every = check_positive_int("eval_every", eval_every)
    repeats = check_positive_int("repeats", repeats)
    rng = as_generator(seed)
    bowls = dict(bowls or {})
    space = SearchSpace((Param("learning_rate", "log", *lr_range),))
    trial_rows, curve_parts = [], []
    steps = np.arange(n_steps, dtype=np.int64) * eval_every
    for workload in workloads:
        for protocol in protocols:
            for optimizer in optimizers:
                bowl = bowls.get((workload, protocol, optimizer), Bowl())
                for repeat in range(repeats):
                    qmc_seed = int(rng.integers(2**31))
                    lrs = np.array([p["learning_rate"] for p in
                                    space.points(n_trials, seed=qmc_seed)])
                    dist = np.log10(lrs) - np.log10(bowl.optimum)
                    final = np.clip(bowl.floor + bowl.curvature * dist**2
                                    + bowl.noise * rng.standard_normal(n_trials), 0.0, 1.0)
                    diverged = lrs > bowl.diverge_above
                    tau = 0.25 * n_steps * eval_every
                    decay = np.exp(-steps / tau)
                    valid = final[:, None] + (1.0 - final[:, None]) * decay[None, :]
                    test = np.clip(valid + bowl.noise * rng.standard_normal(valid.shape), 0, 1)
                    train = -np.log(np.clip(1.0 - 0.9 * valid, 1e-6, None)) * 2.0
                    for i in range(n_trials):
                        status = "diverged" if diverged[i] else "completed"
                        v, t, tr = valid[i].copy(), test[i].copy(), train[i].copy()
                        if diverged[i]:
                            cut = max(1, n_steps // 3)
                            v[cut:], t[cut:], tr[cut:] = np.nan, np.nan, np.nan
                            tr[cut - 1] = np.inf
                        trial_rows.append({
                            "workload": workload, "protocol": protocol, "optimizer": optimizer,
                            "repeat": repeat, "trial": i, "seed": qmc_seed, "status": status,
                            "hp.learning_rate": lrs[i],
                            "final.train_loss": np.nan if diverged[i] else tr[-1],
                            "final.valid_error": np.nan if diverged[i] else v[-1],
                            "final.test_error": np.nan if diverged[i] else t[-1],
                        })
                        curve_parts.append(pd.DataFrame({
                            "workload": workload, "protocol": protocol, "optimizer": optimizer,
                            "repeat": repeat, "trial": i, "step": steps,
                            "train_loss": tr, "valid_error": v, "test_error": t}))
    spaces = {(p, o): space for p in protocols for o in optimizers}
    return Study.from_frames(
        pd.DataFrame(trial_rows), pd.concat(curve_parts, ignore_index=True),
        metrics=METRICS, spaces=spaces,
        provenance={"generator": "tunestats.synthetic.synthetic_study",
                    "synthetic": True,
                    "note": "synthetic quadratic-bowl study with a planted truth, not real "
                            "training runs"},
        name="synthetic")
