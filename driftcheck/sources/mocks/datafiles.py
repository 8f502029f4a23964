"""Payloads a test loads from a JSON or YAML file through a literal path.

`json.loads(Path("tests/data/user.json").read_text())`, `json.load(open(os.path.join(HERE,
"user.json")))`, `with open(FIXTURES / "user.json") as f: json.load(f)`, and helpers such
as `load_fixture("user.json")` whose body does one of these with its parameter: the path
is evaluated from literals and `__file__`, the file is read as the test would read it
(JSON for `json.*`, YAML for `yaml.*`; a name without extension is sniffed as JSON), and
its content is the payload. Nothing is executed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path, PurePath

from driftcheck import jsonio
from driftcheck.core.model import Fixture
from driftcheck.errors import FixtureError
from driftcheck.sources import yamlsafe
from driftcheck.sources.mocks import strings
from driftcheck.sources.mocks.names import resolve
from driftcheck.sources.mocks.scopes import (
    FunctionNode,
    Module,
    Scope,
    Target,
    qualified,
    walk_body,
)
from driftcheck.sources.regular import NotReadable, is_regular, read_regular

JSON_FILE_LOADS = frozenset({"json.load", "orjson.load", "ujson.load", "simplejson.load"})
JSON_TEXT_LOADS = frozenset({"json.loads", "orjson.loads", "ujson.loads", "simplejson.loads"})
YAML_LOADS = frozenset({"yaml.safe_load", "yaml.load", "yaml.full_load", "yaml.unsafe_load"})
OPENS = frozenset({"open", "io.open", "codecs.open", "builtins.open"})
PATHS = frozenset({"pathlib.Path", "Path", "pathlib.PurePath", "PurePath", "os.path.join"})
SAME_PATH = frozenset(
    {"os.path.abspath", "os.path.realpath", "os.path.normpath", "str", "os.fspath"}
)
SAME_PATH_METHODS = frozenset({"resolve", "absolute", "expanduser"})
READS = frozenset({"read_text", "read_bytes", "read"})
MAX_HOPS = 32


@dataclass(frozen=True)
class Load:
    """A load of a data file: where it is, as the test builds the path, and how it is read."""

    node: ast.Call
    path: PurePath | None  # None: the path is not built from literals
    yaml: bool


def data_load(node: ast.expr, scope: Scope, depth: int = 0) -> Load | None:
    """The data-file load an expression is, or None when it is not one."""
    if not isinstance(node, ast.Call) or depth > 4:
        return None
    name = qualified(node.func, scope.module) or ""
    if name in JSON_FILE_LOADS | JSON_TEXT_LOADS | YAML_LOADS and node.args:
        reader = _file_read if name in JSON_FILE_LOADS else text_read
        source = node.args[0]
        path = reader(source, scope) if name not in YAML_LOADS else _yaml_source(source, scope)
        return Load(node, path, yaml=name in YAML_LOADS)
    helper = _helper(node, scope)
    if helper is None:
        return None
    function, inner = helper
    for child in walk_body(function.body):
        if isinstance(child, ast.Call):
            found = data_load(child, inner, depth + 1)
            if found is not None:
                return Load(node, found.path, found.yaml)
    return None


def _yaml_source(node: ast.expr, scope: Scope) -> PurePath | None:
    return _file_read(node, scope) or text_read(node, scope)


def text_read(node: ast.expr, scope: Scope) -> PurePath | None:
    """The file behind `P.read_text()`, `open(P).read()`, `f.read()`."""
    node, scope = strings.follow(node, scope)
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    if node.func.attr not in READS:
        return None
    base = node.func.value
    return path_of(base, scope) if node.func.attr != "read" else _file_read(base, scope)


def _file_read(node: ast.expr, scope: Scope) -> PurePath | None:
    """The file behind `open(P)`, `P.open()`, or a name bound to one (`with open(P) as f`)."""
    node, scope = strings.follow(node, scope)
    if not isinstance(node, ast.Call):
        return None
    if qualified(node.func, scope.module) in OPENS and node.args:
        return path_of(node.args[0], scope)
    if isinstance(node.func, ast.Attribute) and node.func.attr == "open":
        return path_of(node.func.value, scope)
    return None


def path_of(node: ast.expr, scope: Scope, hops: int = 0) -> PurePath | None:
    """The path an expression builds from literals, `__file__` and path operations."""
    if hops > MAX_HOPS:
        return None
    if isinstance(node, ast.Name) and node.id == "__file__":
        return scope.module.path
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left = path_of(node.left, scope, hops + 1)
        right = path_of(node.right, scope, hops + 1)
        return left / right if left is not None and right is not None else None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = path_of(node.value, scope, hops + 1)
        return inner.parent if inner is not None else None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
        return _parents(node, scope, hops)
    if isinstance(node, ast.Call):
        return _path_call(node, scope, hops)
    if isinstance(node, (ast.Name, ast.Attribute)):
        found = resolve(node, scope)
        if isinstance(found, Target):
            return path_of(found.expr, found.scope, hops + 1)
        return None
    text = strings.literal(node, scope)
    return PurePath(text) if text else None


def _parents(node: ast.Subscript, scope: Scope, hops: int) -> PurePath | None:
    """`Path(__file__).parents[1]`."""
    assert isinstance(node.value, ast.Attribute)
    index = node.slice
    if node.value.attr != "parents" or not isinstance(index, ast.Constant):
        return None
    inner = path_of(node.value.value, scope, hops + 1)
    if inner is None or not isinstance(index.value, int):
        return None
    parents = inner.parents
    return parents[index.value] if 0 <= index.value < len(parents) else None


def _path_call(node: ast.Call, scope: Scope, hops: int) -> PurePath | None:
    name = qualified(node.func, scope.module) or ""
    if name in PATHS or name == "os.path.dirname" or name in SAME_PATH:
        parts = [path_of(argument, scope, hops + 1) for argument in node.args]
        if not parts or any(part is None for part in parts):
            return None
        joined = PurePath(*(part for part in parts if part is not None))
        return joined.parent if name == "os.path.dirname" else joined
    if isinstance(node.func, ast.Attribute):
        method = node.func.attr
        base = path_of(node.func.value, scope, hops + 1) if method != "format" else None
        if method in SAME_PATH_METHODS and base is not None:
            return base
        if method == "joinpath" and base is not None:
            parts = [path_of(argument, scope, hops + 1) for argument in node.args]
            if all(part is not None for part in parts):
                return base.joinpath(*(part for part in parts if part is not None))
            return None
    text = strings.literal(node, scope)
    return PurePath(text) if text else None


def _helper(node: ast.Call, scope: Scope) -> tuple[FunctionNode, Scope] | None:
    """A function of the repository called with literals, its parameters bound to them."""
    if not isinstance(node.func, ast.Name):
        return None
    function, owner = _function_named(node.func.id, scope)
    if function is None or owner is None:
        return None
    inner = owner.module.scopes.get(id(function))
    if inner is None:
        return None
    bound = Scope(inner.qualname, inner.parent, inner.module, function)
    bound.assigns, bound.attrs, bound.hidden = inner.assigns, inner.attrs, inner.hidden
    bound.params = inner.params
    bound.bound = _arguments(function, node, scope)
    return function, bound


def _function_named(name: str, scope: Scope) -> tuple[FunctionNode | None, Scope | None]:
    current: Scope | None = scope
    while current is not None:
        if name in current.functions:
            return current.functions[name], current
        current = current.parent
    importer = scope.module.importer
    imported = scope.module.imports.get(name)
    if importer is None or imported is None:
        return None, None
    other = importer.module_of(imported, scope.module)
    function_name = imported.rpartition(".")[2]
    if other is None or function_name not in other.top.functions:
        return None, None
    return other.top.functions[function_name], other.top


def _arguments(function: FunctionNode, call: ast.Call, scope: Scope) -> dict[str, Target]:
    arguments = function.args
    positional = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
    bound: dict[str, Target] = {}
    defaults = arguments.defaults
    for name, default in zip(positional[len(positional) - len(defaults) :], defaults, strict=True):
        bound[name] = Target(default, scope.module.scopes.get(id(function), scope))
    for name, value in zip(positional, call.args, strict=False):
        bound[name] = Target(value, scope)
    for keyword in call.keywords:
        if keyword.arg is not None:
            bound[keyword.arg] = Target(keyword.value, scope)
    return bound


def locate(path: PurePath, module: Module, root: Path | None) -> Path | None:
    """The file a relative path means: beside the test module, else under the root
    (a test run from the repository root opens `tests/data/user.json` there)."""
    candidates = [Path(path)]
    if not path.is_absolute():
        folders = [module.path.parent] if module.path is not None else []
        candidates = [folder / path for folder in [*folders, *([root] if root else [])]]
    return next((c for c in candidates if is_regular(c)), None)


def read_data(file: Path, label: str, yaml: bool) -> Fixture:
    """The payload a data file holds, read as the test reads it."""
    from driftcheck.sources import fixtures  # fixtures.py imports this package: not at load

    try:
        text = read_regular(file)  # a FIFO is refused, never opened blocking
    except NotReadable as error:
        raise FixtureError(label, str(error)) from None
    if yaml or file.suffix == ".json":
        return fixtures.data_fixture(text, label)
    try:
        value = jsonio.loads(text)  # no extension, or an odd one: the test reads it as JSON
    except jsonio.JSONDecodeError as error:
        raise FixtureError(
            label, f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    lines = yamlsafe.line_map(text) if len(text) < 1_000_000 else {}
    return Fixture(fixtures.jsonable(value, label), label, lines.get("$", 1), label, lines)
