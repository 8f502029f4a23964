"""Names for what `driftcheck init` writes: endpoint names read from the path (`users`,
`user`, `user_orders`, `graphql_viewer`), URL placeholder names, variable names.

A name is how a report labels an endpoint and the file `record` writes, so it must be
short, unique and a valid file name (config's rule); the path says what the endpoint is,
so the name comes from it rather than from a counter.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from driftcheck.config_checks import MAX_NAME
from driftcheck.core.endpoints import API_PREFIXES, is_version_segment
from driftcheck.core.matchers import is_placeholder, templated
from driftcheck.core.query_secrets import snake

_EXTENSION = re.compile(r"\.(?:json|xml|yaml|yml)\Z", re.IGNORECASE)
_ADDRESS = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}\Z")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "testserver"})


@dataclass(frozen=True, slots=True)
class Draft:
    """An endpoint before it is named: its automatic key split up, and the GraphQL
    operation that sets it apart from others at the same URL."""

    method: str
    host: str  # with its port
    segments: tuple[str, ...]  # the path template's segments, `{id}` for ids
    operation: str | None = None

    @classmethod
    def of(cls, key: str, operation: str | None = None) -> Draft:
        method, _, rest = key.partition(" ")
        host, _, path = rest.partition("/")
        return cls(method, host, tuple(s for s in path.split("/") if s), operation)


def singular(word: str) -> str:
    """A plain English singular, good enough for a label (`users` -> `user`)."""
    lower = word.lower()
    if lower.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if lower.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _words(segments: Sequence[str]) -> list[str]:
    """The path's resource words: versions and a leading `api` dropped, a collection
    followed by an id made singular."""
    words: list[str] = []
    for index, segment in enumerate(segments):
        previous = segments[index - 1] if index else None
        after = templated(segment)
        if after:  # `{id}:cancel`: the custom method names what the endpoint does
            words.append(snake(after))
            continue
        if after is not None or is_version_segment(segment, previous):
            continue
        if not words and segment.lower() in API_PREFIXES:
            continue
        following = segments[index + 1] if index + 1 < len(segments) else ""
        word = snake(_EXTENSION.sub("", segment))
        words.append(singular(word) if templated(following) is not None else word)
    return [word for word in words if word]


def base_name(draft: Draft) -> str:
    """The name from the path alone: non-GET methods say so, an operation follows."""
    words = _words(draft.segments) or [snake(s) for s in draft.segments if not is_placeholder(s)]
    name = "_".join(word for word in words if word) or "root"
    if draft.operation is not None:
        return f"{name}_{snake(draft.operation) or 'operation'}"
    return name if draft.method == "GET" else f"{draft.method.lower()}_{name}"


def host_label(host: str) -> str:
    """`api.github.com` -> `github`; a local host -> `local`."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if is_local(host):
        return "local"
    if _ADDRESS.match(name):
        return "host_" + name.replace(".", "_")
    labels = [label for label in name.split(".") if label]
    return snake(labels[-2] if len(labels) > 1 else labels[0] if labels else "host") or "host"


