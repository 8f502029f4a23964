"""Helpers the tests share: curated cassettes, drifted copies of them, the CLI runner,
a JSON-value strategy and the report schema. Imported by tests, never a test itself."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import jsonschema
import yaml
from click.testing import CliRunner
from hypothesis import strategies as st

from driftcheck.cli import cli
from driftcheck.core import domains

DATA = Path(__file__).parent / "data"
CASSETTES = DATA / "cassettes"

Mutation = Callable[[Any], Any]


def rewrite_cassette(
    source: Path, target: Path, mutate: Mutation, *, flow_style: bool = False
) -> None:
    """Copy a real cassette, passing each JSON response body through `mutate`."""
    document = yaml.safe_load(source.read_text())
    for interaction in document["interactions"]:
        body = interaction["response"]["body"]
        try:
            value = json.loads(body["string"])
        except (TypeError, ValueError):
            continue
        body["string"] = json.dumps(mutate(value))
    target.write_text(
        yaml.safe_dump(document, default_flow_style=flow_style, sort_keys=False, width=200)
    )


REPORTS = CASSETTES / "datadog_monthly_reports.yaml"
OKTA = CASSETTES / "datadog_okta_accounts.yaml"
TEAMS = CASSETTES / "datadog_teams.yaml"
ENDPOINT = "GET api.datadoghq.com/api/v1/monthly_custom_reports"
ELEMENT = "$.data[*].attributes"


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1", "COLUMNS": "100"})


def each_attributes(change: Callable[[int, dict[str, Any]], None]) -> Callable[[Any], Any]:
    def mutate(body: Any) -> Any:
        for index, element in enumerate(body["data"]):
            change(index, element["attributes"])
        return body

    return mutate


def values_only(body: Any) -> Any:
    """Other values of the same domain: numbers and free text (names, ids, sentences)
    changed; strings with a format (dates, UUIDs, numbers as text) and enum-like tokens
    kept, since changing those is drift (`format-changed`, `enum-value-added`)."""
    if isinstance(body, dict):
        return {k: values_only(v) for k, v in body.items()}
    if isinstance(body, list):
        return [values_only(v) for v in reversed(body)]
    if isinstance(body, bool) or body is None:
        return body
    if isinstance(body, (int, float)):
        return body * 7 + 1
    if domains.string_format(body) is not None or domains.enum_token(body):
        return body
    return f"changed-{body}"[::-1]


def reordered(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: reordered(body[k]) for k in reversed(list(body))}
    if isinstance(body, list):
        return [reordered(v) for v in body]
    return body


DRIFTS: dict[str, tuple[Callable[[Any], Any], list[tuple[str, str, str]]]] = {
    "key removed from every element": (
        each_attributes(lambda i, a: a.pop("size")),
        [("field-removed", f"{ELEMENT}.size", "breaking")],
    ),
    "type changed": (
        each_attributes(lambda i, a: a.update(size=str(a["size"]))),
        [("type-changed", f"{ELEMENT}.size", "breaking")],
    ),
    "null in some elements": (
        each_attributes(lambda i, a: a.update(computed_on=None) if i % 3 == 0 else None),
        [("became-nullable", f"{ELEMENT}.computed_on", "breaking")],
    ),
    "key removed from some elements": (
        each_attributes(lambda i, a: a.pop("end_date") if i % 4 == 1 else None),
        [("field-became-optional", f"{ELEMENT}.end_date", "breaking")],
    ),
    "key added": (
        each_attributes(lambda i, a: a.update(owner={"handle": "x"})),
        [("field-added", f"{ELEMENT}.owner", "info")],
    ),
}


def folders(tmp_path: Path) -> tuple[Path, Path]:
    baseline, current = tmp_path / "baseline", tmp_path / "current"
    for folder in (baseline, current):
        folder.mkdir()
        for source in (REPORTS, OKTA, TEAMS):
            shutil.copyfile(source, folder / source.name)
    return baseline, current


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=3),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["a", "b", "c", "d e"]), children, max_size=4)
    ),
    max_leaves=20,
)


SCHEMA = json.loads(
    resources.files("driftcheck.reporting").joinpath("report.schema.json").read_text()
)


def validate(report: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(report)


# One GitHub workflow command: `::level key=value,...::message`.
COMMAND = re.compile(r"^::(error|warning|notice)( [a-z]+=[^,:\n]*(,[a-z]+=[^,:\n]*)*)?::[^\n]*$")


def on_pty(
    args: list[str],
    *,
    cwd: str | Path | None = None,
    env: dict[str, str] | None = None,
    columns: int = 200,
    timeout: float = 60,
) -> tuple[int, str]:
    """Run `args` with a real terminal as stdin, stdout and stderr (colour on, rich's
    progress bar live); its exit code and everything the terminal was sent."""
    import os
    import pty
    import select
    import subprocess

    leader, follower = pty.openpty()
    environment = {**os.environ, **(env or {}), "TERM": "xterm-256color", "COLUMNS": str(columns)}
    environment.pop("NO_COLOR", None)
    process = subprocess.Popen(
        args, stdin=follower, stdout=follower, stderr=follower, env=environment, cwd=cwd
    )
    os.close(follower)
    chunks = []
    while select.select([leader], [], [], timeout)[0]:  # nothing for `timeout` s: hung
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=timeout), b"".join(chunks).decode("utf-8", "replace")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (pool workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # gone meanwhile
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


_T = TypeVar("_T")


class Hang(Exception):
    """Raised by the alarm: the call under test did not return in time."""


def within(seconds: int, call: Callable[[], _T]) -> _T:
    """`call()`, failing instead of hanging when it does not return in `seconds`."""
    import signal

    def expire(signum: int, frame: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        return call()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def loaded_strings(document: Any) -> Iterator[str]:
    """Every key and string of a loaded cassette (bytes decoded), however deep."""
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend([*item.keys(), *item.values()])
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, (str, bytes)):
            yield item if isinstance(item, str) else item.decode("utf-8", "replace")


def cli_process(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m driftcheck ARGS` as a real process in `cwd`, colour off; a hang fails
    the test after `timeout` seconds instead of hanging it."""
    return subprocess.run(
        [sys.executable, "-m", "driftcheck", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )
