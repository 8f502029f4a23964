"""What the recordings prove about a response body, written as JSON Schema 2020-12 (pure).

A schema says only what every recorded body shows, so each recorded body validates:
`required` are the keys every object had; null is a type in a type list; integers and
numbers seen together are `number`; a map (keys that are data) is `additionalProperties`
with its values' schema; objects told apart by a tag (`type`, `kind`, ...) are a `oneOf`
of one branch per tag value, with a `discriminator`; enum-like values are an `enum`. A
string format is the `format` keyword only where driftcheck's definition is JSON
Schema's (`STANDARD_FORMATS`) and no placeholder (`""`, `REDACTED`) was seen; the rest,
and every count, goes in the `x-driftcheck` extension, which validators ignore. Nothing
is closed (`additionalProperties: false`, `minItems`): an API adds fields, a list may
come back empty. A place seen only as null names no type: `{}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftcheck.core import domain_rules, domains, tags
from driftcheck.core.model import JSON_TYPES, EndpointSet, Node, Tagged

__all__ = [
    "DIALECT",
    "EXTENSION",
    "MAX_SCHEMA_DEPTH",
    "STANDARD_FORMATS",
    "json_schema",
    "json_schemas",
]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
EXTENSION = "x-driftcheck"
# Formats whose driftcheck definition (`core/domains.py`) is JSON Schema's: RFC 3339
# date-time and full-date, RFC 4122 UUIDs, `ipaddress`'s IPv4 and IPv6 (driftcheck's are
# the same or stricter, so every string it names so passes a format assertion). `time`
# differs (JSON Schema requires an offset, driftcheck does not), `email` (WHATWG's form,
# not RFC 5321's) and `uri` (any non-space text after `scheme://`, not RFC 3986) too.
STANDARD_FORMATS = frozenset({"date-time", "date", "uuid", "ipv4", "ipv6"})
# Data levels written before the rest is `{}`: a schema nests about two JSON levels per
# data level, and the writers and validators downstream recurse (orjson stops at 255).
MAX_SCHEMA_DEPTH = 64

Schema = dict[str, Any]


def json_schema(node: Node | None, *, samples: int) -> Schema:
    """The schema of the bodies one endpoint and status recorded (`node`: their merged
    shape, None when none was JSON), `samples` responses in all. No `$schema` key."""
    if node is None:
        return {EXTENSION: {"responses": samples, "samples": 0}}
    schema = _schema(node, 0, None)
    schema[EXTENSION] = {"responses": samples, **schema[EXTENSION]}
    return schema


def json_schemas(endpoints: EndpointSet) -> Schema:
    """One JSON Schema document holding every endpoint's: `endpoints.<name>.<status>`,
    each a whole schema on its own (no reference out of it)."""
    return {
        "$schema": DIALECT,
        "title": "Recorded responses",
        "description": (
            "What driftcheck's recordings prove about each endpoint's JSON responses, per "
            "endpoint name and status code; counts are under x-driftcheck."
        ),
        "endpoints": {
            name: {
                str(status): json_schema(shape.shape, samples=shape.samples)
                for status, shape in sorted(statuses.items())
            }
            for name, statuses in sorted(endpoints.endpoints.items())
        },
    }


def _kinds(node: Node) -> list[str]:
    """The JSON types seen here, integer folded into number when both were seen."""
    seen = {kind for kind, count in node.types.items() if count > 0}
    if "integer" in seen and "number" in seen:
        seen.discard("integer")
    return [kind for kind in JSON_TYPES if kind in seen]


def _facts(node: Node, presence: tuple[int, int] | None) -> dict[str, Any]:
    """The counts behind a place: values seen (and for a key, of how many objects), nulls,
    and each type's count when several were seen."""
    facts: dict[str, Any] = {}
    if presence is not None:
        present, parent = presence
        facts["presence"] = percent(present, parent)
        facts["samples"] = present
        facts["of"] = parent
    else:
        facts["samples"] = node.count
    nulls = node.types.get("null", 0)
    if nulls:
        facts["nulls"] = nulls
    kinds = [kind for kind in JSON_TYPES if node.types.get(kind, 0) > 0]
    if len(kinds) > 1:
        facts["types"] = {kind: node.types[kind] for kind in kinds}
    return facts


