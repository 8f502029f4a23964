"""Endpoints are matchers, not file names: cassettes recorded by real vcrpy in
pytest-recording's layout (`tests/cassettes/{module}/{test}.yaml`, several endpoints per
file, a `.json` one) against a real local server, read in config mode by URL template,
query keys and GraphQL operation; and path templates that hold on real APIs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import vcr
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from driftcheck.config import load_config
from driftcheck.run.recordings import Recordings
from tests.helpers import run

USERS = {
    "1": {"id": 1, "login": "ada", "name": "Ada"},
    "2": {"id": 2, "login": "bob", "name": "Bob"},
    "3": {"id": 3, "login": "cy", "name": None},
}
ME = {"id": 9, "login": "me", "name": "Me", "email": "me@x.io", "plan": {"seats": 3}}
REPOS = {"data": {"repos": [{"name": "driftcheck", "stars": 7}]}}
SLUGS = {
    slug: {"id": slug, "title": slug.upper(), "extent": {"bbox": [0.5, 1.5]}}
    for slug in ("naip", "landsat", "sentinel", "modis")
}

MOCKS = """\
USER = {"id": 1, "login": "ada", "name": "Ada"}
HEALTH = {"status": "ok"}
FOUND_USERS = {"items": [{"login": "ada"}], "total": 1}
GQL_USER = {"data": {"user": {"login": "ada"}}}
GQL_REPOS = {"data": {"repos": [{"name": "x", "stars": "7"}]}}
"""


def api(request: Request) -> Response:
    """A small API: users, a health check, a search split by `type`, GraphQL operations
    at one URL, STAC-like collections by slug, a versioned list."""
    path, query = request.path.rstrip("/") or "/", request.args
    if path == "/graphql":
        document = request.get_json(silent=True) or {}
        operation = document.get("operationName")
        body: Any = {"data": {"user": {"login": "ada"}}} if operation == "GetUser" else REPOS
    elif path == "/search":
        item = {"login": "ada"} if query.get("type") == "user" else {"full_name": "a/b"}
        body = {"items": [item], "total": 1}
    else:
        body = _resource(path)
    if body is None:
        return Response(json.dumps({"error": "not found"}), 404, content_type="application/json")
    return Response(json.dumps(body), content_type="application/json")


def _resource(path: str) -> Any:
    kind, _, key = path.strip("/").partition("/")
    found = {
        "health": {"status": "ok", "uptime": 12},
        "users": ME if key == "me" else USERS.get(key),
        "collections": SLUGS.get(key),
        "v1": {"items": [{"id": 1}]} if key == "items" else None,
    }
    return found.get(kind)


@pytest.fixture
def server(httpserver: HTTPServer) -> str:
    httpserver.expect_request(re.compile("^/")).respond_with_handler(api)
    return httpserver.url_for("").rstrip("/")


def record(path: Path, *calls: Callable[[], Any], serializer: str = "yaml") -> None:
    """What pytest-recording does for one test: one vcrpy cassette of its requests."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with vcr.VCR(serializer=serializer).use_cassette(str(path)):
        for call in calls:
            call()


def get(url: str, **params: str) -> Callable[[], Any]:
    return lambda: requests.get(url, params=params or None, timeout=5)


def collections(base: str, *slugs: str) -> list[Callable[[], Any]]:
    return [get(f"{base}/collections/{slug}") for slug in slugs]


def graphql(url: str, operation: str) -> Callable[[], Any]:
    query = f"query {operation} {{ x }}"
    return lambda: requests.post(url, json={"query": query, "operationName": operation}, timeout=5)


def project(folder: Path, base: str, *, params: bool = False, fixtures: str = "USER") -> Path:
    """A project whose tests recorded cassettes in pytest-recording's layout, and a config
    whose endpoints name them by URL (no `params` unless asked: only `record` needs them)."""
    cassettes = folder / "tests" / "cassettes"
    record(
        cassettes / "test_users" / "test_profile.yaml",
        get(f"{base}/users/1"),
        get(f"{base}/users/2"),
        get(f"{base}/health"),
    )
    record(
        cassettes / "test_users" / "test_me.yaml", get(f"{base}/users/me"), get(f"{base}/users/3")
    )
    record(
        cassettes / "test_search" / "test_search.yaml",
        get(f"{base}/search", type="user"),
        get(f"{base}/search", type="repo", page="1"),
    )
    record(
        cassettes / "test_graphql" / "test_queries.json",
        graphql(f"{base}/graphql", "GetUser"),
        graphql(f"{base}/graphql", "ListRepos"),
        serializer="json",
    )
    (folder / "tests" / "test_mocks.py").write_text(MOCKS)
    user_params = "params = { id = [1, 2, 3] }\n" if params else ""
    body = 'json = {{ query = "query {0} {{ x }}", operationName = "{0}" }}\n'
    config = folder / "driftcheck.toml"
    config.write_text(
        'cassettes = "tests/cassettes"\ntimeout = 5\nretries = 0\n'
        f'[[endpoints]]\nname = "user"\nurl = "{base}/users/{{id}}"\n{user_params}'
        f'fixtures = ["tests/test_mocks.py::{fixtures}"]\n'
        f'[[endpoints]]\nname = "me"\nurl = "{base}/users/me"\n'
        f'[[endpoints]]\nname = "search-users"\nurl = "{base}/search"\n'
        'query = { type = "user" }\nmatch_query = { type = "user" }\n'
        'fixtures = ["tests/test_mocks.py::FOUND_USERS"]\n'
        f'[[endpoints]]\nname = "graphql-user"\nmethod = "POST"\nurl = "{base}/graphql"\n'
        f'operation = "GetUser"\n{body.format("GetUser")}'
        'fixtures = ["tests/test_mocks.py::GQL_USER"]\n'
        f'[[endpoints]]\nname = "graphql-repos"\nmethod = "POST"\nurl = "{base}/graphql"\n'
        f'operation = "ListRepos"\n{body.format("ListRepos")}'
        'fixtures = ["tests/test_mocks.py::GQL_REPOS"]\n'
    )
    return config


