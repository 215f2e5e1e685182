"""Printing and writing result tables for the command line; the checks that keep a
command from overwriting what exists; progress on stderr.

Conventions (the README states them for users):

* ``--json`` prints one object of named tables. JSON has no infinity, so an
  infinite value (a target never reached, a lost trial counted as worst) is
  written as the string ``"inf"`` (``"-inf"``); a missing value is ``null``.
* ``--out FILE.json`` writes the same object; ``--out FILE.csv`` writes one
  table to ``FILE.csv`` and several tables to ``FILE-<table>.csv``, named in the
  verb's ``--help`` and listed on stderr when written.
* Nothing that exists is replaced without ``--force``: the files ``--out`` would
  write are checked before anything is computed, and every file is written
  aside and renamed into place (a reader never sees half a file).
* Readable tables wrap at 100 columns; ``info``'s table fits them: too wide, its
  column names and then its longest text values are abbreviated
  (:func:`fit_table`), with a legend under the table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..study._atomic import atomic_write
from ..study.schema import STUDY_FILE

__all__ = ["WIDTH", "Heartbeat", "ProgressLine", "add_force_option", "add_output_options",
           "check_new_folder", "check_out", "check_study_folder", "emit", "fit_table",
           "json_safe", "stage", "stop_heartbeat"]

#: Width of the readable tables, in characters.
WIDTH = 100


def add_force_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--force``: replace ``what`` when it exists (refused otherwise)."""
    parser.add_argument("--force", action="store_true",
                        help=f"replace {what} if it exists (default: refuse)")


def add_output_options(parser: argparse.ArgumentParser, tables: Sequence[str]) -> None:
    """``--out FILE.csv|FILE.json``, ``--force`` and ``--json`` for a command that prints
    the tables named ``tables``."""
    files = ("FILE.csv" if len(tables) == 1 else
             ", ".join(f"FILE-{name}.csv" for name in tables))
    parser.add_argument("--out", metavar="FILE", type=Path,
                        help="also write the table(s): FILE.json holds them as one object, "
                        f"FILE.csv writes {files}; the folder must exist")
    add_force_option(parser, "the --out file(s)")
    parser.add_argument("--json", action="store_true",
                        help="print JSON instead of a readable table (inf as \"inf\")")
    parser.set_defaults(out_tables=tuple(tables))


def _out_paths(out: Path, tables: Sequence[str]) -> list[Path]:
    if out.suffix == ".json" or len(tables) == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{name}{out.suffix}") for name in tables]


def check_out(args: argparse.Namespace) -> None:
    """Refuse ``--out`` before anything is computed: a suffix other than .csv/.json, a
    folder that does not exist, or a file that exists (without ``--force``)."""
    out, tables = getattr(args, "out", None), getattr(args, "out_tables", None)
    if out is None or tables is None:
        return
    out = Path(out)
    if out.suffix not in (".csv", ".json"):
        raise ParameterError(f"`--out` must name a .csv or .json file; got {str(out)!r}.")
    if not out.parent.is_dir():
        raise ParameterError(f"`--out` {str(out)!r}: the folder {str(out.parent)!r} does not "
                             "exist (create it first).")
    for path in _out_paths(out, tables):
        if path.is_dir():
            raise ParameterError(f"`--out` {str(path)!r} is a folder; name a file.")
        if path.exists() and not args.force:
            raise ParameterError(f"{path} exists; pass --force to replace it.")


def _listing(folder: Path, limit: int = 3) -> str:
    names = sorted(p.name for p in folder.iterdir())
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names)} entries)" if len(names) > limit else "")


def check_study_folder(path: str | Path, *, force: bool, option: str) -> None:
    """Refuse to write a study into ``path`` when it is a file, holds a study or is a
    non-empty folder of something else, unless ``force`` (a file is refused always)."""
    folder = Path(path)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise ParameterError(f"{option} {str(folder)!r} exists and is not a folder.")
    if force or not any(folder.iterdir()):
        return
    if (folder / STUDY_FILE).exists():
        raise ParameterError(f"{folder} already holds a study ({_listing(folder)}); pass "
                             "--force to replace it.")
    raise ParameterError(f"{folder} is a folder that is not a study and not empty "
                         f"({_listing(folder)}); pass --force to write the study into it.")


