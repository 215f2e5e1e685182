"""fork_map: the results of a serial map, in order, from forked workers that die with
their parent."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tunestats.errors import ParameterError, TunestatsError
from tunestats.processes import can_fork, fork_map, worker_count

needs_fork = pytest.mark.skipif(not can_fork(), reason="fork_map is serial on this platform")


@needs_fork
def test_results_are_the_serial_results_in_order_from_other_processes() -> None:
    big = list(range(10_000))  # a closure over a large object: inherited, never pickled
    items = [3, 1, 4, 1, 5, 9, 2, 6]
    out = fork_map(lambda x: (x * x + big[x], os.getpid()), items, jobs=2)
    assert [value for value, _ in out] == [x * x + x for x in items]
    pids = {pid for _, pid in out}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


@needs_fork
def test_workers_collect_without_the_parents_objects_and_the_parent_is_thawed() -> None:
    assert gc.get_freeze_count() == 0
    frozen = fork_map(lambda _: gc.get_freeze_count(), [0, 1], jobs=2)
    assert min(frozen) > 1000  # the modules, functions and data made before the fork
    assert gc.get_freeze_count() == 0
    gc.freeze()  # a caller's own frozen objects stay frozen
    try:
        before = gc.get_freeze_count()
        fork_map(lambda x: x, [0, 1], jobs=2)
        assert gc.get_freeze_count() >= before
    finally:
        gc.unfreeze()


def test_one_job_runs_here() -> None:
    assert fork_map(lambda x: (x + 1, os.getpid()), [1, 2], jobs=1) == [
        (2, os.getpid()), (3, os.getpid())]


@needs_fork
def test_an_exception_in_a_task_is_raised_here() -> None:
    def task(x: int) -> int:
        if x == 2:
            raise ParameterError(f"bad item {x}")
        return x

    with pytest.raises(ParameterError, match="bad item 2"):
        fork_map(task, [1, 2, 3], jobs=2)


@needs_fork
def test_a_worker_killed_mid_task_is_one_clear_error() -> None:
    def task(x: int) -> int:
        if x == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return x

    with pytest.raises(TunestatsError, match=r"worker process died.*--jobs 1"):
        fork_map(task, [0, 1, 2], jobs=2)


@needs_fork
def test_a_map_inside_a_task_runs_serially_in_that_worker() -> None:
    def task(x: int) -> list[int]:
        return fork_map(lambda y: os.getpid(), [x, x], jobs=2)

    for pids in fork_map(task, [0, 1], jobs=2):
        assert len(set(pids)) == 1 and pids[0] != os.getpid()


def test_worker_count() -> None:
    assert worker_count(1, 5) == 1
    assert worker_count(8, 3) == (3 if can_fork() else 1)  # at most one per task
    assert worker_count(None, 100) == ((os.cpu_count() or 1) if can_fork() else 1)
    assert worker_count(4, 0) == 1
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ParameterError, match="jobs"):
            worker_count(bad, 3)


@needs_fork
def test_workers_die_with_their_parent(tmp_path) -> None:
    # a parent killed by SIGKILL while its workers compute leaves no worker behind
    pids = tmp_path / "pids"
    script = textwrap.dedent(f"""
        import os, time
        from tunestats.processes import fork_map
        def task(x):
            with open({str(pids)!r}, "a") as f:
                f.write(f"{{os.getpid()}}\\n")
            time.sleep(60)
        fork_map(task, [0, 1], jobs=2)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
            not pids.exists() or len(pids.read_text().split()) < 2):
        time.sleep(0.1)
    workers = [int(p) for p in pids.read_text().split()]
    assert len(workers) == 2
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in workers if _alive(p)]
    assert alive == []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by init) counts as gone
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
