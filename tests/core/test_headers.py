"""Response headers (core/headers.py, core/retirement.py): which headers are compared, the
presence tally and its merge, `header-removed` / `header-added`, and the retirement notice
(`Deprecation`, `Sunset`, `Link`) with `endpoint-deprecated`."""

from __future__ import annotations

import calendar
import datetime
import itertools
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core.headers import (
    MIN_SAMPLES,
    HeaderTally,
    deprecation_findings,
    kept,
    merged,
    presence_findings,
)
from driftcheck.core.model import Finding, Location, Severity
from driftcheck.core.retirement import (
    LINKS_IN_ALL,
    LINKS_PER_RELATION,
    UNPARSED,
    links,
    malformed,
    notice,
    shown,
)
from driftcheck.core.rules import RuleId

ENDPOINT = "GET api.github.com/repos/{id}/{id}/issues"
Headers = Mapping[str, Sequence[str]]


def day(text: str) -> float:
    """Noon UTC of a `YYYY-MM-DD` day, as POSIX time."""
    return float(calendar.timegm(datetime.date.fromisoformat(text).timetuple()) + 12 * 3600)


NOW = day("2025-06-15")  # every test's fixed `now`


def github(number: int) -> dict[str, list[str]]:
    """Headers of GitHub's REST API answering a list of issues (page 1 of many)."""
    return {
        "Server": ["GitHub.com"],
        "Date": [f"Mon, {number:02d} Jun 2025 10:00:00 GMT"],
        "Content-Type": ["application/json; charset=utf-8"],
        "Cache-Control": ["private, max-age=60, s-maxage=60"],
        "Vary": ["Accept, Authorization, Cookie, X-GitHub-OTP", "Accept-Encoding, Accept"],
        "ETag": [f'W/"5f1b{number}c0ffee"'],
        "X-OAuth-Scopes": ["repo"],
        "X-Accepted-OAuth-Scopes": ["repo"],
        "X-GitHub-Media-Type": ["github.v3; format=json"],
        "x-github-api-version-selected": ["2022-11-28"],
        "Link": [
            '<https://api.github.com/repositories/1300192/issues?page=2>; rel="next", '
            '<https://api.github.com/repositories/1300192/issues?page=34>; rel="last"'
        ],
        "X-RateLimit-Limit": ["5000"],
        "X-RateLimit-Remaining": [str(4999 - number)],
        "X-RateLimit-Reset": [str(1749549600 + number)],
        "X-RateLimit-Used": [str(number + 1)],
        "x-ratelimit-resource": ["core"],
        "Access-Control-Expose-Headers": ["ETag, Link, Location, Retry-After"],
        "Access-Control-Allow-Origin": ["*"],
        "Strict-Transport-Security": ["max-age=31536000; includeSubdomains; preload"],
        "X-Frame-Options": ["deny"],
        "X-Content-Type-Options": ["nosniff"],
        "X-XSS-Protection": ["0"],
        "Referrer-Policy": ["origin-when-cross-origin, strict-origin-when-cross-origin"],
        "Content-Security-Policy": ["default-src 'none'"],
        "Content-Encoding": ["gzip"],
        "X-GitHub-Request-Id": [f"CC3C:2E5F:{number}A1B2:3C4D5E:68479D10"],
    }


GITHUB_KEPT = {
    "etag",
    "link",
    "x-github-media-type",
    "x-github-api-version-selected",
}

STRIPE = {  # Stripe's answer to POST /v1/customers
    "Server": ["nginx"],
    "Date": ["Tue, 10 Jun 2025 09:12:44 GMT"],
    "Content-Type": ["application/json"],
    "Content-Length": ["774"],
    "Connection": ["keep-alive"],
    "Access-Control-Allow-Credentials": ["true"],
    "Access-Control-Allow-Methods": ["GET,HEAD,PUT,PATCH,POST,DELETE"],
    "Access-Control-Max-Age": ["300"],
    "Cache-Control": ["no-cache, no-store"],
    "Idempotency-Key": ["9d1c2f4e-1b7a-4b8e-9a51-3f0b5b1c7d22"],
    "Original-Request": ["req_k3ZcU1pLzN8a2Q"],
    "Request-Id": ["req_k3ZcU1pLzN8a2Q"],
    "Stripe-Should-Retry": ["false"],
    "Stripe-Version": ["2023-10-16"],
    "Vary": ["Origin"],
    "X-Stripe-Routing-Context-Priority-Tier": ["api-testmode"],
    "Strict-Transport-Security": ["max-age=63072000; includeSubDomains; preload"],
}

STRIPE_KEPT = {  # `Original-Request`, `Stripe-Should-Retry`: per request (red team 7)
    "stripe-version",
    "x-stripe-routing-context-priority-tier",
}

