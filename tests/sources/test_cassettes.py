"""Reading real cassettes: every tricky format loads, or is refused with one clear line."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import brotli
import pytest
import requests
import vcr
from pytest_httpserver import HTTPServer
from werkzeug import Response

from driftcheck.core.model import BodyKind
from driftcheck.errors import CassetteError
from driftcheck.sources.cassettes import (
    GRAPHQL_BODY_LIMIT,
    discover,
    find,
    load_all,
    read_cassette,
)
from tests.helpers import CASSETTES


def test_gzip_binary_body_is_decoded() -> None:
    (interaction,) = read_cassette(CASSETTES / "vcrpy_gzip_requests.yaml").interactions
    assert interaction.kind is BodyKind.JSON
    assert interaction.body["gzipped"] is True
    assert interaction.status == 200
    assert interaction.uri == "https://httpbin.org/gzip"


def test_httpx_layout_already_decoded_despite_gzip_header() -> None:
    (interaction,) = read_cassette(CASSETTES / "vcrpy_gzip_httpx_old_format.yaml").interactions
    assert interaction.kind is BodyKind.JSON
    assert interaction.body["method"] == "GET"
    assert interaction.status == 200


def test_flow_style_yaml() -> None:
    (interaction,) = read_cassette(CASSETTES / "vcrpy_flow_style.yaml").interactions
    assert interaction.body == {"origin": "217.122.164.194"}
    assert interaction.content_type == "application/json"


def test_json_serializer() -> None:
    (interaction,) = read_cassette(CASSETTES / "vcrpy_json_serializer.json").interactions
    assert interaction.body == {"origin": "217.122.164.194"}


def test_json_cassette_without_extension(tmp_path: Path) -> None:
    target = tmp_path / "cassette"
    target.write_bytes((CASSETTES / "vcrpy_json_serializer.json").read_bytes())
    assert read_cassette(target).interactions[0].body == {"origin": "217.122.164.194"}


def test_benign_python_tags_and_header_pairs() -> None:
    interactions = read_cassette(CASSETTES / "vcrpy_python_tags.yaml").interactions
    assert [i.status for i in interactions] == [500, 404]
    assert {i.content_type for i in interactions} == {"text/html"}
    assert {i.kind for i in interactions} == {BodyKind.EMPTY}


def test_object_building_tag_is_refused() -> None:
    with pytest.raises(CassetteError) as caught:
        read_cassette(CASSETTES / "vcrpy_old_format_object_tag.yaml")
    assert caught.value.reason == (
        "line 1: refused YAML tag !!python/object:vcr.request.Request: it would build "
        "objects; only !!binary, !binary, !!python/unicode, !!python/str, !!python/tuple are "
        "accepted"
    )


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!python/module:os",
        "!custom {{a: 1}}",
    ],
)
def test_hostile_tags_execute_nothing(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    cassette = tmp_path / "evil.yaml"
    cassette.write_text(
        "interactions:\n- request: {uri: 'http://x/', method: GET}\n"
        "  response:\n    status: {code: 200}\n"
        f"    body:\n      string: {tag.format(marker=marker)}\n"
    )
    with pytest.raises(CassetteError, match=r"line 6: refused YAML tag"):
        read_cassette(cassette)
    assert not marker.exists()


def test_pre_1_0_format_is_named() -> None:
    with pytest.raises(CassetteError) as caught:
        read_cassette(CASSETTES / "vcrpy_old_format.json")
    assert caught.value.reason == (
        "pre-1.0 vcrpy cassette format (a top-level list, no `uri`); re-record it"
    )


def test_not_a_cassette() -> None:
    with pytest.raises(CassetteError) as caught:
        read_cassette(CASSETTES / "vcrpy_not_cassette.txt")
    assert caught.value.reason == (
        "not a cassette: expected a mapping with an `interactions` list, found plain text"
    )


def test_mapping_without_interactions(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("name: x\nversion: 2\n")
    with pytest.raises(CassetteError) as caught:
        read_cassette(path)
    assert caught.value.reason == (
        "not a cassette: expected a mapping with an `interactions` list, "
        "found a mapping with keys `name`, `version`"
    )


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("interactions:\n- request: {uri: 'http://x/'\n  response: [\n")
    with pytest.raises(CassetteError) as caught:
        read_cassette(path)
    assert caught.value.reason.startswith("invalid YAML at line 3, column ")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("  \n")
    with pytest.raises(CassetteError) as caught:
        read_cassette(path)
    assert caught.value.reason == "empty file, not a cassette"


def test_missing_status(tmp_path: Path) -> None:
    path = tmp_path / "nostatus.yaml"
    path.write_text(
        "interactions:\n- request: {uri: 'http://x/'}\n  response: {body: {string: ''}}\n"
    )
    with pytest.raises(CassetteError) as caught:
        read_cassette(path)
    assert caught.value.reason == "interaction 0: response has no numeric status code"


def test_event_stream_binary_and_bare_string() -> None:
    (sse,) = read_cassette(CASSETTES / "crewai_event_stream.yaml").interactions
    assert sse.kind is BodyKind.EVENT_STREAM
    protobuf = read_cassette(CASSETTES / "crewai_protobuf.yaml").interactions
    assert BodyKind.BINARY in {i.kind for i in protobuf}
    bare = read_cassette(CASSETTES / "crewai_bare_json_string.yaml").interactions
    assert [(i.kind, i.body) for i in bare] == [(BodyKind.JSON, "Success")] * 2


def test_top_level_array_and_empty_204() -> None:
    (array,) = read_cassette(CASSETTES / "datadog_top_level_array.yaml").interactions
    assert array.kind is BodyKind.JSON
    assert isinstance(array.body, list)
    statuses = [
        (i.status, i.kind) for i in read_cassette(CASSETTES / "datadog_zip_body.yaml").interactions
    ]
    assert (204, BodyKind.EMPTY) in statuses


def test_gzip_html_page_is_recognised() -> None:
    kinds = [i.kind for i in read_cassette(CASSETTES / "vcrpy_domain_redirect.yaml").interactions]
    assert kinds == [BodyKind.EMPTY, BodyKind.HTML]


def test_folder_mode_goes_on_past_unreadable_files() -> None:
    interactions, errors = load_all(discover([CASSETTES]))
    assert sorted(Path(e.file).name for e in errors) == [
        "vcrpy_old_format.json",
        "vcrpy_old_format_object_tag.yaml",
    ]
    assert len({i.source for i in interactions}) == 14  # .txt is not searched in folders


def test_discover_skips_hidden_and_other_extensions(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.yaml").write_text("x: 1")
    (tmp_path / "notes.md").write_text("# hi")
    (tmp_path / "a.yml").write_text("interactions: []")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_text("interactions: []")
    assert [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])] == ["a.yml", "sub/b"]


def test_discover_missing_path(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="no such file or folder"):
        discover([tmp_path / "nope"])


USERS = [{"id": 1, "name": "Ada", "profile": {"age": 36}}, {"id": 2, "name": "Bob"}]


def _compressed_app(encoding: str):  # type: ignore[no-untyped-def]
    payload = json.dumps(USERS).encode()
    body = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[encoding](
        payload
    )
    return Response(
        body, headers={"Content-Type": "application/json", "Content-Encoding": encoding}
    )


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
@pytest.mark.parametrize("decode", [False, True])
def test_real_vcrpy_recording_round_trip(
    httpserver: HTTPServer, tmp_path: Path, encoding: str, decode: bool
) -> None:
    """A cassette vcrpy itself writes from a real server, compressed or decoded, reads back."""
    httpserver.expect_request("/users").respond_with_handler(
        lambda request: _compressed_app(encoding)
    )
    path = tmp_path / "users.yaml"
    recorder = vcr.VCR(decode_compressed_response=decode)
    with recorder.use_cassette(str(path)):
        assert requests.get(httpserver.url_for("/users"), timeout=5).json() == USERS
    (interaction,) = read_cassette(path).interactions
    assert interaction.kind is BodyKind.JSON
    assert interaction.body == USERS
    assert interaction.uri == httpserver.url_for("/users")


def test_real_vcrpy_json_serializer(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/users").respond_with_json(USERS)
    recorder = vcr.VCR(serializer="json")
    with recorder.use_cassette(str(tmp_path / "users.json")):
        requests.get(httpserver.url_for("/users"), timeout=5)
    assert read_cassette(tmp_path / "users.json").interactions[0].body == USERS


RUBY_VCR = """---
http_interactions:
- request:
    method: get
    uri: https://api.example.com/users/1
    body:
      encoding: US-ASCII
      string: ''
    headers:
      Accept:
      - "*/*"
  response:
    status:
      code: 200
      message: OK
    headers:
      Content-Type:
      - application/json; charset=utf-8
    body:
      encoding: ASCII-8BIT
      string: !binary |-
        eyJpZCI6IDEsICJuYW1lIjogIkFkYSJ9
    http_version:
  recorded_at: Tue, 01 Nov 2022 10:00:00 GMT
