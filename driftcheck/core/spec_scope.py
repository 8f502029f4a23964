"""Which recorded routes a spec describes (pure), and a note of those it left unchecked.

A spec whose servers are all absolute URLs describes those URLs only: a route is in its
scope when some server names its host and its path starts, segment by segment, with
that server's base path (`www.googleapis.com/drive/v3` is not `/calendar/v3`). A server
variable without `enum` stands for any one host label or path segment (`{store}`); one
that is a whole host names no host. A spec that names no absolute server describes one
API, the one serving it: when every recording is on one host, that host; when they span
several, none of them (which one it is would be a guess), and a note says so. A relative
server beside absolute ones leaves every host in scope.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from driftcheck.core.spec_model import Route, Spec

__all__ = [
    "Server",
    "host_of",
    "in_scope",
    "scope_note",
    "segments",
    "server_hosts",
    "servers_of",
    "under",
]

MAX_HOSTS = 3  # hosts named in the scope note; the rest are counted
_DEFAULT_PORTS = (":443", ":80")
_VARIABLE = re.compile(r"\{[^{}]*\}")
_WHOLE_HOST = re.compile(r"\{[^{}]*\}(:.*)?\Z")  # `{endpoint}`, `{host}:8080`
_FIX_HOST = (
    "if they are the API the spec describes, add a relative server (`url: /`) or one on "
    "their host to its `servers`"
)
_FIX_PATH = (
    "if they are the API the spec describes, add a server with their host and base path "
    "(or a relative one, `url: /`) to its `servers`"
)


@dataclass(frozen=True, slots=True)
class Server:
    """One server URL as scope and matching read it: its host (None: any host, for a
    relative URL or a host that is one variable) and base path (`""` for `/`)."""

    host: re.Pattern[str] | None
    shown: str  # the host as routes spell it, variables as written
    path: str

    @property
    def base(self) -> list[str]:
        """The base path's segments; a `{variable}` one stands for any segment."""
        return segments(self.path)


def host_of(netloc: str) -> str:
    """A host as routes spell it: lower case, no user info, no default port."""
    host = netloc.rpartition("@")[2].lower()
    for port in _DEFAULT_PORTS:
        if host.endswith(port):
            return host[: -len(port)]
    return host


def segments(path: str) -> list[str]:
    """A path's segments, decoded (`/` alone has none)."""
    return [unquote(part) for part in path.strip("/").split("/")] if path.strip("/") else []


def _pattern(host: str) -> re.Pattern[str]:
    """A server host with `{variables}` as a regular expression: each any one label."""
    pieces, position = [], 0
    for found in _VARIABLE.finditer(host):
        pieces.append(re.escape(host[position : found.start()]) + r"[^.]+")
        position = found.end()
    pieces.append(re.escape(host[position:]))
    return re.compile("".join(pieces))


@lru_cache(maxsize=64)
def _parsed(urls: tuple[str, ...]) -> tuple[Server, ...]:
    found: list[Server] = []
    for url in urls:
        try:
            parts = urlsplit(url)
        except ValueError:
            continue  # a server URL Python cannot read restricts nothing
        host = host_of(parts.netloc)
        pattern = _pattern(host) if host and not _WHOLE_HOST.match(host) else None
        found.append(Server(pattern, host, parts.path.rstrip("/")))
    return tuple(found)


def servers_of(spec: Spec) -> tuple[Server, ...]:
    """The spec's servers, read once per list of URLs."""
    return _parsed(tuple(spec.servers))


def under(base: list[str], path: list[str]) -> bool:
    """Whether a path's segments start with a base path's (a `{variable}`: any one)."""
    if len(path) < len(base):
        return False
    return all(b == p or _VARIABLE.fullmatch(b) for b, p in zip(base, path, strict=False))


def server_hosts(spec: Spec) -> frozenset[str] | None:
    """The hosts the spec's servers name; None when some server (or none at all) leaves
    the host open."""
    servers = servers_of(spec)
    if not servers or any(server.host is None for server in servers):
        return None
    return frozenset(server.shown for server in servers)


