"""The six optimizers of Choi et al. (2019), with the update rules of their Table 1.

Every optimizer is a :class:`torch.optim.Optimizer` whose parameter groups hold
the hyperparameters under the paper's names (``lr`` is η for SGD, Momentum,
Nesterov and RMSProp and α for Adam and NAdam; a trial's hyperparameters call
it ``learning_rate``, see :func:`make_optimizer`). A learning-rate schedule
changes ``group["lr"]`` between steps; the update rules below read ``lr`` at
each step, so η may be read as η_t.

With ``weight_decay`` λ > 0 the gradient is replaced by ``g + λθ`` before the
update (L2 regularisation folded into the gradient, as in the paper's
workloads), for every optimizer alike.

References
----------
.. [1] D. Choi, C. J. Shallue, Z. Nado, J. Lee, C. J. Maddison, G. E. Dahl,
   "On Empirical Comparisons of Optimizers for Deep Learning", 2019,
   arXiv:1910.05446, Table 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import torch

from tunestats.checks import check_real
from tunestats.errors import ParameterError

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adam",
    "Momentum",
    "NAdam",
    "Nesterov",
    "OptimizerSpec",
    "RMSProp",
    "make_optimizer",
]


class _PaperOptimizer(torch.optim.Optimizer):
    """Shared machinery: argument checks, weight decay and the step loop.

    Subclasses define ``_update(p, grad, state, group)``, which changes ``p``
    in place from the (weight-decayed) gradient ``grad``.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, float]) -> None:
        checked = {}
        for name, value in defaults.items():
            kind = _RANGES[name]
            checked[name] = check_real(name, value, **kind)
        super().__init__(params, checked)

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Apply one update to every parameter that has a gradient.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model and returns the loss (as for any
            :class:`torch.optim.Optimizer`).

        Returns
        -------
        object
            The closure's loss, or None.
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                if grad.is_sparse:
                    raise ParameterError(
                        f"{type(self).__name__} needs dense gradients; a parameter of shape "
                        f"{tuple(p.shape)} has a sparse one (e.g. nn.Embedding(sparse=True)): "
                        "build the model with dense gradients.")
                if group["weight_decay"]:
                    grad = grad.add(p, alpha=group["weight_decay"])
                self._update(p, grad, self.state[p], group)
        return loss

    def _update(self, p: torch.Tensor, grad: torch.Tensor, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        raise NotImplementedError


# Allowed ranges of each hyperparameter (keyword arguments of check_real).
_RANGES: dict[str, dict[str, Any]] = {
    "lr": {"low": 0.0},
    "momentum": {"low": 0.0, "high": 1.0, "high_open": True},
    "rho": {"low": 0.0, "high": 1.0},
    "beta1": {"low": 0.0, "high": 1.0, "high_open": True},
    "beta2": {"low": 0.0, "high": 1.0, "high_open": True},
    "epsilon": {"low": 0.0},
    "weight_decay": {"low": 0.0},
}


class SGD(_PaperOptimizer):
    r"""Plain stochastic gradient descent, :math:`θ ← θ − η∇ℓ`.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimise.
    lr : float
        The learning rate η ≥ 0.
    weight_decay : float, default 0
        L2 coefficient λ; the gradient becomes ∇ℓ + λθ.
    """

    def __init__(self, params: Iterable[Any], lr: float, weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "weight_decay": weight_decay})

    def _update(self, p, grad, state, group):
        p.add_(grad, alpha=-group["lr"])


class Momentum(_PaperOptimizer):
    r"""Heavy-ball momentum: :math:`v ← γv + ∇ℓ;\ θ ← θ − ηv` with :math:`v_0 = 0`.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimise.
    lr : float
        The learning rate η ≥ 0.
    momentum : float
        γ in [0, 1).
    weight_decay : float, default 0
        L2 coefficient λ; the gradient becomes ∇ℓ + λθ.
    """

    nesterov = False

    def __init__(self, params: Iterable[Any], lr: float, momentum: float,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay})

    def _update(self, p, grad, state, group):
        v = _buffer(state, "v", p)
        v.mul_(group["momentum"]).add_(grad)
        step = torch.add(grad, v, alpha=group["momentum"]) if self.nesterov else v
        p.add_(step, alpha=-group["lr"])