# One response of OpenAI's POST /v1/chat/completions and one of Anthropic's POST /v1/messages,
# from crewAIInc/crewAI (MIT) cassettes of ../shared/corpus, as crewAI's recorder left them.
OPENAI = {
    "CF-RAY": ["CF-RAY-XXX"],
    "Connection": ["keep-alive"],
    "Content-Type": ["application/json"],
    "Date": ["Thu, 12 Feb 2026 19:29:13 GMT"],
    "Server": ["cloudflare"],
    "Strict-Transport-Security": ["STS-XXX"],
    "Transfer-Encoding": ["chunked"],
    "X-Content-Type-Options": ["X-CONTENT-TYPE-XXX"],
    "access-control-expose-headers": ["ACCESS-CONTROL-XXX"],
    "alt-svc": ['h3=":443"; ma=86400'],
    "cf-cache-status": ["DYNAMIC"],
    "openai-organization": ["OPENAI-ORG-XXX"],
    "openai-processing-ms": ["3561"],
    "openai-project": ["OPENAI-PROJECT-XXX"],
    "openai-version": ["2020-10-01"],
    "set-cookie": ["SET-COOKIE-XXX"],
    "x-openai-proxy-wasm": ["v0.1"],
    "x-ratelimit-limit-input-images": ["50000"],
    "x-ratelimit-limit-requests": ["X-RATELIMIT-LIMIT-REQUESTS-XXX"],
    "x-ratelimit-remaining-input-images": ["49999"],
    "x-ratelimit-reset-input-images": ["1ms"],
    "x-request-id": ["X-REQUEST-ID-XXX"],
}
ANTHROPIC = {
    "CF-RAY": ["CF-RAY-XXX"],
    "Connection": ["keep-alive"],
    "Content-Security-Policy": ["CSP-FILTERED"],
    "Content-Type": ["application/json"],
    "Date": ["Thu, 12 Feb 2026 19:30:50 GMT"],
    "Server": ["cloudflare"],
    "Transfer-Encoding": ["chunked"],
    "X-Robots-Tag": ["none"],
    "anthropic-organization-id": ["ANTHROPIC-ORGANIZATION-ID-XXX"],
    "anthropic-ratelimit-input-tokens-limit": ["ANTHROPIC-RATELIMIT-INPUT-TOKENS-LIMIT-XXX"],
    "anthropic-ratelimit-requests-remaining": ["3999"],
    "anthropic-ratelimit-requests-reset": ["2026-02-12T19:30:48Z"],
    "cf-cache-status": ["DYNAMIC"],
    "request-id": ["REQUEST-ID-XXX"],
    "retry-after": ["13"],
    "strict-transport-security": ["STS-XXX"],
    "x-envoy-upstream-service-time": ["2198"],
}


def tally(*responses: Headers, at: float | None = None) -> HeaderTally:
    counted = HeaderTally()
    for headers in responses:
        counted.add(headers, at)
    return counted


def without(headers: Headers, *names: str) -> dict[str, Sequence[str]]:
    gone = {name.lower() for name in names}
    return {key: value for key, value in headers.items() if key.lower() not in gone}


def with_(headers: Headers, **added: str) -> dict[str, Sequence[str]]:
    return {**headers, **{key.replace("_", "-"): [value] for key, value in added.items()}}


def rules(found: list[Finding]) -> list[tuple[str, str, Severity]]:
    return [(f.rule.value, f.path, f.severity) for f in found]


# --- which headers are compared ---------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (github(1), GITHUB_KEPT),
        (STRIPE, STRIPE_KEPT),
        (OPENAI, {"openai-version"}),
        (ANTHROPIC, set()),
    ],
    ids=["github", "stripe", "openai", "anthropic"],
)
def test_real_header_sets_keep_only_the_contract(headers: Headers, expected: set[str]) -> None:
    assert set(tally(headers).present) == expected


@pytest.mark.parametrize(
    "name",
    [
        "Date",
        "DATE",
        "Set-Cookie",
        "X-GitHub-Request-Id",
        "x-amzn-RequestId",
        "traceparent",
        "X-B3-TraceId",
        "CF-Ray",
        "Via",
        "X-RateLimit-Remaining",
        "RateLimit-Policy",
        "anthropic-ratelimit-tokens-reset",
        "Transfer-Encoding",
        "Content-Length",
        "Age",
        "Authorization",
        "Cookie",
        "X-Api-Key",
        "Idempotency-Key",
        "X-Internal-Token",
        "Content-Type",
        "Deprecation",
        "Sunset",
        "Access-Control-Allow-Origin",
        # presence follows the credentials, the account or the recorder (issue 17)
        "X-OAuth-Scopes",
        "X-Accepted-OAuth-Scopes",
        "OpenAI-Organization",
        "openai-project",
        "anthropic-organization-id",
        "Cache-Control",
        # what the request or the object carried (red team 7)
        "github-authentication-token-expiration",
        "X-Accepted-GitHub-Permissions",
        "Original-Request",
        "x-amz-meta-owner",
        "x-amz-version-id",
        # not RFC 9110 tokens: never counted, so a cache entry holding one is refused
        "",
        "x-evil\nname",
        "\x1b[31mred",
        "with space",
    ],
)
def test_volatile_secret_and_elsewhere_headers_are_not_compared(name: str) -> None:
    assert not kept(name)


@pytest.mark.parametrize(
    "name", ["ETag", "etag", "LINK", "Location", "Last-Modified", "X-GitHub-Media-Type", "X-Total"]
)
def test_contract_headers_are_compared_in_any_case(name: str) -> None:
    assert kept(name)


