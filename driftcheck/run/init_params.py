"""What `record` needs to call an endpoint again, read from its recordings: `params` for
the URL's placeholders and the query's varying keys, the constant `query`, the request's
JSON body, and the credentials it carried, which are never written: they become
`${VAR}` placeholders (names chosen in `init_names.variable`).

`record` calls every combination of `params`, so the values chosen are those whose every
combination was recorded: each sample then repeats a recorded call, and none asks for a
record that never existed (user 2's order 7).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from driftcheck import jsonio
from driftcheck.core.matchers import templated
from driftcheck.core.query_secrets import SECRET_NAME, looks_secret, secret_query, snake
from driftcheck.record.scrub import secret_header
from driftcheck.run.init_names import placeholder_names
from driftcheck.sources.discovery import Request

MAX_VALUES = 5  # values per param: enough to sample an endpoint, few enough to re-record often
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9_-]*) +\S")
_CANONICAL_INT = re.compile(r"(?:0|[1-9]\d{0,14})\Z")
NOT_A_CREDENTIAL = frozenset({"cookie", "set-cookie"})  # a session's, not the API's


@dataclass(frozen=True, slots=True)
class Need:
    """A credential a recording carried: where it goes, its name, and what the written
    value looks like around the variable (`Bearer {}`)."""

    where: str  # "header" or "query"
    name: str
    template: str = "{}"


@dataclass(frozen=True, slots=True)
class Harvest:
    """What an endpoint's recorded URLs say about calling it again."""

    placeholders: tuple[str, ...]  # the URL's, in path order
    params: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    needs: tuple[Need, ...] = ()
    left_out: int = 0  # recorded URLs with other query keys than the first: not sampled


def _path(uri: str) -> tuple[list[str], list[tuple[str, str]]]:
    """A URI's path segments as `endpoint_key` splits them, and its query pairs."""
    parts = urlsplit(uri)
    raw = parts.path.split("/")
    if len(raw) > 2 and raw[-1] == "":
        raw.pop()
    return [s for s in raw if s], parse_qsl(parts.query, keep_blank_values=True)


def typed(text: str) -> Any:
    """`42` is written as a number (it formats back the same), `007` stays text."""
    return int(text) if _CANONICAL_INT.match(text) else text


def harvest(segments: Sequence[str], uris: Sequence[str]) -> Harvest:
    """Placeholder names, params and query from the recorded URLs of one endpoint whose
    path template has `segments` (`{id}` for ids)."""
    suffixes = {n: after for n, s in enumerate(segments) if (after := templated(s)) is not None}
    rows: list[tuple[tuple[str, ...], dict[str, str]]] = []
    for uri in uris:
        path, pairs = _path(uri)
        if len(path) == len(segments):
            values = tuple(path[n][: len(path[n]) - len(after)] for n, after in suffixes.items())
            rows.append((values, dict(pairs)))
    first = rows[0][1] if rows else {}
    names = placeholder_names(segments, frozenset(first))
    if not rows:
        return Harvest(tuple(names))
    same = [row for row in rows if row[1].keys() == first.keys()]
    secret = [key for key, value in first.items() if secret_query(key, value)]
    constant = {
        key: value
        for key, value in first.items()
        if key not in secret and all(row[1][key] == value for row in same)
    }
    varying = [key for key in first if key not in secret and key not in constant]
    chosen = covering([(*values, *(query[k] for k in varying)) for values, query in same])
    columns = [*names, *varying]
    params = {
        name: tuple(typed(v) for v in values) for name, values in zip(columns, chosen, strict=True)
    }
    needs = tuple(Need("query", key) for key in secret)
    return Harvest(tuple(names), params, constant, needs, len(rows) - len(same))


