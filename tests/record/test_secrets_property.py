"""A secret from anywhere in Unicode is never written (a cassette on disk, through vcrpy's
real serialization) and never shown (a failure message), wherever a server echoes it."""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import tempfile
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, unquote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from driftcheck.files import write_atomic
from driftcheck.record.exchange import (
    LeakError,
    Received,
    SampleError,
    cassette_text,
    check_response,
    to_exchange,
)
from driftcheck.record.leaks import leaked
from driftcheck.record.scrub import Scrubbing, shown
from driftcheck.sources.yamlsafe import load

# The whole range: quotes, backslashes, line breaks, NBSP, astral; no lone surrogates.
SECRET = st.text(st.characters(exclude_categories=("Cs",)), min_size=4, max_size=24)
PLACES = (
    *("request body", "header", "response json", "response text", "path", "userinfo", "query"),
    *("response hex", "response base32", "response gzip"),
)
BOUNDED = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def forms(value: str) -> set[str]:
    """How a value is usually spelled in text; base64 as a `Basic` of `user:value`."""
    basic = f"user:{value}".encode()
    return {
        value,
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        base64.b64encode(basic).decode(),
        base64.urlsafe_b64encode(basic).decode(),
        basic.hex(),
        basic.hex().upper(),
        base64.b32encode(basic).decode(),
    }


def shows(text: str, value: str) -> bool:
    return any(form in view for form in forms(value) for view in (text, unquote(text)))


def strings(document: Any) -> list[str]:
    """Every string of a loaded document, bodies that are JSON parsed too."""
    found, stack = [], [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend([*item.keys(), *item.values()])
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, bytes):
            stack.append(item.decode("utf-8", "replace"))
            if item.startswith(b"\x1f\x8b"):
                with contextlib.suppress(OSError, EOFError, zlib.error):
                    stack.append(gzip.decompress(item))
        elif isinstance(item, str):
            found.append(item)
            with contextlib.suppress(ValueError, RecursionError):
                stack.append(json.loads(item))
    return found


def on_disk(data: bytes, value: str) -> bool:
    """Whether a written cassette holds `value`: in its bytes, or in what it loads back as."""
    if any(form.encode() in data for form in forms(value)):
        return True
    return any(shows(text, value) for text in strings(load(data)))


def exchange_with(secret: str, place: str, scrubbed: bool) -> Received:
    """A response whose `place` carries `secret` (as an echoing server would), or only
    in the places scrubbed by name when `scrubbed`."""
    url = "http://127.0.0.1:9/anything"
    headers: dict[str, str] = {"Authorization": f"Bearer {secret}"} if scrubbed else {}
    body: Any = {"token": secret} if scrubbed else {"ok": True}
    request_body = json.dumps({"password": secret} if scrubbed else {}).encode()
    text = json.dumps(body).encode()
    if not scrubbed:
        if place == "request body":
            request_body = json.dumps({"user": "ada", "pw": secret}).encode()
        elif place == "header":
            headers["X-Custom"] = secret
        elif place == "response json":
            text = json.dumps({"echo": {"headers": {"X-Custom": secret}}}).encode()
        elif place == "response text":
            text = secret.encode()
        elif place == "path":
            url = f"http://127.0.0.1:9/users/{quote(secret, safe='')}/items"
        elif place == "userinfo":
            url = f"http://user:{quote(secret, safe='')}@127.0.0.1:9/anything"
            basic = base64.b64encode(f"user:{secret}".encode()).decode()
            text = json.dumps({"headers": {"Authorization": f"Basic {basic}"}}).encode()
        elif place.startswith("response "):
            text = _encoded(f"user:{secret}".encode(), place)
        else:
            url = f"http://127.0.0.1:9/anything?q={quote_plus(secret)}"
    return Received(
        url, 200, "OK", {"Content-Type": "application/json"}, text, headers, request_body
    )


def _encoded(data: bytes, place: str) -> bytes:
    """`data` as a server may echo it: hex, base32, or gzip sent as octets."""
    if place == "response hex":
        return data.hex().encode()
    if place == "response base32":
        return base64.b32encode(data)
    return gzip.compress(data)


def scrubbing_of(secret: str) -> Scrubbing:
    return Scrubbing(query=("q",), body=("token", "password"), secrets={"S": secret})


def record(got: Received, secret: str, folder: Path) -> bytes | None:
    """The cassette's bytes as written for real, or None when the write was refused (and
    then the refusal's message must not show the secret either)."""
    scrubbing = scrubbing_of(secret)
    try:
        text = cassette_text([to_exchange("POST", got, scrubbing)], scrubbing)
    except LeakError as error:
        refusal = str(error)
    else:
        refusal = ""
    if refusal:
        assert "${S}" in refusal
        assert not shows(refusal, secret)
        return None
    write_atomic(folder / "c.yaml", text)
    return (folder / "c.yaml").read_bytes()


@BOUNDED
@given(secret=SECRET, place=st.sampled_from(PLACES))
def test_no_secret_is_ever_written(secret: str, place: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = record(exchange_with(secret, place, scrubbed=False), secret, Path(folder))
        if data is not None:
            assert not on_disk(data, secret)


@BOUNDED
@given(secret=SECRET)
def test_secrets_scrubbed_by_name_are_written_unless_the_cassette_spells_them(
    secret: str,
) -> None:
    """No false refusals: a secret only in scrubbed places is refused only when the
    cassette around it spells it anyway (a secret `body` is in every cassette)."""
    with tempfile.TemporaryDirectory() as folder:
        data = record(exchange_with(secret, "", scrubbed=True), secret, Path(folder))
        plain = to_exchange("POST", exchange_with("REDACTED", "", scrubbed=True), Scrubbing())
        skeleton = cassette_text([plain], Scrubbing())  # the same cassette, no secret in it
        assume(not leaked(skeleton, {"S": secret}))
        assert data is not None
        assert not on_disk(data, secret)


@BOUNDED
@given(secret=SECRET, status=st.sampled_from([404, 500, 503]))
def test_no_secret_is_ever_shown(secret: str, status: int) -> None:
    url = (
        f"http://user:{secret}@127.0.0.1:9/status/{status}/{secret}/x"
        f"?api_key={secret}&q={quote_plus(secret)}&page=2"
    )
    got = Received(url, status, "ERROR", {}, b"", {}, None)
    scrubbing = scrubbing_of(secret)

    with pytest.raises(SampleError) as caught:
        check_response(url, (200,), got, scrubbing=scrubbing)

    message = str(caught.value)
    assert message.startswith(f"unexpected status {status} (expected 200) from ")
    assert not shows(message, secret)
    echoed = f"{message}; echoed {base64.b64encode(f'user:{secret}'.encode()).decode()} {url}"
    assert not shows(shown(echoed, scrubbing), secret)
