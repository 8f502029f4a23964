"""The spec commands' front door: `diff --spec` in its three forms and the config's `spec`,
mocks of unrecorded endpoints held to the spec, `schema` in path and config mode, the
JSON report's `spec_location` read back by `merge`, SARIF's related location, and every
bad input as one line with exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate as validate_openapi

from tests.helpers import cli_process, run, validate

SPEC = """\
openapi: 3.0.3
info: {title: users, version: "1"}
servers:
  - url: https://api.example.com/v1
paths:
  /users/{userId}:
    get:
      responses:
        "200":
          description: one user
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/User"
  /orders/{orderId}:
    get:
      responses:
        "200":
          description: one order
          content:
            application/json:
              schema:
                type: object
                required: [id, total]
                properties:
                  id: {type: integer}
                  total: {type: number}
                  state: {type: string, enum: [open, paid]}
components:
  schemas:
    User:
      type: object
      required: [id, name]
      properties:
        id: {type: integer}
        name: {type: string}
        email: {type: string}
"""
USER_LINE = SPEC.splitlines().index("    User:") + 1
NAME_LINE = SPEC.splitlines().index("        name: {type: string}") + 1
ORDER_ID_LINE = SPEC.splitlines().index("                  id: {type: integer}") + 1


def cassette(path: Path, bodies: list[tuple[str, Any]], status: int = 200) -> Path:
    """A vcrpy cassette of GET requests answered with JSON bodies."""
    interactions = [
        {
            "request": {"body": None, "headers": {}, "method": "GET", "uri": uri},
            "response": {
                "status": {"code": status, "message": "OK"},
                "headers": {"Content-Type": ["application/json"]},
                "body": {"string": json.dumps(body)},
            },
        }
        for uri, body in bodies
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"interactions": interactions, "version": 1}))
    return path


USERS = "https://api.example.com/v1/users"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Committed cassettes of a users API whose `name` is sometimes missing, and a spec
    that requires it."""
    cassette(
        tmp_path / "cassettes" / "users.yaml",
        [
            (f"{USERS}/1", {"id": 1, "name": "Ann", "email": "a@example.com"}),
            (f"{USERS}/2", {"id": 2, "email": "b@example.com"}),
            (f"{USERS}/3", {"id": 3, "name": "Cy", "email": "c@example.com"}),
        ],
    )
    (tmp_path / "openapi.yaml").write_text(SPEC)
    return tmp_path


def findings(result: Any) -> list[dict[str, Any]]:
    report = json.loads(result.stdout)  # progress and notes go to stderr
    validate(report)
    found: list[dict[str, Any]] = report["findings"]
    return found


def test_diff_spec_with_one_path_holds_its_recordings_to_the_spec(project: Path) -> None:
    result = run(
        "diff",
        "--spec",
        str(project / "openapi.yaml"),
        str(project / "cassettes"),
        "--format",
        "json",
        "--no-cache",
    )
    assert result.exit_code == 1, result.output
    (found,) = findings(result)
    assert (found["rule"], found["path"], found["severity"], found["source"]) == (
        "spec-required-missing",
        "$.name",
        "breaking",
        "spec",
    )
    assert found["endpoint"] == "GET api.example.com/v1/users/{id}"
    assert found["spec_location"] == f"{project / 'openapi.yaml'}:{NAME_LINE}"
    assert found["location"].startswith(str(project / "cassettes" / "users.yaml"))


def test_the_config_names_the_spec_and_the_flag_overrides_it(project: Path) -> None:
    (project / "driftcheck.toml").write_text('cassettes = "cassettes"\nspec = "openapi.yaml"\n')
    config = str(project / "driftcheck.toml")
    result = run("diff", "--config", config, "--format", "json", "--no-cache")
    assert result.exit_code == 1, result.output
    assert [f["rule"] for f in findings(result)] == ["spec-required-missing"]
    lenient = project / "lenient.yaml"
    lenient.write_text(SPEC.replace("required: [id, name]", "required: [id]"))
    result = run("diff", "--config", config, "--spec", str(lenient), "--format", "json")
    assert result.exit_code == 0, result.output
    assert findings(result) == []


