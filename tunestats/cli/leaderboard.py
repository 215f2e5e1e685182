"""``tunestats leaderboard LOGS --targets FILE``: an AlgoPerf leaderboard, scored as the
benchmark scores it."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..analysis.leaderboard import INTEGRALS, leaderboard
from ..errors import ParameterError
from ..importers.algoperf import PROTOCOLS
from ..study._atomic import atomic_write
from ._api import ApiOptions
from ._output import add_output_options, emit

__all__ = ["register", "run"]

#: The API functions this verb calls, read at import: its options take their
#: defaults from these signatures.
API = (leaderboard,)

_FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "leaderboard", help="recompute an AlgoPerf leaderboard from its logs",
        description="Score AlgoPerf logs exactly as the benchmark does: per workload the "
        "target metric and value of the targets file, each study's earliest evaluation "
        "reaching it, the median over studies, the held-out and 4x rules, the profile over "
        "the base workloads and its trapezoidal integral on 100 points over [1, 4] / 3.")
    parser.add_argument("logs", help="logs folder (a ruleset folder such as external_tuning/, "
                        "or one holding several rulesets) or a study folder")
    api = ApiOptions(parser, *API)
    api.option("targets", "--targets", required=True, type=Path,
               help="the benchmark's workload_targets*.json, as it is")
    api.option("ruleset", "--ruleset", choices=tuple(PROTOCOLS), help="score only this ruleset",
               default_text="as the logs say, each ruleset on its own")
    api.option("integral", "--integral", choices=INTEGRALS,
               help="the benchmark's 100-point trapezoidal rule, or exact")
    api.option("strict", "--strict", action="store_true",
               help="fail on the benchmark's count warnings (workloads, studies, trials)")
    api.option("n_studies", "--n-studies", type=int, help="studies every workload must have",
               default_text="the most any has")
    parser.add_argument("--figure", type=Path, metavar="FILE",
                        help="write the performance-profile figure (.png, .pdf or .svg)")
    add_output_options(parser, ("scores", "times", "studies"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.figure is not None and args.figure.suffix not in _FIGURE_SUFFIXES:
        raise ParameterError(f"`--figure` must name a {', '.join(_FIGURE_SUFFIXES)} file; "
                             f"got {str(args.figure)!r}.")
    if args.figure is not None:  # refused before anything is computed, like --out
        if not args.figure.parent.is_dir():
            raise ParameterError(f"`--figure` {str(args.figure)!r}: the folder "
                                 f"{str(args.figure.parent)!r} does not exist (create it first).")
        if args.figure.exists() and not args.force:
            raise ParameterError(f"{args.figure} exists; pass --force to replace it.")
    source = Path(args.logs)
    if (source / "study.json").is_file():
        from ..study import load_study

        source = load_study(source)
    board = leaderboard(source, **args.api.kwargs(args))
    table = board.times.pivot_table(index=["ruleset", "workload"], columns="submission",
                                    values="scored_time", aggfunc="first", sort=False)
    table = table.reset_index()
    table.columns.name = None
    emit(args, {"scores": board.scores, "times": board.times, "studies": board.studies},
         extra={"notes": list(board.notes), "integral": board.integral},
         shown={"leaderboard": board.scores[["ruleset", "rank", "submission", "score"]],
                "time to target (s; inf: missed or > 4x the fastest)": table})
    if not args.json:
        for note in board.notes:
            print(f"note: {note}")
    if args.figure is not None:
        from ..figures.leaderboard import leaderboard_figure

        fig = leaderboard_figure(board)
        atomic_write(args.figure, lambda path: fig.savefig(
            path, dpi=150, bbox_inches="tight", format=args.figure.suffix[1:]))
        if not args.json:
            print(f"wrote {args.figure}")
    return 0
