"""Endpoint keys: ids in paths become {id}; words stay."""

from __future__ import annotations

import pytest

from driftcheck.core.endpoints import endpoint_key, group
from driftcheck.core.model import BodyKind, Interaction


@pytest.mark.parametrize(
    ("uri", "key"),
    [
        ("https://api.example.com/users/42", "GET api.example.com/users/{id}"),
        ("https://API.example.com/users/42?verbose=1", "GET api.example.com/users/{id}"),
        ("http://127.0.0.1:8080/users/42/posts", "GET 127.0.0.1:8080/users/{id}/posts"),
        (
            "https://x.io/a/0105233a-4d7b-4c52-b364-cc968d003de0",
            "GET x.io/a/{id}",
        ),
        ("https://x.io/c/029b3b619a6255eb899c46681dd7038f", "GET x.io/c/{id}"),
        ("https://x.io/dash/zb6-rsj-zej", "GET x.io/dash/{id}"),
        ("https://x.io/t/1unf0vMNQKSSwzsg6BuWMw", "GET x.io/t/{id}"),
        ("https://x.io/v/TESTCREATEACUSTOMVARIABLE1652349031", "GET x.io/v/{id}"),
        ("https://x.io/day/2024-07-07", "GET x.io/day/{id}"),
        (
            "https://x.io/api/v2/security_monitoring/rules",
            "GET x.io/api/v2/security_monitoring/rules",
        ),
        ("https://x.io/v1/chat/completions", "GET x.io/v1/chat/completions"),
        (
            "https://x.io/models/gemini-2.0-flash:generate",
            "GET x.io/models/gemini-2.0-flash:generate",
        ),
        ("https://x.io/oauth2/token", "GET x.io/oauth2/token"),
        ("https://x.io", "GET x.io/"),
    ],
)
def test_endpoint_key(uri: str, key: str) -> None:
    assert endpoint_key("get", uri) == key


def _sample(uri: str, status: int, body: object, kind: BodyKind = BodyKind.JSON) -> Interaction:
    return Interaction("GET", uri, status, "application/json", kind, body)


def test_group_by_endpoint_and_status() -> None:
    endpoints = group(
        [
            _sample("http://a/users/1", 200, {"id": 1}),
            _sample("http://a/users/2", 200, {"id": 2, "x": None}),
            _sample("http://a/users/3", 404, {"error": "no"}),
            _sample("http://a/users/4", 200, None, BodyKind.HTML),
        ]
    ).endpoints
    assert list(endpoints) == ["GET a/users/{id}"]
    by_status = endpoints["GET a/users/{id}"]
    assert sorted(by_status) == [200, 404]
    assert by_status[200].samples == 3
    assert by_status[200].notes == ("1 html body not JSON, left out of the shape",)
    assert by_status[200].shape is not None
    assert by_status[200].shape.keys["x"].types == {"null": 1}
