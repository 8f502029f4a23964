"""Hostile config values: every value is checked when the config is loaded, so a run
never fails later on one. Each refusal is one line naming the file, the table and the
key, and what would be valid; a secret from `${VAR}` is never shown."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import math
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftcheck.config import ENDPOINT, IGNORE, TOP, Config, find_config, load_config
from driftcheck.core.census import Census
from driftcheck.core.model import BodyKind, Interaction
from driftcheck.core.staleness import Age, Recorded, moment, stale_findings
from driftcheck.errors import ConfigError
from driftcheck.record.recorder import samples
from driftcheck.sources.staleness import recorded_time

ENDPOINT_HEAD = '[[endpoints]]\nname = "a"\nurl = "https://api.example.com/users/{id}"\n'


def write(folder: Path, text: str | bytes, name: str = "driftcheck.toml") -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path, environ: dict[str, str] | None = None, strict: bool = True) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=environ or {}, require_env=strict)
    message = str(caught.value)
    assert "\n" not in message
    assert "\r" not in message
    return message


TOP_CASES = [
    ("timeout = nan", "`timeout` must be more than 0 and at most 3600 seconds, not nan"),
    ("timeout = inf", "`timeout` must be more than 0 and at most 3600 seconds, not inf"),
    ("timeout = -inf", "`timeout` must be more than 0 and at most 3600 seconds, not -inf"),
    ("timeout = -0.0", "`timeout` must be more than 0 and at most 3600 seconds, not -0.0"),
    ("timeout = 1e308", "`timeout` must be more than 0 and at most 3600 seconds, not 1e+308"),
    ("timeout = 1e999", "`timeout` must be more than 0 and at most 3600 seconds, not inf"),
    (
        "timeout = 9223372036854775807",
        "`timeout` must be more than 0 and at most 3600 seconds, not 9223372036854775807",
    ),
    ("timeout = 2020-01-01", "`timeout` must be a number, not datetime.date(2020, 1, 1)"),
    ("concurrency = true", "`concurrency` must be an integer, not True"),
    ("concurrency = 1.5", "`concurrency` must be an integer, not 1.5"),
    ("concurrency = 1000000000", "`concurrency` must be 1 to 1024, not 1000000000"),
    ("workers = 100000", "`workers` must be 0 (one per core) to 1024, not 100000"),
    ("retries = 1000000", "`retries` must be 0 to 100, not 1000000"),
    ("max_response_mb = 0", "`max_response_mb` must be 1 to 65536 (MiB), not 0"),
    (
        "max_response_mb = 9223372036854775807",
        "`max_response_mb` must be 1 to 65536 (MiB), not 9223372036854775807",
    ),
    (
        "concurrency = 0x" + "f" * 40,
        "`concurrency` = an integer of 49 digits is out of range: TOML integers are 64-bit",
    ),
    (
        "concurrency = " + "[" * 80 + "]" * 80,
        "`concurrency` nests more than 64 levels deep",
    ),
    ("scrub_headers = [1]", "`scrub_headers` must list strings, not 1"),
    ('scrub_headers = [""]', "`scrub_headers` must list names, not ''"),
    ('scrub_query = ["a\\u0000b"]', "`scrub_query` must not contain control characters"),
    ("scrub_body = [[]]", "`scrub_body` must list strings, not []"),
    ('cache = "a\\u0000b"', "`cache` must not contain control characters"),
    ('cassettes = "a\\nb"', "`cassettes` must not contain control characters"),
    ('fresh = ["x", "y\\u0000"]', "`fresh` must not contain control characters"),
    ('max_age = "99999999999d"', "`max_age`: '99999999999d' is longer than 1000 years"),
    ('max_age = "365001d"', "`max_age`: '365001d' is longer than 1000 years"),
    ('max_age = "\u0663d"', "`max_age`: '\u0663d' is not an age"),
    ("contract_since = 07:32:00", "`contract_since` must be a date such as 2020-01-01"),
    ('contract_since = "2020-13-01"', "`contract_since` must be a date such as 2020-01-01"),
    ("contract_newest = true", "`contract_newest` must be an integer, not True"),
    ("contract_newest = 0", "`contract_newest` must be at least 1 (recording days), not 0"),
    (
        '[[ignore]]\nreason = "r"\nuntil = 07:32:00',
        "[[ignore]] #1: `until` = datetime.time(7, 32) is not a date; write it like 2027-01-31",
    ),
    (
        '[[ignore]]\nreason = "r"\nuntil = 20270131',
        "[[ignore]] #1: `until` = 20270131 is not a date; write it like 2027-01-31",
    ),
    (
        '[[ignore]]\nreason = "r"\nuntil = true',
        "[[ignore]] #1: `until` = True is not a date; write it like 2027-01-31",
    ),
    ('[severity]\nfield-added = ["info"]', "`field-added` = ['info']; valid: breaking"),
]


@pytest.mark.parametrize(("text", "message"), TOP_CASES)
def test_a_wrong_top_level_value_is_refused_at_load(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    assert refused(path).startswith(f"{path}: ")
    assert message in refused(path)


ENDPOINT_CASES = [
    ('expect_status = ["abc"]', "`expect_status` in endpoint `a` must list status codes"),
    ("expect_status = [true]", "must list status codes (integers 100 to 599), not True"),
    ("expect_status = [99]", "must list status codes (integers 100 to 599), not 99"),
    ("expect_status = [600]", "must list status codes (integers 100 to 599), not 600"),
    ('expect_status = ["200"]', "must list status codes (integers 100 to 599), not '200'"),
    ("expect_status = [200.0]", "must list status codes (integers 100 to 599), not 200.0"),
    ('method = "GE T"', "`method` in endpoint `a` must be an HTTP method such as GET, not 'GE T'"),
    ('method = ""', "`method` in endpoint `a` must be an HTTP method such as GET, not ''"),
    ('name = "' + "n" * 201 + '"', "must be a file name of at most 200 characters"),
    ("params = { id = { a = 1 } }", "`params` in endpoint `a`: `id` must be a string or a number"),
    ("params = { id = [] }", "`params` in endpoint `a`: `id` lists no values"),
    ("params = { id = [[1]] }", "`id` must be a string or a number, or a list of them, not a list"),
    ("params = { id = nan }", "`id` must be a string or a number, or a list of them, not nan"),
    ("params = { id = true }", "`id` must be a string or a number, or a list of them, not True"),
    ("params = { id = 2020-01-01 }", "`id` must be a string or a number, or a list of them"),
    ('params = { id = "1\\n2" }', "`id` must be a string or a number, or a list of them"),
    ('params = { id = "${TOKEN}" }', "`id` must be a string or a number, or a list of them"),
    ('query = { id = "${TOKEN}" }', "`query` in endpoint `a`: `id` must be a string or a number"),
    (
        "params = { a = " + str(list(range(100))) + ", b = " + str(list(range(101))) + " }",
        "`params` in endpoint `a` make 10100 requests; at most 10000",
    ),
    ("headers = { A = [1] }", "`headers` in endpoint `a`: `A` must be a string or a number"),
    ("headers = { A = { b = 1 } }", "`headers` in endpoint `a`: `A` must be a string or a number"),
    ('headers = { "A B" = "x" }', "`headers` in endpoint `a`: 'A B' is not a header name"),
    ('headers = { A = "x\\r\\nB: y" }', "`headers` in endpoint `a`: the value of `A` has a"),
    ('headers = { A = "\u20ac" }', "`headers` in endpoint `a`: the value of `A` has a"),
    ("query = { a = [1] }", "`query` in endpoint `a`: `a` must be a string or a number"),
    ("match_query = { a = {} }", "`match_query` in endpoint `a`: `a` must be a string or"),
    ("json = 2020-01-01", "`json` in endpoint `a`: a TOML date or time is not JSON"),
    ("json = { a = [nan] }", "`json` in endpoint `a`: JSON has no nan or inf (at $.a[0])"),
    ('fixtures = ["a\\u0000"]', "`fixtures` in endpoint `a` must not contain control characters"),
    ('operation = ""', "`operation` in endpoint `a` must be a GraphQL operation name"),
    ('operation = "Get User"', "`operation` in endpoint `a` must be a GraphQL operation name"),
    ("contract_since = true", "`contract_since` in endpoint `a` must be a date such as"),
]


@pytest.mark.parametrize(("text", "message"), ENDPOINT_CASES)
def test_a_wrong_endpoint_value_is_refused_at_load(tmp_path: Path, text: str, message: str) -> None:
    head = ENDPOINT_HEAD if not text.startswith("name") else '[[endpoints]]\nurl = "http://x"\n'
    path = write(tmp_path, head + text + "\n")
    environ = {"TOKEN": "s3cr3t\udcff"}  # an undecodable byte, as os.environ gives it
    assert refused(path, environ).startswith(f"{path}: ")
    assert message in refused(path, environ)
    assert "s3cr3t" not in refused(path, environ)


URLS = [
    ("https://x/}", "is not a valid URL template (Single '}' encountered in format string)"),
    ("https://x/{", "is not a valid URL template (Single '{' encountered in format string)"),
    ("https://x/{0}", "has placeholder {0}: a placeholder is a plain name such as {id}"),
    ("https://x/{}", "has placeholder {}: a placeholder is a plain name such as {id}"),
    ("https://x/{a.b}", "has placeholder {a.b}: a placeholder is a plain name"),
    ("https://x/{a[0]}", "has placeholder {a[0]}: a placeholder is a plain name"),
    ("https://x/{a!r}", "has placeholder {a!r}: a placeholder is a plain name"),
    ("https://x/{a:>10}", "has placeholder {a:>10}: a placeholder is a plain name"),
    ("https://x/{a b}", "has placeholder {a b}: a placeholder is a plain name"),
    ("${", "has a `${` at character 1 that starts no variable"),
    ("https://x/${}", "has a `${` at character 11 that starts no variable"),
    ("https://x/${1X}", "has a `${` at character 11 that starts no variable"),
    ("https://${HOST/x", "has a `${` at character 9 that starts no variable"),
    ("https://x/a\\u0000b", "`url` in endpoint `a` must not contain control characters"),
    ("https://x/a\\nb", "`url` in endpoint `a` must not contain control characters"),
]


@pytest.mark.parametrize(("url", "message"), URLS)
@pytest.mark.parametrize("strict", [True, False])
def test_a_url_is_a_valid_template_of_plain_names(
    tmp_path: Path, url: str, message: str, strict: bool
) -> None:
    path = write(tmp_path, f'[[endpoints]]\nname = "a"\nurl = "{url}"\n')
    assert message in refused(path, strict=strict)
    assert f"{path}: `url` in endpoint `a`" in refused(path, strict=strict)


@pytest.mark.parametrize(
    "url",
    [
        "https://x/users/{id}",
        "https://x/{a}/{b}?q={{literal}}",
        "https://x/${HOST_A}/{id}",
        "https://x/{id}/${PATH_1}/{id}",
        "https://x/\u00e9/{\u00e9t\u00e9}",
        "/relative/{id}",
    ],
)
def test_a_valid_template_loads_and_records_every_sample(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, f'[[endpoints]]\nname = "a"\nurl = "{url}"\n')
    (endpoint,) = load_config(path, environ={"HOST_A": "h", "PATH_1": "p"}).endpoints
    params = dict.fromkeys(endpoint.placeholders, ("1", 2))
    filled = type(endpoint)(endpoint.name, endpoint.url, params=params)
    urls = [sample.url for sample in samples(filled)]
    assert len(urls) == 2 ** len(set(endpoint.placeholders))
    assert all("{" not in u.replace("{literal}", "") for u in urls)


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("http://evil/{0}", "BASE"),
        ("http://x/\r\nHost: y", "BASE"),
        ("x}", "BASE"),
        ("http://x/\udcff", "BASE"),  # an undecodable byte in the environment
    ],
)
def test_an_expanded_url_variable_must_keep_the_template(
    tmp_path: Path, value: str, name: str
) -> None:
    path = write(tmp_path, '[[endpoints]]\nname = "a"\nurl = "${BASE}/users/{id}"\n')
    message = refused(path, {name: value})
    assert message == (
        f"{path}: `url` in endpoint `a`: environment variable `BASE` has braces or control "
        "characters (its value is not shown); a URL's variables must expand to plain text"
    )


@pytest.mark.parametrize(
    "secret", ["s3cr3t\r\nX-Evil: 1", "s3cr3t\u20ac", "s3cr3t\u0000", "s3cr3t\udcff"]
)
def test_a_header_value_from_a_variable_is_refused_without_showing_it(
    tmp_path: Path, secret: str
) -> None:
    path = write(tmp_path, ENDPOINT_HEAD + 'headers = { Authorization = "Bearer ${TOKEN}" }\n')
    message = refused(path, {"TOKEN": secret})
    assert "s3cr3t" not in message
    assert message.startswith(f"{path}: `headers` in endpoint `a`: the value of `Authorization`")


def test_variables_expand_only_in_what_a_request_sends(tmp_path: Path) -> None:
    """A secret in `name` would be a cassette's file name; in `fixtures` a path."""
    path = write(
        tmp_path, ENDPOINT_HEAD + 'fixtures = ["${TOKEN}.json"]\nquery = { k = "${TOKEN}" }\n'
    )
    (endpoint,) = load_config(path, environ={"TOKEN": "s3cr3t"}).endpoints
    assert (endpoint.fixtures, endpoint.query) == (("${TOKEN}.json",), {"k": "s3cr3t"})
    path = write(tmp_path, '[[endpoints]]\nname = "${TOKEN}"\nurl = "http://x"\n')
    assert "endpoint name '${TOKEN}' must be a file name" in refused(path, {"TOKEN": "s3cr3t"})


