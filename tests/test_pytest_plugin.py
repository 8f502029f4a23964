"""The pytest plugin in real pytest runs: a drifted mock fails readably, a good one passes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# pytester's in-process runs forget modules first imported inside them, while the package
# keeps them as attributes: import what the plugin imports lazily, so there is one copy.
import driftcheck.run.recordings
import driftcheck.sources.fixtures  # noqa: F401

ROOT = Path(__file__).parent.parent
USER_CASSETTE = ROOT / "cassettes" / "user.yaml"  # the demo API's recording

TESTS = """
GOOD = {
    "id": 5, "name": "Eve", "nickname": "eve", "age": 25,
    "profile": {"bio": None, "avatar": "/a/5.png"},
    "contact": {"phone": None, "email": "eve@example.com"},
    "active": True, "created_at": "2024-01-05T10:00:00Z",
}
DRIFTED = {**GOOD, "age": "25", "display_name": "Eve"}
del DRIFTED["active"]


def test_good_mock(assert_matches_contract):
    assert_matches_contract(GOOD, "user")


def test_drifted_mock(assert_matches_contract):
    assert_matches_contract(DRIFTED, "user")
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    (pytester.path / "cassettes").mkdir()
    shutil.copy(USER_CASSETTE, pytester.path / "cassettes" / "user.yaml")
    pytester.makefile(
        ".toml", driftcheck='[[endpoints]]\nname = "user"\nurl = "http://127.0.0.1:9/u"\n'
    )
    pytester.makepyfile(test_mocks=TESTS)
    return pytester


def test_drifted_mock_fails_with_the_findings(project: pytest.Pytester) -> None:
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_drifted_mock*",
            "mock payload does not match the recorded contract of endpoint `user` "
            "(12 recorded responses):",
            "  mock-field-unknown (warning) $.display_name: `$.display_name` is in fixture "
            "payload but endpoint `user` never returned it (12 recorded responses)",
            "  mock-field-missing (warning) $.active: `$.active` is in all 12 recorded "
            "responses of endpoint `user` but missing from fixture payload",
            "  mock-type-mismatch (breaking) $.age: `$.age` is string in fixture payload; "
            "endpoint `user` returned only integer there (12 recorded values)",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_entry_point_loads_the_plugin_in_a_fresh_process(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-k", "good")
    result.assert_outcomes(passed=1, deselected=1)


def test_unknown_endpoint_fails_with_one_line(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".toml", driftcheck='[[endpoints]]\nname = "user"\nurl = "http://127.0.0.1:9/u"\n'
    )
    pytester.makepyfile(
        "def test_x(assert_matches_contract):\n    assert_matches_contract({}, 'usr')\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*driftcheck: unknown endpoint `usr`; did you mean `user`?*"])


def test_ini_option_names_the_config(project: pytest.Pytester) -> None:
    config = project.path / "driftcheck.toml"
    (project.path / "api").mkdir()
    config.rename(project.path / "api" / "driftcheck.toml")
    shutil.move(project.path / "cassettes", project.path / "api" / "cassettes")
    project.makeini("[pytest]\ndriftcheck_config = api/driftcheck.toml\n")
    result = project.runpytest("-p", "no:cacheprovider", "-k", "good")
    result.assert_outcomes(passed=1, deselected=1)
