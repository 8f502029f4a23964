"""Issue 17 acceptance, end to end in config mode: a real local API (`tests/value_service.py`)
recorded by `driftcheck record` at v1 (committed), at v2 and at v1 with other values
(fresh), then `driftcheck diff --format json`. v2's drifts — an enum value added, a date
format changed, a list that becomes empty, the pagination `Link` header dropped, two
endpoints deprecated (Sunset ahead, Sunset past) — are each reported once; v1 with other
names, ids, free text, timestamps and volatile headers gives nothing; `values = false`
turns the value rules off; mocks with a wrong-case enum value and a date where the API
sends date-times are told so at their lines; `shape` shows formats and enums; and no
recorded value leaves the machine through the cache or a report."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import run, validate
from tests.value_service import (
    DRIFTS,
    PAST_SUNSET,
    PLANTED,
    SAMPLES,
    SUCCESSOR,
    USERS,
    ValueService,
    config,
)

VALUE_RULES = {
    "enum-value-added",
    "enum-value-removed",
    "format-changed",
    "became-empty",
    "mock-enum-unknown",
    "mock-format-mismatch",
}
HEADER_RULES = {"header-removed", "header-added"}
Report = dict[str, Any]


def header_name(finding: Report) -> str:
    """The header a header finding is about: its path is `header:<name>`, lower-case."""
    path = finding["path"]
    assert path.startswith("header:"), path
    return str(path.removeprefix("header:"))


def where(finding: Report) -> str:
    """A finding's place as `DRIFTS` spells it: the JSON path, the header's name (lower
    case) for header rules, nothing for `endpoint-deprecated` (one per endpoint)."""
    if finding["rule"] in HEADER_RULES:
        return header_name(finding)
    if finding["rule"] == "endpoint-deprecated":
        return ""
    return str(finding["path"])


def expected(*, values: bool = True) -> list[tuple[str, str, str, str]]:
    """(endpoint, rule, where, severity) of every planted drift, sorted."""
    return sorted(
        (endpoint, rule, place.lower() if rule in HEADER_RULES else place, severity)
        for endpoint, rule, place, severity in DRIFTS
        if values or rule not in VALUE_RULES
    )


def found(report: Report) -> list[tuple[str, str, str, str]]:
    """(endpoint, rule, where, severity) of every finding, sorted: a duplicate shows."""
    return sorted((f["endpoint"], f["rule"], where(f), f["severity"]) for f in report["findings"])


def diff(project: Path, config_name: str, *extra: str) -> tuple[int, Report]:
    result = run("diff", "--config", str(project / config_name), "--format", "json", *extra)
    assert result.exit_code != 2, result.output
    report: Report = json.loads(result.stdout)
    return result.exit_code, report


def record(project: Path, config_name: str, *extra: str) -> None:
    result = run("record", "--config", str(project / config_name), *extra)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def service() -> Iterator[ValueService]:
    with ValueService() as api:
        yield api


@pytest.fixture(scope="module")
def project(service: ValueService, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v1 recorded into `cassettes/` (committed), v2 into `.driftcheck/fresh/` and v1-bis
    (v1, seed 2) into `fresh-bis/`, each once for the module."""
    root = tmp_path_factory.mktemp("values")
    (root / ".git").mkdir()  # the repository root: nothing above it is looked at
    (root / "driftcheck.toml").write_text(config(service.url))
    (root / "bis.toml").write_text(config(service.url, fresh="fresh-bis"))
    (root / "novalues.toml").write_text(config(service.url, extra="values = false"))
    (root / "scrubbed.toml").write_text(config(service.url, extra='scrub_body = ["Status"]'))
    try:
        record(root, "driftcheck.toml", "--update")
        service.version = "v2"
        record(root, "driftcheck.toml")
        service.version, service.seed = "v1", 2
        record(root, "bis.toml")
    finally:
        service.version, service.seed = "v1", 1
    return root


@pytest.fixture(scope="module")
def v1_v2(project: Path) -> tuple[int, Report]:
    return diff(project, "driftcheck.toml")