@pytest.mark.parametrize(
    "text",
    [
        '"a\\nb" = 1',
        '[[endpoints]]\nname = "a"\nurl = "http://x"\n"b\\r\\nc" = 1',
        '[[endpoints]]\nname = "a"\nurl = "http://x/{id}"\nparams = { "a\\nb" = [] }',
        '[[endpoints]]\nname = "a"\nurl = "http://x"\nquery = { "a\\nb" = [] }',
        '[[endpoints]]\nname = "a"\nurl = "http://x"\nheaders = { "a\\nb" = "${UNSET}" }',
        '[[endpoints]]\nname = "a"\nurl = "http://x"\njson = { "a\\nb" = nan }',
        '[severity]\n"field-added\\nx" = "info"',
        '[[ignore]]\nreason = "r"\nrule = "field-added\\nx"',
        '"c\\nd" = [' + "[" * 70 + "]" * 70 + "]",
        '[[endpoints]]\nname = "a\\nb"\nurl = "http://x"\nmethod = 1',
    ],
)
def test_a_key_with_a_line_break_is_named_on_one_line(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text + "\n")
    assert refused(path).startswith(f"{path}: ")  # `refused` checks for line breaks


ENVIRONMENT = [
    ("DRIFTCHECK_TIMEOUT", "nan", "environment variable DRIFTCHECK_TIMEOUT='nan' is not a number"),
    ("DRIFTCHECK_TIMEOUT", "inf", "environment variable DRIFTCHECK_TIMEOUT='inf' is not a number"),
    ("DRIFTCHECK_TIMEOUT", "1e400", "`timeout` must be more than 0 and at most 3600 seconds"),
    ("DRIFTCHECK_TIMEOUT", "-0", "`timeout` must be more than 0 and at most 3600 seconds"),
    (
        "DRIFTCHECK_CONCURRENCY",
        "1e9",
        "environment variable DRIFTCHECK_CONCURRENCY='1e9' is not an integer",
    ),
    ("DRIFTCHECK_CONCURRENCY", "1000000000", "`concurrency` must be 1 to 1024, not 1000000000"),
    (
        "DRIFTCHECK_CONCURRENCY",
        "\u0663",
        "environment variable DRIFTCHECK_CONCURRENCY='\u0663' is not an integer",
    ),
    ("DRIFTCHECK_WORKERS", "9" * 5000, "DRIFTCHECK_WORKERS='99999999"),
    ("DRIFTCHECK_RETRIES", "1e3", "environment variable DRIFTCHECK_RETRIES='1e3' is not an"),
    (
        "DRIFTCHECK_MAX_RESPONSE_MB",
        "99999999999999999",
        "`max_response_mb` must be 1 to 65536 (MiB), not 99999999999999999",
    ),
]


