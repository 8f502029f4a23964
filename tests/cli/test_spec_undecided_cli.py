"""What a spec cannot decide gives no finding, end to end (red team 6: #1, #6 to #11):
a server-less spec against several APIs, another API behind the same host, server
variables without `enum`, versions told apart by a media type parameter, redirect hops,
an operation without responses and methods OpenAPI has no field for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import run, validate

SPECS = Path(__file__).parent.parent / "data" / "specs" / "rt6"
JSON = "application/json"


def call(
    uri: str, body: Any = None, *, method: str = "GET", status: int = 200, kind: str = JSON
) -> dict[str, Any]:
    """One vcrpy interaction: `body` sent as JSON (None: an empty body)."""
    return {
        "request": {"body": None, "headers": {}, "method": method, "uri": uri},
        "response": {
            "status": {"code": status, "message": "X"},
            "headers": {"Content-Type": [kind]},
            "body": {"string": "" if body is None else json.dumps(body)},
        },
    }


def cassettes(tmp_path: Path, *interactions: dict[str, Any]) -> Path:
    folder = tmp_path / "cassettes"
    folder.mkdir(parents=True, exist_ok=True)
    data = {"interactions": list(interactions), "version": 1}
    (folder / "c.yaml").write_text(yaml.safe_dump(data))
    return folder


def diff(spec: Path | str, folder: Path) -> tuple[int, list[tuple[str, str, str]], list[str]]:
    """Exit code, (rule, endpoint, path) of each finding and the notes of a spec diff."""
    result = run(
        "diff", "--spec", str(spec), str(folder), "--format", "json", "--no-cache",
        "--fail-on", "info",
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    validate(report)
    found = [(f["rule"], f["endpoint"], f["path"]) for f in report["findings"]]
    return result.exit_code, found, list(report.get("notes") or [])


USER = {"id": 1, "email": "a@b.c", "is_active": True}
GITHUB_USER = {"login": "octocat", "id": 583231, "site_admin": False}


def test_a_spec_without_servers_checks_nothing_when_recordings_span_hosts(
    tmp_path: Path,
) -> None:
    """#10: GitHub's `/users/{login}` is not the service's `/users/{user_id}`."""
    folder = cassettes(
        tmp_path,
        call("http://127.0.0.1:8000/users/1", USER),
        call("https://api.github.com/users/octocat", GITHUB_USER),
        call("https://api.github.com/users/torvalds", GITHUB_USER),
    )
    code, found, notes = diff(SPECS / "no_servers.yaml", folder)
    assert (code, found) == (0, [])
    assert [n for n in notes if "no_servers.yaml" in n] == [
        f"nothing was checked against the spec {SPECS / 'no_servers.yaml'}: it names no "
        "absolute server and the recordings are on 2 hosts (127.0.0.1:8000, "
        "api.github.com); add the API's URL to its `servers` (`servers: [{url: "
        "https://api.example.com}]`)"
    ]


def test_a_spec_without_servers_still_checks_the_one_recorded_host(tmp_path: Path) -> None:
    folder = cassettes(tmp_path, call("http://127.0.0.1:8000/users/1", {"id": 1}))
    code, found, notes = diff(SPECS / "no_servers.yaml", folder)
    assert code == 1
    assert ("spec-required-missing", "GET 127.0.0.1:8000/users/{id}", "$.email") in found
    assert not [n for n in notes if "no_servers.yaml" in n]


def test_versions_told_apart_only_by_a_parameter_are_not_collapsed(tmp_path: Path) -> None:
    """#1: `application/json; version=1` and `; version=2` are two schemas. Recordings
    keep a content type without its parameters, so which version a body is cannot be
    told: nothing is said (the v2 body was held to v1's schema)."""
    v2_body = {"total": {"amount": 1}}
    uri = "https://api.example.com/reports/1"
    for kind in ("application/json; version=2", "application/json; version=1", JSON):
        folder = cassettes(tmp_path / kind.replace("/", "_"), call(uri, v2_body, kind=kind))
        assert diff(SPECS / "media_params.yaml", folder)[:2] == (0, [])


def test_another_api_behind_the_same_host_is_out_of_scope(tmp_path: Path) -> None:
    """#11: the Drive spec (`www.googleapis.com/drive/v3`) does not describe Calendar."""
    folder = cassettes(
        tmp_path,
        call("https://www.googleapis.com/drive/v3/files/abc", {"id": "abc"}),
        call("https://www.googleapis.com/calendar/v3/calendars/primary/events", {"items": []}),
    )
    code, found, notes = diff(SPECS / "drive.yaml", folder)
    assert (code, found) == (
        1,
        [("spec-required-missing", "GET www.googleapis.com/drive/v3/files/abc", "$.name")],
    )
    (note,) = [n for n in notes if "drive.yaml" in n]
    assert note.startswith(
        "1 of 2 recorded endpoint is outside the URLs the spec's servers name (on "
        "www.googleapis.com/calendar/v3/calendars/primary/events; the spec's servers name "
        "www.googleapis.com/drive/v3): not held to the spec"
    )


def test_server_variables_without_enum_take_any_value(tmp_path: Path) -> None:
    """#6: `{store_name}` and `{api_version}` are not only their example defaults."""
    uri = "https://acme-shop.myshopify.com/admin/api/2024-04/products/632910392.json"
    folder = cassettes(tmp_path, call(uri, {"product": {"id": 632910392}}))
    code, found, notes = diff(SPECS / "shopify.yaml", folder)
    assert code == 1
    assert [(rule, path) for rule, _, path in found] == [
        ("spec-required-missing", "$.product.title")
    ]
    assert not [n for n in notes if "shopify.yaml" in n]


def test_redirect_hops_and_operations_without_responses_say_nothing(tmp_path: Path) -> None:
    """#7: the 301 of `http://` and of a missing trailing slash is no status of the
    operation; #8: a 3.1 operation that lists no responses allows or forbids none."""
    folder = cassettes(
        tmp_path,
        call("http://api.example.com/api/users/3", status=301, kind="text/html"),
        call("https://api.example.com/api/users/3", status=308, kind="text/html"),
        call("https://api.example.com/api/users/3/", {"id": 3}),
        call("https://api.example.com/events", {"queued": True}, method="POST", status=202),
    )
    assert diff(SPECS / "statuses.yaml", folder)[:2] == (0, [])
    # a status that is no redirect is still one the operation does not list
    cassettes(tmp_path, call("https://api.example.com/api/users/3/", status=404))
    assert diff(SPECS / "statuses.yaml", folder)[1] == [
        ("spec-status-undocumented", "GET api.example.com/api/users/{id}", "$")
    ]


def test_methods_openapi_cannot_hold_round_trip_silently(tmp_path: Path) -> None:
    """#9: `schema` leaves PROPFIND and PURGE out of `paths`; given back as the spec,
    they are not 'undocumented': no OpenAPI document could list them."""
    folder = cassettes(
        tmp_path,
        call("https://cloud.example.com/remote.php/dav/files/alice", {"ok": 1}, method="PROPFIND"),
        call("https://cdn.example.com/assets/app.js", {"purged": True}, method="PURGE"),
        call("https://api.example.com/contacts/7", {"id": 7}),
    )
    exported = tmp_path / "exported.json"
    result = run("schema", "--no-cache", str(folder), "-o", str(exported))
    assert result.exit_code == 0, result.output
    assert len(json.loads(exported.read_text())["x-driftcheck"]["unlisted"]) == 2
    assert diff(exported, folder)[:2] == (0, [])
