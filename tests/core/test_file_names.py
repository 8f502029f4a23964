"""FileNames / Stretch: a side's file names kept compact, read back exactly."""

from __future__ import annotations

import pickle
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftcheck.core.census import Census
from driftcheck.core.file_names import FileNames, Stretch

PATHS = [
    "cassettes/test_users/test_get.yaml",
    "cassettes/test_users/test_list.yaml",
    "/abs/other/x.yml",
    "bare.yaml",
    "cassettes/test_users/",  # ends in the separator: an empty own name
    "caf\u00e9/\U0001f600.yaml",
    "raw/\udcff\udcfe.yaml",  # undecodable bytes as os.fsdecode gives them
]

parts = st.sampled_from(["/", "a", "\u00e9", "\udcff", "\U0001f600"]) | st.characters()
paths = st.lists(st.text(alphabet=parts, max_size=12), max_size=20)


@given(paths)
def test_names_read_back_exactly(given_paths: list[str]) -> None:
    names = FileNames(given_paths)
    assert list(names) == given_paths
    assert [names[i] for i in range(len(given_paths))] == given_paths
    assert names == given_paths
    assert len(names) == len(given_paths)
    assert pickle.loads(pickle.dumps(names)) == given_paths


def test_indexing_and_slicing_as_a_list() -> None:
    names = FileNames(PATHS)
    assert names[-1] == PATHS[-1]
    assert names[1:4] == PATHS[1:4]
    assert names[::2] == PATHS[::2]
    with pytest.raises(IndexError):
        names[len(PATHS)]
    assert names != PATHS[:-1]
    assert names != "not a sequence of names"


def test_a_stretch_names_its_files_and_pickles_as_a_list() -> None:
    names = FileNames(PATHS)
    stretch = Stretch(names, 1, 5)
    assert list(stretch) == PATHS[1:5]
    assert len(stretch) == 4
    assert stretch[0] == PATHS[1]
    assert stretch[-1] == PATHS[4]
    assert stretch[1:3] == PATHS[2:4]
    assert isinstance(stretch[1:3], Stretch)
    assert stretch[::2] == PATHS[1:5:2]
    with pytest.raises(IndexError):
        stretch[4]
    sent = pickle.loads(pickle.dumps(stretch))
    assert type(sent) is list
    assert sent == PATHS[1:5]


def test_extending_by_a_stretch_copies_its_names() -> None:
    names = FileNames(PATHS)
    copied = FileNames(["first.yaml"])
    copied.extend(Stretch(names, 2, len(PATHS)))
    assert copied == ["first.yaml", *PATHS[2:]]


def test_a_census_keeps_its_files_compact_and_in_order() -> None:
    census = Census()
    census.add_file("a/one.yaml", [], str)
    later = Census()
    later.add_file("b/two.yaml", [], str, "unreadable")
    census.extend(later)
    assert census.paths == ["a/one.yaml", "b/two.yaml"]
    assert isinstance(census.paths, FileNames)
    assert pickle.loads(pickle.dumps(census)) == census


def test_a_hundred_thousand_per_test_names_take_a_fraction_of_their_strings() -> None:
    """pytest-recording's layout: 2,500 folders of 40 files. As `str`s in a list these
    cost ~150 bytes a file; compact, under 40."""
    given_paths = [
        f"/home/ci/project/tests/cassettes/test_module_{m:04}/test_case_{t:02}.yaml"
        for m in range(2500)
        for t in range(40)
    ]
    tracemalloc.start()
    try:
        names = FileNames(given_paths)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held < 40 * len(given_paths)
    assert names[123_456 % len(names)] == given_paths[123_456 % len(given_paths)]
