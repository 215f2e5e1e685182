"""Worker processes: a parallel map over forked processes (:func:`fork_map`) whose workers
die with their parent (:func:`die_with_parent`)."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from ._checks import check_positive_int
from .errors import TunestatsError

__all__ = ["can_fork", "die_with_parent", "fork_map", "worker_count"]

_T = TypeVar("_T")
_R = TypeVar("_R")

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


def can_fork() -> bool:
    """Whether :func:`fork_map` can run tasks in parallel here: on Linux, where a forked
    process starts with its parent's memory (macOS's system libraries are not safe to
    use after a fork, and Windows has none)."""
    return sys.platform == "linux"


def worker_count(jobs: int | None, tasks: int) -> int:
    """The processes :func:`fork_map` uses for ``tasks`` tasks: ``jobs`` (default: one
    per core), at most one per task, and 1 where :func:`can_fork` is false.

    Parameters
    ----------
    jobs : int or None
        Processes asked for; ``None`` for one per core.
    tasks : int
        Number of tasks.

    Returns
    -------
    int
    """
    if jobs is not None:
        jobs = check_positive_int("jobs", jobs)
    wanted = (os.cpu_count() or 1) if jobs is None else jobs
    return max(1, min(wanted, tasks)) if can_fork() else 1


_lock = threading.Lock()
_task: Callable[[int], Any] | None = None
_in_worker = False


def _call(index: int) -> Any:
    global _in_worker
    _in_worker = True  # a fork_map inside a task runs serially (the lock is the parent's)
    assert _task is not None  # set before the workers were forked
    return _task(index)


def fork_map(task: Callable[[_T], _R], items: Sequence[_T], *,
             jobs: int | None = None) -> list[_R]:
    """``[task(item) for item in items]``, the items shared out over forked processes.

    Parameters
    ----------
    task : callable
        Called once per item. A worker starts as a copy of this process (a fork),
        so ``task`` may be any callable, a closure over large objects included;
        its results are pickled back. What it changes in its process's memory
        stays there.
    items : sequence
        Handed to the workers in this order, each to the first free worker:
        put the costly ones first to balance the load.
    jobs : int, optional
        Processes (default: one per core); see :func:`worker_count`. With one,
        where :func:`can_fork` is false, or inside a task of another
        ``fork_map``, the tasks run here, one after the other.

    Returns
    -------
    list
        The results, in the order of ``items``.

    Raises
    ------
    TunestatsError
        When a worker died (killed, or out of memory) before its task finished.
        An exception a task raises is raised here.

    Notes
    -----
    The workers die with this process (:func:`die_with_parent`), so that a
    ``kill -9`` leaves nothing computing.
    """
    global _task
    workers = worker_count(jobs, len(items))
    if workers == 1 or _in_worker:
        return [task(item) for item in items]
    with _lock:  # one fork_map at a time sets the task the workers run
        _task = lambda index: task(items[index])  # noqa: E731 - inherited by the fork
        # the objects made so far out of the collector's sight while the workers are
        # forked: a worker's full collections skip them (they live as long as it does;
        # a third less collecting in a report's workers), and the memory pages they lie
        # on stay shared instead of being copied when the collector touches them (left
        # frozen afterwards only when the caller had frozen objects of its own)
        thawed = gc.get_freeze_count() == 0
        gc.freeze()
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                     initializer=die_with_parent,
                                     initargs=(os.getpid(),)) as pool:
                futures = [pool.submit(_call, index) for index in range(len(items))]
                return [future.result() for future in futures]
        except BrokenProcessPool as exc:
            raise TunestatsError(f"a worker process died before its task finished ({exc}); "
                                 "rerun with one process (--jobs 1) to see why") from None
        finally:
            if thawed:
                gc.unfreeze()
            _task = None
