"""Which mocking library an object in a test is: `rsps`, `m`, `mocked`, `respx_mock`.

The same `m.get(url, ...)` means requests-mock, aioresponses or nothing at all, depending
on what `m` is bound to: `with requests_mock.Mocker() as m`, a `@requests_mock.Mocker()`
decorator passing it, a fixture (the plugin's own, or a conftest one that yields
`aioresponses()`), or the library module itself (`responses.get`). This module answers
that one question for every extractor.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from driftcheck.sources.mocks.names import find_fixture, is_local, lookup, resolve
from driftcheck.sources.mocks.scopes import (
    FunctionNode,
    Module,
    Param,
    Scope,
    Target,
    qualified,
    returned,
)

MODULES = {
    "responses": "responses",
    "responses.mock": "responses",
    "respx": "respx",
    "httpretty": "httpretty",
    "httpretty.HTTPretty": "httpretty",
    "httpretty.httpretty": "httpretty",
}
CONSTRUCTORS = {
    "responses.RequestsMock": "responses",
    "requests_mock.Mocker": "requests-mock",
    "requests_mock.mock": "requests-mock",
    "requests_mock.Adapter": "requests-mock",
    "requests_mock.mocker.Mocker": "requests-mock",
    "aioresponses.aioresponses": "aioresponses",
    "aioresponses.core.aioresponses": "aioresponses",
    "respx.mock": "respx",
    "respx.MockRouter": "respx",
    "respx.Router": "respx",
    "respx.HTTPXMock": "respx",
}
PLUGIN_FIXTURES = {
    "requests_mock": "requests-mock",
    "httpx_mock": "pytest-httpx",
    "respx_mock": "respx",
    "mocker": "pytest-mock",
}
# Fixture names real suites give a conftest fixture yielding the library's mock, used
# when the conftest is not at hand (a module read on its own).
CONVENTIONAL = {
    "responses_mock": "responses",
    "mocked_responses": "responses",
    "mock_responses": "responses",
    "rsps": "responses",
    "mock_aioresponse": "aioresponses",
    "mock_aioresponses": "aioresponses",
    "aioresponses_mock": "aioresponses",
    "aioresponses_mocker": "aioresponses",
    "aioresponses": "aioresponses",
}
PATCHES = frozenset({"unittest.mock.patch", "mock.patch", "patch"})
PATCH_OBJECTS = frozenset({"unittest.mock.patch.object", "mock.patch.object", "patch.object"})
MAX_HOPS = 16


@dataclass(frozen=True)
class Receiver:
    """A mocking library's object, and the base URL relative paths are joined to."""

    library: str
    base_url: ast.expr | None = None
    base_scope: Scope | None = None


def receiver(node: ast.expr, scope: Scope, hops: int = 0) -> Receiver | None:
    """The library an expression is (a module, a mock object), or None."""
    if hops > MAX_HOPS:
        return None
    if isinstance(node, ast.Call):
        return _constructed(node, scope)
    if isinstance(node, ast.Name):
        return _named(node, scope, hops)
    if isinstance(node, ast.Attribute):
        head: ast.expr = node
        while isinstance(head, ast.Attribute):
            head = head.value
        local = isinstance(head, ast.Name) and is_local(head.id, scope)
        name = qualified(node, scope.module)
        if name in MODULES and not local:
            return Receiver(MODULES[name])
        found = resolve(node, scope)
        if isinstance(found, Target):
            return receiver(found.expr, found.scope, hops + 1)
    return None


def _named(node: ast.Name, scope: Scope, hops: int) -> Receiver | None:
    """A name: the library's module, or what the name is bound to."""
    if not is_local(node.id, scope):
        library = MODULES.get(scope.module.imports.get(node.id, ""))
        if library is not None:
            return Receiver(library)
    found = lookup(node.id, node.lineno, scope)
    if isinstance(found, Param):
        return _parameter(found)
    if isinstance(found, Target):
        return receiver(found.expr, found.scope, hops + 1)
    return None


def _constructed(node: ast.Call, scope: Scope) -> Receiver | None:
    library = CONSTRUCTORS.get(qualified(node.func, scope.module) or "")
    if library is None:
        return None
    base = next((k.value for k in node.keywords if k.arg == "base_url"), None)
    return Receiver(library, base, scope if base is not None else None)


