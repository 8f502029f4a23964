"""Value domains of string columns: string formats and enum-like value sets (pure).

Formats. The syntaxes do not overlap (a UUID has no `@`, a time is no IPv6 address), so a
string has at most one; they are tried in this order: date-time, date, time, uuid,
integer, decimal, ipv4, ipv6, email, uri. A string longer than 254 characters can only
be a URI (base64 blobs and long text are turned down without a scan).

- `date-time`: RFC 3339 as JSON Schema reads it, `2024-01-31T12:00:00.5+05:30`: `T` or
  `t`, an offset `Z`/`z`/`±hh:mm` required, valid calendar and clock, a leap second only
  at 23:59:60 UTC. `2024-01-31 12:00:00` (space, no offset) is not a date-time: strict
  parsers (java.time, Go's time.RFC3339) reject it, so a change to it is a finding.
- `date`: `YYYY-MM-DD`, a real day (`2024-02-30` is not). `time`: `hh:mm:ss[.f]` with an
  optional offset (times of day seldom carry one; `24:00:00` is not a time).
- `uuid`: 8-4-4-4-12 hex digits, any version, any case.
- `ipv4`: four decimal octets 0-255 without leading zeros (`010` reads as octal to
  some parsers). `ipv6`: what `ipaddress.IPv6Address` takes, without a zone (`%eth0`),
  as JSON Schema says.
- `email`: the WHATWG (HTML `<input type=email>`) practical form: one `@`, a dotted domain.
- `uri`: a scheme and `//` (`https://x`, `s3://b/k`, `file:///p`), or an opaque URI of a
  well-known scheme (`mailto:`, `urn:`, `tel:`, `data:`...); no whitespace. `note:foo`
  is not one: a word and a colon are text.
- `integer-as-string`: ASCII `-?[0-9]+`, leading zeros included: a zip code or account
  number (`01234`) has the same text shape as `12345`, and a column of them must not
  flip between a format and none with the sample. No `+`, no Unicode digits (`١٢٣`).
- `decimal-as-string`: `-?[0-9]+.[0-9]+` and exponents (`1e5`, `2.5E-3`): `str(float)`
  writes exponents, so a column of amounts keeps its format. No `NaN`, `Infinity`.
- `placeholder` (not a format, counted apart): `""` (a cleared field) and what recorders
  write for a redacted value (`REDACTED`, `REDACTED_UUID`, `<redacted>`, `[FILTERED]`,
  `***`, `xxxx`). It stands for a value of the path's format, so it never decides it.

Enums: a path is enum-like when its key does not name ids, names, text or secrets, every
value is a short token (`active`, `in_progress`, `PENDING`, `User`, `USD`, `v2`), and it
has at most `ENUM_CAP` distinct values, each seen often enough (`is_enum`). Anything
doubtful is not an enum: a false `enum-value-added` is a false finding.

Strings with no key (at the body's top) are never an enum. Thresholds, from the shared
corpus (1,900 real cassettes, 3,932 JSON bodies, 10,533 string paths): the key list
turns down 5,614 paths, no key 17, the token rule 1,777; ~120 paths are enums, all API
vocabulary on inspection (statuses, types, severities, stop reasons). The largest real
enums have 41 and 36 values, the next candidate 321 (scopes): `ENUM_CAP` 48.
`MIN_SAMPLES` 10 and `SAMPLES_PER_VALUE` 3 drop re-recorded names; `MAX_UNSEEN` 0.1
(Good-Turing: the share of values seen once estimates the chance the next one is new)
drops domains not yet seen in full, where a new value is sampling, not drift.
"""

from __future__ import annotations

import ipaddress
import re
import string
from collections import Counter
from collections.abc import Collection, Mapping

from driftcheck.core.enum_keys import key_allows_enum, secret_key

