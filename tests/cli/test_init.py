"""`driftcheck init` from the command line, on the generated project of
tests/run/test_init.py: what it prints, what it writes, when it refuses, and `diff`
running on what it wrote."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from driftcheck.config import load_config
from tests.helpers import run
from tests.init_project import SECRETS, make_project


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("built")
    return root, make_project(root)


@pytest.fixture
def project(built: tuple[Path, str], tmp_path: Path) -> tuple[Path, str]:
    """A fresh copy of the generated project for each test (init writes into it)."""
    root, local = built
    copy = tmp_path / "project"
    shutil.copytree(root, copy)
    return copy, local


def _lines(text: str) -> list[str]:
    return text.splitlines()


ENDPOINTS = """\
7 endpoints
  health          GET   {health}  1 recording   200 x1  (local host: `record` needs that server running)
  users           GET   https://api.example.com/users              2 recordings  200 x2
  user            GET   https://api.example.com/users/{{id}}         3 recordings  200 x2, 404 x1
  user_orders     GET   https://api.example.com/users/{{id}}/orders  2 recordings  200 x2
  graphql_repos   POST  https://api.example.com/graphql            1 recording   200 x1  (operation Repos)
  graphql_viewer  POST  https://api.example.com/graphql            1 recording   200 x1  (operation Viewer)
  post_users      POST  https://api.example.com/users              1 recording   201 x1
"""  # noqa: E501 - the lines as printed

MOCKS = """\
5 mocks matched
  health (1)
    tests/test_users.py:45  unittest.mock  by shape, status 200 (matched by shape similarity: 3 of 3 keys known to health, 3 of its 3 required keys present; next best 0 of 3 keys known to user, 0 of its 3 required keys present)
  users (1)
    tests/test_users.py:27  requests-mock  by url, status 200
  user (2)
    tests/test_users.py:16  responses  by url, status 200
    tests/test_users.py:22  responses  by url, status 404
  user_orders (1)
    tests/test_users.py:33  unittest.mock  by patch-target, status 200

2 mocks not matched
  tests/test_users.py:39  unittest.mock  `client.requests.get` is called for several endpoints (user, users); user and users fit its shape about equally: 3 of 3 keys known to user, 3 of its 3 required keys present; 3 of 3 keys known to users, 3 of its 3 required keys present
  tests/test_users.py:51  responses      GET https://other.example.org/things fits no recorded endpoint

Never mocked: graphql_repos, graphql_viewer, post_users

Credentials are not written; the config reads them from the environment:
  ${API_KEY}       api_key query for api.example.com
  ${API_PASSWORD}  password in the body for api.example.com
  ${API_TOKEN}     Authorization header for api.example.com
