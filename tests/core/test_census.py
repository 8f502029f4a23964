"""Census: a side's files counted per endpoint equal, however they were split into parts,
joined, or renamed afterwards, what counting them all at once under the final names gives."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core import census as census_module
from driftcheck.core.census import SAMPLES, Census, Operation, Tally
from driftcheck.core.endpoints import endpoint_key
from driftcheck.core.model import BodyKind, Interaction
from driftcheck.core.slugs import slug_positions

HOST = "https://x.io"
PATHS = ("/a", "/a?p=1", "/a?p=2", "/b/x", "/b/x?q=1", "/c/x/y", "/c/x/z")
URLS = tuple(f"{HOST}{p}" for p in PATHS)
METHODS = ("GET", "POST")
NAMES = tuple(sorted({endpoint_key(m, u) for m in METHODS for u in URLS}))
DAY = 1_700_000_000.0  # 2023-11-14
STAMPS = (None, None, DAY, DAY + 60, DAY + 86_400 * 3)  # ties, two days, undated files

File = tuple[str, list[Interaction], str | None]  # path, interactions, why unreadable


def echoes(uri: str) -> st.SearchStrategy[tuple[int, ...]]:
    """What a scan finds a JSON body to state of its URL: some of the segments where a
    slug may stand (`file_shapes.echoed`)."""
    positions = slug_positions(endpoint_key("GET", uri))
    return st.sets(st.sampled_from(positions)).map(sorted).map(tuple) if positions else st.just(())


@st.composite
def interactions(draw: st.DrawFn, path: str) -> list[Interaction]:
    """A file's interactions, in order (indices ascending, as a reader numbers them)."""
    found = []
    for index in range(draw(st.integers(0, 6))):
        uri = draw(st.sampled_from(URLS))
        kind = draw(st.sampled_from((BodyKind.JSON, BodyKind.EMPTY, BodyKind.HTML)))
        found.append(
            Interaction(
                draw(st.sampled_from(METHODS)),
                uri,
                draw(st.sampled_from((200, 201, 404))),
                draw(st.sampled_from(("application/json", "", "text/html"))),
                kind,
                note=draw(st.sampled_from((None, None, "odd", "left out"))),
                source=path,
                index=index,
                line=1 + 4 * index,
                recorded_at=draw(st.sampled_from(STAMPS)),
                operation=draw(st.sampled_from((None, None, "Q", "M"))),
                echoed=draw(echoes(uri)) if kind is BodyKind.JSON else (),
            )
        )
    return found


@st.composite
def files(draw: st.DrawFn, most: int = 8) -> list[File]:
    count = draw(st.integers(0, most))
    return [
        (
            f"f{n}.yaml",
            draw(interactions(f"f{n}.yaml")),
            draw(st.sampled_from((None, None, None, "unreadable"))),
        )
        for n in range(count)
    ]


def automatic(interaction: Interaction) -> str:
    return endpoint_key(interaction.method, interaction.uri)


def census_of(found: Sequence[File], name_of: Callable[[Interaction], str] = automatic) -> Census:
    census = Census()
    for path, interactions_, error in found:
        census.add_file(path, interactions_, name_of, error)
    return census


def view(census: Census) -> dict[str, Any]:
    """Everything a census holds, with the order of what is ordered: the notes, the spots
    sampled, the files, and the URLs as first met (a dict's order, which `==` ignores)."""
    return {
        "paths": census.paths,
        "errors": census.errors,
        "stamps": list(census.stamps),
        "endpoints": {n: _tally(t) for n, t in census.endpoints.items()},
        "notes": census.all_notes(),
    }


def _tally(tally: Tally) -> dict[str, Any]:
    return {
        "statuses": {
            status: (s.samples, s.content_types, s.skipped, s.bodies, s.first, s.notes)
            for status, s in tally.statuses.items()
        },
        "operations": {
            name: (list(o.uris.items()), o.dropped, o.sampled, o.statuses)
            for name, o in tally.operations.items()
        },
        "echoed": tally.echoed,
        "files": list(tally.files),
        "undated": list(tally.undated),
        "newest": tally.newest,
    }


