"""Static reading without a real run: URLs built from constants, statuses by name,
calls whose body is not data, modules mixing styles, and the repository walk."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from driftcheck.core.mocks import Mock, MocksFound, Skipped
from driftcheck.core.model import FileError, Location, Opaque, Unknown
from driftcheck.errors import FixtureError
from driftcheck.sources.mocks import EXTRACTORS, module_mocks, read_mocks, repository_mocks


def read(source: str) -> MocksFound:
    return module_mocks(textwrap.dedent(source).encode(), "t.py")


def urls(found: MocksFound) -> list[str | None]:
    return [m.url for m in found.mocks]


def test_one_extractor_per_library() -> None:
    assert list(EXTRACTORS) == [
        "responses",
        "requests-mock",
        "respx",
        "pytest-httpx",
        "aioresponses",
        "httpretty",
        "unittest.mock",
    ]


def test_urls_resolve_literal_parts_and_keep_placeholders() -> None:
    found = read("""
        import os
        from urllib.parse import urljoin
        import responses

        BASE = os.getenv("API_URL", "https://api.example.com")
        V1 = BASE + "/v1"

        class TestUsers:
            HOST = "https://cls.example.com"

            def setup_method(self):
                self.url = f"{self.HOST}/me"

            def test_attributes(self, user_id):
                responses.get(f"{BASE}/users/{user_id}", json={})
                responses.get(self.url, json={})
                responses.get(TestUsers.HOST + "/x", json={})

        def test_spellings(user):
            responses.get("{}/users/{id}".format(V1, id=7), json={})
            responses.get("%s/users/%d" % (V1, 8), json={})
            responses.get(urljoin(V1 + "/", "teams"), json={})
            responses.get(f"{V1}/users/{user.id}/{make_slug()}", json={})
            responses.get(unknown_url, json={})
    """)
    assert urls(found) == [
        "https://api.example.com/users/{user_id}",
        "https://cls.example.com/me",
        "https://cls.example.com/x",
        "https://api.example.com/v1/users/7",
        "https://api.example.com/v1/users/8",
        "https://api.example.com/v1/teams",
        "https://api.example.com/v1/users/{user.id}/{make_slug()}",
        "{unknown_url}",
    ]


def test_constants_imported_from_the_repository(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("from .consts import BASE_URL\n")
    (tmp_path / "pkg" / "consts.py").write_text('BASE_URL = "https://api.example.com"\n')
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "paths.py").write_text('class Paths:\n    USERS = "/users"\n')
    (tmp_path / "tests" / "conftest.py").write_text(
        "import pytest\n\n@pytest.fixture\ndef base_url():\n    return 'https://fx.example.com'\n"
    )
    test = tmp_path / "tests" / "test_api.py"
    test.write_text(
        textwrap.dedent("""
        import responses
        import pkg
        from pkg.consts import BASE_URL
        from pkg import consts
        from .paths import Paths

        def test_imported(base_url):
            responses.get(f"{BASE_URL}/1", json={})
            responses.get(consts.BASE_URL + Paths.USERS, json={})
            responses.get(pkg.BASE_URL + "/3", json={})
            responses.get(base_url + "/4", json={})
    """)
    )
    found = read_mocks(test, tmp_path)
    assert urls(found) == [
        "https://api.example.com/1",
        "https://api.example.com/users",
        "https://api.example.com/3",
        "https://fx.example.com/4",
    ]
    alone = module_mocks(test.read_bytes(), "tests/test_api.py")
    assert urls(alone)[0] == "{BASE_URL}/1"  # on its own, a module follows no import


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("404", 404),
        ("HTTPStatus.NOT_FOUND", 404),
        ("http.HTTPStatus.CREATED", 201),
        ("HTTPStatus.OK.value", 200),
        ("requests.codes.not_found", 404),
        ("requests.codes.ok", 200),
        ("status.HTTP_429_TOO_MANY_REQUESTS", 429),
        ("CODE", 418),
        ("int('5')", None),
    ],
)
def test_statuses_by_name(status: str, expected: int | None) -> None:
    found = read(f"""
        import http
        from http import HTTPStatus
        import requests, responses
        from starlette import status
        CODE = 418
        responses.get("https://x", json={{}}, status={status})
    """)
    [mock] = found.mocks
    assert mock.status == expected


def test_methods_by_any_spelling() -> None:
    found = read("""
        import responses, httpretty
        from responses import PATCH
        METHOD = "post"
        responses.add("get", "https://x/1", json={})
        responses.add(METHOD, "https://x/2", json={})
        responses.add(PATCH, "https://x/3", json={})
        httpretty.register_uri(httpretty.HEAD, "https://x/4", body="{}")
    """)
    assert [m.method for m in found.mocks] == ["GET", "POST", "PATCH", "HEAD"]


def test_calls_whose_body_is_not_data_are_skipped_with_a_reason() -> None:
    found = read("""
        import responses, respx
        from unittest.mock import patch

        def callback(request):
            return (200, {}, "{}")

        def test_x(requests_mock, httpx_mock):
            responses.add(responses.GET, "https://x/1", json=make_user(), status=201)
            responses.add_callback(responses.GET, "https://x/2", callback=callback)
            requests_mock.get("https://x/3", json=lambda request, context: {})
            requests_mock.get("https://x/4", exc=ConnectionError)
            responses.delete("https://x/5", status=204)
            respx.get("https://x/6").mock(side_effect=callback)
            httpx_mock.add_response(url="https://x/7", text="not json")
            responses.get("https://x/8", json=payload)
    """)
    assert found.mocks == ()
    assert [(s.location.line, s.library, s.url, s.status, s.reason) for s in found.skipped] == [
        (9, "responses", "https://x/1", 201, "a call to `make_user()` is not data"),
        (10, "responses", None, None, "the response is a callback, not data"),
        (11, "requests-mock", "https://x/3", 200, "`json=` is a callback, not data"),
        (12, "requests-mock", "https://x/4", 200,
         "the mock raises an exception instead of answering"),
        (13, "responses", "https://x/5", 204, "no JSON body"),
        (14, "respx", "https://x/6", None, "`side_effect` is a callback or an exception, not data"),
        (15, "pytest-httpx", "https://x/7", 200, "the body is a string that is not JSON"),
        (16, "responses", "https://x/8", 200, "the name `payload` is not data"),
    ]  # fmt: skip
    assert all(isinstance(s, Skipped) and s.name.startswith("t.py::test_x.") for s in found.skipped)


def test_a_module_mixing_styles_has_all_of_them_read() -> None:
    found = read("""
        import responses
        from unittest.mock import patch

        @responses.activate
        def test_mixed(requests_mock):
            responses.add(responses.GET, "https://x/1", json={"a": 1})
            responses.get("https://x/2", json={"b": 2})
            requests_mock.post("https://x/3", json={"c": 3})
            with responses.RequestsMock() as rsps:
                rsps.put("https://x/4", json={"d": 4})
            with patch("pkg.api.session.get") as get:
                get.return_value.json.return_value = {"e": 5}
    """)
    assert [(m.library, m.method, m.url, m.fixture.value) for m in found.mocks] == [
        ("responses", "GET", "https://x/1", {"a": 1}),
        ("responses", "GET", "https://x/2", {"b": 2}),
        ("requests-mock", "POST", "https://x/3", {"c": 3}),
        ("responses", "PUT", "https://x/4", {"d": 4}),
        ("unittest.mock", "GET", None, {"e": 5}),
    ]
    assert found.mocks[-1].patch_target == "pkg.api.session.get"


def test_opaque_parts_are_noted_and_the_rest_read() -> None:
    found = read("""
        import responses
        from datetime import datetime

        def test_x():
            responses.get("https://x", json={"id": 1, "at": datetime.now().isoformat()})
    """)
    [mock] = found.mocks
    assert mock.fixture.value["id"] == 1
    assert isinstance(mock.fixture.value["at"], Opaque)
    assert found.notes == (
        "t.py:6: `$.at` in t.py::test_x.responses.get@6 is a call to "
        "`datetime.now().isoformat()`, not data; its type is not checked",
    )


def test_the_same_names_mean_other_libraries_when_bound_otherwise() -> None:
    found = read("""
        import pytest
        import requests_mock
        from aioresponses import aioresponses

        @pytest.fixture
        def responses():
            with aioresponses() as mocker:
                yield mocker

        def test_fixture_shadowing_the_module(responses):
            responses.get("https://x/1", payload={"a": 1})

        def test_other_mock():
            with requests_mock.Mocker() as m:
                m.get("https://x/2", json={"b": 2})
            m = object()
            m.get("https://x/3", json={"c": 3})
    """)
    assert [(m.library, m.url) for m in found.mocks] == [
        ("aioresponses", "https://x/1"),
        ("requests-mock", "https://x/2"),
    ]


def test_decorators_pass_mocks_in_their_order() -> None:
    found = read("""
        import unittest
        from unittest import mock
        import requests_mock

        class TestX(unittest.TestCase):
            @requests_mock.Mocker()
            @mock.patch("pkg.api.post")
            @mock.patch("pkg.api.get")
            def test_x(self, m, mock_get, mock_post):
                m.get("https://x/1", json={"a": 1})
                mock_get.return_value.json.return_value = {"b": 2}
                mock_post.return_value.json.return_value = {"c": 3}

            @requests_mock.Mocker(kw="mocker")
            def test_kw(self, **kwargs):
                kwargs["mocker"].get("https://x/2", json={})
    """)
    assert [(m.library, m.url, m.patch_target) for m in found.mocks] == [
        ("requests-mock", "https://x/1", None),
        ("unittest.mock", None, "pkg.api.get"),
        ("unittest.mock", None, "pkg.api.post"),
    ]


def test_repository_walk_skips_virtualenvs_and_hidden_folders(tmp_path: Path) -> None:
    mock_call = "import responses\nresponses.get('https://x', json={'a': 1})\n"
    for folder in ["tests", ".venv/lib", "venv2/lib", ".hidden", "node_modules/pkg"]:
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "test_api.py").write_text(mock_call)
    (tmp_path / "venv2" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "tests" / "api_test.py").write_text(mock_call)
    (tmp_path / "tests" / "helpers.py").write_text(mock_call)
    (tmp_path / "tests" / "test_broken.py").write_text("def test(:\n")
    found = repository_mocks(tmp_path)
    assert sorted(m.call.file for m in found.mocks) == ["tests/api_test.py", "tests/test_api.py"]
    assert found.errors == (FileError("tests/test_broken.py", "invalid Python: cannot be parsed"),)


def test_invalid_python_is_one_line() -> None:
    with pytest.raises(FixtureError) as caught:
        module_mocks(b"def test(:\n", "t.py")
    assert str(caught.value).startswith("t.py: line 1: invalid Python: ")


def test_a_test_file_that_cannot_be_parsed_is_an_error_value(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("x = (\n")
    found = read_mocks(tmp_path / "test_x.py", tmp_path)
    assert found.mocks == ()
    assert found.errors[0].file == "test_x.py"


def test_mocks_add_up() -> None:
    one = read('import responses\nresponses.get("https://x", json={})\n')
    both = one + one
    assert len(both.mocks) == 2
    assert all(isinstance(m, Mock) and m.call == Location("t.py", 2) for m in both.mocks)


def test_fixtures_named_as_suites_name_them_when_their_conftest_is_not_read() -> None:
    found = read("""
        def test_x(mocked_responses, mock_aioresponse, httpx_mock, mocker):
            mocked_responses.get("https://x/1", json={"a": 1})
            mock_aioresponse.get("https://x/2", payload={"b": 2})
            httpx_mock.add_response(url="https://x/3", json={"c": 3})
            get = mocker.patch("pkg.api.get")
            get.return_value.json.side_effect = ValueError("not JSON")
    """)
    assert [(m.library, m.url) for m in found.mocks] == [
        ("responses", "https://x/1"),
        ("aioresponses", "https://x/2"),
        ("pytest-httpx", "https://x/3"),
    ]
    [skipped] = found.skipped
    assert (skipped.library, skipped.location.line) == ("pytest-mock", 7)
    assert skipped.reason == "`.json()` raises or calls `ValueError('not JSON')`, not data"


def test_respx_patterns_and_paths() -> None:
    found = read("""
        import respx

        def test_x():
            respx.get(url__startswith="https://x.example.com/v1").respond(json={})
            respx.route(host="api.example.com", path="/users").respond(json={})
            respx.route(method="POST", path__regex=r"/users/\\d+").respond(json={})
            with respx.mock(base_url="https://b.example.com") as router:
                router.route(path="/teams").respond(json={})
    """)
    assert [(m.method, m.url, m.url_regex) for m in found.mocks] == [
        ("GET", r"https://x\.example\.com/v1.*", True),
        (None, "https://api.example.com/users", False),
        ("POST", r".*/users/\d+", True),
        (None, "https://b.example.com/teams", False),
    ]


def test_a_key_written_over_a_spread_points_at_its_own_line() -> None:
    found = read(
        """
        import responses

        REPO = {"id": 1, "stars": 5, "owner": {"login": "x"}}


        @responses.activate
        def test_repo():
            responses.get("https://x.test/r", json={**REPO, "stars": "80", "owner": {"id": 2}})
        """
    )
    (mock,) = found.mocks
    lines = mock.fixture.lines
    assert lines["$.stars"] == 9
    assert lines["$.owner"] == 9
    assert "$.owner.login" not in lines
    assert lines["$.id"] == 4


def test_an_f_string_payload_value_is_a_string_of_unknown_value_unless_it_formats_nothing() -> None:
    found = read("""
        import responses

        STATE = "active"

        def test_user(today):
            responses.get("https://api.example.com/u", json={
                "status": f"{STATE}", "created_at": f"{today}T10:00:00Z", "plain": f"inactive"
            })
    """)
    (mock,) = found.mocks
    payload = mock.fixture.value
    assert isinstance(payload, dict)
    assert type(payload["status"]) is Unknown
    assert type(payload["created_at"]) is Unknown
    assert (type(payload["plain"]), payload["plain"]) == (str, "inactive")
