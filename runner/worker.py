"""The worker's side of a study: run one planned trial and return its record.

A local worker process also watches its parent (:func:`die_with_parent`): when
the parent dies, even by ``kill -9``, the worker exits instead of computing
trials nobody will record.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import signal
import sys
import threading
import time
from typing import Any

import torch

from .config import TrialSpec, build_workload
from .trial import run_trial

__all__ = ["die_with_parent", "run_trial_spec"]


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


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, poll_s: float = 0.5) -> None:
    """Make this process exit when the process ``parent`` dies.

    On Linux the kernel kills it at once (``prctl(PR_SET_PDEATHSIG,
    SIGKILL)``); everywhere a daemon thread checks every ``poll_s`` seconds
    whether the parent is still its parent and exits when it is not.

    Parameters
    ----------
    parent : int
        The pid of the process that started this one.
    poll_s : float, default 0.5
        Seconds between the thread's checks.
    """
    if sys.platform == "linux":
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the thread remains
            pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(poll_s)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
