"""The census codec refuses nothing a scan writes: every census `Census.add_file` builds
from interactions a cassette reader can give (and `extend` joins) is read back equal,
in the same order, after a trip through JSON bytes. A refusal would make every run with
a cache miss; a difference would change a warm run's report."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from unittest import mock
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck import jsonio
from driftcheck.core import census as census_module
from driftcheck.core.census import Census
from driftcheck.core.endpoints import endpoint_key
from driftcheck.core.model import BodyKind, Interaction
from driftcheck.core.slugs import slug_positions
from driftcheck.sources import census_codec
from driftcheck.sources.census_codec import decode, encode
from driftcheck.sources.fields import LATEST

# Recording times a reader gives (`fields.recorded_at`: from 1970 to before LATEST),
# with a few that share a day, so that files of one day meet.
stamps = st.one_of(
    st.none(),
    st.sampled_from([0.0, 1709632800.0, 1709640000.5, 1714640400.0]),
    st.floats(min_value=0, max_value=LATEST, exclude_max=True),
)


@st.composite
def interactions(draw: st.DrawFn) -> Interaction:
    """One interaction, but for its place (file, index, line). Only a JSON body states
    segments of its URL, those where a slug may stand (`file_shapes.echoed`)."""
    uri = (
        "https://x.io"
        + draw(
            st.sampled_from(["/a", "/b/1", "/b/2", "/b/x", "/b/x/", "/c/x/y", "/c/z/y", "/graphql"])
        )
        + draw(st.sampled_from(["", "?q=1", "?q=2"]))
    )
    kind = draw(st.sampled_from(list(BodyKind)))
    slugs = slug_positions(endpoint_key("GET", uri))
    echoed = draw(st.sets(st.sampled_from(slugs))) if slugs and kind is BodyKind.JSON else ()
    return Interaction(
        method=draw(st.sampled_from(["GET", "POST", "DELETE"])),
        uri=uri,
        status=draw(st.sampled_from([200, 201, 204, 301, 404, 500, 999, 100])),
        content_type=draw(st.sampled_from(["application/json", "text/html", ""])),
        kind=kind,
        note=draw(st.none() | st.sampled_from(["", "not valid JSON", "é\u202e"])),
        recorded_at=draw(stamps),
        operation=draw(st.none() | st.sampled_from(["", "Viewer", "Repo"])),
        echoed=tuple(sorted(echoed)),
    )


Listed = list[tuple[str, list[Interaction], str | None]]  # path, interactions, error


@st.composite
def files(draw: st.DrawFn) -> Listed:
    """A side's files in order: each its path, interactions as a reader numbers them
    (indexes from 0, lines ascending, 0 where unknown) and its error (then none)."""
    made: Listed = []
    for number in range(draw(st.integers(0, 7))):
        path = f"cassettes/f{number}.yaml"
        if draw(st.integers(0, 5)) == 0:
            made.append((path, [], draw(st.sampled_from(["not a cassette", ""]))))
            continue
        drawn = draw(st.lists(interactions(), max_size=12))
        gaps = draw(st.lists(st.integers(0, 9), min_size=len(drawn), max_size=len(drawn)))
        lines = [sum(gaps[: n + 1]) if all(gaps) else 0 for n in range(len(drawn))]
        placed = [
            replace(interaction, source=path, index=n, line=lines[n])
            for n, interaction in enumerate(drawn)
        ]
        made.append((path, placed, None))
    return made


def _name(interaction: Interaction) -> str:
    """Endpoints that share files and statuses: the method and the URL's first segment."""
    return f"{interaction.method} {urlsplit(interaction.uri).path.split('/')[1]}"


def _census(listed: Listed) -> Census:
    built = Census()
    for path, interactions, error in listed:
        built.add_file(path, interactions, _name, error)
    return built


def _round_trip(census: Census) -> Census:
    return decode(jsonio.loads(jsonio.dumps(encode(census))), list(census.paths))


@contextmanager
def _caps(uris: int, samples: int) -> Iterator[None]:
    """The census's caps (URLs kept, interactions sampled), lowered alike on both sides
    of the codec, so that a few interactions pass them."""
    with (
        mock.patch.object(census_module, "URIS", uris),
        mock.patch.object(census_codec, "URIS", uris),
        mock.patch.object(census_module, "SAMPLES", samples),
        mock.patch.object(census_codec, "SAMPLES", samples),
    ):
        yield


def _assert_read_back(census: Census) -> None:
    read = _round_trip(census)
    assert read == census
    assert jsonio.dumps(encode(read)) == jsonio.dumps(encode(census))  # the same order too


@settings(max_examples=150, deadline=None)
@given(files(), st.data())
def test_a_census_reads_back_as_written(listed: Listed, data: st.DataObject) -> None:
    """A batch's census, and a run's: its batches' censuses joined by `extend`."""
    cut = sorted(data.draw(st.sets(st.integers(0, len(listed)), max_size=3)))
    parts = [listed[a:b] for a, b in zip([0, *cut], [*cut, len(listed)], strict=True)]
    joined = Census()
    for part in parts:
        batch = _census(part)
        _assert_read_back(batch)
        joined.extend(batch)
    _assert_read_back(joined)
    assert joined == _census(listed)


@settings(max_examples=100, deadline=None)
@given(files(), st.integers(1, 3), st.integers(1, 3))
def test_a_census_past_its_caps_reads_back_as_written(
    listed: Listed, uris: int, samples: int
) -> None:
    """URLs past the cap (counted as `dropped`) and interactions past the samples."""
    with _caps(uris, samples):
        half = len(listed) // 2
        joined = _census(listed[:half])
        joined.extend(_census(listed[half:]))
        _assert_read_back(joined)
        _assert_read_back(_census(listed))


def test_segments_echoed_by_a_url_past_the_cap_read_back() -> None:
    """One endpoint named by the caller (as a configured one may be) holding URLs of
    different lengths: the short ones fill the cap, a longer one past it states a slug."""
    found = [
        Interaction("GET", "https://x.io/files/1", 404, "", BodyKind.EMPTY, index=0),
        Interaction(
            "GET", "https://x.io/files/a/b/123", 200, "application/json", BodyKind.JSON,
            index=1, echoed=(3,),
        ),
    ]  # fmt: skip
    with _caps(uris=1, samples=8):
        census = Census()
        census.add_file("f.yaml", [replace(i, source="f.yaml") for i in found], lambda i: "E")
        assert census.endpoints["E"].echoed == frozenset({3})
        assert census.endpoints["E"].operations[""].dropped == 1
        _assert_read_back(census)
