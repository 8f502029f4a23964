"""`driftcheck init`'s plan: each endpoint recorded in a repository, named, made
recordable, with what its recordings showed, and the mocks matched to the endpoints.

Endpoints are grouped as `diff` groups them (`METHOD host/path-template`, slugs
collapsed), split by GraphQL operation where several share a URL; each gets a name and a
URL template with named placeholders (`init_names.py`), the `params` its recordings took
and its recorded statuses (`init_params.py`). Credentials become `${VAR}`s.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from driftcheck.config import Endpoint
from driftcheck.core.census import Census, Operation
from driftcheck.core.endpoints import Names
from driftcheck.core.matchers import templated
from driftcheck.core.mock_match import MockMatches, Recorded
from driftcheck.core.model import FileError, StatusShape
from driftcheck.core.query_secrets import BUILTIN_QUERY
from driftcheck.core.slugs import group_sides
from driftcheck.errors import InputError
from driftcheck.run.init_names import Draft, endpoint_names, host_label, is_local, variable
from driftcheck.run.init_params import Harvest, Need, harvest, header_needs, request_body
from driftcheck.run.mocks import match_found
from driftcheck.run.recordings import every_uri
from driftcheck.sources.discovery import (
    WHAT_A_CASSETTE_IS,
    Discovered,
    Request,
    discover_repository,
    requests_of,
)
from driftcheck.sources.mocks import repository_mocks
from driftcheck.sources.scan import Scanned, Settings, scan

SAMPLED = 3  # recorded requests read per endpoint for its credentials and body
SKIPPED_PLACES = "hidden folders, virtualenvs, node_modules and site-packages skipped"


@dataclass(frozen=True, slots=True)
class Planned:
    """One endpoint to write, and what its recordings showed."""

    endpoint: Endpoint
    key: str  # the automatic key (`GET api.example.com/users/{id}`) it comes from
    statuses: Mapping[int, int]  # recordings per status
    variables: tuple[str, ...] = ()  # the `${VAR}`s written for its credentials
    notes: tuple[str, ...] = ()

    @property
    def recordings(self) -> int:
        return sum(self.statuses.values())

    @property
    def local(self) -> bool:
        return is_local(urlsplit(self.endpoint.url).netloc)


@dataclass(frozen=True, slots=True)
class Plan:
    """What `init` found and would write."""

    root: Path
    cassettes: Discovered
    endpoints: tuple[Planned, ...]
    mocks: MockMatches
    errors: tuple[FileError, ...] = ()  # cassettes and test modules that could not be read
    variables: Mapping[str, str] = field(default_factory=dict)  # VAR -> what it stands for
    scrub_query: tuple[str, ...] = ()
    scrub_body: tuple[str, ...] = ()


def no_cassettes(root: Path) -> InputError:
    return InputError(
        f"no cassettes found under {root} (every folder searched, {SKIPPED_PLACES}): "
        f"{WHAT_A_CASSETTE_IS}; record some with vcrpy or pytest-recording first"
    )


def plan_config(root: Path, reading: Settings) -> Plan:
    """Every endpoint recorded under `root`, named and made recordable, with the mocks
    matched to them."""
    found = discover_repository(root)
    if not found.files:
        raise no_cassettes(root)
    scanned = scan(list(found.files), reading)
    (grouped,), names, (census,) = group_sides([(scanned.census, scanned.shapes)])
    seen = _seen(census)
    naming = endpoint_names([s.draft for s in seen])
    hosts = {s.draft.host for s in seen if s.needs}
    planned = [_planned(s, naming[s.draft], len(hosts) > 1) for s in seen]
    statuses = _statuses(planned, seen, grouped.endpoints, scanned, reading)
    mocks = repository_mocks(root)
    recorded = [
        Recorded(
            p.endpoint.matcher,
            statuses[p.endpoint.name],
            tuple(s.found.recorded()),
            functools.cache(functools.partial(every_uri, census, names, s.key))
            if s.found.dropped
            else None,
        )
        for p, s in zip(planned, seen, strict=True)
    ]
    matches = match_found(mocks, recorded, root)
    needs = [(s.draft.host, need) for s in seen for need in s.needs]
    return Plan(
        root=root,
        cassettes=found,
        endpoints=tuple(planned),
        mocks=matches,
        errors=(*scanned.errors, *mocks.errors),
        variables=_purposes(needs, len(hosts) > 1),
        scrub_query=tuple(sorted({n.name for _, n in needs if n.where == "query"} - BUILTIN_QUERY)),
        scrub_body=tuple(sorted({n.name for _, n in needs if n.where == "json"})),
    )


@dataclass(frozen=True, slots=True)
class _Seen:
    """One endpoint's recordings, before it is named."""

    key: str  # its automatic key
    draft: Draft
    found: Operation  # its interactions, counted
    harvest: Harvest
    sampled: tuple[Request, ...]  # its first recorded requests
    needs: tuple[Need, ...]  # the credentials they carried


