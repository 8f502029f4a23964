"""Find, read and validate the configuration (driftcheck.toml or [tool.driftcheck]).

Precedence: defaults < file < environment (DRIFTCHECK_*) < command-line flags. Each key
is declared once (`Key`, in `config_spec`: types, default, environment variable,
conversion to its typed value), so checks, defaults, overrides, suggestions and messages
cannot drift apart.
"""

from __future__ import annotations

import datetime
import os
import re
import string
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from driftcheck import config_checks as checks
from driftcheck.config_spec import (
    ANY,
    BOOLEAN,
    DATE,
    INTEGER,
    LIST,
    MAX_CONCURRENCY,
    MAX_RESPONSE_MB,
    MAX_RETRIES,
    MAX_WORKERS,
    NUMBER,
    PLACES,
    STRING,
    TABLE,
    At,
    Key,
    at_least,
    check_document,
    checked,
    converted,
    date,
    expand,
    expand_url,
    given_file,
    label,
    matchable,
    names,
    not_utf8,
    path_patterns,
    places,
    resolved_path,
    seconds,
    within,
)
from driftcheck.core import policy
from driftcheck.core.maps import Declared
from driftcheck.core.matchers import Matcher
from driftcheck.core.model import Severity
from driftcheck.core.policy import Ignore
from driftcheck.core.recency import Recency
from driftcheck.core.staleness import Age
from driftcheck.core.suggest import unknown_name
from driftcheck.errors import ConfigError

