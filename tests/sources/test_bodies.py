"""Body decoding: encodings, charsets, kinds, sniffing."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
import textwrap
import zlib

import brotli
import pytest

from driftcheck.core.model import BodyKind
from driftcheck.sources.bodies import CHUNK, JsonText, classify, decode_body

JSON = {"content-type": ["application/json"]}
PAYLOAD = b'{"a": [1, null]}'


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
        ("br", brotli.compress),
        ("gzip, br", lambda data: brotli.compress(gzip.compress(data))),
    ],
)
def test_content_encodings(encoding: str, compress: object) -> None:
    body = decode_body(compress(PAYLOAD), {**JSON, "content-encoding": [encoding]})  # type: ignore[operator]
    assert (body.kind, body.value) == (BodyKind.JSON, {"a": [1, None]})


def test_already_decoded_despite_header() -> None:
    body = decode_body(PAYLOAD, {**JSON, "content-encoding": ["gzip"]})
    assert body.value == {"a": [1, None]}


def test_truncated_gzip_is_unreadable_with_a_note() -> None:
    data = gzip.compress(PAYLOAD * 50)[:30]
    body = decode_body(data, {**JSON, "content-encoding": ["gzip"]})
    assert body.kind is BodyKind.UNREADABLE
    assert body.note == "gzip body cannot be decoded: truncated: the compressed stream ends early"


def test_corrupt_brotli() -> None:
    body = decode_body(b"\xff\xfe\x00garbage", {**JSON, "content-encoding": ["br"]})
    assert body.kind is BodyKind.UNREADABLE
    assert body.note is not None
    assert body.note.startswith("br body cannot be decoded")


def test_unsupported_encoding() -> None:
    body = decode_body(b"\x28\xb5\x2f\xfd\x00", {**JSON, "content-encoding": ["zstd"]})
    assert (body.kind, body.note) == (BodyKind.UNREADABLE, "unsupported Content-Encoding 'zstd'")


def test_invalid_json_declared_as_json() -> None:
    body = decode_body('{"a": ', JSON)
    assert body.kind is BodyKind.UNREADABLE
    assert body.note is not None
    assert body.note.startswith("not valid JSON: ")


def test_deep_json_is_refused_not_crashing() -> None:
    body = decode_body("[" * 5000 + "]" * 5000, JSON)
    assert (body.kind, body.note) == (
        BodyKind.UNREADABLE,
        "not valid JSON: JSON nested deeper than 1024 levels",
    )


def test_charset_and_bom() -> None:
    latin = decode_body(
        '{"name": "José"}'.encode("latin-1"),
        {"content-type": ["application/json; charset=ISO-8859-1"]},
    )
    assert latin.value == {"name": "José"}
    bom = decode_body(b"\xef\xbb\xbf" + PAYLOAD, JSON)
    assert bom.value == {"a": [1, None]}


@pytest.mark.parametrize(
    ("content_type", "raw", "kind"),
    [
        ("text/html; charset=utf-8", "<html></html>", BodyKind.HTML),
        ("application/xml", "<a/>", BodyKind.XML),
        ("application/atom+xml", "<feed/>", BodyKind.XML),
        ("text/event-stream", "data: {}\n\n", BodyKind.EVENT_STREAM),
        ("text/csv", "a,b\n1,2", BodyKind.TEXT),
        ("application/zip", b"PK\x03\x04", BodyKind.BINARY),
        ("application/vnd.api+json", '{"data": []}', BodyKind.JSON),
        ("", '{"sniffed": true}', BodyKind.JSON),
        ("", '"bare"', BodyKind.JSON),
        ("", "12", BodyKind.JSON),
        ("", "<!DOCTYPE html><p>", BodyKind.HTML),
        ("", "data: x\n\n", BodyKind.EVENT_STREAM),
        ("", "hello", BodyKind.TEXT),
        ("text/plain", "12", BodyKind.TEXT),
        ("text/plain", "[1, 2]", BodyKind.JSON),
        ("text/plain", "{not json", BodyKind.TEXT),
        ("", "", BodyKind.EMPTY),
        ("application/json", "  \n", BodyKind.EMPTY),
        ("", "a\x00b", BodyKind.BINARY),
        ("", b"\x89PNG\r\n\x1a\n\x00", BodyKind.BINARY),
    ],
)
def test_kinds(content_type: str, raw: str | bytes, kind: BodyKind) -> None:
    headers = {"content-type": [content_type]} if content_type else {}
    assert decode_body(raw, headers).kind is kind


def test_bare_json_values() -> None:
    assert decode_body('"Success"', JSON).value == "Success"
    assert decode_body("3.5", JSON).value == 3.5
    assert decode_body("NaN", JSON).value != decode_body("NaN", JSON).value  # lenient fallback


# Issue 15, defect 4: every decoder streams and stops past its output cap.

COMPRESSORS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "raw deflate": lambda data: zlib.compress(data)[2:-4],
    "br": brotli.compress,
}
CAP = 4096


@pytest.mark.parametrize("name", sorted(COMPRESSORS))
def test_each_decoder_stops_just_past_its_cap(name: str) -> None:
    encoding = name.split()[-1]
    payload = b'{"a": "' + b"x" * (CAP - 9) + b'"}'  # decodes to CAP bytes exactly
    compressed = COMPRESSORS[name](payload)
    headers = {**JSON, "content-encoding": [encoding]}
    at_cap = decode_body(compressed, headers, cap=CAP)
    over = decode_body(COMPRESSORS[name](payload + b" "), headers, cap=CAP)
    assert (at_cap.kind, len(at_cap.value["a"])) == (BodyKind.JSON, CAP - 9)
    assert (over.kind, over.note) == (
        BodyKind.UNREADABLE,
        f"{encoding} body decodes to more than {CAP} bytes; larger bodies are left out",
    )


def _fast_brotli(data: bytes) -> bytes:
    return bytes(brotli.compress(data, quality=4))


def test_a_body_fed_in_many_chunks_decodes_whole() -> None:
    numbers = random.Random(7)
    payload = json.dumps([numbers.random() for _ in range(40_000)]).encode()
    for encoding, compress in (("gzip", gzip.compress), ("br", _fast_brotli)):
        compressed = compress(payload)
        assert len(compressed) > 3 * CHUNK
        body = decode_body(compressed, {**JSON, "content-encoding": [encoding]})
        assert body.value == json.loads(payload)


def test_gzip_members_one_after_another() -> None:
    body = decode_body(
        gzip.compress(b'{"a": ') + gzip.compress(b"[1, 2]}") + b"\0\0trailing",
        {**JSON, "content-encoding": ["gzip"]},
    )
    assert body.value == {"a": [1, 2]}


def test_truncated_brotli() -> None:
    data = brotli.compress(PAYLOAD * 50)[:-4]
    body = decode_body(data, {**JSON, "content-encoding": ["br"]})
    assert body.note == "br body cannot be decoded: truncated: the compressed stream ends early"


def _bomb_in_a_small_address_space(gibibytes: int) -> subprocess.CompletedProcess[str]:
    """A real brotli bomb decoded in a process that cannot map more than 1 GiB: the old
    whole-body decompress died there (MemoryError); a streamed one stops at the cap."""
    script = textwrap.dedent(
        f"""
        import resource, brotli
        compressor = brotli.Compressor(quality=1, lgwin=24)
        block = bytes(1 << 24)
        parts = [compressor.process(block) for _ in range({gibibytes} * 64)]
        bomb = b"".join(parts) + compressor.finish()
        del parts, compressor
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from driftcheck.sources.bodies import CHUNK, decode_body
        body = decode_body(bomb, {{"content-type": ["application/json"],
                                   "content-encoding": ["br"]}})
        print(len(bomb), body.kind.value, body.note, sep="|")
        """
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    "gibibytes", [pytest.param(1, id="1GiB"), pytest.param(10, id="10GiB", marks=pytest.mark.slow)]
)
def test_a_real_brotli_bomb_stays_within_1_gib(gibibytes: int) -> None:
    completed = _bomb_in_a_small_address_space(gibibytes)
    assert completed.stderr == ""
    size, kind, note = completed.stdout.strip().split("|")
    assert int(size) * 500 < gibibytes * 2**30  # it expands 500 times and more
    assert (kind, note) == (
        "unreadable",
        "br body decodes to more than 256 MiB; larger bodies are left out",
    )


# Issue 15, defect 6: odd charsets and lone surrogates are a body's note, never a crash.


@pytest.mark.parametrize("charset", ["rot13", "hex", "zlib_codec", "no-such-charset", "\0"])
def test_a_charset_that_is_no_text_encoding_reads_as_utf8(charset: str) -> None:
    body = decode_body(PAYLOAD, {"content-type": [f"application/json; charset={charset}"]})
    assert body.value == {"a": [1, None]}


@pytest.mark.parametrize(
    ("charset", "raw"),
    [("unicode_escape", b'{"\\ud800": 1}'), ("utf-7", b'{"+2AA-": 1}')],
)
def test_a_charset_that_makes_lone_surrogates_is_binary(charset: str, raw: bytes) -> None:
    body = decode_body(raw, {"content-type": [f"application/json; charset={charset}"]})
    assert body.kind is BodyKind.BINARY


@pytest.mark.parametrize(
    "raw", ['{"\\ud800": 1}', '{"a": ["\\udfff"]}', '{"\\uDC00": NaN}', '[{"a": {"b": "\\ud8ff"}}]']
)
def test_a_lone_surrogate_escape_is_not_valid_json(raw: str) -> None:
    body = decode_body(raw.encode(), JSON)
    assert (body.kind, body.note) == (
        BodyKind.UNREADABLE,
        "not valid JSON: a string holds a lone surrogate (such as \\ud800): not Unicode",
    )


def test_a_surrogate_pair_is_one_character() -> None:
    body = decode_body(b'{"\\ud83d\\ude00": NaN, "b": "\\ud83d\\ude00"}', JSON)
    assert list(body.value) == ["\U0001f600", "b"]
    assert body.value["b"] == "\U0001f600"


def test_layers_of_encodings_are_bounded_too() -> None:
    data = PAYLOAD
    for _ in range(9):
        data = gzip.compress(data)
    body = decode_body(data, {**JSON, "content-encoding": [", ".join(["gzip"] * 9)]})
    assert body.note == "9 content encodings; driftcheck undoes at most 8"
    assert decode_body(
        gzip.compress(gzip.compress(PAYLOAD)), {**JSON, "content-encoding": ["gzip", "gzip"]}
    ).value == {"a": [1, None]}


def test_a_media_type_is_one_clean_line() -> None:
    body = decode_body("{}", {"content-type": ["application/\x1b[31mjson\x00; charset=utf-8"]})
    assert body.content_type == "application/\\x1b[31mjson\\x00"
    assert len(decode_body("{}", {"content-type": ["a/" + "b" * 10_000]}).content_type) == 200


def test_a_json_body_is_handed_on_without_a_copy() -> None:
    raw = ' \n{"a": [1, 2, 3]}\n'
    found = classify(raw, JSON)
    assert isinstance(found, JsonText)
    assert found.text is raw  # a huge body is held once, not stripped into a second copy
    assert found.parse().value == {"a": [1, 2, 3]}


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (" \u2003\n\x1c\t", BodyKind.EMPTY),  # whitespace as `str.strip` sees it
        (' \n\t {"a": 1}', BodyKind.JSON),  # sniffed past the whitespace
        ('\u3000 {"a": 1}', BodyKind.TEXT),  # sniffed, but JSON allows no such space
        ("\u3000 <html><body>", BodyKind.HTML),
        ("\u3000 hello", BodyKind.TEXT),
    ],
)
def test_whitespace_is_told_as_before_without_copying_the_body(raw: str, kind: BodyKind) -> None:
    assert decode_body(raw, {}).kind is kind
