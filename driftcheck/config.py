"""Find, read and validate the configuration (driftcheck.toml or [tool.driftcheck]).

Precedence: defaults < file < environment (DRIFTCHECK_*) < command-line flags. Each key
is declared once (`Key`: types, default, environment variable, conversion to its typed
value), so checks, defaults, overrides, suggestions and messages cannot drift apart.
"""

from __future__ import annotations

import os
import re
import string
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from driftcheck.core import policy
from driftcheck.core.model import Severity
from driftcheck.core.policy import Ignore
from driftcheck.core.staleness import Age
from driftcheck.core.suggest import did_you_mean, unknown_name
from driftcheck.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILE = "driftcheck.toml"
DEFAULT_CACHE = ".driftcheck/cache"  # "" turns the shape cache off
PYPROJECT = "pyproject.toml"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One live endpoint to record; its name is its cassette's file name."""

    name: str
    url: str
    method: str = "GET"
    params: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    expect_status: tuple[int, ...] = ()
    fixtures: tuple[str, ...] = ()

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(name for _, name, _, _ in string.Formatter().parse(self.url) if name)


@dataclass(frozen=True, slots=True)
class Config:
    """The validated configuration; paths are absolute, `${VAR}`s expanded."""

    source: Path | None
    cassettes: Path
    fresh: Path
    root: Path = Path()  # the config file's folder: fixture references are relative to it
    cache: Path | None = None  # shape cache folder; None: no cache
    workers: int = 0  # processes reading cassettes; 0: one per core
    concurrency: int = 8
    timeout: float = 10.0
    retries: int = 2
    scrub_headers: tuple[str, ...] = ()
    scrub_query: tuple[str, ...] = ()
    scrub_body: tuple[str, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    max_age: Age | None = None
    severity: Mapping[str, Severity] = field(default_factory=dict)
    ignore: tuple[Ignore, ...] = ()
    secrets: Mapping[str, str] = field(default_factory=dict)  # variable name -> value

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


@dataclass(frozen=True, slots=True)
class At:
    """Where a value is read, for its messages, and what reading it needs."""

    file: str  # the config file ("configuration" when there is none)
    root: Path  # relative paths are relative to it
    env: Mapping[str, str]
    strict: bool  # an unset `${VAR}` is an error (else it is left as written)
    secrets: dict[str, str]  # filled with every `${VAR}` expanded
    table: str = ""  # "endpoint `user`", "[[ignore]] #2"; "" at the top level
    key: str = ""

    @property
    def named(self) -> str:  # `key`, or `key` in its table
        return f"`{self.key}`" + (f" in {self.table}" if self.table else "")

    def error(self, text: str) -> ConfigError:
        return ConfigError(f"{self.file}: {self.named} {text}")

    @property
    def place(self) -> str:  # the file and the table: `[[ignore]] #2`, a top-level `[key]`
        return f"{self.file}: {self.table or f'[{self.key}]'}"


Converter = Callable[[Any, At], Any]


@dataclass(frozen=True, slots=True)
class Kind:
    """The TOML types a key takes, how messages say them, how an environment variable's
    text becomes one."""

    types: tuple[type, ...]
    description: str
    from_text: Callable[[str], Any] = str

    def accepts(self, value: Any) -> bool:
        if object in self.types:
            return True
        return not isinstance(value, bool) and isinstance(value, self.types)  # TOML booleans


STRING = Kind((str,), "a string")
INTEGER = Kind((int,), "an integer", int)
NUMBER = Kind((int, float), "a number", float)
LIST = Kind((list,), "a list")
TABLE = Kind((dict,), "a table")
ANY = Kind((object,), "any value")


@dataclass(frozen=True, slots=True)
class Key:
    """One config key, declared once."""

    name: str
    kind: Kind
    default: Any = None  # None: no value unless one is given
    convert: Converter | None = None  # to the typed value; ConfigError naming `At` if wrong
    env: str | None = None  # the DRIFTCHECK_* variable that overrides the file
    required: bool = False

    def from_env(self, text: str) -> Any:
        try:
            return self.kind.from_text(text)
        except ValueError:
            raise ConfigError(f"environment variable {self.env}={text!r} is not a number") from None


def _checked(table: Any, keys: Sequence[Key], at: At) -> dict[str, Any]:
    """A table whose keys are all known, of their types, the required ones given."""
    if not isinstance(table, dict):
        raise ConfigError(f"{at.file}: {at.table or 'the configuration'} must be a table")
    spec = {key.name: key for key in keys}
    for name, value in table.items():
        here = replace(at, key=name)
        if name not in spec:
            raise ConfigError(f"{at.file}: unknown key {here.named}{did_you_mean(name, spec)}")
        if not spec[name].kind.accepts(value):
            raise here.error(f"must be {spec[name].kind.description}, not {value!r}")
    for key in keys:
        if key.required and key.name not in table:
            raise ConfigError(f"{at.place} has no `{key.name}`")
    return dict(table)


def _converted(
    values: Mapping[str, Any], keys: Sequence[Key], at: At, origins: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Each key's typed value, from the value given or its default; `origins` says where a
    value came from when not from the file."""
    result: dict[str, Any] = {}
    for key in keys:
        value = values.get(key.name, key.default)
        here = replace(at, file=(origins or {}).get(key.name, at.file), key=key.name)
        convert = key.convert or (lambda value, at: value)
        result[key.name] = None if value is None else convert(value, here)
    return result


def _path(value: str, at: At) -> Path | None:
    return (at.root / value).resolve() if value else None  # "" only turns the cache off


def _at_least(minimum: int, wording: str) -> Converter:
    def check(value: int, at: At) -> int:
        if value < minimum:
            raise at.error(f"must be {wording}, not {value}")
        return value

    return check


def _seconds(value: float, at: At) -> float:
    if float(value) <= 0:
        raise at.error(f"must be more than 0 seconds, not {float(value)}")
    return float(value)


def _strings(values: list[Any], at: At) -> tuple[str, ...]:
    wrong = [value for value in values if not isinstance(value, str)]
    if wrong:
        raise at.error(f"must list strings, not {wrong[0]!r}")
    return tuple(values)


def _expand(value: Any, at: At, where: str) -> Any:
    """Replace `${VAR}` in every string; remember each expanded value as a secret."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in at.env and not at.strict:
            return match.group(0)
        if name not in at.env:
            raise ConfigError(f"{where}: environment variable `{name}` is not set")
        at.secrets[name] = at.env[name]
        return at.env[name]

    if isinstance(value, str):
        return _VAR.sub(substitute, value)
    if isinstance(value, list):
        return [_expand(item, at, where) for item in value]
    if isinstance(value, dict):
        return {k: _expand(v, at, f"{where}.{k}") for k, v in value.items()}
    return value


def _values(value: Any) -> tuple[Any, ...]:
    """A placeholder's values: one, or a list of them."""
    return tuple(value) if isinstance(value, list) else (value,)


def _file_name(name: str, at: At) -> str:
    if not _FILE_NAME.fullmatch(name):
        raise ConfigError(
            f"{at.file}: endpoint name {name!r} must be a file name: letters, digits, '.', '_', '-'"
        )
    return name


def _statuses(codes: list[Any], at: At) -> tuple[int, ...]:
    wrong = [code for code in codes if not str(code).isdigit()]
    if wrong:
        raise ConfigError(f"{at.place}: `expect_status` must list status codes, not {wrong[0]!r}")
    return tuple(int(code) for code in codes)


def _fixtures(references: list[Any], at: At) -> tuple[str, ...]:
    if not all(isinstance(ref, str) and ref.strip() for ref in references):
        raise ConfigError(
            f'{at.place}: `fixtures` must list paths such as "tests/fixtures/user.json" '
            'or "tests/test_users.py::MOCK_USER"'
        )
    return tuple(references)


ENDPOINT: tuple[Key, ...] = (
    Key("name", STRING, None, _file_name, required=True),
    Key("method", STRING, "GET", lambda text, at: text.upper()),
    Key("url", STRING, required=True),
    Key("params", TABLE, {}, lambda table, at: {k: _values(v) for k, v in table.items()}),
    Key("query", TABLE, {}, lambda table, at: {k: str(v) for k, v in table.items()}),
    Key("headers", TABLE, {}, lambda table, at: {k: str(v) for k, v in table.items()}),
    Key("json", ANY),
    Key("expect_status", LIST, (), _statuses),
    Key("fixtures", LIST, (), _fixtures),
)


def _endpoint(entry: Any, at: At) -> Endpoint:
    """One [[endpoints]] table: checked, `${VAR}`s expanded, then typed."""
    given = _checked(entry, ENDPOINT, at)
    expanded = {k: _expand(v, at, f"{at.place}, key `{k}`") for k, v in given.items()}
    endpoint = Endpoint(**_converted(expanded, ENDPOINT, at))
    missing = next((p for p in endpoint.placeholders if p not in endpoint.params), None)
    if missing is not None:
        raise ConfigError(f"{at.place}: url placeholder `{{{missing}}}` has no values in `params`")
    return endpoint


def _endpoints(entries: list[Any], at: At) -> tuple[Endpoint, ...]:
    """Each endpoint labelled by its name in messages (by its place when it has none)."""
    endpoints: dict[str, Endpoint] = {}
    for index, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        label = f"endpoint `{name}`" if isinstance(name, str) else f"[[endpoints]] #{index + 1}"
        endpoint = _endpoint(entry, replace(at, table=label))
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
    Key("path", STRING, "*"),
    Key("rule", STRING, "*", lambda rule, at: policy.check_rule(rule, at.place)),
    Key("reason", STRING, "", _reason),
    Key("until", ANY, None, lambda value, at: policy.until_date(value, at.place)),  # TOML date
)


def _ignores(entries: list[Any], at: At) -> tuple[Ignore, ...]:
    ignores = []
    for index, entry in enumerate(entries):
        here = replace(at, table=f"[[ignore]] #{index + 1}")
        values = _converted(_checked(entry, IGNORE, here), IGNORE, here)
        ignores.append(Ignore(**values, label=f"{here.table} in {at.file}"))
    return tuple(ignores)


TOP: tuple[Key, ...] = (
    Key("cassettes", STRING, "cassettes", _path, env="DRIFTCHECK_CASSETTES"),
    Key("fresh", STRING, ".driftcheck/fresh", _path, env="DRIFTCHECK_FRESH"),
    Key("concurrency", INTEGER, 8, _at_least(1, "at least 1"), env="DRIFTCHECK_CONCURRENCY"),
    Key("timeout", NUMBER, 10, _seconds, env="DRIFTCHECK_TIMEOUT"),
    Key("retries", INTEGER, 2, _at_least(0, "0 or more"), env="DRIFTCHECK_RETRIES"),
    Key("workers", INTEGER, 0, _at_least(0, "0 (one per core) or more"), env="DRIFTCHECK_WORKERS"),
    Key("cache", STRING, DEFAULT_CACHE, _path, env="DRIFTCHECK_CACHE"),
    Key("scrub_headers", LIST, (), _strings),
    Key("scrub_query", LIST, (), _strings),
    Key("scrub_body", LIST, (), _strings),
    Key("endpoints", LIST, (), _endpoints),
    Key("max_age", STRING, None, lambda text, at: Age.parse(text, f"{at.file}: {at.named}")),
    Key("severity", TABLE, {}, lambda table, at: policy.severities(table, at.place)),
    Key("ignore", LIST, (), _ignores),
)


def find_config(start: Path | None = None) -> Path | None:
    """Walk up from `start` to the repository root for a config file."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and "driftcheck" in _read_toml(pyproject).get("tool", {}):
            return pyproject
        if (folder / ".git").exists():
            return None
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            document: dict[str, Any] = tomllib.load(handle)
            return document
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None


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
    if path is not None and not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    raw: Any = _read_toml(source) if source is not None else {}
    if source is not None and source.name == PYPROJECT:
        raw = raw.get("tool", {}).get("driftcheck", {})
    root = (source.parent if source else (start or Path.cwd())).resolve()
    at = At(str(source) if source else "configuration", root, env, require_env, {})
    values = _checked(raw, TOP, at)
    overridden = [key for key in TOP if key.env is not None and key.env in env]
    values.update({key.name: key.from_env(env[str(key.env)]) for key in overridden})
    origins = {key.name: f"environment variable {key.env}" for key in overridden}
    return Config(
        source=source, root=root, secrets=at.secrets, **_converted(values, TOP, at, origins)
    )