def parts_of(found: list[File], cuts: list[int]) -> list[list[File]]:
    """`found` cut at `cuts` (taken modulo its length + 1): some parts may be empty."""
    points = sorted(cut % (len(found) + 1) for cut in cuts)
    return [found[a:b] for a, b in zip([0, *points], [*points, len(found)], strict=True)]


@settings(max_examples=150, deadline=None)
@given(found=files(), cuts=st.lists(st.integers(0, 64), max_size=4), empty_first=st.booleans())
def test_a_census_built_in_parts_and_extended_equals_one_built_at_once(
    found: list[File], cuts: list[int], empty_first: bool
) -> None:
    whole = census_of(found)
    parts = [census_of(part) for part in parts_of(found, cuts)]
    joined = Census() if empty_first else parts.pop(0)
    for part in parts:
        joined.extend(part)
    assert joined == whole
    assert view(joined) == view(whole)
    assert list(joined.endpoints) == list(whole.endpoints)  # as first met: init's first URL


def renaming(renames: Mapping[str, str]) -> Callable[[Interaction], str]:
    """The automatic name, then renamed: what a scan with the collapsed names gives."""

    def name_of(interaction: Interaction) -> str:
        name = automatic(interaction)
        return renames.get(name, name)

    return name_of


renames_strategy = st.dictionaries(
    st.sampled_from(NAMES), st.sampled_from((*NAMES, "GET x.io/{id}", "T")), max_size=6
)


@settings(max_examples=200, deadline=None)
@given(found=files(), renames=renames_strategy, cuts=st.lists(st.integers(0, 64), max_size=3))
def test_a_renamed_census_equals_one_built_under_the_new_names(
    found: list[File], renames: dict[str, str], cuts: list[int]
) -> None:
    """On a census joined from parts, as a scan makes it: the URLs of merged endpoints
    in the order first met too."""
    joined = Census()
    for part in parts_of(found, cuts):
        joined.extend(census_of(part))
    before = copy.deepcopy(joined)
    renamed = joined.renamed(renames)
    direct = census_of(found, renaming(renames))
    assert renamed == direct
    assert view(renamed) == view(direct)
    assert joined == before  # the census renamed is left as it was


def json_file(path: str, *calls: tuple[str, float | None]) -> File:
    """A file of 2xx JSON GETs, each (path and query, recording time), stating `{id}`."""
    found = [
        Interaction(
            "GET",
            f"{HOST}{uri}",
            200,
            "application/json",
            BodyKind.JSON,
            source=path,
            index=index,
            line=1 + index,
            recorded_at=stamp,
            echoed=(1,),
        )
        for index, (uri, stamp) in enumerate(calls)
    ]
    return path, found, None


MERGED = {"GET x.io/c/a": "GET x.io/c/{id}", "GET x.io/c/b": "GET x.io/c/{id}"}


@pytest.mark.parametrize("dated", ["/c/a", "/c/b"])
def test_merged_endpoints_in_one_file_one_dated_one_undated(dated: str) -> None:
    """A file holding both endpoints that merge, one of them dated there and the other
    not, is dated for the merged endpoint; its newest date and first spot are kept."""
    undated = "/c/b" if dated == "/c/a" else "/c/a"
    found = [
        json_file("old.yaml", ("/c/b", None)),
        json_file("both.yaml", (dated, DAY), (undated, None)),
        json_file("new.yaml", ("/c/b", DAY + 60)),
    ]
    census = census_of(found)
    assert 1 in census.endpoints[f"GET x.io{undated}"].undated
    assert 1 not in census.endpoints[f"GET x.io{dated}"].undated
    renamed = census.renamed(MERGED)
    direct = census_of(found, renaming(MERGED))
    (tally,) = renamed.endpoints.values()
    assert list(tally.files) == [0, 1, 2]
    assert list(tally.undated) == [0]
    assert tally.newest == (DAY + 60, 2)
    assert tally.statuses[200].first == (0, 0, 1)
    assert tally.echoed == frozenset({1})
    assert renamed.files_of("GET x.io/c/{id}") == ["old.yaml", "both.yaml", "new.yaml"]
    assert renamed == direct
    assert view(renamed) == view(direct)


