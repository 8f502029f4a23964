"""How a config key is declared and read: its TOML kinds, default, environment variable
and conversion to a typed value, in one `Key`; and the conversions keys share.

`config.py` declares the keys; this module checks tables against them, so checks,
defaults, overrides, suggestions and messages come from one declaration.
"""

from __future__ import annotations

import datetime
import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from driftcheck.core import policy
from driftcheck.core.suggest import did_you_mean
from driftcheck.errors import ConfigError

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")  # `${NAME}`
CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # never in a path, URL or name
MAX_DEPTH = 64  # how deep a config value may nest
# Past these a value is a typo, not a setting (the command-line flags share them):
MAX_CONCURRENCY = 1024  # requests at once
MAX_WORKERS = 1024  # reading processes
MAX_RETRIES = 100
MAX_RESPONSE_MB = 65_536  # 64 GiB
MAX_TIMEOUT = 3600  # seconds: an hour per request
_INT64 = 2**63
_DECIMAL = re.compile(r"\s*[+-]?([0-9]{1,18}(\.[0-9]*)?|\.[0-9]{1,18})([eE][+-]?[0-9]{1,4})?\s*")


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
        return f"`{label(self.key)}`" + (f" in {self.table}" if self.table else "")

    def error(self, text: str) -> ConfigError:
        return ConfigError(f"{self.file}: {self.named} {text}")

    @property
    def place(self) -> str:  # the file and the table: `[[ignore]] #2`, a top-level `[key]`
        return f"{self.file}: {self.table or f'[{self.key}]'}"


Converter = Callable[[Any, At], Any]


def shown(value: Any) -> str:
    """A value for a one-line message: short, and a huge number by its size."""
    if isinstance(value, int) and abs(value) >= _INT64:
        return f"an integer of {int(math.log10(abs(value))) + 1} digits"  # str() may refuse
    text = repr(value)
    return text if len(text) <= 60 else text[:48] + "..." + text[-1]


def label(name: str) -> str:
    """A key or name as messages show it: as written, or quoted when it has a line break
    or another character that would break the one line a message is."""
    return name if name.isprintable() and len(name) <= 60 else shown(name)


def _integer(text: str) -> int:
    """An environment variable's integer: ASCII digits, 18 at most (else ValueError)."""
    if not re.fullmatch(r"\s*[+-]?[0-9]{1,18}\s*", text):
        raise ValueError(text)
    return int(text)


def _number(text: str) -> float:
    """An environment variable's number: decimal, no `nan` or `inf` (else ValueError)."""
    if not _DECIMAL.fullmatch(text):
        raise ValueError(text)
    return float(text)


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
        if self.types == (bool,):
            return isinstance(value, bool)
        return not isinstance(value, bool) and isinstance(value, self.types)  # TOML booleans


STRING = Kind((str,), "a string")
INTEGER = Kind((int,), "an integer", _integer)
NUMBER = Kind((int, float), "a number", _number)
LIST = Kind((list,), "a list")
TABLE = Kind((dict,), "a table")
ANY = Kind((object,), "any value")
BOOLEAN = Kind((bool,), "true or false")


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
            raise ConfigError(
                f"environment variable {self.env}={shown(text)} is not {self.kind.description}"
            ) from None


