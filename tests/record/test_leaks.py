"""The leak scan compares decoded content: YAML's and JSON's spellings of a secret, its
encodings and the base64 driftcheck itself sends (URL userinfo) never reach disk."""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from driftcheck.files import write_atomic
from driftcheck.record.exchange import LeakError, Received, cassette_text, to_exchange
from driftcheck.record.leaks import INFLATE_CAP, leaked, secrets_of
from driftcheck.record.scrub import Scrubbing
from driftcheck.sources.yamlsafe import load
from tests.helpers import loaded_strings

PASS1 = "@dm1n'p4ss"  # a quote: YAML writes ''
PASS2 = "pässwörd_geheim"  # non-ASCII: YAML writes \xE4
NBSP = "open\xa0sesame"  # YAML writes \_
EMOJI = "k\U0001f511y-42"  # YAML writes \U0001F511
LINES = "line one\nline two"  # YAML folds it
SECRETS = {"PASS1": PASS1, "PASS2": PASS2, "NBSP": NBSP, "EMOJI": EMOJI, "LINES": LINES}
HOST = "http://127.0.0.1:9"


def received(
    url: str = f"{HOST}/anything",
    body: bytes = b"{}",
    request_headers: dict[str, str] | None = None,
    request_body: bytes | None = None,
    content_type: str = "application/json",
) -> Received:
    return Received(
        url=url,
        status=200,
        reason="OK",
        headers={"Content-Type": content_type},
        body=body,
        request_headers=request_headers or {},
        request_body=request_body,
    )


def written(got: Received, scrubbing: Scrubbing, path: Path) -> bytes:
    """What recording `got` puts on disk: the real vcrpy serialization, written for real."""
    text = cassette_text([to_exchange("POST", got, scrubbing)], scrubbing)
    write_atomic(path, text)
    return path.read_bytes()


def spelled(data: bytes, value: str) -> bool:
    """Whether `data` (a written file) holds `value` raw, quoted, escaped or loaded back."""
    forms = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
    if any(form.encode() in data for form in forms):
        return True
    return any(value in text for text in loaded_strings(load(data)))


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_a_secret_in_a_json_request_body_is_never_written(name: str, tmp_path: Path) -> None:
    """Regression (issue 15): `'` as `''`, `ä` as `\\xE4`, NBSP as `\\_`, emoji as `\\U…`
    and folded newlines all escaped the text scan, and the cassette was written."""
    value = SECRETS[name]
    body = json.dumps({"user": "ada", "password": value}).encode()
    scrubbing = Scrubbing(secrets=SECRETS)

    with pytest.raises(LeakError, match=rf"value of \${{{name}}}.*found in the request body"):
        written(received(request_body=body), scrubbing, tmp_path / "c.yaml")
    assert not (tmp_path / "c.yaml").exists()


def test_a_secret_in_a_custom_header_is_never_written(tmp_path: Path) -> None:
    """Regression (issue 15): `X-Custom: pässwörd_geheim` was written as `p\\xE4ssw\\xF6rd`."""
    got = received(request_headers={"X-Custom": PASS2})

    with pytest.raises(LeakError, match=r"\$\{PASS2\}.*found in request header X-Custom\)"):
        written(got, Scrubbing(secrets=SECRETS), tmp_path / "c.yaml")


def test_userinfo_base64_echoed_in_the_body_is_never_written(tmp_path: Path) -> None:
    """Regression (issue 15): `http://user:PASS@host` is sent as `Authorization: Basic
    base64(user:PASS)`; a server echoing headers put it in the body, and it was written."""
    basic = base64.b64encode(f"user:{PASS1}".encode()).decode()
    echo = json.dumps({"headers": {"Authorization": f"Basic {basic}"}}).encode()
    got = received(url=f"http://user:{quote(PASS1, safe='')}@127.0.0.1:9/anything", body=echo)

    with pytest.raises(LeakError, match=r"\$\{PASS1\}.*found in the response body\)"):
        written(got, Scrubbing(secrets=SECRETS), tmp_path / "c.yaml")


