"""A `${VAR}` in a URL's path, query or userinfo is one value there: its `&`, `#`, `/` or
`..` can neither change the URL called nor split the secret into pieces that scrubbing no
longer recognises (red team: `?q=${S}` with `S='Ab12cd&#Cd34Ef56'` was recorded as
`?q=Ab12cd#Cd34Ef56`, and `/ok/${S}` with `xx/../Zq9Kw2LmPp` as `/ok/Zq9Kw2LmPp`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.wrappers import Request, Response

from driftcheck.cli import cli
from driftcheck.config import load_config
from tests.servers import LiveServer, json_response

SECRETS = {"S": "Ab12cd&#Cd34Ef56", "T": "xx/../Zq9Kw2LmPp", "PW": "p@ss:w/rd?&#=%41"}


@pytest.fixture
def server() -> Iterator[LiveServer]:
    with LiveServer() as live:
        yield live


def test_a_variable_in_the_path_query_or_userinfo_is_one_percent_encoded_value(
    tmp_path: Path,
) -> None:
    (tmp_path / "driftcheck.toml").write_text(
        '[[endpoints]]\nname = "q"\nurl = "http://h.example/ok?q=${S}&n=1"\n'
        '[[endpoints]]\nname = "p"\nurl = "http://h.example/ok/${T}/x"\n'
        '[[endpoints]]\nname = "u"\nurl = "http://me:${PW}@h.example/x"\n'
        '[[endpoints]]\nname = "base"\nurl = "${BASE}/users"\n'
    )
    environ = {**SECRETS, "BASE": "https://api.example.com/v1"}
    urls = [e.url for e in load_config(tmp_path / "driftcheck.toml", environ=environ).endpoints]
    assert urls == [
        "http://h.example/ok?q=Ab12cd%26%23Cd34Ef56&n=1",
        "http://h.example/ok/xx%2F..%2FZq9Kw2LmPp/x",
        "http://me:p%40ss%3Aw%2Frd%3F%26%23%3D%2541@h.example/x",
        "https://api.example.com/v1/users",  # the scheme and host are the URL's own text
    ]


def test_recording_sends_the_value_whole_and_writes_no_piece_of_it(
    tmp_path: Path, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, str]] = []

    def record_what_arrived(request: Request) -> Response:
        seen.append((request.path, request.args.get("q", "")))
        return json_response('{"ok": true}')

    server.routes["/ok"] = record_what_arrived
    server.routes[f"/ok/{SECRETS['T']}"] = record_what_arrived  # werkzeug decodes %2F
    (tmp_path / "driftcheck.toml").write_text(
        'fresh = "fresh"\nretries = 0\n'
        f'[[endpoints]]\nname = "q"\nurl = "{server.url}/ok?q=${{S}}"\n'
        f'[[endpoints]]\nname = "p"\nurl = "{server.url}/ok/${{T}}"\n'
    )
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["record"])
    assert result.exit_code == 0, result.output
    assert sorted(seen) == [("/ok", SECRETS["S"]), (f"/ok/{SECRETS['T']}", "")]
    written = "".join(p.read_text() for p in sorted((tmp_path / "fresh").iterdir()))
    for piece in ("Ab12cd", "Cd34Ef56", "Zq9Kw2LmPp"):
        assert piece not in written
        assert piece not in result.output
