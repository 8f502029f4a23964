"""Endpoint keys: ids in paths become {id}; words stay."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core.endpoints import (
    Names,
    _host_and_path,
    endpoint_key,
    group,
    is_id_segment,
    is_version_segment,
    pool,
    split_slowly,
)
from driftcheck.core.matchers import Matcher
from driftcheck.core.model import BodyKind, Interaction
from driftcheck.core.shape import flatten, infer, infer_all


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
        ("https://x.io/", "GET x.io/"),
        # a trailing slash makes no second endpoint
        ("https://x.io/users/", "GET x.io/users"),
        ("https://x.io/users/42/?page=2", "GET x.io/users/{id}"),
        # a version segment is no id; a small number is a version where versions stand
        (
            "https://api.twitter.com/2/tweets/1460323737035677698",
            "GET api.twitter.com/2/tweets/{id}",
        ),
        ("https://x.io/1.1/statuses/show.json", "GET x.io/1.1/statuses/show.json"),
        ("https://x.io/rest/api/2/issue/10002", "GET x.io/rest/api/2/issue/{id}"),
        ("https://x.io/api/3/users/7", "GET x.io/api/3/users/{id}"),
        ("https://x.io/v1alpha1/projects/1", "GET x.io/v1alpha1/projects/{id}"),
        ("https://x.io/v2beta/things", "GET x.io/v2beta/things"),
        ("https://x.io/V3/things", "GET x.io/V3/things"),
        ("https://x.io/2.0/repositories", "GET x.io/2.0/repositories"),
        ("https://x.io/users/2", "GET x.io/users/{id}"),  # after a collection: an id
        ("https://x.io/users/2/v1", "GET x.io/users/{id}/v1"),
        # AIP-136 custom methods: the id goes, the method stays (cancel is not wait)
        ("https://x.io/v1/jobs/123:cancel", "GET x.io/v1/jobs/{id}:cancel"),
        (
            "https://x.io/v1/ops/9f8e7d6c-1111-2222-3333-444455556666:wait",
            "GET x.io/v1/ops/{id}:wait",
        ),
        ("https://x.io/v1/users:batchGet", "GET x.io/v1/users:batchGet"),
        ("https://x.io/events/2024-01-01T10:00:00", "GET x.io/events/{id}"),  # no method
        # a vendor's prefixed random id without a digit (8.6 % of Stripe's 14-letter ones)
        (
            "https://api.stripe.com/v1/customers/cus_PqmsTLkxHwEbRa",
            "GET api.stripe.com/v1/customers/{id}",
        ),
        (
            "https://x.io/v1/settings/user_ProfileSettings",
            "GET x.io/v1/settings/user_ProfileSettings",
        ),
        ("https://x.io/rpc/list_customersByEmail", "GET x.io/rpc/list_customersByEmail"),
    ],
)
def test_endpoint_key(uri: str, key: str) -> None:
    assert endpoint_key("get", uri) == key


@pytest.mark.parametrize(
    ("segment", "previous", "version"),
    [
        ("v1", "users", True),  # a `v` version is one anywhere
        ("v1beta2", None, True),
        ("1.1", None, True),
        ("2", None, True),
        ("2", "api", True),
        ("2", "REST", True),
        ("2", "users", False),
        ("123", None, False),  # three digits: an id even first
        ("v12345678", None, False),
        ("vault", None, False),
    ],
)
def test_version_segments(segment: str, previous: str | None, version: bool) -> None:
    assert is_version_segment(segment, previous) is version
    assert not (version and is_id_segment(segment, previous))


GRAPHQL = "https://api.example.com/graphql"
MATCHERS = (
    Matcher.of("get-user", "POST", GRAPHQL, operation="GetUser"),
    Matcher.of("list-repos", "POST", GRAPHQL, operation="ListRepos"),
    Matcher.of("user", "GET", "https://api.example.com/users/{id}"),
    Matcher.of("search-users", "GET", "https://api.example.com/search", query={"type": "user*"}),
)


@pytest.mark.parametrize(
    ("method", "uri", "operation", "name"),
    [
        ("POST", GRAPHQL, "GetUser", "get-user"),
        ("POST", GRAPHQL, "ListRepos", "list-repos"),
        ("POST", GRAPHQL, "Other", "POST api.example.com/graphql"),  # its automatic key
        ("POST", GRAPHQL, None, "POST api.example.com/graphql"),
        ("GET", "https://api.example.com/users/7/", None, "user"),
        (
            "GET",
            "https://api.example.com/users/7/repos",
            None,
            "GET api.example.com/users/{id}/repos",
        ),
        ("GET", "https://api.example.com/search?type=users&q=a", None, "search-users"),
        ("GET", "https://api.example.com/search?type=repo", None, "GET api.example.com/search"),
        ("GET", "https://api.example.com/search", None, "GET api.example.com/search"),
    ],
)
def test_names_are_the_matching_configured_endpoint_else_the_key(
    method: str, uri: str, operation: str | None, name: str
) -> None:
    names = Names(MATCHERS)
    assert names.name(method, uri, operation) == name
    interaction = Interaction(method, uri, 200, "", BodyKind.EMPTY, operation=operation)
    assert names(interaction) == name
    assert Names()(interaction) == endpoint_key(method, uri)


def test_renamed_names_follow_collapsed_slugs() -> None:
    names = Names(MATCHERS).renamed({"GET x.io/c/naip": "GET x.io/c/{id}"})
    assert names.name("GET", "https://x.io/c/naip") == "GET x.io/c/{id}"
    assert names.name("GET", "https://x.io/c/other") == "GET x.io/c/other"
    assert names.name("GET", "https://api.example.com/users/7") == "user"


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


def test_pooled_shapes_are_taken_by_name_and_status_and_bodies_not_looked_at() -> None:
    """A scan hands over interactions without bodies and their shapes apart, keyed by the
    names `name_of` gives: those shapes are the endpoints' shapes."""
    samples = [
        _sample("http://a/users/1", 200, None),
        _sample("http://a/teams/2", 200, None),
        _sample("http://a/users/3", 404, None),
        _sample("http://a/users/4", 204, None, BodyKind.EMPTY),
    ]
    ok, missing = infer_all([{"id": 1}, {"id": 2, "x": None}]), infer({"error": "no"})
    assert ok is not None
    pooled = {("both", 200): ok, ("both", 404): missing, ("GET a/users/{id}", 200): missing}
    endpoints = group(samples, pooled, name_of=lambda interaction: "both").endpoints
    assert list(endpoints) == ["both"]
    assert {status: s.shape for status, s in endpoints["both"].items()} == {
        200: ok,
        204: None,
        404: missing,
    }
    assert endpoints["both"][200].samples == 2


