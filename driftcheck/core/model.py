"""Plain frozen values shared by every layer: interactions, shapes, findings, reports."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args

if TYPE_CHECKING:  # rules build findings from this module's values: no import at run time
    from driftcheck.core.headers import HeaderTally
    from driftcheck.core.rules import RuleId

_T = TypeVar("_T")


def _pickled_by_constructor(cls: type[_T]) -> type[_T]:
    """Pickle as a constructor call. A frozen slots dataclass otherwise pickles through
    Python-level __getstate__/__setstate__, and interactions and shapes cross from worker
    processes by the ten thousand: this halves the cost of sending and receiving them."""
    state = attrgetter(*(f.name for f in fields(cls)))  # type: ignore[arg-type]  # _T: a dataclass

    def __reduce__(self: _T) -> tuple[type[_T], tuple[Any, ...]]:
        return cls, state(self)

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]  # deliberate monkeypatch
    return cls


JSON_TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")


class Severity(enum.IntEnum):
    """Ordered so that `finding.severity >= threshold` decides the exit code."""

    INFO = 1
    WARNING = 2
    BREAKING = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


class BodyKind(str, enum.Enum):
    """What a response body is; only JSON bodies take part in shape inference."""

    JSON = "json"
    EMPTY = "empty"
    HTML = "html"
    XML = "xml"
    EVENT_STREAM = "event-stream"
    TEXT = "text"
    BINARY = "binary"
    UNREADABLE = "unreadable"


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Interaction:
    """One recorded request/response pair, with the body decoded and, for JSON, parsed."""

    method: str
    uri: str
    status: int
    content_type: str
    kind: BodyKind
    body: Any = None
    note: str | None = None
    source: str = ""
    index: int = 0
    line: int = 0  # where the interaction starts in its file (0: unknown)
    recorded_at: float | None = None  # POSIX time it was recorded, when the cassette says
    operation: str | None = None  # a GraphQL request's operation name; None for the rest
    echoed: tuple[int, ...] = ()  # path segments (0: the first) the JSON body names: slugs
    # response header names (lower-case), with values only for those announcing a
    # retirement (Deprecation, Sunset, Link): what `core/headers.py` counts
    headers: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @property
    def location(self) -> Location:
        return Location(self.source, self.line)


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Node:
    """The merged structure seen at one place in many JSON values.

    `types` counts how often each JSON type was seen here; a key's presence count is the
    sum of its node's types, and its parent count is the parent's `object` count.
    """

    types: Mapping[str, int]
    keys: Mapping[str, Node] = field(default_factory=dict)
    items: Node | None = None
    empty: int = 0
    values: Node | None = None  # a map's values, merged (its keys are data: ids, names)
    tag: str | None = None  # the key whose string value names the object's variant
    variants: Mapping[str, Tagged] = field(default_factory=dict)  # per value of `tag`
    # Value domains of the strings seen here (`core/domains.py`): how many had each format
    # (None: some had none), and each distinct value with its count while they look like
    # an enum (None: they do not)
    formats: Mapping[str, int] | None = field(default_factory=dict)
    enum: Mapping[str, int] | None = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.types.values())

    @property
    def is_map(self) -> bool:
        return self.values is not None


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Tagged:
    """The objects of one variant (say `"type": "Organization"`): how many, and how many
    of them had each key. Only keys are kept per variant; deeper structure is merged."""

    count: int
    keys: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Field:
    """One path of a shape, flattened for comparison and display.

    `present` counts the samples that had this path and `parent` those that had its
    parent as an object (for `[*]` paths: elements, and non-empty arrays).
    """

    path: str
    counts: Mapping[str, int]
    present: int
    parent: int
    parent_path: str | None = None
    empty: int = 0
    is_item: bool = False
    format: str | None = None  # the one format of its strings (`core/domain_rules.py`)
    enum: tuple[str, ...] | None = None  # its values, when enum-like

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self.counts)

    @property
    def required(self) -> bool:
        return self.present >= self.parent

    @property
    def nulls(self) -> int:
        return self.counts.get("null", 0)


@dataclass(frozen=True, slots=True)
class StatusShape:
    """All samples of one endpoint with one status code."""

    samples: int
    content_types: Mapping[str, int]
    shape: Node | None
    notes: tuple[str, ...] = ()
    location: Location | None = None  # the first sample, for annotations
    # (day, shape) per recording day (ISO, "" undated), oldest first, `shape` their merge;
    # empty when no body is dated. What `contract_since` chooses from (`core/recency.py`).
    eras: tuple[tuple[str, Node], ...] = ()
    # response header names counted, and retirement notices (mutable: not compared)
    headers: HeaderTally | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class EndpointSet:
    """Shapes per endpoint and status, for one side of a comparison."""

    endpoints: Mapping[str, Mapping[int, StatusShape]]


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """Where a finding points: a file, and a line in it (0: the file as a whole).

    Kept as a value inside the program; only the outputs spell it, as `file:line`.
    """

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line > 0 else self.file

    def __bool__(self) -> bool:
        return bool(self.file)  # an interaction read from no file points nowhere

    @classmethod
    def parse(cls, text: str) -> Location:
        """`file:line` or `file`, as `str()` wrote it (a JSON report read back)."""
        file, _, line = text.rpartition(":")
        if file and line.isdigit():
            return cls(file, int(line))
        return cls(text)


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected change; values never appear here, only structure."""

    endpoint: str
    status: int | None
    path: str
    rule: RuleId
    severity: Severity
    source: str
    baseline: str
    current: str
    message: str
    location: Location | None = None  # the cassette or fixture line it is about
    ignored: str | None = None  # the reason of the [[ignore]] entry that hides it
    spec_location: Location | None = None  # the OpenAPI spec's line, for `spec-*` rules


