"""A status's response headers (`core/headers.HeaderTally`) as cache JSON, read back
checked: only what a tally of real responses could hold (a cache file may be damaged or
hostile, and a report shows what it says). Names compared headers have (`kept`: no secret,
no volatile header, RFC 9110 tokens), counted no more often than there were responses; a
notice only where one was counted, saying something, its texts what its dates read as,
its links as a report shows them (`retirement.malformed`). A failure is a ValueError."""

from __future__ import annotations

import math
from typing import Any

from driftcheck.core.headers import HeaderTally, kept
from driftcheck.core.retirement import Notice, malformed


def encode(tally: HeaderTally) -> list[Any]:
    """[{name: count}, responses with a notice, notice or null, its recording time]."""
    told = tally.notice
    notice = None if told is None else [
        told.deprecation, told.deprecation_text, told.sunset, told.sunset_text,
        [list(link) for link in told.links],
    ]  # fmt: skip
    at = None if tally.noticed_at == -math.inf else tally.noticed_at
    return [tally.present, tally.noticed, notice, at]


def decode(value: Any, samples: int) -> HeaderTally:
    """The tally of `samples` responses that `value` (as `encode` wrote it) describes."""
    if type(value) is not list or len(value) != 4:
        raise ValueError("not a status's headers")
    present, noticed, notice, at = value
    if type(present) is not dict or not all(
        type(name) is str and type(n) is int and 0 < n <= samples for name, n in present.items()
    ):
        raise ValueError("header names that do not count the interactions")
    if not all(name == name.lower() and kept(name) for name in present):
        raise ValueError("a header name that is never compared (secret, volatile, not a token)")
    if (
        type(noticed) is not int
        or not 0 <= noticed <= samples
        or (noticed > 0) != (notice is not None)
    ):
        raise ValueError("a retirement notice that no interaction counts")
    if at is not None and (type(at) is not float or not math.isfinite(at)):
        raise ValueError("not a recording time")
    return HeaderTally(
        samples,
        dict(present),
        None if notice is None else _notice(notice),
        -math.inf if at is None else at,
        noticed,
    )


def _notice(value: Any) -> Notice:
    if type(value) is not list or len(value) != 5:
        raise ValueError("not a retirement notice")
    deprecation, deprecation_text, sunset, sunset_text, links = value
    for date in (deprecation, sunset):
        if date is not None and (type(date) is not float or not math.isfinite(date)):
            raise ValueError("not a retirement date")
    if type(deprecation_text) is not str or type(sunset_text) is not str:
        raise ValueError("not a retirement date")
    if type(links) is not list or not all(
        type(link) is list and len(link) == 2 and all(type(part) is str for part in link)
        for link in links
    ):
        raise ValueError("not a retirement link")
    told = Notice(
        deprecation, deprecation_text, sunset, sunset_text, tuple((r, u) for r, u in links)
    )
    problem = malformed(told)
    if problem is not None:
        raise ValueError(problem)
    return told
