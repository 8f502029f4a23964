"""`driftcheck init` planning and writing, on a generated project: cassettes recorded by
real vcrpy (pytest-recording's layout, several endpoints per file) from a real local
server, and test modules mocking the same API with responses, requests-mock and
unittest.mock (tests/init_project.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftcheck.config import Endpoint, load_config
from driftcheck.errors import ConfigError, InputError
from driftcheck.record.recorder import samples
from driftcheck.run import init_toml
from driftcheck.run.init import init, write_config
from driftcheck.run.init_names import Draft, endpoint_names, placeholder_names, variable
from driftcheck.run.init_params import covering, harvest, request_body, secret_query
from driftcheck.run.init_summary import summary
from driftcheck.run.recordings import Recordings
from driftcheck.sources.cassettes import read_cassette
from driftcheck.sources.discovery import Request as Recorded
from tests.init_project import API, CASSETTES, ONE, SECRETS, make_project
from tests.mock_api import write

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("project")
    return root, make_project(root)


def _config(path: Path) -> Any:
    return load_config(path, environ={}, require_env=False)


def _recorded(root: Path) -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """Every recorded (method, URL without query, query pairs without secrets)."""
    found = set()
    for path in (root / "tests" / "cassettes").rglob("*.yaml"):
        for interaction in read_cassette(path).interactions:
            found.add(_call(interaction.method, interaction.uri))
    return found


def _call(method: str, url: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    parts = urlsplit(url)
    query = tuple(sorted((k, v) for k, v in parse_qsl(parts.query) if k != "api_key"))
    return method, f"{parts.scheme}://{parts.netloc}{parts.path}", query


def _tree(root: Path) -> list[tuple[str, int]]:
    return sorted((p.relative_to(root).as_posix(), p.stat().st_mtime_ns) for p in root.rglob("*"))


def test_dry_run_plans_every_endpoint_and_writes_nothing(project: tuple[Path, str]) -> None:
    root, local = project
    before = _tree(root)
    result = init(root, dry_run=True, reading=ONE)
    assert not result.written
    assert _tree(root) == before
    assert [(p.endpoint.name, p.key, dict(p.statuses)) for p in result.plan.endpoints] == [
        ("health", f"GET {local.removeprefix('http://')}/health", {200: 1}),
        ("users", "GET api.example.com/users", {200: 2}),
        ("user", "GET api.example.com/users/{id}", {200: 2, 404: 1}),
        ("user_orders", "GET api.example.com/users/{id}/orders", {200: 2}),
        ("graphql_repos", "POST api.example.com/graphql", {200: 1}),
        ("graphql_viewer", "POST api.example.com/graphql", {200: 1}),
        ("post_users", "POST api.example.com/users", {201: 1}),
    ]
    assert [p.local for p in result.plan.endpoints] == [True] + [False] * 6
    assert result.plan.cassettes.places == ("tests/cassettes",)
    assert len(result.plan.cassettes.files) == len(CASSETTES)


def test_endpoints_carry_templates_params_statuses_and_no_secret(
    project: tuple[Path, str],
) -> None:
    root, _ = project
    planned = {
        p.endpoint.name: p.endpoint for p in init(root, dry_run=True, reading=ONE).plan.endpoints
    }
    assert planned["user"] == Endpoint(
        name="user",
        url=f"{API}/users/{{id}}",
        params={"id": (1, 2, 999)},
        headers={"Authorization": "Bearer ${API_TOKEN}"},
        expect_status=(200, 404),
    )
    assert planned["users"] == Endpoint(
        name="users",
        url=f"{API}/users",
        params={"page": (1, 2)},
        query={"api_key": "${API_KEY}"},
        expect_status=(200,),
    )
    assert planned["user_orders"].params == {"id": (2, 1)}
    assert planned["post_users"] == Endpoint(
        name="post_users",
        url=f"{API}/users",
        method="POST",
        json={"name": "Lin", "password": "${API_PASSWORD}"},
        expect_status=(201,),
    )
    assert planned["graphql_viewer"] == Endpoint(
        name="graphql_viewer",
        url=f"{API}/graphql",
        method="POST",
        json={"query": "query Viewer { viewer { login } }", "operationName": "Viewer"},
        expect_status=(200,),
        operation="Viewer",
    )


def test_mocks_are_matched_by_url_patch_target_and_shape(project: tuple[Path, str]) -> None:
    root, _ = project
    mocks = init(root, dry_run=True, reading=ONE).plan.mocks
    assert [(str(m.location), m.endpoint, m.status, m.matched_by) for m in mocks.matched] == [
        ("tests/test_users.py:16", "user", 200, "url"),
        ("tests/test_users.py:22", "user", 404, "url"),
        ("tests/test_users.py:27", "users", 200, "url"),
        ("tests/test_users.py:33", "user_orders", 200, "patch-target"),
        ("tests/test_users.py:45", "health", 200, "shape"),
    ]
    assert [(str(u.location), u.reason) for u in mocks.unmatched] == [
        (
            "tests/test_users.py:39",
            "`client.requests.get` is called for several endpoints (user, users); user and "
            "users fit its shape about equally: 3 of 3 keys known to user, 3 of its 3 required "
            "keys present; 3 of 3 keys known to users, 3 of its 3 required keys present",
        ),
        (
            "tests/test_users.py:51",
            "GET https://other.example.org/things fits no recorded endpoint",
        ),
    ]
    assert mocks.unmocked == ("graphql_repos", "graphql_viewer", "post_users")


def test_written_config_loads_and_round_trips(project: tuple[Path, str], tmp_path: Path) -> None:
    root, _ = project
    output = tmp_path / "elsewhere" / "driftcheck.toml"
    result = init(root, output, reading=ONE)
    assert result.written
    assert output.read_text() == result.text
    config = _config(output)
    assert config.endpoints == tuple(p.endpoint for p in result.plan.endpoints)
    assert config.cassettes == (root / "tests" / "cassettes").resolve()
    assert config.fresh == output.parent / ".driftcheck" / "fresh"
    assert config.scrub_body == ("password",)
    assert result.text.startswith("# Generated by `driftcheck init`")
    assert not [p for p in output.parent.iterdir() if p.name != "driftcheck.toml"]


def test_diff_reads_the_endpoints_init_planned(project: tuple[Path, str], tmp_path: Path) -> None:
    """Config mode names every recorded interaction by the written matchers: each endpoint
    holds exactly the recordings, per status, that init counted for it."""
    root, _ = project
    output = tmp_path / "driftcheck.toml"
    plan = init(root, output, reading=ONE).plan
    loaded = Recordings(_config(output), ONE).committed
    read = {
        name: {status: shape.samples for status, shape in statuses.items()}
        for name, statuses in loaded.endpoints.endpoints.items()
    }
    assert read == {p.endpoint.name: dict(p.statuses) for p in plan.endpoints}


def test_params_reproduce_recorded_urls(project: tuple[Path, str], tmp_path: Path) -> None:
    """Every URL `record` would call was recorded, and every recorded URL of a GET
    endpoint is among them (the handful cap is not reached here)."""
    root, _ = project
    output = tmp_path / "driftcheck.toml"
    init(root, output, reading=ONE)
    recorded = _recorded(root)
    called = {
        _call(endpoint.method, sample.url)
        for endpoint in _config(output).endpoints
        for sample in samples(endpoint)
    }
    assert called <= recorded
    assert {call for call in recorded if call[0] == "GET"} <= called


def test_no_secret_is_written(project: tuple[Path, str], tmp_path: Path) -> None:
    root, _ = project
    text = init(root, tmp_path / "driftcheck.toml", reading=ONE).text
    assert [secret for secret in SECRETS if secret in text] == []
    assert 'headers = { Authorization = "Bearer ${API_TOKEN}" }' in text
    assert 'query = { api_key = "${API_KEY}" }' in text
    assert "# Credentials are never written: set API_KEY, API_PASSWORD, API_TOKEN" in text


def test_an_existing_config_is_kept_unless_forced(tmp_path: Path) -> None:
    write(tmp_path, {"cassettes/a.yaml": CASSETTE, "driftcheck.toml": "# mine\n"})
    with pytest.raises(ConfigError) as error:
        init(tmp_path, reading=ONE)
    assert str(error.value) == (
        f"{tmp_path / 'driftcheck.toml'} exists: `driftcheck init --force` overwrites it "
        "(`--dry-run` shows what would be written)"
    )
    assert (tmp_path / "driftcheck.toml").read_text() == "# mine\n"
    init(tmp_path, force=True, reading=ONE)
    assert [e.name for e in _config(tmp_path / "driftcheck.toml").endpoints] == ["user"]


def test_a_pyproject_config_is_kept_unless_forced(tmp_path: Path) -> None:
    write(tmp_path, {"cassettes/a.yaml": CASSETTE, "pyproject.toml": "[tool.driftcheck]\n"})
    with pytest.raises(ConfigError, match=r"pyproject.toml has a \[tool.driftcheck\] config"):
        init(tmp_path, reading=ONE)
    assert not (tmp_path / "driftcheck.toml").exists()
    assert init(tmp_path, force=True, reading=ONE).written


def test_no_cassettes_says_where_it_looked_and_what_a_cassette_is(tmp_path: Path) -> None:
    write(tmp_path, {"tests/fixtures/user.json": '{"id": 1}', ".venv/c.yaml": CASSETTE})
    with pytest.raises(InputError) as error:
        init(tmp_path, reading=ONE)
    assert str(error.value) == (
        f"no cassettes found under {tmp_path} (every folder searched, hidden folders, "
        "virtualenvs, node_modules and site-packages skipped): a cassette is a VCR.py, Ruby "
        "VCR or Betamax recording: a YAML or JSON file whose document has an `interactions` "
        "(or `http_interactions`) list; record some with vcrpy or pytest-recording first"
    )


def test_betamax_json_cassettes_and_unreadable_ones(tmp_path: Path) -> None:
    """Betamax's `tests/cassettes/*.json` are found and read in config mode; a file that
    looks like a cassette but cannot be read is listed with its reason, not fatal."""
    betamax = {
        "http_interactions": [
            {
                "request": {"method": "GET", "uri": f"{API}/items/{n}", "headers": {}},
                "response": {"status": {"code": 200}, "headers": {}, "body": {"string": "{}"}},
            }
            for n in (4, 5)
        ],
        "recorded_with": "betamax/0.8.1",
    }
    write(
        tmp_path,
        {
            "tests/cassettes/items.json": json.dumps(betamax),
            "tests/cassettes/broken.yaml": "interactions: [:\n",
        },
    )
    result = init(tmp_path, reading=ONE)
    (planned,) = result.plan.endpoints
    assert planned.endpoint == Endpoint(
        name="item", url=f"{API}/items/{{id}}", params={"id": (4, 5)}, expect_status=(200,)
    )
    assert [(e.file, e.message) for e in result.plan.errors] == [
        (
            str(tmp_path / "tests/cassettes/broken.yaml"),
            "invalid YAML at line 1, column 16: did not find expected node content",
        )
    ]
    assert (
        "1 file not read\n  tests/cassettes/broken.yaml:  invalid YAML at line 1, column 16: "
        "did not find expected node content\n"
    ) in summary(result)
    config = _config(tmp_path / "driftcheck.toml")
    assert list(Recordings(config, ONE).committed.endpoints.endpoints) == ["item"]


def test_a_config_that_would_not_load_is_never_written(tmp_path: Path) -> None:
    target = tmp_path / "driftcheck.toml"
    with pytest.raises(ConfigError, match="unknown key `nmae`"):
        write_config(target, 'nmae = "x"\n')
    assert list(tmp_path.iterdir()) == []


CASSETTE = """
    interactions:
    - request:
        method: GET
        uri: https://api.example.com/users/7
        body: null
        headers: {}
      response:
        status: {code: 200, message: OK}
        headers: {Content-Type: [application/json]}
        body: {string: '{"id": 7}'}
    version: 1