__all__ = [
    "COUNTED",
    "FORMATS",
    "NUMERIC",
    "PLACEHOLDER",
    "count_formats",
    "enum_token",
    "enum_values",
    "is_enum",
    "key_allows_enum",
    "merge_enums",
    "merge_formats",
    "path_format",
    "secret_key",
    "string_format",
    "unseen_is_significant",
]

FORMATS: tuple[str, ...] = (
    "date-time",
    "date",
    "time",
    "uuid",
    "email",
    "uri",
    "ipv4",
    "ipv6",
    "integer-as-string",
    "decimal-as-string",
)
NUMERIC = frozenset({"integer-as-string", "decimal-as-string"})
# What a cleared or redacted value reads as (`""`, `REDACTED`, `[FILTERED]`, `***`): it
# stands for a value of the path's format, so it is counted but never decides it.
PLACEHOLDER = "placeholder"
COUNTED: tuple[str, ...] = (*FORMATS, PLACEHOLDER)  # the names `count_formats` may give

ENUM_CAP = 48  # most distinct values: the corpus's largest real enums have 41 and 36
MIN_SAMPLES = 10  # fewest non-null strings before a path is reported as an enum
SAMPLES_PER_VALUE = 3  # on average, each distinct value seen this many times
MAX_UNSEEN = 0.1  # Good-Turing: values seen once / samples, the chance the next is new
ENUM_TOKEN_MAX = 48  # characters: `checkout.session.async_payment_succeeded` is 40
UNSEEN_RISK = 0.01  # a removed value is reported when it had < 1 % chance to be missed
SHORT = 254  # longest e-mail address; longer strings can only be URIs

_OPAQUE_SCHEMES = "mailto|urn|tel|data|sms|sip|sips|geo|magnet|news|xmpp|ni"
_DATE = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"  # days 29-31: `_CHECKS`
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?"  # second 60: `_CHECKS`
_OFFSET = r"(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SYNTAX = {
    "date-time": rf"{_DATE}[Tt]{_TIME}{_OFFSET}",
    "date": _DATE,
    "time": rf"{_TIME}{_OFFSET}?",
    "uuid": r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    "integer-as-string": r"-?\d+",
    # a fraction or an exponent: an integer is integer-as-string, in a column check too
    "decimal-as-string": r"-?\d+(?:\.\d+(?:[eE][+-]?\d+)?|[eE][+-]?\d+)",
    "ipv4": rf"(?:{_OCTET}\.){{3}}{_OCTET}",
    "ipv6": r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*",
    "email": rf"[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_HOST_LABEL}(?:\.{_HOST_LABEL})+",
    "uri": rf"[A-Za-z][A-Za-z0-9+.-]*://[^\s]+|(?i:{_OPAQUE_SCHEMES}):[^\s]+",
}
_GROUPS = {name: name.replace("-", "_") for name in FORMATS}
_NAMES = {group: name for name, group in _GROUPS.items()}
_FORMAT = re.compile(
    "|".join(f"(?P<{_GROUPS[name]}>{_SYNTAX[name]})" for name in _SYNTAX), re.ASCII
)
# A column of one format checked at once: its distinct values joined by newlines.
_COLUMN = {
    name: re.compile(rf"(?:{syntax})(?:\n(?:{syntax}))*", re.ASCII)
    for name, syntax in _SYNTAX.items()
    if name != "ipv6"  # every IPv6 address goes through `ipaddress`
}
# Where the syntax allows what `_CHECKS` turns down: days 29-31, second 60.
_SUSPECT = {
    "date-time": re.compile(r"-(?:29|3[01])[Tt]|:60"),
    "date": re.compile(r"-(?:29|3[01])(?:\n|\Z)"),
    "time": re.compile(r":60"),
}
_URI_START = re.compile(rf"[A-Za-z][A-Za-z0-9+.-]{{0,31}}://\S|(?i:{_OPAQUE_SCHEMES}):\S")
_SPACE = re.compile(r"\s")
# Placeholders of recorders and loggers: `REDACTED`, `REDACTED_UUID`, `<redacted>`,
# `[FILTERED]` (Rails), `[MASKED]`, `***`, `xxxx`, a UUID of `x`s, and a cleared field's "".
_PLACEHOLDER = re.compile(
    r"|[<\[{]?\**(?:(?:REDACTED|Redacted|redacted)(?:[_-][A-Za-z0-9_-]+)?|FILTERED|filtered"
    r"|MASKED|masked|SCRUBBED|scrubbed)\**[>\]}]?|\*{3,16}|[xX]{3,8}"
    r"|[xX*]{8}-[xX*]{4}-[xX*]{4}-[xX*]{4}-[xX*]{12}",
    re.ASCII,
)
_PLACEHOLDER_START = frozenset("<[{RrFfMmSs*xX")
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _day_ok(text: str) -> bool:
    """`YYYY-MM-DD...` whose day exists (the regex allows 01-31 in every month)."""
    if text[8:10] < "29":
        return True
    year, month, day = int(text[0:4]), int(text[5:7]), int(text[8:10])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return day <= _DAYS[month - 1] and (month != 2 or leap)


