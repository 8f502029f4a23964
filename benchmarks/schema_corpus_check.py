"""Issue 18's acceptance check on the shared corpus: the OpenAPI document `driftcheck schema
--format openapi` writes for `../shared/corpus` passes openapi-spec-validator, and every
recorded JSON body validates against its endpoint's and status's schema (jsonschema,
2020-12, formats asserted too); the JSON Schema document is a valid 2020-12 schema.

The shapes come from the scan `driftcheck shape` runs (`scan.scan`, slugs collapsed by
`group_sides`), the bodies from each cassette read again (`sources/cassettes.py`), named
by the same `Names`. The document is made in process, and also by the command itself
(`driftcheck schema CORPUS --output openapi.yaml`, read back as YAML): both are checked.
Prints counts and every failure; exits 1 on any failure.

    .venv/bin/python benchmarks/schema_corpus_check.py [CORPUS] [--workers N] [--no-cli]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # no stubs
from openapi_spec_validator import validate

from driftcheck import jsonio
from driftcheck.core.model import BodyKind
from driftcheck.core.openapi_export import openapi
from driftcheck.core.schema_export import EXTENSION, json_schemas
from driftcheck.core.slugs import group_sides
from driftcheck.errors import CassetteError
from driftcheck.run.spec import routes_of
from driftcheck.sources import scan
from driftcheck.sources.cassettes import discover, read_cassette

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"
SHOWN = 20  # failures printed in full; the rest counted


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each endpoint name -> the operation that holds it (`x-driftcheck.endpoints`)."""
    found: dict[str, dict[str, Any]] = {}
    for item in document["paths"].values():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                for name in operation[EXTENSION]["endpoints"]:
                    found[name] = operation
            elif method not in ("parameters", "servers"):
                raise AssertionError(f"unexpected path item field {method!r}")
    return found


class Bodies:
    """Every recorded JSON body validated against its operation's schema for its status."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.by_name = operations(document)
        self.validators: dict[int, tuple[Draft202012Validator, Draft202012Validator]] = {}
        self.checked = 0
        self.skipped = 0
        self.failures: list[str] = []

    def _validators(self, schema: dict[str, Any]) -> tuple[Draft202012Validator, ...]:
        key = id(schema)
        if key not in self.validators:
            self.validators[key] = (
                Draft202012Validator(schema),
                Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER),
            )
        return self.validators[key]

    def check(self, name: str, status: int, body: Any, where: str) -> None:
        operation = self.by_name.get(name)
        if operation is None:
            self.skipped += 1  # a method OpenAPI cannot hold: listed as unlisted
            return
        response = operation["responses"].get(str(status))
        content = (response or {}).get("content")
        if not content:
            self.failures.append(f"{where}: {name} {status}: no JSON schema for a JSON body")
            return
        (media,) = content.values()
        self.checked += 1
        for validator in self._validators(media["schema"]):
            error = next(iter(validator.iter_errors(body)), None)
            if error is not None:
                path = "$" + "".join(f"[{step!r}]" for step in error.absolute_path)
                self.failures.append(f"{where}: {name} {status}: {path}: {error.message[:200]}")
                return


def command_document(corpus: str) -> dict[str, Any]:
    """What `driftcheck schema CORPUS --format openapi --output F.yaml` writes, read back.
    Exit 2 says a file could not be read (the corpus has two): the rest is written."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder, "openapi.yaml")
        command = [sys.executable, "-m", "driftcheck", "schema", corpus, "--format", "openapi"]
        done = subprocess.run(
            [*command, "--output", str(output)], capture_output=True, text=True, check=False
        )
        if done.returncode not in (0, 2) or not output.exists():
            raise SystemExit(f"driftcheck schema failed ({done.returncode}): {done.stderr}")
        loaded: dict[str, Any] = yaml.load(output.read_text(), Loader=yaml.CSafeLoader)
        return loaded


def check_bodies(document: dict[str, Any], files: list[Path], names: Any) -> Bodies:
    """Every recorded JSON body of `files` against `document`."""
    bodies = Bodies(document)
    for path in files:
        try:
            cassette = read_cassette(path)
        except CassetteError:
            continue  # counted among the unreadable
        for interaction in cassette.interactions:
            if interaction.kind is BodyKind.JSON:
                where = f"{path}:{interaction.line}"
                bodies.check(names(interaction), interaction.status, interaction.body, where)
    return bodies


def report(label: str, bodies: Bodies, started: float) -> bool:
    print(
        f"{label}: {bodies.checked} JSON bodies validated, {bodies.skipped} left out "
        f"(unlisted methods), {len(bodies.failures)} failures "
        f"({time.monotonic() - started:.1f} s)"
    )
    for failure in bodies.failures[:SHOWN]:
        print("FAIL", failure)
    if len(bodies.failures) > SHOWN:
        print(f"... and {len(bodies.failures) - SHOWN} more")
    return not bodies.failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(CORPUS))
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-cli", action="store_true", help="skip `driftcheck schema`")
    args = parser.parse_args(argv)
    started = time.monotonic()
    files = discover([args.corpus])
    scanned = scan.scan(files, scan.Settings(workers=args.workers))
    (endpoints,), names, _ = group_sides([(scanned.census, scanned.shapes)])
    routes = routes_of(endpoints.endpoints)
    document = openapi(endpoints, routes, title="shared corpus")
    document = jsonio.loads(jsonio.dumps_indented(document))  # as `driftcheck schema` writes it
    validate(document)
    Draft202012Validator.check_schema(json_schemas(endpoints))
    print(
        f"{len(files)} files, {len(scanned.errors)} unreadable, {len(endpoints.endpoints)} "
        f"endpoints, {len(document['paths'])} paths: OpenAPI 3.1 valid "
        f"({time.monotonic() - started:.1f} s)"
    )
    ok = report("in process", check_bodies(document, files, names), started)
    if not args.no_cli:
        written = command_document(args.corpus)
        validate(written)
        print(f"driftcheck schema: {len(written['paths'])} paths, OpenAPI 3.1 valid")
        ok = report("driftcheck schema", check_bodies(written, files, names), started) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
