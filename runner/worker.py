"""The worker's side of a study: run one planned trial and return its record."""

from __future__ import annotations

import importlib
from typing import Any

import torch

from .config import TrialSpec, build_workload
from .trial import run_trial

__all__ = ["run_trial_spec"]


def run_trial_spec(spec: TrialSpec, threads: int = 1) -> dict[str, Any]:
    """Run one planned trial and return its record.

    Parameters
    ----------
    spec : TrialSpec
        The trial.
    threads : int, default 1
        torch's intra-op threads in this worker: one per worker keeps workers
        from competing for cores and makes results independent of the pool.

    Returns
    -------
    dict
        The trial record: its key, ``seed``, ``status``, ``hp``, ``final``,
        ``duration_s``, ``message`` (None unless it diverged or failed) and
        ``curve`` (see :mod:`tunestats.study.records`).
    """
    torch.set_num_threads(threads)
    for module in spec.imports:
        importlib.import_module(module)
    entry = spec.workload
    result = run_trial(build_workload(entry), spec.key[2], spec.hp, steps=entry.steps,
                       eval_every=entry.eval_every, seed=spec.seed, device=spec.device,
                       fail_fast=spec.fail_fast)
    workload, protocol, optimizer, repeat, trial = spec.key
    return {"workload": workload, "protocol": protocol, "optimizer": optimizer,
            "repeat": repeat, "trial": trial, "seed": spec.seed, "status": result.status,
            "hp": dict(spec.hp), "final": result.final, "duration_s": result.duration_s,
            "message": result.message or None, "curve": result.curve}


