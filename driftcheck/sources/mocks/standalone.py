"""Payloads that are not a mock call but what tests feed their code: pytest fixtures
returning literals, and data files tests load.

    @pytest.fixture
    def user_payload():
        return {"id": 1, ...}          # a Mock of library "pytest-fixture", with the tests
                                       # taking it and the mock calls it is the body of
    USER = json.loads((FIXTURES / "user.json").read_text())   # library "data-file"

A load already read as a mock call's body, or returned by a fixture, is not reported again.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from driftcheck.core.mocks import DATA_FILE, PYTEST_FIXTURE, Mock, Skipped
from driftcheck.core.model import Location
from driftcheck.sources.mocks.base import Body
from driftcheck.sources.mocks.datafiles import data_load
from driftcheck.sources.mocks.payloads import Context, payload_of, read_load, test_name
from driftcheck.sources.mocks.scopes import Module, Scope, returned


def fixture_mocks(context: Context, calls: Sequence[Mock]) -> Iterator[Mock | Skipped]:
    """Each fixture of the module whose value is data (a literal, a loaded file)."""
    module = context.module
    label = module.label
    for name, fixture in module.fixtures.items():
        value = returned(fixture.node)
        if value is None:
            continue
        location = Location(label, fixture.node.lineno)
        payload = payload_of(Body(value, fixture.scope), context, f"{label}::{name}")
        if isinstance(payload, str):
            if data_load(value, fixture.scope) is not None:
                yield Skipped(location, PYTEST_FIXTURE, payload, f"{label}::{name}")
            continue  # a client, a mock object: not a payload
        if not isinstance(payload[0].value, (dict, list)):
            continue
        yield Mock(
            payload[0],
            PYTEST_FIXTURE,
            location,
            test=fixture.scope.qualname,
            fixture_name=name,
            used_by=tuple(takers(module, name)),
            feeds=tuple(m.call for m in calls if m.via_fixture == name),
        )


def takers(module: Module, name: str) -> Iterator[str]:
    """The tests of a module that take the fixture `name` as a parameter."""
    for scope in module.scopes.values():
        function = scope.function
        if function is not None and function.name.startswith("test") and name in scope.params:
            yield f"{module.label}::{scope.qualname}"


def data_file_mocks(context: Context) -> Iterator[Mock | Skipped]:
    """Data files loaded through a literal path in a test, a fixture or at module level,
    that no mock call took as its body."""
    module = context.module
    for node, scope in module.shown:
        if not isinstance(node, ast.Call) or id(node) in context.consumed:
            continue
        if not _feeds_tests(scope):
            continue
        load = data_load(node, scope)
        if load is None or load.path is None:
            continue
        read = read_load(load, scope, context)
        location = Location(module.label, node.lineno)
        test = test_name(scope)
        if isinstance(read, str):
            yield Skipped(location, DATA_FILE, read, f"{module.label}::{test or ''}")
            continue
        used_by = (f"{module.label}::{test}",) if test is not None else ()
        yield Mock(read, DATA_FILE, location, test=test, used_by=used_by)


def _feeds_tests(scope: Scope) -> bool:
    """Module level, a test or a fixture; a helper's body is read at each call instead."""
    current: Scope | None = scope
    while current is not None and current.function is None:
        current = current.parent
    if current is None or current.function is None:
        return True
    function = current.function
    return function.name.startswith("test") or any(
        fixture.node is function for fixture in current.module.fixtures.values()
    )