@pytest.mark.parametrize(("variable", "value", "message"), ENVIRONMENT)
def test_an_environment_override_is_checked_like_the_file(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    path = write(tmp_path, "")
    text = refused(path, {variable: value})
    assert message in text
    assert len(text) < 300


def test_invalid_utf8_names_the_file_line_and_byte(tmp_path: Path) -> None:
    path = write(tmp_path, b'cassettes = "c"\nfresh = "\xff"\n')
    assert refused(path) == (
        f"{path}: not UTF-8 text: byte 0xff at line 2, column 10 (offset 25); save it as UTF-8"
    )


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, b'\xef\xbb\xbfcassettes = "c"\n')
    assert load_config(path, environ={}).cassettes == tmp_path / "c"
    path = write(tmp_path, b'\xef\xbb\xbfcassettes = "\xc3"\n')
    assert refused(path) == (
        f"{path}: not UTF-8 text: byte 0xc3 at line 1, column 17 (offset 16); save it as UTF-8"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("json = " + "[" * 70 + "]" * 70, "`endpoints[0].json` nests more than 64 levels deep"),
        (
            "params = { id = 0x" + "f" * 40 + " }",
            "`endpoints[0].params.id` = an integer of 49 digits is out of range: TOML integers "
            "are 64-bit",
        ),
    ],
)
def test_what_no_key_takes_is_named_by_its_place(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, ENDPOINT_HEAD + text + "\n")
    assert refused(path) == f"{path}: {message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a = " + "[" * 5000 + "]" * 5000, "invalid TOML: nested too deeply"),
        ("a = " + "{b=" * 3000 + "1" + "}" * 3000, "invalid TOML: nested too deeply"),
        ("a = " + "9" * 5000, "invalid TOML: a number has too many digits"),
    ],
)
def test_toml_that_breaks_the_parser_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    assert refused(path) == f"{path}: {message}"


