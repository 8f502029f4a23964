"""Fuzzing the readers of untrusted files: cassettes, data fixtures and Python test modules.

Whatever the bytes, a reader returns a value or raises the per-file error a run lists
(`CassetteError`, `FixtureError`: `FileInputError`s naming the file); never another
exception, never a crash, and what it returns can be written as JSON. Hostile texts come
from hypothesis: random structures written as JSON and YAML (odd tags, `.inf`, huge ints,
surrogates, bad URIs), random bytes, mutations of the real cassettes in tests/data, and
deep nesting. A run here is bounded; the `slow` variants try many more examples.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftcheck.core.model import Fixture, Interaction, Opaque
from driftcheck.errors import CassetteError, FileInputError, FixtureError
from driftcheck.sources.cassettes import parse_cassette, read_cassette
from driftcheck.sources.fixtures import data_fixture, load_fixtures
from driftcheck.sources.mocks import module_mocks, python_fixtures

CASSETTES = sorted((Path(__file__).parent.parent / "data" / "cassettes").iterdir())
FAST, SLOW = 40, 300  # SLOW runs in CI (`make test`); the suite stays under 5 minutes


# The same examples on every run, so a CI verdict never depends on luck; new ones with
# DRIFTCHECK_FUZZ=random (what found `!!timestamp 2024-13-45x: 1`).
FIXED = os.environ.get("DRIFTCHECK_FUZZ") != "random"


def fuzz(examples: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=FIXED,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- values and texts -------------------------------------------------------------------

ODD_TEXT = st.sampled_from(
    [
        "\ud800",
        "\udfff\ud800",
        "\x00",
        "\u0085",
        "\u2028",
        "\x1b[31m",
        "é",
        "😀",
        "",
        " ",
        "null",
        "~",
        ".inf",
        "-.inf",
        ".nan",
        "0x1F",
        "0o17",
        "1_000",
        "2024-13-45",
        "2024-02-30T25:61:61Z",
        "9" * 400,
        "application/json; charset=rot13",
        "text/plain; charset=utf-16",
    ]
)
URIS = st.sampled_from(
    [
        "http://[::1",
        "http://x:99999999/a",
        "http://x:-1/",
        "https://user:pa ss@host/%zz?q=%",
        "//no-scheme",
        "file:///etc/passwd",
        "http://\ud800/",
        "http://exa mple.com/a b",
        "",
        "a" * 3000,
        "http://h/" + "%" * 50,
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**30, max_value=10**4000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    ODD_TEXT,
    URIS,
    st.binary(max_size=20),
)
TREES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.one_of(st.text(max_size=8), ODD_TEXT), children, max_size=4)
    ),
    max_leaves=25,
)
STATUSES = st.one_of(
    st.integers(-5, 10**20),
    st.floats(),
    st.sampled_from(["200 OK", "abc", ".inf", "", None]),
    st.builds(lambda code, message: {"code": code, "message": message}, TREES, TREES),
)
BODIES = st.one_of(
    TREES,
    st.builds(lambda text: {"string": text}, st.one_of(st.text(max_size=40), ODD_TEXT, TREES)),
    st.builds(lambda data: {"string": data}, st.binary(max_size=40)),
    st.builds(lambda text: {"base64_string": text}, st.text(max_size=20)),
    st.builds(lambda text: {"encoding": "utf-8", "string": text}, st.text(max_size=20)),
)
HEADERS = st.one_of(
    TREES,
    st.dictionaries(
        st.sampled_from(["Content-Type", "content-encoding", "Date", "Content-Length", "X"]),
        st.one_of(st.lists(st.one_of(ODD_TEXT, st.text(max_size=20)), max_size=3), TREES),
        max_size=4,
    ),
)
INTERACTIONS = st.fixed_dictionaries(
    {
        "request": st.fixed_dictionaries(
            {"method": st.one_of(st.sampled_from(["GET", "POST"]), TREES), "uri": URIS},
            optional={"headers": HEADERS, "body": BODIES},
        ),
        "response": st.fixed_dictionaries(
            {"status": STATUSES}, optional={"headers": HEADERS, "body": BODIES}
        ),
    },
    optional={"recorded_at": TREES},
)
CASSETTE_DOCS = st.one_of(
    st.fixed_dictionaries(
        {"interactions": st.lists(INTERACTIONS, max_size=3)}, optional={"version": TREES}
    ),
    st.fixed_dictionaries({"http_interactions": st.lists(INTERACTIONS, max_size=3)}),
    st.lists(INTERACTIONS, max_size=3),
    TREES,
)


def as_json(value: Any) -> str:
    """Python's json: huge ints, NaN, Infinity and `\\ud800` escapes as written."""
    return json.dumps(value, default=lambda v: v.hex() if isinstance(v, bytes) else repr(v))


