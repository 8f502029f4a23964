"""Reading real OpenAPI files into `Spec`: 3.0 split across files with `nullable`, 3.1 in
JSON with type lists and composition, responses and path items by `$ref`, recursion,
and every node's line where its schema is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftcheck import jsonio
from driftcheck.core.model import Location
from driftcheck.core.spec_model import Operation, SchemaNode, Spec
from driftcheck.sources.openapi import load_spec
from driftcheck.sources.openapi_schema import MAX_DEPTH
from tests.helpers import within

SPECS = Path(__file__).parent.parent / "data" / "specs"
SPLIT = SPECS / "split" / "openapi.yaml"
COMPOSITION = SPECS / "composition.json"


def line_of(path: Path, text: str, after: int = 0) -> int:
    """The first line (1-based) of `path` holding `text`, past line `after`."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if number > after and text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def operation(spec: Spec, method: str, path: str) -> Operation:
    return next(o for o in spec.operations if o.method == method and o.path == path)


def schema(spec: Spec, method: str, path: str, status: str) -> SchemaNode:
    node = operation(spec, method, path).responses[status].schema
    assert node is not None
    return node


@pytest.fixture(scope="module")
def split() -> Spec:
    return load_spec(SPLIT)


@pytest.fixture(scope="module")
def composition() -> Spec:
    return load_spec(COMPOSITION)


def test_split_spec_has_every_operation_servers_and_version(split: Spec) -> None:
    assert split.version == "3.0.3"
    assert split.file == str(SPLIT)
    # `region` has no `enum`: any value, left as written
    assert split.servers == ("https://{region}.api.example.com/v1", "/relative")
    assert split.location == Location(str(SPLIT), line_of(SPLIT, "paths:"))
    found = {(o.method, o.path, o.operation_id) for o in split.operations}
    assert found == {
        ("GET", "/users/{userId}", "getUser"),
        ("GET", "/users", "listUsers"),  # a path item by $ref, in paths.yaml
        ("POST", "/users", None),
    }


def test_nullable_30_adds_null_and_enum_null(split: Spec) -> None:
    user = schema(split, "GET", "/users/{userId}", "200")
    assert user.types == frozenset({"object"})
    assert user.required == {"id", "email"}
    email = user.properties["email"]
    assert email.types == frozenset({"string", "null"})
    assert email.format == "email"
    status = user.properties["status"]
    assert status.types == frozenset({"string", "null"})
    assert status.enum == ("active", "inactive", None)
    assert user.properties["id"].types == frozenset({"integer"})
    assert user.additional is True  # absent: anything


def test_refs_across_files_nested_and_relative(split: Spec) -> None:
    user = schema(split, "GET", "/users/{userId}", "200")
    user_file = SPECS / "split" / "schemas" / "user.yaml"
    common = SPECS / "split" / "schemas" / "common.yaml"
    assert user.location == Location(str(user_file), line_of(user_file, "User:"))
    profile = user.properties["profile"]  # `#/Profile` inside user.yaml
    assert profile.types == frozenset({"object", "null"})
    assert profile.additional is False
    assert profile.location == Location(str(user_file), line_of(user_file, "Profile:"))
    error = user.properties["lastError"]  # common.yaml, from user.yaml
    assert error.location == Location(str(common), line_of(common, "Error:"))
    assert error.required == {"code"}
    listed = schema(split, "GET", "/users", "200")  # paths.yaml -> schemas/user.yaml
    assert listed.types == frozenset({"array"})
    assert listed.items is user  # one component, normalised once


def test_responses_by_ref_and_media_types(split: Spec) -> None:
    get_user = operation(split, "GET", "/users/{userId}")
    not_found = get_user.responses["404"]
    assert not_found.media_types == ("text/plain", "application/json")
    assert not_found.location == Location(str(SPLIT), line_of(SPLIT, "NotFound:"))
    assert not_found.schema is not None
    assert not_found.schema.required == {"code"}
    default = get_user.responses["default"]
    assert default.media_types == ("application/problem+json",)
    assert default.schema is not_found.schema
    created = operation(split, "POST", "/users").responses["201"]
    assert created.schema is None
    assert created.media_types == ()


def test_lines_point_where_each_schema_is_written(split: Spec) -> None:
    user_file = SPECS / "split" / "schemas" / "user.yaml"
    user = schema(split, "GET", "/users/{userId}", "200")
    for name in ("id", "email", "status", "on"):
        expected = Location(str(user_file), line_of(user_file, f"    {name}:"))
        assert user.properties[name].location == expected, name
    get_user = operation(split, "GET", "/users/{userId}")
    assert get_user.location == Location(str(SPLIT), line_of(SPLIT, "get:"))
    assert get_user.responses["200"].location == Location(str(SPLIT), line_of(SPLIT, '"200":'))