def test_diff_with_two_paths_holds_current_to_the_spec(project: Path) -> None:
    old = cassette(project / "old.yaml", [(f"{USERS}/9", {"id": 9, "name": "Zed"})])
    result = run(
        "diff",
        str(old),
        str(project / "cassettes"),
        "--spec",
        str(project / "openapi.yaml"),
        "--format",
        "json",
    )
    rules = sorted(f["rule"] for f in findings(result))
    assert rules == ["field-added", "field-became-optional", "spec-required-missing"]


def test_a_type_the_spec_does_not_allow_points_at_the_property(project: Path) -> None:
    cassette(
        project / "cassettes" / "orders.yaml",
        [("https://api.example.com/v1/orders/7", {"id": "7", "total": 3.5})],
    )
    result = run(
        "diff",
        "--spec",
        str(project / "openapi.yaml"),
        str(project / "cassettes" / "orders.yaml"),
        "--format",
        "json",
    )
    (found,) = findings(result)
    assert (found["rule"], found["path"]) == ("spec-type-mismatch", "$.id")
    assert found["spec_location"].endswith(f"openapi.yaml:{ORDER_ID_LINE}")


def test_mocks_of_an_endpoint_never_recorded_are_held_to_the_spec(project: Path) -> None:
    (project / "tests").mkdir()
    (project / "tests" / "test_orders.py").write_text(
        "import responses\n"
        "\n"
        "@responses.activate\n"
        "def test_order():\n"
        "    responses.add(\n"
        "        responses.GET,\n"
        '        "https://api.example.com/v1/orders/12",\n'
        '        json={"id": 12, "state": "OPEN"},\n'
        "        status=200,\n"
        "    )\n"
    )
    (project / "driftcheck.toml").write_text('cassettes = "cassettes"\nspec = "openapi.yaml"\n')
    result = run("diff", "--config", str(project / "driftcheck.toml"), "--format", "json")
    report = json.loads(result.output)
    validate(report)
    by_rule = {f["rule"]: f for f in report["findings"] if f["source"] == "fixture"}
    assert set(by_rule) == {"mock-field-missing", "mock-enum-unknown"}
    missing = by_rule["mock-field-missing"]
    assert missing["path"] == "$.total"
    assert "no recordings to compare with" in missing["message"]
    assert missing["location"] == "tests/test_orders.py:8"
    assert missing["spec_location"].startswith("openapi.yaml:")  # relative to the config
    assert f"({missing['spec_location']})" in missing["message"]  # and so named in the text
    assert str(project) not in result.stdout
    checked = report["fixtures_checked"]
    assert [(c["endpoint"], c["status"]) for c in checked] == [
        ("GET api.example.com/v1/orders/{id}", 200)
    ]
    assert report["fixtures_unmatched"] == []


def test_a_spec_alone_is_something_to_compare_in_config_mode(project: Path) -> None:
    (project / "driftcheck.toml").write_text('cassettes = "cassettes"\n')
    config = str(project / "driftcheck.toml")
    nothing = run("diff", "--config", config)
    assert nothing.exit_code == 2
    assert "nothing to compare" in nothing.output
    spec = run("diff", "--config", config, "--spec", str(project / "openapi.yaml"))
    assert spec.exit_code == 1, spec.output
    assert "spec-required-missing" in spec.output


