"""Each optimizer against its Table-1 update computed by hand in numpy, and the
inclusion relations of Choi et al. (2019) checked numerically on a small model."""

import numpy as np
import pytest
import torch

from tunestats.errors import ParameterError
from tunestats.runner.optimizers import (
    OPTIMIZERS,
    SGD,
    Adam,
    Momentum,
    NAdam,
    Nesterov,
    RMSProp,
    make_optimizer,
)

STEPS = 6
rng = np.random.default_rng(0)
THETA0 = rng.normal(size=5)
GRADS = rng.normal(size=(STEPS, 5))


def torch_run(cls, weight_decay=0.0, **hp):
    """θ after each step, feeding the fixed gradients GRADS."""
    p = torch.nn.Parameter(torch.tensor(THETA0))
    opt = cls([p], **hp, weight_decay=weight_decay)
    out = []
    for g in GRADS:
        p.grad = torch.tensor(g)
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def hand_run(update, weight_decay=0.0):
    """The same with ``update(theta, g, t, state) -> theta`` written from Table 1."""
    theta, state, out = THETA0.copy(), {}, []
    for t, g in enumerate(GRADS, start=1):
        theta = update(theta, g + weight_decay * theta, t, state)
        out.append(theta.copy())
    return np.array(out)


def sgd(eta):
    def update(theta, g, t, s):
        return theta - eta * g
    return update


def momentum(eta, gamma, nesterov=False):
    def update(theta, g, t, s):
        s["v"] = gamma * s.get("v", 0.0) + g
        return theta - eta * (gamma * s["v"] + g if nesterov else s["v"])
    return update


def rmsprop(eta, gamma, rho, eps):
    def update(theta, g, t, s):
        s["v"] = rho * s.get("v", 1.0) + (1 - rho) * g**2
        s["m"] = gamma * s.get("m", 0.0) + eta * g / np.sqrt(s["v"] + eps)
        return theta - s["m"]
    return update


def adam(alpha, b1, b2, eps, nesterov=False):
    def update(theta, g, t, s):
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g**2
        num = b1 * s["m"] + (1 - b1) * g if nesterov else s["m"]
        return theta - alpha * np.sqrt(1 - b2**t) / (1 - b1**t) * num / (np.sqrt(s["v"]) + eps)
    return update


CASES = [
    (SGD, {"lr": 0.1}, sgd(0.1)),
    (Momentum, {"lr": 0.1, "momentum": 0.9}, momentum(0.1, 0.9)),
    (Nesterov, {"lr": 0.1, "momentum": 0.8}, momentum(0.1, 0.8, nesterov=True)),
    (RMSProp, {"lr": 0.01, "momentum": 0.7, "rho": 0.9, "epsilon": 1e-3},
     rmsprop(0.01, 0.7, 0.9, 1e-3)),
    (Adam, {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "epsilon": 0.5},
     adam(0.01, 0.9, 0.99, 0.5)),
    (NAdam, {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "epsilon": 0.5},
     adam(0.01, 0.9, 0.99, 0.5, nesterov=True)),
]


@pytest.mark.parametrize(("cls", "hp", "update"), CASES, ids=[c[0].__name__ for c in CASES])
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
def test_update_matches_table_1(cls, hp, update, weight_decay):
    np.testing.assert_allclose(torch_run(cls, weight_decay, **hp),
                               hand_run(update, weight_decay), rtol=1e-13, atol=1e-15)


def test_adam_first_step_by_hand():
    # t = 1: m = (1-β1)g, v = (1-β2)g², b_1 = √(1-β2)/(1-β1), so with ε = 0 the
    # step is α·sign(g) whatever β1 and β2: the textbook property of Adam.
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))
    p.grad = torch.tensor([0.3, -7.0], dtype=torch.float64)
    Adam([p], lr=0.1, beta1=0.9, beta2=0.999, epsilon=0.0).step()
    np.testing.assert_allclose(p.detach().numpy(), [0.9, -1.9], rtol=1e-14)


# -- inclusion relations, on the trajectory of a small model ----------------------

def trajectory(name, hp, steps, lr=None):
    """Flattened parameters after each full-batch step of a float64 MLP.

    ``lr(t)`` (t from 1) overrides the learning rate of step t.
    """
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(64, 4, generator=gen, dtype=torch.float64)
    y = (x[:, 0] * x[:, 1] > 0).long()
    with torch.random.fork_rng():
        torch.manual_seed(2)
        model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(),
                                    torch.nn.Linear(8, 2)).double()
    opt = make_optimizer(name, model.parameters(), hp)
    out = []
    for t in range(1, steps + 1):
        if lr is not None:
            opt.param_groups[0]["lr"] = lr(t)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        out.append(torch.cat([p.detach().flatten() for p in model.parameters()]).numpy())
    return np.array(out)


