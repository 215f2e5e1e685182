"""Synthetic studies with further hyperparameters: the planted objective by hand."""

from __future__ import annotations

import numpy as np
import pytest

from tunestats import Param
from tunestats.errors import ParameterError
from tunestats.synthetic import Bowl, Term, synthetic_study

POOL = ("quadratic", "paper", "sgd")
MOMENTUM = Param("momentum", "reverse_log", 0.5, 0.999)
ACTIVATION = Param("activation", "choice", choices=("relu", "tanh", "gelu"))


def test_terms_add_quadratics_in_the_parameters_positions():
    bowl = Bowl(floor=0.1, optimum=1e-2, curvature=0.04, noise=0.0,
                terms={"momentum": Term(0.99, 0.3), "activation": Term("gelu", 0.2)})
    study = synthetic_study(optimizers=["sgd"], n_trials=16, n_steps=20, eval_every=10,
                            bowls={POOL: bowl},
                            params=[MOMENTUM, ACTIVATION], seed=3)
    trials = study.trials
    lr = trials["hp.learning_rate"].to_numpy()
    momentum = trials["hp.momentum"].to_numpy()
    u_momentum = (-np.log10(1 - momentum) + np.log10(0.5)) / (3 + np.log10(0.5))
    u_opt = (2 + np.log10(0.5)) / (3 + np.log10(0.5))
    index = trials["hp.activation"].map({"relu": 0, "tanh": 1, "gelu": 2}).to_numpy(dtype=float)
    expected = (0.1 + 0.04 * (np.log10(lr) + 2) ** 2 + 0.3 * (u_momentum - u_opt) ** 2
                + 0.2 * ((index + 0.5) / 3 - 2.5 / 3) ** 2)
    # the curve decays from 1 towards the objective: exp(-step / tau) is left at the last step
    left = np.exp(-(20 - 1) * 10 / (0.25 * 20 * 10))
    final = expected + (1 - expected) * left
    np.testing.assert_allclose(trials["final.valid_error"], final, rtol=1e-12)
    assert set(trials["hp.activation"]) <= {"relu", "tanh", "gelu"}
    assert study.spaces[("paper", "sgd")].names == ["learning_rate", "momentum", "activation"]


def test_without_params_the_study_is_unchanged():
    a = synthetic_study(optimizers=["sgd"], n_trials=8, seed=1)
    b = synthetic_study(optimizers=["sgd"], n_trials=8, params=(), bowls={POOL: Bowl()}, seed=1)
    assert a.trials.equals(b.trials) and a.curves.equals(b.curves)


def test_a_term_for_an_unknown_parameter_is_refused():
    with pytest.raises(ParameterError, match=r"terms for \['momentum'\], which are not in"):
        synthetic_study(bowls={POOL: Bowl(terms={"momentum": Term(0.9)})}, seed=0)
    with pytest.raises(ParameterError, match="optimum of the term for 'activation' must have "):
        synthetic_study(bowls={POOL: Bowl(terms={"activation": Term("swish")})},
                        params=[ACTIVATION], seed=0)
