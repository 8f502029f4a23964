"""Test modules built to break the ast reader: expressions too deep for Python's parser
or for the recursive walks after it, JSON strings too deep for `json.loads`, lone
surrogates. Each such module is listed with its reason; the others are still read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from driftcheck import jsonio
from driftcheck.core.limits import MAX_MOCK_VALUES
from driftcheck.core.model import FileError
from driftcheck.errors import FixtureError
from driftcheck.sources.fixtures import load_fixtures
from driftcheck.sources.mocks import module_mocks, python_fixtures, read_mocks, repository_mocks
from driftcheck.sources.mocks.patch_targets import patch_target_urls
from tests.helpers import within

TOO_DEEP = "nested too deeply to read: an expression or literal hundreds of levels deep"

GOOD = b"""\
from unittest.mock import Mock


def test_user(mock_get):
    mock_get.return_value = Mock(ok=True)
    mock_get.return_value.json.return_value = {"id": 1, "name": "Eve"}
"""


def _sum_module(terms: int) -> bytes:
    """A mock payload whose value is `1+1+…`: a left-nested BinOp `terms` deep."""
    return (
        "def test_user(mock_get):\n"
        "    mock_get.return_value.json.return_value = {'n': " + "1+" * terms + "1}\n"
        "\n"
        "TOTAL = " + "1+" * terms + "1\n"
    ).encode()


@pytest.mark.parametrize("terms", [100_000, 500])
def test_a_too_deep_module_is_a_fixture_error(terms: int) -> None:
    """100,000 terms: Python's parser gives up; 500: the scopes' walk would."""
    with pytest.raises(FixtureError, match=TOO_DEEP) as caught:
        module_mocks(_sum_module(terms), "tests/test_sum.py")
    assert caught.value.file == "tests/test_sum.py"


def test_a_too_deep_fixture_module_is_listed_with_the_others(tmp_path: Path) -> None:
    (tmp_path / "test_sum.py").write_bytes(_sum_module(100_000))
    (tmp_path / "test_good.py").write_bytes(GOOD)
    loaded = load_fixtures(["test_sum.py::TOTAL", "test_sum.py", "test_good.py"], tmp_path)
    assert [fixture.value for fixture in loaded.fixtures] == [{"id": 1, "name": "Eve"}]
    assert [error.file for error in loaded.errors] == ["test_sum.py", "test_sum.py"]
    assert all(error.message.startswith(TOO_DEEP) for error in loaded.errors)


@pytest.mark.parametrize("terms", [100_000, 500])
def test_the_repository_walk_lists_a_too_deep_module(tmp_path: Path, terms: int) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_sum.py").write_bytes(_sum_module(terms))
    (tests / "test_good.py").write_bytes(GOOD)
    found = repository_mocks(tmp_path)
    assert [mock.fixture.value for mock in found.mocks] == [{"id": 1, "name": "Eve"}]
    assert [error.file for error in found.errors] == ["tests/test_sum.py"]
    assert found.errors[0].message.startswith(TOO_DEEP)
    alone = read_mocks(tests / "test_sum.py", tmp_path)
    assert alone.errors == (FileError("tests/test_sum.py", found.errors[0].message),)


def test_a_too_deep_imported_module_stops_only_its_importer(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "consts.py").write_bytes(b'USER = {"id": 1}\n' + _sum_module(100_000))
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_a.py").write_text(
        "from pkg.consts import USER\n\n\ndef test_a(mock_get):\n"
        "    mock_get.return_value.json.return_value = USER\n"
    )
    (tests / "test_good.py").write_bytes(GOOD)
    found = repository_mocks(tmp_path)
    good = [mock.fixture.value for mock in found.mocks if mock.call.file == "tests/test_good.py"]
    assert good == [{"id": 1, "name": "Eve"}]
    assert {error.file for error in found.errors} <= {"tests/test_a.py"}


def test_a_json_string_too_deep_to_parse_is_not_data() -> None:
    """`json.loads` of 5,000 brackets used to raise RecursionError from the reader."""
    source = f"import json\n\nDEEP = json.loads('{'[' * 5000}{']' * 5000}')\n".encode()
    with pytest.raises(FixtureError, match="`DEEP` is a string that is not JSON, not a data"):
        python_fixtures(source, "tests/test_deep.py", "DEEP")


def test_lone_surrogates_in_a_mock_are_escaped_for_json_output() -> None:
    source = (
        b"def test_user(mock_get):\n"
        b"    mock_get.return_value.json.return_value = {'\\ud800': '\\udfff', 'ok': 1}\n"
    )
    [mock] = module_mocks(source, "tests/test_text.py").mocks
    assert mock.fixture.value == {"\\ud800": "\\udfff", "ok": 1}
    assert mock.fixture.lines == {"$": 2, "$['\\\\ud800']": 2, "$.ok": 2}
    assert jsonio.loads(jsonio.dumps(mock.fixture.value)) == mock.fixture.value


OUTSIDE_LITERALS = b"""\
import responses


@responses.activate
def test_text():
    responses.add(responses.GET, "http://x/\\ud800", json={"a": 1})
    responses.add(responses.GET, "http://x/b", body='{"\\\\ud800": 1}')