def test_momentum_with_zero_momentum_is_sgd():
    sgd_path = trajectory("sgd", {"learning_rate": 0.3}, 100)
    np.testing.assert_array_equal(
        trajectory("momentum", {"learning_rate": 0.3, "momentum": 0.0}, 100), sgd_path)


def test_nesterov_with_zero_momentum_is_sgd():
    sgd_path = trajectory("sgd", {"learning_rate": 0.3}, 100)
    np.testing.assert_array_equal(
        trajectory("nesterov", {"learning_rate": 0.3, "momentum": 0.0}, 100), sgd_path)


def test_rmsprop_with_rho_one_and_no_epsilon_is_momentum():
    # ρ = 1 keeps v at v₀ = 1, so m = γm + η∇ℓ = η·(Momentum's v): equal up to rounding.
    rms = trajectory("rmsprop", {"learning_rate": 0.1, "momentum": 0.9, "rho": 1.0,
                                 "epsilon": 0.0}, 200)
    mom = trajectory("momentum", {"learning_rate": 0.1, "momentum": 0.9}, 200)
    np.testing.assert_allclose(rms, mom, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("adaptive", "momentum_kind"), [("adam", "momentum"),
                                                         ("nadam", "nesterov")])
def test_adam_with_huge_epsilon_tracks_momentum(adaptive, momentum_kind):
    # With ε ≫ √v, Adam's step is (α/ε)·b_t·m with m = (1-β1)·(Momentum's v) and
    # b_t = √(1-β2^t)/(1-β1^t); so α = ε·η/(1-β1) gives Momentum(η, γ = β1) with the
    # learning rate η·b_t (b_t → 1 as t grows: after the bias correction fades,
    # constant-rate Momentum). NAdam's numerator β1·m + (1-β1)∇ℓ = (1-β1)(γv + ∇ℓ)
    # makes it Nesterov likewise. The neglected √v/ε is ≤ 1e-9 here, so after 300
    # steps the trajectories agree to ~1e-8 relative; we assert 1e-6.
    eta, beta1, beta2, eps, steps = 0.2, 0.9, 0.99, 1e8, 300
    ad = trajectory(adaptive, {"learning_rate": eps * eta / (1 - beta1), "beta1": beta1,
                               "beta2": beta2, "epsilon": eps}, steps)
    mom = trajectory(momentum_kind, {"learning_rate": eta, "momentum": beta1}, steps,
                     lr=lambda t: eta * np.sqrt(1 - beta2**t) / (1 - beta1**t))
    assert np.abs(ad - mom).max() > 0  # not trivially identical: ε really is finite
    np.testing.assert_allclose(ad, mom, rtol=1e-6, atol=1e-8)
    # and the model really moved, so the agreement is not vacuous
    assert np.abs(mom[-1] - mom[0]).max() > 0.1


def test_registry_and_errors():
    assert set(OPTIMIZERS) == {"sgd", "momentum", "nesterov", "rmsprop", "adam", "nadam"}
    p = [torch.nn.Parameter(torch.zeros(2))]
    with pytest.raises(ParameterError, match="`optimizer` must be one of"):
        make_optimizer("adagrad", p, {"learning_rate": 0.1})
    with pytest.raises(ParameterError, match="needs hyperparameter"):
        make_optimizer("adam", p, {"learning_rate": 0.1})
    with pytest.raises(ParameterError, match="`momentum` must be a finite number in"):
        Momentum(p, lr=0.1, momentum=1.0)
    with pytest.raises(ParameterError, match="`lr`"):
        SGD(p, lr=-1.0)


def test_one_registry_and_the_one_inclusion_graph_agree():
    from tunestats.analysis import DEFAULT_EDGES

    # the graph names exactly the registry's optimizers; each inclusion holds in the
    # registry's terms: the including optimizer takes every hyperparameter name it needs
    # or reaches it (Adam's β₁ plays momentum's γ), so it is no smaller an update rule
    nodes = {name for edge in DEFAULT_EDGES for name in edge}
    assert nodes == set(OPTIMIZERS)
    for spec in OPTIMIZERS.values():
        assert spec.hyperparameters[0] == "learning_rate"
        assert set(spec.defaults) == set(spec.hyperparameters) - {"learning_rate"}
        with pytest.raises(TypeError):
            spec.defaults["momentum"] = 0.5  # read-only


def test_the_runner_uses_no_private_tunestats_module():
    import ast
    from pathlib import Path

    import tunestats.runner as runner

    for path in Path(runner.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.ImportFrom) and node.level == 0
                    and (node.module or "").startswith("tunestats")):
                parts = node.module.split(".")
                assert not any(p.startswith("_") for p in parts), f"{path}: {node.module}"