def covering(rows: Sequence[tuple[str, ...]], cap: int = MAX_VALUES) -> list[list[str]]:
    """Values per column, in recorded order, whose every combination is a recorded row:
    rows are taken in turn while that holds and no column passes `cap` values."""
    distinct = list(dict.fromkeys(rows))
    if not distinct or not distinct[0]:
        return []
    recorded = set(distinct)
    chosen = [[value] for value in distinct[0]]
    for row in distinct[1:]:
        if all(len(column) >= cap for column in chosen):
            break
        trial = [
            column if v in column else [*column, v] for column, v in zip(chosen, row, strict=True)
        ]
        if trial == chosen or any(len(column) > cap for column in trial):
            continue
        if all(combination in recorded for combination in itertools.product(*trial)):
            chosen = trial
    return chosen


def header_needs(requests: Iterable[Request]) -> tuple[Need, ...]:
    """The credential headers the requests carried (names only; values never kept)."""
    found: dict[str, Need] = {}
    for request in requests:
        for name, values in request.headers.items():
            if name in found or name in NOT_A_CREDENTIAL or not secret_header(name):
                continue
            found[name] = Need("header", _header_case(name), _around(name, values))
    return tuple(found[name] for name in sorted(found))


def _header_case(name: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def _around(name: str, values: Sequence[str]) -> str:
    """`Bearer {}` when an Authorization value was `Bearer ...`; `{}` for a bare token."""
    if name not in {"authorization", "proxy-authorization"}:
        return "{}"
    value = values[0] if values else ""
    scheme = _SCHEME.match(value)
    if scheme is not None:
        return scheme.group(1) + " {}"
    return "Bearer {}" if not value or looks_secret(value) else "{}"


@dataclass(frozen=True, slots=True)
class Body:
    """A request body as the config's `json` can say it, or why it is left out."""

    value: Any = None
    note: str | None = None
    needs: tuple[Need, ...] = ()


Naming = Callable[[Need], str]  # a credential's `${VAR}` name


def secret_field(key: str, value: Any = "") -> bool:
    """A body member whose value must not be written (stricter than the query's: `key`
    alone names a record's key in many bodies, not a credential)."""
    name = snake(key)
    if name in {"password", "passwd", "token", "secret", "apikey"}:
        return True
    return bool(SECRET_NAME.search(name)) or (isinstance(value, str) and looks_secret(value))


def request_body(request: Request | None, method: str, naming: Naming | None = None) -> Body:
    """The recorded request's JSON body, for methods that send one: secret members become
    `${VAR}` placeholders (named by `naming`), null members are dropped (TOML has no
    null); a null inside an array leaves the body out."""
    raw = None if request is None else request.body
    if method in {"GET", "HEAD", "OPTIONS"} or not raw:
        return Body()
    try:
        value = jsonio.loads(raw)
    except (jsonio.JSONDecodeError, TypeError, ValueError):
        return Body(note="request body not JSON: `record` sends none")
    needs: dict[str, Need] = {}
    cleaned = _Cleaner(needs, naming or (lambda need: need.name)).clean(value, 0)
    if not isinstance(cleaned, (dict, list)):
        return Body(note="request body not a JSON object or array (or null in an array)")
    return Body(cleaned, None, tuple(needs.values()))


class _Null:
    """A JSON null, which TOML cannot write."""


_NULL = _Null()
MAX_BODY_DEPTH = 32  # a request body deeper than this is left out, not written


@dataclass(frozen=True, slots=True)
class _Cleaner:
    needs: dict[str, Need]
    naming: Naming

    def clean(self, value: Any, depth: int) -> Any:
        if value is None or depth > MAX_BODY_DEPTH:
            return _NULL
        if isinstance(value, dict):
            return self._members(value, depth)
        if isinstance(value, list):
            items = [self.clean(item, depth + 1) for item in value]
            return _NULL if any(item is _NULL for item in items) else items
        return value

    def _members(self, value: dict[str, Any], depth: int) -> dict[str, Any]:
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            if (
                isinstance(item, (str, int, float))
                and not isinstance(item, bool)
                and secret_field(key, item)
            ):
                need = self.needs.setdefault(key, Need("json", key))
                cleaned[key] = "${" + self.naming(need) + "}"
                continue
            kept = self.clean(item, depth + 1)
            if kept is not _NULL:
                cleaned[key] = kept
        return cleaned
