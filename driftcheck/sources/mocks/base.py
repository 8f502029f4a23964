"""The one interface every library's extractor has, and the helpers they share.

An extractor is a function `(node, site) -> Found...`: it is shown every node of a test
module with the scope it is evaluated in, and yields each mock it recognises — the
library, the method, URL and status the test states, and the expression of the body
(evaluated later, the same way for every library). A mock whose body is not data
(a callback, an exception) is yielded with a `reason`, never dropped.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from driftcheck.sources.mocks import strings
from driftcheck.sources.mocks.names import resolve
from driftcheck.sources.mocks.receivers import Receiver, receiver
from driftcheck.sources.mocks.scopes import Module, Scope, Target, qualified

VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})


@dataclass(frozen=True)
class Body:
    """The expression a payload is; `text` when it is a string holding JSON."""

    expr: ast.expr
    scope: Scope
    text: bool = False


@dataclass(frozen=True)
class Found:
    """A mock as an extractor read it; the body is evaluated by the reader."""

    library: str
    node: ast.AST  # where the mock is set up
    scope: Scope
    body: Body | None
    method: str | None = None
    url: str | None = None
    url_regex: bool = False
    status: int | None = None
    patch_target: str | None = None
    name: str | None = None  # `test.mock_get.return_value.json.return_value`
    reason: str | None = None  # why the body is not data (a callback, an exception)


@dataclass
class Site:
    """Where an extractor looks: the module, the scope, and the nodes already read as
    part of another mock (an `httpx.Response` inside a respx route)."""

    module: Module
    scope: Scope
    consumed: set[int] = field(default_factory=set)

    def receiver(self, node: ast.expr) -> Receiver | None:
        return receiver(node, self.scope)


Extractor = Callable[[ast.AST, Site], Iterator[Found]]


def argument(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    """An argument given by keyword, or at a position."""
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    if position is not None and position < len(call.args):
        found = call.args[position]
        return None if isinstance(found, ast.Starred) else found
    return None


def method_call(node: ast.AST) -> tuple[ast.Call, ast.expr, str] | None:
    """`owner.name(...)` as (call, owner, name)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node, node.func.value, node.func.attr
    return None


LibraryCall = tuple[ast.Call, str, Receiver]


def library_call(
    node: ast.AST, site: Site, library: str, names: AbstractSet[str]
) -> LibraryCall | None:
    """`owner.name(...)` where `name` is one of `names` and `owner` is an object of
    `library` (`rsps`, `m`, a fixture): the call, the name and the receiver, else None."""
    parts = method_call(node)
    if parts is None or parts[2] not in names:
        return None
    call, owner, name = parts
    where = site.receiver(owner)
    if where is None or where.library != library:
        return None
    return call, name, where


def status_of(node: ast.expr | None, scope: Scope, default: int | None = 200) -> int | None:
    """The status a mock states, or the library's default when it states none."""
    return default if node is None else strings.status(node, scope)


def method_of(node: ast.expr | None, scope: Scope, default: str | None = None) -> str | None:
    return default if node is None else strings.method(node, scope)


def url_of(
    node: ast.expr | None, scope: Scope, where: Receiver | None = None
) -> tuple[str | None, bool]:
    """A mock's URL (joined to the receiver's base URL when relative) and whether it is
    a regular expression."""
    if node is None:
        return None, False
    text, regex = strings.url(node, scope)
    relative = not regex and "://" not in text
    if relative and where is not None and where.base_url is not None and where.base_scope:
        base = strings.template(where.base_url, where.base_scope)
        text = base.rstrip("/") + "/" + text.lstrip("/")
    return text, regex


def is_callback(node: ast.expr, scope: Scope) -> bool:
    """A body given as a function the library calls per request: not data."""
    if isinstance(node, ast.Lambda):
        return True
    if isinstance(node, ast.Name):
        if isinstance(resolve(node, scope), Target):
            return False
        current: Scope | None = scope
        while current is not None:
            if node.id in current.functions:
                return True
            current = current.parent
    return False


def body_of(
    call: ast.Call, scope: Scope, data: tuple[str, ...], text: tuple[str, ...]
) -> Body | str | None:
    """The body a call gives: a data keyword (`json=`), else a text one holding JSON
    (`body=json.dumps(...)`); a reason when it is a callback; None when there is none."""
    for keyword in call.keywords:
        if keyword.arg in data or keyword.arg in text:
            if is_callback(keyword.value, scope):
                return f"`{keyword.arg}=` is a callback, not data"
            if isinstance(keyword.value, ast.Constant) and keyword.value.value in {"", b"", None}:
                continue
            return Body(keyword.value, scope, text=keyword.arg in text)
    return None


def call_name(call: ast.Call, scope: Scope) -> str:
    """How a mock call is named: `test_user.responses.add@12`."""
    return scope.name(f"{strings.placeholder(call.func)}@{call.lineno}")


def found(
    library: str,
    call: ast.Call,
    scope: Scope,
    body: Body | str | None,
    *,
    method: str | None = None,
    url: tuple[str | None, bool] = (None, False),
    status: int | None = None,
) -> Found:
    """A Found for a call, with a reason when its body is a callback or missing."""
    reason = body if isinstance(body, str) else None
    if body is None:
        reason = "no JSON body"
    return Found(
        library,
        call,
        scope,
        body if isinstance(body, Body) else None,
        method=method,
        url=url[0],
        url_regex=url[1],
        status=status,
        name=call_name(call, scope),
        reason=reason,
    )


HTTPX_RESPONSES = frozenset({"httpx.Response", "respx.MockResponse"})


def httpx_response(node: ast.expr, scope: Scope) -> tuple[ast.Call, Scope] | None:
    """The `httpx.Response(...)` an expression is (through names), or None."""
    node, scope = strings.follow(node, scope)
    if isinstance(node, ast.Call) and qualified(node.func, scope.module) in HTTPX_RESPONSES:
        return node, scope
    return None


def httpx_stated(call: ast.Call, scope: Scope) -> tuple[int | None, Body | str | None]:
    """The status and body an `httpx.Response(200, json=...)` states."""
    status = status_of(argument(call, 0, "status_code"), scope)
    return status, body_of(call, scope, data=("json",), text=("text", "content", "html"))
