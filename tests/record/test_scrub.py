"""Scrubbing body keys: exact stand-ins of the same JSON type, at any depth, never a crash."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from driftcheck.errors import ShapeDepthError
from driftcheck.record.scrub import scrub_body, scrub_json

LEVELS = 5_000  # five times what a recursive walk survives under the default limit


def nested(levels: int, leaf: Any) -> Any:
    """`leaf` under `levels` containers, arrays and objects in turn, built without recursion."""
    value = leaf
    for level in range(levels):
        value = [value] if level % 2 == 0 else {"a": value}
    return value


def unwrap(value: Any, levels: int) -> Any:
    """The leaf of `nested`, checking each level on the way down (`==` would recurse)."""
    for level in reversed(range(levels)):
        if level % 2 == 0:
            assert isinstance(value, list)
            assert len(value) == 1
            value = value[0]
        else:
            assert isinstance(value, dict)
            assert list(value) == ["a"]
            value = value["a"]
    return value


def test_a_scrubbed_key_is_blanked_keeping_types_and_key_order() -> None:
    secret = {"b": [1, 2.5, "s3cret", True, None, {"z": "x", "y": 0}], "a": 7, "n": None}
    original = copy.deepcopy(secret)
    body: dict[str, Any] = {"user": "ada", "Token": secret, "list": [{"token": "t0k3n"}]}

    assert scrub_json(body, ["token"]) == {
        "user": "ada",
        "Token": {
            "b": [0, 0.0, "REDACTED", False, None, {"z": "REDACTED", "y": 0}],
            "a": 0,
            "n": None,
        },
        "list": [{"token": "REDACTED"}],
    }
    assert list(body["Token"]) == ["b", "a", "n"]
    assert list(body["Token"]["b"][5]) == ["z", "y"]
    assert secret == original  # the stand-in is a copy: the value it replaces is untouched


def test_a_scrubbed_key_holding_thousands_of_levels_is_blanked() -> None:
    """Regression: blanking recursed once per level and raised RecursionError near 900."""
    body = {"id": 7, "token": nested(LEVELS, ["s3cret", 12, 1.5, True, None, {"k": "v"}])}

    scrubbed = scrub_json(body, ["token"])

    assert scrubbed["id"] == 7
    leaf = unwrap(scrubbed["token"], LEVELS)
    assert leaf == ["REDACTED", 0, 0.0, False, None, {"k": "REDACTED"}]


def test_a_body_too_deep_to_parse_is_refused_not_recorded_unscrubbed() -> None:
    body = b'{"token": "s3cret", "deep": ' + b"[" * LEVELS + b"]" * LEVELS + b"}"

    with pytest.raises(ShapeDepthError, match="nested too deeply for Python's json module"):
        scrub_body(body, "application/json", ["token"])


def test_a_json_body_is_scrubbed_to_exact_bytes() -> None:
    body = b'{"user": "\xc3\xa9", "token": ["a", 1, {"x": false}]}'

    assert scrub_body(body, "application/json", ["TOKEN"]) == (
        b'{"user": "\xc3\xa9", "token": ["REDACTED", 0, {"x": false}]}'
    )
