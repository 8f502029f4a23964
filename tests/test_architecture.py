"""Layers point one way: the pure core imports no I/O or presentation library."""

from __future__ import annotations

import ast
import fnmatch
import subprocess
import sys
from pathlib import Path

import pytest

import driftcheck

PACKAGE = Path(driftcheck.__file__).parent
CORE = ["model.py", "shape.py", "compare.py", "rules.py", "endpoints.py", "mocks.py", "variants.py"]
FORBIDDEN_IN_CORE = {"click", "rich", "requests", "vcr", "yaml", "os", "pathlib", "io", "socket"}
HOMES = {"deepdiff": set(), "vcr": {"cassettes.py"}, "yaml": {"yamlsafe.py"}}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("module", CORE)
def test_core_is_pure(module: str) -> None:
    assert imported_modules(PACKAGE / module) & FORBIDDEN_IN_CORE == set()


@pytest.mark.parametrize("dependency", sorted(HOMES))
def test_each_dependency_has_one_home(dependency: str) -> None:
    users = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if dependency in imported_modules(path)
    }
    assert users <= HOMES[dependency]


def test_rich_only_in_reporting() -> None:
    users = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "rich" in imported_modules(path)
    }
    assert users
    assert all(user.startswith("reporting/") for user in users)


def test_modules_stay_small() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in PACKAGE.rglob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 400} == {}


def test_every_data_file_in_the_package_ships() -> None:
    """Files that are not Python reach a wheel only through `package-data`."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    pyproject = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["driftcheck"]
    data = {
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"}
    }
    assert data
    assert {f for f in data if not any(fnmatch.fnmatch(f, pat) for pat in patterns)} == set()


def test_the_cli_starts_without_rich_or_requests() -> None:
    """Every `diff --format json` in CI starts a fresh interpreter: what it imports and
    does not use is paid on every push. rich and requests load only when used."""
    probe = "import sys, driftcheck.cli; print(sorted({'rich', 'requests'} & set(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