def check_new_folder(path: str | Path, names: Sequence[str], *, force: bool,
                     option: str) -> None:
    """Refuse an output folder ``path`` that is a file, or that holds a file whose name
    starts with one of ``names`` (what the command writes), unless ``force``."""
    folder = Path(path)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise ParameterError(f"{option} {str(folder)!r} exists and is not a folder.")
    if force:
        return
    clash = sorted(p.name for p in folder.iterdir()
                   if any(p.name == n or p.name.startswith((f"{n}.", f"{n}-")) for n in names))
    if clash:
        more = f", … ({len(clash)} files)" if len(clash) > 3 else ""
        raise ParameterError(f"{folder} already holds {', '.join(clash[:3])}{more}; pass "
                             "--force to replace them.")


def json_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every infinite float as the string ``"inf"``/``"-inf"`` (JSON has
    no infinity; pandas would write null, which reads as *missing*)."""
    out = None
    for col in frame.columns:
        series = frame[col]
        if not pd.api.types.is_float_dtype(series.dtype):
            continue
        values = series.to_numpy(dtype=float, na_value=np.nan)
        infinite = np.isinf(values)
        if infinite.any():
            out = frame.copy() if out is None else out
            text = series.astype(object)
            text[infinite] = np.where(values[infinite] > 0, "inf", "-inf")
            out[col] = text
    return frame if out is None else out


def _json_value(value: Any) -> Any:
    """An ``extra`` value with infinities as strings, like the tables."""
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(json_safe(frame).to_json(orient="records", double_precision=15))


#: Short names of the columns that many tables share (used only when a table is too wide).
SHORT_COLUMNS = {"trials": "n", "completed": "ok", "diverged": "div", "failed": "fail",
                 "workload": "wl", "protocol": "prot", "optimizer": "opt"}
#: The words of a text value that may be abbreviated (five characters or more), and all.
_TOKENS = re.compile(r"(?<![\w.\-/])[A-Za-z][\w.\-/]{4,}")
_WORDS = re.compile(r"[A-Za-z][\w.\-/]*")


def _width(frame: pd.DataFrame) -> int:
    with pd.option_context("display.precision", 4):
        text = frame.to_string(index=False)
    return max(map(len, text.splitlines()))


def _unique(code: str, taken: set[str]) -> str:
    """``code``, or ``code2``, ``code3``, … : the first not in ``taken``."""
    unique, n = code, 2
    while unique in taken:
        unique, n = f"{code}{n}", n + 1
    return unique


def _code(word: str, taken: set[str]) -> str:
    """A short code for ``word``, unique against ``taken``: the initials of its parts
    (split at ``_ - / .`` and spaces) with their digits (``one_minus_beta1`` → ``omb1``,
    ``best valid_error`` → ``b.ve``: a space becomes a dot), or its first three letters
    and its digits (``momentum`` → ``mom``, ``beta1`` → ``bet1``)."""
    head, _, last = word.rpartition(" ")
    if head:
        return _unique(".".join(w[0] for w in head.split()) + "." + _code(last, set()), taken)
    parts = [w for w in re.split(r"[_\-/.]", word) if w]
    if len(parts) > 1:
        code = "".join(w[0] + "".join(c for c in w[1:] if c.isdigit()) for w in parts)
    else:
        code = word[:3] + "".join(c for c in word[3:] if c.isdigit())
    return _unique(code, taken)


def _texts(column: pd.Series) -> list[str]:
    """The values of a text column as strings (missing ones as empty strings)."""
    return ["" if pd.isna(v) else str(v) for v in column.tolist()]


def fit_table(frame: pd.DataFrame, width: int = WIDTH) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` narrowed to ``width`` characters, and the legend of what was shortened.

    Parameters
    ----------
    frame : DataFrame
        A readable table.
    width : int
        The widest line allowed.

    Returns
    -------
    frame : DataFrame
        ``frame`` itself when it fits. Otherwise, step by step until it fits:
        the column names of :data:`SHORT_COLUMNS` shortened, then the other
        column names longer than six characters (``best valid_error`` →
        ``b.ve``), then the words of the widest text column (names of five
        characters or more: ``learning_rate`` → ``lr``; ``a, b`` → ``a,b``), one
        column at a time.
    legend : list of str
        One ``"short = long"`` entry per abbreviation (empty when nothing was
        shortened); a table that is still too wide wraps when printed.
    """
    if not len(frame.columns) or _width(frame) <= width:
        return frame, []
    out = frame.copy()
    legend: dict[str, str] = {}
    text = [c for c in out.columns if out[c].dtype == object or
            isinstance(out[c].dtype, pd.CategoricalDtype | pd.StringDtype)]
    # a code never reads as a name the table already shows
    taken = {str(c) for c in frame.columns} | {
        w for c in text for v in _texts(out[c]) for w in _WORDS.findall(v)}

    def rename(mapping: dict[str, str]) -> None:
        nonlocal out
        out = out.rename(columns=mapping)
        legend.update({short: long for long, short in mapping.items()})
        taken.update(mapping.values())

    rename({c: SHORT_COLUMNS[c] for c in out.columns
            if c in SHORT_COLUMNS and SHORT_COLUMNS[c] not in taken})
    if _width(out) > width:
        rename({c: _code(str(c), taken) for c in out.columns
                if c not in legend and len(str(c)) > 6})
    text = [list(out.columns)[list(frame.columns).index(c)] for c in text]  # renamed
    while _width(out) > width and text:
        column = max(text, key=lambda c: max(map(len, _texts(out[c])), default=0))
        text.remove(column)
        words = sorted({w for v in _texts(out[column]) for w in _TOKENS.findall(v)},
                       key=lambda w: (-len(w), w))
        codes = {}
        for word in words:
            known = next((s for s, lng in legend.items() if lng == word), None)
            codes[word] = known or _code(word, taken)
            taken.add(codes[word])
            legend[codes[word]] = word
        if words:
            pattern = re.compile(r"(?<![\w.\-/])(?:" + "|".join(map(re.escape, words))
                                 + r")(?![\w.\-/])")
            out[column] = [v if pd.isna(v) else  # lists lose their spaces too
                           pattern.sub(lambda m, c=codes: c[m.group(0)], str(v)).replace(", ", ",")
                           for v in out[column].tolist()]
    return out, [f"{short} = {long}" for short, long in legend.items()]


