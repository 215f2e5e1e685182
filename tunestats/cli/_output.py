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
* Readable tables wrap at 100 columns.
"""

from __future__ import annotations

import argparse
import json
import math
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
           "check_new_folder", "check_out", "check_study_folder", "emit", "json_safe", "stage",
           "stop_heartbeat"]

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


def emit(args: argparse.Namespace, tables: dict[str, pd.DataFrame], *,
         extra: dict[str, Any] | None = None,
         shown: dict[str, pd.DataFrame] | None = None) -> None:
    """Print ``tables`` (readable or JSON) and write them if ``--out`` was given.

    Several tables go to CSV as one file per table (``FILE-<name>.csv``, each
    listed on stderr) and to JSON as one object of named tables. ``shown``,
    when given, is what the readable print shows instead of ``tables`` (e.g.
    fewer columns); JSON and files always hold ``tables`` in full.
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
                print(frame.to_string(index=False, line_width=WIDTH) if len(frame)
                      else "(none)")
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


class Heartbeat:
    """Say on stderr what a command is doing once a stage has lasted ``after`` seconds.

    On a terminal the line is redrawn every second with the elapsed time; elsewhere
    (a log file) each slow stage is named once. Stages are set with :func:`stage`.
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
            if tty:
                print(f"\r  {self.command}: {self.label} ... {elapsed:.0f} s\033[K", end="",
                      file=self.stream, flush=True)
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
