"""The pytest plugin in real pytest runs, on cassettes recorded by real vcrpy (several
endpoints in one file): payloads checked against an endpoint named by config name or by
`GET https://…`, of a given status, with the config's [[ignore]] and [severity]."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# pytester's in-process runs forget modules first imported inside them, while the package
# keeps them as attributes: import what the plugin imports lazily, so there is one copy.
import driftcheck.config
import driftcheck.core.policy
import driftcheck.run.mocks_payload
import driftcheck.run.recordings
import driftcheck.sources.fixtures
import driftcheck.sources.scan  # noqa: F401
from tests.mock_api import API, users_cassette

CASSETTE = "tests/cassettes/test_api/test_users.yaml"
CONFIG = f"""
cassettes = "tests/cassettes"
cache = ""
workers = 1

[[endpoints]]
name = "user"
url = "{API}/users/{{id}}"
"""

PAYLOADS = """
GOOD = {"id": 5, "name": "Eve", "email": None, "team": {"id": 7, "name": "core"}}
DRIFTED = {"id": "5", "name": "Eve", "nickname": "eve", "team": {"id": 7, "name": "core"}}
GONE = {"error": "not found", "code": 404}
"""


@pytest.fixture(scope="module")
def cassette(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return users_cassette(tmp_path_factory.mktemp("recorded"))


def _project(pytester: pytest.Pytester, cassette: Path, tests: str, config: str = CONFIG) -> None:
    target = pytester.path / CASSETTE
    target.parent.mkdir(parents=True)
    shutil.copy(cassette, target)
    (pytester.path / "driftcheck.toml").write_text(config)
    pytester.makepyfile(payloads=PAYLOADS, test_mocks=tests)


def _run(pytester: pytest.Pytester) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", "-W", "always")


BY_NAME = """
from payloads import DRIFTED, GOOD


def test_good(assert_matches_contract):
    assert_matches_contract(GOOD, "user")


def test_drifted(assert_matches_contract):
    assert_matches_contract(DRIFTED, "user")
"""


def test_a_drifted_payload_fails_with_its_findings(
    pytester: pytest.Pytester, cassette: Path
) -> None:
    _project(pytester, cassette, BY_NAME)
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_drifted*",
            "mock payload does not match the recorded contract of endpoint `user`, status 200 "
            "(2 recorded responses):",
            "  mock-field-unknown (warning) $.nickname: `$.nickname` is in fixture payload but "
            "endpoint `user` never returned it (2 recorded responses)",
            "  mock-field-missing (warning) $.email: `$.email` is in all 2 recorded responses "
            "of endpoint `user` but missing from fixture payload",
            "  mock-type-mismatch (breaking) $.id: `$.id` is string in fixture payload; "
            "endpoint `user` returned only integer there (2 recorded values)",
        ]
    )
    assert "Traceback" not in result.stdout.str()


BY_URL = f"""
from payloads import DRIFTED, GOOD


def test_good(assert_matches_contract):
    assert_matches_contract(GOOD, "GET {API}/users/42")


def test_drifted(assert_matches_contract):
    assert_matches_contract(DRIFTED, "get {API}/users/42?verbose=1")


def test_unconfigured(assert_matches_contract):
    assert_matches_contract({{"ok": True, "version": "1", "uptime": 1}}, "GET {API}/health")


def test_by_key(assert_matches_contract):
    assert_matches_contract({{"ok": 1, "version": "1", "uptime": 1}}, "GET api.example.com/health")


def test_nowhere(assert_matches_contract):
    assert_matches_contract({{}}, "GET {API}/nowhere")
"""


def test_an_endpoint_named_by_method_and_url(pytester: pytest.Pytester, cassette: Path) -> None:
    """A URL fits a configured endpoint's template or a recorded automatic key."""
    _project(pytester, cassette, BY_URL)
    result = _run(pytester)
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*test_drifted*",
            "mock payload does not match the recorded contract of endpoint `user` (for "
            f"`get {API}/users/42?verbose=1`), status 200 (2 recorded responses):",
            "*test_by_key*",
            "mock payload does not match the recorded contract of endpoint "
            "`GET api.example.com/health`, status 200 (1 recorded response):",
            "  mock-type-mismatch (breaking) $.ok: *",
            "*test_nowhere*",
            f"driftcheck: no recorded endpoint fits `GET {API}/nowhere` (recorded: "
            "GET api.example.com/health, user)",
        ]
    )


