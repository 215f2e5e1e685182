"""Integer, int-log and boolean parameters, and joint-point (listed) search spaces."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from tunestats import Param, ParameterError, SearchSpace
from tunestats.analysis import check_space
from tunestats.importers.algoperf import read_search_space
from tunestats.study.meta import parse_meta
from tunestats.synthetic import Bowl, Term, synthetic_study

DATA = Path(__file__).parent / "data" / "algoperf_v06"
N = 6000  # sampler points: binomial tolerances below are 5 standard deviations


def _share_tolerance(p: float) -> float:
    return 5 * math.sqrt(p * (1 - p) / N)


def test_int_points_are_integers_each_with_an_equal_share():
    space = SearchSpace((Param("layers", "int", 1, 4),))
    points = space.points(N, seed=3)
    assert all(type(p["layers"]) is int for p in points)  # plain ints, JSON-ready
    values = np.array([p["layers"] for p in points])
    assert set(values) == {1, 2, 3, 4}
    for k in range(1, 5):  # closed form: uniform over the 4 integers
        assert abs(np.mean(values == k) - 0.25) < _share_tolerance(0.25)


def test_int_log_points_follow_the_log_cells_of_each_integer():
    space = SearchSpace((Param("width", "int_log", 1, 100),))
    values = np.array([p["width"] for p in space.points(N, seed=5)])
    assert values.min() >= 1 and values.max() <= 100 and (values == np.round(values)).all()
    total = math.log(100.5) - math.log(0.5)
    for k in (1, 2, 10, 100):  # closed form: share of log-cell [k - 1/2, k + 1/2]
        p = (math.log(k + 0.5) - math.log(k - 0.5)) / total
        assert abs(np.mean(values == k) - p) < _share_tolerance(p), k


def test_int_edges_are_the_end_integers_and_widening_rounds_outwards():
    param = Param("layers", "int", 2, 10)
    np.testing.assert_allclose(param.to_unit([2, 6, 10]), [0.0, 0.5, 1.0])
    assert param.contains([2, 3.0, 10]).all() and not param.contains([2.5, 1, 11]).any()
    assert param.widened("high", 4.5).high == 15  # 14.5 rounded outwards
    assert Param("width", "int_log", 16, 256).widened("low", 1.0).low == 1  # 1.6 → 1
    with pytest.raises(ParameterError, match="cannot move"):
        Param("width", "int_log", 1, 256).widened("low", 1.0)
    assert Param("width", "int_log", 16, 256).to_dict() == {"scale": "int_log", "low": 16,
                                                           "high": 256}


def test_bool_values_and_their_trial_text():
    flag = Param("nesterov", "bool")
    assert flag.choices == (False, True) and not flag.is_numeric
    np.testing.assert_allclose(flag.to_unit([False, True, "false", "true"]),
                               [0.25, 0.75, 0.25, 0.75])
    assert flag.contains(["true", False]).all() and not flag.contains(["yes", 1.5]).any()
    assert Param.from_dict("nesterov", flag.to_dict()) == flag == Param("nesterov", "bool")
    points = SearchSpace((flag,)).points(200, seed=0)
    assert {p["nesterov"] for p in points} == {False, True}


@pytest.mark.parametrize(("scale", "low", "high", "choices", "message"), [
    ("int", 1.5, 4, None, "integer `low` and `high`"),
    ("int_log", 0, 8, None, "low` >= 1"),
    ("bool", None, None, (True, False), "no `choices`"),
])
def test_invalid_typed_parameters_are_refused(scale, low, high, choices, message):
    with pytest.raises(ParameterError, match=message):
        Param("x", scale, low, high, choices)


def test_an_int_range_edge_is_flagged_at_its_largest_integer():
    """The optimum of `layers` lies at its top integer: an open edge, widened to integers."""
    study = synthetic_study(
        optimizers=["sgd"], seed=0, n_trials=64, lr_range=(3e-3, 3e-2),
        params=[Param("layers", "int", 1, 8), Param("width", "int_log", 16, 1024),
                Param("nesterov", "bool")],
        bowls={("quadratic", "paper", "sgd"): Bowl(optimum=1e-2, terms={
            "layers": Term(8, 0.5), "width": Term(64, 0.5)})})
    rows = check_space(study, seed=0).boundaries.set_index(["param", "side"])
    assert rows.loc[("layers", "high"), "edge_kind"] == "open edge"
    assert rows.loc[("layers", "high"), "best_value"] == 8
    assert rows.loc[("layers", "high"), "proposed_high"] == 12  # 8 + 0.5·7 = 11.5, rounded up
    assert set(rows.loc["width", "verdict"]) == {"interior"}  # 64 lies inside [16, 1024]
    assert set(rows.loc["nesterov", "verdict"]) == {"unordered"}


# -- joint-point spaces -------------------------------------------------------------

LISTED = ({"lr": 1e-3, "nesterov": True, "warmup": 0.1},
          {"lr": 3e-3, "nesterov": False, "warmup": 0.1},
          {"lr": 1e-2, "nesterov": True, "warmup": 0.1})


def test_listed_space_names_the_coordinates_that_vary_and_round_trips():
    space = SearchSpace((), listed=LISTED)
    assert space.is_listed and space.coordinates == ["lr", "nesterov", "warmup"]
    assert space.names == ["lr", "nesterov"]  # warmup is the same in every point
    assert SearchSpace.from_dict(space.to_dict()) == space
    assert space.to_dict() == {"points": [dict(p) for p in LISTED], "fixed": {}}
    assert space.points([2, 0], seed=0) == [LISTED[2], LISTED[0]]
    with pytest.raises(ParameterError, match="lists 3 points"):
        space.points(4, seed=0)


def test_listed_points_match_trials_by_value():
    space = SearchSpace((), listed=LISTED)
    columns = {"lr": [1e-3, 1e-2 * (1 + 1e-12), 1e-3, 5e-3],
               "nesterov": ["true", "true", "false", "true"], "warmup": [0.1] * 4}
    np.testing.assert_array_equal(space.matches(columns, 4), [
        [True, False, False],
        [False, False, True],   # equal to 1e-9 relative
        [False, False, False],  # lr of point 0 but nesterov of point 1
        [False, False, False]])
    assert not space.matches({"lr": [1e-3]}, 1).any()  # no nesterov column


@pytest.mark.parametrize(("points", "message"), [
    ([{"lr": float("nan")}], "finite number"),
    ([{}], "non-empty object"),
    ([{"lr": [1, 2]}], "finite number"),
    ("lr", "list of objects"),
])
def test_invalid_listed_spaces_are_refused(points, message):
    with pytest.raises(ParameterError, match=message):
        SearchSpace((), listed=points)


def _meta_problems(doc) -> list[str]:
    meta, problems = parse_meta(doc)
    if not problems:  # what parses is the space the JSON lists
        assert meta.spaces[("p", "o")].listed == tuple(doc["spaces"][0]["points"])
    return [f"{p.column}: {p.message}" for p in problems]


def test_study_json_refuses_a_bad_points_list():
    base = {"schema_version": 1, "metrics": {"loss": {"direction": "minimize",
                                                      "split": "valid"}}}
    space = {"protocol": "p", "optimizer": "o"}
    for points, message in (([], "at least one point"), ([{"lr": True}, 3], "point 1"),
                            ([{"lr": 1.0}], None)):
        problems = _meta_problems({**base, "spaces": [{**space, "points": points}]})
        if message is None:
            assert not problems
        else:
            assert any(message in p for p in problems), problems
    both = {**space, "points": [{"lr": 1.0}], "params": {"lr": {"scale": "log", "low": 1e-3,
                                                                  "high": 1.0}}}
    assert any("no `params`" in p for p in _meta_problems({**base, "spaces": [both]}))


def test_algoperf_list_space_is_a_joint_point_space():
    """The real baseline submission's tuning_search_space.json: a list of 5 points."""
    space = read_search_space(DATA / "submissions" / "external_tuning" / "baseline"
                              / "tuning_search_space.json")
    assert space.is_listed and len(space.listed) == 5 and not space.params
    assert space.listed[0]["learning_rate"] == 0.001308209823469072
    assert "learning_rate" in space.names and "label_smoothing" in space.names
    shampoo = read_search_space(DATA / "submissions" / "external_tuning" / "shampoo"
                                / "tuning_search_space.json")
    assert {type(p["use_momentum"]) for p in shampoo.listed} == {bool}  # kept as booleans
