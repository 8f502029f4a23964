"""Recording stays bounded against hostile servers and survives per-endpoint failures.

Real local servers: a gzip bomb, bodies and headers dripping a byte at a time, a
Retry-After of a day; real write failures: a name too long, a file where the folder
should be, a full (tmpfs) filesystem.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.wrappers import Response

from driftcheck.config import Endpoint
from driftcheck.core.model import Outcome
from driftcheck.record.recorder import Settings, record
from driftcheck.record.scrub import Scrubbing
from driftcheck.sources.cassettes import read_cassette
from tests.helpers import on_pty
from tests.servers import Drip, LiveServer, gzip_bomb, gzip_twice, json_response

USER = b'{"id": 1, "name": "Ada"}'


@pytest.fixture
def server() -> Iterator[LiveServer]:
    with LiveServer() as live:
        yield live


def encoded(body: bytes, encoding: str) -> bytes:
    if encoding == "deflate":
        return zlib.compress(body)
    if encoding == "deflate-raw":
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        return compressor.compress(body) + compressor.flush()
    if encoding == "gzip, gzip":
        return gzip_twice(body)
    if encoding == "gzip-members":  # two gzip members, one after the other
        return gzip.compress(body[:10]) + gzip.compress(body[10:])
    return gzip.compress(body) if encoding == "gzip" else body


def one(endpoint: Endpoint, out: Path, settings: Settings, **kwargs: object) -> Outcome:
    (outcome,) = record((endpoint,), out, settings, **kwargs)  # type: ignore[arg-type]
    return outcome


# --- defect 4: a byte cap on live bodies, counted as they are decoded ---


def test_a_gzip_bomb_stops_at_the_cap_without_being_decoded(
    tmp_path: Path, server: LiveServer
) -> None:
    pieces = gzip_bomb(160)  # 10 MiB on the wire, 10 GiB decoded
    server.routes["/bomb"] = lambda r: Response(
        iter(pieces), headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
    )
    tracemalloc.start()
    try:
        outcome = one(
            Endpoint(name="bomb", url=f"{server.url}/bomb"),
            tmp_path,
            Settings(timeout=30, max_response_mb=1),
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome.error == (
        "response body larger than 1 MiB (max_response_mb); raise max_response_mb "
        f"(or DRIFTCHECK_MAX_RESPONSE_MB) to record it (from {server.url}/bomb)"
    )
    assert peak < 16 * 1024 * 1024  # the cap and a few decoding steps, not gigabytes
    assert list(tmp_path.iterdir()) == []


def test_a_gzip_inside_gzip_bomb_stops_at_the_cap(tmp_path: Path, server: LiveServer) -> None:
    bomb = gzip_twice(bytes(64 * 1024 * 1024))  # a few KiB, 64 MiB decoded
    server.routes["/bomb"] = lambda r: Response(bomb, headers={"Content-Encoding": "gzip, gzip"})
    outcome = one(
        Endpoint(name="bomb", url=f"{server.url}/bomb"), tmp_path, Settings(max_response_mb=1)
    )
    assert outcome.error is not None
    assert outcome.error.startswith("response body larger than 1 MiB (max_response_mb)")


def test_a_plain_body_past_the_cap_is_refused_and_one_under_it_recorded(
    tmp_path: Path, server: LiveServer
) -> None:
    big = json.dumps({"data": "x" * (1024 * 1024)})
    small = json.dumps({"data": "x" * (1000 * 1000)})
    server.routes["/big"] = lambda r: json_response(big)
    server.routes["/small"] = lambda r: json_response(small)
    outcomes = record(
        (
            Endpoint(name="big", url=f"{server.url}/big"),
            Endpoint(name="small", url=f"{server.url}/small"),
        ),
        tmp_path,
        Settings(max_response_mb=1),
    )
    assert outcomes[0].error is not None
    assert outcomes[0].error.startswith("response body larger than 1 MiB (max_response_mb)")
    assert outcomes[1].error is None
    (interaction,) = read_cassette(tmp_path / "small.yaml").interactions
    assert interaction.body == json.loads(small)


@pytest.mark.parametrize(
    "encoding", ["gzip", "gzip-members", "deflate", "deflate-raw", "gzip, gzip", "identity"]
)
def test_encoded_bodies_are_recorded_decoded(
    tmp_path: Path, server: LiveServer, encoding: str
) -> None:
    header = {"deflate-raw": "deflate", "gzip-members": "gzip"}.get(encoding, encoding)
    server.routes["/user"] = lambda r: Response(
        encoded(USER, encoding),
        headers={"Content-Encoding": header, "Content-Type": "application/json"},
    )
    outcome = one(Endpoint(name="user", url=f"{server.url}/user"), tmp_path, Settings())
    assert outcome.error is None, outcome.error
    (interaction,) = read_cassette(tmp_path / "user.yaml").interactions
    assert interaction.body == json.loads(USER)


def test_an_encoding_it_cannot_bound_is_refused_with_the_reason(
    tmp_path: Path, server: LiveServer
) -> None:
    server.routes["/br"] = lambda r: Response(
        b"\x0b\x02\x80{}\x03", headers={"Content-Encoding": "br"}
    )
    outcome = one(Endpoint(name="br", url=f"{server.url}/br"), tmp_path, Settings())
    assert outcome.error == (
        "Content-Encoding `br` is not supported when recording (gzip, deflate or none); "
        f"the request asks for gzip or deflate only (from {server.url}/br)"
    )
    assert server.requests[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_the_cap_comes_from_the_configuration(tmp_path: Path, server: LiveServer) -> None:
    server.routes["/big"] = lambda r: json_response(json.dumps({"data": "x" * (2 << 20)}))
    (tmp_path / "driftcheck.toml").write_text(
        f'fresh = "fresh"\n\n[[endpoints]]\nname = "big"\nurl = "{server.url}/big"\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "driftcheck", "record"],
        cwd=tmp_path,
        env={**os.environ, "DRIFTCHECK_MAX_RESPONSE_MB": "1", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3, result.stderr
    assert "  big: response body larger than 1 MiB (max_response_mb)" in result.stdout


# --- defect 9: one deadline per request, capped and announced waits ---


def test_a_body_dripping_a_byte_at_a_time_times_out_at_the_deadline(tmp_path: Path) -> None:
    body = b'{"id": 1234567890123}'  # 21 bytes: 6 s at one byte per 0.3 s
    with Drip(body, interval=0.3) as drip:
        outcome = one(Endpoint(name="drip", url=drip.url), tmp_path, Settings(timeout=1))
        sent = drip.sent
    assert outcome.error == "timed out after 1 s"
    assert sent < len(body)
    assert list(tmp_path.iterdir()) == []


def test_headers_dripping_a_byte_at_a_time_time_out_too(tmp_path: Path) -> None:
    with Drip(b"{}", interval=0.3, headers_too=True) as drip:
        outcome = one(Endpoint(name="drip", url=drip.url), tmp_path, Settings(timeout=1))
        sent = drip.sent
    assert outcome.error == "timed out after 1 s"
    assert sent < len(drip.head)


def test_a_hung_request_does_not_hold_the_other_endpoints(
    tmp_path: Path, server: LiveServer
) -> None:
    server.routes["/a"] = lambda r: json_response("{}")
    with Drip(b"{}", interval=0.3, headers_too=True) as drip:
        outcomes = record(
            (
                Endpoint(name="hung", url=drip.url),
                Endpoint(name="a", url=f"{server.url}/a"),
                Endpoint(name="b", url=f"{server.url}/a"),
            ),
            tmp_path,
            Settings(timeout=1),
            concurrency=1,  # the one worker is stuck: a fresh one takes its place
        )
    assert [o.error for o in outcomes] == ["timed out after 1 s", None, None]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]


def test_retry_after_is_capped_and_the_wait_announced(tmp_path: Path, server: LiveServer) -> None:
    server.routes["/limited"] = lambda r: json_response("{}", 429, **{"Retry-After": "100000"})
    lines: list[str] = []
    outcome = one(
        Endpoint(name="limited", url=f"{server.url}/limited"),
        tmp_path,
        Settings(retries=1, max_wait=0.2),
        on_wait=lines.append,
    )
    assert lines == [
        "limited: waiting 0.2 s before retry 1 of 1 (Retry-After: 100000, capped at 0.2 s)"
    ]
    assert outcome.error == (
        f"unexpected status 429 (expected below 400) from {server.url}/limited"
    )
    assert server.hits["/limited"] == 2


def test_a_long_retry_after_is_described_not_cut(tmp_path: Path, server: LiveServer) -> None:
    """A Retry-After echoing an all-digit secret must not reach the message cut short,
    where `shown` could no longer recognise it."""
    secret = "1234567890123456789012345"
    server.routes["/limited"] = lambda r: json_response("{}", 429, **{"Retry-After": secret})
    lines: list[str] = []
    one(
        Endpoint(name="limited", url=f"{server.url}/limited"),
        tmp_path,
        Settings(retries=1, max_wait=0.1),
        on_wait=lines.append,
    )
    assert lines == [
        "limited: waiting 0.1 s before retry 1 of 1 "
        "(Retry-After: a 25-digit value, capped at 0.1 s)"
    ]
    assert secret[:20] not in lines[0]


def test_backoff_doubles_up_to_the_cap(tmp_path: Path, server: LiveServer) -> None:
    server.routes["/down"] = lambda r: json_response("{}", 503)
    lines: list[str] = []
    one(
        Endpoint(name="down", url=f"{server.url}/down"),
        tmp_path,
        Settings(retries=3, backoff=0.05, max_wait=0.15),
        on_wait=lines.append,
    )
    assert lines == [
        "down: waiting 0.05 s before retry 1 of 3 (HTTP 503)",
        "down: waiting 0.1 s before retry 2 of 3 (HTTP 503)",
        "down: waiting 0.15 s before retry 3 of 3 (HTTP 503, capped at 0.15 s)",
    ]
    assert server.hits["/down"] == 4


# --- defect 7: one endpoint's failure never ends the run ---


def config(tmp_path: Path, *endpoints: tuple[str, str], fresh: str = "fresh") -> None:
    text = f'fresh = "{fresh}"\ncassettes = "cassettes"\ntimeout = 5\n'
    for name, url in endpoints:
        text += f'\n[[endpoints]]\nname = "{name}"\nurl = "{url}"\n'
    (tmp_path / "driftcheck.toml").write_text(text)


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "driftcheck", "record", *args],
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_cassette_that_cannot_be_written_fails_that_endpoint_only(
    tmp_path: Path, server: LiveServer
) -> None:
    server.routes["/a"] = lambda r: json_response("{}")
    config(tmp_path, *((name, f"{server.url}/a") for name in ("a", "b", "c")))
    (tmp_path / "fresh" / "b.yaml").mkdir(parents=True)  # a folder where the file goes
    result = run_cli(tmp_path)
    assert result.returncode == 3, result.stderr
    fresh = tmp_path / "fresh"
    assert f"  b: cannot write {fresh}/b.yaml: Is a directory" in result.stdout
    assert "recorded 2 of 3 endpoints" in result.stdout
    assert sorted(p.name for p in fresh.iterdir()) == ["a.yaml", "b.yaml", "c.yaml"]
    assert (fresh / "b.yaml").is_dir()
    assert "Traceback" not in result.stderr


def test_a_name_too_long_for_the_filesystem_fails_that_endpoint_only(
    tmp_path: Path, server: LiveServer
) -> None:
    server.routes["/a"] = lambda r: json_response("{}")
    long = "n" * 300  # the configuration refuses it; the recorder must not depend on that
    outcomes = record(
        (Endpoint(name=long, url=f"{server.url}/a"), Endpoint(name="a", url=f"{server.url}/a")),
        tmp_path,
        Settings(),
    )
    assert outcomes[0].error == f"cannot write {tmp_path}/{long}.yaml: File name too long"
    assert outcomes[1].error is None
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]


def test_a_file_where_a_folder_should_be_fails_each_endpoint(
    tmp_path: Path, server: LiveServer
) -> None:
    server.routes["/a"] = lambda r: json_response("{}")
    config(tmp_path, ("a", f"{server.url}/a"), ("b", f"{server.url}/a"), fresh="blocker/fresh")
    (tmp_path / "blocker").write_text("a file")
    result = run_cli(tmp_path)
    assert result.returncode == 3, result.stderr
    for name in "ab":
        assert (
            f"  {name}: cannot write {tmp_path}/blocker/fresh/{name}.yaml: "
            f"{tmp_path}/blocker is a file, not a folder"
        ) in result.stdout


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB filesystem (tmpfs), where the machine lets us mount one."""
    where = tmp_path / "small"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def test_a_full_disk_fails_the_endpoint_that_does_not_fit(
    full_disk: Path, server: LiveServer
) -> None:
    server.routes["/big"] = lambda r: json_response(json.dumps({"data": "x" * 200_000}))
    server.routes["/small"] = lambda r: json_response(USER.decode())
    outcomes = record(
        (
            Endpoint(name="big", url=f"{server.url}/big"),
            Endpoint(name="small", url=f"{server.url}/small"),
        ),
        full_disk,
        Settings(),
        concurrency=1,
    )
    assert outcomes[0].error == f"cannot write {full_disk}/big.yaml: No space left on device"
    assert outcomes[1].error is None
    assert read_cassette(full_disk / "small.yaml").interactions[0].body == json.loads(USER)
    assert sorted(p.name for p in full_disk.iterdir()) == ["small.yaml"]