BY_STATUS = """
from payloads import GONE


def test_not_found(assert_matches_contract):
    assert_matches_contract(GONE, "user", status=404)


def test_not_found_drifted(assert_matches_contract):
    assert_matches_contract({"error": "not found"}, "user", status=404)


def test_never_recorded(assert_matches_contract):
    assert_matches_contract(GONE, "user", status=500)
"""


def test_a_status_selects_its_recordings(pytester: pytest.Pytester, cassette: Path) -> None:
    _project(pytester, cassette, BY_STATUS)
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*test_not_found_drifted*",
            "mock payload does not match the recorded contract of endpoint `user`, status 404 "
            "(1 recorded response):",
            "  mock-field-missing (warning) $.code: `$.code` is in all 1 recorded responses of "
            "endpoint `user` but missing from fixture payload",
            "*test_never_recorded*",
            "driftcheck: `user` was never recorded answering 500 (recorded: 200, 404)",
        ]
    )


POLICY = """
[severity]
mock-type-mismatch = "info"

[[ignore]]
endpoint = "us*"
rule = "mock-field-unknown"
reason = "nickname is new, tracked in #12"

[[ignore]]
endpoint = "GET api.example.com/users/*"
path = "$.email"
reason = "a glob written for the automatic key"
"""


def test_ignores_and_severities_apply_as_in_the_cli(
    pytester: pytest.Pytester, cassette: Path
) -> None:
    """The type mismatch drops to info (below the default `warning`), the unknown key is
    ignored; the missing key still fails. The second ignore names no endpoint: warned."""
    _project(pytester, cassette, BY_NAME, CONFIG + POLICY)
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    output = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*test_drifted*",
            "mock payload does not match the recorded contract of endpoint `user`, status 200 "
            "(2 recorded responses):",
            "  mock-field-missing (warning) $.email: *",
            "*= warnings summary =*",
        ]
    )
    config = pytester.path / "driftcheck.toml"
    assert (
        f"DriftcheckWarning: driftcheck: [[ignore]] #2 in {config} (endpoint "
        "`GET api.example.com/users/*`, rule `*`, path `$.email`: a glob written for the "
        "automatic key) matches no endpoint, so it hides nothing (endpoints: "
        "GET api.example.com/health, user)\n"
    ) in output
    assert "mock-type-mismatch" not in output
    assert "mock-field-unknown" not in output
    assert output.count("DriftcheckWarning") == 1  # once per session, not per test


def test_fail_on_ini_option_sets_the_threshold(pytester: pytest.Pytester, cassette: Path) -> None:
    _project(pytester, cassette, BY_NAME, CONFIG + POLICY)
    pytester.makeini("[pytest]\ndriftcheck_fail_on = info\n")
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["  mock-type-mismatch (info) $.id: *"])
    pytester.makeini("[pytest]\ndriftcheck_fail_on = loud\n")
    result = _run(pytester)
    result.stdout.fnmatch_lines(
        ["driftcheck: ini option driftcheck_fail_on = 'loud'; valid: breaking, warning, info"]
    )


ONCE = f"""
import shutil
from pathlib import Path

from payloads import GONE, GOOD


def test_first(assert_matches_contract):
    assert_matches_contract(GOOD, "user")
    shutil.rmtree(Path("{{root}}") / "tests" / "cassettes")


def test_again(assert_matches_contract):
    assert_matches_contract(GOOD, "GET {API}/users/3")
    assert_matches_contract(GONE, "user", status=404)
"""


def test_recordings_are_read_once_per_session(pytester: pytest.Pytester, cassette: Path) -> None:
    _project(pytester, cassette, ONCE.replace("{root}", str(pytester.path)))
    result = _run(pytester)
    result.assert_outcomes(passed=2)
    assert not (pytester.path / "tests" / "cassettes").exists()


