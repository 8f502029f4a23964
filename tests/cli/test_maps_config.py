"""Maps end to end: ids that differ between two recordings are no drift, and the config
settles an object either way (`maps`, `not_maps`), in `diff A B` as in config mode."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from vcr.request import Request
from vcr.serialize import serialize
from vcr.serializers import yamlserializer

from tests.helpers import run

API = "https://api.example.com"


def cassette(path: Path, bodies: list[Any]) -> Path:
    """A cassette as vcrpy writes it, through vcrpy's own serializer."""
    requests = [Request("GET", f"{API}/hosts/{n}", None, {}) for n in range(len(bodies))]
    responses = [
        {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": ["application/json"]},
            "body": {"string": json.dumps(body)},
        }
        for body in bodies
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(serialize({"requests": requests, "responses": responses}, yamlserializer))
    return path


def host(ports: list[int], flags: dict[str, bool]) -> dict[str, Any]:
    return {
        "ip": "10.0.0.1",
        "ports": {f"{port} / tcp": [{"port": port, "state": "open"}] for port in ports},
        "flags": flags,
    }


@pytest.fixture
def here(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / ".git").mkdir()
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


def diff(*args: str) -> tuple[int, list[tuple[str, str]]]:
    result = run("diff", *args, "--format", "json", "--fail-on", "info")
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    return result.exit_code, [(f["rule"], f["path"]) for f in report["findings"]]


def test_ports_that_differ_are_no_drift_and_flags_stay_fields(here: Path) -> None:
    flags = {"tls": True, "ipv6": False, "public": True}
    old = cassette(here / "old.yaml", [host([22, 80], flags), host([443], flags)])
    new = cassette(here / "new.yaml", [host([8080], flags), host([25, 587], {"tls": True})])
    code, found = diff(str(old), str(new))
    assert found == [
        ("field-became-optional", "$.flags.ipv6"),
        ("field-became-optional", "$.flags.public"),
    ]
    assert code == 1


def test_config_declares_maps_and_records(here: Path) -> None:
    flags = {"tls": True, "ipv6": False, "public": True}
    old = cassette(here / "old.yaml", [host([22, 80], flags), host([443], flags)])
    new = cassette(here / "new.yaml", [host([8080], flags), host([25], {"tls": True})])
    (here / "driftcheck.toml").write_text('maps = ["$.flags"]\nnot_maps = ["$.ports"]\n')
    code, found = diff(str(old), str(new))
    assert ("field-became-optional", "$.flags.ipv6") not in found
    assert ("field-removed", "$.ports['22 / tcp']") in found
    assert ("field-added", "$.ports['8080 / tcp']") in found
    assert code == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('maps = "$.flags"', "`maps` must be a list"),
        ('maps = ["flags"]', "path patterns starting with `$`"),
        ('not_maps = ["$.flags[0]"]', "is not a path pattern"),
    ],
)
def test_bad_map_declarations_are_one_line(here: Path, line: str, message: str) -> None:
    (here / "driftcheck.toml").write_text(line + "\n")
    old = cassette(here / "old.yaml", [host([22], {})])
    result = run("diff", str(old), str(old))
    assert result.exit_code == 2
    assert message in result.output
    assert "driftcheck.toml" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