def test_config_extends_the_volatile_and_scrubbed_lists_case_insensitively() -> None:
    assert kept("X-Cost-Units")
    assert kept("X-Debug-Node")
    assert kept("X-Tenant")
    assert not kept("X-Cost-Units", volatile=["x-cost-units"])
    assert not kept("x-debug-node", volatile=["X-Debug-*"])
    assert not kept("X-TENANT", scrubbed=["X-Tenant"])
    assert kept("X-Tenant", volatile=["x-debug-*"], scrubbed=["x-other"])


# --- the tally ------------------------------------------------------------------------


def test_tally_counts_each_name_once_per_response_in_lower_case() -> None:
    counted = tally({"ETag": ["a"], "etag": ["b"], "Link": ["<x>; rel=next"]}, {"ETAG": ["c"]})
    assert counted.samples == 2
    assert counted.present == {"etag": 2, "link": 1}


def test_tally_keeps_the_newest_notice_by_recording_time() -> None:
    counted = HeaderTally()
    counted.add({"Deprecation": ["@1700000000"]}, day("2025-01-02"))
    counted.add({"Deprecation": ["@1600000000"]}, day("2025-03-01"))
    counted.add({"Deprecation": ["@1500000000"]}, day("2025-02-01"))
    counted.add({"ETag": ["x"]}, day("2025-04-01"))
    assert counted.notice is not None
    assert counted.notice.deprecation == 1600000000.0
    assert (counted.noticed, counted.noticed_at) == (3, day("2025-03-01"))


RESPONSES = st.lists(
    st.tuples(
        st.dictionaries(
            st.sampled_from(["ETag", "etag", "Link", "X-Foo", "Date", "Deprecation", "Sunset"]),
            st.lists(
                st.sampled_from(["@1700000000", "true", "Sat, 01 Mar 2025 00:00:00 GMT", "x"]),
                min_size=1,
                max_size=2,
            ),
        ),
        st.sampled_from([None, 1.0, 2.0]),
    ),
    max_size=12,
)


def as_tuple(counted: HeaderTally) -> tuple[object, ...]:
    return (
        counted.samples,
        counted.present,
        counted.notice,
        counted.noticed_at,
        counted.noticed,
    )


@settings(max_examples=150, deadline=None)
@given(RESPONSES, st.data())
def test_merge_gives_one_tally_whatever_the_batches_and_their_order(
    responses: list[tuple[Headers, float | None]], data: st.DataObject
) -> None:
    whole = HeaderTally()
    for headers, at in responses:
        whole.add(headers, at)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(responses)), max_size=4)))
    bounds = [0, *cuts, len(responses)]
    batches = []
    for start, end in itertools.pairwise(bounds):
        batch = HeaderTally()
        for headers, at in responses[start:end]:
            batch.add(headers, at)
        batches.append(batch)
    shuffled = data.draw(st.permutations(batches))
    assert as_tuple(merged(shuffled)) == as_tuple(whole)
    if len(shuffled) >= 3:  # (a + b) + c == a + (b + c)
        left, right = merged(shuffled[:2]), merged(shuffled[1:3])
        left.merge(shuffled[2])
        tail = merged([shuffled[0]])
        tail.merge(right)
        assert as_tuple(merged([left, *shuffled[3:]])) == as_tuple(merged([tail, *shuffled[3:]]))


# --- header-removed and header-added ----------------------------------------------------


def test_re_recording_that_changes_only_volatile_headers_gives_nothing() -> None:
    before = tally(*(github(n) for n in range(4)))
    after = tally(
        *(with_(without(github(n + 10), "Content-Encoding", "Vary"), Age="3") for n in range(3)),
        with_(github(20), Set_Cookie="_gh_sess=abc", X_Cache="HIT", Retry_After="30"),
    )
    assert header_findings(ENDPOINT, 200, before, after, NOW) == []


def test_link_gone_is_a_warning_and_says_only_names_and_counts() -> None:
    before = tally(github(1), github(2), github(3))
    after = tally(*(without(github(n), "Link") for n in range(4)))
    [found] = header_findings(ENDPOINT, 200, before, after, NOW, Location("c.yaml", 7))
    assert (found.rule, found.severity, found.path) == (
        RuleId.HEADER_REMOVED,
        Severity.WARNING,
        "header:link",
    )
    assert found.message == (
        "response header `link` is no longer sent: absent from 4 current samples; "
        "it was in every one of 3 baseline samples"
    )
    assert (found.baseline, found.current) == ("in 3/3 samples", "in none")
    assert found.location == Location("c.yaml", 7)
    assert found.status == 200
    assert "page=" not in found.message + found.baseline + found.current


@pytest.mark.parametrize(
    "name", ["Link", "ETag", "Last-Modified", "Content-Disposition", "Location", "X-Total-Count"]
)
def test_a_header_clients_read_is_a_warning_and_needs_min_samples_too(name: str) -> None:
    """Issue 17: `Link` is absent when the list fits on one page, `Last-Modified` on an
    empty list, `Content-Disposition` depends on the file: one response each side (or two)
    cannot tell that from a change of contract, and even three only warn."""
    base = with_(github(1), **{name.replace("-", "_"): "x"})
    gone = without(github(2), name)
    for samples in range(1, MIN_SAMPLES):
        before, after = tally(*[base] * samples), tally(*[gone] * samples)
        assert presence_findings(ENDPOINT, 200, before, after) == []
    before, after = tally(*[base] * MIN_SAMPLES), tally(*[gone] * MIN_SAMPLES)
    found = presence_findings(ENDPOINT, 200, before, after)
    assert rules(found) == [("header-removed", f"header:{name.lower()}", Severity.WARNING)]