def _second_ok(text: str) -> bool:
    """`hh:mm:ss[.f][offset]` whose second 60 is a leap second: 23:59:60 in UTC."""
    if text[6:8] != "60":
        return True
    zone = text[8:].lstrip(".0123456789")
    offset = 0 if zone[:1] not in ("+", "-") else int(zone[1:3]) * 60 + int(zone[4:6])
    offset = -offset if zone[:1] == "-" else offset
    return (int(text[0:2]) * 60 + int(text[3:5]) - offset) % 1440 == 1439


def _ipv6_ok(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


_CHECKS = {
    "date-time": lambda text: _day_ok(text) and _second_ok(text[11:]),
    "date": _day_ok,
    "time": _second_ok,
    "ipv6": _ipv6_ok,
}
# What a format's first character allows, so most text is turned down without a regex:
# after a digit anything; after a letter a UUID (36 characters), an e-mail or a URI (an
# `@` or a `:`); after `-` or `:` a number or an IPv6; after another symbol an e-mail.
_DIGIT, _LETTER, _SIGN, _SYMBOL = 0, 1, 2, 3
_START = {
    **dict.fromkeys(string.digits, _DIGIT),
    **dict.fromkeys(string.ascii_letters, _LETTER),
    **dict.fromkeys("-:", _SIGN),
    **dict.fromkeys("!#$%&'*+/=?^_`{|}~.", _SYMBOL),
}


def string_format(text: str) -> str | None:
    """The one format of a string, PLACEHOLDER for a cleared or redacted value, or None
    (see the module docstring)."""
    if (not text or text[0] in _PLACEHOLDER_START) and _PLACEHOLDER.fullmatch(text):
        return PLACEHOLDER
    start = _START.get(text[:1])
    if start is None:
        return None
    if start == _LETTER:
        if "@" not in text and ":" not in text and len(text) != 36:
            return None
    elif start == _SYMBOL and "@" not in text:
        return None
    if len(text) > SHORT:
        return "uri" if _URI_START.match(text) and not _SPACE.search(text) else None
    match = _FORMAT.fullmatch(text)
    if match is None:
        return None
    name = _NAMES[match.lastgroup or ""]
    check = _CHECKS.get(name)
    return name if check is None or check(text) else None


def count_formats(strings: list[str]) -> dict[str, int] | None:
    """Per format, how many of `strings` have it (each string counted once, under its one
    most specific format); None as soon as one has no format: the path has none then,
    whatever else comes (None absorbs, as in `merge_formats`). Most string columns are
    text or ids, told by their first value, so they cost one look, not one per value.
    Any split of a column, merged, gives the whole column's result."""
    if not strings:
        return {}
    if string_format(strings[0]) is None:
        return None
    if len(strings) == 1:  # most columns of one body: no set to build
        return {string_format(strings[0]) or "": 1}
    return _formats(strings, set(strings))


def _formats(strings: list[str], distinct: set[str]) -> dict[str, int] | None:
    """Each distinct value classified once, and values counted only when formats mix."""
    candidates = _candidates(distinct)
    found: dict[str, str] = {}
    for text in candidates:
        name = string_format(text)
        if name is None:
            return None
        found[text] = name
    names = set(found.values())
    if len(found) == len(candidates) and len(names) == 1:
        return {names.pop(): len(strings)}
    counts: dict[str, int] = {}
    for text, count in Counter(strings).items():
        name = found[text]
        counts[name] = counts.get(name, 0) + count
    return counts


def merge_formats(
    a: Mapping[str, int] | None, b: Mapping[str, int] | None
) -> dict[str, int] | None:
    """Counts added; None if either is None (a string with no format was seen)."""
    if a is None or b is None:
        return None
    merged = dict(a)
    for name, count in b.items():
        merged[name] = merged.get(name, 0) + count
    return merged


def _candidates(distinct: set[str]) -> Collection[str]:
    """The values to classify. A column of three or more whose values all have the first
    one's format is told at C speed, its values joined by newlines (when none holds one),
    and stands for one value; else each is classified."""
    if len(distinct) < 3 or max(map(len, distinct)) > SHORT:
        return distinct  # long strings: URIs only, told one by one
    first = min(distinct)  # any value would do (formats do not overlap): one that is fixed
    column = _COLUMN.get(string_format(first) or "")
    if column is None:
        return distinct
    joined = "\n".join(distinct)
    if joined.count("\n") != len(distinct) - 1 or not column.fullmatch(joined):
        return distinct
    return (first,) if _valid(string_format(first) or "", joined, distinct) else distinct


def _valid(name: str, joined: str, distinct: set[str]) -> bool:
    """Whether values of `name`'s syntax pass its check: most columns hold no day past
    the 28th and no second 60, found in one scan; the rest are checked one by one."""
    check = _CHECKS.get(name)
    suspect = _SUSPECT.get(name)
    if check is None or (suspect is not None and suspect.search(joined) is None):
        return True
    return all(map(check, distinct))


def path_format(counts: Mapping[str, int] | None, strings: int) -> str | None:
    """The format of a path whose `strings` non-null string values were counted into
    `counts`: the one format all have; integer- and decimal-as-string together are
    decimal-as-string; None when some value has none or two formats mix. Placeholders
    (`""`, `REDACTED`) stand for values of the format: left out, unless all are."""
    if counts is None:
        return None
    strings -= counts.get(PLACEHOLDER, 0)
    present = [name for name, count in counts.items() if count and name != PLACEHOLDER]
    if strings <= 0 or sum(counts[name] for name in present) != strings:
        return None
    if len(present) == 1:
        return present[0]
    if set(present) == NUMERIC:
        return "decimal-as-string"
    return None


# A token: words joined by `_ - . /` (`in_progress`, `checkout.session.completed`,
# `application/json`), each lower, UPPER, Capitalized or camelCase, with at most two
# trailing digits (`v2`, `ipv4`). Random ids (`cus_NffrFeUfNV2Hib`) break the humps.
_WORD = r"(?:[A-Z]+|[A-Z]?[a-z]+(?:[A-Z][a-z]+)*|[A-Z]+[a-z]+(?:[A-Z][a-z]+)*)\d{0,2}"
_TOKEN = re.compile(rf"{_WORD}(?:[_\-./]{_WORD})*", re.ASCII)
# Vendor credentials that read as tokens: Stripe `sk_live_`/`whsec_`, GitHub `ghp_`,
# `github_pat_`, Slack `xoxb-`, AWS `AKIA`, Google `AIza`, a JWT's `eyJ`, GitLab, OpenAI.
SECRET_SHAPE = re.compile(
    r"[spr]k_(?:live|test)_|whsec_|gh[pousr]_|github_pat_|xox[abeprs][-_]|A[KS]IA[0-9A-Z]{12}"
    r"|AIza|eyJ|glpat-|sk-(?:proj|ant|svcacct)-|npm_[A-Za-z0-9]{20}|shp(?:at|ss|ca|pa)_",
    re.ASCII,
)


def enum_token(text: str) -> bool:
    """Whether a value reads as one of a few choices: `active`, `in_progress`, `PENDING`,
    `User`, `USD`, `v2`; not text, ids, numbers, dates, e-mails, URLs, vendor secrets
    (`sk_live_...`) or placeholders (`REDACTED_UUID`, `xxx`). `hunter2` passes, as `tier2`
    does: the shape cannot tell them apart, the key (`password`, `secret_key`) does; a
    digit inside a word (`p4ssw0rd`, `a1b2`) is no token."""
    return (
        0 < len(text) <= ENUM_TOKEN_MAX
        and _TOKEN.fullmatch(text) is not None
        and SECRET_SHAPE.match(text) is None
        and string_format(text) != PLACEHOLDER
    )


def enum_values(key: str | None, strings: list[str]) -> dict[str, int] | None:
    """Each distinct value with its count, when the path may be an enum: `key` (the object
    key holding the values, the array's key for its elements, None at the body's top or a
    map's values) names no ids, text, names or secrets; every value is an enum-like token;
    at most ENUM_CAP distinct. None otherwise (None is absorbing); {} for no strings. With
    no key (strings at the body's top) there is nothing to tell branch or tag names from
    a choice: no enum."""
    if key is None or not key_allows_enum(key):
        return None
    if not strings:
        return {}
    if not enum_token(strings[0]):
        return None  # text, ids, numbers: mostly told by the first value
    if len(strings) == 1:  # most columns of one body
        return {strings[0]: 1}
    if len(set(strings[:_EARLY])) > ENUM_CAP:
        return None  # or by the first few
    return _enum(strings, set(strings))


_EARLY = 4 * ENUM_CAP  # values looked at before the whole column is


def _enum(strings: list[str], distinct: set[str]) -> dict[str, int] | None:
    if len(distinct) > ENUM_CAP or not all(map(enum_token, distinct)):
        return None
    if len(distinct) <= 4:  # a few passes at C speed beat hashing every value again
        return {value: strings.count(value) for value in distinct}
    return dict(Counter(strings))


def merge_enums(a: Mapping[str, int] | None, b: Mapping[str, int] | None) -> dict[str, int] | None:
    """Union with counts added; None if either is None or the union exceeds ENUM_CAP.
    Associative and commutative, so any split of a column merges to the same result."""
    if a is None or b is None:
        return None
    merged = dict(a)
    for value, count in b.items():
        merged[value] = merged.get(value, 0) + count
    return merged if len(merged) <= ENUM_CAP else None


def is_enum(values: Mapping[str, int] | None, strings: int) -> bool:
    """Whether a path's counted values make it enum-like for reporting: at least 2
    distinct values, at least MIN_SAMPLES strings, SAMPLES_PER_VALUE per distinct value
    on average, few values seen once (MAX_UNSEEN: else the next recording likely shows
    a new one, which is sampling, not drift), every string counted."""
    if not values or len(values) < 2 or strings < MIN_SAMPLES:
        return False
    once = sum(1 for count in values.values() if count == 1)
    return (
        sum(values.values()) == strings
        and strings >= SAMPLES_PER_VALUE * len(values)
        and once <= MAX_UNSEEN * strings
    )


def unseen_is_significant(share: float, samples: int) -> bool:
    """Whether a value that made up `share` of the baseline's values would have been seen
    at least once in `samples` current values with probability 1 - UNSEEN_RISK: only then
    is its absence reported (enum-value-removed)."""
    if samples <= 0 or share <= 0.0:
        return False
    return share >= 1.0 or (1.0 - share) ** samples < UNSEEN_RISK
