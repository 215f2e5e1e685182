"""compare_protocols and inclusion_violations: a planted truth, a null calibration,
bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tunestats import ParameterError, compare_protocols, inclusion_violations
from tunestats.analysis.inclusion_graph import inclusion_graph
from tunestats.study import Study
from tunestats.synthetic import Bowl, synthetic_study

OPTIMIZERS = ("sgd", "momentum", "adam")


def planted_study(seed: int = 0):
    """Under "fixed-eps" Adam's best reachable error is worse than Momentum's (an
    under-tuned search space); under "full" it is better."""
    bowls = {("w", "fixed-eps", "adam"): Bowl(floor=0.15),
             ("w", "fixed-eps", "momentum"): Bowl(floor=0.08),
             ("w", "fixed-eps", "sgd"): Bowl(floor=0.10),
             ("w", "full", "adam"): Bowl(floor=0.06),
             ("w", "full", "momentum"): Bowl(floor=0.08),
             ("w", "full", "sgd"): Bowl(floor=0.10)}
    return synthetic_study(workloads=("w",), protocols=("fixed-eps", "full"),
                           optimizers=OPTIMIZERS, n_trials=32, n_steps=2, bowls=bowls,
                           seed=seed)


def test_planted_flip_and_violation_are_reported_with_the_right_protocol():
    result = compare_protocols(planted_study(), k=[4, 32], n_resamples=200, seed=1)
    flips = result.flips[result.flips["resolved"]]
    adam = flips[(flips["a"] == "adam") & (flips["b"] == "momentum")]
    # resolved (family-wise, permutation tests) at k = 4 and, with the closed-test step-down
    # and the default permutation count, also at k = N = 32 (the flip is planted at every k)
    assert set(adam["k"]) == {4, 32}
    every = result.flips[(result.flips["a"] == "adam") & (result.flips["b"] == "momentum")]
    assert set(every["k"]) == {4, 32}
    assert (every["p_a_better_in_a"] < 0.5).all() and (every["p_a_better_in_b"] > 0.5).all()
    assert (adam["protocol_a"] == "fixed-eps").all() and (adam["protocol_b"] == "full").all()
    assert (adam["p_a_better_in_a"] < 0.5).all() and (adam["p_a_better_in_b"] > 0.5).all()
    assert (adam["confidence_in_a"] <= 0.05).all() and (adam["confidence_in_b"] >= 0.95).all()
    violations = result.violations[result.violations["violation"]]
    assert set(zip(violations["protocol"], violations["included"], violations["including"],
                   strict=True)) == {("fixed-eps", "momentum", "adam"),
                                     ("fixed-eps", "sgd", "adam")}
    # rankings: adam first under full, last under fixed-eps, resolved
    top = result.rankings[(result.rankings["k"] == 32)].groupby("protocol")["optimizer"].first()
    assert top["full"] == "adam" and top["fixed-eps"] == "momentum"
    agreement = result.agreement.set_index("k")
    assert agreement.loc[32, "tau"] == pytest.approx(-1 / 3)
    assert agreement.loc[32, "tau_low"] <= agreement.loc[32, "tau"] <= agreement.loc[32,
                                                                                     "tau_high"]
    probabilities = result.rank_probabilities.groupby(["protocol", "k", "optimizer"])[
        "probability"].sum()
    np.testing.assert_allclose(probabilities, 1.0)


def test_same_seed_same_numbers_and_violations_api():
    study = planted_study()
    first = inclusion_violations(study, k=8, n_resamples=50, seed=3)
    second = inclusion_violations(study, k=8, n_resamples=50, seed=3)
    pd.testing.assert_frame_equal(first, second)
    assert first["violation"].all() and set(first["protocol"]) == {"fixed-eps"}
    every = inclusion_violations(study, k=8, n_resamples=50, seed=3, all_checks=True)
    assert len(every) == 6  # 3 inclusion pairs × 2 protocols


def test_ties_are_reported_as_ties():
    study = synthetic_study(optimizers=("sgd", "adam"), n_trials=8, n_steps=2, seed=4)
    result = compare_protocols(study, k=1, n_resamples=100, seed=0)
    assert result.pairs["order"].tolist() == ["~"]
    assert result.rankings["rank"].tolist() == [1, 1]


@pytest.mark.slow
def test_null_studies_violation_rate_is_calibrated():
    """200 studies with no planted difference: violations at alpha = 0.05 in at most 7%."""
    violations = 0
    for seed in range(200):
        study = synthetic_study(optimizers=("sgd", "momentum"), n_trials=12, n_steps=1,
                                seed=seed)
        checks = inclusion_violations(study, k=12, n_resamples=100, seed=seed, all_checks=True)
        assert len(checks) == 1
        violations += int(checks["violation"].item())
    assert violations / 200 <= 0.07


def test_bad_input():
    study = planted_study()
    with pytest.raises(ParameterError, match="`alpha` must be a finite number"):
        compare_protocols(study, alpha=0.7, seed=0)
    with pytest.raises(ParameterError, match="`protocols` must be one of"):
        compare_protocols(study, protocols=["nope"], seed=0)
    with pytest.raises(ParameterError, match="`seed` must be"):
        compare_protocols(study, seed=None)
    with pytest.raises(ParameterError, match="unknown metric 'loss'"):
        compare_protocols(study, select="loss", seed=0)
    trials = study.trials.copy()
    apart = trials["protocol"] == "full"
    trials["workload"] = np.where(apart, "v", "w")
    curves = study.curves.copy()
    curves["workload"] = np.where(curves["protocol"] == "full", "v", "w")
    split = Study.from_frames(trials, curves, metrics=study.metrics)
    with pytest.raises(ParameterError, match="protocols 'fixed-eps' and 'full' share no "
                                             "workload"):
        compare_protocols(split, seed=0)


def test_expected_rank_equals_brute_force_over_the_rank_probabilities():
    result = compare_protocols(planted_study(), k=[1, 4], n_resamples=20, seed=0)
    probs = result.rank_probabilities
    brute = (probs["rank"] * probs["probability"]).groupby(
        [probs["workload"], probs["protocol"], probs["k"], probs["optimizer"]]).sum()
    ranks = result.rankings.set_index(["workload", "protocol", "k", "optimizer"])
    np.testing.assert_allclose(ranks["expected_rank"], brute.reindex(ranks.index), atol=1e-12)
    # M optimizers: the expected ranks add up to 1 + 2 + ... + M
    sums = result.rankings.groupby(["protocol", "k"])["expected_rank"].sum()
    np.testing.assert_allclose(sums, 6.0, atol=1e-12)


def test_exclude_without_replacement_uses_the_pool_sizes_after_the_policy():
    bowls = {("w", "p", "adam"): Bowl(diverge_above=0.1)}
    study = synthetic_study(workloads=("w",), protocols=("p",), optimizers=("adam", "sgd"),
                            n_trials=16, n_steps=2, bowls=bowls, seed=0)
    kept = int((study.trials.query("optimizer == 'adam'")["status"] == "completed").sum())
    assert kept < 16
    result = compare_protocols(study, diverged="exclude", replace=False, n_resamples=10, seed=0)
    assert result.rankings["k"].max() == kept


def one_stage_decisions_hold(study, screened, one_stage, alpha=0.05):
    """Screened and one-stage (n_screen=0) results of one study: every side the screen
    refined has exactly the one-stage p-values; every stopped side that a decision uses
    (two-sided; "the included optimizer is better" of an inclusion pair) is above the
    screening bound and has, in the one-stage result, no adjusted p-value <= alpha (the
    case where screening cannot change a decision: the step-down never rejects above
    alpha). Returns the number of stopped and refined sides."""
    keys = ["workload", "protocol", "k", "a", "b"]
    left = screened.pairs.sort_values(keys, ignore_index=True)
    right = one_stage.pairs.sort_values(keys, ignore_index=True)
    full = int(right["n_permutations"].iloc[0])
    counts = {"stopped": 0, "refined": 0}
    included = set(inclusion_graph(study).pairs(set(left["a"]) | set(left["b"])))
    decided = {"n_permutations": np.ones(len(left), dtype=bool),
               **{f"n_permutations_{side}": np.array(
                   [(x, y) in included for x, y in zip(left[first], left[second], strict=True)])
                  for side, first, second in (("a", "a", "b"), ("b", "b", "a"))}}
    for raw, wy, count in (("p_value", "wy", "n_permutations"),
                           ("p_value_a", "wy_a", "n_permutations_a"),
                           ("p_value_b", "wy_b", "n_permutations_b")):
        refined = (left[count] == full).to_numpy()
        assert set(left[count]) <= {199, full}
        for column in (raw, wy):
            np.testing.assert_array_equal(left.loc[refined, column], right.loc[refined, column])
        stopped = ~refined
        counts["stopped"] += int(stopped.sum())
        counts["refined"] += int(refined.sum())
        # a stopped side that a decision uses is above the screening bound, and not near
        # alpha with all the permutations either (sides no decision uses are never refined)
        used = stopped & decided[count]
        assert (left.loc[used, wy] > 0.11).all()
        assert (right.loc[used, wy] > alpha).all()
    return counts


def test_screened_family_makes_the_one_stage_decisions_where_screening_cannot_change_them():
    """A planted flip and violation, and a null study: screened (199 first) and one-stage
    (all pairs 1,999) give the same orders, resolved flips and violations; the refined sides
    carry the one-stage p-values exactly."""
    null = synthetic_study(workloads=("w",), protocols=("a", "b"), optimizers=OPTIMIZERS,
                           n_trials=24, n_steps=2, seed=2)
    for study in (planted_study(), null):
        screened = compare_protocols(study, k=[1, 4, 24], n_resamples=20, seed=1)
        one_stage = compare_protocols(study, k=[1, 4, 24], n_resamples=20, seed=1,
                                      n_screen=0)
        counts = one_stage_decisions_hold(study, screened, one_stage)
        assert counts["stopped"] > 0
        keys = ["workload", "protocol", "k", "a", "b"]
        pd.testing.assert_series_equal(
            screened.pairs.sort_values(keys, ignore_index=True)["order"],
            one_stage.pairs.sort_values(keys, ignore_index=True)["order"])
        for frame, column in (("flips", "resolved"), ("violations", "violation")):
            mine, theirs = getattr(screened, frame), getattr(one_stage, frame)
            names = [c for c in mine if c not in ("p_adjusted", "p_value", "n_permutations",
                                                  "confidence_in_a", "confidence_in_b")]
            pd.testing.assert_frame_equal(mine[names].sort_values(names, ignore_index=True),
                                          theirs[names].sort_values(names, ignore_index=True))
            assert list(mine[column]) == list(theirs[column])
    planted = compare_protocols(planted_study(), k=[1, 4, 24], n_resamples=20, seed=1)
    assert planted.flips["resolved"].any() and planted.violations["violation"].any()


def test_screen_stops_a_clearly_null_pair_at_the_screen_count():
    """SGD and Momentum from one bowl, Adam far better: SGD/Momentum keeps the screen's 199
    permutations on every side (n_permutations columns, also in the violations table), the
    pairs with Adam get the full count on the sides a decision uses; the one-sided side no
    decision uses stays at 199."""
    same = Bowl(floor=0.1)
    bowls = {("w", "p", "sgd"): same, ("w", "p", "momentum"): same,
             ("w", "p", "adam"): Bowl(floor=0.03)}
    study = synthetic_study(workloads=("w",), protocols=("p",), optimizers=OPTIMIZERS,
                            n_trials=24, n_steps=2, bowls=bowls, seed=5)
    result = compare_protocols(study, k=[1, 4, 24], n_resamples=20, seed=0)
    pairs = result.pairs.drop_duplicates(["a", "b"]).set_index(["a", "b"])
    counts = ["n_permutations", "n_permutations_a", "n_permutations_b"]
    assert pairs.loc[("momentum", "sgd"), counts].tolist() == [199, 199, 199]
    assert (result.pairs.loc[result.pairs["a"].eq("momentum") & result.pairs["b"].eq("sgd"),
                             "p_value"] > 0.1).all()
    # adam better: two-sided refined; "a = adam better" is no inclusion side (adam includes
    # both), "b better" (the included optimizer better) is refined only if near alpha
    assert pairs.loc[("adam", "momentum"), "n_permutations"] == 1999
    assert pairs.loc[("adam", "sgd"), "n_permutations"] == 1999
    assert pairs.loc[("adam", "momentum"), "n_permutations_a"] == 199
    checks = result.violations.drop_duplicates(["included", "including"]).set_index(
        ["included", "including"])
    assert checks.loc[("sgd", "momentum"), "n_permutations"] == 199
    assert not result.violations["violation"].any()
    assert result.pairs.loc[result.pairs["a"].eq("adam"), "order"].eq("<").all()
    with pytest.raises(ParameterError, match="`n_screen` must be a non-negative integer"):
        compare_protocols(study, n_screen=-3, seed=0)


@pytest.mark.slow
def test_screened_family_makes_the_one_stage_decisions_on_the_bundled_study():
    """data/study (60 pairs, 4,800 permutations one-stage): the same orders, flips and
    violations, every stopped side far from alpha in the one-stage result."""
    from pathlib import Path

    from tunestats import load_study

    study = load_study(Path(__file__).resolve().parents[2] / "data" / "study")
    screened = compare_protocols(study, seed=0)
    one_stage = compare_protocols(study, seed=0, n_screen=0)
    counts = one_stage_decisions_hold(study, screened, one_stage)
    assert counts["stopped"] > counts["refined"]
    keys = ["workload", "protocol", "k", "a", "b"]
    assert (screened.pairs.sort_values(keys)["order"].tolist()
            == one_stage.pairs.sort_values(keys)["order"].tolist())
    assert screened.flips["resolved"].tolist() == one_stage.flips["resolved"].tolist()
    assert (screened.violations.sort_values(["workload", "protocol", "k", "included"])[
        "violation"].tolist() == one_stage.violations.sort_values(
        ["workload", "protocol", "k", "included"])["violation"].tolist())
