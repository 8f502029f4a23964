"""A mock's body as data, the same way for every library: a literal (names resolved,
through fixtures and imports), a JSON string (`json.dumps(LITERAL)`, `'{"id": 1}'`), or
the content of a data file the test loads. What is not data makes the mock `Skipped`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from driftcheck import jsonio
from driftcheck.core.mocks import Mock, Skipped
from driftcheck.core.model import Fixture, Location, Opaque
from driftcheck.errors import FixtureError
from driftcheck.sources.mocks import strings
from driftcheck.sources.mocks.base import Body, Found
from driftcheck.sources.mocks.datafiles import Load, data_load, locate, read_data, text_read
from driftcheck.sources.mocks.literals import JSON_DUMPS, Evaluator
from driftcheck.sources.mocks.names import resolve
from driftcheck.sources.mocks.repository import Repository
from driftcheck.sources.mocks.scopes import Module, Scope, Target, qualified

MAX_HOPS = 32
Payload = tuple[Fixture, str | None]  # the payload, and the fixture it was read through


@dataclass
class Context:
    """One module's reading: where data files are found, the loads already read as a
    mock's body (so they are not reported again on their own), and the notes so far."""

    module: Module
    repository: Repository | None
    consumed: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    @property
    def root(self) -> Path | None:
        return self.repository.root if self.repository is not None else None


def finish(found: Found, context: Context) -> Mock | Skipped:
    """The mock an extractor found, with its body read; Skipped when it is not data."""
    label = context.module.label
    location = Location(label, getattr(found.node, "lineno", 0))
    name = f"{label}::{found.name or ''}"
    reason = found.reason
    payload: Payload | str | None = None
    if reason is None and found.body is not None:
        payload = payload_of(found.body, context, name)
        reason = payload if isinstance(payload, str) else None
    if reason is not None or not isinstance(payload, tuple):
        return Skipped(
            location,
            found.library,
            reason or "no JSON body",
            name,
            method=found.method,
            url=found.url,
            status=found.status,
        )
    fixture, via = payload
    return Mock(
        fixture,
        found.library,
        location,
        method=found.method,
        url=found.url,
        url_regex=found.url_regex,
        status=found.status,
        patch_target=found.patch_target,
        test=test_name(found.scope),
        via_fixture=via,
    )


def test_name(scope: Scope) -> str | None:
    """The function a mock is set up in (a test, a fixture, a helper); None at top level."""
    current: Scope | None = scope
    while current is not None and current.function is None:
        current = current.parent
    return current.qualname if current is not None else None


def payload_of(body: Body, context: Context, name: str) -> Payload | str:
    """A body's data, or why it is not data."""
    if body.text:
        return _text(body.expr, body.scope, context, name)
    return _data(body.expr, body.scope, context, name)


def _data(expr: ast.expr, scope: Scope, context: Context, name: str) -> Payload | str:
    node, node_scope, via = expr, scope, None
    for _ in range(MAX_HOPS):
        load = data_load(node, node_scope)
        if load is not None:
            read = read_load(load, node_scope, context)
            return read if isinstance(read, str) else (read, via)
        if not isinstance(node, (ast.Name, ast.Attribute)):
            break
        found = resolve(node, node_scope)
        if not isinstance(found, Target):
            break
        via = via or found.fixture
        node, node_scope = found.expr, found.scope
    if node_scope.module is context.module:
        node, node_scope = expr, scope  # evaluate from the mock: its lines are this file's
    read = _literal(node, node_scope, context, name)
    return read if isinstance(read, str) else (read, via)


def _literal(expr: ast.expr, scope: Scope, context: Context, name: str) -> Fixture | str:
    home = scope.module
    evaluator = Evaluator(home)
    value = evaluator.evaluate(expr, scope)
    if isinstance(value, Opaque):
        return f"{value.what} is not data"
    context.notes.extend(
        f"{home.label}:{hole.line}: `{path}` in {name} is {hole.what}, not data; "
        "its type is not checked"
        for path, hole in evaluator.holes
    )
    return Fixture(value, home.label, expr.lineno, name, dict(evaluator.lines))


def _text(expr: ast.expr, scope: Scope, context: Context, name: str) -> Payload | str:
    """`json.dumps(LITERAL)` (and `.encode()`), a JSON string literal, a file's text."""
    node, node_scope = strings.follow(expr, scope)
    encoded = _method_named(node, "encode")
    if encoded is not None:
        node, node_scope = strings.follow(encoded, node_scope)
    dumped = _dumped(node, node_scope)
    if dumped is not None:
        return _data(dumped, node_scope, context, name)
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        try:
            value = jsonio.loads(node.value)  # depth-limited; refuses lone surrogates
        except jsonio.JSONDecodeError:
            return "the body is a string that is not JSON"
        label = node_scope.module.label
        return Fixture(value, label, node.lineno, name, {"$": node.lineno}), None
    path = text_read(node, node_scope)
    if path is not None and isinstance(node, ast.Call):
        read = read_load(Load(node, path, yaml=False), node_scope, context)
        return read if isinstance(read, str) else (read, None)
    return f"the body `{strings.placeholder(expr)}` is not JSON data"


def _method_named(node: ast.expr, name: str) -> ast.expr | None:
    """The object of `OBJECT.name(...)`, or None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.value if node.func.attr == name else None
    return None


def _dumped(node: ast.expr, scope: Scope) -> ast.expr | None:
    """X, of `json.dumps(X)`."""
    if isinstance(node, ast.Call) and node.args:
        return node.args[0] if qualified(node.func, scope.module) in JSON_DUMPS else None
    return None


def read_load(load: Load, scope: Scope, context: Context) -> Fixture | str:
    """The content of the file a load reads, or why it cannot be read."""
    context.consumed.add(id(load.node))
    if load.path is None:
        return "it loads a file whose path is not built from literals"
    file = locate(load.path, context.module, context.root)
    if file is None:
        return f"it loads `{load.path.as_posix()}`, which does not exist"
    label = context.repository.label(file) if context.repository is not None else str(file)
    try:
        return read_data(file, label, load.yaml)
    except FixtureError as error:
        return f"it loads {error}"
