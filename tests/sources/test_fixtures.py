"""Reading mock fixtures: JSON and YAML files, Python test modules read with ast."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from driftcheck import jsonio
from driftcheck.core.limits import MAX_FIXTURE_DEPTH
from driftcheck.core.model import FileError, Location, Opaque
from driftcheck.errors import FixtureError
from driftcheck.sources.fixtures import MAX_GLOB_FILES, data_fixture, jsonable, load_fixtures
from driftcheck.sources.mocks import python_fixtures
from tests.helpers import within

TUTORIAL = b"""\
from unittest.mock import Mock, patch


@patch("project.services.requests.get")
def test_getting_todos_when_response_is_ok(mock_get):
    todos = [{
        "userId": 1,
        "id": 1,
        "title": "Make the bed",
        "completed": False,
    }]
    mock_get.return_value = Mock(ok=True)
    mock_get.return_value.json.return_value = todos
"""


def test_tutorial_mock_set_up_resolves_the_variable() -> None:
    fixtures, notes = python_fixtures(TUTORIAL, "tests/test_todos.py", None)
    assert notes == []
    [fixture] = fixtures
    assert fixture.value == [{"userId": 1, "id": 1, "title": "Make the bed", "completed": False}]
    assert fixture.name == (
        "tests/test_todos.py::test_getting_todos_when_response_is_ok"
        ".mock_get.return_value.json.return_value"
    )
    assert fixture.where() == Location("tests/test_todos.py", 13)
    assert fixture.where("$[*].title") == Location("tests/test_todos.py", 9)


MODULE = b"""\
from unittest.mock import MagicMock, Mock
import responses

MOCK_USER = {"id": 1, "profile": {"bio": "x"}}
SETTINGS: dict = {"retries": 3}


def test_kwargs_mock():
    response = Mock(**{"json.return_value": {"id": 2, "tags": ["a"]}, "status_code": 200})


def test_json_attribute():
    response = MagicMock(json=Mock(return_value={"id": 3}))
    other = Mock()
    other.json = lambda: {"id": 4}
    other.json.side_effect = [{"id": 5}, {"id": 6}]


class TestUsers:
    def test_method(self):
        payload = {"id": 7, "n": -1.5, "flag": None, 1: True}


@responses.activate
def test_responses():
    responses.add(responses.GET, "https://api.example.com/users/1", json={"id": 8})
"""


def test_every_mock_set_up_is_found_in_order() -> None:
    fixtures, notes = python_fixtures(MODULE, "t.py", None)
    assert notes == []
    assert [f.value for f in fixtures] == [
        {"id": 2, "tags": ["a"]},
        {"id": 3},
        {"id": 4},
        {"id": 5},
        {"id": 6},
        {"id": 8},
    ]
    assert [f.line for f in fixtures] == [9, 13, 15, 16, 16, 26]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("MOCK_USER", [{"id": 1, "profile": {"bio": "x"}}]),
        ("SETTINGS", [{"retries": 3}]),
        ("TestUsers.test_method.payload", [{"id": 7, "n": -1.5, "flag": None, "1": True}]),
        ("test_method.payload", [{"id": 7, "n": -1.5, "flag": None, "1": True}]),
        ("payload", [{"id": 7, "n": -1.5, "flag": None, "1": True}]),
    ],
)
def test_named_assignments(name: str, expected: list[object]) -> None:
    fixtures, _ = python_fixtures(MODULE, "t.py", name)
    assert [f.value for f in fixtures] == expected


def test_unknown_name_suggests_the_nearest() -> None:
    with pytest.raises(FixtureError) as caught:
        python_fixtures(MODULE, "t.py", "MOCK_USR")
    assert str(caught.value) == "t.py: no assignment named `MOCK_USR`; did you mean `MOCK_USER`?"


NOT_DATA = b"""\
from datetime import datetime

