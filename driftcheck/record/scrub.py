"""Remove secrets from recorded exchanges before anything is written.

Headers and query parameters by name (a built-in list plus configured ones), JSON
body keys at any depth (values replaced keeping their JSON type, so shapes stay
true), and a last scan of the serialized text for every expanded `${VAR}` value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

from driftcheck.errors import ShapeDepthError

REDACTED = "REDACTED"
BUILTIN_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)
SECRET_HEADER = re.compile(r"[-_](key|token|secret)$", re.IGNORECASE)
BUILTIN_QUERY = frozenset(
    {"api_key", "key", "token", "access_token", "secret", "signature", "password"}
)
MIN_SECRET_LENGTH = 4  # shorter values would match everywhere


@dataclass(frozen=True, slots=True)
class Scrubbing:
    """What to scrub: configured header, query and body-key names, and the expanded
    `${VAR}` values (name -> value) that must never be written or shown."""

    headers: tuple[str, ...] = ()
    query: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    secrets: Mapping[str, str] = field(default_factory=dict)


def secret_header(name: str, extra: Iterable[str] = ()) -> bool:
    lowered = name.lower()
    return (
        lowered in BUILTIN_HEADERS
        or lowered in {e.lower() for e in extra}
        or SECRET_HEADER.search(lowered) is not None
    )


def scrub_headers(
    headers: Mapping[str, list[str]], extra: Iterable[str] = ()
) -> dict[str, list[str]]:
    extra = tuple(extra)
    return {
        name: [REDACTED] * len(values) if secret_header(name, extra) else list(values)
        for name, values in headers.items()
    }


def scrub_url(url: str, extra: Iterable[str] = ()) -> str:
    """Redact secret query parameters and any user:password in the URL."""
    parts = urlsplit(url)
    names = BUILTIN_QUERY | {e.lower() for e in extra}
    query = [
        (key, REDACTED if key.lower() in names else value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), parts.fragment))


def _blank_scalar(value: Any) -> Any:
    """A stand-in of the same JSON type; null (and anything else) stays as it is."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0
    if isinstance(value, float):
        return 0.0
    if isinstance(value, str):
        return REDACTED
    return value


def _blank(value: Any) -> Any:
    """A copy of `value` with every scalar blanked, so a scrubbed body keeps its shape.

    Iterative, like `scrub_json`: a scrubbed key may hold thousands of nested levels.
    """
    root: list[Any] = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]  # (container, slot) of a value still to blank
    while stack:
        container, slot = stack.pop()
        item = container[slot]
        if isinstance(item, list):
            blanked: Any = list(item)
            stack.extend((blanked, index) for index in range(len(blanked)))
        elif isinstance(item, dict):
            blanked = dict(item)
            stack.extend((blanked, key) for key in blanked)
        else:
            blanked = _blank_scalar(item)
        container[slot] = blanked
    return root[0]


def scrub_json(value: Any, keys: Iterable[str]) -> Any:
    """Replace the values of `keys` at any depth (iteratively: bodies may nest deeply)."""
    wanted = {k.lower() for k in keys}
    if not wanted:
        return value
    root: list[Any] = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        container, slot = stack.pop()
        item = container[slot]
        if isinstance(item, dict):
            for key in item:
                if key.lower() in wanted:
                    item[key] = _blank(item[key])
                else:
                    stack.append((item, key))
        elif isinstance(item, list):
            stack.extend((item, index) for index in range(len(item)))
    return root[0]


def _too_deep() -> ShapeDepthError:
    return ShapeDepthError(
        "JSON body nested too deeply for Python's json module to scrub; "
        "refused rather than written unscrubbed"
    )


def scrub_body(body: bytes, content_type: str, keys: Iterable[str]) -> bytes:
    """Scrub JSON and form bodies; other bodies are returned as they are.

    Raises ShapeDepthError for JSON nested past the stdlib parser's recursion limit: it
    cannot be scrubbed, and must not be recorded as it is.
    """
    keys = tuple(keys)
    if not keys or not body:
        return body
    if "json" in content_type or body.lstrip()[:1] in (b"{", b"["):
        try:
            value = json.loads(body)
        except ValueError:
            return body
        except RecursionError:
            raise _too_deep() from None
        try:
            return json.dumps(scrub_json(value, keys), ensure_ascii=False).encode()
        except RecursionError:
            raise _too_deep() from None
    if "x-www-form-urlencoded" in content_type:
        wanted = {k.lower() for k in keys}
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        return urlencode([(k, REDACTED if k.lower() in wanted else v) for k, v in pairs]).encode()
    return body


def leaked(text: str, secrets: Mapping[str, str]) -> list[str]:
    """Names of the variables whose values appear in `text`, in any usual encoding."""
    found = []
    for name, value in sorted(secrets.items()):
        if len(value) < MIN_SECRET_LENGTH:
            continue
        forms = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
        if any(form in text for form in forms):
            found.append(name)
    return found


_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def shown(text: str, scrubbing: Scrubbing) -> str:
    """`text` made safe to show (messages, reports): URLs scrubbed as cassettes are, and
    every secret's value replaced."""
    text = _URL.sub(lambda found: scrub_url(found.group(0), scrubbing.query), text)
    for value in scrubbing.secrets.values():
        if len(value) >= MIN_SECRET_LENGTH:
            text = text.replace(value, REDACTED)
    return text
