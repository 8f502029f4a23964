"""An OpenAPI schema object, `$ref`s followed, as a `SchemaNode`.

3.0's `nullable: true` and 3.1's `type: [.., "null"]` read the same; `allOf` is merged
(`openapi_merge`); `oneOf`/`anyOf` are `alternatives`, except `[X, {type: null}]`
(pydantic's `Optional`), which is X accepting null. Each schema is normalised once (cached
by identity): a shared component, or a YAML alias met many times, costs one visit. A recursive
schema stops where it comes back to a target being normalised: that place is an
unconstrained node at the `$ref`. A cycle through `$ref`s and `allOf` alone (no property
or item between) describes no value and is refused.
"""

from __future__ import annotations

from typing import Any

from driftcheck.core.model import Location
from driftcheck.core.spec_model import SchemaNode
from driftcheck.errors import InputError
from driftcheck.sources.openapi_merge import merge, trivial, with_null
from driftcheck.sources.openapi_refs import Here, SpecFiles

# Keywords beside a 3.1 `$ref` that constrain the value (others are annotations).
_CONSTRAINTS = frozenset(
    {"type", "properties", "required", "additionalProperties", "items", "enum", "const"}
    | {"format", "allOf", "oneOf", "anyOf", "nullable", "unevaluatedProperties"}
)
_NULL_ONLY = frozenset({"null"})
# Schemas nested deeper than this (inline or through `$ref`s) accept anything: the walk
# stays well inside Python's recursion limit, and no recorded body is checked that deep.
MAX_DEPTH = 100