@pytest.mark.parametrize("samples", [MIN_SAMPLES - 1, MIN_SAMPLES])
def test_other_headers_need_min_samples_on_both_sides(samples: int) -> None:
    base = with_(github(1), X_Served_Region="eu")
    before = tally(*[base] * samples)
    after = tally(*[github(2)] * samples)
    found = presence_findings(ENDPOINT, 200, before, after)
    expected = [("header-removed", "header:x-served-region", Severity.WARNING)]
    assert rules(found) == (expected if samples >= MIN_SAMPLES else [])
    bigger = tally(*[github(2)] * (MIN_SAMPLES + 5))
    assert rules(presence_findings(ENDPOINT, 200, before, bigger)) == rules(found)


def test_a_header_missing_from_one_baseline_sample_or_left_in_one_current_is_not_removed() -> None:
    some = tally(github(1), github(2), without(github(3), "Link"))
    none = tally(*(without(github(n), "Link") for n in range(3)))
    assert presence_findings(ENDPOINT, 200, some, none) == []
    three = tally(github(1), github(2), github(3))
    assert presence_findings(ENDPOINT, 200, three, tally(github(2), none_link(), github(4))) == []


def none_link() -> Headers:
    return without(github(9), "Link")


def test_header_added_is_info_when_in_every_current_sample_and_no_baseline_one() -> None:
    before = tally(*(github(n) for n in range(3)))
    after = tally(*(with_(github(n), X_Next_Cursor="c2") for n in range(3)))
    [found] = presence_findings(ENDPOINT, 200, before, after)
    assert (found.rule, found.severity, found.path) == (
        RuleId.HEADER_ADDED,
        Severity.INFO,
        "header:x-next-cursor",
    )
    assert found.message == (
        "response header `x-next-cursor` is new: in every one of 3 current samples, "
        "in none of 3 baseline samples"
    )
    partly = tally(*(with_(github(n), X_Next_Cursor="c") for n in range(2)), github(5))
    assert presence_findings(ENDPOINT, 200, before, partly) == []
    two = tally(*(with_(github(n), X_Next_Cursor="c2") for n in range(MIN_SAMPLES - 1)))
    assert presence_findings(ENDPOINT, 200, before, two) == []


def test_configured_volatile_and_scrubbed_headers_are_never_compared() -> None:
    before = tally(*(with_(github(n), X_Shard="a", X_Tenant_Secret_Name="t") for n in range(3)))
    after = tally(*(github(n) for n in range(3)))
    assert len(presence_findings(ENDPOINT, 200, before, after)) == 2
    assert presence_findings(
        ENDPOINT, 200, before, after, volatile=["X-SHARD"], scrubbed=["x-tenant-secret-name"]
    ) == []  # fmt: skip


def test_a_severity_override_wins_over_the_default() -> None:
    before = tally(*[github(1)] * MIN_SAMPLES)
    after = tally(*[without(github(1), "Link")] * MIN_SAMPLES)
    [found] = presence_findings(
        ENDPOINT, 200, before, after, overrides={"header-removed": Severity.INFO}
    )
    assert found.severity is Severity.INFO


@pytest.mark.parametrize(
    "recorded",
    [
        {},  # a recorder that keeps no response header
        {"Content-Type": ["application/json"]},  # one that keeps only Content-Type
        {"Content-Type": ["application/json"], "Date": ["Mon, 02 Jun 2025 10:00:00 GMT"]},
        {"Deprecation": ["true"], "X-Request-Id": ["r1"], "Set-Cookie": ["s=1"]},
    ],
)
def test_a_side_that_kept_no_compared_header_says_nothing_about_headers(
    recorded: Headers,
) -> None:
    """Issue 17: cassettes whose recorder stripped the headers are no evidence that the
    API stopped sending them (nor that the other side's are new)."""
    full = tally(*(github(n) for n in range(3)))
    stripped = tally(*[recorded] * 3)
    assert presence_findings(ENDPOINT, 200, full, stripped) == []
    assert presence_findings(ENDPOINT, 200, stripped, full) == []
    # one compared header is enough to read the rest as gone
    one = tally(*[{**recorded, "X-GitHub-Media-Type": ["github.v3"]}] * 3)
    removed = {f.path for f in presence_findings(ENDPOINT, 200, full, one)}
    assert removed == {f"header:{n}" for n in GITHUB_KEPT - {"x-github-media-type"}}
    added = {f.path for f in presence_findings(ENDPOINT, 200, one, full)}
    assert added == removed


def test_content_type_and_retirement_headers_are_left_to_their_own_rules() -> None:
    before = tally(*[{"Content-Type": ["application/json"], "ETag": ["x"]}] * 3)
    after = tally(*[{"ETag": ["x"], "Deprecation": ["true"], "Sunset": ["x"]}] * 3)
    assert rules(presence_findings(ENDPOINT, 200, before, after)) == []