def as_yaml(value: Any, flow: bool) -> str | None:
    """YAML the way vcrpy writes it (bytes as `!!binary`); None when PyYAML cannot."""
    try:
        return yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    except (yaml.YAMLError, UnicodeError, ValueError, TypeError, RecursionError):
        return None


def deep(depth: int, style: str) -> str:
    """Nesting `depth` levels deep, as attackers write it."""
    if style == "flow":
        return "x: " + "[" * depth + "]" * depth
    if style == "map":
        return "x: " + "{a: " * depth + "1" + "}" * depth
    if style == "dash":
        return "x:\n" + "- " * depth + "1\n"
    if style == "aliases":
        lines = ["a0: &a0 [1]", *(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, depth))]
        return "\n".join(lines)
    return '{"interactions": [{"request": {"headers": ' + "[" * depth + "]" * depth + "}}]}"


SNIPPETS = [
    b"[" * 3000,
    b"{a: " * 2000,
    b"- " * 2000,
    b"&a [*a]",
    b"*a",
    b"!!python/object/apply:os.system ['echo']",
    b"!ruby/object:Foo {}",
    b"!binary 'abc'",
    b"!!binary '@@'",
    b"!!python/tuple [1, [2]]",
    b"!!set {a, b}",
    b"!!timestamp 2024-13-45",
    b".inf",
    b"99999999999999999999999999999",
    b'"\\ud800"',
    b"\x00\xff\xfe",
    b"\xef\xbb\xbf",
    b"\r",
    b"\xc2\x85",
    b"code: .nan",
    b"uri: http://[::1",
    b"Content-Encoding: [gzip]",
    b"charset=rot13",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A real cassette with a few bytes cut, copied, replaced or hostile snippets put in."""
    data = bytearray(draw(st.sampled_from(CASSETTES)).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "copy", "insert", "snippet", "truncate"]))
        if action == "cut":
            del data[where : where + draw(st.integers(1, 50))]
        elif action == "copy":
            data[where:where] = data[where : where + draw(st.integers(1, 200))]
        elif action == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=8))
        elif action == "snippet":
            data[where:where] = draw(st.sampled_from(SNIPPETS))
        else:
            del data[where:]
    return bytes(data)


@st.composite
def generated(draw: st.DrawFn, documents: st.SearchStrategy[Any]) -> bytes:
    document = draw(documents)
    form = draw(st.sampled_from(["json", "block", "flow"]))
    text = as_json(document) if form == "json" else as_yaml(document, form == "flow")
    if text is None:
        text = as_json(document)
    return text.encode("utf-8", "surrogatepass")


HOSTILE_CASSETTES = st.one_of(
    generated(CASSETTE_DOCS),
    mutated(),
    st.binary(max_size=400),
    st.builds(
        lambda depth, style: deep(depth, style).encode(),
        st.integers(900, 60_000),
        st.sampled_from(["flow", "map", "dash", "aliases", "json"]),
    ),
)


# --- what every reader must hold to -----------------------------------------------------


def writable(value: Any) -> None:
    """Every text is UTF-8 and the whole can be written as JSON (reports, cache)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            item.encode("utf-8")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, Opaque):
            stack.append(item.what)
        else:
            assert item is None or isinstance(item, (bool, int, float)), type(item)


def attempt(read: Callable[[], Any], expected: type[FileInputError]) -> Any:
    """What the reader returned, or the per-file error it raised (anything else escapes)."""
    try:
        return read()
    except expected as error:
        return error


def listed(outcome: Any, file: str) -> bool:
    """Whether the outcome is a per-file error naming `file` in one line."""
    if not isinstance(outcome, FileInputError):
        return False
    assert outcome.file == file
    assert "\n" not in outcome.reason
    return True


def check_cassette(data: bytes, name: str) -> None:
    interactions = attempt(lambda: parse_cassette(data, name), CassetteError)
    if listed(interactions, name):
        return
    for interaction in interactions:
        assert isinstance(interaction, Interaction)
        writable([interaction.method, interaction.uri, interaction.status, interaction.body])


def check_fixture(data: bytes, label: str) -> None:
    fixture = attempt(lambda: data_fixture(data, label), FixtureError)
    if listed(fixture, label):
        return
    assert isinstance(fixture, Fixture)
    writable(fixture.value)
    writable(list(fixture.lines))


@given(HOSTILE_CASSETTES, st.sampled_from(["c.yaml", "c.json", "c.yml"]))
@fuzz(FAST)
def test_cassettes_parse_or_give_a_cassette_error(data: bytes, name: str) -> None:
    check_cassette(data, name)


@pytest.mark.slow
@given(HOSTILE_CASSETTES, st.sampled_from(["c.yaml", "c.json", "c.yml"]))
@fuzz(SLOW)
def test_cassettes_parse_or_give_a_cassette_error_at_length(data: bytes, name: str) -> None:
    check_cassette(data, name)