def test_a_config_that_is_not_a_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    fifo = tmp_path / "driftcheck.toml"
    os.mkfifo(fifo)  # opening it to read would wait for a writer forever
    assert refused(fifo) == f"{fifo}: not a file"
    assert find_config(tmp_path) is None


def test_an_oversized_config_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "# " + "x" * (16 * 1024 * 1024) + "\n")
    assert refused(path) == f"{path}: larger than 16 MiB; a config file is much smaller"


@pytest.mark.parametrize(
    "text",
    [
        b"[tool.x\n",
        b'[project]\nname = "\xff"\n',
        b"tool = 1\n",
        b'tool = "driftcheck"\n',
        b"a = " + b"[" * 5000,
    ],
)
def test_an_unrelated_broken_pyproject_is_skipped(tmp_path: Path, text: bytes) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, text, "pyproject.toml")
    below = tmp_path / "sub"
    below.mkdir()
    assert find_config(below) is None
    assert load_config(start=below, environ={}).source is None


def test_an_unreadable_pyproject_is_skipped(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    path = write(tmp_path, '[tool.driftcheck]\ncassettes = "c"\n', "pyproject.toml")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: every file is readable")
        assert find_config(tmp_path) is None
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"[tool.driftcheck]\ncassettes = \n", "invalid TOML: Invalid value (at line 2, column"),
        (b'[tool.driftcheck]\ncassettes = "\xff"\n', "not UTF-8 text: byte 0xff at line 2"),
        (b"[tool]\ndriftcheck = 1\n", "the configuration must be a table"),
    ],
)
def test_a_broken_pyproject_naming_driftcheck_is_the_config(
    tmp_path: Path, text: bytes, message: str
) -> None:
    (tmp_path / ".git").mkdir()
    path = write(tmp_path, text, "pyproject.toml")
    with pytest.raises(ConfigError) as caught:
        load_config(start=tmp_path, environ={})
    assert str(caught.value).startswith(f"{path}: {message}")


