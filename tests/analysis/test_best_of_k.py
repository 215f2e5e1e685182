"""tunestats.best_of_k and best_of_k_curve on studies: tidy frames that agree with
brute-force enumeration and closed forms, per pool, and clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tunestats
from tunestats import DataError, Metric, ParameterError, Study
from tunestats.synthetic import synthetic_study

from ..kernels.reference import brute_force_probabilities, exact_mean, exact_quantile

METRICS = {"loss": Metric("loss", "minimize", "train"),
           "accuracy": Metric("accuracy", "maximize", "valid"),
           "error": Metric("error", "minimize", "test")}


def study_of(pools: dict, steps: int = 3) -> Study:
    """A study from {optimizer: (accuracy, error, status)} finals; curves end at the finals."""
    trials, curves = [], []
    for optimizer, (accuracy, error, status) in pools.items():
        n = len(accuracy)
        trials.append(pd.DataFrame({
            "workload": "w", "protocol": "p", "optimizer": optimizer, "repeat": 0,
            "trial": np.arange(n), "seed": 0, "status": status,
            "final.loss": np.asarray(error) * 2, "final.accuracy": accuracy,
            "final.error": error}))
        fraction = np.linspace(0.5, 1.0, steps)[:, None]
        curves.append(pd.DataFrame({
            "workload": "w", "protocol": "p", "optimizer": optimizer, "repeat": 0,
            "trial": np.tile(np.arange(n), steps), "step": np.repeat(np.arange(steps) * 10, n),
            "loss": (2 * np.asarray(error) / fraction).ravel(),
            "accuracy": (np.asarray(accuracy) * fraction).ravel(),
            "error": (np.asarray(error) / fraction).ravel()}))
    return Study.from_frames(pd.concat(trials), pd.concat(curves), metrics=METRICS)


ACCURACY = [0.9, 0.8, 0.9, np.nan, 0.7, 0.8]
ERROR = [0.12, 0.2, 0.1, np.nan, 0.3, 0.25]
STATUS = ["completed", "completed", "completed", "diverged", "completed", "completed"]


@pytest.fixture(scope="module")
def study() -> Study:
    return study_of({"adam": (ACCURACY, ERROR, STATUS),
                     "sgd": ([0.5, 0.6, 0.7, 0.6], [0.4, 0.3, 0.2, 0.35], ["completed"] * 4)})


@pytest.mark.parametrize("replace", [True, False])
def test_equals_brute_force_with_ties_a_maximised_metric_and_a_diverged_trial(study, replace):
    ks = [1, 2, 3, 4]
    frame = tunestats.best_of_k(study, select="accuracy", report="error", k=ks, replace=replace, confidence=None,
                                quantiles=(0.1, 0.5, 0.9), lost_value=np.inf)
    adam = frame[frame["optimizer"] == "adam"]
    report = np.where(np.isnan(ERROR), np.inf, ERROR)
    for k, row in zip(ks, adam.itertuples(), strict=True):
        probabilities = brute_force_probabilities(
            np.nan_to_num(ACCURACY), k, replace=replace, direction="maximize",
            lost=[s != "completed" for s in STATUS])
        if probabilities[3] > 0:  # the diverged trial is picked when all k draws are it
            assert row.mean == np.inf
        else:
            finite = np.nan_to_num(report, posinf=0.0)
            assert row.mean == pytest.approx(float(exact_mean(finite, probabilities)), rel=1e-12)
        assert [row.q10, row.q50, row.q90] == [exact_quantile(report, probabilities, q)
                                               for q in (0.1, 0.5, 0.9)]
    assert adam["n_trials"].tolist() == [6] * 4 and adam["n_diverged"].tolist() == [1] * 4


@pytest.mark.parametrize("replace", [True, False])
def test_lost_value_gives_the_brute_force_mean_with_the_lost_trial_at_that_value(study, replace):
    ks = [1, 2, 3]
    frame = tunestats.best_of_k(study, select="accuracy", report="error", k=ks, replace=replace, confidence=None,
                                lost_value=1.0)
    adam = frame[frame["optimizer"] == "adam"]
    report = np.where(np.isnan(ERROR), 1.0, ERROR)
    for k, row in zip(ks, adam.itertuples(), strict=True):
        probabilities = brute_force_probabilities(
            np.nan_to_num(ACCURACY), k, replace=replace, direction="maximize",
            lost=[s != "completed" for s in STATUS])
        assert np.isfinite(row.mean)
        assert row.mean == pytest.approx(float(exact_mean(report, probabilities)), rel=1e-12)


def test_tidy_columns_default_budgets_and_bands(study):
    frame = tunestats.best_of_k(study, select="accuracy", report="error")
    assert list(frame.columns[:10]) == ["workload", "protocol", "optimizer", "select", "report",
                                        "k", "mean", "q05", "q50", "q95"]
    for name in ("ci_low", "ci_high", "q50_ci_low", "q95_ci_high", "sim_low", "q50_sim_high",
                 "ci_note", "ci_level", "method", "replace", "diverged", "lost_value",
                 "n_trials", "n_diverged", "n_resamples"):
        assert name in frame.columns
    # powers of two up to each pool's size, and the size
    assert frame.groupby("optimizer")["k"].apply(list).to_dict() == {
        "adam": [1, 2, 4, 6], "sgd": [1, 2, 4]}
    # the lost trial reports the worst finite error of its pool: every mean is finite
    assert np.isfinite(frame["mean"]).all()
    assert frame.loc[frame["optimizer"] == "adam", "lost_value"].eq(0.3).all()
    both = frame["q50_ci_low"].notna() & frame["q50_ci_high"].notna()
    assert (frame.loc[both, "q50_ci_low"] <= frame.loc[both, "q50_ci_high"]).all()
    # select != report: no calibrated quantile band, and the reason is given
    assert frame["q50_ci_low"].isna().all()
    assert frame["ci_note"].str.contains("quantile bands need select == report").all()
    assert (frame["ci_level"] == 0.9).all() and (frame["method"] == "exact").all()
    sgd = frame[frame["optimizer"] == "sgd"]
    shown = sgd["ci_low"].notna()  # k <= sqrt(N)
    assert shown.tolist() == [True, True, False]
    assert ((sgd["ci_low"] <= sgd["mean"]) & (sgd["mean"] <= sgd["ci_high"]))[shown].all()
    no_ci = tunestats.best_of_k(study, select="accuracy", report="error", confidence=None)
    assert no_ci["ci_low"].isna().all() and no_ci["n_resamples"].isna().all()


def test_same_seed_same_numbers_and_a_pool_does_not_depend_on_the_others(study):
    a = tunestats.best_of_k(study, select="accuracy", report="error", seed=3, method="bootstrap",
                            n_resamples=500)
    b = tunestats.best_of_k(study, select="accuracy", report="error", seed=3, method="bootstrap",
                            n_resamples=500)
    pd.testing.assert_frame_equal(a, b)
    alone = tunestats.best_of_k(study.select(optimizer="sgd"), select="accuracy",
                                report="error", seed=3, method="bootstrap", n_resamples=500)
    pd.testing.assert_frame_equal(alone, a[a["optimizer"] == "sgd"].reset_index(drop=True))


def test_exclude_policy_and_bootstrap_method(study):
    excluded = tunestats.best_of_k(study, select="accuracy", report="error", k=[1, 2], diverged="exclude",
                                   confidence=None)
    adam = excluded[excluded["optimizer"] == "adam"]
    assert adam["n_trials"].tolist() == [5, 5] and adam["n_diverged"].tolist() == [1, 1]
    assert adam["mean"].iloc[0] == pytest.approx(np.nanmean(ERROR))
    boot = tunestats.best_of_k(study, select="accuracy", report="error", k=[1, 2], diverged="exclude",
                               method="bootstrap", n_resamples=20_000)
    sd = np.nanstd(ERROR)
    np.testing.assert_array_less(np.abs(boot["mean"] - excluded["mean"]), 5 * sd / np.sqrt(2e4))
    assert (boot["method"] == "bootstrap").all() and (boot["n_resamples"] == 20_000).all()
    # the bands do not depend on the estimator: never silently dropped
    bands = ["ci_low", "ci_high", "ci_note"]
    pd.testing.assert_frame_equal(boot[bands], tunestats.best_of_k(
        study, select="accuracy", report="error", k=[1, 2], diverged="exclude")[bands])


def test_curves_closed_forms(study):
    frame = tunestats.best_of_k_curve(study, select="accuracy", report="error", k=[1, 10**6], by="step",
                                      diverged="exclude")
    sgd = frame[frame["optimizer"] == "sgd"]
    error = np.array([0.4, 0.3, 0.2, 0.35]) / np.linspace(0.5, 1.0, 3)[:, None]
    np.testing.assert_allclose(sgd.loc[sgd["k"] == 1, "mean"], error.mean(axis=1))
    # a huge budget with replacement always finds the most accurate trial (the third)
    np.testing.assert_allclose(sgd.loc[sgd["k"] == 10**6, "mean"], error[:, 2])
    assert sgd["step"].tolist() == [0, 0, 10, 10, 20, 20]
    final = tunestats.best_of_k_curve(study, select="accuracy", report="error", k=2, lost_value=np.inf)
    adam = final[final["optimizer"] == "adam"]
    assert (adam["by"] == "final").all() and (adam["mean"] == np.inf).all()
    assert np.isfinite(adam["q50"]).all()


@pytest.mark.parametrize(("kws", "error", "message"), [
    ({"select": "valid_loss"}, ParameterError,
     "unknown metric 'valid_loss': the study declares loss, accuracy, error."),
    ({"k": 0}, ParameterError, "`k` must be a positive integer; got 0."),
    ({"k": 2.5}, ParameterError, "`k` must be a positive integer; got 2.5."),
    ({"k": 5, "replace": False}, ParameterError,
     "pool w/p/sgd: `k` must be a positive integer ≤ the pool size (4); got 5."),
    ({"method": "mc"}, ParameterError, "`method` must be one of 'exact', 'bootstrap'; got 'mc'."),
    ({"rule": np.argmax}, ParameterError, "`rule` needs method='bootstrap'"),
    ({"diverged": "drop"}, ParameterError, "`diverged` must be one of 'worst', 'exclude'"),
    ({"quantiles": (0.5, 0.5)}, ParameterError, "`quantiles` must be distinct levels"),
    ({"seed": None}, ParameterError, "`seed` must be a non-negative integer"),
])
def test_bad_input_is_one_clear_error(study, kws, error, message):
    arguments = {"select": "accuracy", "report": "error", **kws}
    with pytest.raises(error) as info:
        tunestats.best_of_k(study, **arguments)
    assert str(info.value).startswith(message)


def test_a_pool_whose_every_trial_diverged_names_the_pool():
    lost = ["diverged", "failed", "diverged"]
    study = study_of({"adam": ([0.9, 0.8, 0.7], [0.1, 0.2, 0.3], ["completed"] * 3),
                      "sgd": ([np.nan] * 3, [np.nan] * 3, lost)})
    # the default ladder 1, 2 and the pool size 3
    assert tunestats.best_of_k(study, select="accuracy", report="error", confidence=None)["n_diverged"].tolist() == (
        [0, 0, 0, 3, 3, 3])
    with pytest.raises(DataError, match=r"^pool w/p/sgd: every trial of the pool is diverged, "
                                        r"failed or missing a value \(3 of 3\)"):
        tunestats.best_of_k(study, select="accuracy", report="error", diverged="exclude")


def test_missing_final_column_is_a_data_error():
    full = synthetic_study(n_trials=4, seed=0)
    study = Study(full.trials.drop(columns="final.test_error"), full.curves, full.meta)
    with pytest.raises(DataError, match=r"the trials table has no column 'final\.test_error'"):
        tunestats.best_of_k(study)
