"""unittest.mock and pytest-mock: a client function patched, its response mocked by hand.

    @patch("pkg.client.requests.get")            # or `with patch(...) as mock_get`,
    def test_x(mock_get):                        # `mock_get = mocker.patch(...)`,
        mock_get.return_value.json.return_value = {...}   # `patch.object(requests, "get")`
        mock_get.return_value.status_code = 404
    m.json.side_effect = [{...}, {...}]           # one payload per call
    m.json = lambda: {...}  /  m.json = Mock(return_value={...})
    Mock(status_code=404, json=lambda: {...})     # and MagicMock, AsyncMock
    MagicMock(**{"json.return_value": {...}, "status_code": 200})
    mock_get.return_value = httpx.Response(404, json={...})   # or `return_value=` given
                                                              # to patch() or Mock()

There is no URL: the mock records the patched name (`patch_target`), its method when the
name is an HTTP verb (`requests.get`), and a status where the test sets one.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import replace

from driftcheck.sources.mocks import strings
from driftcheck.sources.mocks.base import (
    VERBS,
    Body,
    Found,
    Site,
    argument,
    httpx_response,
    httpx_stated,
)
from driftcheck.sources.mocks.literals import short
from driftcheck.sources.mocks.names import lookup
from driftcheck.sources.mocks.receivers import (
    PATCH_OBJECTS,
    PATCHES,
    decorator_arguments,
    receiver,
)
from driftcheck.sources.mocks.scopes import Param, Scope, Target, qualified, walk_body

LIBRARY = "unittest.mock"
PYTEST_MOCK = "pytest-mock"
MOCK_CLASSES = frozenset(
    {"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "NonCallableMagicMock"}
)
SUFFIXES = (".json.return_value", ".json.side_effect", ".json", ".return_value", ".side_effect")
Patched = tuple[str | None, str]  # the patched name (None: unknown), the library


def extract(node: ast.AST, site: Site) -> Iterator[Found]:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            yield from _assigned(target, node.value, node, site)
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        yield from _assigned(node.target, node.value, node, site)
    elif isinstance(node, ast.Call):
        if _callee(node) in MOCK_CLASSES:
            yield from _mock_class(node, site)
        yield from _given_response(node, site)


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _assigned(
    target: ast.expr, value: ast.expr, statement: ast.stmt, site: Site
) -> Iterator[Found]:
    text = ast.unparse(target)
    suffix = next((s for s in SUFFIXES if text.endswith(s)), None)
    if suffix is None:
        return
    base, name, scope = text[: -len(suffix)], site.scope.name(text), site.scope
    if suffix == ".json.return_value":
        yield _payload(statement, site, base, Body(value, scope), name)
    elif suffix == ".json.side_effect":
        followed, followed_scope = strings.follow(value, scope)
        if isinstance(followed, (ast.List, ast.Tuple)):
            for element in followed.elts:
                yield _payload(statement, site, base, Body(element, followed_scope), name)
        else:
            reason = f"`.json()` raises or calls `{short(ast.unparse(value))}`, not data"
            yield _payload(statement, site, base, None, name, reason=reason)
    elif suffix == ".json":
        body = _json_attribute(value, scope)
        if body is not None:
            yield _payload(statement, site, base, body, name)
    else:
        for index, (status, body) in enumerate(_responses(value, site)):
            named = f"{name}[{index}]" if suffix == ".side_effect" else name
            yield _payload(statement, site, base, body, named, status=status)


def _json_attribute(value: ast.expr, scope: Scope) -> Body | None:
    """`.json = lambda: BODY` or `.json = Mock(return_value=BODY)`."""
    if isinstance(value, ast.Lambda):
        return Body(value.body, scope)
    if isinstance(value, ast.Call) and _callee(value) in MOCK_CLASSES:
        returned = argument(value, None, "return_value")
        if returned is not None:
            return Body(returned, scope)
    return None


def _responses(value: ast.expr, site: Site) -> list[tuple[int | None, Body | None]]:
    """`httpx.Response` objects given as a return value or side effect."""
    followed, scope = strings.follow(value, site.scope)
    elements = followed.elts if isinstance(followed, (ast.List, ast.Tuple)) else [value]
    found: list[tuple[int | None, Body | None]] = []
    for element in elements:
        made = httpx_response(element, scope)
        if made is None or id(made[0]) in site.consumed:
            continue
        site.consumed.add(id(made[0]))
        status, body = httpx_stated(*made)
        found.append((status, body if isinstance(body, Body) else None))
    return found


def _mock_class(call: ast.Call, site: Site) -> Iterator[Found]:
    """`Mock(status_code=404, json=lambda: BODY)`, `Mock(**{"json.return_value": BODY})`."""
    scope = site.scope
    bodies: list[Body] = []
    for keyword in call.keywords:
        if keyword.arg is None and isinstance(keyword.value, ast.Dict):
            bodies.extend(_spread_bodies(keyword.value, scope))
        elif keyword.arg == "json":
            body = _json_attribute(keyword.value, scope)
            bodies.extend([body] if body is not None else [])
    if not bodies:
        return
    status = _stated_status(call, scope)
    patched = _context(call, site)
    name = scope.name(f"{_callee(call)}@{call.lineno}")
    for body in bodies:
        yield _found(call, site, body, name, status, patched)


def _spread_bodies(spread: ast.Dict, scope: Scope) -> list[Body]:
    bodies: list[Body] = []
    for key, value in zip(spread.keys, spread.values, strict=True):
        if isinstance(key, ast.Constant) and key.value == "json.return_value":
            bodies.append(Body(value, scope))
        elif isinstance(key, ast.Constant) and key.value == "json.side_effect":
            elements = value.elts if isinstance(value, (ast.List, ast.Tuple)) else []
            bodies.extend(Body(element, scope) for element in elements)
    return bodies


def _stated_status(call: ast.Call, scope: Scope) -> int | None:
    """`Mock(status_code=404)` or `Mock(**{"status_code": 404})`."""
    given = argument(call, None, "status_code")
    if given is not None:
        return strings.status(given, scope)
    for keyword in call.keywords:
        if keyword.arg is None and isinstance(keyword.value, ast.Dict):
            for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "status_code":
                    return strings.status(value, scope)
    return None


def _given_response(call: ast.Call, site: Site) -> Iterator[Found]:
    """`patch(..., return_value=httpx.Response(...))`, `Mock(side_effect=[...])`."""
    for keyword in call.keywords:
        if keyword.arg in {"return_value", "side_effect"}:
            patched = _patched(call, site.scope) or _context(call, site)
            name = site.scope.name(f"{_callee(call)}@{call.lineno}")
            for index, (status, body) in enumerate(_responses(keyword.value, site)):
                yield _found(call, site, body, f"{name}[{index}]", status, patched)


def _payload(
    node: ast.AST,
    site: Site,
    base: str,
    body: Body | None,
    name: str,
    *,
    status: int | None = None,
    reason: str | None = None,
) -> Found:
    """A payload set on `base` (`mock_get.return_value`): its status and patch target."""
    scope = site.scope
    line = getattr(node, "lineno", 0)
    if status is None:
        status = _status(base, scope, line)
    root = base.split(".")[0]
    patched = _root_patch(root, scope, line, site)
    found = _found(node, site, body, name, status, patched)
    return replace(found, reason=reason) if reason else found


def _found(
    node: ast.AST, site: Site, body: Body | None, name: str, status: int | None, patched: Patched
) -> Found:
    target, library = patched
    verb = target.rpartition(".")[2] if target else ""
    return Found(
        library,
        node,
        site.scope,
        body,
        method=verb.upper() if verb in VERBS else None,
        status=status,
        patch_target=target,
        name=name,
        reason=None if body is not None else "no JSON body",
    )


def _status(base: str, scope: Scope, line: int) -> int | None:
    """`base.status_code = 404`, or `base = Mock(status_code=404)`, in the same function."""
    assigned = _attribute_assigns(scope)
    for value in reversed(assigned.get(base + ".status_code", [])):
        return strings.status(value, scope)
    made = assigned.get(base, [])
    if not made and "." not in base:
        found = lookup(base, line, scope)
        made = [found.expr] if isinstance(found, Target) else []
    for value in reversed(made):
        if isinstance(value, ast.Call) and _callee(value) in MOCK_CLASSES:
            return _stated_status(value, scope)
    return None


@functools.lru_cache(maxsize=256)
def _attribute_assigns(scope: Scope) -> dict[str, list[ast.expr]]:
    """`a.b.c = value` assignments of a function body, by target text."""
    body = getattr(scope.node, "body", [])
    found: dict[str, list[ast.expr]] = {}
    for node in walk_body(body if isinstance(body, list) else []):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute):
                    found.setdefault(ast.unparse(target), []).append(node.value)
    return found


def _root_patch(root: str, scope: Scope, line: int, site: Site, hops: int = 0) -> Patched:
    """The name patched into `root`: a decorator's, a `with patch(...) as root`'s, a
    `mocker.patch(...)`'s; for a response object, the patch whose return value it is."""
    found = lookup(root, line, scope)
    if isinstance(found, Param) and found.scope.function is not None:
        given = decorator_arguments(found.scope.function, scope.module).get(root)
        patched = _patched(given, scope) if given is not None else None
        return patched or (None, LIBRARY)
    if isinstance(found, Target):
        patched = _patched(found.expr, found.scope)
        if patched is not None:
            return patched
    if hops < 2:
        for text, values in _attribute_assigns(scope).items():
            named = [v for v in values if isinstance(v, ast.Name) and v.id == root]
            if named and text.endswith(".return_value"):
                return _root_patch(text.split(".")[0], scope, line, site, hops + 1)
    return None, LIBRARY


