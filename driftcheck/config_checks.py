"""The checks on an `[[endpoints]]` table's values, so that what loads can be recorded: a
URL that `str.format_map` fills, params that fill it, headers `http.client` sends, a JSON
body `json` writes, statuses that exist.

Each refusal is one line naming the file, the endpoint and the key. A value that can
come from a `${VAR}` (params, query, headers, URL variables) is described, never shown:
it may be a secret.
"""

from __future__ import annotations

import datetime
import math
import re
import string
from typing import Any

from driftcheck.config_spec import CONTROL, VARIABLE, At, finite, label, plain, shown
from driftcheck.errors import ConfigError

SENT = frozenset({"url", "params", "query", "headers", "json"})  # where `${VAR}`s expand
MAX_SAMPLES = 10_000  # requests one endpoint's `params` may make
MAX_NAME = 200  # an endpoint name is a file name
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}")  # RFC 9110: methods, header names
_OPERATION = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")  # a GraphQL name
_LOOSE = re.compile(r"\$\{(?![A-Za-z_][A-Za-z0-9_]*\})")  # a `${` that starts no variable
_FIELDS = (
    "a placeholder is a plain name such as {id}, filled from `params`; "
    "write a literal brace as {{ or }}"
)


def file_name(name: str, at: At) -> str:
    if not _FILE_NAME.fullmatch(name) or len(name) > MAX_NAME:
        raise ConfigError(
            f"{at.file}: endpoint name {shown(name)} must be a file name of at most "
            f"{MAX_NAME} characters: letters, digits, '.', '_', '-'"
        )
    return name


def method(text: str, at: At) -> str:
    if not _TOKEN.fullmatch(text):
        raise at.error(f"must be an HTTP method such as GET, not {shown(text)}")
    return text.upper()


def operation(text: str, at: At) -> str:
    if not _OPERATION.fullmatch(text):
        raise at.error(f"must be a GraphQL operation name such as GetUser, not {shown(text)}")
    return text


def written_url(url: str, at: At) -> None:
    """The URL as written, before `${VAR}`s are expanded: `format_map` must be able to
    fill it, every placeholder a plain name, every `${` a variable; and a variable
    expanded into it must not bring braces or control characters."""
    plain(url, at)
    if not url.strip():
        raise at.error("must be a URL such as https://api.example.com/users/{id}")
    loose = _LOOSE.search(url)
    if loose:
        raise at.error(
            f"has a `${{` at character {loose.start() + 1} that starts no variable; write "
            "${NAME} (letters, digits and _, not starting with a digit)"
        )
    try:
        parsed = list(string.Formatter().parse(url))
    except ValueError as error:
        raise at.error(f"is not a valid URL template ({error}); {_FIELDS}") from None
    for _, field, spec, conversion in parsed:
        if field is not None and (not field.isidentifier() or spec or conversion):
            written = field + (f"!{conversion}" if conversion else "")
            written += f":{spec}" if spec else ""
            raise at.error(f"has placeholder {{{written}}}: {_FIELDS}")
    for name in VARIABLE.findall(url):
        value = at.env.get(name, "")
        if not _sendable(value) or "{" in value or "}" in value:
            raise ConfigError(
                f"{at.file}: {at.named}: environment variable `{name}` has braces or control "
                "characters (its value is not shown); a URL's variables must expand to plain text"
            )


def _described(value: Any) -> str:
    """A wrong value by its kind: the value itself may hold an expanded secret."""
    if isinstance(value, (bool, float, int)):
        return shown(value)
    if isinstance(value, str):
        return "text with control characters"
    if isinstance(value, (datetime.date, datetime.time)):
        return "a date or time (quote it)"
    return "a list" if isinstance(value, list) else "a table"


def _sendable(text: str) -> bool:
    """Text that can go into a URL: no control characters, and UTF-8 (an environment
    variable's undecodable bytes arrive as lone surrogates, which no request encodes)."""
    return not CONTROL.search(text) and _encodes(text, "utf-8")


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _scalar(value: Any) -> bool:
    if isinstance(value, str):
        return _sendable(value)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and finite(value)


def params(table: dict[str, Any], at: At) -> dict[str, tuple[Any, ...]]:
    """Each placeholder's values (one, or a list): strings or numbers; one request per
    combination, `MAX_SAMPLES` at most."""
    result: dict[str, tuple[Any, ...]] = {}
    for name, value in table.items():
        values = tuple(value) if isinstance(value, list) else (value,)
        if not values:
            raise ConfigError(
                f"{at.file}: {at.named}: `{label(name)}` lists no values; give one or more"
            )
        wrong = next((item for item in values if not _scalar(item)), None)
        if wrong is not None:
            raise ConfigError(
                f"{at.file}: {at.named}: `{label(name)}` must be a string or a number, or a "
                f"list of them, not {_described(wrong)}"
            )
        result[name] = values
    count = math.prod(len(values) for values in result.values())
    if count > MAX_SAMPLES:
        raise ConfigError(
            f"{at.file}: {at.named} make {count} requests; at most {MAX_SAMPLES}: list fewer values"
        )
    return result


def texts(table: dict[str, Any], at: At) -> dict[str, str]:
    """`query`, `match_query`: each value a string or a number, sent as text."""
    for name, value in table.items():
        if not _scalar(value) and not (isinstance(value, str) and _encodes(value, "utf-8")):
            raise ConfigError(
                f"{at.file}: {at.named}: `{label(name)}` must be a string or a number, "
                f"not {_described(value)}"
            )
    return {name: str(value) for name, value in table.items()}


def headers(table: dict[str, Any], at: At) -> dict[str, str]:
    """Header names are tokens; values are Latin-1 text without line breaks or control
    characters (a tab aside), as `http.client` sends them."""
    for name, value in table.items():
        if not _TOKEN.fullmatch(name):
            raise ConfigError(f"{at.file}: {at.named}: {shown(name)} is not a header name")
        text = value if isinstance(value, str) else ""
        if CONTROL.search(text.replace("\t", " ")) or not _encodes(text, "latin-1"):
            raise ConfigError(
                f"{at.file}: {at.named}: the value of `{name}` has a line break, a control "
                "character or a character outside Latin-1 (its value is not shown)"
            )
    return texts(table, at)


def json_body(value: Any, at: At, where: str = "$") -> Any:
    """A request body `json` can write: no TOML dates or times, no nan or inf."""
    if isinstance(value, (datetime.date, datetime.time)):
        raise ConfigError(
            f"{at.file}: {at.named}: a TOML date or time is not JSON; quote it (at {where})"
        )
    if not finite(value):
        raise ConfigError(f"{at.file}: {at.named}: JSON has no nan or inf (at {where})")
    if isinstance(value, dict):
        for key, item in value.items():
            json_body(item, at, f"{where}.{label(key)}")
    if isinstance(value, list):
        for index, item in enumerate(value):
            json_body(item, at, f"{where}[{index}]")
    return value


def statuses(codes: list[Any], at: At) -> tuple[int, ...]:
    for code in codes:
        if isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 599:
            raise at.error(f"must list status codes (integers 100 to 599), not {shown(code)}")
    return tuple(codes)


def fixtures(references: list[Any], at: At) -> tuple[str, ...]:
    if not all(isinstance(ref, str) and ref.strip() for ref in references):
        raise ConfigError(
            f'{at.place}: `fixtures` must list paths such as "tests/fixtures/user.json" '
            'or "tests/test_users.py::MOCK_USER"'
        )
    return tuple(plain(ref, at) for ref in references)
