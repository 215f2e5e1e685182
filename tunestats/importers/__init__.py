"""Importers: read the trial logs that tuning tools and papers publish into studies.

One module per format, each with ``read(src, ..., **options) -> Study``:

==================  ==========================================================
module              reads
==================  ==========================================================
``generic``         long or wide tables (CSV, Parquet, JSON Lines, DataFrame)
``algoperf``        AlgoPerf logs and ``tuning_search_space.json``
``deepobs``         DeepOBS results, including the layout of "Descending
                    through a Crowded Valley"
``optuna``          an Optuna storage URL or ``Study`` (extra ``importers``)
``wandb``           W&B runs table, run histories, sweep YAML (extra
                    ``importers`` for the YAML)
``raytune``         Ray Tune experiment folders
``shallue``         the data of Shallue et al. (2019)
==================  ==========================================================

Every ``read`` also takes the common options of :func:`import_options`
(``protocol``, ``constants``, ``mapping``, ``metrics``, ``targets``,
``progress``, ``strict``), and records what it read, skipped and inferred in
an :class:`ImportReport` stored in ``study.provenance["import"]``
(:func:`import_report` gives it back).
"""

from . import algoperf, deepobs, generic, optuna, raytune, shallue, wandb
from ._options import import_options
from .report import ImportReport, Skip, import_report

#: Format name → importer module (the names the CLI's ``tunestats import`` takes).
FORMATS = {"generic": generic, "algoperf": algoperf, "deepobs": deepobs, "optuna": optuna,
           "wandb": wandb, "raytune": raytune, "shallue": shallue}

__all__ = ["FORMATS", "ImportReport", "Skip", "algoperf", "deepobs", "generic", "import_options",
           "import_report", "optuna", "raytune", "shallue", "wandb"]
