"""Hostile configs through the command line: a broken file that is not the config does not
stop a run, a broken config is one `Error:` line and exit 2, never an internal error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from driftcheck.cli import cli
from tests.helpers import TEAMS, cli_process


def project(tmp_path: Path) -> Path:
    """A repository with two cassettes in `sub/`; returns `sub`."""
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "sub"
    sub.mkdir()
    shutil.copy(TEAMS, sub / "A.yaml")
    shutil.copy(TEAMS, sub / "B.yaml")
    return sub


def invoke(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"})
    return result.exit_code, result.stdout, result.stderr


def test_a_broken_parent_pyproject_does_not_stop_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = project(tmp_path)
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.x\n\xff")
    code, out, err = invoke(sub, monkeypatch, "diff", "A.yaml", "B.yaml", "--format", "json")
    assert (code, err) == (0, "")
    assert '"breaking": 0' in out
    completed = cli_process(sub, "diff", "A.yaml", "B.yaml", "--format", "json")
    assert (completed.returncode, completed.stderr) == (0, "")


def test_invalid_utf8_in_the_config_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = project(tmp_path)
    config = sub / "driftcheck.toml"
    config.write_bytes(b'cassettes = "c"\nfresh = "\xff"\n')
    expected = (
        f"Error: {config}: not UTF-8 text: byte 0xff at line 2, column 10 (offset 25); "
        "save it as UTF-8\n"
    )
    assert invoke(sub, monkeypatch, "diff", "A.yaml", "B.yaml") == (2, "", expected)
    completed = cli_process(sub, "diff", "A.yaml", "B.yaml")
    assert (completed.returncode, completed.stderr) == (2, expected)


def test_an_age_past_a_hundred_years_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = project(tmp_path)
    expected = (
        "Error: --max-age: '99999999999d' is longer than 1000 years; "
        "write at most 365000d, 8760000h or 52142w\n"
    )
    args = ("diff", "A.yaml", "B.yaml", "--max-age", "99999999999d")
    code, _, err = invoke(sub, monkeypatch, *args)
    assert (code, err) == (2, expected)
    completed = cli_process(sub, *args)
    assert (completed.returncode, completed.stderr) == (2, expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("timeout = nan\n", "`timeout` must be more than 0 and at most 3600 seconds, not nan"),
        (
            '[[endpoints]]\nname = "a"\nurl = "http://x/{0}"\n',
            "`url` in endpoint `a` has placeholder {0}",
        ),
        (
            '[[endpoints]]\nname = "a"\nurl = "http://x/${"\n',
            "`url` in endpoint `a` has a `${` at character 10 that starts no variable",
        ),
        (
            '[[endpoints]]\nname = "a"\nurl = "http://x"\nexpect_status = [true]\n',
            "`expect_status` in endpoint `a` must list status codes",
        ),
    ],
)
@pytest.mark.parametrize("command", ["diff", "record"])
def test_a_config_that_would_fail_later_fails_at_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str, command: str
) -> None:
    sub = project(tmp_path)
    config = sub / "driftcheck.toml"
    config.write_text(text)
    args = ["diff", "A.yaml", "B.yaml"] if command == "diff" else ["record", "--out", "out"]
    code, _, err = invoke(sub, monkeypatch, *args)
    assert code == 2
    assert err.startswith(f"Error: {config}: {message}")
    assert err.count("\n") == 1
    assert not (sub / "out").exists()


def test_environment_overrides_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = project(tmp_path)
    (sub / "driftcheck.toml").write_text('cassettes = "."\n')
    monkeypatch.setenv("DRIFTCHECK_CONCURRENCY", "1e9")
    code, _, err = invoke(sub, monkeypatch, "diff", "A.yaml", "B.yaml")
    assert (code, err) == (
        2,
        "Error: environment variable DRIFTCHECK_CONCURRENCY='1e9' is not an integer\n",
    )
