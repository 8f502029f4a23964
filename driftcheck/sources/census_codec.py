"""A census (`core/census.py`) as cache JSON, and read back checked whole.

An entry may come from shared CI storage and be hand-edited and re-sealed: every count,
position and date is checked as it is decoded, so that no entry can crash a run or hold
a census that its own files could not have given. A failure is a ValueError: a miss.
"""

from __future__ import annotations

import datetime
import itertools
from array import array
from collections import Counter
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from driftcheck.core.census import NO_DATE, SAMPLES, URIS, Census, Operation, StatusTally, Tally
from driftcheck.core.file_names import FileNames
from driftcheck.core.model import BodyKind
from driftcheck.core.staleness import moment
from driftcheck.sources import header_codec

_EPOCHS = tuple(  # recording times a date can give (years 1 to 9999, a day either side)
    datetime.datetime(year, 1, 1, tzinfo=datetime.timezone.utc).timestamp() + shift
    for year, shift in ((1, -86400), (9999, 366 * 86400))
)
_SKIPPED = frozenset(kind.value for kind in BodyKind) - {"json", "empty"}


def encode(census: Census) -> dict[str, Any]:
    """The census as JSON values."""
    return {
        "paths": list(census.paths),
        "errors": [[position, error] for position, error in census.errors.items()],
        "stamps": [None if stamp == NO_DATE else stamp for stamp in census.stamps],
        "endpoints": [[name, _tally(tally)] for name, tally in census.endpoints.items()],
    }


def _status_row(status: int, s: StatusTally) -> list[Any]:
    first, headers = list(s.first), header_codec.encode(s.headers)
    return [status, s.samples, s.content_types, s.skipped, s.bodies, first, s.notes, headers]


def _tally(tally: Tally) -> dict[str, Any]:
    return {
        "statuses": [_status_row(status, s) for status, s in tally.statuses.items()],
        "operations": [
            [
                name,
                [[uri, *kept] for uri, kept in o.uris.items()],
                o.dropped,
                o.sampled,
                list(o.statuses.items()),
            ]
            for name, o in tally.operations.items()
        ],
        "echoed": None if tally.echoed is None else sorted(tally.echoed),
        "files": list(tally.files),
        "undated": list(tally.undated),
        "newest": None if tally.newest is None else list(tally.newest),
    }


def decode(value: Any, paths: Sequence[str]) -> Census:
    """The census of exactly `paths`, read back; ValueError unless it is one."""
    entry = _object(value, {"paths", "errors", "stamps", "endpoints"})
    if entry["paths"] != list(paths):
        raise ValueError("a census of other files")
    count = len(paths)
    errors = {}
    for item in _list(entry["errors"]):
        position, error = _pair(item)
        if _position(position, count) in errors or type(error) is not str:
            raise ValueError("not a file's error")
        errors[position] = error
    stamps = array("d", (NO_DATE if s is None else _stamp(s) for s in _list(entry["stamps"])))
    if len(stamps) != count:
        raise ValueError("not a date per file")
    census = Census(FileNames(paths), dict(sorted(errors.items())), stamps)
    for item in _list(entry["endpoints"]):
        name, tally = _pair(item)
        if type(name) is not str or not name or name in census.endpoints:
            raise ValueError("not an endpoint name")
        census.endpoints[name] = _read_tally(tally, count)
    _files_agree(census)
    for tally in census.endpoints.values():
        _dates_agree(tally, census.stamps)
    return census


def _files_agree(census: Census) -> None:
    """A file that could not be read holds nothing and has no date; a file with a date
    holds an endpoint dated by it."""
    dated: set[int] = set()
    held: set[int] = set()
    for tally in census.endpoints.values():
        held.update(tally.files)
        dated.update(set(tally.files) - set(tally.undated))
    if not held.isdisjoint(census.errors) or any(
        census.stamps[p] != NO_DATE for p in census.errors
    ):
        raise ValueError("a file that could not be read, with interactions")
    if any(stamp != NO_DATE and p not in dated for p, stamp in enumerate(census.stamps)):
        raise ValueError("a file's date that no endpoint was recorded on")


def _dates_agree(tally: Tally, stamps: Sequence[float]) -> None:
    """An endpoint's recording days are those of its files' dates, its newest date no
    later than its file's (when a calendar holds it)."""
    days = {_day(stamps[p]) for p in tally.files if stamps[p] != NO_DATE}
    if any(day and day not in days for s in tally.statuses.values() for day in s.bodies):
        raise ValueError("bodies of a day none of the endpoint's files was recorded on")
    if tally.newest is not None and moment(tally.newest[0]) is not None:
        stamp, position = tally.newest
        if stamps[position] == NO_DATE or stamp > stamps[position]:
            raise ValueError("a newest date later than its file's")


