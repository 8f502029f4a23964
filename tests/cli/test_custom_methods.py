"""Custom methods (AIP-136: `POST /v1/jobs/123:cancel`) are endpoints of their own, from
cassettes vcrpy wrote against a real server through `init` to `record` and `diff`:
cancelling and fetching a job never pool their shapes, and the config `init` writes
records the right URLs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
import vcr

from driftcheck.config import load_config
from tests.helpers import run
from tests.servers import LiveServer, json_response

IDS = ("123", "456", "789")


UUIDS = ("0b7e6a4c-2f5d-4e8b-9c1a-3d2e5f6a7b8c", "5c3f1e2d-1111-4222-8333-444455556666")


def _serve(server: LiveServer, cancelled: str, ids: tuple[str, ...] = IDS) -> None:
    for number in ids:
        server.routes[f"/v1/jobs/{number}:cancel"] = lambda request: json_response(cancelled)
        server.routes[f"/v1/jobs/{number}"] = lambda request: json_response(
            '{"id": 1, "state": "ok"}'
        )


def _record(server: LiveServer, cassette: Path, ids: tuple[str, ...] = IDS) -> None:
    with vcr.VCR().use_cassette(str(cassette)):
        for number in ids:
            assert requests.post(f"{server.url}/v1/jobs/{number}:cancel", timeout=5).ok
            assert requests.post(f"{server.url}/v1/jobs/{number}", timeout=5).ok


def test_a_custom_method_is_its_own_endpoint_from_init_to_record(tmp_path: Path) -> None:
    with LiveServer() as server:
        _serve(server, '{"cancelled": true}')
        _record(server, tmp_path / "cassettes" / "test_jobs.yaml")
        written = run("init", str(tmp_path))
        assert written.exit_code == 0, written.output
        config = load_config(tmp_path / "driftcheck.toml")
        urls = {e.name: (e.url, dict(e.params)) for e in config.endpoints}
        assert urls == {
            "post_job": (f"{server.url}/v1/jobs/{{id}}", {"id": (123, 456, 789)}),
            "post_job_cancel": (f"{server.url}/v1/jobs/{{id}}:cancel", {"id": (123, 456, 789)}),
        }
        server.requests.clear()
        recorded = run("record", "--config", str(tmp_path / "driftcheck.toml"))
        assert recorded.exit_code == 0, recorded.output
        assert sorted(r.path for r in server.requests) == sorted(
            [f"/v1/jobs/{n}:cancel" for n in IDS] + [f"/v1/jobs/{n}" for n in IDS]
        )


@pytest.mark.parametrize("ids", [IDS, UUIDS], ids=["numbers", "uuids"])
def test_cancel_and_fetch_never_pool_their_shapes(tmp_path: Path, ids: tuple[str, ...]) -> None:
    """Pooled (UUIDs with a custom method once were keyed `{id}`), `cancelled` would be
    present in half the samples, and the fetch's keys would read as optional."""
    with LiveServer() as server:
        _serve(server, '{"cancelled": true}', ids)
        _record(server, tmp_path / "old" / "test_jobs.yaml", ids)
        _serve(server, '{"cancelled": "yes"}', ids)
        _record(server, tmp_path / "new" / "test_jobs.yaml", ids)
    result = run("diff", str(tmp_path / "old"), str(tmp_path / "new"), "--format", "json")
    report = json.loads(result.stdout)
    found = {(f["endpoint"], f["rule"], f["path"]) for f in report["findings"]}
    host = server.url.removeprefix("http://")
    assert found == {(f"POST {host}/v1/jobs/{{id}}:cancel", "type-changed", "$.cancelled")}
