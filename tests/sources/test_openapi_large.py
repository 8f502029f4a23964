"""A vendor-sized spec (about 10 MB: thousands of components referencing each other, in
cycles) reads in one pass: each shared component normalised once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from driftcheck import jsonio
from driftcheck.sources.openapi import load_spec
from driftcheck.sources.yamlsafe import dump

COUNT = 3000


def large_spec() -> dict[str, Any]:
    """COUNT components, each naming the next (a cycle through all of them) and another
    one as an Optional, and one operation per component."""
    schemas = {}
    for i in range(COUNT):
        properties: dict[str, Any] = {
            f"f{j}": {"type": "string" if j % 2 else "integer", "description": "x" * 40}
            for j in range(18)
        }
        properties["next"] = {"$ref": f"#/components/schemas/S{(i + 1) % COUNT}"}
        properties["maybe"] = {
            "anyOf": [{"$ref": f"#/components/schemas/S{(i * 7) % COUNT}"}, {"type": "null"}]
        }
        schemas[f"S{i}"] = {"type": "object", "properties": properties, "required": ["f1"]}
    paths = {
        f"/things{i}/{{id}}": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/S{i}"}}
                        },
                    }
                }
            }
        }
        for i in range(COUNT)
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "large", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["json", "yaml"])
def test_a_large_spec_reads_each_component_once(tmp_path: Path, kind: str) -> None:
    document = large_spec()
    path = tmp_path / f"openapi.{kind}"
    path.write_text(jsonio.dumps_indented(document) if kind == "json" else dump(document))
    assert path.stat().st_size > 5_000_000
    spec = load_spec(path)
    assert len(spec.operations) == COUNT
    nodes = [op.responses["200"].schema for op in spec.operations]
    assert all(node is not None and node.required == {"f1"} for node in nodes)
    first = nodes[0]
    assert first is not None
    following = first.properties["next"]
    assert following is nodes[1]  # the component shared, not normalised again
    assert following.location.line > 0
