"""Synthetic tuning studies with a planted truth, for tests, benchmarks and examples.

Each trial's final validation error is a quadratic bowl in the log10 learning
rate around an optimizer's optimum, plus optional quadratic terms in further
hyperparameters (momentum, Adam's ε, …), plus noise; learning rates above a
divergence threshold diverge. Curves decay exponentially from 1 towards the
final value. Because the truth is known (each optimizer's best reachable error,
the optimum's position, the divergence cliff) the analyses can be checked
against it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._checks import check_positive_int
from ._random import DEFAULT_SEED, as_generator
from .errors import ParameterError
from .space import Param, SearchSpace
from .study.meta import Metric
from .study.model import Study

__all__ = ["Bowl", "Term", "synthetic_study"]

METRICS = {
    "train_loss": Metric("train_loss", "minimize", "train", "nats"),
    "valid_error": Metric("valid_error", "minimize", "valid", "fraction"),
    "test_error": Metric("test_error", "minimize", "test", "fraction"),
}


@dataclass(frozen=True)
class Term:
    """A quadratic term of the objective in one further hyperparameter.

    Adds ``curvature * (u(x) - u(optimum))**2`` where ``u`` is the parameter's
    position in its range, in its own scale (:meth:`Param.to_unit`; the
    optimum may lie outside the range, at a position below 0 or above 1).
    """

    optimum: object
    curvature: float = 0.05


@dataclass(frozen=True)
class Bowl:
    """The planted objective of one pool.

    ``valid_error = floor + curvature * (log10(lr) - log10(optimum))**2
    + sum of the terms + noise`` (clipped to [0, 1]); trials with
    ``lr > diverge_above`` diverge. ``terms`` maps the name of a parameter of
    ``synthetic_study(params=...)`` to its :class:`Term`.
    """

    floor: float = 0.05
    optimum: float = 1e-2
    curvature: float = 0.04
    noise: float = 0.005
    diverge_above: float = np.inf
    terms: Mapping[str, Term] = field(default_factory=dict)


def synthetic_study(*, workloads: Sequence[str] = ("quadratic",),
                    protocols: Sequence[str] = ("paper",),
                    optimizers: Sequence[str] = ("sgd", "momentum", "adam"),
                    n_trials: int = 32, n_steps: int = 20, eval_every: int = 10,
                    repeats: int = 1, lr_range: tuple[float, float] = (1e-4, 1.0),
                    bowls: Mapping[tuple[str, str, str], Bowl] | None = None,
                    params: Sequence[Param] = (),
                    seed: Any = DEFAULT_SEED) -> Study:
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
    params : sequence of Param, optional
        Further tuned hyperparameters, searched with the learning rate (one
        quasi-random point per trial in all dimensions). A parameter without
        a :class:`Term` in a pool's bowl has no effect on that pool.
    seed : int, SeedSequence or Generator, default 0
        Randomness of the noise and of the quasi-random learning rates (one
        stream for the whole study, drawn pool after pool: a generator of
        data, not an analysis).

    Returns
    -------
    Study
        Metrics ``train_loss``, ``valid_error``, ``test_error``; spaces
        ``{(protocol, optimizer): learning_rate log-uniform in lr_range,
        then params}``;
        provenance saying the study is synthetic.
    """
    n_trials = check_positive_int("n_trials", n_trials)
    n_steps = check_positive_int("n_steps", n_steps)
    eval_every = check_positive_int("eval_every", eval_every)
    repeats = check_positive_int("repeats", repeats)
    rng = as_generator(seed)
    bowls = dict(bowls or {})
    space = SearchSpace((Param("learning_rate", "log", *lr_range), *params))
    for bowl in bowls.values():
        unknown = sorted(set(bowl.terms) - set(space.names[1:]))
        if unknown:
            raise ParameterError(f"`bowls` has terms for {unknown}, which are not in `params` "
                                 f"({', '.join(space.names[1:]) or 'none'}).")
        for name, term in bowl.terms.items():
            if not np.isfinite(space[name].to_unit([term.optimum])).all():
                raise ParameterError(f"the optimum of the term for {name!r} must have a "
                                     f"position in its scale; got {term.optimum!r}.")
    trial_rows, curve_parts = [], []
    steps = np.arange(n_steps, dtype=np.int64) * eval_every
    for workload in workloads:
        for protocol in protocols:
            for optimizer in optimizers:
                bowl = bowls.get((workload, protocol, optimizer), Bowl())
                for repeat in range(repeats):
                    qmc_seed = int(rng.integers(2**31))
                    points = space.points(n_trials, seed=qmc_seed)
                    lrs = np.array([p["learning_rate"] for p in points])
                    dist = np.log10(lrs) - np.log10(bowl.optimum)
                    objective = bowl.floor + bowl.curvature * dist**2
                    for name, term in bowl.terms.items():
                        u = space[name].to_unit([p[name] for p in points])
                        objective = objective + term.curvature * (
                            u - space[name].to_unit([term.optimum]))**2
                    final = np.clip(objective + bowl.noise * rng.standard_normal(n_trials),
                                    0.0, 1.0)
                    diverged = lrs > bowl.diverge_above
                    tau = 0.25 * n_steps * eval_every
                    decay = np.exp(-steps / tau)
                    valid = final[:, None] + (1.0 - final[:, None]) * decay[None, :]
                    test = np.clip(valid + bowl.noise * rng.standard_normal(valid.shape), 0, 1)
                    train = -np.log(np.clip(1.0 - 0.9 * valid, 1e-6, None)) * 2.0
                    if diverged.any():  # the curve stops a third of the way in
                        cut = max(1, n_steps // 3)
                        for values in (valid, test, train):
                            values[diverged, cut:] = np.nan
                        train[diverged, cut - 1] = np.inf
                    trial_rows.append(pd.DataFrame({
                        "workload": workload, "protocol": protocol, "optimizer": optimizer,
                        "repeat": repeat, "trial": np.arange(n_trials), "seed": qmc_seed,
                        "status": np.where(diverged, "diverged", "completed"),
                        **{f"hp.{name}": [p[name] for p in points] for name in space.names},
                        "final.train_loss": np.where(diverged, np.nan, train[:, -1]),
                        "final.valid_error": np.where(diverged, np.nan, valid[:, -1]),
                        "final.test_error": np.where(diverged, np.nan, test[:, -1]),
                    }))
                    curve_parts.append(pd.DataFrame({
                        "workload": workload, "protocol": protocol, "optimizer": optimizer,
                        "repeat": repeat, "trial": np.repeat(np.arange(n_trials), n_steps),
                        "step": np.tile(steps, n_trials), "train_loss": train.ravel(),
                        "valid_error": valid.ravel(), "test_error": test.ravel()}))
    spaces = {(p, o): space for p in protocols for o in optimizers}
    return Study.from_frames(
        pd.concat(trial_rows, ignore_index=True), pd.concat(curve_parts, ignore_index=True),
        metrics=METRICS, spaces=spaces,
        provenance={"generator": "tunestats.synthetic.synthetic_study",
                    "synthetic": True,
                    "note": "synthetic quadratic-bowl study with a planted truth, not real "
                            "training runs"},
        name="synthetic")
