"""httpretty: socket-level mocks, for any client.

httpretty.register_uri(httpretty.GET, url, body=json.dumps(...), status=404)
HTTPretty.register_uri(HTTPretty.GET, url, '{"id": 1}')    # the old spelling
register_uri(GET, url, ...)                                # imported from httpretty
httpretty.register_uri(GET, url, responses=[httpretty.Response(body=..., status=...)])
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace

from driftcheck.sources.mocks import strings
from driftcheck.sources.mocks.base import (
    Body,
    Found,
    Site,
    argument,
    body_of,
    call_name,
    found,
    is_callback,
    method_of,
    status_of,
    url_of,
)
from driftcheck.sources.mocks.scopes import Scope, qualified

LIBRARY = "httpretty"
FUNCTIONS = frozenset({"httpretty.register_uri", "httpretty.core.httpretty.register_uri"})
RESPONSES = frozenset({"httpretty.Response", "httpretty.core.Entry", "httpretty.Entry"})


def extract(node: ast.AST, site: Site) -> Iterator[Found]:
    if not isinstance(node, ast.Call) or not _is_register(node, site):
        return
    scope = site.scope
    method = method_of(argument(node, 0, "method"), scope)
    url = url_of(argument(node, 1, "uri"), scope)
    listed = argument(node, None, "responses")
    entries = _entries(listed, scope) if listed is not None else None
    if entries is None:
        yield _one(node, scope, node, scope, 2, method, url)
        return
    for index, (entry, entry_scope) in enumerate(entries):
        one = _one(node, scope, entry, entry_scope, 0, method, url)
        yield replace(one, name=f"{call_name(node, scope)}[{index}]")


def _is_register(call: ast.Call, site: Site) -> bool:
    if isinstance(call.func, ast.Attribute) and call.func.attr == "register_uri":
        where = site.receiver(call.func.value)
        return where is not None and where.library == LIBRARY
    return qualified(call.func, site.module) in FUNCTIONS


def _one(
    at: ast.Call,
    scope: Scope,
    stated: ast.Call,
    stated_scope: Scope,
    body_at: int,
    method: str | None,
    url: tuple[str | None, bool],
) -> Found:
    body: Body | str | None = body_of(stated, stated_scope, data=(), text=("body",))
    positional = argument(stated, body_at, "_no_keyword")
    if body is None and positional is not None:
        callback = is_callback(positional, stated_scope)
        body = (
            "the body is a callback, not data" if callback else Body(positional, stated_scope, True)
        )
    status = status_of(argument(stated, None, "status"), stated_scope)
    return found(LIBRARY, at, scope, body, method=method, url=url, status=status)


def _entries(node: ast.expr, scope: Scope) -> list[tuple[ast.Call, Scope]] | None:
    node, scope = strings.follow(node, scope)
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    entries = []
    for element in node.elts:
        element, element_scope = strings.follow(element, scope)
        if isinstance(element, ast.Call) and qualified(element.func, scope.module) in RESPONSES:
            entries.append((element, element_scope))
    return entries