def test_merge_reads_the_spec_location_back(project: Path) -> None:
    report = project / "report.json"
    run(
        "diff",
        "--spec",
        str(project / "openapi.yaml"),
        str(project / "cassettes"),
        "--format",
        "json",
        "--output",
        str(report),
    )
    merged = run("merge", str(report), "--format", "json")
    (found,) = findings(merged)
    assert found["spec_location"] == f"{project / 'openapi.yaml'}:{NAME_LINE}"
    sarif = json.loads(run("merge", str(report), "--format", "sarif").output)
    (result,) = sarif["runs"][0]["results"]
    (related,) = result["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == NAME_LINE
    assert related["physicalLocation"]["artifactLocation"]["uri"].endswith("openapi.yaml")


@pytest.mark.parametrize(
    ("spec_text", "expected"),
    [
        (None, "openapi.yaml"),
        ("openapi: 3.0.3\npaths: [\n", "openapi.yaml:"),
        ("!!python/object/apply:os.system ['true']\n", "refused YAML tag"),
        ('swagger: "2.0"\npaths: {}\n', "OpenAPI 3.0 or 3.1 only"),
        (SPEC.replace("#/components/schemas/User", "other.yaml#/User"), "other.yaml"),
        (SPEC.replace("#/components/schemas/User", "https://example.com/u.yaml"), "remote"),
    ],
    ids=["missing", "malformed", "hostile", "swagger-2", "unresolvable-ref", "remote-ref"],
)
def test_a_bad_spec_is_one_line_and_exit_2(
    project: Path, spec_text: str | None, expected: str
) -> None:
    spec = project / "openapi.yaml"
    if spec_text is None:
        spec.unlink()
    else:
        spec.write_text(spec_text)
    result = run("diff", "--spec", str(spec), str(project / "cassettes"))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.output


def test_schema_writes_openapi_that_validates_and_round_trips(project: Path) -> None:
    out = project / "written.yaml"
    result = run("schema", str(project / "cassettes"), "--output", str(out), "--no-cache")
    assert result.exit_code == 0, result.output
    assert "wrote 1 endpoint to" in result.output
    document = yaml.safe_load(out.read_text())
    validate_openapi(document)
    (path,) = document["paths"]
    assert path.endswith("/users/{id}")
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    assert set(schema["schema"]["required"]) == {"id", "email"}  # `name` is not always there
    again = run("diff", "--spec", str(out), str(project / "cassettes"), "--format", "json")
    assert again.exit_code == 0, again.output
    assert findings(again) == []


def test_schema_as_json_schema_on_stdout_and_by_endpoint_name(project: Path) -> None:
    result = run("schema", str(project / "cassettes"), "--format", "jsonschema")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    (project / "driftcheck.toml").write_text(
        f'cassettes = "cassettes"\n\n[[endpoints]]\nname = "user"\nurl = "{USERS}/{{id}}"\n'
    )
    config = str(project / "driftcheck.toml")
    named = run("schema", "user", "--config", config, "--format", "openapi")
    assert named.exit_code == 0, named.output
    document = json.loads(named.output)
    assert list(document["paths"]) == ["/v1/users/{id}"]
    unknown = run("schema", "usr", "--config", config)
    assert unknown.exit_code == 2
    assert "`usr`" in unknown.output
    assert "user" in unknown.output.split("`usr`", 1)[1]


def test_schema_refuses_paths_and_names_together_and_no_target_without_config(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    (project / ".git").mkdir()  # the config search stops here
    mixed = run("schema", "cassettes", "user")
    assert mixed.exit_code == 2
    assert "not both" in mixed.output
    alone = run("schema")
    assert alone.exit_code == 2
    assert "give cassette files or folders" in alone.output


def test_schema_and_diff_spec_as_processes(project: Path) -> None:
    written = cli_process(project, "schema", "cassettes", "--output", "spec.json")
    assert written.returncode == 0, written.stderr
    checked = cli_process(project, "diff", "--spec", "spec.json", "cassettes")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    failing = cli_process(project, "diff", "--spec", "openapi.yaml", "cassettes")
    assert failing.returncode == 1
    assert "spec-required-missing" in failing.stdout


def test_check_holds_what_it_records_to_the_config_spec(tmp_path: Path, httpserver: Any) -> None:
    users = {1: {"id": 1, "name": "Ann"}, 2: {"id": 2}, 3: {"id": 3, "name": "Cy"}}
    for number, body in users.items():
        httpserver.expect_request(f"/v1/users/{number}").respond_with_json(body)
    (tmp_path / "openapi.yaml").write_text(
        SPEC.replace("https://api.example.com/v1", "/v1")  # a relative server: any host
    )
    url = httpserver.url_for("/v1/users/{id}")
    (tmp_path / "driftcheck.toml").write_text(
        'cassettes = "cassettes"\nspec = "openapi.yaml"\n\n[[endpoints]]\nname = "user"\n'
        f'url = "{url}"\nparams = {{ id = [1, 2, 3] }}\n'
    )
    result = run("check", "--config", str(tmp_path / "driftcheck.toml"), "--format", "json")
    assert result.exit_code == 1, result.output
    (found,) = [f for f in findings(result) if f["source"] == "spec"]  # beside endpoint-added
    assert (found["endpoint"], found["rule"], found["path"]) == (
        "user",
        "spec-required-missing",
        "$.name",
    )
    assert found["spec_location"] == f"{tmp_path / 'openapi.yaml'}:{NAME_LINE}"
