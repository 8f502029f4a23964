"""respx: mocks for `httpx`, as routes with a response.

respx.get(url).mock(return_value=httpx.Response(200, json=...))
respx_mock.get(url).respond(404, json=...)          # the plugin's fixture
respx.route(method="GET", url=...).mock(side_effect=[httpx.Response(...), ...])
respx.get(url) % httpx.Response(...)  /  % dict(json=...)  /  % 204
route = respx.get(url); route.return_value = httpx.Response(...)
with respx.mock(base_url="https://x") as mock: mock.get("/users")  # relative paths
@pytest.mark.respx(base_url="https://x") def test(respx_mock): ...
respx.get(url__regex=r"...")                        # a regular expression
"""

from __future__ import annotations

import ast
import re
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
    found,
    httpx_response,
    httpx_stated,
    method_call,
    method_of,
    status_of,
    url_of,
)
from driftcheck.sources.mocks.receivers import Receiver, receiver
from driftcheck.sources.mocks.scopes import Scope

LIBRARY = "respx"
ROUTES = VERBS | {"route", "request"}
Stated = tuple[int | None, Body | str | None]  # a response's status and body


def extract(node: ast.AST, site: Site) -> Iterator[Found]:
    route: tuple[ast.Call, Scope, Receiver] | None = None
    responses: list[Stated] = []
    parts = method_call(node)
    if parts is not None and parts[2] in {"mock", "respond"}:
        call, owner, name = parts
        route = _route(owner, site.scope)
        if route is not None:
            responses = _mocked(call, site) if name == "mock" else [_respond(call, site.scope)]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        route = _route(node.left, site.scope)
        if route is not None:
            responses = _modulo(node.right, site)
    elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Attribute):
        target = node.targets[0]
        route = _route(target.value, site.scope) if target.attr in _SETTERS else None
        if route is not None:
            responses = _side_effect(node.value, site, _SETTERS[target.attr])
    if route is None:
        return
    method, url = _route_values(*route)
    name = site.scope.name(f"{strings.placeholder(route[0].func)}@{getattr(node, 'lineno', 0)}")
    for index, (status, body) in enumerate(responses):
        one = found(LIBRARY, route[0], site.scope, body, method=method, url=url, status=status)
        suffix = f"[{index}]" if len(responses) > 1 else ""
        yield replace(one, node=node, name=name + suffix)


_SETTERS = {"return_value": "return_value", "side_effect": "side_effect"}


def _route(node: ast.expr, scope: Scope) -> tuple[ast.Call, Scope, Receiver] | None:
    """The route creation an expression is: `respx.get(url)`, `mock.route(...)`."""
    node, scope = strings.follow(node, scope)
    parts = method_call(node)
    if parts is None or parts[2] not in ROUTES:
        return None
    call, owner, _ = parts
    where = receiver(owner, scope)
    if where is None or where.library != LIBRARY:
        return None
    return call, scope, where


def _route_values(
    call: ast.Call, scope: Scope, where: Receiver
) -> tuple[str | None, tuple[str | None, bool]]:
    assert isinstance(call.func, ast.Attribute)
    verb = call.func.attr
    if verb in VERBS:
        method: str | None = verb.upper()
        url_node = argument(call, 0, "url")
    elif verb == "request":
        method, url_node = method_of(argument(call, 0, "method"), scope), argument(call, 1, "url")
    else:
        method, url_node = (
            method_of(argument(call, None, "method"), scope),
            argument(call, 0, "url"),
        )
    if url_node is not None:
        return method, url_of(url_node, scope, where)
    return method, _pattern(call, scope, where)


def _pattern(call: ast.Call, scope: Scope, where: Receiver) -> tuple[str | None, bool]:
    """`url__regex=`, `url__startswith=`, `path=`, `path__regex=` (with the base URL)."""
    regex = argument(call, None, "url__regex")
    if regex is not None:
        return strings.template(regex, scope), True
    prefix = argument(call, None, "url__startswith")
    if prefix is not None:
        return re.escape(strings.template(prefix, scope)) + ".*", True
    base = _base(call, scope, where)
    path = argument(call, None, "path")
    if path is not None:
        text = strings.template(path, scope)
        return (base.rstrip("/") + "/" + text.lstrip("/") if base else text), False
    path_regex = argument(call, None, "path__regex")
    if path_regex is not None:
        pattern = strings.template(path_regex, scope).lstrip("^")
        return (re.escape(base.rstrip("/")) if base else ".*") + pattern, True
    return base, False


def _base(call: ast.Call, scope: Scope, where: Receiver) -> str | None:
    host = argument(call, None, "host")
    if host is not None:
        scheme = argument(call, None, "scheme")
        prefix = strings.template(scheme, scope) if scheme is not None else "https"
        return f"{prefix}://{strings.template(host, scope)}"
    if where.base_url is not None and where.base_scope is not None:
        return strings.template(where.base_url, where.base_scope)
    return None


def _mocked(call: ast.Call, site: Site) -> list[Stated]:
    value = argument(call, None, "return_value")
    if value is not None:
        return _side_effect(value, site, "return_value")
    effect = argument(call, 0, "side_effect")
    return _side_effect(effect, site, "side_effect") if effect is not None else []


def _side_effect(node: ast.expr, site: Site, kind: str) -> list[Stated]:
    """The responses a `return_value` or `side_effect` gives: one, a list, or a reason."""
    one = _response(node, site)
    if one is not None:
        return [one]
    followed, scope = strings.follow(node, site.scope)
    if kind == "side_effect" and isinstance(followed, (ast.List, ast.Tuple)):
        found_all = [_response(element, replace(site, scope=scope)) for element in followed.elts]
        return [item for item in found_all if item is not None]
    reason = "a callback or an exception, not data" if kind == "side_effect" else "not data"
    return [(None, f"`{kind}` is {reason}")]


def _response(node: ast.expr, site: Site) -> Stated | None:
    made = httpx_response(node, site.scope)
    if made is None:
        return None
    call, scope = made
    site.consumed.add(id(call))
    return httpx_stated(call, scope)


def _respond(call: ast.Call, scope: Scope) -> Stated:
    status = status_of(argument(call, 0, "status_code"), scope)
    return status, body_of(call, scope, data=("json",), text=("text", "content", "html"))


def _modulo(node: ast.expr, site: Site) -> list[Stated]:
    """`route % httpx.Response(...)`, `% 204`, `% dict(json=...)`, `% {"json": ...}`."""
    one = _response(node, site)
    if one is not None:
        return [one]
    followed, scope = strings.follow(node, site.scope)
    if isinstance(followed, ast.Constant) and isinstance(followed.value, int):
        return [(followed.value, None)]
    if isinstance(followed, ast.Dict):
        keywords = [
            ast.keyword(arg=key.value, value=value)
            for key, value in zip(followed.keys, followed.values, strict=True)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        ]
        followed = ast.copy_location(ast.Call(ast.Name("dict", ast.Load()), [], keywords), node)
    if isinstance(followed, ast.Call) and not followed.args:
        return [_respond(followed, scope)]
    return [(None, "the response is not data")]
