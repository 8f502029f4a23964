"""Decode recorded response bodies: content encodings, charsets, and what kind of body it is.

Only JSON bodies take part in shape inference; every other kind is recognised and
kept out with a note, so that a body driftcheck cannot read is said, never guessed.
"""

from __future__ import annotations

import codecs
import json
import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import brotli

from driftcheck import jsonio
from driftcheck.core.limits import MAX_JSON_DEPTH
from driftcheck.core.model import BodyKind

MAX_DECODED_BYTES = 256 * 1024 * 1024  # a decompression bomb stops here
MAX_MEDIA_TYPE = 200  # characters: the longest registered media type has about 100
MAX_ENCODINGS = 8  # `gzip, br` is two: more layers only multiply the work
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LEADING_SPACE = re.compile(r"\s*")  # what `str.lstrip()` strips (`Py_UNICODE_ISSPACE`)


@dataclass(frozen=True, slots=True)
class DecodedBody:
    """A body as driftcheck understands it; `value` is the parsed JSON for JSON bodies."""

    kind: BodyKind
    content_type: str
    value: Any = None
    note: str | None = None


class _DecodeError(Exception):
    pass


CHUNK = 64 * 1024  # compressed bytes fed to a decoder at a time
STEP = 1 << 20  # decoded bytes asked of a decoder at a time: the peak is the cap + this


class _TooLarge(_DecodeError):
    """Past the output cap: never mistaken for a body stored already decoded."""


def _room(out: bytearray, cap: int) -> int:
    """How much a decoder may give next: a step, or what is left under the cap plus one
    byte, so that "more than the cap" shows."""
    return min(cap - len(out) + 1, STEP)


def _add(out: bytearray, piece: bytes, cap: int) -> None:
    out += piece
    if len(out) > cap:
        size = f"{cap // 2**20} MiB" if cap >= 2**20 else f"{cap} bytes"
        raise _TooLarge(f"decodes to more than {size}; larger bodies are left out")


def _truncated() -> _DecodeError:
    return _DecodeError("truncated: the compressed stream ends early")


def _inflate(data: bytes, wbits: int, cap: int) -> bytes:
    """A zlib stream (gzip: members one after another), never more than `cap` bytes out."""
    out = bytearray()
    rest = memoryview(data)
    while True:
        rest = rest[_inflate_member(rest, wbits, out, cap) :]
        if wbits <= zlib.MAX_WBITS or bytes(rest[:2]) != b"\x1f\x8b":
            return bytes(out)  # anything after the last gzip member is ignored, as before


def _inflate_member(data: memoryview, wbits: int, out: bytearray, cap: int) -> int:
    """One zlib stream into `out`, fed a chunk at a time; where what follows it starts."""
    decompressor = zlib.decompressobj(wbits)
    position = 0
    pending: bytes | memoryview = b""
    while not decompressor.eof:
        if not pending and position >= len(data):
            piece = decompressor.decompress(b"", _room(out, cap))  # output held back
            if not piece:
                raise _truncated()
            _add(out, piece, cap)
            continue
        if not pending:
            pending = data[position : position + CHUNK]
            position += len(pending)
        _add(out, decompressor.decompress(pending, _room(out, cap)), cap)
        pending = decompressor.unconsumed_tail
    return position - len(decompressor.unused_data)


def _gunzip(data: bytes, cap: int) -> bytes:
    return _inflate(data, 16 + zlib.MAX_WBITS, cap)


def _deflate(data: bytes, cap: int) -> bytes:
    try:
        return _inflate(data, zlib.MAX_WBITS, cap)
    except zlib.error:
        return _inflate(data, -zlib.MAX_WBITS, cap)  # servers that send raw deflate


# brotli >= 1.2 bounds each call's output (`output_buffer_limit`); an older one cannot,
# and one crafted kilobyte of brotli can expand to gigabytes, so it decodes nothing.
_BROTLI_BOUNDED = hasattr(brotli.Decompressor, "can_accept_more_data")


def _brotli(data: bytes, cap: int) -> bytes:
    """Brotli fed a chunk at a time, each call giving at most a step of output."""
    if not _BROTLI_BOUNDED:
        raise _DecodeError("br bodies need brotli >= 1.2 to be decoded with bounded memory")
    decompressor = brotli.Decompressor()
    view = memoryview(data)
    out = bytearray()
    position = 0
    while not decompressor.is_finished():
        chunk = view[position:position]
        if decompressor.can_accept_more_data():
            if position >= len(view):
                raise _truncated()
            chunk = view[position : position + CHUNK]
            position += len(chunk)
        piece = decompressor.process(chunk, output_buffer_limit=_room(out, cap))
        if not piece and not chunk:
            raise _DecodeError("the brotli stream stalls")  # never spin on a broken decoder
        _add(out, piece, cap)
    return bytes(out)


