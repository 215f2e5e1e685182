"""Every analysis's per-pool numbers are unchanged when other pools, protocols or
optimizers are added or removed (each pool draws from its own keyed stream)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tunestats import best_of_k, budget_convergence, compare_protocols, inclusion_violations
from tunestats.analysis import check_space
from tunestats.study import Study
from tunestats.synthetic import Bowl, synthetic_study

KEY = ["workload", "protocol", "optimizer"]
#: Columns that depend on the whole family of checks by design (multiplicity control).
FAMILY = ["p_adjusted", "family_size", "n_groups", "order", "violation"]


def full_study() -> Study:
    bowls = {("w1", "narrow", "adam"): Bowl(floor=0.12), ("w2", "full", "sgd"): Bowl(floor=0.1)}
    return synthetic_study(workloads=("w1", "w2"), protocols=("full", "narrow"),
                           optimizers=("sgd", "momentum", "adam"), n_trials=16, n_steps=2,
                           bowls=bowls, seed=3)


def subset(study: Study, **keep) -> Study:
    mask = np.ones(len(study.trials), dtype=bool)
    for column, values in keep.items():
        mask &= study.trials[column].astype(str).isin(values).to_numpy()
    return study.subset(mask)


def rows(frame: pd.DataFrame, **where) -> pd.DataFrame:
    mask = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        mask &= (frame[column].astype(str) == value).to_numpy()
    return frame[mask].drop(columns=[c for c in frame if c in FAMILY]).reset_index(drop=True)


SMALLER = [dict(workload=["w1"]), dict(protocol=["full"]), dict(optimizer=["adam", "sgd"]),
           dict(workload=["w1"], optimizer=["adam", "momentum", "sgd"])]


def test_best_of_k_and_budget_per_pool_numbers_do_not_depend_on_other_pools():
    study = full_study()
    whole = best_of_k(study, k=[1, 4, 16], seed=5)
    boot = best_of_k(study, k=[1, 4], method="bootstrap", n_resamples=200, seed=5)
    budget = budget_convergence(study, delta=0.01, n_resamples=50, seed=5)
    for keep in SMALLER:
        part = subset(study, **keep)
        for frame, again in ((whole, best_of_k(part, k=[1, 4, 16], seed=5)),
                             (boot, best_of_k(part, k=[1, 4], method="bootstrap",
                                              n_resamples=200, seed=5)),
                             (budget, budget_convergence(part, delta=0.01, n_resamples=50,
                                                         seed=5))):
            pool = ("w1", "full", "adam")
            left = rows(frame, **dict(zip(KEY, pool, strict=True)))
            right = rows(again, **dict(zip(KEY, pool, strict=True)))
            pd.testing.assert_frame_equal(left, right)


def test_check_space_budget_numbers_do_not_depend_on_other_pools():
    study = full_study()
    whole = check_space(study, n_resamples=50, seed=2).budgets
    part = check_space(subset(study, optimizer=["adam"], protocol=["full"]), n_resamples=50,
                       seed=2).budgets
    left = rows(whole, workload="w1", protocol="full", optimizer="adam")
    right = rows(part, workload="w1", protocol="full", optimizer="adam")
    pd.testing.assert_frame_equal(left, right)


def test_comparison_numbers_do_not_depend_on_other_protocols_or_optimizers():
    study = full_study()
    whole = compare_protocols(study, k=[1, 4, 16], n_resamples=60, seed=9)
    pairs = whole.pairs
    one_protocol = compare_protocols(subset(study, protocol=["full"]), k=[1, 4, 16],
                                     n_resamples=60, seed=9)
    fewer = compare_protocols(subset(study, optimizer=["adam", "momentum"]), k=[1, 4, 16],
                              n_resamples=60, seed=9)
    other_workload = compare_protocols(subset(study, workload=["w1"]), k=[1, 4, 16],
                                       n_resamples=60, seed=9)
    for again in (one_protocol, fewer, other_workload):
        left = rows(pairs, workload="w1", protocol="full", a="adam", b="momentum")
        right = rows(again.pairs, workload="w1", protocol="full", a="adam", b="momentum")
        pd.testing.assert_frame_equal(left, right)
    checks = inclusion_violations(study, k=[1, 4, 16], n_resamples=60, seed=9, all_checks=True)
    alone = inclusion_violations(subset(study, protocol=["narrow"], workload=["w1"]),
                                 k=[1, 4, 16], n_resamples=60, seed=9, all_checks=True)
    left = rows(checks, workload="w1", protocol="narrow").sort_values(
        ["k", "included", "including"], ignore_index=True)
    right = alone.sort_values(["k", "included", "including"], ignore_index=True).drop(
        columns=[c for c in FAMILY if c in alone])
    pd.testing.assert_frame_equal(left, right)
