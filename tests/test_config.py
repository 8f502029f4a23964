"""Config: discovery, validation, ${VAR} expansion, precedence, clear errors."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest

from driftcheck.config import ENDPOINT, IGNORE, TOP, Config, Endpoint, find_config, load_config
from driftcheck.core.matchers import Matcher
from driftcheck.core.model import Severity
from driftcheck.core.policy import Ignore
from driftcheck.core.staleness import Age
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
        ("concurrency = 0", "`concurrency` must be 1 to 1024, not 0"),
        ('[[endpoints]]\nurl = "http://x"', "[[endpoints]] #1 has no `name`"),
        (
            '[[endpoints]]\nname = "a/b"\nurl = "http://x"',
            "endpoint name 'a/b' must be a file name of at most 200 characters: letters, digits, "
            "'.', '_', '-'",
        ),
        (
            '[[endpoints]]\nname = "a"\nurl = "http://x"\n[[endpoints]]\nname = "a"\nurl = "http://y"',
            "two endpoints are named `a`",
        ),
        (
            '[severity]\nfield-added = "loud"',
            "[severity] `field-added` = 'loud'; valid: breaking, warning, info",
        ),
        (
            "[severity]\nfield-added = 3",
            "[severity] `field-added` = 3; valid: breaking, warning, info",
        ),
        (
            '[severity]\nfeild-added = "info"',
            "[severity]: unknown rule `feild-added`; did you mean `field-added`?",
        ),
        ('severity = "loud"', "`severity` must be a table, not 'loud'"),
        ('[[ignore]]\nrule = "field-added"', "[[ignore]] #1 needs a `reason`"),
        (
            '[[ignore]]\nrule = "field-added"\nreason = "x"\n'
            '[[ignore]]\nrule = "feld-added"\nreason = "y"',
            "[[ignore]] #2: unknown rule `feld-added`; did you mean `field-added`?",
        ),
        (
            '[[ignore]]\nreson = "x"',
            "unknown key `reson` in [[ignore]] #1; did you mean `reason`?",
        ),
        ("ignor = []", "unknown key `ignor`; did you mean `ignore`?"),
        ("ignore = [1]", "[[ignore]] #1 must be a table"),
        ('max_age = "30 days"', "`max_age`: '30 days' is not an age; write it like 30d, 12h or 2w"),
        ("max_age = 30", "`max_age` must be a string, not 30"),
        ("timeout = 0", "`timeout` must be more than 0 and at most 3600 seconds, not 0"),
        ("retries = -1", "`retries` must be 0 to 100, not -1"),
        ("workers = -1", "`workers` must be 0 (one per core) to 1024, not -1"),
        ('scrub_body = ["token", 1]', "`scrub_body` must list strings, not 1"),
        (
            '[[endpoints]]\nname = "a"\nurl = "http://x"\nexpect_status = ["ok"]',
            "`expect_status` in endpoint `a` must list status codes (integers 100 to 599), "
            "not 'ok'",
        ),
        (
            '[[endpoints]]\nname = "a"\nurl = "http://x"\nfixtures = [""]',
            'endpoint `a`: `fixtures` must list paths such as "tests/fixtures/user.json" '
            'or "tests/test_users.py::MOCK_USER"',
        ),
        ('[[endpoints]]\nname = "a"', "endpoint `a` has no `url`"),
        ("cassettes = []", "`cassettes` must name a folder or a glob, or list them"),
        ('cassettes = ["a", 1]', "`cassettes` must list strings, not 1"),
        ("fresh = 3", "`fresh` must be a folder, a glob or a list of them, not 3"),
        (
            '[[endpoints]]\nname = "a"\nurl = "http://x"\nmatch_query = "type=user"',
            "`match_query` in endpoint `a` must be a table, not 'type=user'",
        ),
        (
            '[[endpoints]]\nname = 1\nurl = "http://x"',
            "`name` in [[endpoints]] #1 must be a string, not 1",
        ),
    ],
)
def test_invalid_config_gets_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value) == f"{path}: {message}"


def test_policy_is_typed_when_the_config_is_loaded(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'max_age = "30d"\n[severity]\nfield-added = "warning"\n'
        '[[ignore]]\nrule = "type-*"\nreason = "migrating"\nuntil = 2027-01-31\n'
        '[[ignore]]\nendpoint = "GET a/*"\nreason = "flaky"\nuntil = "2027-02-28"\n',
    )
    config = load_config(path, environ={})
    assert config.max_age == Age(datetime.timedelta(days=30), "30d")
    assert config.severity == {"field-added": Severity.WARNING}
    assert config.ignore == (
        Ignore(
            reason="migrating",
            rule="type-*",
            until=datetime.date(2027, 1, 31),
            label=f"[[ignore]] #1 in {path}",
        ),
        Ignore(
            reason="flaky",
            endpoint="GET a/*",
            until=datetime.date(2027, 2, 28),
            label=f"[[ignore]] #2 in {path}",
        ),
    )


def test_defaults_come_from_the_key_declarations(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # no config file up to here
    config = load_config(start=tmp_path, environ={})
    assert config == Config(
        source=None,
        cassettes=tmp_path / "cassettes",
        fresh=tmp_path / ".driftcheck" / "fresh",
        root=tmp_path,
        cache=tmp_path / ".driftcheck" / "cache",
    )


def test_every_config_field_and_endpoint_field_is_declared_once() -> None:
    derived = {"source", "root", "secrets", "cassette_sources", "fresh_sources"}
    fields = {f.name for f in dataclasses.fields(Config)} - derived  # *_sources: `cassettes`
    assert sorted(key.name for key in TOP) == sorted(fields)  # each once
    assert sorted(key.name for key in ENDPOINT) == sorted(
        f.name for f in dataclasses.fields(Endpoint)
    )
    ignore_fields = {f.name for f in dataclasses.fields(Ignore)} - {"label"}
    assert sorted(key.name for key in IGNORE) == sorted(ignore_fields)
    assert {key.env for key in TOP if key.env} == {
        f"DRIFTCHECK_{name.upper()}"
        for name in (
            "cassettes",
            "fresh",
            "concurrency",
            "timeout",
            "retries",
            "workers",
            "cache",
            "max_response_mb",
        )
    }


def test_an_environment_value_is_blamed_on_its_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "concurrency = 4\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={"DRIFTCHECK_CONCURRENCY": "0"})
    assert str(caught.value) == (
        "environment variable DRIFTCHECK_CONCURRENCY: `concurrency` must be 1 to 1024, not 0"
    )


def test_environment_paths_and_an_empty_cache(tmp_path: Path) -> None:
    path = write(tmp_path, 'cassettes = "c"\n')
    config = load_config(path, environ={"DRIFTCHECK_CASSETTES": "vcr", "DRIFTCHECK_CACHE": ""})
    assert (config.cassettes, config.cache) == (tmp_path / "vcr", None)


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


def test_params_are_needed_only_to_record(tmp_path: Path) -> None:
    """A URL placeholder without `params` loads (diff, shape, fixtures and the plugin only
    match by template); `record` and `check` refuse it, see tests/cli/test_matchers.py."""
    path = write(tmp_path, '[[endpoints]]\nname = "user"\nurl = "https://api.x.io/users/{id}"\n')
    (endpoint,) = load_config(path, environ={}).endpoints
    assert (endpoint.params, endpoint.unfilled) == ({}, "id")
    assert dataclasses.replace(endpoint, params={"id": (1,)}).unfilled is None


def test_endpoints_are_matchers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[endpoints]]\nname = "search"\nurl = "https://api.x.io/search/"\n'
        'match_query = { type = "user*", page = 2 }\n'
        '[[endpoints]]\nname = "get-user"\nmethod = "post"\nurl = "https://api.x.io/graphql"\n'
        'operation = "GetUser"\n'
        '[[endpoints]]\nname = "unset"\nurl = "https://${API_HOST}/v1/${TENANT}/items/{id}"\n',
    )
    config = load_config(path, environ={"TENANT": "acme"}, require_env=False)
    assert config.matchers == (
        Matcher("search", "GET", "api.x.io", ("search",), {"type": "user*", "page": "2"}),
        Matcher("get-user", "POST", "api.x.io", ("graphql",), operation="GetUser"),
        Matcher("unset", "GET", None, ("v1", "acme", "items", "{id}")),  # any host
    )


def test_cassettes_are_folders_or_globs(tmp_path: Path) -> None:
    """Read wherever they are; `record --update` writes into the first one's folder."""
    (tmp_path / "tests" / "cassettes").mkdir(parents=True)
    (tmp_path / "api.yaml").write_text("interactions: []")
    path = write(
        tmp_path,
        'cassettes = ["tests/cassettes/**/*.yaml", "api.yaml"]\nfresh = "api.yaml"\n',
    )
    config = load_config(path, environ={})
    assert config.cassettes == tmp_path / "tests" / "cassettes"
    assert config.committed_places == (
        f"{tmp_path}/tests/cassettes/**/*.yaml",
        f"{tmp_path}/api.yaml",
    )
    assert (config.fresh, config.fresh_places) == (tmp_path, (f"{tmp_path}/api.yaml",))
    plain = load_config(write(tmp_path, 'cassettes = "vcr"\n'), environ={})
    assert (plain.cassettes, plain.cassette_sources) == (tmp_path / "vcr", ())
    assert plain.committed_places == (str(tmp_path / "vcr"),)
    from_env = load_config(path, environ={"DRIFTCHECK_CASSETTES": "recorded/*.json"})
    assert from_env.committed_places == (f"{tmp_path}/recorded/*.json",)
    assert from_env.cassettes == tmp_path / "recorded"
