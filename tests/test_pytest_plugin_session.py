"""The pytest plugin over a whole session, in real pytest runs on real vcrpy cassettes:
the recordings read once and each contract built once however many tests and calls ask,
through the shape cache the CLI uses (a second session, or a session after `driftcheck
diff`, reads the entries the first wrote), and findings the same with and without it."""

from __future__ import annotations

import os
import shutil
import time
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
from driftcheck.sources.cache import TOUCH_AFTER
from tests.helpers import cli_process
from tests.mock_api import API, users_cassette

CASSETTE = "tests/cassettes/test_api/test_users.yaml"
CACHE = ".driftcheck/cache"
CONFIG = f"""
cassettes = "tests/cassettes"
workers = 1

[[endpoints]]
name = "user"
url = "{API}/users/{{id}}"
"""

# 30 tests, 120 calls: two endpoints, two statuses of one, a URL, passing and failing.
CALLS = f"""
import pytest

GOOD = {{"id": 5, "name": "Eve", "email": None, "team": {{"id": 7, "name": "core"}}}}
DRIFTED = {{"id": "5", "name": "Eve", "nickname": "e", "team": {{"id": 7, "name": "core"}}}}
GONE = {{"error": "not found", "code": 404}}
HEALTH = {{"ok": True, "version": "1", "uptime": 1}}


@pytest.mark.parametrize("n", range(30))
def test_calls(assert_matches_contract, n):
    assert_matches_contract(GOOD, "user")
    assert_matches_contract(GOOD, "GET {API}/users/{{n}}")
    assert_matches_contract(GONE, "user", status=404)
    assert_matches_contract(HEALTH, "GET {API}/health")


def test_drifted(assert_matches_contract):
    assert_matches_contract(DRIFTED, "user")


def test_zz_counts(driftcheck_contracts):
    contracts = driftcheck_contracts.contracts()
    print(f"COUNTS reads={{contracts.reads}} built={{contracts.built}} "
          f"tables={{contracts.tables_built}}")
"""


@pytest.fixture(scope="module")
def cassette(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return users_cassette(tmp_path_factory.mktemp("recorded"))


def _project(pytester: pytest.Pytester, cassette: Path, config: str = CONFIG) -> None:
    target = pytester.path / CASSETTE
    target.parent.mkdir(parents=True)
    shutil.copy(cassette, target)
    (pytester.path / "driftcheck.toml").write_text(config)
    pytester.makepyfile(test_calls=CALLS)


def _run(pytester: pytest.Pytester) -> pytest.RunResult:
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly", "-s")
    result.assert_outcomes(passed=31, failed=1)
    return result


def _failure(result: pytest.RunResult) -> list[str]:
    """The failing test's message: the findings, as the session reported them."""
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if line.startswith("mock payload does not"))
    return lines[start : start + 4]


def _entries(pytester: pytest.Pytester) -> dict[str, tuple[int, int]]:
    """Each cache entry's name, with its inode and modification time."""
    folder = pytester.path / CACHE
    found = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            status = path.stat()
            found[str(path.relative_to(folder))] = (status.st_ino, status.st_mtime_ns)
    return found


def _age(pytester: pytest.Pytester, seconds: float) -> None:
    """Make every cache entry look unused for `seconds`: a read renews its time."""
    then = time.time() - seconds
    for path in (pytester.path / CACHE).rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def test_one_session_reads_the_recordings_once_and_builds_each_contract_once(
    pytester: pytest.Pytester, cassette: Path
) -> None:
    """121 calls over 3 endpoint-and-status contracts: one read of the recordings, one
    contract and one path table per (endpoint, status)."""
    _project(pytester, cassette)
    result = _run(pytester)
    result.stdout.fnmatch_lines(["*COUNTS reads=1 built=3 tables=3*"])


def test_a_second_session_reads_the_shape_cache_the_first_wrote(
    pytester: pytest.Pytester, cassette: Path
) -> None:
    """The first session writes entries in the config's cache folder; the second reads
    them (each read entry's time renewed, as a hit does) and rewrites none (a miss would
    rename a new file over it), and fails with the same findings."""
    _project(pytester, cassette)
    first = _run(pytester)
    written = _entries(pytester)
    assert written, "the plugin wrote no shape cache entry"
    _age(pytester, 2 * TOUCH_AFTER)
    aged = _entries(pytester)
    second = _run(pytester)
    read = _entries(pytester)
    assert read.keys() == written.keys()
    assert {name: ino for name, (ino, _) in read.items()} == {
        name: ino for name, (ino, _) in written.items()
    }
    assert any(read[name][1] > aged[name][1] for name in read), "no entry was read"
    assert _failure(second) == _failure(first)
    second.stdout.fnmatch_lines(["*COUNTS reads=1 built=3 tables=3*"])


def test_the_plugin_reads_the_cache_diff_wrote(pytester: pytest.Pytester, cassette: Path) -> None:
    """`driftcheck diff` in the project (fresh recordings against the committed ones)
    writes the cache; the session after it writes nothing new: every file it reads is
    found there."""
    _project(pytester, cassette)
    fresh = pytester.path / ".driftcheck" / "fresh" / "test_users.yaml"
    fresh.parent.mkdir(parents=True)
    shutil.copy(cassette, fresh)
    diff = cli_process(pytester.path, "diff", "--format", "json", "-o", os.devnull)
    assert diff.returncode in (0, 1), diff.stderr
    written = _entries(pytester)
    assert written, "diff wrote no shape cache entry"
    _run(pytester)
    assert _entries(pytester).keys() == written.keys()


def test_without_the_cache_nothing_is_written_and_findings_are_the_same(
    pytester: pytest.Pytester, cassette: Path
) -> None:
    _project(pytester, cassette)
    cached = _failure(_run(pytester))
    shutil.rmtree(pytester.path / ".driftcheck")
    (pytester.path / "driftcheck.toml").write_text('cache = ""\n' + CONFIG)
    uncached = _run(pytester)
    assert not (pytester.path / ".driftcheck").exists()
    assert _failure(uncached) == cached
    assert _failure(uncached)[1].startswith("  mock-field-unknown (warning) $.nickname:")