# --- the retirement notice ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "when", "text"),
    [
        ("@1688169599", 1688169599.0, "2023-06-30"),  # RFC 9745: a structured-field date
        ("true", None, "yes"),  # the drafts and many APIs: deprecated, no date given
        ("?1", None, "yes"),
        ("Sun, 11 Nov 2018 23:59:59 GMT", day("2018-11-11") + 12 * 3600 - 1, "2018-11-11"),
        ("soon", None, UNPARSED),
        ("@", None, UNPARSED),
        ("@99999999999999", None, UNPARSED),
        ("Mon, 32 Foo 2018 25:61:00 GMT", None, UNPARSED),
    ],
)
def test_deprecation_values(value: str, when: float | None, text: str) -> None:
    told = notice({"Deprecation": [value]})
    assert told is not None
    assert (told.deprecation, told.deprecation_text, told.sunset_text) == (when, text, "")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("Sat, 31 Dec 2022 23:59:59 GMT", "2022-12-31"),
        ("Saturday, 31-Dec-22 23:59:59 GMT", "2022-12-31"),  # RFC 850
        ("Sat Dec 31 23:59:59 2022", "2022-12-31"),  # asctime
        ("2022-12-31", "2022-12-31"),
        ("2022-12-31T23:59:59Z", "2022-12-31"),
        ("next year", UNPARSED),
        ("\x00\ufffd", UNPARSED),
    ],
)
def test_sunset_values(value: str, text: str) -> None:
    told = notice({"sunset": [value]})
    assert told is not None
    assert told.sunset_text == text
    assert told.deprecation_text == ""
    assert (told.sunset is None) == (text == UNPARSED)


def test_no_notice_without_deprecation_or_sunset_or_with_deprecation_false() -> None:
    assert notice(github(1)) is None
    assert notice({"Deprecation": ["false"], "Link": ['<https://x/d>; rel="deprecation"']}) is None
    assert notice({"Deprecation": ["?0"]}) is None


def test_links_of_several_values_several_links_and_several_relations() -> None:
    found = links(
        [
            '<https://api.example.com/v2/users>; rel="successor-version latest-version", '
            '<https://developer.example.com/deprecation>; rel=deprecation; type="text/html"',
            "<https://api.example.com/sunset-policy>;REL=Sunset",
            '<https://x.example/a,b>; title="a, <tricky> one"; rel="next"',
            "<https://unclosed.example/x; rel=next",
        ]
    )
    assert found == [
        ("successor-version", "https://api.example.com/v2/users"),
        ("latest-version", "https://api.example.com/v2/users"),
        ("deprecation", "https://developer.example.com/deprecation"),
        ("sunset", "https://api.example.com/sunset-policy"),
        ("next", "https://x.example/a,b"),
    ]


def test_links_are_shown_without_credentials_query_or_fragment() -> None:
    found = links(['<https://bot:s3cret@api.example.com:8443/v2?token=abc#top>; rel="sunset"'])
    assert found == [("sunset", "https://api.example.com:8443/v2")]
    assert links(["<http://[::1>; rel=sunset", "rel=next", ""]) == [("sunset", UNPARSED)]
    assert links(["<http://u:p@[::1]:8080/v2?k=1>; rel=sunset"]) == [
        ("sunset", "http://[::1]:8080/v2")
    ]


def test_a_notice_keeps_its_relations_from_any_link_header_and_drops_the_others() -> None:
    told = notice(
        {
            "Deprecation": ["@1688169599"],
            "Sunset": ["Wed, 31 Dec 2025 23:59:59 GMT"],
            "Link": ['<https://api.github.com/x?page=2>; rel="next"'],
            "link": ['<https://docs.example.com/dep>; rel="deprecation"'],
            "LINK": ['<https://docs.example.com/dep>; rel="deprecation"'],
        }
    )
    assert told is not None
    assert told.links == (("deprecation", "https://docs.example.com/dep"),)
    assert told.link("deprecation") == "https://docs.example.com/dep"
    assert told.link("successor-version") is None
    assert told.describe() == (
        "Deprecation: 2023-06-30; Sunset: 2025-12-31; deprecation: https://docs.example.com/dep"
    )


# --- endpoint-deprecated ------------------------------------------------------------------

RETIRING = {
    "Deprecation": ["@1735689600"],  # 2025-01-01
    "Sunset": ["Wed, 31 Dec 2025 23:59:59 GMT"],
    "Link": [
        '<https://api.example.com/v2/issues>; rel="successor-version", '
        '<https://docs.example.com/deprecations#v1>; rel="deprecation"'
    ],
}


def test_a_new_notice_is_a_warning_with_its_dates_and_links() -> None:
    before = tally(github(1), github(2))
    after = tally({**github(3), **RETIRING}, github(4))
    [found] = header_findings(ENDPOINT, 200, before, after, NOW)
    assert (found.rule, found.severity, found.path) == (
        RuleId.ENDPOINT_DEPRECATED,
        Severity.WARNING,
        "header:sunset",
    )
    assert found.message == (
        f"endpoint `{ENDPOINT}` is now marked for retirement by the API: "
        "Deprecation: 2025-01-01; Sunset: 2025-12-31; "
        "successor-version: https://api.example.com/v2/issues; "
        "deprecation: https://docs.example.com/deprecations"
    )
    assert found.baseline == "no Deprecation or Sunset"
    assert found.current.endswith("(in 1/2 samples)")
    assert "W/" not in found.message
    assert "GitHub.com" not in found.message


