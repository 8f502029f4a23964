"""The project `driftcheck init` is tested on: cassettes recorded by real vcrpy
(pytest-recording's layout, several endpoints per file) from a real local server, and
test modules mocking the same API with responses, requests-mock and unittest.mock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests
import vcr
from werkzeug.wrappers import Request, Response

from driftcheck.sources.scan import Settings
from tests.mock_api import write
from tests.servers import LiveServer, json_response

API = "https://api.example.com"
TOKEN = "s3cr3t-token-0123456789"
API_KEY = "k3y-abcdef-9876543210"
PASSWORD = "hunter2-correct-horse"
SECRETS = (TOKEN, API_KEY, PASSWORD)
ONE = Settings(workers=1)

USERS = {
    "1": {"id": 1, "name": "Ada", "email": "ada@example.com"},
    "2": {"id": 2, "name": "Grace", "email": None},
}
ORDERS = [{"id": 10, "total": 5.5}]
HEALTH = {"ok": True, "version": "1.2", "uptime": 5}

CLIENT = f"""
    import requests

    API = "{API}"
    HEADERS = {{"Authorization": "Bearer {TOKEN}"}}


    def get_user(user_id):
        return requests.get(f"{{API}}/users/{{user_id}}", headers=HEADERS).json()


    def list_users(page):
        return requests.get(f"{{API}}/users", params={{"page": page}}).json()
"""

BILLING = f"""
    import requests

    API = "{API}"


    def get_orders(user_id):
        return requests.get(f"{{API}}/users/{{user_id}}/orders").json()
"""

STATUS = """
    import requests


    def ping(url):
        return requests.get(url).json()
"""

MOCKS = f"""
    from unittest import mock

    import requests_mock
    import responses

    import billing
    import client
    import status

    API = "{API}"
    USER = {{"id": 1, "name": "Ada", "email": "ada@example.com"}}


    @responses.activate
    def test_get_user():
        responses.get(f"{{API}}/users/1", json=USER)
        assert client.get_user(1) == USER


    @responses.activate
    def test_missing_user():
        responses.get(f"{{API}}/users/999", json={{"error": "not found"}}, status=404)


    def test_list_users():
        with requests_mock.Mocker() as m:
            m.get(f"{{API}}/users", json=[USER])
            assert client.list_users(1) == [USER]


    @mock.patch("billing.requests.get")
    def test_orders(mock_get):
        mock_get.return_value.json.return_value = [{{"id": 10, "total": 5.5}}]
        assert billing.get_orders(1)[0]["id"] == 10


    @mock.patch("client.requests.get")
    def test_user_patched(mock_get):
        mock_get.return_value.json.return_value = USER
        assert client.get_user(1) == USER


    @mock.patch("status.requests.get")
    def test_ping(mock_get):
        mock_get.return_value.json.return_value = {{"ok": True, "version": "1.3", "uptime": 9}}
        assert status.ping("http://localhost/health")["ok"]


    @responses.activate
    def test_elsewhere():
        responses.get("https://other.example.org/things", json={{"x": 1}})
"""


def _app(request: Request) -> Response:
    """The API behind every route: users, their orders, a GraphQL endpoint, health."""
    parts = [p for p in request.path.split("/") if p]
    if parts == ["users"]:
        if request.method == "POST":
            return json_response(json.dumps({"id": 3, **request.get_json()}), 201)
        return json_response(json.dumps(list(USERS.values())))
    if parts[:1] == ["users"] and len(parts) == 3:
        return json_response(json.dumps(ORDERS))
    if parts[:1] == ["users"]:
        user = USERS.get(parts[1])
        return json_response(json.dumps(user or {"error": "not found"}), 200 if user else 404)
    if parts == ["graphql"]:
        operation = request.get_json()["operationName"]
        data = {"viewer": {"login": "ada"}} if operation == "Viewer" else {"repos": [{"n": 1}]}
        return json_response(json.dumps({"data": data}))
    return json_response(json.dumps(HEALTH))


Call = tuple[str, str, dict[str, Any]]

CASSETTES: dict[str, list[Call]] = {
    "test_users/test_get_user.yaml": [
        ("GET", "/users/1", {"headers": {"Authorization": f"Bearer {TOKEN}"}}),
        ("GET", "/users/2", {"headers": {"Authorization": f"Bearer {TOKEN}"}}),
        ("GET", "/users/999", {"headers": {"Authorization": f"Bearer {TOKEN}"}}),
        ("GET", "/users/1/orders", {}),
    ],
    "test_users/test_list_users.yaml": [
        ("GET", "/users", {"params": {"page": 1, "api_key": API_KEY}}),
        ("GET", "/users", {"params": {"page": 2, "api_key": API_KEY}}),
    ],
    "test_orders/test_create_user.yaml": [
        ("POST", "/users", {"json": {"name": "Lin", "password": PASSWORD}}),
        ("GET", "/users/2/orders", {}),
    ],
    "test_graphql/test_viewer.yaml": [
        ("POST", "/graphql", {"json": {"query": "query Viewer { viewer { login } }"}}),
        ("POST", "/graphql", {"json": {"query": "query Repos { repos { n } }"}}),
    ],
    "test_health.yaml": [("GET", "/health", {})],
}


def _record(server: LiveServer, path: Path, calls: list[Call]) -> None:
    """One cassette written by vcrpy from real calls; every host but /health's is
    rewritten to the public API's, as if recorded there."""

    def public(request: Any) -> Any:
        if not request.uri.endswith("/health"):
            request.uri = request.uri.replace(server.url, API)
        return request

    recorder = vcr.VCR(before_record_request=public)
    with recorder.use_cassette(str(path)):
        for method, route, options in calls:
            if route == "/graphql":
                query = options["json"]["query"]
                options = {"json": {**options["json"], "operationName": query.split()[1]}}
            requests.request(method, server.url + route, timeout=5, **options)


def make_project(root: Path) -> str:
    """The generated project; returns the local server's URL (the /health recording's)."""
    write(
        root,
        {
            "client.py": CLIENT,
            "billing.py": BILLING,
            "status.py": STATUS,
            "tests/__init__.py": "",
            "tests/test_users.py": MOCKS,
            "tests/fixtures/user.json": json.dumps(USERS["1"]),
            "README.md": "a project\n",
        },
    )
    with LiveServer() as server:
        for route in ("/users", "/users/1", "/users/2", "/users/999", "/graphql", "/health"):
            server.routes[route] = _app
        for route in ("/users/1/orders", "/users/2/orders"):
            server.routes[route] = _app
        for name, calls in CASSETTES.items():
            _record(server, root / "tests" / "cassettes" / name, calls)
        return server.url
