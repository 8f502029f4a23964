"""Endpoints as matchers: a method and a URL template, applied to any request (pure).

A configured endpoint (`GET https://api.example.com/users/{id}`) claims every recorded
interaction and every mock whose method and URL fit it, whatever file they are in.
A `{placeholder}` stands for exactly one path segment; a trailing slash makes no
difference; the scheme and the query are ignored unless the endpoint names query keys
to match. A mock's own unresolved parts (`{user_id}` from an f-string) fit any segment.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

_PLACEHOLDER = re.compile(r"\{[^{}/]*\}\Z")
_INNER = re.compile(r"\{[^{}/]*\}")
_WITH_METHOD = re.compile(r"\{[^{}/]*\}(:[A-Za-z][A-Za-z0-9]*)\Z")
ANY_METHOD = "*"


def _segments(path: str) -> tuple[str, ...]:
    """Path segments without empty ones, so `/users/` and `/users` are one endpoint."""
    return tuple(segment for segment in path.split("/") if segment)


def is_placeholder(segment: str) -> bool:
    return _PLACEHOLDER.match(segment) is not None


def templated(segment: str) -> str | None:
    """What follows a segment's leading placeholder: "" for `{id}`, `:cancel` for an
    endpoint key's `{id}:cancel` (an id with a custom method); None for a literal."""
    if is_placeholder(segment):
        return ""
    found = _WITH_METHOD.match(segment)
    return found.group(1) if found else None


@dataclass(frozen=True, slots=True)
class Target:
    """What a request or mock says about where it goes (any part may be unknown)."""

    method: str | None  # None: any method (pytest-httpx's add_response without one)
    host: str | None  # `api.example.com:8443`, lower-cased; None: a relative URL
    segments: tuple[str, ...]
    query: Mapping[str, str] = field(default_factory=dict)
    operation: str | None = None  # a GraphQL request's operation name

    @classmethod
    def of(cls, method: str | None, url: str, operation: str | None = None) -> Target:
        """Split a URL into the parts matching looks at: `https://host/path?q`,
        `host/path` (an endpoint key's spelling) or a bare `/path` (host unknown)."""
        if "://" not in url and not url.startswith("/"):
            first = url.split("/", 1)[0]
            looks_like_host = "." in first or ":" in first or first == "localhost"
            url = f"//{url}" if looks_like_host else f"/{url}"
        try:
            parts = urlsplit(url)
        except ValueError:  # `http://[::1/x`: a mock's URL may be anything; it matches nothing
            return cls(_method(method), url, (), {}, operation)
        host = parts.netloc.rpartition("@")[2].lower() or None
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        return cls(_method(method), host, _segments(parts.path), query, operation)


def _method(method: str | None) -> str | None:
    return None if method is None or method == ANY_METHOD else method.upper()


@dataclass(frozen=True, slots=True)
class Matcher:
    """One endpoint as a pattern: its name, method, host and path template."""

    name: str
    method: str
    host: str | None
    segments: tuple[str, ...]
    query: Mapping[str, str] = field(default_factory=dict)  # key -> value glob to match
    operation: str | None = None

    @classmethod
    def of(
        cls,
        name: str,
        method: str,
        url: str,
        query: Mapping[str, str] | None = None,
        operation: str | None = None,
    ) -> Matcher:
        target = Target.of(method, url)
        return cls(name, method.upper(), target.host, target.segments, dict(query or {}), operation)

    def score(self, target: Target) -> tuple[int, int]:
        """How closely `target` fits: a literal segment matched literally counts most, a
        template placeholder next, and a mock's own placeholder against a literal least,
        so `/users/me` wins for `/users/me`, and `/users/{id}` for `/users/{user_id}`."""
        points = 0
        for pattern, segment in zip(self.segments, target.segments, strict=False):
            if not is_placeholder(pattern):
                points += 0 if is_placeholder(segment) else 2
            else:
                points += 1
        return points, len(self.query) + (self.operation is not None)

    def matches(self, target: Target) -> bool:
        """Whether a request or mock with `target`'s parts belongs to this endpoint."""
        if target.method is not None and target.method != self.method:
            return False
        if target.host is not None and self.host is not None and target.host != self.host:
            return False
        if len(target.segments) != len(self.segments):
            return False
        if not all(map(_segment_fits, self.segments, target.segments)):
            return False
        if self.operation is not None and target.operation != self.operation:
            return False
        return all(
            key in target.query and fnmatch.fnmatchcase(target.query[key], pattern)
            for key, pattern in self.query.items()
        )


def _segment_fits(pattern: str, segment: str) -> bool:
    """Equal, or one is a placeholder, or one has a placeholder inside that the other
    fills (`{id}:cancel` and `123:cancel`, AIP-136 custom methods)."""
    if pattern == segment or is_placeholder(pattern) or is_placeholder(segment):
        return True
    return _filled(pattern, segment) or _filled(segment, pattern)


def _filled(template: str, segment: str) -> bool:
    return "{" in template and _inner(template).fullmatch(segment) is not None


@functools.lru_cache(maxsize=1024)
def _inner(template: str) -> re.Pattern[str]:
    """`{id}:cancel` as a pattern: each placeholder one or more characters, the rest
    literal."""
    parts = _INNER.split(template)
    return re.compile(".+".join(re.escape(part) for part in parts))


def best_match(matchers: Sequence[Matcher], target: Target) -> Matcher | None:
    """The matcher that fits `target` most closely; among equals, the first configured."""
    best: Matcher | None = None
    best_score = (-1, -1)
    for matcher in matchers:
        if matcher.matches(target):
            score = matcher.score(target)
            if score > best_score:
                best, best_score = matcher, score
    return best


def all_matches(matchers: Iterable[Matcher], target: Target) -> list[Matcher]:
    """Every matcher that fits, closest first (for saying why a match is ambiguous)."""
    found = [matcher for matcher in matchers if matcher.matches(target)]
    return sorted(found, key=lambda m: m.score(target), reverse=True)
