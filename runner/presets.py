"""The shipped tuning protocols: ``paper``, ``lr-only`` and ``lr-grid``.

Each preset maps an optimizer to its search space in the config-file form
(``params``, ``fixed``, ``derived``; see :mod:`tunestats.runner.config`).

``paper`` (Choi et al. 2019)
    Every optimizer hyperparameter tuned over a wide range, plus a linear
    learning-rate decay (its length factor and final fraction). Momentum-like
    parameters are searched as 1 − x on a log scale (``reverse_log``). Adam
    and NAdam sample ε and α/ε (``lr_over_epsilon``; the learning rate is
    derived as their product), which reaches the large-ε regime where they
    act like Momentum and Nesterov.
``lr-only`` (Wilson et al. 2017)
    The initial learning rate and the final fraction of a linear decay
    tuned; every other hyperparameter at its common default (momentum 0.9;
    RMSProp ρ = 0.9, no momentum, ε = 1e-10; Adam β₁ = 0.9, β₂ = 0.999,
    ε = 1e-8).
``lr-grid`` (Schneider et al. 2019, DeepOBS)
    The learning rate on a fixed grid of 36 values spaced evenly in log
    between 1e-5 and 1e2, constant schedule, everything else at the defaults
    of ``lr-only``; trial *i* takes grid value *i*.

References
----------
.. [1] D. Choi et al., "On Empirical Comparisons of Optimizers for Deep
   Learning", 2019, arXiv:1910.05446.
.. [2] A. C. Wilson et al., "The Marginal Value of Adaptive Gradient Methods
   in Machine Learning", NeurIPS 2017.
.. [3] F. Schneider, L. Balles, P. Hennig, "DeepOBS: A Deep Learning
   Optimizer Benchmark Suite", ICLR 2019.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from .optimizers import OPTIMIZERS

__all__ = ["PRESETS"]


def _log(low: float, high: float) -> dict[str, Any]:
    return {"scale": "log", "low": low, "high": high}


def _reverse_log(low: float, high: float) -> dict[str, Any]:
    return {"scale": "reverse_log", "low": low, "high": high}


_DECAY = {"decay_steps_factor": {"scale": "linear", "low": 0.5, "high": 1.0},
          "final_lr_fraction": _log(1e-3, 0.1)}
_MOMENTUM = _reverse_log(0.5, 0.999)
_ADAM = {"params": {"lr_over_epsilon": _log(1e-1, 1e3), "epsilon": _log(1e-6, 10.0),
                    "beta1": _MOMENTUM, "beta2": _reverse_log(0.9, 0.9999), **_DECAY},
         "fixed": {"schedule": "linear"},
         "derived": {"learning_rate": "lr_over_epsilon * epsilon"}}

_PAPER = {
    "sgd": {"params": {"learning_rate": _log(1e-3, 10.0), **_DECAY}, "fixed": {"schedule": "linear"}},
    "momentum": {"params": {"learning_rate": _log(1e-4, 1.0), "momentum": _MOMENTUM, **_DECAY},
                 "fixed": {"schedule": "linear"}},
    "rmsprop": {"params": {"learning_rate": _log(1e-5, 0.1), "momentum": _MOMENTUM,
                           "rho": _reverse_log(0.5, 0.999), "epsilon": _log(1e-10, 1.0),
                           **_DECAY},
                "fixed": {"schedule": "linear"}},
    "adam": _ADAM,
}
_PAPER["nesterov"] = _PAPER["momentum"]
_PAPER["nadam"] = _ADAM

#: Common defaults of the hyperparameters that the narrow protocols do not tune.
_DEFAULTS = [(name, dict(spec.defaults)) for name, spec in OPTIMIZERS.items()]

_LR_ONLY = {
    name: {"params": {"learning_rate": _log(1e-5, 10.0), "final_lr_fraction": _log(1e-3, 1.0)},
           "fixed": {"schedule": "linear", **defaults}}
    for name, defaults in _DEFAULTS
}

_GRID = [float(f"{v:.6g}") for v in np.logspace(-5, 2, 36)]
_LR_GRID = {
    name: {"params": {"learning_rate": {"scale": "choice", "choices": _GRID}},
           "fixed": {"schedule": "constant", **defaults}, "sampler": "grid"}
    for name, defaults in _DEFAULTS
}



def _frozen(value: Any) -> Any:
    """``value`` with every mapping read-only and every list a tuple, all the way down."""
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


#: The shipped protocols by name: optimizer → search space (config-file form).
#: Read-only all the way down, so that no caller can change a preset for the others.
PRESETS: Mapping[str, Mapping[str, Mapping[str, Any]]] = _frozen(
    {"paper": _PAPER, "lr-only": _LR_ONLY, "lr-grid": _LR_GRID})
