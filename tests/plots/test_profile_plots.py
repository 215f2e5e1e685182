"""Performance profiles: identical curves stay visible and the legend says they are equal."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tunestats.plots import plot_performance_profile
from tunestats.plots.profiles import identical_curves


def profile_frame() -> pd.DataFrame:
    """Two submissions with the same profile (b sampled at one more tau, where its rho does
    not change: the same step function) and a third, different one."""
    rows = [("a", 1.0, 0.5), ("a", 2.0, 1.0), ("a", 4.0, 1.0),
            ("b", 1.0, 0.5), ("b", 1.5, 0.5), ("b", 2.0, 1.0), ("b", 4.0, 1.0),
            ("c", 1.0, 0.5), ("c", 3.0, 1.0), ("c", 4.0, 1.0)]
    return pd.DataFrame(rows, columns=["submission", "tau", "rho"])


def test_identical_curves_groups_equal_step_functions():
    frame = profile_frame()
    curves = {n: (g["tau"], g["rho"]) for n, g in frame.groupby("submission")}
    assert identical_curves(curves) == {"a": ["a", "b"], "b": ["a", "b"], "c": ["c"]}
    # the same points up to a different end are different curves
    curves["d"] = ([1.0, 2.0, 3.0], [0.5, 1.0, 1.0])
    assert identical_curves(curves)["d"] == ["d"]


def test_identical_profiles_take_turns_and_share_a_legend_entry():
    ax = Figure().add_subplot()
    plot_performance_profile(profile_frame(), by="submission",
                             scores={"a": 0.8333, "b": 0.8333, "c": 0.6667}, ax=ax)
    assert len(ax.get_lines()) == 3
    a, b, c = ax.get_lines()
    # a and b: the same dashes, offset by one dash, so that each shows where the other
    # does not; c (unlike any other) is solid
    (offset_a, dashes_a), (offset_b, dashes_b) = a._dash_pattern, b._dash_pattern
    assert a.get_linestyle() == "--" and b.get_linestyle() == "--"
    assert dashes_a == dashes_b and len(dashes_a) == 2
    assert np.isclose(abs(offset_b - offset_a), dashes_a[0])
    assert np.isclose(dashes_a[1], dashes_a[0])  # on as long as off: half each
    assert c.get_linestyle() == "-"
    np.testing.assert_array_equal(a.get_xydata(), b.get_xydata()[[0, 2, 3]])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a = b (0.8333)", "c (0.6667)"]
    # one entry per curve shape
    handles = ax.get_legend().legend_handles
    assert len(handles) == 2
