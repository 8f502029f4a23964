"""Remove secrets from recorded exchanges before anything is written.

Headers and query parameters by name (a built-in list plus configured ones), JSON
body keys at any depth (values replaced keeping their JSON type, so shapes stay
true), a `${VAR}`'s value anywhere in a URL; and `shown`, the same for every message.
The last scan for values left over is `record/leaks.py`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, unquote_plus, urlencode, urlsplit, urlunsplit

from driftcheck.core.headers import SECRETS, matches
from driftcheck.core.query_secrets import BUILTIN_QUERY, REDACTED
from driftcheck.errors import ShapeDepthError
from driftcheck.record.leaks import MIN_SECRET_LENGTH, Secrets, secrets_of


@dataclass(frozen=True, slots=True)
class Scrubbing:
    """What to scrub: configured header, query and body-key names, and the expanded
    `${VAR}` values (name -> value) that must never be written or shown."""

    headers: tuple[str, ...] = ()
    query: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    secrets: Mapping[str, str] = field(default_factory=dict)


def secret_header(name: str, extra: Iterable[str] = ()) -> bool:
    """A header whose value is scrubbed: the built-in secrets (`core/headers.SECRETS`, which
    `diff` never compares either), or one the config's `scrub_headers` names."""
    return matches(name, SECRETS) or name.lower() in {e.lower() for e in extra}


def scrub_headers(
    headers: Mapping[str, list[str]], extra: Iterable[str] = ()
) -> dict[str, list[str]]:
    extra = tuple(extra)
    return {
        name: [REDACTED] * len(values) if secret_header(name, extra) else list(values)
        for name, values in headers.items()
    }


def scrub_url(url: str, extra: Iterable[str] = (), values: Iterable[str] = ()) -> str:
    """Redact secret query parameters, any user:password, and each path segment, query
    key or value, host or fragment that holds one of `values` (a `${VAR}` in the URL)
    however quoted; a part a value spans (`a/b`, `a&b`) is redacted whole."""
    parts = urlsplit(url)
    names = BUILTIN_QUERY | {e.lower() for e in extra}
    holds = _holder([value for value in values if len(value) >= MIN_SECRET_LENGTH])
    query = urlencode(
        [
            (
                REDACTED if holds(key) else key,
                REDACTED if key.lower() in names or holds(value) or holds(key) else value,
            )
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
        ]
    )
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    path = "/".join(REDACTED if holds(part) else part for part in parts.path.split("/"))
    pieces = [netloc, path, query, parts.fragment]
    pieces = [REDACTED if holds(piece) else piece for piece in pieces]
    if pieces[1] == REDACTED:
        pieces[1] = f"/{REDACTED}"
    return urlunsplit((parts.scheme, *pieces))


def _holder(wanted: list[str]) -> Callable[[str], bool]:
    """Whether a piece of a URL holds one of `wanted`, as written or unquoted."""

    def holds(text: str) -> bool:
        views = {text, unquote(text), unquote_plus(text)}
        return any(value in view for view in views for value in wanted)

    return holds


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


_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
_TRAILING = ").,;:!?]"  # punctuation after a URL in a sentence, not part of it


def _shown_url(found: re.Match[str], scrubbing: Scrubbing, known: Secrets) -> str:
    """A URL in a message scrubbed as a recorded one is, and every part of it that
    holds a secret's value however it is quoted; left as written when nothing is."""
    url = found.group(0).rstrip(_TRAILING)
    after = found.group(0)[len(url) :]
    try:
        scrubbed = scrub_url(url, scrubbing.query, scrubbing.secrets.values())
        untouched = scrubbed == _rebuilt(url)
    except ValueError:  # not a URL after all (an invalid port, a bracket): judged as text
        scrubbed, untouched = REDACTED, not known.names_in(url)
    return (url if untouched else scrubbed) + after


def _rebuilt(url: str) -> str:
    """`url` taken apart and put together as `scrub_url` does, nothing redacted."""
    parts = urlsplit(url)
    query = urlencode(parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def shown(text: str, scrubbing: Scrubbing) -> str:
    """`text` made safe to show (messages, reports): every spelling of every secret's
    value replaced in any case (base64, base32 and hex too), URLs scrubbed as cassettes
    are; a text that still holds one after all that is withheld whole."""
    known = secrets_of(scrubbing.secrets)
    text = known.replace(text, REDACTED)
    text = _URL.sub(lambda found: _shown_url(found, scrubbing, known), text)
    if known.names_in(text):
        text = "message withheld: it held the value of a secret"
    return _without_values(text, scrubbing.secrets)


def _without_values(text: str, secrets: Mapping[str, str]) -> str:
    """`text` with no raw value left in any case, even one the marker itself spells
    ("REDA"): removal shortens the text, so this ends."""
    values = [v for v in secrets.values() if len(v) >= MIN_SECRET_LENGTH]
    if not values:
        return text
    anycase = re.compile("|".join(map(re.escape, values)), re.IGNORECASE)
    while anycase.search(text):
        text = anycase.sub("", text)
    return text
