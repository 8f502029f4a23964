"""`driftcheck schema`: what the recordings prove, written as JSON Schema or OpenAPI.

The endpoints come from cassette files and folders (by automatic key, slugs collapsed),
or from the config's recordings (fresh where they hold an endpoint, else committed),
all of them or the endpoints named. The documents are made by `core/schema_export.py`
and `core/openapi_export.py`; this module chooses what goes in and spells the text.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftcheck.config import Config
from driftcheck.core.model import EndpointSet, FileError
from driftcheck.errors import ConfigError
from driftcheck.jsonio import dumps_indented
from driftcheck.run import spec as spec_run
from driftcheck.run.recordings import Recordings, known_endpoint
from driftcheck.sources import scan

FORMATS = ("openapi", "jsonschema")
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Exported:
    """A document, the endpoints in it, and the files that could not be read."""

    document: dict[str, Any]
    endpoints: int
    errors: tuple[FileError, ...]


def endpoints_of(
    names_or_paths: Sequence[str], config: Config, reading: scan.Settings
) -> tuple[EndpointSet, tuple[FileError, ...], Config | None]:
    """The endpoints to export, with the unreadable files, and the config that names
    their routes (None in path mode). Arguments are all paths, or all endpoint names."""
    paths = [arg for arg in names_or_paths if os.path.exists(arg)]
    if paths and len(paths) == len(names_or_paths):
        from driftcheck.run.inspect import shape_paths

        endpoints, unread = shape_paths(paths, reading, config.scrub_body)
        return endpoints, tuple(unread), None
    if paths:
        raise ConfigError(
            f"`{paths[0]}` is a path but `{_first_name(names_or_paths)}` is not: give "
            "cassette files and folders, or endpoint names of the config, not both"
        )
    if config.source is None:
        raise ConfigError(
            "no driftcheck.toml found and no such file or folder: "
            f"`{names_or_paths[0] if names_or_paths else ''}`; give cassette files or folders"
            if names_or_paths
            else "no driftcheck.toml found: give cassette files or folders to export"
        )
    recordings = Recordings(config, reading)
    recorded = spec_run.recorded(recordings)
    errors = tuple(e for side in recordings.sides() for e in side.errors)
    if not names_or_paths:
        return recorded, errors, config
    wanted = [known_endpoint(config, name, recordings) for name in names_or_paths]
    picked = {n: recorded.endpoints[n] for n in wanted if n in recorded.endpoints}
    return EndpointSet(picked), errors, config


def _first_name(arguments: Sequence[str]) -> str:
    return next(arg for arg in arguments if not os.path.exists(arg))


def export(
    names_or_paths: Sequence[str], config: Config, reading: scan.Settings, fmt: str
) -> Exported:
    """The JSON Schema or OpenAPI document of the endpoints asked for."""
    from driftcheck.core.openapi_export import openapi
    from driftcheck.core.schema_export import json_schemas

    endpoints, errors, named_by = endpoints_of(names_or_paths, config, reading)
    if fmt == "jsonschema":
        document = json_schemas(endpoints)
    else:
        routes = spec_run.routes_of(endpoints.endpoints, named_by)
        document = openapi(endpoints, routes)
    return Exported(document, len(endpoints.endpoints), errors)


def text_of(document: dict[str, Any], output: str) -> str:
    """YAML for an output file named `.yaml` / `.yml`, else JSON."""
    if Path(output).suffix.lower() in YAML_SUFFIXES:
        from driftcheck.sources.yamlsafe import dump

        return dump(document)
    return dumps_indented(document)