def test_merged_endpoints_keep_their_urls_in_the_order_first_met() -> None:
    """`init` harvests an endpoint's params from its URLs in recorded order (at most 5
    values each): after a slug collapse, they must still be in that order."""
    found = [
        json_file("f0.yaml", ("/c/b", None), ("/c/a", None)),
        json_file("f1.yaml", ("/c/b?page=2", None)),
    ]
    (tally,) = census_of(found).renamed(MERGED).endpoints.values()
    (direct,) = census_of(found, renaming(MERGED)).endpoints.values()
    assert list(direct.operations[""].uris) == [f"{HOST}/c/b", f"{HOST}/c/a", f"{HOST}/c/b?page=2"]
    assert list(tally.operations[""].uris) == list(direct.operations[""].uris)


@settings(max_examples=100, deadline=None)
@given(found=files(), cuts=st.lists(st.integers(0, 64), max_size=3))
def test_all_notes_are_listed_in_file_then_index_order(found: list[File], cuts: list[int]) -> None:
    expected = tuple(
        f"{path}#{i.index}: {i.note}" for path, found_, _ in found for i in found_ if i.note
    )
    assert census_of(found).all_notes() == expected
    joined = Census()
    for part in parts_of(found, cuts):
        joined.extend(census_of(part))
    assert joined.all_notes() == expected
    assert census_of(found, lambda i: i.note or "").all_notes() == expected


CAP = 3

spots = st.lists(
    st.tuples(st.sampled_from(tuple(f"u{n}" for n in range(6))), st.sampled_from((200, 404))),
    max_size=20,
)


def operation_of(added: Sequence[tuple[str, int]], start: int = 0) -> Operation:
    operation = Operation()
    for index, (uri, status) in enumerate(added, start):
        operation.add((0, index), uri, status)
    return operation


@settings(max_examples=200, deadline=None)
@given(added=spots)
def test_an_operation_keeps_the_first_distinct_urls_and_counts_the_rest(
    added: list[tuple[str, int]],
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(census_module, "URIS", CAP)
        operation = operation_of(added)
    kept = list(dict.fromkeys(uri for uri, _ in added))[:CAP]
    assert list(operation.uris) == kept
    first = {uri: index for index, (uri, _) in reversed(list(enumerate(added)))}
    assert operation.uris == {uri: [sum(u == uri for u, _ in added), 0, first[uri]] for uri in kept}
    assert operation.dropped == sum(uri not in kept for uri, _ in added)
    assert operation.recorded() == [u for u in kept for a, _ in added if a == u]
    assert operation.sampled == [(0, index) for index in range(min(len(added), SAMPLES))]
    assert operation.statuses == {s: sum(t == s for _, t in added) for _, s in added}


@settings(max_examples=200, deadline=None)
@given(added=spots, cut=st.integers(0, 20))
def test_operations_merged_over_the_cap_keep_the_same_urls(
    added: list[tuple[str, int]], cut: int
) -> None:
    """Past the cap, a merge keeps the URLs one operation would, and counts every
    interaction once; under it, it equals that operation exactly."""
    cut = min(cut, len(added))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(census_module, "URIS", CAP)
        whole = operation_of(added)
        merged = operation_of(added[:cut])
        merged.merge(operation_of(added[cut:], cut))
    assert list(merged.uris) == list(whole.uris)
    assert sum(kept[0] for kept in merged.uris.values()) + merged.dropped == len(added)
    assert {uri: kept[1:] for uri, kept in merged.uris.items()} == {
        uri: kept[1:] for uri, kept in whole.uris.items()
    }  # each URL where it was first met
    assert merged.sampled == whole.sampled
    assert merged.statuses == whole.statuses
    if len({uri for uri, _ in added[cut:]}) <= CAP:  # the later part dropped nothing
        assert (merged.uris, merged.dropped) == (whole.uris, whole.dropped)