def test_yaml_12_scalars_keys_stay_strings(split: Spec) -> None:
    user = schema(split, "GET", "/users/{userId}", "200")
    assert "on" in user.properties  # YAML 1.1 would make the key True


def test_31_json_type_lists_and_additional_properties(composition: Spec) -> None:
    assert composition.version == "3.1.0"
    assert composition.servers == ()
    labels = schema(composition, "GET", "/labels", "2XX")
    assert labels.types == frozenset({"object"})
    assert isinstance(labels.additional, SchemaNode)
    assert labels.additional.types == frozenset({"string", "null"})
    assert labels.additional.location.line == line_of(COMPOSITION, '"additionalProperties"')


def test_one_of_with_discriminator_and_all_of_merged(composition: Spec) -> None:
    pet = schema(composition, "GET", "/pets/{petId}", "200")
    assert pet.location.line == line_of(COMPOSITION, '"Pet": {')
    assert pet.discriminator == "kind"
    cat, dog = pet.alternatives
    assert pet.mapping == {"cat": 0, "hound": 1, "Cat": 0, "Dog": 1}
    assert cat.location.line == line_of(COMPOSITION, '"Cat": {')
    assert cat.types == frozenset({"object"})
    assert cat.required == {"id", "kind", "lives"}  # Base's and its own
    assert set(cat.properties) == {"id", "tags", "kind", "lives"}
    assert cat.properties["kind"].enum == ("cat",)  # const
    assert cat.additional is True
    assert dog.additional is False
    assert dog.properties["bark"].types == frozenset({"string", "null"})
    assert dog.properties["bark"].enum == ("loud", "soft", None)
    tags = cat.properties["tags"]
    assert tags.items is not None
    assert tags.items.types == frozenset({"string"})
    base = line_of(COMPOSITION, '"Base": {')
    assert cat.properties["id"].location.line == line_of(COMPOSITION, '"id": {', after=base)


def test_any_of_alternatives_and_formats(composition: Spec) -> None:
    tree = schema(composition, "GET", "/tree", "200")
    value = tree.properties["value"]
    assert [a.types for a in value.alternatives] == [frozenset({"integer"}), frozenset({"string"})]
    assert value.alternatives[1].format == "uuid"


def test_recursive_schema_stops_at_an_unconstrained_node(composition: Spec) -> None:
    tree = schema(composition, "GET", "/tree", "200")
    children = tree.properties["children"]
    assert children.types == frozenset({"array"})
    assert children.items is not None
    assert children.items.types is None
    assert not children.items.properties
    assert children.items.location.line == line_of(COMPOSITION, '"children"')
    parent = tree.properties["parent"]  # anyOf [Node, null]: the recursion point, nullable
    assert parent.types is None
    assert not parent.alternatives


def test_response_by_ref_in_json(composition: Spec) -> None:
    missing = operation(composition, "GET", "/pets/{petId}").responses["404"]
    assert missing.location.line == line_of(COMPOSITION, '"NotFound": {')
    assert missing.media_types == ("application/problem+json",)
    assert missing.schema is not None
    assert set(missing.schema.properties) == {"title", "status"}


def test_nullable_beside_all_of_ref_and_31_ref_siblings(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema:\n                type: object\n"
        "                properties:\n                  owner:\n"
        "                    nullable: true\n"
        "                    allOf: [{$ref: '#/components/schemas/User'}]\n"
        "components:\n  schemas:\n    User: {type: object, required: [id]}\n"
    )
    owner = schema(load_spec(spec), "GET", "/a", "200").properties["owner"]
    assert owner.types == frozenset({"object", "null"})
    assert owner.required == {"id"}
    assert owner.location == Location(str(spec), line_of(spec, "owner:"))


def test_yaml_scalars_read_as_yaml_12(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        200:\n          description: ok\n          content:\n"
        "            application/json:\n              schema:\n"
        "                enum: [yes, no, on, 2024-01-01, 1e3, 0x1F, ~, true, 012]\n"
    )
    node = schema(load_spec(spec), "GET", "/a", "200")  # `200:` unquoted is "200"
    assert node.enum == ("yes", "no", "on", "2024-01-01", 1000.0, 31, None, True, 12)


def test_anchors_and_merge_keys(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200': &ok\n          description: ok\n"
        "          content:\n            application/json:\n              schema:\n"
        "                <<: {type: object, required: [a]}\n                required: [b]\n"
        "  /b:\n    get:\n      responses:\n        '200': *ok\n"
    )
    loaded = load_spec(spec)
    node = schema(loaded, "GET", "/a", "200")
    assert node.types == frozenset({"object"})
    assert node.required == {"b"}
    assert schema(loaded, "GET", "/b", "200") == node  # the alias: the same response


