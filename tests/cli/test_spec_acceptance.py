"""Issue 18 acceptance, end to end: a real FastAPI service (`tests/spec_service.py`) whose
OpenAPI document FastAPI writes from its response models, recorded by `driftcheck record`,
then held to that document with `driftcheck diff --spec`, and to a hand-written OpenAPI
3.0 description of the same service split across files (`tests/data/spec_service/`,
`$ref`s between files, `nullable: true`). Each way the service differs from its models
is reported once, with its rule, endpoint, path, and the spec's file and line; the
endpoints that send what their models say give nothing, nor does the service run
faithfully. `driftcheck schema --format openapi` writes a document a validator accepts,
every recorded body validates against it, and given back as `--spec` it finds nothing."""

from __future__ import annotations

import functools
import json
import re
import shutil
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing
import yaml
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate as validate_openapi
from openapi_spec_validator.readers import read_from_filename
from referencing.jsonschema import DRAFT4

from driftcheck.core.model import BodyKind
from driftcheck.sources.cassettes import discover_files, load_all
from tests.helpers import cli_process, run, validate
from tests.spec_service import (
    DISAGREEMENTS,
    ENDPOINTS,
    MATCHING,
    SpecService,
    body_pointer,
    config,
    indented,
    interactions,
    pointer_of,
    validator_at,
)

STATIC = Path(__file__).parent.parent / "data" / "spec_service"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"  # ../shared/corpus
SEVERITIES = {
    "spec-field-undocumented": "info",  # `Order` allows other keys (no additionalProperties)
    "spec-required-missing": "breaking",
    "spec-null-undeclared": "breaking",
    "spec-type-mismatch": "breaking",
    "spec-enum-undeclared": "warning",
    "spec-status-undocumented": "warning",
    "spec-endpoint-undocumented": "info",
}
# Where FastAPI's document declares what each disagreement contradicts (a JSON pointer).
FASTAPI_PLACES = {
    "spec-field-undocumented": pointer_of("components", "schemas", "Order"),
    "spec-required-missing": pointer_of("components", "schemas", "User", "properties", "email"),
    "spec-null-undeclared": pointer_of(
        "components", "schemas", "Account", "properties", "nickname"
    ),
    "spec-type-mismatch": pointer_of("components", "schemas", "Stock", "properties", "quantity"),
    "spec-enum-undeclared": pointer_of(
        "components", "schemas", "Subscription", "properties", "status"
    ),
    "spec-status-undocumented": pointer_of("paths", "/carts/{cart_id}", "get"),
    "spec-endpoint-undocumented": pointer_of("paths"),
}
Report = dict[str, Any]
Found = tuple[str, str, str | None, int | None, str]


@pytest.fixture(scope="module")
def service() -> Iterator[SpecService]:
    with SpecService() as api:
        yield api


