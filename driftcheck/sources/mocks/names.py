"""What a name in a test module refers to, resolved as Python would, without running it.

Innermost function first, class bodies skipped from methods; a parameter of a test or a
fixture is the value of the pytest fixture of that name; `self.BASE` and `Client.BASE`
are class attributes; a name imported from another module of the repository is read
there. Every extractor and evaluator asks here.
"""

from __future__ import annotations

import ast

from driftcheck.sources.mocks.scopes import (
    Fixture,
    Module,
    Param,
    Scope,
    Target,
    dotted,
    fixture_name,
    returned,
)


def lookup(name: str, line: int, scope: Scope) -> Target | Param | None:
    """What `name` refers to at `line`: innermost scope first, as Python resolves it.

    In a scope the last assignment before `line` wins (the last one at all, when none is
    before it: a module constant used by a function defined above it).
    """
    current: Scope | None = scope
    while current is not None:
        if current is not scope and current.is_class:
            current = current.parent  # methods do not see their class body's names
            continue
        if name in current.bound:
            return current.bound[name]
        assigned = current.assigns.get(name)
        if assigned:
            before = [node for node in assigned if node.lineno <= line]
            return Target((before or assigned)[-1], current)
        if name in current.params or name in current.hidden:
            return Param(name, current)
        current = current.parent
    importer = scope.module.importer
    imported = scope.module.imports.get(name)
    if importer is not None and imported is not None:
        return importer.resolve(imported, scope.module)
    return None


def resolve(node: ast.expr, scope: Scope) -> Target | Param | None:
    """What a name or attribute refers to: a variable, a fixture's value, a class
    attribute (`self.BASE`, `Client.BASE`), a constant imported from another module."""
    if isinstance(node, ast.Name):
        found = lookup(node.id, node.lineno, scope)
        if isinstance(found, Param):
            return fixture_value(found) or found
        return found
    if isinstance(node, ast.Attribute):
        return _attribute(node, scope)
    return None


def fixture_value(param: Param) -> Target | None:
    """The value a test's parameter gets from the pytest fixture of that name."""
    if not called_by_pytest(param.scope) or param.name not in param.scope.params:
        return None
    fixture = find_fixture(param.name, param.scope.module)
    if fixture is None:
        return None
    value = returned(fixture.node)
    if value is None:
        return None
    return Target(value, fixture.scope, fixture=fixture.name)


def called_by_pytest(scope: Scope) -> bool:
    """A test or a fixture: the functions whose parameters pytest fills with fixtures."""
    function = scope.function
    if function is None:
        return False
    fixture = scope.module.fixtures.get(fixture_name(function))
    return function.name.startswith("test") or (fixture is not None and fixture.scope is scope)


def is_local(name: str, scope: Scope) -> bool:
    """Whether a scope (or one enclosing it) binds `name` itself, shadowing imports."""
    current: Scope | None = scope
    while current is not None:
        if name in current.bound or name in current.assigns or name in current.params:
            return True
        if name in current.hidden:
            return True
        current = current.parent
    return False


def find_fixture(name: str, module: Module) -> Fixture | None:
    """A fixture defined in the module, else in a conftest.py the repository knows."""
    found = module.fixtures.get(name)
    if found is None and module.importer is not None:
        found = module.importer.fixture(name, module)
    return found


def _attribute(node: ast.Attribute, scope: Scope) -> Target | None:
    base = node.value
    if isinstance(base, ast.Name):
        owner = _class_named(base, scope)
        if owner is not None:
            return class_attribute(owner, node.attr)
    written = dotted(node)
    importer = scope.module.importer
    if written is None or importer is None:
        return None
    head, _, rest = written.partition(".")
    imported = scope.module.imports.get(head)
    if imported is None or is_local(head, scope):
        return None
    return importer.resolve(f"{imported}.{rest}", scope.module)


def _class_named(base: ast.Name, scope: Scope) -> Scope | None:
    """The class `self`/`cls` is in, or a class of the module named by `base`."""
    function_scope: Scope | None = scope
    while function_scope is not None and function_scope.function is None:
        function_scope = function_scope.parent
    if (
        function_scope is not None
        and function_scope.params[:1] == (base.id,)
        and function_scope.parent is not None
        and function_scope.parent.is_class
    ):
        return function_scope.parent
    return scope.module.top.classes.get(base.id)


def class_attribute(owner: Scope, name: str, depth: int = 0) -> Target | None:
    """A class attribute: the class body, `self.X = …` in its methods, then its bases
    defined in the same module."""
    assigned = owner.assigns.get(name)
    if assigned:
        return Target(assigned[-1], owner)
    if name in owner.attrs:
        return owner.attrs[name][-1]  # `self.X = …` in a method: evaluated there
    node = owner.node
    if not isinstance(node, ast.ClassDef) or depth > 8:
        return None
    for base in node.bases:
        if isinstance(base, ast.Name) and base.id in owner.module.top.classes:
            found = class_attribute(owner.module.top.classes[base.id], name, depth + 1)
            if found is not None:
                return found
    return None
