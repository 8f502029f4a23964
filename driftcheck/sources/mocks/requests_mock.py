"""requests-mock: mocks for `requests`.

requests_mock.get(url, json=..., status_code=404)     # the plugin's fixture
m.get(url, text=json.dumps(...))     # `with requests_mock.Mocker() as m`, or the
                                     # argument `@requests_mock.Mocker()` passes
m.register_uri("GET", url, json=..., status_code=...) # and m.request(method, url, ...)
m.get(url, [{"json": ..., "status_code": 200}, {"status_code": 500}])  # a response list
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace

from driftcheck.sources.mocks import strings
from driftcheck.sources.mocks.base import (
    VERBS,
    Body,
    Found,
    Site,
    argument,
    body_of,
    call_name,
    found,
    library_call,
    method_of,
    status_of,
    url_of,
)
from driftcheck.sources.mocks.scopes import Scope

LIBRARY = "requests-mock"
DATA = ("json",)
TEXT = ("text", "content", "body")


def extract(node: ast.AST, site: Site) -> Iterator[Found]:
    matched = library_call(node, site, LIBRARY, VERBS | {"register_uri", "request"})
    if matched is None:
        return
    call, name, where = matched
    scope = site.scope
    shift = 0 if name in VERBS else 1
    method = name.upper() if name in VERBS else method_of(argument(call, 0, "method"), scope)
    url_node = argument(call, shift, "url")
    url = (None, False) if _is_any(url_node) else url_of(url_node, scope, where)
    entries = _response_list(argument(call, shift + 1, "response_list"), scope)
    if entries is None:
        yield _one(call, scope, call, scope, method, url)
        return
    for index, (entry, entry_scope) in enumerate(entries):
        one = _one(call, scope, entry, entry_scope, method, url)
        yield replace(one, name=f"{call_name(call, scope)}[{index}]")


def _one(
    at: ast.Call,
    scope: Scope,
    stated: ast.Call,
    stated_scope: Scope,
    method: str | None,
    url: tuple[str | None, bool],
) -> Found:
    body: Body | str | None
    if argument(stated, None, "exc") is not None:
        body = "the mock raises an exception instead of answering"
    else:
        body = body_of(stated, stated_scope, data=DATA, text=TEXT)
    return found(
        LIBRARY,
        at,
        scope,
        body,
        method=method,
        url=url,
        status=status_of(argument(stated, None, "status_code"), stated_scope),
    )


def _response_list(node: ast.expr | None, scope: Scope) -> list[tuple[ast.Call, Scope]] | None:
    """A response list's entries, each as a `dict(...)` call of its keys."""
    if node is None:
        return None
    node, scope = strings.follow(node, scope)
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    entries: list[tuple[ast.Call, Scope]] = []
    for element in node.elts:
        element, element_scope = strings.follow(element, scope)
        if isinstance(element, ast.Dict):
            element = _as_call(element)
        if isinstance(element, ast.Call):
            entries.append((element, element_scope))
    return entries


def _as_call(node: ast.Dict) -> ast.Call:
    """`{"json": X, "status_code": 200}` as `dict(json=X, status_code=200)`."""
    keywords = [
        ast.keyword(arg=str(key.value), value=value)
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    ]
    call = ast.Call(func=ast.Name(id="dict", ctx=ast.Load()), args=[], keywords=keywords)
    return ast.copy_location(call, node)


def _is_any(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "ANY"
