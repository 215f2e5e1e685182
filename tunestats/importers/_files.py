"""Reading the files of tuning logs: errors that name the file, folders in order."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import StudyFileError
from ..study.io import read_json, read_jsonl

__all__ = ["existing", "number_after", "read_csv", "read_json", "read_jsonl", "subfolders"]

_NUMBER = re.compile(r"(\d+)$")


def existing(path: Any, what: str) -> Path:
    """``path`` as a Path, or an error saying that the ``what`` is missing."""
    path = Path(path)
    if not path.exists():
        raise StudyFileError(f"{path}: no such {what}")
    return path


def read_csv(path: Path, **kwargs: Any) -> pd.DataFrame:
    """A CSV file as a frame (``kwargs`` go to :func:`pandas.read_csv`); an
    unreadable file raises an error naming it."""
    try:
        return pd.read_csv(path, **kwargs)
    except pd.errors.EmptyDataError:
        raise StudyFileError(f"{path}: empty file (no header)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise StudyFileError(f"{path}: cannot read the CSV file: {exc}") from None
    except OSError as exc:
        raise StudyFileError(f"{path}: cannot read ({exc.strerror})") from None


def subfolders(path: Path) -> list[Path]:
    """The folders directly in ``path``, sorted by name."""
    with os.scandir(path) as entries:
        return sorted((Path(e.path) for e in entries if e.is_dir()), key=lambda p: p.name)


def number_after(name: str) -> int | None:
    """The number that ends ``name`` (``trial_12`` → 12), or None."""
    match = _NUMBER.search(name)
    return int(match.group(1)) if match else None
