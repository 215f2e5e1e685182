"""``tunestats figures [STUDY] --out DIR``: regenerate every figure of a study."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._checks import check_choice
from ..figures import FIGURES, FORMATS, render_figures
from ..study import load_study
from ._api import ApiOptions
from ._output import add_force_option, check_new_folder, stage

__all__ = ["register", "run"]

#: The API functions this verb calls, read at import: its options take their
#: defaults from these signatures.
API = (render_figures,)

DEFAULT_STUDY = Path("data") / "study"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("figures", help="regenerate every figure of a study",
                            description="Render every registered figure of a study into a "
                            "folder. Figures: " + "; ".join(f"{s.name} ({s.description})"
                                                           for s in FIGURES))
    parser.add_argument("study", nargs="?", default=str(DEFAULT_STUDY),
                        help=f"study folder (default: the bundled {DEFAULT_STUDY})")
    parser.add_argument("--out", default="figures", help="output folder (default: figures)")
    api = ApiOptions(parser, *API)
    api.option("formats", "--format", action="append", choices=FORMATS,
               help="file format; repeat for several")
    api.option("names", "--only", action="append", metavar="NAME",
               help="render only this figure; repeat for several", default_text="every figure")
    api.option("jobs", "--jobs", type=int, help="processes drawing the figures",
               default_text="one per core")
    add_force_option(parser, "figure files in the --out folder")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    options = args.api.kwargs(args)
    for name in options.get("names", ()):
        check_choice("names", name, [s.name for s in FIGURES])
    check_new_folder(args.out, [s.name for s in FIGURES], force=args.force, option="--out")
    stage(f"reading {args.study}")
    study = load_study(args.study)
    report = render_figures(study, args.out, **options,
                            progress=lambda name: print(f"  rendering {name} ...",
                                                        file=sys.stderr))
    for path in report.written:
        print(f"wrote {path}")
    for name, reason in report.skipped.items():
        print(f"skipped {name}: {reason}")
    print(f"{len(report.written)} file(s) written, {len(report.skipped)} figure(s) skipped")
    return 0