def check_document(value: Any, file: str, where: str = "", depth: int = 0) -> None:
    """What no key takes, found before any key is read: nesting past `MAX_DEPTH`, and
    integers past TOML's 64 bits (a hexadecimal one can be any size, and too big to print).
    Messages name the key, and the entry of a list of tables (`endpoints[0].json`)."""
    if depth > MAX_DEPTH:
        raise ConfigError(f"{file}: `{where}` nests more than {MAX_DEPTH} levels deep")
    if isinstance(value, int) and not -_INT64 <= value < _INT64:
        raise ConfigError(
            f"{file}: `{where}` = {shown(value)} is out of range: TOML integers are 64-bit"
        )
    if isinstance(value, (dict, list)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            named = isinstance(key, str) or (depth == 1 and isinstance(item, dict))
            inner = f"{where}.{label(key)}" if isinstance(key, str) else f"{where}[{key}]"
            inner = inner.lstrip(".")
            check_document(item, file, inner if named and depth < 4 else where, depth + 1)


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
            raise here.error(f"must be {spec[name].kind.description}, not {shown(value)}")
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


def plain(text: str, at: At) -> str:
    """Text that becomes a path, a URL or a name: no control characters (a NUL fails
    every file call, a line break splits a request)."""
    if CONTROL.search(text):
        raise at.error("must not contain control characters (NUL, line breaks, tabs)")
    return text


def resolved_path(value: str, at: At) -> Path | None:
    return (at.root / plain(value, at)).resolve() if value else None  # "" turns the cache off


def at_least(minimum: int, wording: str) -> Converter:
    def check(value: int, at: At) -> int:
        if value < minimum:
            raise at.error(f"must be {wording}, not {shown(value)}")
        return value

    return check


def within(minimum: int, maximum: int, wording: str = "") -> Converter:
    """An integer from `minimum` to `maximum`: past a sane bound a value is a typo, and
    a pool of a billion threads or a retry loop that never ends is not a setting."""

    def check(value: int, at: At) -> int:
        if not minimum <= value <= maximum:
            span = wording or f"{minimum} to {maximum}"
            raise at.error(f"must be {span}, not {shown(value)}")
        return value

    return check


def seconds(value: float, at: At) -> float:
    """A finite number of seconds, more than 0 (nan, inf and -0.0 are not)."""
    if not 0 < value <= MAX_TIMEOUT:  # False for nan
        number = shown(value) if isinstance(value, int) else repr(float(value))
        raise at.error(f"must be more than 0 and at most {MAX_TIMEOUT} seconds, not {number}")
    return float(value)


def strings(values: list[Any], at: At) -> tuple[str, ...]:
    wrong = [value for value in values if not isinstance(value, str)]
    if wrong:
        raise at.error(f"must list strings, not {shown(wrong[0])}")
    return tuple(values)


def names(values: list[Any], at: At) -> tuple[str, ...]:
    """`scrub_*`: header, query or body key names; none empty, no control characters."""
    for name in strings(values, at):
        if not name.strip():
            raise at.error(f"must list names, not {name!r}")
        plain(name, at)
    return tuple(values)


@dataclass(frozen=True, slots=True)
class Places:
    """A `cassettes` or `fresh` value: the folder `record` writes, and what is read."""

    folder: Path
    patterns: tuple[str, ...]  # (): the folder alone


PLACES = Kind((str, list), "a folder, a glob or a list of them")
_MAGIC = frozenset("*?[")


def given_file(path: Path) -> None:
    """A config named on the command line must be a regular file: a FIFO or a device
    would never end, and a name the file system refuses is said as such."""
    try:
        if path.is_file():
            return
        problem = "not a file" if path.exists() else "no such config file"
    except OSError as error:  # a name too long, a loop of symlinks
        problem = f"cannot be read ({error.strerror or error})"
    raise ConfigError(f"{path}: {problem}")


def places(value: str | list[Any], at: At) -> Places:
    """One folder (searched recursively), a glob (`tests/cassettes/**/*.yaml`) or a list
    of them; `record` writes into the first one's folder (a glob's fixed part)."""
    given = [value] if isinstance(value, str) else list(strings(value, at))
    if not given or not all(text.strip() for text in given):
        raise at.error("must name a folder or a glob, or list them")
    for text in given:
        plain(text, at)
    first = at.root / given[0]
    try:
        if len(given) == 1 and not _MAGIC & set(given[0]) and not first.is_file():
            return Places(first.resolve(), ())
        fixed = Path(*itertools.takewhile(lambda part: not _MAGIC & set(part), first.parts))
        folder = fixed.parent if fixed.is_file() else fixed
        return Places(folder.resolve(), tuple(str(at.root / text) for text in given))
    except OSError as error:  # a name too long, a loop of symlinks
        raise at.error(f"cannot be used as a folder ({error.strerror or error})") from None


DATE = Kind((datetime.date, str), "a date such as 2020-01-01")


def date(value: datetime.date | str, at: At) -> datetime.date:
    """A TOML date (`2020-01-01`, a date-time's day) or an ISO date string."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise at.error(f"must be a date such as 2020-01-01, not {shown(value)}") from None


def finite(value: Any) -> bool:
    return not isinstance(value, float) or math.isfinite(value)


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
        return {k: expand(v, at, f"{where}.{label(k)}") for k, v in value.items()}
    return value


_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)")


def expand_url(url: str, at: At, where: str) -> str:
    """`expand` for a URL. A variable in the path, query or fragment, or in the userinfo,
    is one value there, percent-encoded: a `&`, `#`, `/` or `..` in it can neither change
    which URL is called nor split the secret past scrubbing. One in the scheme or host
    (`${API_BASE}/users`) is the URL's own text."""
    found = _AUTHORITY.match(url)
    if found:
        own_end = found.end()
        userinfo = (found.start(1), found.start(1) + found.group(1).rfind("@"))
    else:
        own_end = next((i for i, c in enumerate(url) if c in "/?#"), len(url))
        userinfo = (0, -1)
    pieces, last = [], 0
    for match in VARIABLE.finditer(url):
        pieces.append(url[last : match.start()])
        value = expand(match.group(0), at, where)
        one_value = match.start() >= own_end or userinfo[0] <= match.start() < userinfo[1]
        pieces.append(quote(value, safe="") if one_value and value != match.group(0) else value)
        last = match.end()
    pieces.append(url[last:])
    return "".join(pieces)


def path_patterns(values: list[Any], at: At) -> tuple[str, ...]:
    """`maps` / `not_maps`: path patterns as `[[ignore]]` takes them, starting with `$`."""
    for pattern in strings(values, at):
        if not pattern.startswith("$"):
            raise at.error(f"lists path patterns starting with `$`, not {pattern!r}")
        policy.check_path(pattern, f"{at.file}: {at.named}")
    return tuple(values)


def not_utf8(data: bytes, offset: int) -> str:
    """Where a file stops being UTF-8 (`offset` counted after a BOM, as the codec does)."""
    offset += 3 if data.startswith(b"\xef\xbb\xbf") else 0
    line = data.count(b"\n", 0, offset) + 1
    column = offset - data.rfind(b"\n", 0, offset)
    return (
        f"not UTF-8 text: byte 0x{data[offset]:02x} at line {line}, column {column} "
        f"(offset {offset}); save it as UTF-8"
    )


def matchable(url: str) -> str:
    """A configured URL as a template: a `${VAR}` left unset (diff does not need it)
    matches any host, or any segment in the path."""
    _, separator, rest = url.partition("://")
    host, _, path = rest.partition("/")
    if separator and "${" in host:
        url = f"/{path}"
    return VARIABLE.sub(lambda found: "{" + found.group(1) + "}", url)