@pytest.mark.parametrize(
    "echo",
    [
        base64.urlsafe_b64encode(f"ä:{PASS2}".encode()),  # url-safe alphabet
        base64.b64encode(f"user:{PASS2}".encode("latin-1")),  # requests encodes latin-1
        b"x/y+" + base64.b64encode(f"u:{PASS1}".encode()),  # glued to other base64 letters
        json.dumps(f"Basic {base64.b64encode(PASS1.encode()).decode()}").encode(),
    ],
)
def test_base64_of_a_secret_is_found_in_any_alphabet_and_alignment(echo: bytes) -> None:
    assert leaked(echo.decode(), SECRETS)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (json.dumps({"a": {"b": [PASS2]}}).encode(), "application/json"),  # \u00e4 escapes
        (b'{"k": "p\\u00E4ssw\\u00f6rd_geh\\u0065im"}', "application/json"),  # any escape
        (b"[" * 5000 + json.dumps(PASS2).encode() + b"]" * 5000, "application/json"),
        (PASS2.encode("latin-1"), "text/plain; charset=latin-1"),
        (PASS2.encode("utf-16-le"), "text/plain; charset=utf-16"),
        (b"\xff\xfe broken utf-8 " + PASS2.encode(), "application/octet-stream"),  # !!binary
        (b"pw=" + quote_plus(PASS1).lower().encode(), "application/x-www-form-urlencoded"),
        (b"<p>" + PASS1.replace("'", "&#x27;").encode() + b"</p>", "text/html"),
    ],
)
def test_a_secret_in_a_response_body_is_found_however_encoded(
    body: bytes, content_type: str, tmp_path: Path
) -> None:
    got = received(body=body, content_type=content_type)

    with pytest.raises(LeakError, match="found in the response body"):
        written(got, Scrubbing(secrets=SECRETS), tmp_path / "c.yaml")


def test_secrets_scrubbed_by_name_are_written_scrubbed(tmp_path: Path) -> None:
    """No false refusal: secrets in scrubbed places, and in the URL, are written redacted."""
    url = f"http://user:{quote(PASS1)}@127.0.0.1:9/users/{quote(PASS2)}/items?api_key={NBSP}"
    got = received(
        url=url,
        body=json.dumps({"token": EMOJI, "id": 1}).encode(),
        request_headers={"Authorization": f"Bearer {LINES}", "X-Api-Key": PASS2},
        request_body=json.dumps({"password": PASS1, "name": "ada"}).encode(),
    )
    scrubbing = Scrubbing(body=("token", "password"), secrets=SECRETS)

    data = written(got, scrubbing, tmp_path / "c.yaml")

    for value in SECRETS.values():
        assert not spelled(data, value), value
    (interaction,) = load(data)["interactions"]
    assert interaction["request"]["uri"] == (
        "http://REDACTED@127.0.0.1:9/users/REDACTED/items?api_key=REDACTED"
    )
    assert json.loads(interaction["response"]["body"]["string"]) == {"token": "REDACTED", "id": 1}


def test_the_leak_message_names_variables_and_places_never_values() -> None:
    got = received(body=json.dumps({"echo": PASS2}).encode(), request_headers={"X-Custom": EMOJI})

    with pytest.raises(LeakError) as caught:
        cassette_text(
            [to_exchange("GET", got, Scrubbing(secrets=SECRETS))], Scrubbing(secrets=SECRETS)
        )

    message = str(caught.value)
    assert message == (
        "refused to write: the recording contains the value of ${EMOJI}, ${PASS2}; add the "
        "header, query parameter or body key that carries it to scrub_headers, scrub_query "
        "or scrub_body (found in request header X-Custom, the response body)"
    )
    assert not leaked(message, SECRETS)


def test_a_header_name_that_echoes_a_secret_is_not_named_in_the_message() -> None:
    got = Received(f"{HOST}/x", 200, "OK", {PASS2: "1"}, b"{}", {}, None)

    with pytest.raises(LeakError) as caught:
        cassette_text([to_exchange("GET", got, Scrubbing())], Scrubbing(secrets=SECRETS))

    assert "found in a response header's name" in str(caught.value)
    assert PASS2 not in str(caught.value)


def test_short_values_and_no_secrets_find_nothing() -> None:
    assert leaked("abc abc", {"SHORT": "abc"}) == []
    assert leaked("anything at all", {}) == []
    assert leaked("a plain dXNlcjpwYXNzd29yZA== token", {"P": "hunter2"}) == []


