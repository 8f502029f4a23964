"""Decode recorded response bodies: content encodings, charsets, and what kind of body it is.

Only JSON bodies take part in shape inference; every other kind is recognised and
kept out with a note, so that a body driftcheck cannot read is said, never guessed.
"""

from __future__ import annotations

import codecs
import json
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import brotli

from driftcheck import jsonio
from driftcheck.core.limits import MAX_JSON_DEPTH
from driftcheck.core.model import BodyKind

MAX_DECODED_BYTES = 256 * 1024 * 1024  # a decompression bomb stops here


@dataclass(frozen=True, slots=True)
class DecodedBody:
    """A body as driftcheck understands it; `value` is the parsed JSON for JSON bodies."""

    kind: BodyKind
    content_type: str
    value: Any = None
    note: str | None = None


class _DecodeError(Exception):
    pass


def _inflate(data: bytes, wbits: int) -> bytes:
    decompressor = zlib.decompressobj(wbits)
    out = decompressor.decompress(data, MAX_DECODED_BYTES)
    if decompressor.unconsumed_tail:
        raise _DecodeError(f"decodes to more than {MAX_DECODED_BYTES // 2**20} MiB")
    if not decompressor.eof:
        raise _DecodeError("truncated: the compressed stream ends early")
    return out


def _gunzip(data: bytes) -> bytes:
    return _inflate(data, 16 + zlib.MAX_WBITS)


def _deflate(data: bytes) -> bytes:
    try:
        return _inflate(data, zlib.MAX_WBITS)
    except zlib.error:
        return _inflate(data, -zlib.MAX_WBITS)  # servers that send raw deflate


def _brotli(data: bytes) -> bytes:
    out = brotli.decompress(data)
    if len(out) > MAX_DECODED_BYTES:
        raise _DecodeError(f"decodes to more than {MAX_DECODED_BYTES // 2**20} MiB")
    return bytes(out)


_DECODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": _gunzip,
    "x-gzip": _gunzip,
    "deflate": _deflate,
    "br": _brotli,
}


def media_type(headers: Mapping[str, list[str]]) -> tuple[str, str | None]:
    """(`application/json`, charset) from the Content-Type header, lower-cased."""
    values = headers.get("content-type") or []
    if not values:
        return "", None
    parts = [part.strip() for part in values[0].split(";")]
    charset = None
    for param in parts[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return parts[0].lower(), charset


def _encodings(headers: Mapping[str, list[str]]) -> list[str]:
    encodings: list[str] = []
    for value in headers.get("content-encoding", []):
        encodings.extend(e.strip().lower() for e in value.split(",") if e.strip())
    return [e for e in encodings if e != "identity"]


def _decompress(data: bytes, encodings: list[str]) -> bytes:
    """Undo content encodings in reverse order; a body stored already decoded is kept."""
    for encoding in reversed(encodings):
        decoder = _DECODERS.get(encoding)
        if decoder is None:
            if _as_text(data, None) is not None:
                return data
            raise _DecodeError(f"unsupported Content-Encoding {encoding!r}")
        try:
            data = decoder(data)
        except (zlib.error, brotli.error, _DecodeError) as error:
            if _as_text(data, None) is not None:
                return data  # vcrpy's decode_compressed_response keeps the header
            raise _DecodeError(f"{encoding} body cannot be decoded: {error}") from None
    return data


def _as_text(data: bytes, charset: str | None) -> str | None:
    """The body as text, or None when it is binary."""
    if b"\x00" in data:
        return None
    encoding = charset or "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"
    if encoding.replace("-", "").lower() == "utf8":
        encoding = "utf-8-sig"  # tolerate a byte-order mark
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _kind_of(media: str) -> BodyKind | None:
    """The kind a content type declares; None when it declares nothing useful."""
    if media in ("application/json", "text/json") or media.endswith("+json"):
        return BodyKind.JSON
    if media == "text/event-stream":
        return BodyKind.EVENT_STREAM
    if media in ("text/html", "application/xhtml+xml"):
        return BodyKind.HTML
    if media.endswith(("/xml", "+xml")):
        return BodyKind.XML
    if media.startswith(("image/", "audio/", "video/", "font/")) or media in (
        "application/zip",
        "application/pdf",
        "application/x-protobuf",
        "application/protobuf",
        "application/grpc",
    ):
        return BodyKind.BINARY
    return None


def parse_json(text: str) -> Any:
    """Parse strict JSON fast; fall back to the lenient stdlib parser (NaN, Infinity)."""
    try:
        return jsonio.loads(text)
    except jsonio.JSONDecodeError as error:
        if "depth" in str(error):
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
        try:
            return json.loads(text)
        except RecursionError:
            raise ValueError("JSON nested too deeply to parse") from None


def _sniff(text: str, declared_media: str) -> BodyKind:
    """The kind of a body whose content type says nothing useful, from its first bytes."""
    head = text.lstrip()[:64]
    lowered = head.lower()
    if head.startswith(("{", "[")):
        return BodyKind.JSON
    if not declared_media and (
        head[:1] in '"-' or head[:1].isdigit() or lowered.startswith(("true", "false", "null"))
    ):
        return BodyKind.JSON  # a bare JSON scalar, when nothing says otherwise
    if lowered.startswith(("<!doctype html", "<html")):
        return BodyKind.HTML
    if lowered.startswith("<"):
        return BodyKind.XML
    if lowered.startswith(("data:", "event:", "id:", ":")):
        return BodyKind.EVENT_STREAM
    return BodyKind.TEXT


def decode_body(raw: str | bytes | None, headers: Mapping[str, list[str]]) -> DecodedBody:
    """Decode, recognise and (for JSON) parse one recorded body."""
    media, charset = media_type(headers)
    if isinstance(raw, bytes):
        try:
            raw = _decompress(raw, _encodings(headers))
        except _DecodeError as error:
            return DecodedBody(BodyKind.UNREADABLE, media, note=str(error))
        text = _as_text(raw, charset)
        if text is None:
            return DecodedBody(BodyKind.BINARY, media)
    else:
        text = raw or ""
        if "\x00" in text:
            return DecodedBody(BodyKind.BINARY, media)
    if not text.strip():
        return DecodedBody(BodyKind.EMPTY, media)
    declared = _kind_of(media)
    if declared is None and media not in ("", "text/plain", "application/octet-stream"):
        declared = BodyKind.TEXT
    kind = declared or _sniff(text, media)
    if kind is not BodyKind.JSON:
        return DecodedBody(kind, media)
    try:
        return DecodedBody(BodyKind.JSON, media, value=parse_json(text))
    except ValueError as error:
        if declared is None:  # sniffed, so it was text after all
            return DecodedBody(BodyKind.TEXT, media)
        return DecodedBody(BodyKind.UNREADABLE, media, note=f"not valid JSON: {error}")


def unreadable(raw: bytes, headers: Mapping[str, list[str]]) -> str | None:
    """Why driftcheck could not read this body back from a cassette, or None when it can:
    `record` refuses such a response rather than write a cassette that fails later."""
    decoded = decode_body(raw, headers)
    return decoded.note if decoded.kind is BodyKind.UNREADABLE else None
