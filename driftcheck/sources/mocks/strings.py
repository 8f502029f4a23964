"""URLs, methods and statuses as a test writes them, resolved without running it.

A URL is usually built: `f"{BASE_URL}/users/{user_id}"`, `BASE + "/users"`,
`"{}/users".format(API)`, `urljoin(BASE, "users")`. Every literal part is resolved
(names, class attributes, constants imported from the repository, fixtures returning
strings); what stays unknown becomes a `{name}` placeholder, so
`f"{BASE}/users/{user_id}"` reads `https://api.example.com/users/{user_id}`.
"""

from __future__ import annotations

import ast
import re
import string
from http import HTTPStatus
from urllib.parse import urljoin

from driftcheck.sources.mocks.literals import encodable
from driftcheck.sources.mocks.names import resolve
from driftcheck.sources.mocks.scopes import Scope, Target, qualified

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"})
MAX_HOPS = 64  # names followed for one string: enough for real chains, and cycles end
URLJOIN = frozenset({"urllib.parse.urljoin", "urljoin", "parse.urljoin"})
ENVIRONMENT = frozenset({"os.getenv", "os.environ.get", "environ.get", "getenv"})
URL_TYPES = frozenset({"httpx.URL", "yarl.URL", "URL", "str"})
REGEX = frozenset({"re.compile", "regex.compile"})
CONVERSIONS = frozenset({"http.HTTPStatus", "HTTPStatus", "int"})
PERCENT = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifrxXa%]")
CODE_ALIASES = {"ok": 200, "okay": 200, "all_ok": 200, "server_error": 500, "too_many": 429}
STATUS_CONSTANT = re.compile(r"HTTP_(\d{3})(?:_|$)")


