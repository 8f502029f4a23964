"""A mock that states no status means success: held to the operation's documented 2xx
response (a create's 201), never to `default`, the error's schema (red team 6). The
mocking libraries answer 200 when a test states none, so a 200 only `default` covers
reads the same way; a fixture file pinned to an endpoint takes its `expect_status`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.cli.test_spec_cli import cassette
from tests.helpers import run, validate

SPEC = Path(__file__).parent.parent / "data" / "specs" / "mock_status" / "orders.yaml"
BASE = "https://api.example.com/v1"
MOCKS = f"""\
import responses

BASE = "{BASE}"


@responses.activate
def test_create():
    responses.add(responses.POST, f"{{BASE}}/orders", json={{"id": "o1", "status": "open"}})


def test_create_requests_mock(requests_mock):
    requests_mock.post(f"{{BASE}}/orders", json={{"id": "o2"}})
"""


def _project(tmp_path: Path, config: str) -> Path:
    shutil.copyfile(SPEC, tmp_path / "spec.yaml")
    cassette(tmp_path / "cassettes" / "health.yaml", [(f"{BASE}/health", {"ok": True})])
    (tmp_path / "driftcheck.toml").write_text(config)
    return tmp_path / "driftcheck.toml"


def _diff(config: Path) -> dict[str, Any]:
    result = run("diff", "--config", str(config), "--format", "json", "--fail-on", "info")
    report: dict[str, Any] = json.loads(result.stdout)
    validate(report)
    return report


def test_a_status_less_mock_is_held_to_the_documented_success(tmp_path: Path) -> None:
    config = _project(tmp_path, 'cassettes = "cassettes"\nspec = "spec.yaml"\n')
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_orders.py").write_text(MOCKS)
    report = _diff(config)
    found = [(f["rule"], f["status"], f["path"], f["location"]) for f in report["findings"]]
    # the second mock lacks the Order's required `status`: held to 201, not to `Error`
    assert found == [("mock-field-missing", 201, "$.status", "tests/test_orders.py:12")]
    assert "spec.yaml:" in report["findings"][0]["spec_location"]
    statuses = sorted(c["status"] for c in report["fixtures_checked"])
    assert statuses == [201, 201]


def test_a_pinned_fixture_file_takes_its_endpoints_expected_status(tmp_path: Path) -> None:
    config = _project(
        tmp_path,
        'cassettes = "cassettes"\nspec = "spec.yaml"\n\n[[endpoints]]\nname = "create_order"\n'
        f'method = "POST"\nurl = "{BASE}/orders"\nexpect_status = [201]\n'
        'fixtures = ["tests/fixtures/order_created.json"]\n',
    )
    (tmp_path / "tests" / "fixtures").mkdir(parents=True)
    (tmp_path / "tests" / "fixtures" / "order_created.json").write_text('{"id": "o1"}')
    report = _diff(config)
    found = [(f["rule"], f["status"], f["path"]) for f in report["findings"]]
    assert found == [("mock-field-missing", 201, "$.status")]


def test_a_mock_of_another_host_is_not_held_to_a_spec_naming_no_server(tmp_path: Path) -> None:
    """A spec without `servers` describes the API the recordings are of (one host here):
    a mock of another host's `/orders` is no mock of it (red team 6, #10)."""
    config = _project(tmp_path, 'cassettes = "cassettes"\nspec = "spec.yaml"\n')
    text = (tmp_path / "spec.yaml").read_text()
    serverless = text.replace('servers: [{url: "https://api.example.com/v1"}]\n', "")
    (tmp_path / "spec.yaml").write_text(serverless.replace("  /health:", "  /v1/health:"))
    cassette(tmp_path / "cassettes" / "health.yaml", [(f"{BASE}/health", {"ok": True})])
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_other.py").write_text(
        "import responses\n\n\n@responses.activate\ndef test_other():\n"
        '    responses.add(responses.POST, "https://other.example.org/orders", json={"id": 1})\n'
    )
    report = _diff(config)
    assert report["findings"] == []
    assert [u["location"] for u in report["fixtures_unmatched"]] == ["tests/test_other.py:6"]
