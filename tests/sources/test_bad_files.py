"""One bad cassette is one listed file, never the end of a run (issue 15, defect 6).

Each odd value a hostile cassette may hold (a URL Python cannot split, a status no JSON
can hold, a charset that is no text encoding, a lone surrogate) is read as a real file
beside a good one, by the scan a `diff` runs (with its cache, which writes what was
read as JSON): the good file is read, the bad one is listed with a reason naming the
value, or, for a body, left out with a note.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftcheck.core.census import Census
from driftcheck.core.endpoints import group, grouped
from driftcheck.core.model import FileError
from driftcheck.errors import CassetteError
from driftcheck.sources.cassettes import discover, load_all, parse_cassette
from driftcheck.sources.scan import Scanned, Settings, scan

GOOD_URI = "http://api.example.com/users/1"
NAME = "GET api.example.com/users/{id}"


def entry(
    request: dict[str, Any] | None = None,
    response: dict[str, Any] | None = None,
    **more: Any,
) -> dict[str, Any]:
    """One interaction of a good cassette, with some of its values replaced."""
    return {
        "request": {
            "method": "GET",
            "uri": GOOD_URI,
            "headers": {},
            "body": None,
            **(request or {}),
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": ["application/json"]},
            "body": {"string": '{"id": 1}'},
            **(response or {}),
        },
        **more,
    }


def as_json(*entries: dict[str, Any]) -> str:
    return json.dumps({"interactions": list(entries), "version": 1})


def as_yaml(response: str = "status: {code: 200}", request: str = f"uri: '{GOOD_URI}'") -> str:
    return (
        f"interactions:\n- request: {{method: GET, {request}}}\n"
        f"  response: {{{response}, body: {{string: '{{\"id\": 1}}'}}}}\n"
    )


def encoded(data: bytes) -> dict[str, str]:
    return {"base64_string": base64.b64encode(data).decode()}


REFUSED = {
    "bad IPv6 host": (
        as_json(entry({"uri": "http://[::1/x"})),
        "interaction 0: request URI 'http://[::1/x' is not a valid URL (Invalid IPv6 URL)",
    ),
    "port out of range": (
        as_json(entry({"uri": "http://api.example.com:99999999/x"})),
        "interaction 0: request URI 'http://api.example.com:99999999/x' is not a valid URL "
        "(Port out of range 0-65535)",
    ),
    "negative port": (
        as_json(entry({"uri": "http://api.example.com:-1/x"})),
        "interaction 0: request URI 'http://api.example.com:-1/x' is not a valid URL "
        "(Port could not be cast to integer value as '-1')",
    ),
    "NUL in the URL": (
        as_json(entry({"uri": "http://api.example.com/a\x00b"})),
        "interaction 0: request URI 'http://api.example.com/a\\x00b' holds a control "
        "character; a URL has none",
    ),
    "URL is a number": (
        as_json(entry({"uri": 5})),
        "interaction 0: request `uri` is a number, not text (a URL such as "
        "https://api.example.com/users)",
    ),
    "URL is bytes": (
        as_yaml(request="uri: !!binary aHR0cDovL2EvYg=="),
        "interaction 0: request `uri` is bytes, not text (a URL such as "
        "https://api.example.com/users)",
    ),
    "URL is null": (
        as_json(entry({"uri": None})),
        "interaction 0: request has no `uri`",
    ),
    "status .inf": (
        as_yaml("status: {code: .inf}"),
        "interaction 0: response status inf is not an HTTP status code "
        "(a whole number from 100 to 999)",
    ),
    "status .nan": (
        as_yaml("status: {code: .nan}"),
        "interaction 0: response status nan is not an HTTP status code "
        "(a whole number from 100 to 999)",
    ),
    "status too large for JSON": (
        as_yaml(f"status: {{code: {10**50}}}"),
        "interaction 0: response status (a number of more than 38 digits) is not an HTTP "
        "status code (a whole number from 100 to 999)",
    ),
    "negative status": (
        as_json(entry(response={"status": {"code": -200}})),
        "interaction 0: response status -200 is not an HTTP status code "
        "(a whole number from 100 to 999)",
    ),
    "boolean status": (
        as_json(entry(response={"status": {"code": True}})),
        "interaction 0: response status True is not an HTTP status code "
        "(a whole number from 100 to 999)",
    ),
    "fractional status": (
        as_json(entry(response={"status": {"code": 200.5}})),
        "interaction 0: response status 200.5 is not an HTTP status code "
        "(a whole number from 100 to 999)",
    ),
    "status a list": (
        as_json(entry(response={"status": [200]})),
        "interaction 0: response status a list is not an HTTP status code "
        "(a whole number from 100 to 999)",
    ),
    "method with a space": (
        as_json(entry({"method": "GET /x"})),
        "interaction 0: request method 'GET /x' is not an HTTP method "
        "(a token such as GET or POST)",
    ),
    "method a mapping": (
        as_json(entry({"method": {"a": 1}})),
        "interaction 0: request method a mapping is not an HTTP method "
        "(a token such as GET or POST)",
    ),
}

# Read, with a note on the body (and what a note names: the file and the reason).
NOTED = {
    "lone surrogate key": (
        as_json(entry(response={"body": {"string": '{"\\ud800": 1}'}})),
        "not valid JSON: a string holds a lone surrogate (such as \\ud800): not Unicode",
    ),
    "lone surrogate in a lenient body": (
        as_json(entry(response={"body": {"string": '{"a": ["\\udc00", NaN]}'}})),
        "not valid JSON: a string holds a lone surrogate (such as \\ud800): not Unicode",
    ),
}

# Read as if nothing were odd.
READ = {
    "charset=rot13": as_json(
        entry(
            response={
                "headers": {"Content-Type": ["application/json; charset=rot13"]},
                "body": encoded(b'{"id": 1}'),
            }
        )
    ),
    "header values of every kind": as_json(
        entry(
            response={
                "headers": [
                    ["Content-Type", [["application/json"]]],
                    ["X-N", None],
                    ["x"],
                    5,
                    ["Date", {"a": 1}],
                    ["Content-Encoding", [True, 1.5]],
                ]
            }
        )
    ),
    "a date past year 9999": as_json(entry(recorded_at="Fri, 31 Dec 9999 23:59:59 -2359")),
    "a date before year 1": as_json(entry(recorded_at="0001-01-01T00:00:00+14:00")),
    "a huge Date header": as_json(
        entry(response={"headers": {"Date": ["Mon, 01 Jan 99999999999999999999 00:00:00 GMT"]}})
    ),
}


def _scan_beside_a_good_one(tmp_path: Path, text: str) -> tuple[Scanned, Path, Path]:
    folder = tmp_path / "cassettes"
    folder.mkdir()
    good, bad = folder / "a_good.json", folder / "b_bad.yaml"
    good.write_text(as_json(entry()))
    bad.write_text(text)
    scanned = scan(discover([folder]), Settings(workers=1, cache=tmp_path / "cache"))
    assert scanned.paths == [str(good), str(bad)]
    return scanned, good, bad


def _counted(census: Census) -> dict[str, tuple[list[str], dict[int, int]]]:
    """Per endpoint: the files that hold it, and its interactions per status."""
    return {
        name: (census.files_of(name), {status: s.samples for status, s in tally.statuses.items()})
        for name, tally in census.endpoints.items()
    }


@pytest.mark.parametrize(("text", "reason"), REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_file_is_listed_and_the_good_one_read(
    tmp_path: Path, text: str, reason: str
) -> None:
    scanned, good, bad = _scan_beside_a_good_one(tmp_path, text)
    assert scanned.errors == [FileError(str(bad), reason)]
    assert _counted(scanned.census) == {NAME: ([str(good)], {200: 1})}
    assert scanned.census.endpoints[NAME].statuses[200].bodies == {"": 1}  # the good body
    assert list(scanned.shapes) == [(NAME, 200, "")]


@pytest.mark.parametrize(("text", "note"), NOTED.values(), ids=NOTED.keys())
def test_an_unreadable_body_is_left_out_with_a_note(tmp_path: Path, text: str, note: str) -> None:
    scanned, good, bad = _scan_beside_a_good_one(tmp_path, text)
    assert scanned.errors == []
    assert _counted(scanned.census) == {NAME: ([str(good), str(bad)], {200: 2})}
    counted = scanned.census.endpoints[NAME].statuses[200]
    assert (counted.bodies, counted.skipped) == ({"": 1}, {"unreadable": 1})
    assert scanned.census.all_notes() == (f"{bad}#0: {note}",)
    assert scanned.shapes[NAME, 200, ""].count == 1  # the good body alone


@pytest.mark.parametrize("text", READ.values(), ids=READ.keys())
def test_odd_but_harmless_values_are_read(tmp_path: Path, text: str) -> None:
    scanned, good, bad = _scan_beside_a_good_one(tmp_path, text)
    assert scanned.errors == []
    assert _counted(scanned.census) == {NAME: ([str(good), str(bad)], {200: 2})}
    endpoints = grouped(scanned.census, scanned.shapes)
    assert list(endpoints.endpoints) == [NAME]
    assert endpoints == group(load_all([good, bad])[0])


def test_every_interaction_is_checked_not_only_the_first(tmp_path: Path) -> None:
    text = as_json(entry(), entry(), entry({"uri": "http://[::1/x"}))
    scanned, _, _ = _scan_beside_a_good_one(tmp_path, text)
    assert [e.message for e in scanned.errors] == [
        "interaction 2: request URI 'http://[::1/x' is not a valid URL (Invalid IPv6 URL)"
    ]


# Any value anywhere: the reader returns interactions or raises CassetteError, and what it
# returns survives everything a scan does with it (endpoint keys, slugs, the cache's JSON).

ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(),
    st.text(max_size=12),
    st.binary(max_size=8),
    st.sampled_from(
        [
            "http://[::1/x",
            "http://a.example:99999999/",
            "http://a.example:-1/",
            "http://xn--a.example/x",
            "http://bücher.example/x",
            "//host",
            "http://h/\x00",
            "200 OK",
            "GET",
            "application/json; charset=rot13",
            '{"\\ud800": 1}',
            '{"a": NaN}',
            "Fri, 31 Dec 9999 23:59:59 -2359",
        ]
    ),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


@st.composite
def odd_entries(draw: st.DrawFn) -> dict[str, Any]:
    uri = draw(st.one_of(ODD, st.just("http://api.example.com/users/1")))
    headers = draw(
        st.one_of(ODD, st.dictionaries(st.sampled_from(["Content-Type", "Date", "X"]), ODD))
    )
    return {
        "request": {"method": draw(st.one_of(st.just("GET"), ODD)), "uri": uri, "body": draw(ODD)},
        "response": {
            "status": draw(st.one_of(st.just({"code": 200}), ODD)),
            "headers": headers,
            "body": draw(st.one_of(ODD, st.fixed_dictionaries({"string": ODD}))),
        },
        "recorded_at": draw(ODD),
    }


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(odd=odd_entries())
def test_no_value_in_a_cassette_escapes_as_anything_but_a_listed_file(
    tmp_path: Path, odd: dict[str, Any]
) -> None:
    text = yaml.safe_dump({"interactions": [odd]}, allow_unicode=False)
    reason = None
    try:
        parse_cassette(text.encode(), "odd.yaml")
    except CassetteError as error:
        reason = error.reason
    assert reason is None or (reason and "\n" not in reason)  # one line, never empty
    folder = tmp_path / "odd"
    folder.mkdir(exist_ok=True)
    (folder / "odd.yaml").write_text(text)
    reading = Settings(workers=1, cache=tmp_path / "cache")
    scanned = scan([folder / "odd.yaml"], reading)
    endpoints = grouped(scanned.census, scanned.shapes)
    assert scan([folder / "odd.yaml"], reading) == scanned  # the same, read back from the cache
    if reason is None:
        assert endpoints == group(load_all([folder / "odd.yaml"])[0])