class _Text:
    """One string's evaluation; `complete` turns False at the first unresolved part."""

    def __init__(self) -> None:
        self.complete = True
        self.hops = 0

    def text(self, node: ast.expr, scope: Scope) -> str:
        self.hops += 1
        if self.hops > MAX_HOPS:
            return self._hole(node)
        if isinstance(node, ast.Constant):
            constant = _constant(node.value)
            return constant if constant is not None else self._hole(node)
        if isinstance(node, ast.JoinedStr):
            return "".join(self._part(part, scope) for part in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.text(node.left, scope) + self.text(node.right, scope)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            return self._percent(node, scope)
        if isinstance(node, (ast.Name, ast.Attribute)):
            found = resolve(node, scope)
            if isinstance(found, Target):
                return self.text(found.expr, found.scope)
        if isinstance(node, ast.Call):
            return self._call(node, scope)
        return self._hole(node)

    def _part(self, part: ast.expr, scope: Scope) -> str:
        if isinstance(part, ast.FormattedValue):
            return self.text(part.value, scope)
        return self.text(part, scope)

    def _hole(self, node: ast.expr) -> str:
        self.complete = False
        return "{" + placeholder(node) + "}"

    def _percent(self, node: ast.BinOp, scope: Scope) -> str:
        template = self.text(node.left, scope)
        right = node.right
        values = list(right.elts) if isinstance(right, ast.Tuple) else [right]

        def substitute(match: re.Match[str]) -> str:
            if match.group(0) == "%%":
                return "%"
            return self.text(values.pop(0), scope) if values else match.group(0)

        return PERCENT.sub(substitute, template)

    def _call(self, node: ast.Call, scope: Scope) -> str:
        name = qualified(node.func, scope.module) or ""
        args = node.args
        if isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method == "format":
                return self._format(node, scope)
            if method in {"rstrip", "lstrip", "strip"}:
                return self._strip(node, method, scope)
            if method == "join" and len(args) == 1 and isinstance(args[0], (ast.List, ast.Tuple)):
                glue = self.text(node.func.value, scope)
                return glue.join(self.text(element, scope) for element in args[0].elts)
        if name in URLJOIN and len(args) == 2:
            return urljoin(self.text(args[0], scope), self.text(args[1], scope))
        if name in URL_TYPES and len(args) == 1:
            return self.text(args[0], scope)
        if name in ENVIRONMENT and len(args) == 2:
            return self.text(args[1], scope)
        return self._hole(node)

    def _strip(self, node: ast.Call, method: str, scope: Scope) -> str:
        assert isinstance(node.func, ast.Attribute)
        base = self.text(node.func.value, scope)
        chars = self.text(node.args[0], scope) if node.args else None
        return str(getattr(base, method)(chars))

    def _format(self, node: ast.Call, scope: Scope) -> str:
        assert isinstance(node.func, ast.Attribute)
        template = self.text(node.func.value, scope)
        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
        pieces: list[str] = []
        position = 0
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError:
            return self._hole(node)
        for literal, field, _, _ in parsed:
            pieces.append(literal)
            if field is None:
                continue
            if field == "" or field.isdigit():
                index = position if field == "" else int(field)
                position += 1
                value = node.args[index] if index < len(node.args) else None
            else:
                value = keywords.get(field)
            pieces.append(self.text(value, scope) if value is not None else "{" + field + "}")
            if value is None:
                self.complete = False
        return "".join(pieces)


def _constant(value: object) -> str | None:
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def placeholder(node: ast.expr) -> str:
    """The `{name}` a test's unresolved part becomes: its name, else its short source."""
    text = ast.unparse(node)
    return text if len(text) <= 40 else text[:37] + "..."


def template(node: ast.expr, scope: Scope) -> str:
    """The string an expression builds, unresolved parts as `{placeholders}`."""
    return _Text().text(node, scope)


def literal(node: ast.expr, scope: Scope) -> str | None:
    """The string an expression builds, or None when any part of it is unknown."""
    evaluation = _Text()
    text = evaluation.text(node, scope)
    return text if evaluation.complete else None


def follow(node: ast.expr, scope: Scope) -> tuple[ast.expr, Scope]:
    """The expression a chain of names ends at (`URL = re.compile(...)`, then `URL`)."""
    for _ in range(MAX_HOPS):
        if not isinstance(node, (ast.Name, ast.Attribute)):
            break
        found = resolve(node, scope)
        if not isinstance(found, Target):
            break
        node, scope = found.expr, found.scope
    return node, scope


def url(node: ast.expr, scope: Scope) -> tuple[str, bool]:
    """A mock's URL, and whether it is a regular expression (`re.compile(...)`)."""
    final, final_scope = follow(node, scope)
    pattern = _argument_of(final, final_scope, REGEX)
    if pattern is not None:
        return template(pattern, final_scope), True
    return template(final, final_scope), False


def method(node: ast.expr, scope: Scope) -> str | None:
    """`responses.GET`, `"get"`, `httpretty.POST`, `hdrs.METH_GET` as `GET`; None for any."""
    for _ in range(MAX_HOPS):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value.upper() if node.value.upper() in METHODS else None
        if isinstance(node, ast.Attribute):
            verb = node.attr.removeprefix("METH_").upper()
            if verb in METHODS:
                return verb
        if isinstance(node, ast.Name) and node.id in METHODS:
            found = resolve(node, scope)
            if not isinstance(found, Target):
                return node.id
        found = resolve(node, scope)
        if not isinstance(found, Target):
            return None
        node, scope = found.expr, found.scope
    return None


def status(node: ast.expr, scope: Scope) -> int | None:
    """`404`, `HTTPStatus.NOT_FOUND`, `requests.codes.not_found`, `status.HTTP_404_NOT_FOUND`."""
    for _ in range(MAX_HOPS):
        if isinstance(node, ast.Constant):
            value = node.value
            return value if isinstance(value, int) and not isinstance(value, bool) else None
        if isinstance(node, ast.Attribute):
            named = _named_status(node)
            if named is not None:
                return named
        converted = _argument_of(node, scope, CONVERSIONS)
        if converted is not None:
            node = converted
            continue
        found = resolve(node, scope)
        if not isinstance(found, Target):
            return None
        node, scope = found.expr, found.scope
    return None


def _argument_of(node: ast.expr, scope: Scope, functions: frozenset[str]) -> ast.expr | None:
    """X, of `re.compile(X)` or `HTTPStatus(X)`, when the call is one of `functions`."""
    if isinstance(node, ast.Call) and node.args:
        return node.args[0] if qualified(node.func, scope.module) in functions else None
    return None


def _named_status(node: ast.Attribute) -> int | None:
    name = node.attr
    if name == "value" and isinstance(node.value, ast.Attribute):
        return _named_status(node.value)
    match = STATUS_CONSTANT.match(name)
    if match:
        return int(match.group(1))
    owner = ast.unparse(node.value)
    if owner.endswith("HTTPStatus") and name in HTTPStatus.__members__:
        return HTTPStatus[name].value
    if owner.endswith("codes"):
        if name in CODE_ALIASES:
            return CODE_ALIASES[name]
        if name.upper() in HTTPStatus.__members__:
            return HTTPStatus[name.upper()].value
    return None
