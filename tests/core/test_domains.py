"""Value domains: string formats and enum-like value sets of string columns."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core import domains
from driftcheck.core.domains import (
    COUNTED,
    ENUM_CAP,
    FORMATS,
    PLACEHOLDER,
    count_formats,
    enum_token,
    enum_values,
    is_enum,
    key_allows_enum,
    merge_enums,
    merge_formats,
    path_format,
    secret_key,
    string_format,
    unseen_is_significant,
)

POSITIVE = {
    "date-time": [
        "2024-01-31T12:00:00Z",
        "2024-01-31t12:00:00z",
        "2024-01-31T12:00:00.123456+05:30",
        "2024-02-29T00:00:00-08:00",
        "1998-12-31T23:59:60Z",  # leap second
        "1998-12-31T15:59:60.123-08:00",  # the same leap second, in UTC-8
        "2000-02-29T23:59:59+23:59",
    ],
    "date": ["2024-01-31", "2024-02-29", "2000-02-29", "1999-12-31", "0001-01-01"],
    "time": ["12:00:00", "23:59:59.999", "00:00:00Z", "08:30:00+05:30", "23:59:60Z"],
    "uuid": [
        "123e4567-e89b-12d3-a456-426614174000",
        "123E4567-E89B-12D3-A456-426614174000",
        "00000000-0000-0000-0000-000000000000",
        "01890a5d-ac96-774b-bcce-b302099a8057",  # v7
    ],
    "email": ["octocat@github.com", "a.b+tag@mail.example.co.uk", "x_y@sub-domain.io"],
    "uri": [
        "https://api.github.com/users/octocat",
        "http://localhost:8080/x?y=1#z",
        "s3://bucket/key",
        "file:///etc/hosts",
        "mailto:octocat@github.com",
        "urn:isbn:0451450523",
        "HTTPS://EXAMPLE.COM",
        "https://example.com/" + "a" * 1000,
    ],
    "ipv4": ["127.0.0.1", "0.0.0.0", "255.255.255.255", "192.168.1.10"],
    "ipv6": ["::1", "::", "fe80::1", "2001:db8::ff00:42:8329", "::ffff:192.0.2.128"],
    "integer-as-string": ["0", "42", "-7", "-0", "007", "01234", "12345678901234567890"],
    "decimal-as-string": ["1.5", "-0.25", "12.50", "1e5", "2.5E-3", "1E+10", "007.5"],
}
NEGATIVE = [
    "2024-01-31 12:00:00",  # a space, no offset
    "2024-01-31T12:00:00",  # no offset
    "2024-01-31 12:00:00Z",  # a space
    "2024-02-30",
    "2023-02-29",
    "1900-02-29",
    "2024-13-01",
    "2024-00-10",
    "2024-1-5",
    "24:00:00",
    "12:60:00",
    "12:00",
    "23:58:60Z",  # not a leap second
    "2024-01-31T12:00:00+24:00",
    "123e4567-e89b-12d3-a456-42661417400",  # 11 in the last group
    "123e4567e89b12d3a456426614174000",
    "g23e4567-e89b-12d3-a456-426614174000",
    "octocat@github",
    "octo cat@github.com",
    "a@b@c.com",
    "note:foo",
    "service:default/checkout",
    "12:00:00:00:00",
    "https://",
    "https:// example.com",
    "https://example.com/a b",
    "C:\\Windows",
    "256.1.1.1",
    "1.2.3",
    "01.2.3.4",
    "fe80::1%eth0",  # a zone is not part of an address (JSON Schema)
    "1:2:3:4:5:6:7:8:9",
    "+5",
    "1.",
    ".5",
    "1e",
    "NaN",
    "Infinity",
    "-",
    "١٢٣",  # Arabic-Indic digits: str.isdigit() says yes
    "١٢٣.٤",
    "\uff11\uff12",  # fullwidth digits
    "active",
    "hello world",
    "cus_NffrFeUfNV2Hib",
    "x" * 300,
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [(text, name) for name, texts in POSITIVE.items() for text in texts],
)
def test_a_string_of_a_format_has_that_format(text: str, expected: str) -> None:
    assert string_format(text) == expected
    assert count_formats([text]) == {expected: 1}


@pytest.mark.parametrize("text", NEGATIVE)
def test_a_string_of_no_format_has_none(text: str) -> None:
    assert string_format(text) is None
    assert count_formats([text, text, text]) is None  # the path has no format


def test_every_format_is_named_and_the_examples_cover_them_all() -> None:
    assert set(POSITIVE) == set(FORMATS)


def test_a_column_is_counted_per_format_and_a_newline_inside_a_value_is_no_line() -> None:
    uuids = [f"123e4567-e89b-12d3-a456-42661417400{n}" for n in range(5)]
    assert count_formats(uuids * 2) == {"uuid": 10}
    # a value holding two UUIDs on two lines is no UUID, even beside real ones
    assert count_formats([*uuids, f"{uuids[0]}\n{uuids[1]}"]) is None
    # a column that looks uniform but holds a date that does not exist
    dates = ["2024-01-01", "2024-01-02", "2024-02-30", "2024-01-03"]
    assert count_formats(dates) is None
    # numbers and e-mails longer than 254 characters have no format, in a column too
    assert count_formats(["1", "2", "3" * 300]) is None
    long_email = "a" * 250 + "@example.com"
    assert count_formats(["a@example.com", "b@example.com", long_email]) is None
    mixed = ["1", "2", "2.5", "2024-01-01", "2024-01-01", "::1"]
    assert count_formats(mixed) == {
        "integer-as-string": 2,
        "decimal-as-string": 1,
        "date": 2,
        "ipv6": 1,
    }
    assert count_formats([*mixed, "x"]) is None
    assert count_formats([]) == {}


@pytest.mark.parametrize(
    ("counts", "strings", "expected"),
    [
        ({"uuid": 3}, 3, "uuid"),
        ({"uuid": 3}, 4, None),  # one value has no format
        ({"integer-as-string": 2, "decimal-as-string": 1}, 3, "decimal-as-string"),
        ({"date-time": 2, "date": 1}, 3, None),
        ({"date": 0, "uuid": 2}, 2, "uuid"),
        ({}, 0, None),
        ({}, 5, None),
    ],
)
def test_a_path_has_a_format_when_all_its_values_have_it(
    counts: dict[str, int], strings: int, expected: str | None
) -> None:
    assert path_format(counts, strings) == expected


@pytest.mark.parametrize(
    "key",
    [
        "status",
        "state",
        "type",
        "kind",
        "role",
        "finish_reason",
        "paid",
        "content_type",  # a choice word last: the key names a choice
        "displayType",
        "token_type",  # `bearer`: a choice word last wins over a secret word
        "auth_type",
        "authorization_status",
        "access_level",
        # the choices among people's keys and name-like words
        "sort_by",
        "order_by",
        "group_by",
        "sortedBy",
        "answer_type",
        "last_status",
        "invite_status",
        "last_action",
    ],
)
def test_keys_that_may_hold_an_enum(key: str) -> None:
    assert enum_values(key, ["a", "b", "a"]) == {"a": 2, "b": 1}


@pytest.mark.parametrize(
    "key",
    [
        "id",
        "user_id",
        "userId",
        "nodeID",
        "ids",
        "uuid",
        "api_key",
        "token",
        "client_secret",
        "password",
        "name",
        "displayName",
        "login",
        "username",
        "email",
        "html_url",
        "avatarUrl",
        "href",
        "slug",
        "title",
        "description",
        "body",
        "message",
        "sha",
        "etag",
        "next_cursor",
        "signature",
        "tags",
        "labels",
        "service",
        "timezone",
        # secrets and names written as one word (red team: values reached reports)
        "apikey",
        "apiKey",
        "accesstoken",
        "clientsecret",
        "authtoken",
        "passphrase",
        "firstname",
        "lastname",
        "surname",
        "givenname",
        "session",
        "sessionid",
        "csrf",
        "otp",
        "pin",
        "authorization",
        "emailaddress",
        # what a record belongs to or where it is: fixed test users re-recorded show new
        # ones (`company`, `location`, `default_branch`, `language`, `locale`)
        "company",
        "location",
        "country",
        "city",
        "region",
        "currency",
        "default_branch",
        "ref",
        "repo",
        "repository",
        "project",
        "team",
        "namespace",
        "channel",
        "members",
        "assignee",
        "reviewer",
        "language",
        "locale",
        "organization",
        "org",
        "workspace",
        "database",
        "bucket",
        "host",
        # people who did or hold something (ServiceNow, Jira), people's name parts (FHIR
        # HumanName), secret answers, places, and codes that redeem value (red team 03)
        "sys_created_by",
        "sys_updated_by",
        "createdBy",
        "approved_by",
        "assigned_to",
        "assignedTo",
        "reply_to",
        "caller",
        "requester",
        "reporter",
        "approver",
        "first",
        "last",
        "middle",
        "given",
        "family",
        "fname",
        "lname",
        "forename",
        "initials",
        "security_answer",
        "secretAnswer",
        "memorable_word",
        "password_hint",
        "psk",
        "county",
        "province",
        "district",
        "suburb",
        "coupon",
        "promo_code",
        "voucher",
        "referral_code",
        "invite_code",
        "inviteCode",
        "discount_code",
        "gift_code",
        "redemption_code",
    ],
)
def test_keys_that_name_ids_names_text_or_secrets_never_hold_an_enum(key: str) -> None:
    assert not key_allows_enum(key)
    assert enum_values(key, ["open", "closed", "open"]) is None


@pytest.mark.parametrize(
    "value",
    [
        "active",
        "in_progress",
        "PENDING",
        "User",
        "Organization",
        "USD",
        "v2",
        "ipv4",
        "application/json",
        "checkout.session.completed",
        "PullRequestReviewCommentEvent",
        "XMLHttpRequest",
        "end_turn",
        "tool_calls",
        "spans-sampling-processor",
    ],
)
def test_enum_like_tokens(value: str) -> None:
    assert enum_token(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "cus_NffrFeUfNV2Hib",  # Stripe id
        "MDQ6VXNlcjE=",  # GitHub node id
        "ch_3MmlLrLkdIwHu7ix0snN0B15",
        "6dcb09b5b57875f334f61aebed695e2e4193db5e",  # a sha
        "123e4567-e89b-12d3-a456-426614174000",
        "a1b2c3",
        "gpt-4o-mini-2024-07-18",
        "42",
        "2024-01-31",
        "octocat@github.com",
        "https://api.github.com",
        "sunt aut facere repellat",  # JSONPlaceholder text
        "Leanne Graham",
        "REDACTED",
        "service:default/checkout",
        "x" * 49,
        # vendor secrets: values of an enum reach reports and GitHub annotations
        "sk_live_abcdefghijkl",
        "sk_test_Abcdefghij",
        "pk_live_abcdef",
        "rk_test_abcdef",
        "whsec_abcdefgh",
        "ghp_abcdefghijkl",
        "gho_abcdef",
        "ghs_abcdef",
        "github_pat_abcdef",
        "xoxb-abcdef",
        "xoxp-abc-def",
        "xoxb_slack_tokenvalue",
        "AKIAIOSFODNNSEXAMPLE",
        "AIzaSyDx",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc",
        "p4ssw0rd",  # a digit inside a word
        # placeholders
        "REDACTED_UUID",
        "REDACTED_EMAIL",
        "xxx",
        "XXXX",
    ],
)
def test_ids_text_numbers_dates_and_links_are_not_enum_tokens(value: str) -> None:
    assert not enum_token(value)
    assert enum_values("status", ["active", value, "active"]) is None


def test_a_column_with_too_many_distinct_values_is_no_enum() -> None:
    values = [f"value_{chr(97 + n // 26)}{chr(97 + n % 26)}" for n in range(ENUM_CAP + 1)]
    assert enum_values("state", values[:-1]) == dict.fromkeys(values[:-1], 1)
    assert enum_values("state", values) is None
    # found late in a long column too
    assert enum_values("state", ["a"] * 1000 + values) is None
    assert enum_values("state", []) == {}


def test_merging_enums_adds_counts_and_none_absorbs() -> None:
    assert merge_enums({"a": 1}, {"a": 2, "b": 1}) == {"a": 3, "b": 1}
    assert merge_enums(None, {"a": 1}) is None
    assert merge_enums({"a": 1}, None) is None
    half = {f"v{n}": 1 for n in range(ENUM_CAP)}
    assert merge_enums(half, {"other": 1}) is None
    assert merge_enums(half, {"v0": 5}) == {**half, "v0": 6}


@pytest.mark.parametrize(
    ("values", "strings", "expected"),
    [
        ({"active": 20, "inactive": 10}, 30, True),
        ({"active": 20, "inactive": 10}, 31, False),  # a string that is no token
        ({"active": 30}, 30, False),  # one value: a constant, not a choice
        ({"active": 5, "inactive": 4}, 9, False),  # too few samples
        ({f"v{n}": 2 for n in range(6)}, 12, False),  # two samples per value
        ({"a": 27, "b": 1, "c": 1, "d": 1, "e": 1}, 31, False),  # 4 of 31 seen once
        ({"stop": 773, "tool_calls": 100, "length": 2}, 875, True),
        (None, 30, False),
        ({}, 0, False),
    ],
)
def test_is_enum_needs_enough_samples_per_value(
    values: dict[str, int] | None, strings: int, expected: bool
) -> None:
    assert is_enum(values, strings) is expected


@pytest.mark.parametrize(
    ("share", "samples", "expected"),
    [
        (0.5, 10, True),  # 0.5 ** 10 < 1 %
        (0.5, 6, False),  # 1.6 %: could be chance
        (0.01, 100, False),
        (0.01, 500, True),
        (1.0, 1, True),
        (0.0, 1000, False),
        (0.5, 0, False),
    ],
)
def test_an_unseen_value_is_significant_only_when_it_would_have_been_seen(
    share: float, samples: int, expected: bool
) -> None:
    assert unseen_is_significant(share, samples) is expected


PLACEHOLDERS = [
    "",
    "REDACTED",
    "REDACTED_UUID",
    "REDACTED_EMAIL",
    "<REDACTED>",
    "[REDACTED]",
    "<redacted>",
    "[FILTERED]",
    "***",
    "********",
    "xxx",
    "XXXX",
]
format_examples = st.sampled_from([text for texts in POSITIVE.values() for text in texts])
strings = st.lists(
    st.one_of(
        format_examples,
        st.sampled_from(NEGATIVE),
        st.sampled_from(PLACEHOLDERS),
        st.text(max_size=12),
    ),
    max_size=30,
)


def _split(values: list[str], cuts: list[int]) -> list[list[str]]:
    points = sorted({cut % (len(values) + 1) for cut in cuts})
    edges = [0, *points, len(values)]
    return [values[a:b] for a, b in itertools.pairwise(edges)]


@settings(max_examples=200, deadline=None)
@given(strings, st.lists(st.integers(min_value=0), max_size=4))
def test_format_counts_of_any_split_add_up_to_the_whole(values: list[str], cuts: list[int]) -> None:
    total: dict[str, int] | None = {}
    for part in _split(values, cuts):
        total = merge_formats(total, count_formats(part))
    assert total == count_formats(values)
    kinds = [string_format(v) for v in values]
    expected = None if None in kinds else dict(Counter(kinds))
    assert count_formats(values) == expected


tokens = st.lists(st.sampled_from(["active", "inactive", "open", "x y", "42", "a", "B"]))


@settings(max_examples=200, deadline=None)
@given(tokens, st.lists(st.integers(min_value=0), max_size=4))
def test_enums_of_any_split_merge_to_the_whole(values: list[str], cuts: list[int]) -> None:
    merged: dict[str, int] | None = {}
    for part in _split(values, cuts):
        merged = merge_enums(merged, enum_values("status", part))
    assert merged == enum_values("status", values)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.dictionaries(st.sampled_from("abcdefghij"), st.integers(1, 5), max_size=10)),
)
def test_merging_enums_is_associative_and_commutative(parts: list[dict[str, int]]) -> None:
    forward: dict[str, int] | None = {}
    for part in parts:
        forward = merge_enums(forward, part)
    backward: dict[str, int] | None = {}
    for part in reversed(parts):
        backward = merge_enums(part, backward)
    assert forward == backward


@settings(max_examples=200, deadline=None)
@given(strings)
def test_path_format_agrees_with_each_value(values: list[str]) -> None:
    found = path_format(count_formats(values), len(values))
    kinds = {string_format(value) for value in values} - {PLACEHOLDER}
    if not kinds or None in kinds:
        assert found is None
    elif len(kinds) == 1:
        assert found == kinds.pop()
    elif kinds == domains.NUMERIC:
        assert found == "decimal-as-string"
    else:
        assert found is None


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(POSITIVE)).flatmap(
        lambda name: st.lists(st.sampled_from(POSITIVE[name]), min_size=1, max_size=20)
    ),
    st.lists(st.sampled_from(NEGATIVE), max_size=2),
)
def test_a_column_of_one_format_is_counted_whole_and_any_other_value_is_left_out(
    values: list[str], others: list[str]
) -> None:
    name = string_format(values[0])
    assert name is not None
    assert count_formats(values) == {name: len(values)}
    assert count_formats(values + others) == ({name: len(values)} if not others else None)
    expected = name if not others else None
    assert path_format(count_formats(values + others), len(values) + len(others)) == expected


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_cleared_and_redacted_values_are_placeholders_and_no_enum_token(text: str) -> None:
    assert string_format(text) == PLACEHOLDER
    assert PLACEHOLDER in COUNTED
    assert PLACEHOLDER not in FORMATS
    assert not enum_token(text)
    assert enum_values("status", ["active", text, "active"]) is None


@pytest.mark.parametrize("text", ["xx", "x" * 9, "**", "REDACTEDX", "Xerox", "FILTERED words"])
def test_near_placeholders_are_not_placeholders(text: str) -> None:
    assert string_format(text) != PLACEHOLDER


@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
def test_a_placeholder_keeps_the_path_format_of_the_other_values(placeholder: str) -> None:
    """Red team f1/r_*/c6: one cleared `blog` or redacted e-mail among URIs/e-mails made
    the path format None, and the re-recording a breaking `format-changed`."""
    blogs = ["https://github.blog", placeholder, "https://example.com", "https://x.io"]
    counts = count_formats(blogs)
    assert counts == {"uri": 3, PLACEHOLDER: 1}
    assert path_format(counts, len(blogs)) == "uri"
    emails = [placeholder, "a@example.com"]
    assert path_format(count_formats(emails), 2) == "email"
    assert path_format(count_formats([placeholder, placeholder]), 2) is None
    assert path_format(count_formats([placeholder, "1", "2.5"]), 3) == "decimal-as-string"
    assert path_format(count_formats([placeholder, "free text"]), 2) is None


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "passwd",
        "passphrase",
        "client_secret",
        "clientsecret",
        "secret_key",
        "apikey",
        "api_key",
        "accessToken",
        "refresh_tokens",
        "credentials",
        "session",
        "csrf_token",
        "private_key",
        "Authorization",
        "auth",
        "pin",
        "otp",
    ],
)
def test_keys_that_name_a_secret(key: str) -> None:
    assert secret_key(key)
    assert not key_allows_enum(key)


@pytest.mark.parametrize(
    "key",
    [
        "author",
        "authored_at",
        "token_type",
        "status",
        "type",
        "password_state",
        "data",
        "promptTokensDetails",  # a language model's token counts, holding `modality`
        "completion_tokens_details",
        "max_tokens",
    ],
)
def test_keys_that_name_no_secret(key: str) -> None:
    assert not secret_key(key)


def test_strings_with_no_key_are_no_enum() -> None:
    """Red team e5: a top-level array of branch names read as an enum."""
    assert enum_values(None, ["main", "develop", "main", "release"]) is None


def test_a_mixed_numeric_column_is_counted_per_value_whatever_the_set_order() -> None:
    """Red team D8: the decimal column regex matched integers too, so the count depended
    on which value the set gave first, i.e. on PYTHONHASHSEED."""
    assert count_formats(["1", "2", "3", "4.5"]) == {
        "integer-as-string": 3,
        "decimal-as-string": 1,
    }
    script = (
        "from driftcheck.core.domains import count_formats as c\n"
        "print(sorted(c(['1', '2', '3', '4.5', '10', '2e5', '-7']).items()))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(6)
    }
    assert seen == {"[('decimal-as-string', 2), ('integer-as-string', 5)]\n"}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([text for texts in POSITIVE.values() for text in texts] + PLACEHOLDERS),
        min_size=3,
        max_size=30,
    )
)
def test_format_counts_agree_with_each_value_classified_alone(values: list[str]) -> None:
    assert count_formats(values) == dict(Counter(map(string_format, values)))
