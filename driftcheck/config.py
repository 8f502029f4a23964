"""Find, read and validate the configuration (driftcheck.toml or [tool.driftcheck]).

Precedence: defaults < file < environment (DRIFTCHECK_*) < command-line flags.
Errors name the file, the endpoint and the key, and suggest the nearest valid key.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
import string
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from driftcheck.core.policy import Ignore
from driftcheck.core.staleness import Age
from driftcheck.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILE = "driftcheck.toml"
DEFAULT_CACHE = ".driftcheck/cache"  # "" turns the shape cache off
PYPROJECT = "pyproject.toml"
SEVERITIES = ("breaking", "warning", "info")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ENV = {
    "cassettes": "DRIFTCHECK_CASSETTES",
    "fresh": "DRIFTCHECK_FRESH",
    "concurrency": "DRIFTCHECK_CONCURRENCY",
    "timeout": "DRIFTCHECK_TIMEOUT",
    "retries": "DRIFTCHECK_RETRIES",
    "workers": "DRIFTCHECK_WORKERS",
    "cache": "DRIFTCHECK_CACHE",
}


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
    severity: Mapping[str, str] = field(default_factory=dict)
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
                raise ConfigError(f"unknown endpoint `{name}`{_suggest(name, known)}")
        return tuple(known[name] for name in names)


TOP_KEYS = {
    "cassettes": str,
    "fresh": str,
    "concurrency": int,
    "timeout": (int, float),
    "retries": int,
    "workers": int,
    "cache": str,
    "scrub_headers": list,
    "scrub_query": list,
    "scrub_body": list,
    "endpoints": list,
    "max_age": str,
    "severity": dict,
    "ignore": list,
}
ENDPOINT_KEYS = {
    "name": str,
    "method": str,
    "url": str,
    "params": dict,
    "query": dict,
    "headers": dict,
    "json": object,
    "expect_status": list,
    "fixtures": list,
}
IGNORE_KEYS = {"endpoint": str, "path": str, "rule": str, "reason": str, "until": object}
_TYPE_NAMES: dict[Any, str] = {
    str: "a string",
    int: "an integer",
    (int, float): "a number",
    list: "a list",
    dict: "a table",
}


def _suggest(key: str, valid: Mapping[str, Any] | list[str]) -> str:
    match = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.6)
    return f"; did you mean `{match[0]}`?" if match else ""


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
    """Load `path`, or the config found from `start`; defaults when there is none.

    Only calling the endpoints needs their `${VAR}`s: with `require_env=False` (diff,
    fixtures) a variable that is not set is left as written instead of failing.
    """
    env = os.environ if environ is None else environ
    source = path or find_config(start)
    if path is not None and not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    raw: dict[str, Any] = {}
    if source is not None:
        document = _read_toml(source)
        raw = (
            document.get("tool", {}).get("driftcheck", {}) if source.name == PYPROJECT else document
        )
    root = source.parent if source else (start or Path.cwd())
    return _validate(raw, source, env, root, require_env)


def _validate(
    raw: dict[str, Any], source: Path | None, env: Mapping[str, str], root: Path, strict: bool
) -> Config:
    where = str(source) if source else "configuration"
    _check_keys(raw, TOP_KEYS, where, "")
    values = dict(raw)
    for key, variable in _ENV.items():
        if variable in env:
            values[key] = _from_env(variable, env[variable], TOP_KEYS[key])
    secrets: dict[str, str] = {}
    endpoints = tuple(
        _endpoint(entry, index, where, env, secrets, strict)
        for index, entry in enumerate(values.get("endpoints", []))
    )
    _unique_names(endpoints, where)
    severity = values.get("severity", {})
    for rule, level in severity.items():
        if level not in SEVERITIES:
            raise ConfigError(
                f"{where}: [severity] `{rule}` = {level!r}; valid: {', '.join(SEVERITIES)}"
            )
    config = Config(
        source=source,
        cassettes=(root / values.get("cassettes", "cassettes")).resolve(),
        fresh=(root / values.get("fresh", ".driftcheck/fresh")).resolve(),
        root=root.resolve(),
        cache=(root / cache).resolve() if (cache := values.get("cache", DEFAULT_CACHE)) else None,
        workers=values.get("workers", 0),
        concurrency=values.get("concurrency", 8),
        timeout=float(values.get("timeout", 10)),
        retries=values.get("retries", 2),
        scrub_headers=tuple(values.get("scrub_headers", ())),
        scrub_query=tuple(values.get("scrub_query", ())),
        scrub_body=tuple(values.get("scrub_body", ())),
        endpoints=endpoints,
        max_age=_age(values.get("max_age"), where),
        severity=dict(severity),
        ignore=tuple(
            _ignore(entry, index, where) for index, entry in enumerate(values.get("ignore", []))
        ),
        secrets=secrets,
    )
    _check_ranges(config, where)
    return config


def _check_keys(table: Any, valid: Mapping[str, Any], where: str, context: str) -> None:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: {context or 'the configuration'} must be a table")
    for key, value in table.items():
        if key not in valid:
            raise ConfigError(
                f"{where}: unknown key `{key}`{context and ' in ' + context}{_suggest(key, valid)}"
            )
        expected = valid[key]
        if not _type_ok(value, expected):
            raise ConfigError(
                f"{where}: `{key}`{context and ' in ' + context} must be "
                f"{_TYPE_NAMES[expected]}, not {value!r}"
            )


def _type_ok(value: Any, expected: Any) -> bool:
    if expected is object:
        return True
    if isinstance(value, bool):
        return False  # TOML booleans are neither numbers nor strings here
    return isinstance(value, expected)


def _from_env(variable: str, text: str, expected: Any) -> Any:
    if expected is str:
        return text
    try:
        return int(text) if expected is int else float(text)
    except ValueError:
        raise ConfigError(f"environment variable {variable}={text!r} is not a number") from None


def _age(text: str | None, where: str) -> Age | None:
    return None if text is None else Age.parse(text, f"{where}: `max_age`")


def _check_ranges(config: Config, where: str) -> None:
    if config.concurrency < 1:
        raise ConfigError(f"{where}: `concurrency` must be at least 1, not {config.concurrency}")
    if config.timeout <= 0:
        raise ConfigError(f"{where}: `timeout` must be more than 0 seconds, not {config.timeout}")
    if config.retries < 0:
        raise ConfigError(f"{where}: `retries` must be 0 or more, not {config.retries}")
    if config.workers < 0:
        raise ConfigError(
            f"{where}: `workers` must be 0 (one per core) or more, not {config.workers}"
        )


def _expand(
    value: Any, env: Mapping[str, str], where: str, secrets: dict[str, str], strict: bool
) -> Any:
    """Replace `${VAR}` in every string; remember each expanded value as a secret."""
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in env:
                if not strict:
                    return match.group(0)
                raise ConfigError(f"{where}: environment variable `{name}` is not set")
            secrets[name] = env[name]
            return env[name]

        return _VAR.sub(substitute, value)
    if isinstance(value, list):
        return [_expand(item, env, where, secrets, strict) for item in value]
    if isinstance(value, dict):
        return {k: _expand(v, env, f"{where}.{k}", secrets, strict) for k, v in value.items()}
    return value


def _endpoint(
    entry: Any,
    index: int,
    where: str,
    env: Mapping[str, str],
    secrets: dict[str, str],
    strict: bool = True,
) -> Endpoint:
    label = f"[[endpoints]] #{index + 1}"
    if isinstance(entry, dict) and isinstance(entry.get("name"), str):
        label = f"endpoint `{entry['name']}`"
    _check_keys(entry, ENDPOINT_KEYS, where, label)
    for required in ("name", "url"):
        if required not in entry:
            raise ConfigError(f"{where}: {label} has no `{required}`")
    name = entry["name"]
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise ConfigError(
            f"{where}: endpoint name {name!r} must be a file name: letters, digits, '.', '_', '-'"
        )
    expanded = {
        key: _expand(value, env, f"{where}: {label}, key `{key}`", secrets, strict)
        for key, value in entry.items()
    }
    fixtures = expanded.get("fixtures", [])
    if not all(isinstance(ref, str) and ref.strip() for ref in fixtures):
        raise ConfigError(
            f'{where}: {label}: `fixtures` must list paths such as "tests/fixtures/user.json" '
            f'or "tests/test_users.py::MOCK_USER"'
        )
    params = {
        key: tuple(value if isinstance(value, list) else [value])
        for key, value in expanded.get("params", {}).items()
    }
    endpoint = Endpoint(
        name=name,
        url=expanded["url"],
        method=expanded.get("method", "GET").upper(),
        params=params,
        query={k: str(v) for k, v in expanded.get("query", {}).items()},
        headers={k: str(v) for k, v in expanded.get("headers", {}).items()},
        json=expanded.get("json"),
        expect_status=tuple(int(s) for s in expanded.get("expect_status", [])),
        fixtures=tuple(fixtures),
    )
    missing = [p for p in endpoint.placeholders if p not in params]
    if missing:
        raise ConfigError(
            f"{where}: {label}: url placeholder `{{{missing[0]}}}` has no values in `params`"
        )
    return endpoint


def _unique_names(endpoints: tuple[Endpoint, ...], where: str) -> None:
    seen: set[str] = set()
    for endpoint in endpoints:
        if endpoint.name in seen:
            raise ConfigError(f"{where}: two endpoints are named `{endpoint.name}`")
        seen.add(endpoint.name)


def _ignore(entry: Any, index: int, where: str) -> Ignore:
    label = f"[[ignore]] #{index + 1}"
    _check_keys(entry, IGNORE_KEYS, where, label)
    if not str(entry.get("reason", "")).strip():
        raise ConfigError(f"{where}: {label} needs a `reason`")
    until = entry.get("until")
    if until is not None:
        try:
            until = datetime.date.fromisoformat(str(until)[:10]).isoformat()
        except ValueError:
            raise ConfigError(
                f"{where}: {label}: `until` = {until!r} is not a date; write it like 2027-01-31"
            ) from None
    return Ignore(
        reason=entry["reason"],
        endpoint=entry.get("endpoint", "*"),
        path=entry.get("path", "*"),
        rule=entry.get("rule", "*"),
        until=None if until is None else str(until),
        label=f"{label} in {where}",
    )