def test_a_broken_driftcheck_toml_is_reported_when_found(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    path = write(tmp_path, b"cassettes = \xff\n")
    with pytest.raises(ConfigError, match="not UTF-8 text: byte 0xff at line 1, column 13"):
        load_config(start=tmp_path / ".", environ={})
    assert find_config(tmp_path) == path


@pytest.mark.parametrize(
    "text",
    ["99999999999d", "9999999999999h", "52143w", "365001d", "9" * 5000 + "d"],
)
def test_an_age_past_a_hundred_years_is_refused(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Age.parse(text)
    assert str(caught.value) == (
        f"--max-age: {text!r} is longer than 1000 years; write at most 365000d, 8760000h or 52142w"
        if len(text) < 40
        else f"--max-age: '{text[:30]}...' is longer than 1000 years; write at most 365000d, "
        "8760000h or 52142w"
    )


@pytest.mark.parametrize("text", ["\u0663d", "3\u00a0d", "-3d", "3.5d", "3 days", ""])
def test_an_age_is_ascii_digits_and_a_unit(text: str) -> None:
    with pytest.raises(ConfigError, match="is not an age; write it like 30d, 12h or 2w"):
        Age.parse(text)


def test_the_longest_age_is_accepted() -> None:
    assert Age.parse("365000d").delta == datetime.timedelta(days=365000)
    assert Age.parse(" 52142w ").text == "52142w"
    assert Age.parse("8760000h").delta == datetime.timedelta(days=365000)


LATEST = datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc).timestamp()
EARLIEST = datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc).timestamp()