def test_a_past_sunset_is_breaking_even_when_the_baseline_had_it() -> None:
    before, after = tally({**github(1), **RETIRING}), tally({**github(2), **RETIRING})
    after_sunset = day("2026-01-01")
    [found] = deprecation_findings(ENDPOINT, None, before, after, after_sunset)
    assert found.severity is Severity.BREAKING
    assert found.status is None
    assert found.message.startswith(
        f"endpoint `{ENDPOINT}` is past its Sunset date and may stop responding any day: "
        "Deprecation: 2025-01-01; Sunset: 2025-12-31"
    )
    overridden = deprecation_findings(
        ENDPOINT,
        None,
        before,
        after,
        after_sunset,
        overrides={"endpoint-deprecated": Severity.INFO},
    )
    assert [f.severity for f in overridden] == [Severity.INFO]


def test_a_notice_already_in_the_baseline_with_a_sunset_ahead_gives_nothing() -> None:
    before, after = tally({**github(1), **RETIRING}), tally({**github(2), **RETIRING})
    assert deprecation_findings(ENDPOINT, 200, before, after, NOW) == []
    later = tally({**github(2), **RETIRING, "Sunset": ["Sat, 31 Dec 2026 23:59:59 GMT"]})
    assert deprecation_findings(ENDPOINT, 200, before, later, NOW) == []  # postponed
    assert deprecation_findings(ENDPOINT, 200, before, tally(github(3)), NOW) == []  # lifted


@pytest.mark.parametrize(
    ("baseline", "current"),
    [
        ({"Deprecation": ["true"]}, RETIRING),  # a Sunset now set
        (RETIRING, {**RETIRING, "Sunset": ["Mon, 01 Sep 2025 00:00:00 GMT"]}),  # brought forward
        ({"Sunset": ["Wed, 31 Dec 2025 23:59:59 GMT"]}, RETIRING),  # now also deprecated
    ],
    ids=["sunset-set", "sunset-earlier", "deprecation-added"],
)
def test_a_notice_that_says_more_than_the_baseline_is_reported(
    baseline: Headers, current: Headers
) -> None:
    found = deprecation_findings(ENDPOINT, 200, tally(baseline), tally(current), NOW)
    assert [(f.rule, f.severity) for f in found] == [(RuleId.ENDPOINT_DEPRECATED, Severity.WARNING)]


def test_a_malformed_sunset_is_shown_unparsed_and_never_past() -> None:
    after = tally({"Deprecation": ["true"], "Sunset": ["whenever"]})
    [found] = deprecation_findings(ENDPOINT, 200, tally(github(1)), after, NOW)
    assert found.severity is Severity.WARNING
    assert "Deprecation: yes; Sunset: (unparsed)" in found.message


@pytest.mark.parametrize("name", ["X-Request-Identity", "X-Api-Keyring", "X-Tenant-Secret-Name"])
def test_patterns_match_whole_names_only(name: str) -> None:
    assert kept(name)
    assert not kept(name, volatile=["x-*-ident*"], scrubbed=["*-keyring", "*-name"])


def test_a_lone_string_value_is_one_value_and_odd_names_are_read_as_text() -> None:
    betamax_style: dict[object, object] = {"Sunset": "Sat, 31 Dec 2022 23:59:59 GMT", 42: ["x"]}
    told = notice(betamax_style)  # type: ignore[arg-type]
    assert told is not None
    assert told.sunset_text == "2022-12-31"
    assert tally(betamax_style).present == {"42": 1}  # type: ignore[arg-type]


def test_the_sunset_passes_at_its_very_second() -> None:
    before, after = tally(github(1)), tally({**github(2), **RETIRING})
    sunset = day("2025-12-31") + 12 * 3600 - 1  # 23:59:59 GMT
    severities = [
        [f.severity for f in deprecation_findings(ENDPOINT, 200, before, after, now)]
        for now in (sunset - 1, sunset)
    ]
    assert severities == [[Severity.WARNING], [Severity.BREAKING]]


# --- issue 17: dates out of range, links that leak, notices that are not retirements -----


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("Sunset", "9999-12-31T23:59:59-05:00", UNPARSED),  # year 10000 in UTC: crashed
        ("Sunset", "Fri, 31 Dec 9999 23:59:59 -0500", UNPARSED),
        ("Deprecation", "0001-01-01T00:00:00+23:59", UNPARSED),  # year 0 in UTC: crashed
        ("Sunset", "Fri, 31 Dec 9999 12:00:00 GMT", "9999-12-31"),
        ("Sunset", "Mon, 01 Jan 0001 00:00:00 GMT", UNPARSED),  # was read as 2001
        ("Sunset", "Monday, 01-Jan-0099 00:00:00 GMT", UNPARSED),  # was read as 2099
        ("Sunset", "Fri, 01 Jan 0100 12:00:00 GMT", "0100-01-01"),
        ("Sunset", "0100-01-01", "0100-01-01"),
        ("Sunset", "Mon, 02 Jun 2025 10:00:00 -0030", "2025-06-02"),
        ("Deprecation", "@-62135596801", UNPARSED),  # the second before year 1
        ("Deprecation", "@-62135596800", "0001-01-01"),
    ],
)
def test_dates_outside_years_1_to_9999_are_unparsed_and_never_raise(
    name: str, value: str, text: str
) -> None:
    headers = {name: [value], "Link": ['<https://d.example/x>; rel="deprecation"']}
    told = notice(headers)
    assert told is not None
    assert (told.deprecation_text or told.sunset_text) == text
    assert ((told.deprecation or told.sunset) is None) == (text == UNPARSED)
    assert malformed(told) is None
    after = tally(*[headers] * 3)
    assert deprecation_findings(ENDPOINT, 200, tally(github(1)), after, NOW) != []


