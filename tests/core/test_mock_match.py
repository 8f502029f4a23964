"""Each mock matched to a recorded endpoint (pure): by URL, config, patch target or shape,
with the mock's status selecting the recordings; what matches nothing says why."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from driftcheck.core.matchers import Matcher
from driftcheck.core.mock_match import (
    Matched,
    MockMatches,
    Recorded,
    Unmatched,
    automatic,
    looks_like_api,
    match_mocks,
    recorded_endpoints,
)
from driftcheck.core.mocks import DATA_FILE, PYTEST_FIXTURE, Mock, MocksFound, Skipped
from driftcheck.core.model import (
    CheckedMock,
    EndpointSet,
    Fixture,
    Location,
    MockCoverage,
    Opaque,
    StatusShape,
    UnmatchedMock,
)
from driftcheck.core.shape import infer_all

API = "https://api.example.com"
USER = "GET api.example.com/users/{id}"
ORDERS = "GET api.example.com/users/{id}/orders"
HEALTH = "GET api.example.com/health"
TEST = "tests/test_api.py"
PATCHED = "pkg.client.requests.get"

USERS_BODIES = [
    {"id": 1, "name": "Ada", "email": "a@x", "profile": {"bio": "x"}},
    {"id": 2, "name": "Bob", "email": "b@x", "profile": {"bio": None}},
]
ORDER_BODY = [{"id": 7, "total": 9.5, "currency": "EUR", "items": [{"sku": "a", "qty": 1}]}]
ERROR_BODY = {"error": {"code": "not_found", "message": "no such user"}}


def recorded(*bodies: Any, samples: int | None = None) -> StatusShape:
    return StatusShape(samples or len(bodies), {"application/json": 1}, infer_all(bodies))


def endpoints() -> tuple[Recorded, ...]:
    return (
        automatic(
            USER,
            {200: recorded(*USERS_BODIES), 404: recorded(ERROR_BODY)},
            [f"{API}/users/1", f"{API}/users/2"],
        ),
        automatic(ORDERS, {200: recorded(ORDER_BODY)}),
        automatic(HEALTH, {200: recorded({"ok": True})}),
    )


def mock(value: Any, line: int = 10, *, file: str = TEST, **stated: Any) -> Mock:
    library = stated.pop("library", "responses")
    fixture = Fixture(value, file, line, f"{file}::m{line}")
    return Mock(fixture, library, Location(TEST, line), **stated)


def match(*mocks: Mock, skipped: tuple[Skipped, ...] = (), **given: Any) -> MockMatches:
    return match_mocks(MocksFound(mocks, skipped), given.pop("endpoints", endpoints()), **given)


def only(result: MockMatches) -> Matched | Unmatched:
    outcomes = [*result.matched, *result.unmatched]
    assert len(outcomes) == 1, outcomes
    return outcomes[0]


USER_MOCK = {"id": 3, "name": "Cy", "email": "c@x", "profile": {"bio": "y"}}

# -- by method and URL ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "status", "endpoint", "expected_status"),
    [
        ("GET", f"{API}/users/42", None, USER, 200),  # None: the 2xx contract
        ("GET", f"{API}/users/{{user_id}}", None, USER, 200),  # an f-string's unknown part
        ("GET", f"{API}/users/42", 404, USER, 404),  # an error body: the recorded 404s
        ("GET", f"{API}/users/42/orders?page=2", 200, ORDERS, 200),
        ("GET", "https://{host}/users/42", None, USER, 200),  # an unknown host fits any
        (None, f"{API}/health", None, HEALTH, 200),  # a mock answering any method
    ],
)
def test_a_mock_is_matched_by_its_method_and_url(
    method: str | None, url: str, status: int | None, endpoint: str, expected_status: int
) -> None:
    given = mock(USER_MOCK, method=method, url=url, status=status)
    assert only(match(given)) == Matched(given, endpoint, expected_status, "url")


def test_a_status_never_recorded_is_named_with_the_recorded_ones() -> None:
    given = mock(USER_MOCK, method="GET", url=f"{API}/users/1", status=500)
    reason = f"{USER} was never recorded answering 500 (recorded: 200, 404)"
    result = match(given)
    assert only(result) == Unmatched(given, reason, (USER,))
    assert result.unmocked == (ORDERS, HEALTH)  # mocked, though at a status never recorded


def test_without_2xx_recordings_a_mock_without_status_is_unmatched() -> None:
    errors_only = (automatic(USER, {404: recorded(ERROR_BODY)}),)
    given = mock(USER_MOCK, method="GET", url=f"{API}/users/1")
    reason = f"{USER} was never recorded answering 2xx (recorded: 404)"
    assert only(match(given, endpoints=errors_only)) == Unmatched(given, reason, (USER,))


def test_the_2xx_contract_is_the_status_with_most_samples() -> None:
    both = (automatic(USER, {200: recorded(USERS_BODIES[0]), 201: recorded(*USERS_BODIES)}),)
    given = mock(USER_MOCK, method="GET", url=f"{API}/users/1")
    assert only(match(given, endpoints=both)) == Matched(given, USER, 201, "url")


def test_a_url_no_endpoint_fits_was_never_recorded() -> None:
    given = mock(USER_MOCK, method="GET", url=f"{API}/admin/stats")
    result = match(given)
    label = f"GET {API}/admin/stats"
    assert only(result) == Unmatched(given, f"{label} fits no recorded endpoint")
    assert result.unrecorded == (label,)


def test_two_endpoints_fitting_equally_are_both_named() -> None:
    tied = (
        Recorded(Matcher.of("user", "GET", f"{API}/users/{{id}}"), {200: recorded({"a": 1})}),
        Recorded(Matcher.of("by-name", "GET", f"{API}/users/{{name}}"), {200: recorded({"a": 1})}),
    )
    given = mock(USER_MOCK, method="GET", url=f"{API}/users/ada")
    result = match(given, endpoints=tied)
    assert only(result) == Unmatched(
        given, "fits 2 endpoints equally: user, by-name", ("user", "by-name")
    )
    assert result.unmocked == ()  # both are mocked, if ambiguously


def test_a_tie_is_broken_by_the_one_endpoint_that_recorded_the_status() -> None:
    any_method = (
        Recorded(Matcher.of("get", "GET", f"{API}/users/{{id}}"), {200: recorded({"a": 1})}),
        Recorded(Matcher.of("delete", "DELETE", f"{API}/users/{{id}}"), {204: recorded(None)}),
    )
    given = mock(ERROR_BODY, url=f"{API}/users/1", status=204)
    assert only(match(given, endpoints=any_method)) == Matched(given, "delete", 204, "url")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"https://api\.example\.com/users/\d+", USER),  # reaches the path's end: not orders
        (r"users/\d+/orders", ORDERS),  # no recorded URIs: the template with a sample id
        (r"/health$", HEALTH),
    ],
)
def test_a_url_regex_is_matched_against_recorded_urls(pattern: str, expected: str) -> None:
    given = mock(USER_MOCK, method="GET", url=pattern, url_regex=True)
    assert only(match(given)) == Matched(given, expected, 200, "url")


@pytest.mark.parametrize("read_again", [False, True])
def test_a_url_regex_is_tested_on_every_url_when_only_some_were_kept(read_again: bool) -> None:
    """Only the first URLs of an endpoint are kept; `every` reads them all again, and a
    regex that fits a URL not kept fits its endpoint as if it had been."""
    kept = tuple(f"{API}/users/{n}" for n in range(3))
    calls: list[int] = []

    def every() -> tuple[str, ...]:
        calls.append(1)
        return (*kept, f"{API}/users/95001")

    both = (
        replace(
            automatic(USER, {200: recorded(USER_MOCK)}, kept), every=every if read_again else None
        ),
        automatic(ORDERS, {200: recorded(ORDER_BODY)}, (f"{API}/users/95001/orders",)),
    )
    given = mock(USER_MOCK, method="GET", url=r"/users/95\d{3}", url_regex=True)
    outcome = only(match(given, endpoints=both))
    expected = USER if read_again else ORDERS  # else the one it fits loosely is all it fits
    assert outcome == Matched(given, expected, 200, "url")
    assert len(calls) == int(read_again)


def test_a_url_regex_that_matches_nothing_or_does_not_compile_says_so() -> None:
    nothing = mock(USER_MOCK, method="GET", url=r"/billing/\d+", url_regex=True)
    broken = mock(USER_MOCK, 11, method="GET", url=r"/users/(\d+", url_regex=True)
    result = match(nothing, broken)
    assert result.unmatched[0] == Unmatched(
        nothing, r"its URL regex `/billing/\d+` matches no recorded endpoint"
    )
    assert result.unmatched[1].reason.startswith(r"its URL regex `/users/(\d+` does not compile:")
    assert result.unrecorded == ()


# -- by patch target -----------------------------------------------------------------


def patched(value: Any, line: int = 20, **stated: Any) -> Mock:
    stated.setdefault("method", "GET")
    return mock(value, line, library="unittest.mock", patch_target=PATCHED, **stated)


def test_a_patched_function_is_matched_by_the_url_it_is_called_with() -> None:
    given = patched({"unrelated": 1})  # the URL decides, not the payload
    urls = {PATCHED: [("GET", f"{API}/users/{{user_id}}"), (None, f"{API}/users/{{uid}}")]}
    assert only(match(given, patch_urls=urls)) == Matched(given, USER, 200, "patch-target")


def test_a_patched_function_called_with_an_unrecorded_url_is_not_matched_by_shape() -> None:
    given = patched(USER_MOCK)
    result = match(given, patch_urls={PATCHED: [("GET", f"{API}/admin")]})
    reason = f"`{PATCHED}` is called with GET {API}/admin, fitting no recorded endpoint"
    assert only(result) == Unmatched(given, reason)
    assert result.unrecorded == (f"GET {API}/admin",)


def test_a_patched_function_called_for_several_endpoints_leaves_shape_to_choose() -> None:
    given = patched(USER_MOCK)
    urls = {PATCHED: [("GET", f"{API}/users/1"), ("GET", f"{API}/health")]}
    found = only(match(given, patch_urls=urls))
    assert isinstance(found, Matched)
    assert (found.endpoint, found.matched_by) == (USER, "shape")
    assert found.note == (
        f"matched by shape similarity: 5 of 5 keys known to {USER}, 5 of its 5 required keys "
        f"present; next best 0 of 5 keys known to {HEALTH}, 0 of its 1 required keys present"
    )  # only the endpoints the function is called for compete: not ORDERS
    assert found.status == 200


def test_without_a_static_url_the_patched_mock_falls_back_to_shape_and_says_why() -> None:
    given = patched({"id": 1, "foo": 2, "bar": 3, "baz": 4})
    reason = (
        f"`{PATCHED}` is called with no static URL in the code under test; no recorded "
        f"endpoint is a clear match by shape: at best 1 of 4 keys known to {USER} (needs 80%)"
    )
    assert only(match(given)) == Unmatched(given, reason, (USER, ORDERS))


# -- by shape ------------------------------------------------------------------------


def test_a_url_less_mock_is_matched_by_shape_with_a_note_saying_so() -> None:
    drifted = {**USER_MOCK, "nickname": "c"}  # one key the API never returned
    given = mock(drifted, library="unittest.mock", method="GET")
    assert only(match(given)) == Matched(
        given,
        USER,
        200,
        "shape",
        f"matched by shape similarity: 5 of 6 keys known to {USER}, 5 of its 5 required keys "
        f"present; next best 1 of 6 keys known to {ORDERS}, 1 of its 6 required keys present",
    )


def test_shape_skips_opaque_parts_and_compares_a_list_of_bodies_by_its_elements() -> None:
    made = {"id": 1, "name": "a", "email": "e", "profile": Opaque("a call to `bio()`", 12)}
    listed = [USER_MOCK, USER_MOCK]
    result = match(mock(made, method="GET"), mock(listed, 11, method="GET"))
    assert [(m.endpoint, m.matched_by) for m in result.matched] == [
        (USER, "shape"),
        (USER, "shape"),
    ]
    assert result.matched[0].note is not None
    assert result.matched[0].note.startswith(
        f"matched by shape similarity: 3 of 3 keys known to {USER}, 3 of its 5 required"
    )


def test_an_error_mock_is_compared_with_the_recorded_error_bodies() -> None:
    given = mock({"error": {"code": "gone", "message": "m"}}, status=404)
    assert only(match(given)) == Matched(
        given,
        USER,
        404,
        "shape",
        f"matched by shape similarity: 3 of 3 keys known to {USER}, 3 of its 3 required keys "
        "present; no other candidate",
    )


def test_a_payload_is_not_taken_for_a_larger_endpoint_that_merely_contains_its_keys() -> None:
    summary = "GET api.example.com/users/{id}/summary"
    nested = (
        automatic(USER, {200: recorded(*USERS_BODIES)}),
        automatic(summary, {200: recorded({"id": 1, "name": "a", "email": "e"})}),
    )
    given = mock({"id": 5, "name": "b", "email": "f"}, method="GET")
    assert only(match(given, endpoints=nested)) == Matched(
        given,
        summary,
        200,
        "shape",
        f"matched by shape similarity: 3 of 3 keys known to {summary}, 3 of its 3 required "
        f"keys present; next best 3 of 3 keys known to {USER}, 3 of its 5 required keys present",
    )


def test_two_endpoints_with_the_same_shape_are_no_clear_match() -> None:
    twins = (
        automatic(USER, {200: recorded(*USERS_BODIES)}),
        automatic("GET api.example.com/me", {200: recorded(*USERS_BODIES)}),
    )
    given = mock(USER_MOCK)
    found = only(match(given, endpoints=twins))
    assert isinstance(found, Unmatched)
    assert found.reason.startswith(
        f"GET api.example.com/me and {USER} fit its shape about equally: 5 of 5 keys known"
    )
    assert found.endpoints == ("GET api.example.com/me", USER)


@pytest.mark.parametrize(
    ("value", "stated", "reason"),
    [
        ({"ok": True}, {}, "its payload has 1 of the 3 keys needed to match by shape"),
        (
            Opaque("a call to `make_user()`", 3),
            {},
            "its payload is a call to `make_user()`, not data",
        ),
        (
            USER_MOCK,
            {"method": "POST"},  # no POST endpoint was recorded
            "no recorded endpoint of its method and status has a JSON body to compare",
        ),
        (
            {"a": 1, "b": 2, "c": 3},
            {"url": "{url}"},  # a parameter: the URL says nothing, so shape is tried
            "its URL `{url}` does not say where it goes; no recorded endpoint is a clear "
            f"match by shape: at best 0 of 3 keys known to {HEALTH} (needs 80%)",
        ),
    ],
)
def test_what_cannot_be_matched_by_shape_says_why(
    value: Any, stated: dict[str, Any], reason: str
) -> None:
    found = only(match(mock(value, **stated)))
    assert isinstance(found, Unmatched)
    assert found.reason == reason


def test_a_url_that_says_nothing_leaves_the_mock_to_shape() -> None:
    given = mock(USER_MOCK, method="GET", url="{url}")
    found = only(match(given))
    assert isinstance(found, Matched)
    assert (found.endpoint, found.matched_by) == (USER, "shape")


# -- standalone payloads, skipped calls, config ----------------------------------------


def fixture_mock(value: Any, line: int, **stated: Any) -> Mock:
    return mock(value, line, library=PYTEST_FIXTURE, file="tests/conftest.py", **stated)


def test_standalone_payloads_served_by_a_call_are_left_to_the_call() -> None:
    conftest = "tests/conftest.py"
    feeding = fixture_mock(USER_MOCK, 5, fixture_name="user", feeds=(Location(TEST, 10),))
    same_place = fixture_mock(USER_MOCK, 6, fixture_name="other")
    by_name = fixture_mock(USER_MOCK, 40, fixture_name="loaded")
    alone = mock(USER_MOCK, 50, library=DATA_FILE)
    call = Mock(Fixture(USER_MOCK, conftest, 6, "c"), "responses", Location(TEST, 30),
                method="GET", url=f"{API}/users/1")  # fmt: skip
    via = Mock(Fixture(USER_MOCK, conftest, 41, "v"), "responses", Location(TEST, 31),
               method="GET", url=f"{API}/users/2", via_fixture="loaded")  # fmt: skip
    result = match(feeding, same_place, by_name, alone, call, via)
    assert [(m.location.line, m.matched_by) for m in result.matched] == [
        (50, "shape"),  # a data file no call serves: by shape
        (30, "url"),
        (31, "url"),
    ]
    assert result.unmatched == ()


def test_a_skipped_call_keeps_its_location_and_names_its_endpoint() -> None:
    named = Skipped(Location(TEST, 30), "responses", "a call to `make_user()` is not data",
                    method="GET", url=f"{API}/users/1")  # fmt: skip
    nameless = Skipped(Location(TEST, 31), "unittest.mock", "no JSON body")
    unrecorded = Skipped(Location(TEST, 32), "responses", "no JSON body", url=f"{API}/billing")
    result = match(skipped=(named, nameless, unrecorded))
    assert result.unmatched == (
        Unmatched(
            named, f"a call to `make_user()` is not data; not checked against {USER}", (USER,)
        ),
        Unmatched(nameless, "no JSON body; not checked"),
        Unmatched(unrecorded, "no JSON body; not checked"),
    )
    assert [u.location for u in result.unmatched] == [Location(TEST, n) for n in (30, 31, 32)]
    assert result.unrecorded == (f"* {API}/billing",)
    assert result.unmocked == (ORDERS, HEALTH)  # a skipped call still mocks its endpoint


def test_coverage_lists_endpoints_recorded_but_never_mocked() -> None:
    result = match(mock(USER_MOCK, method="GET", url=f"{API}/users/1"))
    assert result.unmocked == (ORDERS, HEALTH)
    assert result.unrecorded == ()


def test_coverage_is_the_reports_view_of_every_outcome() -> None:
    checked = mock(USER_MOCK, 12, method="GET", url=f"{API}/users/1")
    lost = mock(USER_MOCK, 13, method="GET", url=f"{API}/billing")
    skipped = Skipped(Location(TEST, 14), "responses", "no JSON body", name=f"{TEST}::t.add@14")
    assert match(checked, lost, skipped=(skipped,)).coverage() == MockCoverage(
        checked=(CheckedMock(Location(TEST, 12), USER, 200, "url", "responses", f"{TEST}::m12"),),
        unmatched=(
            UnmatchedMock(
                Location(TEST, 13),
                f"GET {API}/billing fits no recorded endpoint",
                "responses",
                f"{TEST}::m13",
            ),
            UnmatchedMock(
                Location(TEST, 14), "no JSON body; not checked", "responses", f"{TEST}::t.add@14"
            ),
        ),
        mocked_not_recorded=(f"GET {API}/billing",),
        recorded_not_mocked=(ORDERS, HEALTH),
    )


def test_config_pins_a_payload_and_a_file_pins_only_mocks_without_a_url() -> None:
    pinned = mock({"x": 1}, 10)
    in_file = mock({"y": 1}, 11, file="tests/test_other.py")
    stating = mock(USER_MOCK, 12, file="tests/test_other.py", method="GET", url=f"{API}/health")
    lost = mock({"z": 1}, 13)
    configured = {
        Location(TEST, 10): USER,
        Location("tests/test_other.py"): ORDERS,
        Location(TEST, 13): "user",
    }
    result = match(pinned, in_file, stating, lost, configured=configured)
    assert result.matched == (
        Matched(pinned, USER, 200, "config"),
        Matched(in_file, ORDERS, 200, "config"),
        Matched(stating, HEALTH, 200, "url"),  # the URL it states, not the file's pin
    )
    assert result.unmatched == (
        Unmatched(lost, "the config names it for `user`, never recorded", ("user",)),
    )


# -- the endpoints input -------------------------------------------------------------


def test_recorded_endpoints_use_configured_matchers_else_automatic_keys() -> None:
    shapes = {200: recorded({"a": 1})}
    recording = EndpointSet({"user": shapes, HEALTH: shapes, "no-key": shapes})
    configured = Matcher.of("user", "GET", f"{API}/users/{{id}}")
    found = recorded_endpoints(recording, [configured], {HEALTH: [f"{API}/health"]})
    assert found == (
        Recorded(configured, shapes),
        Recorded(Matcher.of(HEALTH, "GET", "api.example.com/health"), shapes, (f"{API}/health",)),
    )
    assert found[1].matcher.host == "api.example.com"
    with pytest.raises(ValueError, match="not an endpoint key"):
        automatic("no-key", shapes)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{API}/users/1", True),
        ("/users/{id}", True),
        ("localhost:8000", True),
        ("{url}", False),
        ("{BASE}/users", False),  # an unknown base: the segments are not countable
        ("https://x/{path}", False),
    ],
)
def test_which_urls_say_where_they_go(url: str, expected: bool) -> None:
    assert looks_like_api(url) is expected
