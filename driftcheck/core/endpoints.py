"""Group interactions into endpoints (`METHOD host/path-template`) and shapes per status.

Pure: interactions and their pooled shapes in, an `EndpointSet` out.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TypeVar
from urllib.parse import urlsplit

from driftcheck.core.census import Census, StatusTally, by_file
from driftcheck.core.matchers import Matcher, Target, best_match
from driftcheck.core.model import BodyKind, EndpointSet, Interaction, Node, StatusShape
from driftcheck.core.recency import UNDATED, day_of
from driftcheck.core.shape import AUTO, MapRule, infer, merge, settled
from driftcheck.errors import ShapeDepthError

ID = "{id}"

_ID_SEGMENTS = (
    re.compile(r"\d+\Z"),  # 42
    re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"),
    re.compile(r"(?=.*\d)[0-9a-fA-F]{16,}\Z"),  # hashes, object ids
    re.compile(r".*\d{5,}"),  # anything carrying a timestamp or a long number
    re.compile(r"\d{4}-\d{2}-\d{2}"),  # dates
    re.compile(r"(?=.*\d)[a-z0-9]{2,4}(?:-[a-z0-9]{2,4}){2,}\Z"),  # short public ids: abc-d3f-gh1
    re.compile(r"(?=.*\d)(?=.*[a-z])(?=.*[A-Z])[A-Za-z0-9_\-]{16,}={0,2}\Z"),  # base64-like
    re.compile(r"(?=.*[A-Za-z])[A-Za-z]*\d+[A-Za-z]+\d[A-Za-z0-9]*\Z"),  # 45iw6lb8j5
)
_PREFIXED = re.compile(r"[a-z]{1,12}_((?=[A-Za-z]*[a-z])[A-Za-z]{12,})\Z")  # digits: above
_BROKEN_HUMP = re.compile(r"[A-Z](?![a-z]{2})")
# `v1`, `V2`, `v1.1`, `v2beta`, `v1alpha1`, and dotted `1.1`, `2.0`
_VERSION = re.compile(
    r"(?:v\d{1,3}(?:\.\d{1,3})*(?:alpha|beta|rc|preview|pre|dev)?\d{0,3}|\d{1,3}\.\d{1,3})\Z",
    re.IGNORECASE,
)
_VERB = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")  # a custom method: `cancel`, `batchGet`
_BARE_VERSION = re.compile(r"\d{1,2}\Z")  # `/2/tweets`, `/rest/api/2/issue`
_LOOSE_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?://([^/?#]*))?([^?#]*)")
API_PREFIXES = frozenset({"api", "apis", "rest"})


def is_version_segment(segment: str, previous: str | None = None) -> bool:
    """`v1`, `v2beta`, `1.1`: a version names an API, it is no id. A bare small number is a
    version only where versions stand, first in the path or after `api` / `rest`
    (`/2/tweets`, `/rest/api/2/issue`); after a collection (`/users/2`) it is an id."""
    if _VERSION.match(segment):
        return True
    if _BARE_VERSION.match(segment) is None:
        return False
    return previous is None or previous.lower() in API_PREFIXES


def is_id_segment(segment: str, previous: str | None = None) -> bool:
    """True for path segments that identify a record rather than name a resource or a
    version; `previous` is the segment before it (None: the first of the path)."""
    if is_version_segment(segment, previous):
        return False
    return any(pattern.match(segment) for pattern in _ID_SEGMENTS) or _prefixed_random(segment)


def _prefixed_random(segment: str) -> bool:
    """A vendor's prefixed random id with no digit in it (Stripe's `cus_PqmsTLkxHwEbRa`:
    8.6 % of 14-letter ones have none): its capitals break the humps of words, at least
    three of them followed by fewer than two small letters (`ProfileSettings` has none)."""
    found = _PREFIXED.match(segment)
    return found is not None and len(_BROKEN_HUMP.findall(found.group(1))) >= 2


@functools.lru_cache(maxsize=1 << 16)  # ids differ, the segments around them repeat
def _is_id(segment: str, previous: str | None) -> bool:
    return is_id_segment(segment, previous)


@functools.lru_cache(maxsize=8192)  # a corpus repeats its URIs; the regexes are the cost
def endpoint_key(method: str, uri: str) -> str:
    """`GET api.example.com/users/{id}`: ids become `{id}`, the query is dropped, and a
    trailing slash makes no second endpoint (`/users/` is `/users`)."""
    host, path = _host_and_path(uri)
    raw = path.split("/")
    if len(raw) > 2 and raw[-1] == "":
        raw.pop()
    segments = [_keyed(segment, raw[n - 1] if n > 1 else None) for n, segment in enumerate(raw)]
    path = "/".join(segments) or "/"
    return f"{method.upper()} {host}{path}"


def _keyed(segment: str, previous: str | None) -> str:
    """A segment as a key spells it: an id is `{id}`; an id with a custom method
    (AIP-136's `/jobs/123:cancel`) keeps the method, `{id}:cancel`, so that cancelling
    and waiting are not one endpoint."""
    if ":" in segment:
        head, _, verb = segment.rpartition(":")
        if head and _VERB.match(verb) and _is_id(head, previous):
            return f"{ID}:{verb}"
    return ID if _is_id(segment, previous) else segment


def _host_and_path(uri: str) -> tuple[str, str]:
    """`api.example.com:8443` and `/users/42`. A URL Python cannot take apart (`[::1/x`,
    port 99999999) keeps its host as written: a key, never an error, since mocks' URLs
    reach here unchecked (cassettes' are checked when read).

    A plain `http(s)://host/path` is split by hand, its host read once per host: what
    `urlsplit` gives, at a fraction of its cost per URL (ids make every URL new)."""
    if uri.startswith(_PLAIN_SCHEMES) and uri.isascii() and not _UNSAFE.search(uri):
        rest = uri[uri.index("://") + 3 :]
        end = _NETLOC_END.search(rest)
        netloc, tail = (rest[: end.start()], rest[end.start() :]) if end else (rest, "")
        host = _host(netloc)
        if host is not None:
            cut = _PATH_END.search(tail)
            return host, tail[: cut.start()] if cut else tail
    return split_slowly(uri)


def split_slowly(uri: str) -> tuple[str, str]:
    """`_host_and_path` by `urlsplit` alone, for any URL."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        found = _LOOSE_URL.match(uri)
        netloc, path = (found.group(1) or "", found.group(2)) if found else ("", uri)
        return netloc.rpartition("@")[2].lower(), path
    host = parts.hostname or ""
    return (host if port is None else f"{host}:{port}"), parts.path


_PLAIN_SCHEMES = ("http://", "https://")
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")  # what urlsplit strips or splits on: the slow way
_NETLOC_END = re.compile(r"[/?#]")
_PATH_END = re.compile(r"[?#]")


@functools.lru_cache(maxsize=4096)
def _host(netloc: str) -> str | None:
    """`host:port` as `_host_and_path` keys it, for a URL's netloc; None when Python's
    parser refuses it (the slow way decides then)."""
    try:
        parts = urlsplit(f"http://{netloc}")
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    return host if port is None else f"{host}:{port}"


class Names:
    """An interaction's endpoint name: the configured matcher that fits it best, else its
    automatic key (`endpoint_key`), then renamed as slugs collapse (`collapse_slugs`).

    Workers name interactions to pool their shapes, so the matchers travel to them: a
    pool keyed by anything else could not be taken apart again."""

    def __init__(
        self,
        matchers: Sequence[Matcher] = (),
        renames: Mapping[str, str] | None = None,
        _named: dict[tuple[str, str, str | None], str] | None = None,
    ):
        self.matchers = tuple(matchers)
        self.renames = dict(renames or {})
        self._named = {} if _named is None else _named  # before renames: shared with copies

    def __call__(self, interaction: Interaction) -> str:
        return self.name(interaction.method, interaction.uri, interaction.operation)

    def name(self, method: str, uri: str, operation: str | None = None) -> str:
        seen = (method, uri, operation)
        found = self._named.get(seen)
        if found is None:
            found = self._configured(method, uri, operation) or endpoint_key(method, uri)
            self._named[seen] = found
        return self.renames.get(found, found) if self.renames else found

    def _configured(self, method: str, uri: str, operation: str | None) -> str | None:
        if not self.matchers:
            return None
        matcher = best_match(self.matchers, Target.of(method, uri, operation))
        return None if matcher is None else matcher.name

    def renamed(self, renames: Mapping[str, str]) -> Names:
        """These names, renamed: each interaction is named once for all the copies."""
        return Names(self.matchers, {**self.renames, **renames}, self._named)


PoolKey = tuple[str, int, str]
"""A pool of shapes: endpoint name, status, and the recording day of the files whose
bodies it holds (`core/recency.py` `day_of`; `UNDATED` for files with no date)."""

Pooled = Mapping[PoolKey, Node]
"""Shapes of JSON bodies read without them, per endpoint name, status and day."""

K = TypeVar("K", bound=Hashable)


def pool(shapes: Iterable[tuple[K, Node]]) -> dict[K, Node]:
    """Shapes with the same key merged, in the order given.

    Counts add up, so pooling shapes of bodies equals inferring the bodies together.
    """
    parts: dict[K, list[Node]] = {}
    for key, shape in shapes:
        parts.setdefault(key, []).append(shape)
    return {key: found[0] if len(found) == 1 else merge(*found) for key, found in parts.items()}


def group(
    interactions: Iterable[Interaction],
    pooled: Pooled | None = None,
    *,
    name_of: Callable[[Interaction], str] | None = None,
    maps: MapRule = AUTO,
) -> EndpointSet:
    """Shapes per endpoint and status; `name_of` overrides the derived endpoint name.

    A scan drops bodies and hands their shapes over `pooled`, keyed by the names `name_of`
    gives; without `pooled`, the interactions carry their bodies and these are inferred,
    each file's on its recording day as a scan pools them.
    """
    name = name_of or _automatic
    census = Census()
    inferred: list[tuple[PoolKey, Node]] = []
    for source, found in by_file(interactions):
        census.add_file(source, found, name)
        if pooled is None:
            _infer_into(inferred, census, found, name)
    if pooled is None:
        pooled = pool(inferred)
    return grouped(census, pooled, maps)


def _automatic(interaction: Interaction) -> str:
    return endpoint_key(interaction.method, interaction.uri)


def _infer_into(
    inferred: list[tuple[PoolKey, Node]],
    census: Census,
    found: Sequence[Interaction],
    name_of: Callable[[Interaction], str],
) -> None:
    """The JSON bodies of the file last added to `census`, inferred into its pools; a
    body too deep to infer is left out with a note."""
    position = len(census.paths) - 1
    day = day_of(interaction.recorded_at for interaction in found)
    for sample in found:
        if sample.kind is not BodyKind.JSON:
            continue
        name = name_of(sample)
        try:
            shape = infer(sample.body)
        except ShapeDepthError as error:
            notes = census.endpoints[name].statuses[sample.status].notes
            bisect.insort(notes, (position, sample.index, f"{error}; body left out"))
            continue
        inferred.append(((name, sample.status, day), shape))


def grouped(census: Census, pooled: Pooled, maps: MapRule = AUTO) -> EndpointSet:
    """A scan's census of one side, with its pooled shapes, per endpoint and status."""
    eras = _eras(pooled)
    return EndpointSet(
        endpoints={
            name: {
                status: summarize(census, counted, eras.get((name, status), ()), maps=maps)
                for status, counted in sorted(tally.statuses.items())
            }
            for name, tally in sorted(census.endpoints.items())
        }
    )


Era = tuple[str, Node]  # a recording day, and the shape of the bodies recorded on it


def _eras(pooled: Pooled) -> dict[tuple[str, int], list[Era]]:
    """Pooled shapes per endpoint and status, by day (a key without a day: undated)."""
    found: dict[tuple[str, int], list[Era]] = {}
    for (name, status, *day), shape in pooled.items():
        found.setdefault((name, status), []).append((day[0] if day else UNDATED, shape))
    return found


def summarize(
    census: Census, counted: StatusTally, eras: Sequence[Era] = (), *, maps: MapRule = AUTO
) -> StatusShape:
    """One endpoint and status: its interactions as `census` counted them, and the merged
    shape of its `eras`; with a note for every body left out. Maps are settled per era and
    over all eras (as `maps` says): grouping the files into runs or days never decides
    what is a map."""
    notes = census.notes(counted)
    notes.extend(
        f"{count} {kind} bod{'y' if count == 1 else 'ies'} not JSON, left out of the shape"
        for kind, count in sorted(counted.skipped.items())
    )
    eras = [(day, settled(shape, maps)) for day, shape in eras] if len(eras) > 1 else eras
    merged = _settled(_merged(eras), maps)
    if len(eras) == 1 and merged is not None:
        eras = [(eras[0][0], merged)]  # one day: its shape is the whole, settled once
    return StatusShape(
        samples=counted.samples,
        content_types=dict(sorted(counted.content_types.items())),
        shape=merged,
        notes=tuple(notes),
        location=census.location(counted),
        eras=tuple(sorted(eras, key=_day)) if any(day for day, _ in eras) else (),
        headers=counted.headers,
    )


def _merged(eras: Sequence[Era]) -> Node | None:
    """The shape of every era together, merged in the order the eras were met."""
    if not eras:
        return None
    return eras[0][1] if len(eras) == 1 else merge(*(shape for _, shape in eras))


def _settled(shape: Node | None, maps: MapRule) -> Node | None:
    return None if shape is None or len(shape.types) == 0 else settled(shape, maps)


def _day(era: Era) -> str:
    return era[0]
