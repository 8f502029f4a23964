"""Which query values are secrets, and URLs with them redacted."""

from __future__ import annotations

import pytest

from driftcheck.core.query_secrets import redacted_query


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("https://api.example.com/users/1", "https://api.example.com/users/1"),
        (
            "https://api.example.com/users?page=2&sort=asc",
            "https://api.example.com/users?page=2&sort=asc",
        ),
        (
            "https://api.example.com/x?apiKey=abc123&page=2",
            "https://api.example.com/x?apiKey=REDACTED&page=2",
        ),
        ("https://h/x?q=eyJhbGciOiJI.eyJzdWIiOiIx.sig", "https://h/x?q=REDACTED"),
        ("https://h/x?client_secret=s3cr3t#frag", "https://h/x?client_secret=REDACTED#frag"),
        (
            "https://h/x?X-Amz-Signature=abc&X-Amz-Date=20260101",
            "https://h/x?X-Amz-Signature=REDACTED&X-Amz-Date=20260101",
        ),
    ],
)
def test_secret_query_values_are_redacted(uri: str, expected: str) -> None:
    assert redacted_query(uri) == expected


def test_a_url_without_secrets_is_the_same_text() -> None:
    """Not rebuilt: `%20` and `+`, an empty value and the order of keys stay as recorded."""
    uri = "https://h/search?q=a%20b+c&empty=&b=2&a=1"
    assert redacted_query(uri) is uri
