"""A pool scan holds its files' names compact: one table per side, runs sent by range."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from driftcheck.core.file_names import FileNames, Stretch
from driftcheck.sources import scan as scan_module
from driftcheck.sources.scan import Settings, scan_sides

CASSETTE = """interactions:
- request:
    body: null
    headers: {{}}
    method: GET
    uri: https://api.example.com/v1/{resource}/{number}
  response:
    body:
      string: '{{"id": {number}, "name": "n{number}", "tags": ["a"]}}'
    headers:
      Content-Type:
      - application/json
    status:
      code: 200
      message: OK
version: 1
"""


def _corpus(root: Path, files: int = 12) -> list[str]:
    """Per-test cassettes in a few folders, in the order discovery gives them."""
    paths = []
    for number in range(files):
        folder = root / f"test_module_{number % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"test_case_{number:02}.yaml"
        path.write_text(CASSETTE.format(resource=f"r{number % 2}", number=number))
        paths.append(str(path))
    return sorted(paths)


def test_a_side_is_named_once_and_its_runs_by_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = _corpus(tmp_path / "old"), _corpus(tmp_path / "new")
    sent: list[object] = []
    real_chunks = scan_module._chunks

    def chunks(paths: FileNames, count: int, *more: list[int]) -> list[Sequence[str]]:
        found = real_chunks(paths, count, *more)
        sent.extend(found)
        return found

    monkeypatch.setattr(scan_module, "_chunks", chunks)
    sides = [FileNames(old), FileNames(new)]
    pooled = scan_sides(sides, Settings(workers=2))
    alone = scan_sides([old, new], Settings(workers=1))
    assert sent
    assert all(isinstance(run, Stretch) for run in sent)
    assert [pooled[0].census.paths, pooled[1].census.paths] == [old, new]
    assert pooled[0].census.paths is sides[0]  # the side's own table: no name copied
    assert [side.census for side in pooled] == [side.census for side in alone]
    assert [side.shapes for side in pooled] == [side.shapes for side in alone]


def test_names_given_as_a_list_are_sent_as_the_same_strings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caller holding its names as `str`s: runs are slices of them, no name is made
    again (a second set of strings would double what the names cost)."""
    files = _corpus(tmp_path / "cassettes")
    sent: list[object] = []
    real_chunks = scan_module._chunks

    def chunks(paths: list[str], count: int, *more: list[int]) -> list[Sequence[str]]:
        found = real_chunks(paths, count, *more)
        sent.extend(found)
        return found

    monkeypatch.setattr(scan_module, "_chunks", chunks)
    (scanned,) = scan_sides([[Path(p) for p in files]], Settings(workers=2))
    assert scanned.paths == files
    assert all(type(run) is list for run in sent)
    named = {id(name) for name in scanned.paths}
    assert all(id(name) in named for run in sent for name in run)  # type: ignore[attr-defined]
    odd = [p for p in files if int(Path(p).stem[-2:]) % 2]
    assert scanned.census.files_of("GET api.example.com/v1/r1/{id}") == odd
