"""Every spec `load_spec` refuses: one InputError line (exit 2) naming the file, the line
where the problem is written and what would be valid."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from driftcheck.errors import ExitCode, InputError
from driftcheck.sources.openapi import load_spec

ERRORS = Path(__file__).parent.parent / "data" / "specs" / "errors"


def line_of(path: Path, text: str) -> int:
    """The first line (1-based) of `path` holding `text`."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def refusal(path: str | Path) -> str:
    """The one line `load_spec` raises for `path`, checked to be an exit-2 input error."""
    with pytest.raises(InputError) as caught:
        load_spec(path)
    message = str(caught.value)
    assert caught.value.exit_code == ExitCode.INPUT
    assert "\n" not in message
    return message


# file, the text on the line the message names, what the message must say
CASES = [
    ("malformed.yaml", None, "invalid YAML"),
    ("malformed.json", '"get": {"responses": {}},}', "malformed JSON"),
    ("hostile.yaml", "!!python/object/apply", "refused YAML tag !!python/object/apply:os.system"),
    ("swagger2.yaml", "swagger:", "OpenAPI 3.0 or 3.1 only"),
    ("openapi_2_5.yaml", "openapi: 4.0.0", "OpenAPI 3.0 or 3.1 only"),
    ("not_openapi.yaml", "interactions:", "no `openapi` key"),
    ("bad_pointer.yaml", "#/components/schemas/Nope", "'#/components/schemas/Nope' cannot be"),
    ("missing_file_ref.yaml", "nowhere.yaml", "nowhere.yaml: spec file not found"),
    ("ref_to_broken.yaml", "broken_part.yaml#/Ok", "broken_part.yaml:4: invalid YAML"),
    ("remote_ref.yaml", "https://example.com", "local files only"),
    ("schema_cycle.yaml", "- $ref", "describes no value"),
    ("response_cycle.yaml", '$ref: "#/components/responses/B"', "$refs form a cycle"),
]


@pytest.mark.parametrize(("name", "marker", "says"), CASES, ids=[c[0] for c in CASES])
def test_each_refusal_names_file_line_and_reason(name: str, marker: str | None, says: str) -> None:
    path = ERRORS / name
    message = refusal(path)
    line = len(path.read_text().splitlines()) + 1 if marker is None else line_of(path, marker)
    assert message.startswith(f"{path}:{line}: "), message
    assert says in message


def test_hostile_tag_builds_nothing(tmp_path: Path) -> None:
    proof = tmp_path / "pwned"
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
        f'x: !!python/object/apply:os.system ["touch {proof}"]\n'
    )
    assert f"{spec}:4: refused YAML tag" in refusal(spec)
    assert not proof.exists()


def test_missing_file_and_folder(tmp_path: Path) -> None:
    missing = tmp_path / "openapi.yaml"
    assert refusal(missing) == (
        f"{missing}: spec file not found; give an OpenAPI 3.0 or 3.1 (YAML or JSON) file"
    )
    assert refusal(tmp_path).startswith(f"{tmp_path}: is a folder")


def test_unreadable_file(tmp_path: Path) -> None:
    loop = tmp_path / "loop.yaml"
    os.symlink(loop, loop)  # unreadable even by root: ELOOP
    assert refusal(loop).startswith(f"{loop}: cannot read the spec file (")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_by_permissions(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    shutil.copy(ERRORS.parent / "split" / "openapi.yaml", spec)
    spec.chmod(0)
    assert refusal(spec).startswith(f"{spec}: cannot read the spec file (Permission denied")


def test_remote_http_ref_in_a_referenced_file(tmp_path: Path) -> None:
    (tmp_path / "part.yaml").write_text("Thing:\n  $ref: http://example.com/x.yaml\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema: {$ref: 'part.yaml#/Thing'}\n"
    )
    message = refusal(spec)
    assert message.startswith(f"{tmp_path / 'part.yaml'}:2: $ref 'http://example.com/x.yaml'")
    assert "is remote" in message


def test_second_document_and_non_string_key(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.1.0\npaths: {}\n---\nopenapi: 3.0.0\n")
    assert "a second YAML document" in refusal(spec)
    spec.write_text("openapi: 3.1.0\n? [a, b]\n: c\n")
    assert refusal(spec).startswith(f"{spec}:2: a mapping key that is not a string")


def test_a_file_nested_past_the_bound_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text("[" * 5000 + "]" * 5000)
    assert refusal(spec).startswith(f"{spec}:1: malformed JSON at column 1026: depth limit")
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.1.0\nx: " + "[" * 3000 + "]" * 3000 + "\n")
    assert refusal(spec).startswith(f"{spec}:2: nested deeper than 1024 levels")