def cassette(folder: Path, name: str) -> list[tuple[dict[str, str], Any]]:
    """(headers, lower-case names with the first value; JSON body) of each interaction."""
    document = yaml.safe_load((folder / f"{name}.yaml").read_text())
    return [
        (
            {k.lower(): v[0] for k, v in i["response"]["headers"].items()},
            json.loads(i["response"]["body"]["string"]),
        )
        for i in document["interactions"]
    ]


def test_the_recordings_hold_what_the_drifts_need(project: Path) -> None:
    """The service and `record` together: what every other test relies on is on disk."""
    v1, v2, bis = project / "cassettes", project / ".driftcheck" / "fresh", project / "fresh-bis"
    for folder in (v1, v2, bis):
        for name in ("user", "users", "order", "invoice", "report"):
            assert len(cassette(folder, name)) >= SAMPLES
    users = [body for _, body in cassette(v1, "user")]
    statuses = [u["status"] for u in users]
    assert len(users) == USERS
    assert (statuses.count("active"), statuses.count("inactive")) == (10, 4)
    assert all(u["tags"] for u in users)
    assert sorted(u["status"] for _, u in cassette(v2, "user")).count("suspended") == 2
    assert sum(not u["tags"] for _, u in cassette(v2, "user")) == 2
    assert all("link" in h for h, _ in cassette(v1, "users"))
    assert not any("link" in h for h, _ in cassette(v2, "users"))
    assert all(len(o["created_at"]) == 10 for _, o in cassette(v2, "order"))
    assert all(o["created_at"].endswith("Z") for _, o in cassette(v1, "order"))
    for headers, _ in cassette(v2, "invoice"):
        assert headers["deprecation"].startswith("@")
        assert "sunset" in headers
        assert re.search(rf'<{re.escape(SUCCESSOR)}/\d+>; rel="successor-version"', headers["link"])
    assert all(h["sunset"] == PAST_SUNSET for h, _ in cassette(v2, "report"))
    again = [body for _, body in cassette(bis, "user")]
    assert [u["status"] for u in again] == statuses  # the enum values are v1's...
    assert all(
        a["name"] != u["name"] or a["uuid"] != u["uuid"] for a, u in zip(again, users, strict=True)
    )
    assert all(
        a["created_at"] != u["created_at"] for a, u in zip(again, users, strict=True)
    )  # ...not these
    assert PLANTED["name"] in (v1 / "user.yaml").read_text()


def test_each_drift_is_reported_once_with_its_rule_place_and_severity(
    v1_v2: tuple[int, Report],
) -> None:
    code, report = v1_v2
    validate(report)
    assert found(report) == expected()  # and nothing else
    statuses = {(f["rule"] == "endpoint-deprecated", f["status"]) for f in report["findings"]}
    assert statuses == {(False, 200), (True, None)}  # a retirement is the whole endpoint's
    assert {f["source"] for f in report["findings"]} == {"cassette"}
    assert code == 1  # format-changed (date-time to date) and a past Sunset are breaking


def test_the_findings_say_what_changed(v1_v2: tuple[int, Report]) -> None:
    """Enum values and formats may be shown, and the deprecation's link and date are."""
    _, report = v1_v2
    text = {
        (f["endpoint"], f["rule"]): " ".join(str(f[k]) for k in ("baseline", "current", "message"))
        for f in report["findings"]
    }
    assert "suspended" in text[("user", "enum-value-added")]
    assert "date-time" in text[("order", "format-changed")]
    assert f"{SUCCESSOR}/" in text[("invoice", "endpoint-deprecated")]
    assert "2021" in text[("report", "endpoint-deprecated")]


def test_other_values_and_volatile_headers_are_no_drift(project: Path) -> None:
    code, report = diff(project, "bis.toml", "--fail-on", "info")
    validate(report)
    assert report["findings"] == []
    assert report["errors"] == []
    assert code == 0


def test_values_false_turns_every_value_rule_off(project: Path) -> None:
    code, report = diff(project, "novalues.toml")
    validate(report)
    assert found(report) == expected(values=False)
    assert code == 1  # the header rules stay