def report(config: Path, *flags: str) -> tuple[int, dict[str, Any]]:
    result = run("diff", "--config", str(config), "--format", "json", *flags)
    return result.exit_code, json.loads(result.stdout)


def test_every_interaction_belongs_to_the_endpoint_whose_url_matches_it(
    server: str, tmp_path: Path
) -> None:
    """Whatever file holds them: users from two test cassettes are one endpoint, `/users/me`
    another, `/health` (in the users' cassette) its own automatic key, a search split by
    its `type`, GraphQL operations at one URL apart, and a `.json` cassette read."""
    config = load_config(project(tmp_path, server))
    endpoints = Recordings(config).committed.endpoints.endpoints
    samples = {name: sum(s.samples for s in by.values()) for name, by in endpoints.items()}
    host = server.removeprefix("http://")
    assert samples == {
        f"GET {host}/health": 1,
        f"GET {host}/search": 1,  # type=repo: no configured endpoint asks for it
        "graphql-repos": 1,
        "graphql-user": 1,
        "me": 1,
        "search-users": 1,
        "user": 3,
    }
    (location,) = {s.location.file for s in endpoints["graphql-user"].values() if s.location}
    assert location.endswith("tests/cassettes/test_graphql/test_queries.json")


def test_mocks_are_held_to_their_own_endpoint_only(server: str, tmp_path: Path) -> None:
    """The contract of `user` is the users' responses, not everything in their files: a
    `/health` mock attached to it no longer passes; each GraphQL operation has its own."""
    config = project(tmp_path, server)
    code, found = report(config, "--fail-on", "warning")
    assert found["errors"] == []
    assert [(f["endpoint"], f["rule"], f["path"]) for f in found["findings"]] == [
        ("graphql-repos", "mock-type-mismatch", "$.data.repos[*].stars"),
        ("user", "mock-uncovered-null", "$.name"),
    ]
    assert code == 1
    assert sorted(c["endpoint"] for c in found["checked"]) == [
        "graphql-repos",
        "graphql-user",
        "search-users",
        "user",
    ]
    config = project(tmp_path / "health", server, fixtures="HEALTH")
    _, found = report(config)
    assert [(f["endpoint"], f["rule"], f["path"]) for f in found["findings"]] == [
        ("graphql-repos", "mock-type-mismatch", "$.data.repos[*].stars"),
        ("user", "mock-unlike-endpoint", "$"),  # one finding, not one per key
    ]


def test_params_are_needed_to_record_only(server: str, tmp_path: Path) -> None:
    config = project(tmp_path, server)
    assert report(config)[0] == 1  # diff works: the type mismatch is breaking
    for command in ("record", "check"):
        result = run(command, "--config", str(config))
        assert result.exit_code == 2
        assert result.output == (
            f"Error: {config}: endpoint `user`: url placeholder `{{id}}` has no values in "
            "`params`; recording needs them\n"
        )
    assert not (tmp_path / ".driftcheck" / "fresh").exists()
    result = run("record", "--config", str(config), "--endpoint", "me")
    assert result.exit_code == 0, result.output


def test_fresh_recordings_are_compared_with_committed_ones_in_any_layout(
    server: str, tmp_path: Path
) -> None:
    """`record` writes one cassette per endpoint; `diff` compares every fresh interaction
    with every committed one, endpoint by endpoint, whichever files hold them."""
    config = project(tmp_path, server, params=True)
    before = {key: dict(user) for key, user in USERS.items()}
    try:
        for user in USERS.values():
            user["name"] = user.pop("login")  # the API drifts: `login` is gone
        result = run("record", "--config", str(config))
        assert result.exit_code == 0, result.output
    finally:
        USERS.clear()
        USERS.update(before)
    written = sorted(p.name for p in (tmp_path / ".driftcheck" / "fresh").iterdir())
    assert written == [
        "graphql-repos.yaml",
        "graphql-user.yaml",
        "me.yaml",
        "search-users.yaml",
        "user.yaml",
    ]
    _, found = report(config)
    cassette = [(f["endpoint"], f["rule"], f["path"]) for f in found["findings"]]
    assert [c for c in cassette if c[0] != "graphql-repos"] == [
        ("user", "field-removed", "$.login"),
        ("user", "type-narrowed", "$.name"),
        ("user", "mock-field-unknown", "$.login"),
    ]
    assert found["notes"] == []