recorded_with: VCR 6.1.0
"""

BETAMAX = {
    "http_interactions": [
        {
            "request": {
                "body": {"encoding": "utf-8", "string": ""},
                "headers": {},
                "method": "GET",
                "uri": "https://api.example.com/users/1",
            },
            "response": {
                "body": {"encoding": "utf-8", "base64_string": "eyJpZCI6IDEsICJuYW1lIjogIkFkYSJ9"},
                "headers": {"Content-Type": ["application/json"]},
                "status": {"code": 200, "message": "OK"},
                "url": "https://api.example.com/users/1",
            },
            "recorded_at": "2022-11-01T10:00:00",
        }
    ],
    "recorded_with": "betamax/0.8.1",
}

GO_VCR = """---
version: 2
interactions:
- id: 0
  request:
    proto: HTTP/1.1
    method: GET
    url: https://api.example.com/users/1
    headers: {}
  response:
    proto: HTTP/2.0
    headers:
      Content-Type:
      - application/json
    body: '{"id": 1, "name": "Ada"}'
    status: 200 OK
    code: 200
    duration: 120ms
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [("ruby.yml", RUBY_VCR), ("betamax.json", json.dumps(BETAMAX)), ("go.yaml", GO_VCR)],
)
def test_other_vcr_ports(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    (interaction,) = read_cassette(path).interactions
    assert (interaction.method, interaction.uri, interaction.status) == (
        "GET",
        "https://api.example.com/users/1",
        200,
    )
    assert interaction.body == {"id": 1, "name": "Ada"}


def test_ruby_object_tags_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "ruby.yml"
    path.write_text(RUBY_VCR.replace("http_version:", "http_version: !ruby/object:Net::HTTP {}"))
    with pytest.raises(CassetteError, match=r"line 23: refused YAML tag !ruby/object:Net::HTTP"):
        read_cassette(path)


def _alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_in_headers_is_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(
        _alias_bomb()
        + "interactions:\n- request: {uri: 'http://x/'}\n"
        + "  response: {status: {code: 200}, headers: {X-Bomb: *a8}, body: {string: '{}'}}\n"
    )
    (interaction,) = read_cassette(path).interactions
    assert interaction.body == {}


def test_alias_bomb_as_body_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(
        _alias_bomb()
        + "interactions:\n- request: {uri: 'http://x/'}\n"
        + "  response: {status: {code: 200}, body: {string: *a8}}\n"
    )
    with pytest.raises(CassetteError) as caught:
        read_cassette(path)
    assert caught.value.reason == (
        "interaction 0: response body is a YAML list where text was expected"
    )


def test_graphql_operations_read_from_real_vcrpy_requests(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """A GraphQL request's operation: `operationName`, else the first operation its query
    names; every other request has none."""
    httpserver.expect_request("/graphql").respond_with_json({"data": {"ok": True}})
    httpserver.expect_request("/users").respond_with_json(USERS)
    url = httpserver.url_for("/graphql")
    bodies = [
        {"query": "query GetUser($id: ID!) { user(id: $id) { name } }", "operationName": "GetUser"},
        {
            "query": "# query Commented\nfragment F on Repo { name }\n"
            'query ListRepos { repos(q: "query X") { ...F } }'
        },
        {"query": "{ viewer { login } }"},
        {"query": "mutation AddStar { addStar { ok } }", "operationName": None},
    ]
    path = tmp_path / "graphql.json"
    with vcr.VCR(serializer="json").use_cassette(str(path)):
        for body in bodies:
            requests.post(url, json=body, timeout=5)
        requests.get(f"{url}?query=query%20Search%20%7Ba%7D", timeout=5)
        requests.get(httpserver.url_for("/users"), timeout=5)
        requests.post(url, data="{not json", timeout=5)
    operations = [i.operation for i in read_cassette(path).interactions]
    assert operations == ["GetUser", "ListRepos", None, "AddStar", "Search", None, None]


@pytest.mark.parametrize(
    "body",
    [
        {"string": '{"query": 3}'},  # not GraphQL
        '[{"query": "query A { a }"}]',  # a batch: no one operation
        {"base64_string": "eyJxdWVyeSI6ICJxdWVyeSBCIHsgYiB9In0="},  # Betamax: query B
        "{" + " " * GRAPHQL_BODY_LIMIT + '"query": "query Big { a }"}',  # too large to parse
        {"nested": ["a", "b"]},  # YAML structure, not text
        "{bad json",
    ],
)
def test_an_unreadable_request_body_has_no_operation_and_fails_nothing(
    tmp_path: Path, body: Any
) -> None:
    cassette = {
        "interactions": [
            {
                "request": {"method": "POST", "uri": "https://x.io/graphql", "body": body},
                "response": {"status": {"code": 200}, "body": {"string": "{}"}},
            }
        ]
    }
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cassette))
    (interaction,) = read_cassette(path).interactions
    expected = "B" if isinstance(body, dict) and "base64_string" in body else None
    assert interaction.operation == expected
    assert interaction.status == 200