def test_a_scrub_body_key_is_never_an_enum_in_diff_nor_in_shape(project: Path) -> None:
    """`scrub_body` names a secret's key: its values are never an enum, never shown."""
    code, report = diff(project, "scrubbed.toml")
    assert code == 1  # format-changed and the past Sunset are still breaking
    assert found(report) == [f for f in expected() if f[1:3] != ("enum-value-added", "$.status")]
    assert "active" not in json.dumps(report)
    shaped = run("shape", str(project / "cassettes"), "--config", str(project / "scrubbed.toml"))
    assert "one of active" not in shaped.stdout
    assert "one of" in shaped.stdout  # other enums (`plan`) are still shown


def test_a_scrub_body_keys_values_never_reach_the_cache(project: Path) -> None:
    """The enum set of a scrubbed key is dropped where shapes are counted, before they are
    cached: no cache entry holds `active`, and a warm run finds what the cold one did."""
    text = (project / "scrubbed.toml").read_text()
    (project / "scrub-cached.toml").write_text(text.replace(".driftcheck/cache", "cache-scrubbed"))
    cold = diff(project, "scrub-cached.toml")
    entries = [path for path in (project / "cache-scrubbed").rglob("*") if path.is_file()]
    assert entries  # the cache was written
    assert not [path for path in entries if b'"active"' in path.read_bytes()]
    assert any(b'"pro"' in path.read_bytes() for path in entries)  # other enums are kept
    assert diff(project, "scrub-cached.toml") == cold


MOCKS = """\
import responses

API = "BASE"


@responses.activate
def test_user_with_values_the_api_never_sends():
    responses.get(
        f"{API}/users/1",
        json={
            "id": 1,
            "uuid": "0b7e6a4c-2f5d-4e8b-9c1a-3d2e5f6a7b8c",
            "account_id": 123456789,
            "name": "Ada Hopper",
            "email": "ada.hopper@example.org",
            "bio": "Writes compilers",
            "avatar_url": "https://cdn.example.test/avatars/a.png",
            "status": "ACTIVE",  # mock-enum-unknown
            "plan": "pro",
            "tags": ["beta"],
            "created_at": "2024-01-31",  # mock-format-mismatch
        },
    )


@responses.activate
def test_user_as_the_api_sends_it():
    responses.get(
        f"{API}/users/2",
        json={
            "id": 2,
            "uuid": "1c8f7b5d-3a6e-4f9c-8d2b-4e3f6a7b8c9d",
            "account_id": 223456789,
            "name": "Grace Turing",
            "email": "grace.turing@example.org",
            "bio": "Bakes sourdough bread",
            "avatar_url": "https://cdn.example.test/avatars/b.png",
            "status": "active",
            "plan": "free",
            "tags": ["vip", "staff"],
            "created_at": "2024-01-31T08:15:00Z",
        },
    )
"""


def line_of(text: str, mark: str) -> int:
    (number,) = [n for n, line in enumerate(text.splitlines(), 1) if mark in line]
    return number


@pytest.fixture(scope="module")
def mocked(
    project: Path, service: ValueService, tmp_path_factory: pytest.TempPathFactory
) -> Report:
    """A project with v1's cassettes and a test module mocking `/users/{id}` twice."""
    root = tmp_path_factory.mktemp("mocked")
    (root / ".git").mkdir()
    shutil.copytree(project / "cassettes", root / "cassettes")
    (root / "driftcheck.toml").write_text(config(service.url))
    (root / "tests").mkdir()
    (root / "tests" / "test_client.py").write_text(MOCKS.replace("BASE", service.url))
    _, report = diff(root, "driftcheck.toml")
    return report


def test_both_mocks_are_checked_against_the_user_endpoint(mocked: Report) -> None:
    checked = {(m["location"], m["endpoint"], m["status"]) for m in mocked["fixtures_checked"]}
    calls = [n for n, line in enumerate(MOCKS.splitlines(), 1) if "responses.get(" in line]
    assert checked == {(f"tests/test_client.py:{n}", "user", 200) for n in calls}
    assert len(calls) == 2
    assert mocked["fixtures_unmatched"] == []


