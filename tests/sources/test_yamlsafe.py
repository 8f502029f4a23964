"""The safe YAML loader on hostile texts: nesting refused before libyaml's composer (which
recurses in C and kills the process) sees it, an alias as deep as what it names, recursive
aliases refused, bad `!binary` and scalar values named by line: each a one-line
YamlProblem, and each file listed by the CLI while the others are read."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck import jsonio
from driftcheck.core.limits import MAX_YAML_DEPTH
from driftcheck.errors import CassetteError
from driftcheck.sources.cassettes import read_cassette
from driftcheck.sources.yaml_bounds import depth_bound
from driftcheck.sources.yamlsafe import YamlProblem, line_map, load
from tests.helpers import cli_process

CASSETTES = Path(__file__).parent.parent / "data" / "cassettes"
GOOD = CASSETTES / "vcrpy_flow_style.yaml"
TOO_DEEP = f"nested deeper than {MAX_YAML_DEPTH} levels"
DEEP = 50_000  # the attack: about 100 KB, past the depth libyaml's composer survives


def _block_mappings(depth: int, newline: str = "\n") -> str:
    return "".join(" " * level + "a:" + newline for level in range(depth)) + " " * depth + "b"


def _alias_chain(depth: int) -> str:
    """Each anchor one level deeper than the last: shallow text, deep data."""
    lines = ["a0: &a0 [1]"]
    lines += [f"a{level}: &a{level} [*a{level - 1}]" for level in range(1, depth)]
    return "\n".join(lines) + "\n"


def _laughs(levels: int) -> str:
    """The billion laughs: ten aliases of the level below, `levels` times."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "flow sequences": "x: " + "[" * 2000 + "]" * 2000,
    "flow mappings": "x: " + "{a: " * 2000 + "1" + "}" * 2000,
    "single pairs in flow sequences": "x: " + "[a: " * 1000 + "1" + "]" * 1000,
    "compact block sequences": "x:\n" + "- " * 2000 + "1\n",
    # a tag or an anchor before a line's content sends the cheap check to the full bound
    "tagged block sequences": "".join(" " * 2 * n + "- !!seq\n" for n in range(1100)) + "x\n",
    "anchored block sequences": "".join(" " * 2 * n + f"- &a{n}\n" for n in range(1100)),
    "explicit keys": "? " * 2000 + "x\n",
    "indented block mappings": _block_mappings(1100),
    "CR line breaks": _block_mappings(1100, "\r"),
    "NEL line breaks": _block_mappings(1100, "\u0085"),
    "LS line breaks": _block_mappings(1100, "\u2028"),
    "an alias chain": _alias_chain(1100),
    "an alias chain after a BOM": "\ufeff" + _alias_chain(1100),
    "an alias chain in flow style": "{" + _alias_chain(1100).replace("\n", ", ") + "}",
    "a JSON document": '{"interactions": [{"request": {"headers": ' + "[" * 2000 + "]" * 2000,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_nesting_past_the_limit_is_refused_naming_the_depth(text: str) -> None:
    with pytest.raises(YamlProblem, match=f"line \\d+: {TOO_DEEP}; driftcheck reads YAML"):
        load(text.encode())
    assert line_map(text.encode()) == {}


def test_nesting_at_the_limit_loads() -> None:
    text = "[" * MAX_YAML_DEPTH + "]" * MAX_YAML_DEPTH
    value = load(text)
    for _ in range(MAX_YAML_DEPTH - 1):
        [value] = value
    assert value == []
    assert len(line_map(text)) == MAX_YAML_DEPTH


def test_an_alias_bomb_loads_shared_never_copied() -> None:
    """A billion values written as aliases load as the small graph they are (the walks
    after bound what they visit); the exact walk counts only depth."""
    loaded = load(_laughs(9))
    assert loaded["a8"][0] is loaded["a7"]
    assert loaded["a8"][9][9][9][9][9][9][9][9] == ["x"] * 10


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlProblem, match=r"line 1: alias \*a refers to a node that holds it"):
        load("a: &a [1, *a]\n")


def test_ordinary_anchors_still_load() -> None:
    assert load(_laughs(3)) == {
        "a0": ["x"] * 10,
        "a1": [["x"] * 10] * 10,
        "a2": [[["x"] * 10] * 10] * 10,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("body: !binary 'abc'\n", r"line 1, column 7: a !binary value is not valid base64"),
        ("body: !binary 'a===='\n", r"line 1, column 7: a !binary value is not valid base64"),
        ("x: 1\nday: 2024-13-45\n", r"line 2, column 6: !!timestamp value is invalid"),
        ("!!timestamp 2024-13-45x: 1\n", r"line 1, column 1: !!timestamp value is invalid"),
        ("n: !!float abc\n", r"line 1, column 4: !!float value is invalid"),
        ("n: !!int 12x\n", r"line 1, column 4: !!int value is invalid"),
        ("n: !!int ''\n", r"line 1, column 4: !!int value is invalid"),
        ("n: !!float ''\n", r"line 1, column 4: !!float value is invalid"),
        ("b: !!bool abc\n", r"line 1, column 4: !!bool value is invalid"),
        ("b: !!bool ''\n", r"line 1, column 4: !!bool value is invalid"),
        ("k: !!python/tuple " + "[" * 600 + "]" * 600, "tuple or key nested too deeply"),
        ("k: '\ud800'\n", "not valid Unicode"),
    ],
)
def test_bad_values_are_one_line_problems(text: str, message: str) -> None:
    with pytest.raises(YamlProblem, match=message) as raised:
        load(text)
    assert "\n" not in str(raised.value)


