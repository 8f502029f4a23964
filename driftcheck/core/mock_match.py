"""Each mock matched to a recorded endpoint, or listed with the reason it is not (pure).

Evidence is tried from the most specific to the least; the first that decides wins:

1. a config pin naming this very payload (its file and line): `config`;
2. the method and URL the test states: `url` (a regex: see `_Matching._regex`);
3. a config pin naming the payload's file (line 0), if the mock states no URL: `config`;
4. the URL the patched callable is called with in the code under test: `patch-target`;
5. shape similarity, when one endpoint is a clear best match (`shape_match.py`): `shape`.

A mock stating a URL is never matched by shape: a URL no recording fits was never
recorded, and attaching the mock elsewhere by its keys is the silent wrong mapping this
module exists to prevent. The mock's status selects the recordings of that status
(None: the 2xx status with most samples); one never recorded is a reason, not a fallback.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from driftcheck.core.matchers import ANY_METHOD, Matcher, Target, all_matches, templated
from driftcheck.core.mocks import Mock, MocksFound, Skipped
from driftcheck.core.model import (
    CheckedMock,
    EndpointSet,
    Location,
    MatchedBy,
    MockCoverage,
    StatusShape,
    UnmatchedMock,
)
from driftcheck.core.shape_match import Profile, ShapeMiss, clear_best, payload_keys, status_profile

PatchCall = tuple[str | None, str]  # (method, None when not literal; URL template)
PatchUrls = Mapping[str, Sequence[PatchCall]]
Pins = Mapping[Location, str]  # the config's pins: a payload's file and line (0: the whole
# file) -> the endpoint named for it

SAMPLE_ID = "1"  # fills a template's placeholders when a URL regex has no recorded URL


@dataclass(frozen=True, slots=True)
class Recorded:
    """One recorded endpoint as matching sees it: its matcher (configured, or built from
    its automatic key), its shapes per status, and its recorded request URLs, which a
    URL-regex mock is tested against (all of them: `every`, when `uris` are the first)."""

    matcher: Matcher
    statuses: Mapping[int, StatusShape]
    uris: tuple[str, ...] = ()
    every: Callable[[], tuple[str, ...]] | None = None  # reads every recorded URL again

    @property
    def name(self) -> str:
        return self.matcher.name


def automatic(key: str, statuses: Mapping[int, StatusShape], uris: Iterable[str] = ()) -> Recorded:
    """An endpoint known by its automatic key, `GET api.example.com/users/{id}`."""
    method, _, url = key.partition(" ")
    if not url:
        raise ValueError(f"not an endpoint key: {key!r}")
    return Recorded(Matcher.of(key, method, url), statuses, tuple(uris))


def recorded_endpoints(
    endpoints: EndpointSet,
    matchers: Sequence[Matcher] = (),
    uris: Mapping[str, Sequence[str]] | None = None,
    every: Mapping[str, Callable[[], tuple[str, ...]]] | None = None,
) -> tuple[Recorded, ...]:
    """Every endpoint of a recording: by the configured matcher of its name, else by its
    automatic key (a name that is neither is left out); `every` as `Recorded.every`."""
    configured = {matcher.name: matcher for matcher in matchers}
    found: list[Recorded] = []
    for name, statuses in endpoints.endpoints.items():
        urls = tuple((uris or {}).get(name, ()))
        more = (every or {}).get(name)
        if name in configured:
            found.append(Recorded(configured[name], statuses, urls, more))
        elif " " in name:
            found.append(replace(automatic(name, statuses, urls), every=more))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Matched:
    """A mock, the endpoint and recorded status it is checked against, and how."""

    mock: Mock
    endpoint: str
    status: int
    matched_by: MatchedBy
    note: str | None = None  # for `shape`: the similarity that decided

    @property
    def location(self) -> Location:
        return self.mock.call


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A mock (or a skipped call) nothing is checked against, with why; `endpoints` are
    the ones the reason names (tied candidates, the endpoint lacking the status)."""

    mock: Mock | Skipped
    reason: str
    endpoints: tuple[str, ...] = ()

    @property
    def location(self) -> Location:
        return self.mock.call if isinstance(self.mock, Mock) else self.mock.location