@given(HOSTILE_CASSETTES, st.sampled_from(["f.json", "f.yaml", "f"]))
@fuzz(FAST)
def test_data_fixtures_load_or_give_a_fixture_error(data: bytes, label: str) -> None:
    check_fixture(data, label)


@pytest.mark.slow
@given(HOSTILE_CASSETTES, st.sampled_from(["f.json", "f.yaml", "f"]))
@fuzz(SLOW)
def test_data_fixtures_load_or_give_a_fixture_error_at_length(data: bytes, label: str) -> None:
    check_fixture(data, label)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@given(HOSTILE_CASSETTES)
@fuzz(FAST // 2)
def test_files_on_disk_are_listed_never_raised(folder: Path, data: bytes) -> None:
    """The file readers: `read_cassette` raises only CassetteError; `load_fixtures` lists."""
    (folder / "c.yaml").write_bytes(data)
    (folder / "f.json").write_bytes(data)
    (folder / "f.yaml").write_bytes(data)
    cassette = attempt(lambda: read_cassette(folder / "c.yaml"), CassetteError)
    assert listed(cassette, str(folder / "c.yaml")) or cassette.path == str(folder / "c.yaml")
    loaded = load_fixtures(["f.json", "f.yaml"], folder)
    assert len(loaded.fixtures) + len(loaded.errors) == 2
    for fixture in loaded.fixtures:
        writable(fixture.value)


# --- Python test modules ----------------------------------------------------------------

PY_LEAVES = st.one_of(
    st.builds(repr, st.one_of(st.none(), st.booleans(), st.integers(), st.floats())),
    st.builds(repr, st.one_of(st.text(max_size=10), ODD_TEXT)),
    st.sampled_from(
        [
            "'\\ud800'",
            "f'{x}\\ud800'",
            "b'\\xff'",
            "10**10**10",
            "1e999",
            "-(-1)",
            "USER",
            "undefined_name",
            "make()",
            "json.loads('[' * 3)",
            "json.loads('" + "[" * 3000 + "]" * 3000 + "')",
            "json.loads('{\"\\\\ud800\": 1}')",
            "dict(**BASE)",
            "{**BASE, 'a': 1}",
            "copy.deepcopy(USER)",
            "lambda: 1",
            "(yield)",
            "*rest",
            "1 if x else 2",
            "1+" * 400 + "1",
            "x" + ".a" * 400,
            "-" * 400 + "1",
        ]
    ),
)
PY_EXPRESSIONS = st.recursive(
    PY_LEAVES,
    lambda children: (
        st.builds(lambda items: "[" + ", ".join(items) + "]", st.lists(children, max_size=4))
        | st.builds(
            lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}",
            st.lists(st.tuples(PY_LEAVES, children), max_size=4),
        )
        | st.builds(lambda items: "(" + ", ".join(items) + ",)", st.lists(children, max_size=3))
    ),
    max_leaves=20,
)
PY_TEMPLATES = [
    "import json, copy\nBASE = {{'id': 1}}\nUSER = {expr}\n",
    "def test_a(mock_get):\n    mock_get.return_value.json.return_value = {expr}\n",
    "import responses\n\n@responses.activate\ndef test_b():\n"
    "    responses.add(responses.GET, 'http://x/a', json={expr}, status=200)\n",
    "import pytest\n\n@pytest.fixture\ndef payload():\n    return {expr}\n",
    "from unittest.mock import Mock\nR = Mock(**{{'json.return_value': {expr}}})\n",
]


@st.composite
def python_modules(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(_utf8)))
    template = draw(st.sampled_from(PY_TEMPLATES))
    source = template.format(expr=draw(PY_EXPRESSIONS))
    if draw(st.booleans()):
        terms = draw(st.integers(100, 120_000))
        source += "DEEP = " + "1+" * terms + "1\n"
    return _utf8(source)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def check_module(source: bytes) -> None:
    label = "tests/test_fuzz.py"
    found = attempt(lambda: module_mocks(source, label), FixtureError)
    if not listed(found, label):
        for mock in found.mocks:
            writable(mock.fixture.value)
            writable(list(mock.fixture.lines))
    for name in ("USER", None):
        read = attempt(lambda name=name: python_fixtures(source, label, name), FixtureError)
        if not listed(read, label):
            for fixture in read[0]:
                writable(fixture.value)


@given(python_modules())
@fuzz(FAST)
def test_python_modules_are_read_or_give_a_fixture_error(source: bytes) -> None:
    check_module(source)


@pytest.mark.slow
@given(python_modules())
@fuzz(SLOW)
def test_python_modules_are_read_or_give_a_fixture_error_at_length(source: bytes) -> None:
    check_module(source)
