"""pytest-httpx: the `httpx_mock` fixture's responses for `httpx`.

httpx_mock.add_response(url=..., method="GET", json=..., status_code=404)
httpx_mock.add_response(json=...)      # no url, no method: it answers any request
httpx_mock.add_response(url=re.compile(...), text=json.dumps(...))
httpx_mock.add_callback(...)           # a callback: listed, not data
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from driftcheck.sources.mocks.base import (
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

LIBRARY = "pytest-httpx"


def extract(node: ast.AST, site: Site) -> Iterator[Found]:
    matched = library_call(node, site, LIBRARY, {"add_response", "add_callback"})
    if matched is None:
        return
    call, name, where = matched
    scope = site.scope
    first = argument(call, 0, "status_code")
    old_url = isinstance(first, ast.Constant) and isinstance(first.value, str)  # before 0.19
    body = body_of(call, scope, data=("json",), text=("text", "content", "html"))
    if name == "add_callback":
        body = "the response is a callback, not data"
    yield found(
        LIBRARY,
        call,
        scope,
        body,
        method=method_of(argument(call, None, "method"), scope),
        url=url_of(argument(call, 0 if old_url else None, "url"), scope, where),
        status=status_of(None if old_url else first, scope),
    )
