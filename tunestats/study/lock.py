"""An exclusive lock on a study folder, held while a process writes into it.

The lock is an advisory ``flock`` on ``FOLDER/.tunestats.lock``: the kernel
releases it when its holder exits, however it exits (``kill -9`` included),
so a stale lock never blocks a resume. The lock file holds the holder's pid,
for the message a second writer gets. Within one process the lock is
re-entrant (the runner holds it and compaction asks for it again).
Where ``fcntl`` does not exist (Windows) no lock is taken.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import StudyFileError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["LOCK_FILE", "holds_lock", "study_lock"]

LOCK_FILE = ".tunestats.lock"

_HELD: dict[Path, int] = {}


def holds_lock(folder: Path) -> bool:
    """Whether this process holds the lock on ``folder``.

    Parameters
    ----------
    folder : Path
        A study folder.

    Returns
    -------
    bool
    """
    return Path(folder).resolve() in _HELD


@contextlib.contextmanager
def study_lock(folder: Path, what: str) -> Iterator[None]:
    """Hold the lock on the existing folder ``folder`` while the block runs.

    Parameters
    ----------
    folder : Path
        The study folder; it must exist.
    what : str
        What this process wants to do, for the message (e.g. "run the study").

    Yields
    ------
    None

    Raises
    ------
    StudyFileError
        If another process holds the lock.
    """
    folder = Path(folder).resolve()
    if folder in _HELD or fcntl is None:
        _HELD[folder] = _HELD.get(folder, 0) + 1
        try:
            yield
        finally:
            _release_count(folder)
        return
    path = folder / LOCK_FILE
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise StudyFileError(f"{folder}: another process (pid {holder}) is writing this "
                                 f"study; cannot {what} until it ends.") from None
        try:  # the holder before us may have removed the file after we opened it
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        _HELD[folder] = 1
        try:
            yield
        finally:
            del _HELD[folder]
            path.unlink(missing_ok=True)
    finally:
        os.close(fd)  # releases the flock


def _release_count(folder: Path) -> None:
    _HELD[folder] -= 1
    if not _HELD[folder]:
        del _HELD[folder]
