"""Issue 14 end to end: a generated project whose recordings hold every kind of noise the
recordings cannot decide on, and whose mocks (responses, respx) hold planted defects.
`driftcheck diff` reports each defect exactly once, by its rule and path, and nothing for
the noise:

- `license` is recorded only as null; the mocks have a string there;
- `assets` is a map keyed by UUIDs, other ones in every recording and in the mocks;
- `owner` is a User (`site_admin`) in some recordings, an Organization (`description`)
  in others; the mocks' owner is an Organization (so the User variant is uncovered: one
  `mock-uncovered-variant` per endpoint, and nothing on the variants' keys);
- a Ruby VCR cassette of 2015 lacks `archived`, which every recent recording and every
  mock has (a finding resting on it alone is shown as ignored, or not at all);
- a mocked list holds a placeholder `{"foo": "bar"}`: one `mock-unlike-endpoint`, not a
  finding per key.
"""

from __future__ import annotations

import json
import os
import random
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from vcr.request import Request
from vcr.serialize import serialize
from vcr.serializers import yamlserializer

from tests.helpers import run, validate

API = "https://api.example.com"
RECENT = "Mon, 02 Nov 2026 10:00:00 GMT"
OLD = "Tue, 03 Nov 2015 10:00:00 GMT"

CONFIG = f"""
cassettes = "tests/cassettes"
cache = ""
workers = 1

[[endpoints]]
name = "repo"
url = "{API}/repos/{{id}}"

[[endpoints]]
name = "repositories"
url = "{API}/repositories"
"""


def _owner(rng: random.Random, organization: bool) -> dict[str, Any]:
    """A discriminated object: the keys depend on `type`."""
    common = {"login": f"login{rng.randrange(10**4)}", "id": rng.randrange(10**6)}
    if organization:
        return {"type": "Organization", **common, "description": "we make things"}
    return {"type": "User", **common, "site_admin": rng.random() < 0.5}


def _assets(rng: random.Random) -> dict[str, Any]:
    """A map keyed by ids: fresh UUIDs in every body."""
    return {
        str(uuid.UUID(int=rng.getrandbits(128), version=4)): {
            "href": f"https://cdn.example.com/{rng.randrange(10**6)}.png",
            "type": "image/png",
        }
        for _ in range(rng.randint(3, 6))
    }


def repo(rng: random.Random, number: int, *, old: bool = False) -> dict[str, Any]:
    """A recorded repository: `license` always null; `archived` only since 2016."""
    body = {
        "id": number,
        "name": f"project{number}",
        "full_name": f"octo/project{number}",
        "owner": _owner(rng, organization=number % 2 == 0),
        "license": None,
        "homepage": f"https://project{number}.example.com",
        "stars": rng.randrange(10**5),
        "assets": _assets(rng),
        "archived": rng.random() < 0.2,
    }
    if old:
        del body["archived"]
    return body


def write_vcrpy(path: Path, bodies: list[tuple[str, Any]]) -> None:
    """A cassette as vcrpy writes it, through vcrpy's own serializer."""
    requests = [Request("GET", uri, None, {"Accept": "application/json"}) for uri, _ in bodies]
    responses = [
        {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": ["application/json"], "Date": [RECENT]},
            "body": {"string": json.dumps(body)},
        }
        for _, body in bodies
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(serialize({"requests": requests, "responses": responses}, yamlserializer))


def write_ruby_vcr(path: Path, bodies: list[tuple[str, Any]]) -> None:
    """A cassette as Ruby VCR 2 writes it: `http_interactions`, each `recorded_at`."""
    interactions = [
        {
            "request": {
                "method": "get",
                "uri": uri,
                "body": {"encoding": "US-ASCII", "string": ""},
                "headers": {"Accept": ["application/json"]},
            },
            "response": {
                "status": {"code": 200, "message": "OK"},
                "headers": {"Content-Type": ["application/json; charset=utf-8"], "Date": [OLD]},
                "body": {"encoding": "UTF-8", "string": json.dumps(body)},
                "http_version": None,
            },
            "recorded_at": OLD,
        }
        for uri, body in bodies
    ]
    document = {"http_interactions": interactions, "recorded_with": "VCR 2.9.3"}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + yaml.safe_dump(document, sort_keys=False))