@pytest.mark.parametrize(
    "stamp", [LATEST + 14 * 3600, EARLIEST - 14 * 3600, 1e300, -1e300, math.inf, math.nan]
)
def test_a_recording_time_past_the_calendar_is_unknown_not_a_crash(
    tmp_path: Path, stamp: float
) -> None:
    assert moment(stamp) is None
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cassette = Recorded("c.yaml", stamp, "date recorded in the cassette", ("GET x",))
    assert stale_findings([cassette], Age.parse("30d"), now) == []
    path = tmp_path / "c.yaml"
    path.write_text("interactions: []\n")
    os.utime(path, (1_600_000_000, 1_600_000_000))
    dated = Interaction("GET", "http://x", 200, "", BodyKind.EMPTY, source=str(path))
    census = Census()
    census.add_file(str(path), [dataclasses.replace(dated, recorded_at=stamp)], str)
    assert census.stamp(0) is None
    found = recorded_time(str(path), census.stamp(0))
    assert found is not None
    assert found[1] != "date recorded in the cassette"


@pytest.mark.parametrize("year", [1, 9999])
def test_the_first_and_last_years_are_judged(year: int) -> None:
    stamp = datetime.datetime(year, 6, 1, tzinfo=datetime.timezone.utc).timestamp()
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cassette = Recorded("c.yaml", stamp, "date recorded in the cassette", ("GET x",))
    found = stale_findings([cassette], Age.parse("1000w"), now)
    assert [f.rule for f in found] == (["cassette-stale"] if year == 1 else [])


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_extreme_dates_load_and_compare(tmp_path: Path, day: str) -> None:
    path = write(
        tmp_path,
        f'contract_since = {day}\n{ENDPOINT_HEAD}contract_since = "{day}"\n'
        f'[[ignore]]\nreason = "r"\nuntil = {day}\n',
    )
    config = load_config(path, environ={})
    assert config.recency("a").since == datetime.date.fromisoformat(day)
    assert config.ignore[0].until == datetime.date.fromisoformat(day)


# --- every key, every TOML type -------------------------------------------------------


