"""Mock payloads against a spec's response schema, for endpoints never recorded (pure).

With no recordings, the spec's documented response is the only contract a mock can be held
to; every finding says so (the rules' `"spec"` message variant) and points at both the
mock's line and the schema's. Per payload: a key the schema does not document
(`mock-field-unknown`: where the object forbids other keys, or documents some and leaves
the rest open, since an invented key is exactly the drift mocks hide), a required key the
mock lacks (`mock-field-missing`), a type the schema does not allow (`mock-type-mismatch`),
a null it does not allow (`mock-null-unseen`), a string outside its enum
(`mock-enum-unknown`) or of another format (`mock-format-mismatch`, only for formats
recognised exactly). A spec gives no frequencies, so nothing here is about coverage.

A mock has no content type: where the response lists several JSON media types with
different schemas, it is held to any of them, as to a `oneOf`. A float such as `3.0`
fits an integer, as in JSON Schema. A `oneOf`/`anyOf` value fits when it fits one
alternative: the one its discriminator names if the mock has it, else any; when none
fits, only what no alternative allows is reported. Nothing is said where the schema
cannot decide (no type, an `Opaque` part, an `Unknown` string's value, nesting deeper
than `MAX_DEPTH`, alternatives tried within more than `MAX_TRIED` others). Each
finding once per fixture and path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from driftcheck.core import domains
from driftcheck.core.fixture_bodies import Body, bodies_of
from driftcheck.core.model import Finding, Fixture, Location, Node, Opaque
from driftcheck.core.paths import ITEMS, ROOT, VALUES, child_path
from driftcheck.core.rules import RuleId, finding
from driftcheck.core.shape import fits, format_types, json_type
from driftcheck.core.spec_match import any_schema
from driftcheck.core.spec_model import Response, SchemaNode

MAX_DEPTH = 200  # nesting levels walked: deeper parts are not checked (Python's stack)
# `oneOf`s tried within `oneOf`s tried (no discriminator picking one): each tries every
# alternative, so a recursive schema would cost 2**depth; deeper ones are not checked.
MAX_TRIED = 6
# Spec formats a mock string is checked against: those `domains.string_format` recognises
# by their exact syntax (an e-mail address or URI it recognises only heuristically).
CHECKED_FORMATS = frozenset({"date-time", "date", "time", "uuid", "ipv4", "ipv6"})
_NULL = frozenset({"null"})
_Key = tuple[RuleId, str]


def spec_mock_findings(
    endpoint: str, status: int | None, response: Response, fixtures: Sequence[Fixture]
) -> list[Finding]:
    """Every fixture against the response's schema: per fixture, in the order its walk
    meets them (depth first, keys in fixture order, an object's missing keys after its
    own)."""
    schema = any_schema(response)  # a mock has no content type: any of the JSON ones
    if schema is None:
        return []
    root = Node(types=dict.fromkeys(_types_of(schema) or (), 1))
    findings: list[Finding] = []
    for fixture in fixtures:
        found: dict[_Key, Finding] = {}
        for body in bodies_of(fixture, root):
            walk = _Walk(endpoint, status, body, found)
            _check(walk, body.value, schema, _At(ROOT, ROOT), 0)
        findings.extend(found.values())
    return findings


@dataclass(frozen=True, slots=True)
class _At:
    """A place in a body: its JSONPath as findings name it (`{*}` for a value of an object's
    undocumented keys), and the path the fixture's lines are keyed by (the key itself)."""

    path: str
    line: str

    def key(self, key: str) -> _At:
        return _At(child_path(self.path, key), child_path(self.line, key))

    def entry(self, key: str) -> _At:
        return _At(self.path + VALUES, child_path(self.line, key))

    def item(self) -> _At:
        return _At(self.path + ITEMS, self.line + ITEMS)


@dataclass
class _Walk:
    """One body's walk: where it reports to (the first finding per rule and path is kept),
    and how to word and place a finding."""

    endpoint: str
    status: int | None
    body: Body
    found: dict[_Key, Finding] = field(default_factory=dict)
    tried: int = 0  # alternatives being tried around this walk

    def fork(self) -> _Walk:
        """A walk of the same body into its own findings: one alternative, tried."""
        return _Walk(self.endpoint, self.status, self.body, {}, self.tried + 1)

    def keep(self, findings: Mapping[_Key, Finding]) -> None:
        for key, each in findings.items():
            self.found.setdefault(key, each)

    def report(
        self,
        rule: RuleId,
        at: _At,
        node: SchemaNode,
        baseline: str,
        current: str,
        **facts: Any,
    ) -> None:
        if (rule, at.path) in self.found:
            return
        location = self.body.where(at.line)
        self.found[rule, at.path] = finding(
            rule,
            endpoint=self.endpoint,
            status=self.status,
            path=at.path,
            source="fixture",
            baseline=baseline,
            current=current,
            location=location,
            spec_location=node.location,
            variant="spec",
            where=location,
            spec=_spec(node.location),
            **facts,
        )


