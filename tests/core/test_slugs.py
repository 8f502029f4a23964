"""Slugs: many values at one place, each answered with a body of one shape that names it,
become `{id}`; named resources, drifting keys and disagreeing shapes stay apart."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from driftcheck.core.census import Census, by_file
from driftcheck.core.compare import compare
from driftcheck.core.endpoints import Names, Pooled, group, pool
from driftcheck.core.matchers import Matcher
from driftcheck.core.model import BodyKind, EndpointSet, Interaction
from driftcheck.core.shape import infer, infer_all
from driftcheck.core.slugs import SLUG_VALUES, collapse_slugs, echoes, group_sides, slug_positions
from driftcheck.sources.file_shapes import echoed

HOST = "https://x.io"


def collection(slug: str, **extra: Any) -> dict[str, Any]:
    return {"id": slug, "title": slug.title(), "extent": {"bbox": [1.0, 2.0]}, **extra}


def sample(path: str, body: Any, status: int = 200) -> Interaction:
    uri = f"{HOST}{path}"
    kind = BodyKind.EMPTY if body is None else BodyKind.JSON
    return Interaction("GET", uri, status, "application/json", kind, body, echoed=echoed(uri, body))


def census_of(samples: list[Interaction], names: Names | None = None) -> Census:
    """A census of `samples`, each run of one `source` a file, named by `names`."""
    census = Census()
    for path, found in by_file(samples):
        census.add_file(path, found, names or Names())
    return census


def side(*samples: Interaction, names: Names | None = None) -> tuple[Census, Pooled]:
    """Interactions as a scan hands them over: counted in a census under the names they
    were scanned with, bodies dropped, shapes pooled by name, status and (undated) day."""
    name_of = names or Names()
    pooled = pool(
        ((name_of(i), i.status, ""), infer(i.body)) for i in samples if i.kind is BodyKind.JSON
    )
    return census_of([dataclasses.replace(i, body=None) for i in samples], name_of), pooled


def names_of(*samples: Interaction) -> list[str]:
    (endpoints,), _, _ = group_sides([side(*samples)])
    return list(endpoints.endpoints)


def test_slugs_that_name_their_record_collapse_into_one_endpoint() -> None:
    bodies = [collection(slug) for slug in ("naip", "landsat", "sentinel-2")]
    samples = [
        dataclasses.replace(sample(f"/stac/collections/{b['id']}", b), source=f"{b['id']}.yaml")
        for b in bodies
    ]
    scanned = side(*samples)
    (endpoints,), names, (census,) = group_sides([scanned])
    assert list(endpoints.endpoints) == ["GET x.io/stac/collections/{id}"]
    (by_status,) = endpoints.endpoints.values()
    assert by_status[200].samples == 3
    assert by_status[200].shape == infer_all(bodies)  # pooled shapes merged exactly
    assert by_status[200].location == samples[0].location
    assert names(samples[0]) == "GET x.io/stac/collections/{id}"
    # the census under the collapsed names: one endpoint, every file, the scan's untouched
    assert list(census.endpoints) == ["GET x.io/stac/collections/{id}"]
    assert census.files_of("GET x.io/stac/collections/{id}") == [s.source for s in samples]
    assert census == census_of(samples, names)
    assert len(scanned[0].endpoints) == 3


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (  # two values: two named resources of one shape are common (`me`, `self`)
            [sample(f"/collections/{s}", collection(s)) for s in ("naip", "landsat")],
            ["GET x.io/collections/landsat", "GET x.io/collections/naip"],
        ),
        (  # the bodies do not name them: resource names (`usage/<product>`), not records
            [sample(f"/usage/{s}", {"data": [{"hour": 1}]}) for s in ("apm", "logs", "rum")],
            ["GET x.io/usage/apm", "GET x.io/usage/logs", "GET x.io/usage/rum"],
        ),
        (  # a JSON:API type names the resource's kind, not a record
            [sample(f"/rules/{s}/reorder", {"type": s, "ok": True}) for s in ("a", "b", "c")],
            ["GET x.io/rules/a/reorder", "GET x.io/rules/b/reorder", "GET x.io/rules/c/reorder"],
        ),
        (  # after a version, resource names stand
            [sample(f"/v1/{s}", collection(s)) for s in ("users", "teams", "orgs")],
            ["GET x.io/v1/orgs", "GET x.io/v1/teams", "GET x.io/v1/users"],
        ),
        (  # shapes that disagree are never merged
            [
                sample("/collections/naip", collection("naip")),
                sample("/collections/landsat", collection("landsat", license="cc")),
                sample("/collections/modis", {"id": "modis", "items": [1]}),
            ],
            [
                "GET x.io/collections/landsat",
                "GET x.io/collections/modis",
                "GET x.io/collections/naip",
            ],
        ),
        (  # only error bodies: no evidence of what a record looks like
            [sample(f"/things/{s}", {"error": s}, 404) for s in ("a", "b", "c")],
            ["GET x.io/things/a", "GET x.io/things/b", "GET x.io/things/c"],
        ),
        (  # agreeing only on an error: no success in common, no evidence either
            [
                sample("/things/a", collection("a")),
                sample("/things/b", collection("b"), 201),
                sample("/things/c", collection("c")),
                *(sample(f"/things/{s}", {"error": "no"}, 404) for s in "abc"),
            ],
            ["GET x.io/things/a", "GET x.io/things/b", "GET x.io/things/c"],
        ),
    ],
    ids=["two", "not-named", "type", "after-version", "disagree", "errors-only", "no-success"],
)
def test_what_stays_apart(samples: list[Interaction], expected: list[str]) -> None:
    assert SLUG_VALUES == 3
    assert names_of(*samples) == expected


def test_me_stays_apart_from_users_of_one_shape() -> None:
    """`/users/me` returns more than a user: the users collapse, with the numeric ids."""
    user = {"login": "", "name": "x"}
    samples = [
        sample("/users/7", {**user, "login": "7"}),
        *(sample(f"/users/{n}", {**user, "login": n}) for n in ("ada", "bob", "cy")),
        sample("/users/me", {"login": "me", "name": "x", "email": "me@x.io", "plan": "pro"}),
    ]
    assert names_of(*samples) == ["GET x.io/users/me", "GET x.io/users/{id}"]


def test_slugs_never_join_an_id_endpoint_of_another_shape() -> None:
    samples = [
        sample("/users/7", {"id": 7, "roles": ["x"]}),
        *(sample(f"/users/{n}", {"login": n, "name": "x"}) for n in ("ada", "bob", "cy")),
    ]
    assert names_of(*samples) == [
        "GET x.io/users/ada",
        "GET x.io/users/bob",
        "GET x.io/users/cy",
        "GET x.io/users/{id}",
    ]


def test_an_optional_key_seen_for_one_slug_does_not_keep_it_apart() -> None:
    """Near-identical: what one always returns, the others returned too."""
    samples = [
        sample("/collections/naip", collection("naip", license="cc")),
        sample("/collections/naip", collection("naip")),
        sample("/collections/landsat", collection("landsat")),
        sample("/collections/modis", collection("modis")),
        sample("/collections/modis", None, 404),  # an error one slug has changes nothing
    ]
    assert names_of(*samples) == ["GET x.io/collections/{id}"]


def test_configured_names_are_never_collapsed() -> None:
    samples = [sample(f"/collections/{s}", collection(s)) for s in ("naip", "landsat", "modis")]
    names = Names([Matcher.of("naip", "GET", f"{HOST}/collections/naip")])
    (endpoints,), _, (census,) = group_sides([side(*samples, names=names)], names)
    assert (
        sorted(census.endpoints)
        == list(endpoints.endpoints)
        == [
            "GET x.io/collections/landsat",
            "GET x.io/collections/modis",
            "naip",
        ]
    )


def test_other_slugs_recorded_on_each_side_are_no_drift() -> None:
    """Each recording run fetched other records: one endpoint, nothing missing or added."""
    old = side(*(sample(f"/collections/{s}", collection(s)) for s in ("naip", "landsat", "a")))
    new = side(*(sample(f"/collections/{s}", collection(s)) for s in ("naip", "landsat", "b")))
    (before, after), _, censuses = group_sides([old, new])
    assert list(before.endpoints) == list(after.endpoints) == ["GET x.io/collections/{id}"]
    assert [list(census.endpoints) for census in censuses] == [list(after.endpoints)] * 2
    assert compare(before, after).findings == ()


def test_a_slug_that_drifts_keeps_its_own_finding() -> None:
    """A key whose shape differs between sides is left alone: its finding is as sharp as
    without collapsing, never diluted into `{id}`; the others still collapse."""
    slugs = ("naip", "landsat", "sentinel")
    old = side(*(sample(f"/collections/{s}", collection(s)) for s in slugs))
    drifted = {k: v for k, v in collection("landsat").items() if k != "title"}
    new = side(
        *(sample(f"/collections/{s}", collection(s)) for s in ("naip", "sentinel", "modis")),
        sample("/collections/landsat", drifted),
    )
    (before, after), names, censuses = group_sides([old, new])
    assert list(after.endpoints) == ["GET x.io/collections/landsat", "GET x.io/collections/{id}"]
    assert [list(census.endpoints) for census in censuses] == [list(after.endpoints)] * 2
    assert names(sample("/collections/modis", None)) == "GET x.io/collections/{id}"
    assert names(sample("/collections/landsat", None)) == "GET x.io/collections/landsat"
    found = [(f.endpoint, f.rule.value, f.path) for f in compare(before, after).findings]
    assert found == [("GET x.io/collections/landsat", "field-removed", "$.title")]


def test_collapsing_is_decided_over_every_side_together() -> None:
    statuses = group([sample("/c/a", collection("a"))]).endpoints["GET x.io/c/a"]
    keys = [f"GET x.io/c/{s}" for s in "abc"]
    one = EndpointSet(dict.fromkeys(keys, statuses))
    stated = dict.fromkeys(keys, frozenset({1}))
    assert collapse_slugs([one], stated) == dict.fromkeys(keys, "GET x.io/c/{id}")
    assert collapse_slugs([one], {}) == {}  # bodies that name nothing
    drifted = group([sample("/c/a", {"x": 1})]).endpoints["GET x.io/c/a"]
    assert collapse_slugs([one, EndpointSet({keys[0]: drifted})], stated) == {}  # two left


def test_echoes_are_those_every_successful_body_states() -> None:
    samples = [
        sample("/c/a", collection("a")),
        sample("/c/a", {"id": "other", "title": "x"}),
        sample("/c/b", collection("b")),
        sample("/c/b", {"error": "gone"}, 410),
    ]
    expected = {"GET x.io/c/a": frozenset(), "GET x.io/c/b": {1}}
    assert echoes([census_of(samples)]) == expected
    # over sides: what every side's bodies state; a side with no 2xx JSON changes nothing
    assert echoes([census_of(samples[:1]), census_of(samples[1:])]) == expected
    assert echoes([census_of(samples[3:]), census_of(samples[:1])]) == {"GET x.io/c/a": {1}}


@pytest.mark.parametrize(
    ("key", "positions"),
    [
        ("GET x.io/collections/naip", (1,)),
        ("GET x.io/v1/collections/naip/items", (2, 3)),
        ("GET x.io/api/users", ()),
        ("GET x.io/users/{id}/repos", ()),
        ("GET x.io/", ()),
    ],
)
def test_slug_positions(key: str, positions: tuple[int, ...]) -> None:
    assert slug_positions(key) == positions