"""


def test_lone_surrogates_outside_literals_are_escaped_too() -> None:
    found = module_mocks(OUTSIDE_LITERALS, "tests/test_text.py")
    assert [mock.url for mock in found.mocks][:1] == ["http://x/\\ud800"]
    for mock in found.mocks:  # what reports and the cache write must encode
        jsonio.dumps([mock.url, mock.fixture.value, list(mock.fixture.lines)])


def _shared_names(levels: int) -> str:
    """`A{i}` refers to `A{i-1}` twice: 2**levels values when expanded in full."""
    lines = ['A0 = {"a": 1}']
    lines += [f'A{i} = {{"x": A{i - 1}, "y": A{i - 1}}}' for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_names_shared_exponentially_are_skipped_not_expanded(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_bomb.py").write_text(
        "import responses\n\n" + _shared_names(39) + "\n\n@responses.activate\ndef test_bomb():\n"
        '    responses.add(responses.GET, "https://api.example.com/users/1", json=A39)\n'
        '    responses.add(responses.GET, "https://api.example.com/users/2", json=A3)\n'
    )
    found = within(60, lambda: repository_mocks(tmp_path))
    [skipped] = found.skipped
    assert skipped.url == "https://api.example.com/users/1"
    assert f"expands to more than {MAX_MOCK_VALUES:,} values" in skipped.reason
    [mock] = found.mocks  # the small one is still read, with its lines
    assert mock.fixture.value["x"]["y"]["x"] == {"a": 1}
    assert mock.fixture.lines["$.x.y.x.a"] == 3  # `A0 = {"a": 1}`


def test_a_shared_name_bomb_is_a_fixture_error_when_named(tmp_path: Path) -> None:
    (tmp_path / "test_bomb.py").write_text(_shared_names(39))
    loaded = within(60, lambda: load_fixtures(["test_bomb.py::A39"], tmp_path))
    [error] = loaded.errors
    assert error.file == "test_bomb.py"
    assert f"expands to more than {MAX_MOCK_VALUES:,} values" in error.message


@pytest.mark.parametrize("name", ["test_fifo.py", "conftest.py"])
def test_a_fifo_test_module_is_listed_not_opened(tmp_path: Path, name: str) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    os.mkfifo(tests / name)
    (tests / "test_good.py").write_bytes(GOOD)
    found = within(10, lambda: repository_mocks(tmp_path))
    assert [mock.fixture.value for mock in found.mocks] == [{"id": 1, "name": "Eve"}]
    [error] = found.errors
    assert error.file == f"tests/{name}"
    assert "a FIFO (named pipe), not a regular file" in error.message
    alone = within(10, lambda: read_mocks(tests / name, tmp_path))
    assert [e.file for e in alone.errors] == [f"tests/{name}"]
    assert "FIFO" in alone.errors[0].message


def test_a_fifo_imported_module_or_data_file_is_never_opened(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    os.mkfifo(tests / "consts.py")
    os.mkfifo(tests / "user.json")
    (tests / "test_a.py").write_text(
        "import json\nfrom pathlib import Path\nfrom tests.consts import USER\n\n\n"
        "def test_a(mock_get):\n"
        "    mock_get.return_value.json.return_value = USER\n\n\n"
        "def test_b(mock_get):\n"
        "    mock_get.return_value.json.return_value = json.loads("
        "(Path(__file__).parent / 'user.json').read_text())\n"
    )
    found = within(10, lambda: repository_mocks(tmp_path))
    assert found.mocks == ()
    assert len(found.skipped) + len(found.errors) >= 1
    assert all(error.file != "tests/consts.py" for error in found.errors)


def test_a_module_name_longer_than_a_path_part_is_an_unknown_name(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "__init__.py").write_text("")
    long_part = "x" * 300
    many_parts = ".".join(["x"] * 2100)
    (tests / "test_imp.py").write_text(
        f"from tests.{long_part} import U\nfrom tests.{many_parts} import V\n\n\n"
        "def test_u(mock_get):\n"
        "    mock_get.return_value.json.return_value = U\n\n\n"
        "def test_v(mock_get):\n"
        "    mock_get.return_value.json.return_value = V\n"
    )
    (tests / "test_good.py").write_bytes(GOOD)
    found = repository_mocks(tmp_path)
    assert [mock.fixture.value for mock in found.mocks] == [{"id": 1, "name": "Eve"}]
    assert found.errors == ()
    assert [skipped.reason for skipped in found.skipped] == [
        "the name `U` is not data",
        "the name `V` is not data",
    ]


@pytest.mark.parametrize("target", ["a." * 2100 + "get", "x" * 300 + ".api.get"])
def test_a_patch_target_longer_than_a_path_is_unknown(tmp_path: Path, target: str) -> None:
    assert patch_target_urls([target], tmp_path) == {target: []}


def test_a_symlink_loop_in_the_tests_folder_is_walked_once(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_good.py").write_bytes(GOOD)
    (tests / "self").symlink_to(".")
    (tests / "up").symlink_to("..")
    found = within(10, lambda: repository_mocks(tmp_path))
    assert [mock.call.file for mock in found.mocks] == ["tests/test_good.py"]