def _spec(location: Location) -> str:
    return str(location) if location else "the spec"


def _check(walk: _Walk, value: Any, node: SchemaNode, at: _At, depth: int) -> None:
    """`value` against `node`, and below it where its type fits."""
    if isinstance(value, Opaque) or depth > MAX_DEPTH:
        return
    if node.alternatives:
        _alternatives(walk, value, node, at, depth)
        return
    kind = json_type(value)
    if not _fits_type(walk, value, node, at):
        return
    if kind == "string":
        _string(walk, value, node, at)
    elif kind == "object":
        _object(walk, value, node, at, depth)
    elif kind == "array" and node.items is not None:
        for item in value:
            _check(walk, item, node.items, at.item(), depth + 1)


def _allowed(value: Any, types: frozenset[str]) -> bool:
    """Whether a value's type is among `types`: an integer fits a number, and a float
    such as `3.0` fits an integer (JSON Schema counts it one)."""
    kind = json_type(value)
    if fits(kind, types):
        return True
    return isinstance(value, float) and value.is_integer() and fits("integer", types)


def _fits_type(walk: _Walk, value: Any, node: SchemaNode, at: _At) -> bool:
    """Whether a non-null value fits the node's types (any, when it has none), to be
    looked into further; reports a null or another type the node does not allow."""
    kind = json_type(value)
    types = _types_of(node)
    if types is None or _allowed(value, types):
        return kind != "null"
    if kind == "null" and node.enum is not None and None in node.enum:
        return False  # a null listed in the enum: allowed, as `core/spec_branches.py` reads it
    declared = format_types(types)
    if kind == "null":
        walk.report(RuleId.MOCK_NULL_UNSEEN, at, node, f"{declared} in the spec",
                    "null in fixture", declared=declared)  # fmt: skip
    else:
        walk.report(RuleId.MOCK_TYPE_MISMATCH, at, node, f"{declared} in the spec",
                    f"{kind} in fixture", kind=kind, declared=declared)  # fmt: skip
    return False


def _string(walk: _Walk, value: str, node: SchemaNode, at: _At) -> None:
    """A string outside the enum, or of another format than the schema's; an `Unknown`
    string (its value not known statically) is never checked."""
    if type(value) is not str:
        return
    if node.enum is not None and value not in node.enum:
        known = "|".join(_shown(each) for each in node.enum)
        walk.report(RuleId.MOCK_ENUM_UNKNOWN, at, node, f"string, one of {known} in the spec",
                    f"`{value}` in fixture", value=value, known=known)  # fmt: skip
    if node.format in CHECKED_FORMATS:
        found = domains.string_format(value)
        if found not in (node.format, domains.PLACEHOLDER):
            kind = f"a {found} string" if found else "a string of no known format"
            walk.report(RuleId.MOCK_FORMAT_MISMATCH, at, node, f"string, {node.format} in the "
                        "spec", f"string, {found or 'no format'} in fixture", kind=kind,
                        recorded=node.format)  # fmt: skip