def test_an_endpoint_that_matches_nothing_recorded_names_its_template(
    server: str, tmp_path: Path
) -> None:
    config = project(tmp_path, server)
    text = config.read_text().replace(f'url = "{server}/users/me"', f'url = "{server}/me"')
    config.write_text(
        text.replace('name = "me"', 'name = "me"\nfixtures = ["tests/test_mocks.py::USER"]')
    )
    _, found = report(config)
    assert found["errors"] == [
        {
            "file": "me",
            "message": f"fixtures not checked: endpoint `me` (GET {server}/me) has no recording: "
            f"no interaction in {tmp_path}/.driftcheck/fresh or {tmp_path}/tests/cassettes "
            "matches it; run `driftcheck record`",
        }
    ]


def test_staleness_is_per_endpoint_its_newest_recording_across_files(
    server: str, tmp_path: Path
) -> None:
    """The users' first cassette is old, but a newer one holds a user too: `user` is not
    stale. The search cassette is old and the only one: `search-users` is."""
    config = project(tmp_path, server)
    old = "- Wed, 01 Jan 2020 00:00:00 GMT"
    for name in ("test_users/test_profile.yaml", "test_search/test_search.yaml"):
        path = tmp_path / "tests" / "cassettes" / name
        path.write_text(re.sub(r"- \w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT", old, path.read_text()))
    _, found = report(config, "--max-age", "30d")
    stale = [
        (f["endpoint"], f["location"]) for f in found["findings"] if f["rule"] == "cassette-stale"
    ]
    assert stale == [("search-users", "tests/cassettes/test_search/test_search.yaml")]


def test_record_max_age_asks_whether_any_file_holds_a_recent_recording(
    server: str, tmp_path: Path
) -> None:
    config = project(tmp_path, server, params=True)
    result = run("record", "--update", "--config", str(config), "--max-age", "30d")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "tests" / "cassettes").glob("*.yaml"))
    assert written == []  # every endpoint has a recent recording in the test cassettes
    (tmp_path / "tests" / "cassettes" / "test_search" / "test_search.yaml").unlink()
    result = run("record", "--update", "--config", str(config), "--max-age", "30d")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "tests" / "cassettes").glob("*.yaml"))
    assert written == ["search-users.yaml"]


def shapes(*paths: Path) -> list[tuple[str, int]]:
    result = run("shape", *map(str, paths), "--format", "json")
    assert result.exit_code == 0, result.output
    return [(e["endpoint"], e["samples"]) for e in json.loads(result.stdout)["endpoints"]]


def test_path_templates_that_hold_on_real_apis(server: str, tmp_path: Path) -> None:
    """Slugs that name their record collapse into `{id}`; a version is no id; a trailing
    slash makes no second endpoint; a resource beside the slugs keeps its name."""
    record(
        tmp_path / "a.yaml",
        *collections(server, "naip", "landsat", "sentinel"),
        get(f"{server}/v1/items/"),
        get(f"{server}/v1/items"),
        get(f"{server}/users/me"),
        get(f"{server}/users/1"),
    )
    host = server.removeprefix("http://")
    assert shapes(tmp_path / "a.yaml") == [
        (f"GET {host}/collections/{{id}}", 3),
        (f"GET {host}/users/me", 1),  # another shape than a user's
        (f"GET {host}/users/{{id}}", 1),
        (f"GET {host}/v1/items", 2),
    ]
    record(tmp_path / "two.yaml", *collections(server, "naip", "modis"))
    assert shapes(tmp_path / "two.yaml") == [
        (f"GET {host}/collections/modis", 1),
        (f"GET {host}/collections/naip", 1),
    ]


def test_folder_diff_with_other_slugs_and_one_that_drifts(server: str, tmp_path: Path) -> None:
    """Each side recorded other records of one collection: no endpoint is missing or
    added. A slug whose shape changed keeps its own key and its finding."""
    host = server.removeprefix("http://")
    record(tmp_path / "old" / "c.yaml", *collections(server, "naip", "landsat", "sentinel"))
    record(tmp_path / "new" / "c.yaml", *collections(server, "naip", "landsat", "modis"))
    result = run("diff", str(tmp_path / "old"), str(tmp_path / "new"), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []
    del SLUGS["landsat"]["title"]
    try:
        record(tmp_path / "drifted" / "c.yaml", *collections(server, "naip", "landsat", "modis"))
    finally:
        SLUGS["landsat"]["title"] = "LANDSAT"
    result = run("diff", str(tmp_path / "old"), str(tmp_path / "drifted"), "--format", "json")
    found = [(f["endpoint"], f["rule"], f["path"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [(f"GET {host}/collections/landsat", "field-removed", "$.title")]
    checked = {c["endpoint"] for c in json.loads(result.stdout)["checked"]}
    assert checked == {f"GET {host}/collections/landsat", f"GET {host}/collections/{{id}}"}