def _parameter(param: Param) -> Receiver | None:
    """A parameter: passed by a decorator, or a fixture (the module's, a conftest's,
    a plugin's), or named as suites name their mock fixtures."""
    function = param.scope.function
    if function is None:
        return None
    supplied = decorator_arguments(function, param.scope.module).get(param.name)
    if supplied is not None:
        node = supplied.func if isinstance(supplied, ast.Call) else supplied
        library = CONSTRUCTORS.get(qualified(node, param.scope.module) or "")
        return Receiver(library) if library is not None else None
    fixture = find_fixture(param.name, param.scope.module)
    if fixture is not None:
        value = returned(fixture.node)
        return receiver(value, fixture.scope) if value is not None else None
    library = PLUGIN_FIXTURES.get(param.name) or CONVENTIONAL.get(param.name)
    if library == "respx":
        return _respx_fixture(param.scope)
    return Receiver(library) if library is not None else None


def _respx_fixture(scope: Scope) -> Receiver:
    """respx's `respx_mock` fixture, with the base URL of a `respx` marker or decorator."""
    current: Scope | None = scope
    while current is not None:
        node = current.node
        decorators = node.decorator_list if hasattr(node, "decorator_list") else []
        marks = [*decorators, *_pytestmark(current)]
        for mark in marks:
            name = qualified(mark.func, current.module) if isinstance(mark, ast.Call) else None
            if name in {"pytest.mark.respx", "respx.mock"} and isinstance(mark, ast.Call):
                base = next((k.value for k in mark.keywords if k.arg == "base_url"), None)
                if base is not None:
                    return Receiver("respx", base, current.parent or current)
        current = current.parent
    return Receiver("respx")


def _pytestmark(scope: Scope) -> list[ast.expr]:
    marks = scope.assigns.get("pytestmark", [])
    found: list[ast.expr] = []
    for value in marks:
        found.extend(value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value])
    return found


def decorator_arguments(function: FunctionNode, module: Module) -> dict[str, ast.expr]:
    """The parameters decorators fill (`@patch(...)`, `@requests_mock.Mocker()`,
    `@aioresponses()`), each with the decorator that fills it.

    Stacked patches pass their mocks bottom first; each other decorator wraps what is
    below it, so the outermost one's argument comes first among the extra arguments.
    """
    groups: list[list[ast.expr]] = []
    keywords: dict[str, ast.expr] = {}
    stacking = False
    for decorator in reversed(function.decorator_list):
        kind, keyword = _supplies(decorator, module)
        if kind == "patch":
            if stacking:
                groups[-1].append(decorator)
            else:
                groups.append([decorator])
            stacking = True
        elif kind == "mock" and keyword is not None:
            keywords[keyword] = decorator
            stacking = False
        elif kind == "mock":
            groups.append([decorator])
            stacking = False
        elif kind != "mark":
            stacking = False
    extra = [decorator for group in reversed(groups) for decorator in group]
    arguments = function.args
    positional = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
    supplied = dict(zip(positional[len(positional) - len(extra) :], extra, strict=False))
    return {**supplied, **keywords} if extra else keywords


def _supplies(decorator: ast.expr, module: Module) -> tuple[str | None, str | None]:
    """What a decorator passes: a patch's mock, a library mock (by keyword or not)."""
    node = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = qualified(node, module) or ""
    if name.startswith("pytest.mark."):
        return "mark", None
    call = decorator if isinstance(decorator, ast.Call) else None
    if name in PATCHES and call is not None:
        given_new = len(call.args) > 1 or _has(call, "new")
        return ("patch" if not given_new else None), None
    if name in PATCH_OBJECTS and call is not None:
        return ("patch" if len(call.args) < 3 and not _has(call, "new") else None), None
    if CONSTRUCTORS.get(name) in {"requests-mock", "aioresponses"}:
        keyword = next(
            (k.value for k in (call.keywords if call else []) if k.arg in {"kw", "param"}), None
        )
        if isinstance(keyword, ast.Constant) and isinstance(keyword.value, str):
            return "mock", keyword.value
        return "mock", None
    return None, None


def _has(call: ast.Call, keyword: str) -> bool:
    return any(k.arg == keyword for k in call.keywords)