WHOLE = make_user()
PARTLY = {
    "id": 1,
    "created_at": datetime.now().isoformat(),
    "owner": CURRENT_USER,
    "label": f"user {1}",
}
GOOD = {"id": 2}
"""


def test_named_literal_that_is_not_data_is_an_error_with_its_line() -> None:
    with pytest.raises(FixtureError) as caught:
        python_fixtures(NOT_DATA, "t.py", "WHOLE")
    assert str(caught.value) == (
        "t.py: line 3: `WHOLE` is a call to `make_user()`, not a data literal; "
        "driftcheck reads literals, never runs tests"
    )


def test_parts_that_are_not_data_are_noted_and_the_rest_is_read() -> None:
    [fixture], notes = python_fixtures(NOT_DATA, "t.py", "PARTLY")
    assert fixture.value["id"] == 1
    assert fixture.value["label"] == "f'user {1}'"
    assert isinstance(fixture.value["created_at"], Opaque)
    assert notes == [
        "t.py:6: `$.created_at` in t.py::PARTLY is a call to "
        "`datetime.now().isoformat()`, not data; its type is not checked",
        "t.py:7: `$.owner` in t.py::PARTLY is the name `CURRENT_USER`, not data; "
        "its type is not checked",
    ]
    [good], _ = python_fixtures(NOT_DATA, "t.py", "GOOD")
    assert good.value == {"id": 2}


def test_mock_set_up_that_is_not_data_is_skipped_with_a_note() -> None:
    source = b"def test_x(m):\n    m.return_value.json.return_value = load('user.json')\n"
    fixtures, notes = python_fixtures(source, "t.py", None)
    assert fixtures == []
    assert notes == [
        "t.py:2: skipped t.py::test_x.m.return_value.json.return_value: "
        "a call to `load()` is not data"
    ]


def test_spread_and_self_reference_terminate() -> None:
    source = b'BASE = {"id": 1}\nUSER = {**BASE, "name": "a"}\nLOOP = {"self": LOOP}\n'
    [user], _ = python_fixtures(source, "t.py", "USER")
    assert user.value == {"id": 1, "name": "a"}
    [loop], notes = python_fixtures(source, "t.py", "LOOP")
    assert isinstance(loop.value["self"], Opaque)
    assert notes == [
        "t.py:3: `$.self` in t.py::LOOP is the name `LOOP`, not data; its type is not checked"
    ]


def test_invalid_python_names_the_line() -> None:
    with pytest.raises(FixtureError) as caught:
        python_fixtures(b"X = {\n", "t.py", "X")
    assert str(caught.value).startswith("t.py: line 1: invalid Python: ")


def test_json_fixture_lines_come_from_the_text() -> None:
    text = b'{\n  "id": 1,\n  "profile": {\n    "bio": null\n  }\n}\n'
    fixture = data_fixture(text, "user.json")
    assert fixture.value == {"id": 1, "profile": {"bio": None}}
    assert fixture.where("$.profile.bio") == Location("user.json", 4)


def test_yaml_fixture_dates_are_strings() -> None:
    fixture = data_fixture(b"id: 1\ncreated: 2024-01-02\n", "user.yaml")
    assert fixture.value == {"id": 1, "created": "2024-01-02"}
    assert fixture.where("$.created") == Location("user.yaml", 2)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("u.json", b'{"id": 1,,}', "u.json: invalid JSON at line 1, column 10: "),
        ("u.yaml", b"a: [1\n", "u.yaml: invalid YAML at line 2, column 1: "),
        ("user", b'{"id": 1,}', "user: invalid JSON at line 1, column 9: trailing comma"),
        (
            "user",
            b"id: 1\n",
            "user: a fixture without extension is read as JSON; it does not start with { or [",
        ),
        (
            "u.yaml",
            b"!!python/object/apply:os.system ['echo hi']\n",
            "u.yaml: line 1: refused YAML tag !!python/object/apply:os.system: it would build",
        ),
    ],
)
def test_bad_data_files_get_one_line(name: str, text: bytes, message: str) -> None:
    """Each bad file is refused with one line naming it and what is wrong."""
    with pytest.raises(FixtureError) as caught:
        data_fixture(text, name)
    assert str(caught.value).startswith(message)


def test_yaml_alias_bomb_is_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(
            f"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, "
            f"*{previous}, *{previous}, *{previous}, *{previous}, *{previous}]"
        )
    with pytest.raises(FixtureError) as caught:
        data_fixture("\n".join(lines).encode(), "bomb.yaml")
    assert str(caught.value) == "bomb.yaml: holds more than 1,000,000 values (YAML aliases?)"


def test_shared_values_are_bounded_too() -> None:
    """Python data can share lists the way YAML aliases do: the walk stops, it does not
    expand 10**12 values."""
    shared: list[object] = [1] * 1000
    for _ in range(3):
        shared = [shared] * 1000
    with pytest.raises(FixtureError, match="payload: holds more than 1,000,000 values"):
        jsonable(shared, "payload")


@pytest.mark.parametrize("name", ["deep.json", "deep.yaml", "deep"])
def test_a_fixture_at_the_depth_limit_is_read(name: str) -> None:
    depth = MAX_FIXTURE_DEPTH - 1
    fixture = data_fixture(b"[" * depth + b"]" * depth, name)
    value = fixture.value
    for _ in range(depth - 1):
        [value] = value
    assert value == []


@pytest.mark.parametrize("name", ["deep.json", "deep.yaml", "deep"])
def test_a_fixture_past_the_depth_limit_is_one_line(name: str) -> None:
    depth = MAX_FIXTURE_DEPTH + 100
    with pytest.raises(FixtureError) as caught:
        data_fixture(b"[" * depth + b"]" * depth, name)
    assert str(caught.value) == (
        f"{name}: nested deeper than {MAX_FIXTURE_DEPTH} levels; "
        f"driftcheck reads fixtures nested at most {MAX_FIXTURE_DEPTH} levels"
    )


def test_jsonable_walks_without_recursion() -> None:
    deep: object = "leaf"
    for _ in range(5000):
        deep = {"a": [deep]}
    with pytest.raises(FixtureError, match=f"nested deeper than {MAX_FIXTURE_DEPTH} levels"):
        jsonable(deep, "payload")


def test_a_deep_yaml_fixture_is_listed_with_the_others(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text("x: " + "[" * 50_000 + "]" * 50_000 + "\n")
    (tmp_path / "good.json").write_text('{"id": 1}')
    loaded = load_fixtures(["deep.yaml", "good.json"], tmp_path)
    assert [f.value for f in loaded.fixtures] == [{"id": 1}]
    assert loaded.errors == (
        FileError(
            "deep.yaml",
            "line 1: nested deeper than 1024 levels; driftcheck reads YAML nested at most "
            "1024 levels",
        ),
    )


def test_lone_surrogates_become_escapes_json_can_write() -> None:
    """`'\\ud800'` in a Python fixture, `"\\ud800"` in a JSON fixture Python's json
    reads: the text is kept as its escape, so reports can encode it."""
    value = jsonable({"\ud800": ["\udfff", "é"], "b": {"\ud83d\ude00": 1}}, "payload")
    assert value == {"\\ud800": ["\\udfff", "é"], "b": {"\\ud83d\\ude00": 1}}
    assert jsonio.loads(jsonio.dumps(value)) == value
    fixtures, _ = python_fixtures(b"X = {'\\ud800': '\\udfff', 'k': f'\\ud800{y}'}", "t.py", "X")
    assert fixtures[0].value == {"\\ud800": "\\udfff", "k": "f'\\ud800{y}'"}
    assert jsonio.dumps(fixtures[0].value)


def test_references_globs_and_failures(tmp_path: Path) -> None:
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "a.json").write_text('{"id": 1}')
    (tmp_path / "fixtures" / "b.yaml").write_text("id: 2\n")
    (tmp_path / "fixtures" / "notes.txt").write_text("not a fixture")
    (tmp_path / "fixtures" / "c").write_text('[{"id": 4}]')  # no extension: JSON
    (tmp_path / "fixtures" / "README").write_text("not JSON: the glob leaves it out")
    (tmp_path / "test_x.py").write_text("USER = {'id': 3}\n")
    loaded = load_fixtures(
        [
            "fixtures/*",
            "test_x.py::USER",
            "missing.json",
            "fixtures/nothing*.json",
            "fixtures/notes.txt",
            "fixtures/a.json::USER",
            "test_x.py",
        ],
        tmp_path,
    )
    assert [(f.name, f.value) for f in loaded.fixtures] == [
        ("fixtures/a.json", {"id": 1}),
        ("fixtures/b.yaml", {"id": 2}),
        ("fixtures/c", [{"id": 4}]),
        ("test_x.py::USER", {"id": 3}),
    ]
    assert loaded.errors == (
        FileError("missing.json", "no such fixture file"),
        FileError("fixtures/nothing*.json", "matches no .json, .yaml, .yml or .py file"),
        FileError(
            "fixtures/notes.txt",
            "a fixture is a .json, .yaml or .yml file, a .py module, or JSON without extension",
        ),
        FileError("fixtures/a.json", "`::USER` names a variable, only in a Python module"),
        FileError(
            "test_x.py",
            "no mock response payloads found (`….json.return_value = …`, "
            '`Mock(**{"json.return_value": …})`, `responses.add(…, json=…)`); '
            "name a variable with `FILE.py::NAME`",
        ),
    )


def test_a_file_whose_name_holds_two_colons_is_a_file_not_a_variable(tmp_path: Path) -> None:
    """A glob may return `tests/a::b.json`; read back as a reference, it must not become
    `tests/a` and a variable `b.json`."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "a::b.json").write_text('{"id": 1}')
    (tmp_path / "tests" / "m.py").write_text("USER = {'id': 2}\n")
    by_glob = load_fixtures(["tests/*.json"], tmp_path)
    by_name = load_fixtures(["tests/a::b.json"], tmp_path)
    variable = load_fixtures(["tests/m.py::USER"], tmp_path)
    assert [f.value for f in by_glob.fixtures] == [{"id": 1}]
    assert [f.value for f in by_name.fixtures] == [{"id": 1}]
    assert by_name.errors == by_glob.errors == ()
    assert [f.value for f in variable.fixtures] == [{"id": 2}]


