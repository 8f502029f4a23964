"""A test module's scopes, read with `ast`: what each name is bound to, never executed.

Every extractor asks the same questions — what does `rsps` refer to, what is `BASE_URL`,
which fixture is the parameter `user_payload` — so the module is read once into scopes:
assignments (with `with … as` targets as assignments of the context expression),
parameters, `self.X` attributes set in methods, functions, classes, pytest fixtures and
imports. `names.py` answers the questions from them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


class Importer(Protocol):
    """Finds what a dotted name imported from another module of the repository is."""

    def resolve(self, dotted: str, module: Module) -> Target | None: ...

    def fixture(self, name: str, module: Module) -> Fixture | None: ...

    def module_of(self, dotted: str, module: Module) -> Module | None: ...


@dataclass(eq=False)
class Scope:
    """A module, class or function body: the names it binds."""

    qualname: str
    parent: Scope | None
    module: Module
    node: ast.AST
    assigns: dict[str, list[ast.expr]] = field(default_factory=dict)
    attrs: dict[str, list[Target]] = field(default_factory=dict)  # `self.X = …`
    params: tuple[str, ...] = ()
    hidden: set[str] = field(default_factory=set)  # loop variables: bound, value unknown
    bound: dict[str, Target] = field(default_factory=dict)  # a helper's arguments
    functions: dict[str, FunctionNode] = field(default_factory=dict)
    classes: dict[str, Scope] = field(default_factory=dict)

    def name(self, local: str) -> str:
        return f"{self.qualname}.{local}" if self.qualname else local

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, ast.ClassDef)

    @property
    def function(self) -> FunctionNode | None:
        return self.node if isinstance(self.node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None

    def owner_class(self) -> Scope | None:
        """The class a method belongs to, for `self.X` and `cls.X`."""
        scope: Scope | None = self
        while scope is not None and not scope.is_class:
            scope = scope.parent
        return scope


@dataclass(frozen=True, eq=False)
class Target:
    """An expression a name refers to, and the scope it is evaluated in."""

    expr: ast.expr
    scope: Scope
    fixture: str | None = None  # reached through the pytest fixture of this name


@dataclass(frozen=True, eq=False)
class Param:
    """A name bound where its value is unknown: a parameter or a loop variable."""

    name: str
    scope: Scope


@dataclass(frozen=True, eq=False)
class Fixture:
    """A pytest fixture function, and the scope of its body."""

    name: str
    node: FunctionNode
    scope: Scope


@dataclass(eq=False)
class Module:
    """One parsed test module (or a module it imports from)."""

    label: str
    path: Path | None
    tree: ast.Module
    importer: Importer | None = None
    imports: dict[str, str] = field(default_factory=dict)  # local name -> dotted name
    scopes: dict[int, Scope] = field(default_factory=dict)  # id(def node) -> its scope
    parents: dict[int, ast.AST] = field(default_factory=dict)  # filled on first use
    shown: list[tuple[ast.AST, Scope]] = field(default_factory=list)  # calls, assignments
    named: list[tuple[str, ast.expr, Scope]] = field(default_factory=list)  # for `::NAME`
    fixtures: dict[str, Fixture] = field(default_factory=dict)
    top: Scope = field(init=False)

    def __post_init__(self) -> None:
        self.top = Scope("", None, self, self.tree)
        _Builder(self).build()

    def scope_of(self, node: ast.AST) -> Scope:
        return self.scopes.get(id(node), self.top)

    def parent(self, node: ast.AST) -> ast.AST | None:
        if not self.parents:
            for above in ast.walk(self.tree):
                for child in ast.iter_child_nodes(above):
                    self.parents[id(child)] = above
        return self.parents.get(id(node))


class _Builder(ast.NodeVisitor):
    """Fills a module's scopes in one walk."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self.scope = module.top

    def build(self) -> None:
        self.visit(self.module.tree)

    def _show(self, node: ast.AST) -> None:
        """Remember a node extractors look at, with its scope, in source order."""
        self.module.shown.append((node, self.scope))
        self.generic_visit(node)

    visit_Call = visit_BinOp = _show

    def _function(self, node: FunctionNode) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self.visit(node.args)
        outer = self.scope
        outer.functions[node.name] = node
        arguments = node.args
        names = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
        names += [a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None]
        self.scope = Scope(outer.name(node.name), outer, self.module, node, params=tuple(names))
        self.module.scopes[id(node)] = self.scope
        if _is_fixture(node, self.module):
            name = fixture_name(node)
            self.module.fixtures[name] = Fixture(name, node, self.scope)
        for statement in node.body:
            self.visit(statement)
        self.scope = outer

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in (*node.decorator_list, *node.bases):
            self.visit(expr)
        outer = self.scope
        self.scope = Scope(outer.name(node.name), outer, self.module, node)
        outer.classes[node.name] = self.scope
        self.module.scopes[id(node)] = self.scope
        for statement in node.body:
            self.visit(statement)
        self.scope = outer

    def _bind(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.scope.assigns.setdefault(target.id, []).append(value)
            self.module.named.append((self.scope.name(target.id), value, self.scope))
        elif isinstance(target, ast.Attribute) and _is_self(target.value, self.scope):
            owner = self.scope.owner_class()
            if owner is not None:
                owner.attrs.setdefault(target.attr, []).append(Target(value, self.scope))
        elif isinstance(target, (ast.Tuple, ast.List)):
            self._hide(target)

    def _hide(self, target: ast.AST) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self.scope.hidden.add(node.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.module.shown.append((node, self.scope))
        for target in node.targets:
            self._bind(target, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.module.shown.append((node, self.scope))
        if node.value is not None:
            self._bind(node.target, node.value)
        self.generic_visit(node)

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind(item.optional_vars, item.context_expr)
        self.generic_visit(node)

    visit_With = visit_AsyncWith = _with

    def _loop(self, node: ast.For | ast.AsyncFor | ast.comprehension) -> None:
        self._hide(node.target)
        self.generic_visit(node)

    visit_For = visit_AsyncFor = visit_comprehension = _loop

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.module.imports[alias.asname] = alias.name
            else:
                root = alias.name.split(".")[0]
                self.module.imports[root] = root

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = "." * node.level + (node.module or "")
        for alias in node.names:
            joiner = "" if base.endswith(".") else "."
            self.module.imports[alias.asname or alias.name] = f"{base}{joiner}{alias.name}"


def _is_self(node: ast.expr, scope: Scope) -> bool:
    return (
        isinstance(node, ast.Name)
        and scope.function is not None
        and scope.params[:1] == (node.id,)
        and scope.parent is not None
        and scope.parent.is_class
    )


def dotted(node: ast.expr) -> str | None:
    """`a.b.c` as written, or None when the chain is not made of names."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def qualified(node: ast.expr, module: Module) -> str | None:
    """The dotted name an expression means through the module's imports.

    `rsps` bound locally stays `rsps`; `_responses.GET` after `import responses as
    _responses` is `responses.GET`; `patch` from `unittest.mock` is `unittest.mock.patch`.
    """
    written = dotted(node)
    if written is None:
        return None
    head, _, rest = written.partition(".")
    target = module.imports.get(head, head)
    return f"{target}.{rest}" if rest else target


def _decorator_name(decorator: ast.expr, module: Module) -> str | None:
    node = decorator.func if isinstance(decorator, ast.Call) else decorator
    return qualified(node, module)


def _is_fixture(node: FunctionNode, module: Module) -> bool:
    return any(
        _decorator_name(d, module) in {"pytest.fixture", "_pytest.fixtures.fixture", "fixture"}
        or (_decorator_name(d, module) or "").endswith("pytest_asyncio.fixture")
        for d in node.decorator_list
    )


def fixture_name(node: FunctionNode) -> str:
    """A fixture's name: the function's, unless `@pytest.fixture(name=...)` says otherwise."""
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return node.name


def returned(function: FunctionNode) -> ast.expr | None:
    """The value a function returns or (a fixture) yields: its last `return`/`yield`
    outside nested functions."""
    value: ast.expr | None = None
    for node in walk_body(function.body):
        if isinstance(node, ast.Return) and node.value is not None:
            value = node.value
        elif isinstance(node, ast.Expr) and isinstance(node.value, (ast.Yield, ast.YieldFrom)):
            value = node.value.value
    return value


def walk_body(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of a function body, without descending into nested functions or classes."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
