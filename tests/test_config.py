"""Config: discovery, validation, ${VAR} expansion, precedence, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftcheck.config import find_config, load_config
from driftcheck.errors import ConfigError

MINIMAL = """
cassettes = "recorded"
concurrency = 4

[[endpoints]]
name = "user"
url = "https://api.example.com/users/{id}"
params = { id = [1, 2] }
headers = { Authorization = "Bearer ${API_TOKEN}" }
"""


def write(folder: Path, text: str, name: str = "driftcheck.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_load_and_expand(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL), environ={"API_TOKEN": "s3cr3t-token"})
    (endpoint,) = config.endpoints
    assert endpoint.headers == {"Authorization": "Bearer s3cr3t-token"}
    assert endpoint.params == {"id": (1, 2)}
    assert config.cassettes == tmp_path / "recorded"
    assert config.fresh == tmp_path / ".driftcheck" / "fresh"
    assert config.secrets == {"API_TOKEN": "s3cr3t-token"}
    assert (config.concurrency, config.timeout, config.retries) == (4, 10.0, 2)


def test_missing_variable_names_it_the_endpoint_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value) == (
        f"{path}: endpoint `user`, key `headers`.Authorization: "
        "environment variable `API_TOKEN` is not set"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("concurency = 3", "unknown key `concurency`; did you mean `concurrency`?"),
        ("colour = 1", "unknown key `colour`"),
        (
            '[[endpoints]]\nname = "a"\nurl = "http://x"\nheader = {}',
            "unknown key `header` in endpoint `a`; did you mean `headers`?",
        ),
        ('concurrency = "8"', "`concurrency` must be an integer, not '8'"),
        ("timeout = true", "`timeout` must be a number, not True"),
        ("concurrency = 0", "`concurrency` must be at least 1, not 0"),
        ('[[endpoints]]\nurl = "http://x"', "[[endpoints]] #1 has no `name`"),
        (
            '[[endpoints]]\nname = "a/b"\nurl = "http://x"',
            "endpoint name 'a/b' must be a file name: letters, digits, '.', '_', '-'",
        ),
        (
            '[[endpoints]]\nname = "a"\nurl = "http://x/{id}"',
            "endpoint `a`: url placeholder `{id}` has no values in `params`",
        ),
        (
            '[[endpoints]]\nname = "a"\nurl = "http://x"\n[[endpoints]]\nname = "a"\nurl = "http://y"',
            "two endpoints are named `a`",
        ),
        (
            '[severity]\nfield-added = "loud"',
            "[severity] `field-added` = 'loud'; valid: breaking, warning, info",
        ),
        ('[[ignore]]\nrule = "field-added"', "[[ignore]] #1 needs a `reason`"),
    ],
)
def test_invalid_config_gets_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value) == f"{path}: {message}"


def test_invalid_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "cassettes = \n")
    with pytest.raises(ConfigError, match=r"invalid TOML: Invalid value \(at line 1, column 13\)"):
        load_config(path)


def test_found_by_walking_up_to_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, 'cassettes = "c"')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / "driftcheck.toml"
    assert load_config(start=deep).cassettes == tmp_path / "c"


def test_walk_stops_at_the_repository_root(tmp_path: Path) -> None:
    write(tmp_path, 'cassettes = "outside"')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert find_config(repo) is None


def test_pyproject_table(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, '[project]\nname = "x"\n', "pyproject.toml")
    assert find_config(tmp_path) is None
    write(tmp_path, '[tool.driftcheck]\ncassettes = "vcr"\nconcurrency = 3\n', "pyproject.toml")
    config = load_config(start=tmp_path)
    assert (config.cassettes, config.concurrency) == (tmp_path / "vcr", 3)


def test_precedence_defaults_file_environment_flags(tmp_path: Path) -> None:
    path = write(tmp_path, "concurrency = 4\ntimeout = 3\n")
    assert load_config(path, environ={}).concurrency == 4
    from_env = load_config(path, environ={"DRIFTCHECK_CONCURRENCY": "6", "DRIFTCHECK_RETRIES": "0"})
    assert (from_env.concurrency, from_env.retries, from_env.timeout) == (6, 0, 3.0)
    assert from_env.with_overrides(concurrency=9, timeout=None).concurrency == 9
    with pytest.raises(ConfigError, match="DRIFTCHECK_TIMEOUT='soon' is not a number"):
        load_config(path, environ={"DRIFTCHECK_TIMEOUT": "soon"})


def test_select_unknown_endpoint(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL), environ={"API_TOKEN": "x"})
    with pytest.raises(ConfigError, match=r"unknown endpoint `usr`; did you mean `user`\?"):
        config.select(("usr",))


def test_root_config_is_the_demo_config() -> None:
    root = Path(__file__).parent.parent
    packaged = load_config(root / "driftcheck" / "demo" / "driftcheck.toml", environ={})
    committed = load_config(root / "driftcheck.toml", environ={})
    assert committed.endpoints == packaged.endpoints