class Nesterov(Momentum):
    r"""Nesterov momentum: :math:`v ← γv + ∇ℓ;\ θ ← θ − η(γv + ∇ℓ)` with :math:`v_0 = 0`.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimise.
    lr : float
        The learning rate η ≥ 0.
    momentum : float
        γ in [0, 1).
    weight_decay : float, default 0
        L2 coefficient λ; the gradient becomes ∇ℓ + λθ.
    """

    nesterov = True


class RMSProp(_PaperOptimizer):
    r"""RMSProp with momentum, as in the paper.

    .. math::

        v ← ρv + (1−ρ)∇ℓ^2;\quad m ← γm + η∇ℓ/\sqrt{v + ε};\quad θ ← θ − m,

    with :math:`v_0 = 1` and :math:`m_0 = 0`.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimise.
    lr : float
        The learning rate η ≥ 0.
    momentum : float
        γ in [0, 1).
    rho : float
        The decay ρ in [0, 1] of the squared-gradient average.
    epsilon : float
        ε ≥ 0, added under the square root.
    weight_decay : float, default 0
        L2 coefficient λ; the gradient becomes ∇ℓ + λθ.

    Notes
    -----
    With ρ = 1 and ε = 0, v stays 1 and m = ηv of :class:`Momentum` at a
    constant learning rate: RMSProp includes Momentum.
    """

    def __init__(self, params: Iterable[Any], lr: float, momentum: float, rho: float,
                 epsilon: float, weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "rho": rho,
                                  "epsilon": epsilon, "weight_decay": weight_decay})

    def _update(self, p, grad, state, group):
        if "v" not in state:
            state["v"] = torch.ones_like(p, memory_format=torch.preserve_format)
        v = state["v"]
        m = _buffer(state, "m", p)
        v.mul_(group["rho"]).addcmul_(grad, grad, value=1.0 - group["rho"])
        m.mul_(group["momentum"]).addcdiv_(grad, v.add(group["epsilon"]).sqrt_(),
                                           value=group["lr"])
        p.sub_(m)


class Adam(_PaperOptimizer):
    r"""Adam with ε added before the bias correction, as in the paper.

    .. math::

        m ← β_1 m + (1−β_1)∇ℓ;\quad v ← β_2 v + (1−β_2)∇ℓ^2;\quad
        θ ← θ − α \frac{\sqrt{1−β_2^t}}{1−β_1^t} \frac{m}{\sqrt{v} + ε},

    with :math:`m_0 = v_0 = 0` and t the step count (from 1).

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimise.
    lr : float
        The learning rate α ≥ 0.
    beta1, beta2 : float
        β₁ and β₂ in [0, 1).
    epsilon : float
        ε ≥ 0.
    weight_decay : float, default 0
        L2 coefficient λ; the gradient becomes ∇ℓ + λθ.

    Notes
    -----
    With ε much larger than √v, the step is
    :math:`(α/ε)\,b_t\,(1−β_1)\sum_s β_1^{t−s}∇ℓ_s`, which is the step of
    :class:`Momentum` with γ = β₁ and learning rate
    :math:`η_t = b_t\,α(1−β_1)/ε`, where :math:`b_t = \sqrt{1−β_2^t}/(1−β_1^t)`
    tends to 1: Adam includes Momentum (and so SGD).
    """

    nesterov = False

    def __init__(self, params: Iterable[Any], lr: float, beta1: float, beta2: float,
                 epsilon: float, weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "beta1": beta1, "beta2": beta2,
                                  "epsilon": epsilon, "weight_decay": weight_decay})

    def _update(self, p, grad, state, group):
        beta1, beta2 = group["beta1"], group["beta2"]
        state["t"] = t = state.get("t", 0) + 1
        m = _buffer(state, "m", p)
        v = _buffer(state, "v", p)
        m.mul_(beta1).add_(grad, alpha=1.0 - beta1)
        v.mul_(beta2).addcmul_(grad, grad, value=1.0 - beta2)
        numerator = m.mul(beta1).add_(grad, alpha=1.0 - beta1) if self.nesterov else m
        bias = math.sqrt(1.0 - beta2**t) / (1.0 - beta1**t)
        p.addcdiv_(numerator, v.sqrt().add_(group["epsilon"]), value=-group["lr"] * bias)


