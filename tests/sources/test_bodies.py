"""Body decoding: encodings, charsets, kinds, sniffing."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from driftcheck.core.model import BodyKind
from driftcheck.sources.bodies import decode_body

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