def test_a_recursive_glob_does_not_follow_symlink_loops(tmp_path: Path) -> None:
    fixtures = tmp_path / "tests" / "fixtures"
    fixtures.mkdir(parents=True)
    (fixtures / "a.json").write_text('{"id": 1}')
    (fixtures / "deeper").mkdir()
    (fixtures / "deeper" / "b.json").write_text('{"id": 2}')
    (fixtures / "self").symlink_to(".")
    (fixtures / "up").symlink_to("..")
    (fixtures / "linked.json").symlink_to("a.json")  # a link to a file is still read
    loaded = within(20, lambda: load_fixtures(["tests/**/*.json"], tmp_path))
    assert loaded.errors == ()
    assert [f.name for f in loaded.fixtures] == [
        "tests/fixtures/a.json",
        "tests/fixtures/deeper/b.json",
        "tests/fixtures/a.json",
    ]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("**/*.json", ["a.json", "d/b.json", "d/e/c.json"]),
        ("d/**", ["d/b.json", "d/e/c.json"]),
        ("d/*/*.json", ["d/e/c.json"]),
        ("*", ["a.json"]),
        ("d/**/**/c.json", ["d/e/c.json"]),
        ("[ad]*/b.json", ["d/b.json"]),
    ],
)
def test_globs_match_as_glob_does(tmp_path: Path, pattern: str, expected: list[str]) -> None:
    (tmp_path / "d" / "e").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "h.json").write_text("{}")
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "d" / "b.json").write_text("{}")
    (tmp_path / "d" / "e" / "c.json").write_text("{}")
    loaded = load_fixtures([pattern], tmp_path)
    assert [f.name for f in loaded.fixtures] == expected


def test_a_glob_matching_too_many_files_is_one_error(tmp_path: Path) -> None:
    many = tmp_path / "many"
    many.mkdir()
    for index in range(MAX_GLOB_FILES + 1):
        (many / f"{index}.json").touch()
    loaded = load_fixtures(["many/*.json", "many/0.json"], tmp_path)
    assert [error.file for error in loaded.errors] == ["many/*.json", "many/0.json"]
    assert f"matches more than {MAX_GLOB_FILES:,} files" in loaded.errors[0].message


@pytest.mark.parametrize("name", ["pipe.json", "pipe", "pipe.py"])
def test_a_fifo_fixture_is_an_error_not_a_hang(tmp_path: Path, name: str) -> None:
    (tmp_path / "fixtures").mkdir()
    os.mkfifo(tmp_path / "fixtures" / name)
    (tmp_path / "fixtures" / "a.json").write_text('{"id": 1}')
    named = within(10, lambda: load_fixtures([f"fixtures/{name}"], tmp_path))
    assert [error.file for error in named.errors] == [f"fixtures/{name}"]
    globbed = within(10, lambda: load_fixtures(["fixtures/*"], tmp_path))
    assert [f.name for f in globbed.fixtures] == ["fixtures/a.json"]
