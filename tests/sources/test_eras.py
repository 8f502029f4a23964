"""Shapes pooled per recording day: a file dated by the newest date in it (a Date header,
Ruby VCR's `recorded_at`), files of no date undated, days kept apart across runs of files
and through the cache, and what `group` makes of them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from driftcheck.core.endpoints import group, grouped
from driftcheck.core.shape import infer_all
from driftcheck.sources.cache import decode_run, store, unseal
from driftcheck.sources.cassettes import load_all
from driftcheck.sources.scan import Scanned, Settings, scan

API = "https://api.example.com"
NAME = "GET api.example.com/users/{id}"
OLD = "Mon, 15 Jun 2015 10:00:00 GMT"
NEW = "Thu, 01 Feb 2024 10:00:00 GMT"


def cassette(path: Path, *exchanges: tuple[int, Any, str | None]) -> Path:
    """A vcrpy cassette (JSON serializer) of GET /users/{n}: (n, body, Date header)."""
    interactions = [
        {
            "request": {"method": "GET", "uri": f"{API}/users/{n}", "body": None, "headers": {}},
            "response": {
                "status": {"code": 200, "message": "OK"},
                "headers": {
                    "Content-Type": ["application/json"],
                    **({"Date": [date]} if date else {}),
                },
                "body": {"string": json.dumps(body)},
            },
        }
        for n, body, date in exchanges
    ]
    path.write_text(json.dumps({"interactions": interactions, "version": 1}))
    return path


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    return [
        cassette(tmp_path / "a.json", (1, {"id": 1, "beta": True}, OLD)),
        cassette(tmp_path / "b.json", (2, {"id": 2}, OLD), (3, {"id": 3, "email": "x"}, NEW)),
        cassette(tmp_path / "c.json", (4, {"id": 4, "email": None}, None)),
        cassette(tmp_path / "d.json", (5, {"id": 5, "email": "y"}, NEW)),
    ]


def test_a_file_is_pooled_on_the_day_of_its_newest_date(files: list[Path]) -> None:
    scanned = scan(files, Settings(workers=1))
    assert sorted(scanned.shapes) == [
        (NAME, 200, ""),
        (NAME, 200, "2015-06-15"),
        (NAME, 200, "2024-02-01"),  # b.json's 2015 body too: a file has one day
    ]
    assert scanned.shapes[NAME, 200, "2024-02-01"] == infer_all(
        [{"id": 2}, {"id": 3, "email": "x"}, {"id": 5, "email": "y"}]
    )


def test_grouped_eras_are_those_of_bodies_inferred_one_by_one(files: list[Path]) -> None:
    scanned = scan(files, Settings(workers=1))
    pooled = grouped(scanned.census, scanned.shapes)
    assert pooled == group(load_all(files)[0])
    shape = pooled.endpoints[NAME][200]
    assert [day for day, _ in shape.eras] == ["", "2015-06-15", "2024-02-01"]
    assert shape.shape is not None
    assert shape.shape.count == shape.samples == 5


def test_undated_files_make_no_eras(tmp_path: Path) -> None:
    paths = [cassette(tmp_path / f"{n}.json", (n, {"id": n}, None)) for n in range(3)]
    scanned = scan(paths, Settings(workers=1))
    assert list(scanned.shapes) == [(NAME, 200, "")]
    assert grouped(scanned.census, scanned.shapes).endpoints[NAME][200].eras == ()


def test_days_stay_apart_across_runs_of_files(tmp_path: Path) -> None:
    """Eight files or more go to the process pool, in runs pooled apart then joined."""
    paths = [
        cassette(tmp_path / f"{n:02}.json", (n, {"id": n, f"k{n % 3}": 1}, [OLD, NEW, None][n % 3]))
        for n in range(12)
    ]
    alone = scan(paths, Settings(workers=1))
    assert scan(paths, Settings(workers=2)) == alone
    assert sorted(day for _, _, day in alone.shapes) == ["", "2015-06-15", "2024-02-01"]


def _entries(cache: Path) -> list[dict[str, Any]]:
    return [json.loads(entry.read_bytes()) for entry in sorted(cache.rglob("*.json"))]


def _pool_keys(entry: dict[str, Any]) -> list[list[Any]]:
    return sorted(pool[:3] for pool in entry.get("shapes", []))


def test_the_cache_keeps_each_pool_s_day(files: list[Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = scan(files, Settings(workers=1, cache=cache))
    assert cold == scan(files, Settings(workers=1))
    keys = {tuple(key) for entry in _entries(cache) for key in _pool_keys(entry)}
    assert keys == {(NAME, 200, ""), (NAME, 200, "2015-06-15"), (NAME, 200, "2024-02-01")}
    warm = scan(files, Settings(workers=1, cache=cache))
    assert warm == cold
    assert grouped(warm.census, warm.shapes) == grouped(cold.census, cold.shapes)
    assert grouped(warm.census, warm.shapes) == group(load_all(files)[0])
    counted = warm.census.endpoints[NAME].statuses[200]  # the census keeps the days too
    assert counted.bodies == {"2015-06-15": 1, "2024-02-01": 3, "": 1}


def _pools_on(day: Any) -> Callable[[dict[str, Any]], None]:
    def damage(body: dict[str, Any]) -> None:
        body["shapes"] = [[name, status, day, rows] for name, status, _, rows in body["shapes"]]

    return damage


def _bodies_on(day: Any) -> Callable[[dict[str, Any]], None]:
    """The census's JSON bodies counted on `day` (a JSON key: always text)."""

    def damage(body: dict[str, Any]) -> None:
        for _, tally in body["census"]["endpoints"]:
            for row in tally["statuses"]:
                row[4] = {json.dumps(day) if not isinstance(day, str) else day: row[1]}

    return damage


@pytest.mark.parametrize(
    ("where", "refusal"),
    [(_pools_on, "recording day|isoformat"), (_bodies_on, "bodies that do not count")],
    ids=["pools", "census"],
)
@pytest.mark.parametrize("day", [20150615, "20150615", "yesterday!", None])
def test_an_entry_whose_day_is_no_day_is_rebuilt(
    files: list[Path],
    tmp_path: Path,
    day: Any,
    where: Callable[[Any], Callable[..., None]],
    refusal: str,
) -> None:
    """Re-sealed under its key, so that the check of its days is what refuses it."""
    cache = tmp_path / "cache"
    first = scan(files, Settings(workers=1, cache=cache))
    written = {entry: entry.read_bytes() for entry in cache.rglob("*.json")}
    changed = 0
    for entry in written:
        body = json.loads(unseal(entry.stem, entry.read_bytes()))
        if "shapes" not in body:
            continue  # an alias, naming a batch's entry by its files' stat
        where(day)(body)
        damaged = json.dumps(body).encode()
        with pytest.raises(ValueError, match=refusal):  # refused by the check of days
            decode_run(damaged, body["census"]["paths"])
        store(cache, entry.stem, damaged)
        changed += entry.read_bytes() != written[entry]
    assert changed
    again: Scanned = scan(files, Settings(workers=1, cache=cache))
    assert again == first
    assert {entry: entry.read_bytes() for entry in cache.rglob("*.json")} == written
