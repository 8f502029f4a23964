"""A provider's OpenAPI description (3.0 or 3.1, YAML or JSON) read into a `Spec`.

`openapi_text` reads each file with lines, `openapi_refs` resolves `$ref`s (local files
only) with `referencing`, `openapi_schema` normalises each response's JSON schemas (one
per JSON media type, keyed by the type lower-cased, parameters but `charset` kept:
`application/json; version=2` is not version 1). Every operation of every path is kept
with its responses; a response, a path item and a media type's schema may each be a
`$ref`. `servers` list every combination of their variables' values (default and
`enum`); a variable without `enum` stays `{name}`: any value. Any problem is one
`InputError` line naming the file, the line and what would be valid.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from typing import Any

from driftcheck.core.model import Location
from driftcheck.core.spec_match import media_type
from driftcheck.core.spec_model import Operation, Response, SchemaNode, Spec
from driftcheck.errors import InputError
from driftcheck.sources.openapi_refs import Here, SpecFiles
from driftcheck.sources.openapi_schema import Schemas

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_VERSION = re.compile(r"3\.[01](\.\d+)?(-[\w.]+)?\Z")
_VARIABLE = re.compile(r"\{([^{}]*)\}")
MAX_SERVER_URLS = 32  # combinations of one server's variables listed, at most


def load_spec(path: str | os.PathLike[str]) -> Spec:
    """The spec at `path`, `$ref`s resolved and response schemas normalised; raises
    InputError (one line: file:line, what, what would be valid)."""
    files = SpecFiles(path)
    document = files.main
    version = _version(document.data, files.shown, document.keys)
    reader = _Reader(files, Schemas(files, v30=version.startswith("3.0")))
    try:
        operations = reader.operations(document.data.get("paths"))
    except RecursionError:
        raise InputError(
            f"{files.shown}: a schema nested too deeply to read; driftcheck reads specs "
            "whose schemas nest a few hundred levels at most"
        ) from None
    line = document.keys.get("paths", 0)
    return Spec(
        file=files.shown,
        version=version,
        servers=_servers(document.data.get("servers")),
        operations=tuple(operations),
        location=Location(files.shown, line),
    )


def _version(data: Any, shown: str, keys: dict[str, int]) -> str:
    """The document's `openapi` version: 3.0.x or 3.1.x, else one line saying why not."""
    valid = "driftcheck reads OpenAPI 3.0 or 3.1 only"
    if not isinstance(data, dict):
        raise InputError(f"{shown}:1: not an OpenAPI document (no mapping at the top); {valid}")
    if "swagger" in data and "openapi" not in data:
        where = f"{shown}:{keys.get('swagger', 1)}"
        raise InputError(
            f"{where}: a Swagger {data['swagger']} document; {valid} (convert it first, "
            "e.g. with swagger2openapi)"
        )
    version = data.get("openapi")
    if version is None:
        raise InputError(f"{shown}:1: not an OpenAPI document (no `openapi` key); {valid}")
    if not isinstance(version, str) or not _VERSION.match(version):
        where = f"{shown}:{keys.get('openapi', 1)}"
        raise InputError(f"{where}: openapi: {version!r} is not supported; {valid} (3.0.x, 3.1.x)")
    return version


def _servers(servers: Any) -> tuple[str, ...]:
    """Each server's URLs: one per combination of its variables' values (the default
    first, then its `enum`; one without `enum` left `{name}`), in order and without
    repeats. A server whose combinations
    number more than `MAX_SERVER_URLS` gives its defaults' URL only (such a spec names
    too many hosts to list; the rest are not checked)."""
    urls: list[str] = []
    for server in servers if isinstance(servers, list) else ():
        if isinstance(server, dict) and isinstance(server.get("url"), str):
            variables = server.get("variables")
            for url in _expanded(server["url"], variables if isinstance(variables, dict) else {}):
                if url not in urls:
                    urls.append(url)
    return tuple(urls)


def _expanded(url: str, variables: dict[Any, Any]) -> list[str]:
    """`url` with its `{variables}` filled in every way their values allow (a variable
    without `enum` stays as written)."""
    names = list(dict.fromkeys(_VARIABLE.findall(url)))
    choices = [_values(variables.get(name)) for name in names]
    if math.prod(len(values) for values in choices) > MAX_SERVER_URLS:
        choices = [values[:1] for values in choices]
    return [
        _filled(url, dict(zip(names, chosen, strict=True)))
        for chosen in itertools.product(*choices)
    ]