def edge_date(year: int, last: bool, offset: int, iso: bool) -> str:
    """The first or last second of a year, with a UTC offset of up to a day either way."""
    zone = f"{'-' if offset < 0 else '+'}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
    day, time = ("12-31", "23:59:59") if last else ("01-01", "00:00:00")
    if iso:
        return f"{year:04d}-{day}T{time}{zone[:3]}:{zone[3:]}"
    return f"{day[3:]} {'Dec' if last else 'Jan'} {year:04d} {time} {zone}"


EDGE_DATES = st.builds(
    edge_date,
    st.sampled_from([1, 99, 100, 1969, 1970, 9999]) | st.integers(1, 9999),
    st.booleans(),
    st.integers(-1439, 1439),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["Deprecation", "Sunset", "Link"]),
    st.text() | st.from_regex(r"@-?\d{1,14}", fullmatch=True) | EDGE_DATES,
)
def test_notice_never_raises_and_makes_only_well_formed_notices(name: str, value: str) -> None:
    headers = {name: [value], "Deprecation": ["true"]} if name == "Link" else {name: [value]}
    told = notice(headers)
    if told is not None:
        assert malformed(told) is None


@pytest.mark.parametrize(
    "value",
    [
        "false",
        "?0",
        "0",
        "no",
        "NO",
        " No ",
        "",
        "undefined",
        "null",
        "None",
        "nil",
        '"false"',
        '""',
    ],
)
def test_a_deprecation_that_says_no_counts_as_absent(value: str) -> None:
    assert notice({"Deprecation": [value]}) is None


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("user2:pass2@other/x", UNPARSED),  # urlsplit reads `user2` as a scheme
        ("https://api.example.com/v3;jsessionid=SECRET/x", "https://api.example.com/v3/x"),
        ("HTTPS://API.example.com/a;v=1;s=2/b;c", "https://api.example.com/a/b"),
        ("ftp://files.example.com/x", UNPARSED),
        ("javascript:alert(1)", UNPARSED),
        ("/relative/path", UNPARSED),
        ("https:///no-host", UNPARSED),
        ("https://exa mple.com/x", UNPARSED),
        ("https://api.example.com/\x1b[31mred", UNPARSED),
        ("https://t:s@api.example.com/v2?k=1#f", "https://api.example.com/v2"),
    ],
)
def test_links_show_only_plain_http_urls(url: str, shown: str) -> None:
    assert links([f'<{url}>; rel="deprecation"']) == [("deprecation", shown)]


def test_a_notice_keeps_distinct_links_up_to_the_caps() -> None:
    many = [f'<https://d.example/{n}>; rel="deprecation"' for n in range(10)]
    more = [f'<https://s.example/{n}>; rel="successor-version"' for n in range(10)]
    told = notice({"Deprecation": ["true"], "Link": [*many, *many, *more]})
    assert told is not None
    assert told.links == (
        *(("deprecation", f"https://d.example/{n}") for n in range(LINKS_PER_RELATION)),
        *(("successor-version", f"https://s.example/{n}") for n in range(LINKS_PER_RELATION)),
    )
    assert len(told.links) == LINKS_IN_ALL
    unparsed = notice({"Deprecation": ["true"], "Link": ['<a:b@c>; rel="sunset"'] * 3})
    assert unparsed is not None
    assert unparsed.links == (("sunset", UNPARSED),)


AFTER_SUNSET = day("2026-01-01")


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        # a Sunset alone: an export link valid for an hour, not the endpoint's retirement
        ([{}] * 3, [{"Sunset": ["Wed, 31 Dec 2025 23:59:59 GMT"]}] * 3, [Severity.WARNING]),
        ([{"Sunset": ["Wed, 31 Dec 2025 23:59:59 GMT"]}] * 3,) * 2 + ([],),
        # a deprecation withdrawn: in 1 of 4 current samples, the newer ones without
        ([{}] * 3, [RETIRING, {}, {}, {}], [Severity.WARNING]),
        ([RETIRING] * 3, [RETIRING, {}, {}, {}], []),
        # the endpoint's retirement, in every current sample: breaking
        ([RETIRING] * 3, [RETIRING] * 2, [Severity.BREAKING]),
        # a `sunset` link is the policy of a resource that expires (RFC 8594 §1): no proof
        ([{}], [{"Sunset": RETIRING["Sunset"], "Link": ['<https://d/>; rel="sunset"']}], [
            Severity.WARNING
        ]),
        ([{}], [{"Sunset": RETIRING["Sunset"], "Link": ['<https://d/>; rel="deprecation"']}], [
            Severity.BREAKING
        ]),
        # a `Deprecation` that cannot be read is no proof either
        ([{}], [{"Sunset": RETIRING["Sunset"], "Deprecation": ["soon-ish"]}], [Severity.WARNING]),
    ],
    ids=["sunset-only-new", "sunset-only-known", "withdrawn-new", "withdrawn-known",
         "retiring", "sunset-link", "deprecation-link", "deprecation-unparsed"],
)  # fmt: skip
def test_a_past_sunset_is_breaking_only_for_a_current_retirement_of_the_endpoint(
    baseline: list[Headers], current: list[Headers], expected: list[Severity]
) -> None:
    before = tally(*baseline, at=1.0)
    after = HeaderTally()
    for n, headers in enumerate(current):
        after.add({**github(n), **headers}, float(n))
    found = deprecation_findings(ENDPOINT, 200, before, after, AFTER_SUNSET)
    assert [f.severity for f in found] == expected