def _seen(census: Census) -> list[_Seen]:
    """Endpoints per automatic key, and per GraphQL operation within a key; with what
    the first few recorded requests carried."""
    slots = sorted(
        (key, name, operation)
        for key, tally in census.endpoints.items()
        for name, operation in tally.operations.items()
    )
    wanted = [census.paths[p] for *_, found in slots for p, _ in found.sampled[:SAMPLED]]
    read = requests_of(Path(path) for path in wanted)
    seen = []
    for key, name, found in slots:
        draft = Draft.of(key, name or None)
        spots = found.sampled[:SAMPLED]
        requests = [read[Path(census.paths[position])] for position, _ in spots]
        sampled = tuple(
            r[index] for r, (_, index) in zip(requests, spots, strict=True) if index < len(r)
        )
        harvested = harvest(draft.segments, found.recorded())
        body = request_body(sampled[0] if sampled else None, draft.method)
        needs = (*header_needs(sampled), *harvested.needs, *body.needs)
        seen.append(_Seen(key, draft, found, harvested, sampled, needs))
    return seen


def _variable(need: Need, host: str, prefixed: bool) -> str:
    """The `${VAR}` of a credential: `API_TOKEN` for an Authorization header, `API_KEY`
    for an `api_key` parameter; with the host's label when several hosts need some."""
    prefix = host_label(host) if prefixed else ""
    if need.where == "header" and need.name.lower() == "authorization":
        base = "basic_auth" if need.template.startswith("Basic ") else "token"
        return variable(base, prefix)
    return variable(need.name, prefix)


def _purposes(needs: Sequence[tuple[str, Need]], prefixed: bool) -> dict[str, str]:
    """Each variable, and what it stands for (`Authorization header for api.example.com`)."""
    purposes: dict[str, dict[str, list[str]]] = {}
    for host, need in needs:
        what = f"{need.name} {'in the body' if need.where == 'json' else need.where}"
        hosts = purposes.setdefault(_variable(need, host, prefixed), {}).setdefault(what, [])
        if host not in hosts:
            hosts.append(host)
    return {
        name: "; ".join(f"{what} for {', '.join(hosts)}" for what, hosts in whats.items())
        for name, whats in sorted(purposes.items())
    }


def _planned(seen: _Seen, name: str, prefixed: bool) -> Planned:
    """The endpoint to write: URL template, params, query, credentials, body, statuses."""
    draft, harvested = seen.draft, seen.harvest
    named = {need: _variable(need, draft.host, prefixed) for need in seen.needs}
    body = request_body(
        seen.sampled[0] if seen.sampled else None,
        draft.method,
        lambda need: _variable(need, draft.host, prefixed),
    )
    secret = {n.name: "${" + v + "}" for n, v in named.items() if n.where == "query"}
    endpoint = Endpoint(
        name=name,
        url=_url(draft, harvested, next(iter(seen.found.uris))),
        method=draft.method,
        params=harvested.params,
        query={**harvested.query, **secret},
        headers={
            n.name: n.template.format("${" + v + "}")
            for n, v in named.items()
            if n.where == "header"
        },
        json=body.value,
        expect_status=tuple(sorted(seen.found.statuses)),
        operation=draft.operation,
    )
    notes = tuple(note for note in (body.note, _left_out(harvested)) if note)
    variables = tuple(dict.fromkeys(named.values()))
    statuses = dict(sorted(seen.found.statuses.items()))
    return Planned(endpoint, seen.key, statuses, variables, notes)


def _left_out(harvested: Harvest) -> str | None:
    if not harvested.left_out:
        return None
    return f"{harvested.left_out} recorded URLs with other query keys are not re-recorded"


def _url(draft: Draft, harvested: Harvest, first: str) -> str:
    """`https://api.example.com/users/{id}`: scheme and host as recorded, the trailing
    slash too (a server may redirect without it)."""
    parts = urlsplit(first)
    names = iter(harvested.placeholders)
    path = "/".join(
        _literal(segment) if (after := templated(segment)) is None else f"{{{next(names)}}}{after}"
        for segment in draft.segments
    )
    slash = "/" if parts.path.endswith("/") and draft.segments else ""
    return f"{parts.scheme or 'https'}://{draft.host}/{path}{slash}"


def _literal(segment: str) -> str:
    """A literal segment as a format string keeps it (`{`, `}` would be placeholders)."""
    return segment.replace("{", "%7B").replace("}", "%7D")


def _statuses(
    planned: Sequence[Planned],
    seen: Sequence[_Seen],
    grouped: Mapping[str, Mapping[int, StatusShape]],
    scanned: Scanned,
    reading: Settings,
) -> dict[str, Mapping[int, StatusShape]]:
    """Each endpoint's shapes per status, as `diff` will see them: by its automatic key,
    or, where GraphQL operations share a URL, scanned again with the endpoints' matchers
    so each operation has its own shapes."""
    if not any(p.endpoint.operation for p in planned):
        return {p.endpoint.name: grouped[s.key] for p, s in zip(planned, seen, strict=True)}
    matchers = [p.endpoint.matcher for p in planned]
    files = [Path(path) for path in scanned.paths]
    again = scan(files, reading, matchers)
    (endpoints,), _, _ = group_sides([(again.census, again.shapes)], Names(matchers))
    return {p.endpoint.name: endpoints.endpoints.get(p.endpoint.name, {}) for p in planned}
