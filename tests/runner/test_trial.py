"""The trial loop: curves, reproducibility, divergence and failure."""

import math
from itertools import pairwise

import pytest
import torch

from tunestats.errors import ParameterError
from tunestats.runner import make_workload, run_trial
from tunestats.runner.optimizers import make_optimizer
from tunestats.runner.trial import divergence_threshold, resolve_device
from tunestats.runner.workloads import Workload

MOMENTUM = {"learning_rate": 0.05, "momentum": 0.9}


@pytest.fixture(scope="module")
def digits():
    return make_workload("digits_mlp", hidden=32)


def test_curve_layout_and_completion(digits):
    result = run_trial(digits, "momentum", MOMENTUM, steps=50, eval_every=20, seed=0)
    assert result.status == "completed" and result.message == "" and result.steps_done == 50
    assert result.curve["step"] == [0, 20, 40, 50]
    lengths = {len(values) for values in result.curve.values()}
    assert lengths == {4}
    times = result.curve["time_s"]
    assert all(a <= b for a, b in pairwise(times)) and times[-1] <= result.duration_s
    assert result.final == {name: result.curve[name][-1] for name in result.final}
    assert result.final["train_loss"] < result.curve["train_loss"][0]  # it learned


def test_same_seed_same_curve_other_seed_other_curve(digits):
    hp = {**MOMENTUM, "schedule": "linear", "warmup_fraction": 0.1}
    a = run_trial(digits, "momentum", hp, steps=40, eval_every=10, seed=3)
    b = run_trial(digits, "momentum", hp, steps=40, eval_every=10, seed=3)
    c = run_trial(digits, "momentum", hp, steps=40, eval_every=10, seed=4)
    metrics = [m.name for m in digits.metrics]
    assert [a.curve[m] for m in metrics] == [b.curve[m] for m in metrics]
    assert a.curve["train_loss"] != c.curve["train_loss"]


def test_trial_leaves_the_global_generator_alone(digits):
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    run_trial(digits, "sgd", {"learning_rate": 0.1}, steps=5, eval_every=5, seed=0)
    assert torch.equal(torch.rand(1), expected)


def test_divergence_stops_early_and_keeps_the_curve(digits):
    result = run_trial(digits, "sgd", {"learning_rate": 1e4}, steps=100, eval_every=1, seed=0)
    assert result.status == "diverged" and result.steps_done < 100
    assert "threshold" in result.message
    assert result.curve["step"][0] == 0 and len(result.curve["step"]) >= 1
    assert all(math.isnan(v) for v in result.final.values())


def test_exception_is_a_failed_trial_with_its_message(digits):
    def broken():
        raise RuntimeError("out of cheese")

    w = Workload(digits.data, broken)
    result = run_trial(w, "sgd", {"learning_rate": 0.1}, steps=10, eval_every=5, seed=0)
    assert result.status == "failed" and result.message == "RuntimeError: out of cheese"
    assert result.curve["step"] == []


def test_bad_arguments(digits):
    with pytest.raises(ParameterError, match="`steps`"):
        run_trial(digits, "sgd", {"learning_rate": 0.1}, steps=0, eval_every=5, seed=0)
    with pytest.raises(ParameterError, match="`device`"):
        resolve_device("tpu")
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_trial_runs_and_reproduces(digits):
    a = run_trial(digits, "adam", {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
                  steps=30, eval_every=10, seed=0, device="cuda")
    assert a.status == "completed"
    b = run_trial(digits, "adam", {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
                  steps=30, eval_every=10, seed=0, device="cuda")
    assert a.curve["train_loss"] == pytest.approx(b.curve["train_loss"], rel=1e-5)


def test_fail_fast_raises_the_workloads_own_exception(digits):
    def broken():
        raise RuntimeError("out of cheese")

    w = Workload(digits.data, broken)
    with pytest.raises(RuntimeError, match="out of cheese"):
        run_trial(w, "sgd", {"learning_rate": 0.1}, steps=10, eval_every=5, seed=0,
                  fail_fast=True)


def test_divergence_threshold_closed_form():
    # positive first loss: f·ℓ₀ exactly (the old rule); otherwise ℓ₀ + (f − 1)|ℓ₀|
    assert divergence_threshold(2.5, 10.0) == 25.0
    assert divergence_threshold(-3.0, 10.0) == -3.0 + 9.0 * 3.0
    assert divergence_threshold(0.0, 4.0) == 3.0
    assert divergence_threshold(math.nan, 10.0) == -math.inf


def test_negative_loss_trains_and_a_blow_up_still_diverges(digits):
    # a loss shifted below zero (as a log-likelihood can be): the old threshold
    # 10·ℓ₀ < ℓ₀ made every such trial diverge at its first step
    def shifted(output, target):
        return torch.nn.functional.cross_entropy(output, target) - 10.0

    w = Workload(digits.data, digits.model, loss=shifted)
    calm = run_trial(w, "momentum", MOMENTUM, steps=20, eval_every=10, seed=0)
    assert calm.status == "completed" and calm.steps_done == 20
    assert calm.final["train_loss"] < 0
    wild = run_trial(w, "sgd", {"learning_rate": 1e4}, steps=100, eval_every=1, seed=0)
    assert wild.status == "diverged" and wild.steps_done < 100


def test_sparse_gradients_are_refused_clearly():
    embedding = torch.nn.Embedding(10, 3, sparse=True)
    opt = make_optimizer("sgd", embedding.parameters(), {"learning_rate": 0.1})
    embedding(torch.tensor([1, 2])).sum().backward()
    with pytest.raises(ParameterError, match=r"SGD needs dense gradients; a parameter of "
                                             r"shape \(10, 3\) has a sparse one"):
        opt.step()
