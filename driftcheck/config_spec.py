"""How a config key is declared and read: its TOML kinds, default, environment variable
and conversion to a typed value, in one `Key`; and the conversions keys share.

`config.py` declares the keys; this module checks tables against them, so checks,
defaults, overrides, suggestions and messages come from one declaration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from driftcheck.core import policy
from driftcheck.core.suggest import did_you_mean
from driftcheck.errors import ConfigError

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")  # `${NAME}`


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


def checked(table: Any, keys: Sequence[Key], at: At) -> dict[str, Any]:
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


def converted(
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


def resolved_path(value: str, at: At) -> Path | None:
    return (at.root / value).resolve() if value else None  # "" only turns the cache off


def at_least(minimum: int, wording: str) -> Converter:
    def check(value: int, at: At) -> int:
        if value < minimum:
            raise at.error(f"must be {wording}, not {value}")
        return value

    return check


def seconds(value: float, at: At) -> float:
    if float(value) <= 0:
        raise at.error(f"must be more than 0 seconds, not {float(value)}")
    return float(value)


def strings(values: list[Any], at: At) -> tuple[str, ...]:
    wrong = [value for value in values if not isinstance(value, str)]
    if wrong:
        raise at.error(f"must list strings, not {wrong[0]!r}")
    return tuple(values)


def expand(value: Any, at: At, where: str) -> Any:
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
        return VARIABLE.sub(substitute, value)
    if isinstance(value, list):
        return [expand(item, at, where) for item in value]
    if isinstance(value, dict):
        return {k: expand(v, at, f"{where}.{k}") for k, v in value.items()}
    return value


def path_patterns(values: list[Any], at: At) -> tuple[str, ...]:
    """`maps` / `not_maps`: path patterns as `[[ignore]]` takes them, starting with `$`."""
    for pattern in strings(values, at):
        if not pattern.startswith("$"):
            raise at.error(f"lists path patterns starting with `$`, not {pattern!r}")
        policy.check_path(pattern, f"{at.file}: {at.named}")
    return tuple(values)
