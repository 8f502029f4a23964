"""A live body's Content-Encoding decoded as it streams in, with a cap on what it grows to.

A gzip bomb inflates about 1000-fold per layer (`gzip, gzip`: a million-fold): decoding
it whole, or even one network read at a time, takes gigabytes. Here every layer hands
on at most `STEP` bytes at a time and the total is counted as it grows, so a body past
the cap stops within one step. Plain values only: the HTTP side (`record/recorder.py`)
passes a function that reads the next raw bytes.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator, Sequence

STEP = 64 * 1024
TOKEN = re.compile(r"[A-Za-z0-9._+-]{1,16}")  # an encoding name safe to show as sent


class TooLarge(Exception):
    """The body, raw or decoded, grew past the cap."""


class Undecodable(Exception):
    """The body cannot be decoded; the message is the one-line reason."""


class _Inflate:
    """One gzip or deflate layer, yielding at most `STEP` bytes per piece."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.gzip = name in {"gzip", "x-gzip"}
        self.later_member = False
        self.decoder: zlib._Decompress | None = None
        self.head = b""  # deflate: the first bytes, until we know if it has a zlib header

    def _start(self, data: bytes) -> bytes:
        """Create the decoder; raw deflate (no zlib header) is common enough to accept."""
        if self.gzip:
            self.decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return data
        self.head += data
        if len(self.head) < 2 and data:
            return b""
        cmf, flg = (self.head + b"\0\0")[:2]
        wrapped = cmf & 0x0F == 8 and (cmf * 256 + flg) % 31 == 0
        self.decoder = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        data, self.head = self.head, b""
        return data

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decode `data`; empty `data` means the raw body ended: drain what is held."""
        if self.decoder is None:
            data = self._start(data)
            if self.decoder is None:
                return
        decoder = self.decoder
        while True:
            try:
                out = decoder.decompress(data, STEP)
            except zlib.error as error:
                if self.later_member:
                    return  # trailing bytes after a whole gzip body, ignored as urllib3 does
                raise Undecodable(f"cannot decode the {self.name} body: {error}") from None
            if out:
                yield out
            data = decoder.unconsumed_tail
            if decoder.eof and self.gzip and decoder.unused_data:
                data = decoder.unused_data  # the next member of a multi-member gzip body
                decoder = self.decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self.later_member = True
                continue
            if not data and len(out) < STEP:
                return


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data


_Layer = _Inflate | _Identity


def layers(content_encoding: str) -> list[_Layer]:
    """The decoders for a Content-Encoding header, outermost (last applied) first."""
    names = [part.strip() for part in content_encoding.split(",") if part.strip()]
    found: list[_Layer] = []
    for name in reversed(names):
        if name.lower() in {"gzip", "x-gzip", "deflate"}:
            found.append(_Inflate(name.lower()))
        elif name.lower() == "identity":
            found.append(_Identity())
        else:
            raise Undecodable(
                f"{_named(name)} is not supported when recording "
                "(gzip, deflate or none); the request asks for gzip or deflate only"
            )
    return found


def _named(name: str) -> str:
    """The encoding as sent when it is a short token; else only its length. Never cut
    or re-cased: `scrub.shown` must recognise a secret a server echoes here."""
    if TOKEN.fullmatch(name):
        return f"Content-Encoding `{name}`"
    return f"an unsupported Content-Encoding ({len(name)} characters)"


def _through(chain: Sequence[_Layer], data: bytes) -> Iterator[bytes]:
    if not chain:
        yield data
        return
    for piece in chain[0].feed(data):
        yield from _through(chain[1:], piece)


def _drain(chain: Sequence[_Layer]) -> Iterator[bytes]:
    """The raw body ended: what each layer still holds, through the layers below it."""
    for index, layer in enumerate(chain):
        for piece in layer.feed(b""):
            yield from _through(chain[index + 1 :], piece)


def read_decoded(read: Callable[[], bytes], content_encoding: str, limit: int) -> bytes:
    """Read raw bytes with `read` (b"" at the end) and return them decoded; TooLarge as
    soon as the raw or the decoded bytes pass `limit`."""
    chain = layers(content_encoding)
    body = bytearray()
    raw_total = 0
    while True:
        raw = read()
        raw_total += len(raw)
        if raw_total > limit:
            raise TooLarge
        for piece in _through(chain, raw) if raw else _drain(chain):
            body += piece
            if len(body) > limit:
                raise TooLarge
        if not raw:
            return bytes(body)