def _compressed(data: bytes) -> list[tuple[str, bytes]]:
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return [
        ("gzip", gzip.compress(data)),
        ("zlib", zlib.compress(data)),
        ("zlib, best", zlib.compress(data, 9)),
        ("zlib, fast", zlib.compress(data, 1)),
        ("deflate", raw.compress(data) + raw.flush()),
        ("gzip of gzip", gzip.compress(gzip.compress(data))),
    ]


ECHOES = [
    ("hex", PASS2.encode().hex()),
    ("HEX", PASS2.encode().hex().upper()),
    ("hex of user:password", f"user:{PASS1}".encode().hex()),
    ("hex of latin-1", f"user:{PASS2}".encode("latin-1").hex().upper()),
    (
        "mixed-case hex",
        "".join(c.upper() if i % 3 else c for i, c in enumerate(PASS1.encode().hex())),
    ),
    *((f"base32 at {n}", base64.b32encode(b"x" * n + PASS1.encode()).decode()) for n in range(5)),
    ("base32 unpadded", base64.b32encode(f"user:{PASS2}".encode()).decode().rstrip("=")),
    ("base32 lower", base64.b32encode(f"u:{PASS1}".encode()).decode().lower()),
    ("base32hex", base64.b32hexencode(f"u:{PASS1}".encode()).decode()),
]


@pytest.mark.parametrize(("label", "echo"), ECHOES, ids=[label for label, _ in ECHOES])
def test_hex_and_base32_of_a_secret_are_never_written(
    label: str, echo: str, tmp_path: Path
) -> None:
    """Regression (issue 15): a secret echoed as hex or base32 was written, exit 0."""
    got = received(body=json.dumps({"echo": echo}).encode())

    with pytest.raises(LeakError, match="found in the response body"):
        written(got, Scrubbing(secrets=SECRETS), tmp_path / "c.yaml")
    assert not (tmp_path / "c.yaml").exists()


@pytest.mark.parametrize(
    ("label", "body"),
    _compressed(json.dumps({"echo": PASS1, "pad": "x" * 3000}).encode()),
    ids=[label for label, _ in _compressed(b"")],
)
def test_a_compressed_body_without_content_encoding_is_scanned(
    label: str, body: bytes, tmp_path: Path
) -> None:
    """Regression (issue 15): gzip/zlib/deflate bytes sent as application/octet-stream
    were stored as `!!binary`, secret inside, exit 0."""
    got = received(body=body, content_type="application/octet-stream")

    with pytest.raises(LeakError, match=r"\$\{PASS1\}.*found in the response body"):
        written(got, Scrubbing(secrets=SECRETS), tmp_path / "c.yaml")


def test_hex_inside_a_compressed_body_is_found() -> None:
    body = gzip.compress(PASS2.encode().hex().encode())

    assert secrets_of(SECRETS).names_in_data(body) == {"PASS2"}


def test_a_secret_past_the_inflate_cap_is_refused_not_written(tmp_path: Path) -> None:
    """A body that inflates past the cap cannot be scanned whole: refused, never written."""
    body = gzip.compress(bytes(INFLATE_CAP) + PASS1.encode())
    got = received(body=body, content_type="application/octet-stream")

    with pytest.raises(LeakError, match="inflates past 64 MiB"):
        written(got, Scrubbing(secrets=SECRETS), tmp_path / "c.yaml")


def test_compressed_and_binary_bodies_without_secrets_are_written(tmp_path: Path) -> None:
    """No false refusal: compressed bodies, hex digests and base32 ids without a secret."""
    for body in (
        gzip.compress(b"plain data " * 100),
        zlib.compress(bytes(range(256)) * 10),
        b"\x1f\x8b not really gzip",
        b"x\x9c neither zlib",
        json.dumps({"sha": "9f86d081884c7d659a2feaa0c55ad015", "id": "MFRGGZDFMZTWQ2LK"}).encode(),
    ):
        got = received(body=body, content_type="application/octet-stream")
        assert written(got, Scrubbing(secrets=SECRETS), tmp_path / "c.yaml")