def _filled(url: str, chosen: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda match: chosen[match.group(1)] or match.group(0), url)


def _values(variable: Any) -> list[str]:
    """A server variable's values: its default, then its `enum`; `[""]` (left as
    written, `{name}`: any value) when it has no `enum`, as its default is then only an
    example (`{store}` of `your-development-store`)."""
    enum = variable.get("enum") if isinstance(variable, dict) else None
    if not isinstance(enum, list) or not any(value is not None for value in enum):
        return [""]
    default = variable.get("default")
    values = [str(default)] if default is not None else []
    for value in enum:
        if value is not None and str(value) not in values:
            values.append(str(value))
    return values


class _Reader:
    """Walks paths, operations and responses, following their `$ref`s."""

    def __init__(self, files: SpecFiles, schemas: Schemas) -> None:
        self._files = files
        self._schemas = schemas

    def _deref(self, value: Any, here: Here, at: Location) -> tuple[Any, Here, Location]:
        """`value`, or what its chain of `$ref`s names (a cycle of them refused)."""
        seen: set[int] = set()
        chain: list[str] = []
        while isinstance(value, dict) and "$ref" in value:
            where = self._files.ref_location(value, at)
            if id(value) in seen:
                raise InputError(
                    f"{where}: $refs form a cycle ({' -> '.join(chain)} -> ...); a $ref "
                    "must lead to an object"
                )
            seen.add(id(value))
            chain.append(str(value["$ref"]))
            value, here = self._files.follow(value["$ref"], here, where)
            at = where
        return value, here, self._files.location(value, at)

    def operations(self, paths: Any) -> list[Operation]:
        root = self._files.root
        top = Location(self._files.shown, self._files.main.keys.get("paths", 0))
        operations = []
        for template, raw in paths.items() if isinstance(paths, dict) else ():
            item, here, _ = self._deref(raw, root, top)
            if not isinstance(item, dict):
                continue
            for method in METHODS:
                operation = item.get(method)
                if isinstance(operation, dict):
                    operations.append(self._operation(method, str(template), operation, here))
        return operations

    def _operation(
        self, method: str, template: str, operation: dict[str, Any], here: Here
    ) -> Operation:
        where = self._files.location(operation, Location(self._files.shown))
        responses: dict[str, Response] = {}
        declared = operation.get("responses")
        for status, raw in declared.items() if isinstance(declared, dict) else ():
            responses[str(status)] = self._response(str(status), raw, here, where)
        operation_id = operation.get("operationId")
        return Operation(
            method=method.upper(),
            path=template,
            responses=responses,
            location=where,
            operation_id=operation_id if isinstance(operation_id, str) else None,
        )

    def _response(self, status: str, raw: Any, here: Here, at: Location) -> Response:
        response, here, where = self._deref(raw, here, self._files.location(raw, at))
        content = response.get("content") if isinstance(response, dict) else None
        media_types = tuple(str(m) for m in content) if isinstance(content, dict) else ()
        schemas: dict[str, SchemaNode] = {}
        for written, key in _json_media_types(media_types):
            if key not in schemas and isinstance(content, dict):
                media, media_here, media_at = self._deref(content[written], here, where)
                raw_schema = media.get("schema", True) if isinstance(media, dict) else True
                schemas[key] = self._schemas.node(raw_schema, media_here, media_at)
        return Response(
            status=status,
            schema=next(iter(schemas.values()), None),
            media_types=media_types,
            location=where,
            schemas=schemas,
        )


def media_essence(media_type: str) -> str:
    """A media type as compared: lower case, parameters (`; charset=utf-8`) dropped."""
    return media_type.split(";", 1)[0].strip().lower()


def _json_media_types(media_types: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each JSON media type (`application/json`, `text/json`, any `…+json`: vendor types,
    `application/problem+json`) as written and normalised (parameters such as `version=2`
    kept: they may name another schema), in the spec's order; else `*/*`, else none."""
    found = []
    for written in media_types:
        essence = media_essence(written)
        if essence in ("application/json", "text/json") or essence.endswith("+json"):
            found.append((written, media_type(written)))
    if found:
        return found
    return [(m, "*/*") for m in media_types if media_essence(m) == "*/*"][:1]
