"""A demo users API whose payloads vary the way real ones do.

New users come back without `profile`, deactivated ones without `contact.email`,
some fields are null. Version 2 drifts: `nickname` is removed, `age` becomes a
string, `created_at` is sometimes null, and `preferences` is added.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

USER_IDS = range(1, 13)
NEW_USERS = {4, 9}
DEACTIVATED = {6, 11}
NAMES = ["ada", "bob", "cy", "di", "eve", "fay", "gus", "hal", "ivy", "jo", "kim", "lu"]


def user(user_id: int, version: int) -> dict[str, Any]:
    name = NAMES[(user_id - 1) % len(NAMES)]
    body: dict[str, Any] = {
        "id": user_id,
        "name": name.title(),
        "nickname": name,
        "age": 20 + user_id,
    }
    if user_id not in NEW_USERS:
        body["profile"] = {
            "bio": None if user_id % 3 == 0 else f"{name} writes code",
            "avatar": f"/a/{user_id}.png",
        }
    contact: dict[str, Any] = {"phone": None if user_id % 2 else f"+1555000{user_id:04d}"}
    if user_id not in DEACTIVATED:
        contact["email"] = f"{name}@example.com"
    body["contact"] = contact
    body["active"] = user_id not in DEACTIVATED
    body["created_at"] = f"2024-01-{user_id:02d}T10:00:00Z"
    if version >= 2:
        del body["nickname"]
        body["age"] = str(body["age"])
        if user_id % 4 == 0:
            body["created_at"] = None
        body["preferences"] = {"newsletter": user_id % 2 == 0}
    return body


def orders(user_id: int) -> list[dict[str, Any]]:
    return [
        {"id": user_id * 100 + n, "total": round(9.5 * n, 2), "items": [{"sku": f"S{n}", "qty": n}]}
        for n in range(1, 1 + user_id % 3)
    ]


class DemoAPI:
    """The WSGI app; `version` can be switched while it serves."""

    def __init__(self, version: int = 1) -> None:
        self.version = version
        self.urls = Map(
            [
                Rule("/users", endpoint="list_users"),
                Rule("/users/<int:user_id>", endpoint="get_user"),
                Rule("/users/<int:user_id>/orders", endpoint="get_orders"),
            ]
        )

    def list_users(self, request: Request) -> Any:
        page = [user(i, self.version) for i in USER_IDS]
        return {"users": [{"id": u["id"], "name": u["name"]} for u in page], "total": len(page)}

    def get_user(self, request: Request, user_id: int) -> Any:
        if user_id not in USER_IDS:
            raise NotFound()
        return user(user_id, self.version)

    def get_orders(self, request: Request, user_id: int) -> Any:
        return orders(user_id)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        adapter = self.urls.bind_to_environ(environ)
        try:
            endpoint, args = adapter.match()
            payload = getattr(self, endpoint)(request, **args)
            response = Response(_json(payload), content_type="application/json")
        except HTTPException as error:
            response = Response(
                _json({"error": error.name}), error.code, content_type="application/json"
            )
        return response(environ, start_response)


def _json(payload: Any) -> str:
    return json.dumps(payload)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """The demo's output is driftcheck's, not an access log."""


@contextmanager
def serving(app: Any, port: int = 0) -> Iterator[str]:
    """Serve a WSGI `app` on 127.0.0.1 in a thread, quietly; yield its base URL."""
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
