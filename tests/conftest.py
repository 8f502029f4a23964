"""Shared helpers: paths to curated cassettes and a way to make drifted copies of them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest_plugins = ["pytester"]

DATA = Path(__file__).parent / "data"
CASSETTES = DATA / "cassettes"

Mutation = Callable[[Any], Any]


def rewrite_cassette(
    source: Path, target: Path, mutate: Mutation, *, flow_style: bool = False
) -> None:
    """Copy a real cassette, passing each JSON response body through `mutate`."""
    document = yaml.safe_load(source.read_text())
    for interaction in document["interactions"]:
        body = interaction["response"]["body"]
        try:
            value = json.loads(body["string"])
        except (TypeError, ValueError):
            continue
        body["string"] = json.dumps(mutate(value))
    target.write_text(
        yaml.safe_dump(document, default_flow_style=flow_style, sort_keys=False, width=200)
    )


@pytest.fixture
def data_dir() -> Path:
    return CASSETTES