def _print_table(frame: pd.DataFrame, fit: bool) -> None:
    """Print one readable table at :data:`WIDTH` columns (with ``fit``: abbreviated to fit,
    the legend under it)."""
    if not len(frame):
        print("(none)")
        return
    fitted, legend = fit_table(frame) if fit else (frame, [])
    print(fitted.to_string(index=False, line_width=WIDTH))
    if legend:
        print("\n".join(_pack(legend, WIDTH)))


def _pack(entries: list[str], width: int) -> list[str]:
    """``abbreviations: a = b; c = d; ...`` in lines no wider than ``width``; an entry is
    never split between lines."""
    lines = ["abbreviations:"]
    for i, entry in enumerate(entries):
        piece = entry + (";" if i < len(entries) - 1 else "")
        if len(lines[-1]) + 1 + len(piece) <= width:
            lines[-1] += " " + piece
        else:
            lines.append(piece)
    return lines


def emit(args: argparse.Namespace, tables: dict[str, pd.DataFrame], *,
         extra: dict[str, Any] | None = None,
         shown: dict[str, pd.DataFrame] | None = None, fit: bool = False) -> None:
    """Print ``tables`` (readable or JSON) and write them if ``--out`` was given.

    Several tables go to CSV as one file per table (``FILE-<name>.csv``, each
    listed on stderr) and to JSON as one object of named tables. ``shown``,
    when given, is what the readable print shows instead of ``tables`` (e.g.
    fewer columns); JSON and files always hold ``tables`` in full. Readable
    tables wrap at :data:`WIDTH` columns; with ``fit`` they are first narrowed by
    abbreviations (:func:`fit_table`), explained under each table.
    """
    stop_heartbeat()
    payload: dict[str, Any] = {name: _records(frame) for name, frame in tables.items()}
    if extra:
        payload.update({key: _json_value(value) for key, value in extra.items()})
    if getattr(args, "json", False):
        json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        with pd.option_context("display.max_rows", 500, "display.max_columns", 50,
                               "display.width", WIDTH, "display.precision", 4):
            printed = tables if shown is None else shown
            for name, frame in printed.items():
                if len(printed) > 1:
                    print(f"\n== {name} ==")
                _print_table(frame, fit)
    out = getattr(args, "out", None)
    if out is None:
        return
    check_out(args)
    out = Path(out)
    if out.suffix == ".json":
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
        atomic_write(out, lambda p: p.write_text(text, encoding="utf-8"))
        written = [out]
    else:
        written = _out_paths(out, list(tables))
        for path, frame in zip(written, tables.values(), strict=True):
            atomic_write(path, lambda p, f=frame: f.to_csv(p, index=False))
    if len(written) > 1:
        print("wrote " + ", ".join(map(str, written)), file=sys.stderr)