CONFIG_FILE = "driftcheck.toml"
DEFAULT_CACHE = ".driftcheck/cache"  # "" turns the shape cache off
PYPROJECT = "pyproject.toml"
MAX_CONFIG_BYTES = 16 * 1024 * 1024
_NAMES_DRIFTCHECK = re.compile(rb"tool\s*\.\s*[\"']?driftcheck")  # [tool.driftcheck], dotted keys


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One live endpoint: what `record` calls (its name is its cassette's file name), and
    a matcher that claims every recorded interaction whose method and URL fit it."""

    name: str
    url: str
    method: str = "GET"
    params: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    expect_status: tuple[int, ...] = ()
    fixtures: tuple[str, ...] = ()
    match_query: Mapping[str, str] = field(default_factory=dict)  # query key -> value glob
    operation: str | None = None  # a GraphQL operation name, for endpoints sharing a URL
    contract_since: datetime.date | None = None  # overrides the top-level key for this one
    contract_newest: int | None = None

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(name for _, name, _, _ in string.Formatter().parse(self.url) if name)

    @property
    def unfilled(self) -> str | None:
        """The first URL placeholder without `params`: recording cannot call the URL."""
        return next((p for p in self.placeholders if p not in self.params), None)

    @property
    def matcher(self) -> Matcher:
        return Matcher.of(
            self.name, self.method, matchable(self.url), self.match_query, self.operation
        )


@dataclass(frozen=True, slots=True)
class Config:
    """The validated configuration; paths are absolute, `${VAR}`s expanded.

    `cassettes` and `fresh` are the folders `record` writes; the `*_sources` are what
    reading looks at when the config names globs or several places (empty: the folder).
    """

    source: Path | None
    cassettes: Path
    fresh: Path
    root: Path = Path()  # the config file's folder: fixture references are relative to it
    cache: Path | None = None  # shape cache folder; None: no cache
    workers: int = 0  # processes reading cassettes; 0: one per core
    concurrency: int = 8
    timeout: float = 10.0
    retries: int = 2
    max_response_mb: int = 256  # a live response body larger than this is refused
    scrub_headers: tuple[str, ...] = ()
    scrub_query: tuple[str, ...] = ()
    scrub_body: tuple[str, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    max_age: Age | None = None
    severity: Mapping[str, Severity] = field(default_factory=dict)
    ignore: tuple[Ignore, ...] = ()
    secrets: Mapping[str, str] = field(default_factory=dict)  # variable name -> value
    cassette_sources: tuple[str, ...] = ()  # from `cassettes`: folders and globs, absolute
    fresh_sources: tuple[str, ...] = ()  # from `fresh`
    contract_since: datetime.date | None = None  # contracts from recordings of this day on
    contract_newest: int | None = None  # contracts from an endpoint's N newest recording days
    maps: tuple[str, ...] = ()  # path patterns always read as maps
    not_maps: tuple[str, ...] = ()  # path patterns never read as maps
    values: bool = True  # the rules on values: enums, formats, empty arrays
    volatile_headers: tuple[str, ...] = ()  # response headers never compared, beyond the built-in
    spec: Path | None = None  # a provider's OpenAPI description `diff` holds recordings to

    def with_overrides(self, **values: Any) -> Config:
        """Flags win over everything; `None` means the flag was not given."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})

    def select(self, names: tuple[str, ...]) -> tuple[Endpoint, ...]:
        """The endpoints named (all when none are), refusing unknown names."""
        if not names:
            return self.endpoints
        known = {e.name: e for e in self.endpoints}
        for name in names:
            if name not in known:
                raise ConfigError(unknown_name("endpoint", name, known))
        return tuple(known[name] for name in names)

    @property
    def map_rule(self) -> Declared | None:
        """The config's say on which objects are maps (None: the heuristics alone)."""
        return Declared(self.maps, self.not_maps) if self.maps or self.not_maps else None

    @property
    def matchers(self) -> tuple[Matcher, ...]:
        """Every configured endpoint as a matcher, in config order (first wins a tie)."""
        return tuple(endpoint.matcher for endpoint in self.endpoints)

    def recency(self, name: str) -> Recency:
        """Which recordings endpoint `name`'s contract is built from: its own
        `contract_since` / `contract_newest`, each else the top-level one."""
        own = next((e for e in self.endpoints if e.name == name), None)
        since = own.contract_since if own and own.contract_since else self.contract_since
        newest = own.contract_newest if own and own.contract_newest else self.contract_newest
        return Recency(since, newest)

    @property
    def committed_places(self) -> tuple[str, ...]:
        """Where committed recordings are read: folders (searched recursively) and globs."""
        return self.cassette_sources or (str(self.cassettes),)

    @property
    def fresh_places(self) -> tuple[str, ...]:
        return self.fresh_sources or (str(self.fresh),)


RECENCY: tuple[Key, ...] = (  # top-level, and per endpoint overriding it
    Key("contract_since", DATE, None, date),
    Key("contract_newest", INTEGER, None, at_least(1, "at least 1 (recording days)")),
)


ENDPOINT: tuple[Key, ...] = (  # the checks are in `config_checks`
    Key("name", STRING, None, checks.file_name, required=True),
    Key("method", STRING, "GET", checks.method),
    Key("url", STRING, required=True),  # checked as written, before expansion
    Key("params", TABLE, {}, checks.params),
    Key("query", TABLE, {}, checks.texts),
    Key("headers", TABLE, {}, checks.headers),
    Key("json", ANY, None, checks.json_body),
    Key("expect_status", LIST, (), checks.statuses),
    Key("fixtures", LIST, (), checks.fixtures),
    Key("match_query", TABLE, {}, checks.texts),
    Key("operation", STRING, None, checks.operation),
    *RECENCY,
)


def _endpoint(entry: Any, at: At) -> Endpoint:
    """One [[endpoints]] table: checked, `${VAR}`s expanded in what a request sends (a
    secret in `name` would become a file name), then typed."""
    given = checked(entry, ENDPOINT, at)
    checks.written_url(given["url"], replace(at, key="url"))
    expanded = {
        k: expand(v, at, f"{at.place}, key `{k}`") if k in checks.SENT else v
        for k, v in given.items()
    }
    expanded["url"] = expand_url(given["url"], at, f"{at.place}, key `url`")
    return Endpoint(**converted(expanded, ENDPOINT, at))  # `params` are checked to record


def _endpoints(entries: list[Any], at: At) -> tuple[Endpoint, ...]:
    """Each endpoint labelled by its name in messages (by its place when it has none)."""
    endpoints: dict[str, Endpoint] = {}
    for index, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        table = (
            f"endpoint `{label(name)}`" if isinstance(name, str) else f"[[endpoints]] #{index + 1}"
        )
        endpoint = _endpoint(entry, replace(at, table=table))
        if endpoint.name in endpoints:
            raise ConfigError(f"{at.file}: two endpoints are named `{endpoint.name}`")
        endpoints[endpoint.name] = endpoint
    return tuple(endpoints.values())


def _reason(reason: str, at: At) -> str:
    if not reason.strip():
        raise ConfigError(f"{at.place} needs a `reason`")
    return reason


IGNORE: tuple[Key, ...] = (
    Key("endpoint", STRING, "*"),
    Key("path", STRING, "*", lambda path, at: policy.check_path(path, at.place)),
    Key("rule", STRING, "*", lambda rule, at: policy.check_rule(rule, at.place)),
    Key("reason", STRING, "", _reason),
    Key("until", ANY, None, lambda value, at: policy.until_date(value, at.place)),  # TOML date
)


def _ignores(entries: list[Any], at: At) -> tuple[Ignore, ...]:
    ignores = []
    for index, entry in enumerate(entries):
        here = replace(at, table=f"[[ignore]] #{index + 1}")
        values = converted(checked(entry, IGNORE, here), IGNORE, here)
        ignores.append(Ignore(**values, label=f"{here.table} in {at.file}"))
    return tuple(ignores)


TOP: tuple[Key, ...] = (
    Key("cassettes", PLACES, "cassettes", places, env="DRIFTCHECK_CASSETTES"),
    Key("fresh", PLACES, ".driftcheck/fresh", places, env="DRIFTCHECK_FRESH"),
    Key("concurrency", INTEGER, 8, within(1, MAX_CONCURRENCY), env="DRIFTCHECK_CONCURRENCY"),
    Key("timeout", NUMBER, 10, seconds, env="DRIFTCHECK_TIMEOUT"),
    Key("retries", INTEGER, 2, within(0, MAX_RETRIES), env="DRIFTCHECK_RETRIES"),
    Key(
        "max_response_mb",
        INTEGER,
        256,
        within(1, MAX_RESPONSE_MB, f"1 to {MAX_RESPONSE_MB} (MiB)"),
        env="DRIFTCHECK_MAX_RESPONSE_MB",
    ),
    Key(
        "workers",
        INTEGER,
        0,
        within(0, MAX_WORKERS, f"0 (one per core) to {MAX_WORKERS}"),
        env="DRIFTCHECK_WORKERS",
    ),
    Key("cache", STRING, DEFAULT_CACHE, resolved_path, env="DRIFTCHECK_CACHE"),
    Key("scrub_headers", LIST, (), names),
    Key("scrub_query", LIST, (), names),
    Key("scrub_body", LIST, (), names),
    Key("endpoints", LIST, (), _endpoints),
    Key("max_age", STRING, None, lambda text, at: Age.parse(text, f"{at.file}: {at.named}")),
    Key("severity", TABLE, {}, lambda table, at: policy.severities(table, at.place)),
    Key("ignore", LIST, (), _ignores),
    *RECENCY,
    Key("maps", LIST, (), path_patterns),
    Key("not_maps", LIST, (), path_patterns),
    Key("values", BOOLEAN, True),
    Key("volatile_headers", LIST, (), names),
    Key("spec", STRING, None, resolved_path),
)


def find_config(start: Path | None = None) -> Path | None:
    """Walk up from `start` to the repository root for a config file."""
    here = (start or _cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_driftcheck(pyproject):
            return pyproject
        if (folder / ".git").exists():
            return None
    return None


def _cwd() -> Path:
    try:
        return Path.cwd()
    except OSError:
        raise ConfigError("the current folder no longer exists; cd into one that does") from None


def _has_driftcheck(pyproject: Path) -> bool:
    """Whether a pyproject.toml has a [tool.driftcheck] table. One that cannot be read or
    parsed belongs to another tool and is skipped (a run that needs no config must not
    stop on it), unless its text names `tool.driftcheck`: then loading reports why."""
    try:
        tool = _read_toml(pyproject).get("tool")
    except ConfigError:
        try:
            with pyproject.open("rb") as handle:
                return _NAMES_DRIFTCHECK.search(handle.read(MAX_CONFIG_BYTES)) is not None
        except OSError:
            return False
    return isinstance(tool, dict) and "driftcheck" in tool


def _read_toml(path: Path) -> dict[str, Any]:
    """A TOML file of at most `MAX_CONFIG_BYTES`, as UTF-8 (a BOM allowed); whatever the
    parser chokes on is one ConfigError naming the file."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib

    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than 16 MiB; a config file is much smaller")
    try:
        document: dict[str, Any] = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: {not_utf8(data, error.start)}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    except ValueError:  # an integer past Python's 4300 digits
        raise ConfigError(f"{path}: invalid TOML: a number has too many digits") from None
    return document


def load_config(
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    start: Path | None = None,
    require_env: bool = True,
) -> Config:
    """Load `path`, or the config found from `start`; defaults when there is none. Only
    calling the endpoints needs their `${VAR}`s: with `require_env=False` (diff, fixtures)
    a variable that is not set is left as written instead of failing."""
    env = os.environ if environ is None else environ
    source = path or find_config(start)
    if path is not None:
        given_file(path)
    raw: Any = _read_toml(source) if source is not None else {}
    if source is not None and source.name == PYPROJECT:
        tool = raw.get("tool")
        raw = tool.get("driftcheck", {}) if isinstance(tool, dict) else {}
    root = (source.parent if source else (start or _cwd())).resolve()
    at = At(str(source) if source else "configuration", root, env, require_env, {})
    check_document(raw, at.file)
    values = checked(raw, TOP, at)
    overridden = [key for key in TOP if key.env is not None and key.env in env]
    values.update({key.name: key.from_env(env[str(key.env)]) for key in overridden})
    origins = {key.name: f"environment variable {key.env}" for key in overridden}
    typed = converted(values, TOP, at, origins)
    cassettes, fresh = typed.pop("cassettes"), typed.pop("fresh")
    return Config(
        source=source,
        root=root,
        secrets=at.secrets,
        cassettes=cassettes.folder,
        cassette_sources=cassettes.patterns,
        fresh=fresh.folder,
        fresh_sources=fresh.patterns,
        **typed,
    )