_DECODERS: dict[str, Callable[[bytes, int], bytes]] = {
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
    media = parts[0].lower()
    if len(media) > MAX_MEDIA_TYPE or not media.isprintable():
        media = ascii(media[:MAX_MEDIA_TYPE])[1:-1]  # it is shown in reports: one clean line
    return media, charset


def _encodings(headers: Mapping[str, list[str]]) -> list[str]:
    encodings: list[str] = []
    for value in headers.get("content-encoding", []):
        encodings.extend(e.strip().lower() for e in value.split(",") if e.strip())
    return [e for e in encodings if e != "identity"]


def _decompress(data: bytes, encodings: list[str], cap: int) -> bytes:
    """Undo content encodings in reverse order, each step at most `cap` bytes out; a body
    stored already decoded is kept."""
    if len(encodings) > MAX_ENCODINGS:
        raise _DecodeError(
            f"{len(encodings)} content encodings; driftcheck undoes at most {MAX_ENCODINGS}"
        )
    for encoding in reversed(encodings):
        decoder = _DECODERS.get(encoding)
        if decoder is None:
            if _as_text(data, None) is not None:
                return data
            raise _DecodeError(f"unsupported Content-Encoding {encoding!r}")
        try:
            data = decoder(data, cap)
        except _TooLarge as error:
            raise _DecodeError(f"{encoding} body {error}") from None
        except (zlib.error, brotli.error, _DecodeError) as error:
            if _as_text(data, None) is not None:
                return data  # vcrpy's decode_compressed_response keeps the header
            raise _DecodeError(f"{encoding} body cannot be decoded: {error}") from None
    return data


def _as_text(data: bytes, charset: str | None) -> str | None:
    """The body as text, or None when it is binary (or no valid Unicode comes out of it)."""
    if b"\x00" in data:
        return None
    encoding = _text_encoding(charset)
    try:
        text = data.decode(encoding)
    except LookupError:  # a codec that is not a text encoding (rot13, hex): as if unknown
        return _as_text(data, None) if charset else None
    except (UnicodeError, ValueError):
        return None
    if encoding != "utf-8-sig" and _SURROGATE.search(text):
        return None  # unicode_escape, utf-7 and the like can make lone surrogates
    return text


def _text_encoding(charset: str | None) -> str:
    """The codec a declared charset names; UTF-8 (a byte-order mark tolerated) when it
    names none."""
    try:
        name = codecs.lookup(charset or "utf-8").name
    except (LookupError, ValueError, TypeError):
        return "utf-8-sig"
    return "utf-8-sig" if name == "utf-8" else name


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
    """Parse strict JSON fast; fall back to the lenient stdlib parser (NaN, Infinity),
    which also takes escaped lone surrogates (`"\\ud800"`): those are refused, as orjson
    refuses them, since no valid Unicode, no cache entry and no report can hold them."""
    try:
        return jsonio.loads(text)
    except jsonio.JSONDecodeError as error:
        if "depth" in str(error):
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply to parse") from None
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
        raise ValueError("a string holds a lone surrogate (such as \\ud800): not Unicode")
    return value


def _has_lone_surrogate(value: Any) -> bool:
    """Whether a key or string anywhere in parsed JSON holds a lone surrogate (iterative:
    parsed JSON may be deep)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                return True
        elif isinstance(node, dict):
            stack.extend(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _sniff(text: str, declared_media: str) -> BodyKind:
    """The kind of a body whose content type says nothing useful, from its first bytes."""
    start = _LEADING_SPACE.match(text).end()  # type: ignore[union-attr]  # `\s*` always matches
    head = text[start : start + 64]  # not `text.lstrip()`: no copy of a huge body
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


@dataclass(frozen=True, slots=True)
class JsonText:
    """A body that is to be parsed as JSON: its text, not parsed yet (a huge one may be
    read in pieces instead, `sources.json_pieces`)."""

    content_type: str
    text: str
    sniffed: bool  # no content type said JSON: text that does not parse is plain text

    def parse(self) -> DecodedBody:
        """The body parsed whole; text or unreadable (with a note) when it is not JSON."""
        try:
            return DecodedBody(BodyKind.JSON, self.content_type, value=parse_json(self.text))
        except ValueError as error:
            if self.sniffed:  # sniffed, so it was text after all
                return DecodedBody(BodyKind.TEXT, self.content_type)
            return DecodedBody(
                BodyKind.UNREADABLE, self.content_type, note=f"not valid JSON: {error}"
            )


def decode_body(
    raw: str | bytes | None, headers: Mapping[str, list[str]], cap: int = MAX_DECODED_BYTES
) -> DecodedBody:
    """Decode, recognise and (for JSON) parse one recorded body; content encodings stop
    past `cap` decoded bytes (the body is then unreadable, with that note)."""
    found = classify(raw, headers, cap)
    return found.parse() if isinstance(found, JsonText) else found


def classify(
    raw: str | bytes | None, headers: Mapping[str, list[str]], cap: int = MAX_DECODED_BYTES
) -> DecodedBody | JsonText:
    """`decode_body` up to the JSON parse: the body's text when it is to be parsed as
    JSON, else the decoded body. The text is never copied (a body may be huge)."""
    media, charset = media_type(headers)
    if isinstance(raw, bytes):
        try:
            raw = _decompress(raw, _encodings(headers), cap)
        except _DecodeError as error:
            return DecodedBody(BodyKind.UNREADABLE, media, note=str(error))
        text = _as_text(raw, charset)
        if text is None:
            return DecodedBody(BodyKind.BINARY, media)
    else:
        text = raw or ""
        if "\x00" in text:
            return DecodedBody(BodyKind.BINARY, media)
    if not text or text.isspace():  # `not text.strip()`, without a copy of a huge body
        return DecodedBody(BodyKind.EMPTY, media)
    declared = _kind_of(media)
    if declared is None and media not in ("", "text/plain", "application/octet-stream"):
        declared = BodyKind.TEXT
    kind = declared or _sniff(text, media)
    if kind is not BodyKind.JSON:
        return DecodedBody(kind, media)
    return JsonText(media, text, sniffed=declared is None)


def unreadable(raw: bytes, headers: Mapping[str, list[str]]) -> str | None:
    """Why driftcheck could not read this body back from a cassette, or None when it can:
    `record` refuses such a response rather than write a cassette that fails later."""
    decoded = decode_body(raw, headers)
    return decoded.note if decoded.kind is BodyKind.UNREADABLE else None
