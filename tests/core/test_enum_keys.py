"""Which keys may hold an enum (red team 7): personal attributes never, whatever word ends
them; nothing below a place or a redeemable code; a merchant's catalogue data never.
Real enums (`status`, `type`, `finish_reason`) stay."""

from __future__ import annotations

from typing import Any

import pytest

from driftcheck.core.compare import compare
from driftcheck.core.enum_keys import holds_below, key_allows_enum
from driftcheck.core.model import EndpointSet, StatusShape
from driftcheck.core.shape import infer_all

ENDPOINT = "GET api.example.com/v1/things"


@pytest.mark.parametrize(
    "key",
    ["maritalStatus", "marital_status", "sex", "gender", "race", "veteran_status",
     "disability_status", "blood_type", "citizenship", "pronouns", "product_type", "vendor",
     "brand"],
)  # fmt: skip
def test_personal_and_catalogue_keys_hold_no_enum(key: str) -> None:
    assert not key_allows_enum(key)


@pytest.mark.parametrize(
    "key", ["status", "type", "payment_status", "finish_reason", "severity", "state", "kind"]
)
def test_keys_naming_a_choice_still_may(key: str) -> None:
    assert key_allows_enum(key)


@pytest.mark.parametrize(
    "key", ["address", "billing_address", "shipping", "location", "discount_codes", "coupon",
            "promotion_code", "gift_cards"],
)  # fmt: skip
def test_nothing_below_a_place_or_a_code_is_an_enum(key: str) -> None:
    assert holds_below(key)
    assert not key_allows_enum(key)


def _side(bodies: list[Any]) -> EndpointSet:
    shape = StatusShape(len(bodies), {"application/json": 1}, infer_all(bodies))
    return EndpointSet({ENDPOINT: {200: shape}})


def _customers(states: list[str], marital: list[str]) -> list[dict[str, Any]]:
    return [
        {"status": "active", "address": {"state": state}, "maritalStatus": status}
        for state, status in zip(states, marital, strict=True)
    ]


def test_re_recorded_people_give_no_value_finding_and_show_no_value() -> None:
    """US states of re-recorded customers and an employee's marital status: data, so no
    enum-value-added, and their values never reach a message."""
    before = _customers(["WA", "CA", "NY"] * 4, ["Single", "Married"] * 6)
    after = _customers(["WA", "CA", "TX"] * 4, ["Single", "Divorced"] * 6)
    report = compare(_side(before), _side(after))
    assert report.findings == ()
    assert "Divorced" not in repr(infer_all(after))