@dataclass(frozen=True, slots=True)
class MockMatches:
    """Every mock's outcome, and the coverage facts a report lists."""

    matched: tuple[Matched, ...] = ()
    unmatched: tuple[Unmatched, ...] = ()
    unrecorded: tuple[str, ...] = ()  # `METHOD URL` mocked (or patched) but never recorded
    unmocked: tuple[str, ...] = ()  # endpoints recorded that no mock or skipped call names

    def coverage(self) -> MockCoverage:
        """The report's view: where each mock is, what it was held to, or why not."""
        checked = (
            CheckedMock(m.location, m.endpoint, m.status, m.matched_by, m.mock.library, _name(m))
            for m in self.matched
        )
        unmatched = (
            UnmatchedMock(u.location, u.reason, u.mock.library, _name(u)) for u in self.unmatched
        )
        return MockCoverage(tuple(checked), tuple(unmatched), self.unrecorded, self.unmocked)


def _name(outcome: Matched | Unmatched) -> str:
    mock = outcome.mock
    return mock.fixture.name if isinstance(mock, Mock) else mock.name


def match_mocks(
    found: MocksFound,
    endpoints: Sequence[Recorded],
    patch_urls: PatchUrls | None = None,
    configured: Pins | None = None,
) -> MockMatches:
    """Each mock matched to an endpoint, or unmatched with its reason; never dropped.

    `patch_urls`: patch target -> the (method, URL)s the patched callable is called with
    in the code under test. A standalone payload (a pytest fixture, a data file) that a
    mock call serves is left out: the call is matched, not it.
    """
    matching = _Matching(endpoints, patch_urls or {}, configured or {})
    results = [matching.mock(mock) for mock in _unserved(found.mocks)]
    results.extend(matching.skipped(skipped) for skipped in found.skipped)
    matched = tuple(r for r in results if isinstance(r, Matched))
    mocked = matching.mocked | {r.endpoint for r in matched}
    return MockMatches(
        matched,
        tuple(r for r in results if isinstance(r, Unmatched)),
        tuple(sorted(matching.unrecorded)),
        tuple(r.name for r in endpoints if r.name not in mocked),
    )


def _unserved(mocks: Sequence[Mock]) -> list[Mock]:
    """The mocks to match: every call, and each standalone payload no call serves (a
    fixture feeding a call, a data file also loaded as a call's body, a conftest fixture
    a call reads through its name)."""
    calls = [mock for mock in mocks if not mock.standalone]
    places: set[tuple[str, int | str | None]] = {(m.fixture.file, m.fixture.line) for m in calls}
    places |= {(m.fixture.file, m.via_fixture) for m in calls if m.via_fixture}

    def served(m: Mock) -> bool:
        own = {(m.fixture.file, m.fixture.line), (m.fixture.file, m.fixture_name)}
        return bool(m.feeds or own & places)

    return [mock for mock in mocks if not (mock.standalone and served(mock))]


def looks_like_api(url: str) -> bool:
    """Whether a mock's URL says where it goes: it starts with a literal and has a
    literal host (with a dot or a port, or localhost) or a literal path segment."""
    if url.startswith("{"):
        return False
    target = Target.of(None, url)
    host = target.host or ""
    if "{" not in host and ("." in host or ":" in host or host == "localhost"):
        return True
    return any(templated(segment) != "" for segment in target.segments)  # not only `{x}`


def _status(recorded: Recorded, status: int | None) -> int | str:
    """The recorded status a mock's status selects, or why there is none."""
    statuses = recorded.statuses
    if status is None:
        success = [code for code in statuses if 200 <= code < 300]
        if success:
            return max(success, key=lambda code: (statuses[code].samples, -code))
        wanted = "2xx"
    elif status in statuses:
        return status
    else:
        wanted = str(status)
    seen = ", ".join(map(str, sorted(statuses))) or "nothing"
    return f"{recorded.name} was never recorded answering {wanted} (recorded: {seen})"


Undecided = tuple[str, tuple[Recorded, ...] | None]  # why a patch target did not decide