class NAdam(Adam):
    r"""NAdam: Adam with the Nesterov numerator :math:`β_1 m + (1−β_1)∇ℓ`.

    .. math::

        θ ← θ − α \frac{\sqrt{1−β_2^t}}{1−β_1^t}
        \frac{β_1 m + (1−β_1)∇ℓ}{\sqrt{v} + ε},

    with m and v the updated moments of :class:`Adam`.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups to optimise.
    lr : float
        The learning rate α ≥ 0.
    beta1, beta2 : float
        β₁ and β₂ in [0, 1).
    epsilon : float
        ε ≥ 0.
    weight_decay : float, default 0
        L2 coefficient λ; the gradient becomes ∇ℓ + λθ.

    Notes
    -----
    With ε much larger than √v, NAdam is :class:`Nesterov` with γ = β₁ and
    learning rate :math:`b_t\,α(1−β_1)/ε` (see :class:`Adam`).
    """

    nesterov = True


def _buffer(state: dict[str, Any], name: str, p: torch.Tensor) -> torch.Tensor:
    """The zero-initialised state buffer ``name`` of parameter ``p``."""
    if name not in state:
        state[name] = torch.zeros_like(p, memory_format=torch.preserve_format)
    return state[name]


@dataclass(frozen=True)
class OptimizerSpec:
    """What the runner knows of one optimizer: its class and its hyperparameters.

    Attributes
    ----------
    cls : type
        The :class:`torch.optim.Optimizer` subclass.
    hyperparameters : tuple of str
        The hyperparameters a trial must give it (``weight_decay`` aside),
        ``learning_rate`` standing for the class's ``lr``.
    defaults : mapping of str to float
        Common defaults of the hyperparameters other than the learning rate,
        used by the narrow protocols (:mod:`tunestats.runner.presets`).
    """

    cls: type[_PaperOptimizer]
    hyperparameters: tuple[str, ...]
    defaults: Mapping[str, float]

    def __post_init__(self) -> None:
        object.__setattr__(self, "defaults", MappingProxyType(dict(self.defaults)))


#: The optimizers by name, as a study config names them: the one registry of the
#: runner. Which includes which is :data:`tunestats.analysis.DEFAULT_EDGES`, the one
#: inclusion graph (each including optimizer reaches every update of the included one,
#: see the classes' Notes).
OPTIMIZERS: Mapping[str, OptimizerSpec] = MappingProxyType({
    "sgd": OptimizerSpec(SGD, ("learning_rate",), {}),
    "momentum": OptimizerSpec(Momentum, ("learning_rate", "momentum"), {"momentum": 0.9}),
    "nesterov": OptimizerSpec(Nesterov, ("learning_rate", "momentum"), {"momentum": 0.9}),
    "rmsprop": OptimizerSpec(RMSProp, ("learning_rate", "momentum", "rho", "epsilon"),
                             {"momentum": 0.0, "rho": 0.9, "epsilon": 1e-10}),
    "adam": OptimizerSpec(Adam, ("learning_rate", "beta1", "beta2", "epsilon"),
                          {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}),
    "nadam": OptimizerSpec(NAdam, ("learning_rate", "beta1", "beta2", "epsilon"),
                           {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}),
})


def make_optimizer(name: str, params: Iterable[Any], hp: dict[str, Any]) -> _PaperOptimizer:
    """Build optimizer ``name`` from the hyperparameters it takes in ``hp``.

    Parameters
    ----------
    name : str
        One of :data:`OPTIMIZERS`.
    params : iterable
        The model's parameters.
    hp : dict
        Hyperparameters by name: ``learning_rate`` (the optimizer's ``lr``) and
        the other keyword arguments it takes (``weight_decay`` is optional);
        other keys are ignored.

    Returns
    -------
    torch.optim.Optimizer
    """
    spec = OPTIMIZERS.get(name)
    if spec is None:
        raise ParameterError(f"`optimizer` must be one of {', '.join(OPTIMIZERS)}; got {name!r}.")
    needed = spec.hyperparameters
    missing = [key for key in needed if key not in hp]
    if missing:
        raise ParameterError(f"optimizer {name!r} needs hyperparameter(s) {missing}; "
                             f"got {sorted(hp)}.")
    kwargs = {"lr" if key == "learning_rate" else key: hp[key] for key in needed}
    return spec.cls(params, **kwargs, weight_decay=hp.get("weight_decay", 0.0))
