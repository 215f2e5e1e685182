"""Timing helpers shared by the benchmark scripts (``benchmarks/bench_*.py``).

The scripts run as ``python benchmarks/bench_x.py``, which puts this folder on
``sys.path``, so they import this module as ``_timing``.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable

__all__ = ["best_time", "best_times", "cpu_time", "verdict"]


def cpu_time() -> float:
    """CPU seconds (user + system) of this process and of its finished child processes
    (the workers of a parallel render): the work done, whatever the number of cores."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def best_time(function: Callable[[], object], repeats: int) -> float:
    """Shortest wall-clock time of ``repeats`` calls of ``function``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def best_times(function: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Shortest wall-clock and shortest CPU time (:func:`cpu_time`: this process and the
    worker processes it waited for) of ``repeats`` calls of ``function``, in seconds. On
    a machine shared with other jobs the CPU time is the steadier of the two."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), cpu_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu_time() - cpu)
    return min(walls), min(cpus)


def verdict(ratio: float, limit: float) -> str:
    """``"(target <= limit: met)"`` or ``"... NOT met)"`` for a time ratio that must not exceed ``limit``."""
    return f"(target <= {limit:g}: {'met' if ratio <= limit else 'NOT met'})"
