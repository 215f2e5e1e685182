"""The trial loop: train one model with one optimizer and record its curve.

A trial trains for a fixed budget of steps. Every ``eval_every`` steps (and at
steps 0 and the last) it evaluates every metric of the workload and the wall
time. It stops early with status ``diverged`` when a minibatch loss or the
training loss is NaN or infinite or exceeds the divergence threshold, keeping
the curve so far; an exception ends it with status ``failed`` and the
exception's message. Model initialisation and minibatch order come from
``seed`` alone (torch's global generator is forked, so the caller's state is
untouched), so rerunning a trial on the same machine and device reproduces its
curve.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from tunestats.checks import check_choice, check_positive_int, check_real

from .optimizers import make_optimizer
from .schedules import Schedule
from .workloads import Workload

__all__ = ["TrialResult", "divergence_threshold", "resolve_device", "run_trial"]

@dataclass(frozen=True)
class TrialResult:
    """What one trial produced.

    Attributes
    ----------
    status : {"completed", "diverged", "failed"}
        How the trial ended.
    final : dict
        Metric name to its value at the last step; NaN for every metric when
        the trial diverged or failed.
    curve : dict
        ``step`` (ints, strictly increasing), ``time_s`` (wall time since the
        trial started) and one list per metric, all of one length: one entry
        per evaluation.
    duration_s : float
        Wall time of the whole trial.
    message : str
        Why the trial diverged or failed; empty when it completed.
    steps_done : int
        Training steps taken.
    """

    status: str
    final: dict[str, float]
    curve: dict[str, list[Any]]
    duration_s: float
    message: str = ""
    steps_done: int = 0


def resolve_device(device: str) -> torch.device:
    """``"cpu"``, ``"cuda"`` or ``"auto"`` (CUDA when available, else CPU) as a device.

    Parameters
    ----------
    device : {"cpu", "cuda", "auto"}
        The config's device.

    Returns
    -------
    torch.device
    """
    check_choice("device", device, ("cpu", "cuda", "auto"))
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(device)


def run_trial(workload: Workload, optimizer: str, hp: Mapping[str, Any], *, steps: int,
              eval_every: int, seed: int, device: str = "cpu",
              divergence_factor: float = 10.0, fail_fast: bool = False) -> TrialResult:
    """Train ``workload``'s model with ``optimizer`` for ``steps`` steps.

    Parameters
    ----------
    workload : Workload
        Model, data and metrics.
    optimizer : str
        A name of :data:`~tunestats.runner.optimizers.OPTIMIZERS`.
    hp : mapping
        The optimizer's hyperparameters (``learning_rate`` and the others it takes,
        optionally ``weight_decay``) and the schedule's (see
        :class:`~tunestats.runner.schedules.Schedule`).
    steps : int
        The step budget.
    eval_every : int
        Steps between evaluations.
    seed : int
        Seeds model initialisation and minibatch order.
    device : {"cpu", "cuda", "auto"}, default "cpu"
        Where to train; ``auto`` takes CUDA when it is present.
    divergence_factor : float, default 10
        The trial diverges when a minibatch loss, or the training loss of an
        evaluation, is NaN or infinite or exceeds the threshold
        :math:`ℓ_0 + (f − 1) |ℓ_0|` with :math:`ℓ_0` the first minibatch's loss
        and f this factor (:math:`f ℓ_0` for a positive first loss; a loss
        that can be negative, such as a negative log-likelihood, gets a
        threshold above it as well; a first loss of 0 uses :math:`f − 1`).
    fail_fast : bool, default False
        Raise an exception of the trial instead of returning status ``failed``.

    Returns
    -------
    TrialResult
    """
    steps = check_positive_int("steps", steps)
    eval_every = check_positive_int("eval_every", eval_every)
    divergence_factor = check_real("divergence_factor", divergence_factor, low=1.0)
    target = resolve_device(device)
    names = [metric.name for metric in workload.metrics]
    curve: dict[str, list[Any]] = {"step": [], "time_s": [], **{name: [] for name in names}}
    start = time.perf_counter()
    nan_final = {name: math.nan for name in names}
    done = 0
    forked = [target.index or 0] if target.type == "cuda" else []
    try:
        with torch.random.fork_rng(devices=forked, device_type=target.type):
            torch.manual_seed(seed)
            model = workload.model().to(target)
            opt = make_optimizer(optimizer, model.parameters(), hp)
            lrs = (hp["learning_rate"] * Schedule.from_hp(hp).factors(steps)).tolist()
            inputs, targets = (t.to(target) for t in workload.data.train)
            batches = _batches(len(inputs), workload.batch_size, seed)

            def evaluate(step: int) -> float:
                values = workload.evaluate(model, target)
                curve["step"].append(step)
                curve["time_s"].append(time.perf_counter() - start)
                for name in names:
                    curve[name].append(values[name])
                return values.get("train_loss", 0.0)

            evaluate(0)
            threshold = math.inf
            model.train()
            for step in range(steps):
                for group in opt.param_groups:
                    group["lr"] = lrs[step]
                index = next(batches).to(target)
                loss = workload.loss(model(inputs[index]), targets[index])
                value = loss.item()
                if step == 0:
                    threshold = divergence_threshold(value, divergence_factor)
                if not value < threshold:  # NaN, inf or too large
                    return TrialResult("diverged", nan_final, curve, time.perf_counter() - start,
                                       f"minibatch loss {value:.4g} at step {step} (threshold "
                                       f"{threshold:.4g})", done)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                done = step + 1
                if done % eval_every == 0 or done == steps:
                    train_loss = evaluate(done)
                    if not train_loss < threshold:
                        return TrialResult(
                            "diverged", nan_final, curve, time.perf_counter() - start,
                            f"training loss {train_loss:.4g} at step {done} (threshold "
                            f"{threshold:.4g})", done)
    except Exception as exc:  # a failing trial is recorded, not raised (unless fail_fast)
        if fail_fast:
            raise
        return TrialResult("failed", nan_final, curve, time.perf_counter() - start,
                           f"{type(exc).__name__}: {exc}", done)
    final = {name: curve[name][-1] for name in names}
    return TrialResult("completed", final, curve, time.perf_counter() - start, "", done)


def divergence_threshold(first_loss: float, factor: float) -> float:
    """The loss above which a trial diverges, from its first minibatch loss.

    Parameters
    ----------
    first_loss : float
        The loss of the first minibatch (NaN or infinite: every loss diverges).
    factor : float
        The divergence factor f ≥ 1.

    Returns
    -------
    float
        :math:`ℓ_0 + (f − 1) |ℓ_0|`, or :math:`f − 1` when :math:`ℓ_0 = 0`.

    Examples
    --------
    >>> divergence_threshold(2.3, 10.0)
    23.0
    >>> divergence_threshold(-2.0, 10.0)
    16.0
    """
    if not math.isfinite(first_loss):
        return -math.inf
    if first_loss > 0:
        return factor * first_loss  # the same bytes as ℓ₀ + (f − 1)|ℓ₀|
    scale = abs(first_loss) or 1.0
    return first_loss + (factor - 1.0) * scale


def _batches(n: int, batch_size: int, seed: int):
    """Endless minibatch indices: seeded random permutations of ``range(n)``,
    cut into batches (the last, incomplete batch of each pass is dropped)."""
    generator = torch.Generator().manual_seed(seed)
    size = min(batch_size, n)
    while True:
        order = torch.randperm(n, generator=generator)
        for start in range(0, n - size + 1, size):
            yield order[start:start + size]