def _day(stamp: float) -> str:
    when = moment(stamp)
    return "" if when is None else when.date().isoformat()


def _read_tally(value: Any, count: int) -> Tally:
    entry = _object(value, {"statuses", "operations", "echoed", "files", "undated", "newest"})
    files = _ascending(entry["files"], count)
    held = set(files)
    undated = _ascending(entry["undated"], count)
    if not files or not held.issuperset(undated):
        raise ValueError("not the files of an endpoint")
    tally = Tally(files=array("q", files), undated=array("q", undated))
    for item in _list(entry["statuses"]):
        status, counted = _status(item, held)
        if tally.statuses.setdefault(status, counted) is not counted:
            raise ValueError("a status listed twice")
    for item in _list(entry["operations"]):
        name, operation = _operation(item, held)
        if tally.operations.setdefault(name, operation) is not operation:
            raise ValueError("an operation listed twice")
    _agreeing(tally)
    tally.echoed = _echoed(entry["echoed"], tally)
    tally.newest = _newest(entry["newest"], held - set(undated))
    return tally


def _agreeing(tally: Tally) -> None:
    """ValueError unless the operations count the interactions the statuses count, from
    the same first interaction, in at least one interaction per file."""
    answered: Counter[int] = Counter()
    for operation in tally.operations.values():
        answered.update(operation.statuses)
    per_status = {status: counted.samples for status, counted in tally.statuses.items()}
    if not per_status or dict(answered) != per_status:
        raise ValueError("operations that do not count the interactions")
    if sum(per_status.values()) < len(tally.files):
        raise ValueError("fewer interactions than files")
    first = min(counted.first[:2] for counted in tally.statuses.values())
    sampled = min(operation.sampled[0] for operation in tally.operations.values())
    if first != sampled or first[0] != tally.files[0]:
        raise ValueError("a first interaction that is not the first")
    operations = tally.operations.values()
    every = {spot for operation in operations for spot in operation.sampled}
    past = [o.sampled[-1] for o in operations if o.interactions > SAMPLES]  # then unsampled
    for counted in tally.statuses.values():
        spot = counted.first[:2]
        if spot not in every and not any(spot > last for last in past):
            raise ValueError("a first interaction that is not the first")


def _echoed(value: Any, tally: Tally) -> frozenset[int] | None:
    """What every 2xx JSON body states of its URL: given exactly when there are such
    bodies, each a path segment of a recorded URL."""
    bodies = any(200 <= status < 300 and s.bodies for status, s in tally.statuses.items())
    if (value is None) == bodies:
        raise ValueError("echoed segments of no 2xx JSON body, or none of some")
    if value is None:
        return None
    if any(operation.dropped for operation in tally.operations.values()):
        return frozenset(_ascending(value, 1 << 16))  # the URL that bore them may be gone
    segments = max(_segments(uri) for o in tally.operations.values() for uri in o.uris)
    return frozenset(_ascending(value, segments))


def _newest(value: Any, dated: set[int]) -> tuple[float, int] | None:
    """An endpoint's newest date and its file, one of `dated` (None: none is dated)."""
    if value is None:
        if dated:
            raise ValueError("dated files without a newest date")
        return None
    stamp, position = _pair(value)
    if position not in dated:
        raise ValueError("a newest date of no dated file")
    return _stamp(stamp), position


def _segments(uri: str) -> int:
    return len(urlsplit(uri).path.split("/")) - 1


def _status(item: Any, held: set[int]) -> tuple[int, StatusTally]:
    row = _list(item)
    if len(row) != 8:
        raise ValueError("not a status's counts")
    status, samples, content_types, skipped, bodies, first, notes, headers = row
    counted = StatusTally(
        _count(samples), _counts(content_types), _counts(skipped), _counts(bodies)
    )
    if not _is_status(status) or sum(counted.content_types.values()) != samples:
        raise ValueError("content types that do not count the interactions")
    if (
        not set(counted.skipped) <= _SKIPPED
        or sum(counted.skipped.values()) + sum(counted.bodies.values()) > samples
        or not all(map(_is_day, counted.bodies))
    ):
        raise ValueError("bodies that do not count the interactions")
    spot = _list(first)
    if len(spot) != 3 or spot[0] not in held or not all(_natural(v) for v in spot):
        raise ValueError("not an interaction of the endpoint")
    counted.first = (spot[0], spot[1], spot[2])
    counted.notes = [_note(note, held) for note in _list(notes)]
    if _disordered([note[:2] for note in counted.notes]) or len(counted.notes) > samples:
        raise ValueError("notes out of order")
    counted.headers = header_codec.decode(headers, samples)
    return status, counted


