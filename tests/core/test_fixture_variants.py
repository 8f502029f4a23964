"""Mocks against discriminated variants: each held to its own variant's keys, and the
variants no fixture has reported once each."""

from __future__ import annotations

from typing import Any

from driftcheck.core.fixture_check import compare_fixtures, contract_of
from driftcheck.core.model import Fixture, StatusShape
from driftcheck.core.shape import infer_all

USER = {"type": "User", "login": "octocat", "site_admin": False, "gravatar_id": ""}
ORG = {"type": "Organization", "login": "github", "description": "d", "is_verified": True}
BOT = {"type": "Bot", "login": "dependabot", "app_id": 7}


def check(recorded: list[Any], *mocks: Any) -> list[tuple[str, str, str]]:
    shape = infer_all(recorded)
    assert shape is not None
    contract = contract_of("repo", {200: StatusShape(len(recorded), {}, shape)})
    assert contract is not None
    fixtures = [Fixture(m, f"tests/test_{n}.py", 1, f"M{n}") for n, m in enumerate(mocks)]
    return [(f.rule.value, f.path, f.message) for f in compare_fixtures(contract, fixtures)]


RECORDED = [{"id": n, "owner": USER} for n in range(4)] + [{"id": 9, "owner": ORG}]


def test_each_mock_is_held_to_the_variant_its_tag_names() -> None:
    assert check(RECORDED, {"id": 1, "owner": USER}, {"id": 2, "owner": ORG}) == []


def test_a_variant_no_fixture_has_is_one_finding() -> None:
    found = check([*RECORDED, {"id": 10, "owner": BOT}], {"id": 1, "owner": USER})
    assert [(rule, path) for rule, path, _ in found] == [
        ("mock-uncovered-variant", "$.owner"),
        ("mock-uncovered-variant", "$.owner"),
    ]
    assert "covers `$.owner` of type `Bot` (1 of 6 recorded `$.owner` objects)" in found[0][2]
    assert "of type `Organization`" in found[1][2]


def test_a_key_of_the_variant_is_still_required() -> None:
    org = {k: v for k, v in ORG.items() if k != "description"}
    found = check(RECORDED, {"id": 1, "owner": USER}, {"id": 2, "owner": org})
    assert [(rule, path) for rule, path, _ in found] == [
        ("mock-field-missing", "$.owner.description")
    ]


def test_a_tag_that_tells_nothing_apart_asks_for_nothing() -> None:
    recorded = [{"file": {"type": kind, "size": 1}} for kind in ("image/png", "text/csv")]
    assert check(recorded, {"file": {"type": "image/png", "size": 3}}) == []


def test_a_key_of_some_variants_says_whose_it_is() -> None:
    recorded = [{"owner": {**USER, "email": "a"}}, {"owner": USER}, {"owner": ORG}]
    found = check(recorded, {"owner": {**USER, "email": "b"}}, {"owner": ORG})
    assert [(rule, path) for rule, path, _ in found] == [
        ("mock-uncovered-optional", "$.owner.email")
    ]
    assert "missing in 1 of 2 recorded `$.owner` objects of type `User`" in found[0][2]