class Schemas:
    """Normalises the schemas of one spec; `v30` for 3.0's spelling (`nullable`, and a
    `$ref` whose siblings are ignored)."""

    def __init__(self, files: SpecFiles, v30: bool) -> None:
        self._files = files
        self._v30 = v30
        # id of a schema of the files (a $ref target, an inline one) -> its node; the files'
        # values all live as long as this, so an id is never reused
        self._done: dict[int, SchemaNode] = {}
        self._open: dict[int, int] = {}  # targets being normalised -> structural depth then
        self._level = 0  # properties/items/alternatives descended into
        self._depth = 0  # schemas nested, inline or through $refs

    def node(self, schema: Any, here: Here, at: Location) -> SchemaNode:
        """The normalised `schema`, met at `at` (its own line where it has one)."""
        if schema is False:
            return SchemaNode(at, types=frozenset())
        if not isinstance(schema, dict):  # True, or not a schema: anything
            return SchemaNode(at)
        done = self._done.get(id(schema))
        if done is not None:  # a component, or a YAML alias: normalised once
            return done
        where = self._files.location(schema, at)
        if self._depth >= MAX_DEPTH:
            return SchemaNode(where)
        self._depth += 1
        try:
            node = self._dict(schema, here, where)
        finally:
            self._depth -= 1
        self._done[id(schema)] = node
        return node

    def _dict(self, schema: dict[str, Any], here: Here, where: Location) -> SchemaNode:
        if "$ref" not in schema:
            return self._build(schema, here, where)
        target = self._target(schema["$ref"], here, self._files.ref_location(schema, where))
        if self._v30 or not _CONSTRAINTS.intersection(schema):
            return target
        rest = {key: value for key, value in schema.items() if key != "$ref"}
        return merge(self._build(rest, here, where), target)

    def target_id(self, schema: Any, here: Here, at: Location) -> int:
        """The identity of what `schema` is (a `$ref`'s target), to compare branches."""
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            at = self._files.ref_location(schema, at)
            return id(self._files.follow(schema["$ref"], here, at)[0])
        return id(schema)

    def _target(self, ref: Any, here: Here, where: Location) -> SchemaNode:
        target, there = self._files.follow(ref, here, where)
        key = id(target)
        done = self._done.get(key)
        if done is not None:
            return done
        if self._depth >= MAX_DEPTH:  # cut here, not cached: elsewhere it is read whole
            return SchemaNode(where)
        if key in self._open:
            if self._open[key] == self._level:
                raise InputError(
                    f"{where}: $ref {ref!r} leads back to itself through $ref and allOf "
                    "alone, which describes no value; a recursive schema recurses through "
                    "properties, items or oneOf/anyOf"
                )
            return SchemaNode(where)  # the recursion point: anything from here on
        self._open[key] = self._level
        try:
            node = self.node(target, there, self._files.location(target, where))
        finally:
            del self._open[key]
        self._done[key] = node
        return node

    def _build(self, schema: dict[str, Any], here: Here, where: Location) -> SchemaNode:
        own = SchemaNode(
            location=where,
            types=self._types(schema),
            properties=self._properties(schema.get("properties"), here, where),
            required=_required(schema),
            additional=self._additional(schema, here, where),
            items=self._items(schema.get("items"), here, where),
            enum=_enum(schema),
            format=schema["format"] if isinstance(schema.get("format"), str) else None,
        )
        for keyword in ("oneOf", "anyOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list) and branches:
                own = merge(own, self._choice(branches, schema.get("discriminator"), here, where))
        for branch in _list(schema.get("allOf")):
            own = merge(own, self.node(branch, here, where))
        if self._v30 and schema.get("nullable") is True:  # after allOf: `allOf: [$ref]` beside it
            own = with_null(own)
        return own

    def _types(self, schema: dict[str, Any]) -> frozenset[str] | None:
        kind = schema.get("type")
        if isinstance(kind, str):
            return frozenset({kind})
        if isinstance(kind, list):
            return frozenset(k for k in kind if isinstance(k, str))
        return None

    def _properties(self, properties: Any, here: Here, where: Location) -> dict[str, SchemaNode]:
        if not isinstance(properties, dict):
            return {}
        self._level += 1
        try:
            return {str(name): self.node(sub, here, where) for name, sub in properties.items()}
        finally:
            self._level -= 1

    def _additional(self, schema: dict[str, Any], here: Here, where: Location) -> SchemaNode | bool:
        extra = schema.get("additionalProperties", schema.get("unevaluatedProperties", True))
        if isinstance(extra, bool):
            return extra
        if not isinstance(extra, dict):
            return True
        self._level += 1
        try:
            node = self.node(extra, here, where)
        finally:
            self._level -= 1
        return True if trivial(node) else node

    def _items(self, items: Any, here: Here, where: Location) -> SchemaNode | None:
        if not isinstance(items, (dict, bool)):
            return None
        self._level += 1
        try:
            return self.node(items, here, where)
        finally:
            self._level -= 1

    def _choice(
        self, branches: list[Any], discriminator: Any, here: Here, where: Location
    ) -> SchemaNode:
        """`oneOf`/`anyOf` as a node of alternatives (or X accepting null)."""
        self._level += 1
        try:
            nodes = [self.node(branch, here, where) for branch in branches]
        finally:
            self._level -= 1
        others = [n for n in nodes if not _null_only(n)]
        if len(others) == 1 and len(others) < len(nodes) and not others[0].alternatives:
            return with_null(others[0])
        if not isinstance(discriminator, dict) or not isinstance(
            discriminator.get("propertyName"), str
        ):
            return SchemaNode(where, alternatives=tuple(nodes))
        mapping = self._mapping(branches, discriminator.get("mapping"), here, where)
        return SchemaNode(
            where,
            alternatives=tuple(nodes),
            discriminator=discriminator["propertyName"],
            mapping=mapping,
        )

    def _mapping(
        self, branches: list[Any], written: Any, here: Here, where: Location
    ) -> dict[str, int]:
        """Each discriminator value -> its alternative: `mapping`'s, and each branch's
        component name (OpenAPI's implicit mapping), compared by target."""
        index = {self.target_id(branch, here, where): i for i, branch in enumerate(branches)}
        mapping: dict[str, int] = {}
        for i, branch in enumerate(branches):
            ref = branch.get("$ref") if isinstance(branch, dict) else None
            if isinstance(ref, str) and "/" in ref:
                mapping[ref.rsplit("/", 1)[1]] = i
        for value, ref in written.items() if isinstance(written, dict) else ():
            if isinstance(ref, str):
                if "/" not in ref and "." not in ref:  # a bare schema name
                    ref = f"#/components/schemas/{ref}"
                found = index.get(id(self._files.follow(ref, here, where)[0]))
                if found is not None:
                    mapping[str(value)] = found
        return mapping


def _required(schema: dict[str, Any]) -> frozenset[str]:
    """The keys a response must hold: `required` but a `writeOnly` property (a password
    the client sends, never returned)."""
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    return frozenset(
        name
        for name in _list(schema.get("required"))
        if isinstance(name, str)
        and not (isinstance(properties.get(name), dict) and properties[name].get("writeOnly"))
    )


def _list(value: Any) -> list[Any]:
    """A keyword's list (`required`, `allOf`); a mistyped one reads as none (a 3.0 schema
    sometimes carries Swagger's `required: true`)."""
    return value if isinstance(value, list) else []


def _null_only(node: SchemaNode) -> bool:
    return node.types == _NULL_ONLY and not node.alternatives


def _enum(schema: dict[str, Any]) -> tuple[Any, ...] | None:
    if "const" in schema:
        return (schema["const"],)
    values = schema.get("enum")
    return tuple(values) if isinstance(values, list) else None
