"""responses (`getsentry/responses`): mocks for `requests`.

responses.add(responses.GET, url, json=..., status=404)
responses.add(method="GET", url=url, body=json.dumps(...))
responses.get(url, json=...)            # and post, put, patch, delete, head, options
rsps.add(...) / rsps.get(...)           # `with responses.RequestsMock() as rsps`, or a
                                        # fixture yielding one (`mocked_responses`)
responses.add(responses.Response(GET, url, json=...))   # or a name bound to one
responses.upsert(...) / responses.replace(...)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from driftcheck.sources.mocks import strings
from driftcheck.sources.mocks.base import (
    VERBS,
    Body,
    Found,
    Site,
    argument,
    body_of,
    found,
    library_call,
    method_of,
    status_of,
    url_of,
)
from driftcheck.sources.mocks.receivers import Receiver
from driftcheck.sources.mocks.scopes import Scope, qualified

LIBRARY = "responses"
REGISTER = frozenset({"add", "upsert", "replace"})
RESPONSES = frozenset({"responses.Response"})
CALLBACKS = frozenset({"add_callback", "responses.CallbackResponse"})


def extract(node: ast.AST, site: Site) -> Iterator[Found]:
    matched = library_call(node, site, LIBRARY, VERBS | REGISTER | {"add_callback"})
    if matched is None:
        return
    call, name, where = matched
    if name in VERBS:
        yield _read(call, site.scope, (call, site.scope), where, verb=name)
        return
    first = argument(call, 0, "method")
    response = _response_object(first, site.scope) if first is not None else None
    if name == "add_callback" or response == "callback":
        yield found(LIBRARY, call, site.scope, "the response is a callback, not data")
    elif isinstance(response, tuple):
        made, made_scope = response
        site.consumed.add(id(made))
        yield _read(call, site.scope, (made, made_scope), where, verb=None)
    else:
        yield _read(call, site.scope, (call, site.scope), where, verb=None)


def _response_object(node: ast.expr, scope: Scope) -> tuple[ast.Call, Scope] | str | None:
    """The `responses.Response(...)` an `add` registers, or "callback" for a callback one."""
    node, scope = strings.follow(node, scope)
    if not isinstance(node, ast.Call):
        return None
    name = qualified(node.func, scope.module)
    if name in CALLBACKS:
        return "callback"
    return (node, scope) if name in RESPONSES else None


def _read(
    at: ast.Call, at_scope: Scope, stated: tuple[ast.Call, Scope], where: Receiver, verb: str | None
) -> Found:
    """A registration's values: `stated` states them (the add call itself, or the Response
    it adds); `at` is where the mock is set up."""
    call, scope = stated
    shift = 0 if verb is not None else 1  # add(method, url, body) vs get(url, body)
    method = verb.upper() if verb is not None else method_of(argument(call, 0, "method"), scope)
    body = body_of(call, scope, data=("json",), text=("body",))
    positional = argument(call, shift + 1, "_no_keyword")
    if body is None and positional is not None:
        body = Body(positional, scope, text=True)
    return found(
        LIBRARY,
        at,
        at_scope,
        body,
        method=method,
        url=url_of(argument(call, shift, "url"), scope, where),
        status=status_of(argument(call, None, "status"), scope),
    )
