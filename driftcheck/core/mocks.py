"""Mocks found in test code: each payload with the method, URL and status its test states.

Values only: `sources/mocks/` reads them from Python test modules, and a later step
matches each one to an endpoint by method and URL (or by its patch target, or by shape).
"""

from __future__ import annotations

from dataclasses import dataclass

from driftcheck.core.model import FileError, Fixture, Location

# The `library` of payloads that are not a mock call but may feed one.
PYTEST_FIXTURE = "pytest-fixture"
DATA_FILE = "data-file"


@dataclass(frozen=True, slots=True)
class Mock:
    """One response payload a test serves to its code, with what the test says about it.

    `url` is the literal URL; parts that are not literals are `{name}` placeholders, and
    with `url_regex` it is a regular expression (`re.compile`, `url__regex`). `method` is
    None where the mock answers any method; `status` is None where the test states none
    (a bare `Mock` with `.json.return_value`). `fixture.file` is where the payload is
    written (a data file, a conftest), `call` where the mock is set up.
    """

    fixture: Fixture
    library: str
    call: Location
    method: str | None = None
    url: str | None = None
    url_regex: bool = False
    status: int | None = None
    patch_target: str | None = None  # `pkg.client.requests.get` under unittest.mock
    test: str | None = None  # the function that sets the mock up (None: module level)
    via_fixture: str | None = None  # the pytest fixture whose value the payload is
    fixture_name: str | None = None  # for a pytest-fixture payload: the fixture's name
    used_by: tuple[str, ...] = ()  # pytest-fixture, data-file: `file::test` taking it
    feeds: tuple[Location, ...] = ()  # pytest-fixture: mock calls whose body it is

    @property
    def standalone(self) -> bool:
        """A payload that no mock call serves (a fixture's or a loaded file's value)."""
        return self.library in {PYTEST_FIXTURE, DATA_FILE}


@dataclass(frozen=True, slots=True)
class Skipped:
    """A mock call whose body is not data (a factory call, a callback, an unknown name).

    Never dropped silently: it is listed with its reason, and what the call states about
    method, URL and status, so a report can say what it could not check.
    """

    location: Location
    library: str
    reason: str
    name: str = ""  # `file::test.callee@line`, as a Fixture would be named
    method: str | None = None
    url: str | None = None
    status: int | None = None


@dataclass(frozen=True, slots=True)
class MocksFound:
    """What reading test modules found: mocks, calls skipped, notes on opaque parts of
    payloads (`$.created_at` is a call), and modules that could not be parsed."""

    mocks: tuple[Mock, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()
    errors: tuple[FileError, ...] = ()

    def __add__(self, other: MocksFound) -> MocksFound:
        return MocksFound(
            self.mocks + other.mocks,
            self.skipped + other.skipped,
            self.notes + other.notes,
            self.errors + other.errors,
        )
