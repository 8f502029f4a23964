"""The recorded API the run tests share, recorded once per module that asks for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.mock_api import CASSETTES, record


@pytest.fixture(scope="module")
def cassettes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("recorded")
    record(folder, CASSETTES)
    return folder