def test_a_wrong_case_enum_and_a_date_format_are_told_at_their_lines(mocked: Report) -> None:
    validate(mocked)
    places = {(f["rule"], f["path"], f["source"], f["location"]) for f in mocked["findings"]}
    assert places == {  # and nothing for the mock with the API's values
        (
            "mock-enum-unknown",
            "$.status",
            "fixture",
            f"tests/test_client.py:{line_of(MOCKS, 'mock-enum-unknown')}",
        ),
        (
            "mock-format-mismatch",
            "$.created_at",
            "fixture",
            f"tests/test_client.py:{line_of(MOCKS, 'mock-format-mismatch')}",
        ),
    }
    severities = {f["rule"]: f["severity"] for f in mocked["findings"]}
    assert severities == {"mock-enum-unknown": "warning", "mock-format-mismatch": "warning"}


def domain(field: Report) -> tuple[str | None, set[str]]:
    """A shape field's string format and enum values, wherever the JSON export puts them
    (`format`; `enum` as a list, or a map of value to count): the one place to adapt."""
    values = field.get("enum") or field.get("values") or ()
    return field.get("format"), set(values)


def test_shape_shows_formats_and_enums(project: Path) -> None:
    user = str(project / "cassettes" / "user.yaml")
    settings = ("--config", str(project / "driftcheck.toml"))
    result = run("shape", user, "--format", "json", *settings)
    assert result.exit_code == 0, result.output
    (endpoint,) = json.loads(result.stdout)["endpoints"]
    fields = {f["path"]: f for f in endpoint["fields"]}
    assert fields["$.tags"]["empty_arrays"] == 0
    assert domain(fields["$.created_at"]) == ("date-time", set())
    assert domain(fields["$.status"])[1] == {"active", "inactive"}
    for never in ("$.name", "$.bio", "$.uuid", "$.email", "$.account_id", "$.id"):
        assert domain(fields[never])[1] == set(), never
    plain = run("shape", user, *settings)
    assert plain.exit_code == 0, plain.output
    lines = {
        line.split("──")[1].split()[0]: line for line in plain.stdout.splitlines() if "──" in line
    }
    assert "string, date-time" in lines["created_at"]
    assert "string, one of active|inactive" in lines["status"]
    assert "one of" not in lines["name"]
    assert "one of" not in lines["bio"]


def volatile_values(*folders: Path) -> set[str]:
    """Every recorded `X-Request-Id` and `ETag` value: header values no report needs."""
    seen = set()
    for folder in folders:
        for path in folder.glob("*.yaml"):
            for interaction in yaml.safe_load(path.read_text())["interactions"]:
                headers = {k.lower(): v for k, v in interaction["response"]["headers"].items()}
                seen.update(headers.get("x-request-id", []))
                seen.update(tag.removeprefix('W/"').strip('"') for tag in headers.get("etag", []))
    return seen


def test_no_recorded_value_reaches_the_cache_or_a_report(project: Path) -> None:
    out = project / "reports"
    out.mkdir()
    config_file = str(project / "driftcheck.toml")
    for fmt in ("json", "markdown", "sarif"):
        written = out / f"report.{fmt}"
        result = run("diff", "--config", config_file, "--format", fmt, "--output", str(written))
        assert result.exit_code != 2, result.output
    bis = run("diff", "--config", str(project / "bis.toml"), "--format", "json")
    (out / "bis.json").write_text(bis.stdout)
    cassettes = project / "cassettes"
    shape = run("shape", str(cassettes), "--format", "json", "--config", config_file)
    (out / "shape.json").write_text(shape.stdout)
    cache = [p for p in (project / ".driftcheck" / "cache").rglob("*") if p.is_file()]
    assert cache  # config mode read through the cache
    secrets = {str(value) for value in PLANTED.values()}
    assert all(s in (cassettes / "user.yaml").read_text() for s in secrets)  # recorded
    secrets |= volatile_values(cassettes, project / ".driftcheck" / "fresh", project / "fresh-bis")
    leaks = {
        (str(path.relative_to(project)), secret)
        for path in [*cache, *out.iterdir()]
        for secret in secrets
        if secret.encode() in path.read_bytes()
    }
    assert leaks == set()