"""  # noqa: E501 - the lines as printed


def _summary(local: str, last: str) -> str:
    """The whole summary; the local server's URL is padded to the URL column's width
    (that of the widest URL, users/{id}/orders)."""
    health = f"{local}/health".ljust(len("https://api.example.com/users/{id}/orders"))
    endpoints = ENDPOINTS.format(health=health)
    return f"Found 5 cassettes in tests/cassettes\n\n{endpoints}\n{MOCKS}\n{last}"


def test_dry_run_prints_the_summary_and_writes_nothing(project: tuple[Path, str]) -> None:
    root, local = project
    result = run("init", str(root), "--dry-run")
    assert result.exit_code == 0, result.output
    target = root / "driftcheck.toml"
    expected = _summary(local, f"Dry run: {target} not written (7 endpoints)\n")
    assert result.output == expected
    assert not target.exists()


def test_init_writes_a_config_that_loads_without_secrets(project: tuple[Path, str]) -> None:
    root, _ = project
    result = run("init", str(root))
    assert result.exit_code == 0, result.output
    target = root / "driftcheck.toml"
    assert _lines(result.output)[-1] == (
        f"Wrote {target} (7 endpoints). Next: `driftcheck diff` checks the mocks; set "
        "API_KEY, API_PASSWORD, API_TOKEN, then `driftcheck record` re-records the endpoints."
    )
    text = target.read_text()
    assert [secret for secret in SECRETS if secret in text] == []
    config = load_config(target, environ={}, require_env=False)
    assert [e.name for e in config.endpoints] == [
        "health",
        "users",
        "user",
        "user_orders",
        "graphql_repos",
        "graphql_viewer",
        "post_users",
    ]
    assert config.cassettes == root / "tests" / "cassettes"


def test_an_existing_config_is_refused_without_force(project: tuple[Path, str]) -> None:
    root, _ = project
    target = root / "driftcheck.toml"
    target.write_text("# mine\n")
    refused = run("init", str(root))
    assert refused.exit_code == 2
    assert refused.output == (
        f"Error: {target} exists: `driftcheck init --force` overwrites it "
        "(`--dry-run` shows what would be written)\n"
    )
    assert target.read_text() == "# mine\n"
    assert run("init", str(root), "--dry-run").exit_code == 0
    assert target.read_text() == "# mine\n"
    forced = run("init", str(root), "--force")
    assert forced.exit_code == 0, forced.output
    assert target.read_text().startswith("# Generated by `driftcheck init`")


def test_output_elsewhere_names_the_cassettes_relative_to_it(
    project: tuple[Path, str], tmp_path: Path
) -> None:
    root, _ = project
    target = tmp_path / "configs" / "api.toml"
    result = run("init", str(root), "--output", str(target))
    assert result.exit_code == 0, result.output
    assert 'cassettes = "../project/tests/cassettes"\n' in target.read_text()
    config = load_config(target, environ={}, require_env=False)
    assert config.cassettes == root / "tests" / "cassettes"


def test_no_cassettes_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("def test(): pass\n")
    result = run("init", str(tmp_path))
    assert result.exit_code == 2
    assert result.output == (
        f"Error: no cassettes found under {tmp_path} (every folder searched, hidden folders, "
        "virtualenvs, node_modules and site-packages skipped): a cassette is a VCR.py, Ruby "
        "VCR or Betamax recording: a YAML or JSON file whose document has an `interactions` "
        "(or `http_interactions`) list; record some with vcrpy or pytest-recording first\n"
    )
    assert list(tmp_path.iterdir()) == [tmp_path / "tests"]


def test_help_has_an_example() -> None:
    result = run("init", "--help")
    assert result.exit_code == 0
    assert "Example:\n      driftcheck init --dry-run\n      driftcheck init\n" in result.output


def _in(folder: Path, *args: str) -> Any:
    here = Path.cwd()
    os.chdir(folder)
    try:
        return run(*args)
    finally:
        os.chdir(here)


def test_diff_runs_on_what_init_wrote(project: tuple[Path, str]) -> None:
    """The whole set-up is `driftcheck init`, then `driftcheck diff`."""
    root, _ = project
    assert _in(root, "init").exit_code == 0
    result = _in(root, "diff", "--format", "json", "--no-cache")
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    checked = [(m["location"], m["endpoint"], m["matched_by"]) for m in report["fixtures_checked"]]
    assert sorted(checked) == [  # as init matched them
        ("tests/test_users.py:16", "user", "url"),
        ("tests/test_users.py:22", "user", "url"),
        ("tests/test_users.py:27", "users", "url"),
        ("tests/test_users.py:33", "user_orders", "patch-target"),
        ("tests/test_users.py:45", "health", "shape"),
    ]


def test_init_shows_a_mocks_hostile_url_only_as_visible_text(
    project: tuple[Path, str],
) -> None:
    """A test's mock URL is the repository's text: an OSC title sequence or a bidi override
    in it is shown as escapes, never sent to the terminal."""
    root, _ = project
    (root / "tests" / "test_hostile.py").write_text(
        "import responses\n\n\ndef test_x():\n"
        '    responses.add(responses.GET, "\\x1b]0;pwned\\x07https://zz.example/\\u202eq",'
        ' json={"id": 1})\n'
    )
    result = run("init", str(root), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "\\x1b]0;pwned\\x07https://zz.example/\\u202eq" in result.output
    assert "\x1b" not in result.output
    assert "\u202e" not in result.output