def test_a_display_that_raises_costs_the_display_not_the_run(
    tmp_path: Path, server: LiveServer
) -> None:
    server.routes["/a"] = lambda r: json_response("{}")
    shown: list[str] = []

    def broken(outcome: Outcome) -> None:
        shown.append(outcome.endpoint)
        raise BrokenPipeError("the terminal went away")

    outcomes = record(
        tuple(Endpoint(name=name, url=f"{server.url}/a") for name in "abc"),
        tmp_path,
        Settings(),
        on_outcome=broken,
    )
    assert sorted(shown) == ["a", "b", "c"]
    assert [o.error for o in outcomes] == [None, None, None]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml", "c.yaml"]


def test_a_failure_message_with_markup_on_a_terminal_ends_only_that_endpoint(
    tmp_path: Path, server: LiveServer
) -> None:
    server.routes["/ok"] = lambda r: json_response("{}")
    config(tmp_path, ("odd", f"{server.url}/missing[/x]"), ("ok", f"{server.url}/ok"))
    code, output = on_pty([sys.executable, "-m", "driftcheck", "record"], cwd=tmp_path)
    assert code == 3, output
    assert (tmp_path / "fresh" / "ok.yaml").is_file()
    assert "Traceback" not in output


def test_failure_messages_never_show_a_secret(tmp_path: Path, server: LiveServer) -> None:
    secret = "sekrit-1a2b3c4d5e"
    scrubbing = Scrubbing(secrets={"API_KEY": secret})
    outcome = one(
        Endpoint(name="missing", url=f"{server.url}/missing?api_key={secret}&x={secret}"),
        tmp_path,
        Settings(scrubbing=scrubbing),
    )
    assert outcome.error is not None
    assert "unexpected status 404" in outcome.error
    assert secret not in outcome.error