class Unknown(str):
    """A mock's string whose value is not known statically (an f-string that formats
    names): a string for the type rules, never checked as a value (enum, format)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Opaque:
    """A part of a Python fixture that is not data (a call, an unknown name): never checked."""

    what: str
    line: int


@dataclass(frozen=True, slots=True)
class Fixture:
    """One mock payload a test feeds its code, and where it was written.

    `value` is plain JSON data, possibly holding `Opaque` parts; `lines` maps JSONPaths
    (with `[*]` for elements) to the line that wrote them, for pointing findings there.
    """

    value: Any
    file: str
    line: int
    name: str
    lines: Mapping[str, int] = field(default_factory=dict)

    def where(self, path: str | None = None) -> Location:
        """Where `path` is written in this fixture (the fixture itself when unknown)."""
        line = self.lines.get(path, self.line) if path is not None else self.line
        return Location(self.file, max(line, 0))


@dataclass(frozen=True, slots=True)
class FileError:
    """A file that could not be read, with a one-line reason."""

    file: str
    message: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What recording did for one endpoint: wrote `path`, or failed with `error`."""

    endpoint: str
    samples: int
    path: str | None = None
    error: str | None = None


MatchedBy = Literal["url", "config", "patch-target", "shape"]
MATCHED_BY: tuple[MatchedBy, ...] = get_args(MatchedBy)  # most specific evidence first


@dataclass(frozen=True, slots=True)
class CheckedMock:
    """A mock compared with recordings: the endpoint and status it was held to, and the
    evidence that chose them, so a reader can spot a wrong match (`shape` is a guess)."""

    location: Location  # the mock call (or the payload, for a standalone one)
    endpoint: str
    status: int | None  # the recorded status compared with (None: not decided)
    matched_by: MatchedBy
    library: str = ""  # `responses`, `requests-mock`, `pytest-fixture`, ...
    name: str = ""  # the payload's name, `file::test.callee@line`


@dataclass(frozen=True, slots=True)
class UnmatchedMock:
    """A mock found but compared with nothing, and why: what is not verified must show."""

    location: Location
    reason: str
    library: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class MockCoverage:
    """What a run verified of the tests' mocks: each checked and each unmatched mock, the
    `METHOD URL`s mocked but never recorded, and the endpoints recorded but never mocked."""

    checked: tuple[CheckedMock, ...] = ()
    unmatched: tuple[UnmatchedMock, ...] = ()
    mocked_not_recorded: tuple[str, ...] = ()
    recorded_not_mocked: tuple[str, ...] = ()

    def counts_by(self) -> dict[MatchedBy, int]:
        """Checked mocks per kind of evidence, in `MATCHED_BY` order (zeros left out): how
        many matches rest on a stated URL and how many on a guess."""
        counts = {kind: sum(c.matched_by == kind for c in self.checked) for kind in MATCHED_BY}
        return {kind: n for kind, n in counts.items() if n}


@dataclass(frozen=True, slots=True)
class Report:
    """The result of a comparison, rendered by every output format."""

    findings: tuple[Finding, ...]
    endpoints: int
    errors: tuple[FileError, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # about the run itself, e.g. an expired ignore
    checked: tuple[tuple[str, int | None], ...] = ()  # every (endpoint, status) compared
    failed: tuple[Outcome, ...] = ()  # endpoints whose recording failed (`check`)
    coverage: MockCoverage | None = None  # None: the run looked at no mocks (`diff A B`)

    @property
    def active(self) -> tuple[Finding, ...]:
        """The findings no [[ignore]] entry hides: these set the exit code."""
        return tuple(f for f in self.findings if f.ignored is None)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.active if f.severity is severity)

    def fails(self, threshold: Severity | None) -> bool:
        """True when some active finding is at or above `threshold` (None: never fail)."""
        return threshold is not None and any(f.severity >= threshold for f in self.active)
