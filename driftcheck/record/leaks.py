"""Find a secret's value in what would be written or shown, however it is spelled.

Text forms alone miss what YAML and JSON do to a string (`''`, `\\xE4`, `\\_`, folded
lines, `\\u00e4`), so content is compared decoded: URL-quoting, HTML entities and
JSON string escapes undone, bytes compared in the encodings a server may use. Base64
(an echoed `Authorization: Basic` of `user:password`) is found as the letters that
spell a value at any alignment, in both alphabets; base32 the same way, and hex;
both compared in any case (but the shortest base32 forms), as is the value itself (a
server may change its case). A body that is gzip, zlib or raw deflate without saying
so is inflated (a bounded amount, two layers deep) and scanned too: `!!binary` keeps
it readable to anyone.
"""

from __future__ import annotations

import base64
import html
import json
import re
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, quote_plus, unquote, unquote_plus

MIN_SECRET_LENGTH = 4  # shorter values would match everywhere
INFLATE_CAP = 64 * 1024 * 1024  # what a compressed body is scanned to; past it, refused
REQUOTE_SAFE = "!#$%&'()*+,/:;=?@[]~"  # what `requests` leaves unquoted in a URL
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "latin-1", "cp1252")
JSON_STRING = re.compile(r'"(?:[^"\\\r\n]|\\.)*"')
URLSAFE = str.maketrans("+/", "-_")
B32HEX = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHIJKLMNOPQRSTUV")
MIN_BASE32 = 7  # fewer letters (4-byte values) are matched in upper case only: words
INFLATE_DEPTH = 2  # gzip inside gzip
_CHUNK = 4096  # compressed bytes fed at a time (a failing chunk is redone byte by byte)
_STEP = 64 * 1024  # inflated bytes produced at a time
SEPARATOR = "\n\0\n"  # between decoded pieces searched at once
_HEX = re.compile(r"%[0-9A-F]{2}")
_YAML_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\xa0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def _yaml_double_quoted(value: str) -> str:
    """How a YAML emitter (without allow_unicode) spells `value` inside double quotes."""
    out = []
    for char in value:
        code = ord(char)
        if char in _YAML_ESCAPES:
            out.append(_YAML_ESCAPES[char])
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02X}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04X}")
        else:
            out.append(f"\\U{code:08X}")
    return "".join(out)


