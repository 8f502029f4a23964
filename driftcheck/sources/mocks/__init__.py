"""Mocks in Python test modules, read with `ast`, never imported or executed.

One small module per mocking library (`responses`, `requests_mock`, `respx`,
`pytest_httpx`, `aioresponses`, `httpretty`, `unittest_mock`) behind one interface
(`base.Extractor`, registered in `reader.EXTRACTORS`), sharing the scopes, name
resolution, literal evaluation and line map; `standalone` adds pytest fixtures returning
data and data files loaded by tests.
"""

from driftcheck.sources.mocks.literals import json_key
from driftcheck.sources.mocks.named import python_fixtures
from driftcheck.sources.mocks.reader import (
    EXTRACTORS,
    module_mocks,
    read_mocks,
    repository_mocks,
)

__all__ = [
    "EXTRACTORS",
    "json_key",
    "module_mocks",
    "python_fixtures",
    "read_mocks",
    "repository_mocks",
]
