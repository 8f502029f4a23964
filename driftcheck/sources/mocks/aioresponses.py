"""aioresponses: mocks for `aiohttp` clients.

m.get(url, payload=..., status=404)   # `with aioresponses() as m`, `@aioresponses()`
                                      # passing `m`, or a fixture yielding one
m.add(url, "GET", payload=...)        # method by position or keyword, GET by default
m.post(url, body=json.dumps(...))
m.get(url, callback=...) / m.get(url, exception=...)   # listed, not data
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

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

LIBRARY = "aioresponses"


def extract(node: ast.AST, site: Site) -> Iterator[Found]:
    matched = library_call(node, site, LIBRARY, VERBS | {"add"})
    if matched is None:
        return
    call, name, where = matched
    scope = site.scope
    if name == "add":
        method = method_of(argument(call, 1, "method"), scope, default="GET")
        status = status_of(argument(call, 2, "status"), scope)
    else:
        method = name.upper()
        status = status_of(argument(call, None, "status"), scope)
    body: Body | str | None = body_of(call, scope, data=("payload",), text=("body",))
    if argument(call, None, "callback") is not None:
        body = "the response is a callback, not data"
    elif argument(call, None, "exception") is not None:
        body = "the mock raises an exception instead of answering"
    yield found(
        LIBRARY,
        call,
        scope,
        body,
        method=method,
        url=url_of(argument(call, 0, "url"), scope, where),
        status=status,
    )
