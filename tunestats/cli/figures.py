"""``tunestats figures [STUDY] --out DIR``: regenerate every figure of a study."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._checks import check_choice
from ..figures import FIGURES, FORMATS, render_figures
from ..study import load_study
from ._output import add_force_option, check_new_folder, stage

__all__ = ["register", "run"]

DEFAULT_STUDY = Path("data") / "study"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("figures", help="regenerate every figure of a study",
                            description="Render every registered figure of a study into a "
                            "folder. Figures: " + "; ".join(f"{s.name} ({s.description})"
                                                           for s in FIGURES))
    parser.add_argument("study", nargs="?", default=str(DEFAULT_STUDY),
                        help=f"study folder (default: the bundled {DEFAULT_STUDY})")
    parser.add_argument("--out", default="figures", help="output folder (default: figures)")
    parser.add_argument("--format", dest="formats", action="append", choices=FORMATS,
                        help="file format; repeat for several (default: png)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="render only this figure; repeat for several")
    add_force_option(parser, "figure files in the --out folder")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    for name in args.only or ():
        check_choice("names", name, [s.name for s in FIGURES])
    check_new_folder(args.out, [s.name for s in FIGURES], force=args.force, option="--out")
    stage(f"reading {args.study}")
    study = load_study(args.study)
    report = render_figures(study, args.out, formats=args.formats or ["png"], names=args.only,
                            progress=lambda name: print(f"  rendering {name} ...",
                                                        file=sys.stderr))
    for path in report.written:
        print(f"wrote {path}")
    for name, reason in report.skipped.items():
        print(f"skipped {name}: {reason}")
    print(f"{len(report.written)} file(s) written, {len(report.skipped)} figure(s) skipped")
    return 0
