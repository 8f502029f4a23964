"""The folders are the layers: each imports only the layers below it, every third-party
library has one home, and ARCHITECTURE.md names only modules that exist."""

from __future__ import annotations

import ast
import fnmatch
import re
import subprocess
import sys
from pathlib import Path

import pytest

import driftcheck

PACKAGE = Path(driftcheck.__file__).parent
REPOSITORY = PACKAGE.parent
LEAVES = {"errors", "files", "jsonio"}  # top-level modules that import no layer

# What each part of the package may import from driftcheck itself (beside itself).
LAYERS: dict[str, set[str]] = {
    "errors": set(),
    "stops": {"errors"},  # the program's signal handling, taken by __main__ only
    "files": {"errors"},
    "jsonio": set(),
    "core": {"errors"},
    "config": {"core", "errors", "config_spec", "config_checks"},
    "config_checks": {"core", "errors", "config_spec"},
    "config_spec": {"core", "errors"},
    "sources": {"core", "errors", "config", "files", "jsonio"},
    "record": {"core", "errors", "config", "files", "jsonio"},
    "reporting": {"core", "jsonio"},
    "run": {"core", "sources", "record", "errors", "config", "config_checks", "files", "jsonio",
            "demo"},
    "demo": {"core", "errors", "config", "run"},  # the demo app, and a script over `run`
    "cli": {"core", "sources", "record", "run", "reporting", "errors", "config", "config_spec",
            "files", "jsonio", "stops"},
    "pytest_plugin": {"core", "sources", "run", "errors", "config"},
    "__main__": {"cli", "stops"},
    "__init__": set(),
}  # fmt: skip

# Each third-party library, and the one module or folder that may import it.
HOMES = {
    "deepdiff": "core/compare.py",
    "vcr": "record/writer.py",
    "yaml": "sources/yamlsafe.py",
    "requests": "record/recorder.py",
    "orjson": "jsonio.py",
    "brotli": "sources/bodies.py",
    "click": "cli/",
    "rich": "reporting/",
    "werkzeug": "demo/app.py",
    "referencing": "sources/openapi_refs.py",
    "pytest": "pytest_plugin.py",
    "tomllib": "config.py",
    "tomli": "config.py",
}
FORBIDDEN_IN_CORE = {"os", "pathlib", "io", "socket", "subprocess", "shutil", "tempfile"}


def _imports(path: Path) -> set[str]:
    """Every absolute module name `path` imports, at any depth of the file."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _part(module: str) -> str:
    """`driftcheck.core.shape` -> `core`; `driftcheck.config` -> `config`."""
    return module.split(".")[1]


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _layer_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def test_every_module_belongs_to_a_layer() -> None:
    assert {_layer_of(path) for path in _modules()} <= set(LAYERS)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_layers_point_one_way(path: Path) -> None:
    layer = _layer_of(path)
    used = {
        _part(name)
        for name in _imports(path)
        if name.startswith("driftcheck.") and name.count(".") >= 1
    }
    modules = {_part(name) for name in _imports(path) if name.startswith("driftcheck.")}
    assert (used | modules) - {layer} - LAYERS[layer] - {"__version__"} == set()


@pytest.mark.parametrize("dependency", sorted(HOMES))
def test_each_dependency_has_one_home(dependency: str) -> None:
    users = {
        path.relative_to(PACKAGE).as_posix()
        for path in _modules()
        if any(name == dependency or name.startswith(dependency + ".") for name in _imports(path))
    }
    home = HOMES[dependency]
    assert {user for user in users if not user.startswith(home)} == set()


def test_core_does_no_io() -> None:
    for path in (PACKAGE / "core").rglob("*.py"):
        roots = {name.split(".")[0] for name in _imports(path)}
        assert roots & (FORBIDDEN_IN_CORE | set(HOMES) - {"deepdiff"}) == set(), path.name


def test_only_the_front_ends_use_run_and_reporting() -> None:
    users = {
        _layer_of(path)
        for path in _modules()
        if any(
            _part(n) in {"run", "reporting"} for n in _imports(path) if n.startswith("driftcheck.")
        )
    }
    assert users <= {"cli", "run", "reporting", "pytest_plugin", "demo"}
    reporting_users = {
        _layer_of(path)
        for path in _modules()
        if any(n.startswith("driftcheck.reporting") for n in _imports(path))
    }
    assert reporting_users <= {"cli", "reporting"}


def test_modules_stay_small() -> None:
    sizes = {p.relative_to(PACKAGE).as_posix(): len(p.read_text().splitlines()) for p in _modules()}
    assert {name: n for name, n in sizes.items() if n > 400} == {}


def test_architecture_names_only_modules_that_exist() -> None:
    """ARCHITECTURE.md is how a reader finds code: every module it names must be there."""
    text = (REPOSITORY / "ARCHITECTURE.md").read_text()
    named = set(re.findall(r"`((?:[a-z_]+/)*[a-z_]+\.py)`", text))
    assert named
    missing = {
        name
        for name in named
        if not (PACKAGE / name).is_file() and not (REPOSITORY / name).is_file()
    }
    assert missing == set()
    documented = {Path(name).as_posix() for name in named}
    undocumented = {
        path.relative_to(PACKAGE).as_posix()
        for path in _modules()
        if path.name != "__init__.py" and path.relative_to(PACKAGE).as_posix() not in documented
    }
    assert undocumented == set()


def test_every_data_file_in_the_package_ships() -> None:
    """Files that are not Python reach a wheel only through `package-data`."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    pyproject = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["driftcheck"]
    data = {
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"}
    }
    assert data
    assert {f for f in data if not any(fnmatch.fnmatch(f, pat) for pat in patterns)} == set()


def test_the_cli_starts_without_rich_requests_or_deepdiff() -> None:
    """Every `diff --format json` in CI starts a fresh interpreter: what it imports and
    does not use is paid on every push. rich, requests and deepdiff load only when used."""
    probe = (
        "import sys, driftcheck.cli.app; "
        "print(sorted({'rich', 'requests', 'deepdiff'} & set(sys.modules)))"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
