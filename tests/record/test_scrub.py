"""Scrubbing body keys: exact stand-ins of the same JSON type, at any depth, never a crash."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any
from urllib.parse import quote, quote_plus, unquote

import pytest

from driftcheck.errors import ShapeDepthError
from driftcheck.record.decoding import Undecodable, layers
from driftcheck.record.exchange import Received, SampleError, check_response
from driftcheck.record.scrub import Scrubbing, scrub_body, scrub_json, scrub_url, shown

LEVELS = 5_000  # five times what a recursive walk survives under the default limit


def nested(levels: int, leaf: Any) -> Any:
    """`leaf` under `levels` containers, arrays and objects in turn, built without recursion."""
    value = leaf
    for level in range(levels):
        value = [value] if level % 2 == 0 else {"a": value}
    return value


def unwrap(value: Any, levels: int) -> Any:
    """The leaf of `nested`, checking each level on the way down (`==` would recurse)."""
    for level in reversed(range(levels)):
        if level % 2 == 0:
            assert isinstance(value, list)
            assert len(value) == 1
            value = value[0]
        else:
            assert isinstance(value, dict)
            assert list(value) == ["a"]
            value = value["a"]
    return value


def test_a_scrubbed_key_is_blanked_keeping_types_and_key_order() -> None:
    secret = {"b": [1, 2.5, "s3cret", True, None, {"z": "x", "y": 0}], "a": 7, "n": None}
    original = copy.deepcopy(secret)
    body: dict[str, Any] = {"user": "ada", "Token": secret, "list": [{"token": "t0k3n"}]}

    assert scrub_json(body, ["token"]) == {
        "user": "ada",
        "Token": {
            "b": [0, 0.0, "REDACTED", False, None, {"z": "REDACTED", "y": 0}],
            "a": 0,
            "n": None,
        },
        "list": [{"token": "REDACTED"}],
    }
    assert list(body["Token"]) == ["b", "a", "n"]
    assert list(body["Token"]["b"][5]) == ["z", "y"]
    assert secret == original  # the stand-in is a copy: the value it replaces is untouched


def test_a_scrubbed_key_holding_thousands_of_levels_is_blanked() -> None:
    """Regression: blanking recursed once per level and raised RecursionError near 900."""
    body = {"id": 7, "token": nested(LEVELS, ["s3cret", 12, 1.5, True, None, {"k": "v"}])}

    scrubbed = scrub_json(body, ["token"])

    assert scrubbed["id"] == 7
    leaf = unwrap(scrubbed["token"], LEVELS)
    assert leaf == ["REDACTED", 0, 0.0, False, None, {"k": "REDACTED"}]


def test_a_body_too_deep_to_parse_is_refused_not_recorded_unscrubbed() -> None:
    body = b'{"token": "s3cret", "deep": ' + b"[" * LEVELS + b"]" * LEVELS + b"}"

    with pytest.raises(ShapeDepthError, match="nested too deeply for Python's json module"):
        scrub_body(body, "application/json", ["token"])


def test_a_json_body_is_scrubbed_to_exact_bytes() -> None:
    body = b'{"user": "\xc3\xa9", "token": ["a", 1, {"x": false}]}'

    assert scrub_body(body, "application/json", ["TOKEN"]) == (
        b'{"user": "\xc3\xa9", "token": ["REDACTED", 0, {"x": false}]}'
    )


KEY = "key_98765abcdef"
PATH = "pässwörd_geheim"
PASS = "@dm1n'p4ss"
SHOWN = Scrubbing(query=("sig",), secrets={"KEY": KEY, "PATH": PATH, "PASS": PASS})


def spelled(text: str, value: str) -> bool:
    """Whether `text` shows `value`: raw, in a usual quoting, or as base64 of `user:value`."""
    forms = {value, quote(value, safe=""), quote(value), quote_plus(value)}
    forms |= {json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    basic = f"u:{value}".encode()
    forms |= {base64.b64encode(basic).decode(), base64.urlsafe_b64encode(basic).decode()}
    return any(form in text or form in unquote(text) for form in forms)


def test_a_failure_message_shows_no_url_secret() -> None:
    """Regression (issue 15): `unexpected status 500 ... from http://host/status/500?api_key=
    key_98765...` reached the terminal and every report format."""
    url = f"http://user:{PASS}@127.0.0.1:9/status/500/{PATH}?api_key={KEY}&sig=abc123&page=2"
    got = Received(url, 500, "INTERNAL SERVER ERROR", {}, b"", {}, None)

    with pytest.raises(SampleError) as caught:
        check_response(url, (), got, scrubbing=SHOWN)

    message = str(caught.value)
    assert message == (
        "unexpected status 500 (expected below 400) from "
        "http://REDACTED@127.0.0.1:9/status/500/REDACTED?api_key=REDACTED&sig=REDACTED&page=2"
    )


def test_a_failure_message_without_secrets_still_hides_query_keys_and_userinfo() -> None:
    url = "http://ada:pw12345@127.0.0.1:9/x?token=t0k3n-1234"
    got = Received(url, 404, "NOT FOUND", {}, b"", {}, None)

    with pytest.raises(
        SampleError, match=r"from http://REDACTED@127\.0\.0\.1:9/x\?token=REDACTED$"
    ):
        check_response(url, (200,), got)


@pytest.mark.parametrize(
    "message",
    [
        f"boom (from http://127.0.0.1:9/a/{quote(PATH)}/b?q={quote_plus(PASS)})",
        f"boom (from http://127.0.0.1:9/a/{quote(PATH).lower()}/b)",  # lowercase hex
        f"invalid JSON near {json.dumps(PATH)} in the body",  # \u00e4 escapes
        f"echoed Basic {base64.b64encode(f'u:{PASS}'.encode()).decode()} back",
        f"echoed {base64.urlsafe_b64encode(f'u:{PATH}'.encode()).decode()} back",
        f"InvalidURL: Failed to parse: http://u:{PASS}@host:port/{PATH} with spaces",
        f"plain {KEY} and {PASS} and {PATH}",
    ],
)
def test_shown_hides_every_spelling_of_every_secret(message: str) -> None:
    text = shown(message, SHOWN)

    for value in SHOWN.secrets.values():
        assert not spelled(text, value), (value, text)
    assert "REDACTED" in text


def test_shown_leaves_a_message_without_secrets_as_it_is() -> None:
    message = "unexpected status 503 (expected 200) from http://127.0.0.1:9/users/7?page=2"

    assert shown(message, SHOWN) == message


def test_shown_never_shows_a_value_the_marker_itself_spells() -> None:
    text = shown("refused REDACTED at /REDA/x", Scrubbing(secrets={"S": "REDA"}))

    assert "REDA" not in text


def test_shown_keeps_the_sentence_around_a_url() -> None:
    message = f"invalid JSON (from http://127.0.0.1:9/a/{PATH}?token=abc1234&q=%7E). Next"

    assert shown(message, SHOWN) == (  # a scrubbed query is written as cassettes write it
        "invalid JSON (from http://127.0.0.1:9/a/REDACTED?token=REDACTED&q=~). Next"
    )
    assert shown("see http://127.0.0.1:9/x?q=%7E&r=a+b, then", SHOWN) == (
        "see http://127.0.0.1:9/x?q=%7E&r=a+b, then"
    )


@pytest.mark.parametrize(
    ("url", "values", "scrubbed"),
    [
        (  # a value in the path, the query (key and value) and the fragment
            "http://h:1/a/pw1234/x?q=1&pw1234=2&page=3#pw1234",
            ["pw1234"],
            "http://h:1/a/REDACTED/x?q=1&REDACTED=REDACTED&page=3#REDACTED",
        ),
        (  # quoted in the URL, and spanning what splits a URL: redacted whole
            "http://ada:x@h:1/a/b%2Fcd/x?q=a&b=cz#f",
            ["b/cd", "a&b=c"],
            "http://REDACTED@h:1/a/REDACTED/x?REDACTED#f",
        ),
        ("http://h:1/users/7?page=2", ["pw1234"], "http://h:1/users/7?page=2"),
        ("http://sec-host.example:1/u?page=2", ["sec-host"], "http://REDACTED/u?page=2"),
        ("http://h:1/p%C3%A4ss-w%c3%b6rd/x", ["päss-wörd"], "http://h:1/REDACTED/x"),
    ],
)
def test_scrub_url_redacts_every_part_holding_a_value(
    url: str, values: list[str], scrubbed: str
) -> None:
    assert scrub_url(url, (), values) == scrubbed


@pytest.mark.parametrize(
    "message",
    [
        f"Content-Encoding `{KEY.lower()}` is not supported",
        f"Content-Encoding `{KEY.upper()}` is not supported",
        f"echoed {PASS.swapcase()} back",
        f"hex {PASS.encode().hex().upper()} and base32 {base64.b32encode(PASS.encode()).decode()}",
    ],
)
def test_shown_hides_a_secret_whatever_its_case(message: str) -> None:
    """Regression (issue 15): a message that lower-cased a secret showed it."""
    text = shown(message, SHOWN)

    for value in SHOWN.secrets.values():
        assert value.lower() not in text.lower(), (value, text)
    assert "REDACTED" in text


@pytest.mark.parametrize(
    "encoding",
    [
        "SK_LIVE_ABCDEF0123456789",
        "sk_live_" + "Abcdef0123456789" * 4,  # past 40 characters
        "gzip, Sk_Live_abcdef0123456789",
        "sk_live_abcdef0123456789\x00\x1b[31m",
    ],
)
def test_an_unsupported_content_encoding_is_never_shown_transformed(encoding: str) -> None:
    """Regression (issue 15): the message showed the encoding lower-cased and cut at 40
    characters, a form `shown` no longer recognised."""
    secrets = Scrubbing(secrets={"STRIPE": encoding.split(", ")[-1].split("\x00")[0]})

    with pytest.raises(Undecodable) as caught:
        layers(encoding)

    text = shown(str(caught.value), secrets)
    assert "sk_live" not in text.lower()
    assert "abcdef0123" not in text.lower()
    assert "Content-Encoding" in text


def test_a_short_unsupported_content_encoding_is_named_as_sent() -> None:
    with pytest.raises(Undecodable, match="Content-Encoding `Br` is not supported"):
        layers("Br")
    with pytest.raises(Undecodable, match=r"an unsupported Content-Encoding \(41 characters\)"):
        layers("x" * 41)
