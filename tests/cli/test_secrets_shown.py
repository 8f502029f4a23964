"""End to end: `record` and `check` (every report format) against real local servers that
echo what they were sent or fail on a URL full of secrets. No secret byte, in any form,
is written or shown: not in a cassette, a report, stdout or stderr."""

from __future__ import annotations

import base64
import gzip
import html
import json
import os
import re
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus

import pytest
from click.testing import CliRunner
from werkzeug.wrappers import Request, Response

from driftcheck.cli import cli
from driftcheck.sources.yamlsafe import load
from tests.helpers import loaded_strings, on_pty
from tests.servers import LiveServer, json_response

SECRETS = {
    "PASS1": "@dm1n'p4ss",  # in a JSON request body the server echoes
    "PASS2": "pässwörd_geheim",  # in a custom header the server echoes
    "PASS3": "hunter2.Pässwort",  # URL userinfo: sent as Authorization: Basic, echoed
    "API_KEY": "key_98765abcdef",  # query of a URL that fails with 500
    "PATH_SECRET": "geheim-pfad-4711",  # path of that URL
    "TOKEN": "tok-Zz9\u00a0\u00ff-end",  # scrubbed by name (header values are latin-1)
}
FORMATS = ("json", "junit", "markdown", "github", "sarif")
FAILING = ("json_body", "custom_header", "userinfo", "server_error")


def echo(request: Request) -> Response:
    """What httpbin's /anything does: the request's URL, headers and body sent back."""
    return json_response(
        json.dumps(
            {
                "url": request.url,
                "headers": dict(request.headers),
                "data": request.get_data(as_text=True),
            }
        )
    )


def forms(value: str) -> set[str]:
    basic = f"user:{value}".encode()
    return {
        value,
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        base64.b64encode(basic).decode(),
        base64.urlsafe_b64encode(basic).decode(),
        base64.b64encode(basic.decode().encode("latin-1")).decode(),
    }


def views(text: str) -> Iterator[str]:
    """`text` and `text` with each layer a report format may add undone."""
    yield text
    yield unquote(text)
    yield unquote_plus(text)
    yield html.unescape(text)  # JUnit, SARIF markup
    yield re.sub(r"\\(.)", r"\1", text)  # Markdown's and JSON's backslashes


def shown(text: str) -> list[str]:
    """The variables whose value `text` shows in any form."""
    return sorted(
        name
        for name, value in SECRETS.items()
        if any(form in view for form in forms(value) for view in views(text))
    )


def written(folder: Path) -> list[str]:
    """The variables whose value any file under `folder` (but the config) holds."""
    found = set()
    for path in folder.rglob("*"):
        if not path.is_file() or path.name == "driftcheck.toml":
            continue
        data = path.read_bytes()
        found.update(shown(data.decode("utf-8", "replace")))
        if path.suffix == ".yaml":
            for text in loaded_strings(load(data)):
                found.update(shown(text))
    return sorted(found)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    with LiveServer() as server:
        server.routes["/anything"] = echo
        server.routes[f"/status/500/{SECRETS['PATH_SECRET']}"] = lambda r: json_response(
            '{"error": "boom"}', 500
        )
        server.routes["/ok"] = lambda r: json_response('{"id": 1, "token": "t"}')
        host = server.url.removeprefix("http://")
        (tmp_path / "driftcheck.toml").write_text(
            f"""cassettes = "cassettes"
fresh = "fresh"
timeout = 5
retries = 0
scrub_body = ["token"]

[[endpoints]]
name = "ok"
url = "{server.url}/ok"
query = {{ api_key = "${{API_KEY}}" }}
headers = {{ Authorization = "Bearer ${{TOKEN}}" }}

[[endpoints]]
name = "json_body"
method = "POST"
url = "{server.url}/anything"
json = {{ user = "ada", password = "${{PASS1}}" }}

[[endpoints]]
name = "custom_header"
url = "{server.url}/anything"
headers = {{ X-Custom = "${{PASS2}}" }}

[[endpoints]]
name = "userinfo"
url = "http://user:${{PASS3}}@{host}/anything"

[[endpoints]]
name = "server_error"
url = "{server.url}/status/500/${{PATH_SECRET}}?api_key=${{API_KEY}}"
""",
            encoding="utf-8",
        )
        yield tmp_path


def invoke(project: Path, *args: str) -> Any:
    return CliRunner().invoke(
        cli,
        [*args, "--config", str(project / "driftcheck.toml")],
        env={"NO_COLOR": "1", "COLUMNS": "200", **SECRETS},
    )


