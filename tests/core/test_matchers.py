"""Endpoints as matchers: method, host and path template, for interactions and mocks."""

from __future__ import annotations

import pytest

from driftcheck.core.matchers import Matcher, Target, all_matches, best_match

API = "https://api.example.com"
MATCHERS = [
    Matcher.of("user", "GET", f"{API}/users/{{id}}"),
    Matcher.of("me", "GET", f"{API}/users/me"),
    Matcher.of("users", "GET", f"{API}/users/"),
    Matcher.of("create", "POST", f"{API}/users"),
    Matcher.of("orders", "GET", f"{API}/users/{{id}}/orders"),
]


@pytest.mark.parametrize(
    ("method", "url", "expected"),
    [
        ("GET", f"{API}/users/42", "user"),
        ("get", f"{API}/users/42/", "user"),  # method case and a trailing slash: the same
        ("GET", f"{API}/users/me?verbose=1", "me"),  # the literal beats the placeholder
        ("GET", "http://API.EXAMPLE.COM/users", "users"),  # scheme and host case ignored
        ("POST", f"{API}/users", "create"),
        ("DELETE", f"{API}/users/42", None),
        ("GET", f"{API}/users/42/orders", "orders"),
        ("GET", "https://other.example.com/users/42", None),
        ("GET", f"{API}/users/42/orders/7", None),  # one placeholder is one segment
        ("GET", "/users/{user_id}", "user"),  # a mock's unresolved part prefers a placeholder
        ("GET", "api.example.com/users/{id}", "user"),  # an endpoint key's spelling
        (None, f"{API}/users/7", "user"),  # a mock that fits any method
    ],
)
def test_best_match(method: str | None, url: str, expected: str | None) -> None:
    found = best_match(MATCHERS, Target.of(method, url))
    assert (found.name if found else None) == expected


def test_a_relative_mock_url_matches_on_the_path_alone() -> None:
    assert [m.name for m in all_matches(MATCHERS, Target.of("GET", "/users/me"))] == [
        "me",
        "user",
    ]


def test_query_keys_match_only_when_named() -> None:
    search = Matcher.of("search", "GET", f"{API}/search", query={"type": "user*"})
    assert search.matches(Target.of("GET", f"{API}/search?type=users&q=x"))
    assert not search.matches(Target.of("GET", f"{API}/search?type=repos"))
    assert not search.matches(Target.of("GET", f"{API}/search"))
    plain = Matcher.of("plain", "GET", f"{API}/search")
    assert plain.matches(Target.of("GET", f"{API}/search?type=repos"))


def test_graphql_operation_tells_endpoints_on_one_url_apart() -> None:
    graphql = [
        Matcher.of("viewer", "POST", f"{API}/graphql", operation="Viewer"),
        Matcher.of("repo", "POST", f"{API}/graphql", operation="Repository"),
    ]
    target = Target.of("POST", f"{API}/graphql", operation="Repository")
    assert [m.name for m in all_matches(graphql, target)] == ["repo"]
    assert best_match(graphql, Target.of("POST", f"{API}/graphql")) is None


def test_ports_are_part_of_the_host() -> None:
    local = Matcher.of("local", "GET", "http://127.0.0.1:8765/users/{id}")
    assert local.matches(Target.of("GET", "http://127.0.0.1:8765/users/1"))
    assert not local.matches(Target.of("GET", "http://127.0.0.1:9999/users/1"))


def test_a_custom_method_segment_fits_its_id() -> None:
    """`{id}:cancel` (a config URL, or an endpoint key) fits `123:cancel`, not `123:wait`
    nor `123`; a mock's `{job}:cancel` fits a recorded `{id}:cancel`."""
    matchers = [
        Matcher.of("cancel", "POST", f"{API}/v1/jobs/{{id}}:cancel"),
        Matcher.of("job", "POST", f"{API}/v1/jobs/{{id}}"),
    ]
    for url, expected in [
        (f"{API}/v1/jobs/123:cancel", "cancel"),
        (f"{API}/v1/jobs/123", "job"),
        (f"{API}/v1/jobs/{{job}}:cancel", "cancel"),
    ]:
        found = best_match(matchers, Target.of("POST", url))
        assert (found.name if found else None) == expected, url
    assert not matchers[0].matches(Target.of("POST", f"{API}/v1/jobs/123:wait"))