def test_json_yaml_cannot_read_loads_without_lines(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    long_key = "k" * 1100  # past libyaml's 1024-character simple keys
    spec.write_text(
        '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": '
        '{"get": {"responses": {"200": {"description": "ok", "content": '
        '{"application/json": {"schema": {"type": "object", "properties": {"'
        + long_key
        + '": {"type": "string"}}}}}}}}}}}\n'
    )
    node = schema(load_spec(spec), "GET", "/a", "200")
    assert node.properties[long_key].types == frozenset({"string"})
    assert node.location == Location(str(spec), 0)


def test_referenced_files_shown_relative_to_the_given_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "common.yaml").write_text("Thing:\n  type: object\n")
    (tmp_path / "api" / "openapi.yml").write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/vnd.api+json:\n              schema:\n"
        "                $ref: ../shared/common.yaml#/Thing\n"
    )
    monkeypatch.chdir(tmp_path)
    node = schema(load_spec("api/openapi.yml"), "GET", "/a", "200")
    assert node.location == Location(str(Path("shared") / "common.yaml"), 1)


def test_a_schema_nested_past_the_walk_depth_accepts_anything_there(tmp_path: Path) -> None:
    depth = 700  # inside the YAML and JSON bounds, past what is walked
    nested = '{"type": "array", "items": ' * depth + '{"type": "integer"}' + "}" * depth
    spec = tmp_path / "deep.json"
    spec.write_text(
        '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": '
        '{"get": {"responses": {"200": {"description": "ok", "content": '
        '{"application/json": {"schema": ' + nested + "}}}}}}}}\n"
    )
    node: SchemaNode | None = schema(load_spec(spec), "GET", "/a", "200")
    levels = 0
    while node is not None and node.types == frozenset({"array"}):
        node, levels = node.items, levels + 1
    assert levels == MAX_DEPTH
    assert node is not None
    assert node.types is None


@pytest.mark.parametrize("path", [SPLIT, COMPOSITION], ids=["split", "composition"])
def test_the_test_specs_are_valid_openapi(path: Path) -> None:
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    document, base_uri = read_from_filename(str(path))
    validate(document, base_uri=base_uri)  # raises on an invalid document


def ref(number: int) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/S{number}"}


def test_a_long_chain_of_components_is_whole_from_each_operation(tmp_path: Path) -> None:
    count = 3 * MAX_DEPTH  # past the walk depth: each operation still sees its own whole
    schemas = {
        f"S{i}": {
            "type": "object",
            "required": ["id"],
            "properties": {"next": {"$ref": f"#/components/schemas/S{i + 1}"}},
        }
        for i in range(count)
    }
    schemas[f"S{count}"] = {"type": "object", "required": ["id"]}
    ok = {"description": "ok", "content": {"application/json": {"schema": {}}}}
    paths = {}
    for i in range(count):
        response = {
            **ok,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/S{i}"}}},
        }
        paths[f"/s{i}"] = {"get": {"responses": {"200": response}}}
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    document["components"] = {"schemas": schemas}
    spec = tmp_path / "chain.json"
    spec.write_text(jsonio.dumps_indented(document))
    loaded = load_spec(spec)
    for i in range(count):
        assert schema(loaded, "GET", f"/s{i}", "200").required == {"id"}, i


def test_json_with_a_byte_order_mark(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_bytes(b"\xef\xbb\xbf" + COMPOSITION.read_bytes())
    loaded = load_spec(spec)
    assert len(loaded.operations) == 3
    pet = schema(loaded, "GET", "/pets/{petId}", "200")
    assert pet.location.line == line_of(COMPOSITION, '"Pet": {')


def test_mistyped_keywords_read_as_absent(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema:\n                type: object\n"
        "                properties:\n                  id: {type: integer, required: true}\n"
        "                allOf: {type: object}\n                enum: nope\n"
    )
    node = schema(load_spec(spec), "GET", "/a", "200")
    assert node.properties["id"].required == frozenset()
    assert node.types == frozenset({"object"})
    assert node.enum is None


def test_a_yaml_alias_bomb_is_normalised_once_per_alias(tmp_path: Path) -> None:
    levels = 40  # 2**40 places if each alias were expanded
    lines = ["openapi: 3.0.0", "info: {title: t, version: '1'}", "x-bomb:"]
    lines.append("  l0: &l0 {type: string}")
    for i in range(1, levels + 1):
        lines.append(f"  l{i}: &l{i} {{type: object, properties: {{a: *l{i - 1}, b: *l{i - 1}}}}}")
    lines += [
        "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok",
        "          content:\n            application/json:",
        "              schema:",
        f"                allOf: [*l{levels}, *l{levels}]",
    ]
    spec = tmp_path / "bomb.yaml"
    spec.write_text("\n".join(lines) + "\n")
    node = schema(within(60, lambda: load_spec(spec)), "GET", "/a", "200")
    for _ in range(levels):
        assert node.properties["a"] is node.properties["b"]
        node = node.properties["a"]
    assert node.types == frozenset({"string"})
