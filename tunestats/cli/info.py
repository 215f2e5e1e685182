"""``tunestats info STUDY``: one row per pool."""

from __future__ import annotations

import argparse
import textwrap

import pandas as pd

from ..study import Study, load_study
from ._options import add_study_argument
from ._output import WIDTH, add_output_options, emit

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("info", help="summarise a study: one row per pool",
                            description="One row per (workload, protocol, optimizer) pool: "
                            "trials by status, best final value of the workload's headline "
                            "metric (of every metric with --json/--out), hyperparameters "
                            "tuned. Names too wide for 100 columns are abbreviated, with a "
                            "legend under the table.")
    add_study_argument(parser)
    add_output_options(parser, ("pools",))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    pools = study.summary()
    if not args.json:
        print(textwrap.fill(
            f"{study.source}: {len(study.trials)} trials, {len(study.pool_keys())} pools, "
            f"{len(study.curves)} curve rows; metrics: "
            + ", ".join(f"{m.name} ({m.direction}, {m.split})" for m in study.metrics.values()),
            WIDTH, subsequent_indent="  ", break_on_hyphens=False))
    emit(args, {"pools": pools}, shown={"pools": headline_table(study, pools)}, fit=True)
    return 0


def headline_table(study: Study, pools: pd.DataFrame) -> pd.DataFrame:
    """The readable ``pools`` table: the best value of each pool's headline metric only
    (one ``best <metric>`` column when every workload has the same headline metric,
    else ``metric`` and ``best``); the other metrics' columns are in ``--json``/``--out``."""
    best = [c for c in pools.columns if c.startswith("best ")]
    if not best or not len(pools):
        return pools
    headline = [study.headline_metric(str(w)).name for w in pools["workload"]]
    values = [row[f"best {m}"] if f"best {m}" in pools else float("nan")
              for m, (_, row) in zip(headline, pools.iterrows(), strict=True)]
    out = pools.drop(columns=best)
    at = out.columns.get_loc("failed") + 1 if "failed" in out else len(out.columns)
    if len(set(headline)) == 1:
        out.insert(at, f"best {headline[0]}", values)
    else:
        out.insert(at, "metric", headline)
        out.insert(at + 1, "best", values)
    return out
