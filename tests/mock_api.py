"""A recorded API shared by the mock-checking tests: its responses, cassettes recorded by
real vcrpy in pytest-recording's layout against a local server, projects built around
them, and short views of a report's findings and coverage."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import requests
import vcr
from werkzeug.wrappers import Request, Response

from driftcheck.config import Config, load_config
from driftcheck.core.model import Report
from tests.servers import LiveServer

API = "https://api.example.com"
ADA = {"id": 1, "name": "Ada", "email": "ada@example.com", "team": {"id": 7, "name": "core"}}
GRACE = {"id": 2, "name": "Grace", "email": None, "team": {"id": 7, "name": "core"}}
NOT_FOUND = {"error": "not found", "code": 404}

# (method, path) -> (status, body, content type): the API every project records.
API_RESPONSES: dict[tuple[str, str], tuple[int, Any, str]] = {
    ("GET", "/users/1"): (200, ADA, "application/json"),
    ("GET", "/users/2"): (200, GRACE, "application/json"),
    ("GET", "/users/999"): (404, NOT_FOUND, "application/json"),
    ("GET", "/users"): (200, [ADA, GRACE], "application/json"),
    ("POST", "/users"): (201, {"id": 3, "created": True}, "application/json"),
    ("GET", "/health"): (200, {"ok": True, "version": "1.2", "uptime": 5}, "application/json"),
    ("GET", "/teams/7"): (200, {"id": 7, "name": "core", "size": 2}, "application/json"),
    ("GET", "/teams/8"): (200, {"id": 8, "name": "web", "size": 1}, "application/json"),
    ("GET", "/legacy/1"): (404, "<h1>gone</h1>", "text/html"),
    ("GET", "/orders/5"): (200, {"id": 5, "total": 9.5}, "application/json"),
    ("GET", "/orders/6"): (201, {"id": 6, "total": 1.0, "queued": True}, "application/json"),
}

# pytest-recording's layout: tests/cassettes/<module>/<test>.yaml, several endpoints each.
CASSETTES: dict[str, list[tuple[str, str]]] = {
    "test_users/test_get_user.yaml": [
        ("GET", "/users/1"),
        ("GET", "/users/2"),
        ("GET", "/users/999"),
        ("GET", "/teams/7"),
    ],
    "test_users/test_list_users.yaml": [("GET", "/users"), ("POST", "/users")],
    "test_misc/test_health.yaml": [("GET", "/health"), ("GET", "/legacy/1"), ("GET", "/teams/8")],
    "test_misc/test_orders.yaml": [("GET", "/orders/5"), ("GET", "/orders/6")],
}

CONFIG = f"""
cassettes = "tests/cassettes"
cache = ""
workers = 1

[[endpoints]]
name = "user"
url = "{API}/users/{{id}}"
"""


def _app(request: Request) -> Response:
    status, body, kind = API_RESPONSES[(request.method, request.path)]
    text = json.dumps(body) if kind == "application/json" else str(body)
    return Response(text, status, content_type=kind)


def users_cassette(folder: Path) -> Path:
    """One per-test cassette: two users, one missing (404) and the health check."""
    calls = [("GET", "/users/1"), ("GET", "/users/2"), ("GET", "/users/999"), ("GET", "/health")]
    record(folder, {"test_users.yaml": calls})
    return folder / "test_users.yaml"


def record(folder: Path, cassettes: Mapping[str, Sequence[tuple[str, str]]]) -> None:
    """Each cassette written by real vcrpy (`record_mode="once"`, as pytest-recording
    does) from real calls to a local server, its URLs rewritten to the public API's."""
    with LiveServer() as server:
        for _, path in API_RESPONSES:
            server.routes[path] = _app

        def public(request: Any) -> Any:
            request.uri = request.uri.replace(server.url, API)
            return request

        recorder = vcr.VCR(before_record_request=public, record_mode="once")
        for name, calls in cassettes.items():
            with recorder.use_cassette(str(folder / name)):
                for method, path in calls:
                    requests.request(method, server.url + path, timeout=5)


def write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


def project(root: Path, cassettes: Path, files: Mapping[str, str], config: str = CONFIG) -> Config:
    """A project: the recorded cassettes under tests/cassettes, `files`, and its config."""
    for cassette in cassettes.rglob("*.yaml"):
        target = root / "tests" / "cassettes" / cassette.relative_to(cassettes)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(cassette.read_bytes())
    write(root, {"driftcheck.toml": config, **files})
    return load_config(root / "driftcheck.toml", environ={}, require_env=False)


def findings_of(report: Report) -> list[tuple[str, int | None, str, str, str]]:
    return [(f.endpoint, f.status, f.rule, f.path, str(f.location or "")) for f in report.findings]


def checked_of(report: Report) -> list[tuple[str, str, int | None, str, str]]:
    assert report.coverage is not None
    return [
        (str(c.location), c.endpoint, c.status, c.matched_by, c.library)
        for c in report.coverage.checked
    ]


def unmatched_of(report: Report) -> list[tuple[str, str]]:
    assert report.coverage is not None
    return [(str(u.location), u.reason) for u in report.coverage.unmatched]


RIGHT = f"""
    import responses

    API = "{API}"
    ADA = {{
        "id": 1, "name": "Ada", "email": "ada@example.com", "team": {{"id": 7, "name": "core"}}
    }}


    @responses.activate
    def test_right():
        responses.get(f"{{API}}/users/1", json=ADA)
"""
