"""Read every mock of a test module, or of a whole repository, into `Mock`/`Skipped` values.

Each library's extractor (the `EXTRACTORS` registry) is shown every node of the module
with its scope; what they find is evaluated the same way (`payloads.py`); then the
payloads that are not mock calls are added: pytest fixtures returning data, data files
loaded by tests. A module mixing styles has all of them read.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

from driftcheck.core.mocks import PYTEST_FIXTURE, Mock, MocksFound, Skipped
from driftcheck.core.model import FileError
from driftcheck.errors import FixtureError
from driftcheck.sources.mocks import (
    aioresponses,
    httpretty,
    pytest_httpx,
    requests_mock,
    responses,
    respx,
    unittest_mock,
)
from driftcheck.sources.mocks.base import Extractor, Site
from driftcheck.sources.mocks.payloads import Context, finish
from driftcheck.sources.mocks.repository import Repository, test_files
from driftcheck.sources.mocks.scopes import Module
from driftcheck.sources.mocks.standalone import data_file_mocks, fixture_mocks, takers
from driftcheck.sources.regular import NotReadable, read_regular

# One extractor per library; unittest.mock comes last, as it takes what no library took
# (an `httpx.Response` a respx route already serves is not a second mock).
EXTRACTORS: dict[str, Extractor] = {
    "responses": responses.extract,
    "requests-mock": requests_mock.extract,
    "respx": respx.extract,
    "pytest-httpx": pytest_httpx.extract,
    "aioresponses": aioresponses.extract,
    "httpretty": httpretty.extract,
    "unittest.mock": unittest_mock.extract,
}


def parse(source: bytes, label: str, path: Path | None = None) -> Module:
    """A module's tree and scopes, or a FixtureError naming the line Python stopped at,
    or saying the module is nested too deeply to read."""
    try:
        tree = ast.parse(source, filename=label)
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None)
        where = f"line {line}: " if line else ""
        reason = f"{where}invalid Python: {getattr(error, 'msg', error)}"
        raise FixtureError(label, reason) from None
    except (RecursionError, MemoryError):  # `1+1+…` with 100,000 terms
        raise FixtureError(label, TOO_DEEP) from None
    try:
        return Module(label, path, tree)
    except RecursionError:  # the scopes are built by a recursive walk of the tree
        raise FixtureError(label, TOO_DEEP) from None


TOO_DEEP = (
    "nested too deeply to read: an expression or literal hundreds of levels deep exhausts "
    "Python's recursion limit; driftcheck reads modules nested less deeply"
)


def module_mocks(source: bytes, label: str, path: Path | None = None) -> MocksFound:
    """The mocks of one module on its own: no imports followed, no conftest read; data
    files are read beside `path` when it is given. Raises FixtureError."""
    return read_module(parse(source, label, path), None)


def read_mocks(path: Path, root: Path) -> MocksFound:
    """The mocks of one test module of the repository at `root`, with its imports,
    conftest fixtures and data files."""
    repository = Repository(root)
    label = repository.label(path)
    try:
        source = read_regular(path)  # a FIFO is refused, never opened blocking
    except NotReadable as error:
        return MocksFound(errors=(FileError(label, str(error)),))
    try:
        module = parse(source, label, path.resolve())
        module.importer = repository
        return read_module(module, repository)
    except FixtureError as error:
        return MocksFound(errors=(FileError(error.file, error.reason),))


def repository_mocks(root: Path) -> MocksFound:
    """Every test module and conftest.py under `root` (virtualenvs and hidden folders
    skipped); a conftest fixture lists the tests below it that take it."""
    repository = Repository(root)
    total = MocksFound()
    modules: list[Module] = []
    for path in test_files(root):
        reason = None
        try:
            module = repository.module_at(path)
        except (RecursionError, MemoryError):  # parsed, or its scopes built, recursively
            module, reason = None, TOO_DEEP
        if module is None:
            reason = reason or repository.why_unread(path)
            total += MocksFound(errors=(FileError(repository.label(path), reason),))
            continue
        modules.append(module)
        try:
            total += read_module(module, repository)
        except FixtureError as error:
            total += MocksFound(errors=(FileError(error.file, error.reason),))
    return _link_conftest_fixtures(total, modules)


def read_module(module: Module, repository: Repository | None) -> MocksFound:
    """Every mock of a parsed module, in source order, then its standalone payloads.

    Raises FixtureError for a module too deep for the recursive walks (`ast.unparse`,
    an imported module's scopes), so every caller lists it with its reason.
    """
    try:
        return _read_module(module, repository)
    except RecursionError:
        raise FixtureError(module.label, TOO_DEEP) from None


def _read_module(module: Module, repository: Repository | None) -> MocksFound:
    context = Context(module, repository)
    calls: list[Mock] = []
    skipped: list[Skipped] = []
    consumed: set[int] = set()
    for node, scope in module.shown:
        site = Site(module, scope, consumed)
        for extract in EXTRACTORS.values():
            for found in extract(node, site):
                result = finish(found, context)
                if isinstance(result, Mock):
                    calls.append(result)
                else:
                    skipped.append(result)
    standalone = [*fixture_mocks(context, calls), *data_file_mocks(context)]
    mocks = [*calls, *(m for m in standalone if isinstance(m, Mock))]
    skipped += [s for s in standalone if isinstance(s, Skipped)]
    return MocksFound(tuple(mocks), tuple(skipped), tuple(context.notes))


def _link_conftest_fixtures(found: MocksFound, modules: list[Module]) -> MocksFound:
    """A conftest fixture's takers and fed mocks, from every module below its folder
    that does not define a fixture of the same name itself."""
    linked: list[Mock] = []
    for mock in found.mocks:
        if mock.library != PYTEST_FIXTURE or not mock.call.file.endswith("conftest.py"):
            linked.append(mock)
            continue
        folder = mock.call.file.rpartition("/")[0]
        below = [
            module
            for module in modules
            if _under(module.label, folder)
            and module.label != mock.call.file
            and mock.fixture_name not in module.fixtures
        ]
        labels = {module.label for module in below}
        name = mock.fixture_name or ""
        used_by = [taker for module in below for taker in takers(module, name)]
        feeds = [m.call for m in found.mocks if m.via_fixture == name and m.call.file in labels]
        linked.append(replace(mock, used_by=(*mock.used_by, *used_by), feeds=(*mock.feeds, *feeds)))
    return replace(found, mocks=tuple(linked))


def _under(label: str, folder: str) -> bool:
    return not folder or label.startswith(folder + "/")