"""


# Names, placeholders, variables


def test_names_come_from_the_path() -> None:
    drafts = [
        Draft.of("GET api.example.com/api/v1/users"),
        Draft.of("GET api.example.com/api/v1/users/{id}"),
        Draft.of("GET api.example.com/users/{id}/orders/{id}"),
        Draft.of("DELETE api.example.com/users/{id}"),
        Draft.of("POST api.github.com/graphql", "GetUserRepos"),
        Draft.of("GET api.example.com/"),
        Draft.of("GET api.example.com/2/tweets.json"),
        Draft.of("GET api.example.com/categories"),
    ]
    assert list(endpoint_names(drafts).values()) == [
        "users",
        "user",
        "user_order",
        "delete_user",
        "graphql_get_user_repos",
        "root",
        "tweets",
        "categories",
    ]


@pytest.mark.parametrize(
    ("keys", "names"),
    [
        (["GET api.github.com/user", "GET api.gitlab.com/user"], ["github_user", "gitlab_user"]),
        (
            [
                "POST app.crewai.com/batches",
                "POST fake.crewai.com/batches",
                "POST localhost:3000/batches",
            ],
            ["app_post_batches", "fake_post_batches", "localhost_post_batches"],
        ),
        (
            ["GET bedrock.us-west-2.aws.com/converse", "GET bedrock.vcr.aws.com/converse"],
            ["us_west_2_converse", "vcr_converse"],
        ),
        (
            ["GET localhost:3000/x", "GET localhost:9999/x"],
            ["local_3000_x", "local_9999_x"],
        ),
        (
            ["GET h.com/api/v1/downtime", "GET h.com/api/v2/downtime"],
            ["downtime_v1", "downtime_v2"],
        ),
        (["GET h.com/2/tweets", "GET h.com/1.1/tweets"], ["tweets_v2", "tweets_v1_1"]),
        (["GET h.com/dashboard", "GET h.com/dashboard/{id}"], ["dashboard", "dashboard_by_id"]),
        (["GET h.com/a/validate", "GET h.com/a/{id}/validate"], ["a_validate", "a_validate_2"]),
    ],
)
def test_names_that_collide_take_what_tells_them_apart(keys: list[str], names: list[str]) -> None:
    assert list(endpoint_names([Draft.of(key) for key in keys]).values()) == names


def test_placeholders_are_named_after_their_collection() -> None:
    assert placeholder_names(["users", "{id}"]) == ["id"]
    assert placeholder_names(["users", "{id}", "orders", "{id}"]) == ["user_id", "order_id"]
    assert placeholder_names(["repos", "{id}", "{id}"]) == ["repo_id", "repo_id_2"]
    assert placeholder_names(["users", "{id}"], frozenset({"id"})) == ["id_2"]


def test_variables_name_the_credential() -> None:
    assert variable("X-Api-Key") == "API_KEY"
    assert variable("token") == "API_TOKEN"
    assert variable("access_token", "github") == "GITHUB_ACCESS_TOKEN"
    assert variable("Private-Token") == "PRIVATE_TOKEN"
    assert variable("X-Agentops-Api-Key", "agentops") == "AGENTOPS_API_KEY"


# Params and query


def test_params_take_only_combinations_that_were_recorded() -> None:
    rows = [("1", "10"), ("1", "11"), ("2", "10"), ("2", "12"), ("3", "13")]
    assert covering(rows) == [["1"], ["10", "11"]]  # (2, 11) was never recorded
    assert covering([(str(n),) for n in range(9)]) == [["0", "1", "2", "3", "4"]]
    assert covering([()]) == []


def test_query_keys_constant_varying_secret_and_left_out() -> None:
    found = harvest(
        ("search",),
        [
            f"{API}/search?q=a&lang=en&api_key=1&sig=abc",
            f"{API}/search?q=b&lang=en&api_key=1&sig=abd",
            f"{API}/search?q=c",
        ],
    )
    assert found.params == {"q": ("a", "b")}
    assert found.query == {"lang": "en"}
    assert [(n.where, n.name) for n in found.needs] == [("query", "api_key"), ("query", "sig")]
    assert found.left_out == 1


@pytest.mark.parametrize(
    ("name", "value", "secret"),
    [
        ("api_key", "x", True),
        ("apiKey", "x", True),
        ("X-Amz-Signature", "x", True),
        ("client_secret", "x", True),
        ("page_token", "x", False),
        ("page", "2", False),
        ("sort_key", "name", False),
        ("q", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig", True),
        ("q", "REDACTED", True),
    ],
)
def test_secret_query_parameters(name: str, value: str, secret: bool) -> None:
    assert secret_query(name, value) is secret


def test_request_body_drops_nulls_and_hides_secrets() -> None:
    body = json.dumps({"a": None, "user": {"password": "p", "key": "PROJ"}, "n": [1]})
    found = request_body(Recorded("POST", API, body=body), "POST", lambda need: "PW")
    assert found.value == {"user": {"password": "${PW}", "key": "PROJ"}, "n": [1]}
    assert [n.name for n in found.needs] == ["password"]
    assert request_body(Recorded("POST", API, body="a=1"), "POST").note == (
        "request body not JSON: `record` sends none"
    )
    assert request_body(Recorded("POST", API, body="[1, null]"), "POST").value is None
    assert request_body(Recorded("GET", API, body='{"a": 1}'), "GET").value is None


# The TOML writer


def test_strings_are_escaped() -> None:
    text = 'a "quoted" \\ back\tslash\n\x01\x7f é'
    written = init_toml.value({"k": text, "two words": [1, 2.5, True]})
    assert written == (
        '{ k = "a \\"quoted\\" \\\\ back\\tslash\\n\\u0001\\u007f é", '
        '"two words" = [1, 2.5, true] }'
    )
    assert tomllib.loads(f"x = {written}")["x"] == {"k": text, "two words": [1, 2.5, True]}


def test_values_toml_cannot_hold_are_refused() -> None:
    with pytest.raises(init_toml.TomlError, match="TOML has no value for NoneType"):
        init_toml.value([None])
    with pytest.raises(init_toml.TomlError, match="lone surrogate"):
        init_toml.value("\ud800")


JSON_VALUES = st.recursive(
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(st.characters(exclude_categories=("Cs",))),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(st.characters(exclude_categories=("Cs",))), children, max_size=4)
    ),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_every_json_value_without_null_round_trips(item: Any) -> None:
    assert tomllib.loads(f"x = {init_toml.value(item)}")["x"] == item


@pytest.mark.parametrize("text", ["x\u202ey", "a\u2066b\u2069", "c1\x85", "ls\u2028", "\ufeffbom"])
def test_toml_strings_hide_no_invisible_character(text: str) -> None:
    """A config people review must read as it parses: bidi controls, C1 and line
    separators from recorded URLs are written as escapes (Trojan Source)."""
    import tomllib

    from driftcheck.run.init_toml import string

    written = string(text)
    assert all(ord(c) < 0x7F or c.isalnum() for c in written)
    assert tomllib.loads(f"k = {written}")["k"] == text


def test_names_from_very_long_paths_are_file_names_the_config_accepts() -> None:
    """A recorded path of 100 segments made a 300-character name that init then refused
    to write (red team); long names are cut, told apart by a digest, and still unique."""
    from driftcheck.config_checks import MAX_NAME

    keys = [
        "GET api.example.com/" + "/".join(["ab"] * 100) + "/end",
        "GET api.example.com/" + "/".join(["ab"] * 100) + "/other",
    ]
    names = list(endpoint_names([Draft.of(key) for key in keys]).values())
    assert all(len(name) <= MAX_NAME for name in names)
    assert len(set(names)) == 2
    assert names == list(endpoint_names([Draft.of(key) for key in keys]).values())
