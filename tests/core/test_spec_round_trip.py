"""The round trip through real files: recordings exported as OpenAPI (`driftcheck schema`'s
writer), the document read back by the spec loader, and the spec rules run on the very
same recordings: nothing to report."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftcheck.core.model import EndpointSet, Finding, Location, StatusShape
from driftcheck.core.openapi_export import openapi
from driftcheck.core.shape import infer_all
from driftcheck.core.spec_model import Route
from driftcheck.core.spec_rules import spec_findings
from driftcheck.sources.openapi import load_spec

USERS = "GET api.example.com/users/{id}"
ORDERS = "POST 127.0.0.1:8080/orders"


def recorded(**statuses: list[Any]) -> dict[int, StatusShape]:
    shapes = {}
    for status, bodies in statuses.items():
        node = infer_all(bodies)
        where = Location(f"cassettes/{status}.yaml", 4)
        shapes[int(status[1:])] = StatusShape(
            len(bodies), {"application/json": 1}, node, location=where
        )
    return shapes


def round_trip(endpoints: EndpointSet, folder: Path) -> list[Finding]:
    routes = {name: Route.of_key(name) for name in endpoints.endpoints}
    path = folder / "openapi.json"
    path.write_text(json.dumps(openapi(endpoints, routes)), encoding="utf-8")
    return spec_findings(load_spec(path), routes, endpoints)


def test_an_exported_spec_read_back_finds_nothing(tmp_path: Path) -> None:
    owners = [{"type": "user", "name": "a"}, {"type": "org", "title": "t"}, {"name": "n"}]
    users = [
        {"id": n, "status": ("active", "inactive")[n % 2], "email": None if n % 3 else "e@x.y",
         "owner": owners[n % 3], "tags": [] if n % 4 else ["x", None],
         "files": {f"f{n}-{k}.png": {"href": f"/{k}", "size": k} for k in range(6)}}
        for n in range(18)
    ]  # fmt: skip
    endpoints = EndpointSet(
        {
            USERS: recorded(s200=users, s404=[{"error": "not found", "code": 404}]),
            ORDERS: recorded(s201=[{"id": "o1", "items": [{"sku": "a", "qty": 1.5}]}]),
        }
    )
    assert endpoints.endpoints[USERS][200].shape.keys["files"].values is not None  # type: ignore[union-attr]
    assert round_trip(endpoints, tmp_path) == []


def test_the_round_trip_still_finds_what_others_record(tmp_path: Path) -> None:
    """The same spec against other recordings: the check is not vacuous."""
    before = EndpointSet({USERS: recorded(s200=[{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])})
    routes = {USERS: Route.of_key(USERS)}
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(openapi(before, routes)), encoding="utf-8")
    after = EndpointSet({USERS: recorded(s200=[{"id": "1"}, {"id": 2, "name": None, "x": 1}])})
    found = spec_findings(load_spec(path), routes, after)
    assert [(f.rule.value, f.path) for f in found] == [
        ("spec-type-mismatch", "$.id"),
        ("spec-required-missing", "$.name"),
        ("spec-null-undeclared", "$.name"),
        ("spec-field-undocumented", "$.x"),
    ]
    assert all(f.spec_location and f.spec_location.file.endswith("openapi.json") for f in found)


_KEYS = st.sampled_from(["id", "type", "kind", "status", "name", "a", "b"])
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["user", "org", "active", "x y", ""])
)
_BODIES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_BODIES, min_size=1, max_size=6), st.lists(_BODIES, min_size=1, max_size=3))
def test_any_recordings_meet_the_spec_exported_from_them(
    first: list[Any], second: list[Any]
) -> None:
    endpoints = EndpointSet({USERS: recorded(s200=first), ORDERS: recorded(s200=second)})
    with tempfile.TemporaryDirectory() as folder:
        assert round_trip(endpoints, Path(folder)) == []