def _shown(value: Any) -> str:
    """An enum value as the message lists it: strings bare, the rest as JSON writes them."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return str(value)


def _object(walk: _Walk, value: Mapping[str, Any], node: SchemaNode, at: _At, depth: int) -> None:
    """Each key against its property (or the schema for other keys), then the required
    keys the mock lacks."""
    closed = node.additional is False or (node.additional is True and bool(node.properties))
    for key, child in value.items():
        prop = node.properties.get(key)
        if prop is not None:
            _check(walk, child, prop, at.key(key), depth + 1)
        elif isinstance(node.additional, SchemaNode):
            _check(walk, child, node.additional, at.entry(key), depth + 1)
        elif closed:
            kind = "unknown" if isinstance(child, Opaque) else json_type(child)
            walk.report(RuleId.MOCK_FIELD_UNKNOWN, at.key(key), node, "not documented",
                        f"{kind} in fixture")  # fmt: skip
    missing = [key for key in node.properties if key in node.required and key not in value]
    missing += sorted(key for key in node.required - node.properties.keys() if key not in value)
    for key in missing:
        prop = node.properties.get(key)
        types = None if prop is None else _types_of(prop)
        declared = "any type" if types is None else format_types(types)
        place = _At(child_path(at.path, key), at.line)  # the object's line: the key is absent
        spec = node if prop is None else prop
        walk.report(RuleId.MOCK_FIELD_MISSING, place, spec, f"{declared}, required by the "
                    "spec", "absent from fixture")  # fmt: skip


def _alternatives(walk: _Walk, value: Any, node: SchemaNode, at: _At, depth: int) -> None:
    """A value against a `oneOf`/`anyOf`: the alternative its discriminator names, else
    every alternative its type fits; it fits when one has nothing to say, else what all
    of them say is reported (from the first)."""
    picked = _picked(node, value)
    if picked is not None:
        _check(walk, value, _merged(node, picked), at, depth + 1)
        return
    if not _fits_type(walk, value, node, at) or walk.tried >= MAX_TRIED:
        return
    tried: list[dict[_Key, Finding]] = []
    for alternative in node.alternatives:
        option = _merged(node, alternative)
        types = _types_of(option)
        if types is not None and not _allowed(value, types):
            continue
        fork = walk.fork()
        _check(fork, value, option, at, depth + 1)
        if not fork.found:
            return
        tried.append(fork.found)
    if tried:
        common = set(tried[0]).intersection(*tried[1:])
        walk.keep({key: each for key, each in tried[0].items() if key in common})


def _picked(node: SchemaNode, value: Any) -> SchemaNode | None:
    """The alternative the mock's discriminator value maps to, if it names one."""
    if node.discriminator is None or not isinstance(value, dict):
        return None
    tag = value.get(node.discriminator)
    if type(tag) is not str:  # absent, an Opaque part, an Unknown string, not a string
        return None
    index = node.mapping.get(tag)
    if index is None or not 0 <= index < len(node.alternatives):
        return None
    return node.alternatives[index]


def _types_of(node: SchemaNode) -> frozenset[str] | None:
    """The types a node allows (None: any). Beside alternatives, its own types other than
    null hold with theirs, and its null (3.0's `nullable` beside a `oneOf`) is allowed
    whatever they say, as spec authors mean it (`core/spec_branches.py` reads it so too)."""
    if not node.alternatives:
        return node.types
    union: set[str] | None = set()
    for alternative in node.alternatives:
        theirs = _types_of(alternative)
        if theirs is None or union is None:
            union = None
        else:
            union |= theirs
    types = _both(_without_null(node.types), None if union is None else frozenset(union))
    if types is None or node.types is None or "null" not in node.types:
        return types
    return types | _NULL


def _without_null(types: frozenset[str] | None) -> frozenset[str] | None:
    """A node's own types beside its alternatives: null aside, and nothing but null is
    no constraint on them."""
    if types is None or types <= _NULL:
        return None
    return types - _NULL


def _merged(own: SchemaNode, alternative: SchemaNode) -> SchemaNode:
    """An alternative with the constraints its `oneOf` node holds beside it: both types,
    the keys of either (the alternative's schema where both have one), the required keys
    of both."""
    return SchemaNode(
        location=alternative.location,
        types=_both(_without_null(own.types), _types_of(alternative)),
        properties={**own.properties, **alternative.properties},
        required=own.required | alternative.required,
        additional=_additional(own.additional, alternative.additional),
        items=alternative.items if alternative.items is not None else own.items,
        enum=alternative.enum if alternative.enum is not None else own.enum,
        format=alternative.format or own.format,
        alternatives=alternative.alternatives,
        discriminator=alternative.discriminator,
        mapping=alternative.mapping,
    )


def _both(one: frozenset[str] | None, other: frozenset[str] | None) -> frozenset[str] | None:
    """Types both allow (an integer is a number); None (any: unsure) when they share none."""
    if one is None or other is None:
        return other if one is None else one
    common = {kind for kind in one if fits(kind, other)} | {k for k in other if fits(k, one)}
    return frozenset(common) or None


def _additional(one: SchemaNode | bool, other: SchemaNode | bool) -> SchemaNode | bool:
    """Other keys' schema where either gives one (the alternative's first), else closed
    only when both are."""
    if isinstance(other, SchemaNode):
        return other
    if isinstance(one, SchemaNode):
        return one
    return one or other


__all__ = ["CHECKED_FORMATS", "MAX_DEPTH", "MAX_TRIED", "spec_mock_findings"]
