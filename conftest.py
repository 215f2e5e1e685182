"""Collection rules for the whole repository (pytest reads this before any test).

The runner's docstring examples need torch (the ``runner`` extra); without it the
``runner/`` folder is not collected, as ``tests/runner/`` is not (its conftest).
"""

import importlib.util

collect_ignore = [] if importlib.util.find_spec("torch") else ["runner"]
