"""Config references to Python payloads: `tests/test_users.py::MOCK_USER` (a variable, or
`test_function.NAME`), or a whole module (its mock set-ups), as `fixtures.py` loads them.
"""

from __future__ import annotations

import ast

from driftcheck.core.model import Fixture, Opaque
from driftcheck.core.suggest import did_you_mean
from driftcheck.errors import FixtureError
from driftcheck.sources.mocks.literals import Evaluator
from driftcheck.sources.mocks.reader import parse, read_module
from driftcheck.sources.mocks.scopes import Module, Scope


def python_fixtures(source: bytes, label: str, name: str | None) -> tuple[list[Fixture], list[str]]:
    """The payloads named `name` in a test module, or all its mock set-ups when None."""
    module = parse(source, label)
    if name is None:
        return _mock_set_ups(module)
    fixtures: list[Fixture] = []
    notes: list[str] = []
    for qualname, node, scope in _choose(module, name, label):
        evaluator = Evaluator(module)
        value = evaluator.evaluate(node, scope)
        reference = f"{label}::{qualname}"
        if isinstance(value, Opaque):
            reason = f"line {value.line}: `{qualname}` is {value.what}, not a data literal"
            raise FixtureError(label, f"{reason}; driftcheck reads literals, never runs tests")
        notes.extend(
            f"{label}:{hole.line}: `{path}` in {reference} is {hole.what}, not data; "
            "its type is not checked"
            for path, hole in evaluator.holes
        )
        fixtures.append(Fixture(value, label, node.lineno, reference, dict(evaluator.lines)))
    return fixtures, notes


def _mock_set_ups(module: Module) -> tuple[list[Fixture], list[str]]:
    """Every mock call's payload (not fixtures or data files: a config names those)."""
    found = read_module(module, None)
    fixtures = [mock.fixture for mock in found.mocks if not mock.standalone]
    notes = [*found.notes]
    notes += [
        f"{skipped.location}: skipped {skipped.name}: {skipped.reason}" for skipped in found.skipped
    ]
    return fixtures, notes


def _choose(module: Module, name: str, label: str) -> list[tuple[str, ast.expr, Scope]]:
    named = module.named
    exact = [candidate for candidate in named if candidate[0] == name]
    if exact:
        return exact
    chosen = [candidate for candidate in named if candidate[0].endswith("." + name)]
    if chosen:
        return chosen
    known = sorted({candidate[0] for candidate in named})
    raise FixtureError(label, f"no assignment named `{name}`{did_you_mean(name, known)}")
