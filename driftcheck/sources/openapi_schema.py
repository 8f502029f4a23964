"""An OpenAPI schema object, `$ref`s followed, as a `SchemaNode`.

3.0's `nullable: true` and 3.1's `type: [.., "null"]` read the same, and so does
`nullable: true` in a 3.1 document or beside a 3.0 `$ref` (by the letter ignored there,
but generators write it and mean it); `writeOnly` is read wherever it is written, and a
write-only property is never required in a response (`openapi_merge.readable`, applied
once a node is whole). `allOf` is merged (`openapi_merge`); `oneOf`/`anyOf` are
`alternatives`, except `[X, {type: null}]` (pydantic's `Optional`), which is X accepting
null. A discriminator with a `mapping` and no `oneOf`/`anyOf` (springdoc, Jackson
`@JsonSubTypes`) makes the mapped subtypes the alternatives; a subtype's `allOf: [$ref
parent]` reads the parent as a base, without its subtypes. What this model cannot hold is
read as allowing anything rather than wrongly: 3.1 `prefixItems` (items unknown), and
other keys of an object beside `patternProperties`, `if`/`then`/`else`,
`dependentSchemas`, `dependencies` or `$dynamicRef`. Each schema is normalised once
(cached by identity): a shared component, or a YAML alias met many times, costs one
visit. A recursive schema stops where it comes back to a target being normalised: that
place is an unconstrained node at the `$ref`. A cycle through `$ref`s and `allOf` alone
(no property or item between) describes no value and is refused.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from driftcheck.core.model import Location
from driftcheck.core.spec_model import SchemaNode
from driftcheck.errors import InputError
from driftcheck.sources.openapi_merge import merge, readable, trivial, with_null
from driftcheck.sources.openapi_refs import Here, SpecFiles

# Keywords beside a 3.1 `$ref` that constrain the value (others are annotations).
_CONSTRAINTS = frozenset(
    {"type", "properties", "required", "additionalProperties", "items", "enum", "const"}
    | {"format", "allOf", "oneOf", "anyOf", "unevaluatedProperties", "prefixItems"}
    | {"patternProperties"}
)
# Keywords that allow keys `properties` does not list: beside them (closed or not) other
# keys are allowed with any value, as an unconstrained `additional` schema: which keys they
# allow is not modelled, and the rules and mock checks say nothing of such keys.
_OPENERS = (
    "patternProperties",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependencies",
    "$dynamicRef",
)
_NULL_ONLY = frozenset({"null"})
# Schemas nested deeper than this (inline or through `$ref`s) accept anything: the walk
# stays well inside Python's recursion limit, and no recorded body is checked that deep.
MAX_DEPTH = 100


class Schemas:
    """Normalises the schemas of one spec; `v30` for 3.0's spelling (`nullable`, and a
    `$ref` whose siblings are ignored, but `nullable` and `writeOnly`, which generators
    write there and mean)."""

    def __init__(self, files: SpecFiles, v30: bool) -> None:
        self._files = files
        self._v30 = v30
        # id of a schema of the files (a $ref target, an inline one) -> its node; the files'
        # values all live as long as this, so an id is never reused
        self._done: dict[int, SchemaNode] = {}
        # the same for a parent read as an `allOf` part: without its mapped subtypes
        self._bases: dict[int, SchemaNode] = {}
        # targets being normalised (id, as a base) -> structural depth then
        self._open: dict[tuple[int, bool], int] = {}
        self._level = 0  # properties/items/alternatives descended into
        self._depth = 0  # schemas nested, inline or through $refs

    def node(self, schema: Any, here: Here, at: Location, base: bool = False) -> SchemaNode:
        """The normalised `schema`, met at `at` (its own line where it has one); `base`
        for an `allOf` part (a parent's discriminator does not add its subtypes there)."""
        if schema is False:
            return SchemaNode(at, types=frozenset())
        if not isinstance(schema, dict):  # True, or not a schema: anything
            return SchemaNode(at)
        base = base and ("$ref" in schema or _implied(schema) is not None)
        cache = self._bases if base else self._done
        done = cache.get(id(schema))
        if done is not None:  # a component, or a YAML alias: normalised once
            return done
        where = self._files.location(schema, at)
        if self._depth >= MAX_DEPTH:
            return SchemaNode(where)
        self._depth += 1
        try:
            node = readable(self._dict(schema, here, where, base))
        finally:
            self._depth -= 1
        cache[id(schema)] = node
        return node

    def _dict(self, schema: dict[str, Any], here: Here, where: Location, base: bool) -> SchemaNode:
        if "$ref" not in schema:
            return self._build(schema, here, where, base)
        at = self._files.ref_location(schema, where)
        node = self._target(schema["$ref"], here, at, base)
        if not self._v30 and _CONSTRAINTS.intersection(schema):
            rest = {key: value for key, value in schema.items() if key != "$ref"}
            node = merge(self._build(rest, here, where, base, annotate=False), node)
        return _annotated(node, schema)

    def target_id(self, schema: Any, here: Here, at: Location) -> int:
        """The identity of what `schema` is (a `$ref`'s target), to compare branches."""
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            at = self._files.ref_location(schema, at)
            return id(self._files.follow(schema["$ref"], here, at)[0])
        return id(schema)

    def _target(self, ref: Any, here: Here, where: Location, base: bool = False) -> SchemaNode:
        target, there = self._files.follow(ref, here, where)
        base = base and self._implies(target, there, where)
        cache = self._bases if base else self._done
        key = id(target)
        done = cache.get(key)
        if done is not None:
            return done
        if self._depth >= MAX_DEPTH:  # cut here, not cached: elsewhere it is read whole
            return SchemaNode(where)
        if (key, base) in self._open:
            if self._open[key, base] == self._level:
                raise InputError(
                    f"{where}: $ref {ref!r} leads back to itself through $ref and allOf "
                    "alone, which describes no value; a recursive schema recurses through "
                    "properties, items or oneOf/anyOf"
                )
            return SchemaNode(where)  # the recursion point: anything from here on
        self._open[key, base] = self._level
        try:
            node = self.node(target, there, self._files.location(target, where), base)
        finally:
            del self._open[key, base]
        cache[key] = node
        return node

    def _implies(self, target: Any, there: Here, where: Location) -> bool:
        """Whether `target`, its `$ref`s followed, is a parent whose discriminator names
        its subtypes (only there does reading it as a base differ)."""
        for _ in range(MAX_DEPTH):
            if not isinstance(target, dict) or "$ref" not in target:
                break
            found = self._follow(target["$ref"], there, where)
            if found is None:
                return False
            target, there = found
        return isinstance(target, dict) and _implied(target) is not None

    def _build(
        self,
        schema: dict[str, Any],
        here: Here,
        where: Location,
        base: bool = False,
        annotate: bool = True,
    ) -> SchemaNode:
        own = SchemaNode(
            location=where,
            types=self._types(schema),
            properties=self._properties(schema.get("properties"), here, where),
            required=_required(schema),
            additional=self._additional(schema, here, where),
            # 3.1 `prefixItems`: a tuple, whose items this model cannot tell apart
            items=None if "prefixItems" in schema else self._items(schema, here, where),
            enum=_enum(schema),
            format=schema["format"] if isinstance(schema.get("format"), str) else None,
        )
        for keyword in ("oneOf", "anyOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list) and branches:
                own = merge(own, self._choice(branches, schema.get("discriminator"), here, where))
        for branch in _list(schema.get("allOf")):
            own = merge(own, self.node(branch, here, where, base=True))
        implied = None if base else _implied(schema)
        if implied is not None:
            own = merge(own, self._subtypes(schema, implied, here, where))
        elif not base and _unmapped(schema):  # its subtypes' keys: which ones is not known
            own = replace(own, additional=SchemaNode(where))
        # after allOf: `allOf: [$ref]` beside `nullable`
        return _annotated(own, schema) if annotate else own

    def _types(self, schema: dict[str, Any]) -> frozenset[str] | None:
        if _int_or_string(schema):
            return _INT_OR_STRING
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
        if any(keyword in schema for keyword in _OPENERS):
            return SchemaNode(where)  # other keys allowed, with any value: say nothing of them
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

    def _items(self, schema: dict[str, Any], here: Here, where: Location) -> SchemaNode | None:
        items = schema.get("items")
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

    def _subtypes(
        self,
        parent: dict[str, Any],
        implied: tuple[str, dict[Any, Any]],
        here: Here,
        where: Location,
    ) -> SchemaNode:
        """A parent's discriminator `mapping` with no `oneOf`/`anyOf` (springdoc, Jackson
        `@JsonSubTypes`): its targets are the alternatives. Each subtype's `allOf: [$ref
        parent]` reads the parent as a base (no subtypes again), so nothing is lost there."""
        nodes: list[SchemaNode] = []
        index: dict[int, int] = {}  # target id -> its alternative
        mapping: dict[str, int] = {}
        self._level += 1
        try:
            for value, written in implied[1].items():
                ref = _mapping_ref(written)
                followed = self._follow(ref, here, where)
                if followed is None:
                    continue
                found = followed[0]
                if id(found) not in index:
                    index[id(found)] = len(nodes)
                    # the parent itself named: nothing beside its own constraints
                    node = SchemaNode(where) if found is parent else self._target(ref, here, where)
                    nodes.append(node)
                mapping[str(value)] = index[id(found)]
        finally:
            self._level -= 1
        if not nodes:
            return SchemaNode(where)
        return SchemaNode(
            where, alternatives=tuple(nodes), discriminator=implied[0], mapping=mapping
        )

    def _follow(self, ref: Any, here: Here, where: Location) -> tuple[Any, Here] | None:
        """What a mapping's reference names, or None when it names nothing (a mapping is
        a hint for choosing a branch: an unresolvable entry never refuses the spec; a
        `$ref` that cannot be resolved is refused where it is read as a schema)."""
        if not isinstance(ref, str):
            return None
        try:
            return self._files.follow(ref, here, where)
        except InputError:
            return None

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
            followed = self._follow(_mapping_ref(ref), here, where)
            found = None if followed is None else index.get(id(followed[0]))
            if found is not None:
                mapping[str(value)] = found
        return mapping


def _mapping_ref(value: Any) -> str | None:
    """A `discriminator.mapping` value as a `$ref`: a bare name (dots allowed, as in
    `com.acme.Cat`) is a component schema; only what looks like a reference (a `#`, a `/`,
    a `.yaml`/`.yml`/`.json` file) is followed as written."""
    if not isinstance(value, str) or not value:
        return None
    if "#" in value or "/" in value or value.lower().endswith((".yaml", ".yml", ".json")):
        return value
    return f"#/components/schemas/{value}"


def _implied(schema: dict[str, Any]) -> tuple[str, dict[Any, Any]] | None:
    """A discriminator's property and `mapping` when they are the only way to the
    subtypes (no `oneOf`/`anyOf` beside them)."""
    discriminator = schema.get("discriminator")
    if not isinstance(discriminator, dict) or "oneOf" in schema or "anyOf" in schema:
        return None
    name, mapping = discriminator.get("propertyName"), discriminator.get("mapping")
    if not isinstance(name, str) or not isinstance(mapping, dict) or not mapping:
        return None
    return name, mapping


def _unmapped(schema: dict[str, Any]) -> bool:
    """A parent's discriminator with no `mapping`, `oneOf` or `anyOf` (OAS's `Pet`, Azure's
    `x-ms-discriminator-value`): subtypes found only back through `allOf`, not followed."""
    unsure = isinstance(schema.get("discriminator"), dict) and _implied(schema) is None
    return unsure and not {"oneOf", "anyOf"} & schema.keys()


def _annotated(node: SchemaNode, schema: dict[str, Any]) -> SchemaNode:
    """`node` with what `schema` says beside its other keywords: `nullable: true` (3.0's;
    many 3.1 documents keep it, and 3.0 generators write it beside a `$ref`, both meaning
    null is allowed) and `writeOnly: true` (never in a response)."""
    if schema.get("nullable") is True:
        node = with_null(node)
    if schema.get("writeOnly") is True and not node.write_only:
        node = replace(node, write_only=True)
    return node


def _required(schema: dict[str, Any]) -> frozenset[str]:
    """The keys `required` lists (the write-only ones are dropped once the node is whole:
    `readable`)."""
    return frozenset(name for name in _list(schema.get("required")) if isinstance(name, str))


def _list(value: Any) -> list[Any]:
    """A keyword's list (`required`, `allOf`); a mistyped one reads as none (a 3.0 schema
    sometimes carries Swagger's `required: true`)."""
    return value if isinstance(value, list) else []


def _null_only(node: SchemaNode) -> bool:
    return node.types == _NULL_ONLY and not node.alternatives


def _enum(schema: dict[str, Any]) -> tuple[Any, ...] | None:
    """The values allowed; None for any, and for an enum Azure marks open
    (`x-ms-enum: {modelAsString: true}`: clients take unknown values as strings)."""
    if "const" in schema:
        return (schema["const"],)
    values = schema.get("enum")
    extensible = schema.get("x-ms-enum")
    if isinstance(extensible, dict) and extensible.get("modelAsString") is True:
        return None
    return tuple(values) if isinstance(values, list) else None


_INT_OR_STRING = frozenset({"integer", "string"})


def _int_or_string(schema: dict[str, Any]) -> bool:
    """Kubernetes' `IntOrString` (`type: string, format: int-or-string`, or
    `x-kubernetes-int-or-string: true`): a port is `8080` or `"http"`, every client
    reads both."""
    return (
        schema.get("format") == "int-or-string" or schema.get("x-kubernetes-int-or-string") is True
    )