def percent(part: int, whole: int) -> float:
    """`part` of `whole` in percent, one decimal, rounded down: 100.0 only for all."""
    return (1000 * part // max(whole, 1)) / 10


def _schema(node: Node, depth: int, presence: tuple[int, int] | None) -> Schema:
    facts = _facts(node, presence)
    if depth >= MAX_SCHEMA_DEPTH:
        return {EXTENSION: {**facts, "truncated": True}}
    kinds = _kinds(node)
    named = [kind for kind in kinds if kind != "null"]
    if not named:  # nothing, or only null: the type is not known
        if kinds:
            facts["nullOnly"] = True
        return {EXTENSION: facts}
    schema: Schema = {"type": kinds[0] if len(kinds) == 1 else kinds}
    if "object" in named:
        _object(schema, node, depth, kinds)
    if "array" in named:
        if node.items is not None:
            schema["items"] = _schema(node.items, depth + 1, None)
        facts["empty"] = node.empty
    if named == ["string"]:
        _strings(schema, node, facts)
    schema[EXTENSION] = facts
    return schema


def _object(schema: Schema, node: Node, depth: int, kinds: list[str]) -> None:
    """Keys (or a map's values), which are always there, and variants by tag."""
    if node.values is not None:
        schema["additionalProperties"] = _schema(node.values, depth + 1, None)
        return
    if not node.keys:
        return
    objects = node.types.get("object", 0)
    parents = tags.key_parents(node)
    schema["properties"] = {
        key: _schema(child, depth + 1, (child.count, parents[key] if parents else objects))
        for key, child in node.keys.items()
    }
    required = [key for key, child in node.keys.items() if child.count >= objects]
    if required:
        schema["required"] = required
    if parents is not None and node.tag is not None:
        _variants(schema, node, node.tag, [kind for kind in kinds if kind != "object"])


def _variants(schema: Schema, node: Node, tag: str, others: list[str]) -> None:
    """One `oneOf` branch per tag value: its `const` and the keys its objects always had.
    A branch takes the objects without the tag (or with a non-string or empty one), and
    one the values that are not objects (null), so each value matches exactly one."""
    if sum(variant.count for variant in node.variants.values()) != node.types.get("object"):
        return  # counts that do not add up cannot promise a branch to every object
    names = tags.variant_names(node)
    branches = [_branch(node, tag, name, node.variants[name]) for name in names]
    if others:
        branches.append({"type": others[0] if len(others) == 1 else others})
    schema["oneOf"] = branches
    if tags.UNTAGGED not in node.variants:
        schema["discriminator"] = {"propertyName": tag}


def _branch(node: Node, tag: str, name: str, variant: Tagged) -> Schema:
    named = name != tags.UNTAGGED
    tag_schema: Schema = {"const": name} if named else {"not": {"type": "string", "minLength": 1}}
    branch: Schema = {"type": "object", "properties": {tag: tag_schema}}
    required = [key for key in node.keys if variant.keys.get(key, 0) >= variant.count]
    if required:
        branch["required"] = required
    facts: dict[str, Any] = {"samples": variant.count}
    if not named:
        facts["untagged"] = True
    branch[EXTENSION] = facts
    return branch


def _strings(schema: Schema, node: Node, facts: dict[str, Any]) -> None:
    """An enum-like path's values (null among them when seen), and its format."""
    values = domain_rules.enum_values(node)
    if values is not None:
        schema["enum"] = [*values, None] if node.types.get("null") else list(values)
    name = domain_rules.path_format(node)
    if name is None:
        return
    placeholders = _placeholders(node.formats)
    if name in STANDARD_FORMATS and not placeholders:
        schema["format"] = name
        return
    facts["format"] = name
    if placeholders:
        facts["placeholders"] = placeholders


def _placeholders(formats: Mapping[str, int] | None) -> int:
    return (formats or {}).get(domains.PLACEHOLDER, 0)
