"""unittest.mock and pytest-mock: a client function patched and its response mocked by
hand, run for real against the client; the static reading finds each payload with the
patched name, the method it implies and the status the test sets."""

from __future__ import annotations

import pytest

from tests.sources.mocks.project import run_real

TESTS = """
    from unittest import mock
    from unittest.mock import MagicMock, Mock, patch

    import httpx
    import requests

    import client

    USER = {"id": 1, "name": "Ada"}


    @patch("client.requests.get")
    def test_decorator(mock_get):
        mock_get.return_value.json.return_value = USER
        mock_get.return_value.status_code = 404
        assert client.get_user(1) == (404, USER)


    @mock.patch("client.requests.request")
    @mock.patch("client.requests.get")
    def test_stacked(mock_get, mock_request):
        mock_get.return_value = Mock(status_code=201, json=lambda: {"id": 2})
        mock_request.return_value.json.side_effect = [{"id": 3}]
        assert client.get_user(2) == (201, {"id": 2})
        assert client.fetch("GET", "https://x")[1] == {"id": 3}


    def test_context():
        with patch("client.requests.get") as get:
            get.return_value = MagicMock(**{"json.return_value": [4], "status_code": 200})
            assert client.get_user(4) == (200, [4])


    def test_mocker(mocker):
        response = Mock()
        response.status_code = 500
        response.json.return_value = {"error": "boom"}
        patched = mocker.patch("client.requests.get")
        patched.return_value = response
        assert client.get_user(5) == (500, {"error": "boom"})


    def test_patch_object(mocker):
        mocker.patch.object(
            requests, "request", return_value=Mock(status_code=202, json=lambda: [])
        )
        assert client.fetch("POST", "https://x") == (202, [])


    def test_httpx_response(mocker):
        mocker.patch("client.requests.get", return_value=httpx.Response(409, json={"id": 6}))
        assert client.get_user(6) == (409, {"id": 6})
"""


def test_every_spelling_is_served_and_read(pytester: pytest.Pytester) -> None:
    found = run_real(pytester, TESTS, client="requests", passed=6)
    assert found.skipped == ()
    assert [
        (m.library, m.patch_target, m.method, m.status, m.fixture.value, m.url) for m in found.mocks
    ] == [
        ("unittest.mock", "client.requests.get", "GET", 404, {"id": 1, "name": "Ada"}, None),
        ("unittest.mock", "client.requests.get", "GET", 201, {"id": 2}, None),
        ("unittest.mock", "client.requests.request", None, None, {"id": 3}, None),
        ("unittest.mock", "client.requests.get", "GET", 200, [4], None),
        ("pytest-mock", "client.requests.get", "GET", 500, {"error": "boom"}, None),
        ("pytest-mock", "requests.request", None, 202, [], None),
        ("pytest-mock", "client.requests.get", "GET", 409, {"id": 6}, None),
    ]
    assert found.mocks[0].fixture.where("$.name").line == 9
    assert found.mocks[0].call.line == 14