def test_without_pooled_shapes_bodies_are_inferred() -> None:
    samples = [_sample("http://a/users/1", 200, None), _sample("http://a/users/2", 200, [1])]
    (by_status,) = group(samples).endpoints.values()
    assert by_status[200].shape == infer_all([None, [1]])
    (pooled,) = group(samples, {}).endpoints.values()
    assert pooled[200].shape is None


def test_pool_merges_shapes_of_one_key_in_order() -> None:
    first, second, third = {"b": 1}, {"a": "x", "b": None}, {"c": True}
    pooled = pool(
        [(("e", 200), infer(first)), (("e", 404), infer(third)), (("e", 200), infer(second))]
    )
    assert list(pooled) == [("e", 200), ("e", 404)]
    assert pooled["e", 200] == infer_all([first, second])
    assert [f.path for f in flatten(pooled["e", 200])] == ["$", "$.b", "$.a"]
    assert pooled["e", 404] == infer(third)


@pytest.mark.parametrize(
    ("uri", "key"),
    [
        ("http://[::1/x/42", "GET [::1/x/{id}"),
        ("http://api.example.com:99999999/users/42?q=1", "GET api.example.com:99999999/users/{id}"),
        ("http://User@API.example.com:-1/a/", "GET api.example.com:-1/a"),
        ("https://api.example.com:port/v1/x#frag", "GET api.example.com:port/v1/x"),
    ],
)
def test_a_url_python_cannot_split_still_has_a_key(uri: str, key: str) -> None:
    """Mocks' URLs reach endpoint keys unchecked: a bad port or IPv6 host is a key as
    written (issue 15, defect 6), never a ValueError."""
    assert endpoint_key("get", uri) == key


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["http://", "https://", "HTTP://", "ftp://", ""]),
    st.text("abcxyz.-:@[]0123456789", max_size=14),
    st.text("/abc?#=&%1 \t", max_size=16),
)
def test_a_url_split_by_hand_gives_what_urlsplit_gives(scheme: str, netloc: str, rest: str) -> None:
    uri = f"{scheme}{netloc}{rest}"
    assert _host_and_path(uri) == split_slowly(uri)


def test_a_file_met_again_later_keeps_its_own_day() -> None:
    """Interactions given file after file, one file's coming back after another's: its
    undated body is of its file's day (its newest date), not undated (red team)."""

    def interaction(source: str, index: int, body: object, at: float | None) -> Interaction:
        return Interaction(
            "GET", "https://api.x.com/u/1", 200, "application/json", BodyKind.JSON, body,
            source=source, index=index, recorded_at=at,
        )  # fmt: skip

    found = group(
        [
            interaction("a.json", 0, {"x": 1}, 1.7e9),
            interaction("b.json", 0, {"y": 1}, 1.6e9),
            interaction("a.json", 1, {"z": 1}, None),
        ]
    )
    (statuses,) = found.endpoints.values()
    days = dict(statuses[200].eras)
    assert sorted(days) == ["2020-09-13", "2023-11-14"]
    assert [f.path for f in flatten(days["2023-11-14"])] == ["$", "$.x", "$.z"]
    assert statuses[200].samples == 3