def _note(item: Any, held: set[int]) -> tuple[int, int, str]:
    row = _list(item)
    if len(row) != 3 or row[0] not in held or not _natural(row[1]) or type(row[2]) is not str:
        raise ValueError("not a note")
    return row[0], row[1], row[2]


def _operation(item: Any, held: set[int]) -> tuple[str, Operation]:
    row = _list(item)
    if len(row) != 5 or type(row[0]) is not str:
        raise ValueError("not an operation")
    statuses: dict[int, int] = {}
    for pair in _list(row[4]):
        status, count = _pair(pair)
        if not _is_status(status) or status in statuses:
            raise ValueError("not an operation's statuses")
        statuses[status] = _count(count)
    uris = dict(_kept(kept, held) for kept in _list(row[1]))
    dropped = _natural_or_fail(row[2])
    sampled = [_spot(spot, held) for spot in _list(row[3])]
    total = sum(statuses.values())
    if len(uris) > URIS or (dropped and len(uris) < URIS) or not uris:
        raise ValueError("not the URLs of an operation")
    if sum(kept[0] for kept in uris.values()) + dropped != total:
        raise ValueError("URLs that do not count the interactions")
    if len(sampled) != min(total, SAMPLES) or _disordered(sampled):
        raise ValueError("not the first interactions of an operation")
    spots = [(kept[1], kept[2]) for kept in uris.values()]
    if _disordered(spots):
        raise ValueError("URLs out of order")
    sampled_set = set(sampled)
    if spots[0] != sampled[0] or any(s <= sampled[-1] and s not in sampled_set for s in spots):
        raise ValueError("a URL first met where the operation has no interaction")
    return row[0], Operation(uris, dropped, sampled, statuses)


def _kept(item: Any, held: set[int]) -> tuple[str, list[int]]:
    row = _list(item)
    if len(row) != 4 or type(row[0]) is not str or not row[0]:
        raise ValueError("not a URL")
    position, index = _spot(row[2:], held)
    return row[0], [_count(row[1]), position, index]


def _spot(value: Any, held: set[int]) -> tuple[int, int]:
    position, index = _pair(value)
    if position not in held or not _natural(index):
        raise ValueError("not an interaction of the endpoint")
    return position, index


def _disordered(spots: Sequence[Sequence[int]]) -> bool:
    """Whether `spots` are not strictly ascending."""
    return any(tuple(a) >= tuple(b) for a, b in itertools.pairwise(spots))


def _object(value: Any, keys: set[str]) -> dict[str, Any]:
    if type(value) is not dict or set(value) != keys:
        raise ValueError("not a census")
    return value


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise ValueError("not a list")
    return value


def _pair(value: Any) -> tuple[Any, Any]:
    row = _list(value)
    if len(row) != 2:
        raise ValueError("not a pair")
    return row[0], row[1]


def _is_status(value: Any) -> bool:
    return type(value) is int and 100 <= value <= 999  # as `fields` reads a status


def _natural(value: Any) -> bool:
    return type(value) is int and value >= 0


def _natural_or_fail(value: Any) -> int:
    if not _natural(value):
        raise ValueError("not a count")
    return int(value)


def _count(value: Any) -> int:
    if type(value) is not int or value < 1:
        raise ValueError("not a count")
    return value


def _counts(value: Any) -> dict[str, int]:
    if type(value) is not dict or not all(type(key) is str for key in value):
        raise ValueError("not counts")
    return {key: _count(count) for key, count in value.items()}


def _position(value: Any, count: int) -> int:
    if type(value) is not int or not 0 <= value < count:
        raise ValueError("a file position out of range")
    return value


def _ascending(value: Any, count: int) -> list[int]:
    positions = [_position(p, count) for p in _list(value)]
    if any(a >= b for a, b in itertools.pairwise(positions)):
        raise ValueError("positions out of order")
    return positions


def _stamp(value: Any) -> float:
    if type(value) not in (float, int) or not _EPOCHS[0] <= value <= _EPOCHS[1]:
        raise ValueError("a date out of range")
    return float(value)


def _is_day(day: str) -> bool:
    try:
        return not day or datetime.date.fromisoformat(day).isoformat() == day
    except ValueError:
        return False
