"""The inclusion graph: default, declared, from a file; cycles and unknown names."""

from __future__ import annotations

import json

import pytest

from tunestats import DataError, ParameterError
from tunestats.analysis import DEFAULT_EDGES, inclusion_graph
from tunestats.synthetic import synthetic_study

ALL = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "nadam")


def study(optimizers=ALL, **kws):
    return synthetic_study(optimizers=optimizers, n_trials=2, n_steps=2, seed=0, **kws)


def test_default_graph_is_the_papers_with_transitive_pairs():
    graph = inclusion_graph(study())
    pairs = set(graph.pairs(ALL))
    # the hand-listed closure of SGD ⊆ Momentum ⊆ {RMSProp, Adam}, SGD ⊆ Nesterov ⊆ NAdam
    assert pairs == {("sgd", "momentum"), ("sgd", "rmsprop"), ("sgd", "adam"),
                     ("sgd", "nesterov"), ("sgd", "nadam"), ("momentum", "rmsprop"),
                     ("momentum", "adam"), ("nesterov", "nadam")}
    assert graph.edges == DEFAULT_EDGES


def test_default_graph_with_missing_optimizers_and_other_case():
    graph = inclusion_graph(study(optimizers=("SGD", "Adam", "lion")))
    assert graph.pairs(["SGD", "Adam", "lion"]) == [("SGD", "Adam")]


def test_declared_graph_with_aliases_and_file(tmp_path):
    s = study(optimizers=("heavy_ball", "adamw"))
    spec = {"edges": [["momentum", "adamw"]], "aliases": {"heavy_ball": "momentum"}}
    assert inclusion_graph(s, spec).pairs(["heavy_ball", "adamw"]) == [("heavy_ball", "adamw")]
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(spec))
    assert inclusion_graph(s, path).pairs(["adamw", "heavy_ball"]) == [("heavy_ball", "adamw")]


def test_cycle_is_one_clear_error(tmp_path):
    s = study()
    spec = {"edges": [["sgd", "momentum"], ["momentum", "adam"], ["adam", "sgd"]]}
    with pytest.raises(ParameterError, match=r"cycle \(sgd ⊆ momentum ⊆ adam ⊆ sgd\)"):
        inclusion_graph(s, spec)
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(spec))
    with pytest.raises(DataError, match=r"graph\.json: the inclusion graph has a cycle"):
        inclusion_graph(s, path)


def test_unknown_optimizer_is_one_clear_error():
    s = study(optimizers=("sgd", "adam"))
    with pytest.raises(ParameterError, match="names the optimizer 'lamb', which is not in the "
                                             "study"):
        inclusion_graph(s, {"edges": [["sgd", "lamb"]]})
    with pytest.raises(ParameterError, match="alias 'heavy_ball' is not an optimizer"):
        inclusion_graph(s, {"edges": [["sgd", "adam"]], "aliases": {"heavy_ball": "sgd"}})
    with pytest.raises(ParameterError, match=r"edges\[0\] must be a pair"):
        inclusion_graph(s, {"edges": [["sgd"]]})


def test_graph_declared_in_study_json(tmp_path):
    s = study(optimizers=("sgd", "adam"))
    s.save(tmp_path / "s")
    doc = json.loads((tmp_path / "s" / "study.json").read_text())
    doc["inclusion"] = {"edges": [["sgd", "adam"], ["adam", "sgd"]]}
    (tmp_path / "s" / "study.json").write_text(json.dumps(doc))
    from tunestats import load_study

    with pytest.raises(DataError, match=r"study.json: inclusion: the inclusion graph has a "
                                        r"cycle"):
        inclusion_graph(load_study(tmp_path / "s"))
