"""Positions in each parameter's own scale, against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tunestats import Metric, Param, SearchSpace, Study
from tunestats.analysis import infer_param, positions
from tunestats.errors import ParameterError
from tunestats.synthetic import synthetic_study

MOMENTUM = Param("momentum", "reverse_log", 0.5, 0.999)
BATCH = Param("batch_size", "choice", choices=(32, 64, 128, 256))


def test_declared_scales_by_hand():
    study = synthetic_study(optimizers=["sgd", "adam"], n_trials=12, params=[MOMENTUM, BATCH],
                            seed=0)
    pos = positions(study)
    assert set(pos["bounds"]) == {"declared"}
    assert len(pos) == 3 * len(study.trials)
    lr = pos[pos["param"] == "learning_rate"]
    np.testing.assert_allclose(lr["position"], (np.log10(lr["value"]) + 4) / 4, rtol=1e-12)
    momentum = pos[pos["param"] == "momentum"]
    expected = (np.log10(1 - momentum["value"]) - np.log10(0.5)) / (np.log10(0.001)
                                                                     - np.log10(0.5))
    np.testing.assert_allclose(momentum["position"], expected, rtol=1e-12)
    batch = pos[pos["param"] == "batch_size"]
    index = batch["value"].map({32: 0, 64: 1, 128: 2, 256: 3}).to_numpy(dtype=float)
    np.testing.assert_allclose(batch["position"], (index + 0.5) / 4)
    assert (batch["choice"] == batch["value"].astype(int).astype(str)).all()
    assert lr["choice"].isna().all() and (lr["low"] == 1e-4).all() and (lr["high"] == 1).all()


def _study_without_spaces() -> Study:
    rng = np.random.default_rng(0)
    n = 10
    trials = pd.DataFrame({
        "workload": "w", "protocol": "p", "optimizer": "o", "repeat": 0, "trial": np.arange(n),
        "status": "completed",
        "hp.learning_rate": 10 ** rng.uniform(-4, -1, n),
        "hp.momentum": 1 - 10 ** rng.uniform(-3, -1, n),
        "hp.dropout": rng.uniform(0.1, 0.5, n),
        "hp.activation": rng.choice(["relu", "tanh"], n),
        "hp.width": 128.0,
        "final.valid_error": rng.uniform(0.1, 0.2, n)})
    return Study.from_frames(trials, metrics={"valid_error": Metric("valid_error", "minimize",
                                                                    "valid")})


def test_bounds_inferred_when_no_space_is_declared():
    study = _study_without_spaces()
    pos = positions(study)
    assert set(pos["bounds"]) == {"inferred"}
    scales = pos.groupby("param")["scale"].first().to_dict()
    assert scales == {"learning_rate": "log", "momentum": "reverse_log", "dropout": "linear",
                      "activation": "choice"}  # width is constant: not tuned
    for name in ("learning_rate", "momentum", "dropout"):
        part = pos[pos["param"] == name]
        assert part["position"].min() == 0 and part["position"].max() == 1
        assert part["low"].iloc[0] == study.trials[f"hp.{name}"].min()
    dropout = pos[pos["param"] == "dropout"]
    x = dropout["value"]
    np.testing.assert_allclose(dropout["position"], (x - x.min()) / (x.max() - x.min()))


def test_infer_param_rule():
    assert infer_param("lr", [1e-4, 1e-2]) == Param("lr", "log", 1e-4, 1e-2)
    assert infer_param("lr", [1e-2, 5e-2]).scale == "linear"  # less than a decade
    assert infer_param("m", [0.5, 0.999]).scale == "reverse_log"
    assert infer_param("x", [-1.0, 100.0]).scale == "linear"  # not positive
    # Both apply: the one spanning more decades (here 1 - x spans 1.04, x spans 2).
    assert infer_param("x", [0.001, 0.91]).scale == "log"
    assert infer_param("x", [0.09, 0.999]).scale == "reverse_log"
    assert infer_param("act", ["tanh", "relu", None]) == Param("act", "choice",
                                                               choices=("relu", "tanh"))
    with pytest.raises(ParameterError, match="fewer than two distinct values"):
        infer_param("width", [128.0, 128.0, np.nan])


def test_unknown_parameter_is_refused():
    study = synthetic_study(optimizers=["sgd"], n_trials=4, seed=0)
    with pytest.raises(ParameterError, match=r"`params` names 'momentum', which is not a tuned "
                                             r"hyperparameter .*; tuned: learning_rate"):
        positions(study, params=["momentum"])
    assert set(positions(study, params=["learning_rate"])["param"]) == {"learning_rate"}


def test_undeclared_varying_column_is_inferred_beside_a_declared_space():
    study = _study_without_spaces()
    space = SearchSpace((Param("learning_rate", "log", 1e-5, 1.0),), {"width": 128.0})
    study = Study.from_frames(study.trials, metrics=study.metrics, spaces={("p", "o"): space})
    bounds = positions(study).groupby("param")["bounds"].first().to_dict()
    assert bounds == {"learning_rate": "declared", "momentum": "inferred",
                      "dropout": "inferred", "activation": "inferred"}