def text_forms(value: str) -> set[str]:
    """Every way `value` is usually spelled in text: raw, URL-quoted (either hex case),
    JSON-, YAML- and HTML-escaped, base64 and (upper-case) base32 letters."""
    bytes_as_read = "surrogateescape"  # an environment variable's bytes that are not UTF-8
    quoted = {
        quote(value, safe="", errors=bytes_as_read),
        quote(value, errors=bytes_as_read),
        quote(value, safe=REQUOTE_SAFE, errors=bytes_as_read),
        quote_plus(value, errors=bytes_as_read),
        quote_plus(value, safe=REQUOTE_SAFE, errors=bytes_as_read),
    }
    quoted |= {_HEX.sub(lambda hit: hit.group(0).lower(), form) for form in quoted}
    escaped = {json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    escaped |= {form.replace("/", "\\/") for form in escaped}
    marked = {value.replace("'", "''"), _yaml_double_quoted(value), html.escape(value)}
    marked.add(html.escape(value, quote=False))
    short = {core for core in base32_forms(value) if len(core) < MIN_BASE32}  # upper only
    return {value, *quoted, *escaped, *marked, *base64_forms(value), *short} - {""}


def base64_forms(value: str) -> set[str]:
    """The base64 letters that spell `value` wherever it sits in the encoded bytes (each
    of the three alignments, both alphabets; UTF-8 and the Latin-1 `requests` sends
    `user:password` in): found by searching text, with nothing to decode."""
    forms = set()
    for data in byte_forms(value, ("utf-8", "latin-1")):
        for offset in range(3):
            letters = base64.b64encode(bytes(offset) + data + bytes(2)).decode()
            core = letters[-(-8 * offset // 6) : 8 * (offset + len(data)) // 6]
            forms |= {core, core.translate(URLSAFE)}
    return forms


def folded_forms(value: str) -> set[str]:
    """Forms compared with the text lower-cased: the value itself, the hex of its bytes
    and its base32 letters (both alphabets) wherever it sits in 5-byte groups."""
    forms = {value.lower(), *(data.hex() for data in byte_forms(value, ("utf-8", "latin-1")))}
    return forms | {core.lower() for core in base32_forms(value) if len(core) >= MIN_BASE32}


def base32_forms(value: str) -> set[str]:
    """The base32 letters (upper case, both alphabets) that spell `value` wherever it
    sits in the 5-byte groups, UTF-8 and Latin-1, as `base64_forms` does."""
    forms = set()
    for data in byte_forms(value, ("utf-8", "latin-1")):
        for offset in range(5):
            letters = base64.b32encode(bytes(offset) + data + bytes(4)).decode()
            core = letters[-(-8 * offset // 5) : 8 * (offset + len(data)) // 5]
            forms |= {core, core.translate(B32HEX)}
    return forms


def byte_forms(value: str, encodings: Iterable[str] = ENCODINGS) -> set[bytes]:
    """`value` in each encoding a body may use (an environment variable's bytes that are
    not UTF-8 come back as they were)."""
    forms = set()
    for encoding in encodings:
        try:
            forms.add(value.encode(encoding, "surrogateescape"))
        except UnicodeEncodeError:
            continue
    return forms


@dataclass(frozen=True, slots=True)
class Secrets:
    """The secrets' values in every form, each with the variables it belongs to; found
    by plain substring search (far faster than one regex of alternatives)."""

    by_text: Mapping[str, tuple[str, ...]]
    by_bytes: Mapping[bytes, tuple[str, ...]]
    by_folded: Mapping[str, tuple[str, ...]]  # lower-cased forms, found in any case
    pattern: re.Pattern[str] | None  # every text form, longest first, any case: replacing

    def __bool__(self) -> bool:
        """False when there is no value to look for: nothing can be found."""
        return bool(self.by_text or self.by_bytes or self.by_folded)

    def names_in(self, text: str) -> set[str]:
        """The variables whose value `text` holds, in any spelling or encoding."""
        found: set[str] = set()
        if self.by_text:
            for view in _views(text):
                found |= self.spelled_in(view)
        return found

    def spelled_in(self, text: str) -> set[str]:
        """The variables one of whose text forms `text` holds as it is (no decoding)."""
        found = {name for form, names in self.by_text.items() if form in text for name in names}
        folded = text.lower()
        return found | {
            n for form, names in self.by_folded.items() if form in folded for n in names
        }

    def names_in_data(self, data: bytes, depth: int = 0) -> set[str]:
        """The variables whose value `data` holds: as bytes in any usual encoding, in its
        text read as UTF-8, or in what it inflates to if it is compressed. Unscannable
        when it inflates past INFLATE_CAP."""
        if not self.by_bytes:
            return set()
        found = {n for form, names in self.by_bytes.items() if form in data for n in names}
        found |= self.names_in(data.decode("utf-8", "replace"))
        if depth < INFLATE_DEPTH:
            inner = inflated(data)
            if inner:
                found |= self.names_in_data(inner, depth + 1)
        return found

    def replace(self, text: str, marker: str) -> str:
        """`text` with every text form of every value replaced by `marker`."""
        return text if self.pattern is None else self.pattern.sub(marker, text)


@lru_cache(maxsize=16)
def _compiled(items: tuple[tuple[str, str], ...]) -> Secrets:
    by_text: dict[str, tuple[str, ...]] = {}
    by_bytes: dict[bytes, tuple[str, ...]] = {}
    by_folded: dict[str, tuple[str, ...]] = {}
    for name, value in items:
        # requests unquotes URL userinfo before sending it as `Authorization: Basic`
        spellings = {value, unquote(value)}
        for spelling in (s for s in spellings if len(s) >= MIN_SECRET_LENGTH):
            for form in text_forms(spelling):
                by_text[form] = (*by_text.get(form, ()), name)
            for data in byte_forms(spelling):
                by_bytes[data] = (*by_bytes.get(data, ()), name)
            for form in folded_forms(spelling):
                by_folded[form] = (*by_folded.get(form, ()), name)
    ordered = sorted({*by_text, *by_folded}, key=lambda form: (-len(form), form))
    joined = "|".join(map(re.escape, ordered))
    pattern = re.compile(joined, re.IGNORECASE) if ordered else None
    return Secrets(by_text, by_bytes, by_folded, pattern)


def secrets_of(secrets: Mapping[str, str]) -> Secrets:
    """`secrets` (name -> value) compiled; values too short to tell apart are left out."""
    return _compiled(
        tuple(sorted((n, v) for n, v in secrets.items() if len(v) >= MIN_SECRET_LENGTH))
    )


def _views(text: str) -> Iterator[str]:
    """`text`, and `text` with each usual layer of escaping undone. Pieces are joined
    by SEPARATOR: one search per view, however many pieces (a value spanning it could
    only refuse a write, never let one through)."""
    yield text
    if "%" in text or "+" in text:
        yield unquote(text)
        yield unquote_plus(text)
    if "&" in text:
        yield html.unescape(text)
    if "\\" in text:
        decoded = SEPARATOR.join(_json_strings(text))
        yield decoded
        if "%" in decoded or "+" in decoded:
            yield unquote(decoded)
            yield unquote_plus(decoded)


def _json_strings(text: str) -> Iterator[str]:
    """Each JSON string literal in `text` that has escapes, decoded (any nesting depth:
    literals are found one by one, never by parsing the document)."""
    for literal in JSON_STRING.findall(text):
        if "\\" not in literal:
            continue
        try:
            yield json.loads(literal)
        except ValueError:
            continue


def leaked(text: str, secrets: Mapping[str, str]) -> list[str]:
    """Names of the variables whose values appear in `text`, in any usual encoding."""
    return sorted(secrets_of(secrets).names_in(text))


def _walk(document: object) -> Iterator[str | bytes]:
    """Every string and bytes value (and key) of a loaded document, without recursion."""
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def found_in(known: Secrets, value: str | bytes) -> set[str]:
    """The variables whose value `value` holds, text or bytes."""
    return known.names_in(value) if isinstance(value, str) else known.names_in_data(value)


def document_leaks(
    known: Secrets, document: object, scanned: Collection[str | bytes] = ()
) -> set[str]:
    """The variables whose value a loaded document (a cassette read back) holds anywhere;
    values `scanned` already (the same text before it was written) are not scanned again."""
    found: set[str] = set()
    for value in _walk(document):
        if value not in scanned:
            found |= found_in(known, value)
    return found


class Unscannable(Exception):
    """A compressed body inflates past INFLATE_CAP: it cannot be scanned whole."""


def _wbits(data: bytes) -> int:
    """zlib's window bits for how `data` starts: gzip, zlib, else a guess of raw deflate."""
    if data[:2] == b"\x1f\x8b":
        return 16 + zlib.MAX_WBITS
    if len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] * 256 + data[1]) % 31 == 0:
        return zlib.MAX_WBITS
    return -zlib.MAX_WBITS


def _feed(decoder: zlib._Decompress, chunk: bytes, out: bytearray, budget: int) -> None:
    """Inflate `chunk` into `out`, `_STEP` bytes at a time, never past `budget`."""
    while True:
        piece = decoder.decompress(chunk, _STEP)
        out += piece
        if len(out) > budget:
            raise Unscannable
        chunk = decoder.unconsumed_tail
        if decoder.eof or (not chunk and len(piece) < _STEP):
            return


def _salvage(decoder: zlib._Decompress, chunk: bytes, out: bytearray, budget: int) -> None:
    """`chunk` fed a byte at a time, keeping what inflates before the stream breaks (as
    `zcat` shows a broken file up to the break)."""
    for index in range(len(chunk)):
        try:
            _feed(decoder, chunk[index : index + 1], out, budget)
        except zlib.error:
            return
        if decoder.eof:
            return


def _inflate_one(data: bytes, budget: int) -> tuple[bytes, bytes]:
    """The stream at the start of `data` inflated as far as it is valid, and the bytes
    after it when it ended cleanly (else b"")."""
    decoder = zlib.decompressobj(_wbits(data))
    out = bytearray()
    for start in range(0, len(data), _CHUNK):
        chunk = data[start : start + _CHUNK]
        saved = decoder.copy()
        try:
            _feed(decoder, chunk, out, budget)
        except zlib.error:
            _salvage(saved, chunk, out, budget)
            return bytes(out), b""
        if decoder.eof:
            return bytes(out), decoder.unused_data + data[start + _CHUNK :]
    return bytes(out), b""


def inflated(data: bytes) -> bytes:
    """What `data` inflates to as gzip, zlib or raw deflate (b"" when it is none of
    them), with the streams right after it that start as gzip or zlib ones do appended
    (a multi-member gzip body); Unscannable past INFLATE_CAP."""
    out, rest = _inflate_one(data, INFLATE_CAP)
    whole = bytearray(out)
    while rest and _wbits(rest) > 0:
        out, rest = _inflate_one(rest, INFLATE_CAP - len(whole))
        whole += out
    return bytes(whole)
