"""check_space on synthetic pools with a planted truth (issue 5's acceptance)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tunestats import Param, Study
from tunestats.analysis import check_space
from tunestats.errors import ParameterError
from tunestats.synthetic import Bowl, Term, synthetic_study

POOL = ("quadratic", "paper", "sgd")
MOMENTUM = Param("momentum", "reverse_log", 0.5, 0.999)


def one_pool(bowl: Bowl, seed: int = 0, **kws) -> Study:
    return synthetic_study(optimizers=["sgd"], bowls={POOL: bowl}, seed=seed, **kws)


def sides(result, param="learning_rate"):
    rows = result.boundaries[result.boundaries["param"] == param]
    return {row["side"]: row for _, row in rows.iterrows()}


@pytest.mark.parametrize("seed", range(5))
def test_optimum_past_the_high_bound_is_an_open_edge_with_a_range_that_contains_it(seed):
    result = check_space(one_pool(Bowl(optimum=3.0), seed), seed=0)
    low, high = sides(result).values()
    assert high["verdict"] in ("best at edge", "top trials crowd the edge")
    assert high["edge_kind"] == "open edge"
    assert high["proposed_low"] == 1e-4 and high["proposed_high"] >= 3.0
    assert low["verdict"] == "interior"
    assert not result.adequate
    reasons = result.reasons[result.reasons["param"] == "learning_rate"]
    assert reasons["side"].tolist() == ["high"]
    assert "widen to [0.0001, 10]" in reasons["reason"].iloc[0]


@pytest.mark.parametrize("seed", range(5))
def test_optimum_inside_is_not_flagged(seed):
    result = check_space(one_pool(Bowl(optimum=1e-2), seed), seed=0)
    assert set(result.boundaries["verdict"]) == {"interior"}
    assert result.boundaries["proposed_high"].isna().all()


@pytest.mark.parametrize("seed", range(5))
def test_divergence_cliff_just_above_the_best_region_proposes_no_widening(seed):
    # The optimum lies far past the bound, but training diverges from 10^-0.1 on,
    # inside the edge band [10^-0.2, 1]: the best trials sit right below the cliff.
    study = one_pool(Bowl(optimum=10.0, diverge_above=10**-0.1), seed, n_trials=64)
    result = check_space(study, seed=0)
    high = sides(result)["high"]
    assert high["verdict"] == "best at edge" and high["edge_kind"] == "divergence cliff"
    assert high["n_beyond"] >= 1 and high["n_beyond_bad"] == high["n_beyond"]
    assert np.isnan(high["proposed_high"]) and "widening would add only" in high["note"]
    assert result.reasons["param"].isna().all()  # the cliff is no reason to widen
    assert high["n_lost"] == (study.trials["status"] == "diverged").sum() > 0


def test_reverse_log_momentum_past_0999_is_flagged_on_the_high_side():
    # momentum drives the objective (the learning rate varies over one decade around its
    # optimum); its optimum 0.9997 lies past the high bound 0.999.
    bowl = Bowl(optimum=1e-2, terms={"momentum": Term(0.9997, 0.5)})
    flagged = []
    for seed in range(10):
        study = one_pool(bowl, seed, n_trials=64, params=[MOMENTUM], lr_range=(1e-3, 1e-1))
        low, high = sides(check_space(study, seed=0), "momentum").values()
        assert low["verdict"] == "interior" and low["scale"] == "reverse_log"
        if high["edge_kind"] == "open edge":
            flagged.append(seed)
            assert high["proposed_low"] == 0.5
            assert high["proposed_high"] == pytest.approx(0.9999) and high["best_value"] > 0.99
    assert len(flagged) >= 9, flagged


def _rows(frame, optimizer):
    """The rows of one optimizer, without the pool columns."""
    rows = frame[frame["optimizer"] == optimizer]
    return rows.drop(columns=["workload", "protocol", "optimizer"]).reset_index(drop=True)


def test_verdicts_stable_under_reordering_trials_and_relabelling_pools():
    bowls = {("w", "paper", "sgd"): Bowl(optimum=3.0),
             ("w", "paper", "adam"): Bowl(optimum=1e-2),
             ("w", "paper", "rmsprop"): Bowl(optimum=10.0, diverge_above=0.5)}
    study = synthetic_study(workloads=["w"], optimizers=["sgd", "adam", "rmsprop"], bowls=bowls,
                            seed=4)
    result = check_space(study, seed=0)
    shuffled = study.trials.sample(frac=1.0, random_state=1)
    again = check_space(Study.from_frames(shuffled, metrics=study.metrics, spaces=study.spaces),
                        seed=0)
    pd.testing.assert_frame_equal(again.boundaries, result.boundaries)
    pd.testing.assert_frame_equal(again.budgets, result.budgets)
    # Relabel: sgd → zeta, adam → alpha (which reverses their order), rmsprop → mid.
    names = {"sgd": "zeta", "adam": "alpha", "rmsprop": "mid"}
    trials = study.trials.assign(optimizer=study.trials["optimizer"].astype(str).map(names))
    spaces = {(p, names[o]): space for (p, o), space in study.spaces.items()}
    relabelled = check_space(Study.from_frames(trials, metrics=study.metrics, spaces=spaces),
                             seed=0)
    for old, new in names.items():
        pd.testing.assert_frame_equal(_rows(relabelled.boundaries, new),
                                      _rows(result.boundaries, old))
        # each pool's bootstrap stream follows its name: compare the exact columns
        exact = ["gain_last", "k_half", "delta", "verdict"]
        pd.testing.assert_frame_equal(_rows(relabelled.budgets, new)[exact],
                                      _rows(result.budgets, old)[exact])


def test_pool_with_fewer_than_three_completed_trials_has_insufficient_data():
    study = synthetic_study(optimizers=["sgd", "adam"], n_trials=8, seed=0,
                            bowls={("quadratic", "paper", "adam"): Bowl(diverge_above=2e-4)})
    result = check_space(study, seed=0)
    adam = result.boundaries[result.boundaries["optimizer"] == "adam"]
    assert set(adam["verdict"]) == {"insufficient data"}
    assert (adam["n_completed"] < 3).all()
    assert result.budgets.set_index("optimizer").loc["adam", "verdict"] == "insufficient data"
    assert not result.adequate
    assert result.reasons["reason"].str.startswith("insufficient data").any()


def test_choice_parameters():
    batch = Param("batch_size", "choice", choices=(32, 64, 128, 256))
    activation = Param("activation", "choice", choices=("relu", "tanh", "gelu"))
    bowl = Bowl(optimum=1e-2, terms={"batch_size": Term(256, 0.5)})
    study = one_pool(bowl, 0, n_trials=64, params=[batch, activation], lr_range=(3e-3, 3e-2))
    result = check_space(study, seed=0)
    act = sides(result, "activation")
    assert {row["verdict"] for row in act.values()} == {"unordered"}
    high = sides(result, "batch_size")["high"]
    assert high["verdict"] == "best at edge" and high["best_value"] == "256"
    assert high["edge_kind"] == "open edge" and high["note"] == "add a choice beyond 256"


def test_bad_input():
    study = one_pool(Bowl(), 0, n_trials=8)
    with pytest.raises(ParameterError, match="`params` names 'momentum', which is not a tuned"):
        check_space(study, params="momentum", seed=0)
    for q in (0, -0.1, 1.5, float("nan")):
        with pytest.raises(ParameterError, match=r"`top_q` must be a finite number in \(0.0, 1.0\]"):
            check_space(study, top_q=q, seed=0)
    for eps in (0, 0.5, 0.7, -0.01):
        with pytest.raises(ParameterError, match=r"`edge` must be a finite number in \(0.0, 0.5\)"):
            check_space(study, edge=eps, seed=0)
    with pytest.raises(ParameterError, match="unknown metric 'loss'"):
        check_space(study, metric="loss", seed=0)
    for seed in (None, -1, 1.5):
        with pytest.raises(ParameterError, match="`seed` must be a non-negative integer"):
            check_space(study, seed=seed)
    with pytest.raises(ParameterError, match="`relative` must be True or False"):
        check_space(study, relative="yes", seed=0)
    assert check_space(study, top_q=1.0, edge=0.49, seed=0).boundaries["top_n"].max() == 8


@pytest.mark.slow
def test_false_flag_rate_over_200_interior_optimum_pools():
    """Optima anywhere in the middle 80% of the log range, 32 trials per pool: at most 5%
    of the pools get any side flagged (verdict other than interior)."""
    rng = np.random.default_rng(20191011)
    names = [f"opt{i:03d}" for i in range(200)]
    bowls = {("quadratic", "paper", name): Bowl(optimum=10 ** (-4 + 4 * rng.uniform(0.1, 0.9)))
             for name in names}
    study = synthetic_study(optimizers=names, n_trials=32, n_steps=2, bowls=bowls, seed=5)
    boundaries = check_space(study, n_resamples=1, seed=0).boundaries
    flagged = boundaries.groupby("optimizer", observed=True)["verdict"].agg(
        lambda verdicts: (verdicts != "interior").any())
    assert len(flagged) == 200
    assert flagged.mean() <= 0.05
