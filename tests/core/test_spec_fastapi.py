"""The spec rules on a spec a real framework wrote: a FastAPI app's response models (enums,
pydantic's `Optional` as `anyOf [X, null]`, a discriminated union, a dict) read by the spec
loader, against shapes inferred from bodies that keep or break those models."""

from __future__ import annotations

import copy
import enum
import json
from typing import Annotated, Any, Literal

import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field

from driftcheck.core.model import EndpointSet, Finding, Location, StatusShape
from driftcheck.core.shape import infer_all
from driftcheck.core.spec_model import Spec
from driftcheck.core.spec_rules import spec_findings
from driftcheck.sources.openapi import load_spec

ENDPOINT = "GET 127.0.0.1:8000/users/{id}"


class Status(str, enum.Enum):
    active = "active"
    inactive = "inactive"


class Cat(BaseModel):
    kind: Literal["cat"]
    meow: bool


class Dog(BaseModel):
    kind: Literal["dog"]
    bark: int


class Profile(BaseModel):
    bio: str


class User(BaseModel):
    id: int
    name: str
    email: str | None = None  # pydantic: anyOf [string, null]
    status: Status
    tags: list[str]
    profile: Profile | None = None
    pet: Annotated[Cat | Dog, Field(discriminator="kind")]
    scores: dict[str, float]


def _app() -> FastAPI:
    app = FastAPI(servers=[{"url": "http://127.0.0.1:8000"}])

    @app.get("/users/{user_id}", response_model=User)
    def get_user(user_id: int) -> User:
        raise NotImplementedError  # only its spec is used

    return app


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> tuple[Spec, list[str]]:
    text = json.dumps(_app().openapi(), indent=2)
    path = tmp_path_factory.mktemp("spec") / "openapi.json"
    path.write_text(text, encoding="utf-8")
    return load_spec(path), text.splitlines()


def users() -> list[dict[str, Any]]:
    return [
        {"id": n, "name": f"u{n}", "email": None if n % 2 else "a@b.c",
         "status": ("active", "inactive")[n % 2], "tags": ["a"], "profile": None,
         "pet": {"kind": "cat", "meow": True} if n % 2 else {"kind": "dog", "bark": 1},
         "scores": {"math": 1.5}}
        for n in range(12)
    ]  # fmt: skip


def run(spec: Spec, bodies: list[dict[str, Any]]) -> list[Finding]:
    node = infer_all(bodies)
    where = Location("cassettes/users.yaml", 7)
    shape = StatusShape(len(bodies), {"application/json": len(bodies)}, node, location=where)
    return spec_findings(spec, {}, EndpointSet({ENDPOINT: {200: shape}}))


def test_responses_that_keep_the_models_give_no_finding(spec: tuple[Spec, list[str]]) -> None:
    assert run(spec[0], users()) == []


def test_each_broken_model_is_one_finding_pointing_at_its_schema(
    spec: tuple[Spec, list[str]],
) -> None:
    loaded, lines = spec
    bodies = copy.deepcopy(users())
    bodies[0]["status"] = "banned"
    bodies[1]["name"] = None
    del bodies[2]["tags"]
    bodies[3]["id"] = "3"
    bodies[4]["extra"] = 1
    bodies[5]["pet"] = {"kind": "cat"}
    bodies[7]["profile"] = {"bio": None}
    found = run(loaded, bodies)
    assert [(f.rule.value, f.path, f.severity.label) for f in found] == [
        ("spec-type-mismatch", "$.id", "breaking"),
        ("spec-null-undeclared", "$.name", "breaking"),
        ("spec-enum-undeclared", "$.status", "warning"),
        ("spec-required-missing", "$.tags", "breaking"),
        ("spec-null-undeclared", "$.profile.bio", "breaking"),
        ("spec-required-missing", "$.pet.meow", "breaking"),
        ("spec-field-undocumented", "$.extra", "info"),
    ]
    # each points at the schema that says otherwise: the property (Cat's `meow`), the
    # enum's component, the object for a key it does not document
    said = [lines[f.spec_location.line - 1].strip() if f.spec_location else "" for f in found]
    assert said == [
        '"id": {',
        '"name": {',
        '"Status": {',
        '"tags": {',
        '"bio": {',
        '"meow": {',
        '"User": {',
    ]
    meow = found[5].spec_location
    assert meow is not None
    assert '"const": "cat",' in [line.strip() for line in lines[meow.line - 8 : meow.line]]
    assert {f.location for f in found} == {Location("cassettes/users.yaml", 7)}


def test_a_map_of_the_wrong_values(spec: tuple[Spec, list[str]]) -> None:
    bodies = users()
    for n, body in enumerate(bodies):
        body["scores"] = {f"subject{n}-{k}": "A" for k in range(8)}
    assert [(f.rule.value, f.path) for f in run(spec[0], bodies)] == [
        ("spec-type-mismatch", "$.scores{*}")
    ]


def test_another_host_is_not_this_specs(spec: tuple[Spec, list[str]]) -> None:
    node = infer_all([{"id": "x"}])
    shape = StatusShape(1, {"application/json": 1}, node)
    other = EndpointSet({"GET api.other.test/users/{id}": {200: shape}})
    assert spec_findings(spec[0], {}, other) == []
