"""The shape cache trusts nothing it reads: damaged, re-sealed, misplaced or non-regular
entries are misses (read again, rewritten), never a crash or a changed result; and the
cache is pruned by age and size."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core.census import SAMPLES, Census
from driftcheck.core.model import BodyKind, Interaction
from driftcheck.core.shape import ShapeBuilder, from_rows
from driftcheck.sources import cache_prune
from driftcheck.sources.cache import (
    MAX_ENTRY_BYTES,
    TOUCH_AFTER,
    cached,
    content_key,
    decode_run,
    entry_path,
    run_entry,
    seal,
    store,
    unseal,
)
from driftcheck.sources.cache_prune import MARKER, prune
from driftcheck.sources.scan import Scanned, Settings, scan
from tests.helpers import OKTA, REPORTS, TEAMS, json_values

SOURCES = [REPORTS, OKTA, TEAMS]
DAY = 86400.0


def _scan(paths: list[Path], cache: Path | None) -> Scanned:
    return scan(paths, Settings(workers=1, cache=cache))


@pytest.fixture
def dated(tmp_path: Path) -> list[Path]:
    """The real cassettes, one of them dated (Ruby VCR's `recorded_at`), so that a day
    is part of its pools' keys."""
    folder = tmp_path / "cassettes"
    folder.mkdir()
    paths = [folder / source.name for source in SOURCES]
    for source, path in zip(SOURCES, paths, strict=True):
        shutil.copyfile(source, path)
    text = TEAMS.read_text().replace(
        "- request:", "- recorded_at: '2024-03-05T10:00:00Z'\n  request:"
    )
    paths[2].write_text(text)
    return paths


def _recorded(method: str, uri: str, status: int, body: str, stamp: str = "") -> str:
    """One vcrpy interaction; `body` a JSON-quoted string, `stamp` Ruby VCR's date."""
    kind = "text/html" if body.startswith('"<') else "application/json"
    when = f"- recorded_at: '{stamp}'\n  " if stamp else "- "
    return (
        f"{when}request: {{body: null, headers: {{}}, method: {method}, uri: '{uri}'}}\n"
        f"  response:\n    body: {{string: {body}}}\n"
        f"    headers: {{Content-Type: [{kind}]}}\n    status: {{code: {status}}}\n"
    )


def _graphql(operation: str) -> str:
    query = json.dumps(json.dumps({"query": f"query {operation} {{ a }}"}))
    return (
        f"- request: {{body: {query}, headers: {{}}, method: POST, "
        "uri: 'https://api.example.com/graphql'}\n"
        f'  response:\n    body: {{string: \'{{"data": {{"a": 1}}}}\'}}\n'
        "    headers: {Content-Type: [application/json]}\n    status: {code: 200}\n"
    )


USERS = "https://api.example.com/users"
BROKEN = "'{\"id\": '"  # a JSON body cut short: an interaction with a note
MIXED = "interactions:\n" + "".join([
    _recorded("GET", f"{USERS}/1", 200, '\'{"id": 1}\'', "2024-05-01T09:00:00Z"),
    _recorded("GET", f"{USERS}/2", 200, '\'{"id": 2}\'', "2024-05-02T09:00:00Z"),
    _recorded("GET", f"{USERS}/3", 404, '\'{"error": "gone"}\''),
    _recorded("GET", f"{USERS}/4", 200, BROKEN),
    _recorded("GET", f"{USERS}/5", 500, '"<html>oops</html>"'),
    _recorded("GET", f"{USERS}/6", 200, BROKEN),
    _recorded("GET", "https://api.example.com/sets/naip", 200, '\'{"id": "naip"}\''),
    _recorded("GET", "https://api.example.com/sets/naip", 200, BROKEN),
    _recorded("DELETE", f"{USERS}/7", 204, "''"),
    _graphql("Viewer"),
    _graphql("Repo"),
]) + "version: 1\n"  # fmt: skip
"""A cassette with what the real ones lack: statuses, URLs and notes of one endpoint,
bodies skipped, segments echoed, GraphQL operations, dated and undated interactions."""


@pytest.fixture
def varied(dated: list[Path]) -> list[Path]:
    """The dated cassettes, `MIXED` twice (so endpoints span files), dated and not, and a
    file that is no cassette (an error)."""
    folder = dated[0].parent
    more = [folder / "mixed_a.yaml", folder / "mixed_b.yaml", folder / "not_a_cassette.yaml"]
    more[0].write_text(MIXED)
    more[1].write_text(MIXED.replace("- recorded_at: ", "- dated: "))
    more[2].write_text("interactions: 3\n")
    return [*dated, *more]


def _entries(cache: Path) -> dict[Path, bytes]:
    return {entry: entry.read_bytes() for entry in sorted(cache.rglob("*.json"))}


def _body(entry: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(unseal(entry.stem, entry.read_bytes()))
    return data


def _is_run(entry: Path) -> bool:
    return "census" in _body(entry)


def test_entries_are_sealed_with_their_key(dated: list[Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _scan(dated, cache)
    for entry, data in _entries(cache).items():
        assert json.loads(data)["key"] == entry.stem
        body = unseal(entry.stem, data)
        assert seal(entry.stem, body) == data
        with pytest.raises(ValueError, match="not sealed"):
            unseal("0" * 64, data)  # an entry copied under another key


@settings(max_examples=60, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=5), st.sampled_from(["", "2024-03-05"]))
def test_what_the_cache_writes_it_reads_back(values: list[Any], day: str) -> None:
    """The checks refuse nothing a scan writes (else every run would miss): shapes of any
    JSON, in a batch's entry. (`test_census_codec.py` tries every kind of census.)"""
    stamp = 1709632800.0 if day else None
    interactions = [
        Interaction("GET", "https://x.io/a/b", 200, "application/json", BodyKind.JSON,
                    index=n, line=n and 10 * n, recorded_at=stamp, echoed=(1,))
        for n in range(len(values))
    ]  # fmt: skip
    builder = ShapeBuilder()
    builder.add_values(values)
    pool_key = ("GET x.io/a/b", 200, day)
    census = Census()
    census.add_file("a.yaml", [replace(i, source="a.yaml") for i in interactions], _key)
    census.add_file("b.yaml", [], _key, "not a cassette")
    run = decode_run(run_entry(census, {pool_key: builder.rows()}), ["a.yaml", "b.yaml"])
    assert run.census == census
    assert run.census.endpoints["GET x.io/a/b"].statuses[200].bodies == {day: len(values)}
    assert {key: from_rows(rows) for key, rows in run.rows.items()} == {pool_key: builder.build()}


def _key(interaction: Interaction) -> str:
    return "GET x.io/a/b"


def test_an_entry_of_emptied_lists_is_rebuilt(dated: list[Path], tmp_path: Path) -> None:
    """The issue's attack: entries rewritten as empty lists (valid JSON) made a report of
    drift into "no drift"."""
    cache = tmp_path / "cache"
    first = _scan(dated, cache)
    assert first.census.endpoints
    assert first.shapes
    written = _entries(cache)
    for entry in written:
        data = json.loads(entry.read_bytes())
        if not _is_run(entry):
            continue  # an alias, naming a batch's entry by its files' stat
        data["census"]["endpoints"] = []
        data["shapes"] = []
        entry.write_text(json.dumps(data))
    assert _scan(dated, cache) == first
    assert _entries(cache) == written


Body = dict[str, Any]
Damage = Callable[[Body], object]
Where = Callable[[Body, Body], object]


def _always(census: Body, tally: Body) -> bool:
    return True


def _tally(change: Callable[[Body, Body], object], where: Where = _always) -> Damage:
    """A damage to the first endpoint of an entry's census that `where` picks (given
    the census and the endpoint): each damage changes one place, so that one refused
    place cannot hide another that is not."""

    def damage(body: Body) -> None:
        census = body["census"]
        found = (tally for _, tally in census["endpoints"] if where(census, tally))
        tally = next(found, None)
        if tally is not None:
            change(census, tally)

    return damage


def _status(
    change: Callable[[list[Any]], object], where: Callable[[list[Any]], object] = bool
) -> Damage:
    """A damage to the first status (of any endpoint) that `where` picks."""
    return _tally(
        lambda _, tally: change(next(row for row in tally["statuses"] if where(row))),
        lambda _, tally: any(where(row) for row in tally["statuses"]),
    )


def _operation(
    change: Callable[[list[Any]], object], where: Callable[[list[Any]], object] = bool
) -> Damage:
    """A damage to the first operation (of any endpoint) that `where` picks."""
    return _tally(
        lambda _, tally: change(next(row for row in tally["operations"] if where(row))),
        lambda _, tally: any(where(row) for row in tally["operations"]),
    )


def _elsewhere(census: Body, tally: Body) -> int | None:
    """A file of the census that does not hold the endpoint, if any."""
    return next((p for p in range(len(census["paths"])) if p not in tally["files"]), None)


def _moved_elsewhere(change: Callable[[Body, int], object], where: Where = _always) -> Damage:
    """`change` given the first endpoint `where` picks and a file of the census that
    does not hold it (the first: before the endpoint's, so that order is kept)."""
    return _tally(
        lambda census, tally: change(tally, _elsewhere(census, tally) or 0),
        lambda census, tally: _elsewhere(census, tally) is not None and where(census, tally),
    )


def _root(change: Callable[[list[Any]], object]) -> Damage:
    """A damage to the root row of the first pool."""
    return lambda body: body["shapes"] and change(body["shapes"][0][3][0])


def _set(key: Any, value: Any) -> Callable[[Any], None]:
    return lambda row: row.__setitem__(key, value)


def _second_row(row: list[Any]) -> Damage:
    return lambda body: body["shapes"] and body["shapes"][0][3].insert(1, row)


def _status_renamed(old: int, new: int, *, pools: bool) -> Damage:
    """Status `old` renamed `new` in the census (its statuses and operations alike) and,
    with `pools`, in the pools."""

    def rename(pair: list[Any]) -> None:
        pair[0] = new if pair[0] == old else pair[0]

    def damage(body: Body) -> None:
        for _, tally in body["census"]["endpoints"]:
            for row in tally["statuses"]:
                rename(row)
            for operation in tally["operations"]:
                for pair in operation[4]:
                    rename(pair)
        for pool in body["shapes"] if pools else ():
            pool[1] = new if pool[1] == old else pool[1]

    return damage


def _day_renamed(old: str, new: str) -> Damage:
    """A recording day renamed in the census's bodies and in the pools alike."""

    def damage(body: Body) -> None:
        for _, tally in body["census"]["endpoints"]:
            for row in tally["statuses"]:
                row[4] = {new if day == old else day: count for day, count in row[4].items()}
        for pool in body["shapes"]:
            pool[2] = new if pool[2] == old else pool[2]

    return damage


def _one_more(row: list[Any], *, content_type: bool) -> None:
    """A status counting one interaction more (and, with `content_type`, its type)."""
    row[1] += 1
    if content_type:
        kind = next(iter(row[2]))
        row[2][kind] += 1


def _one_more_everywhere(census: Body, tally: Body) -> None:
    """One interaction more of the endpoint's first status, counted by the status and by
    the operation that has that status, on a URL it has: all counts agree, but the
    operation samples fewer interactions than it has, under the cap."""
    row = tally["statuses"][0]
    _one_more(row, content_type=True)
    operation = next(o for o in tally["operations"] if row[0] in dict(o[4]))
    operation[4] = [[status, count + (status == row[0])] for status, count in operation[4]]
    operation[1][0][1] += 1  # [URL, count, position, index]


def _url_dropped(operation: list[Any]) -> None:
    """One interaction's URL counted as dropped though the cap was not reached."""
    kept = operation[1][-1]  # [URL, count, position, index]
    kept[1] -= 1
    if not kept[1]:
        operation[1].pop()
    operation[2] += 1


def _notes(change: Callable[[list[Any]], object], at_least: int = 1) -> Damage:
    """A damage to the first status's notes that has `at_least` notes."""
    return _status(lambda row: change(row[6]), lambda row: len(row[6]) >= at_least)


def _sampled(change: Callable[[list[Any]], object], at_least: int = 1) -> Damage:
    """A damage to the samples of the first operation that samples all its
    interactions (fewer than the cap), at least `at_least` of them."""
    return _operation(
        lambda operation: change(operation[3]),
        lambda operation: at_least <= len(operation[3]) < SAMPLES,
    )


def _after(spot: list[Any], count: int) -> list[list[Any]]:
    """`count` spots (interactions, or notes) after `spot`, in its file, in order."""
    return [[spot[0], spot[1] + n, *spot[2:]] for n in range(1, count + 1)]


def _error_beside_interactions(body: Body) -> None:
    """An error for the first file of the first endpoint (a file with interactions)."""
    endpoints = body["census"]["endpoints"]
    if endpoints:
        body["census"]["errors"].append([endpoints[0][1]["files"][0], "not a cassette"])


def _stamp(change: Callable[[list[Any], int], object]) -> Damage:
    """`change` given the stamps and the first dated file's position, if a file is."""

    def damage(body: Body) -> None:
        stamps = body["census"]["stamps"]
        dated = [p for p, stamp in enumerate(stamps) if stamp is not None]
        if dated:
            change(stamps, dated[0])

    return damage


def _newest_later(census: Body, tally: Body) -> None:
    tally["newest"][0] = census["stamps"][tally["newest"][1]] + DAY


def _dated(census: Body, tally: Body) -> bool:
    return tally["newest"] is not None


def _echoing(census: Body, tally: Body) -> bool:
    return tally["echoed"] is not None


# What a writer to the cache could put in an entry, re-sealed under the right key: each
# is refused by the checks, so the files are read again. Each changes one place.
RESEALED: dict[str, Damage] = {
    # the entry and its census as a whole
    "a field too many": lambda body: body.update(extra=1),
    "a field too many in the census": lambda body: body["census"].update(extra=1),
    "another run's files": lambda body: body["census"]["paths"].reverse(),
    "a file more": lambda body: (
        body["census"]["paths"].append("more.yaml"),
        body["census"]["stamps"].append(None),
    ),
    "a file's date gone": lambda body: body["census"]["stamps"].pop(),
    # errors
    "an error of no text": lambda body: body["census"].update(errors=[[0, 3]]),
    "an error past the last file": lambda body: body["census"]["errors"].append(
        [len(body["census"]["paths"]), "not a cassette"]
    ),
    "an error listed twice": lambda body: body["census"].update(errors=[[0, "x"], [0, "x"]]),
    "an error beside interactions": _error_beside_interactions,
    # dates
    "a date past any calendar": _stamp(lambda stamps, p: stamps.__setitem__(p, 1e300)),
    "a date that is a boolean": _stamp(lambda stamps, p: stamps.__setitem__(p, True)),
    "a date of another day": _stamp(lambda stamps, p: stamps.__setitem__(p, DAY * 400)),
    "a dated file's date dropped": _stamp(lambda stamps, p: stamps.__setitem__(p, None)),
    # endpoints
    "endpoints gone, pools kept": lambda body: body["census"]["endpoints"].clear(),
    "pools gone, endpoints kept": lambda body: body["shapes"].clear(),
    "an endpoint listed twice": lambda body: body["census"]["endpoints"].extend(
        body["census"]["endpoints"][:1]
    ),
    "an endpoint of no name": lambda body: [
        named.__setitem__(0, "") for named in body["census"]["endpoints"][:1]
    ],
    "a field too many in an endpoint": _tally(lambda _, tally: tally.update(extra=1)),
    "a field missing in an endpoint": _tally(lambda _, tally: tally.pop("newest")),
    # statuses and their counts
    "a status listed twice": _tally(
        lambda _, tally: tally["statuses"].append(json.loads(json.dumps(tally["statuses"][0])))
    ),
    "a status that is a boolean": _status(_set(0, True)),
    "a status other than the pool's": _status_renamed(200, 599, pools=False),
    "a status no response has, pools alike": _status_renamed(404, 1000, pools=True),
    "a status's counts cut short": _status(lambda row: row.pop()),
    "an interaction its content types lack": _status(
        lambda row: _one_more(row, content_type=False)
    ),
    "an interaction its operations lack": _status(lambda row: _one_more(row, content_type=True)),
    "an interaction more, counted everywhere but in samples": _tally(_one_more_everywhere),
    "a content type counted no times": _status(lambda row: row[2].update({"x/y": 0})),
    "a skipped body that is JSON": _status(
        lambda row: row.__setitem__(3, {"json": row[3].pop("unreadable")}),
        lambda row: "unreadable" in row[3],
    ),
    "more bodies skipped than interactions": _status(lambda row: row[3].update(html=row[1] + 1)),
    # days
    "a recording day that is no date": _day_renamed("2024-05-02", "2024-13-02"),
    "a recording day of no file, pools alike": _day_renamed("2024-05-02", "2024-05-03"),
    # first interactions
    "a first interaction at a negative line": _status(lambda row: row[5].__setitem__(2, -3)),
    "a first interaction of no file": _status(_set(5, [-1, 0, 0])),
    "a first interaction in a file without the endpoint": _moved_elsewhere(
        lambda tally, p: tally["statuses"][0][5].__setitem__(0, p)
    ),
    "a first interaction that is not its status's first": _status(
        lambda row: row[5].__setitem__(1, row[5][1] + 100)
    ),
    "a later status's first interaction that is not its first": _tally(
        lambda _, tally: tally["statuses"][-1][5].__setitem__(1, tally["statuses"][-1][5][1] + 100),
        lambda _, tally: len(tally["statuses"]) > 1,
    ),
    # notes
    "notes out of order": _notes(lambda notes: notes.reverse(), at_least=2),
    "a note listed twice": _notes(lambda notes: notes.append(notes[-1])),
    "a note of no text": _notes(lambda notes: notes[0].__setitem__(2, 3)),
    "a note in a file without the endpoint": _moved_elsewhere(
        lambda tally, p: next(row[6] for row in tally["statuses"] if row[6])[0].__setitem__(0, p),
        lambda _, tally: any(row[6] for row in tally["statuses"]),
    ),
    "more notes than interactions": _notes(lambda notes: notes.extend(_after(notes[-1], 20))),
    # operations, their URLs and samples
    "an operation gone": _tally(
        lambda _, tally: tally["operations"].pop(),
        lambda _, tally: len(tally["operations"]) > 1,
    ),
    "an operation listed twice": _tally(
        lambda _, tally: tally["operations"].append(tally["operations"][0])
    ),
    "an operation of another status": _operation(lambda row: row[4][0].__setitem__(0, 599)),
    "an operation's status that is a boolean": _operation(
        lambda row: row[4][0].__setitem__(0, True)
    ),
    "a URL counted once more": _operation(lambda row: row[1][0].__setitem__(1, row[1][0][1] + 1)),
    "a URL dropped below the cap": _operation(_url_dropped),
    "a URL that is no URL": _operation(lambda row: row[1][0].__setitem__(0, "")),
    "URLs out of order": _operation(lambda row: row[1].reverse(), lambda row: len(row[1]) > 1),
    "a URL first met in a file without the endpoint": _moved_elsewhere(
        lambda tally, p: tally["operations"][0][1][0].__setitem__(2, p)
    ),
    "a URL first met where the operation has no interaction": _operation(
        lambda row: row[1][-1].__setitem__(3, row[1][-1][3] + 1000)
    ),
    "samples out of order": _sampled(lambda sampled: sampled.reverse(), at_least=2),
    "a sample listed twice": _sampled(lambda sampled: sampled.append(sampled[-1])),
    "a sample missing": _sampled(lambda sampled: sampled.pop()),
    "too many samples": _operation(lambda row: row[3].extend(_after(row[3][-1], SAMPLES))),
    "a sample in a file without the endpoint": _moved_elsewhere(
        lambda tally, p: tally["operations"][0][3][0].__setitem__(0, p)
    ),
    # echoed segments
    "an echoed segment past the URL": _tally(lambda _, tally: tally.update(echoed=[40]), _echoing),
    "a negative echoed segment": _tally(lambda _, tally: tally.update(echoed=[-1])),
    "echoed segments out of order": _tally(lambda _, tally: tally.update(echoed=[1, 0])),
    "segments echoed by no 2xx JSON body": _tally(
        lambda _, tally: tally.update(echoed=[]), lambda c, tally: not _echoing(c, tally)
    ),
    "no segments echoed, of 2xx JSON bodies": _tally(
        lambda _, tally: tally.update(echoed=None), _echoing
    ),
    # files, undated files, newest dates
    "an endpoint in no file": _tally(lambda _, tally: tally.update(files=[], undated=[])),
    "files out of order": _tally(
        lambda _, tally: tally["files"].reverse(), lambda _, tally: len(tally["files"]) > 1
    ),
    "a file listed twice": _tally(lambda _, tally: tally["files"].append(tally["files"][-1])),
    "a file past the last": _tally(
        lambda census, tally: tally["files"].append(len(census["paths"]))
    ),
    "undated files not among its files": _moved_elsewhere(
        lambda tally, p: tally.update(undated=sorted([*tally["undated"], p]))
    ),
    "a dated file said undated": _tally(
        lambda _, tally: tally.update(undated=list(tally["files"])), _dated
    ),
    "an undated file said dated": _tally(
        lambda _, tally: tally.update(undated=[]),
        lambda c, tally: not _dated(c, tally) and tally["undated"],
    ),
    "a newest date of an undated file": _tally(
        lambda _, tally: tally.update(newest=[DAY * 400, tally["undated"][0]]),
        lambda _, tally: tally["undated"],
    ),
    "no newest date of dated files": _tally(lambda _, tally: tally.update(newest=None), _dated),
    "a newest date past any calendar": _tally(
        lambda _, tally: tally["newest"].__setitem__(0, 1e300), _dated
    ),
    "a newest date later than its file's": _tally(_newest_later, _dated),
    # pools
    "a root counting other bodies": _root(_set(2, {"object": 9})),
    "a root counting nothing": _root(_set(2, {"object": 0})),
    "a type that is no JSON type": _root(_set(2, {"tuple": 1})),
    "a negative count of empty arrays": _root(_set(3, -1)),
    "elements under no array": _second_row([0, None, {"string": 1}, 0, None]),
    "a parent after its child": _second_row([5, "a", {"string": 1}, 0, None]),
    "a pool listed twice": lambda body: body["shapes"].extend(body["shapes"][:1]),
    "a pool of another day": lambda body: [
        pool.__setitem__(2, "2020-01-01") for pool in body["shapes"][:1]
    ],
    "a pool of no endpoint": lambda body: [
        pool.__setitem__(0, pool[0] + "x") for pool in body["shapes"][:1]
    ],
}


# Why the damages the codec once accepted are refused now: each by the check it names.
REFUSALS = {
    "an error beside interactions": "a file that could not be read, with interactions",
    "a date of another day": "bodies of a day none of the endpoint's files was recorded on",
    "a dated file's date dropped": "bodies of a day none of the endpoint's files",
    "an interaction more, counted everywhere but in samples": "not the first interactions "
    "of an operation",
    "a recording day of no file, pools alike": "bodies of a day none of the endpoint's files",
    "a first interaction that is not its status's first": "a first interaction that is not "
    "the first",
    "a note listed twice": "notes out of order",
    "a URL that is no URL": "not a URL",
    "URLs out of order": "URLs out of order",
    "a URL first met in a file without the endpoint": "not an interaction of the endpoint",
    "a sample listed twice": "not the first interactions of an operation",
    "a sample missing": "not the first interactions of an operation",
    "an echoed segment past the URL": "a file position out of range",  # the segments' bound
    "segments echoed by no 2xx JSON body": "echoed segments of no 2xx JSON body",
    "no segments echoed, of 2xx JSON bodies": "echoed segments of no 2xx JSON body",
    "a newest date later than its file's": "a newest date later than its file's",
}
RESEALED_CASES = [
    pytest.param(
        damage,
        re.escape(REFUSALS.get(name, "")) or ".",  # else any message: the entry is a miss
        id=name,
    )
    for name, damage in RESEALED.items()
]


@pytest.mark.parametrize(("damage", "refusal"), RESEALED_CASES)
def test_a_resealed_entry_that_disagrees_with_itself_is_rebuilt(
    varied: list[Path], tmp_path: Path, damage: Damage, refusal: str
) -> None:
    """Each damage is refused where the entry is decoded, and a run over the damaged
    cache reads the files again: what a cold run gives, the entries written again."""
    cache = tmp_path / "cache"
    first = _scan(varied, cache)
    written = _entries(cache)
    changed = 0
    for entry in written:
        if not _is_run(entry):
            continue
        body = _body(entry)
        paths = list(body["census"]["paths"])
        damage(body)
        if body == _body(entry):
            continue  # nothing of this kind in this entry
        data = json.dumps(body).encode()
        with pytest.raises(ValueError, match=refusal):
            decode_run(data, paths)
        store(cache, entry.stem, data)
        changed += 1
    assert changed
    assert _scan(varied, cache) == first == _scan(varied, None)
    assert _entries(cache) == written


def test_the_varied_cassettes_have_what_the_damages_need(varied: list[Path]) -> None:
    """The varied cassettes give every kind of census value the damages above change
    (each damage must also change an entry: `changed` above)."""
    census = _scan(varied, None).census
    assert census.errors
    assert len({census.stamp(p) for p in range(len(census.paths))}) >= 3  # two days, none
    tallies = list(census.endpoints.values())
    statuses = [status for tally in tallies for status in tally.statuses.values()]
    assert any(len(status.notes) > 1 for status in statuses)
    assert any(status.skipped for status in statuses)
    assert any(len(tally.statuses) > 1 for tally in tallies)
    assert any(len(tally.operations) > 1 for tally in tallies)
    assert any(tally.echoed for tally in tallies)
    assert any(tally.echoed is None for tally in tallies)
    assert any(tally.newest is not None and tally.undated for tally in tallies)
    assert any(len(operation.uris) > 1 for t in tallies for operation in t.operations.values())


def test_an_entry_json_cannot_hold_is_not_stored(tmp_path: Path) -> None:
    """A status past 64 bits (which the cassette reader once let through) cannot be
    written as JSON: it crashed every run with a cache ("Integer exceeds 64-bit range");
    such an entry is now simply not written."""
    huge = Interaction("GET", "https://x.io/a", 10**23, "application/json", BodyKind.EMPTY)
    census = Census()
    census.add_file("a.yaml", [huge], _key)
    assert run_entry(census, {}) == b""
    store(tmp_path / "cache", "ab" * 32, b"")
    assert not (tmp_path / "cache").exists()


def _entry_of(dated: list[Path], cache: Path) -> tuple[Scanned, Path, bytes]:
    """A scan of one file with the cache, its entry and the entry's bytes."""
    first = _scan(dated[:1], cache)
    [entry] = list(cache.rglob("*.json"))
    return first, entry, entry.read_bytes()


def _a_directory(entry: Path) -> None:
    entry.unlink()
    (entry / "inside").mkdir(parents=True)


def _a_symlink_to_a_valid_entry(entry: Path) -> None:
    moved = entry.with_name("elsewhere")
    entry.rename(moved)
    entry.symlink_to(moved)


def _a_huge_file(entry: Path) -> None:
    with entry.open("r+b") as stream:
        stream.truncate(MAX_ENTRY_BYTES + 1)  # sparse: costs no disk


def _shard_a_symlink(entry: Path) -> None:
    moved = entry.parent.with_name("moved")
    entry.parent.rename(moved)
    entry.parent.symlink_to(moved, target_is_directory=True)


def _shard_a_file(entry: Path) -> None:
    shutil.rmtree(entry.parent)
    entry.parent.write_text("not a folder")


IN_THE_WAY: dict[str, Callable[[Path], object]] = {
    "a directory where the entry goes": _a_directory,
    "a symlink to a valid entry": _a_symlink_to_a_valid_entry,
    "a file past the size cap": _a_huge_file,
    "a truncated entry": lambda entry: entry.write_bytes(entry.read_bytes()[:-40]),
    "an entry ending in a flipped bit": lambda entry: entry.write_bytes(
        entry.read_bytes().replace(b'"}', b'"]')
    ),
    "its folder a symlink": _shard_a_symlink,
    "its folder a file": _shard_a_file,
}


@pytest.mark.parametrize("damage", IN_THE_WAY.values(), ids=list(IN_THE_WAY))
def test_what_is_no_sealed_regular_entry_is_a_miss_and_replaced(
    dated: list[Path], tmp_path: Path, damage: Callable[[Path], object]
) -> None:
    cache = tmp_path / "cache"
    first, entry, data = _entry_of(dated, cache)
    damage(entry)
    assert cached(cache, entry.stem, lambda body: body) is None
    assert _scan(dated[:1], cache) == first
    assert entry.parent.is_dir()
    assert not entry.parent.is_symlink()
    assert not entry.is_symlink()
    assert entry.read_bytes() == data


def test_a_used_entry_is_touched_so_that_pruning_keeps_it(
    dated: list[Path], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first, entry, data = _entry_of(dated, cache)
    recent = time.time_ns() - int(TOUCH_AFTER / 2 * 1e9)
    os.utime(entry, ns=(recent, recent))
    assert _scan(dated[:1], cache) == first
    assert entry.stat().st_mtime_ns == recent  # used within the hour: not written again
    old = time.time_ns() - int(40 * DAY * 1e9)
    os.utime(entry, ns=(old, old))
    assert _scan(dated[:1], cache) == first
    assert entry.stat().st_mtime_ns > recent
    prune(cache)
    assert entry.read_bytes() == data


def _fill(cache: Path, count: int, age_days: float, size: int = 100) -> list[Path]:
    """`count` entries of `size` bytes, last used `age_days` ago."""
    made = []
    for n in range(count):
        path = entry_path(cache, content_key(f"{age_days} {n}".encode()))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)
        stamp = time.time() - age_days * DAY - n
        os.utime(path, (stamp, stamp))
        made.append(path)
    return made


def test_pruning_removes_entries_unused_for_the_age_limit(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    old, recent = _fill(cache, 5, 31), _fill(cache, 5, 2)
    prune(cache)
    assert [path.exists() for path in old] == [False] * 5
    assert [path.exists() for path in recent] == [True] * 5


def test_pruning_keeps_the_folder_under_its_budget_least_recently_used_first(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    newer, older = _fill(cache, 3, 1, size=1000), _fill(cache, 3, 5, size=1000)
    prune(cache, max_bytes=4500)
    assert [path.exists() for path in newer + older] == [True] * 4 + [False] * 2


def test_pruning_touches_only_what_the_cache_writes(tmp_path: Path) -> None:
    """A cache folder set to a wrong place loses nothing else, however old."""
    cache = tmp_path / "cache"
    [entry] = _fill(cache, 1, 90)
    others = [cache / "notes.json", entry.parent / "notes.txt", cache / "zz" / (entry.name)]
    stale = entry.with_name(f".{entry.name}.123.0badcafe.tmp")
    fresh = entry.with_name(f".{entry.name}.124.0badcafe.tmp")
    for path in [*others, stale, fresh]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("kept")
    for path in [*others, stale, entry]:
        os.utime(path, (time.time() - 90 * DAY, time.time() - 90 * DAY))
    prune(cache, max_bytes=0)
    assert [path.exists() for path in [*others, fresh]] == [True] * 4
    assert not entry.exists()
    assert not stale.exists()  # left by a writer killed mid-write


def test_pruning_removes_entries_that_can_never_be_read(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    [fifo, link, huge] = _fill(cache, 3, 0)
    fifo.unlink()
    os.mkfifo(fifo)
    link.unlink()
    link.symlink_to(huge)
    os.truncate(huge, MAX_ENTRY_BYTES + 1)
    prune(cache)
    assert [path.exists() or path.is_symlink() for path in (fifo, link, huge)] == [False] * 3


def test_a_folder_is_pruned_at_most_once_in_a_while(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    prune(cache)  # no folder yet: nothing to do, nothing raised
    assert not cache.exists()
    _fill(cache, 1, 0)
    prune(cache)
    assert (cache / MARKER).is_file()
    old = _fill(cache, 2, 60)
    prune(cache)
    assert [path.exists() for path in old] == [True, True]  # pruned a moment ago
    pruned = time.time() - cache_prune.EVERY - 1
    os.utime(cache / MARKER, (pruned, pruned))
    prune(cache)
    assert [path.exists() for path in old] == [False, False]


def test_an_entry_pruned_under_a_run_is_a_miss(dated: list[Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _scan(dated, cache)
    written = _entries(cache)
    prune(cache, max_bytes=0, every=0)  # another run's prune, between two of this one's
    assert list(cache.rglob("*.json")) == []
    assert _scan(dated, cache) == first
    assert _entries(cache) == written


def _in_subprocess(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )


def test_a_fifo_entry_is_a_miss_not_a_hang(dated: list[Path], tmp_path: Path) -> None:
    """Opened without blocking and without following symlinks; the child process has a
    timeout, so a hang fails the test rather than hanging it."""
    cache = tmp_path / "cache"
    first, entry, data = _entry_of(dated, cache)
    entry.unlink()
    os.mkfifo(tmp_path / "fifo")
    entry.symlink_to(tmp_path / "fifo")
    same = (
        "from pathlib import Path\n"
        "from driftcheck.sources.scan import Settings, scan\n"
        f"paths = [Path({str(dated[0])!r})]\n"
        f"print(scan(paths, Settings(workers=1, cache=Path({str(cache)!r}))) == "
        "scan(paths, Settings(workers=1)))\n"
    )
    assert _in_subprocess(same).stdout == "True\n"
    assert entry.read_bytes() == data
    entry.unlink()
    os.mkfifo(entry)
    assert _in_subprocess(same).stdout == "True\n"
    assert entry.read_bytes() == data
    assert _scan(dated[:1], cache) == first


def test_a_fifo_among_the_cassettes_does_not_hang_a_cached_scan(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    code = (
        "from pathlib import Path\n"
        "from driftcheck.sources.scan import Settings, scan\n"
        f"paths = [Path({str(TEAMS)!r}), Path({str(tmp_path / 'pipe.yaml')!r})]\n"
        f"read = scan(paths, Settings(workers=1, cache=Path({str(tmp_path / 'cache')!r})))\n"
        "print([error.message[:40] for error in read.errors])\n"
    )
    assert _in_subprocess(code).stdout == "['a FIFO (named pipe), not a regular file:']\n"


def test_a_file_name_that_is_not_utf8_is_read_with_the_cache_as_without(tmp_path: Path) -> None:
    """`x\\xff.yaml` reaches Python as `x\\udcff.yaml`: the run key hashes the name's bytes."""
    source = Path(__file__).parent.parent.parent / "cassettes" / "users.yaml"
    folder = tmp_path / "c"
    folder.mkdir()
    paths = [folder / "ok.yaml", folder / os.fsdecode(b"x\xff.yaml")]
    for path in paths:
        shutil.copyfile(source, path)
    cache = tmp_path / "cache"
    plain = scan(paths, Settings(workers=1))
    assert scan(paths, Settings(workers=1, cache=cache)) == plain
    assert scan(paths, Settings(workers=1, cache=cache)) == plain  # warm
    assert not plain.errors
