"""What a spec leaves unchecked, said at the front door: recordings on hosts its servers
do not name give a note, and a mock of a custom method (`…/123:cancel`) is held to that
method's operation, not to another one's (red team 10, 12)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_spec_cli import SPEC, USERS, cassette
from tests.helpers import run, validate

OPERATIONS = """\
openapi: 3.0.3
info: {title: ops, version: "1"}
servers: [{url: "https://run.example.com"}]
paths:
  /v1/operations/{operationsId}:wait:
    post:
      responses:
        "200":
          description: x
          content:
            application/json:
              schema: {type: object, required: [done], properties: {done: {type: boolean}}}
  /v1/operations/{operationsId}:cancel:
    post:
      responses:
        "200":
          description: x
          content:
            application/json:
              schema: {type: object, required: [cancelled]}
"""
MOCK = """\
import responses

@responses.activate
def test_cancel():
    responses.add(
        responses.POST,
        "https://run.example.com/v1/operations/1700000000123:cancel",
        json={"cancelled": True},
    )
"""


def test_recordings_on_hosts_the_servers_do_not_name_give_a_note(tmp_path: Path) -> None:
    cassette(tmp_path / "cassettes" / "users.yaml", [(f"{USERS}/1", {"id": "1"})])
    local = SPEC.replace("https://api.example.com/v1", "http://localhost:8080/v1")
    (tmp_path / "openapi.yaml").write_text(local)
    (tmp_path / "driftcheck.toml").write_text('cassettes = "cassettes"\nspec = "openapi.yaml"\n')
    result = run("diff", "--config", str(tmp_path / "driftcheck.toml"), "--format", "json")
    report = json.loads(result.stdout)
    validate(report)
    assert result.exit_code == 0, result.output
    assert report["findings"] == []
    (note,) = [n for n in report["notes"] if "servers" in n]
    assert note.startswith("nothing was checked against the spec openapi.yaml: the one recorded")
    assert "(on api.example.com; the spec's servers name localhost:8080)" in note


def test_a_mock_of_a_custom_method_is_held_to_that_methods_operation(tmp_path: Path) -> None:
    """`…/1700000000123:cancel` is keyed `{id}:cancel` (AIP-136): held to `:cancel`'s
    response, never to `:wait`'s (whose required `done` it lacks)."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_ops.py").write_text(MOCK)
    (tmp_path / "openapi.yaml").write_text(OPERATIONS)
    cassette(tmp_path / "cassettes" / "other.yaml", [("https://other.test/a", {"a": 1})])
    (tmp_path / "driftcheck.toml").write_text('cassettes = "cassettes"\nspec = "openapi.yaml"\n')
    result = run("diff", "--config", str(tmp_path / "driftcheck.toml"), "--format", "json")
    report = json.loads(result.stdout)
    validate(report)
    assert [f["rule"] for f in report["findings"]] == []  # not held to `:wait`'s `done`
    (checked,) = report["fixtures_checked"]
    assert checked["endpoint"] == "POST run.example.com/v1/operations/{id}:cancel"
    assert report["fixtures_unmatched"] == []