def test_ruby_binary_with_bad_padding_lists_the_cassette(tmp_path: Path) -> None:
    text = GOOD.read_text().replace(
        'body: {string: "{\\n  \\"origin\\": \\"217.122.164.194\\"\\n}"}',
        "body: {string: !binary 'eyJhIjogMX0'}",
    )
    cassette = tmp_path / "ruby.yaml"
    cassette.write_text(text)
    with pytest.raises(CassetteError, match="not valid base64") as raised:
        read_cassette(cassette)
    assert raised.value.file == str(cassette)


def test_ruby_binary_with_good_padding_decodes() -> None:
    assert load("body: !binary |\n  eyJhIjog\n  MX0=\n") == {"body": b'{"a": 1}'}


def test_utf16_text_with_a_bom_reads_like_utf8() -> None:
    text = "a: [1, {b: é}]\n"
    expected = load(text.encode())
    for encoding, bom in (("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)):
        assert load(bom + text.encode(encoding)) == expected
    deep = codecs.BOM_UTF16_LE + _block_mappings(1100).encode("utf-16-le")
    with pytest.raises(YamlProblem, match=TOO_DEEP):
        load(deep)


# The cheap bound must never be below the real depth, or a deep text reaches the composer.
_words = st.text("ab -:[]{}#&*!é", max_size=5)
_leaves = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), _words, st.booleans())
_trees = st.recursive(
    _leaves,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_words, children, max_size=3),
    max_leaves=40,
)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def _block(value: Any, indent: int, step: int, compact: bool) -> str:
    """A block-style emitter: vcrpy's layout (`compact`: `- - x`, `- a: 1`) or fully indented."""
    pad = " " * indent
    if isinstance(value, list) and value:
        parts = [pad + "-" + _below(item, indent, step, compact) for item in value]
        return "\n".join(parts)
    if isinstance(value, dict) and value:
        parts = [
            pad + jsonio.dumps(key).decode() + ":" + _below(v, indent, step, False)
            for key, v in value.items()
        ]
        return "\n".join(parts)
    return pad + jsonio.dumps(value).decode()


def _below(value: Any, indent: int, step: int, compact: bool) -> str:
    if isinstance(value, (list, dict)) and value:
        if compact:  # `- - x`: the inner sequence's column is after the `- `
            return " " + _block(value, indent + 2, step, compact).lstrip(" ")
        return "\n" + _block(value, indent + step, step, compact)
    return " " + jsonio.dumps(value).decode()


@given(_trees, st.integers(1, 4), st.booleans(), st.booleans())
@settings(max_examples=200, deadline=None)
def test_the_cheap_bound_is_never_below_the_depth(
    tree: Any, step: int, flow: bool, compact: bool
) -> None:
    text = jsonio.dumps(tree).decode() if flow else _block(tree, 0, step, compact)
    assert load(text) == tree
    assert depth_bound(text.encode()) >= _depth(tree)


def test_a_50000_deep_cassette_is_an_input_error_not_a_segfault(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("interactions: " + "[" * DEEP + "]" * DEEP + "\n")
    result = cli_process(tmp_path, "shape", "deep.yaml", env={"COLUMNS": "200"})
    assert result.returncode == 2, result.stderr
    assert f"deep.yaml: line 1: {TOO_DEEP}" in result.stdout + result.stderr


def test_the_pool_lists_deep_files_and_reports_the_good_one(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    shutil.copy(GOOD, tmp_path / "old" / "good.yaml")
    shutil.copy(GOOD, tmp_path / "new" / "good.yaml")
    (tmp_path / "new" / "deep.yaml").write_text("x:\n" + "- " * DEEP + "1\n")
    header = '{"interactions": [{"request": {"headers": ' + "{a: " * DEEP + "}" * DEEP
    (tmp_path / "new" / "header.json").write_text(header + "}}]}")
    result = cli_process(
        tmp_path, "diff", "old", "new", "--workers", "2", "--allow-unreadable", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    report = jsonio.loads(result.stdout)
    assert report["checked"] == [{"endpoint": "GET httpbin.org/ip", "status": 200}]
    unreadable = {error["file"]: error["message"] for error in report["errors"]}
    assert set(unreadable) == {"new/deep.yaml", "new/header.json"}
    assert all(TOO_DEEP in reason for reason in unreadable.values())