def toml(value: Any) -> str:
    """A value as TOML text (inline): the test writes what a user could write."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value).replace("inf", "inf")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml(item) for item in value) + "]"
    return "{" + ", ".join(f"{_string(k)} = {toml(v)}" for k, v in value.items()) + "}"


def _string(text: str) -> str:
    escaped = (
        "\\" + ch if ch in '"\\' else f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or ch == "\x7f" else ch
        for ch in text
    )
    return '"' + "".join(escaped) + '"'


TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
SCALARS = st.one_of(
    TEXT,
    st.sampled_from(["", "GET", "30d", "2020-01-01", "${TOKEN}", "{id}", "$.a.**", "info"]),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, -1, 100, 599, 600, 2**63 - 1, -(2**63)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([-0.0, 1e308, 5e-324]),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, datetime.timezone.utc])),
    st.times(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
URL_PARTS = st.sampled_from(
    ["https://x/", "{id}", "{0}", "{}", "}", "{", "{{", "${TOKEN}", "${", "${1X}", "{a!r}", "a/"]
)


PLAUSIBLE = {  # values of the right shape, so a run gets past the type checks
    "url": st.lists(URL_PARTS, max_size=4).map("".join),
    "params": st.dictionaries(st.sampled_from(["id", "a", "0"]), VALUES, max_size=2),
    "headers": st.dictionaries(TEXT, TEXT | SCALARS, max_size=2),
    "query": st.dictionaries(TEXT, SCALARS, max_size=2),
    "json": VALUES,
    "expect_status": st.lists(SCALARS, max_size=2),
}
BASE: dict[str, Any] = {
    "endpoints": [{"name": "a", "url": "https://x/{id}", "params": {"id": [1, "b"]}}],
    "ignore": [{"reason": "r"}],
}
TABLES = {"top": TOP, "endpoint": ENDPOINT, "ignore": IGNORE}
CHANGES = st.lists(
    st.sampled_from([(table, key.name) for table, keys in TABLES.items() for key in keys]).flatmap(
        lambda target: st.tuples(
            st.just(target),
            PLAUSIBLE.get(target[1], VALUES) | VALUES if target[0] != "top" else VALUES,
        )
    ),
    min_size=1,
    max_size=3,
)
ENVIRON = st.dictionaries(
    st.sampled_from(["TOKEN", "id", *(str(key.env) for key in TOP if key.env)]),
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=8)
    | st.sampled_from(["nan", "inf", "1e9", "-0", "0", "1", "99999999999", "{0}", "x}"]),
    max_size=2,
)


def _changed(changes: list[tuple[tuple[str, str], Any]]) -> dict[str, Any]:
    """`BASE` (which loads) with each change made: a key of the top level, of the
    endpoint or of the ignore entry set to a value."""
    endpoint, ignore = dict(BASE["endpoints"][0]), dict(BASE["ignore"][0])
    document: dict[str, Any] = {"endpoints": [endpoint], "ignore": [ignore]}
    for (table, key), value in changes:
        {"top": document, "endpoint": endpoint, "ignore": ignore}[table][key] = value
    return document


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=CHANGES, environ=ENVIRON, strict=st.booleans())
def test_any_value_of_any_key_loads_or_is_a_config_error(
    tmp_path_factory: pytest.TempPathFactory,
    changes: list[tuple[tuple[str, str], Any]],
    environ: dict[str, str],
    strict: bool,
) -> None:
    """Every key of every table given values of every TOML type (a few at a time, the
    rest valid): a Config whose endpoints can be sampled, or one ConfigError line."""
    folder = tmp_path_factory.mktemp("config")
    path = folder / "driftcheck.toml"
    document = _changed(changes)
    path.write_text("\n".join(f"{_string(k)} = {toml(v)}" for k, v in document.items()))
    try:
        config: Config | None = load_config(path, environ=environ, require_env=strict)
    except ConfigError as error:
        config, message = None, str(error)
    if config is None:
        assert "\n" not in message
        assert message.startswith(("environment", str(path)))
        return
    for endpoint in config.endpoints:
        assert endpoint.matcher.name == endpoint.name
        config.recency(endpoint.name)
        if endpoint.unfilled is None:
            for sample in itertools.islice(samples(endpoint), 20):
                assert sample.url


LONG = "a" * 300  # one path part past the file system's 255 bytes: ENAMETOOLONG


@pytest.mark.parametrize("key", ["cassettes", "fresh"])
def test_a_folder_name_the_file_system_refuses_is_one_line(tmp_path: Path, key: str) -> None:
    path = write(tmp_path, f'{key} = "{LONG}"\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value) == (f"{path}: `{key}` cannot be used as a folder (File name too long)")


def test_a_config_name_the_file_system_refuses_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / LONG)
    assert str(raised.value) == f"{tmp_path / LONG}: cannot be read (File name too long)"
