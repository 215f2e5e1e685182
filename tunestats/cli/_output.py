"""Printing and writing result tables for the command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ParameterError

__all__ = ["ProgressLine", "add_output_options", "emit"]


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """``--out FILE.csv|FILE.json`` and ``--json`` for a command that prints tables."""
    parser.add_argument("--out", metavar="FILE", type=Path,
                        help="also write the table(s) to FILE (.csv or .json)")
    parser.add_argument("--json", action="store_true",
                        help="print JSON instead of a readable table")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", double_precision=15))


def emit(args: argparse.Namespace, tables: dict[str, pd.DataFrame], *,
         extra: dict[str, Any] | None = None,
         shown: dict[str, pd.DataFrame] | None = None) -> None:
    """Print ``tables`` (readable or JSON) and write them if ``--out`` was given.

    Several tables go to CSV as one file per table (``FILE-<name>.csv``) and to
    JSON as one object of named tables. ``shown``, when given, is what the
    readable print shows instead of ``tables`` (e.g. fewer columns); JSON and
    files always hold ``tables`` in full.
    """
    payload = {name: _records(frame) for name, frame in tables.items()}
    if extra:
        payload.update(extra)
    if getattr(args, "json", False):
        json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        with pd.option_context("display.max_rows", 500, "display.max_columns", 50,
                               "display.width", 200, "display.precision", 4):
            printed = tables if shown is None else shown
            for name, frame in printed.items():
                if len(printed) > 1:
                    print(f"\n== {name} ==")
                print(frame.to_string(index=False) if len(frame) else "(none)")
    out = getattr(args, "out", None)
    if out is None:
        return
    out = Path(out)
    if out.suffix not in (".csv", ".json"):
        raise ParameterError(f"`--out` must name a .csv or .json file; got {str(out)!r}.")
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".json":
        out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    elif len(tables) == 1:
        next(iter(tables.values())).to_csv(out, index=False)
    else:
        for name, frame in tables.items():
            frame.to_csv(out.with_name(f"{out.stem}-{name}{out.suffix}"), index=False)


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
