"""A `writeOnly` property is never required in a response, however the spec reaches it:
through a one-branch `oneOf` (NSwag's nullable reference), through an `anyOf` whose
every branch is write-only, beside the spellings the loader already read (red team 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftcheck.sources.openapi import load_spec
from tests.sources.test_openapi import schema

SPECS = Path(__file__).parent.parent / "data" / "specs" / "write_only"


def test_a_one_branch_one_of_of_a_write_only_schema_is_never_required() -> None:
    user = schema(load_spec(SPECS / "nswag30.yaml"), "GET", "/users/{id}", "200")
    assert user.required == {"id"}


def test_every_spelling_down_an_all_of_chain_is_never_required() -> None:
    child = schema(load_spec(SPECS / "chain31.yaml"), "GET", "/users/{id}", "200")
    assert child.required == {"id"}


@pytest.mark.parametrize("name", ["nswag30.yaml", "chain31.yaml"])
def test_a_readable_property_beside_them_stays_required(name: str) -> None:
    assert "id" in schema(load_spec(SPECS / name), "GET", "/users/{id}", "200").required
