"""What a shape node's value domains say, and the rules on them (pure): a path's string
format, its enum values, whether its arrays were ever empty; `enum-value-added`,
`enum-value-removed`, `format-changed` and `became-empty` between two nodes at one path.

The counting is `core/domains.py` (per column, while inferring); this reads the counts. A
rule fires only where the baseline is evidence enough (`MIN_SAMPLES`), so a value seen once
or twice by chance never becomes a contract. Messages name formats and the values of
enum-like paths only, never other values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from driftcheck.core import domains
from driftcheck.core.enum_keys import names_id
from driftcheck.core.model import EndpointSet, Finding, Node, Severity, StatusShape
from driftcheck.core.paths import parse_path
from driftcheck.core.rules import RuleId, percent

# The fewest samples at a path before its format or never-empty arrays count as its
# contract: below, two or three recordings of the same objects can agree by chance.
MIN_SAMPLES = 5
# The fewest baseline responses before any value is a contract (enum, format, never
# empty): the elements of one or two responses are one moment of one data set (a
# forecast's 48 hours, one query's pages of all-day tasks), not independent samples.
MIN_RESPONSES = 3
# Formats a client parses (a date, a UUID): a change breaks the parser. Any other format
# (numbers, e-mails, URIs, IPs as text) often follows the data recorded (a price of "10"
# then "9.99", a zip code, a proxy's address), so a change is a warning. So does `time`:
# a .NET TimeSpan, a Postgres interval or a UTC offset below a day reads as one, and a
# negative or day-long one (`-05:00:00`, `1.02:00:00`) is the same type, other data.
PARSED = frozenset({"date-time", "date", "uuid"})
_STRINGISH = frozenset({"string", "null"})

Report = Callable[..., Finding]  # `compare._Context.finding`: rule, path, baseline, current


def _ordered(counts: Mapping[str, int]) -> list[str]:
    """Values most frequent first (then by text, so every run orders them alike)."""
    return sorted(counts, key=lambda value: (-counts[value], value))


def strings(node: Node) -> int:
    return node.types.get("string", 0)


def _real(node: Node) -> int:
    """The strings that are values: not a cleared or redacted placeholder."""
    return strings(node) - (node.formats or {}).get(domains.PLACEHOLDER, 0)


def path_format(node: Node) -> str | None:
    """The format of a path whose non-null values are all strings of one format."""
    count = strings(node)
    if not count or not _STRINGISH.issuperset(node.types):
        return None
    return domains.path_format(node.formats, count)


def contract_format(node: Node) -> str | None:
    """The format a path holds its values to: seen in at least `MIN_SAMPLES` strings."""
    return path_format(node) if _real(node) >= MIN_SAMPLES else None


def enum_values(node: Node) -> tuple[str, ...] | None:
    """The values of an enum-like path (strings, or null), most frequent first."""
    if node.enum is None or not _STRINGISH.issuperset(node.types):
        return None
    if not domains.is_enum(node.enum, strings(node)):
        return None
    return tuple(_ordered(node.enum))


def signature(node: Node) -> tuple[Any, ...] | None:
    """What the value rules read at a node, for `core/signature.py` (None: nothing)."""
    fmt, enum = path_format(node), enum_values(node)
    if fmt is None and enum is None and not node.empty:
        return None
    return (fmt, None if enum is None else frozenset(enum), node.empty > 0)


def findings(report: Report, path: str, old: Node, new: Node) -> list[Finding]:
    """The value rules at one path both sides have."""
    found = _enum_findings(report, path, old, new)
    found.extend(_format_findings(report, path, old, new))
    found.extend(_empty_findings(report, path, old, new))
    return found


def _enum_findings(report: Report, path: str, old: Node, new: Node) -> list[Finding]:
    before = enum_values(old)
    if before is None or old.enum is None or new.enum is None or not strings(new):
        return []  # not an enum, or the new values are no enum's (say nothing)
    was, now = old.enum, new.enum
    found: list[Finding] = []
    added = [value for value in _ordered(now) if value not in was]
    if added:
        found.append(
            report(
                RuleId.ENUM_VALUE_ADDED,
                path,
                "one of " + "|".join(before),
                "also " + "|".join(added),
                values=", ".join(f"`{value}` ({now[value]})" for value in added),
                known="|".join(before),
            )
        )
    total, samples = sum(was.values()), strings(new)
    gone = [
        value
        for value in before
        if value not in now and domains.unseen_is_significant(was[value] / total, samples)
    ]
    if gone:
        found.append(
            report(
                RuleId.ENUM_VALUE_REMOVED,
                path,
                "one of " + "|".join(before),
                "one of " + "|".join(_ordered(now)),
                values=", ".join(f"`{value}`" for value in gone),
                samples=samples,
            )
        )
    return found


def _format_findings(report: Report, path: str, old: Node, new: Node) -> list[Finding]:
    before = contract_format(old)
    count = _real(new)
    if before is None or not count:
        return []
    formats = _without_placeholders(new.formats)
    if formats is not None and (formats.get(before, 0) == count or _widened(before, formats)):
        return []
    current = _formats_text(formats, before)
    return [
        report(
            RuleId.FORMAT_CHANGED,
            path,
            f"string, {before}",
            f"string, {current}",
            was=before,
            now=current,
            strings=count,
            severity=_severity(before, formats, path),
        )
    ]


def _severity(before: str, formats: Mapping[str, int] | None, path: str) -> Severity | None:
    """Breaking (the rule's own) when a parsed format is gone: every current string has
    a format and none has the old one. A warning when the old format is still sent beside
    new ones (values were added, as a type widened: a new kind of record), for other
    formats, and when some current string has no format (`formats` None): counting stops
    at the first such string, so whether the old format is still sent beside it is not
    known, and one odd record (`1974-12` among dates) must not fail a build. A warning
    too at a key naming an id: ids are opaque, and a list of several record types
    (JSON:API's `data[*].id`) holds each type's kind of id, as the data has them."""
    if before not in PARSED or formats is None or formats.get(before, 0) > 0:
        return Severity.WARNING
    if _names_id(path):
        return Severity.WARNING
    return None


def _names_id(path: str) -> bool:
    """Whether the key a JSONPath ends in (past `[*]` and `{*}`) names an id."""
    keys = [segment for segment in parse_path(path) if isinstance(segment, str)]
    return bool(keys) and names_id(keys[-1])


def _without_placeholders(formats: Mapping[str, int] | None) -> dict[str, int] | None:
    if formats is None:
        return None
    return {name: n for name, n in formats.items() if name != domains.PLACEHOLDER}


def _widened(before: str, formats: Mapping[str, int]) -> bool:
    """Integers as text still parse where decimals were seen: no change for a client."""
    return before == "decimal-as-string" and set(formats) <= domains.NUMERIC


def _formats_text(formats: Mapping[str, int] | None, before: str) -> str:
    """`date` when every string has it, else each format's count (`date-time 37, date
    3`), or that some strings have none (counting stops at the first)."""
    if formats is None:
        return f"not all {before} (some have no format)"
    if len(formats) == 1:
        return next(iter(formats))
    return ", ".join(
        f"{name} {n}" for name, n in sorted(formats.items(), key=lambda i: (-i[1], i[0]))
    )


def _empty_findings(report: Report, path: str, old: Node, new: Node) -> list[Finding]:
    arrays, now = old.types.get("array", 0), new.types.get("array", 0)
    if arrays < MIN_SAMPLES or old.empty or not new.empty:
        return []
    return [
        report(
            RuleId.BECAME_EMPTY,
            path,
            f"array, never empty in {arrays}",
            f"array, empty in {new.empty}/{now}",
            empty=new.empty,
            arrays=now,
            empty_pct=percent(new.empty, now),
        )
    ]


def clear_enums(endpoints: EndpointSet, keys: Iterable[str]) -> EndpointSet:
    """`endpoints` with no enum values at or below a key of `keys` (the config's
    `scrub_body`, any case): what is scrubbed is never an enum, never shown."""
    wanted = frozenset(key.lower() for key in keys)
    if not wanted:
        return endpoints
    return EndpointSet(
        {
            name: {status: _cleared_status(shape, wanted) for status, shape in statuses.items()}
            for name, statuses in endpoints.endpoints.items()
        }
    )


def _cleared_status(shape: StatusShape, keys: frozenset[str]) -> StatusShape:
    if shape.shape is None:
        return shape
    eras = tuple((day, cleared(node, keys)) for day, node in shape.eras)
    return replace(shape, shape=cleared(shape.shape, keys), eras=eras)


def cleared(root: Node, keys: frozenset[str]) -> Node:
    """`root` with `enum=None` on every node at or below a key of `keys` (lower-case);
    the same object when no key of `keys` is in it. Iterative: shapes nest deep."""
    order: list[tuple[Node, int, str | int, bool]] = []  # node, parent row, edge, under
    stack: list[tuple[Node, int, str | int, bool]] = [(root, -1, 0, False)]
    while stack:
        node, parent, edge, under = stack.pop()
        row = len(order)
        order.append((node, parent, edge, under))
        stack.extend(
            (child, row, key, under or key.lower() in keys) for key, child in node.keys.items()
        )
        for step, below in ((1, node.items), (2, node.values)):
            if below is not None:
                stack.append((below, row, step, under))
    if not any(under for _, _, _, under in order):
        return root
    built: dict[int, dict[str | int, Node]] = {}
    for row in range(len(order) - 1, -1, -1):
        node, parent, edge, under = order[row]
        children = built.pop(row, {})
        new = replace(
            node,
            keys={key: children.get(key, child) for key, child in node.keys.items()},
            items=children.get(1, node.items) if node.items is not None else None,
            values=children.get(2, node.values) if node.values is not None else None,
            enum=None if under and node.enum else node.enum,
        )
        built.setdefault(parent, {})[edge] = new
    return built[-1][0]