class ProgressLine:
    """``callable(done, total)`` that redraws one progress line on stderr (at most
    every 0.2 s, and once at the end)."""

    def __init__(self, label: str):
        self.label = label
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.2:
            return
        self.last = now
        print(f"\r  {self.label} {done}/{total}", end="\n" if done >= total else "",
              file=sys.stderr, flush=True)


#: Held by a heartbeat while it prints, and by this process while it forks
#: (:func:`os.register_at_fork`): a worker forked by :func:`tunestats.processes.fork_map`
#: while the heartbeat thread held the stream's lock would find it locked for good.
_PRINTING = threading.Lock()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_PRINTING.acquire, after_in_parent=_PRINTING.release,
                        after_in_child=_PRINTING.release)


class Heartbeat:
    """Say on stderr what a command is doing once a stage has lasted ``after`` seconds.

    On a terminal the line is redrawn every second with the elapsed time; elsewhere
    (a log file) each slow stage is named once. Stages are set with :func:`stage`.
    A fork waits until a line being printed is out (see :data:`_PRINTING`).
    """

    current: Heartbeat | None = None

    def __init__(self, command: str, *, after: float = 2.0, stream: Any = None):
        self.command = command
        self.after = after
        self.stream = stream if stream is not None else sys.stderr
        self.label = "working"
        self.since = time.monotonic()
        self.announced = False
        self.drawn = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def set(self, label: str) -> None:
        self.label, self.since, self.announced = label, time.monotonic(), False

    def _beat(self) -> None:
        while not self._stop.wait(0.5):
            elapsed = time.monotonic() - self.since
            if elapsed < self.after:
                continue
            tty = getattr(self.stream, "isatty", lambda: False)()
            with _PRINTING:
                if tty:
                    print(f"\r  {self.command}: {self.label} ... {elapsed:.0f} s\033[K",
                          end="", file=self.stream, flush=True)
                    self.drawn = True
                elif not self.announced:
                    print(f"  {self.command}: {self.label} ...", file=self.stream, flush=True)
            self.announced = True

    def __enter__(self) -> Heartbeat:
        Heartbeat.current = self
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        Heartbeat.current = None
        if self.drawn:
            self.drawn = False
            print("\r\033[K", end="", file=self.stream, flush=True)


def stage(label: str) -> None:
    """Name what the running command does now (shown if it lasts a while)."""
    if Heartbeat.current is not None:
        Heartbeat.current.set(label)


def stop_heartbeat() -> None:
    """Stop the heartbeat (before a command prints its results)."""
    if Heartbeat.current is not None:
        Heartbeat.current.__exit__()
