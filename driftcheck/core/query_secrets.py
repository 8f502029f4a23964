"""Which query parameters hold a secret, and URLs with their values redacted (pure).

`record` scrubs them before writing a cassette; `init` writes them as `${VAR}`; the
census redacts them in the URLs it keeps, so a key in a cassette another tool wrote
never reaches the shape cache.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"
BUILTIN_QUERY = frozenset(
    {"api_key", "key", "token", "access_token", "secret", "signature", "password"}
)
SECRET_QUERY_NAMES = BUILTIN_QUERY | {
    "apikey",
    "auth",
    "sig",
    "client_secret",
    "x_amz_signature",
    "x_amz_credential",
    "x_amz_security_token",
}
SECRET_NAME = re.compile(
    r"(?:^|_)(?:api|access|auth|client|secret|private|app|session|refresh|id|consumer|oauth)"
    r"_?(?:key|token|secret)\Z|(?:password|secret|signature)\Z"
)
_JWT = re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.")
_MARKERS = frozenset({REDACTED.lower(), "<redacted>", "filtered", "[filtered]", "***", "xxx"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def snake(text: str) -> str:
    """`GetUserRepos` -> `get_user_repos`; anything but letters and digits -> `_`."""
    return _NOT_WORD.sub("_", _CAMEL.sub("_", text).lower()).strip("_")


def looks_secret(value: str) -> bool:
    """A value someone scrubbed already, or a JSON web token."""
    return value.strip().lower() in _MARKERS or _JWT.match(value) is not None


def secret_query(name: str, value: str = "") -> bool:
    """A query parameter whose value must not be written: by its name, or its value."""
    key = snake(name)
    return key in SECRET_QUERY_NAMES or bool(SECRET_NAME.search(key)) or looks_secret(value)


@functools.lru_cache(maxsize=4096)  # per interaction in a scan: URLs repeat across files
def redacted_query(uri: str) -> str:
    """`uri` with each secret query parameter's value `REDACTED` (the same text when it
    has none: most URLs are kept as they are, without being rebuilt)."""
    if "?" not in uri:
        return uri
    parts = urlsplit(uri)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(secret_query(key, value) for key, value in pairs):
        return uri
    query = urlencode(
        [(key, REDACTED if secret_query(key, value) else value) for key, value in pairs]
    )
    return urlunsplit(parts._replace(query=query))