def header_findings(
    endpoint: str,
    status: int,
    before: HeaderTally,
    after: HeaderTally,
    now: float,
    location: Location | None = None,
) -> list[Finding]:
    """Every header finding of one endpoint and status, as compare makes them."""
    return presence_findings(endpoint, status, before, after, location=location) + (
        deprecation_findings(endpoint, status, before, after, now, location=location)
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://api.example.com/reset/ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "https://api.example.com/v1/eyJhbGciOiJIUzI1NiJ9.e30.sig",
        "https://api.example.com/users/jane@example.com/v2",
    ],
)
def test_a_link_whose_path_holds_a_credential_or_an_address_is_not_shown(url: str) -> None:
    assert shown(url) == UNPARSED


def test_exports_that_expire_under_a_sunset_policy_link_are_not_a_retiring_endpoint() -> None:
    """An exports API: `Sunset` 24 h after each export and its retention policy linked as
    `sunset`, in every sample; once they expired the endpoint is still not retiring."""
    exports = [
        {
            "Sunset": [f"Sat, {n + 1:02d} Nov 2025 10:00:00 GMT"],
            "Link": ['<https://docs.example.com/exports>; rel="sunset"'],
        }
        for n in range(4)
    ]
    found = deprecation_findings(ENDPOINT, 200, tally(*exports), tally(*exports), AFTER_SUNSET)
    assert found == []  # already in the baseline, and not breaking


@pytest.mark.parametrize(
    "sunset",
    ["2025-12-31", "Wed, 31 Dec 2025 00:00:00 GMT", "2025-12-31T08:00:00Z"],
)
def test_the_same_sunset_day_written_another_way_is_not_brought_forward(sunset: str) -> None:
    before = tally({**github(1), **RETIRING})  # Sunset: Wed, 31 Dec 2025 23:59:59 GMT
    after = tally({**github(2), **RETIRING, "Sunset": [sunset]})
    assert deprecation_findings(ENDPOINT, 200, before, after, NOW) == []
    earlier = tally({**github(2), **RETIRING, "Sunset": ["2025-12-30"]})
    assert len(deprecation_findings(ENDPOINT, 200, before, earlier, NOW)) == 1  # a day earlier


@pytest.mark.parametrize(
    "url",
    [
        "https://api.example.com/v2/users/zebulon.quartermain%40example.org",
        "https://api.example.com/v2/users/zebulon.quartermain%2540example.org",  # twice
        "https://api.example.com/v2/invites/%65yJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ6ZWIifQ.c2ln",
        "https://api.example.com/reset/%67hp_abcdefghijklmnopqrstuvwxyz0123456789",
        "https://api.example.com/v2/" + "a" * 300,  # too long to keep a line readable
    ],
)
def test_a_link_hiding_an_address_or_a_credential_by_percent_encoding_is_not_shown(
    url: str,
) -> None:
    assert shown(url) == UNPARSED
    told = notice({"Deprecation": ["true"], "Link": [f'<{url}>; rel="successor-version"']})
    assert told is not None
    assert told.links == (("successor-version", UNPARSED),)
    assert malformed(told) is None


def test_a_link_with_plain_percent_escapes_and_up_to_the_length_cap_is_shown() -> None:
    url = "https://api.example.com/v2/caf%C3%A9s/" + "b" * 150
    assert shown(url) == url


@pytest.mark.parametrize(
    "name",
    [
        "X-Kong-Upstream-Latency",
        "x-kong-proxy-latency",
        "X-Azure-Ref",
        "x-amz-apigw-id",
        "x-amzn-Remapped-Date",
        "x-vercel-id",
        "X-Vercel-Cache",
        "x-matched-path",
        "X-Cache-Status",
        "x-nginx-cache",
        "CDN-Cache-Control",
        "x-litespeed-cache",
        "x-edge-location",
        "fastly-debug-digest",
        "akamai-grn",
        "x-akamai-transformed",
        "x-iinfo",
        "x-sucuri-id",
        "x-heroku-queue-wait-time",
        "x-processing-time",
        "x-took",
        "correlation-id",
        "sentry-trace",
        "baggage",
        "x-debug-token-link",
        "x-guploader-uploadid",
        "x-served-from",
        "x-backend-server",
        "x-upstream-latency",
        "x-pod-name",
        "x-instance-id",
        "x-hostname",
    ],
)
def test_gateway_cdn_timing_and_debug_headers_are_not_compared(name: str) -> None:
    assert not kept(name)


def test_resumable_upload_headers_clients_read_are_still_compared() -> None:
    assert kept("X-Goog-Upload-URL")  # a client continues its upload there
    assert kept("X-Debug-Node")