class _Matching:
    """One run of matching: the endpoints, and the coverage facts gathered on the way."""

    def __init__(self, endpoints: Sequence[Recorded], patch_urls: PatchUrls, pins: Pins) -> None:
        self.endpoints = tuple(endpoints)
        self.by_name = {recorded.name: recorded for recorded in self.endpoints}
        self.matchers = [recorded.matcher for recorded in self.endpoints]
        self.patch_urls = patch_urls
        self.configured = pins
        self.unrecorded: set[str] = set()
        self.mocked: set[str] = set()
        self.profiles: dict[tuple[str, int | None], Profile | None] = {}

    def mock(self, mock: Mock) -> Matched | Unmatched:
        fixture = mock.fixture
        pinned = self.configured.get(Location(fixture.file, fixture.line))
        if pinned is not None and fixture.line > 0:
            return self._pinned(mock, pinned)
        if mock.url and (mock.url_regex or looks_like_api(mock.url)):
            return self._by_url(mock, mock.url)
        pinned = self.configured.get(Location(fixture.file))
        if pinned is not None:
            return self._pinned(mock, pinned)
        why = [f"its URL `{mock.url}` does not say where it goes"] if mock.url else []
        among: tuple[Recorded, ...] | None = None
        if mock.patch_target is not None:
            decided = self._by_patch(mock, mock.patch_target)
            if isinstance(decided, (Matched, Unmatched)):
                return decided
            why.append(decided[0])
            among = decided[1]
        return self._by_shape(mock, why, among)

    def skipped(self, skipped: Skipped) -> Unmatched:
        """A call whose body is not data, with the endpoint its URL names, if any."""
        named: tuple[str, ...] = ()
        if skipped.url and looks_like_api(skipped.url):
            group = self._fit(skipped.method, skipped.url)
            if not group:
                self._never_recorded(skipped.method, skipped.url)
            named = tuple(recorded.name for recorded in group)
            self.mocked.update(named)
        against = f" against {' or '.join(named)}" if named else ""
        return Unmatched(skipped, f"{skipped.reason}; not checked{against}", named)

    def _pinned(self, mock: Mock, name: str) -> Matched | Unmatched:
        if name not in self.by_name:
            return Unmatched(mock, f"the config names it for `{name}`, never recorded", (name,))
        return self._resolve(mock, self.by_name[name], "config")

    def _by_url(self, mock: Mock, url: str) -> Matched | Unmatched:
        if mock.url_regex:
            group = self._regex(mock.method, url)
            if isinstance(group, str):
                return Unmatched(mock, group)
            if not group:
                return Unmatched(mock, f"its URL regex `{url}` matches no recorded endpoint")
        else:
            group = self._fit(mock.method, url)
            if not group:
                return Unmatched(mock, self._never_recorded(mock.method, url))
        return self._choose(mock, group, "url")

    def _fit(self, method: str | None, url: str) -> list[Recorded]:
        """The endpoints a method and URL fit most closely (more than one: a tie); a host
        the test leaves unknown (`{host}`) fits any."""
        target = Target.of(method, url)
        if target.host and "{" in target.host:
            target = replace(target, host=None)
        found = all_matches(self.matchers, target)
        if not found:
            return []
        top = found[0].score(target)
        return [self.by_name[m.name] for m in found if m.score(target) == top]

    def _regex(self, method: str | None, pattern: str) -> list[Recorded] | str:
        """The endpoints whose recorded URLs (else their template with `SAMPLE_ID` for
        each placeholder) the regex finds: those where it reaches the end of the path
        first, so `/users/\\d+` means `/users/{id}` and not `/users/{id}/orders`."""
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            return f"its URL regex `{pattern}` does not compile: {error}"
        tight: list[Recorded] = []
        loose: list[Recorded] = []
        for recorded in self.endpoints:
            if method is not None and recorded.matcher.method != method.upper():
                continue
            urls = recorded.every() if recorded.every else recorded.uris
            fit = max(_regex_fit(compiled, u) for u in urls or (_sample(recorded),))
            if fit:
                (tight if fit == 2 else loose).append(recorded)
        return tight or loose

    def _choose(
        self, mock: Mock, group: list[Recorded], by: MatchedBy, note: str | None = None
    ) -> Matched | Unmatched:
        """The one endpoint of a tie that recorded the mock's status; else a tie."""
        if len(group) > 1:
            answering = [r for r in group if isinstance(_status(r, mock.status), int)]
            if len(answering) != 1:
                names = tuple(recorded.name for recorded in group)
                self.mocked.update(names)
                reason = f"fits {len(names)} endpoints equally: {', '.join(names)}"
                return Unmatched(mock, reason, names)
            group = answering
        return self._resolve(mock, group[0], by, note)

    def _resolve(
        self, mock: Mock, recorded: Recorded, by: MatchedBy, note: str | None = None
    ) -> Matched | Unmatched:
        status = _status(recorded, mock.status)
        if isinstance(status, str):
            self.mocked.add(recorded.name)
            return Unmatched(mock, status, (recorded.name,))
        return Matched(mock, recorded.name, status, by, note)

    def _never_recorded(self, method: str | None, url: str) -> str:
        label = f"{method or ANY_METHOD} {url}"
        self.unrecorded.add(label)
        return f"{label} fits no recorded endpoint"

    def _by_patch(self, mock: Mock, target: str) -> Matched | Unmatched | Undecided:
        """By the URLs the patched callable is called with: one endpoint decides; none
        fitting means never recorded; several leave shape to choose among them."""
        calls = list(
            dict.fromkeys((m or mock.method, u) for m, u in self.patch_urls.get(target, ()))
        )
        if not calls:
            return f"`{target}` is called with no static URL in the code under test", None
        fits: dict[str, Recorded] = {}
        misses: list[str] = []
        for method, url in calls:
            group = self._fit(method, url)
            fits.update((recorded.name, recorded) for recorded in group)
            misses.extend([] if group else [f"{method or ANY_METHOD} {url}"])
        if len(fits) == 1 and not misses:
            return self._resolve(mock, next(iter(fits.values())), "patch-target")
        if not fits:
            self.unrecorded.update(misses)
            reason = f"`{target}` is called with {', '.join(misses)}, fitting no recorded endpoint"
            return Unmatched(mock, reason)
        shown = ", ".join([*fits, *misses])
        return f"`{target}` is called for several endpoints ({shown})", tuple(fits.values())

    def _by_shape(
        self, mock: Mock, why: list[str], among: tuple[Recorded, ...] | None
    ) -> Matched | Unmatched:
        """By shape similarity to the candidates that recorded the mock's method and
        status (`shape_match.clear_best` says how clear a match must be)."""
        payload = payload_keys(mock.fixture.value)
        if isinstance(payload, str):
            return Unmatched(mock, "; ".join([*why, payload]))
        candidates: list[tuple[str, int, Profile]] = []
        for recorded in among or self.endpoints:
            if mock.method is not None and recorded.matcher.method != mock.method.upper():
                continue
            status = _status(recorded, mock.status)
            profile = self._profile(recorded, mock.status)
            if isinstance(status, int) and profile is not None:
                candidates.append((recorded.name, status, profile))
        found = clear_best(payload, candidates)
        if isinstance(found, ShapeMiss):
            return Unmatched(mock, "; ".join([*why, found.reason]), found.endpoints)
        return Matched(mock, found.endpoint, found.status, "shape", found.note)

    def _profile(self, recorded: Recorded, status: int | None) -> Profile | None:
        key = (recorded.name, status)  # once per endpoint and status: many mocks ask
        if key not in self.profiles:
            self.profiles[key] = status_profile(recorded.statuses, status)
        return self.profiles[key]


def _regex_fit(compiled: re.Pattern[str], url: str) -> int:
    """2: the regex reaches the end of the URL's path; 1: it matches a part; 0: no."""
    found = compiled.search(url)
    if found is None:
        return 0
    path_end = len(re.split(r"[?#]", url, maxsplit=1)[0])
    return 2 if found.end() >= path_end else 1


def _sample(recorded: Recorded) -> str:
    matcher = recorded.matcher
    path = "/".join(s if (a := templated(s)) is None else SAMPLE_ID + a for s in matcher.segments)
    return f"https://{matcher.host}/{path}" if matcher.host else f"/{path}"