def test_record_writes_and_shows_no_secret(project: Path) -> None:
    """Regression (issue 15): the echoed JSON body, custom header and Basic userinfo were
    written; the 500's URL with `?api_key=` and the path secret was printed."""
    result = invoke(project, "record")

    assert result.exit_code == 3, result.output
    assert sorted(p.name for p in (project / "fresh").iterdir()) == ["ok.yaml"]
    assert written(project) == []
    assert shown(result.output) == []
    for name in FAILING:
        assert f"{name}: " in result.output
    assert "refused to write: the recording contains the value of ${PASS1}" in result.output
    assert "unexpected status 500 (expected below 400) from http://" in result.output


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_reports_show_no_secret(project: Path, fmt: str) -> None:
    """Regression (issue 15): the failure messages carried the unscrubbed URL into JSON
    errors, JUnit, Markdown, GitHub annotations and SARIF."""
    assert invoke(project, "record", "--update", "--endpoint", "ok").exit_code == 0
    report = project / f"report.{fmt}"

    result = invoke(project, "check", "--format", fmt, "--output", str(report))

    assert result.exit_code == 3, result.output
    text = report.read_text(encoding="utf-8")
    for name in FAILING:  # each failure is told (the progress lines on stderr at least)
        assert f"{name}: " in text + result.output
    assert shown(text) == []
    assert shown(result.output) == []
    assert written(project) == []


def test_a_real_process_writes_and_shows_no_secret(project: Path) -> None:
    config = str(project / "driftcheck.toml")
    done = subprocess.run(
        [sys.executable, "-m", "driftcheck", "record", "--config", config],
        capture_output=True,
        env={**os.environ, "NO_COLOR": "1", **SECRETS},
        timeout=120,
        check=False,
    )

    assert done.returncode == 3, done.stderr
    for stream in (done.stdout, done.stderr):
        assert shown(stream.decode("utf-8", "replace")) == []
    assert b"server_error: unexpected status 500" in done.stdout + done.stderr
    assert written(project) == []


def test_a_terminal_shows_no_secret(project: Path) -> None:
    config = str(project / "driftcheck.toml")
    command = [sys.executable, "-m", "driftcheck", "record", "--config", config]
    code, screen = on_pty(command, env=SECRETS, columns=300, timeout=120)

    assert code == 3, screen
    plain = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]|\r", "", screen)
    assert "server_error" in plain
    assert "REDACTED" in plain
    assert shown(plain) == []
    assert shown(screen) == []


# --- a server that echoes the bearer token encoded, or as its Content-Encoding ---

STRIPE = "sk_live_AbCdEf0123456789XyZ"
LONG = "sk_live_" + "QwErTy0123456789" * 3  # past the 40 characters a message kept
ENCODED = {
    "hex": lambda data: data.hex().encode(),
    "hex_upper": lambda data: data.hex().upper().encode(),
    "base32": base64.b32encode,
    "base32_unpadded": lambda data: base64.b32encode(b"Bearer:" + data).rstrip(b"="),
    "gzip": gzip.compress,
    "zlib": zlib.compress,
    "deflate": lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS),
}


def encoded_echo(encode: Any) -> Any:
    def handler(request: Request) -> Response:
        token = request.headers["Authorization"].removeprefix("Bearer ").encode()
        return Response(encode(token), 200, content_type="application/octet-stream")

    return handler


def encoding_echo(request: Request) -> Response:
    token = request.headers["Authorization"].removeprefix("Bearer ")
    return Response(b"{}", 200, headers={"Content-Encoding": token}, content_type="text/plain")


def encoded_forms(value: str) -> set[str]:
    """`value` in any case, and its hex and base32 letters, lower-cased."""
    data = value.encode()
    return {value.lower(), data.hex(), base64.b32encode(data).decode().lower()}


def test_record_writes_no_secret_echoed_encoded_or_as_the_content_encoding(
    tmp_path: Path,
) -> None:
    """Regression (issue 15): a bearer token echoed as hex, base32 or a compressed body
    without Content-Encoding was written (exit 0); echoed as the Content-Encoding, it
    was shown lower-cased or cut, a form the scrubbing of messages missed."""
    secrets = {"STRIPE": STRIPE, "LONG": LONG}
    endpoints = []
    with LiveServer() as server:
        for name, encode in ENCODED.items():
            server.routes[f"/{name}"] = encoded_echo(encode)
            endpoints.append((name, "STRIPE"))
        server.routes["/encoding"] = encoding_echo
        endpoints += [("encoding", "STRIPE"), ("encoding_long", "LONG")]
        (tmp_path / "driftcheck.toml").write_text(
            'cassettes = "cassettes"\nfresh = "fresh"\ntimeout = 5\nretries = 0\n'
            + "".join(
                f'\n[[endpoints]]\nname = "{name}"\n'
                f'url = "{server.url}/{name.removesuffix("_long")}"\n'
                f'headers = {{ Authorization = "Bearer ${{{secret}}}" }}\n'
                for name, secret in endpoints
            ),
            encoding="utf-8",
        )
        result = CliRunner().invoke(
            cli,
            ["record", "--config", str(tmp_path / "driftcheck.toml")],
            env={"NO_COLOR": "1", "COLUMNS": "300", **secrets},
        )

    assert result.exit_code == 3, result.output
    assert not (tmp_path / "fresh").exists() or not list((tmp_path / "fresh").iterdir())
    for name, _ in endpoints:
        assert f"{name}: " in result.output
    for name in ENCODED:
        assert f"{name}: refused to write: the recording contains the value of ${{STRIPE}}" in (
            result.output
        )
    assert "is not supported when recording" in result.output
    for value in secrets.values():
        for form in encoded_forms(value) | {value.lower()[:40], value.lower()[:20]}:
            assert form not in result.output.lower(), form
