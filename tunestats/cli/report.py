"""``tunestats report [STUDY] --out report.html``: one self-contained HTML page per study."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ParameterError
from ..report import report
from ..study import load_study
from ._api import ApiOptions
from ._output import add_force_option
from .figures import DEFAULT_STUDY

__all__ = ["register", "run"]

#: The API functions this verb calls, read at import: its options take their
#: defaults from these signatures.
API = (report,)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "report", help="write one self-contained HTML page of the study",
        description="Write the study's report: one HTML file with inline CSS and embedded "
        "figures, making no request of any kind. The summary (workloads, metrics, protocols, "
        "optimizers, trials by status, provenance, the import report), the verdicts "
        "(search-space adequacy per pool, inclusion violations and rank flips, "
        "performance-profile scores), every figure with a caption, and the tables behind "
        "them (each downloadable as CSV from the page). Analyses use the defaults of "
        "check-space and compare, seed 0.")
    parser.add_argument("study", nargs="?", default=str(DEFAULT_STUDY),
                        help=f"study folder (default: the bundled {DEFAULT_STUDY})")
    parser.add_argument("--out", type=Path, default=Path("report.html"),
                        help="HTML file to write (default: report.html)")
    add_force_option(parser, "the --out file")
    api = ApiOptions(parser, *API)
    api.option("dpi", "--dpi", type=int, help="resolution of the embedded figures")
    api.option("jobs", "--jobs", type=int, help="processes drawing the figures",
               default_text="one per core")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)  # refused before anything is computed
    if out.suffix.lower() not in (".html", ".htm"):
        raise ParameterError(f"`--out` must name an .html file; got {str(out)!r}.")
    if not out.parent.is_dir():
        raise ParameterError(f"`--out` {str(out)!r}: the folder {str(out.parent)!r} does not "
                             "exist (create it first).")
    if out.is_dir():
        raise ParameterError(f"`--out` {str(out)!r} is a folder; name a file.")
    if out.exists() and not args.force:
        raise ParameterError(f"{out} exists; pass --force to replace it.")
    study = load_study(args.study)
    path = report(study, args.out, **args.api.kwargs(args),
                  progress=lambda name: print(f"  writing {name} ...", file=sys.stderr))
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0