def test_find_reads_folders_globs_and_files_and_nothing_yet(tmp_path: Path) -> None:
    """Config places: a folder searched like `discover`, the files a glob matches, a file
    itself; a place that does not exist yet holds nothing."""
    for name in ("a/one.yaml", "a/deep/two.json", "a/.hidden/x.yaml", "b/three.yml", "b/c.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("interactions: []")

    def found(*places: str) -> list[str]:
        return [Path(p).relative_to(tmp_path).as_posix() for p in find(places)]

    assert found(str(tmp_path / "a")) == ["a/deep/two.json", "a/one.yaml"]
    assert found(str(tmp_path / "**" / "*.y*ml")) == ["a/one.yaml", "b/three.yml"]
    assert found(str(tmp_path / "b" / "*")) == ["b/c.txt", "b/three.yml"]  # a glob takes any
    assert found(str(tmp_path / "b" / "three.yml"), str(tmp_path / "b")) == ["b/three.yml"]
    assert found(str(tmp_path / "missing"), str(tmp_path / "none" / "*.yaml")) == []


# Issue 15, defect 12: only regular files are opened; a FIFO would block a reader forever.


def _in_a_subprocess(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run reading code in a child, so a read that blocks fails the test by its timeout."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


READ_ONE = (
    "import sys\n"
    "from driftcheck.errors import CassetteError\n"
    "from driftcheck.sources.cassettes import read_cassette\n"
    "try:\n"
    "    read_cassette(sys.argv[1])\n"
    "except CassetteError as error:\n"
    "    print(error.reason)\n"
)


def test_a_fifo_is_refused_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    completed = _in_a_subprocess(READ_ONE, str(tmp_path / "pipe.yaml"))
    assert completed.stdout == "a FIFO (named pipe), not a regular file: a cassette is a file\n"


def test_a_device_and_a_socket_are_refused(tmp_path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "s.yaml"))
        with pytest.raises(CassetteError) as caught:
            read_cassette(tmp_path / "s.yaml")
        assert caught.value.reason == "a socket, not a regular file: a cassette is a file"
    completed = _in_a_subprocess(READ_ONE, "/dev/zero")
    assert completed.stdout == "a character device, not a regular file: a cassette is a file\n"


def test_discover_skips_fifos_in_folders_and_refuses_one_named(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes((CASSETTES / "vcrpy_flow_style.yaml").read_bytes())
    os.mkfifo(tmp_path / "pipe.yaml")
    os.symlink(tmp_path / "pipe.yaml", tmp_path / "link.yaml")
    assert discover([tmp_path]) == [tmp_path / "a.yaml"]
    assert find([str(tmp_path / "*.yaml")]) == [str(tmp_path / "a.yaml")]
    with pytest.raises(CassetteError) as caught:
        discover([tmp_path / "link.yaml"])
    assert str(caught.value) == (
        f"{tmp_path / 'link.yaml'}: a FIFO (named pipe), not a cassette file or a folder"
    )


@pytest.mark.parametrize(
    ("response", "status"),
    [
        ("status: {code: 200}", 200),
        ("status: '404 Not Found'", 404),
        ("status: {code: 201.0}", 201),
        ("status_code: 204", 204),
        ("code: 599", 599),
        ("status: {code: .inf}, status_code: 302", 302),  # the first valid of them
    ],
)
def test_status_layouts(tmp_path: Path, response: str, status: int) -> None:
    path = tmp_path / "status.yaml"
    path.write_text(
        "interactions:\n- request: {method: post, uri: 'http://h/x'}\n"
        f"  response: {{{response}, body: {{string: ''}}}}\n"
    )
    (interaction,) = read_cassette(path).interactions
    assert (interaction.method, interaction.status) == ("POST", status)


@pytest.mark.parametrize(
    ("stamp", "recorded"),
    [
        ("2024-05-01T12:00:00Z", 1714564800.0),
        ("Fri, 31 Dec 9999 23:59:59 -2359", None),  # past year 9999 in UTC
        ("0001-01-01T00:00:00+14:00", None),  # before year 1 in UTC
        ("1969-12-31T23:59:59Z", None),  # before any clock's epoch
        ("Mon, 01 Jan 99999999999999999999 00:00:00 GMT", None),
    ],
)
def test_a_date_no_clock_holds_leaves_the_interaction_undated(
    tmp_path: Path, stamp: str, recorded: float | None
) -> None:
    path = tmp_path / "dated.yaml"
    path.write_text(
        "interactions:\n- request: {method: GET, uri: 'http://h/x'}\n"
        f"  response: {{status: {{code: 200}}, body: {{string: ''}}}}\n  recorded_at: '{stamp}'\n"
    )
    assert read_cassette(path).interactions[0].recorded_at == recorded


def test_a_document_key_is_shown_escaped(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"\x1b[31mred": 1, "b" * 100: 2}))
    with pytest.raises(CassetteError) as caught:
        read_cassette(path)
    assert caught.value.reason == (
        "not a cassette: expected a mapping with an `interactions` list, found a mapping "
        f"with keys `\\x1b[31mred`, `{'b' * 40}`"
    )


@pytest.mark.parametrize(
    ("name", "operation"),
    [("GetUser", "GetUser"), ("Get\x1b[31mUser", "First"), ("x" * 300, "First"), (5, "First")],
)
def test_an_operation_name_is_a_graphql_name(tmp_path: Path, name: Any, operation: str) -> None:
    body = json.dumps({"query": "query First { a }", "operationName": name})
    path = tmp_path / "graphql.json"
    path.write_text(
        json.dumps(
            {
                "interactions": [
                    {
                        "request": {"method": "POST", "uri": "http://h/graphql", "body": body},
                        "response": {"status": {"code": 200}, "body": {"string": "{}"}},
                    }
                ]
            }
        )
    )
    assert read_cassette(path).interactions[0].operation == operation