def record(cassettes: Path) -> None:
    rng = random.Random(14)
    recent: list[tuple[str, Any]] = [(f"{API}/repos/{n}", repo(rng, n)) for n in range(1, 9)]
    recent += [(f"{API}/repositories", [repo(rng, 10 * p + n) for n in range(3)]) for p in (1, 2)]
    write_vcrpy(cassettes / "test_repos" / "test_repos.yaml", recent)
    old: list[tuple[str, Any]] = [
        (f"{API}/repos/{n}", repo(rng, n, old=True)) for n in range(20, 24)
    ]
    old.append((f"{API}/repositories", [repo(rng, n, old=True) for n in range(30, 33)]))
    write_ruby_vcr(cassettes / "legacy" / "repos_2015.yml", old)


# What a developer writes: an Organization owner, a license, other asset ids.
REPO: dict[str, Any] = {
    "id": 1,
    "name": "hello",
    "full_name": "octo/hello",
    "owner": {"type": "Organization", "login": "octo", "id": 9, "description": "octo org"},
    "license": "mit",
    "homepage": "https://hello.example.com",
    "stars": 80,
    "assets": {
        "3f1c7d9e-8a41-4b6e-9a0e-2f5d1c3b7a10": {"href": "https://cdn/a.png", "type": "image/png"},
        "9b2e4f60-1d3a-4c8b-b7e5-6a0f9d2c4e81": {"href": "https://cdn/b.png", "type": "image/png"},
    },
    "archived": False,
}
MISSING = {key: value for key, value in REPO.items() if key != "full_name"}

# The line before each mock says what it must give: `# right`, or `# RULE PATH`.
RESPONSES = f"""
    import requests
    import responses

    API = "{API}"
    REPO = {REPO!r}
    MISSING = {MISSING!r}


    @responses.activate
    def test_repo():
        # right
        responses.get(f"{{API}}/repos/1", json=REPO)


    @responses.activate
    def test_repo_with_a_key_the_api_never_returns():
        # mock-field-unknown $.forked
        responses.get(f"{{API}}/repos/2", json={{**REPO, "forked": True}})


    @responses.activate
    def test_repo_without_full_name():
        # mock-field-missing $.full_name
        responses.get(f"{{API}}/repos/3", json=MISSING)


    @responses.activate
    def test_repo_with_stars_as_text():
        # mock-type-mismatch $.stars
        responses.get(f"{{API}}/repos/4", json={{**REPO, "stars": "80"}})


    @responses.activate
    def test_repo_without_homepage():
        # mock-null-unseen $.homepage
        responses.get(f"{{API}}/repos/5", json={{**REPO, "homepage": None}})


    @responses.activate
    def test_repositories():
        # mock-unlike-endpoint
        responses.get(f"{{API}}/repositories", json=[REPO, {{"foo": "bar"}}])
"""

RESPX = f"""
    import httpx
    import respx

    API = "{API}"
    REPO = {REPO!r}


    @respx.mock
    def test_repo_async():
        # right
        respx.get(f"{{API}}/repos/6").mock(return_value=httpx.Response(200, json=REPO))
"""

MODULES = {"tests/test_repos.py": RESPONSES, "tests/test_repos_async.py": RESPX}

# Where each noise source lives, in both endpoints' bodies.
NOISE = {
    "path recorded only as null": "license",
    "map keyed by ids": "assets",
    "discriminated variants": "owner",
    "key the old recordings lack": "archived",
}


# Not noise: no mock has a User owner, and `mock-uncovered-variant` says so once per place
# (the README's rule catalogue). The noise would be findings on the variants' own keys.
UNCOVERED_VARIANTS = {
    ("mock-uncovered-variant", "$.owner"),
    ("mock-uncovered-variant", "$[*].owner"),
}


