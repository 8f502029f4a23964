"""The files of one spec and the `$ref`s between them, resolved by `referencing`.

Each file is read once (`openapi_text`) and handed to a `referencing.Registry` through its
`retrieve` callable; `referencing` resolves every `$ref` (a JSON pointer in the same file,
another local file relative to the referring one, nested across files). Only `file:`
URIs are retrieved: a `$ref` to http(s) or any other scheme is refused, as the spec must
be checkable offline. Every dict and list of every file keeps its file and line, so a
resolved target's `Location` is where it is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from referencing import Registry, Resource, Specification
from referencing.exceptions import Unresolvable

from driftcheck.core.model import Location
from driftcheck.errors import InputError
from driftcheck.sources.openapi_text import Document, parse
from driftcheck.sources.yamlsafe import YamlProblem

if TYPE_CHECKING:
    from referencing._core import Resolver

VALID = "OpenAPI 3.0 or 3.1 (YAML or JSON)"
REF_HINT = (
    "a $ref names a JSON pointer in this file ('#/components/schemas/User') or a local "
    "file relative to this one ('common.yaml#/components/schemas/Error')"
)


@dataclass(frozen=True, slots=True)
class Here:
    """Where a value was met: the URI of its file (for `$ref`s in it) and the resolver
    `referencing` gave for that file."""

    uri: str
    resolver: Resolver[Any]


class SpecFiles:
    """Every file of one spec, each read once, and the `$ref`s between them."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.shown = os.fspath(path)
        self._base = os.path.dirname(os.path.abspath(self.shown))
        self._documents: dict[str, tuple[str, Document]] = {}  # file URI -> shown, document
        self._lookups: dict[tuple[str, str], tuple[Any, Here]] = {}
        main_uri = Path(os.path.abspath(self.shown)).as_uri()
        self.main = self._read(main_uri, self.shown)
        registry: Registry[Any] = Registry(retrieve=self._retrieve)  # type: ignore[call-arg]
        registry = registry.with_resource(main_uri, _resource(self.main.data))
        self.root = Here(main_uri, registry.resolver(base_uri=main_uri))

    def _read(self, uri: str, shown: str) -> Document:
        path = unquote(urlsplit(uri).path)
        try:
            raw = Path(path).read_bytes()
        except FileNotFoundError:
            raise InputError(f"{shown}: spec file not found; give an {VALID} file") from None
        except IsADirectoryError:
            raise InputError(f"{shown}: is a folder; give an {VALID} file") from None
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise InputError(f"{shown}: cannot read the spec file ({reason})") from None
        try:
            document = parse(raw)
        except YamlProblem as problem:
            raise InputError(_at_line(shown, str(problem))) from None
        self._documents[uri] = (shown, document)
        return document

    def _retrieve(self, uri: str) -> Resource[Any]:
        """`referencing`'s callback for a file it does not hold yet (a registry is
        immutable: one resolver's retrieval is not another's, so files are kept here)."""
        if uri in self._documents:
            return _resource(self._documents[uri][1].data)
        path = unquote(urlsplit(uri).path)
        shown = path  # relative to the same folder as the main file's path, as given
        if not os.path.isabs(self.shown):
            relative = os.path.relpath(path, self._base)
            shown = os.path.normpath(os.path.join(os.path.dirname(self.shown), relative))
        return _resource(self._read(uri, shown).data)

    def location(self, value: Any, fallback: Location) -> Location:
        """Where a dict or list of any file of the spec is written (`fallback` for others)."""
        key = id(value)
        for shown, document in self._documents.values():
            line = document.lines.get(key)
            if line is not None:
                return Location(shown, line)
        return fallback

    def ref_location(self, holder: Any, fallback: Location) -> Location:
        """Where the `$ref` key of `holder` is written (its line, when it has its own)."""
        key = id(holder)
        for shown, document in self._documents.values():
            line = document.refs.get(key)
            if line is not None:
                return Location(shown, line)
        return self.location(holder, fallback)

    def follow(self, ref: Any, here: Here, at: Location) -> tuple[Any, Here]:
        """The value `ref` (a `$ref` met at `at`) names, and where it is."""
        if not isinstance(ref, str):
            raise InputError(f"{at}: $ref must be a string, not {type(ref).__name__}; {REF_HINT}")
        target = urljoin(here.uri, ref)
        scheme = urlsplit(target).scheme
        if scheme != "file":
            kind = "remote" if scheme in ("http", "https") else f"a {scheme or 'schemeless'} URI"
            raise InputError(
                f"{at}: $ref {ref!r} is {kind}; driftcheck reads local files only: save the "
                "document beside the spec and refer to the local copy"
            )
        key = (here.uri, ref)
        if key not in self._lookups:
            self._lookups[key] = self._lookup(ref, here, at, urldefrag(target)[0])
        return self._lookups[key]

    def _lookup(self, ref: str, here: Here, at: Location, uri: str) -> tuple[Any, Here]:
        try:
            resolved = here.resolver.lookup(ref)
        except Unresolvable as error:
            why = self._why(error)
        except (ValueError, TypeError):  # a pointer through a list by a non-number
            why = "nothing is there"
        else:
            return resolved.contents, Here(uri, resolved.resolver)
        raise InputError(f"{at}: $ref {ref!r} cannot be resolved: {why}; {REF_HINT}")

    def _why(self, error: BaseException) -> str:
        cause: BaseException | None = error
        while cause is not None:
            if isinstance(cause, InputError):
                return str(cause)
            cause = cause.__cause__
        pointer = getattr(error, "ref", "")
        return f"nothing is at {pointer}" if str(pointer).startswith("/") else "no such place"


def _resource(data: Any) -> Resource[Any]:
    """A file as `referencing` holds it: opaque (a spec is not one JSON Schema)."""
    return Specification.OPAQUE.create_resource(data)


def _at_line(shown: str, problem: str) -> str:
    """`file:line: problem` from a YamlProblem's `line N: ...` or `... at line N, ...`."""
    if problem.startswith("line "):
        number, _, rest = problem[5:].partition(": ")
        if number.isdigit():
            return f"{shown}:{number}: {rest}; a spec must be {VALID}"
    marker = " at line "
    if marker in problem:
        number = problem.split(marker, 1)[1].split(",", 1)[0]
        if number.isdigit():
            return f"{shown}:{number}: {problem}; a spec must be {VALID}"
    return f"{shown}: {problem}; a spec must be {VALID}"
