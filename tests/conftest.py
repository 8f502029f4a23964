"""Fixtures every test may take; plain helpers live in tests/helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import CASSETTES

pytest_plugins = ["pytester"]


@pytest.fixture
def data_dir() -> Path:
    return CASSETTES