def _active(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The findings that count: not those shown as ignored (old recordings' own)."""
    return [f for f in report["findings"] if not f.get("ignored")]


def _verdicts() -> list[tuple[str, str]]:
    """(module, verdict) of each mock, from the comment on the line before it."""
    return [
        (name, line.strip().removeprefix("# "))
        for name, text in MODULES.items()
        for line in text.splitlines()
        if line.strip().startswith("# ")
    ]


def _planted() -> set[tuple[str, str]]:
    return {
        (verdict.split()[0], verdict.split()[1])
        for _, verdict in _verdicts()
        if len(verdict.split()) == 2
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repos")
    (root / ".git").mkdir()  # the repository root: the config search stops here
    record(root / "tests" / "cassettes")
    files = {"driftcheck.toml": CONFIG, "tests/__init__.py": "", **MODULES}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text).lstrip())
    return root


@pytest.fixture(scope="module")
def outcome(project: Path) -> tuple[int, dict[str, Any]]:
    """`driftcheck diff --format json` in the project: its exit code and report."""
    here = Path.cwd()
    os.chdir(project)
    try:
        result = run("diff", "--format", "json", "--no-cache")
    finally:
        os.chdir(here)
    assert result.exit_code in (0, 1), result.output
    report: dict[str, Any] = json.loads(result.output)
    return result.exit_code, report


def test_the_report_follows_its_schema(outcome: tuple[int, dict[str, Any]]) -> None:
    validate(outcome[1])  # the new rule ids among them


def test_the_project_is_what_it_claims(project: Path) -> None:
    """The generated recordings hold the noise the other tests rely on."""
    document = yaml.safe_load((project / "tests/cassettes/legacy/repos_2015.yml").read_text())
    old = [json.loads(i["response"]["body"]["string"]) for i in document["http_interactions"]]
    assert all("archived" not in body for body in old[:-1])
    recent = yaml.safe_load((project / "tests/cassettes/test_repos/test_repos.yaml").read_text())
    bodies = [json.loads(i["response"]["body"]["string"]) for i in recent["interactions"]]
    singles = bodies[:8]
    assert {body["owner"]["type"] for body in singles} == {"User", "Organization"}
    assert {body["license"] for body in singles} == {None}
    keys = [set(body["assets"]) for body in singles]
    assert set().union(*keys) & set(REPO["assets"]) == set()
    assert all("archived" in body for body in singles)


def test_each_planted_defect_is_reported_once_and_the_noise_never(
    outcome: tuple[int, dict[str, Any]],
) -> None:
    _, report = outcome
    found = [(f["rule"], f["path"]) for f in _active(report)]
    unlike = [pair for pair in found if pair[0] == "mock-unlike-endpoint"]
    assert len(unlike) == 1, found
    rest = [pair for pair in found if pair not in unlike]
    assert sorted(rest) == sorted(_planted() | UNCOVERED_VARIANTS)
    assert report["errors"] == []


def test_what_only_the_old_recordings_show_fails_nothing(
    outcome: tuple[int, dict[str, Any]],
) -> None:
    """Shown as ignored, saying why, or not at all; never an active finding."""
    _, report = outcome
    ignored = [f for f in report["findings"] if f.get("ignored")]
    assert {f["path"] for f in ignored} <= {"$.archived", "$[*].archived"}
    assert all("2015" in f["ignore_reason"] for f in ignored), ignored
    assert report["summary"]["ignored"] == len(ignored)


def test_the_planted_defects_have_their_severities(outcome: tuple[int, dict[str, Any]]) -> None:
    code, report = outcome
    severity = {f["rule"]: f["severity"] for f in _active(report)}
    assert severity == {
        "mock-field-unknown": "warning",
        "mock-field-missing": "warning",
        "mock-type-mismatch": "breaking",
        "mock-null-unseen": "warning",
        "mock-unlike-endpoint": "warning",
        "mock-uncovered-variant": "warning",
    }
    assert report["summary"]["breaking"] == 1  # the planted mismatch, nothing else
    assert code == 1


def test_the_placeholder_is_one_finding_on_the_list_endpoint(
    outcome: tuple[int, dict[str, Any]],
) -> None:
    _, report = outcome
    (unlike,) = [f for f in report["findings"] if f["rule"] == "mock-unlike-endpoint"]
    assert unlike["endpoint"] == "repositories"
    assert unlike["location"].startswith("tests/test_repos.py:")
    on_list = [f["rule"] for f in _active(report) if f["endpoint"] == "repositories"]
    assert sorted(on_list) == ["mock-uncovered-variant", "mock-unlike-endpoint"]


@pytest.mark.parametrize("key", list(NOISE.values()), ids=list(NOISE))
def test_no_finding_comes_from_a_noise_source(
    outcome: tuple[int, dict[str, Any]], key: str
) -> None:
    _, report = outcome
    at = (f"$.{key}", f"$[*].{key}")
    noisy = [
        (f["rule"], f["path"])
        for f in _active(report)
        if f["path"].startswith(at) and (f["rule"], f["path"]) not in UNCOVERED_VARIANTS
    ]
    assert noisy == []


def test_every_mock_is_checked(outcome: tuple[int, dict[str, Any]]) -> None:
    _, report = outcome
    checked = {(m["location"].split(":")[0], m["endpoint"]) for m in report["fixtures_checked"]}
    assert checked == {
        ("tests/test_repos.py", "repo"),
        ("tests/test_repos.py", "repositories"),
        ("tests/test_repos_async.py", "repo"),
    }
    assert report["fixtures_unmatched"] == []
    assert len(report["fixtures_checked"]) == len(_verdicts())