def _patched(node: ast.expr, scope: Scope) -> Patched | None:
    """The target of `patch("x")`, `patch.object(obj, "attr")`, `mocker.patch(...)`,
    `patcher.start()`, or None when the expression is not a patch."""
    node, scope = strings.follow(node, scope)
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "start" and not node.args:
        return _patched(func.value, scope)
    name = qualified(func, scope.module) or ""
    if name in PATCHES:
        return _target(node, scope), LIBRARY
    if name in PATCH_OBJECTS:
        return _object_target(node, scope), LIBRARY
    return _mocker_patch(node, scope)


def _mocker_patch(call: ast.Call, scope: Scope) -> Patched | None:
    """`mocker.patch("x")` and `mocker.patch.object(obj, "attr")` (pytest-mock)."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    owner, kind = func.value, func.attr
    if kind == "object" and isinstance(owner, ast.Attribute) and owner.attr == "patch":
        owner, kind = owner.value, "patch.object"
    if kind not in {"patch", "patch.object"}:
        return None
    where = receiver(owner, scope)
    if where is None or where.library != PYTEST_MOCK:
        return None
    target = _object_target(call, scope) if kind == "patch.object" else _target(call, scope)
    return target, PYTEST_MOCK


def _target(call: ast.Call, scope: Scope) -> str | None:
    given = argument(call, 0, "target")
    return strings.literal(given, scope) if given is not None else None


def _object_target(call: ast.Call, scope: Scope) -> str | None:
    owner, attribute = argument(call, 0, "target"), argument(call, 1, "attribute")
    if owner is None or attribute is None:
        return None
    owner_name = qualified(owner, scope.module)
    attribute_name = strings.literal(attribute, scope)
    return f"{owner_name}.{attribute_name}" if owner_name and attribute_name else None


def _context(call: ast.Call, site: Site) -> Patched:
    """What a response mock built inline is for: the patch it is the return value of,
    the name whose return value it is assigned to, or a `monkeypatch.setattr` target."""
    node: ast.AST = call
    for _ in range(4):
        parent = site.module.parent(node)
        if isinstance(parent, (ast.List, ast.Tuple, ast.Lambda, ast.keyword)):
            node = parent
            continue
        if isinstance(parent, ast.Call):
            return _patched(parent, site.scope) or _setattr(parent, site.scope) or (None, LIBRARY)
        if isinstance(parent, ast.Assign):
            target = parent.targets[0]
            root = ast.unparse(target).split(".")[0]
            return _root_patch(root, site.scope, parent.lineno, site)
        break
    return None, LIBRARY


def _setattr(call: ast.Call, scope: Scope) -> Patched | None:
    """`monkeypatch.setattr("pkg.requests.get", ...)` / `setattr(requests, "get", ...)`."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "setattr"):
        return None
    if len(call.args) == 2:
        return strings.literal(call.args[0], scope), LIBRARY
    if len(call.args) == 3:
        owner = qualified(call.args[0], scope.module)
        attribute = strings.literal(call.args[1], scope)
        return (f"{owner}.{attribute}" if owner and attribute else None), LIBRARY
    return None
