"""The response-header tally's cache JSON (sources/header_codec.py): what a real tally
writes reads back the same, and an entry no tally of real responses could have written
(a damaged or hostile cache file, re-sealed) is refused with a ValueError (issue 17)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core.headers import HeaderTally
from driftcheck.sources import header_codec

DAY = 1751241600.0  # 2025-06-30 00:00 UTC
LINK = ["deprecation", "https://docs.example.com/dep"]


def entry(
    present: dict[str, int] | None = None,
    notice: list[Any] | None = None,
    noticed: int | None = None,
) -> list[Any]:
    """A cache entry written by hand, as JSON would give it back."""
    counted = 1 if notice is not None else 0
    raw = [present or {"etag": 1}, counted if noticed is None else noticed, notice, None]
    return json.loads(json.dumps(raw))  # type: ignore[no-any-return]


def test_a_real_tally_reads_back_the_same() -> None:
    tally = HeaderTally()
    headers = {
        "ETag": ['"a"'],
        "Link": ['<https://u:p@api.example.com/v2;s=1?k=1>; rel="successor-version"'],
        "Deprecation": ["@1688169599"],
        "Sunset": ["Mon, 30 Jun 2025 00:00:00 GMT"],
        "Authorization": ["Bearer x"],
        "X-Bad Name": ["x"],
    }
    tally.add(headers, 5.0)
    tally.add({"ETag": ['"b"']}, 6.0)
    back = header_codec.decode(json.loads(json.dumps(header_codec.encode(tally))), 2)
    assert back == tally
    assert back.present == {"etag": 2, "link": 1}


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["Deprecation", "Sunset", "Link", "ETag", "Cookie", "X A", ""]),
        st.lists(st.text(max_size=40), max_size=3),
    )
)
def test_whatever_the_responses_their_tally_is_never_refused(headers: dict[str, Any]) -> None:
    tally = HeaderTally()
    tally.add(headers, None)
    back = header_codec.decode(json.loads(json.dumps(header_codec.encode(tally))), 1)
    assert back == tally


DATED = [DAY, "2025-06-30", None, "", [LINK]]


NAMES = "never compared"
COUNTS = "do not count the interactions"
TEXTS = "do not match"
LINKS = "retirement link"
CAPPED = "repeated or more than the cap"
NOTICED = "notice that no interaction counts"


def deprecated(*links: list[str]) -> list[Any]:
    return entry(notice=[None, "yes", None, "", list(links)])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # header names `kept` drops, or that are not RFC 9110 tokens
        (entry({"authorization": 1}), NAMES),
        (entry({"": 1}), NAMES),
        (entry({"set-cookie": 1}), NAMES),
        (entry({"x-request-id": 1}), NAMES),
        (entry({"content-type": 1}), NAMES),
        (entry({"\x1b[31mred": 1}), NAMES),
        (entry({"x-a\nx-b": 1}), NAMES),
        (entry({"with space": 1}), NAMES),
        (entry({"ETag": 1}), NAMES),
        (entry({"etag": 2}), COUNTS),  # more often than there were responses
        # an empty notice
        (entry(notice=[None, "", None, "", []]), "neither Deprecation nor Sunset"),
        # texts that are not what the dates read as
        (entry(notice=[DAY, "2001-01-01", None, "", []]), TEXTS),
        (entry(notice=[DAY, "yes", None, "", []]), TEXTS),
        (entry(notice=[DAY, "", None, "(unparsed)", []]), TEXTS),
        (entry(notice=[None, "2025-06-30", None, "", []]), TEXTS),
        (entry(notice=[None, "\x1b[2Jsoon", None, "", []]), TEXTS),
        (entry(notice=[None, "", None, "yes", []]), TEXTS),
        (entry(notice=[None, "", DAY, "(unparsed)", []]), TEXTS),
        (entry(notice=[None, "", None, "2025-06-30", []]), TEXTS),
        # dates outside years 1-9999
        (entry(notice=[253402300800.0, "10000-01-01", None, "", []]), TEXTS),
        (entry(notice=[-62135596801.0, "0000-12-31", None, "", []]), TEXTS),
        (entry(notice=[None, "", 1e300, "(unparsed)", []]), TEXTS),
        # links `shown` would not produce, of other relations, repeated, past the cap
        (deprecated(["deprecation", "user2:pass2@other/x"]), LINKS),
        (deprecated(["sunset", "https://a.example/v3;s=x/y"]), LINKS),
        (deprecated(["sunset", "https://a.example/v?t=1"]), LINKS),
        (deprecated(["sunset", "https://u:p@a.example/"]), LINKS),
        (deprecated(["sunset", "https://a.example/\x1b[31m"]), LINKS),
        (deprecated(["next", "https://a.example/x"]), LINKS),
        (deprecated(LINK, LINK), CAPPED),
        (deprecated(*(["deprecation", f"https://a.example/{n}"] for n in range(5))), CAPPED),
        (
            deprecated(
                *(
                    [rel, f"https://a.example/{n}"]
                    for rel in ("sunset", "deprecation", "latest-version")
                    for n in range(3)
                )
            ),
            CAPPED,
        ),
        # a notice no response counts, or the reverse
        (entry(notice=DATED, noticed=0), NOTICED),
        (entry(noticed=1), NOTICED),
        (entry(notice=DATED, noticed=2), NOTICED),
    ],
)
def test_entries_no_real_tally_could_have_written_are_refused(
    value: list[Any], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        header_codec.decode(value, 1)


@pytest.mark.parametrize(
    "notice",
    [
        DATED,
        [None, "yes", None, "", []],
        [None, "(unparsed)", None, "(unparsed)", [["sunset", "(unparsed)"]]],
        [None, "", -62135596800.0, "0001-01-01", []],
        [None, "", 253402300799.0, "9999-12-31", []],
        [None, "yes", None, "", [["deprecation", f"https://a.example/{n}"] for n in range(4)]],
    ],
)
def test_entries_a_real_tally_could_have_written_are_read(notice: list[Any]) -> None:
    back = header_codec.decode(entry({"etag": 1, "link": 1}, notice), 1)
    assert back.notice is not None
    assert back.noticed == 1
    assert [list(link) for link in back.notice.links] == notice[4]
