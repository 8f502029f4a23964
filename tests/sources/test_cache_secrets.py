"""Secrets in the URLs of cassettes another tool wrote (a key in the query string, a
token vcrpy was not told to filter) never reach the shape cache: the census keeps each
URL with its secret query values redacted, cold and warm alike."""

from __future__ import annotations

from pathlib import Path

import requests
import vcr
from pytest_httpserver import HTTPServer

from driftcheck.sources.scan import Scanned, Settings, scan

KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
TOKEN = (
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)


def _uris(scanned: Scanned) -> list[str]:
    return sorted(
        uri
        for tally in scanned.census.endpoints.values()
        for operation in tally.operations.values()
        for uri in operation.uris
    )


def test_secret_query_values_never_reach_the_cache(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/v1/charges").respond_with_json({"data": [], "has_more": False})
    cassette = tmp_path / "cassettes" / "test_charges.yaml"
    with vcr.VCR().use_cassette(str(cassette)):  # no filter_query_parameters: kept as sent
        for page in (1, 2):
            url = httpserver.url_for("/v1/charges")
            params = {"api_key": KEY, "page": str(page), "sig": TOKEN}
            assert requests.get(url, params=params, timeout=5).ok
    assert KEY in cassette.read_text()  # the cassette itself holds it

    cache = tmp_path / "cache"
    cold = scan([cassette], Settings(workers=1, cache=cache))
    entries = [path.read_bytes() for path in cache.rglob("*") if path.is_file()]
    assert entries
    assert not [entry for entry in entries if KEY.encode() in entry or b"eyJhbGci" in entry]
    assert [uri.split("?")[1] for uri in _uris(cold)] == [
        "api_key=REDACTED&page=1&sig=REDACTED",
        "api_key=REDACTED&page=2&sig=REDACTED",
    ]
    assert _uris(scan([cassette], Settings(workers=1, cache=cache))) == _uris(cold)
