"""Learning-rate schedules: constant, linear decay and cosine, with optional warm-up.

A schedule is a multiplier s(t) of the initial learning rate: at step t
(counted from 0, the update about to be made) the optimizer uses
``lr * s(t)``. With a warm-up of W steps out of a budget of T, s rises
linearly, ``s(t) = (t + 1) / W`` for t < W, and the decay then runs over the
remaining ``T − W`` steps with its clock restarted at W. The decay lasts
``D = decay_steps_factor · (T − W)`` steps and ends at ``final_lr_fraction``,
where it stays (the paper's linear decay tunes both numbers):

``constant``
    s = 1;
``linear``
    s(τ) = 1 − (1 − f) · min(τ, D) / D;
``cosine``
    s(τ) = f + (1 − f) · (1 + cos(π · min(τ, D) / D)) / 2;

with τ = t − W and f the final fraction.

References
----------
.. [1] D. Choi et al., "On Empirical Comparisons of Optimizers for Deep
   Learning", 2019, arXiv:1910.05446, Appendix D (linear decay schedule).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from tunestats.checks import check_choice, check_positive_int, check_real

__all__ = ["SCHEDULES", "SCHEDULE_HYPERPARAMETERS", "Schedule"]

SCHEDULES = ("constant", "linear", "cosine")

#: Hyperparameter names that describe a schedule, with their defaults.
SCHEDULE_HYPERPARAMETERS: dict[str, Any] = {
    "schedule": "constant",
    "decay_steps_factor": 1.0,
    "final_lr_fraction": 0.0,
    "warmup_fraction": 0.0,
}


@dataclass(frozen=True)
class Schedule:
    """A learning-rate multiplier over a fixed step budget.

    Parameters
    ----------
    kind : {"constant", "linear", "cosine"}
        The decay's shape.
    decay_steps_factor : float, default 1
        Length of the decay as a fraction (> 0, may exceed 1) of the steps
        after warm-up.
    final_lr_fraction : float, default 0
        The multiplier reached at the end of the decay, in [0, 1].
    warmup_fraction : float, default 0
        Fraction of the budget, in [0, 1), spent in linear warm-up.
    """

    kind: str = "constant"
    decay_steps_factor: float = 1.0
    final_lr_fraction: float = 0.0
    warmup_fraction: float = 0.0

    def __post_init__(self) -> None:
        check_choice("schedule", self.kind, SCHEDULES)
        object.__setattr__(self, "decay_steps_factor", check_real(
            "decay_steps_factor", self.decay_steps_factor, low=0.0, low_open=True))
        object.__setattr__(self, "final_lr_fraction", check_real(
            "final_lr_fraction", self.final_lr_fraction, low=0.0, high=1.0))
        object.__setattr__(self, "warmup_fraction", check_real(
            "warmup_fraction", self.warmup_fraction, low=0.0, high=1.0, high_open=True))

    @classmethod
    def from_hp(cls, hp: Mapping[str, Any]) -> Schedule:
        """The schedule described by a trial's hyperparameters.

        Reads the keys of :data:`SCHEDULE_HYPERPARAMETERS` (``schedule`` is
        the kind), each defaulting as listed there.
        """
        values = {key: hp.get(key, default) for key, default in SCHEDULE_HYPERPARAMETERS.items()}
        return cls(values.pop("schedule"), **values)

    def factors(self, total_steps: int) -> np.ndarray:
        """The multiplier s(t) for t = 0 … ``total_steps`` − 1.

        Parameters
        ----------
        total_steps : int
            The step budget T.

        Returns
        -------
        numpy.ndarray
            Shape ``(total_steps,)``, float64.
        """
        total_steps = check_positive_int("total_steps", total_steps)
        t = np.arange(total_steps, dtype=float)
        warmup = round(self.warmup_fraction * total_steps)
        tau = t - warmup
        decay = max(self.decay_steps_factor * (total_steps - warmup), 1.0)
        progress = np.clip(tau, 0.0, decay) / decay
        f = self.final_lr_fraction
        if self.kind == "linear":
            out = 1.0 - (1.0 - f) * progress
        elif self.kind == "cosine":
            out = f + (1.0 - f) * 0.5 * (1.0 + np.cos(np.pi * progress))
        else:
            out = np.ones_like(t)
        if warmup:
            out = np.where(t < warmup, (t + 1.0) / warmup, out)
        return out