def is_local(host: str) -> bool:
    """A host only the machine that recorded could reach (a test server)."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host.strip("[]")
    name = name.strip("[]").lower()
    return name in LOCAL_HOSTS or name.endswith(".localhost") or name.startswith("127.")


def endpoint_names(drafts: Sequence[Draft]) -> dict[Draft, str]:
    """A unique name per draft, from its path. Where names collide, what tells the
    endpoints apart is added, in turn: their hosts' labels, their API versions (`_v2`),
    `_by_id` for the one that names a record; a number last."""
    names = {draft: base_name(draft) for draft in drafts}
    for tell in (_by_host, _by_version, _by_id):
        for clash in _clashes(names):
            names.update(tell(clash, names))
    names = {draft: _bounded(name) for draft, name in names.items()}
    for clash in _clashes(names):
        for number, draft in enumerate(clash[1:], start=2):
            names[draft] = f"{names[draft]}_{number}"
    return names


def _bounded(name: str) -> str:
    """A name the config accepts (a file name of at most `MAX_NAME` characters): a long
    one cut, and told apart from others cut alike by a digest of the whole."""
    if len(name) <= MAX_NAME - 8:  # room for a `_2` when names collide
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[: MAX_NAME - 20].rstrip('_')}_{digest}"


Renames = dict[Draft, str]


def _by_host(clash: list[Draft], names: Mapping[Draft, str]) -> Renames:
    """Prefixed by the host's label (`github`), or the labels of its name that the others
    lack (`us_west_2`, `vcr`), or its label and port (`local_3000`): the first that tells
    them apart."""
    hosts = [d.host for d in clash]
    if len(set(hosts)) < len(clash):
        return {}
    for labels in (
        [host_label(h) for h in hosts],
        _distinct_labels(hosts),
        list(map(_with_port, hosts)),
    ):
        if len(set(labels)) == len(clash) and all(labels):
            return {d: f"{label}_{names[d]}" for d, label in zip(clash, labels, strict=True)}
    return {}


def _with_port(host: str) -> str:
    """`local_3000` for `127.0.0.1:3000`; the whole host when it has no port."""
    name, _, port = host.rpartition(":") if host.count(":") == 1 else ("", "", "")
    return f"{host_label(host)}_{port}" if name and port.isdigit() else snake(host)


def _distinct_labels(hosts: Sequence[str]) -> list[str]:
    """Per host, the labels of its name no other host has."""
    split = [host.rsplit(":", 1)[0].split(".") for host in hosts]
    seen = Counter(label for labels in split for label in set(labels))
    return [snake("_".join(label for label in labels if seen[label] == 1)) for labels in split]


def _version(draft: Draft) -> str:
    for index, segment in enumerate(draft.segments):
        if is_version_segment(segment, draft.segments[index - 1] if index else None):
            return snake(segment if segment[:1] in "vV" else f"v{segment}")
    return ""


def _by_version(clash: list[Draft], names: Mapping[Draft, str]) -> Renames:
    versions = {d: _version(d) for d in clash}
    if len(set(versions.values())) < 2:
        return {}
    return {d: f"{names[d]}_{versions[d]}" for d in clash if versions[d]}


def _by_id(clash: list[Draft], names: Mapping[Draft, str]) -> Renames:
    items = [d for d in clash if d.segments and is_placeholder(d.segments[-1])]
    if not items or len(items) == len(clash):
        return {}
    return {d: f"{names[d]}_by_id" for d in items}


def _clashes(names: Mapping[Draft, str]) -> list[list[Draft]]:
    taken: dict[str, list[Draft]] = defaultdict(list)
    for draft, name in names.items():
        taken[name].append(draft)
    return [group for group in taken.values() if len(group) > 1]


def placeholder_names(segments: Sequence[str], taken: frozenset[str] = frozenset()) -> list[str]:
    """A name per `{id}` of a path: `id` when it is the only one, else named after the
    collection before it (`user_id`, `order_id`); never one of `taken` (query keys)."""
    positions = [index for index, segment in enumerate(segments) if templated(segment) is not None]
    names: list[str] = []
    for position in positions:
        before = [s for s in segments[:position] if templated(s) is None]
        base = "id"
        if len(positions) > 1 and before:
            base = f"{singular(snake(before[-1])) or 'path'}_id"
        name, number = base, 2
        while name in names or name in taken:
            name, number = f"{base}_{number}", number + 1
        names.append(name)
    return names


def variable(name: str, prefix: str = "") -> str:
    """An environment variable for a credential: `X-Api-Key` -> `API_KEY`, `token` ->
    `API_TOKEN`, with a host's prefix when several hosts need credentials."""
    words = snake(name).upper().split("_")
    if words and words[0] == "X" and len(words) > 1:
        words = words[1:]
    if len(words) == 1 and words[0] != "API":
        words = ["API", *words]
    text = "_".join(word for word in words if word) or "API_SECRET"
    prefix = prefix.upper()
    return f"{prefix}_{text}" if prefix and not text.startswith(f"{prefix}_") else text
