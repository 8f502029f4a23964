"""A provider's OpenAPI description (3.0 or 3.1, YAML or JSON) read into a `Spec`.

`openapi_text` reads each file with lines, `openapi_refs` resolves `$ref`s (local files
only) with `referencing`, `openapi_schema` normalises each response's JSON schema. Every
operation of every path is kept with its responses; a response, a path item and a
media type's schema may each be a `$ref`. Any problem is one `InputError` line naming
the file, the line and what would be valid.
"""

from __future__ import annotations

import os
import re
from typing import Any

from driftcheck.core.model import Location
from driftcheck.core.spec_model import Operation, Response, SchemaNode, Spec
from driftcheck.errors import InputError
from driftcheck.sources.openapi_refs import Here, SpecFiles
from driftcheck.sources.openapi_schema import Schemas

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_VERSION = re.compile(r"3\.[01](\.\d+)?(-[\w.]+)?\Z")
_VARIABLE = re.compile(r"\{([^{}]*)\}")


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
    """Each server's URL, its `{variables}` replaced by their defaults."""
    urls = []
    for server in servers if isinstance(servers, list) else ():
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}

        def default(match: re.Match[str], variables: Any = variables) -> str:
            spec = variables.get(match.group(1))
            value = spec.get("default") if isinstance(spec, dict) else None
            return str(value) if value is not None else match.group(0)

        urls.append(_VARIABLE.sub(default, server["url"]))
    return tuple(urls)


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
        chosen = _json_media_type(media_types)
        schema: SchemaNode | None = None
        if chosen is not None and isinstance(content, dict):
            media = content[chosen]
            media, media_here, media_at = self._deref(media, here, where)
            raw_schema = media.get("schema", True) if isinstance(media, dict) else True
            schema = self._schemas.node(raw_schema, media_here, media_at)
        return Response(status=status, schema=schema, media_types=media_types, location=where)


def _json_media_type(media_types: tuple[str, ...]) -> str | None:
    """The first JSON media type (`application/json`, `*/*+json`), else `*/*`."""
    for media_type in media_types:
        essence = media_type.split(";", 1)[0].strip().lower()
        if essence in ("application/json", "text/json") or essence.endswith("+json"):
            return media_type
    return next((m for m in media_types if m.split(";", 1)[0].strip() == "*/*"), None)
