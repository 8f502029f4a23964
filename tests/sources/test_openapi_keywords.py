"""Keywords real specs write that the loader must read as their authors mean, or not
read at all rather than wrongly (red team 5): `writeOnly` wherever it is written, 3.1
`prefixItems`, objects closed beside keywords that allow more keys, a discriminator on
the parent (springdoc), dotted names in a `mapping`, server variables' `enum`,
`nullable` beside a 3.0 `$ref` and in 3.1, and every JSON media type of a response."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftcheck.core.spec_model import Response, SchemaNode, Spec
from driftcheck.sources.openapi import MAX_SERVER_URLS, load_spec
from driftcheck.sources.openapi_merge import trivial
from tests.sources.test_openapi import line_of, operation, schema

KEYWORDS = Path(__file__).parent.parent / "data" / "specs" / "keywords"
V30 = KEYWORDS / "v30.yaml"
V31 = KEYWORDS / "v31.yaml"


@pytest.fixture(scope="module")
def v30() -> Spec:
    return load_spec(V30)


@pytest.fixture(scope="module")
def v31() -> Spec:
    return load_spec(V31)


def response(spec: Spec, path: str, status: str = "200") -> Response:
    return operation(spec, "GET", path).responses[status]


def test_write_only_through_all_of_is_never_required(v30: Spec) -> None:
    user = schema(v30, "GET", "/users/{id}", "200")
    assert user.properties["password"].write_only
    assert user.required == {"id", "name"}


def test_write_only_in_a_component_inline_and_beside_a_30_ref(v30: Spec) -> None:
    account = schema(v30, "GET", "/accounts/{id}", "200")
    assert account.properties["secret"].write_only  # the $ref'd component says it
    assert account.properties["pin"].write_only
    assert account.properties["token"].write_only  # beside a $ref: the author means it
    assert account.required == {"id"}
    assert not account.properties["id"].write_only


def test_write_only_in_31_beside_a_ref_and_in_an_all_of_part(v31: Spec) -> None:
    user = schema(v31, "GET", "/users/{id}", "200")
    assert user.properties["password"].write_only
    assert user.properties["secret"].write_only
    assert user.properties["secret"].types == frozenset({"string"})
    assert user.required == {"id"}


def test_prefix_items_leave_the_items_unknown(v31: Spec) -> None:
    place = schema(v31, "GET", "/places/{id}", "200").properties
    assert place["position"].items is None  # prefixItems + items: false
    assert place["labelled"].items is None  # prefixItems + items: {integer}
    assert place["position"].types == frozenset({"array"})
    plain, nothing = place["plain"].items, place["nothing"].items
    assert plain is not None
    assert plain.types == frozenset({"integer"})
    assert nothing is not None
    assert nothing.types == frozenset()  # items: false alone: no item allowed


def test_objects_closed_beside_keywords_allowing_more_keys_are_open(v31: Spec) -> None:
    objects = schema(v31, "GET", "/objects", "200").properties
    names = ("patterned", "conditional", "dependent", "dynamic", "pattern_map", "patterned_part")
    for name in names:
        other = objects[name].additional  # other keys: any value (documented, not modelled)
        assert isinstance(other, SchemaNode), name
        assert trivial(other), name
    assert objects["closed"].additional is False
    assert set(objects["patterned"].properties) == {"id"}
    assert set(objects["patterned_part"].properties) == {"id"}  # an allOf part opens it
    assert objects["closed_part"].additional is False  # a part without such keywords does not
    assert set(objects["closed_part"].properties) == {"id", "name"}


def test_parent_discriminator_reads_its_mapping_as_alternatives(v30: Spec) -> None:
    pet = schema(v30, "GET", "/pets/{id}", "200")
    assert pet.discriminator == "petType"
    assert pet.required == {"petType", "name"}  # the parent's own, beside them
    cat, dog, itself = pet.alternatives
    assert pet.mapping == {"cat": 0, "dog": 1, "pet": 2}
    # each subtype keeps its own properties and the parent's (read as a base)
    assert set(cat.properties) == {"petType", "name", "lives", "friend"}
    assert cat.required == {"petType", "name", "lives"}
    assert not cat.alternatives
    assert set(dog.properties) == {"petType", "name", "bark"}
    assert dog.properties["bark"].enum == ("loud", "quiet")
    assert trivial(itself)  # Pet itself: nothing beside its own constraints
    assert cat.location.line == line_of(V30, "    Cat:")


def test_a_subtype_alone_and_a_parent_inside_a_subtype(v30: Spec) -> None:
    cat = schema(v30, "GET", "/cats/{id}", "200")
    assert set(cat.properties) == {"petType", "name", "lives", "friend"}
    assert not cat.alternatives  # a Cat is not a Dog
    # a Pet again, met while Pet (of /pets, read first) is being read: the recursion
    # point, which accepts anything, never a loop
    friend = cat.properties["friend"]
    assert trivial(friend)


def test_a_parent_inside_its_subtype_read_first(tmp_path: Path) -> None:
    text = V30.read_text()
    start, end = text.index("  /pets/{id}:"), text.index("  /cats/{id}:")
    text = text[:start] + text[end:]  # no /pets: Cat is read first
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    cat = schema(load_spec(spec), "GET", "/cats/{id}", "200")
    assert set(cat.properties) == {"petType", "name", "lives", "friend"}
    assert not cat.alternatives
    friend = cat.properties["friend"]  # a Pet: its subtypes, Cat there the recursion point
    assert friend.discriminator == "petType"
    assert friend.mapping == {"cat": 0, "dog": 1, "pet": 2}
    assert set(friend.alternatives[1].properties) == {"petType", "name", "bark"}


def test_mapping_values_with_dots_name_components(v30: Spec) -> None:
    animal = schema(v30, "GET", "/animals/{id}", "200")
    assert animal.discriminator == "kind"
    # the unresolvable `gone` entry is left out, not refused
    assert {k: v for k, v in animal.mapping.items() if k in ("cat", "dog", "gone")} == {
        "cat": 0,
        "dog": 1,
    }
    assert set(animal.alternatives[0].properties) == {"kind", "lives"}


def test_a_parent_mapping_to_a_missing_component_keeps_the_rest(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema: {$ref: '#/components/schemas/P'}\n"
        "components:\n  schemas:\n    P:\n      type: object\n"
        "      properties: {t: {type: string}}\n"
        "      discriminator: {propertyName: t, mapping: {a: A, b: x.y.B, c: other.yaml}}\n"
        "    A: {allOf: [{$ref: '#/components/schemas/P'}, {properties: {n: {type: integer}}}]}\n"
    )
    node = schema(load_spec(spec), "GET", "/a", "200")
    assert node.mapping == {"a": 0}
    assert set(node.alternatives[0].properties) == {"t", "n"}


def test_server_variables_expand_to_every_enum_combination(v30: Spec) -> None:
    assert v30.servers == (
        "https://us.api.example.com/v1",
        "https://us.api.example.com/v2",
        "https://eu.api.example.com/v1",
        "https://eu.api.example.com/v2",
        "https://api.example.com",
    )


def test_too_many_server_combinations_give_the_defaults_only(tmp_path: Path) -> None:
    many = ", ".join(f"r{i}" for i in range(MAX_SERVER_URLS))
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nservers:\n"
        "  - url: https://{region}.example.com/{v}/{nodefault}\n    variables:\n"
        f"      region: {{default: r0, enum: [{many}]}}\n"
        "      v: {default: v1, enum: [v1, v2]}\n"
        "  - url: https://{a}.example.com\n    variables:\n"
        "      a: {enum: [x, y], default: y}\n"
    )
    assert load_spec(spec).servers == (
        "https://r0.example.com/v1/{nodefault}",
        "https://y.example.com",
        "https://x.example.com",
    )


def test_nullable_beside_a_30_ref_allows_null(v30: Spec) -> None:
    message = schema(v30, "GET", "/messages/{sid}", "200").properties
    assert message["status"].types == frozenset({"string", "null"})
    assert message["status"].enum == ("queued", "sent", "delivered", None)
    assert message["plain"].types == frozenset({"string"})  # the component is unchanged
    assert message["plain"].enum == ("queued", "sent", "delivered")


def test_nullable_in_31_allows_null(v31: Spec) -> None:
    user = schema(v31, "GET", "/users/{id}", "200").properties
    assert user["error_code"].types == frozenset({"integer", "null"})
    assert user["status"].types == frozenset({"string", "null"})
    assert user["status"].enum == ("on", "off", None)
    assert user["id"].types == frozenset({"integer"})


def test_every_json_media_type_has_its_schema_in_order(v30: Spec) -> None:
    report = response(v30, "/reports/{id}")
    assert list(report.schemas) == [
        "application/vnd.acme.report.v1+json",
        "application/json",  # `Application/JSON; charset=utf-8`, normalised
        "application/vnd.acme.report.v2+json",
        "application/problem+json",
    ]
    v1, plain, v2, problem = report.schemas.values()
    assert report.schema is v1
    assert v1 is plain  # one component, normalised once
    assert set(v2.properties) == {"title", "total"}
    assert v2.required == {"title", "total"}
    assert set(problem.properties) == {"title"}
    assert report.media_types[2] == "Application/JSON; charset=utf-8"  # as written


def test_any_media_type_only_when_no_json_one(v30: Spec) -> None:
    missing = response(v30, "/reports/{id}", "404")
    assert list(missing.schemas) == ["*/*"]
    assert missing.schema is missing.schemas["*/*"]
    assert isinstance(missing.schema, SchemaNode)
    assert missing.schema.types == frozenset({"object"})


@pytest.mark.parametrize("path", [V30, V31], ids=["v30", "v31"])
def test_the_keyword_specs_are_valid_openapi(path: Path) -> None:
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    document, base_uri = read_from_filename(str(path))
    validate(document, base_uri=base_uri)
