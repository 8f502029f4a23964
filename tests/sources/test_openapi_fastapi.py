"""`load_spec` on what FastAPI and pydantic generate (OpenAPI 3.1): `anyOf` with
`{type: null}` for `Optional`, `components/schemas` refs, `title`s everywhere,
discriminated unions, `dict` fields as `additionalProperties`; written as JSON and as
YAML, both read the same."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field

from driftcheck import jsonio
from driftcheck.core.spec_model import SchemaNode, Spec
from driftcheck.sources.openapi import load_spec
from driftcheck.sources.yamlsafe import dump


class Profile(BaseModel):
    name: str
    bio: str | None = None


class User(BaseModel):
    id: int
    email: str | None
    status: Literal["active", "inactive"]
    profile: Profile | None = None
    friends: list[User] = []
    scores: dict[str, int] = {}


class Cat(BaseModel):
    kind: Literal["cat"]
    lives: int


class Dog(BaseModel):
    kind: Literal["dog"]
    bark: str


class Problem(BaseModel):
    detail: str


def service() -> FastAPI:
    app = FastAPI(title="users", version="1.0.0", servers=[{"url": "http://127.0.0.1:8000"}])

    @app.get("/users/{user_id}", response_model=User, responses={404: {"model": Problem}})
    def get_user(user_id: int) -> Any:
        raise NotImplementedError

    @app.get("/pets/{pet_id}")
    def get_pet(pet_id: int) -> Annotated[Cat | Dog, Field(discriminator="kind")]:
        raise NotImplementedError

    @app.get("/users", response_model=list[User])
    def list_users() -> Any:
        raise NotImplementedError

    return app


@pytest.fixture(scope="module", params=["json", "yaml"])
def spec(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Spec:
    document = service().openapi()
    path = tmp_path_factory.mktemp("fastapi") / f"openapi.{request.param}"
    text = jsonio.dumps_indented(document) if request.param == "json" else dump(document)
    path.write_text(text)
    return load_spec(path)


def response(spec: Spec, method: str, path: str, status: str) -> SchemaNode:
    operation = next(o for o in spec.operations if o.method == method and o.path == path)
    node = operation.responses[status].schema
    assert node is not None
    return node


def test_fastapi_document_reads(spec: Spec) -> None:
    assert spec.version.startswith("3.1")
    assert spec.servers == ("http://127.0.0.1:8000",)
    found = {(o.method, o.path) for o in spec.operations}
    assert found == {("GET", "/users/{user_id}"), ("GET", "/pets/{pet_id}"), ("GET", "/users")}
    get_user = next(o for o in spec.operations if o.path == "/users/{user_id}")
    assert set(get_user.responses) == {"200", "404", "422"}
    assert get_user.operation_id == "get_user_users__user_id__get"


def test_optional_is_a_nullable_type(spec: Spec) -> None:
    user = response(spec, "GET", "/users/{user_id}", "200")
    assert user.types == frozenset({"object"})
    assert user.required == {"id", "email", "status"}
    assert user.properties["email"].types == frozenset({"string", "null"})
    assert not user.properties["email"].alternatives
    assert user.properties["status"].enum == ("active", "inactive")
    profile = user.properties["profile"]  # anyOf [$ref Profile, null]
    assert profile.types == frozenset({"object", "null"})
    assert profile.properties["name"].types == frozenset({"string"})
    assert profile.properties["bio"].types == frozenset({"string", "null"})


def test_lists_maps_and_recursion(spec: Spec) -> None:
    user = response(spec, "GET", "/users/{user_id}", "200")
    friends = user.properties["friends"]
    assert friends.types == frozenset({"array"})
    assert friends.items is not None
    assert friends.items.types is None
    scores = user.properties["scores"]
    assert isinstance(scores.additional, SchemaNode)
    assert scores.additional.types == frozenset({"integer"})
    listed = response(spec, "GET", "/users", "200")
    assert listed.items is not None
    assert listed.items.required == {"id", "email", "status"}


def test_discriminated_union_and_error_models(spec: Spec) -> None:
    pet = response(spec, "GET", "/pets/{pet_id}", "200")
    assert pet.discriminator == "kind"
    assert [sorted(a.properties) for a in pet.alternatives] == [["kind", "lives"], ["bark", "kind"]]
    assert pet.mapping == {"cat": 0, "dog": 1, "Cat": 0, "Dog": 1}
    problem = response(spec, "GET", "/users/{user_id}", "404")
    assert problem.required == {"detail"}
    invalid = response(spec, "GET", "/users/{user_id}", "422")
    detail = invalid.properties["detail"]
    assert detail.items is not None
    assert "loc" in detail.items.properties


def test_lines_point_into_the_written_file(
    spec: Spec, tmp_path_factory: pytest.TempPathFactory
) -> None:
    user = response(spec, "GET", "/users/{user_id}", "200")
    lines = Path(spec.file).read_text().splitlines()
    assert lines[user.location.line - 1].strip().startswith(('"User"', "User:"))
    email = user.properties["email"].location
    assert lines[email.line - 1].strip().startswith(('"email"', "email:"))
