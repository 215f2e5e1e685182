"""The command line's heartbeat thread and forked workers: a fork never copies a
stream's lock held mid-line by the heartbeat (it waits for the line)."""

from __future__ import annotations

import io
import os
import time

import pytest

from tunestats.cli import _output
from tunestats.cli._output import Heartbeat
from tunestats.processes import can_fork, fork_map


class _Watched(io.StringIO):
    """A stream that records, for each write, whether the printing lock was held."""

    def __init__(self):
        super().__init__()
        self.held: list[bool] = []

    def write(self, text: str) -> int:
        self.held.append(_output._PRINTING.locked())
        return super().write(text)


def test_the_heartbeat_prints_holding_the_lock_forks_wait_for() -> None:
    stream = _Watched()
    with Heartbeat("cmd", after=0.0, stream=stream):
        deadline = time.monotonic() + 10
        while not stream.held and time.monotonic() < deadline:
            time.sleep(0.05)
    assert stream.held and all(stream.held)
    assert "cmd: working ..." in stream.getvalue()


@pytest.mark.skipif(not can_fork(), reason="no fork on this platform")
def test_workers_forked_while_the_heartbeat_runs_can_print() -> None:
    # the lock is free again in the parent and in every child after the fork
    def task(_: int) -> tuple[bool, int]:
        acquired = _output._PRINTING.acquire(timeout=5)
        if acquired:
            _output._PRINTING.release()
        return acquired, os.getpid()

    stream = _Watched()
    with Heartbeat("cmd", after=0.0, stream=stream):
        out = fork_map(task, list(range(6)), jobs=2)
    assert all(acquired for acquired, _ in out)
    assert {pid for _, pid in out} != {os.getpid()}
    assert _output._PRINTING.acquire(timeout=5)
    _output._PRINTING.release()
