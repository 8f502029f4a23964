"""Recording against real local servers: faults produced for real, secrets never on disk."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import vcr
from click.testing import CliRunner
from werkzeug.wrappers import Request, Response

from driftcheck.cli import cli
from driftcheck.sources.cassettes import read_cassette
from tests.servers import LiveServer, dropping_server, json_response, refused_url, sequence, slow

USER = '{"id": 1, "name": "Ada", "profile": {"age": 36}}'


def config_text(*endpoints: str, extra: str = "") -> str:
    head = 'cassettes = "cassettes"\nfresh = "fresh"\ntimeout = 1\nretries = 2\n' + extra
    return head + "\n".join(endpoints)


def endpoint(name: str, url: str, **fields: str) -> str:
    lines = ["[[endpoints]]", f'name = "{name}"', f'url = "{url}"']
    lines += [f"{key} = {value}" for key, value in fields.items()]
    return "\n".join(lines) + "\n"


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> object:
    return CliRunner().invoke(
        cli,
        ["record", "--config", str(tmp_path / "driftcheck.toml"), *args],
        env={"NO_COLOR": "1", **(env or {})},
    )


@pytest.fixture
def server() -> LiveServer:
    with LiveServer() as live:
        yield live


def test_records_one_interaction_per_param_combination(tmp_path: Path, server: LiveServer) -> None:
    server.routes["/users/1"] = lambda r: json_response(USER)
    server.routes["/users/2"] = lambda r: json_response('{"id": 2, "name": "Bob"}')
    (tmp_path / "driftcheck.toml").write_text(
        config_text(
            endpoint(
                "user",
                f"{server.url}/users/{{id}}",
                params='{ id = [1, 2], verbose = ["yes"] }',
            )
        )
    )
    result = run(tmp_path)
    assert result.exit_code == 0, result.output
    assert f"recorded 1 of 1 endpoints into {tmp_path / 'fresh'}" in result.output
    interactions = read_cassette(tmp_path / "fresh" / "user.yaml").interactions
    assert [i.uri for i in interactions] == [
        f"{server.url}/users/1?verbose=yes",
        f"{server.url}/users/2?verbose=yes",
    ]
    assert interactions[0].body == json.loads(USER)
    text = (tmp_path / "fresh" / "user.yaml").read_text()
    assert '"name": "Ada"' in text  # stored decoded and readable, not !!binary


def test_update_out_and_endpoint_selection(tmp_path: Path, server: LiveServer) -> None:
    server.routes["/a"] = lambda r: json_response("{}")
    server.routes["/b"] = lambda r: json_response("[]")
    (tmp_path / "driftcheck.toml").write_text(
        config_text(endpoint("a", f"{server.url}/a"), endpoint("b", f"{server.url}/b"))
    )
    assert run(tmp_path, "--update", "--endpoint", "b").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "cassettes").iterdir()) == ["b.yaml"]
    assert run(tmp_path, "--out", str(tmp_path / "elsewhere")).exit_code == 0
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == ["a.yaml", "b.yaml"]
    both = run(tmp_path, "--out", "x", "--update")
    assert both.exit_code == 2
    assert "give --out or --update, not both" in both.output
    unknown = run(tmp_path, "--endpoint", "c")
    assert unknown.exit_code == 2
    assert "unknown endpoint `c`" in unknown.output


def test_replays_under_vcrpy_with_record_mode_none(tmp_path: Path) -> None:
    with LiveServer() as live:
        live.routes["/users/1"] = lambda r: json_response(USER)
        (tmp_path / "driftcheck.toml").write_text(
            config_text(endpoint("user", f"{live.url}/users/{{id}}", params="{ id = [1] }"))
        )
        assert run(tmp_path, "--update").exit_code == 0
        url = f"{live.url}/users/1"
    # The server is gone: only the cassette can answer.
    with vcr.use_cassette(str(tmp_path / "cassettes" / "user.yaml"), record_mode="none"):
        response = requests.get(url, timeout=5)
    assert response.json() == json.loads(USER)


def test_committed_demo_cassettes_replay_under_vcrpy() -> None:
    cassette = Path(__file__).parents[2] / "cassettes" / "user.yaml"
    with vcr.use_cassette(str(cassette), record_mode="none"):
        body = requests.get("http://127.0.0.1:8765/users/4", timeout=5).json()
    assert body["id"] == 4
    assert "profile" not in body  # a new user, as the demo API says


SECRETS = {
    "API_TOKEN": "tok-9f8e7d6c5b4a",
    "API_KEY": "key-1a2b3c4d5e6f",
    "SESSION": "sess-abcdef123456",
    "PASSWORD": "pw-hunter2hunter2",
}


def test_no_secret_byte_reaches_disk(tmp_path: Path, server: LiveServer) -> None:
    def login(request: Request) -> Response:
        response = json_response(
            json.dumps(
                {
                    "user": "ada",
                    "token": SECRETS["API_TOKEN"],
                    "nested": [{"password": SECRETS["PASSWORD"]}],
                }
            )
        )
        response.set_cookie("session", SECRETS["SESSION"])
        return response

    server.routes["/login"] = login
    (tmp_path / "driftcheck.toml").write_text(
        config_text(
            endpoint(
                "login",
                f"{server.url}/login",
                method='"POST"',
                query='{ api_key = "${API_KEY}" }',
                headers=(
                    '{ Authorization = "Bearer ${API_TOKEN}", Cookie = "session=${SESSION}", '
                    'X-Client-Token = "${API_KEY}" }'
                ),
                json='{ username = "ada", password = "${PASSWORD}" }',
            ),
            extra='scrub_body = ["password", "token"]\n',
        )
    )
    result = run(tmp_path, env=SECRETS)
    assert result.exit_code == 0, result.output
    request = server.requests[0]  # the secrets really were sent
    assert request.headers["Authorization"] == f"Bearer {SECRETS['API_TOKEN']}"
    assert request.args["api_key"] == SECRETS["API_KEY"]
    written = b"".join(
        p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".toml"
    )
    for value in SECRETS.values():
        assert value.encode() not in written
    (interaction,) = read_cassette(tmp_path / "fresh" / "login.yaml").interactions
    assert interaction.body == {
        "user": "ada",
        "token": "REDACTED",
        "nested": [{"password": "REDACTED"}],
    }
    assert "api_key=REDACTED" in interaction.uri


def test_leaked_secret_refuses_the_write(tmp_path: Path, server: LiveServer) -> None:
    server.routes["/echo"] = lambda r: json_response(
        json.dumps({"you_sent": r.headers["Authorization"]})
    )
    server.routes["/ok"] = lambda r: json_response("{}")
    (tmp_path / "driftcheck.toml").write_text(
        config_text(
            endpoint(
                "echo", f"{server.url}/echo", headers='{ Authorization = "Bearer ${API_TOKEN}" }'
            ),
            endpoint("ok", f"{server.url}/ok"),
        )
    )
    result = run(tmp_path, env=SECRETS)
    assert result.exit_code == 3
    assert (
        "echo: refused to write: the recording contains the value of ${API_TOKEN}; add the header, "
        "query parameter or body key that carries it to scrub_headers, scrub_query or scrub_body"
    ) in result.output
    assert sorted(p.name for p in (tmp_path / "fresh").iterdir()) == ["ok.yaml"]
    assert SECRETS["API_TOKEN"] not in result.output


def test_faults_leave_old_cassettes_byte_identical(tmp_path: Path, server: LiveServer) -> None:
    server.routes["/good"] = lambda r: json_response(USER)
    server.routes["/error"] = lambda r: json_response('{"error": "boom"}', 500)
    server.routes["/slow"] = slow(3, lambda r: json_response("{}"))
    server.routes["/broken"] = lambda r: json_response('{"id": 1, "name": ')
    server.routes["/missing"] = lambda r: json_response('{"error": "nope"}', 404)
    with dropping_server() as dropping:
        names = {
            "good": f"{server.url}/good",
            "error": f"{server.url}/error",
            "slow": f"{server.url}/slow",
            "broken": f"{server.url}/broken",
            "missing": f"{server.url}/missing",
            "refused": refused_url(),
            "dropped": dropping,
        }
        (tmp_path / "driftcheck.toml").write_text(
            config_text(*(endpoint(n, u, expect_status="[200]") for n, u in names.items()))
        )
        committed = tmp_path / "cassettes"
        committed.mkdir()
        before = {}
        for name in names:
            (committed / f"{name}.yaml").write_text(f"# committed {name}\ninteractions: []\n")
            before[name] = (committed / f"{name}.yaml").read_bytes()
        result = run(tmp_path, "--update", "--timeout", "0.5", "--retries", "1")
    assert result.exit_code == 3
    lines = result.output.splitlines()
    assert "recorded 1 of 7 endpoints into" in result.output
    assert "6 failed; their existing cassettes were left untouched:" in lines
    expected = {
        "error": f"unexpected status 500 (expected 200) from {server.url}/error",
        "slow": "timed out after 0.5 s",
        "broken": "not valid JSON: Expecting value: line 1 column 19 (char 18) "
        f"(from {server.url}/broken)",
        "missing": f"unexpected status 404 (expected 200) from {server.url}/missing",
        "refused": "connection refused",
        "dropped": "connection closed by the server without a response",
    }
    for name, reason in expected.items():
        assert f"  {name}: {reason}" in lines
        assert (committed / f"{name}.yaml").read_bytes() == before[name]
    assert read_cassette(committed / "good.yaml").interactions[0].body == json.loads(USER)
    assert server.hits["/error"] == 2  # one retry
    assert not list(committed.glob(".*.tmp"))


def test_retry_after_is_honoured_on_429(tmp_path: Path, server: LiveServer) -> None:
    server.routes["/limited"] = sequence(
        json_response('{"error": "slow down"}', 429, **{"Retry-After": "1"}),
        json_response(USER),
    )
    (tmp_path / "driftcheck.toml").write_text(
        config_text(endpoint("limited", f"{server.url}/limited"))
    )
    started = time.monotonic()
    result = run(tmp_path)
    waited = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert server.hits["/limited"] == 2
    assert waited >= 1.0  # a lower bound only: Retry-After said one second
    assert "limited: waiting 1 s before retry 1 of 2 (Retry-After: 1)\n" in result.stderr
    assert read_cassette(tmp_path / "fresh" / "limited.yaml").interactions[0].status == 200


def test_5xx_then_success_is_retried(tmp_path: Path, server: LiveServer) -> None:
    server.routes["/flaky"] = sequence(
        json_response("{}", 503), json_response("{}", 502), json_response(USER)
    )
    (tmp_path / "driftcheck.toml").write_text(config_text(endpoint("flaky", f"{server.url}/flaky")))
    result = run(tmp_path)
    assert result.exit_code == 0, result.output
    assert server.hits["/flaky"] == 3


def test_concurrency_bounds_requests_in_flight(tmp_path: Path, server: LiveServer) -> None:
    for n in range(12):
        server.routes[f"/e{n}"] = slow(0.2, lambda r: json_response("{}"))
    (tmp_path / "driftcheck.toml").write_text(
        config_text(*(endpoint(f"e{n}", f"{server.url}/e{n}") for n in range(12)))
    )
    result = run(tmp_path, "--concurrency", "4")
    assert result.exit_code == 0, result.output
    assert 2 <= server.peak <= 4
    assert len(list((tmp_path / "fresh").glob("*.yaml"))) == 12


def test_no_endpoints_configured(tmp_path: Path) -> None:
    (tmp_path / "driftcheck.toml").write_text("concurrency = 2\n")
    result = run(tmp_path)
    assert result.exit_code == 2
    assert f"Error: {tmp_path / 'driftcheck.toml'}: no [[endpoints]] to record" in result.output


def test_ctrl_c_leaves_no_partial_file(tmp_path: Path, server: LiveServer) -> None:
    server.routes["/fast"] = lambda r: json_response(USER)
    server.routes["/slow"] = slow(5, lambda r: json_response(USER))
    (tmp_path / "driftcheck.toml").write_text(
        config_text(
            endpoint("fast", f"{server.url}/fast"),
            endpoint("slow", f"{server.url}/slow"),
            extra="timeout = 30\n".replace("timeout = 30\n", ""),
        )
    )
    committed = tmp_path / "cassettes"
    committed.mkdir()
    (committed / "slow.yaml").write_text("# committed\ninteractions: []\n")
    before = (committed / "slow.yaml").read_bytes()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "driftcheck",
            "record",
            "--update",
            "--timeout",
            "30",
            "--config",
            str(tmp_path / "driftcheck.toml"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while not (committed / "fast.yaml").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "interrupted: cassettes already written are complete; nothing partial was left" in stderr
    assert "Traceback" not in stderr
    assert (committed / "slow.yaml").read_bytes() == before
    assert read_cassette(committed / "fast.yaml").interactions[0].status == 200
    assert [p.name for p in committed.iterdir() if p.name.startswith(".")] == []


def test_shards_split_the_endpoints(tmp_path: Path, server: LiveServer) -> None:
    for name in "abcd":
        server.routes[f"/{name}"] = lambda r: json_response("{}")
    (tmp_path / "driftcheck.toml").write_text(
        config_text(*(endpoint(name, f"{server.url}/{name}") for name in "dcba"))
    )
    assert run(tmp_path, "--shard", "1/2").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "fresh").iterdir()) == ["a.yaml", "c.yaml"]
    assert run(tmp_path, "--shard", "2/2").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "fresh").iterdir()) == [
        "a.yaml", "b.yaml", "c.yaml", "d.yaml",
    ]  # fmt: skip
    empty = run(tmp_path, "--shard", "5/5")
    assert empty.exit_code == 0
    assert "nothing to record" in empty.output


def test_max_age_records_only_what_is_due(tmp_path: Path, server: LiveServer) -> None:
    server.routes["/a"] = lambda r: json_response("{}")
    server.routes["/b"] = lambda r: json_response("{}")
    (tmp_path / "driftcheck.toml").write_text(
        config_text(endpoint("a", f"{server.url}/a"), endpoint("b", f"{server.url}/b"))
    )
    assert run(tmp_path, "--endpoint", "a").exit_code == 0
    assert server.hits["/a"] == 1
    result = run(tmp_path, "--max-age", "1d")  # a.yaml is minutes old: only b is due
    assert result.exit_code == 0, result.output
    assert (server.hits["/a"], server.hits["/b"]) == (1, 1)
    assert "recorded 1 of 1 endpoints" in result.output


def test_diff_and_fixtures_need_no_secrets(tmp_path: Path, server: LiveServer) -> None:
    server.routes["/a"] = lambda r: json_response('{"id": 1}')
    (tmp_path / "driftcheck.toml").write_text(
        config_text(
            endpoint("a", f"{server.url}/a", headers='{ Authorization = "Bearer ${API_TOKEN}" }')
        )
    )
    recorded = run(tmp_path, "--update", env={"API_TOKEN": "s3cret-token"})
    assert recorded.exit_code == 0, recorded.output
    refused = run(tmp_path, "--update")  # recording needs the variable
    assert refused.exit_code == 2
    assert "environment variable `API_TOKEN` is not set" in refused.output
    (tmp_path / "fresh").mkdir(exist_ok=True)
    (tmp_path / "fresh" / "a.yaml").write_text((tmp_path / "cassettes" / "a.yaml").read_text())
    config = str(tmp_path / "driftcheck.toml")
    result = CliRunner().invoke(cli, ["diff", "--config", config, "--format", "json"], env={})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []
