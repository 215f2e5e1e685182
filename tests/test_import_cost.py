"""Start-up cost: importing tunestats, the CLI and the report, and running the analyses,
never imports scipy.stats (most of a second to import; the Halton sampler of the runner
is the one user, and imports it where it samples)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=300, check=False)


def test_imports_leave_scipy_stats_unloaded():
    done = _run("""
        import sys
        import tunestats, tunestats.cli.main, tunestats.report.figures
        assert "scipy.stats" not in sys.modules, "scipy.stats imported at start"
        print("ok")
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_analysis_path_leaves_scipy_stats_unloaded(tmp_path):
    # the synthetic study samples its space (the Halton sampler): made in its own process
    made = _run(f"""
        import tunestats
        from tunestats.synthetic import synthetic_study
        tunestats.save_study(synthetic_study(n_trials=24, seed=3), {str(tmp_path / "s")!r})
    """)
    assert made.returncode == 0, made.stderr
    done = _run(f"""
        import sys
        import numpy as np
        import tunestats
        from tunestats.analysis.boundary import boundary_sides
        from tunestats.kernels.permutation import screen_bound

        study = tunestats.load_study({str(tmp_path / "s")!r})
        check = tunestats.check_space(study)
        frame = tunestats.best_of_k(study, confidence=0.9)
        assert frame["ci_low"].notna().any(), "no band was computed"
        # a best trial at the high edge with a downward trend: the Kendall test runs
        t = np.linspace(0.0, 1.0, 40)
        sides = boundary_sides(t, 1.0 - t + 0.01 * np.sin(7 * t), np.zeros(40, bool),
                               band=0.1, top_q=0.1, alpha=0.05)
        assert sides["high"].trend_p < 0.05, sides["high"]
        screen_bound(199, 0.05)
        assert "scipy.stats" not in sys.modules, "scipy.stats imported by an analysis"
        print("ok", type(check).__name__)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")


def test_sampling_a_space_still_works_with_the_lazy_import():
    done = _run("""
        import sys
        from tunestats import Param, SearchSpace
        space = SearchSpace([Param("lr", "log", low=1e-4, high=1.0)])
        points = space.unit_points([0, 1, 2], seed=0)
        assert points.shape == (3, 1) and ((0 <= points) & (points < 1)).all()
        assert "scipy.stats" in sys.modules
        print("ok")
    """)
    assert done.returncode == 0, done.stderr
