"""What the recordings prove, written as an OpenAPI 3.1 document (pure).

A path per route template, an operation per method, a response per recorded status with
its JSON body's schema (`core/schema_export.py`). Templates that differ only in their
parameters' names are one path (OpenAPI forbids both), written as the first endpoint's
(by name); a parameter named twice in one template is renamed (`{id}`, `{id2}`). Several
endpoints on one method of one path (GraphQL operations on one URL, one API on several
hosts) are one operation: their shapes merged, as `diff` merges the files of one
endpoint, so each one's bodies validate; `x-driftcheck.endpoints` lists them. A method
OpenAPI 3.1 has no place for (`PROPFIND`) is left out and listed in the document's
`x-driftcheck.unlisted`.

`servers` holds one URL per recorded host: `https://host`, or `http://` for a loopback
host (`localhost`, `127.0.0.1`, `[::1]`), as recordings keep no scheme. A path that only
some of several hosts serve lists those in its own `servers`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from driftcheck.core.model import EndpointSet, StatusShape
from driftcheck.core.schema_export import EXTENSION, json_schema
from driftcheck.core.shape import merge
from driftcheck.core.spec_model import Route

__all__ = ["METHODS", "openapi", "operation_id", "path_template"]

VERSION = "3.1.0"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON_MEDIA = "application/json"
_PARAMETER = re.compile(r"\{([^{}/]*)\}")
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_]+")
_ENCODED_BRACE = re.compile(r"%7[BbDd]")


def openapi(
    endpoints: EndpointSet, routes: Mapping[str, Route], *, title: str = "Recorded API"
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `endpoints`, each at its `routes[name]`."""
    groups: dict[str, dict[str, list[str]]] = {}  # path key -> method -> endpoint names
    unlisted: list[dict[str, str]] = []
    routes = {name: routes.get(name) or Route.of_key(name) for name in endpoints.endpoints}
    for name in sorted(endpoints.endpoints):
        route = routes[name]
        method = route.method.lower()
        if method not in METHODS:
            unlisted.append({"endpoint": name, "reason": f"OpenAPI 3.1 has no {route.method}"})
            continue
        key = _structure(route.path)
        groups.setdefault(key, {}).setdefault(method, []).append(name)
    hosts = sorted({routes[name].host for name in endpoints.endpoints if routes[name].host})
    document: dict[str, Any] = {
        "openapi": VERSION,
        "info": {
            "title": title,
            "version": "recorded",
            "description": (
                "Written by driftcheck from recorded responses: what every recorded body "
                "shows. Counts behind each schema are under x-driftcheck."
            ),
        },
    }
    if hosts:
        document["servers"] = [{"url": server_url(host)} for host in hosts]
    ids = _Ids()
    paths: dict[str, Any] = {}
    for methods in groups.values():
        first = min(name for names in methods.values() for name in names)
        template, parameters = path_template(routes[first].path)
        item = paths[template] = {}
        served = sorted({routes[n].host for names in methods.values() for n in names} - {""})
        if len(hosts) > 1 and served and len(served) < len(hosts):
            item["servers"] = [{"url": server_url(host)} for host in served]
        if parameters:
            item["parameters"] = [_parameter(name) for name in parameters]
        item.update(
            (method, _operation(methods[method], endpoints, ids))
            for method in METHODS
            if method in methods
        )
    document["paths"] = dict(sorted(paths.items()))
    if unlisted:
        document[EXTENSION] = {"unlisted": unlisted}
    return document


def server_url(host: str) -> str:
    """`https://host`, or `http://` for a loopback host, which seldom has TLS."""
    return f"{'http' if _loopback(host) else 'https'}://{host}"


def _loopback(host: str) -> bool:
    if host.startswith("["):  # `[::1]:8080`
        name = host[1:].partition("]")[0]
    else:
        name = host.partition(":")[0] if host.count(":") == 1 else host
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _structure(path: str) -> str:
    """What makes two templates one OpenAPI path: parameters' names do not."""
    return _PARAMETER.sub("{}", _absolute(path))


