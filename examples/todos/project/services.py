"""The code under test, as in Real Python's "Mocking External APIs in Python"."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import requests

from project.constants import BASE_URL

TODOS_URL = urljoin(BASE_URL, "todos")


def get_todos() -> requests.Response | None:
    response = requests.get(TODOS_URL, timeout=10)
    if response.ok:
        return response
    return None


def get_user(user_id: int) -> dict[str, Any] | None:
    response = requests.get(urljoin(BASE_URL, f"users/{user_id}"), timeout=10)
    return response.json() if response.ok else None


def greeting(user_id: int) -> str:
    """Works on the happy-path mock; a user without `profile` makes it raise KeyError."""
    user = get_user(user_id)
    if user is None:
        return "Hello!"
    return f"Hello, {user['profile']['display_name']}!"
