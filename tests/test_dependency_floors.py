"""The dependency floors in pyproject.toml are true: each is at least what the code needs.

Each entry of ``NEEDS`` names a use in the code (a pattern searched in the source), the
first release of the package that supports it, and why. The test finds every use that
is still in the code and checks that pyproject's floor admits no older release; a use
that disappears from the code is reported as stale, so the table stays honest.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]

#: (package, first version that has it, pattern in the source, why)
NEEDS = [
    ("scipy", "1.15", r"qmc\.Halton\([^)]*\brng=", "the `rng` keyword of qmc samplers (SPEC 7) "
     "arrived in SciPy 1.15; older releases reject it"),
    ("pyarrow", "14.0.1", r"import pyarrow", "14.0.0 and older deserialise untrusted IPC/Parquet "
     "data unsafely (CVE-2023-47248), fixed in 14.0.1"),
    ("pandas", "2.1", r"from_codes\((?:[^()]|\([^()]*\))*validate=", "Categorical.from_codes(validate=...) is "
     "new in pandas 2.1"),
    ("numpy", "1.24", r"np\.random\.SeedSequence|default_rng", "Generator API; 1.24 is the "
     "oldest numpy that the other floors (pandas 2.1) accept"),
]


def floors() -> dict[str, Version]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    out = {}
    for text in requirements:
        req = Requirement(text)
        for spec in req.specifier:
            if spec.operator == ">=":
                out[req.name.split("[")[0].lower()] = Version(spec.version)
    return out


def sources() -> str:
    return "\n".join(path.read_text(encoding="utf-8")
                     for folder in ("tunestats", "runner") for path in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize(("package", "version", "pattern", "why"), NEEDS,
                         ids=[need[0] for need in NEEDS])
def test_floor_admits_no_release_without_what_the_code_uses(package, version, pattern, why):
    assert re.search(pattern, sources()), f"stale entry: the code no longer matches {pattern!r}"
    floor = floors().get(package)
    assert floor is not None, f"pyproject.toml declares no floor for {package}"
    assert floor >= Version(version), f"{package}>={floor} but the code needs {version}: {why}"


def test_the_installed_packages_satisfy_every_floor():
    for package, floor in floors().items():
        try:
            installed = Version(metadata.version(package))
        except metadata.PackageNotFoundError:
            continue  # an extra that is not installed here
        assert installed >= floor, f"{package} {installed} is older than its floor {floor}"
