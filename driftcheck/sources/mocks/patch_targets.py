"""The URLs a patched callable is called with in the code under test, read with `ast`.

A unittest.mock test patches `pkg.client.requests.get` and states no URL; the URL is in
`pkg/client.py`, at its calls to `requests.get(...)`. The target is split at the longest
prefix that is a module of the repository (`pkg/client.py`, `pkg/client/__init__.py`,
also under `src/`); the rest names the callable as that module sees it:

    requests.get(URL)  httpx.post(url=URL)  r.get(URL) after `import requests as r`
    requests.request("GET", URL)                      # the method from its first argument
    self.session.get(URL)  for `pkg.client.Session.get`, where `self.session = Session()`
    (also a local bound to `Session()`, `with Session() as s`, and `self` in `Session`)

A URL counts when it is static once constants, f-strings and imported constants are
resolved (`strings.py`): it starts with a literal scheme and host, or a literal `/path`;
parts that stay unknown are `{placeholders}` (`/users/{user_id}` fits `/users/{id}`).
Only HTTP verbs and `request` are read: a patched wrapper (`pkg.client.fetch`) has no URL
of its own. Nothing is imported or executed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

from driftcheck.sources.mocks import strings
from driftcheck.sources.mocks.base import VERBS, argument
from driftcheck.sources.mocks.repository import Repository
from driftcheck.sources.mocks.scopes import Module, Scope, qualified
from driftcheck.sources.regular import is_regular

PatchCall = tuple[str | None, str]  # (method, None when not literal; URL template)


def patch_target_urls(targets: Iterable[str], root: Path) -> dict[str, list[PatchCall]]:
    """For each patch target, the distinct static (method, URL)s the patched callable is
    called with, in source order; empty when its module or static calls are not found."""
    repository = Repository(root)
    return {target: patch_urls(target, repository) for target in dict.fromkeys(targets)}


def patch_urls(target: str, repository: Repository) -> list[PatchCall]:
    """The static (method, URL)s of one patch target's calls, in source order."""
    found = _module_and_rest(target, repository)
    if found is None:
        return []
    module, rest = found
    verb = rest[-1].lower()
    if verb not in VERBS and verb != "request":
        return []
    calls = dict.fromkeys(_calls(module, rest, verb))
    return list(calls)


def _module_and_rest(target: str, repository: Repository) -> tuple[Module, list[str]] | None:
    """The module a dotted patch target lives in (longest prefix first, as `patch`
    imports it), and the names after it."""
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        for base in (repository.root, repository.root / "src"):
            folder = base.joinpath(*parts[:cut])
            for candidate in (folder.with_name(folder.name + ".py"), folder / "__init__.py"):
                if is_regular(candidate):
                    module = repository.module_at(candidate)
                    return (module, parts[cut:]) if module is not None else None
    return None


def _calls(module: Module, rest: list[str], verb: str) -> Iterator[PatchCall]:
    """Each call in the module to the callable `rest` names, with a static URL."""
    function = _qualify(".".join(rest), module)
    owner = _qualify(".".join(rest[:-1]), module) if len(rest) > 1 else None
    for node, scope in module.shown:
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if qualified(func, module) == function or (
            owner is not None
            and isinstance(func, ast.Attribute)
            and func.attr == rest[-1]
            and _instance_of(func.value, scope) == owner
        ):
            found = _method_and_url(node, scope, verb)
            if found is not None:
                yield found


def _qualify(dotted: str, module: Module) -> str:
    """`requests.get` through the module's imports (`import requests as r`: `r.get`)."""
    head, _, tail = dotted.partition(".")
    full = module.imports.get(head, head)
    return f"{full}.{tail}" if tail else full


def _instance_of(node: ast.expr, scope: Scope) -> str | None:
    """The class an object is an instance of, qualified: `self` in a method of a class
    of this module, or a name or attribute bound to a constructor call."""
    if isinstance(node, ast.Name):
        owner = _self_class(node.id, scope)
        if owner is not None:
            return owner
    followed, where = strings.follow(node, scope)
    if isinstance(followed, ast.Call):
        return qualified(followed.func, where.module)
    return None


def _self_class(name: str, scope: Scope) -> str | None:
    """The class whose method binds `name` as its first parameter (`self`)."""
    current: Scope | None = scope
    while current is not None and current.function is None:
        current = current.parent
    if current is None or current.params[:1] != (name,):
        return None
    parent = current.parent
    return parent.qualname if parent is not None and parent.is_class else None


def _method_and_url(call: ast.Call, scope: Scope, verb: str) -> PatchCall | None:
    """`get(URL)` is a GET of URL; `request(METHOD, URL)` says its method first."""
    if verb == "request":
        given = argument(call, 0, "method")
        method = strings.method(given, scope) if given is not None else None
        url = argument(call, 1, "url")
    else:
        method, url = verb.upper(), argument(call, 0, "url")
    if url is None:
        return None
    text = strings.template(url, scope)
    return (method, text) if _static(text) else None


def _static(url: str) -> bool:
    """A URL whose start is known: a literal scheme and host, or a literal `/path`."""
    if url.startswith("{"):
        return False
    scheme, sep, rest = url.partition("://")
    if sep:
        return bool(rest) and not rest.startswith("{") and "{" not in scheme
    return url.startswith("/")
