"""Isolation (best per bin) against a loop over the trials."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tunestats import Param, check_space
from tunestats.analysis import isolation
from tunestats.errors import ParameterError
from tunestats.synthetic import Bowl, synthetic_study

BATCH = Param("batch_size", "choice", choices=(32, 64, 128, 256))


def test_best_per_bin_by_brute_force():
    study = synthetic_study(optimizers=["sgd"], n_trials=40, params=[BATCH], seed=1,
                            bowls={("quadratic", "paper", "sgd"): Bowl(diverge_above=0.1)})
    binned = isolation(check_space(study, seed=0), bins=5)
    trials = study.trials
    lr = binned[binned["param"] == "learning_rate"]
    for b in range(5):
        lo, hi = 10 ** (-4 + 4 * b / 5), 10 ** (-4 + 4 * (b + 1) / 5)
        inside = (trials["hp.learning_rate"] >= lo) & (trials["hp.learning_rate"] < hi)
        row = lr[lr["bin"] == b].iloc[0]
        assert row["n_trials"] == inside.sum()
        assert row["n_lost"] == (inside & (trials["status"] == "diverged")).sum()
        best = trials.loc[inside, "final.valid_error"].min()
        assert (math.isnan(best) and math.isnan(row["best"])) or row["best"] == best
        assert row["value"] == pytest.approx(10 ** (-4 + 4 * (b + 0.5) / 5))
    batch = binned[binned["param"] == "batch_size"]
    assert batch["choice"].tolist() == ["32", "64", "128", "256"]
    for _, row in batch.iterrows():
        chosen = trials["hp.batch_size"] == int(row["choice"])
        assert row["best"] == trials.loc[chosen, "final.valid_error"].min()
    assert np.isnan(batch["value"]).all()
    with pytest.raises(ParameterError, match="`bins` must be a positive integer"):
        isolation(check_space(study, seed=0), bins=0)


def test_each_workload_is_binned_by_its_own_metric_direction():
    # workload b judged by accuracy = 1 - error (maximised), a by error: b's best per bin is
    # 1 - the best error of the same trials, not the worst accuracy
    from tunestats import Metric, Study

    base = synthetic_study(workloads=("a", "b"), optimizers=["sgd"], n_trials=30, seed=2)
    trials = base.trials.copy()
    in_b = (trials["workload"] == "b").to_numpy()
    trials["final.valid_accuracy"] = np.where(in_b, 1 - trials["final.valid_error"], np.nan)
    trials.loc[in_b, "final.valid_error"] = np.nan
    others = [m for m in base.metrics if m != "valid_error"]
    study = Study.from_frames(
        trials, metrics={**base.metrics,
                         "valid_accuracy": Metric("valid_accuracy", "maximize", "valid")},
        spaces=base.spaces,
        workloads={"a": {"metrics": ["valid_error", *others], "valid": "valid_error"},
                   "b": {"metrics": ["valid_accuracy", *others], "valid": "valid_accuracy"}})
    mixed = isolation(check_space(study, seed=0), bins=5)
    plain = isolation(check_space(base, seed=0), bins=5)
    keys = ["workload", "param", "bin"]
    joined = mixed.merge(plain, on=keys, suffixes=("", "_error"))
    assert len(joined) == len(plain) and (joined["workload"] == "b").any()
    b = joined["workload"] == "b"
    np.testing.assert_allclose(joined.loc[b, "best"], 1 - joined.loc[b, "best_error"])
    np.testing.assert_array_equal(joined.loc[~b, "best"], joined.loc[~b, "best_error"])