def _absolute(path: str) -> str:
    """A path that starts with `/`, its braces outside a `{name}` percent-encoded. An
    encoded `{name}` (`%7Bid%7D`, a template sent unfilled) is a parameter, as the spec
    matcher reads paths decoded (`core/spec_match.py`)."""
    path = path if path.startswith("/") else "/" + path
    path = _ENCODED_BRACE.sub(lambda found: "{" if found.group(0)[2] in "Bb" else "}", path)
    pieces = _PARAMETER.split(path)  # text, name, text, name, ..., text
    for index in range(0, len(pieces), 2):
        pieces[index] = pieces[index].replace("{", "%7B").replace("}", "%7D")
    return "".join(
        piece if index % 2 == 0 else "{" + piece + "}" for index, piece in enumerate(pieces)
    )


def path_template(path: str) -> tuple[str, list[str]]:
    """The OpenAPI path key of a route's template and its parameter names, each unique:
    `/users/{id}/posts/{id}` is `/users/{id}/posts/{id2}`; `{}` is `{param}`."""
    names: list[str] = []
    taken: set[str] = set()

    def rename(found: re.Match[str]) -> str:
        base = found.group(1) or "param"
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base}{number}"
        taken.add(name)
        names.append(name)
        return "{" + name + "}"

    return _PARAMETER.sub(rename, _absolute(path)), names


def _parameter(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def operation_id(name: str) -> str:
    """An endpoint name as an identifier: `GET api.x.com/users/{id}` is
    `GET_api_x_com_users_id`."""
    text = _UNSAFE_ID.sub("_", name).strip("_") or "operation"
    return text if not text[0].isdigit() else "op_" + text


class _Ids:
    """Operation ids, each unique in the document (`_2`, `_3` after a repeat)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def make(self, name: str) -> str:
        base = operation_id(name)
        found, number = base, 1
        while found in self._taken:
            number += 1
            found = f"{base}_{number}"
        self._taken.add(found)
        return found


def _operation(names: Sequence[str], endpoints: EndpointSet, ids: _Ids) -> dict[str, Any]:
    statuses = _merged_statuses(endpoints.endpoints[name] for name in names)
    responses = {str(status): _response(status, shape) for status, shape in statuses.items()}
    return {
        "operationId": ids.make(names[0]),
        "summary": ", ".join(names),
        "responses": responses or {"default": {"description": "no response recorded"}},
        EXTENSION: {
            "endpoints": list(names),
            "samples": sum(shape.samples for shape in statuses.values()),
        },
    }


def _merged_statuses(parts: Iterable[Mapping[int, StatusShape]]) -> dict[int, StatusShape]:
    """Per status, the endpoints' recordings as one: samples and content types added,
    shapes merged (a map in one is a map in all)."""
    gathered: dict[int, list[StatusShape]] = {}
    for statuses in parts:
        for status, shape in statuses.items():
            gathered.setdefault(status, []).append(shape)
    merged: dict[int, StatusShape] = {}
    for status in sorted(gathered):
        found = gathered[status]
        if len(found) == 1:
            merged[status] = found[0]
            continue
        types: dict[str, int] = {}
        for shape in found:
            for media, count in shape.content_types.items():
                types[media] = types.get(media, 0) + count
        nodes = [shape.shape for shape in found if shape.shape is not None]
        merged[status] = StatusShape(
            samples=sum(shape.samples for shape in found),
            content_types=types,
            shape=merge(*nodes) if nodes else None,
        )
    return merged


def _response(status: int, shape: StatusShape) -> dict[str, Any]:
    plural = "" if shape.samples == 1 else "s"
    response: dict[str, Any] = {
        "description": f"{status}: {shape.samples} recorded response{plural}"
    }
    if shape.shape is not None:
        schema = json_schema(shape.shape, samples=shape.samples)
        response["content"] = {media_type(shape.content_types): {"schema": schema}}
    return response


def media_type(content_types: Mapping[str, int]) -> str:
    """The JSON media type recorded most (`application/vnd.api+json`), without
    parameters; `application/json` when none was recorded as JSON."""
    counts: dict[str, int] = {}
    for header, count in content_types.items():
        media = header.partition(";")[0].strip().lower()
        if _is_json(media):
            counts[media] = counts.get(media, 0) + count
    if not counts:
        return JSON_MEDIA
    return min(counts, key=lambda media: (-counts[media], media))


def _is_json(media: str) -> bool:
    kind, _, subtype = media.partition("/")
    return bool(kind) and (subtype == "json" or subtype.endswith("+json"))