@pytest.fixture(scope="module")
def project(service: SpecService, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The service recorded as it runs into `cassettes/`, and run faithfully into
    `faithful/`, once for the module; FastAPI's document written as `fastapi.json`."""
    root = tmp_path_factory.mktemp("spec")
    (root / ".git").mkdir()  # the repository root: nothing above it is looked at
    (root / "driftcheck.toml").write_text(config(service.url))
    (root / "faithful.toml").write_text(config(service.url, cassettes="faithful"))
    shutil.copytree(STATIC, root / "provider")  # the config names it relative to itself
    (root / "static.toml").write_text(config(service.url, spec="provider/openapi.yaml"))
    record(root, "driftcheck.toml")
    service.faithful = True
    try:
        record(root, "faithful.toml")
    finally:
        service.faithful = False
    with urllib.request.urlopen(f"{service.url}/openapi.json", timeout=5) as response:
        document = json.load(response)
    (root / "fastapi.json").write_text(indented(document)[0])
    return root


def record(project: Path, config_name: str) -> None:
    result = run("record", "--config", str(project / config_name), "--update")
    assert result.exit_code == 0, result.output


def diff(project: Path, config_name: str, *extra: str) -> tuple[int, Report]:
    result = run("diff", "--config", str(project / config_name), "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.output
    report: Report = json.loads(result.stdout)
    validate(report)
    return result.exit_code, report


def fastapi_line(project: Path, rule: str) -> str:
    """`file:line` of the place FastAPI's document declares what `rule` contradicts."""
    _, places = indented(json.loads((project / "fastapi.json").read_text()))
    return f"{(project / 'fastapi.json').resolve()}:{places[FASTAPI_PLACES[rule]]}"


def static_line(rule: str, folder: Path = STATIC) -> str:
    """`file:line` of the hand-written spec's line marked `# <rule>`, in whichever file."""
    (place,) = [
        f"{path.resolve()}:{number}"
        for path in sorted(folder.rglob("*.yaml"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if line.endswith(f"# {rule}")
    ]
    return place


def absolute(location: str, project: Path) -> str:
    """A `file:line` with its file made absolute (relative ones are to the project)."""
    file, _, line = location.rpartition(":")
    return f"{(project / file).resolve()}:{line}"


def found(report: Report, project: Path) -> list[Found]:
    """(endpoint, rule, path, status, spec file:line) of every finding, sorted: a
    duplicate shows, and so does a finding without a spec location."""
    return sorted(
        (
            f["endpoint"],
            f["rule"],
            f["path"],
            f["status"],
            absolute(f.get("spec_location", "<none>:0"), project),
        )
        for f in report["findings"]
    )


def expected(where: Any, *, only: tuple[str, ...] = ()) -> list[Found]:
    return sorted(
        (endpoint, rule, path, status, where(rule))
        for endpoint, rule, path, status in DISAGREEMENTS
        if not only or rule in only
    )


def check_findings(report: Report, project: Path, where: Any) -> None:
    """Each disagreement once, at its spec line and at an interaction of its endpoint
    and status in the cassette; nothing else."""
    assert found(report, project) == expected(where)
    for finding in report["findings"]:
        assert finding["source"] == "spec"
        assert finding["severity"] == SEVERITIES[finding["rule"]], finding
        cassette = f"cassettes/{finding['endpoint']}.yaml"
        assert recorded_at(finding["location"], project) == (cassette, finding["status"] or 200)
    assert not {f["endpoint"] for f in report["findings"]} & set(MATCHING)


def recorded_at(location: str, project: Path) -> tuple[str, int]:
    """The cassette (relative to the project) a `file:line` points into, and the status of
    the interaction whose `uri:` line it is."""
    file, _, line = absolute(location, project).rpartition(":")
    text = Path(file).read_text()
    uri = text.splitlines()[int(line) - 1].strip().removeprefix("uri: ")
    statuses = {
        i["request"]["uri"]: i["response"]["status"]["code"]
        for i in yaml.safe_load(text)["interactions"]
    }
    return str(Path(file).relative_to(project.resolve())), statuses[uri]


def test_the_recordings_hold_each_planted_difference(project: Path) -> None:
    recorded = {n: interactions(project / "cassettes" / f"{n}.yaml") for n, _, _ in ENDPOINTS}
    assert sum("gift_wrap" in body for _, _, body in recorded["order"]) == 12
    assert sum("email" not in body for _, _, body in recorded["user"]) == 6
    assert sum(body["nickname"] is None for _, _, body in recorded["account"]) == 4
    assert all(isinstance(body["quantity"], str) for _, _, body in recorded["stock"])
    statuses = [body["status"] for _, _, body in recorded["subscription"]]
    assert sorted(set(statuses)) == ["active", "inactive", "suspended"]
    assert all(statuses.count(value) == 4 for value in set(statuses))
    assert sorted(status for _, status, _ in recorded["cart"]) == [200] * 9 + [409] * 3
    assert len(recorded["health"]) == 1


@pytest.mark.parametrize("spec", ["fastapi", "static"])
def test_the_service_breaks_its_spec_only_where_planted(project: Path, spec: str) -> None:
    """The ground truth, without driftcheck: both documents are valid OpenAPI (3.1 from
    FastAPI, 3.0 split across files); by a JSON Schema validator (OpenAPI 3.0's dialect
    for the hand-written one), every faithful body and every body of the matching
    endpoints is valid, and the planted nulls, absences, types and values are not."""
    if spec == "fastapi":
        document = json.loads((project / "fastapi.json").read_text())
        validate_openapi(document)
        body_validator = lambda path, status: validator_at(  # noqa: E731
            document, body_pointer(document, path, status)
        )
    else:
        root = STATIC / "openapi.yaml"
        document, base = read_from_filename(str(root))
        validate_openapi(document, base_uri=base)
        body_validator = static_validator
    assert "/internal/health" not in document["paths"]
    for folder in ("faithful", "cassettes"):
        for name, _, _ in ENDPOINTS:
            if name == "health" or (folder == "cassettes" and name not in MATCHING):
                continue
            for path, status, body in interactions(project / folder / f"{name}.yaml"):
                assert status == 200
                body_validator(path, status).validate(body)
    violations = {"user": 6, "account": 4, "stock": 12, "subscription": 4}
    for name, count in violations.items():
        cassette = interactions(project / "cassettes" / f"{name}.yaml")
        checks = [body_validator(path, status).is_valid(body) for path, status, body in cassette]
        assert checks.count(False) == count, name


def test_fastapi_spec_each_disagreement_once_at_its_line(project: Path) -> None:
    spec = str(project / "fastapi.json")
    code, report = diff(project, "driftcheck.toml", "--spec", spec)
    check_findings(report, project, lambda rule: fastapi_line(project, rule))
    assert code == 1  # required-missing, null-undeclared and type-mismatch are breaking


def test_fastapi_spec_in_a_real_process_over_a_cassette_folder(
    project: Path, service: SpecService
) -> None:
    """`diff --spec fastapi.json cassettes/` in a real process: endpoints by automatic
    key (`GET 127.0.0.1:PORT/users/{id}`), paths relative to the working directory."""
    done = cli_process(project, "diff", "--spec", "fastapi.json", "cassettes", "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    validate(report)
    names = {path: name for name, path, _ in ENDPOINTS}
    host = re.escape(service.url.removeprefix("http://"))
    for finding in report["findings"]:
        key = re.fullmatch(rf"GET {host}(/[^ ]*)", finding["endpoint"])
        assert key, finding["endpoint"]
        finding["endpoint"] = names[re.sub(r"\{[^}]*\}", "{id}", key.group(1))]
    check_findings(report, project, lambda rule: fastapi_line(project, rule))


def test_static_split_spec_from_the_config_each_disagreement_once(project: Path) -> None:
    """`spec = "..."` in the config; a 3.0 document whose schemas are in other files."""
    code, report = diff(project, "static.toml")
    check_findings(report, project, lambda rule: static_line(rule, project / "provider"))
    assert code == 1


def test_a_faithful_service_gives_only_its_hidden_endpoint(project: Path) -> None:
    for spec, where in (
        (str(project / "fastapi.json"), lambda rule: fastapi_line(project, rule)),
        (str(STATIC / "openapi.yaml"), static_line),
    ):
        _, report = diff(project, "faithful.toml", "--spec", spec, "--fail-on", "info")
        assert found(report, project) == expected(where, only=("spec-endpoint-undocumented",))


def export(project: Path, fmt: str, target: Path) -> Any:
    """`driftcheck schema --format FMT --output TARGET` over the recordings, read back."""
    config_file = str(project / "driftcheck.toml")
    result = run("schema", "--config", config_file, "--format", fmt, "--output", str(target))
    assert result.exit_code == 0, result.output
    return read_from_filename(str(target))[0]


@pytest.fixture(scope="module")
def exported(project: Path) -> Path:
    export(project, "openapi", project / "exported.yaml")
    return project / "exported.yaml"


# Bodies the recordings never show, each of which the exported schemas must refuse.
UNSEEN = {
    "user": lambda body: {k: v for k, v in body.items() if k != "id"},  # `id` always sent
    "stock": lambda body: {**body, "quantity": 7},  # always a string
    "subscription": lambda body: {**body, "status": "cancelled"},  # not among 3 values
    "account": lambda body: {**body, "nickname": 5},  # a string or null
    "order": lambda body: {**body, "gift_wrap": "yes"},  # a boolean
    "pet": lambda body: {"kind": "cat", "name": "Tom", "breed": "pug"},  # a cat has `indoor`
    "products": lambda body: [{**body[0], "price": "cheap"}],
}


def check_bodies(project: Path, validator: Callable[[str, str, int], jsonschema.Validator]) -> None:
    """Every recorded body of each endpoint validates; each `UNSEEN` body does not."""
    checked = 0
    for name, _, _ in ENDPOINTS:
        for path, status, body in interactions(project / "cassettes" / f"{name}.yaml"):
            validator(name, path, status).validate(body)
            checked += 1
            if name in UNSEEN and status == 200:
                assert not validator(name, path, status).is_valid(UNSEEN[name](body)), name
    assert checked == 9 * 12 + 1  # 12 calls each, `health` once


def test_the_exported_openapi_is_valid_and_holds_every_recorded_body(
    project: Path, exported: Path
) -> None:
    document, _ = read_from_filename(str(exported))
    validate_openapi(document)
    assert document["openapi"].startswith("3.1")
    check_bodies(project, lambda _, path, status: validator_at(
        document, body_pointer(document, path, status)
    ))  # fmt: skip


def test_the_exported_json_schemas_hold_every_recorded_body(project: Path) -> None:
    document = export(project, "jsonschema", project / "exported-schemas.json")
    jsonschema.Draft202012Validator.check_schema(document)
    check_bodies(project, lambda name, _, status: validator_at(
        document, pointer_of("endpoints", name, str(status))
    ))  # fmt: skip


def test_the_exported_openapi_given_back_as_spec_finds_nothing(
    project: Path, exported: Path
) -> None:
    code, report = diff(project, "driftcheck.toml", "--spec", str(exported), "--fail-on", "info")
    assert report["findings"] == []
    assert code == 0


def test_the_round_trip_by_automatic_keys_finds_nothing(project: Path) -> None:
    """`schema cassettes/` and `diff --spec F cassettes/`: no config, routes from keys."""
    target = project / "by-keys.json"
    result = run("schema", str(project / "cassettes"), "--format", "openapi", "-o", str(target))
    assert result.exit_code == 0, result.output
    validate_openapi(json.loads(target.read_text()))
    back = run("diff", "--spec", str(target), str(project / "cassettes"), "--format", "json")
    assert back.exit_code == 0, back.output
    assert json.loads(back.stdout)["findings"] == []


def test_the_exported_openapi_tells_the_faithful_service_apart(
    project: Path, exported: Path
) -> None:
    """Not a spec that accepts anything: the faithful service no longer sends `gift_wrap`,
    which every recorded order had, and sends `quantity` as a number."""
    _, report = diff(project, "faithful.toml", "--spec", str(exported), "--fail-on", "info")
    assert sorted((f["endpoint"], f["rule"], f["path"]) for f in report["findings"]) == [
        ("order", "spec-required-missing", "$.gift_wrap"),
        ("stock", "spec-type-mismatch", "$.quantity"),
    ]


@pytest.mark.slow
def test_the_corpus_exported_as_openapi_is_valid_and_holds_every_json_body(
    tmp_path: Path,
) -> None:
    """`driftcheck schema --format openapi ../shared/corpus` (1,898 real cassettes): a
    document the validator accepts, and every recorded JSON body, read by driftcheck's
    own reader, validates against its operation's schema."""
    if not CORPUS.is_dir():
        pytest.skip(f"no corpus at {CORPUS}")
    target = tmp_path / "corpus.json"
    result = run("schema", str(CORPUS), "--format", "openapi", "-o", str(target), "--no-cache")
    assert result.exit_code == 2, result.output  # two vcrpy fixtures are unreadable on purpose
    document = json.loads(target.read_text())
    validate_openapi(document)
    recorded, unreadable = load_all(Path(p) for p in discover_files([CORPUS]))
    assert len(unreadable) == 2
    bodies = [i for i in recorded if i.kind is BodyKind.JSON]
    assert len(bodies) > 3000
    for body in bodies:
        pointer = body_pointer(document, body.uri, body.status, body.method, body.content_type)
        validator_at(document, pointer).validate(body.body)


@functools.cache
def static_registry() -> referencing.Registry[Any]:
    """Every file of the hand-written spec, by its `file:` URI (read once)."""
    return referencing.Registry().with_resources(
        (file.as_uri(), DRAFT4.create_resource(yaml.safe_load(file.read_text())))
        for file in STATIC.resolve().rglob("*.yaml")
    )


def static_validator(path: str, status: int) -> jsonschema.Validator:
    """An OpenAPI 3.0 schema validator (`nullable` understood) for the JSON body the
    hand-written spec declares for GET `path` and `status`, `$ref`s resolved across its
    files."""
    root = (STATIC / "openapi.yaml").resolve().as_uri()
    pointer = body_pointer(static_registry().contents(root), path, status)
    return OAS30Validator({"$ref": f"{root}#{pointer}"}, registry=static_registry())