def test_entry_point_loads_the_plugin_in_a_fresh_process(
    pytester: pytest.Pytester, cassette: Path
) -> None:
    _project(pytester, cassette, BY_NAME)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "good")
    result.assert_outcomes(passed=1, deselected=1)


def test_unknown_endpoint_fails_with_one_line(pytester: pytest.Pytester, cassette: Path) -> None:
    _project(
        pytester,
        cassette,
        "def test_x(assert_matches_contract):\n    assert_matches_contract({}, 'usr')\n",
    )
    result = _run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*driftcheck: unknown endpoint `usr`; did you mean `user`?*"])


def test_ini_option_names_the_config(pytester: pytest.Pytester, cassette: Path) -> None:
    _project(pytester, cassette, BY_NAME)
    (pytester.path / "api").mkdir()
    (pytester.path / "driftcheck.toml").rename(pytester.path / "api" / "driftcheck.toml")
    shutil.move(pytester.path / "tests", pytester.path / "api" / "tests")
    pytester.makeini("[pytest]\ndriftcheck_config = api/driftcheck.toml\n")
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=1)


HOSTILE = """
import datetime

from payloads import GOOD


def _deep(levels):
    payload = {"id": 5}
    for _ in range(levels):
        payload = {"team": payload}
    return payload


def test_deep(assert_matches_contract):
    assert_matches_contract(_deep(5000), "user")


def test_set(assert_matches_contract):
    assert_matches_contract({**GOOD, "name": {"Eve"}}, "user")


def test_date(assert_matches_contract):
    assert_matches_contract({**GOOD, "email": datetime.date(2024, 1, 2)}, "user")


def test_shared(assert_matches_contract):
    shared = [GOOD] * 1000
    for _ in range(2):
        shared = [shared] * 1000
    assert_matches_contract(shared, "user")


def test_good(assert_matches_contract):
    assert_matches_contract(GOOD, "user")
"""


def test_a_payload_json_cannot_carry_fails_with_one_line(
    pytester: pytest.Pytester, cassette: Path
) -> None:
    """A set (or a date) would be an opaque value no check sees, and 5,000 levels used to
    end in a raw RecursionError: each fails its test with what is wrong and where."""
    _project(pytester, cassette, HOSTILE)
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=4)
    result.stdout.fnmatch_lines(
        [
            "*test_deep*",
            "driftcheck: mock payload: the payload is nested deeper than 500 levels",
            "*test_set*",
            "driftcheck: mock payload: $.name is a set, not JSON data; a payload holds what "
            "json.loads returns: dict, list, str, int, float, bool, None",
            "*test_date*",
            "driftcheck: mock payload: $.email is a date, not JSON data; *",
            "*test_shared*",
            "driftcheck: mock payload: the payload holds more than 1,000,000 values",
        ]
    )
    assert "RecursionError" not in result.stdout.str()
    assert "Traceback" not in result.stdout.str()


def test_hostile_names_and_wrong_argument_types_fail_as_visible_text(
    pytester: pytest.Pytester, cassette: Path
) -> None:
    """An endpoint name or key holding terminal escapes is shown as escapes (red team: ESC]0
    retitled the terminal running pytest); a wrong argument type is one clear failure."""
    tests = (
        "def test_escape(assert_matches_contract):\n"
        "    assert_matches_contract({}, '\\x1b[31mxxx')\n"
        "def test_key(assert_matches_contract):\n"
        "    assert_matches_contract({'id': 5, '\\x1b]0;pwn\\x07': 1}, 'user')\n"
        "def test_none(assert_matches_contract):\n"
        "    assert_matches_contract({}, None)\n"
    )
    _project(pytester, cassette, tests)
    result = _run(pytester)
    result.assert_outcomes(failed=3)
    text = result.stdout.str()
    assert "\x1b" not in text
    assert "unknown endpoint `\\x1b[31mxxx`" in text
    assert "\\x1b]0;pwn\\x07" in text
    result.stdout.fnmatch_lines(["*takes an endpoint name (a str) and a status (an int)*"])