def _one_host(hosts: Iterable[str]) -> str | None:
    distinct = {host_of(host) for host in hosts}
    return distinct.pop() if len(distinct) == 1 else None


def in_scope(spec: Spec, route: Route, hosts: Collection[str] | None = None) -> bool:
    """Whether the spec describes the API `route` calls. `hosts`: the hosts of every
    recording the check sees, which bind a spec naming no absolute server to the one
    they are on (None: not known, any host)."""
    servers = servers_of(spec)
    absolute = [server for server in servers if server.host is not None]
    if not absolute:
        return hosts is None or host_of(route.host) == _one_host(hosts)
    if len(absolute) < len(servers):
        return True  # a relative server beside them: wherever the spec is served
    host, path = host_of(route.host), segments(route.path)
    return any(
        server.host is not None and server.host.fullmatch(host) and under(server.base, path)
        for server in absolute
    )


def _on_named_host(spec: Spec, route: Route) -> bool:
    host = host_of(route.host)
    return any(s.host is not None and s.host.fullmatch(host) for s in servers_of(spec))


def _listed(names: Iterable[str]) -> str:
    distinct = sorted({name or "no host" for name in names})
    shown = ", ".join(distinct[:MAX_HOSTS])
    extra = len(distinct) - MAX_HOSTS
    return shown + (f" and {extra} more" if extra > 0 else "")


def scope_note(spec: Spec, routes: Mapping[str, Route]) -> str | None:
    """What the spec left unchecked because its servers name other hosts or base paths
    (a springdoc spec's `http://localhost:8080`, say), or because it names no absolute
    server and the recordings span several hosts: a run that checked nothing must say so."""
    if not any(server.host is not None for server in servers_of(spec)):
        return _unbound_note(spec, routes)
    named = server_hosts(spec)
    outside = [route for route in routes.values() if not in_scope(spec, route)]
    if named is None or not outside:
        return None
    if not any(_on_named_host(spec, route) for route in outside):
        hosts = f"on {_listed(r.host for r in outside)}; the spec's servers name {_listed(named)}"
        words = ("is on a host {} do not name", "are on hosts {} do not name")
        return _said(spec, (len(routes), len(outside)), words, hosts, _FIX_HOST)
    urls = _listed(server.shown + server.path for server in servers_of(spec))
    hosts = f"on {_listed(r.host + r.path for r in outside)}; the spec's servers name {urls}"
    words = ("is outside the URLs {} name", "are outside the URLs {} name")
    return _said(spec, (len(routes), len(outside)), words, hosts, _FIX_PATH)


def _said(spec: Spec, counts: tuple[int, int], words: tuple[str, str], where: str, fix: str) -> str:
    """The note: nothing checked, or how many endpoints were not."""
    total, count = counts
    if count == total:
        which = (
            "the one recorded endpoint " + words[0].format("its servers")
            if total == 1
            else f"all {total} recorded endpoints " + words[1].format("its servers")
        )
        return f"nothing was checked against the spec {spec.file}: {which} ({where}); {fix}"
    noun = "endpoint " + words[0] if count == 1 else "endpoints " + words[1]
    said = noun.format("the spec's servers")
    return f"{count} of {total} recorded {said} ({where}): not held to the spec {spec.file}; {fix}"


def _unbound_note(spec: Spec, routes: Mapping[str, Route]) -> str | None:
    """A spec naming no absolute server against recordings on several hosts."""
    hosts = {host_of(route.host) for route in routes.values()}
    if len(hosts) < 2:
        return None
    return (
        f"nothing was checked against the spec {spec.file}: it names no absolute server "
        f"and the recordings are on {len(hosts)} hosts ({_listed(hosts)}); add the API's "
        "URL to its `servers` (`servers: [{url: https://api.example.com}]`)"
    )
