"""The fast constructor (`yamlsafe._build`) builds exactly what PyYAML's safe constructor
builds, or leaves the document to it: same values, same types, same refusals and errors."""

from __future__ import annotations

import datetime
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.sources import yamlsafe
from driftcheck.sources.yamlsafe import YamlProblem, load

DATA = Path(__file__).parent.parent / "data"


def _both(text: bytes) -> tuple[Any, Any]:
    """What the fast path and PyYAML's path give (a value, or the error's repr)."""
    results = []
    for fast in (True, False):
        try:
            results.append(yamlsafe._construct(text, fast=fast))
        except Exception as error:  # compared: the same error either way
            results.append(f"{type(error).__name__}: {error}")
    return results[0], results[1]


def _same(one: Any, other: Any) -> bool:
    """Equal with their types, NaN equal to NaN (`==` alone says 1 == True == 1.0)."""
    if type(one) is not type(other):
        return False
    if isinstance(one, dict):
        return list(one) == list(other) and all(_same(one[k], other[k]) for k in one)
    if isinstance(one, list):
        return len(one) == len(other) and all(map(_same, one, other))
    if isinstance(one, float) and math.isnan(one):
        return math.isnan(other)
    return bool(one == other)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.binary(max_size=20), st.dates(), st.datetimes(timezones=st.just(datetime.timezone.utc)),
)  # fmt: skip
keys = st.one_of(st.text(max_size=8), st.integers(), st.booleans())
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(values, st.sampled_from(["block", "flow"]))
def test_any_dumped_data_builds_the_same(value: Any, style: str) -> None:
    text = yaml.safe_dump(value, default_flow_style=style == "flow", allow_unicode=True)
    fast, slow = _both(text.encode())
    assert _same(fast, slow), (text, fast, slow)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {b: 1}\nc: *x\n",  # aliases: PyYAML's (shared objects)
        "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n",  # merge keys
        "? [1, 2]\n: unhashable\n",  # a complex key: PyYAML's error
        "? {a: 1}\n: x\n",
        "!!set {a, b}\n",
        "!!omap [a: 1, b: 2]\n",
        "!!python/tuple [1, 2]\n",
        "x: !!python/object/apply:os.system ['true']\n",  # refused, naming the line
        "x: !!python/name:os.system\n",
        "x: !custom 1\n",
        "x: !!int nope\n",  # a bad value names its line
        "x: !!timestamp 2024-13-45\n",
        "x: !!binary '%%%'\n",
        "x: !binary aGVsbG8=\n",
        "x: !!python/unicode text\n",
        "= : value\n",  # the value key
        "x: !!str 12\ny: !!float 1\nz: !!null ''\n",
        "[" * 70 + "]" * 70,  # deeper than FAST_DEPTH: PyYAML's
        "",
        "--- 1\n--- 2\n",  # two documents: PyYAML's error
        "a: [!!int x]\nb: !!python/object/apply:os.system [echo]\n",  # PyYAML's error first
    ],
)
def test_special_documents_build_the_same(text: str) -> None:
    fast, slow = _both(text.encode())
    assert _same(fast, slow), (fast, slow)


def test_refused_tags_are_still_refused_through_load() -> None:
    with pytest.raises(YamlProblem, match=r"line 2: refused YAML tag !!python/object/apply"):
        load(b"a: 1\nb: !!python/object/apply:os.system ['true']\n")


def test_a_refused_tag_deep_in_a_plain_document_is_refused() -> None:
    text = "interactions:\n- request:\n    body: !!python/object:os.Popen {}\n"
    with pytest.raises(YamlProblem, match=r"refused YAML tag !!python/object:os.Popen"):
        load(text.encode())


def test_every_cassette_in_the_test_data_builds_the_same() -> None:
    files = [p for p in DATA.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]
    assert len(files) > 10
    for path in files:
        fast, slow = _both(path.read_bytes())
        assert _same(fast, slow), path


def test_the_fast_path_is_taken_for_a_vcrpy_cassette(monkeypatch: pytest.MonkeyPatch) -> None:
    """Guards the speed-up itself: a plain vcrpy document never reaches PyYAML's builder."""
    taken = []
    original = yamlsafe.SafeLoader.construct_document
    monkeypatch.setattr(
        yamlsafe.SafeLoader,
        "construct_document",
        lambda loader, node: taken.append(1) or original(loader, node),
    )
    text = (
        "interactions:\n- request: {method: GET, uri: 'https://x/a', body: null, headers: {}}\n"
        "  response:\n    status: {code: 200, message: OK}\n    headers: {}\n"
        "    body: {string: '{\"a\": 1}'}\nversion: 1\n"
    )
    assert load(text.encode())["interactions"][0]["response"]["status"]["code"] == 200
    assert taken == []
    load(b"a: &x 1\nb: *x\n")
    assert taken == [1]


BOM = "\ufeff"


def test_anchors_behind_byte_order_marks_are_shared_not_copied() -> None:
    """libyaml skips a BOM at the start of any line, where it hid anchors from the cheap
    screen: the fast constructor then copied every alias, ten times per level (a 686-byte
    cassette ran for a minute). Aliased collections are now shared, as PyYAML shares them."""
    lines = ["bomb: [", f"{BOM}&a0 [x, y],"] + [
        f"{BOM}&a{n} [{', '.join([f'*a{n - 1}'] * 10)}]," for n in range(1, 4)
    ]
    loaded = load((BOM + "\n".join([*lines, "end]"]) + "\n").encode())["bomb"]
    assert loaded[3][0] is loaded[3][9] is loaded[2]


def test_a_self_referencing_alias_behind_byte_order_marks_is_refused() -> None:
    with pytest.raises(YamlProblem, match="refers to a node that holds it"):
        load(f"{BOM}{BOM}&x [1, *x]\n".encode())


def test_an_error_is_the_one_pyyaml_s_constructor_names() -> None:
    """Depth-first, the fast constructor met `!!int x` first; PyYAML's refuses the tag."""
    with pytest.raises(YamlProblem, match=r"line 2: refused YAML tag !!python/object/apply"):
        load(b"a: [!!int x]\nb: !!python/object/apply:os.system [echo]\n")
