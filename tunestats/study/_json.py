"""Reading JSON files of a study (``study.json``, trial records, JSON Lines): every way
a file can be unreadable becomes one :class:`StudyFileError` naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import StudyFileError

__all__ = ["loads", "read_json", "read_text"]


def read_text(path: Path) -> str:
    """The UTF-8 text of ``path``; unreadable or non-UTF-8 files name the byte."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise StudyFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
                             ) from None
    except OSError as exc:
        raise StudyFileError(f"{path}: cannot read ({exc.strerror})") from None


def loads(text: str, where: str, line: int | None = None) -> Any:
    """Parse JSON ``text`` of ``where`` (a file; ``line``: its line number for JSON Lines).

    Malformed JSON names the line and column; a document nested too deeply or a
    number too long to convert (Python's limit of 4300 digits) is refused too.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        at = f"line {line if line is not None else exc.lineno}, column {exc.colno}"
        raise StudyFileError(f"{where}: malformed JSON at {at}: {exc.msg}") from None
    except RecursionError:
        raise StudyFileError(f"{where}: JSON nested too deeply to read"
                             + (f" (line {line})" if line is not None else "")) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise StudyFileError(f"{where}: unreadable JSON value"
                             + (f" at line {line}" if line is not None else "")
                             + f": {exc}") from None


def read_json(path: Path) -> Any:
    """Parse a JSON file; a syntax error names the file, line and column.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    object
        The parsed JSON value.

    Raises
    ------
    StudyFileError
        Unreadable, not UTF-8, malformed JSON, nested too deeply, or a number
        too long to convert.
    """
    return loads(read_text(path), str(path))
