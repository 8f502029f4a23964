"""The Real Python todos tutorial as an example: served locally, recorded, its mocks checked."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from driftcheck.cli import cli

EXAMPLE = Path(__file__).parent.parent / "examples" / "todos"


def _server_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("todos_server", EXAMPLE / "server.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def example(tmp_path: Path) -> Iterator[Path]:
    """A copy of the example whose config points at its server on a free port."""
    folder = tmp_path / "todos"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns(".driftcheck", "__pycache__"))
    server = _server_module().make_server(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    config = folder / "driftcheck.toml"
    for path in (config, *(folder / "cassettes").glob("*.yaml")):
        path.write_text(path.read_text().replace("http://127.0.0.1:3000", base))
    try:
        yield folder
    finally:
        server.shutdown()
        server.server_close()


def test_recorded_todos_match_the_tutorial_mock_and_users_do_not(example: Path) -> None:
    config = str(example / "driftcheck.toml")
    recorded = CliRunner().invoke(cli, ["record", "--config", config])
    assert recorded.exit_code == 0, recorded.output
    result = CliRunner().invoke(cli, ["diff", "--config", config, "--format", "json"])
    assert result.exit_code == 0, result.output  # only warnings: fail-on breaking passes
    report = json.loads(result.output)
    assert report["errors"] == []
    found = [(f["endpoint"], f["rule"], f["path"], f["location"]) for f in report["findings"]]
    assert found == [
        ("user", "mock-uncovered-optional", "$.profile", "tests/test_users.py:7"),
        ("user", "mock-uncovered-null", "$.contact.phone", "tests/test_users.py:12"),
    ]  # fresh recordings equal the committed ones: no cassette finding


def test_the_examples_own_tests_pass_with_the_plugin(example: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=example,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed" in done.stdout
